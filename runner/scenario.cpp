#include "runner/scenario.hpp"

#include <algorithm>

namespace tcpsim::runner {

std::string SourceLocation::position() const {
  // Errors about the file as a whole (it cannot be opened, it is too large) carry line 0; they
  // are printed at 1:1 so that every message has the same shape.
  return file + ":" + std::to_string(std::max(line, 1)) + ":" + std::to_string(std::max(column, 1));
}

bool Expectations::empty() const {
  return final_states.empty() && state_sequences.empty() && app_events.empty() &&
         !segments.has_value() && received.empty() && counts.empty() && never.empty();
}

}  // namespace tcpsim::runner
