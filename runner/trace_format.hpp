// Views of a run: the canonical JSON Lines trace (fixed key order, integer times, a closing hash
// line) and the ladder diagram for the terminal.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

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

// The names of a run's connections as the views print them ("c1", "server:80#2"), looked up by
// (host, id) in constant time; built once per view.
class ConnectionNames {
 public:
  explicit ConnectionNames(const RunResult& result);
  // The connection's name, or its id as text when the run has no record of it.
  std::string operator()(int host, tcp::ConnectionId connection) const;
  // The name of the connection an event is about: its connection's, or the socket a failed
  // connect named (TraceEvent::socket); "" for none.
  std::string of(const TraceEvent& event) const;

 private:
  std::array<std::vector<const std::string*>, 2> by_host_;  // indexed by ConnectionId
};

}  // namespace tcpsim::runner
