// The canonical JSON Lines trace of a run (fixed key order, integer times, a closing hash line),
// and the connection names every view prints. The views themselves are in views/.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_sink.hpp"

namespace tcpsim::runner {

// One line per trace event, then {"ev":"end",...,"hash":"fnv1a64:..."} over all previous bytes.
std::string format_jsonl(const Scenario& scenario, const RunResult& result);

// The same lines written as the events come: a TraceSink for a streamed run (RunOptions), or
// fed a held trace (format_jsonl is this writer). The bytes are the same either way: a
// connection is named from its record, which exists from its "open" event on.
class JsonlWriter final : public TraceSink {
 public:
  // The lines go to every one of `outputs`, a chunk at a time; with none, they are kept in
  // text() (and counted by held_bytes()).
  explicit JsonlWriter(const Scenario& scenario, std::vector<std::ostream*> outputs = {});
  void event(const TraceEvent& event, const RunResult& run) override;
  std::size_t held_bytes() const override;
  // The closing line (end time, event count, the hash of every byte before it), then flushes.
  void finish(const RunResult& result);
  // Everything written, when there are no outputs.
  std::string take_text() { return std::move(buffer_); }

 private:
  void start(const RunResult& run);  // the "run" line
  void write(const std::string& line);
  void flush();

  const Scenario& scenario_;
  std::vector<std::ostream*> outputs_;
  std::string buffer_;  // not yet flushed (everything, without outputs)
  std::string line_;    // the line being formatted, its buffer reused
  std::uint64_t hash_ = 0;
  std::uint64_t events_ = 0;
  bool started_ = false;
  std::array<std::vector<std::string>, 2> names_;  // per host, by connection id; "" unknown
  std::size_t named_records_ = 0;                  // run.connections[0, named_records_) named
};

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
  // The name of the connection an event is about: its connection's, or the socket a failed
  // connect named (TraceEvent::socket); "" for none.
  std::string of(const TraceEvent& event) const;

 private:
  const std::vector<ConnectionRecord>& records_;
  ConnectionIndex index_;
};

}  // namespace tcpsim::runner
