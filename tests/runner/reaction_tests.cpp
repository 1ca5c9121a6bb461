// Reactive actions ("on" instead of "at"): when they run within an instant, in which order, once
// only, chained on other actions, and what a run says of one that never ran; and the loader's
// checks that the bad-input catalogue does not already make.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/reactions.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

namespace runner_reaction_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

// A listener, a connect at 100 ms over a 50 ms link (the server accepts at 250 ms), "hi" from
// the client at 300 ms and its close at 1 s; `actions` and `expect` are spliced in.
std::string scenario_text(const std::string& actions, const std::string& expect = "{}",
                          const std::string& server_tcp = "{}") {
  return R"({
  "tcpsim": 1,
  "name": "reaction-test",
  "description": "Reactive actions.",
  "link": { "delay": "50ms" },
  "hosts": [
    { "name": "client", "tcp": { "isn": 100 } },
    { "name": "server", "tcp": )" + server_tcp + R"( }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" },
    { "at": "300ms", "host": "client", "action": "send", "connection": "c1", "data": "hi" },
    { "at": "1s", "host": "client", "action": "close", "connection": "c1" })" +
         (actions.empty() ? "" : ",\n    " + actions) + R"(
  ],
  "stop_at": "3s",
  "expect": )" + expect + "\n}\n";
}

struct Run {
  Scenario scenario;
  RunResult result;
};

Run run(const std::string& actions, const std::string& expect = "{}",
        const std::string& server_tcp = "{}") {
  Run out{load_scenario_text(scenario_text(actions, expect, server_tcp), "inline.json"), {}};
  out.result = run_scenario(out.scenario);
  return out;
}

std::string error_of(const std::string& actions, const std::string& expect = "{}") {
  try {
    load_scenario_text(scenario_text(actions, expect), "t.json");
  } catch (const ScenarioError& error) {
    return error.message();
  }
  return "no error";
}

// The trace's events as "time kind host why", one string each, for order checks.
std::vector<std::string> events(const Run& run) {
  std::vector<std::string> out;
  for (const TraceEvent& event : run.result.trace) {
    std::string line = format_duration(event.time) + " " + std::string(trace_kind_name(event.kind));
    if (event.kind == TraceKind::app)
      line += " " + std::string(tcp::app_event_name(event.app_event));
    if (event.kind == TraceKind::send) line += " " + tcp::flags_to_string(event.segment.flags);
    if (event.kind == TraceKind::action || event.kind == TraceKind::action_failed)
      line += " " + event.text;
    out.push_back(line);
  }
  return out;
}

std::size_t index_of(const std::vector<std::string>& lines, const std::string& line) {
  for (std::size_t index = 0; index < lines.size(); ++index)
    if (lines[index] == line) return index;
  FAIL("no event " << line);
  return 0;
}

}  // namespace

TEST_CASE("a reaction with after 0 runs in the trigger's instant, once its call is processed") {
  const Run r = run(R"({ "on": { "connection": "web#1", "event": "accepted" }, "host": "server",
      "action": "send", "connection": "web#1", "data": "hello" })");
  const auto lines = events(r);
  const std::size_t accepted = index_of(lines, "250ms app accepted");
  const std::size_t send = index_of(lines, "250ms action send 5 bytes on web#1 (reacting to "
                                           "accepted on web#1)");
  CHECK(send == accepted + 1);  // nothing of the accepting call comes after the reaction
  CHECK(lines[send + 1] == "250ms send PSH,ACK");
  REQUIRE(r.result.reactions.size() == 1);
  CHECK(r.result.reactions[0].triggered == 250 * millisecond);
  CHECK(r.result.reactions[0].ran == 250 * millisecond);
  CHECK(reaction_notes(r.scenario, r.result).empty());
}

TEST_CASE("a reaction runs once, at the first time of its trigger, plus its after") {
  // Two data events (300 ms and 1.3 s); the reaction answers the first, 20 ms later, only.
  const Run r = run(R"({ "at": "1300ms", "host": "client", "action": "send", "connection": "c1",
      "data": "again" },
    { "on": { "connection": "web#1", "event": "data" }, "after": "20ms", "host": "server",
      "action": "send", "connection": "web#1", "data": "ok" })");
  const auto lines = events(r);
  std::size_t sends = 0;
  for (const std::string& line : lines)
    if (line.find("send 2 bytes on web#1") != std::string::npos) ++sends;
  CHECK(sends == 1);
  index_of(lines, "370ms action send 2 bytes on web#1 (reacting to data on web#1, 20ms later)");
  CHECK(r.result.reactions[0].triggered == 350 * millisecond);
  CHECK(r.result.reactions[0].ran == 370 * millisecond);
}

