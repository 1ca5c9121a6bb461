// tcpsim's command line: the subcommands and their options (CLI11); the commands themselves are
// in app/commands.cpp. Exit codes: 0 success, 1 an expectation or golden trace failed, 2 bad
// input or usage.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.hpp"
#include "packetdrill/interpreter.hpp"
#include "runner/memory_budget.hpp"
#include "runner/visible_text.hpp"
#include "tcp/knobs.hpp"
#include "views/narration.hpp"

#ifndef TCPSIM_SCENARIO_DIR
#define TCPSIM_SCENARIO_DIR "scenarios"
#endif
#ifndef TCPSIM_VERSION
#define TCPSIM_VERSION "unknown"
#endif

using namespace tcpsim::app;
using tcpsim::runner::parse_memory_size;
using tcpsim::runner::shorten_middle;
using tcpsim::runner::visible;
using tcpsim::runner::visible_short;

namespace {

constexpr std::string_view subcommands[] = {"run",  "check",  "sweep",  "explore",
                                             "validate", "list", "convert"};

// A command-line integer, by the scenario loader's rule for integers: decimal digits only (no
// sign, no "0x", no leading zeros beyond "0"), at most `max`; the message names the option.
std::optional<std::uint64_t> parse_option_integer(std::string_view option, std::string_view text,
                                                  std::uint64_t max, std::string& error) {
  const bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == text.npos;
  std::uint64_t value = 0;
  bool in_range = digits_only && !(text.size() > 1 && text[0] == '0');
  for (std::size_t at = 0; in_range && at < text.size(); ++at) {
    const auto digit = static_cast<std::uint64_t>(text[at] - '0');
    in_range = value <= (max - digit) / 10;
    value = value * 10 + digit;
  }
  if (!in_range) {
    error = std::string(option) + ": expected an integer between 0 and " + std::to_string(max) +
            " (decimal digits, no sign), got \"" + visible_short(text) + "\"";
    return std::nullopt;
  }
  return value;
}

// --realtime SPEED: a plain decimal number (no sign, no leading zeros); views/realtime.hpp
// checks its value.
bool speed_text_ok(std::string_view text, std::string& error) {
  const bool signed_text = !text.empty() && (text[0] == '+' || text[0] == '-');
  const bool leading_zero = text.size() > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9';
  if (!signed_text && !leading_zero) return true;
  error = "--realtime: SPEED must be a number greater than 0 such as 10, 0.5 or 1e6 (no sign, "
          "no leading zeros), got \"" + visible_short(text) + "\"";
  return false;
}

// --memory-budget SIZE (runner/memory_budget.hpp), checked as it is parsed.
CLI::Validator memory_size_validator() {
  return CLI::Validator(
      [](std::string& text) {
        std::string error;
        return parse_memory_size(text, error) ? std::string()
                                              : visible(shorten_middle(error, 120));
      },
      "SIZE");
}

std::optional<std::uint64_t> memory_size_option(const CLI::Option* option,
                                                const std::string& text) {
  if (!*option) return std::nullopt;
  std::string error;
  return parse_memory_size(text, error);
}

int run_command_line(int argc, char** argv) {
  CLI::App app{"tcpsim: a deterministic TCP simulator. Scenarios replay exactly, byte for byte."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tcpsim " TCPSIM_VERSION);
  // An unknown subcommand is named (CLI11 would only say that one is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view name = argv[1];
    bool known = false;
    for (const auto subcommand : subcommands) known = known || name == subcommand;
    if (!known) {
      std::cerr << "tcpsim: unknown subcommand \"" << visible_short(name)
                << "\"; the subcommands are run, check, sweep, explore, validate, list and "
                   "convert (tcpsim --help)\n";
      return exit_bad_input;
    }
  }

  RunCommand run_options;
  std::string seed;
  auto* run = app.add_subcommand("run", "Run one scenario and show what happened");
  run->add_option("file", run_options.file, "Scenario file ('-': standard input)")->required();
  auto* seed_option = run->add_option("--seed", seed, "Override the scenario's seed (0 to 2^64-1)");
  run->add_option("--format", run_options.format,
                  "Output: text (ladder diagram), jsonl, or summary (the end-of-run summary and "
                  "the expectations only: the fast path for large runs)")
      ->check(CLI::IsMember({"text", "jsonl", "summary"}));
  run->add_option("--trace", run_options.trace_file, "Also write the JSON Lines trace to FILE");
  run->add_flag("--no-timers", run_options.no_timers, "Hide timer set/cancel lines");
  run->add_flag("--absolute", run_options.absolute, "Absolute sequence numbers in the ladder");
  run->add_option("--pcap", run_options.pcap_file,
                  "Also write a pcapng capture (IPv4+TCP, ns virtual time) to FILE");
  // Narration (views/narration.hpp).
  run->add_flag("--explain", run_options.explain,
                "Under each ladder line, one sentence: what happened and why (the rule)");
  run->add_option("--lang", run_options.lang,
                  "Language of the ladder, --explain, --svg, --mermaid and --html: en (default) "
                  "or zh")
      ->check(CLI::Validator(
          [](std::string& code) {
            tcpsim::views::Language language;
            return tcpsim::views::parse_language(code, language)
                       ? std::string()
                       : "unsupported language '" + code + "': use en (English) or zh (Chinese)";
          },
          "en|zh"));
  run->add_flag("--no-window", run_options.no_window,
                "No win= on segments (a zero window is still shown), in the ladder, SVG and "
                "Mermaid");
  run->add_flag("--cwnd", run_options.cwnd,
                "After each data or FIN segment in the ladder, its sender's congestion window, "
                "ssthresh and bytes in flight");
  run->add_option("--color", run_options.color,
                  "Colours in the ladder: auto (default: on a terminal, unless NO_COLOR is set), "
                  "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::string width;
  auto* width_option = run->add_option(
      "--width", width,
      "Columns the ladder fits in, 60 to 1000 (default: the terminal's width, COLUMNS, or 100 "
      "when stdout is not a terminal)");
  run->add_option("--mermaid", run_options.mermaid_file,
                  "Also write the run as a Mermaid sequenceDiagram to FILE");
  std::string realtime_speed;
  auto* realtime_option =
      run->add_option("--realtime", realtime_speed,
                      "Print the ladder as the events happen, SPEED times faster than real time "
                      "(--realtime=10; default 1; Ctrl-C stops it, exit 130)")
          ->expected(0, 1)
          ->default_str("1");
  run->add_option("--svg", run_options.svg_file,
                  "Also write the ladder diagram as SVG to FILE ('-': stdout)");
  run->add_option("--html", run_options.html_file,
                  "Also write the stepping HTML page to FILE ('-': stdout)");
  const std::string memory_budget_help =
      "Override the scenario's memory budget (\"memory_budget\", default 1GiB): 512MiB, 4GiB, "
      "or bytes";
  std::string run_memory_budget;
  auto* run_memory_option =
      run->add_option("--memory-budget", run_memory_budget, memory_budget_help)
          ->check(memory_size_validator());

  const std::string lenient_help =
      "packetdrill scripts: ignore the TCP options the core does not model (wscale, sackOK, TS, "
      "nop, eol) and accept FreeBSD's SO_RCVBUF rounding";
  run->add_flag("--lenient-options", run_options.script.lenient_options, lenient_help);
  const std::string ipv6_help =
      "packetdrill scripts: run an IPv6 script (--ip_version=ipv6) on IPv4 addresses, with "
      "IPv6's MSS";
  run->add_flag("--ipv6-as-ipv4", run_options.script.ipv6_as_ipv4, ipv6_help);
  const std::string profile_help =
      "packetdrill scripts: the profile of host local's TCP (tcpsim list --knobs), under the "
      "script's sysctls and --knob; default rfc9293";
  std::vector<std::string> profile_names;
  for (const tcpsim::tcp::Profile& profile : tcpsim::tcp::profiles())
    profile_names.emplace_back(profile.name);
  run->add_option("--profile", run_options.script.profile, profile_help)
      ->check(CLI::IsMember(profile_names));
  const std::string knob_help =
      "packetdrill scripts: set a knob of host local's TCP, NAME=VALUE (tcpsim list --knobs); "
      "repeatable";
  std::vector<std::string> run_knobs;
  run->add_option("--knob", run_knobs, knob_help)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);

  std::vector<std::string> check_paths;
  bool update = false;
  auto* check = app.add_subcommand(
      "check", "Run scenarios, check their expectations and golden traces");
  check->add_option("paths", check_paths, "Scenario files or directories")->required();
  check->add_flag("--update", update, "Rewrite the golden traces instead of comparing");
  std::string check_memory_budget;
  auto* check_memory_option =
      check->add_option("--memory-budget", check_memory_budget, memory_budget_help)
          ->check(memory_size_validator());

  ScriptOptions check_script;
  check->add_flag("--lenient-options", check_script.lenient_options, lenient_help);
  check->add_flag("--ipv6-as-ipv4", check_script.ipv6_as_ipv4, ipv6_help);
  check->add_option("--profile", check_script.profile, profile_help)
      ->check(CLI::IsMember(profile_names));
  std::vector<std::string> check_knobs;
  check->add_option("--knob", check_knobs, knob_help)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);

