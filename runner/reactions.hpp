// Reactive actions (Scenario::reactions, "on" instead of "at"): which of them a run's
// happenings arm. The simulation reports each application event, state change and run of an
// action with an "id"; ReactionWatch says which reactions that arms, each once, in file order.
// When an armed reaction runs is the simulation's: docs/scenario-format.md, "Reactive actions".
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

class ReactionWatch {
 public:
  explicit ReactionWatch(const Scenario& scenario);
  // The reactions that `record`'s application event, or its entering `state`, arms: appended
  // to `armed` in file order, and never armed again.
  void event(const ConnectionRecord& record, tcp::AppEventKind event,
             std::vector<std::size_t>& armed);
  void state(const ConnectionRecord& record, tcp::State state, std::vector<std::size_t>& armed);
  // Some reaction still waits for an event or a state (else event() and state() arm nothing).
  bool waiting() const { return unarmed_ > 0; }
  // The reactions waiting for the action with this id to run (it runs once).
  void action_ran(const std::string& id, std::vector<std::size_t>& armed) const;

 private:
  void happened(const ConnectionRecord& record, ActionTrigger::Kind kind, tcp::AppEventKind event,
                tcp::State state, std::vector<std::size_t>& armed);

  const Scenario& scenario_;
  // Not armed yet, waiting for an event or a state: by the connection name they watch, in file
  // order; and those waiting for an action, by its id. Looked up, never iterated.
  std::unordered_map<std::string, std::vector<std::size_t>> watching_;
  std::size_t unarmed_ = 0;
  std::unordered_map<std::string, std::vector<std::size_t>> chained_;
};

// One note per reactive action that never ran, saying why ("action \"x\" never ran: its
// trigger, end_of_stream on web#1, never happened"): not an error; "fired" can check it.
std::vector<std::string> reaction_notes(const Scenario& scenario, const RunResult& result);

}  // namespace tcpsim::runner
