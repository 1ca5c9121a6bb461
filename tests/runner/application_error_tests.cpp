// Application errors reach the application as app events with the core's reason, recorded like
// any other app event and written once in the trace: a listen on a port in use, a connect from
// a listener's port, SEND and CLOSE after CLOSE (RFC 9293 3.10.2, 3.10.4).
#include <catch2/catch.hpp>

#include <string>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"

namespace runner_application_error_tests {

using namespace tcpsim;
using namespace tcpsim::runner;

namespace {

const std::string refused_calls = R"({
  "tcpsim": 1,
  "name": "application-errors",
  "description": "Calls TCP refuses.",
  "link": { "delay": "50ms" },
  "hosts": [
    { "name": "client", "tcp": { "isn": 100 } },
    { "name": "server", "tcp": { "isn": 900 } }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "10ms", "host": "server", "action": "listen", "port": 80, "name": "web2" },
    { "at": "20ms", "host": "server", "action": "connect", "to": "client", "port": 9,
      "local_port": 80, "name": "back" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" },
    { "at": "1s", "host": "client", "action": "close", "connection": "c1" },
    { "at": "1s", "host": "client", "action": "send", "connection": "c1", "data": "late" },
    { "at": "1s", "host": "client", "action": "close", "connection": "c1" }
  ]
})";

std::vector<tcp::AppEventKind> kinds(const ConnectionRecord& record) {
  std::vector<tcp::AppEventKind> result;
  for (const AppEventRecord& event : record.app_events) result.push_back(event.kind);
  return result;
}

}  // namespace

TEST_CASE("refused calls are app events with the core's rule, recorded once") {
  const Scenario scenario = load_scenario_text(refused_calls, "inline.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE_FALSE(result.error);

  const ConnectionRecord* web2 = result.find_connection("web2");
  REQUIRE(web2 != nullptr);
  CHECK(web2->failed_listen);
  CHECK_FALSE(web2->listener);
  REQUIRE(web2->app_events.size() == 1);
  CHECK(web2->app_events[0].kind == tcp::AppEventKind::listen_failed);
  CHECK(web2->app_events[0].rule == tcp::Rule::listen_port_in_use);
  // The listener that holds the port is untouched.
  CHECK(result.find_connection("web")->final_state() == tcp::State::listen);

  const ConnectionRecord* back = result.find_connection("back");
  REQUIRE(back != nullptr);
  CHECK(back->failed_connect);
  REQUIRE(back->app_events.size() == 1);
  CHECK(back->app_events[0].rule == tcp::Rule::connect_local_port_in_use);

  const ConnectionRecord* c1 = result.find_connection("c1");
  REQUIRE(c1 != nullptr);
  CHECK(kinds(*c1) == std::vector<tcp::AppEventKind>{tcp::AppEventKind::connected,
                                                       tcp::AppEventKind::send_failed,
                                                       tcp::AppEventKind::close_failed});
  CHECK(c1->app_events[1].rule == tcp::Rule::send_connection_closing);
  CHECK(c1->app_events[2].rule == tcp::Rule::close_connection_closing);
  CHECK(c1->written.empty());

  // The trace says each refusal once, as the app event; no action_failed event repeats it.
  int refusals = 0;
  for (const TraceEvent& event : result.trace) {
    CHECK(event.kind != TraceKind::action_failed);
    if (event.kind == TraceKind::app && (event.app_event == tcp::AppEventKind::listen_failed ||
                                         event.app_event == tcp::AppEventKind::connect_failed ||
                                         event.app_event == tcp::AppEventKind::send_failed ||
                                         event.app_event == tcp::AppEventKind::close_failed)) {
      ++refusals;
      CHECK(event.text == tcp::rule_reason(event.rule));
    }
  }
  CHECK(refusals == 4);
  CHECK(result.counters.at("server.listen_failed") == 1);
  CHECK(result.counters.at("client.send_failed") == 1);
}

}  // namespace runner_application_error_tests