  std::string check_junit;
  check->add_option("--junit", check_junit,
                    "Also write a JUnit XML report (one test case per scenario) to FILE");

  // sweep (app/sweep_commands.cpp, runner/sweep.hpp, docs/scale-out.md)
  SweepCommand sweep_options;
  std::string sweep_seeds;
  std::vector<std::string> sweep_sets;
  std::string sweep_jobs = "1";
  std::string sweep_shard;
  std::string sweep_memory_budget;
  auto* sweep = app.add_subcommand(
      "sweep", "Run scenarios over a range of seeds and knob values: one sorted JSON line each");
  sweep->add_option("files", sweep_options.files, "Scenario files or directories")->required();
  sweep->add_option("--seeds", sweep_seeds, "The seeds, FIRST..LAST (both included)")
      ->required();
  sweep->add_option("--set", sweep_sets,
                    "knob=v1,v2,...: run every case with each value of the knob (every host); "
                    "repeatable, each combination runs")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  sweep->add_option("--jobs", sweep_jobs, "Threads running cases at once (1 to 1024; default 1)");
  sweep->add_option("--shard", sweep_shard,
                    "Run only this shard of the cases: I/N (0 <= I < N), slurm (Slurm job "
                    "array variables) or kubernetes/N (JOB_COMPLETION_INDEX)");
  sweep->add_option("--out", sweep_options.out, "Write the JSON lines to FILE (default stdout)");
  sweep->add_option("--junit", sweep_options.junit,
                    "Also write a JUnit XML report (one test case per run) to FILE");
  auto* sweep_memory_option =
      sweep->add_option("--memory-budget", sweep_memory_budget, memory_budget_help)
          ->check(memory_size_validator());

