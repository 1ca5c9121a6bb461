// Sweeps (runner/sweep.hpp), JUnit XML (runner/junit.hpp), the scenario writer
// (runner/scenario_writer.hpp), the invariants and explore (runner/invariants.hpp,
// runner/explore.hpp). The command line's own checks are in tests/cli/sweep-checks.sh.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/explore.hpp"
#include "runner/junit.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/scenario_writer.hpp"
#include "runner/sweep.hpp"
#include "runner/trace_format.hpp"

namespace runner_sweep_explore_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

Scenario shipped(const std::string& name) {
  return load_scenario_file(source_dir + "/scenarios/" + name + ".json");
}

// The trace without its first line (the run's header names the file) and its hash line.
std::string trace_body(const Scenario& scenario, const RunResult& result) {
  const std::string text = format_jsonl(scenario, result);
  const std::size_t first = text.find('\n') + 1;
  const std::size_t last = text.rfind("{\"ev\":\"end\"");
  return text.substr(first, last - first);
}

// Every timed action, the instances of the repeats held once made, in the order the run
// performs them.
std::vector<Action> flattened(const Scenario& scenario) {
  std::vector<Action> all = scenario.timeline;
  for (const RepeatedAction& repeated : scenario.repeats) {
    for (std::uint32_t k = 0; k < repeated.count; ++k) {
      repeated.make_instance(k, all.emplace_back(repeated.first));
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const Action& a, const Action& b) {
    return a.at < b.at || (a.at == b.at && a.order < b.order);
  });
  return all;
}

}  // namespace

