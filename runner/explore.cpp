#include "runner/explore.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace tcpsim::runner {

namespace {

constexpr std::array<std::pair<RandomFault, std::string_view>, 4> fault_names = {{
    {RandomFault::loss, "loss"},
    {RandomFault::duplicate, "duplicate"},
    {RandomFault::reorder, "reorder"},
    {RandomFault::delay, "delay"},
}};

constexpr std::string_view rule_prefix = "explore-";

bool is_explore_rule(const sim::FaultRule& rule) {
  return rule.name.compare(0, rule_prefix.size(), rule_prefix) == 0;
}

std::uint64_t bytes_sent(const Scenario& scenario) {
  std::uint64_t bytes = 0;
  for (const Action& action : scenario.timeline) {
    if (action.kind == ActionKind::send) bytes += action.data.size();
  }
  return bytes;
}

// The segment a rule acted on in a run: the id of its first drop, delay or duplicate event.
std::optional<std::uint64_t> segment_acted_on(const RunResult& run, const std::string& rule) {
  for (const TraceEvent& event : run.trace) {
    const bool link_event = event.kind == TraceKind::drop || event.kind == TraceKind::delay ||
                            event.kind == TraceKind::duplicate;
    if (link_event && event.link_cause.kind == sim::LinkCauseKind::fault_rule &&
        event.link_cause.rule_name == rule) {
      return event.segment.id;
    }
  }
  return std::nullopt;
}

// Every connection of both runs went through the same states, by name.
bool same_story(const RunResult& run, const RunResult& other) {
  if (run.connections.size() != other.connections.size()) return false;
  for (std::size_t index = 0; index < run.connections.size(); ++index) {
    if (run.connections[index].name != other.connections[index].name ||
        run.connections[index].states != other.connections[index].states) {
      return false;
    }
  }
  return true;
}

class Shrinker {
 public:
  Shrinker(const Violation& target, const ExploreOptions& options)
      : target_(target), options_(options) {}

  // Whether `scenario` still breaks the target invariant on the same subject (`run`: its run).
  bool fails(const Scenario& scenario, RunResult* run = nullptr) {
    if (runs_ >= options_.shrink_runs) return false;
    ++runs_;
    RunResult result = explore_run(scenario);
    bool failed = false;
    for (const Violation& violation : check_invariants(scenario, result, options_.invariants)) {
      failed = failed || violation.same_failure(target_);
    }
    if (run != nullptr) *run = std::move(result);
    return failed;
  }

  // A change to the traffic (fewer bytes, fewer actions) shifts what "the nth ACK" counts: when
  // the candidate no longer fails, each rule's nth is tried again nearby (a few rules only).
  bool fails_repaired(Scenario& candidate) {
    if (fails(candidate)) return true;
    std::vector<std::size_t> rules;
    for (std::size_t index = 0; index < candidate.rules.size(); ++index) {
      if (is_explore_rule(candidate.rules[index]) && candidate.rules[index].match.nth != 0) {
        rules.push_back(index);
      }
    }
    if (rules.size() > 3) return false;
    for (const std::size_t index : rules) {
      const std::uint32_t nth = candidate.rules[index].match.nth;
      for (std::uint32_t other = 1; other <= nth + 3 && !spent(); ++other) {
        if (other == nth) continue;
        candidate.rules[index].match.nth = other;
        if (fails(candidate)) return true;
      }
      candidate.rules[index].match.nth = nth;
    }
    return false;
  }
  std::uint64_t runs() const { return runs_; }
  bool spent() const { return runs_ >= options_.shrink_runs; }

  // Which fault rules a smaller or shorter scenario must still need to fail, decided once on
  // the concrete scenario: explore's own, when the scenario without them holds every invariant
  // checked (its own rules are part of its story, as a stale SYN held); else every rule, when
  // it holds them without any (its own rules are the fault, as a wandering old duplicate);
  // else none: it breaks on its own, and only the failure is kept.
  void find_cause(const Scenario& scenario) {
    cause_ = passes_without(scenario, Cause::explore_rules) ? Cause::explore_rules
             : passes_without(scenario, Cause::all_rules)   ? Cause::all_rules
                                                            : Cause::none;
  }

