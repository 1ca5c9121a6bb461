#include "app/commands.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "runner/expectations.hpp"
#include "runner/output_file.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/reference.hpp"
#include "runner/simulation.hpp"
#include "runner/teaching.hpp"
#include "runner/transition_table.hpp"
#include "runner/trace_format.hpp"
#include "views/html.hpp"
#include "views/ladder.hpp"
#include "views/mermaid.hpp"
#include "views/narration.hpp"
#include "views/pcap.hpp"
#include "views/realtime.hpp"
#include "views/svg.hpp"

namespace tcpsim::app {

namespace fs = std::filesystem;
using namespace tcpsim::runner;

namespace {

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

// --svg and --html (views/svg.hpp, views/html.hpp). Sets `stdout_taken` when one goes to stdout.
int write_diagram_views(const RunCommand& options, const Scenario& scenario,
                        const RunResult& result, bool& stdout_taken) {
  tcpsim::views::SvgOptions svg;
  svg.absolute_seq = options.absolute;
  svg.timers = !options.no_timers;
  const std::pair<const std::string*, bool> views[] = {{&options.svg_file, false},
                                                       {&options.html_file, true}};
  for (const auto& [path, html] : views) {
    if (path->empty()) continue;
    tcpsim::views::HtmlOptions page;
    page.svg = svg;
    std::vector<std::string> sentences;
    if (html) {
      // The page narrates each step with the narration view, in the language of --lang.
      tcpsim::views::Language language = tcpsim::views::Language::english;
      tcpsim::views::parse_language(options.lang, language);
      sentences = tcpsim::views::narrate_run(scenario, result, language, {});
      page.narrator = [&sentences](std::size_t index) {
        return index < sentences.size() ? sentences[index] : std::string();
      };
    }
    const std::string content = html ? tcpsim::views::render_html(scenario, result, page)
                                     : tcpsim::views::render_svg(scenario, result, svg);
    std::string error;
    if (*path == "-") {
      std::cout << content;
      stdout_taken = true;
    } else if (!write_file_atomically(*path, content, error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  return exit_ok;
}

}  // namespace

int command_run(const RunCommand& options) {
  // The views' own arguments are checked before anything runs.
  tcpsim::views::PlaybackSpeed speed;
  if (options.realtime) {
    std::string error;
    if (!tcpsim::views::parse_speed(*options.realtime, speed, error)) {
      std::cerr << "tcpsim run: --realtime: " << error << "\n";
      return exit_bad_input;
    }
  }
  if ((options.realtime || options.explain) && options.format == "jsonl") {
    std::cerr << "tcpsim run: " << (options.explain ? "--explain" : "--realtime")
              << " shows the ladder; it cannot be combined with --format jsonl\n";
    return exit_bad_input;
  }
  Scenario scenario;
  try {
    scenario = load_scenario_file(options.file);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return exit_bad_input;
  }
  RunOptions run_options;
  run_options.seed = options.seed;
  run_options.memory_budget = options.memory_budget;
  // The JSON Lines trace is written as the run goes (--trace, and stdout when it is the only
  // output) and the expectations are checked as it goes; only the views keep the whole trace.
  const bool views = !options.pcap_file.empty() || !options.mermaid_file.empty() ||
                     !options.svg_file.empty() || !options.html_file.empty();
  const bool stream_stdout = options.format == "jsonl" && !views;
  run_options.keep_trace = !stream_stdout;
  run_options.keep_payloads = !options.pcap_file.empty();
  run_options.keep_app_data = false;
  AtomicFile trace_file(options.trace_file);  // nothing stays there unless the run completes
  std::vector<std::ostream*> jsonl_outputs;
  if (!options.trace_file.empty()) {
    std::string error;
    if (!trace_file.open(error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
    jsonl_outputs.push_back(&trace_file.stream());
  }
  if (stream_stdout) jsonl_outputs.push_back(&std::cout);
  JsonlWriter jsonl(scenario, jsonl_outputs);
  ExpectationChecker checker(scenario);
  if (!jsonl_outputs.empty()) run_options.trace_sinks.push_back(&jsonl);
  run_options.trace_sinks.push_back(&checker);
  const RunResult result = run_scenario(scenario, run_options);
  if (result.error) {
    // A streamed stdout stops without its closing "end" line.
    std::cout.flush();
    std::cerr << options.file << ": error: " << *result.error << " (seed " << result.seed
              << ")\n";
    return exit_bad_input;
  }
  if (!jsonl_outputs.empty()) jsonl.finish(result);
  if (!options.trace_file.empty()) {
    std::string error;
    if (!trace_file.commit(error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  if (!options.pcap_file.empty()) {
    std::string error;
    if (!write_file_atomically(options.pcap_file,
                               tcpsim::views::format_pcapng(scenario, result), error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  if (!options.mermaid_file.empty()) {
    tcpsim::views::MermaidOptions mermaid;
    mermaid.timers = !options.no_timers;
    mermaid.absolute_seq = options.absolute || scenario_uses_fixed_isns(scenario);
    std::string error;
    if (!write_file_atomically(options.mermaid_file,
                               tcpsim::views::format_mermaid(scenario, result, mermaid), error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  bool stdout_taken = false;
  if (const int status = write_diagram_views(options, scenario, result, stdout_taken)) {
    return status;
  }
  const auto failures = checker.finish(result);
  if (stdout_taken || stream_stdout) {
    // stdout carries the diagram, or the streamed trace; expectation failures still go to
    // stderr below.
  } else if (options.format == "jsonl") {
    std::cout << format_jsonl(scenario, result);
  } else {
    tcpsim::views::LadderOptions ladder;
    ladder.timers = !options.no_timers;
    ladder.absolute_seq = options.absolute || scenario_uses_fixed_isns(scenario);
    tcpsim::views::Language language = tcpsim::views::Language::english;
    tcpsim::views::parse_language(options.lang, language);  // checked by the parser
    if (options.realtime) {
      // The run is complete (and --trace written); only its display is paced.
      const auto frames = tcpsim::views::ladder_frames(
          scenario, result, ladder,
          options.explain ? std::optional<tcpsim::views::Language>(language) : std::nullopt);
      const auto outcome = tcpsim::views::play(frames, speed, std::cout);
      if (!outcome.completed) {
        std::cout << "\n" << tcpsim::views::interruption_line(outcome) << std::endl;
        return tcpsim::views::interruption_exit_code(outcome);
      }
    } else if (options.explain) {
      std::cout << tcpsim::views::format_explained_ladder(scenario, result, ladder, language);
    } else {
      std::cout << tcpsim::views::format_ladder(scenario, result, ladder);
    }
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

int command_check(const std::vector<std::string>& paths, bool update,
                  std::optional<std::uint64_t> memory_budget) {
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
    // The trace is kept as JSON Lines text only, for the golden comparison.
    RunOptions run_options;
    run_options.memory_budget = memory_budget;
    run_options.keep_trace = false;
    run_options.keep_payloads = false;
    run_options.keep_app_data = false;
    JsonlWriter writer(scenario);
    ExpectationChecker checker(scenario);
    run_options.trace_sinks = {&writer, &checker};
    const RunResult result = run_scenario(scenario, run_options);
    if (result.error) {
      std::cout << "FAIL " << scenario.name << " (" << file << ", seed " << result.seed
                << ")\n  error: " << *result.error << "\n";
      ++failed;
      bad_input = true;
      continue;
    }
    writer.finish(result);
    const std::string jsonl = writer.take_text();
    std::vector<std::string> problems;
    const auto failures = checker.finish(result);
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

// `list --knobs`: the TCP knobs of tcp/knobs.cpp as text, or as the generated parts of the
// docs (runner/reference.hpp).
int command_list_knobs(const std::string& format) {
  if (format == "markdown") {
    std::cout << knob_table_markdown();
  } else if (format == "schema") {
    std::cout << knob_schema_text();
  } else {
    write_knob_listing(std::cout);
  }
  return exit_ok;
}

int command_list_transitions(const std::string& format) {
  if (format == "schema") {
    std::cerr << "tcpsim list --transitions: --format is text or markdown\n";
    return exit_bad_input;
  }
  std::cout << format_transition_table(format == "markdown" ? TableFormat::markdown
                                                            : TableFormat::text);
  return exit_ok;
}

}  // namespace tcpsim::app