TEST_CASE("seed ranges are FIRST..LAST, strictly") {
  std::string error;
  const auto range = parse_seed_range("5..9", error);
  REQUIRE(range);
  CHECK(range->first == 5);
  CHECK(range->last == 9);
  CHECK(range->count() == 5);
  CHECK(parse_seed_range("0..18446744073709551615", error)->last == 18446744073709551615U);
  for (const char* bad : {"", "5", "5..", "..5", "05..9", "5..09", "9..5", "5...9", "+5..9",
                          "5..9 ", "5..18446744073709551616"}) {
    INFO("'" << bad << "'");
    error.clear();
    CHECK_FALSE(parse_seed_range(bad, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("a shard is I/N, or read from Slurm's array variables and an Indexed Job's index") {
  std::map<std::string, std::string> variables;
  const auto environment = [&](const char* name) -> const char* {
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  };
  std::string error;
  const auto shard = parse_shard("2/5", environment, error);
  REQUIRE(shard);
  CHECK(shard->index == 2);
  CHECK(shard->count == 5);
  CHECK_FALSE(parse_shard("5/5", environment, error));
  CHECK_FALSE(parse_shard("slurm", environment, error));
  CHECK(error.find("SLURM_ARRAY_TASK_ID is not set") != std::string::npos);
  variables = {{"SLURM_ARRAY_TASK_ID", "12"}, {"SLURM_ARRAY_TASK_MIN", "10"},
               {"SLURM_ARRAY_TASK_COUNT", "4"}};
  REQUIRE(parse_shard("slurm", environment, error));
  CHECK(parse_shard("slurm", environment, error)->index == 2);
  CHECK(parse_shard("slurm", environment, error)->count == 4);
  variables = {{"JOB_COMPLETION_INDEX", "3"}};
  REQUIRE(parse_shard("kubernetes/4", environment, error));
  CHECK(parse_shard("kubernetes/4", environment, error)->index == 3);
  CHECK_FALSE(parse_shard("kubernetes/3", environment, error));
  CHECK_FALSE(parse_shard("kubernetes", environment, error));
}

TEST_CASE("shards partition the cases, and every combination of values runs") {
  const std::vector<SweepParameter> parameters = {
      {"nagle", {{0, false}, {1, false}}}, {"mss", {{100, false}, {200, false}, {300, false}}}};
  const auto combinations = parameter_combinations(parameters);
  REQUIRE(combinations.size() == 6);
  using Settings = std::vector<KnobSetting>;
  CHECK(combinations.front() == Settings{{"nagle", {0, false}}, {"mss", {100, false}}});
  CHECK(combinations.back() == Settings{{"nagle", {1, false}}, {"mss", {300, false}}});
  CHECK(parameter_combinations({}).size() == 1);
  const SeedRange seeds{7, 19};
  const auto all = sweep_cases(6, seeds, {});
  CHECK(all.size() == 6 * 13);
  std::multiset<std::pair<std::size_t, std::uint64_t>> from_shards;
  for (std::uint64_t index = 0; index < 4; ++index) {
    for (const SweepCase& item : sweep_cases(6, seeds, {index, 4})) {
      from_shards.insert({item.variant, item.seed});
    }
  }
  std::multiset<std::pair<std::size_t, std::uint64_t>> whole;
  for (const SweepCase& item : all) whole.insert({item.variant, item.seed});
  CHECK(from_shards == whole);
}

TEST_CASE("a sweep case is the same line on any thread, with its knobs applied") {
  SweepVariant variant{shipped("lost-final-ack-no-time-wait"), "fnv1a64:0", {}};
  const SweepOutcome passing = run_sweep_case(variant, 3);
  CHECK(passing.passed);
  CHECK(passing.line.find("\"result\":\"pass\",\"failure\":null") != std::string::npos);
  SweepVariant with_time_wait = variant;
  with_time_wait.settings = {{"time_wait", {240'000'000'000, false}}};
  apply_knob_settings(with_time_wait.scenario, with_time_wait.settings);
  CHECK(with_time_wait.scenario.hosts[0].tcp.time_wait == 240 * second);
  const SweepOutcome failing = run_sweep_case(with_time_wait, 3);
  CHECK_FALSE(failing.passed);
  CHECK(failing.line.find("\"parameters\":{\"time_wait\":\"4min\"}") != std::string::npos);
  CHECK(failing.line.find("\"at\":\"$.expect.states.c1\"") != std::string::npos);
  // Runs on two threads at once give the lines of one thread.
  std::vector<std::string> lines(8);
  std::thread other([&] {
    for (std::size_t index = 0; index < 4; ++index) {
      lines[index] = run_sweep_case(variant, index).line;
    }
  });
  for (std::size_t index = 4; index < 8; ++index) {
    lines[index] = run_sweep_case(variant, index - 4).line;
  }
  other.join();
  for (std::size_t index = 0; index < 4; ++index) CHECK(lines[index] == lines[index + 4]);
}

TEST_CASE("JUnit XML escapes what XML cannot hold and counts the cases") {
  const std::string xml = junit_xml(
      "suite <1>", {{JunitCase::Result::passed, "a&b", "ok", "", ""},
                    {JunitCase::Result::failed, "c", "\"quoted\"", "first\x1b[31m", "one\ntwo <"},
                    {JunitCase::Result::error, "d", "e", "could not run", ""},
                    {JunitCase::Result::skipped, "f", "g", "why", ""}});
  CHECK(xml.find("name=\"suite &lt;1&gt;\" tests=\"4\" failures=\"1\" errors=\"1\" "
                 "skipped=\"1\"") != std::string::npos);
  CHECK(xml.find("classname=\"a&amp;b\" name=\"ok\"/>") != std::string::npos);
  CHECK(xml.find("<failure message=\"first\\x1b[31m\">one\ntwo &lt;</failure>") !=
        std::string::npos);
  CHECK(xml.find("name=\"&quot;quoted&quot;\"") != std::string::npos);
  CHECK(xml.find("<skipped message=\"why\"/>") != std::string::npos);
  CHECK(xml.find('\x1b') == std::string::npos);
}

TEST_CASE("the scenario writer writes every shipped scenario: load, write, load gives the same "
          "scenario and the same run") {
  std::size_t written = 0;
  std::size_t with_inject = 0;
  std::size_t with_reactions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    Scenario scenario = load_scenario_file(entry.path().string());
    scenario.expect = expectations_under_faults(scenario.expect);  // what the writer writes
    std::string error;
    const auto json = write_scenario_json(scenario, error);
    INFO(entry.path().filename().string() << ": " << error);
    REQUIRE(json);
    INFO(*json);
    const Scenario again = load_scenario_text(*json, "written.json");
    // The same scenario: written again, the same text; the same actions; the same run.
    const auto rewritten = write_scenario_json(again, error);
    REQUIRE(rewritten);
    CHECK(*rewritten == *json);
    CHECK(again.timeline.size() == scenario.timeline.size());
    CHECK(again.repeats.size() == scenario.repeats.size());
    CHECK(again.reactions.size() == scenario.reactions.size());
    CHECK(again.description_zh == scenario.description_zh);
    for (std::size_t host = 0; host < 2; ++host) {
      CHECK(again.hosts[host].label == scenario.hosts[host].label);
    }
    CHECK(trace_body(scenario, run_scenario(scenario)) == trace_body(again, run_scenario(again)));
    const auto injects = [](const Scenario& of) {
      const std::vector<Action> all = flattened(of);
      return std::count_if(all.begin(), all.end(),
                           [](const Action& action) { return action.kind == ActionKind::inject; });
    };
    CHECK(injects(again) == injects(scenario));
    with_inject += injects(scenario) > 0 ? 1 : 0;
    with_reactions += scenario.reactions.empty() ? 0 : 1;
    ++written;
  }
  CHECK(written > 80);
  CHECK(with_inject >= 10);
  CHECK(with_reactions >= 5);
}

TEST_CASE("the scenario writer writes every key of inject and on") {
  const std::string text = R"({
    "tcpsim": 1, "name": "writer-keys", "description": "Every inject and on key.",
    "hosts": [ { "name": "client", "address": "10.0.0.1", "label": "the client" },
               { "name": "server", "address": "10.0.0.2" } ],
    "timeline": [
      { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
      { "at": "10ms", "host": "client", "action": "connect", "to": "server", "port": 80,
        "name": "c1" },
      { "at": "100ms", "host": "client", "action": "send", "connection": "c1", "data": "hi",
        "id": "hello" },
      { "at": "200ms", "action": "inject", "relative_to": "web#1", "flags": "ACK", "seq": -3,
        "ack": 1, "window": 100, "bytes": 5 },
      { "at": "210ms", "action": "inject", "from": "198.18.0.1:4000", "to": "server:80",
        "flags": "SYN", "seq": 7, "mss": 1000, "ws": 3, "sack_permitted": true, "tsval": 5,
        "tsecr": 0, "data": "x", "via": "direct" },
      { "at": "220ms", "action": "inject", "relative_to": "web#1", "to": "server",
        "flags": "", "seq": 0, "data": "p{i}", "repeat": { "count": 2, "every": "1ms",
        "ports": { "first": 5000 } } },
      { "at": "230ms", "action": "inject", "from": "198.18.0.1:1000", "to": "server:80",
        "flags": "SYN", "seq": 1, "repeat": { "count": 3, "every": "1ms",
        "addresses": { "first": "198.18.0.1" }, "ports": { "first": 1000, "last": 1001 } } },
      { "on": { "connection": "web#1", "event": "accepted" }, "after": "5ms", "id": "greet",
        "host": "server", "action": "send", "connection": "web#1", "bytes": 3 },
      { "on": { "connection": "c1", "state": "ESTABLISHED" }, "host": "client",
        "action": "send", "connection": "c1", "data": "up" },
      { "on": { "action": "greet" }, "host": "server", "action": "close",
        "connection": "web#1" },
      { "on": { "action": "hello" }, "after": "1ms", "host": "client", "action": "close",
        "connection": "c1" }
    ],
    "stop_at": "2s",
    "expect": { "final_states": { "c1": "TIME_WAIT" } }
  })";
  const Scenario scenario = load_scenario_text(text, "keys.json");
  std::string error;
  const auto json = write_scenario_json(scenario, error);
  REQUIRE(json);
  INFO(*json);
  CHECK(json->find(R"("on": { "connection": "web#1", "event": "accepted" }, "after": "5ms")") !=
        std::string::npos);
  CHECK(json->find(R"("on": { "action": "greet" })") != std::string::npos);
  CHECK(json->find(R"("from": "198.18.0.1:4000", "to": "server:80", "flags": "SYN", "seq": 7, )"
                   R"("mss": 1000, "ws": 3, "sack_permitted": true, "tsval": 5, "tsecr": 0, )"
                   R"("data": "x", "via": "direct")") != std::string::npos);
  CHECK(json->find(R"("relative_to": "web#1", "to": "server", "flags": "ACK", "seq": -3, )"
                   R"("ack": 1, "window": 100, "bytes": 5)") != std::string::npos);
  // A repeat's port on an inject without "from": written as a repeat of one.
  CHECK(json->find(R"("repeat": { "count": 1, "ports": { "first": 5001 } })") !=
        std::string::npos);
  // A repeat held once (copies of an inject), as a repeat.
  CHECK(json->find(R"("from": "198.18.0.1:1000", "to": "server:80", "flags": "SYN", "seq": 1, )"
                   R"("repeat": { "count": 3, "every": "1ms", "ports": { "first": 1000, )"
                   R"("last": 1001 }, "addresses": { "first": "198.18.0.1", )"
                   R"("last": "198.18.0.3" } } })") != std::string::npos);
  const Scenario again = load_scenario_text(*json, "written.json");
  REQUIRE(again.reactions.size() == scenario.reactions.size());
  // The one held, and "p1", "p2" each written as a repeat of one.
  REQUIRE(again.repeats.size() == 3);
  CHECK(again.repeats[2].count == 3);
  CHECK(again.repeats[2].port_span == 2);
  CHECK(again.repeats[2].address_span == 3);
  CHECK(again.repeats[2].first.at == scenario.repeats[0].first.at);
  const std::vector<Action> actions = flattened(scenario);
  const std::vector<Action> actions_again = flattened(again);
  REQUIRE(actions_again.size() == actions.size());
  for (std::size_t index = 0; index < actions.size(); ++index) {
    const InjectSpec& before = actions[index].inject;
    const InjectSpec& after = actions_again[index].inject;
    CHECK(actions_again[index].at == actions[index].at);
    CHECK(actions_again[index].kind == actions[index].kind);
    CHECK(after.from_port == before.from_port);
    CHECK(after.from_address == before.from_address);
    CHECK(after.to_port == before.to_port);
    CHECK(after.seq == before.seq);
    CHECK(after.ack == before.ack);
    CHECK(after.has_timestamps == before.has_timestamps);
    CHECK(after.direct == before.direct);
    CHECK(actions_again[index].host == actions[index].host);
  }
  for (std::size_t index = 0; index < scenario.reactions.size(); ++index) {
    CHECK(again.reactions[index].after == scenario.reactions[index].after);
    CHECK(trigger_text(*again.reactions[index].on) == trigger_text(*scenario.reactions[index].on));
  }
  CHECK(again.hosts[0].label == "the client");
  CHECK(trace_body(scenario, run_scenario(scenario)) == trace_body(again, run_scenario(again)));
}

TEST_CASE("concrete fault rules replay a run under random faults") {
  // One rule acts on a segment, so a segment both delayed and duplicated cannot be said
  // exactly (docs/explore.md): each fault alone, and loss with delay, replay exactly.
  using Faults = std::vector<RandomFault>;
  const auto faults = GENERATE(Faults{RandomFault::loss}, Faults{RandomFault::duplicate},
                               Faults{RandomFault::reorder}, Faults{RandomFault::delay},
                               Faults{RandomFault::loss, RandomFault::delay});
  ExploreOptions options;
  options.faults = faults;
  const Scenario base = shipped("orderly-close-no-time-wait");
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    INFO("seed " << seed << ", " << faults.size() << " faults, first "
                 << random_fault_name(faults.front()));
    const Scenario random = with_random_faults(base, options, seed);
    const RunResult run = explore_run(random);
    const Scenario plain = concrete_scenario(random, run);
    for (const auto& direction : plain.link.directions) {
      CHECK(direction.loss == 0);
      CHECK(direction.jitter == 0);
    }
    const RunResult replay = explore_run(plain);
    REQUIRE(replay.connections.size() == run.connections.size());
    for (std::size_t index = 0; index < run.connections.size(); ++index) {
      CHECK(replay.connections[index].states == run.connections[index].states);
    }
    CHECK(replay.end_time == run.end_time);
    CHECK(replay.segments_sent == run.segments_sent);
  }
}

TEST_CASE("invariants: each catches what it names") {
  const Scenario scenario = shipped("orderly-close-no-time-wait");
  const RunResult clean = explore_run(scenario);
  CHECK(check_invariants(scenario, clean, all_invariants()).empty());
  RunResult stuck = clean;
  for (ConnectionRecord& record : stuck.connections) {
    if (record.name == "web#1") record.states.push_back(tcp::State::last_ack);
  }
  auto found = check_invariants(scenario, stuck, {Invariant::progress});
  REQUIRE(found.size() == 1);
  CHECK(found[0].subject == "web#1");
  CHECK(found[0].message.find("web#1 is left in LAST_ACK") != std::string::npos);
  RunResult lost = clean;
  for (ConnectionRecord& record : lost.connections) {
    if (record.name == "c1") std::erase_if(record.app_events, [](const AppEventRecord& event) {
        return event.kind == tcp::AppEventKind::data;
      });
  }
  found = check_invariants(scenario, lost, {Invariant::delivery});
  REQUIRE(found.size() == 2);  // neither the writer nor the reader was told
  CHECK(found[0].subject == "web#1 to c1");
  CHECK(found[0].message.find("0 of 300 bytes arrived, and web#1") != std::string::npos);
  CHECK(found[1].message.find("0 of 300 bytes arrived, and c1") != std::string::npos);
  RunResult storm = clean;
  const TraceEvent send =
      *std::find_if(storm.trace.begin(), storm.trace.end(),
                    [](const TraceEvent& event) { return event.kind == TraceKind::send; });
  storm.trace.insert(storm.trace.end(), ack_storm_base + 4 * 400, send);
  found = check_invariants(scenario, storm, {Invariant::ack_storm});
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("segments sent for 318 bytes written") != std::string::npos);
  CHECK(find_invariant("ack_storm") == Invariant::ack_storm);
  CHECK_FALSE(find_invariant("storm"));
}

TEST_CASE("the invariants expectation fails on the violation it names, and only on it") {
  // What explore writes into a shrunk repro (docs/explore.md): `tcpsim run` checks the named
  // invariant with the same code, on the same run.
  Scenario scenario = shipped("orderly-close-no-time-wait");
  const RunResult clean = explore_run(scenario);
  const auto doctored = [&](Invariant invariant) {
    RunResult run = clean;
    switch (invariant) {
      case Invariant::delivery:  // c1 never receives the reply
        for (ConnectionRecord& record : run.connections) {
          if (record.name == "c1") std::erase_if(record.app_events, [](const auto& event) {
              return event.kind == tcp::AppEventKind::data;
            });
        }
        break;
      case Invariant::progress:  // web#1 stuck in LAST_ACK
        for (ConnectionRecord& record : run.connections) {
          if (record.name == "web#1") record.states.push_back(tcp::State::last_ack);
        }
        break;
      case Invariant::ack_storm: {
        const TraceEvent send =
            *std::find_if(run.trace.begin(), run.trace.end(),
                          [](const TraceEvent& event) { return event.kind == TraceKind::send; });
        run.trace.insert(run.trace.end(), ack_storm_base + 4 * 400, send);
        break;
      }
      case Invariant::window:  // a data segment over the MSS
        for (TraceEvent& event : run.trace) {
          if (event.kind == TraceKind::send && event.segment.length > 0) {
            event.segment.length = 100'000;
            break;
          }
        }
        break;
      case Invariant::expectations: break;
    }
    return run;
  };
  for (const Invariant invariant : all_invariants()) {
    if (invariant == Invariant::expectations) continue;
    const std::string name(invariant_name(invariant));
    INFO(name);
    scenario.expect = {};  // only the invariant: the file's own would see the doctoring too
    ExpectedInvariant expected{invariant, {}};
    expected.where.json_path = "$.expect.invariants[0]";
    scenario.expect.invariants.push_back(expected);
    CHECK(check_expectations(scenario, clean).empty());
    const RunResult broken = doctored(invariant);
    const std::vector<Violation> violations = check_invariants(scenario, broken, {invariant});
    REQUIRE_FALSE(violations.empty());
    const auto failures = check_expectations(scenario, broken);
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].where.json_path == "$.expect.invariants[0]");
    CHECK(failures[0].message.starts_with("the " + name + " invariant is broken: " +
                                          violations.front().message));
    // Written and read back: the key survives the writer and the loader.
    std::string error;
    const auto json = write_scenario_json(scenario, error);
    REQUIRE(json);
    CHECK(json->find(R"("invariants": [ ")" + name + R"(" ])") != std::string::npos);
    const Scenario again = load_scenario_text(*json, "again.json");
    REQUIRE(again.expect.invariants.size() == 1);
    CHECK(again.expect.invariants[0].invariant == invariant);
    CHECK(again.expect.invariants[0].where.json_path == "$.expect.invariants[0]");
  }
}

TEST_CASE("delivery: a stream cut off by stop_at while a timer of its ends is pending is not a "
          "failure, but one at rest is") {
  // explore found this in window-scaling: the SYN-ACK lost, the client's byte waits in SYN_SENT
  // for the SYN's retransmission, which stop_at cuts off.
  const std::string text = R"({
    "tcpsim": 1, "name": "cut", "description": "A handshake cut off by stop_at.",
    "hosts": [ { "name": "client", "address": "10.0.0.1" },
               { "name": "server", "address": "10.0.0.2" } ],
    "faults": [ { "name": "lose-syn-ack", "match": { "from": "server", "flags": "SYN,ACK" },
                  "action": "drop" } ],
    "timeline": [
      { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
      { "at": "1ms", "host": "client", "action": "connect", "to": "server", "port": 80,
        "name": "c1" },
      { "at": "2ms", "host": "client", "action": "send", "connection": "c1", "data": "x" }
    ],
    "stop_at": "800ms"
  })";
  const Scenario cut = load_scenario_text(text, "cut.json");
  const RunResult run = explore_run(cut);
  REQUIRE(run.find_connection("c1") != nullptr);
  CHECK(run.find_connection("c1")->final_state() == tcp::State::syn_sent);
  CHECK(check_invariants(cut, run, all_invariants()).empty());
  // The byte lost after the handshake instead: the client retransmits at 1s, after the cut.
  std::string data_lost = text;
  data_lost.replace(data_lost.find(R"("from": "server", "flags": "SYN,ACK")"),
                    std::string(R"("from": "server", "flags": "SYN,ACK")").size(),
                    R"("from": "client", "length": 1)");
  data_lost.replace(data_lost.find(R"("at": "2ms")"), 11, R"("at": "99ms")");
  const Scenario cut_data = load_scenario_text(data_lost, "cut-data.json");
  const RunResult data_run = explore_run(cut_data);
  CHECK(data_run.find_connection("web#1")->final_state() == tcp::State::established);
  CHECK(check_invariants(cut_data, data_run, all_invariants()).empty());
  // What arrived is still judged: a byte that arrives twice is a failure, cut or not.
  RunResult doubled = data_run;
  for (ConnectionRecord& record : doubled.connections) {
    if (record.name != "web#1") continue;
    for (int copy = 0; copy < 2; ++copy) {
      record.app_events.push_back({0, tcp::AppEventKind::data, {'x'}, 1, tcp::Rule::none});
    }
  }
  const auto found = check_invariants(cut_data, doubled, {Invariant::delivery});
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("received bytes differ") != std::string::npos);
  // A stream at rest at the end (no timer pending) is judged whole, stop_at or not.
  Scenario resting = shipped("orderly-close-no-time-wait");
  RunResult lost = explore_run(resting);
  resting.stop_at = lost.end_time + second;
  lost.end_time = *resting.stop_at;
  for (ConnectionRecord& record : lost.connections) {
    if (record.name == "c1") std::erase_if(record.app_events, [](const AppEventRecord& event) {
        return event.kind == tcp::AppEventKind::data;
      });
  }
  CHECK(check_invariants(resting, lost, {Invariant::delivery}).size() == 2);
  // Where explore found it: window-scaling under random loss broke "delivery" within 20 seeds.
  ExploreOptions options;
  options.seeds = {1, 20};
  const Exploration window_scaling = explore(shipped("window-scaling"), options);
  INFO(window_scaling.violation.message);
  CHECK_FALSE(window_scaling.found);
}