  // Fewer bytes or a shorter timeline change the scenario itself, not only its faults, and may
  // make one that fails on its own (an inject moved into the handshake): such a candidate is
  // kept only when it still fails with its rules (their nth repaired) and passes without the
  // rules that cause the failure, so that the faults stay its cause.
  bool fails_by_faults(Scenario& candidate) {
    return fails_repaired(candidate) && still_caused(candidate);
  }
  bool still_caused(const Scenario& candidate) {
    return cause_ == Cause::none || passes_without(candidate, cause_);
  }

  // Fewest rules: chunks of the explore rules removed (halving the chunk), then single ones.
  bool shrink_rules(Scenario& scenario) {
    bool changed = false;
    const auto explore_rules = [&] {
      std::vector<std::size_t> indices;
      for (std::size_t index = 0; index < scenario.rules.size(); ++index) {
        if (is_explore_rule(scenario.rules[index])) indices.push_back(index);
      }
      return indices;
    };
    for (std::size_t chunk = std::max<std::size_t>(explore_rules().size() / 2, 1);; chunk /= 2) {
      for (std::size_t start = 0;;) {
        const std::vector<std::size_t> indices = explore_rules();
        if (start >= indices.size() || spent()) break;
        Scenario candidate = scenario;
        const std::size_t end = std::min(start + chunk, indices.size());
        for (std::size_t at = end; at-- > start;) {
          candidate.rules.erase(candidate.rules.begin() +
                                static_cast<std::ptrdiff_t>(indices[at]));
        }
        if (fails(candidate)) {
          scenario = std::move(candidate);
          changed = true;
        } else {
          start = end;
        }
      }
      if (chunk == 1) break;
    }
    return changed;
  }

  // Simpler selectors: a rule without its length bounds, its nth counted again among the
  // segments of its sender and flags, so that it still picks the segment it acted on.
  bool simplify_selectors(Scenario& scenario) {
    bool changed = false;
    for (std::size_t index = 0; index < scenario.rules.size() && !spent(); ++index) {
      sim::FaultRule& rule = scenario.rules[index];
      if (!is_explore_rule(rule) || !rule.match.length_min) continue;
      const RunResult run = explore_run(scenario);
      const std::optional<std::uint64_t> segment = segment_acted_on(run, rule.name);
      if (!segment) continue;
      std::uint32_t nth = 0;
      for (const TraceEvent& event : run.trace) {
        if (event.kind != TraceKind::send || event.segment.copy) continue;
        if (static_cast<int>(*rule.match.direction) != event.host ||
            event.segment.flags != *rule.match.flags_exact) {
          continue;
        }
        ++nth;
        if (event.segment.id == *segment) break;
      }
      Scenario candidate = scenario;
      sim::FaultMatch& match = candidate.rules[index].match;
      match.length_min.reset();
      match.length_max.reset();
      match.nth = nth;
      if (fails(candidate)) {
        scenario = std::move(candidate);
        changed = true;
      }
    }
    return changed;
  }

  // Fewest bytes: each send removed, else its bytes halved while the failure stays.
  bool shrink_bytes(Scenario& scenario) {
    bool changed = false;
    for (std::size_t index = 0; index < scenario.timeline.size() && !spent();) {
      if (scenario.timeline[index].kind != ActionKind::send) {
        ++index;
        continue;
      }
      Scenario without = scenario;
      without.timeline.erase(without.timeline.begin() + static_cast<std::ptrdiff_t>(index));
      // A send with an "id" stays (an "on" may wait for it): only its bytes shrink.
      if (scenario.timeline[index].id.empty() && fails_by_faults(without)) {
        scenario = std::move(without);
        changed = true;
        continue;
      }
      for (std::size_t size = scenario.timeline[index].data.size() / 2; size >= 1 && !spent();
           size /= 2) {
        Scenario candidate = scenario;
        const SharedBytes& data = candidate.timeline[index].data;
        candidate.timeline[index].data =
            SharedBytes(std::vector<std::uint8_t>(data.begin(), data.begin() + size));
        if (!fails_by_faults(candidate)) break;
        scenario = std::move(candidate);
        changed = true;
      }
      ++index;
    }
    return changed;
  }

