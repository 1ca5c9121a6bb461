// The checks a CI user relies on: every kind of expectation fails when the run differs, and says
// exactly what differed and where the expectation stands; golden comparison names the first
// divergent event.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"

namespace runner_expectation_tests {

using namespace tcpsim::runner;

namespace {

// A handshake and a four-way close over a 50 ms link, with `expect` spliced in.
std::string handshake_scenario(const std::string& expect) {
  return R"({
  "tcpsim": 1,
  "name": "expectation-test",
  "description": "Handshake and close used by the expectation tests.",
  "link": { "delay": "50ms" },
  "hosts": [
    { "name": "client", "tcp": { "isn": 100 } },
    { "name": "server", "tcp": { "isn": 900 } }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1" },
    { "at": "300ms", "host": "client", "action": "send", "connection": "c1", "data": "hi" },
    { "at": "1s", "host": "client", "action": "close", "connection": "c1" },
    { "at": "1500ms", "host": "server", "action": "close", "connection": "web#1" }
  ],
  "expect": )" + expect + "\n}\n";
}

std::vector<ExpectationFailure> failures_for(const std::string& expect) {
  const Scenario scenario = load_scenario_text(handshake_scenario(expect), "inline.json");
  return check_expectations(scenario, run_scenario(scenario));
}

}  // namespace

TEST_CASE("expectations that hold produce no failure") {
  const auto failures = failures_for(R"({
    "final_states": { "c1": "CLOSED", "web#1": "CLOSED" },
    "states": { "c1": ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"] },
    "app_events": { "web#1": ["accepted", { "event": "data", "data": "hi", "at": "350ms" }, "end_of_stream", "closed"] },
    "counts": { "server.accepted": 1, "client.sent.FIN": 1, "link.dropped": 0 },
    "never": [ { "segment": { "flags_contain": "RST" } } ]
  })");
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
}

