#include "app/commands.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include <sys/ioctl.h>
#include <unistd.h>

#include "runner/expectations.hpp"
#include "runner/junit.hpp"
#include "runner/output_file.hpp"
#include "runner/reactions.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/reference.hpp"
#include "runner/simulation.hpp"
#include "runner/teaching.hpp"
#include "runner/transition_table.hpp"
#include "runner/run_summary.hpp"
#include "runner/trace_format.hpp"
#include "runner/visible_text.hpp"
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

// A scenario file, or standard input for "-" (its errors then name <stdin>:LINE:COL).
Scenario load_scenario(const std::string& path) {
  if (path != "-") return load_scenario_file(path);
  const std::string text{std::istreambuf_iterator<char>(std::cin),
                         std::istreambuf_iterator<char>()};
  return load_scenario_text(text, "<stdin>");
}

void print_failures(std::ostream& out, const std::vector<ExpectationFailure>& failures,
                    const std::string& indent) {
  for (const auto& failure : failures) {
    out << indent << visible(failure.where.position()) << ": at "
        << visible_short(failure.where.json_path, path_keep_bytes) << ": "
        << visible(failure.message) << "\n";
  }
}

// Scenario files under each path (a file, or a directory searched recursively), sorted so the
// order never depends on the file system.
// With `scripts`, packetdrill scripts (.pkt) too.
bool collect_scenarios(const std::vector<std::string>& paths, std::vector<std::string>& files,
                       bool scripts = false) {
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, error);
           !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        const auto extension = it->path().extension();
        if (it->is_regular_file() && (extension == ".json" || (scripts && extension == ".pkt"))) {
          found.push_back(it->path().generic_string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  // A file named twice (itself and within its directory, or by two spellings) runs once.
  std::set<fs::path> seen;
  std::vector<std::string> unique;
  for (const auto& file : files) {
    std::error_code error;
    fs::path key = fs::weakly_canonical(fs::absolute(file), error);
    if (error) key = file;
    if (seen.insert(key).second) unique.push_back(file);
  }
  files = std::move(unique);
  return true;
}

// The language of --lang (checked by the parser).
tcpsim::views::Language language_of(const RunCommand& options) {
  tcpsim::views::Language language = tcpsim::views::Language::english;
  tcpsim::views::parse_language(options.lang, language);
  return language;
}

// The columns the ladder fits in: --width; on a terminal, COLUMNS when it is set to a number,
// else the terminal's width; 100 when stdout is not a terminal (a file, a pipe).
std::size_t ladder_width(const RunCommand& options) {
  if (options.width) return *options.width;
  if (isatty(STDOUT_FILENO) == 1) {
    if (const char* columns = std::getenv("COLUMNS")) {
      const std::string text = columns;
      if (!text.empty() && text.size() < 6 &&
          text.find_first_not_of("0123456789") == std::string::npos && std::stoul(text) > 0) {
        return std::stoul(text);
      }
    }
    winsize size{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  }
  return tcpsim::views::default_ladder_width;
}

// --color: always, never, or auto: on a terminal, unless NO_COLOR is set (no-color.org) or the
// terminal is "dumb".
bool ladder_colour(const RunCommand& options) {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* terminal = std::getenv("TERM");
  if (terminal != nullptr && std::string_view(terminal) == "dumb") return false;
  return isatty(STDOUT_FILENO) == 1;
}

// The text of --svg (html false) or --html (views/svg.hpp, views/html.hpp).
std::string render_diagram_view(const RunCommand& options, const Scenario& scenario,
                                const RunResult& result, bool html) {
  tcpsim::views::SvgOptions svg;
  svg.absolute_seq = options.absolute;
  svg.timers = !options.no_timers;
  svg.window = !options.no_window;
  svg.language = language_of(options);
  if (!html) return tcpsim::views::render_svg(scenario, result, svg);
  tcpsim::views::HtmlOptions page;
  page.svg = svg;
  // The page's interface and narration (narrate_run) are in the language of --lang.
  page.language = svg.language;
  return tcpsim::views::render_html(scenario, result, page);
}

// Whether two paths name one file: the same inode when both exist, else the same absolute
// path once the existing part is resolved (symlinks included).
bool same_file(const std::string& first, const std::string& second) {
  std::error_code error;
  if (fs::exists(first, error) && fs::exists(second, error)) {
    return fs::equivalent(first, second, error);
  }
  std::error_code first_error;
  std::error_code second_error;
  const fs::path first_path = fs::weakly_canonical(fs::absolute(first), first_error);
  const fs::path second_path = fs::weakly_canonical(fs::absolute(second), second_error);
  return !first_error && !second_error && first_path == second_path;
}

bool is_special_file(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  return !error && fs::exists(status) && !fs::is_regular_file(status);
}

// An output that would overwrite the scenario, or another output of the same run, is refused.
bool outputs_distinct(const std::string& input,
                      const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (std::size_t index = 0; index < outputs.size(); ++index) {
    const auto& [option, path] = outputs[index];
    if (input != "-" && same_file(path, input)) {
      std::cerr << "tcpsim run: " << option << " " << shown_path(path)
                << " is the scenario file itself; refusing to overwrite it\n";
      return false;
    }
    if (is_special_file(path)) continue;  // /dev/null may take several outputs
    for (std::size_t other = 0; other < index; ++other) {
      if (same_file(path, outputs[other].second)) {
        std::cerr << "tcpsim run: " << outputs[other].first << " and " << option
                  << " name the same file " << shown_path(path) << "\n";
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool output_is_an_input(const std::string& command, const std::string& option,
                        const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty() || output == "-" || is_special_file(output)) return false;
  for (const std::string& input : inputs) {
    if (!same_file(output, input)) continue;
    std::cerr << "tcpsim " << command << ": " << option << " " << shown_path(output)
              << " is one of the scenario files; refusing to overwrite it\n";
    return true;
  }
  return false;
}

bool standard_output_ok() {
  static bool reported = false;
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int flush_errno = errno;
  if (flushed && std::cout.good() && !std::ferror(stdout)) return true;
  if (!reported) {
    std::cerr << "tcpsim: cannot write standard output: "
              << std::strerror(flush_errno != 0 ? flush_errno : EIO) << "\n";
    reported = true;
  }
  return false;
}

int command_run(const RunCommand& options) {
  if (is_packetdrill_script(options.file)) return command_run_packetdrill(options);
  // The views' own arguments are checked before anything runs.
  tcpsim::views::PlaybackSpeed speed;
  if (options.realtime) {
    std::string error;
    if (!tcpsim::views::parse_speed(*options.realtime, speed, error)) {
      std::cerr << "tcpsim run: --realtime: " << visible(shorten_middle(error, 120)) << "\n";
      return exit_bad_input;
    }
  }
  if ((options.realtime || options.explain) && options.format != "text") {
    std::cerr << "tcpsim run: " << (options.explain ? "--explain" : "--realtime")
              << " shows the ladder; it cannot be combined with --format " << options.format
              << "\n";
    return exit_bad_input;
  }
  // Every output file is opened (a temporary file beside it) before anything runs, and all
  // are renamed into place together once everything, stdout included, was written.
  const std::vector<std::pair<std::string, std::string>> outputs = [&] {
    std::vector<std::pair<std::string, std::string>> named;
    const std::pair<const char*, const std::string*> all[] = {
        {"--trace", &options.trace_file},   {"--pcap", &options.pcap_file},
        {"--mermaid", &options.mermaid_file}, {"--svg", &options.svg_file},
        {"--html", &options.html_file}};
    for (const auto& [option, path] : all) {
      if (!path->empty() && *path != "-") named.emplace_back(option, *path);
    }
    return named;
  }();
  if (!outputs_distinct(options.file, outputs)) return exit_bad_input;
  Scenario scenario;
  try {
    scenario = load_scenario(options.file);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return exit_bad_input;
  }
  std::vector<std::unique_ptr<AtomicFile>> files;
  std::map<std::string, AtomicFile*> file_for;  // by option
  for (const auto& [option, path] : outputs) {
    files.push_back(std::make_unique<AtomicFile>(path));
    std::string error;
    if (!files.back()->open(error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;  // the temporary files opened so far are removed
    }
    file_for[option] = files.back().get();
  }
  std::vector<AtomicFile*> committed;
  for (const auto& file : files) committed.push_back(file.get());
  const auto commit_files = [&] {
    std::string error;
    if (commit_together(committed, error)) return true;
    std::cerr << "tcpsim: " << error << "\n";
    return false;
  };
  RunOptions run_options;
  run_options.seed = options.seed;
  run_options.memory_budget = options.memory_budget;
  // The JSON Lines trace is written as the run goes (--trace, and stdout when it is the only
  // output) and the expectations are checked as it goes; only the views keep the whole trace.
  const bool views = !options.pcap_file.empty() || !options.mermaid_file.empty() ||
                     !options.svg_file.empty() || !options.html_file.empty();
  const bool stream_stdout = options.format == "jsonl" && !views;
  const bool summary = options.format == "summary";
  // The summary's fast path: when no output and no expectation reads the trace, the run is
  // not recorded at all (no trace events, texts or counters are made).
  if (summary && !views && options.trace_file.empty() &&
      !expectations_need_record(scenario.expect)) {
    run_options.record = false;
  }
  run_options.keep_trace = !stream_stdout && !(summary && !views);
  run_options.keep_payloads = !options.pcap_file.empty();
  run_options.keep_app_data = false;
  std::vector<std::ostream*> jsonl_outputs;
  if (file_for.count("--trace")) jsonl_outputs.push_back(&file_for["--trace"]->stream());
  if (stream_stdout) jsonl_outputs.push_back(&std::cout);
  JsonlWriter jsonl(scenario, jsonl_outputs);
  ExpectationChecker checker(scenario);
  if (!jsonl_outputs.empty()) run_options.trace_sinks.push_back(&jsonl);
  run_options.trace_sinks.push_back(&checker);
  const RunResult result = run_scenario(scenario, run_options);
  if (result.error) {
    // A streamed stdout stops without its closing "end" line.
    std::cout.flush();
    std::cerr << shown_path(options.file) << ": error: " << visible(*result.error) << " (seed "
              << result.seed << ")\n";
    return exit_bad_input;
  }
  if (!jsonl_outputs.empty()) jsonl.finish(result);
  if (file_for.count("--pcap")) {
    const std::string capture = tcpsim::views::format_pcapng(scenario, result);
    file_for["--pcap"]->stream().write(capture.data(),
                                       static_cast<std::streamsize>(capture.size()));
  }
  bool stdout_taken = false;
  if (!options.mermaid_file.empty()) {
    tcpsim::views::MermaidOptions mermaid;
    mermaid.timers = !options.no_timers;
    mermaid.absolute_seq = options.absolute || scenario_uses_fixed_isns(scenario);
    mermaid.window = !options.no_window;
    mermaid.language = language_of(options);
    const std::string content = tcpsim::views::format_mermaid(scenario, result, mermaid);
    if (options.mermaid_file == "-") {
      std::cout << content;
      stdout_taken = true;
    } else {
      file_for["--mermaid"]->stream() << content;
    }
  }
  for (const auto& [option, path, html] :
       {std::tuple<const char*, const std::string*, bool>{"--svg", &options.svg_file, false},
        std::tuple<const char*, const std::string*, bool>{"--html", &options.html_file, true}}) {
    if (path->empty()) continue;
    const std::string content = render_diagram_view(options, scenario, result, html);
    if (*path == "-") {
      std::cout << content;
      stdout_taken = true;
    } else {
      file_for[option]->stream() << content;
    }
  }
  const auto failures = checker.finish(result);
  // Reactive actions that never ran: a note, not an error (the "fired" expectation checks it).
  const std::vector<std::string> notes = reaction_notes(scenario, result);
  const auto print_notes = [&](std::ostream& out) {
    for (const std::string& note : notes) out << "note: " << visible(note) << "\n";
  };
  if (summary && !stdout_taken) {
    std::cout << format_run_summary(scenario, result);
    print_notes(std::cout);
    const std::size_t total = count_expectations(scenario.expect);
    if (failures.empty()) std::cout << "expectations: " << total << " of " << total << " met\n";
  } else if (stdout_taken || stream_stdout) {
    // stdout carries the diagram, or the streamed trace; expectation failures still go to
    // stderr below.
    print_notes(std::cerr);
  } else if (options.format == "jsonl") {
    std::cout << format_jsonl(scenario, result);
    print_notes(std::cerr);
  } else {
    tcpsim::views::LadderOptions ladder;
    ladder.timers = !options.no_timers;
    ladder.absolute_seq = options.absolute || scenario_uses_fixed_isns(scenario);
    const tcpsim::views::Language language = language_of(options);
    ladder.language = language;
    ladder.window = !options.no_window;
    ladder.cwnd = options.cwnd;
    ladder.width = ladder_width(options);
    ladder.colour = ladder_colour(options);
    if (options.realtime) {
      // The run is complete: its files are written now; only its display is paced.
      if (!commit_files()) return exit_bad_input;
      committed.clear();
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
    if (!notes.empty()) std::cout << "\n";
    print_notes(std::cout);
    const std::size_t total = count_expectations(scenario.expect);
    if (failures.empty()) {
      std::cout << "\n"
                << tcpsim::views::fill(tcpsim::views::Term::expectations_met, language,
                                       {std::to_string(total), std::to_string(total)})
                << "\n";
    }
  }
  // No file is put in place when stdout could not be written.
  if (!standard_output_ok()) return exit_bad_input;
  if (!commit_files()) return exit_bad_input;
  if (!failures.empty()) {
    std::cerr << "\nexpectations: " << failures.size() << " failed (seed " << result.seed
              << ")\n";
    print_failures(std::cerr, failures, "  ");
    return exit_failed;
  }
  return exit_ok;
}

void collect_scenario_files(const std::vector<std::string>& paths,
                            std::vector<std::string>& files) {
  collect_scenarios(paths, files, true);
}

int command_check(const std::vector<std::string>& paths, bool update,
                  std::optional<std::uint64_t> memory_budget, const ScriptOptions& script,
                  const std::string& junit) {
  std::vector<std::string> files;
  collect_scenarios(paths, files, true);
  if (output_is_an_input("check", "--junit", junit, files)) return exit_bad_input;
  // --junit: opened before anything runs, put in place once every scenario ran.
  std::unique_ptr<AtomicFile> junit_file;
  if (!junit.empty()) {
    junit_file = std::make_unique<AtomicFile>(junit);
    std::string error;
    if (!junit_file->open(error)) {
      std::cerr << "tcpsim check: " << error << "\n";
      return exit_bad_input;
    }
  }
  std::vector<JunitCase> junit_cases;
  const auto report = [&](const std::string& file, const std::string& name,
                          JunitCase::Result result, const std::vector<std::string>& problems) {
    JunitCase test{result, file, name, problems.empty() ? "" : problems.front(), ""};
    for (const std::string& problem : problems) test.details += problem + "\n";
    junit_cases.push_back(std::move(test));
  };
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  bool bad_input = false;
  for (const auto& file : files) {
    if (is_packetdrill_script(file)) {
      // A script is its own expectation: no golden trace (--update has nothing to write).
      // Its report is on stdout, as packetdrill words it; the JUnit case points there.
      switch (check_packetdrill_script(file, memory_budget, script)) {
        case 0: ++passed; report(file, file, JunitCase::Result::passed, {}); break;
        case 3:
          ++skipped;
          report(file, file, JunitCase::Result::skipped, {"skipped: see tcpsim check's output"});
          break;
        case 2:
          bad_input = true;
          ++failed;
          report(file, file, JunitCase::Result::error,
                 {"the script could not run: see tcpsim check's output"});
          break;
        default:
          ++failed;
          report(file, file, JunitCase::Result::failed,
                 {"the script failed: see tcpsim check's output"});
          break;
      }
      continue;
    }
    Scenario scenario;
    try {
      scenario = load_scenario_file(file);
    } catch (const ScenarioError& error) {
      std::cout << "FAIL " << visible(file) << "\n  " << error.what() << "\n";
      ++failed;
      bad_input = true;
      report(file, file, JunitCase::Result::error, {error.what()});
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
      std::cout << "FAIL " << visible(scenario.name) << " (" << visible(file) << ", seed "
                << result.seed << ")\n  error: " << visible(*result.error) << "\n";
      ++failed;
      bad_input = true;
      report(file, scenario.name, JunitCase::Result::error,
             {"error: " + *result.error + " (seed " + std::to_string(result.seed) + ")"});
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
      std::cout << "PASS " << visible(scenario.name) << " (" << count_expectations(scenario.expect)
                << " expectations, " << golden_note << ")\n";
      ++passed;
      report(file, scenario.name, JunitCase::Result::passed, {});
    } else {
      std::cout << "FAIL " << visible(scenario.name) << " (" << visible(file) << ", seed "
                << result.seed << ")\n";
      for (const auto& problem : problems) std::cout << "  " << visible(problem) << "\n";
      ++failed;
      problems.push_back("seed " + std::to_string(result.seed));
      report(file, scenario.name, JunitCase::Result::failed, problems);
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  if (files.empty()) {
    std::cerr << "tcpsim check: no scenario files found\n";
    return exit_bad_input;
  }
  if (junit_file) {
    junit_file->stream() << junit_xml("tcpsim check", junit_cases);
    std::string error;
    if (!junit_file->commit(error)) {
      std::cerr << "tcpsim check: " << error << "\n";
      return exit_bad_input;
    }
  }
  if (bad_input) return exit_bad_input;
  return failed > 0 ? exit_failed : exit_ok;
}

int command_validate(const std::vector<std::string>& files) {
  int status = exit_ok;
  for (const auto& file : files) {
    if (is_packetdrill_script(file)) {
      if (!validate_packetdrill_script(file)) status = exit_bad_input;
      continue;
    }
    try {
      const Scenario scenario = load_scenario_file(file);
      std::cout << visible(file) << ": ok (" << visible(scenario.name) << ", "
                << count_expectations(scenario.expect) << " expectations)\n";
    } catch (const ScenarioError& error) {
      std::cerr << error.what() << "\n";
      status = exit_bad_input;
    }
  }
  return status;
}

int command_list_teaching(const std::string& directory, bool chinese) {
  if (!write_teaching_catalogue(std::cout, directory, chinese)) {
    std::cerr << "tcpsim list --teaching: a scenario of the catalogue is missing from "
              << shown_path(directory) << "\n";
    return exit_failed;
  }
  return exit_ok;
}

int command_list(const std::string& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    std::cerr << "tcpsim list: " << shown_path(directory)
              << (fs::exists(directory, error) ? " is not a directory\n"
                                               : ": no such directory\n");
    return exit_bad_input;
  }
  std::vector<std::string> files;
  collect_scenarios({directory}, files);
  if (files.empty()) {
    std::cerr << "tcpsim list: no scenarios in " << shown_path(directory) << "\n";
    return exit_bad_input;
  }
  for (const auto& file : files) {
    try {
      const Scenario scenario = load_scenario_file(file);
      std::cout << visible(scenario.name) << "\n    " << visible(file) << "\n    "
                << scenario_summary(scenario.description) << "\n";
    } catch (const ScenarioError& error) {
      std::cout << visible(file) << "\n    (invalid: " << error.what() << ")\n";
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