  // Shortest timeline: actions that name no connection of their own removed (not listen or
  // connect, which later actions name), then each gap between actions halved while the
  // failure stays (every later action moves with it).
  bool shrink_timeline(Scenario& scenario) {
    bool changed = false;
    for (std::size_t index = 0; index < scenario.timeline.size() && !spent();) {
      const ActionKind kind = scenario.timeline[index].kind;
      if (kind == ActionKind::listen || kind == ActionKind::connect ||
          !scenario.timeline[index].id.empty()) {
        ++index;
        continue;
      }
      Scenario candidate = scenario;
      candidate.timeline.erase(candidate.timeline.begin() + static_cast<std::ptrdiff_t>(index));
      if (fails_by_faults(candidate)) {
        scenario = std::move(candidate);
        changed = true;
      } else {
        ++index;
      }
    }
    // Gaps shrink in whole milliseconds, and only while every connection still goes through
    // the same states: a shorter timeline telling the same story (an orderly close must not
    // become a simultaneous one).
    RunResult current;
    if (!fails(scenario, &current)) return changed;
    for (std::size_t index = 0; index < scenario.timeline.size() && !spent(); ++index) {
      const Time previous = index == 0 ? 0 : scenario.timeline[index - 1].at;
      for (Duration gap = scenario.timeline[index].at - previous; gap >= 2 * millisecond;) {
        const Duration shift = gap / 2 / millisecond * millisecond;
        Scenario candidate = scenario;
        const Action& pivot = scenario.timeline[index];
        for (std::size_t later = index; later < candidate.timeline.size(); ++later) {
          candidate.timeline[later].at -= shift;
        }
        for (RepeatedAction& repeated : candidate.repeats) {  // those that start later too
          const Action& first = repeated.first;
          if (first.at > pivot.at || (first.at == pivot.at && first.order > pivot.order)) {
            repeated.first.at -= shift;
          }
        }
        if (candidate.stop_at) *candidate.stop_at -= shift;
        RunResult run;
        if (!fails(candidate, &run) || !same_story(run, current) || !still_caused(candidate)) {
          break;
        }
        scenario = std::move(candidate);
        current = std::move(run);
        changed = true;
        gap -= shift;
      }
    }
    return changed;
  }

 private:
  enum class Cause : std::uint8_t { explore_rules, all_rules, none };

  // Whether `scenario` without explore's rules, or without any, holds every invariant checked
  // (the random model is off already).
  bool passes_without(const Scenario& scenario, Cause rules) {
    if (runs_ >= options_.shrink_runs) return false;
    ++runs_;
    Scenario unfaulted = scenario;
    std::erase_if(unfaulted.rules, [&](const sim::FaultRule& rule) {
      return rules == Cause::all_rules || is_explore_rule(rule);
    });
    return check_invariants(unfaulted, explore_run(unfaulted), options_.invariants).empty();
  }

  Violation target_;
  const ExploreOptions& options_;
  std::uint64_t runs_ = 0;
  Cause cause_ = Cause::none;
};

}  // namespace

std::string_view random_fault_name(RandomFault fault) {
  for (const auto& [value, name] : fault_names) {
    if (value == fault) return name;
  }
  return "";
}

std::optional<RandomFault> find_random_fault(std::string_view name) {
  for (const auto& [value, known] : fault_names) {
    if (known == name) return value;
  }
  return std::nullopt;
}