  // explore (app/explore_commands.cpp, runner/explore.hpp, docs/explore.md)
  ExploreCommand explore_options;
  std::string explore_seeds;
  std::string explore_faults = "loss";
  std::vector<std::string> explore_invariants;
  auto* explore = app.add_subcommand(
      "explore", "Run a scenario under random faults, check invariants, shrink a failure to a "
                 "plain scenario");
  explore->add_option("file", explore_options.file, "Scenario file")->required();
  explore->add_option("--seeds", explore_seeds, "The seeds, FIRST..LAST (both included)")
      ->required();
  explore->add_option("--faults", explore_faults,
                      "Random faults, comma-separated: loss, duplicate, reorder, delay "
                      "(default loss)");
  explore->add_option("--invariant", explore_invariants,
                      "Invariants to check, comma-separated or repeated: " +
                          tcpsim::runner::invariant_names_text("and") + " (default all)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  explore->add_option("--out", explore_options.out,
                      "Write the shrunk scenario to FILE (default NAME-shrunk.json here)");

  ConvertCommand convert_options;
  std::string convert_seed;
  auto* convert = app.add_subcommand(
      "convert", "Run a packetdrill script and write it as a JSON scenario (every view reads it)");
  convert->add_option("file", convert_options.file, "packetdrill script (FILE.pkt)")->required();
  convert->add_option("-o,--output", convert_options.output,
                      "The JSON scenario's file ('-', the default: stdout)");
  auto* convert_seed_option =
      convert->add_option("--seed", convert_seed, "The run's seed (0 to 2^64-1, default 1)");
  convert->add_flag("--lenient-options", convert_options.script.lenient_options, lenient_help);
  convert->add_flag("--ipv6-as-ipv4", convert_options.script.ipv6_as_ipv4, ipv6_help);
  convert->add_option("--profile", convert_options.script.profile, profile_help)
      ->check(CLI::IsMember(profile_names));
  std::vector<std::string> convert_knobs;
  convert->add_option("--knob", convert_knobs, knob_help)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand(
      "validate", "Check scenario files (and packetdrill scripts) without running them");
  validate->add_option("files", validate_files, "Scenario files or FILE.pkt scripts")->required();

