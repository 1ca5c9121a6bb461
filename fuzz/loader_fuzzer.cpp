// Fuzz target for the scenario loader (runner/scenario_loader.hpp): any bytes either load or
// fail with a ScenarioError whose what() is one line "fuzz.json:LINE:COL: error: at $...";
// nothing else may escape, nothing may crash. A scenario that loads is also run (with a small
// event budget) and formatted, so the simulation is fuzzed with every valid shape the loader
// accepts. Seeds: scenarios/*.json and tests/bad-input/*.json (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"
#include "views/ladder.hpp"

namespace {

[[noreturn]] void violation(const char* what, std::string_view detail) {
  std::fprintf(stderr, "loader_fuzzer: invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

constexpr std::uint64_t run_event_budget = 20'000;
constexpr std::size_t run_max_send_bytes = 1 << 20;

}  // namespace

// libFuzzer calls this once before the first input (the replays of tests/cli.cmake do not: they
// load with the command line's limits).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  tcpsim::runner::set_pattern_byte_limit(16 * 1024 * 1024);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tcpsim::runner;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Scenario scenario;
  try {
    scenario = load_scenario_text(text, "fuzz.json");
  } catch (const ScenarioError& error) {
    const std::string_view what = error.what();
    if (what.rfind("fuzz.json:", 0) != 0) violation("error does not begin with the file name", what);
    if (what.find(": error: at $") == std::string_view::npos) violation("error has no ': error: at $'", what);
    if (what.find('\n') != std::string_view::npos) violation("error is more than one line", what);
    return 0;
  }
  // It loaded: run it, bounded, and format what the CLI would print.
  std::size_t send_bytes = 0;
  for (const Action& action : scenario.timeline) send_bytes += action.data.size();
  if (send_bytes > run_max_send_bytes) return 0;
  if (scenario.event_budget > run_event_budget) scenario.event_budget = run_event_budget;
  const RunResult result = run_scenario(scenario);
  // docs/design.md, "Time": time never runs backwards, and no deadline is in the past or at
  // never (even when the event budget ran out).
  tcpsim::Time previous = 0;
  for (const TraceEvent& event : result.trace) {
    if (event.time < previous || event.time == tcpsim::time_never) {
      violation("trace time out of order or at never", trace_kind_name(event.kind));
    }
    previous = event.time;
    const bool has_deadline = event.kind == TraceKind::timer_set ||
                              event.kind == TraceKind::delay || event.kind == TraceKind::duplicate;
    if (has_deadline && (event.deadline < event.time || event.deadline == tcpsim::time_never)) {
      violation("deadline in the past or at never", trace_kind_name(event.kind));
    }
  }
  if (result.error) return 0;
  const std::string jsonl = format_jsonl(scenario, result);
  if (jsonl.find("\"hash\":\"fnv1a64:") == std::string::npos) violation("trace has no hash", jsonl);
  (void)tcpsim::views::format_ladder(scenario, result, tcpsim::views::LadderOptions{});
  (void)tcpsim::views::format_ladder(scenario, result, tcpsim::views::LadderOptions{false, true});
  (void)check_expectations(scenario, result);
  return 0;
}
