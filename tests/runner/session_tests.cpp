// The Session API (runner/simulation.hpp): a run driven step by step from outside gives the same
// trace as run_scenario, perform() reports what became of each call, and inject actions put the
// segment they describe on the wire (or fail the run clearly when relative_to cannot be
// resolved).
#include <catch2/catch.hpp>

#include <string>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

namespace runner_session_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

std::string scenario_text(const std::string& hosts, const std::string& timeline,
                          const std::string& tail = "") {
  return R"({ "tcpsim": 1, "name": "session-test", "description": "Session tests.",
  "hosts": )" + hosts + R"(,
  "timeline": [ )" + timeline + " ]" + tail + " }";
}

const std::string fixed_hosts = R"([{ "name": "client", "tcp": { "isn": 1000 } },
                                     { "name": "server", "tcp": { "isn": 5000 } }])";

const std::string handshake = R"(
  { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
  { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
    "name": "c1" })";

const TraceEvent* first_of(const RunResult& result, TraceKind kind) {
  for (const TraceEvent& event : result.trace)
    if (event.kind == kind) return &event;
  return nullptr;
}

}  // namespace

TEST_CASE("a session stepped to the end gives run_scenario's trace", "[session]") {
  const Scenario scenario = load_scenario_text(
      scenario_text(fixed_hosts, handshake + R"(,
        { "at": "1s", "host": "client", "action": "send", "connection": "c1", "data": "hello" },
        { "at": "2s", "host": "client", "action": "close", "connection": "c1" })"),
      "s.json");
  const RunResult whole = run_scenario(scenario);
  Session session(scenario);
  int steps = 0;
  while (session.step()) ++steps;
  const RunResult stepped = session.finish();
  CHECK(steps > 10);
  CHECK(format_jsonl(scenario, stepped) == format_jsonl(scenario, whole));
  CHECK(stepped.events_executed == whole.events_executed);
}

TEST_CASE("run_until runs what is due and leaves the clock at the time asked", "[session]") {
  const Scenario scenario = load_scenario_text(scenario_text(fixed_hosts, handshake), "s.json");
  Session session(scenario);
  CHECK(session.next_time() == 0);
  REQUIRE(session.run_until(50 * millisecond));
  CHECK(session.now() == 50 * millisecond);
  CHECK(session.next_time() == 100 * millisecond);  // the connect
  REQUIRE(session.run_until(1 * second));
  CHECK(session.now() == 1 * second);
  const ConnectionRecord* c1 = session.result().find_connection("c1");
  REQUIRE(c1 != nullptr);
  CHECK(c1->final_state() == tcp::State::established);
  CHECK(c1->iss == 1000U);
  CHECK(c1->irs == 5000U);
}

TEST_CASE("perform reports each call's outcome", "[session]") {
  const Scenario scenario = load_scenario_text(
      scenario_text(fixed_hosts, R"({ "at": "0s", "host": "server", "action": "listen",
                                      "port": 80, "name": "web" })"),
      "s.json");
  Session session(scenario);
  REQUIRE(session.run_until(10 * millisecond));
  Action connect;
  connect.kind = ActionKind::connect;
  connect.host = 0;
  connect.port = 80;
  connect.name = "mine";
  const ActionReport connected = session.perform(connect);
  CHECK(connected.outcome == ActionOutcome::called);
  CHECK(connected.connection == "mine");
  REQUIRE(session.run_until(1 * second));

  Action send;
  send.kind = ActionKind::send;
  send.host = 0;
  send.connection = "mine";
  send.data = std::vector<std::uint8_t>{'a', 'b', 'c'};
  const ActionReport sent = session.perform(send);
  CHECK(sent.outcome == ActionOutcome::called);
  CHECK(sent.bytes_taken == 3);

  Action listen_again;
  listen_again.kind = ActionKind::listen;
  listen_again.host = 1;
  listen_again.port = 80;
  listen_again.name = "again";
  CHECK(session.perform(listen_again).outcome == ActionOutcome::port_in_use);

  Action unknown = send;
  unknown.connection = "nobody";
  CHECK(session.perform(unknown).outcome == ActionOutcome::no_connection);
  REQUIRE(session.run_until(2 * second));
  const RunResult result = session.finish();
  const ConnectionRecord* child = result.find_connection("web#1");
  REQUIRE(child != nullptr);
  REQUIRE(child->app_events.size() == 2);  // accepted, data
  CHECK(child->app_events[1].length == 3);
}

