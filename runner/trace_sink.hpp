// A consumer of the trace while the run goes on: the JSON Lines writer (trace_format.hpp), the
// expectation checker (expectations.hpp). A run whose output needs only these streams its trace
// through them instead of keeping it (RunOptions::keep_trace), so its memory does not grow with
// the number of events.
#pragma once

#include <cstddef>

#include "runner/trace.hpp"

namespace tcpsim::runner {

struct RunResult;

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // Each event once, complete, in trace order. `run` is the result so far: the connection
  // records of every connection opened up to this event are in it.
  virtual void event(const TraceEvent& event, const RunResult& run) = 0;
  // Bytes the sink holds in memory, counted against the run's memory budget.
  virtual std::size_t held_bytes() const { return 0; }
};

}  // namespace tcpsim::runner
