// Reads a scenario file into a Scenario, or fails with a ScenarioError naming file:line:col, the
// JSON path and what was expected. Never crashes on any input, never throws anything else.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "runner/scenario.hpp"

namespace tcpsim::runner {

class ScenarioError : public std::runtime_error {
 public:
  // message: what was expected and what was found, e.g.
  //   expected a duration such as "150ms" or "2min", got "2 mins"
  ScenarioError(SourceLocation where, std::string message);
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }
  // what(): "FILE:LINE:COL: error: at $.hosts[1].tcp.msl: MESSAGE"

 private:
  SourceLocation where_;
  std::string message_;
};

Scenario load_scenario_file(const std::string& path);
Scenario load_scenario_text(std::string_view text, const std::string& file_label);

// The limit on a scenario's "bytes" patterns in all (default 1 GiB, held in memory), for the
// loads that follow. The loader fuzz target lowers it to 16 MiB (fuzz/loader_fuzzer.cpp): there a
// valid scenario that large is slow, not a bug, and would read as a fuzzer timeout.
void set_pattern_byte_limit(std::int64_t bytes);

// "150ms", "2s", "4min", "1h", "500us", "10ns", "1.5s" (decimals must be exact in ns), "0".
// Units: ns, us, ms, s, min, h. False with `error` set on malformed, negative or overflowing input.
bool parse_duration(std::string_view text, Duration& out, std::string& error);

}  // namespace tcpsim::runner