TEST_CASE("an inject relative to a connection uses its ISNs and endpoints", "[session][inject]") {
  const Scenario scenario = load_scenario_text(
      scenario_text(fixed_hosts, handshake + R"(,
        { "at": "1s", "action": "inject", "relative_to": "c1", "flags": "PSH,ACK", "seq": 1,
          "ack": 1, "window": 1000, "data": "hey" })",
                    // The server never sent those bytes: the two ACK each other's numbers
                    // without end (an ACK storm), so the run stops.
                    R"(, "stop_at": "1500ms")"),
      "s.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE_FALSE(result.error);
  const TraceEvent* inject = first_of(result, TraceKind::inject);
  REQUIRE(inject != nullptr);
  CHECK(inject->host == 1);  // the lane across the link from the client
  CHECK(inject->segment.injected);
  CHECK(inject->segment.seq == 5001);
  CHECK(inject->segment.ack == 1001);
  CHECK(inject->segment.window == 1000);
  CHECK(inject->segment.source == scenario.hosts[1].address);
  CHECK(inject->segment.source_port == 80);
  CHECK(inject->segment.destination == scenario.hosts[0].address);
  CHECK(result.counters.at("client.injected") == 1);
  CHECK(result.counters.count("server.sent.PSH") == 0);  // the server sent nothing of it
  const ConnectionRecord* c1 = result.find_connection("c1");
  REQUIRE(c1 != nullptr);
  REQUIRE_FALSE(c1->app_events.empty());
  CHECK(c1->app_events.back().kind == tcp::AppEventKind::data);
  CHECK(c1->app_events.back().data == std::vector<std::uint8_t>{'h', 'e', 'y'});
  // It travelled the link: delivered one link delay (10 ms) later.
  const TraceEvent* delivered = nullptr;
  for (const TraceEvent& event : result.trace)
    if (event.kind == TraceKind::deliver && event.segment.id == inject->segment.id)
      delivered = &event;
  REQUIRE(delivered != nullptr);
  CHECK(delivered->time == inject->time + 10 * millisecond);
  CHECK(delivered->segment.injected);
  CHECK(format_jsonl(scenario, result).find(R"("ev":"inject")") != std::string::npos);
}

TEST_CASE("a direct inject from a spoofed address arrives at once", "[session][inject]") {
  const Scenario scenario = load_scenario_text(
      scenario_text(fixed_hosts, handshake + R"(,
        { "at": "1s", "action": "inject", "from": "10.0.0.9:4000", "to": "server:80",
          "flags": "SYN", "seq": 77, "mss": 1200, "via": "direct" })"),
      "s.json");
  const RunResult result = run_scenario(scenario);
  const TraceEvent* inject = first_of(result, TraceKind::inject);
  REQUIRE(inject != nullptr);
  CHECK(inject->segment.source_port == 4000);
  CHECK(inject->segment.mss == 1200);
  const ConnectionRecord* spoofed = result.find_connection("web#2");
  REQUIRE(spoofed != nullptr);  // the listener took the spoofed SYN
  CHECK(spoofed->tuple.remote.port == 4000);
  for (const AppEventRecord& event : spoofed->app_events)
    CHECK(event.kind != tcp::AppEventKind::accepted);  // its SYN-ACK goes nowhere
  bool delivered_at_once = false;
  for (const TraceEvent& event : result.trace)
    if (event.kind == TraceKind::deliver && event.segment.id == inject->segment.id)
      delivered_at_once = event.time == inject->time;
  CHECK(delivered_at_once);
}

