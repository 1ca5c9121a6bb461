// The command line's packetdrill scripts: `run FILE.pkt`, `check` of a .pkt, `convert`. The
// script runs through packetdrill/interpreter.hpp; its run is shown with the views like any
// scenario's, and a failure as packetdrill reports it, with the ladder of what happened up to
// there.
#include <iostream>
#include <sstream>

#include "app/commands.hpp"
#include "packetdrill/convert.hpp"
#include "packetdrill/interpreter.hpp"
#include "packetdrill/parser.hpp"
#include "runner/output_file.hpp"
#include "runner/trace_format.hpp"
#include "runner/visible_text.hpp"
#include "views/ladder.hpp"
#include "views/narration.hpp"

namespace tcpsim::app {

using runner::shown_path;
using runner::visible;

namespace {

// Each line of `text` after the first, indented (a message's packet lines under its first).
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  std::istringstream lines(text);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    out += (first ? "" : "\n") + indent + visible(line);
    first = false;
  }
  return out;
}

void print_notes(const packetdrill::ScriptOutcome& outcome, std::ostream& out,
                 const std::string& indent) {
  for (const std::string& note : outcome.notes) out << indent << visible(note) << "\n";
}

// Parses and runs a script; nothing (with the error on stderr) for a syntax error.
std::optional<packetdrill::ScriptOutcome> run_file(const std::string& file,
                                                   const packetdrill::InterpreterOptions& options,
                                                   std::ostream& errors) {
  try {
    const packetdrill::Script script = packetdrill::parse_script_file(file);
    return packetdrill::run_script(script, options);
  } catch (const packetdrill::ScriptError& error) {
    errors << visible(error.what()) << "\n";
    return std::nullopt;
  }
}

}  // namespace

bool is_packetdrill_script(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".pkt") == 0;
}

bool validate_packetdrill_script(const std::string& file) {
  try {
    const packetdrill::Script script = packetdrill::parse_script_file(file);
    std::cout << visible(file) << ": ok (packetdrill script, " << script.events.size()
              << " events)\n";
    return true;
  } catch (const packetdrill::ScriptError& error) {
    std::cerr << visible(error.what()) << "\n";
    return false;
  }
}