Scenario with_random_faults(const Scenario& scenario, const ExploreOptions& options,
                            std::uint64_t seed) {
  Scenario random = scenario;
  random.seed = seed;
  for (sim::LinkDirectionConfig& direction : random.link.directions) {
    for (const RandomFault fault : options.faults) {
      switch (fault) {
        case RandomFault::loss: direction.loss = options.loss; break;
        case RandomFault::duplicate: direction.duplicate = options.duplicate; break;
        case RandomFault::reorder:
          direction.reorder = {options.reorder, options.reorder_delay};
          break;
        case RandomFault::delay: direction.jitter = options.jitter; break;
      }
    }
  }
  return random;
}

RunResult explore_run(const Scenario& scenario) {
  RunOptions options;
  options.keep_trace = true;
  options.keep_payloads = false;
  options.keep_app_data = true;
  return run_scenario(scenario, options);
}

Scenario concrete_scenario(const Scenario& random, const RunResult& run) {
  // Each segment sent, under the selector that picks it: its sender, exact flags and length,
  // and how many such segments were sent up to it (every rule sees every segment, so this
  // count is the rule's own match count: sim/link.hpp).
  struct Sent {
    int host = 0;
    std::uint8_t flags = 0;
    std::uint32_t length = 0;
    std::uint32_t nth = 0;
    Time at = 0;
    bool by_rule = false;  // a rule of the scenario's own decided its fate
    bool lost = false;
    std::optional<Time> arrival;
    std::optional<Time> copy_arrival;
  };
  std::map<std::uint64_t, Sent> sent;
  std::map<std::tuple<int, std::uint8_t, std::uint32_t>, std::uint32_t> counts;
  for (const TraceEvent& event : run.trace) {
    const TraceSegment& segment = event.segment;
    if (event.kind == TraceKind::send && !segment.copy) {
      const auto key = std::make_tuple(event.host, segment.flags, segment.length);
      Sent& fate = sent[segment.id];
      fate.host = event.host;
      fate.flags = segment.flags;
      fate.length = segment.length;
      fate.nth = ++counts[key];
      fate.at = event.time;
      continue;
    }
    const auto found = sent.find(segment.id);
    if (found == sent.end()) continue;
    Sent& fate = found->second;
    const sim::LinkCause& cause = event.link_cause;
    if (cause.kind == sim::LinkCauseKind::fault_rule ||
        cause.earlier == sim::LinkCauseKind::fault_rule) {
      fate.by_rule = true;
    }
    if (event.kind == TraceKind::drop && cause.kind == sim::LinkCauseKind::random_loss) {
      fate.lost = true;
    }
    if (event.kind == TraceKind::deliver) {
      if (!segment.copy && !fate.arrival) fate.arrival = event.time;
      if (segment.copy && !fate.copy_arrival) fate.copy_arrival = event.time;
    }
  }
  Scenario plain = random;
  for (sim::LinkDirectionConfig& direction : plain.link.directions) {
    direction.loss = 0;
    direction.duplicate = 0;
    direction.reorder = {};
    direction.jitter = 0;
  }
  std::size_t number = 0;
  for (const auto& [id, fate] : sent) {
    if (fate.by_rule) continue;
    sim::FaultRule rule;
    rule.match.direction = static_cast<sim::Direction>(fate.host);
    rule.match.flags_exact = fate.flags;
    rule.match.length_min = fate.length;
    rule.match.length_max = fate.length;
    rule.match.nth = fate.nth;
    const Duration base =
        random.link.directions[static_cast<std::size_t>(fate.host)].delay;
    if (fate.lost) {
      rule.action = sim::FaultAction::drop;
    } else if (fate.arrival && *fate.arrival > fate.at + base) {
      rule.action = sim::FaultAction::delay;  // jitter, reordering: held back beyond the delay
      rule.duration = *fate.arrival - fate.at - base;
    } else if (fate.arrival && fate.copy_arrival) {
      rule.action = sim::FaultAction::duplicate;
      rule.duration = *fate.copy_arrival - *fate.arrival;
    } else {
      continue;
    }
    const char* action = rule.action == sim::FaultAction::drop    ? "drop"
                         : rule.action == sim::FaultAction::delay ? "delay"
                                                                  : "duplicate";
    rule.name = std::string(rule_prefix) + action + "-" + std::to_string(++number);
    plain.rules.push_back(std::move(rule));
  }
  plain.expect = expectations_under_faults(random.expect);
  return plain;
}