TEST_CASE("reactions armed by one trigger run in file order, and a state can trigger") {
  const Run r = run(R"({ "on": { "connection": "web#1", "state": "CLOSE_WAIT" }, "host": "server",
      "action": "send", "connection": "web#1", "data": "second" },
    { "on": { "connection": "web#1", "event": "end_of_stream" }, "host": "server",
      "action": "send", "connection": "web#1", "data": "third" },
    { "on": { "connection": "web#1", "state": "CLOSE_WAIT" }, "host": "server",
      "action": "close", "connection": "web#1" })");
  const auto lines = events(r);
  // The state change comes before the event in the core's effects: the first and third
  // reactions are armed by it, the second by the event, each queued behind the ones before.
  const std::size_t second = index_of(lines, "1.05s action send 6 bytes on web#1 (reacting to "
                                             "web#1 entering CLOSE_WAIT)");
  const std::size_t close = index_of(lines, "1.05s action close on web#1 (reacting to web#1 "
                                            "entering CLOSE_WAIT)");
  const std::size_t third = index_of(lines, "1.05s action send 5 bytes on web#1 (reacting to "
                                            "end_of_stream on web#1)");
  CHECK(second < close);
  CHECK(close < third);
  // The close came before the last send: TCP refuses it (RFC 9293 3.10.2, "connection closing"),
  // and the application is told so.
  CHECK(lines[third + 1] == "1.05s app send_failed");
}

TEST_CASE("a connection's two names trigger alike, the reactions in file order") {
  const Run r = run(R"({ "on": { "connection": "server/1", "event": "accepted" }, "host": "server",
      "action": "send", "connection": "web#1", "data": "first" },
    { "on": { "connection": "web#1", "event": "accepted" }, "host": "server",
      "action": "send", "connection": "server/1", "data": "second" })");
  const auto lines = events(r);
  CHECK(index_of(lines, "250ms action send 5 bytes on web#1 (reacting to accepted on server/1)") <
        index_of(lines, "250ms action send 6 bytes on server/1 (reacting to accepted on web#1)"));
}

TEST_CASE("a reaction chained on an action runs when that action has run, timed or reactive") {
  const Run r = run(R"({ "id": "greet", "on": { "connection": "web#1", "event": "accepted" },
      "host": "server", "action": "send", "connection": "web#1", "data": "hello" },
    { "id": "bye", "on": { "action": "greet" }, "after": "100ms", "host": "server",
      "action": "send", "connection": "web#1", "data": "bye" },
    { "on": { "action": "bye" }, "host": "client", "action": "stop_reading", "connection": "c1" },
    { "on": { "action": "timed" }, "after": "1ms", "host": "client", "action": "resume_reading",
      "connection": "c1" },
    { "id": "timed", "at": "2s", "host": "client", "action": "read", "connection": "c1" })");
  const auto lines = events(r);
  const std::size_t bye = index_of(lines, "350ms action send 3 bytes on web#1 (reacting to "
                                          "action \"greet\", 100ms later)");
  CHECK(index_of(lines, "350ms action stop reading on c1 (reacting to action \"bye\")") > bye);
  index_of(lines, "2.001s action resume reading on c1 (reacting to action \"timed\", 1ms later)");
  for (const ReactionRecord& record : r.result.reactions) CHECK(record.ran != time_never);
}

TEST_CASE("a reaction may act on a connection made after it in the file") {
  // Listed first, the reaction names web#1 before the listen declares web, and waits for an
  // action further down.
  std::string text =
      scenario_text(R"({ "id": "crash", "at": "1s", "host": "client", "action": "crash" })");
  const std::string first = R"("timeline": [)";
  text.insert(text.find(first) + first.size(),
              R"({ "on": { "action": "crash" }, "host": "server",
      "action": "send", "connection": "web#1", "data": "anyone?" },)");
  Run r{load_scenario_text(text, "inline.json"), {}};
  r.result = run_scenario(r.scenario);
  index_of(events(r), "1s action send 7 bytes on web#1 (reacting to action \"crash\")");
}