int command_run_packetdrill(const RunCommand& options) {
  // The views that need the whole scenario machinery read a converted scenario.
  const std::pair<const char*, bool> unavailable[] = {
      {"--pcap", !options.pcap_file.empty()}, {"--mermaid", !options.mermaid_file.empty()},
      {"--svg", !options.svg_file.empty()},   {"--html", !options.html_file.empty()},
      {"--realtime", options.realtime.has_value()}};
  for (const auto& [option, given] : unavailable) {
    if (!given) continue;
    std::cerr << "tcpsim run: " << option << " is not available for a packetdrill script; "
              << "`tcpsim convert " << shown_path(options.file)
              << " -o FILE.json` writes a scenario every view reads\n";
    return exit_bad_input;
  }
  packetdrill::InterpreterOptions interpreter;
  interpreter.lenient_options = options.script.lenient_options;
  interpreter.profile = options.script.profile;
  interpreter.knobs = options.script.knobs;
  interpreter.ipv6_as_ipv4 = options.script.ipv6_as_ipv4;
  interpreter.seed = options.seed;
  interpreter.memory_budget = options.memory_budget;
  const auto outcome = run_file(options.file, interpreter, std::cerr);
  if (!outcome) return exit_bad_input;
  if (outcome->run_error) {
    std::cerr << visible(outcome->message) << "\n";
    return exit_bad_input;
  }
  if (outcome->verdict == packetdrill::Verdict::skipped) {
    std::cerr << visible(outcome->message) << "\nSKIPPED: tcpsim cannot run this script\n";
    return exit_ok;
  }
  if (!options.trace_file.empty()) {
    std::string error;
    if (!runner::write_file_atomically(options.trace_file,
                                       runner::format_jsonl(outcome->scenario, outcome->run),
                                       error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  if (options.format == "jsonl") {
    std::cout << runner::format_jsonl(outcome->scenario, outcome->run);
  } else {
    views::LadderOptions ladder;
    ladder.timers = !options.no_timers;
    ladder.absolute_seq = options.absolute;
    views::Language language = views::Language::english;
    views::parse_language(options.lang, language);
    std::cout << (options.explain ? views::format_explained_ladder(outcome->scenario,
                                                                   outcome->run, ladder, language)
                                  : views::format_ladder(outcome->scenario, outcome->run,
                                                         ladder));
    if (outcome->verdict == packetdrill::Verdict::passed) {
      std::cout << "\npacketdrill script: passed\n";
    }
  }
  print_notes(*outcome, std::cerr, "");
  if (!standard_output_ok()) return exit_bad_input;
  if (outcome->verdict == packetdrill::Verdict::failed) {
    std::cerr << "\n" << indented(outcome->message, "") << "\n(seed " << outcome->run.seed
              << "; the ladder above shows the run up to the failure)\n";
    return exit_failed;
  }
  return exit_ok;
}

int check_packetdrill_script(const std::string& file, std::optional<std::uint64_t> memory_budget,
                             const ScriptOptions& script) {
  packetdrill::InterpreterOptions options;
  options.lenient_options = script.lenient_options;
  options.profile = script.profile;
  options.knobs = script.knobs;
  options.ipv6_as_ipv4 = script.ipv6_as_ipv4;
  const bool lenient_options = script.lenient_options;
  options.memory_budget = memory_budget;
  std::ostringstream errors;
  const auto outcome = run_file(file, options, errors);
  if (!outcome) {
    std::cout << "FAIL " << visible(file) << "\n  " << errors.str();
    return 2;
  }
  const std::string& name = outcome->scenario.name.empty() ? file : outcome->scenario.name;
  switch (outcome->verdict) {
    case packetdrill::Verdict::passed:
      std::cout << "PASS " << visible(name) << " (packetdrill script"
                << (lenient_options ? ", lenient options" : "") << ")\n";
      return 0;
    case packetdrill::Verdict::skipped:
      std::cout << "SKIP " << visible(name) << " (" << visible(file) << ")\n"
                << indented(outcome->message, "  ") << "\n";
      return 3;
    case packetdrill::Verdict::failed:
      std::cout << "FAIL " << visible(name) << " (" << visible(file) << ", seed "
                << outcome->run.seed << ")\n"
                << indented(outcome->message, "  ") << "\n";
      return outcome->run_error ? 2 : 1;
  }
  return 1;
}

int command_convert(const ConvertCommand& options) {
  if (!is_packetdrill_script(options.file)) {
    std::cerr << "tcpsim convert: " << shown_path(options.file)
              << " is not a packetdrill script (FILE.pkt)\n";
    return exit_bad_input;
  }
  packetdrill::InterpreterOptions interpreter;
  interpreter.lenient_options = options.script.lenient_options;
  interpreter.profile = options.script.profile;
  interpreter.knobs = options.script.knobs;
  interpreter.ipv6_as_ipv4 = options.script.ipv6_as_ipv4;
  interpreter.seed = options.seed;
  const auto outcome = run_file(options.file, interpreter, std::cerr);
  if (!outcome) return exit_bad_input;
  if (outcome->run_error || outcome->verdict == packetdrill::Verdict::skipped) {
    std::cerr << visible(outcome->message) << "\ntcpsim convert: "
              << (outcome->run_error ? "the run stopped" : "the script cannot run")
              << ", so there is nothing to convert\n";
    return exit_bad_input;
  }
  const std::string json = packetdrill::scenario_json(*outcome, options.file);
  if (options.output == "-") {
    std::cout << json;
    if (!standard_output_ok()) return exit_bad_input;
  } else {
    std::string error;
    if (!runner::write_file_atomically(options.output, json, error)) {
      std::cerr << "tcpsim: " << error << "\n";
      return exit_bad_input;
    }
  }
  if (outcome->verdict == packetdrill::Verdict::failed) {
    std::cerr << indented(outcome->message, "") << "\ntcpsim convert: the script failed at line "
              << outcome->line << "; the scenario holds its run up to there\n";
    return exit_failed;
  }
  return exit_ok;
}

}  // namespace tcpsim::app
