// `tcpsim explore FILE --seeds A..B [--faults ...] [--invariant ...] [--out FILE]`: seeds under
// random faults until one breaks an invariant, then the shrunk scenario written and its ladder
// shown (runner/explore.hpp, docs/explore.md).
#include <iostream>

#include "app/commands.hpp"
#include "runner/explore.hpp"
#include "runner/output_file.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/scenario_writer.hpp"
#include "runner/visible_text.hpp"
#include "views/ladder.hpp"

namespace tcpsim::app {

using namespace tcpsim::runner;

namespace {

// 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st
std::string ordinal(std::uint32_t number) {
  const std::uint32_t tens = number % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : number % 10 == 1         ? "st"
                       : number % 10 == 2         ? "nd"
                       : number % 10 == 3         ? "rd"
                                                  : "th";
  return std::to_string(number) + suffix;
}

std::string rule_text(const sim::FaultRule& rule, const Scenario& scenario) {
  std::string text = "rule '" + rule.name + "': ";
  switch (rule.action) {
    case sim::FaultAction::drop: text += "drop"; break;
    case sim::FaultAction::delay: text += "delay by " + format_duration(rule.duration); break;
    case sim::FaultAction::duplicate:
      text += "duplicate, the copy " + format_duration(rule.duration) + " later";
      break;
    case sim::FaultAction::hold: text += "hold until " + format_duration(rule.until); break;
  }
  const sim::FaultMatch& match = rule.match;
  text += match.nth != 0 ? " the " + ordinal(match.nth) + " segment" : " every segment";
  if (match.flags_exact) text += " with flags " + tcp::flags_to_string(*match.flags_exact);
  if (match.length_min && match.length_max && *match.length_min == *match.length_max) {
    text += " of length " + std::to_string(*match.length_min);
  }
  if (match.direction) {
    text += " from " + scenario.hosts[static_cast<std::size_t>(*match.direction)].name;
  }
  return text;
}

}  // namespace

int command_explore(const ExploreCommand& options) {
  Scenario scenario;
  try {
    scenario = load_scenario_file(options.file);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return exit_bad_input;
  }
  const std::string out = !options.out.empty() ? options.out : scenario.name + "-shrunk.json";
  if (output_is_an_input("explore", "--out", out, {options.file})) return exit_bad_input;
  std::string faults;
  for (const RandomFault fault : options.explore.faults) {
    faults += (faults.empty() ? "" : ", ") + std::string(random_fault_name(fault));
  }
  std::cout << "explore: " << visible(scenario.name) << ", seeds " << options.explore.seeds.first
            << ".." << options.explore.seeds.last << ", random " << faults << "\n";
  const Exploration found = explore(scenario, options.explore);
  // Seeds whose faults stopped the script (an inject with nothing to be relative to yet).
  const auto say_script_stopped = [&] {
    if (found.script_stopped == 0) return;
    std::cout << "seeds not judged: " << found.script_stopped
              << " (the script could not go on under the faults; first, seed "
              << found.script_stopped_seed << ": " << visible(found.script_stopped_error)
              << ")\n";
  };
  if (!found.found) {
    const std::uint64_t judged = found.seeds_run - found.script_stopped;
    std::cout << "explore: " << found.seeds_run << " seeds, every invariant held";
    if (judged != found.seeds_run) std::cout << " in the " << judged << " judged";
    std::cout << "\n";
    say_script_stopped();
    return exit_ok;
  }
  say_script_stopped();
  std::cout << "seed " << found.seed << " breaks the "
            << invariant_name(found.violation.invariant)
            << " invariant: " << visible(found.violation.message) << "\n";
  for (std::size_t index = 1; index < found.violations.size(); ++index) {
    std::cout << "  also " << invariant_name(found.violations[index].invariant) << ": "
              << visible(found.violations[index].message) << "\n";
  }
  std::size_t rules_after = 0;
  for (const sim::FaultRule& rule : found.shrunk.rules) {
    rules_after += rule.name.rfind("explore-", 0) == 0 ? 1 : 0;
  }
  if (!found.reproduced) {
    std::cout << "the " << found.rules_found
              << " concrete fault rules do not replay the failure (the random model and the "
                 "rules differ here, e.g. a rate or a queue): written unshrunk\n";
  } else {
    std::cout << "shrunk in " << found.shrink_runs << " runs: " << found.rules_found << " -> "
              << rules_after << " fault rules, " << found.bytes_before << " -> "
              << found.bytes_after << " bytes sent, " << found.actions_before << " -> "
              << found.actions_after << " actions\n";
  }
  for (const sim::FaultRule& rule : found.shrunk.rules) {
    std::cout << "  " << visible(rule_text(rule, found.shrunk)) << "\n";
  }
  std::cout << "shrunk run: " << visible(found.shrunk_violation.message) << "\n";
  std::string error;
  const std::optional<std::string> json = write_scenario_json(found.shrunk, error);
  if (!json) {
    std::cerr << "tcpsim explore: cannot write the shrunk scenario: " << error << "\n";
    return exit_failed;
  }
  if (!write_file_atomically(out, *json, error)) {
    std::cerr << "tcpsim explore: " << error << "\n";
    return exit_bad_input;
  }
  std::cout << "wrote " << visible(out) << ": `tcpsim run " << visible(out)
            << "` replays it\n\n";
  tcpsim::views::LadderOptions ladder;
  ladder.absolute_seq = scenario_uses_fixed_isns(found.shrunk);
  std::cout << tcpsim::views::format_ladder(found.shrunk, found.shrunk_run, ladder);
  return exit_failed;
}

}  // namespace tcpsim::app