  std::string list_directory = TCPSIM_SCENARIO_DIR;
  auto* list = app.add_subcommand("list", "List the shipped scenarios");
  list->add_option("directory", list_directory, "Directory of scenarios");
  bool list_teaching = false;
  list->add_flag("--teaching", list_teaching,
                 "The teaching catalogue: each mechanism, what it protects against, the knob "
                 "that turns it off, and the pair of scenarios with and without it");
  bool list_knobs = false;
  list->add_flag("--knobs", list_knobs,
                 "The TCP knobs (tcp/knobs.cpp): value, default per profile, teaching, meaning");
  // The TCP core's transition table (tcp/transitions.hpp; docs/design.md embeds the Markdown).
  bool list_transitions = false;
  list->add_flag("--transitions", list_transitions,
                 "The TCP state transitions (tcp/transitions.cpp): state, event, new state, "
                 "rule, citation, function, variant")
      ->excludes("--teaching")
      ->excludes("--knobs");
  std::string list_lang = "en";
  list->add_option("--lang", list_lang, "With --teaching: en (default) or zh")
      ->check(CLI::IsMember({"en", "zh"}))
      ->needs("--teaching");
  std::string list_format = "text";
  list->add_option("--format", list_format,
                   "With --knobs: text, markdown (docs/scenario-format.md's table) or schema "
                   "(docs/scenario.schema.json's $defs.tcp); with --transitions: text or markdown "
                   "(docs/design.md's table)")
      ->check(CLI::IsMember({"text", "markdown", "schema"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    // CLI11's message quotes the arguments: escaped and shortened like every other message.
    std::cerr << visible(shorten_middle(error.what(), 120))
              << "\nRun with --help for more information.\n";
    return exit_bad_input;
  }
  // Paths may not be empty (`--trace ''` would otherwise write nothing, silently).
  const std::pair<const CLI::App*, std::vector<const CLI::Option*>> path_options[] = {
      {run, {run->get_option("file"), run->get_option("--trace"), run->get_option("--pcap"),
             run->get_option("--mermaid"), run->get_option("--svg"), run->get_option("--html")}},
      {check, {check->get_option("paths"), check->get_option("--junit")}},
      {sweep, {sweep->get_option("files"), sweep->get_option("--out"),
               sweep->get_option("--junit")}},
      {explore, {explore->get_option("file"), explore->get_option("--out")}},
      {validate, {validate->get_option("files")}},
      {convert, {convert->get_option("file"), convert->get_option("--output")}},
      {list, {list->get_option("directory")}}};
  for (const auto& [subcommand, options] : path_options) {
    if (!*subcommand) continue;
    for (const CLI::Option* option : options) {
      for (const std::string& value : option->results()) {
        if (!value.empty()) continue;
        std::cerr << "tcpsim " << subcommand->get_name() << ": " << option->get_name()
                  << ": expected a path, got an empty one\n";
        return exit_bad_input;
      }
    }
  }

  // --knob NAME=VALUE, as packetdrill/interpreter.hpp reads it.
  const auto parse_knobs = [](const char* command, const std::vector<std::string>& texts,
                              ScriptOptions& script) {
    for (const std::string& text : texts) {
      std::pair<std::string, tcpsim::tcp::KnobValue> setting;
      std::string error;
      if (!tcpsim::packetdrill::parse_knob_setting(text, setting, error)) {
        std::cerr << "tcpsim " << command << ": " << error << "\n";
        return false;
      }
      script.knobs.push_back(setting);
    }
    return true;
  };
  if ((*run && !parse_knobs("run", run_knobs, run_options.script)) ||
      (*check && !parse_knobs("check", check_knobs, check_script)) ||
      (*convert && !parse_knobs("convert", convert_knobs, convert_options.script))) {
    return exit_bad_input;
  }

  if (*run) {
    if (*seed_option) {
      std::string error;
      run_options.seed =
          parse_option_integer("--seed", seed, std::numeric_limits<std::uint64_t>::max(), error);
      if (!run_options.seed) {
        std::cerr << "tcpsim run: " << error << "\n";
        return exit_bad_input;
      }
    }
    if (*width_option) {
      std::string error;
      const auto columns = parse_option_integer("--width", width, 1000, error);
      if (!columns || *columns < 60) {
        std::cerr << "tcpsim run: "
                  << (columns ? "--width: expected 60 to 1000 columns, got " + width : error)
                  << "\n";
        return exit_bad_input;
      }
      run_options.width = static_cast<std::size_t>(*columns);
    }
    if (*realtime_option) {
      std::string error;
      if (!speed_text_ok(realtime_speed, error)) {
        std::cerr << "tcpsim run: " << error << "\n";
        return exit_bad_input;
      }
      run_options.realtime = realtime_speed;
    }
    run_options.memory_budget = memory_size_option(run_memory_option, run_memory_budget);
    // "-" is standard output for the text views (--svg, --html, --mermaid), one at a time;
    // --trace and --pcap name files ("--format jsonl" puts the trace on stdout).
    int to_stdout = 0;
    for (const std::string* path :
         {&run_options.svg_file, &run_options.html_file, &run_options.mermaid_file}) {
      if (*path == "-") ++to_stdout;
    }
    if (to_stdout > 1) {
      std::cerr << "tcpsim run: only one of --svg, --html and --mermaid can write to stdout "
                   "('-')\n";
      return exit_bad_input;
    }
    if (run_options.trace_file == "-" || run_options.pcap_file == "-") {
      std::cerr << "tcpsim run: --trace and --pcap need a file name, not '-' (for the trace on "
                   "stdout use --format jsonl)\n";
      return exit_bad_input;
    }
    return command_run(run_options);
  }
  if (*check) {
    return command_check(check_paths, update,
                         memory_size_option(check_memory_option, check_memory_budget),
                         check_script, check_junit);
  }
  if (*sweep) {
    std::string error;
    const auto seeds = tcpsim::runner::parse_seed_range(sweep_seeds, error);
    if (!seeds) {
      std::cerr << "tcpsim sweep: --seeds: " << error << ", got \"" << visible_short(sweep_seeds)
                << "\"\n";
      return exit_bad_input;
    }
    sweep_options.seeds = *seeds;
    const auto jobs = parse_option_integer("--jobs", sweep_jobs, 1024, error);
    if (!jobs || *jobs == 0) {
      std::cerr << "tcpsim sweep: "
                << (jobs ? "--jobs: expected at least 1 thread, got 0" : error) << "\n";
      return exit_bad_input;
    }
    sweep_options.jobs = static_cast<unsigned>(*jobs);
    if (!sweep_shard.empty()) {
      const auto shard = tcpsim::runner::parse_shard(
          sweep_shard, [](const char* name) { return std::getenv(name); }, error);
      if (!shard) {
        std::cerr << "tcpsim sweep: " << visible(error) << "\n";
        return exit_bad_input;
      }
      sweep_options.shard = *shard;
    }
    // --set knob=v1,v2: each value read as a host's "tcp" object reads it (--knob's reader).
    for (const std::string& text : sweep_sets) {
      const std::size_t equals = text.find('=');
      tcpsim::runner::SweepParameter parameter;
      parameter.knob = text.substr(0, equals);
      std::string values = equals == std::string::npos ? "" : text.substr(equals + 1);
      for (const auto& other : sweep_options.parameters) {
        if (other.knob != parameter.knob) continue;
        std::cerr << "tcpsim sweep: --set " << visible_short(parameter.knob)
                  << " is given twice; list its values once, comma-separated\n";
        return exit_bad_input;
      }
      std::size_t start = 0;
      do {
        const std::size_t comma = std::min(values.find(',', start), values.size());
        std::pair<std::string, tcpsim::tcp::KnobValue> setting;
        if (!tcpsim::packetdrill::parse_knob_setting(
                parameter.knob + "=" + values.substr(start, comma - start), setting, error)) {
          std::cerr << "tcpsim sweep: --set: " << error << "\n";
          return exit_bad_input;
        }
        parameter.values.push_back(setting.second);
        start = comma + 1;
      } while (start <= values.size());
      sweep_options.parameters.push_back(std::move(parameter));
    }
    sweep_options.memory_budget = memory_size_option(sweep_memory_option, sweep_memory_budget);
    if (!sweep_options.out.empty() && sweep_options.out == sweep_options.junit) {
      std::cerr << "tcpsim sweep: --out and --junit name the same file\n";
      return exit_bad_input;
    }
    return command_sweep(sweep_options);
  }
  if (*explore) {
    std::string error;
    const auto seeds = tcpsim::runner::parse_seed_range(explore_seeds, error);
    if (!seeds) {
      std::cerr << "tcpsim explore: --seeds: " << error << ", got \""
                << visible_short(explore_seeds) << "\"\n";
      return exit_bad_input;
    }
    explore_options.explore.seeds = *seeds;
    // Comma-separated names, each known, none twice.
    const auto names = [](const std::string& text) {
      std::vector<std::string> parts;
      std::size_t start = 0;
      do {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        parts.push_back(text.substr(start, comma - start));
        start = comma + 1;
      } while (start <= text.size());
      return parts;
    };
    explore_options.explore.faults.clear();
    for (const std::string& name : names(explore_faults)) {
      const auto fault = tcpsim::runner::find_random_fault(name);
      auto& faults = explore_options.explore.faults;
      if (!fault || std::find(faults.begin(), faults.end(), *fault) != faults.end()) {
        std::cerr << "tcpsim explore: --faults: expected loss, duplicate, reorder or delay, each "
                     "once, got \"" << visible_short(name) << "\"\n";
        return exit_bad_input;
      }
      faults.push_back(*fault);
    }
    if (!explore_invariants.empty()) {
      auto& invariants = explore_options.explore.invariants;
      invariants.clear();
      for (const std::string& text : explore_invariants) {
        for (const std::string& name : names(text)) {
          const auto invariant = tcpsim::runner::find_invariant(name);
          if (!invariant ||
              std::find(invariants.begin(), invariants.end(), *invariant) != invariants.end()) {
            std::cerr << "tcpsim explore: --invariant: expected "
                      << tcpsim::runner::invariant_names_text("or") << ", each once, got \""
                      << visible_short(name) << "\"\n";
            return exit_bad_input;
          }
          invariants.push_back(*invariant);
        }
      }
    }
    return command_explore(explore_options);
  }
  if (*convert) {
    if (*convert_seed_option) {
      std::string error;
      convert_options.seed = parse_option_integer(
          "--seed", convert_seed, std::numeric_limits<std::uint64_t>::max(), error);
      if (!convert_options.seed) {
        std::cerr << "tcpsim convert: " << error << "\n";
        return exit_bad_input;
      }
    }
    return command_convert(convert_options);
  }
  if (*validate) return command_validate(validate_files);
  if (*list && list_transitions) return command_list_transitions(list_format);
  if (*list && list_knobs) return command_list_knobs(list_format);
  if (*list) {
    return list_teaching ? command_list_teaching(list_directory, list_lang == "zh")
                         : command_list(list_directory);
  }
  return exit_bad_input;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = run_command_line(argc, argv);
    // Output lost on stdout (/dev/full, a closed pipe) is an error, whatever the subcommand.
    return standard_output_ok() ? status : exit_bad_input;
  } catch (const std::bad_alloc&) {
    // The memory budget stops a run before this; what remains is a view or an input larger
    // than this machine allows (ulimit -v). Reported like bad input, never an abort.
    std::cerr << "tcpsim: out of memory; lower the memory budget (--memory-budget), write fewer "
                 "views, or allow the process more memory\n";
    return exit_bad_input;
  }
}
