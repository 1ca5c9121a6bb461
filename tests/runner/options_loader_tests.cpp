// The scenario format's RFC 7323 and RFC 2018 parts: the knobs window_scaling (a shift or
// "off"), timestamps, sack and option_layout, an inject's options, and a segment expectation's
// win, ws, tsval, tsecr and sack (runner/scenario_loader.cpp).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runner/scenario_loader.hpp"

namespace runner_options_loader_tests {

namespace {

using namespace tcpsim;
using namespace tcpsim::runner;

std::string scenario(const std::string& client_tcp, const std::string& timeline_extra = "",
                     const std::string& expect = "") {
  return R"({"tcpsim": 1, "name": "t", "description": "d",
"hosts": [{"name": "client", "tcp": )" +
         client_tcp + R"(}, {"name": "server"}],
"timeline": [{"at": "0s", "host": "server", "action": "listen", "port": 80})" +
         timeline_extra + "]" + (expect.empty() ? "" : ",\n\"expect\": " + expect) + "}\n";
}

std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "t.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("window_scaling is a shift from 0 to 14 or \"off\"", "[loader][options]") {
  CHECK(load_scenario_text(scenario(R"({"window_scaling": 7})"), "t.json")
            .hosts[0]
            .tcp.window_scaling == 7);
  CHECK(load_scenario_text(scenario(R"({"window_scaling": "off"})"), "t.json")
            .hosts[0]
            .tcp.window_scaling == tcp::window_scaling_off);
  CHECK(load_scenario_text(scenario("{}"), "t.json").hosts[0].tcp.window_scaling ==
        tcp::window_scaling_off);
  CHECK(error_of(scenario(R"({"window_scaling": 15})")).find(
            "expected an integer between 0 and 14, got 15") !=
        std::string::npos);
  const Scenario both = load_scenario_text(
      scenario(R"({"timestamps": true, "sack": true, "option_layout": "freebsd"})"), "t.json");
  CHECK(both.hosts[0].tcp.timestamps);
  CHECK(both.hosts[0].tcp.sack);
  CHECK(both.hosts[0].tcp.option_layout == tcp::OptionLayout::freebsd_order);
}

TEST_CASE("an inject carries window scale, SACK-permitted and timestamps", "[loader][options]") {
  const std::string inject =
      R"(, {"at": "1s", "action": "inject", "from": "client:4000", "to": "server:80", )"
      R"("flags": "SYN", "seq": 5, "ws": 3, "sack_permitted": true, "tsval": 77, "tsecr": 0})";
  const Scenario loaded = load_scenario_text(scenario("{}", inject), "t.json");
  const InjectSpec& spec = loaded.timeline.at(1).inject;
  CHECK(spec.window_scale == 3);
  CHECK(spec.sack_permitted);
  CHECK(spec.has_timestamps);
  CHECK(spec.timestamp_value == 77);
  CHECK(spec.timestamp_echo == 0);
  const std::string half =
      R"(, {"at": "1s", "action": "inject", "from": "client:4000", "to": "server:80", )"
      R"("flags": "SYN", "seq": 5, "tsval": 77})";
  CHECK(error_of(scenario("{}", half)).find(R"("tsval" and "tsecr" go together)") !=
        std::string::npos);
}

TEST_CASE("a segment expectation names the window and the options", "[loader][options]") {
  const Scenario loaded = load_scenario_text(
      scenario("{}", "",
               R"({"segments": [{"from": "server", "flags": "ACK", "win": 8192, "ws": -1, )"
               R"("tsval": 5, "tsecr": 6, "sack": [[101, 201], [301, 401]]}]})"),
      "t.json");
  REQUIRE(loaded.expect.segments);
  const ExpectedSegment& segment = loaded.expect.segments->at(0);
  CHECK(segment.window == 8192U);
  CHECK(segment.window_scale == -1);
  CHECK(segment.timestamp_value == 5U);
  CHECK(segment.timestamp_echo == 6U);
  REQUIRE(segment.sack);
  CHECK(*segment.sack == std::vector<std::pair<std::int64_t, std::int64_t>>{{101, 201},
                                                                           {301, 401}});
  CHECK(error_of(scenario("{}", "",
                          R"({"segments": [{"from": "server", "flags": "ACK", "sack": [1]}]})"))
            .find("a [left, right] pair of integers") != std::string::npos);
}

}  // namespace runner_options_loader_tests
