// Generators ("repeat" on a timeline action) and the aggregate expectations over name patterns
// ("final_states" with '*', "final_state_counts"): what the loader makes of them, the errors
// it gives (position, path, what was expected), and expectations that hold and that fail.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"

namespace runner_repeat_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

std::string scenario_with(const std::string& timeline, const std::string& expect = "{}",
                          const std::string& extra = "") {
  return R"({
  "tcpsim": 1,
  "name": "repeat-test",
  "description": "Generators for the repeat tests.",
  "link": { "delay": "10ms" },)" +
         extra + R"(
  "hosts": [
    { "name": "client", "ephemeral_ports": { "first": 50000, "last": 50003 } },
    { "name": "server" }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
)" + timeline + R"(
  ],
  "expect": )" + expect + "\n}\n";
}

const std::string connects =
    R"({ "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
         "name": "c{i}", "repeat": { "count": 3, "every": "50ms" } })";

std::string load_error(const std::string& text) {
  try {
    load_scenario_text(text, "r.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> failure_messages(const std::string& text) {
  const Scenario scenario = load_scenario_text(text, "r.json");
  std::vector<std::string> messages;
  for (const auto& failure : check_expectations(scenario, run_scenario(scenario)))
    messages.push_back(failure.message);
  return messages;
}

}  // namespace

TEST_CASE("repeat makes count actions, every apart, with {i} numbered from 1", "[repeat]") {
  const Scenario s = load_scenario_text(scenario_with(connects), "r.json");
  REQUIRE(s.timeline.size() == 4);
  CHECK(s.timeline[1].name == "c1");
  CHECK(s.timeline[2].name == "c2");
  CHECK(s.timeline[3].name == "c3");
  CHECK(s.timeline[1].at == 100 * millisecond);
  CHECK(s.timeline[3].at == 200 * millisecond);
  CHECK(s.timeline[3].where.json_path == "$.timeline[1]");
}

TEST_CASE("repeat instances of several generators run in time order", "[repeat]") {
  const Scenario s = load_scenario_text(
      scenario_with(connects + R"(,
    { "at": "120ms", "host": "client", "action": "close", "connection": "c{i}",
      "repeat": { "count": 3, "every": "50ms" } })"),
      "r.json");
  REQUIRE(s.timeline.size() == 7);
  const std::vector<std::string> order{"c1", "c1", "c2", "c2", "c3", "c3"};
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Action& action = s.timeline[k + 1];
    CHECK((action.kind == ActionKind::connect ? action.name : action.connection) == order[k]);
    CHECK(action.kind == (k % 2 == 0 ? ActionKind::connect : ActionKind::close));
  }
}

TEST_CASE("repeat ports and addresses step per instance and wrap after last", "[repeat]") {
  const Scenario s = load_scenario_text(
      scenario_with(R"({ "at": "1s", "host": "client", "action": "connect", "to": "server",
         "port": 80, "repeat": { "count": 3, "ports": { "first": 40000, "last": 40001 } } },
    { "at": "2s", "action": "inject", "from": "198.51.100.1:1", "to": "server:80", "flags": "SYN",
      "seq": 1, "repeat": { "count": 2, "addresses": { "first": "198.51.100.7" },
                            "ports": { "first": 2000 } } })"),
      "r.json");
  REQUIRE(s.timeline.size() == 4);
  CHECK(s.timeline[1].local_port == 40000);
  CHECK(s.timeline[2].local_port == 40001);
  CHECK(s.timeline[3].local_port == 40000);
  // The inject's copies are held once (RepeatedAction) and made as the run reaches them.
  REQUIRE(s.repeats.size() == 1);
  const RepeatedAction& flood = s.repeats[0];
  CHECK(flood.count == 2);
  CHECK(flood.first.inject.from_address == 0xc6336407U);  // 198.51.100.7
  CHECK(flood.first.inject.from_port == 2000);
  CHECK(flood.first.order == 2);
  Action instance = flood.first;
  flood.make_instance(1, instance);
  CHECK(instance.inject.from_address == 0xc6336408U);
  CHECK(instance.inject.from_port == 2001);
  CHECK(instance.at == 2000 * millisecond);
}

