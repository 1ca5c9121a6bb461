// tcpsim_trace FILE: the scenario's JSON Lines trace on stdout, the bytes `tcpsim run FILE
// --format jsonl` writes, made by the runner alone (no views, no packetdrill, no command line).
// scripts/check-builds builds it, rather than tcpsim, with each other compiler and optimisation
// level: the trace is the runner's, and this builds in half of tcpsim's time. It checks that
// the two agree in the reference build first.
// Exit: 0 every expectation held, 1 one failed (as tcpsim run), 2 bad input or a run error.
#include <iostream>
#include <string>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

int main(int argc, char** argv) {
  using namespace tcpsim::runner;
  if (argc != 2) {
    std::cerr << "usage: tcpsim_trace SCENARIO.json\n";
    return 2;
  }
  const std::string file = argv[1];
  Scenario scenario;
  try {
    scenario = load_scenario_file(file);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }
  // As command_run streams a --format jsonl run with no view: nothing kept, the lines written
  // and the expectations checked as the events come.
  RunOptions options;
  options.keep_trace = false;
  options.keep_payloads = false;
  options.keep_app_data = false;
  JsonlWriter jsonl(scenario, {&std::cout});
  ExpectationChecker checker(scenario);
  options.trace_sinks.push_back(&jsonl);
  options.trace_sinks.push_back(&checker);
  const RunResult result = run_scenario(scenario, options);
  if (result.error) {
    std::cout.flush();
    std::cerr << file << ": error: " << *result.error << " (seed " << result.seed << ")\n";
    return 2;
  }
  jsonl.finish(result);
  const auto failures = checker.finish(result);
  for (const auto& failure : failures) {
    std::cerr << failure.where.position() << ": at " << failure.where.json_path << ": "
              << failure.message << "\n";
  }
  return failures.empty() ? 0 : 1;
}