TEST_CASE("a reaction that never runs is a note, and \"fired\" checks it either way") {
  const std::string actions = R"({ "id": "on-reset", "on": { "connection": "c1", "event": "reset" },
      "host": "client", "action": "abort", "connection": "c1" },
    { "id": "late", "on": { "connection": "web#1", "event": "accepted" }, "after": "1h",
      "host": "server", "action": "close", "connection": "web#1" },
    { "on": { "action": "on-reset" }, "host": "server", "action": "crash" })";
  Run r = run(actions, R"({ "fired": { "on-reset": false, "late": false } })");
  CHECK(check_expectations(r.scenario, r.result).empty());
  CHECK(reaction_notes(r.scenario, r.result) ==
        std::vector<std::string>{
            "action \"on-reset\" never ran: its trigger, reset on c1, never happened",
            "action \"late\" never ran: its trigger came at 250ms, and the run ended before its "
            "\"after\" of 1h had passed",
            "the crash at $.timeline[6] never ran: it waits for action \"on-reset\", which never "
            "ran"});

  r = run(actions, R"({ "fired": { "on-reset": true, "late": true } })");
  const auto failures = check_expectations(r.scenario, r.result);
  REQUIRE(failures.size() == 2);
  CHECK(failures[0].message == "action \"on-reset\" (on reset on c1) never ran, expected it to");
  CHECK(failures[0].where.json_path == "$.expect.fired[\"on-reset\"]");

  r = run(R"({ "id": "greet", "on": { "connection": "web#1", "event": "accepted" },
      "host": "server", "action": "send", "connection": "web#1", "data": "hello" })",
          R"({ "fired": { "greet": false } })");
  const auto ran = check_expectations(r.scenario, r.result);
  REQUIRE(ran.size() == 1);
  CHECK(ran[0].message ==
        "action \"greet\" ran at 250ms (on accepted on web#1), expected it never to run");
}

TEST_CASE("the same any_of expectation holds whether the FIN's ACK waits or not") {
  // scenarios/close-on-end-of-stream-ack-first.json: the server closes on end_of_stream; with
  // delayed ACKs its FIN carries the ACK (one segment), without them an ACK leaves first.
  Scenario scenario = load_scenario_file(std::string(TCPSIM_SOURCE_DIR) +
                                         "/scenarios/close-on-end-of-stream-ack-first.json");
  for (const Duration delay : {Duration{0}, 40 * millisecond}) {
    INFO("delayed_ack " << format_duration(delay));
    scenario.hosts[1].tcp.delayed_ack = delay;
    const RunResult result = run_scenario(scenario);
    std::size_t server_segments = 0;
    for (const TraceEvent& event : result.trace)
      if (event.kind == TraceKind::send && event.host == 1) ++server_segments;
    // SYN-ACK, the ACK of "request" and the close: FIN,ACK, or ACK and FIN,ACK.
    CHECK(server_segments == (delay == 0 ? 4U : 3U));
    const auto failures = check_expectations(scenario, result);
    for (const auto& failure : failures) INFO(failure.message);
    CHECK(failures.empty());
  }
}

TEST_CASE("reactive action errors the catalogue does not show") {
  CHECK(error_of(R"({ "on": { "connection": "web#1", "event": "data", "state": "CLOSED" },
      "host": "server", "action": "close", "connection": "web#1" })") ==
        R"("event" and "state" are exclusive)");
  CHECK(error_of(R"({ "on": { "connection": "web#1" }, "host": "server", "action": "close",
      "connection": "web#1" })") == R"(missing "event" or "state": what to wait for on "web#1")");
  CHECK(error_of(R"({ "on": { "action": "x", "connection": "web#1" }, "host": "server",
      "action": "close", "connection": "web#1" })") ==
        R"(an "on" waits for another action ("action") or for something on a connection )"
        R"(("connection" with "event" or "state"), not both)");
  CHECK(error_of(R"({ "on": {}, "host": "server", "action": "close", "connection": "web#1" })") ==
        R"(missing required key "connection" (or "action", to run after another action))");
  CHECK(error_of(R"({ "on": { "connection": "web#1", "event": "data" }, "host": "server",
      "action": "close", "connection": "web#2", "id": "x" },
    { "on": { "action": "x" }, "host": "server", "action": "close", "connection": "web#1",
      "id": "x" })") == R"(duplicate action id "x", already used by $.timeline[4].id)");
  CHECK(error_of(R"({ "on": { "connection": "web#1", "event": "data" }, "host": "server",
      "action": "close", "connection": "c1" })") ==
        R"(connection "c1" belongs to host "client", not to "server")");
  CHECK(error_of(R"({ "on": { "connection": "web", "state": "CLOSED" }, "host": "server",
      "action": "close", "connection": "web#1" })") == "no error");  // a listener has states
  CHECK(error_of("", R"({ "fired": { "x": true } })") ==
        R"(unknown action id "x": no action with "on" has an "id")");
  CHECK(error_of(R"({ "id": "t", "at": "2s", "host": "server", "action": "close",
      "connection": "web#1" })", R"({ "fired": { "t": true } })") ==
        R"("t" is a timed action ("at"), which runs at its time; "fired" checks actions )"
        R"(with "on")");
  CHECK(error_of(R"({ "on": { "connection": "web#1", "event": "data" }, "host": "server",
      "action": "close", "connection": "web#1", "id": "closer" })",
                 R"({ "fired": { "closr": true } })") ==
        R"(unknown action id "closr": no action with "on" has it (did you mean "closer"?))");
}

}  // namespace runner_reaction_tests
