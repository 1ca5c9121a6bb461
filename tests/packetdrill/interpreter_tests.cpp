// The interpreter (packetdrill/interpreter.hpp): packetdrill's timing and ISN semantics on a
// Session, its error messages, what makes a script skipped, and `convert` (a converted scenario
// sends the same segments at the same times).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "packetdrill/convert.hpp"
#include "packetdrill/interpreter.hpp"
#include "packetdrill/parser.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace.hpp"

namespace packetdrill_interpreter_tests {

using namespace tcpsim::packetdrill;
using tcpsim::runner::TraceKind;

namespace {

ScriptOutcome run(const std::string& text, InterpreterOptions options = {}) {
  return run_script(parse_script(text, "t.pkt"), options);
}

const std::string active_open =
    "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0    fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
    "+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
    "+0    > S 0:0(0) win 65535 <mss 1460>\n"
    "+0.1  < S. 0:0(0) ack 1 win 32768 <mss 1460>\n"
    "+0    > . 1:1(0) ack 1 win 65535\n";

// Every segment host local sent: flags, seq, ack, length and time, absolute.
std::vector<std::string> local_segments(const tcpsim::runner::RunResult& run) {
  std::vector<std::string> segments;
  for (const auto& event : run.trace) {
    if (event.kind != TraceKind::send || event.host != 0) continue;
    const auto& segment = event.segment;
    segments.push_back(std::to_string(event.time) + " " + std::to_string(segment.flags) + " " +
                       std::to_string(segment.seq) + " " + std::to_string(segment.ack) + " " +
                       std::to_string(segment.length));
  }
  return segments;
}

}  // namespace

TEST_CASE("an active open passes, whatever ISN the seed draws") {
  for (const std::uint64_t seed : {1U, 2U, 99U}) {
    InterpreterOptions options;
    options.seed = seed;
    const ScriptOutcome outcome = run(active_open, options);
    INFO(outcome.message);
    CHECK(outcome.verdict == Verdict::passed);
    CHECK(local_segments(outcome.run).size() == 2);
  }
}

TEST_CASE("a mismatch is reported as packetdrill reports it, with both packets") {
  const ScriptOutcome outcome = run(active_open + "+0.1 write(3, ..., 10) = 10\n"
                                                  "+0 > P. 1:11(10) ack 2 win 65535\n");
  REQUIRE(outcome.verdict == Verdict::failed);
  CHECK(outcome.line == 8);
  CHECK(outcome.message ==
        "t.pkt:8: error handling packet: live packet field tcp_ack_seq: expected: 2 (0x2) vs "
        "actual: 1 (0x1)\n"
        "script packet:  0.200000 P. 1:11(10) ack 2 win 65535\n"
        "actual packet:  0.200000 P. 1:11(10) ack 1 win 65535");
}

TEST_CASE("times: a segment later than the tolerance is a timing error") {
  const std::string late = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                           "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
                           "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                           "+0 > S 0:0(0) <mss 1460>\n"
                           "+0.9 > S 0:0(0) <mss 1460>\n";
  const ScriptOutcome strict = run(late);
  REQUIRE(strict.verdict == Verdict::failed);
  CHECK(strict.message ==
        "t.pkt:5: error handling packet: timing error: expected outbound packet at 0.900000 sec "
        "but happened at 1.000000 sec; tolerance 0.000000 sec\n"
        "script packet:  0.900000 S 0:0(0) <mss 1460>\n"
        "actual packet:  1.000000 S 0:0(0) win 65535 <mss 1460>");
  const ScriptOutcome tolerant = run("--tolerance_usecs=100000\n" + late);
  CHECK(tolerant.verdict == Verdict::passed);
}

TEST_CASE("system calls: results and errno are checked") {
  const ScriptOutcome wrong_errno =
      run(active_open + "+0 read(3, ..., 10) = -1 ECONNRESET (Connection reset by peer)\n");
  REQUIRE(wrong_errno.verdict == Verdict::failed);
  CHECK(wrong_errno.message ==
        "t.pkt:7: runtime error in read call: Expected errno 104 (Connection reset by peer) but "
        "got 11 (Resource temporarily unavailable)");
  const ScriptOutcome wrong_result = run(active_open + "+0 close(3) = -1\n");
  REQUIRE(wrong_result.verdict == Verdict::failed);
  CHECK(wrong_result.message ==
        "t.pkt:7: runtime error in close call: Expected result -1 but got 0 with errno 0 "
        "(Success)");
  const ScriptOutcome no_fd = run(active_open + "+0 close(9) = 0\n");
  CHECK(no_fd.message ==
        "t.pkt:7: runtime error in close call: unable to find fd with script fd 9");
}

TEST_CASE("a blocking call with an end time returns while the script goes on") {
  const std::string script = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                             "+0 bind(3, ..., ...) = 0\n"
                             "+0 listen(3, 1) = 0\n"
                             "+0 ...0.2 accept(3, ..., ...) = 4\n"
                             "+0.1 < S 0:0(0) win 32768 <mss 1460>\n"
                             "+0 > S. 0:0(0) ack 1 win 65535 <mss 1460>\n"
                             "+0.1 < . 1:1(0) ack 1 win 32768\n";
  CHECK(run(script).verdict == Verdict::passed);
  const ScriptOutcome early = run(script + "+0 ...0.5 accept(3, ..., ...) = 5\n");
  REQUIRE(early.verdict == Verdict::failed);
  CHECK(early.message ==
        "t.pkt:8: runtime error: exiting while a blocking system call is in progress");
  std::string late = script;
  late.replace(late.find("...0.2"), 6, "...0.1");
  const ScriptOutcome wrong_end = run(late);
  REQUIRE(wrong_end.verdict == Verdict::failed);
  CHECK(wrong_end.message ==
        "t.pkt:4: timing error: expected system call return at 0.100000 sec but happened at "
        "0.200000 sec; tolerance 0.000000 sec");
}

TEST_CASE("what tcpsim cannot run makes the script skipped, naming it and its line") {
  const auto skipped = [](const std::string& text, bool lenient = false) {
    InterpreterOptions options;
    options.lenient_options = lenient;
    const ScriptOutcome outcome = run(text, options);
    CHECK(outcome.verdict == Verdict::skipped);
    return outcome.message;
  };
  const std::string start = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
  CHECK(skipped(start + "+0 < . 1:1(0) ack 1 <sack 2:3,nop,nop>\n", true) ==
        "t.pkt:2: SACK blocks is not supported");
  CHECK(skipped(start + "+0 epoll_create(1) = 4\n") ==
        "t.pkt:2: the system call epoll_create() is not supported");
  CHECK(skipped(start + "+0 %{ print(tcpi_rto) }%\n") ==
        "t.pkt:2: the code block %{ print(tcpi_rto) }% is not supported (only assert "
        "tcpi_state == TCP_...)");
  CHECK(skipped(start + "+0 `ip link set dev tun0 mtu 1280`\n") ==
        "t.pkt:2: the command `ip link set dev tun0 mtu 1280` is not supported");
  CHECK(skipped("--ip_version=ipv6\n" + start) ==
        "t.pkt:1: --ip_version=ipv6 is not supported (tcpsim is IPv4; --ipv6-as-ipv4 runs an "
        "IPv6 script on IPv4 addresses)");
  CHECK(skipped(start + "+0 < [ect0] S 0:0(0) win 1\n") ==
        "t.pkt:2: IP header field (ect0) is not supported");
}

TEST_CASE("sysctls set the knobs they map to, and the others are noted") {
  const ScriptOutcome outcome = run(
      "0 `sysctl -w net.inet.tcp.recvspace=1000 net.inet.tcp.ecn.enable=1`\n" + active_open);
  // The receive buffer of 1000 bytes is the window of the connection.
  CHECK(outcome.verdict == Verdict::failed);
  CHECK(outcome.message.find("tcp_window: expected: 65535 (0xffff) vs actual: 1000") !=
        std::string::npos);
  REQUIRE(outcome.notes.size() == 1);
  CHECK(outcome.notes[0] ==
        "t.pkt:1: note: sysctl net.inet.tcp.ecn.enable=1 is ignored: ECN is not modelled by the "
        "core");
  // net.inet.tcp.sack.enable sets the knob sack: the SYN offers SACK-permitted.
  const ScriptOutcome sack = run("0 `sysctl -w net.inet.tcp.sack.enable=1`\n" + active_open);
  CHECK(sack.verdict == Verdict::failed);
  CHECK(sack.message.find("actual packet:  0.000000 S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK>") !=
        std::string::npos);
}

TEST_CASE("convert: the JSON scenario replays the script's segments exactly") {
  const std::string script = active_open +
                             "+0.1 write(3, ..., 2000) = 2000\n"
                             "+0 > . 1:1461(1460) ack 1 win 65535\n"
                             "+0.05 < . 1:1(0) ack 1461 win 32768\n"
                             "+0 > P. 1461:2001(540) ack 1 win 65535\n"
                             "+0 < P. 1:101(100) ack 2001 win 32768\n"
                             "+0 > . 2001:2001(0) ack 101 win 65435\n"
                             "+0.1 read(3, ..., 1000) = 100\n"
                             "+0 close(3) = 0\n"
                             "+0 > F. 2001:2001(0) ack 101 win 65535\n"
                             "+0.1 < F. 101:101(0) ack 2002 win 32768\n"
                             "+0 > . 2002:2002(0) ack 102 win 65535\n";
  for (const std::uint64_t seed : {1U, 7U}) {
    InterpreterOptions options;
    options.seed = seed;
    const ScriptOutcome outcome = run(script, options);
    INFO(outcome.message);
    REQUIRE(outcome.verdict == Verdict::passed);
    const std::string json = scenario_json(outcome, "t.pkt");
    const tcpsim::runner::Scenario scenario =
        tcpsim::runner::load_scenario_text(json, "converted.json");
    const tcpsim::runner::RunResult replay = tcpsim::runner::run_scenario(scenario);
    CHECK(local_segments(replay) == local_segments(outcome.run));
    CHECK(replay.end_time == outcome.run.end_time);
  }
}

TEST_CASE("knob settings (--knob NAME=VALUE) are read as a host's tcp object reads them") {
  std::pair<std::string, tcpsim::tcp::KnobValue> setting;
  std::string error;
  REQUIRE(parse_knob_setting("time_wait=60s", setting, error));
  CHECK(setting.first == "time_wait");
  CHECK(setting.second.number == 60 * tcpsim::second);
  REQUIRE(parse_knob_setting("rfc1337=true", setting, error));
  CHECK(setting.second.number == 1);
  REQUIRE(parse_knob_setting("mss=1000", setting, error));
  CHECK(setting.second.number == 1000);
  CHECK_FALSE(parse_knob_setting("mss=0", setting, error));
  CHECK(error.rfind("--knob mss: ", 0) == 0);
  CHECK_FALSE(parse_knob_setting("no_such=1", setting, error));
  CHECK(error == "expected NAME=VALUE with NAME a TCP knob (tcpsim list --knobs), got "
                 "\"no_such=1\"");
  CHECK_FALSE(parse_knob_setting("time_wait=\"60s\"", setting, error));
}

}  // namespace packetdrill_interpreter_tests
