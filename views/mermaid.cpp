#include "views/mermaid.hpp"

#include <array>
#include <map>
#include <utility>
#include <vector>

#include "runner/trace_format.hpp"
#include "sim/link_cause.hpp"
#include "views/lost_bursts.hpp"
#include "views/segment_reasons.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// Every keyword of Mermaid's sequenceDiagram lexer (case-insensitive). The lexer tries them
// before identifiers, so an id that merely begins with one ("note1", "endpoint") is split.
constexpr std::array<std::string_view, 32> keywords{
    "box",        "participant", "actor",      "create",  "destroy", "loop",
    "rect",       "opt",         "alt",        "else",    "par",     "and",
    "critical",   "option",      "break",      "end",     "left",    "right",
    "links",      "link",        "properties", "details", "over",    "note",
    "activate",   "deactivate",  "title",      "acctitle", "accdescr", "sequencediagram",
    "autonumber", "off"};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool usable_id(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (std::size_t index = 0; index < name.size(); ++index) {
    const char c = name[index];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (index > 0 && (digit || c == '_')))) return false;
  }
  for (const std::string_view keyword : keywords) {
    if (name.size() < keyword.size()) continue;
    bool prefix = true;
    for (std::size_t index = 0; index < keyword.size() && prefix; ++index) {
      prefix = lower(name[index]) == keyword[index];
    }
    if (prefix) return false;
  }
  return true;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t index = 0; index < a.size(); ++index) {
    if (lower(a[index]) != lower(b[index])) return false;
  }
  return true;
}

// Seconds with as many decimals as needed: "0s", "0.1s", "241.55s".
std::string seconds(Time time) { return text::seconds(time, text::Decimals::as_needed) + "s"; }

class MermaidWriter {
 public:
  MermaidWriter(const runner::Scenario& scenario, const runner::RunResult& result,
                const MermaidOptions& options)
      : scenario_(scenario),
        result_(result),
        options_(options),
        language_(options.language),
        names_(result),
        story_(scenario, result),
        bursts_(result, story_) {
    for (int host = 0; host < 2; ++host) {
      const std::string& name = scenario.hosts[static_cast<std::size_t>(host)].name;
      ids_[static_cast<std::size_t>(host)] =
          usable_id(name) ? name : "host" + std::to_string(host + 1);
    }
    if (same_ignoring_case(ids_[0], ids_[1])) ids_ = {"host1", "host2"};
  }

  std::string write() {
    out_ = "sequenceDiagram\n";
    out_ += "    title " +
            mermaid_escape(fill(Term::diagram_title, language_,
                                {scenario_.name, std::to_string(result_.seed)})) +
            "\n";
    out_ += "    %% " +
            text::visible(term(options_.absolute_seq ? Term::seq_absolute : Term::seq_relative,
                               language_)) +
            "\n";
    for (int host = 0; host < 2; ++host) {
      const runner::HostSpec& spec = scenario_.hosts[static_cast<std::size_t>(host)];
      std::string alias = host_display_name(spec) + " " + tcp::address_to_string(spec.address);
      for (const std::string& tag : host_tags(spec, language_)) alias += in_parentheses(tag);
      out_ += "    participant " + id(host) + " as " + mermaid_escape(alias) + "\n";
    }
    for (std::size_t index = 0; index < result_.trace.size(); ++index) render(index);
    flush_note();
    // Segments the run ended with still on the wire: an open arrow, nothing crossed out.
    for (const auto& [key, flight] : in_flight_) {
      statement(id(flight.from) + "--)" + id(1 - flight.from) + ": " +
                mermaid_escape(label(flight.segment) +
                               std::string(term(Term::still_in_flight_at_end, language_))));
    }
    // A listener listens until it is closed or the run ends: say so where the run ends.
    for (const runner::ConnectionRecord& record : result_.connections) {
      if (!record.listener || record.freed || (record.host != 0 && record.host != 1)) continue;
      note(record.host, result_.end_time,
           fill(Term::listening_until_end, language_,
                {record.name, tcp::state_name(record.final_state())}));
    }
    // The end of the run, and what each side believes (the ladder's last line).
    statement("Note over " + id(0) + "," + id(1) + ": " +
              mermaid_escape(seconds(result_.end_time) + " " +
                             std::string(term(Term::end_of_run, language_))) +
              "<br/>" + mermaid_escape(connection_summary(scenario_, result_, language_)));
    return out_;
  }

