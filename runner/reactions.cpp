#include "runner/reactions.hpp"

#include <algorithm>

namespace tcpsim::runner {

ReactionWatch::ReactionWatch(const Scenario& scenario) : scenario_(scenario) {
  for (std::size_t index = 0; index < scenario.reactions.size(); ++index) {
    const ActionTrigger& trigger = *scenario.reactions[index].on;
    if (trigger.kind == ActionTrigger::Kind::action) {
      // By the id, not action_index: a timeline edited after loading (explore's shrinking
      // removes actions) keeps its ids but not its indices.
      chained_[trigger.action_id].push_back(index);
    } else {
      watching_[trigger.connection].push_back(index);
      ++unarmed_;
    }
  }
}

void ReactionWatch::event(const ConnectionRecord& record, tcp::AppEventKind event,
                          std::vector<std::size_t>& armed) {
  if (unarmed_ > 0) happened(record, ActionTrigger::Kind::event, event, tcp::State::closed, armed);
}

void ReactionWatch::state(const ConnectionRecord& record, tcp::State state,
                          std::vector<std::size_t>& armed) {
  if (unarmed_ > 0)
    happened(record, ActionTrigger::Kind::state, tcp::AppEventKind::connected, state, armed);
}

void ReactionWatch::action_ran(const std::string& id, std::vector<std::size_t>& armed) const {
  if (chained_.empty()) return;
  const auto found = chained_.find(id);
  if (found != chained_.end()) armed.insert(armed.end(), found->second.begin(), found->second.end());
}

// A trigger names the connection by either of its names (its own, or "<host>/<k>").
void ReactionWatch::happened(const ConnectionRecord& record, ActionTrigger::Kind kind,
                             tcp::AppEventKind event, tcp::State state,
                             std::vector<std::size_t>& armed) {
  const std::size_t first = armed.size();
  for (const std::string* name : {&record.name, &record.default_name}) {
    if (name->empty() || (name == &record.default_name && *name == record.name)) continue;
    const auto found = watching_.find(*name);
    if (found == watching_.end()) continue;
    std::vector<std::size_t>& waiting = found->second;
    for (std::size_t position = 0; position < waiting.size();) {
      const ActionTrigger& trigger = *scenario_.reactions[waiting[position]].on;
      const bool matches = trigger.kind == kind && (kind == ActionTrigger::Kind::event
                                                        ? trigger.event == event
                                                        : trigger.state == state);
      if (!matches) {
        ++position;
        continue;
      }
      armed.push_back(waiting[position]);
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(position));
    }
  }
  std::sort(armed.begin() + static_cast<std::ptrdiff_t>(first), armed.end());
  unarmed_ -= armed.size() - first;
}

std::vector<std::string> reaction_notes(const Scenario& scenario, const RunResult& result) {
  std::vector<std::string> notes;
  for (std::size_t index = 0; index < scenario.reactions.size(); ++index) {
    const ReactionRecord record =
        index < result.reactions.size() ? result.reactions[index] : ReactionRecord{};
    if (record.ran != time_never) continue;
    const Action& action = scenario.reactions[index];
    std::string note = reaction_name(action) + " never ran: ";
    if (record.triggered == time_never && action.on->kind == ActionTrigger::Kind::action) {
      note += "it waits for " + trigger_text(*action.on) + ", which never ran";
    } else if (record.triggered == time_never) {
      note += "its trigger, " + trigger_text(*action.on) + ", never happened";
    } else {
      note += "its trigger came at " + format_duration(record.triggered) +
              ", and the run ended before its \"after\" of " + format_duration(action.after) +
              " had passed";
    }
    notes.push_back(std::move(note));
  }
  return notes;
}

}  // namespace tcpsim::runner
