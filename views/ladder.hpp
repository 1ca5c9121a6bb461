// The ladder diagram for the terminal (`tcpsim run FILE`), whole or in pieces for views that
// print it event by event (realtime playback) or put text between its lines (narration): the
// header, one line per trace event (empty for the events the ladder does not show), the footer.
// format_ladder is exactly header() + every event_line() + footer().
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "runner/trace_format.hpp"

namespace tcpsim::views {

struct LadderOptions {
  bool timers = true;        // show timer set/cancel lines
  bool absolute_seq = false; // absolute sequence numbers instead of relative ones
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
  // Blank line, end of run, every connection's states.
  std::string footer() const;

 private:
  class Writer;
  std::unique_ptr<Writer> writer_;
};

}  // namespace tcpsim::views
