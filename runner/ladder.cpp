// The ladder diagram for the terminal: one line per event, the first host on the left, the
// second on the right, segments as arrows between them, and on each line the reason for what
// happened (the rule cited by TCP, or the fault rule or random model that acted on the link).
#include <algorithm>
#include <cstdio>

#include "runner/ladder.hpp"

namespace tcpsim::runner {
namespace {

constexpr std::size_t time_width = 12;
constexpr std::size_t side_width = 30;
constexpr std::size_t middle_width = 46;

std::string format_seconds(Time time) {
  // Seconds with microseconds, integer arithmetic only.
  char buffer[48];
  const long long micros = static_cast<long long>(time / microsecond);
  std::snprintf(buffer, sizeof buffer, "%lld.%06lld", micros / 1'000'000, micros % 1'000'000);
  return buffer;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  else text += ' ';
  return text;
}

// Word-wraps text to lines of at most `width` characters (a longer word gets its own line).
std::string wrap(const std::string& text, std::size_t width) {
  std::string out;
  std::size_t line_length = 0;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t space = text.find(' ', position);
    const std::size_t end = space == std::string::npos ? text.size() : space;
    const std::size_t word_length = end - position;
    if (line_length > 0 && line_length + 1 + word_length > width) {
      out += '\n';
      line_length = 0;
    } else if (line_length > 0) {
      out += ' ';
      ++line_length;
    }
    out.append(text, position, word_length);
    line_length += word_length;
    position = end + 1;
  }
  return out + "\n";
}

std::string printable(const std::vector<std::uint8_t>& data, std::size_t limit) {
  std::string out = "\"";
  for (std::size_t index = 0; index < data.size() && index < limit; ++index) {
    const unsigned char c = data[index];
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '.';
  }
  out += data.size() > limit ? "...\"" : "\"";
  return out;
}

}  // namespace

class LadderPrinter::Writer {
 public:
  Writer(const Scenario& scenario, const RunResult& result, const LadderOptions& options)
      : scenario_(scenario), result_(result), options_(options), names_(result) {}

  std::string header(const std::string& note) const {
    std::string out;
    out += "tcpsim: " + scenario_.name + " (seed " + std::to_string(result_.seed) + ")\n";
    out += wrap(scenario_.description, 100) + "\n";
    out += host_summary(0) + "  <->  " + host_summary(1) + "\n";
    out += options_.absolute_seq ? "seq/ack: absolute sequence numbers\n"
                                 : "seq/ack: relative to each side's ISN, as Wireshark shows\n";
    if (!note.empty()) out += note + "\n";
    out += "\n";
    out += pad("time (s)", time_width) + pad(scenario_.hosts[0].name, side_width) +
           pad("", middle_width) + scenario_.hosts[1].name + "\n";
    return out;
  }

  std::string event_line(std::size_t index) const {
    if (index >= result_.trace.size()) return {};
    return render(result_.trace[index]);
  }

  std::string footer() const {
    std::string out = "\n";
    out += pad(format_seconds(result_.end_time), time_width) + "end of run\n";
    for (const auto& record : result_.connections) {
      out += "  " + scenario_.hosts[static_cast<std::size_t>(record.host)].name + " " +
             record.name + ": ";
      for (std::size_t index = 0; index < record.states.size(); ++index) {
        if (index > 0) out += " -> ";
        out += std::string(tcp::state_name(record.states[index]));
      }
      if (record.listener) out += " (listener)";
      if (record.failed_connect) out += " (connect failed: no connection was made)";
      if (record.lost_in_crash) out += " (lost in crash)";
      out += "\n";
    }
    return out;
  }

 private:
  std::string host_summary(int index) const {
    const HostSpec& host = scenario_.hosts[static_cast<std::size_t>(index)];
    std::string out = host.name + " " + tcp::address_to_string(host.address);
    if (host.tcp.handshake == tcp::Handshake::two_way) out += " [two-way handshake]";
    if (host.tcp.time_wait == 0) out += " [no TIME_WAIT]";
    if (host.profile != "rfc9293") out += " [profile " + host.profile + "]";
    return out;
  }

  std::string label(const TraceSegment& segment) const {
    std::string out = "#" + std::to_string(segment.id) + (segment.copy ? "'" : "") + " ";
    const std::string flags = tcp::flags_to_string(segment.flags);
    out += flags.empty() ? "(no flags)" : flags;
    const bool relative = !options_.absolute_seq;
    out += " seq=" + (relative && segment.has_relative_seq ? std::to_string(segment.relative_seq)
                                                           : std::to_string(segment.seq));
    if ((segment.flags & tcp::flag::ack) != 0) {
      out += " ack=" + (relative && segment.has_relative_ack
                            ? std::to_string(segment.relative_ack)
                            : std::to_string(segment.ack));
    }
    out += " len=" + std::to_string(segment.length);
    if (segment.window == 0 && (segment.flags & tcp::flag::rst) == 0) out += " win=0";
    if (segment.retransmission) out += " (retransmission)";
    return out;
  }