TEST_CASE("an inject relative to a connection that does not exist yet stops the run",
          "[session][inject]") {
  // web#1 is plausible to the loader (a listener "web" exists) but is not accepted until the
  // SYN arrives at 110 ms; c1 exists at 100 ms but, in SYN_SENT, has no IRS.
  const Scenario early = load_scenario_text(
      scenario_text(fixed_hosts, handshake + R"(,
        { "at": "100ms", "action": "inject", "relative_to": "web#1", "flags": "RST",
          "seq": 0 })"),
      "s.json");
  const RunResult result = run_scenario(early);
  REQUIRE(result.error);
  CHECK(*result.error ==
        "inject at 100ms ($.timeline[2], line 8) relative to web#1: no connection of that name "
        "exists yet");

  const Scenario no_irs = load_scenario_text(
      scenario_text(fixed_hosts, handshake + R"(,
        { "at": "100ms", "action": "inject", "relative_to": "c1", "flags": "RST", "seq": 0 })"),
      "s.json");
  const RunResult second = run_scenario(no_irs);
  REQUIRE(second.error);
  CHECK(second.error->find("it has no IRS yet") != std::string::npos);
}

TEST_CASE("a scripted host has no TCP: what reaches it is delivered, nothing answers",
          "[session][scripted]") {
  const Scenario scenario = load_scenario_text(
      scenario_text(R"([{ "name": "client", "tcp": { "isn": 1000 } },
                        { "name": "peer", "stack": "none" }])",
                    R"({ "at": "0s", "host": "client", "action": "connect", "to": "peer",
                         "port": 80, "name": "c1" })",
                    R"(, "stop_at": "500ms")"),
      "s.json");
  CHECK(scenario.hosts[1].scripted);
  CHECK(scenario_uses_fixed_isns(scenario));  // the scripted host has no ISN of its own
  const RunResult result = run_scenario(scenario);
  int delivered = 0;
  for (const TraceEvent& event : result.trace) {
    if (event.kind == TraceKind::deliver && event.host == 1) ++delivered;
    CHECK_FALSE((event.kind == TraceKind::send && event.host == 1));
  }
  CHECK(delivered == 1);  // the SYN; its retransmission comes at 1 s
  CHECK(result.find_connection("c1")->final_state() == tcp::State::syn_sent);

  Session session(scenario);
  Action listen;
  listen.kind = ActionKind::listen;
  listen.host = 1;
  listen.port = 80;
  CHECK(session.perform(listen).outcome == ActionOutcome::run_error);
}

TEST_CASE("run_before leaves the events of its time queued: an action performed then runs "
          "first, as a timeline action of that time does", "[session]") {
  // The client's SYN is still on the link (10 s of delay) when its retransmission timer is due,
  // at 1.1 s; a close performed at 1.1 s after run_before comes before the timer.
  const Scenario scenario = load_scenario_text(
      scenario_text(fixed_hosts, R"(
        { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
          "name": "c1" })", R"(, "link": { "delay": "10s" })"),
      "s.json");
  Session session(scenario);
  REQUIRE(session.run_before(1100 * millisecond));
  CHECK(session.now() == 1100 * millisecond);
  CHECK(session.next_time() == 1100 * millisecond);  // the timer, still queued
  Action close;
  close.kind = ActionKind::close;
  close.host = 0;
  close.connection = "c1";
  session.perform(close);
  REQUIRE(session.run_until(1100 * millisecond));
  const RunResult result = session.finish();
  // The close (CLOSE in SYN_SENT deletes the TCB) came first: no timer fired, nothing resent.
  CHECK(first_of(result, TraceKind::timer_fire) == nullptr);
  int sent = 0;
  for (const TraceEvent& event : result.trace) sent += event.kind == TraceKind::send ? 1 : 0;
  CHECK(sent == 1);
}

}  // namespace runner_session_tests
