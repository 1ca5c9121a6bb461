// The stepping page: the SVG diagram inline, the steps as JSON in the page, and the page's
// script and style (views/html_page.js and .css, embedded at build time by
// views/html_page.cmake), which step through them. No network: no external fonts, scripts or
// styles.
#include "views/html.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "runner/trace_format.hpp"
#include "views/html_page_assets.inc"
#include "views/html_textbook.hpp"
#include "views/svg_layout.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;

namespace {

// A JSON string that is safe inside <script>: '<', '>' and '&' are escaped too, so no "</script>"
// or "<!--" can appear whatever the text. text::visible leaves no control character to escape.
void append_json_string(std::string& out, std::string_view raw) {
  out += '"';
  out += text::replace_characters(text::visible(raw), {{'"', "\\\""},
                                                       {'\\', "\\\\"},
                                                       {'<', "\\u003c"},
                                                       {'>', "\\u003e"},
                                                       {'&', "\\u0026"}});
  out += '"';
}

std::string format_seconds(Time time) { return text::seconds(time, diagram_decimals); }

}  // namespace

namespace {

// Per step, the state its connection (`ci`) is in after it, when the step changed that state,
// else "" (not written): "CLOSED" when the record first appears, "-" once it is deleted. The
// page applies these in order, so its data grow with the steps, not steps x connections.
std::vector<std::string> state_changes_by_step(const runner::RunResult& result,
                                               const runner::ConnectionIndex& records) {
  std::vector<std::string> current(result.connections.size());
  std::vector<std::string> out(result.trace.size());
  for (std::size_t step = 0; step < result.trace.size(); ++step) {
    const TraceEvent& event = result.trace[step];
    const int index = records(event.host, event.connection);
    if (index < 0) continue;
    std::string& state = current[static_cast<std::size_t>(index)];
    const std::string before = state;
    // From its first event, in the state it is born in: CLOSED, or LISTEN for a listener's
    // connection (a listener itself is LISTEN from its listen on).
    const auto& born = result.connections[static_cast<std::size_t>(index)].states;
    if (state.empty()) state = std::string(tcp::state_name(born.empty() ? tcp::State::closed
                                                                        : born.front()));
    if (event.kind == TraceKind::state) state = std::string(tcp::state_name(event.to));
    if (event.kind == TraceKind::free) state = "-";
    if (state != before) out[step] = state;
  }
  return out;
}

// Why the event happened, as the trace says: the core's rule or the link's cause; "" for
// events that have none (a call, a timer) and when the sentence says it already.
std::string step_reason(const TraceEvent& event, Language language, const std::string& sentence) {
  std::string reason;
  switch (event.kind) {
    case TraceKind::drop:
    case TraceKind::expire:
    case TraceKind::delay:
    case TraceKind::duplicate:
      reason = link_cause(event.link_cause, language);
      break;
    case TraceKind::send:
    case TraceKind::inject:
    case TraceKind::discard:
    case TraceKind::state:
    case TraceKind::app:
    case TraceKind::open:
    case TraceKind::free:
      if (event.rule != tcp::Rule::none) reason = rule_sentence(event.rule, language);
      break;
    case TraceKind::action:
    case TraceKind::action_failed:
    case TraceKind::deliver:
    case TraceKind::timer_set:
    case TraceKind::timer_cancel:
    case TraceKind::timer_fire:
      break;
  }
  if (!reason.empty() && sentence.find(reason) != std::string::npos) return {};
  return reason;
}

// The reference one-way delay, as the diagram's time axis reads it (views/svg_layout.cpp): the
// shortest trip of a segment delivered without a hold or a copy, else the link's smallest
// configured delay, else 1 ms.
Time reference_delay(const runner::Scenario& scenario, const runner::RunResult& result) {
  std::map<std::uint64_t, Time> sent_at;
  std::set<std::uint64_t> held;
  Time reference = 0;
  for (const TraceEvent& event : result.trace) {
    if (event.kind == TraceKind::send || event.kind == TraceKind::inject) {
      sent_at.emplace(event.segment.id, event.time);
    } else if (event.kind == TraceKind::delay) {
      held.insert(event.segment.id);
    } else if (event.kind == TraceKind::deliver && !event.segment.copy &&
               held.count(event.segment.id) == 0) {
      const auto sent = sent_at.find(event.segment.id);
      if (sent == sent_at.end()) continue;
      const Time trip = event.time - sent->second;
      if (trip > 0 && (reference == 0 || trip < reference)) reference = trip;
    }
  }
  if (reference == 0) {
    for (const auto& direction : scenario.link.directions) {
      if (direction.delay > 0 && (reference == 0 || direction.delay < reference)) {
        reference = direction.delay;
      }
    }
  }
  return reference == 0 ? tcpsim::millisecond : reference;
}

void append_field(std::string& json, std::string_view key, std::string_view value) {
  json += ",\"";
  json += key;
  json += "\":";
  append_json_string(json, value);
}

}  // namespace