TEST_CASE("a wrong final state is reported with the states the connection went through") {
  const auto failures = failures_for(R"({ "final_states": { "c1": "TIME_WAIT" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "c1 ended in CLOSED, expected TIME_WAIT; its states: [CLOSED, SYN_SENT, ESTABLISHED, "
        "FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED]");
  CHECK(failures[0].where.json_path == "$.expect.final_states.c1");
  CHECK(failures[0].where.file == "inline.json");
  CHECK(failures[0].where.line > 0);
}

TEST_CASE("an unknown connection in an expectation fails rather than passing vacuously") {
  const auto failures = failures_for(R"({ "final_states": { "web#2": "CLOSED" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "connection web#2 never existed");
}

TEST_CASE("a wrong state sequence is shown next to the expected one") {
  const auto failures = failures_for(R"({ "states": { "c1": ["CLOSED", "SYN_SENT", "ESTABLISHED"] } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message.find("c1 went through [CLOSED, SYN_SENT, ESTABLISHED, FIN_WAIT_1") == 0);
}

TEST_CASE("app events: wrong time, wrong data, missing and extra events each fail") {
  auto failures = failures_for(R"({ "app_events": { "web#1": ["accepted", { "event": "data", "at": "351ms" }, "end_of_stream", "closed"] } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "app event 2 of web#1: expected data at 351ms, it came at 350ms");

  failures = failures_for(R"({ "app_events": { "web#1": ["accepted", { "event": "data", "data": "ho" }, "end_of_stream", "closed"] } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "app event 2 of web#1: expected data \"ho\", got \"hi\"");

  failures = failures_for(R"({ "app_events": { "web#1": ["accepted", "data"] } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "web#1: expected 2 app events, got 4; the first extra one is end_of_stream at 1.05s");

  failures = failures_for(R"({ "app_events": { "web#1": ["accepted", "data", "end_of_stream", "closed", "reset"] } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "web#1: expected 5 app events, got 4; missing reset");
}

TEST_CASE("segments are matched in order with relative numbers, and the first difference is named") {
  auto failures = failures_for(R"({ "segments": [
      { "from": "client", "flags": "SYN", "seq": 0, "len": 0, "at": "100ms" },
      { "from": "server", "flags": "SYN,ACK", "seq": 0, "ack": 1 },
      { "from": "client", "flags": "ACK", "seq": 1, "ack": 1 },
      { "from": "client", "flags": "PSH,ACK", "seq": 1, "ack": 1, "len": 2 },
      { "from": "server", "flags": "ACK", "seq": 1, "ack": 3 },
      { "from": "client", "flags": "FIN,ACK", "seq": 3, "ack": 1 },
      { "from": "server", "flags": "ACK", "seq": 1, "ack": 4 },
      { "from": "server", "flags": "FIN,ACK", "seq": 1, "ack": 4 },
      { "from": "client", "flags": "ACK", "seq": 4, "ack": 2 }
  ] })");
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());

  failures = failures_for(R"({ "segments": [
      { "from": "client", "flags": "SYN", "seq": 0 },
      { "from": "server", "flags": "SYN,ACK", "seq": 0, "ack": 2 }
  ] })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "segment 2: expected server SYN,ACK seq=0 ack=2, got server SYN,ACK seq=0 ack=1 len=0 at "
        "150ms");
  CHECK(failures[0].where.json_path == "$.expect.segments[1]");
}

TEST_CASE("a short segment list fails on the first extra segment") {
  const auto failures = failures_for(R"({ "segments": [ { "from": "client", "flags": "SYN" } ] })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "expected 1 segments, 9 were sent; the first extra one is server SYN,ACK seq=0 ack=1 "
        "len=0 at 150ms");
}

TEST_CASE("counts and never rules fail with the actual value") {
  auto failures = failures_for(R"({ "counts": { "server.accepted": 2 } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "count server.accepted is 1, expected 2");

  failures = failures_for(R"({ "never": [ { "segment": { "from": "server", "flags_contain": "FIN" } } ] })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "a segment that should never be sent was sent: server FIN,ACK seq=1 ack=4 len=0 at 1.5s");

  failures = failures_for(R"({ "never": [ { "state": "TIME_WAIT", "host": "client" } ] })");
  REQUIRE(failures.size() == 1);

  failures = failures_for(R"({ "never": [ { "event": "closed", "connection": "web#1" } ] })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "web#1 was told closed at 1.6s, which should never happen");
}

TEST_CASE("golden comparison names the first divergent line") {
  CHECK_FALSE(compare_traces("a\nb\n", "a\nb\n"));
  const auto difference = compare_traces("a\nb\nc\n", "a\nB\nc\n");
  REQUIRE(difference);
  CHECK(*difference == "first divergent event at trace line 2:\n    golden: b\n    actual: B");
  const auto shorter = compare_traces("a\nb\n", "a\n");
  REQUIRE(shorter);
  CHECK(shorter->find("actual: (end of trace)") != std::string::npos);
  CHECK(golden_path_for("scenarios/x.json") == "scenarios/x.trace.jsonl");
}

TEST_CASE("the event budget stops a run that would not end, with a clear message") {
  std::string text = handshake_scenario("{}");
  text.replace(text.find("\"expect\""), 0, "\"event_budget\": 5,\n  ");
  const Scenario scenario = load_scenario_text(text, "inline.json");
  const RunResult result = run_scenario(scenario);
  REQUIRE(result.error);
  CHECK(result.error->find("event budget of 5 events exhausted") == 0);
}

namespace {

// 3000 bytes of the pattern from the client to a server that reads them as they come, with
// `expect` spliced in.
std::string transfer_scenario(const std::string& expect) {
  return R"({
  "tcpsim": 1,
  "name": "received-test",
  "description": "A 3000-byte transfer used by the received expectation tests.",
  "hosts": [
    { "name": "client", "tcp": { "isn": 100 } },
    { "name": "server", "tcp": { "isn": 900 } }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1" },
    { "at": "300ms", "host": "client", "action": "send", "connection": "c1", "bytes": 3000 }
  ],
  "expect": )" + expect + "\n}\n";
}

std::vector<ExpectationFailure> transfer_failures(const std::string& expect) {
  const Scenario scenario = load_scenario_text(transfer_scenario(expect), "transfer.json");
  return check_expectations(scenario, run_scenario(scenario));
}

// The pattern a send of "bytes": n produces, as a JSON string body.
std::string pattern(std::size_t n) {
  std::string text;
  for (std::size_t k = 0; k < n; ++k) text += static_cast<char>('a' + k % 26);
  return text;
}

}  // namespace

TEST_CASE("received data that matches produces no failure") {
  auto failures = failures_for(R"({
    "received": { "web#1": "hi", "c1": "", "server/1": { "data": "hi" }, "client/1": { "length": 0 } },
    "counts": { "server.bytes_received": 2, "client.bytes_received": 0 }
  })");
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());

  failures = transfer_failures(R"({
    "received": { "web#1": { "bytes": 3000 }, "c1": { "length": 0 } },
    "counts": { "server.bytes_received": 3000, "client.fast_retransmissions": 0, "client.window_probes": 0,
                "client.keepalive_probes": 0 }
  })");
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
  failures = transfer_failures(R"({ "received": { "web#1": ")" + pattern(3000) + R"(" } })");
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
}

TEST_CASE("received data that differs names the first differing byte, both lengths and an excerpt") {
  auto failures = failures_for(R"({ "received": { "web#1": "ho" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data web#1 received differs at byte 1 (expected 2 bytes, received 2): expected "ho", got "hi")");
  CHECK(failures[0].where.json_path == R"($.expect.received["web#1"])");
  CHECK(failures[0].where.file == "inline.json");

  // Shorter and longer than expected: the side that ends says so.
  failures = failures_for(R"({ "received": { "web#1": "hi!" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data web#1 received differs at byte 2 (expected 3 bytes, received 2): expected "hi!", got "hi" (end of data))");
  failures = failures_for(R"({ "received": { "c1": { "data": "x" } } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data c1 received differs at byte 0 (expected 1 bytes, received 0): expected "x", got "" (end of data))");
  failures = transfer_failures(R"({ "received": { "web#1": { "bytes": 2999 } } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data web#1 received differs at byte 2999 (expected 2999 bytes, received 3000): expected ..."bcdefghi" (end of data), got ..."bcdefghij")");

  // In the middle: 8 bytes either side, escaped, "..." where the data goes on.
  std::string expected = pattern(3000);
  expected.replace(1500, 1, "\\n");
  failures = transfer_failures(R"({ "received": { "web#1": ")" + expected + R"(" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data web#1 received differs at byte 1500 (expected 3000 bytes, received 3000): expected ..."klmnopqr\x0atuvwxyz"..., got ..."klmnopqrstuvwxyz"...)");

  // Bytes that are not printable are escaped; the length alone is compared when asked.
  failures = failures_for(R"({ "received": { "web#1": "h\u0001" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        R"(the data web#1 received differs at byte 1 (expected 2 bytes, received 2): expected "h\x01", got "hi")");
  failures = failures_for(R"({ "received": { "web#1": { "length": 3 } } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "web#1 received 2 bytes, expected 3");
  CHECK(failures[0].where.json_path == R"($.expect.received["web#1"])");

  failures = failures_for(R"({ "received": { "web#2": "x" } })");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message == "connection web#2 never existed");
}

TEST_CASE("manual reads: a connection receives what the application read") {
  std::string text = transfer_scenario(R"({ "received": { "web#1": { "bytes": 1000 } } })");
  text.replace(text.find(R"("name": "web" })"), std::string(R"("name": "web" })").size(),
               R"("name": "web", "read": "manual" })");
  text.replace(text.find(R"("bytes": 3000 })"), std::string(R"("bytes": 3000 })").size(),
               R"("bytes": 3000 },
    { "at": "2s", "host": "server", "action": "read", "connection": "web#1", "bytes": 1000 })");
  const Scenario scenario = load_scenario_text(text, "manual.json");
  const auto failures = check_expectations(scenario, run_scenario(scenario));
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
}

TEST_CASE("count_expectations counts each received entry") {
  const Scenario scenario = load_scenario_text(
      handshake_scenario(R"({ "received": { "web#1": "hi", "c1": { "length": 0 } }, "counts": { "server.bytes_received": 2 } })"),
      "inline.json");
  CHECK(count_expectations(scenario.expect) == 3);
  CHECK_FALSE(scenario.expect.empty());
}

namespace {

// The "never" checks as a scan of every rule over the whole run makes them: the reference the
// indexed checker must agree with.
std::string scanned_segment(const Scenario& scenario, const TraceEvent& event) {
  const TraceSegment& segment = event.segment;
  std::string out = scenario.hosts[static_cast<std::size_t>(event.host)].name + " " +
                    (segment.flags == 0 ? std::string("(no flags)")
                                        : tcpsim::tcp::flags_to_string(segment.flags));
  out += " seq=" + std::to_string(segment.has_relative_seq ? segment.relative_seq
                                                           : std::int64_t{segment.seq});
  if ((segment.flags & tcpsim::tcp::flag::ack) != 0) {
    out += " ack=" + std::to_string(segment.has_relative_ack ? segment.relative_ack
                                                             : std::int64_t{segment.ack});
  }
  return out + " len=" + std::to_string(segment.length) + " at " +
         tcpsim::format_duration(event.time);
}

std::optional<std::string> scanned_never(const Scenario& scenario, const RunResult& result,
                                         const ExpectedNever& never) {
  const auto host_ok = [&](int host) { return !never.host || *never.host == host; };
  const auto connection_ok = [&](const ConnectionRecord& record) {
    return !never.connection || record.name == *never.connection ||
           record.default_name == *never.connection;
  };
  if (never.kind == ExpectedNever::Kind::segment) {
    for (const TraceEvent& event : result.trace) {
      if (event.kind != TraceKind::send || !host_ok(event.host)) continue;
      if (never.flags_exact && event.segment.flags != *never.flags_exact) continue;
      if (never.flags_contain &&
          (event.segment.flags & *never.flags_contain) != *never.flags_contain) {
        continue;
      }
      return "a segment that should never be sent was sent: " + scanned_segment(scenario, event);
    }
    return std::nullopt;
  }
  for (const ConnectionRecord& record : result.connections) {
    if (!host_ok(record.host) || !connection_ok(record)) continue;
    if (never.kind == ExpectedNever::Kind::event) {
      for (const AppEventRecord& event : record.app_events) {
        if (event.kind == never.event) {
          return record.name + " was told " + std::string(tcpsim::tcp::app_event_name(event.kind)) +
                 " at " + tcpsim::format_duration(event.time) + ", which should never happen";
        }
      }
    } else if (std::find(record.states.begin(), record.states.end(), never.state) !=
               record.states.end()) {
      std::string states = "[";
      for (std::size_t k = 0; k < record.states.size(); ++k) {
        states += (k > 0 ? ", " : "") + std::string(tcpsim::tcp::state_name(record.states[k]));
      }
      return record.name + " entered " + std::string(tcpsim::tcp::state_name(never.state)) +
             ", which should never happen; its states: " + states + "]";
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("indexed never rules report exactly what a scan of every rule would") {
  std::uint64_t random = 12345;
  const auto next = [&random](std::uint64_t bound) {
    random = random * 6364136223846793005ULL + 1442695040888963407ULL;
    return (random >> 33) % bound;
  };
  std::size_t fired = 0;
  for (const char* name : {"crash-reboot-half-open", "two-way-handshake-stale-syn",
                           "data-fast-retransmit", "simultaneous-open", "connection-refused"}) {
    const std::string file = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json";
    INFO(file);
    REQUIRE(std::filesystem::exists(file));
    Scenario scenario = load_scenario_file(file);
    const RunResult result = run_scenario(scenario);
    std::vector<std::string> names{"nobody"};
    for (const ConnectionRecord& record : result.connections) {
      names.push_back(record.name);
      names.push_back(record.default_name);
    }
    scenario.expect = {};
    for (int k = 0; k < 600; ++k) {
      ExpectedNever never;
      never.kind = static_cast<ExpectedNever::Kind>(next(3));
      if (next(3) > 0) never.host = static_cast<int>(next(2));
      if (never.kind == ExpectedNever::Kind::segment) {
        if (next(3) == 0) never.flags_exact = static_cast<std::uint8_t>(next(64));
        // Few flags, so that a good share of the rules fire.
        if (next(2) == 0) never.flags_contain = static_cast<std::uint8_t>(1U << next(6));
        if (next(4) == 0) never.flags_contain = static_cast<std::uint8_t>(next(64));
      } else {
        if (next(2) == 0) never.connection = names[next(names.size())];
        never.event =
            static_cast<tcpsim::tcp::AppEventKind>(next(tcpsim::tcp::app_event_kind_count));
        never.state = static_cast<tcpsim::tcp::State>(next(tcpsim::tcp::state_count));
      }
      never.where.json_path = "$.expect.never[" + std::to_string(k) + "]";
      scenario.expect.never.push_back(never);
    }
    std::vector<std::pair<std::string, std::string>> expected;  // (where, message)
    for (const ExpectedNever& never : scenario.expect.never) {
      if (auto message = scanned_never(scenario, result, never)) {
        expected.emplace_back(never.where.json_path, *message);
      }
    }
    fired += expected.size();
    const auto failures = check_expectations(scenario, result);
    REQUIRE(failures.size() == expected.size());
    for (std::size_t k = 0; k < failures.size(); ++k) {
      CHECK(failures[k].where.json_path == expected[k].first);
      CHECK(failures[k].message == expected[k].second);
    }
  }
  CHECK(fired > 400);  // the rules were not all vacuous
}

// --- "optional" and "any_of" in "segments" ---

namespace {

// The nine segments of handshake_scenario, with `middle` in place of the server's three closing
// segments (7, 8 and 9: its ACK, its FIN, the client's last ACK).
std::string segments_with(const std::string& middle) {
  return R"({ "segments": [
      { "from": "client", "flags": "SYN" },
      { "from": "server", "flags": "SYN,ACK" },
      { "from": "client", "flags": "ACK" },
      { "from": "client", "flags": "PSH,ACK", "len": 2 },
      { "from": "server", "flags": "ACK", "ack": 3 },
      { "from": "client", "flags": "FIN,ACK" },
      )" + middle + R"(
  ] })";
}

}  // namespace

TEST_CASE("an optional segment may be sent or not") {
  auto failures = failures_for(segments_with(R"(
      { "from": "server", "flags": "RST", "optional": true },
      { "from": "server", "flags": "ACK", "ack": 4, "optional": true },
      { "from": "server", "flags": "FIN,ACK", "ack": 4 },
      { "from": "client", "flags": "ACK", "ack": 2 },
      { "from": "client", "flags": "RST", "optional": true })"));
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
}

TEST_CASE("any_of takes whichever alternative the run sends") {
  for (const std::string alternatives :
       {R"([[{ "from": "server", "flags": "ACK" }, { "from": "server", "flags": "FIN,ACK" }],
            [{ "from": "server", "flags": "FIN,ACK" }]])",
        R"([[{ "from": "server", "flags": "FIN,ACK" }],
            [{ "from": "server", "flags": "ACK" }, { "from": "server", "flags": "FIN,ACK" }]])",
        R"([[{ "from": "server", "flags": "ACK" }, { "from": "server", "flags": "RST" }],
            [{ "from": "server", "flags": "ACK" }, { "from": "server", "flags": "FIN,ACK" }]])",
        R"([[], [{ "from": "server", "flags": "ACK" },
                 { "from": "server", "flags": "FIN,ACK" }]])"}) {
    INFO(alternatives);
    const auto failures = failures_for(segments_with(R"({ "any_of": )" + alternatives + R"( },
      { "from": "client", "flags": "ACK", "ack": 2 })"));
    for (const auto& failure : failures) INFO(failure.message);
    CHECK(failures.empty());
  }
}

TEST_CASE("a divergence names the segment, the candidates and the alternatives tried") {
  auto failures = failures_for(segments_with(R"({ "any_of": [
        [{ "from": "server", "flags": "FIN,ACK" }],
        [{ "from": "server", "flags": "RST" }]
      ] },
      { "from": "client", "flags": "ACK" })"));
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "segment 7: expected one of server FIN,ACK ($.expect.segments[6].any_of[0][0]) or server "
        "RST ($.expect.segments[6].any_of[1][0]), got server ACK seq=1 ack=4 len=0 at 1.05s; "
        "$.expect.segments[6] allows [server FIN,ACK] | [server RST]");
  CHECK(failures[0].where.json_path == "$.expect.segments[6].any_of[0][0]");

  // The second alternative fails at its first segment, the first at its second.
  failures = failures_for(segments_with(R"({ "any_of": [
        [{ "from": "server", "flags": "ACK" },
         { "from": "server", "flags": "RST", "optional": true },
         { "from": "server", "flags": "RST" }],
        [{ "from": "server", "flags": "FIN,ACK" }]
      ] },
      { "from": "client", "flags": "ACK" })"));
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "segment 8: expected one of server RST ($.expect.segments[6].any_of[0][1], optional) or "
        "server RST ($.expect.segments[6].any_of[0][2]), got server FIN,ACK seq=1 ack=4 len=0 at "
        "1.5s; $.expect.segments[6] allows [server ACK, server RST (optional), server RST] | "
        "[server FIN,ACK] (ruled out by an earlier segment)");

  // An optional last segment: the list may also end there.
  failures = failures_for(segments_with(R"({ "from": "server", "flags": "ACK" },
      { "from": "server", "flags": "RST", "optional": true })"));
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "segment 8: expected one of server RST ($.expect.segments[7], optional) or the end of the "
        "list, "
        "got server FIN,ACK seq=1 ack=4 len=0 at 1.5s");
}

TEST_CASE("a list with alternatives that is too short or too long says where it ended") {
  auto failures = failures_for(segments_with(R"({ "from": "server", "flags": "ACK" },
      { "from": "server", "flags": "FIN,ACK" },
      { "from": "client", "flags": "ACK" },
      { "any_of": [[{ "from": "client", "flags": "RST" }],
                   [{ "from": "server", "flags": "RST" }]] })"));
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "only 9 segments were sent, the list needs more: missing one of client RST "
        "($.expect.segments[9].any_of[0][0]) or server RST ($.expect.segments[9].any_of[1][0]); "
        "$.expect.segments[9] allows [client RST] | [server RST]");

  failures =
      failures_for(segments_with(R"({ "from": "server", "flags": "ACK", "optional": true })"));
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].message ==
        "the list was complete after 7 segments, 9 were sent; the first extra one is server "
        "FIN,ACK seq=1 ack=4 len=0 at 1.5s");
}

TEST_CASE("alternatives are matched without backtracking: nested choices cost what they hold") {
  // 40 choices of one or two optional segments before the real list: a matcher that tried each
  // way in turn would explore 3^40 paths; the set of positions stays at most 120 wide.
  std::string choices;
  for (int k = 0; k < 40; ++k) {
    choices += R"({ "any_of": [[{ "from": "client", "flags": "ACK", "optional": true }],
        [{ "from": "client", "flags": "ACK", "optional": true },
         { "from": "client", "flags": "ACK", "optional": true }]] },
      )";
  }
  const Scenario scenario = load_scenario_text(
      handshake_scenario(R"({ "segments": [)" + choices + R"(
      { "from": "client", "flags": "SYN" },
      { "from": "server", "flags": "SYN,ACK" },
      { "from": "client", "flags": "ACK" },
      { "from": "client", "flags": "PSH,ACK" },
      { "from": "server", "flags": "ACK" },
      { "from": "client", "flags": "FIN,ACK" },
      { "from": "server", "flags": "ACK" },
      { "from": "server", "flags": "FIN,ACK" },
      { "from": "client", "flags": "ACK" }] })"),
      "inline.json");
  const RunResult result = run_scenario(scenario);
  ExpectationChecker checker(scenario);
  for (const TraceEvent& event : result.trace) checker.event(event, result);
  const auto failures = checker.finish(result);
  for (const auto& failure : failures) INFO(failure.message);
  CHECK(failures.empty());
  // 129 nodes, entered at most once per segment (9 sent, the first one with all 129 open).
  CHECK(checker.steps() < 5'000);
}

}  // namespace runner_expectation_tests
