// Checks a run against the scenario's expectations and against its golden trace. Each failure
// says exactly what differed and where the expectation stands in the scenario file.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/output_file.hpp"
#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_sink.hpp"

namespace tcpsim::runner {

struct ExpectationFailure {
  SourceLocation where;
  std::string message;
};

// The expectations on the segments sent ("segments" and the "never" segment rules) are checked
// as the trace goes by, so the checker can be a TraceSink of a run that does not keep its
// trace; the others read the connection records and counters in finish(). The work is linear
// in rules plus events: "segments" is matched in one pass, the "never" rules are indexed
// (segment rules by sender, exact flags and contained flags; event and state rules by host and
// connection), and steps() counts the work so that tests can hold it to that.
class ExpectationChecker final : public TraceSink {
 public:
  explicit ExpectationChecker(const Scenario& scenario);
  void event(const TraceEvent& event, const RunResult& run) override;
  // Every failure, in the order of the expectation keys (final_states, states, app_events,
  // segments, received, counts, never).
  std::vector<ExpectationFailure> finish(const RunResult& result);
  // Units of work so far: events and rules looked at, index probes.
  std::uint64_t steps() const { return steps_; }

 private:
  struct SegmentRuleGroup {
    std::uint32_t key = 0;         // segment_rule_key of its rules
    std::vector<std::size_t> rules;  // indices into expect.never
    bool fired = false;
  };
  void fire_segment_rules(const TraceEvent& event);

  const Scenario& scenario_;
  std::uint64_t steps_ = 0;
  // "segments"
  std::size_t sent_ = 0;
  std::optional<ExpectationFailure> segment_mismatch_;
  std::string first_extra_;  // the first segment beyond the expected list, described
  // "never" segment rules, grouped by key (sorted), and the (sender, flags) pairs seen: only the
  // first send of each pair can fire a rule.
  std::vector<SegmentRuleGroup> segment_groups_;
  std::array<std::bitset<256>, 2> seen_;
  std::vector<std::optional<std::string>> never_messages_;  // by rule, for the segment rules
};

// A run that kept its trace: its events through an ExpectationChecker.
std::vector<ExpectationFailure> check_expectations(const Scenario& scenario,
                                                   const RunResult& result);

// Counts the expectations a scenario makes (each listed item is one).
std::size_t count_expectations(const Expectations& expect);

// Compares a trace with its golden copy. nullopt when equal; otherwise the first divergent
// line, numbered, with both versions.
std::optional<std::string> compare_traces(const std::string& expected, const std::string& actual);

// "scenarios/x.json" -> "scenarios/x.trace.jsonl"
std::string golden_path_for(const std::string& scenario_path);

}  // namespace tcpsim::runner
