// The ladder diagram for the terminal (`tcpsim run FILE`), whole or in pieces for views that
// print it event by event (realtime playback) or put text between its lines (narration): the
// header, one line per trace event (empty for the events the ladder does not show), the footer.
// format_ladder is exactly header() + every event_line() + footer().
//
// A single loss is one line, "X #7 lost   (rule 'lose-final-ack')". The losses of a lost burst
// (views/lost_bursts.hpp: one instant, one sender, one cause, the same reasons) are one line
// at the last of them, "X #13–#68 lost (56 segments)   (queue full)"; the others' lines are
// empty. Each segment's send keeps its own line.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "runner/trace_format.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

struct LostBurst;

// The ladder fits in `width` terminal columns (display width: a Chinese character takes two):
// the command line passes the terminal's width, or 100 when stdout is not a terminal. Below
// min_ladder_width the ladder is laid out for min_ladder_width.
inline constexpr std::size_t default_ladder_width = 100;
inline constexpr std::size_t min_ladder_width = 60;

struct LadderOptions {
  bool timers = true;        // show timer set/cancel lines
  bool absolute_seq = false; // absolute sequence numbers instead of relative ones
  bool window = true;        // win= on every segment; false: only a zero window (--no-window)
  // --cwnd: after a data or FIN segment's arrow, its sender's cwnd, ssthresh (once set) and
  // bytes in flight (the trace's congestion fields, tcp/congestion.hpp).
  bool cwnd = false;
  Language language = Language::english;
  std::size_t width = default_ladder_width;
  bool colour = false;       // ANSI colours (--color): states, losses, holds, reasons
};
std::string format_ladder(const runner::Scenario& scenario, const runner::RunResult& result,
                          const LadderOptions& options);

class LadderPrinter {
 public:
  // Keeps references: scenario, result and options must outlive the printer.
  LadderPrinter(const runner::Scenario& scenario, const runner::RunResult& result,
                const LadderOptions& options);
  ~LadderPrinter();
  LadderPrinter(const LadderPrinter&) = delete;
  LadderPrinter& operator=(const LadderPrinter&) = delete;

  // Title, description, hosts, numbering note, `note` (a line, when not empty: a view says what
  // it adds), blank line, column heads.
  std::string header(const std::string& note = {}) const;
  // The line(s) of result.trace[index], each ending in '\n'; "" when the ladder hides it.
  std::string event_line(std::size_t index) const;
  // Blank line, end of run, every connection's states, what each side believes.
  std::string footer() const;
  // The column the time takes, spaces included: narration lines are indented by it.
  std::size_t time_width() const;
  // The lost burst whose one line event_line(index) writes, nullptr for any other line.
  const LostBurst* lost_burst(std::size_t index) const;

 private:
  class Writer;
  std::unique_ptr<Writer> writer_;
};

}  // namespace tcpsim::views