TEST_CASE("a crash ends every connection of its host: CLOSED, lost in the crash, and explore "
          "finds no failure in it") {
  // The host frees its TCBs itself when it crashes; the records of them once stayed in their
  // last state (c1 "left in SYN_SENT with nothing left to happen", explore said).
  std::vector<std::string> crashing;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir + "/scenarios")) {
    const std::string path = entry.path().string();
    if (!path.ends_with(".json")) continue;
    const Scenario scenario = load_scenario_file(path);
    if (std::any_of(scenario.timeline.begin(), scenario.timeline.end(),
                    [](const Action& action) { return action.kind == ActionKind::crash; })) {
      crashing.push_back(entry.path().stem().string());
    }
  }
  std::sort(crashing.begin(), crashing.end());
  REQUIRE(crashing.size() >= 6);
  for (const std::string& name : crashing) {
    INFO(name);
    const Scenario scenario = shipped(name);
    std::set<int> crashed;
    for (const Action& action : scenario.timeline) {
      if (action.kind == ActionKind::crash) crashed.insert(action.host);
    }
    const RunResult run = explore_run(scenario);
    for (const ConnectionRecord& record : run.connections) {
      if (!crashed.contains(record.host)) continue;
      INFO(record.name);
      CHECK(record.lost_in_crash);
      CHECK(record.freed);
      CHECK(record.final_state() == tcp::State::closed);
    }
    CHECK(check_invariants(scenario, run, all_invariants()).empty());
    // Under random loss the scenario's own expectations may fail (they describe one network);
    // what must hold on any network holds.
    ExploreOptions options;
    options.seeds = {1, 5};
    options.invariants = {Invariant::delivery, Invariant::progress, Invariant::ack_storm,
                          Invariant::window};
    const Exploration found = explore(scenario, options);
    INFO(found.violation.message);
    CHECK_FALSE(found.found);
  }
}