 private:
  // Segments on the wire, by (id, copy): sent and not yet delivered, lost or expired.
  struct Flight {
    int from = 0;
    TraceSegment segment;
    Time sent = 0;
    std::string held_by;  // the delay's cause, when the link held it back
    std::size_t send_step = 0;
  };
  using FlightKey = std::pair<std::uint64_t, bool>;

  // A link event's cause, from its fields (never from the event's text).
  std::string link_cause(const TraceEvent& event) const {
    return link_cause_label(event.link_cause, language_);
  }
  // " (text)" in English, "（text）" in Chinese; "" for no text.
  std::string in_parentheses(const std::string& text) const {
    return text.empty() ? std::string() : fill(Term::parenthesized, language_, {"", text});
  }

  const std::string& id(int host) const { return ids_[static_cast<std::size_t>(host)]; }
  std::string label(const TraceSegment& segment) const {
    text::SegmentLabelStyle style;
    style.absolute_seq = options_.absolute_seq;
    style.window = options_.window;
    style.no_flags = term(Term::no_flags, language_);
    style.retransmission = term(Term::retransmission_mark, language_);
    style.injected = term(Term::injected_mark, language_);
    return text::segment_label(segment, style);
  }

  void statement(const std::string& line) {
    flush_note();
    out_ += "    " + line + "\n";
  }

  // Consecutive notes over the same place at the same time become one note, a line each.
  void note(int over, Time time, const std::string& text) {
    if (!note_lines_.empty() && (note_over_ != over || note_time_ != time)) flush_note();
    if (note_lines_.empty()) {
      note_over_ = over;
      note_time_ = time;
    }
    note_lines_.push_back(mermaid_escape(text));
  }

  void flush_note() {
    if (note_lines_.empty()) return;
    std::string line = "    Note over " + (note_over_ == both ? id(0) + "," + id(1) : id(note_over_)) +
                       ": " + mermaid_escape(seconds(note_time_));
    for (std::size_t index = 0; index < note_lines_.size(); ++index) {
      line += (index == 0 ? " " : "<br/>") + note_lines_[index];
    }
    out_ += line + "\n";
    note_lines_.clear();
  }

  // The reasons of a segment's send and of its end (arrival, loss), short.
  std::string reasons_of(std::size_t send_step, std::size_t end_step) const {
    return reason_text(combined(story_.at(send_step), story_.at(end_step)), language_, "; ");
  }

