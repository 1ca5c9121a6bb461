// The ladder diagram for the terminal: one line per event, the first host on the left, the
// second on the right, segments as arrows between them, and on each line the reason for what
// happened (the rule cited by TCP, or the fault rule or random model that acted on the link).
#include "views/ladder.hpp"

#include <algorithm>
#include <sstream>

#include "runner/text_wrap.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::ConnectionNames;
using runner::HostSpec;
using runner::RunResult;
using runner::Scenario;
using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

constexpr std::size_t time_width = 12;
constexpr std::size_t side_width = 30;
constexpr std::size_t middle_width = 46;

std::string format_seconds(Time time) { return text::seconds(time, text::Decimals::six); }

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  else text += ' ';
  return text;
}

// Word-wraps text to lines of at most `width` characters (a longer word gets its own line), as
// the command line's listings wrap (runner/text_wrap.hpp).
std::string wrap(const std::string& text, std::size_t width) {
  std::ostringstream out;
  runner::write_wrapped(out, text, width, "");
  return out.str();
}

}  // namespace

class LadderPrinter::Writer {
 public:
  Writer(const Scenario& scenario, const RunResult& result, const LadderOptions& options)
      : scenario_(scenario), result_(result), options_(options), names_(result) {}

  std::string header(const std::string& note) const {
    std::string out;
    out += "tcpsim: " + text::visible(scenario_.name) + " (seed " + std::to_string(result_.seed) +
           ")\n";
    out += wrap(text::visible(scenario_.description), 100) + "\n";
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
      if (record.failed_listen) out += " (listen failed: no listener was made)";
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
    if (host.scripted) out += " [scripted: no TCP]";
    return out;
  }

  std::string label(const TraceSegment& segment) const {
    text::SegmentLabelStyle style;
    style.absolute_seq = options_.absolute_seq;
    const std::string options = text::options_text(segment, options_.absolute_seq);
    return text::segment_label(segment, style) + (options.empty() ? "" : " " + options);
  }

  // An arrow across the middle column, pointing right (from the left host) or left.
  static std::string arrow(const std::string& text, bool rightwards) {
    std::string body = text;
    if (body.size() + 4 > middle_width) return rightwards ? body + " -->" : "<-- " + body;
    const std::size_t fill = middle_width - 2 - body.size() - 1;
    return rightwards ? body + " " + std::string(fill, '-') + ">"
                      : "<" + std::string(fill, '-') + " " + body;
  }

  // Every piece of text the trace or the scenario brings is shown through text::visible.
  std::string line(Time time, int host, const std::string& side_text, const std::string& middle,
                   const std::string& reason_text) const {
    const std::string shown_side = text::visible(side_text);
    const std::string reason = text::visible(reason_text);
    std::string left = host == 0 ? shown_side : std::string();
    std::string right = host == 1 ? shown_side : std::string();
    std::string out = pad(format_seconds(time), time_width) + pad(left, side_width) +
                      pad(text::visible(middle), middle_width) + right;
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
      case TraceKind::inject:
        // From the far side of the link from its destination, whatever its source address.
      {
        const std::string spoofed = text::spoofed_source(scenario_, event);
        return line(event.time, h, spoofed.empty() ? "! inject" : "! inject from " + spoofed,
                    arrow(label(event.segment), h == 0), event.text);
      }
      case TraceKind::deliver: {
        const std::string arrives = text::segment_number(event.segment) + " arrives";
        std::string middle = h == 1 ? std::string(middle_width - 1 - arrives.size() - 4, ' ') +
                                          arrives + " -->"
                                    : "<-- " + arrives;
        return line(event.time, h, "", middle, "");
      }
      case TraceKind::drop:
        return line(event.time, -1, "", "      X #" + std::to_string(event.segment.id) + " lost",
                    event.text);
      case TraceKind::expire:
        return line(event.time, -1, "",
                    "      X " + text::segment_number(event.segment) + " expires in the network",
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
        std::string app = who + "app: " + std::string(tcp::app_event_name(event.app_event));
        if (event.app_event == tcp::AppEventKind::data) {
          app += " " + std::to_string(event.data.size()) + " bytes " +
                 text::quoted_payload(event.data, 16);
        }
        // Routine events repeat the reason of the state change beside them; show why only for
        // the endings that need explaining.
        const bool explain = event.app_event == tcp::AppEventKind::timed_out ||
                             event.app_event == tcp::AppEventKind::reset ||
                             event.app_event == tcp::AppEventKind::refused ||
                             event.app_event == tcp::AppEventKind::connect_failed;
        return line(event.time, h, app, "", explain ? event.text : std::string());
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

}  // namespace tcpsim::views
