// The stepping page: the SVG diagram inline, the steps as a JSON array in the page, a small
// script that moves a highlight through the diagram and fills the side panel. No network: no
// external fonts, scripts or styles.
#include "views/html.hpp"

#include <vector>

#include "runner/trace_format.hpp"
#include "views/narration.hpp"
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

std::string host_name(const runner::Scenario& scenario, int host) {
  if (host < 0 || static_cast<std::size_t>(host) >= scenario.hosts.size()) return "the network";
  return scenario.hosts[static_cast<std::size_t>(host)].name;
}

std::string with_reason(const std::string& sentence, const std::string& reason) {
  if (reason.empty()) return sentence + ".";
  return sentence + " (" + reason + ").";
}

std::string segment_words(const runner::TraceSegment& segment, bool absolute) {
  return "segment " + text::segment_label(segment, diagram_label_style(absolute));
}

}  // namespace

std::string describe_step(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, bool absolute_seq) {
  if (event_index >= result.trace.size()) return "";
  const TraceEvent& event = result.trace[event_index];
  const runner::ConnectionNames names(result);
  const bool absolute = absolute_seq || runner::scenario_uses_fixed_isns(scenario);
  const std::string host = host_name(scenario, event.host);
  const std::string connection = names.of(event);
  // "c1 on client", or "client" when no connection is involved.
  const std::string who = connection.empty() ? host : connection + " on " + host;
  const std::string segment = segment_words(event.segment, absolute);
  switch (event.kind) {
    case TraceKind::action:
      return "The application on " + host + " calls: " + event.text + ".";
    case TraceKind::action_failed:
      return "The application on " + host + " cannot make its call: " + event.text + ".";
    case TraceKind::send:
      return with_reason(who + " sends " + segment, "");
    case TraceKind::inject: {
      const std::string spoofed = text::spoofed_source(scenario, event);
      return with_reason("The script injects " + segment + " from " +
                             (spoofed.empty() ? host : spoofed + " (a spoofed address)"),
                         event.text);
    }
    case TraceKind::deliver:
      return segment + " arrives at " + host + ".";
    case TraceKind::drop:
      return with_reason("The network loses " + segment, event.text);
    case TraceKind::expire:
      return with_reason("The network discards " + segment + ": it is older than the maximum " +
                             "segment lifetime",
                         event.text);
    case TraceKind::delay:
      return with_reason("The network holds " + segment + " back until " +
                             format_seconds(event.deadline) + " s",
                         event.text);
    case TraceKind::duplicate: {
      runner::TraceSegment original = event.segment;
      original.copy = false;
      return with_reason("The network duplicates " + segment_words(original, absolute) +
                             "; the copy arrives at " +
                             format_seconds(event.deadline) + " s",
                         event.text);
    }
    case TraceKind::discard:
      return with_reason("The TCP of " + host + " discards " +
                             (event.segment.id != 0 ? segment
                                                    : "a " + tcp::flags_to_string(
                                                                 event.segment.flags) +
                                                          " segment"),
                         event.text);
    case TraceKind::state:
      return with_reason(who + " moves from " + std::string(tcp::state_name(event.from)) +
                             " to " + std::string(tcp::state_name(event.to)),
                         event.text);
    case TraceKind::timer_set:
      return who + " sets its " + std::string(tcp::timer_name(event.timer)) +
             " timer to fire at " + format_seconds(event.deadline) + " s.";
    case TraceKind::timer_cancel:
      return who + " cancels its " + std::string(tcp::timer_name(event.timer)) + " timer.";
    case TraceKind::timer_fire:
      return "The " + std::string(tcp::timer_name(event.timer)) + " timer of " + who + " fires.";
    case TraceKind::app: {
      std::string sentence = "The application on " + host + " is told '" +
                             std::string(tcp::app_event_name(event.app_event)) + "'" +
                             (connection.empty() ? "" : " for " + connection);
      if (event.app_event == tcp::AppEventKind::data) {
        sentence += ": " + std::to_string(event.data.size()) + " bytes " +
                    text::quoted_payload(event.data, 32);
      }
      return with_reason(sentence, event.text);
    }
    case TraceKind::open:
      if (event.listener != tcp::no_connection) {
        return with_reason("The listener " + names(event.host, event.listener) + " on " + host +
                               " creates the connection record " + connection +
                               ", in LISTEN as a copy of itself",
                           event.text);
      }
      return with_reason(host + " creates the connection record " + connection, event.text);
    case TraceKind::free:
      return with_reason(host + " deletes the connection record " + connection, event.text);
  }
  return with_reason(std::string(runner::trace_kind_name(event.kind)) + " on " + who, event.text);
}

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

