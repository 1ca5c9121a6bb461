// Runs a packetdrill script against tcpsim's TCP, as packetdrill runs one against a kernel
// (gtests/net/packetdrill/run.c, run_packet.c, run_system_call.c), in virtual time.
//
// Host 0 ("local", 192.168.0.1, MSS 1460 as behind packetdrill's tun device of MTU 1500) is the
// system under test; host 1 ("remote", 192.0.2.1) is a scripted host with no TCP: the script
// plays it. Inbound lines (`<`) are injected segments ("via": "direct") on a runner Session;
// outbound lines (`>`) are matched against what host 0 sends (packetdrill/matcher.hpp); system
// calls drive host 0 through Session::perform, their return values and errno checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packetdrill/script.hpp"
#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::packetdrill {

struct InterpreterOptions {
  // Ignore the TCP options the core does not model (wscale, sackOK, TS, nop, eol) in outbound
  // comparisons and inbound segments; also accept FreeBSD's SO_RCVBUF rounded up to a
  // multiple of the MSS (packetdrill/matcher.hpp). Off: a script using them is SKIPPED.
  bool lenient_options = false;
  // The profile of host local's TCP (--profile NAME, tcp/knobs.cpp), under the script's sysctls
  // and --knob; empty: the default profile (rfc9293).
  std::string profile;
  // Knobs of host local's TCP (--knob NAME=VALUE), over the defaults and over what the
  // script's sysctls set: to see which FreeBSD choice a knob reproduces.
  std::vector<std::pair<std::string, tcp::KnobValue>> knobs;
  // Run an IPv6 script (--ip_version=ipv6) on IPv4 addresses, with IPv6's header size in the
  // MSS (--ipv6-as-ipv4): the FreeBSD suite's IPv6 twins. Off: such a script is SKIPPED.
  bool ipv6_as_ipv4 = false;
  std::optional<std::uint64_t> seed;           // the run's seed (default 1)
  std::optional<std::uint64_t> memory_budget;  // as RunOptions::memory_budget
};

enum class Verdict : std::uint8_t { passed, failed, skipped };

struct ScriptOutcome {
  Verdict verdict = Verdict::passed;
  // failed: packetdrill's error ("FILE:LINE: error handling packet: ...", with the script and
  // actual packets on the lines after it); skipped: "FILE:LINE: CONSTRUCT is not supported".
  std::string message;
  int line = 0;  // the line of the failure or skip (0: none)
  // The run stopped with an error of the simulator (a budget): bad input, exit 2.
  bool run_error = false;
  // What the run approximated or ignored ("FILE:LINE: note: sysctl ... has no tcpsim knob").
  std::vector<std::string> notes;
  // The scenario the script ran as: the hosts, and as its timeline every action performed, at
  // the time it was performed (packetdrill/convert.hpp writes it as JSON).
  runner::Scenario scenario;
  runner::RunResult run;  // the trace up to the end of the script or its failure
};

ScriptOutcome run_script(const Script& script, const InterpreterOptions& options = {});

// "NAME=VALUE" of --knob: a knob of tcp/knobs.cpp and a value as a scenario file writes it
// ("rfc1337=true", "time_wait=60s", "isn=random"). False with `error` set otherwise.
bool parse_knob_setting(std::string_view text, std::pair<std::string, tcp::KnobValue>& setting,
                        std::string& error);

// The first construct of `script` a run with these options cannot perform, as a skip message
// ("FILE:LINE: ... is not supported ..."); nothing when it can run. run_script checks it first.
std::optional<std::pair<int, std::string>> unsupported_construct(
    const Script& script, const InterpreterOptions& options);

}  // namespace tcpsim::packetdrill