  void render(std::size_t index) {
    const TraceEvent& event = result_.trace[index];
    const int h = event.host;
    const bool has_host = h == 0 || h == 1;
    const std::string connection = names_.of(event);
    const std::string who = connection.empty() ? std::string() : connection + " ";
    const std::string host_name =
        has_host ? scenario_.hosts[static_cast<std::size_t>(h)].name : std::string();
    const std::string number = "#" + std::to_string(event.segment.id);
    switch (event.kind) {
      case TraceKind::action:
        if (has_host) {
          note(h, event.time,
               language_ == Language::english
                   ? event.text
                   : action_words(event.action, host_name, language_));
        }
        return;
      case TraceKind::action_failed:
        if (has_host) {
          note(h, event.time,
               fill(Term::call_failed, language_,
                    {language_ == Language::english
                         ? event.text
                         : failure_words(event.action, host_name, language_)}));
        }
        return;
      case TraceKind::send:
        if (has_host) {
          in_flight_[{event.segment.id, event.segment.copy}] =
              Flight{h, event.segment, event.time, {}, index};
        }
        return;
      case TraceKind::inject: {
        // It travels from the lane across the link from its destination; a note says who
        // made it, and from which address when that is not the lane host's.
        if (!has_host) return;
        in_flight_[{event.segment.id, event.segment.copy}] =
            Flight{h, event.segment, event.time, {}, index};
        const std::string spoofed = text::spoofed_source(scenario_, event);
        note(h, event.time,
             spoofed.empty()
                 ? number + " " + std::string(term(Term::injected_by_script, language_))
                 : fill(Term::injected_from_spoofed, language_, {number, spoofed}));
        return;
      }
      case TraceKind::delay: {
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        if (found != in_flight_.end()) found->second.held_by = link_cause(event);
        note(both, event.time,
             fill(Term::held_by_network, language_, {number, seconds(event.deadline)}) +
                 in_parentheses(link_cause(event)));
        return;
      }
      case TraceKind::duplicate: {
        TraceSegment copy = event.segment;
        copy.copy = true;
        std::size_t send_step = index;
        const auto original = in_flight_.find({event.segment.id, false});
        if (original != in_flight_.end()) send_step = original->second.send_step;
        if (has_host) in_flight_[{copy.id, true}] = Flight{h, copy, event.time, {}, send_step};
        const bool expires = event.link_cause.kind == sim::LinkCauseKind::msl_expired;
        note(both, event.time,
             fill(expires ? Term::duplicated_copy_expires : Term::duplicated_by_network,
                  language_, {number, seconds(event.deadline)}) +
                 in_parentheses(link_cause(event)));
        return;
      }
      case TraceKind::deliver: {
        if (!has_host) return;
        const int from = 1 - h;
        std::string text = label(event.segment);
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        std::string reasons = reason_text(story_.at(index), language_, "; ");
        if (found != in_flight_.end()) {
          reasons = reasons_of(found->second.send_step, index);
          if (!found->second.held_by.empty()) {
            text += fill(Term::sent_held_until, language_,
                         {seconds(found->second.sent), seconds(event.time),
                          found->second.held_by});
          }
          in_flight_.erase(found);
        }
        if (event.segment.copy) text += term(Term::a_copy_made_by_network, language_);
        text += in_parentheses(reasons);
        statement(id(from) + "->>" + id(h) + ": " + mermaid_escape(text));
        return;
      }
      case TraceKind::drop: {
        if (!has_host) return;
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        std::string reasons;
        if (found != in_flight_.end()) {
          reasons = reasons_of(found->second.send_step, found->second.send_step);
          in_flight_.erase(found);
        }
        // A lost burst (views/lost_bursts.hpp) is one arrow, at its last loss; its members
        // share the cause and the reasons.
        if (const LostBurst* burst = bursts_.of(index)) {
          if (burst->last() != index) return;
          const std::string cause = link_cause(event);
          const std::string summary = lost_burst_label(result_, *burst, language_);
          statement(id(h) + "-x" + id(1 - h) + ": " +
                    mermaid_escape((cause.empty() ? summary
                                                  : fill(Term::colon, language_, {summary, cause})) +
                                   in_parentheses(reasons)));
          return;
        }
        statement(id(h) + "-x" + id(1 - h) + ": " +
                  mermaid_escape(fill(Term::lost_because, language_,
                                      {label(event.segment), link_cause(event)}) +
                                 in_parentheses(reasons)));
        return;
      }
      case TraceKind::expire: {
        if (!has_host) return;
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        std::string cause = link_cause(event);
        if (found != in_flight_.end()) {
          cause += fill(Term::sent_at, language_, {seconds(found->second.sent)});
          in_flight_.erase(found);
        }
        statement(id(h) + "-x" + id(1 - h) + ": " +
                  mermaid_escape(fill(Term::expired_because, language_,
                                      {label(event.segment), cause})));
        return;
      }
      case TraceKind::discard:
        if (!has_host) return;
        if (event.segment.id == 0) {
          note(h, event.time,
               who + fill(Term::refused, language_, {rule_reason(event.rule, language_)}));
        } else {
          note(h, event.time,
               who +
                   fill(Term::discards, language_,
                        {text::segment_number(event.segment) + " " +
                         tcp::flags_to_string(event.segment.flags)}) +
                   in_parentheses(rule_reason(event.rule, language_)));
        }
        return;
      case TraceKind::state:
        if (!has_host) return;
        note(h, event.time,
             who + std::string(tcp::state_name(event.to)) +
                 (event.rule == tcp::Rule::none
                      ? std::string()
                      : in_parentheses(rule_short(event.rule, language_))));
        return;
      case TraceKind::timer_set:
        if (has_host && options_.timers) {
          note(h, event.time,
               who +
                   fill(Term::timer_until, language_,
                        {timer_word(event.timer, language_), seconds(event.deadline)}) +
                   in_parentheses(timer_rounding(event, language_)));
        }
        return;
      case TraceKind::timer_cancel:
        if (has_host && options_.timers) {
          note(h, event.time,
               who + fill(Term::timer_off, language_, {timer_word(event.timer, language_)}));
        }
        return;
      case TraceKind::timer_fire:
        if (has_host) {
          note(h, event.time,
               who + fill(Term::timer_fires, language_, {timer_word(event.timer, language_)}));
        }
        return;
      case TraceKind::app: {
        if (!has_host) return;
        std::string what(app_event_word(event.app_event, language_));
        if (event.app_event == tcp::AppEventKind::data) {
          what += " " + fill(Term::bytes, language_, {std::to_string(event.data.size())});
        }
        std::string text = who + fill(Term::app_prefix, language_, {what});
        const bool explain = app_event_needs_reason(event.app_event);
        if (explain && event.rule != tcp::Rule::none) {
          text += in_parentheses(rule_short(event.rule, language_));
        }
        note(h, event.time, text);
        return;
      }
      case TraceKind::open:
        return;
      case TraceKind::free:
        if (has_host && event.rule != tcp::Rule::none) {
          note(h, event.time,
               who + std::string(term(Term::record_gone, language_)) +
                   in_parentheses(rule_short(event.rule, language_)));
        }
        return;
    }
  }