const char* page_style() {
  return R"CSS(
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial,sans-serif;color:#111827;background:#f8fafc}
main{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px;padding:16px;align-items:start}
#diagram{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px;overflow-x:auto}
#diagram svg{display:block;max-width:100%;height:auto}
body.actual-size #diagram svg{max-width:none}
#panel{position:sticky;top:16px;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px;max-height:calc(100vh - 32px);overflow-y:auto}
#panel h1{font-size:18px;margin:0 0 12px 0;word-break:break-word}
.controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.controls button{font:inherit;font-size:14px;padding:6px 12px;border:1px solid #cbd5e1;border-radius:6px;background:#f1f5f9;cursor:pointer}
.controls button:hover{background:#e2e8f0}
.controls button:disabled{opacity:.45;cursor:default}
#position{margin-left:auto;font-variant-numeric:tabular-nums;color:#374151;font-size:14px}
#when{margin:12px 0 4px 0;font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px;color:#4b5563}
#narration{margin:0 0 14px 0;font-size:16px;line-height:1.45;min-height:4.4em}
.states{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.host h2{font-size:14px;margin:0 0 6px 0}
.host ul{list-style:none;margin:0;padding:0}
.host li{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 6px 0;padding:4px 6px;border-radius:6px;border:2px solid transparent;font-size:13px}
.host li.active{border-color:#f59e0b;background:#fffbeb}
.host li.gone{opacity:.55}
.host .none{color:#6b7280;font-size:13px;font-style:italic}
.conn{font-weight:bold}
.badge{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;padding:1px 6px;border-radius:4px;border:1px solid #9ca3af}
.help{margin-top:14px;font-size:12px;color:#6b7280}
.help button{font:inherit;padding:1px 6px;border:1px solid #cbd5e1;border-radius:4px;background:#f1f5f9;cursor:pointer}
kbd{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;border:1px solid #cbd5e1;border-radius:3px;padding:0 4px;background:#f8fafc}
#diagram [data-step]{cursor:pointer}
#diagram .current{filter:drop-shadow(0 0 2px #f59e0b) drop-shadow(0 0 4px #f59e0b)}
#diagram text.current{font-weight:bold;filter:none;stroke:#fde047 !important;stroke-width:12px !important;paint-order:stroke;stroke-linejoin:round}
#diagram line.current,#diagram .current line{stroke-width:4px}
@media (max-width:900px){main{grid-template-columns:1fr}#panel{position:static;max-height:none}}
)CSS";
}

const char* page_script() {
  return R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('tcpsim-steps').textContent);
  var steps = data.steps;
  var current = -1;
  var lit = [];
  // Every connection's state after step `statesAt`: the steps' changes applied in order
  // ("" before a record exists, "-" once it is deleted); going back replays from the start.
  var states = [];
  var statesAt = -1;
  function statesAfter(index) {
    if (index < statesAt) { states = []; statesAt = -1; }
    for (; statesAt < index; ++statesAt) {
      var change = steps[statesAt + 1];
      if (change.s !== undefined) states[change.ci] = change.s;
    }
    return states;
  }
  function byId(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function renderStates(index) {
    var step = steps[index];
    var now = statesAfter(index);
    var box = byId('states');
    clear(box);
    data.hosts.forEach(function (hostName, host) {
      var column = element('div', 'host');
      column.setAttribute('data-host', hostName);
      column.appendChild(element('h2', '', hostName));
      var list = element('ul');
      var listed = 0;
      var more = 0;
      data.conns.forEach(function (conn, index) {
        if (conn.host !== host) return;
        var state = now[index];
        if (!state) return;
        // At most data.limit per host (the step's own connection always): a bounded panel.
        if (listed >= data.limit && index !== step.ci) { ++more; return; }
        ++listed;
        var item = element('li', 'conn-state');
        item.setAttribute('data-conn', conn.name);
        var gone = state === '-';
        if (gone) item.classList.add('gone');
        if (index === step.ci) item.classList.add('active');
        var name = element('span', 'conn', conn.name);
        name.style.color = conn.colour;
        item.appendChild(name);
        var shown = gone ? conn.last : state;
        var badge = element('span', 'badge', shown);
        badge.setAttribute('data-state', shown);
        var look = data.look[shown];
        if (look) { badge.style.background = look[0]; badge.style.color = look[1]; }
        item.appendChild(badge);
        if (gone) item.appendChild(element('span', 'none', 'record deleted'));
        list.appendChild(item);
      });
      if (more) {
        list.appendChild(element('li', 'none', 'and ' + more + ' more connection' +
          (more === 1 ? '' : 's') + ' (see --trace)'));
      }
      if (!list.firstChild) list.appendChild(element('li', 'none', 'no connection'));
      column.appendChild(list);
      box.appendChild(column);
    });
  }
  function inView(node) {
    var box = node.getBoundingClientRect();
    var frame = byId('diagram').getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight &&
      box.left >= frame.left && box.right <= frame.right;
  }
  function show(index) {
    if (!steps.length) return;
    index = Math.max(0, Math.min(steps.length - 1, index));
    lit.forEach(function (node) { node.classList.remove('current'); });
    lit = Array.prototype.slice.call(
      document.querySelectorAll('#diagram [data-step="' + index + '"]'));
    lit.forEach(function (node) { node.classList.add('current'); });
    current = index;
    var step = steps[index];
    document.body.setAttribute('data-step', String(index));
    byId('position').textContent = 'step ' + (index + 1) + ' of ' + steps.length;
    byId('when').textContent = step.t + ' s \u00b7 ' + step.k +
      (step.h ? ' \u00b7 ' + step.h : '') + (step.c ? ' \u00b7 ' + step.c : '');
    byId('narration').textContent = step.n;
    renderStates(index);
    byId('first').disabled = byId('prev').disabled = index === 0;
    byId('next').disabled = byId('last').disabled = index === steps.length - 1;
    if (lit.length && !inView(lit[0])) lit[0].scrollIntoView({block: 'center', inline: 'nearest'});
    try { history.replaceState(null, '', '#step-' + (index + 1)); } catch (e) { /* file: URLs */ }
  }
  byId('first').addEventListener('click', function () { show(0); });
  byId('prev').addEventListener('click', function () { show(current - 1); });
  byId('next').addEventListener('click', function () { show(current + 1); });
  byId('last').addEventListener('click', function () { show(steps.length - 1); });
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: steps.length - 1};
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(moves[event.key]);
  });
  byId('diagram').addEventListener('click', function (event) {
    var node = event.target.closest ? event.target.closest('[data-step]') : null;
    if (node) show(parseInt(node.getAttribute('data-step'), 10));
  });
  byId('zoom').addEventListener('click', function () {
    var actual = document.body.classList.toggle('actual-size');
    byId('zoom').textContent = actual ? 'fit to window' : 'actual size';
    if (lit.length) lit[0].scrollIntoView({block: 'center', inline: 'center'});
  });
  var wanted = /^#step-(\d+)$/.exec(location.hash);
  show(wanted ? parseInt(wanted[1], 10) - 1 : 0);
})();
)JS";
}

}  // namespace

std::string render_html(const runner::Scenario& scenario, const runner::RunResult& result,
                        const HtmlOptions& options) {
  const runner::ConnectionNames names(result);
  const runner::ConnectionIndex records(result);
  const auto changes = state_changes_by_step(result, records);

  const std::vector<std::string> colours = connection_colours(scenario, result);
  std::string json = "{\"hosts\":[";
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
  json += "},\"steps\":[\n";
  // The narration view's sentences (views/narration.hpp) unless the caller brings its own.
  const std::vector<std::string> narration =
      options.narrator ? std::vector<std::string>{}
                       : narrate_run(scenario, result, Language::english, {});
  for (std::size_t step = 0; step < result.trace.size(); ++step) {
    const TraceEvent& event = result.trace[step];
    if (step > 0) json += ",\n";
    json += "{\"t\":";
    append_json_string(json, format_seconds(event.time));
    json += ",\"k\":";
    append_json_string(json, runner::trace_kind_name(event.kind));
    json += ",\"h\":";
    append_json_string(json, event.host >= 0 && static_cast<std::size_t>(event.host) <
                                                    scenario.hosts.size()
                                 ? scenario.hosts[static_cast<std::size_t>(event.host)].name
                                 : std::string());
    json += ",\"c\":";
    append_json_string(json, names.of(event));
    json += ",\"ci\":" + std::to_string(records(event.host, event.connection));
    json += ",\"n\":";
    append_json_string(json, options.narrator ? options.narrator(step) : narration[step]);
    if (!changes[step].empty()) {
      json += ",\"s\":";
      append_json_string(json, changes[step]);
    }
    json += '}';
  }
  json += "\n]}";

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>tcpsim: " + text::xml_escape(scenario.name) + "</title>\n";
  out += "<style>" + std::string(page_style()) + "</style>\n</head>\n<body>\n<main>\n";
  // Every event is a step, so every timer keeps its bracket to highlight.
  SvgOptions svg = options.svg;
  svg.timers = true;
  out += "<div id=\"diagram\">\n" + render_svg(scenario, result, svg) + "</div>\n";
  out += "<aside id=\"panel\">\n<h1>" + text::xml_escape(scenario.name) + "</h1>\n";
  out += "<div class=\"controls\">"
         "<button id=\"first\" type=\"button\" title=\"first step (Home)\">&#x25C0;&#x25C0;</button>"
         "<button id=\"prev\" type=\"button\" title=\"previous step (left arrow)\">&#x25C0; prev</button>"
         "<button id=\"next\" type=\"button\" title=\"next step (right arrow)\">next &#x25B6;</button>"
         "<button id=\"last\" type=\"button\" title=\"last step (End)\">&#x25B6;&#x25B6;</button>"
         "<span id=\"position\"></span></div>\n";
  out += "<p id=\"when\"></p>\n<p id=\"narration\" aria-live=\"polite\"></p>\n";
  out += "<div id=\"states\" class=\"states\"></div>\n";
  out += "<p class=\"help\"><kbd>&#x2190;</kbd> <kbd>&#x2192;</kbd> step back and forward, "
         "<kbd>Home</kbd> <kbd>End</kbd> first and last step; click anything in the diagram to "
         "jump to its step. <button id=\"zoom\" type=\"button\">actual size</button></p>\n";
  out += "</aside>\n</main>\n";
  out += "<script type=\"application/json\" id=\"tcpsim-steps\">" + json + "</script>\n";
  out += "<script>" + std::string(page_script()) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace tcpsim::views