TEST_CASE("explore judges who is whose peer and which closes were made from the run") {
  // blind-rst-resets under loss, seed 1: the SYN-ACK of web#1 lost, an injected RST sends it
  // back to LISTEN, and the client's retransmitted SYN opens web#2 with the same fixed ISN.
  // c1's peer is web#2, the one it synchronized with: pairing by ISNs alone took web#1, and
  // explore reported c1's bytes as never delivered.
  ExploreOptions options;
  options.seeds = {1, 1};
  options.invariants = {Invariant::delivery, Invariant::progress, Invariant::ack_storm,
                        Invariant::window};
  for (const char* name : {"blind-rst-resets", "blind-syn-resets", "old-duplicate-data-paws"}) {
    INFO(name);
    const Exploration found = explore(shipped(name), options);
    INFO(found.violation.message);
    CHECK_FALSE(found.found);
  }
  // server-closes-first under loss, seed 1: the server's timed close came before its
  // connection existed (the SYN was lost) and failed; web#1 then waits in CLOSE_WAIT for an
  // application that never closed it, which is no failure of TCP's.
  const Scenario server_first = shipped("server-closes-first");
  const Exploration found = explore(server_first, options);
  INFO(found.violation.message);
  CHECK_FALSE(found.found);
  // What a real failure of the delivery invariant looks like, and still is one: without
  // TIME_WAIT an old duplicate's data is taken by the next incarnation (seed 2).
  ExploreOptions data_options = options;
  data_options.seeds = {2, 2};
  const Exploration corrupted = explore(shipped("old-duplicate-data-no-time-wait"), data_options);
  REQUIRE(corrupted.found);
  CHECK(corrupted.violation.invariant == Invariant::delivery);
  CHECK(corrupted.violation.subject == "new to web#2");
}

