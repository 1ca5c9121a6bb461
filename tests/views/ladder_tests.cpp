// The terminal ladder explains itself: drops, holds and discards name their cause, state changes
// cite their rule, and the summary lists every connection's states.
#include <catch2/catch.hpp>

#include <string>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/ladder.hpp"
#include "views/narration.hpp"

using namespace tcpsim::runner;
using tcpsim::views::format_ladder;
using tcpsim::views::LadderOptions;

namespace {

// Wide enough that every reason stays on its event's line.
LadderOptions wide() {
  LadderOptions options;
  options.width = 220;
  return options;
}

std::string ladder_of(const std::string& name, LadderOptions options = wide()) {
  const Scenario scenario =
      load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
  return format_ladder(scenario, run_scenario(scenario), options);
}

}  // namespace

TEST_CASE("the flagship ladder shows the held SYN, the phantom connection and the silent client") {
  const std::string ladder = ladder_of("two-way-handshake-stale-syn");
  CHECK(ladder.find("~ #1 held until 3.000000s   (rule 'stale-syn')") != std::string::npos);
  // Each line ends with its rule, as the core's table words it.
  const auto why = [](tcpsim::tcp::Rule rule) {
    return "   (" + std::string(tcpsim::tcp::rule_reason(rule)) + ")\n";
  };
  // A reason too long for the line goes on the row under its event.
  const std::size_t phantom = ladder.find("[web#2] ESTABLISHED\n");
  REQUIRE(phantom != std::string::npos);
  const std::size_t next_row = ladder.find('\n', phantom) + 1;
  CHECK(ladder.substr(next_row, ladder.find('\n', next_row) - next_row + 1)
            .find("(" + std::string(tcpsim::tcp::rule_reason(
                            tcpsim::tcp::Rule::two_way_listen_syn)) +
                  ")\n") != std::string::npos);
  CHECK(ladder.find("[web#2] app: accepted") != std::string::npos);
  CHECK(ladder.find("discards #6 SYN,ACK seq=0 ack=1 win=65535 len=0" +
                    why(tcpsim::tcp::Rule::two_way_no_third_segment)) != std::string::npos);
  // The listener is in LISTEN from its listen; its connections are born in LISTEN.
  CHECK(ladder.find("[web] LISTEN" + why(tcpsim::tcp::Rule::passive_open)) != std::string::npos);
  CHECK(ladder.find("  server web: CLOSED -> LISTEN (listener)\n") != std::string::npos);
  CHECK(ladder.find("  server web#2: LISTEN -> ESTABLISHED") != std::string::npos);
  CHECK(ladder.find("[two-way handshake]") != std::string::npos);
  // Relative numbers, since the ISNs are random here.
  CHECK(ladder.find("seq/ack: relative to each side's ISN") != std::string::npos);
}

TEST_CASE("a lost segment is crossed out with the rule that dropped it") {
  const std::string ladder = ladder_of("lost-final-ack-time-wait");
  CHECK(ladder.find("X #7 lost   (rule 'lose-final-ack')") != std::string::npos);
  CHECK(ladder.find("#8 FIN,ACK seq=1 ack=2 win=65535 len=0 (retransmission)") !=
        std::string::npos);
}

TEST_CASE("absolute numbers when every host has a fixed ISN, and timers can be hidden") {
  LadderOptions options = wide();
  options.absolute_seq = true;
  options.timers = false;
  const std::string ladder = ladder_of("three-way-handshake", options);
  CHECK(ladder.find("#2 SYN,ACK seq=5000 ack=1001 win=65535 len=0") != std::string::npos);
  CHECK(ladder.find("timer until") == std::string::npos);
  CHECK(ladder.find("retransmission timer until") == std::string::npos);
  const std::string with_timers = ladder_of("three-way-handshake");
  CHECK(with_timers.find("[c1] retransmission timer until 1.100000") != std::string::npos);
}

TEST_CASE("the ladder and its narration show control and invisible characters as escapes") {
  Scenario scenario =
      load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lost-final-ack-time-wait.json");
  scenario.description = "clear\x1b[2J screen \xe2\x80\xae reversed";
  RunResult result = run_scenario(scenario);
  // The views word the link's causes from their fields (never from the trace's text).
  for (auto& event : result.trace) {
    if (event.kind == TraceKind::drop) event.link_cause.rule_name = "bell\x07";
  }
  const std::string ladder = format_ladder(scenario, result, wide());
  CHECK(ladder.find("clear\\x1b[2J screen \\u{202E} reversed") != std::string::npos);
  CHECK(ladder.find("(rule 'bell\\x07')") != std::string::npos);
  const std::string explained = tcpsim::views::format_explained_ladder(
      scenario, result, LadderOptions{}, tcpsim::views::Language::english);
  CHECK(explained.find("bell\\x07") != std::string::npos);
  for (const std::string* text : {&ladder, &explained}) {
    CHECK(text->find('\x1b') == std::string::npos);
    CHECK(text->find('\x07') == std::string::npos);
    CHECK(text->find("\xe2\x80\xae") == std::string::npos);
  }
}

TEST_CASE("a scripted host is marked, and what the script sends is marked as injected") {
  const Scenario scenario = load_scenario_text(R"({ "tcpsim": 1, "name": "scripted",
    "description": "A scripted peer answers a connect.",
    "hosts": [{ "name": "client", "tcp": { "isn": 100 } }, { "name": "peer", "stack": "none" }],
    "timeline": [
      { "at": "0s", "host": "client", "action": "connect", "to": "peer", "port": 80,
        "local_port": 4000, "name": "c1" },
      { "at": "50ms", "action": "inject", "from": "peer:80", "to": "client:4000",
        "flags": "SYN,ACK", "seq": 900, "ack": 101 }
    ], "stop_at": "500ms" })",
                                               "scripted.json");
  const std::string ladder = format_ladder(scenario, run_scenario(scenario), wide());
  CHECK(ladder.find("peer 10.0.0.2 [scripted: no TCP]") != std::string::npos);
  // Relative numbers (the default options): the injected SYN-ACK gives the peer's ISN. The
  // host's line says the script made it, the arrow under it carries it.
  CHECK(ladder.find("! inject   (injected by the script)\n") != std::string::npos);
  CHECK(ladder.find(" #2 SYN,ACK seq=0 ack=1 win=65535 len=0 (injected)\n") != std::string::npos);
  CHECK(ladder.find("[c1] ESTABLISHED") != std::string::npos);
  CHECK(ladder.find("! inject from") == std::string::npos);  // its source is peer's address
}