TEST_CASE("a repeat held once runs as the expanded timeline would: time order, ties in file "
          "order", "[repeat]") {
  // The same flood twice: held once (copies of an inject), and expanded ("{i}" in its data makes
  // each instance its own reading). Between them, actions of the same times in file order.
  const auto flood = [](const std::string& data) {
    return R"({ "at": "10ms", "action": "inject", "from": "198.51.100.1:1000",
      "to": "server:80", "flags": "SYN", "seq": 7, )" + data + R"("repeat": { "count": 5,
      "every": "10ms", "addresses": { "first": "198.51.100.1", "last": "198.51.100.3" },
      "ports": { "first": 1000 } } })";
  };
  const std::string around = R"(,
    { "at": "30ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" },
    { "at": "30ms", "action": "inject", "from": "198.51.100.9:9", "to": "server:80",
      "flags": "SYN", "seq": 1, "repeat": { "count": 2, "every": "20ms" } })";
  const Scenario held = load_scenario_text(scenario_with(flood("") + around), "held.json");
  const Scenario expanded =
      load_scenario_text(scenario_with(flood(R"("data": "{i}", )") + around), "expanded.json");
  REQUIRE(held.repeats.size() == 2);
  CHECK(held.timeline.size() == 2);
  REQUIRE(expanded.repeats.size() == 1);
  CHECK(expanded.timeline.size() == 7);
  // The traces differ only in the payload the expanded flood carries.
  const auto actions = [](const Scenario& scenario) {
    RunOptions options;
    std::vector<std::string> lines;
    for (const TraceEvent& event : run_scenario(scenario, options).trace) {
      if (event.kind == TraceKind::action) {
        lines.push_back(std::to_string(event.time) + " " + event.text.substr(0, 7));
      } else if (event.kind == TraceKind::inject) {
        lines.push_back(std::to_string(event.time) + " inject " +
                        tcp::address_to_string(event.segment.source) + ":" +
                        std::to_string(event.segment.source_port));
      }
    }
    return lines;
  };
  const std::vector<std::string> held_actions = actions(held);
  REQUIRE(held_actions.size() == 9);
  CHECK(held_actions == actions(expanded));
  // At 30ms: the flood's third (first in the file), then the connect, then the other repeat.
  CHECK(held_actions[3] == "30000000 inject 198.51.100.3:1002");
  CHECK(held_actions[4] == "30000000 connect");
  CHECK(held_actions[5] == "30000000 inject 198.51.100.9:9");
  CHECK(held_actions[6] == "40000000 inject 198.51.100.1:1003");  // the addresses wrap
}

TEST_CASE("repeat errors name the position, the path and what was expected", "[repeat]") {
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "repeat": { "count": 0 } })")) ==
        "r.json:13:56: error: at $.timeline[1].repeat.count: expected an integer between 1 and "
        "1000000, got 0");
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "repeat": { "count": 2, "evry": "1s" } })"))
            .find("at $.timeline[1].repeat.evry: unknown key \"evry\", did you mean \"every\"?") !=
        std::string::npos);
  // A name without {i} is the same name twice.
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "name": "c", "repeat": { "count": 2 } })"))
            .find("repeat instance 2 of 2: duplicate connection name \"c\"") != std::string::npos);
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "name": "c", "repeat": { "count": 2 } })"))
            .find("(without \"{i}\" every instance has the same name)") != std::string::npos);
  // Ports beyond 65535 without "last" to wrap.
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "repeat": { "count": 3, "ports": { "first": 65534 } } })"))
            .find("3 instances from 65534 would pass port 65535") != std::string::npos);
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "close",
      "connection": "web", "repeat": { "count": 2, "ports": { "first": 1 } } })"))
            .find("\"ports\" applies to a \"connect\"") != std::string::npos);
  CHECK(load_error(scenario_with(R"({ "on": { "action": "x" }, "host": "client",
      "action": "close", "connection": "web", "repeat": { "count": 2 } })"))
            .find("\"repeat\" applies to a timed action") != std::string::npos);
  // A close that the interleaving puts before its connect.
  CHECK(load_error(scenario_with(R"({ "at": "100ms", "host": "client", "action": "connect",
      "to": "server", "port": 80, "name": "c{i}", "repeat": { "count": 3, "every": "100ms" } },
    { "at": "150ms", "host": "client", "action": "close", "connection": "c{i}",
      "repeat": { "count": 3, "every": "10ms" } })"))
            .find("the close of \"c2\" at 160ms comes before its connect at 200ms") !=
        std::string::npos);
}

TEST_CASE("a huge repeat count fails when read, not when memory runs out", "[repeat]") {
  CHECK(load_error(scenario_with(R"({ "at": "1s", "host": "client", "action": "connect",
      "to": "server", "port": 80, "repeat": { "count": 1000001 } })"))
            .find("expected an integer between 1 and 1000000") != std::string::npos);
  // Within the count limit but beyond a small memory budget.
  const std::string message = load_error(scenario_with(
      R"({ "at": "1s", "host": "client", "action": "connect", "to": "server", "port": 80,
           "repeat": { "count": 900000 } })",
      "{}", R"( "memory_budget": "16MiB",)"));
  CHECK(message.find("more than the memory budget of 16 MiB") != std::string::npos);
  // Two repeats share the limit.
  const std::string twice = load_error(scenario_with(
      R"({ "at": "1s", "host": "client", "action": "crash", "repeat": { "count": 2 } },
    { "at": "2s", "host": "client", "action": "reboot", "repeat": { "count": 999999 } })"));
  CHECK(twice.find("at $.timeline[2].repeat.count: the scenario's repeats would make 1000001 "
                   "actions, more than the limit of 1000000") != std::string::npos);
}

