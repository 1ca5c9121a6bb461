// A loaded scenario written back as scenario JSON (docs/scenario-format.md) that the loader reads
// into the same run: `tcpsim explore` writes its shrunk scenario with it. Knobs are written where
// they differ from the host's profile (and an action's from its host's), durations exactly.
#pragma once

#include <optional>
#include <string>

#include "runner/scenario.hpp"

namespace tcpsim::runner {

// The JSON text, ending with a newline: every action the loader reads (timed, reactive, inject;
// a repeat's instances one by one). nullopt (and `error` says why) for expectations other than
// "final_states" and "never", which this writer does not write (explore keeps only those).
std::optional<std::string> write_scenario_json(const Scenario& scenario, std::string& error);

}  // namespace tcpsim::runner
