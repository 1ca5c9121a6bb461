// `tcpsim explore` (docs/explore.md): a scenario run under random faults, seed after seed, its
// invariants checked (runner/invariants.hpp); the first run that breaks one is made concrete and
// shrunk to a plain scenario that `tcpsim run` replays with the same failure.
//
// 1. Random faults: the link's random model (sim/link.hpp, our own generator sim/random.hpp)
//    with each chosen fault switched on in both directions: loss, duplicate, reorder, and delay
//    (jitter). The scenario's own fault rules still come first.
// 2. Concrete: every segment the random model changed becomes a fault rule with a causal
//    selector, {"from", "flags", "length", "nth"}: "the 3rd ACK of length 0 from the client" is
//    dropped, delayed or duplicated. With the random model off, those rules replay the run
//    (checked: when they do not, the failure is reported unshrunk).
// 3. Shrinking, each step kept only when the run still breaks the same invariant on the same
//    subject: the fewest rules (removing chunks, then single rules), each rule's selector made
//    simpler (no length), the fewest bytes (sends removed, then halved), the shortest timeline
//    (actions that name no connection, and no action with an "id" an "on" may wait for,
//    removed; gaps between actions halved); repeated until nothing more goes. A bytes or
//    timeline step is kept only when the candidate also passes without the rules that cause
//    the failure (explore's, or every rule when the scenario's own are the fault), so that it
//    never becomes a scenario that fails on its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/invariants.hpp"
#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/sweep.hpp"

namespace tcpsim::runner {

enum class RandomFault : std::uint8_t { loss, duplicate, reorder, delay };
std::string_view random_fault_name(RandomFault fault);  // "loss", "duplicate", ...
std::optional<RandomFault> find_random_fault(std::string_view name);

struct ExploreOptions {
  SeedRange seeds;
  std::vector<RandomFault> faults{RandomFault::loss};
  std::vector<Invariant> invariants = all_invariants();
  // The random model's settings, in each direction (over sim::probability_denominator).
  std::uint64_t loss = 100'000'000;       // 10%
  std::uint64_t duplicate = 50'000'000;   // 5%
  std::uint64_t reorder = 50'000'000;     // 5%, held back reorder_delay
  Duration reorder_delay = 100 * millisecond;
  Duration jitter = 50 * millisecond;     // delay: uniform extra delay in [0, jitter]
  std::uint64_t shrink_runs = 5000;       // at most this many runs while shrinking
};

struct Exploration {
  std::uint64_t seeds_run = 0;
  // Seeds whose faults left the script unable to go on (RunResult::script_error: an inject
  // relative to a connection the faults kept from being synchronized): not judged, since what
  // the run would show is not the scenario's story. The first one's seed and error.
  std::uint64_t script_stopped = 0;
  std::uint64_t script_stopped_seed = 0;
  std::string script_stopped_error;
  bool found = false;
  std::uint64_t seed = 0;               // the first seed that broke an invariant
  Violation violation;                  // the failure shrunk: its first violation
  std::vector<Violation> violations;    // every violation of that seed's run
  bool reproduced = false;              // the concrete rules replayed the failure
  std::size_t rules_found = 0;          // concrete rules before shrinking
  std::uint64_t bytes_before = 0;       // bytes the timeline sends, before and after
  std::uint64_t bytes_after = 0;
  std::size_t actions_before = 0;
  std::size_t actions_after = 0;
  std::uint64_t shrink_runs = 0;
  Scenario shrunk;    // plain: the concrete rules kept, no random faults; its description
                      // says what it shows
  RunResult shrunk_run;  // its run (trace kept), for the ladder
  Violation shrunk_violation;  // the failure as the shrunk run shows it
};

// The scenario with the chosen random faults on (and its seed set).
Scenario with_random_faults(const Scenario& scenario, const ExploreOptions& options,
                            std::uint64_t seed);

// The run's random faults as concrete fault rules (appended to the scenario's own), and the
// random model switched off: a plain scenario.
Scenario concrete_scenario(const Scenario& random, const RunResult& run);

// A run as explore runs it: trace and application data kept.
RunResult explore_run(const Scenario& scenario);

// `progress(seed)` is called before each seed runs (nullptr: nothing).
Exploration explore(const Scenario& scenario, const ExploreOptions& options,
                    const std::function<void(std::uint64_t)>& progress = nullptr);

}  // namespace tcpsim::runner
