// The canonical JSON Lines trace of a run (fixed key order, integer times, a closing hash line),
// and the connection names every view prints. The views themselves are in views/.
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

// FNV-1a 64 of bytes: the trace hash (not cryptographic; it detects change, not tampering).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);

// A run's connection records looked up by (host, id) in constant time; built once per view.
// Keeps no reference to the run.
class ConnectionIndex {
 public:
  explicit ConnectionIndex(const RunResult& result);
  // The record's index in result.connections, or -1 when the run has no record of it.
  int operator()(int host, tcp::ConnectionId connection) const;

 private:
  std::array<std::vector<int>, 2> by_host_;  // indexed by ConnectionId
};

// The names of a run's connections as the views print them ("c1", "server:80#2"), looked up by
// (host, id) in constant time; built once per view. Keeps a reference: the run must outlive it.
class ConnectionNames {
 public:
  explicit ConnectionNames(const RunResult& result);
  // The connection's name, or its id as text when the run has no record of it.
  std::string operator()(int host, tcp::ConnectionId connection) const;

 private:
  const std::vector<ConnectionRecord>& records_;
  ConnectionIndex index_;
};

}  // namespace tcpsim::runner
