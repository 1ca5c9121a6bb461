// What a run may hold: the memory budget stops a run that outgrows it, a streamed trace gives
// the same bytes as a held one and holds little, and the indexed expectation checks report
// what a scan of every rule would (docs/performance.md, "Memory").
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/memory_budget.hpp"
#include "runner/output_file.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

namespace runner_memory_tests {

namespace fs = std::filesystem;
using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

// The receiver never reads; the sender probes the zero window for as long as the run goes on.
std::string probing_scenario(const std::string& extra = "") {
  return R"({"tcpsim": 1, "name": "never-reading", "description": "Probes forever.",)" + extra +
         R"(
  "hosts": [{"name": "client"}, {"name": "server", "tcp": {"receive_buffer": 1000}}],
  "timeline": [
    {"at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web", "read": "manual"},
    {"at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
    {"at": "300ms", "host": "client", "action": "send", "connection": "c1", "bytes": 200000}]})";
}

// Counts what is written to it and keeps nothing.
class CountingBuffer : public std::streambuf {
 public:
  std::uint64_t count = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize size) override {
    count += static_cast<std::uint64_t>(size);
    return size;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) ++count;
    return c;
  }
};

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const char* directory : {"scenarios", "tests/views/scenarios", "tests/pcap/scenarios"}) {
    const fs::path path = fs::path(TCPSIM_SOURCE_DIR) / directory;
    if (!fs::is_directory(path)) continue;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("memory sizes: bytes or a binary unit, within the budget's range") {
  std::string error;
  CHECK(parse_memory_size("512MiB", error) == std::optional<std::uint64_t>(512 * mebibyte));
  CHECK(parse_memory_size("4GiB", error) == std::optional<std::uint64_t>(4 * gibibyte));
  CHECK(parse_memory_size("1048576", error) == std::optional<std::uint64_t>(mebibyte));
  CHECK(parse_memory_size("2048KiB", error) == std::optional<std::uint64_t>(2 * mebibyte));
  CHECK(parse_memory_size("1TiB", error) == std::optional<std::uint64_t>(tebibyte));
  CHECK_FALSE(parse_memory_size("1KiB", error));
  CHECK(error == R"(a memory budget is 1 MiB to 1 TiB, got "1KiB")");
  CHECK_FALSE(parse_memory_size("99999999999999999999999GiB", error));
  CHECK(error == R"(a memory budget is 1 MiB to 1 TiB, got "99999999999999999999999GiB")");
  CHECK_FALSE(parse_memory_size("4GB", error));
  CHECK(error == R"(size "4GB" has unknown unit "GB" (units: B, KiB, MiB, GiB, TiB))");
  CHECK_FALSE(parse_memory_size("4 GiB", error));
  CHECK_FALSE(parse_memory_size("GiB", error));
  CHECK(error == R"(expected a size such as "512MiB", "4GiB" or a number of bytes, got "GiB")");
  CHECK_FALSE(parse_memory_size("01GiB", error));
  CHECK(format_memory_size(gibibyte) == "1 GiB");
  CHECK(format_memory_size(1536 * mebibyte) == "1536 MiB");
  CHECK(format_memory_size(1000) == "1000 bytes");
}

TEST_CASE("the scenario's memory_budget: a number of bytes or a size") {
  CHECK(load_scenario_text(probing_scenario(), "t.json").memory_budget == default_memory_budget);
  const auto budget_of = [](const std::string& extra) {
    return load_scenario_text(probing_scenario(extra), "t.json").memory_budget;
  };
  CHECK(budget_of(R"( "memory_budget": "2GiB",)") == 2 * gibibyte);
  CHECK(budget_of(R"( "memory_budget": 1048576,)") == mebibyte);
  const auto error_of = [](const std::string& extra) {
    try {
      load_scenario_text(probing_scenario(extra), "t.json");
    } catch (const ScenarioError& error) {
      return std::string(error.what());
    }
    return std::string("(loaded)");
  };
  CHECK(error_of(R"( "memory_budget": "1KiB",)") ==
        R"(t.json:1:91: error: at $.memory_budget: a memory budget is 1 MiB to 1 TiB, got "1KiB")");
  CHECK(error_of(R"( "memory_budget": 1000,)") ==
        "t.json:1:91: error: at $.memory_budget: expected an integer between 1048576 and "
        "1099511627776, got 1000");
  CHECK(error_of(R"( "memory_budget": true,)") ==
        "t.json:1:91: error: at $.memory_budget: expected a size such as \"4GiB\" or a number of "
        "bytes, got a boolean");
}

TEST_CASE("a run that outgrows its memory budget stops, naming the budget and how to raise it") {
  const Scenario scenario =
      load_scenario_text(probing_scenario(R"( "memory_budget": "1MiB",)"), "t.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE(result.error);
  INFO(*result.error);
  CHECK(result.error->rfind("memory budget of 1 MiB exceeded at ", 0) == 0);
  CHECK(result.error->find("raise \"memory_budget\" in the scenario or pass --memory-budget") !=
        std::string::npos);
  CHECK(result.memory_peak.total() > mebibyte);
  CHECK(result.memory_peak.trace > result.memory_peak.tcp);
  // The command line's budget overrides the scenario's.
  RunOptions options;
  options.memory_budget = 2 * mebibyte;
  const RunResult raised = run_scenario(scenario, options);
  REQUIRE(raised.error);
  CHECK(raised.error->rfind("memory budget of 2 MiB exceeded at ", 0) == 0);
  CHECK(raised.events_executed > result.events_executed);
}

TEST_CASE("a streamed trace holds little: the same run stops at the event budget instead") {
  Scenario scenario =
      load_scenario_text(probing_scenario(R"( "memory_budget": "1MiB",)"), "t.json");
  scenario.event_budget = 200'000;
  CountingBuffer counted;
  std::ostream out(&counted);
  JsonlWriter writer(scenario, {&out});
  ExpectationChecker checker(scenario);
  RunOptions options;
  options.keep_trace = false;
  options.keep_payloads = false;
  options.keep_app_data = false;
  options.trace_sinks = {&writer, &checker};
  const RunResult result = run_scenario(scenario, options);
  REQUIRE(result.error);
  CHECK(result.error->rfind("event budget of 200000 events exhausted", 0) == 0);
  CHECK(result.trace.empty());
  CHECK(result.memory_peak.total() < mebibyte);
  CHECK(counted.count > 10 * mebibyte);  // the trace went out as it happened
}

TEST_CASE("streamed and held traces give the same bytes and the same checks, per scenario") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 30);
  for (const std::string& file : files) {
    INFO(file);
    const Scenario scenario = load_scenario_file(file);
    const RunResult held = run_scenario(scenario);
    const std::string held_text = format_jsonl(scenario, held);
    const std::string golden = read_whole(golden_path_for(file));
    if (!golden.empty()) CHECK(held_text == golden);

    std::ostringstream streamed_text;
    JsonlWriter writer(scenario, {&streamed_text});
    ExpectationChecker checker(scenario);
    RunOptions options;
    options.keep_trace = false;
    options.keep_payloads = false;
    options.keep_app_data = false;
    options.trace_sinks = {&writer, &checker};
    const RunResult streamed = run_scenario(scenario, options);
    REQUIRE_FALSE(streamed.error);
    writer.finish(streamed);
    CHECK(streamed_text.str() == held_text);
    CHECK(streamed.trace.empty());

    const auto held_failures = check_expectations(scenario, held);
    const auto streamed_failures = checker.finish(streamed);
    REQUIRE(held_failures.size() == streamed_failures.size());
    for (std::size_t k = 0; k < held_failures.size(); ++k) {
      CHECK(held_failures[k].message == streamed_failures[k].message);
    }
  }
}

TEST_CASE("a file written atomically is there whole after commit, and not at all without") {
  const fs::path directory = fs::temp_directory_path() / "tcpsim-memory-tests";
  fs::create_directories(directory);
  const std::string path = (directory / "trace.jsonl").string();
  fs::remove(path);
  std::string error;
  {
    AtomicFile file(path);
    REQUIRE(file.open(error));
    file.stream() << "half";
    CHECK_FALSE(fs::exists(path));
  }  // not committed: a run that stopped
  CHECK_FALSE(fs::exists(path));
  CHECK(fs::is_empty(directory));  // no temporary file left either
  {
    AtomicFile file(path);
    REQUIRE(file.open(error));
    file.stream() << "whole\n";
    REQUIRE(file.commit(error));
  }
  CHECK(read_whole(path) == "whole\n");
  fs::remove_all(directory);
}

}  // namespace runner_memory_tests