Exploration explore(const Scenario& scenario, const ExploreOptions& options,
                    const std::function<void(std::uint64_t)>& progress) {
  Exploration result;
  for (std::uint64_t seed = options.seeds.first;; ++seed) {
    if (progress) progress(seed);
    ++result.seeds_run;
    const Scenario random = with_random_faults(scenario, options, seed);
    const RunResult run = explore_run(random);
    if (run.error && run.script_error) {
      if (result.script_stopped++ == 0) {
        result.script_stopped_seed = seed;
        result.script_stopped_error = *run.error;
      }
      if (seed == options.seeds.last) break;
      continue;
    }
    std::vector<Violation> violations = check_invariants(random, run, options.invariants);
    if (!violations.empty()) {
      result.found = true;
      result.seed = seed;
      result.violation = violations.front();
      result.violations = std::move(violations);
      Scenario shrunk = concrete_scenario(random, run);
      result.rules_found = static_cast<std::size_t>(
          std::count_if(shrunk.rules.begin(), shrunk.rules.end(), is_explore_rule));
      result.bytes_before = bytes_sent(shrunk);
      result.actions_before = shrunk.timeline.size();
      Shrinker shrinker(result.violation, options);
      result.reproduced = shrinker.fails(shrunk);
      if (result.reproduced) {
        shrinker.find_cause(shrunk);
        // Each pass may make another possible (fewer bytes, fewer segments to lose).
        for (bool changed = true; changed && !shrinker.spent();) {
          changed = shrinker.shrink_rules(shrunk);
          changed = shrinker.simplify_selectors(shrunk) || changed;
          changed = shrinker.shrink_bytes(shrunk) || changed;
          changed = shrinker.shrink_timeline(shrunk) || changed;
        }
      }
      result.shrink_runs = shrinker.runs();
      result.bytes_after = bytes_sent(shrunk);
      result.actions_after = shrunk.timeline.size();
      result.shrunk_run = explore_run(shrunk);
      result.shrunk_violation = result.violation;
      for (const Violation& violation :
           check_invariants(shrunk, result.shrunk_run, options.invariants)) {
        if (violation.same_failure(result.violation)) {
          result.shrunk_violation = violation;
          break;
        }
      }
      // The invariant broken, said as an expectation, so that `tcpsim run` fails on it too
      // (an expectations failure is one of the file's own, written already).
      if (result.violation.invariant != Invariant::expectations) {
        ExpectedInvariant expected{result.violation.invariant, {}};
        expected.where.json_path = "$.expect.invariants[0]";
        shrunk.expect.invariants.push_back(expected);
      }
      std::string faults;
      for (const RandomFault fault : options.faults) {
        faults += (faults.empty() ? "" : ", ") + std::string(random_fault_name(fault));
      }
      shrunk.name = scenario.name + "-shrunk";
      shrunk.description =
          "Found by tcpsim explore in " + scenario.name + " (seed " + std::to_string(seed) +
          ", random " + faults + ") and " +
          (result.reproduced ? "shrunk" : "made concrete (the failure did not replay: unshrunk)") +
          ": the " + std::string(invariant_name(result.violation.invariant)) +
          " invariant breaks: " + result.shrunk_violation.message;
      result.shrunk = std::move(shrunk);
      return result;
    }
    if (seed == options.seeds.last) break;
  }
  return result;
}

}  // namespace tcpsim::runner