TEST_CASE("final_states with a pattern holds for every matching connection", "[repeat]") {
  CHECK(failure_messages(scenario_with(connects, R"({
    "final_states": { "c*": "ESTABLISHED", "web#*": "ESTABLISHED", "client/*": "ESTABLISHED" },
    "final_state_counts": { "c*": { "ESTABLISHED": 3 }, "x*": { "CLOSED": 0 } },
    "counts": { "server.accepted": 3 } })")).empty());
}

TEST_CASE("pattern expectations that must fail say how the connections ended", "[repeat]") {
  const auto messages = failure_messages(scenario_with(connects + R"(,
    { "at": "1s", "host": "client", "action": "abort", "connection": "c2" })",
                                                       R"({
    "final_states": { "c*": "ESTABLISHED", "nothing*": "CLOSED" },
    "final_state_counts": { "c*": { "ESTABLISHED": 3 } } })"));
  REQUIRE(messages.size() == 3);
  CHECK(messages[0] ==
        "1 of the 3 connections matching c* did not end in ESTABLISHED (c2 in CLOSED); they "
        "ended: CLOSED 1, ESTABLISHED 2");
  CHECK(messages[1] == "no connection matches nothing*");
  CHECK(messages[2] ==
        "the connections matching c* ended: CLOSED 1, ESTABLISHED 2; expected ESTABLISHED 3");
}

TEST_CASE("final_state_counts errors", "[repeat]") {
  CHECK(load_error(scenario_with(connects, R"({ "final_state_counts": { "c*": {} } })"))
            .find("expected at least one state") != std::string::npos);
  CHECK(load_error(scenario_with(
            connects, R"({ "final_state_counts": { "c*": { "TIMEWAIT": 1 } } })"))
            .find("unknown state \"TIMEWAIT\", did you mean \"TIME_WAIT\"?") != std::string::npos);
  CHECK(load_error(scenario_with(
            connects, R"({ "final_state_counts": { "c*": { "CLOSED": -1 } } })"))
            .find("expected a non-negative integer") != std::string::npos);
}

TEST_CASE("connections beyond the ephemeral range fail with connect_failed", "[repeat]") {
  // The range has 4 ports and nothing closes: the fifth and sixth connects find none.
  CHECK(failure_messages(scenario_with(
      R"({ "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
           "name": "c{i}", "repeat": { "count": 6, "every": "10ms" } })",
      R"({ "final_state_counts": { "c*": { "ESTABLISHED": 4, "CLOSED": 2 } },
           "app_events": { "c5": ["connect_failed"], "c6": ["connect_failed"] },
           "counts": { "client.connect_failed": 2 } })")).empty());
}

TEST_CASE("a SYN flood by repeat: backlog_full reset refuses, the linux profile's cookies connect",
          "[repeat][syn_cookie]") {
  const auto flood = [](const std::string& server) {
    return R"({
  "tcpsim": 1,
  "name": "flood-test",
  "description": "Two spoofed SYNs fill a backlog of 2, then the client connects.",
  "hosts": [{ "name": "client" }, )" + server + R"(],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web", "backlog": 2 },
    { "at": "10ms", "action": "inject", "from": "198.51.100.1:1000", "to": "server:80",
      "flags": "SYN", "seq": 1, "repeat": { "count": 2, "addresses": { "first": "198.51.100.1" } } },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" }
  ],
  "stop_at": "1s",
  "expect": { "app_events": { "c1": )";
  };
  // The client is told "refused": RST,ACK acknowledges its SYN (RFC 9293 3.10.7.3).
  CHECK(failure_messages(flood(R"({ "name": "server", "tcp": { "backlog_full": "reset" } })") +
                         R"(["refused"] },
  "final_state_counts": { "web#*": { "SYN_RCVD": 2 } } }
})")
            .empty());
  // Linux's tcp_syncookies = 1: the third connection comes from a cookie, with no SYN_RCVD.
  CHECK(failure_messages(flood(R"({ "name": "server", "profile": "linux" })") +
                         R"(["connected"] },
  "final_state_counts": { "web#*": { "SYN_RCVD": 2, "ESTABLISHED": 1 } },
  "states": { "web#3": ["LISTEN", "ESTABLISHED"] },
  "counts": { "server.accepted": 1, "server.connections": 3 } }
})")
            .empty());
}

}  // namespace runner_repeat_tests
