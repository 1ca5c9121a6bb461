// `tcpsim convert FILE.pkt`: a packetdrill script as a JSON scenario (docs/scenario-format.md).
// The script is run first (packetdrill/interpreter.hpp); the scenario's timeline is every action
// the run performed, at the time it was performed: the system calls as listen, connect, send,
// read, close and abort, the inbound segments as injects ("via": "direct"). Its expectations are
// what the run showed: the segments host local sent, each connection's application events and
// final state. `tcpsim run` of the scenario sends the same segments at the same times.
#pragma once

#include <string>

#include "packetdrill/interpreter.hpp"

namespace tcpsim::packetdrill {

// The scenario of `outcome` (a run that passed or failed, not one that was skipped) as JSON
// text, ending with a newline. `source` names the script in the description.
std::string scenario_json(const ScriptOutcome& outcome, const std::string& source);

}  // namespace tcpsim::packetdrill
