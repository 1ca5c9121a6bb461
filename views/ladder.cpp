// The ladder diagram for the terminal: one line per event, the first host on the left, the
// second on the right, segments as arrows between them, and beside each event the reason for
// what happened (the rule cited by TCP, the fault rule or random model that acted on the link,
// what the receiver made of a segment). It fits the width it is given: a reason that does not
// fit beside its event goes on the row below, and long text wraps.
#include "views/ladder.hpp"

#include <algorithm>
#include <vector>

#include "views/lost_bursts.hpp"
#include "views/segment_reasons.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::HostSpec;
using runner::RunResult;
using runner::Scenario;
using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// What a piece of text is, for its colour on a terminal.
enum class Tone : std::uint8_t {
  plain, title, state, loss, held, reason, app, from_left, from_right, injected, summary
};

std::string_view sgr(Tone tone) {
  switch (tone) {
    case Tone::plain: return {};
    case Tone::title: return "1";
    case Tone::state: return "1";
    case Tone::loss: return "31";
    case Tone::held: return "33";
    case Tone::reason: return "2";
    case Tone::app: return "36";
    case Tone::from_left: return "34";
    case Tone::from_right: return "35";
    case Tone::injected: return "95";
    case Tone::summary: return "1";
  }
  return {};
}

std::string format_seconds(Time time) { return text::seconds(time, text::Decimals::six); }