  static constexpr int both = 2;

  const runner::Scenario& scenario_;
  const runner::RunResult& result_;
  const MermaidOptions options_;
  const Language language_;
  const runner::ConnectionNames names_;
  const SegmentStory story_;
  const LostBursts bursts_;
  std::array<std::string, 2> ids_;
  std::string out_;
  std::map<FlightKey, Flight> in_flight_;  // ordered by segment id: the end lists them in order
  int note_over_ = 0;
  Time note_time_ = 0;
  std::vector<std::string> note_lines_;
};

}  // namespace

std::string mermaid_escape(std::string_view raw) {
  // Invisible and control characters first become text::visible's escapes, whose '\', '{' and
  // '}' are then written as entity codes like any other syntax character.
  const std::string shown = text::visible(raw);
  std::string out;
  out.reserve(shown.size());
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || byte >= 0x80;
    switch (c) {
      case ' ': case '.': case ',': case '_': case '\'': case '(': case ')': case '/':
      case '=': case '+': case '*': case '!': case '?': case '@': case '[': case ']':
      case '-': case '~': case '^': case '|': case '$':
        out += c;
        continue;
      default:
        break;
    }
    if (plain) {
      out += c;
    } else {
      out += "#" + std::to_string(byte) + ";";
    }
  }
  return out;
}

std::string format_mermaid(const runner::Scenario& scenario, const runner::RunResult& result,
                           const MermaidOptions& options) {
  return MermaidWriter(scenario, result, options).write();
}

}  // namespace tcpsim::views
