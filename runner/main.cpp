// tcpsim's command line: run one scenario and show it, check a suite of scenarios against their
// expectations and golden traces, validate scenario files, list the shipped scenarios.
// Exit codes: 0 success, 1 an expectation or golden trace failed, 2 bad input or usage.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/teaching.hpp"
#include "runner/trace_format.hpp"

#ifndef TCPSIM_SCENARIO_DIR
#define TCPSIM_SCENARIO_DIR "scenarios"
#endif

namespace fs = std::filesystem;
using namespace tcpsim::runner;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_bad_input = 2;

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void print_failures(std::ostream& out, const std::vector<ExpectationFailure>& failures,
                    const std::string& indent) {
  for (const auto& failure : failures) {
    out << indent << failure.where.position() << ": at " << failure.where.json_path << ": "
        << failure.message << "\n";
  }
}

// Scenario files under each path (a file, or a directory searched recursively), sorted so the
// order never depends on the file system.
bool collect_scenarios(const std::vector<std::string>& paths, std::vector<std::string>& files) {
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, error);
           !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_regular_file() && it->path().extension() == ".json") {
          found.push_back(it->path().generic_string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  return true;
}

struct RunCommand {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string format = "text";
  std::string trace_file;
  bool no_timers = false;
  bool absolute = false;
};

int command_run(const RunCommand& options) {
  Scenario scenario;
  try {
    scenario = load_scenario_file(options.file);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return exit_bad_input;
  }
  RunOptions run_options;
  run_options.seed = options.seed;
  const RunResult result = run_scenario(scenario, run_options);
  if (result.error) {
    std::cerr << options.file << ": error: " << *result.error << " (seed " << result.seed
              << ")\n";
    return exit_bad_input;
  }
  const std::string jsonl = format_jsonl(scenario, result);
  if (!options.trace_file.empty()) {
    std::string error;
    if (!write_file_atomically(options.trace_file, jsonl, error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  const auto failures = check_expectations(scenario, result);
  if (options.format == "jsonl") {
    std::cout << jsonl;
  } else {
    LadderOptions ladder;
    ladder.timers = !options.no_timers;
    ladder.absolute_seq = options.absolute || scenario_uses_fixed_isns(scenario);
    std::cout << format_ladder(scenario, result, ladder);
    const std::size_t total = count_expectations(scenario.expect);
    if (failures.empty()) {
      std::cout << "\nexpectations: " << total << " of " << total << " met\n";
    }
  }
  if (!failures.empty()) {
    std::cerr << "\nexpectations: " << failures.size() << " failed (seed " << result.seed
              << ")\n";
    print_failures(std::cerr, failures, "  ");
    return exit_failed;
  }
  return exit_ok;
}

int command_check(const std::vector<std::string>& paths, bool update) {
  std::vector<std::string> files;
  collect_scenarios(paths, files);
  int passed = 0;
  int failed = 0;
  bool bad_input = false;
  for (const auto& file : files) {
    Scenario scenario;
    try {
      scenario = load_scenario_file(file);
    } catch (const ScenarioError& error) {
      std::cout << "FAIL " << file << "\n  " << error.what() << "\n";
      ++failed;
      bad_input = true;
      continue;
    }
    const RunResult result = run_scenario(scenario);
    if (result.error) {
      std::cout << "FAIL " << scenario.name << " (" << file << ", seed " << result.seed
                << ")\n  error: " << *result.error << "\n";
      ++failed;
      bad_input = true;
      continue;
    }
    const std::string jsonl = format_jsonl(scenario, result);
    std::vector<std::string> problems;
    const auto failures = check_expectations(scenario, result);
    for (const auto& failure : failures) {
      problems.push_back(failure.where.position() + ": at " + failure.where.json_path + ": " +
                         failure.message);
    }
    if (count_expectations(scenario.expect) == 0) {
      problems.push_back(file + ": the scenario has no expectations; every scenario must check "
                                "what it shows");
    }
    const std::string golden = golden_path_for(file);
    std::string golden_note = "golden trace matches";
    if (update) {
      std::string error;
      if (!write_file_atomically(golden, jsonl, error)) problems.push_back(error);
      golden_note = "golden trace written";
    } else {
      bool ok = false;
      const std::string expected = read_file(golden, ok);
      if (!ok) {
        problems.push_back("no golden trace at " + golden + ": run `tcpsim check --update " +
                           file + "` and review it");
      } else if (auto difference = compare_traces(expected, jsonl)) {
        problems.push_back("golden trace " + golden + " differs: " + *difference);
      }
    }
    if (problems.empty()) {
      std::cout << "PASS " << scenario.name << " (" << count_expectations(scenario.expect)
                << " expectations, " << golden_note << ")\n";
      ++passed;
    } else {
      std::cout << "FAIL " << scenario.name << " (" << file << ", seed " << result.seed << ")\n";
      for (const auto& problem : problems) std::cout << "  " << problem << "\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  if (files.empty()) {
    std::cerr << "tcpsim check: no scenario files found\n";
    return exit_bad_input;
  }
  if (bad_input) return exit_bad_input;
  return failed > 0 ? exit_failed : exit_ok;
}

int command_validate(const std::vector<std::string>& files) {
  int status = exit_ok;
  for (const auto& file : files) {
    try {
      const Scenario scenario = load_scenario_file(file);
      std::cout << file << ": ok (" << scenario.name << ", "
                << count_expectations(scenario.expect) << " expectations)\n";
    } catch (const ScenarioError& error) {
      std::cerr << error.what() << "\n";
      status = exit_bad_input;
    }
  }
  return status;
}

// `list --teaching`: the catalogue of runner/teaching.cpp, each pair's scenarios from `directory`.
int command_list_teaching(const std::string& directory) {
  if (!write_teaching_catalogue(std::cout, directory)) {
    std::cerr << "tcpsim list --teaching: a scenario of the catalogue is missing from "
              << directory << "\n";
    return exit_failed;
  }
  return exit_ok;
}

int command_list(const std::string& directory) {
  std::vector<std::string> files;
  collect_scenarios({directory}, files);
  if (files.empty()) {
    std::cerr << "tcpsim list: no scenarios in " << directory << "\n";
    return exit_bad_input;
  }
  for (const auto& file : files) {
    try {
      const Scenario scenario = load_scenario_file(file);
      std::cout << scenario.name << "\n    " << file << "\n    "
                << scenario_summary(scenario.description) << "\n";
    } catch (const ScenarioError& error) {
      std::cout << file << "\n    (invalid: " << error.what() << ")\n";
    }
  }
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tcpsim: a deterministic TCP simulator. Scenarios replay exactly, byte for byte."};
  app.require_subcommand(1);

  RunCommand run_options;
  std::uint64_t seed = 0;
  auto* run = app.add_subcommand("run", "Run one scenario and show what happened");
  run->add_option("file", run_options.file, "Scenario file")->required();
  auto* seed_option = run->add_option("--seed", seed, "Override the scenario's seed");
  run->add_option("--format", run_options.format, "Output: text (ladder diagram) or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));
  run->add_option("--trace", run_options.trace_file, "Also write the JSON Lines trace to FILE");
  run->add_flag("--no-timers", run_options.no_timers, "Hide timer set/cancel lines");
  run->add_flag("--absolute", run_options.absolute, "Absolute sequence numbers in the ladder");

  std::vector<std::string> check_paths;
  bool update = false;
  auto* check = app.add_subcommand(
      "check", "Run scenarios, check their expectations and golden traces");
  check->add_option("paths", check_paths, "Scenario files or directories")->required();
  check->add_flag("--update", update, "Rewrite the golden traces instead of comparing");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check scenario files without running them");
  validate->add_option("files", validate_files, "Scenario files")->required();

  std::string list_directory = TCPSIM_SCENARIO_DIR;
  auto* list = app.add_subcommand("list", "List the shipped scenarios");
  list->add_option("directory", list_directory, "Directory of scenarios");
  bool list_teaching = false;
  list->add_flag("--teaching", list_teaching,
                 "The teaching catalogue: each mechanism, what it protects against, the knob "
                 "that turns it off, and the pair of scenarios with and without it");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return exit_bad_input;
  }

  if (*run) {
    if (*seed_option) run_options.seed = seed;
    return command_run(run_options);
  }
  if (*check) return command_check(check_paths, update);
  if (*validate) return command_validate(validate_files);
  if (*list) {
    return list_teaching ? command_list_teaching(list_directory) : command_list(list_directory);
  }
  return exit_bad_input;
}
