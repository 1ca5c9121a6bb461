// The commands of tcpsim's command line (app/main.cpp parses the arguments): run one scenario
// and show it, check scenarios against their expectations and golden traces, validate scenario
// files, list the shipped scenarios. Each returns the process's exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/explore.hpp"
#include "runner/sweep.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::app {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;      // an expectation or golden trace failed
constexpr int exit_bad_input = 2;   // bad input or usage

// How packetdrill scripts run (packetdrill/interpreter.hpp): --lenient-options ignores the TCP
// options the core does not model; --knob NAME=VALUE sets a knob of host local's TCP;
// --ipv6-as-ipv4 runs an IPv6 script on IPv4 addresses.
struct ScriptOptions {
  bool lenient_options = false;
  std::string profile;       // --profile NAME: host local's TCP profile (empty: rfc9293)
  bool ipv6_as_ipv4 = false;  // --ipv6-as-ipv4: an IPv6 script runs on IPv4 addresses
  std::vector<std::pair<std::string, tcp::KnobValue>> knobs;
};

struct RunCommand {
  std::string file;  // "-": standard input
  std::optional<std::uint64_t> seed;
  std::string format = "text";
  std::string trace_file;
  bool no_timers = false;
  bool absolute = false;
  std::string pcap_file;  // --pcap: pcapng capture of the run (views/pcap.hpp)
  bool explain = false;       // --explain: a sentence under each ladder line
  std::string lang = "en";    // --lang: the language of every view (ladder, SVG, Mermaid, ...)
  bool no_window = false;     // --no-window: no win= on segments but a zero window
  bool cwnd = false;          // --cwnd: the sender's cwnd, ssthresh and flight in the ladder
  std::string color = "auto";  // --color auto|always|never: ANSI colours in the ladder
  std::optional<std::size_t> width;  // --width: the ladder's columns (default: the terminal's)
  std::string mermaid_file;   // --mermaid: write a Mermaid sequenceDiagram there
  std::optional<std::string> realtime;  // --realtime[=SPEED]: pace the ladder in real time
  std::string svg_file;   // --svg: the ladder diagram as SVG ('-': stdout, instead of the ladder)
  std::string html_file;  // --html: the stepping page ('-': stdout, instead of the ladder)
  std::optional<std::uint64_t> memory_budget;  // --memory-budget: overrides the scenario's
  ScriptOptions script;  // a packetdrill script's
};

// `sweep FILE... --seeds A..B [--set knob=v1,v2] [--jobs N] [--shard I/N] [--out FILE]
// [--junit FILE]` (app/sweep_commands.cpp, runner/sweep.hpp).
struct SweepCommand {
  std::vector<std::string> files;
  runner::SeedRange seeds;
  std::vector<runner::SweepParameter> parameters;
  unsigned jobs = 1;
  runner::Shard shard;
  std::string out;    // "" or "-": stdout
  std::string junit;  // "": none
  std::optional<std::uint64_t> memory_budget;
};

// `explore FILE --seeds A..B [--faults loss,...] [--invariant NAME,...] [--out FILE]`
// (app/explore_commands.cpp, runner/explore.hpp).
struct ExploreCommand {
  std::string file;
  runner::ExploreOptions explore;
  std::string out;  // the shrunk scenario; "": NAME-shrunk.json in the working directory
};

struct ConvertCommand {
  std::string file;            // a packetdrill script
  std::string output = "-";    // -o: the JSON scenario's file ('-': stdout)
  std::optional<std::uint64_t> seed;
  ScriptOptions script;
};

// Flushes stdout: false, with one message on stderr, when it could not be written (/dev/full).
// Every command's exit goes through it (app/main.cpp); `run` also before it commits its files.
bool standard_output_ok();

int command_run(const RunCommand& options);
// Scenarios (.json) and packetdrill scripts (.pkt); the closing line is
// "N passed, N failed, N skipped" (only a script can be skipped).
// `junit`: also write a JUnit XML report there ("": none), whole or not at all.
int command_check(const std::vector<std::string>& paths, bool update,
                  std::optional<std::uint64_t> memory_budget, const ScriptOptions& script = {},
                  const std::string& junit = "");
// Whether `output` (of `option`) names one of `inputs`; says so on stderr when it does.
bool output_is_an_input(const std::string& command, const std::string& option,
                        const std::string& output, const std::vector<std::string>& inputs);
// `sweep` (app/sweep_commands.cpp): one JSON line per case, sorted.
int command_sweep(const SweepCommand& options);
// `explore`: exit 0 when every seed held every invariant, 1 when one broke (the shrunk
// scenario written), 2 bad input.
int command_explore(const ExploreCommand& options);
// Scenario files under each path (a file, or a directory searched recursively, sorted), each
// once; packetdrill scripts (.pkt) in directories too.
void collect_scenario_files(const std::vector<std::string>& paths,
                            std::vector<std::string>& files);
// `convert FILE.pkt`: the script's run as a JSON scenario (packetdrill/convert.hpp).
int command_convert(const ConvertCommand& options);

// ---- packetdrill scripts (app/packetdrill_commands.cpp) ----
// A path `run` and `check` treat as a packetdrill script: it ends in ".pkt".
bool is_packetdrill_script(const std::string& path);
int command_run_packetdrill(const RunCommand& options);
// `validate FILE.pkt`: parses the script ("FILE: ok (packetdrill script, N events)"), or prints
// its syntax error; false then.
bool validate_packetdrill_script(const std::string& file);
// One script of `check`: prints its PASS, FAIL or SKIP line; returns 0 passed, 1 failed,
// 2 bad input (a syntax error, a run error), 3 skipped.
int check_packetdrill_script(const std::string& file, std::optional<std::uint64_t> memory_budget,
                             const ScriptOptions& script);
int command_validate(const std::vector<std::string>& files);
// `list`: every scenario in `directory` with its summary.
int command_list(const std::string& directory);
// `list --teaching`: the catalogue of runner/teaching.cpp, each pair's scenarios from `directory`.
int command_list_teaching(const std::string& directory, bool chinese = false);
// `list --knobs [--format text|markdown|schema]`: the TCP knobs (tcp/knobs.cpp).
int command_list_knobs(const std::string& format);
// `list --transitions [--format text|markdown]`: the TCP core's transition table
// (tcp/transitions.cpp; docs/design.md embeds the Markdown).
int command_list_transitions(const std::string& format);

}  // namespace tcpsim::app