TEST_CASE("a seed whose faults stop the script is not judged") {
  // established-ack-of-unsent-data injects relative to c1 at 400 ms; under loss, seed 1, c1's
  // SYN-ACK is lost and c1 has no IRS yet: the run stops with the script's error, which is
  // neither a failure of TCP nor the scenario's story.
  ExploreOptions options;
  options.seeds = {1, 3};
  options.invariants = {Invariant::delivery, Invariant::progress, Invariant::ack_storm,
                        Invariant::window};
  const Scenario scenario = shipped("established-ack-of-unsent-data");
  const RunResult stopped = explore_run(with_random_faults(scenario, options, 1));
  REQUIRE(stopped.error);
  CHECK(stopped.script_error);
  const Exploration found = explore(scenario, options);
  CHECK_FALSE(found.found);
  CHECK(found.seeds_run == 3);
  CHECK(found.script_stopped == 1);
  CHECK(found.script_stopped_seed == 1);
  CHECK(found.script_stopped_error.find("it has no IRS yet") != std::string::npos);
  // A budget that runs out is no script error: the run is judged (and fails on progress).
  Scenario storm = scenario;
  storm.event_budget = 5;
  const RunResult over = explore_run(storm);
  REQUIRE(over.error);
  CHECK_FALSE(over.script_error);
  CHECK_FALSE(check_invariants(storm, over, {Invariant::progress}).empty());
}

