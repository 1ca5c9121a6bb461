#include "views/mermaid.hpp"

#include <array>
#include <map>
#include <utility>
#include <vector>

#include "runner/trace_format.hpp"
#include "sim/link_cause.hpp"
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

// A rule in short: its citation when the trace puts it first ("RFC 9293 3.10.7.4 second"),
// else the whole reason as the trace prints it.
std::string short_reason(tcp::Rule rule) {
  const tcp::RuleText& row = tcp::rule_text(rule);
  if (row.cited == tcp::Cited::before) return std::string(row.citation);
  return std::string(tcp::rule_reason(rule));
}

class MermaidWriter {
 public:
  MermaidWriter(const runner::Scenario& scenario, const runner::RunResult& result,
                const MermaidOptions& options)
      : scenario_(scenario), result_(result), options_(options), names_(result) {
    for (int host = 0; host < 2; ++host) {
      const std::string& name = scenario.hosts[static_cast<std::size_t>(host)].name;
      ids_[static_cast<std::size_t>(host)] =
          usable_id(name) ? name : "host" + std::to_string(host + 1);
    }
    if (same_ignoring_case(ids_[0], ids_[1])) ids_ = {"host1", "host2"};
  }

  std::string write() {
    out_ = "sequenceDiagram\n";
    out_ += "    title " + mermaid_escape("tcpsim " + scenario_.name + " (seed " +
                                          std::to_string(result_.seed) + ")") +
            "\n";
    out_ += options_.absolute_seq
                ? "    %% seq and ack: absolute sequence numbers\n"
                : "    %% seq and ack: relative to each side's ISN, as Wireshark shows\n";
    for (int host = 0; host < 2; ++host) {
      const runner::HostSpec& spec = scenario_.hosts[static_cast<std::size_t>(host)];
      std::string alias = spec.name + " " + tcp::address_to_string(spec.address);
      if (spec.tcp.handshake == tcp::Handshake::two_way) alias += " (two-way handshake)";
      if (spec.tcp.time_wait == 0) alias += " (no TIME_WAIT)";
      if (spec.scripted) alias += " (scripted, no TCP)";
      out_ += "    participant " + id(host) + " as " + mermaid_escape(alias) + "\n";
    }
    for (const TraceEvent& event : result_.trace) render(event);
    flush_note();
    // Segments the run ended with still on the wire: an open arrow, nothing crossed out.
    for (const auto& [key, flight] : in_flight_) {
      statement(id(flight.from) + "--)" + id(1 - flight.from) + ": " +
                mermaid_escape(label(flight.segment) + " (still in flight when the run ended)"));
    }
    // A listener listens until it is closed or the run ends: say so where the run ends.
    for (const runner::ConnectionRecord& record : result_.connections) {
      if (!record.listener || record.freed || (record.host != 0 && record.host != 1)) continue;
      note(record.host, result_.end_time,
           record.name + " " + std::string(tcp::state_name(record.final_state())) +
               " until the end of the run");
    }
    statement("Note over " + id(0) + "," + id(1) + ": " +
              mermaid_escape(seconds(result_.end_time) + " end of run"));
    return out_;
  }

 private:
  // Segments on the wire, by (id, copy): sent and not yet delivered, lost or expired.
  struct Flight {
    int from = 0;
    TraceSegment segment;
    Time sent = 0;
    std::string held_by;  // the delay's cause, when the link held it back
  };
  using FlightKey = std::pair<std::uint64_t, bool>;

  // A link event's cause as the trace words it, from its fields (never from the event's text).
  static std::string link_cause(const TraceEvent& event) {
    return sim::link_cause_text(event.link_cause);
  }

