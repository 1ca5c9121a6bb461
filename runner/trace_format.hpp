// Views of a run: the canonical JSON Lines trace (fixed key order, integer times, a closing hash
// line) and the ladder diagram for the terminal.
#pragma once

#include <cstdint>
#include <string>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

// One line per trace event, then {"ev":"end",...,"hash":"fnv1a64:..."} over all previous bytes.
std::string format_jsonl(const Scenario& scenario, const RunResult& result);

struct LadderOptions {
  bool timers = true;        // show timer set/cancel lines
  bool absolute_seq = false; // absolute sequence numbers instead of relative ones
};
std::string format_ladder(const Scenario& scenario, const RunResult& result,
                          const LadderOptions& options);

// FNV-1a 64 of bytes: the trace hash (not cryptographic; it detects change, not tampering).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);

// The name of a connection as the views print it ("c1", "server:80#2").
std::string connection_name(const RunResult& result, int host, tcp::ConnectionId connection);

}  // namespace tcpsim::runner