TEST_CASE("explore shrinks the reset of an orderly close without TIME_WAIT to one lost ACK") {
  ExploreOptions options;
  options.seeds = {1, 100};
  const Exploration found = explore(shipped("orderly-close-no-time-wait"), options);
  REQUIRE(found.found);
  REQUIRE(found.reproduced);
  CHECK(found.violation.invariant == Invariant::expectations);
  CHECK(found.violation.subject == "$.expect.never[0]");
  REQUIRE(found.shrunk.rules.size() == 1);
  const sim::FaultRule& rule = found.shrunk.rules[0];
  CHECK(rule.action == sim::FaultAction::drop);
  CHECK(rule.match.direction == sim::Direction::forward);
  CHECK(rule.match.flags_exact == tcp::flag::ack);
  CHECK(found.bytes_after == 0);
  CHECK(found.actions_after == 4);
  // The written scenario replays it.
  std::string error;
  const auto json = write_scenario_json(found.shrunk, error);
  REQUIRE(json);
  const Scenario again = load_scenario_text(*json, "shrunk.json");
  CHECK(again.expect.invariants.empty());  // the file's own expectation says it
  const auto violations = check_invariants(again, explore_run(again), all_invariants());
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].same_failure(found.violation));
}

TEST_CASE("explore's smaller or shorter scenario still needs its faults to fail") {
  // blind-syn-challenge-ack under loss, seed 1: the server's SYN-ACK lost, the injected SYN
  // reaches web#1 in SYN_RCVD and sends it back to LISTEN. Shrinking the timeline moved the
  // connect to 1 ms and the inject to 14 ms, where it arrives before the handshake's ACK on a
  // perfect network too: the repro failed with no fault rule at all. A bytes or timeline step is kept only when the
  // candidate fails with its rules and passes without them (docs/explore.md).
  const auto is_explore_rule = [](const sim::FaultRule& rule) {
    return rule.name.starts_with("explore-");
  };
  const auto explore_rules = [&](const Scenario& scenario) {
    return std::count_if(scenario.rules.begin(), scenario.rules.end(), is_explore_rule);
  };
  const auto without_explore_rules = [&](Scenario scenario) {
    std::erase_if(scenario.rules, is_explore_rule);
    return scenario;
  };
  ExploreOptions options;
  options.seeds = {1, 100};
  const Exploration found = explore(shipped("blind-syn-challenge-ack"), options);
  REQUIRE(found.found);
  REQUIRE(found.reproduced);
  CHECK(found.seed == 1);
  CHECK(found.violation.subject == "$.expect.final_states[\"web#1\"]");
  CHECK(explore_rules(found.shrunk) >= 1);
  CHECK(found.bytes_after < found.bytes_before);  // it still shrank
  std::string error;
  const auto json = write_scenario_json(found.shrunk, error);
  REQUIRE(json);
  const Scenario again = load_scenario_text(*json, "shrunk.json");
  const auto violations = check_invariants(again, explore_run(again), all_invariants());
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].same_failure(found.violation));
  Scenario unfaulted = again;
  unfaulted.rules.clear();
  const auto without = check_invariants(unfaulted, explore_run(unfaulted), all_invariants());
  INFO((without.empty() ? std::string() : without.front().message));
  CHECK(without.empty());

  // A scenario whose own rules are its story (a SYN held until 3 s) and which fails its own
  // expectations without them: the repro keeps explore's rule (the SYN-ACK lost) and passes
  // without explore's rules, its own kept, as the shipped scenario does.
  const Exploration stale = explore(shipped("two-way-handshake-stale-syn"), options);
  REQUIRE(stale.found);
  REQUIRE(stale.reproduced);
  CHECK(explore_rules(stale.shrunk) >= 1);
  CHECK(stale.bytes_after < stale.bytes_before);
  const Scenario own = without_explore_rules(stale.shrunk);
  CHECK_FALSE(own.rules.empty());
  CHECK(check_invariants(own, explore_run(own), all_invariants()).empty());

  // A scenario whose own rules are the fault (without TIME_WAIT, a wandering old duplicate's
  // data reaches the next incarnation; explore's random losses all go): the repro passes once
  // every rule is gone, as the CLI's explore-repro check runs it.
  ExploreOptions delivery = options;
  delivery.seeds = {2, 2};
  delivery.invariants = {Invariant::delivery};
  const Exploration wandering = explore(shipped("old-duplicate-data-no-time-wait"), delivery);
  REQUIRE(wandering.found);
  REQUIRE(wandering.reproduced);
  CHECK(explore_rules(wandering.shrunk) == 0);
  Scenario plain = wandering.shrunk;
  CHECK_FALSE(check_invariants(plain, explore_run(plain), delivery.invariants).empty());
  plain.rules.clear();
  CHECK(check_invariants(plain, explore_run(plain), delivery.invariants).empty());

  // A scenario that breaks with no fault at all (the inject at 112 ms, inside the handshake):
  // there is no fault to keep as the cause, and it shrinks on the failure alone.
  // Its first send goes, so that the timeline stays in time order.
  Scenario early = shipped("blind-syn-challenge-ack");
  early.timeline.erase(early.timeline.begin() + 2);
  REQUIRE(early.timeline[2].kind == ActionKind::inject);
  early.timeline[2].at = 112 * millisecond;
  REQUIRE_FALSE(check_invariants(early, explore_run(early), all_invariants()).empty());
  ExploreOptions one = options;
  one.seeds = {1, 1};
  const Exploration alone = explore(early, one);
  REQUIRE(alone.found);
  REQUIRE(alone.reproduced);
  CHECK(explore_rules(alone.shrunk) == 0);
  CHECK(alone.bytes_after == 0);
}

}  // namespace runner_sweep_explore_tests
