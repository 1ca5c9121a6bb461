// Seed sweeps (`tcpsim sweep`, docs/scale-out.md): every (scenario, parameter values, seed) runs
// once and gives one JSON line. The cases are numbered in one fixed order, a shard takes every
// case whose number is its index modulo the shard count, and the lines are sorted by their bytes:
// so the output is the same whatever the number of threads (app/, at the edge) and shards, and
// merging shards is concatenating them and sorting (LC_ALL=C sort).
//
// Each case is one single-threaded, deterministic run of its own Session; cases share only the
// loaded scenarios, read-only. Nothing in tcp/, sim/ or runner/ keeps mutable static state (the
// few function-local statics are const tables, built once, thread-safely), so cases may run on
// any number of threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/scenario.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::runner {

// FIRST..LAST, both included: two decimal integers (digits only, no sign, no leading zeros,
// at most 2^64-1), FIRST <= LAST. Anything else is an error: a typo must never run another range.
struct SeedRange {
  std::uint64_t first = 1;
  std::uint64_t last = 1;
  std::uint64_t count() const { return last - first + 1; }  // 0 for the whole 2^64 range
};
std::optional<SeedRange> parse_seed_range(std::string_view text, std::string& error);

// --shard: this process runs the cases whose number is `index` modulo `count`.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};
// "I/N" (0 <= I < N); "slurm": I = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (0 when unset),
// N = SLURM_ARRAY_TASK_COUNT (an array with SLURM_ARRAY_TASK_STEP other than 1 is refused);
// "kubernetes/N": I = JOB_COMPLETION_INDEX (an Indexed Job).
// `environment` reads a variable (nullptr: unset), so tests need not touch the real one.
std::optional<Shard> parse_shard(std::string_view text,
                                 const std::function<const char*(const char*)>& environment,
                                 std::string& error);

// One knob setting of --set, applied to every host's TCP and to every listen's and connect's
// own TCP, as if written in each "tcp" object after the profile (a knob's consequences for
// other knobs, such as time_wait from msl, are not recomputed).
using KnobSetting = std::pair<std::string, tcp::KnobValue>;
void apply_knob_settings(Scenario& scenario, const std::vector<KnobSetting>& settings);

// --set knob=v1,v2,...: the values of one knob, in the order given.
struct SweepParameter {
  std::string knob;
  std::vector<tcp::KnobValue> values;
};

// Every combination of the parameters' values, the first parameter varying slowest; one empty
// combination when there are none.
std::vector<std::vector<KnobSetting>> parameter_combinations(
    const std::vector<SweepParameter>& parameters);

// A scenario with one combination of parameter values applied.
struct SweepVariant {
  Scenario scenario;
  std::string hash;  // "fnv1a64:..." of the scenario file's bytes
  std::vector<KnobSetting> settings;
};

struct SweepCase {
  std::size_t variant = 0;  // index into the variants
  std::uint64_t seed = 0;
};

// The cases of this shard, numbered variant by variant, seeds in order within each.
std::vector<SweepCase> sweep_cases(std::size_t variants, const SeedRange& seeds,
                                   const Shard& shard);

struct SweepOutcome {
  std::string line;  // the JSON line, without its newline
  bool passed = false;
  bool error = false;  // the run could not finish (a budget ran out)
  std::string first_failure;  // "where: message", empty when it passed
};

// Runs one case (trace not kept) and checks the scenario's expectations. The line:
// {"scenario":NAME,"hash":"fnv1a64:...","seed":N,"parameters":{KNOB:VALUE,...},
//  "result":"pass"|"fail"|"error","failure":null|{"at":PATH,"where":"FILE:L:C","message":TEXT},
//  "end_time_ns":T,"events":N,"counters":{NAME:N,...}}
SweepOutcome run_sweep_case(const SweepVariant& variant, std::uint64_t seed,
                            std::optional<std::uint64_t> memory_budget = std::nullopt);

// The lines in output order: sorted by their bytes.
void sort_sweep_lines(std::vector<std::string>& lines);

}  // namespace tcpsim::runner