std::vector<int> autoplay_pauses(const runner::Scenario& scenario,
                                 const runner::RunResult& result) {
  const Time delay = reference_delay(scenario, result);
  std::vector<int> pauses(result.trace.size(), 10);
  for (std::size_t step = 1; step < result.trace.size(); ++step) {
    const Time gap = result.trace[step].time - result.trace[step - 1].time;
    if (gap <= 0) continue;
    // Tenths of a beat, rounded down, computed without overflow for any gap.
    const Time tenths = gap / delay >= 3 ? 30 : gap * 10 / delay;
    pauses[step] = 10 + static_cast<int>(tenths);
  }
  return pauses;
}

std::string_view html_language_tag(Language language) {
  return language == Language::chinese ? "zh-CN" : "en";
}

std::string html_steps_json(const runner::Scenario& scenario, const runner::RunResult& result,
                            const HtmlOptions& options) {
  const runner::ConnectionNames names(result);
  const runner::ConnectionIndex records(result);
  const auto changes = state_changes_by_step(result, records);
  const bool absolute = options.svg.absolute_seq || runner::scenario_uses_fixed_isns(scenario);

  const std::vector<std::string> colours = connection_colours(scenario, result);
  std::string json = "{\"lang\":";
  append_json_string(json, options.language == Language::chinese ? "zh" : "en");
  append_field(json, "name", scenario.name);
  json += ",\"hosts\":[";
  for (std::size_t host = 0; host < scenario.hosts.size() && host < 2; ++host) {
    if (host > 0) json += ',';
    append_json_string(json, scenario.hosts[host].name);
  }
  json += "],\"conns\":[";
  for (std::size_t index = 0; index < result.connections.size(); ++index) {
    const auto& record = result.connections[index];
    if (index > 0) json += ',';
    json += "{\"name\":";
    append_json_string(json, record.name);
    json += ",\"host\":" + std::to_string(record.host) + ",\"colour\":";
    append_json_string(json, colours[index]);
    json += ",\"last\":";
    append_json_string(json, tcp::state_name(record.final_state()));
    if (record.listener) json += ",\"listener\":true";
    if (record.failed_connect) json += ",\"failed\":true";
    json += '}';
  }
  // The panel lists as many connections per host as the diagram draws lifelines.
  json += "],\"limit\":" + std::to_string(svg_detailed_lanes) + ",\"look\":{";
  for (int state = 0; state < tcp::state_count; ++state) {
    const auto value = static_cast<tcp::State>(state);
    if (state > 0) json += ',';
    append_json_string(json, tcp::state_name(value));
    json += ":[";
    append_json_string(json, state_fill_colour(value));
    json += ',';
    append_json_string(json, state_text_colour(value));
    json += ']';
  }

  // Every segment's label in each form the page switches between: the diagram's up to the
  // window ("l"), its length after the window ("len") and the marks after that ("x"), the
  // window ("w"), the textbook's ("tb", "o").
  const auto textbook = textbook_labels(scenario, result, options.language, absolute);
  text::SegmentLabelStyle plain = diagram_label_style(absolute);
  plain.zero_window = false;
  text::SegmentLabelStyle bare = plain;
  bare.retransmission = "";
  bare.injected = "";
  json += "},\"segs\":{";
  std::set<std::string> written;
  for (const TraceEvent& event : result.trace) {
    if (!runner::is_segment_event(event.kind) || event.segment.id == 0) continue;
    const std::string key = text::segment_number(event.segment);
    if (!written.insert(key).second) continue;
    if (written.size() > 1) json += ",\n";
    append_json_string(json, key);
    const std::string label = text::segment_label(event.segment, bare);
    const std::string length = text::segment_length_text(event.segment);
    json += ":{\"l\":";
    append_json_string(json, label.substr(0, label.size() - length.size()));
    append_field(json, "len", length);
    append_field(json, "x", text::segment_label(event.segment, plain).substr(label.size()));
    json += ",\"w\":" + std::to_string(event.segment.window);
    if ((event.segment.flags & tcp::flag::rst) != 0) json += ",\"rst\":true";
    const auto found = textbook.find(event.segment.id);
    if (found != textbook.end()) {
      append_field(json, "tb", found->second.fields);
      if (!found->second.ordinal.empty()) append_field(json, "o", found->second.ordinal);
    }
    json += '}';
  }

  json += "},\"steps\":[\n";
  // The narration view's sentences (views/narration.hpp) unless the caller brings its own.
  NarrationOptions narration_options = default_narration_options(scenario);
  narration_options.absolute_seq = narration_options.absolute_seq || options.svg.absolute_seq;
  const std::vector<std::string> narration =
      options.narrator ? std::vector<std::string>{}
                       : narrate_run(scenario, result, options.language, narration_options);
  const std::vector<int> pauses = autoplay_pauses(scenario, result);
  const Time delay = reference_delay(scenario, result);
  const Time idle = delay * (svg_diagram::break_threshold / svg_diagram::unit_height);
  for (std::size_t step = 0; step < result.trace.size(); ++step) {
    const TraceEvent& event = result.trace[step];
    if (step > 0) json += ",\n";
    json += "{\"t\":";
    append_json_string(json, format_seconds(event.time));
    append_field(json, "k", runner::trace_kind_name(event.kind));
    append_field(json, "h", event.host >= 0 && static_cast<std::size_t>(event.host) <
                                                   scenario.hosts.size()
                                ? scenario.hosts[static_cast<std::size_t>(event.host)].name
                                : std::string());
    append_field(json, "c", names.of(event));
    json += ",\"ci\":" + std::to_string(records(event.host, event.connection));
    const std::string sentence = options.narrator ? options.narrator(step) : narration[step];
    append_field(json, "n", sentence);
    if (!changes[step].empty()) append_field(json, "s", changes[step]);
    if (runner::is_segment_event(event.kind) && event.segment.id != 0) {
      append_field(json, "g", text::segment_number(event.segment));
    }
    const std::string reason = step_reason(event, options.language, sentence);
    if (!reason.empty()) append_field(json, "r", reason);
    json += ",\"p\":" + std::to_string(pauses[step]);
    if (step > 0 && event.time - result.trace[step - 1].time > idle) {
      append_field(json, "i", text::duration_in_unit(event.time - result.trace[step - 1].time));
    }
    json += '}';
  }
  json += "\n]}";
  return json;
}

std::string render_html(const runner::Scenario& scenario, const runner::RunResult& result,
                        const HtmlOptions& options) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"" + std::string(html_language_tag(options.language)) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + fill(Term::page_title, options.language, {text::xml_escape(scenario.name)}) +
         "</title>\n";
  out += "<style>\nbody{margin:0;background:#f8fafc}\n" + std::string(html_page_style_text) +
         "</style>\n</head>\n<body>\n";
  // Every event is a step, so every timer keeps its bracket to highlight.
  SvgOptions svg = options.svg;
  svg.timers = true;
  svg.language = options.language;  // one language for the page and its diagram
  // The page's script builds the controls around the diagram (views/html_page.js).
  out += "<div id=\"tcpsim-page\">\n<div id=\"diagram\">\n" + render_svg(scenario, result, svg) +
         "</div>\n</div>\n";
  out += "<script type=\"application/json\" id=\"tcpsim-steps\">" +
         html_steps_json(scenario, result, options) + "</script>\n";
  out += "<script>" + std::string(html_page_script_text) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace tcpsim::views
