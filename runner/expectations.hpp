// Checks a run against the scenario's expectations and against its golden trace. Each failure
// says exactly what differed and where the expectation stands in the scenario file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

struct ExpectationFailure {
  SourceLocation where;
  std::string message;
};

std::vector<ExpectationFailure> check_expectations(const Scenario& scenario,
                                                   const RunResult& result);

// Counts the expectations a scenario makes (each listed item is one).
std::size_t count_expectations(const Expectations& expect);

// Compares a trace with its golden copy. nullopt when equal; otherwise the first divergent
// line, numbered, with both versions.
std::optional<std::string> compare_traces(const std::string& expected, const std::string& actual);

// "scenarios/x.json" -> "scenarios/x.trace.jsonl"
std::string golden_path_for(const std::string& scenario_path);

// Writes `content` to `path` whole or not at all: a temporary file beside it, then rename.
bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string& error);

}  // namespace tcpsim::runner