  // An arrow across the middle column, pointing right (from the left host) or left.
  static std::string arrow(const std::string& text, bool rightwards) {
    std::string body = text;
    if (body.size() + 4 > middle_width) return rightwards ? body + " -->" : "<-- " + body;
    const std::size_t fill = middle_width - 2 - body.size() - 1;
    return rightwards ? body + " " + std::string(fill, '-') + ">"
                      : "<" + std::string(fill, '-') + " " + body;
  }

  std::string line(Time time, int host, std::string side_text, std::string middle,
                   std::string reason) const {
    std::string left = host == 0 ? side_text : std::string();
    std::string right = host == 1 ? side_text : std::string();
    std::string out = pad(format_seconds(time), time_width) + pad(left, side_width) +
                      pad(middle, middle_width) + right;
    if (!reason.empty()) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += "   (" + reason + ")";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  }

  std::string render(const TraceEvent& event) const {
    const int h = event.host;
    const std::string connection = names_.of(event);
    const std::string who = connection.empty() ? std::string() : "[" + connection + "] ";
    switch (event.kind) {
      case TraceKind::action:
        return line(event.time, h, "> " + event.text, "", "");
      case TraceKind::action_failed:
        return line(event.time, h, "! " + event.text, "", "");
      case TraceKind::send:
        return line(event.time, h, "", arrow(label(event.segment), h == 0), "");
      case TraceKind::deliver: {
        const std::string text = "#" + std::to_string(event.segment.id) +
                                 (event.segment.copy ? "'" : "") + " arrives";
        std::string middle = h == 1 ? std::string(middle_width - 1 - text.size() - 4, ' ') +
                                          text + " -->"
                                    : "<-- " + text;
        return line(event.time, h, "", middle, "");
      }
      case TraceKind::drop:
        return line(event.time, -1, "", "      X #" + std::to_string(event.segment.id) + " lost",
                    event.text);
      case TraceKind::expire:
        return line(event.time, -1, "",
                    "      X #" + std::to_string(event.segment.id) +
                        (event.segment.copy ? "'" : "") + " expires in the network",
                    event.text);
      case TraceKind::delay:
        return line(event.time, -1, "",
                    "      ~ #" + std::to_string(event.segment.id) + " held until " +
                        format_seconds(event.deadline) + "s",
                    event.text);
      case TraceKind::duplicate:
        return line(event.time, -1, "",
                    "      + #" + std::to_string(event.segment.id) + "' copy arrives at " +
                        format_seconds(event.deadline) + "s",
                    event.text);
      case TraceKind::discard:
        return line(event.time, h,
                    who + "discards " + (event.segment.id != 0 ? label(event.segment)
                                                               : tcp::flags_to_string(
                                                                     event.segment.flags)),
                    "", event.text);
      case TraceKind::state:
        return line(event.time, h, who + std::string(tcp::state_name(event.to)), "", event.text);
      case TraceKind::timer_set:
        if (!options_.timers) return {};
        return line(event.time, h,
                    who + std::string(tcp::timer_name(event.timer)) + " timer until " +
                        format_seconds(event.deadline),
                    "", "");
      case TraceKind::timer_cancel:
        if (!options_.timers) return {};
        return line(event.time, h, who + std::string(tcp::timer_name(event.timer)) + " timer off",
                    "", "");
      case TraceKind::timer_fire:
        return line(event.time, h,
                    who + std::string(tcp::timer_name(event.timer)) + " timer fires", "", "");
      case TraceKind::app: {
        std::string text = who + "app: " + std::string(tcp::app_event_name(event.app_event));
        if (event.app_event == tcp::AppEventKind::data) {
          text += " " + std::to_string(event.data.size()) + " bytes " + printable(event.data, 16);
        }
        // Routine events repeat the reason of the state change beside them; show why only for
        // the endings that need explaining.
        const bool explain = event.app_event == tcp::AppEventKind::timed_out ||
                             event.app_event == tcp::AppEventKind::reset ||
                             event.app_event == tcp::AppEventKind::refused ||
                             event.app_event == tcp::AppEventKind::connect_failed;
        return line(event.time, h, text, "", explain ? event.text : std::string());
      }
      case TraceKind::open:
        return {};
      case TraceKind::free:
        if (event.text.empty()) return {};
        return line(event.time, h, who + "gone", "", event.text);
    }
    return {};
  }

  const Scenario& scenario_;
  const RunResult& result_;
  const LadderOptions options_;  // a copy: it is small, and callers may pass a temporary
  const ConnectionNames names_;
};

LadderPrinter::LadderPrinter(const Scenario& scenario, const RunResult& result,
                             const LadderOptions& options)
    : writer_(std::make_unique<Writer>(scenario, result, options)) {}

LadderPrinter::~LadderPrinter() = default;

std::string LadderPrinter::header(const std::string& note) const { return writer_->header(note); }

std::string LadderPrinter::event_line(std::size_t index) const {
  return writer_->event_line(index);
}

std::string LadderPrinter::footer() const { return writer_->footer(); }

std::string format_ladder(const Scenario& scenario, const RunResult& result,
                          const LadderOptions& options) {
  const LadderPrinter printer(scenario, result, options);
  std::string out = printer.header({});
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    out += printer.event_line(index);
  }
  return out + printer.footer();
}

}  // namespace tcpsim::runner