  const std::string& id(int host) const { return ids_[static_cast<std::size_t>(host)]; }
  std::string label(const TraceSegment& segment) const {
    text::SegmentLabelStyle style;
    style.absolute_seq = options_.absolute_seq;
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

  void render(const TraceEvent& event) {
    const int h = event.host;
    const bool has_host = h == 0 || h == 1;
    const std::string connection = names_.of(event);
    const std::string who = connection.empty() ? std::string() : connection + " ";
    switch (event.kind) {
      case TraceKind::action:
        if (has_host) note(h, event.time, event.text);
        return;
      case TraceKind::action_failed:
        if (has_host) note(h, event.time, "failed: " + event.text);
        return;
      case TraceKind::send:
        if (has_host) {
          in_flight_[{event.segment.id, event.segment.copy}] =
              Flight{h, event.segment, event.time, {}};
        }
        return;
      case TraceKind::inject: {
        // It travels from the lane across the link from its destination; a note says who
        // made it, and from which address when that is not the lane host's.
        if (!has_host) return;
        in_flight_[{event.segment.id, event.segment.copy}] =
            Flight{h, event.segment, event.time, {}};
        const std::string spoofed = text::spoofed_source(scenario_, event);
        note(h, event.time,
             "#" + std::to_string(event.segment.id) + " injected by the script" +
                 (spoofed.empty() ? std::string() : " from the spoofed address " + spoofed));
        return;
      }
      case TraceKind::delay: {
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        if (found != in_flight_.end()) found->second.held_by = link_cause(event);
        note(both, event.time,
             "#" + std::to_string(event.segment.id) + " held by the network until " +
                 seconds(event.deadline) + " (" + link_cause(event) + ")");
        return;
      }
      case TraceKind::duplicate: {
        TraceSegment copy = event.segment;
        copy.copy = true;
        if (has_host) in_flight_[{copy.id, true}] = Flight{h, copy, event.time, {}};
        const bool expires = event.link_cause.kind == sim::LinkCauseKind::msl_expired;
        note(both, event.time,
             "#" + std::to_string(event.segment.id) + " duplicated by the network, the copy #" +
                 std::to_string(event.segment.id) + "' " + (expires ? "expires" : "arrives") +
                 " at " + seconds(event.deadline) +
                 (link_cause(event).empty() ? std::string() : " (" + link_cause(event) + ")"));
        return;
      }
      case TraceKind::deliver: {
        if (!has_host) return;
        const int from = 1 - h;
        std::string text = label(event.segment);
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        if (found != in_flight_.end()) {
          if (!found->second.held_by.empty()) {
            text += " (sent at " + seconds(found->second.sent) + ", held until " +
                    seconds(event.time) + " by " + found->second.held_by + ")";
          }
          in_flight_.erase(found);
        }
        if (event.segment.copy) text += " (a copy made by the network)";
        statement(id(from) + "->>" + id(h) + ": " + mermaid_escape(text));
        return;
      }
      case TraceKind::drop:
        if (!has_host) return;
        in_flight_.erase({event.segment.id, event.segment.copy});
        statement(id(h) + "-x" + id(1 - h) + ": " +
                  mermaid_escape(label(event.segment) + " lost (" + link_cause(event) + ")"));
        return;
      case TraceKind::expire: {
        if (!has_host) return;
        const auto found = in_flight_.find({event.segment.id, event.segment.copy});
        std::string sent;
        if (found != in_flight_.end()) {
          sent = ", sent at " + seconds(found->second.sent);
          in_flight_.erase(found);
        }
        statement(id(h) + "-x" + id(1 - h) + ": " +
                  mermaid_escape(label(event.segment) + " expired in the network (" +
                                 link_cause(event) + sent + ")"));
        return;
      }
      case TraceKind::discard:
        if (!has_host) return;
        if (event.segment.id == 0) {
          note(h, event.time, who + "refused: " + event.text);
        } else {
          note(h, event.time,
               who + "discards #" + std::to_string(event.segment.id) +
                   (event.segment.copy ? "'" : "") + " " +
                   tcp::flags_to_string(event.segment.flags) + " (" + event.text + ")");
        }
        return;
      case TraceKind::state:
        if (!has_host) return;
        note(h, event.time,
             who + std::string(tcp::state_name(event.to)) +
                 (event.rule == tcp::Rule::none ? std::string()
                                                : " (" + short_reason(event.rule) + ")"));
        return;
      case TraceKind::timer_set:
        if (has_host && options_.timers) {
          note(h, event.time,
               who + std::string(tcp::timer_name(event.timer)) + " timer until " +
                   seconds(event.deadline));
        }
        return;
      case TraceKind::timer_cancel:
        if (has_host && options_.timers) {
          note(h, event.time, who + std::string(tcp::timer_name(event.timer)) + " timer off");
        }
        return;
      case TraceKind::timer_fire:
        if (has_host) {
          note(h, event.time, who + std::string(tcp::timer_name(event.timer)) + " timer fires");
        }
        return;
      case TraceKind::app: {
        if (!has_host) return;
        std::string text = who + "app " + std::string(tcp::app_event_name(event.app_event));
        if (event.app_event == tcp::AppEventKind::data) {
          text += " " + std::to_string(event.data.size()) + " bytes";
        }
        const bool explain = event.app_event == tcp::AppEventKind::timed_out ||
                             event.app_event == tcp::AppEventKind::reset ||
                             event.app_event == tcp::AppEventKind::refused ||
                             event.app_event == tcp::AppEventKind::connect_failed;
        if (explain && event.rule != tcp::Rule::none) text += " (" + short_reason(event.rule) + ")";
        note(h, event.time, text);
        return;
      }
      case TraceKind::open:
        return;
      case TraceKind::free:
        if (has_host && event.rule != tcp::Rule::none) {
          note(h, event.time, who + "gone (" + short_reason(event.rule) + ")");
        }
        return;
    }
  }

  static constexpr int both = 2;

  const runner::Scenario& scenario_;
  const runner::RunResult& result_;
  const MermaidOptions options_;
  const runner::ConnectionNames names_;
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
