// The configure action: socket options changed on a live connection or listener, in a timeline
// and through Session::perform (docs/scenario-format.md, "configure").
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"

namespace runner_configure_action_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

// Nagle holds the second short write while the first is in flight (50 ms each way); at 250 ms
// the client turns it off.
const std::string nagle_off = R"({
  "tcpsim": 1,
  "name": "configure-nagle-off",
  "description": "TCP_NODELAY on a live connection.",
  "link": { "delay": "50ms" },
  "hosts": [
    { "name": "client", "tcp": { "isn": 100 } },
    { "name": "server", "tcp": { "isn": 900 } }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" },
    { "at": "200ms", "host": "client", "action": "send", "connection": "c1", "data": "first" },
    { "at": "200ms", "host": "client", "action": "send", "connection": "c1", "data": "second" },
    { "at": "250ms", "host": "client", "action": "configure", "connection": "c1",
      "tcp": { "nagle": false } }
  ]
})";

// The send times of the client's segments that carry data.
std::vector<Time> client_data_sends(const RunResult& result) {
  std::vector<Time> times;
  for (const TraceEvent& event : result.trace)
    if (event.kind == TraceKind::send && event.host == 0 && event.segment.length > 0)
      times.push_back(event.time);
  return times;
}

}  // namespace

TEST_CASE("configure_nagle_off_sends_the_held_write_at_once") {
  const Scenario scenario = load_scenario_text(nagle_off, "inline.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE_FALSE(result.error);
  // Without the configure, "second" would wait for the ACK of "first" at 300 ms.
  CHECK(client_data_sends(result) == std::vector<Time>{200 * millisecond, 250 * millisecond});
  CHECK(result.find_connection("c1")->app_events.size() == 1);  // connected only
}

TEST_CASE("configure_through_a_session_reports_an_unknown_connection") {
  const Scenario scenario = load_scenario_text(nagle_off, "inline.json");
  Session session(scenario);
  REQUIRE(session.run_until(100 * millisecond));
  Action action = scenario.timeline.back();
  action.connection = "nobody";
  CHECK(session.perform(action).outcome == ActionOutcome::no_connection);
  action.connection = "c1";
  CHECK(session.perform(action).outcome == ActionOutcome::called);
}

TEST_CASE("configure_a_listener_gives_its_knobs_to_the_connections_it_accepts") {
  // The client crashes silently: only keepalive finds out that the server's peer is gone.
  const Scenario scenario = load_scenario_text(R"({
    "tcpsim": 1,
    "name": "configure-listener",
    "description": "SO_KEEPALIVE on a listening socket.",
    "link": { "delay": "50ms" },
    "hosts": [{ "name": "client" }, { "name": "server" }],
    "timeline": [
      { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
      { "at": "1ms", "host": "server", "action": "configure", "connection": "web",
        "tcp": { "keepalive": true, "keepalive_idle": "1s", "keepalive_interval": "1s",
                 "keepalive_probes": 1 } },
      { "at": "10ms", "host": "client", "action": "connect", "to": "server", "port": 80,
        "name": "c1" },
      { "at": "200ms", "host": "client", "action": "crash" }
    ]
  })", "inline.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE_FALSE(result.error);
  const ConnectionRecord* accepted = result.find_connection("web#1");
  REQUIRE(accepted != nullptr);
  REQUIRE(accepted->app_events.size() == 2);
  CHECK(accepted->app_events[1].kind == tcp::AppEventKind::timed_out);
  CHECK(accepted->app_events[1].rule == tcp::Rule::keepalive_gave_up);
}

}  // namespace runner_configure_action_tests
