// Exact replay: the same scenario and seed give the same trace bytes, run after run, in any
// order, and a different seed is allowed to differ only where randomness is used.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

namespace runner_determinism_tests {

namespace fs = std::filesystem;
using namespace tcpsim::runner;

namespace {

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string trace_of(const std::string& file) {
  const Scenario scenario = load_scenario_file(file);
  return format_jsonl(scenario, run_scenario(scenario));
}

}  // namespace

TEST_CASE("every shipped scenario replays to identical trace bytes") {
  const auto files = shipped_scenarios();
  REQUIRE(files.size() >= 11);
  std::vector<std::string> first;
  for (const auto& file : files) first.push_back(trace_of(file));
  // Again, in reverse order: no state may leak from one run into the next.
  for (std::size_t index = files.size(); index-- > 0;) {
    INFO(files[index]);
    CHECK(trace_of(files[index]) == first[index]);
  }
}

TEST_CASE("the trace ends with a hash line over everything before it") {
  const std::string trace = trace_of(shipped_scenarios().front());
  const std::size_t last_line = trace.rfind('\n', trace.size() - 2);
  REQUIRE(last_line != std::string::npos);
  const std::string body = trace.substr(0, last_line + 1);
  char expected[32];
  std::snprintf(expected, sizeof expected, "fnv1a64:%016llx",
                static_cast<unsigned long long>(fnv1a64(body)));
  CHECK(trace.find(expected, last_line) != std::string::npos);
}

TEST_CASE("a timer_set names the deadline asked for when the timer wheel moved it, and only then") {
  // linux-syn-exponential-timeouts: the SYN's 1 s timer fires at 1.024 s on the linux
  // profile's wheel (docs/scenario-format.md, "What the trace records of connections").
  const std::string trace =
      trace_of(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/linux-syn-exponential-timeouts.json");
  CHECK(trace.find("{\"t\":0,\"ev\":\"timer_set\",\"host\":\"client\",\"conn\":\"c1\",\"timer\":"
                   "\"retransmission\",\"deadline\":1024000000,\"requested\":1000000000}\n") !=
        std::string::npos);
  // Over every shipped scenario: a timer_set of a host without the wheel never moves, one
  // with it always does (the wheel fires a timer after its next tick), and "requested" is
  // written exactly when the deadline differs from it.
  std::size_t moved = 0;
  for (const auto& file : shipped_scenarios()) {
    INFO(file);
    const Scenario scenario = load_scenario_file(file);
    const RunResult result = run_scenario(scenario);
    const std::string text = format_jsonl(scenario, result);
    // One line per event, after the run's header line.
    std::size_t line = 1;
    std::size_t at = text.find('\n') + 1;
    for (const TraceEvent& event : result.trace) {
      const std::size_t end = text.find('\n', at);
      const std::string jsonl = text.substr(at, end - at);
      at = end + 1;
      ++line;
      if (event.kind != TraceKind::timer_set) continue;
      INFO("line " << line << ": " << jsonl);
      const auto& host = scenario.hosts[static_cast<std::size_t>(event.host)];
      CHECK((event.rounded_by != 0) == (host.tcp.timer_wheel != tcpsim::tcp::TimerWheel::none));
      const std::string requested =
          ",\"requested\":" + std::to_string(event.deadline - event.rounded_by) + "}";
      if (event.rounded_by != 0) {
        ++moved;
        CHECK(jsonl.ends_with(requested));
      } else {
        CHECK(jsonl.find("\"requested\"") == std::string::npos);
      }
    }
  }
  CHECK(moved > 0);
}

TEST_CASE("a seed override changes the random ISNs and is reported in the trace") {
  const Scenario scenario =
      load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/two-way-handshake-stale-syn.json");
  RunOptions options;
  options.seed = 99;
  const RunResult seeded = run_scenario(scenario, options);
  const RunResult plain = run_scenario(scenario);
  CHECK(seeded.seed == 99);
  CHECK(plain.seed == scenario.seed);
  CHECK(format_jsonl(scenario, seeded) != format_jsonl(scenario, plain));
  // The story does not depend on the ISNs: the server still counts two connections.
  CHECK(seeded.counters.at("server.accepted") == 2);
}

}  // namespace runner_determinism_tests
