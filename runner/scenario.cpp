#include "runner/scenario.hpp"

#include <algorithm>

#include "runner/vocabulary.hpp"

namespace tcpsim::runner {

std::string SourceLocation::position() const {
  // Errors about the file as a whole (it cannot be opened, it is too large) carry line 0; they
  // are printed at 1:1 so that every message has the same shape.
  return file + ":" + std::to_string(std::max(line, 1)) + ":" + std::to_string(std::max(column, 1));
}

std::string trigger_text(const ActionTrigger& trigger) {
  switch (trigger.kind) {
    case ActionTrigger::Kind::event:
      return std::string(tcp::app_event_name(trigger.event)) + " on " + trigger.connection;
    case ActionTrigger::Kind::state:
      return trigger.connection + " entering " + std::string(tcp::state_name(trigger.state));
    case ActionTrigger::Kind::action:
      break;
  }
  return "action \"" + trigger.action_id + "\"";
}

std::string reaction_name(const Action& action) {
  if (!action.id.empty()) return "action \"" + action.id + "\"";
  return "the " + std::string(action_name(action.kind)) + " at " + action.where.json_path;
}

std::string reaction_cause_text(const Action& action) {
  if (!action.on) return {};
  std::string text = "reacting to " + trigger_text(*action.on);
  if (action.after > 0) text += ", " + format_duration(action.after) + " later";
  return text;
}

bool Expectations::empty() const {
  return final_states.empty() && final_state_counts.empty() && state_sequences.empty() &&
         app_events.empty() &&
         !segments.has_value() && received.empty() && counts.empty() && never.empty() &&
         fired.empty() && invariants.empty();
}

}  // namespace tcpsim::runner
