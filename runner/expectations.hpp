// Checks a run against the scenario's expectations and against its golden trace. Each failure
// says exactly what differed and where the expectation stands in the scenario file.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
//
// "segments" with "optional" entries and "any_of" alternatives is a small automaton without
// loops, matched as the segments go by: the positions where the next segment may stand are
// kept as a set (no backtracking), so each segment costs the size of that set, at most the
// list's length and in practice a few.
class ExpectationChecker final : public TraceSink {
 public:
  explicit ExpectationChecker(const Scenario& scenario);
  void event(const TraceEvent& event, const RunResult& run) override;
  // Every failure, in the order of the expectation keys (final_states, states, app_events,
  // segments, received, counts, never, fired).
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

  // "segments" as an automaton: a node per expected segment, a split per "any_of", and the end.
  struct SegmentNode {
    enum class Kind : std::uint8_t { segment, split, end } kind = Kind::end;
    const ExpectedSegment* segment = nullptr;  // segment: what it matches
    std::uint32_t next = 0;                    // segment: the node after it (also when skipped)
    std::vector<std::uint32_t> alternatives;   // split: the first node of each alternative
    const ExpectedSegment* any_of = nullptr;   // segment in an alternative: its "any_of" entry
    std::size_t alternative = 0;               // and which alternative, from 0
  };
  // The nodes of `list`, each leading to `next`; returns the first. `any_of`: the entry whose
  // alternative `list` is (nullptr at the top level).
  std::uint32_t build_segment_nodes(const std::vector<ExpectedSegment>& list, std::uint32_t next,
                                    const ExpectedSegment* any_of, std::size_t alternative);
  // Adds `node` and what it leads to without a segment (skipped optionals, alternatives) to
  // `into`; sets segments_accepting_ when the end is among them.
  void enter_segment_node(std::uint32_t node, std::vector<std::uint32_t>& into);
  void match_segment(const TraceEvent& event);
  // The nodes of segments_active_ (and the end, when accepting), described for a message, and
  // the alternatives of each "any_of" among them ("; $.expect.segments[3] allows [...] | [...]").
  std::pair<std::string, std::string> segment_candidates(bool accepting) const;
  const ExpectedSegment& first_segment_candidate() const;

  const Scenario& scenario_;
  std::uint64_t steps_ = 0;
  // "segments"
  std::size_t sent_ = 0;
  std::optional<ExpectationFailure> segment_mismatch_;
  std::string first_extra_;  // the first segment beyond the expected list, described
  std::size_t matched_ = 0;  // segments matched before the first extra one
  bool plain_segments_ = true;  // no "optional", no "any_of": the messages name counts
  std::vector<SegmentNode> segment_nodes_;
  std::vector<std::uint32_t> segments_active_;  // segment nodes the next segment may match
  std::vector<std::uint32_t> segments_next_;
  bool segments_accepting_ = false;  // the list may end here
  std::vector<std::uint64_t> segment_visits_;  // per node: the last generation that entered it
  std::uint64_t segment_generation_ = 0;       // one per segment matched
  std::vector<std::uint32_t> segment_stack_;   // enter_segment_node's work list
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

// Whether checking `expect` needs a recorded run (RunOptions::record): every expectation but
// the final states, the state sequences and "fired" reads the trace, the counters or the
// application events, which only a recorded run keeps. `tcpsim run --format summary` runs
// unrecorded when nothing else needs the trace.
bool expectations_need_record(const Expectations& expect);

// Compares a trace with its golden copy. nullopt when equal; otherwise the first divergent
// line, numbered, with both versions.
std::optional<std::string> compare_traces(const std::string& expected, const std::string& actual);

// "scenarios/x.json" -> "scenarios/x.trace.jsonl"
std::string golden_path_for(const std::string& scenario_path);

}  // namespace tcpsim::runner