// Text wrapped to `width` columns, one string per row.
std::vector<std::string> wrap_rows(const std::string& text, std::size_t width) {
  std::vector<std::string> rows;
  const std::string wrapped = text::wrap_text(text, "", std::max<std::size_t>(width, 12));
  std::size_t start = 0;
  while (start < wrapped.size()) {
    const std::size_t end = wrapped.find('\n', start);
    rows.push_back(wrapped.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (rows.empty()) rows.emplace_back();
  return rows;
}

}  // namespace

class LadderPrinter::Writer {
 public:
  Writer(const Scenario& scenario, const RunResult& result, const LadderOptions& options)
      : scenario_(scenario),
        result_(result),
        options_(options),
        language_(options.language),
        names_(result),
        story_(scenario, result),
        bursts_(result, story_) {
    width_ = std::max(options.width, min_ladder_width);
    Time last = result.end_time;
    for (const TraceEvent& event : result.trace) last = std::max(last, event.time);
    time_width_ = std::max<std::size_t>(format_seconds(last).size() + 2, 10);
    const std::size_t room = width_ - time_width_;
    // The middle takes three fifths, at most 64 columns: a wider terminal widens the sides,
    // where the events and their reasons are written.
    side_ = std::max(std::clamp<std::size_t>(room / 5, 10, 30), room > 64 ? (room - 64) / 2 : 0);
    middle_ = room - 2 * side_;
    middle_start_ = time_width_ + side_;
    right_start_ = middle_start_ + middle_;
  }

  std::size_t time_width() const { return time_width_; }

  std::string header(const std::string& note) const {
    std::string out;
    for (const std::string& row :
         wrap_rows(text::visible(fill(Term::title_with_seed, language_,
                                      {scenario_.name, std::to_string(result_.seed)})),
                   width_)) {
      out += paint(row, Tone::title) + "\n";
    }
    for (const std::string& row :
         wrap_rows(text::visible(scenario_description(scenario_, language_)), width_)) {
      out += row + "\n";
    }
    out += "\n";
    const auto lines = [&](const std::string& text) {
      if (text::display_width(text) <= width_) {
        out += text + "\n";
        return;
      }
      for (const std::string& row : wrap_rows(text, width_)) out += row + "\n";
    };
    lines(text::visible(host_summary(0) + "  <->  " + host_summary(1)));
    lines(std::string(
        term(options_.absolute_seq ? Term::seq_absolute : Term::seq_relative, language_)));
    if (!note.empty()) lines(note);
    out += "\n";
    std::vector<Piece> heads;
    heads.push_back({0, std::string(term(Term::time_column, language_)), Tone::plain});
    heads.push_back({time_width_, text::visible(host_display_name(scenario_.hosts[0])),
                     Tone::title});
    const std::string right = text::visible(host_display_name(scenario_.hosts[1]));
    heads.push_back({right_column(text::display_width(right)), right, Tone::title});
    out += render_row(heads);
    return out;
  }

  std::string event_line(std::size_t index) const {
    if (index >= result_.trace.size()) return {};
    return render(index, result_.trace[index]);
  }

  const LostBurst* lost_burst(std::size_t index) const {
    const LostBurst* burst = bursts_.of(index);
    return burst != nullptr && burst->last() == index ? burst : nullptr;
  }

  std::string footer() const {
    std::string out = "\n";
    out += render_row({{0, format_seconds(result_.end_time), Tone::plain},
                       {time_width_, std::string(term(Term::end_of_run, language_)), Tone::plain}});
    for (const auto& record : result_.connections) {
      std::string line = host_display_name(scenario_.hosts[static_cast<std::size_t>(record.host)]) +
                         " " + record.name + ": ";
      for (std::size_t index = 0; index < record.states.size(); ++index) {
        if (index > 0) line += " -> ";
        line += std::string(tcp::state_name(record.states[index]));
      }
      if (record.listener) line += term(Term::listener_mark, language_);
      if (record.failed_connect) line += term(Term::connect_failed_mark, language_);
      if (record.failed_listen) line += term(Term::listen_failed_mark, language_);
      if (record.lost_in_crash) line += term(Term::lost_in_crash_mark, language_);
      out += text::wrap_text(text::visible(line), "  ", width_);
    }
    // What each side believes: continued rows indented, like the records above it.
    const std::vector<std::string> summary =
        wrap_rows(text::visible(connection_summary(scenario_, result_, language_)), width_ - 2);
    for (std::size_t row = 0; row < summary.size(); ++row) {
      out += paint((row == 0 ? "" : "  ") + summary[row], Tone::summary) + "\n";
    }
    return out;
  }

 private:
  struct Piece {
    std::size_t column = 0;
    std::string text;
    Tone tone = Tone::plain;
  };
  using Row = std::vector<Piece>;

  std::string paint(const std::string& text, Tone tone) const {
    const std::string_view code = sgr(tone);
    if (!options_.colour || code.empty() || text.empty()) return text;
    return "\x1b[" + std::string(code) + "m" + text + "\x1b[0m";
  }

  // One row: each piece at its column (or one space after the piece before it).
  std::string render_row(const Row& row) const {
    std::string out;
    std::size_t at = 0;
    for (const Piece& piece : row) {
      std::string_view shown = piece.text;
      while (!shown.empty() && shown.back() == ' ') shown.remove_suffix(1);
      if (shown.empty()) continue;
      if (at < piece.column) {
        out.append(piece.column - at, ' ');
        at = piece.column;
      } else if (at > 0) {
        out += ' ';
        ++at;
      }
      out += paint(std::string(shown), piece.tone);
      at += text::display_width(shown);
    }
    return out + "\n";
  }

  std::string render_rows(Time time, std::vector<Row> rows) const {
    if (rows.empty()) return {};
    rows.front().insert(rows.front().begin(), Piece{0, format_seconds(time), Tone::plain});
    std::string out;
    for (const Row& row : rows) out += render_row(row);
    return out;
  }

  // Where the right host's text of this width starts: its column when it fits, else as far
  // right as it fits, never left of the middle.
  std::size_t right_column(std::size_t text_width) const {
    if (right_start_ + text_width <= width_) return right_start_;
    if (middle_start_ + text_width <= width_) return width_ - text_width;
    return middle_start_;
  }

  // Rows for text that starts at `column` (wrapped where it would pass the width), then the
  // reason: beside it when it fits, else on the rows below, from `reason_from` (ending at
  // `align_end` instead when that is not 0 and it takes one row).
  void place(std::vector<Row>& rows, std::size_t column, const std::string& text, Tone tone,
             const std::string& reason, std::size_t reason_from, std::size_t align_end) const {
    const std::string shown = text::visible(text);
    const std::size_t text_width = text::display_width(shown);
    const std::vector<std::string> text_rows = column + text_width <= width_
                                                   ? std::vector<std::string>{shown}
                                                   : wrap_rows(shown, width_ - column);
    for (const std::string& row : text_rows) rows.push_back({{column, row, tone}});
    if (reason.empty()) return;
    const std::string tagged = fill(Term::reason_tag, language_, {text::visible(reason)});
    const std::size_t tagged_width = text::display_width(tagged);
    const std::size_t last_end = column + text::display_width(text_rows.back());
    if (last_end + 3 + tagged_width <= width_) {
      rows.back().push_back({last_end + 3, tagged, Tone::reason});
      return;
    }
    const std::vector<std::string> reason_rows = wrap_rows(tagged, width_ - reason_from);
    const std::size_t single = text::display_width(reason_rows[0]);
    const std::size_t reason_column =
        align_end != 0 && reason_rows.size() == 1 && align_end >= reason_from + single
            ? align_end - single
            : reason_from;
    for (const std::string& row : reason_rows) {
      rows.push_back({{reason_column, row, Tone::reason}});
    }
  }

  // A host's event beside its lifeline.
  std::vector<Row> side_rows(const TraceEvent& event, const std::string& text,
                         const std::string& reason, Tone tone) const {
    std::vector<Row> rows;
    const int side = event.host == 1 ? 1 : 0;
    const std::string shown = text::visible(text);
    const std::size_t column =
        side == 0 ? time_width_ : right_column(text::display_width(shown));
    place(rows, column, shown, tone, reason, side == 0 ? time_width_ + 2 : middle_start_,
          side == 1 ? width_ : 0);
    return rows;
  }

  std::string host_summary(int index) const {
    const HostSpec& host = scenario_.hosts[static_cast<std::size_t>(index)];
    std::string out = host_display_name(host) + " " + tcp::address_to_string(host.address);
    for (const std::string& tag : host_tags(host, language_)) out += " [" + tag + "]";
    return out;
  }

  std::string label(const TraceSegment& segment, bool marks) const {
    text::SegmentLabelStyle style;
    style.absolute_seq = options_.absolute_seq;
    style.window = options_.window;
    style.no_flags = term(Term::no_flags, language_);
    style.retransmission = marks ? term(Term::retransmission_mark, language_) : "";
    style.injected = marks ? term(Term::injected_mark, language_) : "";
    // The options (RFC 7323, RFC 2018) compactly, as tcpdump prints them.
    const std::string options = text::options_text(segment, options_.absolute_seq);
    return text::segment_label(segment, style) + (options.empty() ? "" : " " + options);
  }

  // An arrow across the middle column, pointing right (from the left host) or left.
  std::string arrow(const std::string& body, bool rightwards) const {
    const std::size_t body_width = text::display_width(body);
    const std::size_t length = middle_ - 1;
    if (body_width + 4 > length) return rightwards ? body + " -->" : "<-- " + body;
    const std::size_t fill_length = length - 2 - body_width - 1;
    return rightwards ? body + " " + std::string(fill_length, '-') + ">"
                      : "<" + std::string(fill_length, '-') + " " + body;
  }

  // A segment's arrow, and its reasons under or beside it.
  std::vector<Row> segment_rows(const TraceEvent& event, Tone tone) const {
    const bool rightwards = event.host == 0;
    std::string body = label(event.segment, true);
    // The rule the core gave for the send, after its short word when the rule's text does not
    // say it already (the arrival says what it counted as).
    std::string reason;
    if (event.kind == TraceKind::send) {
      reason = rule_reason(event.rule, language_);
      const std::string word = send_rule_word(event.rule, language_);
      if (!word.empty() && reason.find(word) == std::string::npos) {
        reason = word + fill(Term::summary_separator, language_, {}) + reason;
      }
      if (options_.cwnd && event.has_congestion) {
        std::string window = "cwnd=" + std::to_string(event.cwnd);
        if (event.ssthresh != tcp::unlimited_window) {
          window += " ssthresh=" + std::to_string(event.ssthresh);
        }
        window += " flight=" + std::to_string(event.in_flight);
        reason = reason.empty() ? window : window + "; " + reason;
      }
    }
    std::string shown = arrow(text::visible(body), rightwards);
    if (text::display_width(shown) > width_ - time_width_) {
      // Too long even from the time column: the marks move to the reason.
      std::string marks;
      if (event.segment.retransmission) {
        marks = std::string(term(Term::retransmission_mark, language_));
      }
      if (event.segment.injected) marks += term(Term::injected_mark, language_);
      body = label(event.segment, false);
      shown = arrow(text::visible(body), rightwards);
      if (!marks.empty()) {
        std::size_t skip = 0;
        while (skip < marks.size() && marks[skip] == ' ') ++skip;
        reason = marks.substr(skip) + (reason.empty() ? "" : "; " + reason);
      }
    }
    const std::size_t shown_width = text::display_width(shown);
    std::size_t column = rightwards ? middle_start_
                                    : (right_start_ >= shown_width + 1 + time_width_
                                           ? right_start_ - 1 - shown_width
                                           : time_width_);
    if (column + shown_width > width_) {
      column = width_ > shown_width + time_width_ ? width_ - shown_width : time_width_;
    }
    std::vector<Row> rows;
    place(rows, column, shown, tone, reason, std::min(column, middle_start_) + 2, 0);
    return rows;
  }

  // A link event in the middle column.
  std::string middle_event(const TraceEvent& event, const std::string& text,
                           const std::string& reason, Tone tone) const {
    std::vector<Row> rows;
    place(rows, middle_start_ + 6, text, tone, reason, middle_start_ + 8, 0);
    return render_rows(event.time, std::move(rows));
  }

  std::string arrival_line(const TraceEvent& event, std::size_t index) const {
    const std::string arrives =
        fill(Term::arrives, language_, {text::segment_number(event.segment)});
    const bool at_right = event.host == 1;
    const std::string shown = at_right ? arrives + " -->" : "<-- " + arrives;
    const std::size_t shown_width = text::display_width(shown);
    const std::size_t column = at_right && right_start_ >= shown_width + 1 + middle_start_
                                   ? right_start_ - 1 - shown_width
                                   : middle_start_;
    std::vector<Row> rows;
    const SegmentReasons& reasons = story_.at(index);
    const std::string reason = reason_text(reasons, language_, "; ");
    place(rows, column, shown, Tone::plain, reason, middle_start_ + 2,
          at_right ? column + shown_width : 0);
    return render_rows(event.time, std::move(rows));
  }

  std::string action_text(const TraceEvent& event) const {
    const std::string host =
        event.host >= 0 && static_cast<std::size_t>(event.host) < scenario_.hosts.size()
            ? scenario_.hosts[static_cast<std::size_t>(event.host)].name
            : std::string();
    if (language_ == Language::english) return event.text;
    std::string words = event.kind == TraceKind::action_failed
                            ? failure_words(event.action, host, language_)
                            : action_words(event.action, host, language_);
    // A reactive action's trigger, which the trace appends to the call (runner::Action "on").
    const std::string call = runner::action_text(event.action, host);
    if (event.text.size() > call.size() && event.text.compare(0, call.size(), call) == 0) {
      std::string rest = event.text.substr(call.size());
      const std::string_view reacting = " (reacting to ";
      if (rest.compare(0, reacting.size(), reacting) == 0 && rest.back() == ')') {
        rest = fill(Term::reacting_to, language_,
                    {rest.substr(reacting.size(), rest.size() - reacting.size() - 1)});
      }
      words += rest;
    }
    return words;
  }

  std::string timer_text(const std::string& who, const TraceEvent& event, Term what) const {
    const std::string timer(timer_word(event.timer, language_));
    if (what == Term::timer_until) {
      return who + fill(what, language_, {timer, format_seconds(event.deadline)});
    }
    return who + fill(what, language_, {timer});
  }

  std::string side_event(const TraceEvent& event, const std::string& text,
                         const std::string& reason, Tone tone) const {
    return render_rows(event.time, side_rows(event, text, reason, tone));
  }

  std::string render(std::size_t index, const TraceEvent& event) const {
    const std::string connection = names_.of(event);
    const std::string who = connection.empty() ? std::string() : "[" + connection + "] ";
    const std::string reason = rule_reason(event.rule, language_);
    const std::string link = link_cause_label(event.link_cause, language_);
    const std::string number = text::segment_number(event.segment);
    switch (event.kind) {
      case TraceKind::action:
        return side_event(event, "> " + action_text(event), "", Tone::plain);
      case TraceKind::action_failed:
        return side_event(event, "! " + action_text(event), "", Tone::loss);
      case TraceKind::send:
        return render_rows(event.time,
                           segment_rows(event,
                                        event.host == 0 ? Tone::from_left : Tone::from_right));
      case TraceKind::inject: {
        // From the far side of the link from its destination, whatever its source address:
        // the host's line saying so, then the arrow.
        const std::string spoofed = text::spoofed_source(scenario_, event);
        const std::string side =
            "! " + (spoofed.empty() ? std::string(term(Term::inject, language_))
                                    : fill(Term::inject_from, language_, {spoofed}));
        std::vector<Row> rows = side_rows(
            event, side, std::string(term(Term::injected_by_script, language_)), Tone::injected);
        for (Row& row : segment_rows(event, Tone::injected)) rows.push_back(row);
        return render_rows(event.time, std::move(rows));
      }
      case TraceKind::deliver:
        return arrival_line(event, index);
      case TraceKind::drop:
        // A lost burst (views/lost_bursts.hpp) is one line, at its last loss: its sends are
        // each on their own line above it.
        if (const LostBurst* burst = bursts_.of(index)) {
          if (burst->last() != index) return {};
          return middle_event(event, "X " + lost_burst_label(result_, *burst, language_), link,
                              Tone::loss);
        }
        return middle_event(event, "X " + fill(Term::lost, language_, {number}), link,
                            Tone::loss);
      case TraceKind::expire:
        return middle_event(event, "X " + fill(Term::expires_in_network, language_, {number}),
                            link, Tone::loss);
      case TraceKind::delay:
        return middle_event(event,
                            "~ " + fill(Term::held_until, language_,
                                        {"#" + std::to_string(event.segment.id),
                                         format_seconds(event.deadline)}),
                            link, Tone::held);
      case TraceKind::duplicate:
        return middle_event(event,
                            "+ " + fill(Term::copy_arrives, language_,
                                        {"#" + std::to_string(event.segment.id),
                                         format_seconds(event.deadline)}),
                            link, Tone::held);
      case TraceKind::discard:
        return side_event(event,
                          who + fill(Term::discards, language_,
                                     {event.segment.id != 0
                                          ? label(event.segment, true)
                                          : tcp::flags_to_string(event.segment.flags)}),
                          reason, Tone::loss);
      case TraceKind::state:
        return side_event(event, who + std::string(tcp::state_name(event.to)), reason,
                          Tone::state);
      case TraceKind::timer_set:
        if (!options_.timers) return {};
        return side_event(event, timer_text(who, event, Term::timer_until),
                          timer_rounding(event, language_), Tone::plain);
      case TraceKind::timer_cancel:
        if (!options_.timers) return {};
        return side_event(event, timer_text(who, event, Term::timer_off), "", Tone::plain);
      case TraceKind::timer_fire:
        return side_event(event, timer_text(who, event, Term::timer_fires), "", Tone::plain);
      case TraceKind::app: {
        std::string what(app_event_word(event.app_event, language_));
        if (event.app_event == tcp::AppEventKind::data) {
          what += " " + fill(Term::bytes, language_, {std::to_string(event.data.size())}) + " " +
                  text::quoted_payload(event.data, 16);
        }
        const bool explain = app_event_needs_reason(event.app_event);
        return side_event(event, who + fill(Term::app_prefix, language_, {what}),
                          explain ? reason : std::string(), Tone::app);
      }
      case TraceKind::open:
        return {};
      case TraceKind::free:
        if (event.text.empty()) return {};
        return side_event(event, who + std::string(term(Term::record_gone, language_)),
                          event.rule != tcp::Rule::none ? reason : event.text, Tone::plain);
    }
    return {};
  }

  const Scenario& scenario_;
  const RunResult& result_;
  const LadderOptions options_;  // a copy: it is small, and callers may pass a temporary
  const Language language_;
  const runner::ConnectionNames names_;
  const SegmentStory story_;
  const LostBursts bursts_;
  std::size_t width_ = default_ladder_width;
  std::size_t time_width_ = 12;
  std::size_t side_ = 20;
  std::size_t middle_ = 40;
  std::size_t middle_start_ = 32;
  std::size_t right_start_ = 72;
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

std::size_t LadderPrinter::time_width() const { return writer_->time_width(); }

const LostBurst* LadderPrinter::lost_burst(std::size_t index) const {
  return writer_->lost_burst(index);
}

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
