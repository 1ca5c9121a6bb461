// views::LostBursts (views/lost_bursts.hpp): which losses every view writes as one lost burst.
// Behaviour only, never timing: bench/ measures speed.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace.hpp"
#include "views/lost_bursts.hpp"
#include "views/segment_reasons.hpp"

namespace views_lost_bursts_tests {

using namespace tcpsim;

namespace {

constexpr int connections = 1000;

// `connections` connects; at 1 s each writes one segment, then each writes another, so a
// connection's two segments are `connections` segments apart in the order sent. Every segment
// sent at 1 s is lost: c1's first by a rule of its own (another cause), the rest by one rule.
std::string many_connections_lose_at_one_instant() {
  const std::string count = std::to_string(connections);
  return R"({ "tcpsim": 1, "name": "many-connections-lose-at-one-instant",
  "description": "Many connections lose two segments each at one instant.",
  "seed": 1, "link": { "delay": "10ms" },
  "hosts": [{ "name": "client", "address": "10.0.0.1", "tcp": { "mss": 1000 } },
            { "name": "server", "address": "10.0.0.2", "tcp": { "mss": 1000 } }],
  "faults": [
    { "name": "lose-first", "match": { "from": "client", "length": 1000, "count": 1 },
      "action": "drop" },
    { "name": "lose-rest", "match": { "from": "client", "length": 1000, "after": "1s",
      "before": "1s" }, "action": "drop" }],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "backlog": 65535,
      "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c{i}", "repeat": { "count": )" +
         count + R"( } },
    { "at": "1s", "host": "client", "action": "send", "connection": "c{i}", "bytes": 1000,
      "repeat": { "count": )" +
         count + R"( } },
    { "at": "1s", "host": "client", "action": "send", "connection": "c{i}", "bytes": 1000,
      "repeat": { "count": )" +
         count + R"( } }],
  "stop_at": "1500ms" })";
}

}  // namespace

TEST_CASE("lost bursts: when many connections lose segments at one instant, each connection's "
          "losses for one cause are one burst, in the order of their first loss") {
  const runner::Scenario scenario =
      runner::load_scenario_text(many_connections_lose_at_one_instant(), "<test>");
  const runner::RunResult result = runner::run_scenario(scenario);
  const views::LostBursts bursts(result, views::SegmentStory(scenario, result));

  std::vector<std::size_t> drops;
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    if (result.trace[index].kind == runner::TraceKind::drop) drops.push_back(index);
  }
  REQUIRE(drops.size() == 2 * static_cast<std::size_t>(connections));
  for (const std::size_t drop : drops) REQUIRE(result.trace[drop].time == result.trace[drops[0]].time);

  // c1 lost its two segments for two causes: each is lost alone. Every other connection's two
  // are one burst, and the bursts come in the order their first loss does, c2 first.
  const runner::TraceEvent& first_of_c1 = result.trace[drops[0]];
  const runner::TraceEvent& second_of_c1 = result.trace[drops[connections]];
  CHECK(first_of_c1.connection == second_of_c1.connection);
  CHECK(bursts.of(drops[0]) == nullptr);
  CHECK(bursts.of(drops[connections]) == nullptr);
  REQUIRE(bursts.all().size() == static_cast<std::size_t>(connections - 1));
  for (std::size_t k = 1; k < static_cast<std::size_t>(connections); ++k) {
    INFO("connection " << k + 1);
    const views::LostBurst& burst = bursts.all()[k - 1];
    REQUIRE(burst.drops.size() == 2);
    CHECK(burst.drops[0] == drops[k]);
    CHECK(burst.drops[1] == drops[k + connections]);
    CHECK(result.trace[burst.drops[0]].connection == result.trace[burst.drops[1]].connection);
    CHECK(result.trace[burst.drops[0]].connection != result.trace[drops[k - 1]].connection);
    CHECK(bursts.of(drops[k]) == &burst);
    CHECK(bursts.of(drops[k + connections]) == &burst);
    // Not consecutive: the other connections' first segments were sent between.
    const std::string first_id = std::to_string(result.trace[burst.drops[0]].segment.id);
    const std::string second_id = std::to_string(result.trace[burst.drops[1]].segment.id);
    CHECK(views::lost_burst_ids(result, burst, views::Language::english) ==
          "#" + first_id + ", #" + second_id);
  }
}

}  // namespace views_lost_bursts_tests
