#include "runner/sweep.hpp"

#include <algorithm>
#include <limits>

#include "runner/expectations.hpp"
#include "runner/json_source.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

namespace {

// A decimal integer by the command line's rule: digits only, no leading zeros, at most `max`.
bool parse_decimal(std::string_view text, std::uint64_t max, std::uint64_t& value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  if (text.size() > 1 && text[0] == '0') return false;
  value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

std::string json_string(std::string_view text) {
  return json::quote(text, std::numeric_limits<std::size_t>::max());
}

}  // namespace

std::optional<SeedRange> parse_seed_range(std::string_view text, std::string& error) {
  const std::size_t dots = text.find("..");
  SeedRange range;
  if (dots == std::string_view::npos ||
      !parse_decimal(text.substr(0, dots), u64_max, range.first) ||
      !parse_decimal(text.substr(dots + 2), u64_max, range.last)) {
    error = "expected FIRST..LAST, two decimal seeds (e.g. 1..10000)";
    return std::nullopt;
  }
  if (range.first > range.last) {
    error = "FIRST is greater than LAST";
    return std::nullopt;
  }
  return range;
}

std::optional<Shard> parse_shard(std::string_view text,
                                 const std::function<const char*(const char*)>& environment,
                                 std::string& error) {
  const auto variable = [&](const char* name, std::uint64_t& value, bool required) {
    const char* found = environment(name);
    if (found == nullptr) {
      if (required) error = std::string("--shard: ") + name + " is not set";
      return !required;
    }
    if (!parse_decimal(found, u64_max, value)) {
      error = std::string("--shard: ") + name + " is not a decimal integer: \"" +
              std::string(found).substr(0, 40) + "\"";
      return false;
    }
    return true;
  };
  Shard shard;
  if (text == "slurm") {
    // A job array (sbatch --array=FIRST-LAST): the task's id counts from the array's first.
    std::uint64_t id = 0;
    std::uint64_t first = 0;
    if (!variable("SLURM_ARRAY_TASK_ID", id, true) ||
        !variable("SLURM_ARRAY_TASK_COUNT", shard.count, true) ||
        !variable("SLURM_ARRAY_TASK_MIN", first, false)) {
      return std::nullopt;
    }
    // A stepped array (--array=0-9:2) has ids that are not consecutive: shards would be lost.
    std::uint64_t step = 1;
    if (!variable("SLURM_ARRAY_TASK_STEP", step, false)) return std::nullopt;
    if (step != 1) {
      error = "--shard slurm: SLURM_ARRAY_TASK_STEP is " + std::to_string(step) +
              "; use an array without a step (--array=0-9)";
      return std::nullopt;
    }
    if (id < first) {
      error = "--shard slurm: SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN";
      return std::nullopt;
    }
    shard.index = id - first;
  } else {
    const std::size_t slash = text.find('/');
    const std::string_view index = text.substr(0, slash);
    if (slash == std::string_view::npos ||
        !parse_decimal(text.substr(slash + 1), u64_max, shard.count)) {
      error = "--shard: expected I/N (0 <= I < N), slurm or kubernetes/N, got \"" +
              std::string(text.substr(0, 40)) + "\"";
      return std::nullopt;
    }
    if (index == "kubernetes") {
      if (!variable("JOB_COMPLETION_INDEX", shard.index, true)) return std::nullopt;
    } else if (!parse_decimal(index, u64_max, shard.index)) {
      error = "--shard: expected I/N (0 <= I < N), slurm or kubernetes/N, got \"" +
              std::string(text.substr(0, 40)) + "\"";
      return std::nullopt;
    }
  }
  if (shard.count == 0 || shard.index >= shard.count) {
    error = "--shard: the index " + std::to_string(shard.index) +
            " is not below the shard count " + std::to_string(shard.count);
    return std::nullopt;
  }
  return shard;
}

void apply_knob_settings(Scenario& scenario, const std::vector<KnobSetting>& settings) {
  for (const auto& [name, value] : settings) {
    const tcp::Knob* knob = tcp::find_knob(name);
    if (knob == nullptr) continue;  // the command line checked the names
    for (HostSpec& host : scenario.hosts) knob->set(host.tcp, value);
    for (std::vector<Action>* actions : {&scenario.timeline, &scenario.reactions}) {
      for (Action& action : *actions) {
        const bool own_tcp =
            action.kind == ActionKind::listen || action.kind == ActionKind::connect;
        if (own_tcp && action.tcp) knob->set(*action.tcp, value);
      }
    }
  }
}

std::vector<std::vector<KnobSetting>> parameter_combinations(
    const std::vector<SweepParameter>& parameters) {
  std::vector<std::vector<KnobSetting>> combinations(1);
  for (const SweepParameter& parameter : parameters) {
    std::vector<std::vector<KnobSetting>> next;
    for (const auto& combination : combinations) {
      for (const tcp::KnobValue& value : parameter.values) {
        next.push_back(combination);
        next.back().emplace_back(parameter.knob, value);
      }
    }
    combinations = std::move(next);
  }
  return combinations;
}

std::vector<SweepCase> sweep_cases(std::size_t variants, const SeedRange& seeds,
                                   const Shard& shard) {
  std::vector<SweepCase> cases;
  std::uint64_t number = 0;
  for (std::size_t variant = 0; variant < variants; ++variant) {
    for (std::uint64_t seed = seeds.first;; ++seed) {
      if (number++ % shard.count == shard.index) cases.push_back({variant, seed});
      if (seed == seeds.last) break;
    }
  }
  return cases;
}

SweepOutcome run_sweep_case(const SweepVariant& variant, std::uint64_t seed,
                            std::optional<std::uint64_t> memory_budget) {
  const Scenario& scenario = variant.scenario;
  RunOptions options;
  options.seed = seed;
  options.memory_budget = memory_budget;
  options.keep_trace = false;
  options.keep_payloads = false;
  options.keep_app_data = false;
  ExpectationChecker checker(scenario);
  options.trace_sinks.push_back(&checker);
  const RunResult result = run_scenario(scenario, options);
  SweepOutcome outcome;
  std::string failure = "null";
  if (result.error) {
    outcome.error = true;
    outcome.first_failure = *result.error;
    failure = "{\"at\":null,\"where\":null,\"message\":" + json_string(*result.error) + "}";
  } else {
    const std::vector<ExpectationFailure> failures = checker.finish(result);
    outcome.passed = failures.empty();
    if (!failures.empty()) {
      const ExpectationFailure& first = failures.front();
      outcome.first_failure = first.where.json_path + ": " + first.message;
      failure = "{\"at\":" + json_string(first.where.json_path) +
                ",\"where\":" + json_string(first.where.position()) +
                ",\"message\":" + json_string(first.message) + "}";
    }
  }
  std::string& line = outcome.line;
  line = "{\"scenario\":" + json_string(scenario.name) + ",\"hash\":" + json_string(variant.hash) +
         ",\"seed\":" + std::to_string(result.seed) + ",\"parameters\":{";
  for (std::size_t index = 0; index < variant.settings.size(); ++index) {
    const auto& [name, value] = variant.settings[index];
    const tcp::Knob* knob = tcp::find_knob(name);
    line += (index ? "," : "") + json_string(name) + ":" +
            json_string(knob != nullptr ? tcp::knob_value_text(*knob, value) : "");
  }
  line += std::string("},\"result\":") +
          (outcome.error ? "\"error\"" : outcome.passed ? "\"pass\"" : "\"fail\"") +
          ",\"failure\":" + failure + ",\"end_time_ns\":" + std::to_string(result.end_time) +
          ",\"events\":" + std::to_string(result.events_executed) + ",\"counters\":{";
  bool first = true;
  for (const auto& [name, value] : result.counters) {
    line += (first ? "" : ",") + json_string(name) + ":" + std::to_string(value);
    first = false;
  }
  line += "}}";
  return outcome;
}

void sort_sweep_lines(std::vector<std::string>& lines) {
  std::sort(lines.begin(), lines.end());  // bytewise: LC_ALL=C sort's order
}

}  // namespace tcpsim::runner
