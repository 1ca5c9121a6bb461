// The end-of-run summary of `tcpsim run --format summary`: a few lines about the whole run, no
// per-event output, so that a run of a million connections prints as much as a run of one.
#pragma once

#include <string>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

// "run: <name>, seed S, ended at T of virtual time", the events run and segments sent, then per
// host its connections by final state (listeners and failed opens counted apart), and the
// counters when the run was recorded (an unrecorded run keeps none). Deterministic: states in
// the enum's order, counters sorted by name.
std::string format_run_summary(const Scenario& scenario, const RunResult& result);

}  // namespace tcpsim::runner
