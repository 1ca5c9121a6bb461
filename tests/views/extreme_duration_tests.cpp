// Every duration a scenario can give the TCP knobs, the link and the fault rules, set one at a
// time to the largest value the loader accepts, in a short run: handshake, data, keepalive
// probes, a close after an hour. The rule of docs/design.md ("Time"): a deadline past the end of
// representable time is never, so no deadline in the trace is negative or in the past, the run
// ends normally (no event budget exhausted by a timer firing every nanosecond), and the views
// print only real times. The keys come from docs/scenario.schema.json, so a new duration knob is
// tested without being listed here.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"
#include "views/ladder.hpp"

namespace views_extreme_duration_tests {

#ifndef TCPSIM_SOURCE_DIR
#define TCPSIM_SOURCE_DIR "."
#endif

namespace {

using namespace tcpsim;
using namespace tcpsim::runner;
using tcpsim::views::format_ladder;
using tcpsim::views::LadderOptions;
using Json = nlohmann::json;

Json read_schema() {
  std::ifstream file(std::string(TCPSIM_SOURCE_DIR) + "/docs/scenario.schema.json");
  REQUIRE(file);
  return Json::parse(file);
}

// The properties of `$defs/definition` whose value is a duration (or a positive one).
std::vector<std::string> duration_keys(const Json& schema, const std::string& definition) {
  std::vector<std::string> keys;
  for (const auto& [key, property] : schema.at("$defs").at(definition).at("properties").items()) {
    const std::string reference = property.value("$ref", "");
    if (reference == "#/$defs/duration" || reference == "#/$defs/positive_duration") {
      keys.push_back(key);
    }
  }
  return keys;
}

// Handshake at 100 ms, data at 1 s, keepalive on both sides with probes from 20 min on (so
// the idle time and the interval both matter), the client's close after an hour, the server's a
// minute later; TIME_WAIT and everything else at its default.
Json base_scenario() {
  return Json::parse(R"({
    "tcpsim": 1,
    "name": "extreme-duration",
    "description": "One duration at its largest accepted value.",
    "link": { "delay": "50ms" },
    "hosts": [
      { "name": "client", "address": "10.0.0.1",
        "tcp": { "keepalive": true, "keepalive_idle": "20min" } },
      { "name": "server", "address": "10.0.0.2",
        "tcp": { "keepalive": true, "keepalive_idle": "20min" } }
    ],
    "faults": [],
    "timeline": [
      { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
      { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
        "name": "c1" },
      { "at": "1s", "host": "client", "action": "send", "connection": "c1", "data": "hello" },
      { "at": "2s", "host": "server", "action": "send", "connection": "web#1", "data": "world" },
      { "at": "1h", "host": "client", "action": "close", "connection": "c1" },
      { "at": "61min", "host": "server", "action": "close", "connection": "web#1" }
    ]
  })");
}

// One place a duration goes: `place(scenario, value)` writes it.
struct Case {
  std::string name;
  std::function<void(Json&, const std::string&)> place;
};

bool accepted(const Json& scenario) {
  try {
    load_scenario_text(scenario.dump(), "extreme.json");
    return true;
  } catch (const ScenarioError&) {
    return false;
  }
}

std::string nanoseconds(std::int64_t value) { return std::to_string(value) + "ns"; }

// The largest duration the loader accepts at this place, by bisection from a small accepted
// one (rto_max must be at least rto_min, 1 s).
std::int64_t largest_accepted(const Case& c) {
  const auto accepts = [&](std::int64_t value) {
    Json scenario = base_scenario();
    c.place(scenario, nanoseconds(value));
    return accepted(scenario);
  };
  std::int64_t low = 0;
  for (const std::int64_t small : {nanosecond, millisecond, second, minute}) {
    if (accepts(small)) {
      low = small;
      break;
    }
  }
  INFO(c.name);
  REQUIRE(low > 0);
  std::int64_t high = std::numeric_limits<std::int64_t>::max();
  if (accepts(high)) return high;
  while (high - low > 1) {  // accepts(low), !accepts(high)
    const std::int64_t middle = low + (high - low) / 2;
    (accepts(middle) ? low : high) = middle;
  }
  return low;
}

std::vector<Case> every_duration(const Json& schema) {
  std::vector<Case> cases;
  const std::vector<std::string> tcp_keys = duration_keys(schema, "tcp");
  const std::vector<std::string> link_keys = duration_keys(schema, "link");
  const std::vector<std::string> direction_keys = duration_keys(schema, "link_direction");
  const std::vector<std::string> reorder_keys = duration_keys(schema, "reorder");
  const std::vector<std::string> fault_keys = duration_keys(schema, "fault");
  const std::vector<std::string> match_keys = duration_keys(schema, "match");
  // The schema really lists them (a renamed $defs entry must not make this test vacuous).
  REQUIRE(tcp_keys.size() >= 10);
  REQUIRE(link_keys.size() >= 3);
  REQUIRE(direction_keys.size() >= 2);
  REQUIRE(reorder_keys.size() == 1);
  REQUIRE(fault_keys.size() == 2);
  REQUIRE(match_keys.size() == 2);

  for (const std::string& key : tcp_keys) {
    for (int host = 0; host < 2; ++host) {
      cases.push_back({"hosts[" + std::to_string(host) + "].tcp." + key,
                       [key, host](Json& scenario, const std::string& value) {
                         scenario["hosts"][host]["tcp"][key] = value;
                       }});
    }
  }
  for (const std::string& key : link_keys) {
    cases.push_back({"link." + key, [key](Json& scenario, const std::string& value) {
                       scenario["link"][key] = value;
                     }});
  }
  for (const char* direction : {"forward", "backward"}) {
    const std::string name = direction;
    for (const std::string& key : direction_keys) {
      cases.push_back({"link." + name + "." + key,
                       [key, name](Json& scenario, const std::string& value) {
                         scenario["link"][name][key] = value;
                       }});
    }
  }
  for (const std::string& key : reorder_keys) {
    cases.push_back({"link.reorder." + key, [key](Json& scenario, const std::string& value) {
                       scenario["link"]["reorder"] = {{"probability", 0.5}, {key, value}};
                     }});
  }
  // A fault rule's duration, for every action that takes it, on the client's data.
  for (const std::string& key : fault_keys) {
    for (const char* action : {"drop", "delay", "duplicate", "hold"}) {
      const std::string act = action;
      const auto place = [key, act](Json& scenario, const std::string& value) {
        scenario["faults"].push_back({{"name", "extreme"},
                                      {"match", {{"from", "client"}, {"length_min", 1}}},
                                      {"action", act},
                                      {key, value}});
      };
      Json probe = base_scenario();
      place(probe, "1ns");
      if (accepted(probe)) cases.push_back({"faults[0]." + key + " (" + act + ")", place});
    }
  }
  for (const std::string& key : match_keys) {
    cases.push_back({"faults[0].match." + key, [key](Json& scenario, const std::string& value) {
                       scenario["faults"].push_back(
                           {{"name", "extreme"},
                            {"match", {{"from", "client"}, {"length_min", 1}, {key, value}}},
                            {"action", "drop"}});
                     }});
  }
  // A reactive action's "after" (every action branch allows it): a reply to the client's data.
  const Json& actions = schema.at("$defs").at("action").at("oneOf");
  REQUIRE(actions.at(0).at("properties").at("after").value("$ref", "") == "#/$defs/duration");
  cases.push_back({"timeline[6].after", [](Json& scenario, const std::string& value) {
                     scenario["timeline"].push_back(
                         {{"on", {{"connection", "web#1"}, {"event", "data"}}},
                          {"after", value},
                          {"host", "server"},
                          {"action", "send"},
                          {"connection", "web#1"},
                          {"data", "late"}});
                   }});
  REQUIRE(cases.size() >= 2 * 10 + 3 + 2 * 2 + 1 + 2 + 2 + 1);
  return cases;
}

bool has_deadline(TraceKind kind) {
  return kind == TraceKind::timer_set || kind == TraceKind::delay || kind == TraceKind::duplicate;
}

}  // namespace

TEST_CASE("every duration at its largest accepted value gives a normal run with real times",
          "[runner][time]") {
  const Json schema = read_schema();
  for (const Case& c : every_duration(schema)) {
    const std::int64_t largest = largest_accepted(c);
    Json json = base_scenario();
    c.place(json, nanoseconds(largest));
    INFO(c.name << " = " << nanoseconds(largest));
    const Scenario scenario = load_scenario_text(json.dump(), "extreme.json");
    const RunResult result = run_scenario(scenario);
    CHECK_FALSE(result.error);

    // The first event that breaks the rule, if any (one failure, not one per event).
    std::string violation;
    Time previous = 0;
    bool closed_after_an_hour = false;
    for (const TraceEvent& event : result.trace) {
      const bool bad_time = event.time < previous || event.time == time_never;
      const bool bad_deadline = has_deadline(event.kind) &&
                                (event.deadline < event.time || event.deadline == time_never);
      if ((bad_time || bad_deadline) && violation.empty()) {
        violation = std::string(trace_kind_name(event.kind)) + " at " +
                    std::to_string(event.time) + ", deadline " + std::to_string(event.deadline);
      }
      previous = event.time;
      if (event.kind == TraceKind::action && event.time == 1 * hour) closed_after_an_hour = true;
    }
    CHECK(violation == "");
    CHECK(closed_after_an_hour);
    CHECK(result.end_time >= previous);

    const std::string jsonl = format_jsonl(scenario, result);
    CHECK(jsonl.find(":-") == std::string::npos);  // no negative number anywhere
    // The ladder: every event line starts with seconds.microseconds, and no time it prints
    // (a timer's "until", a delay's "held until", a copy's "arrives at") is negative.
    const std::string ladder = format_ladder(scenario, result, LadderOptions{});
    static const std::regex time_column(R"(^[0-9]+\.[0-9]{6} )");
    std::istringstream lines(ladder);
    std::string line;
    bool in_events = false;
    while (std::getline(lines, line)) {
      if (line.rfind("time (s)", 0) == 0) in_events = true;
      if (!in_events || line.empty() || line[0] == ' ' || line.rfind("time (s)", 0) == 0 ||
          line.rfind("expectations", 0) == 0 || line.rfind("what each side believes", 0) == 0) {
        continue;
      }
      INFO("ladder line: " << line);
      CHECK(std::regex_search(line, time_column));
    }
    CHECK(ladder.find("until -") == std::string::npos);
    CHECK(ladder.find("at -") == std::string::npos);
  }
}

}  // namespace views_extreme_duration_tests
