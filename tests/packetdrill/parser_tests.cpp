// The packetdrill script parser (packetdrill/parser.hpp): the grammar of packetdrill's parser.y,
// the FreeBSD fork's #ifdef blocks, and exact error messages with FILE:LINE:COL.
#include <catch2/catch.hpp>

#include <string>

#include "packetdrill/parser.hpp"
#include "tcp/segment.hpp"

namespace packetdrill_parser_tests {

using namespace tcpsim::packetdrill;

namespace {

std::string error_of(const std::string& text, const ParseOptions& options = {}) {
  try {
    parse_script(text, "t.pkt", options);
  } catch (const ScriptError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a FreeBSD-style preamble, syscalls and packets parse into events") {
  const std::string text =
      "// comment\n"
      "--ip_version=ipv4\n"
      "--tolerance_usecs=75000\n"
      " 0.00 `sysctl -w net.inet.tcp.rfc1323=1`\n"
      "+0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0.00 fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)\n"
      "+0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
      "+0.00 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0\n"
      "+0.00 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
      "+0.00 > S  0:0(0)       win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>\n"
      "+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>\n"
      "+0.00 >  . 1:1(0) ack 1 win 65535\n"
      "/* a C comment */ +0.1 %{ assert tcpi_state == TCPI_ESTABLISHED }%\n";
  const Script script = parse_script(text, "t.pkt");
  REQUIRE(script.options.size() == 2);
  CHECK(script.options[0].name == "ip_version");
  CHECK(script.options[0].value == "ipv4");
  CHECK(script.options[1].value == "75000");
  REQUIRE(script.events.size() == 10);
  CHECK(script.unsupported.empty());

  CHECK(script.events[0].command()->text == "sysctl -w net.inet.tcp.rfc1323=1");
  CHECK(script.events[0].time.kind == TimeKind::absolute);
  CHECK(script.events[0].where.line == 4);
  CHECK(script.events[0].where.column == 2);

  const SyscallSpec& socket = *script.events[1].syscall();
  CHECK(socket.name == "socket");
  REQUIRE(socket.arguments.size() == 3);
  CHECK(socket.arguments[0].kind == Expression::Kind::ellipsis);
  CHECK(socket.arguments[1].text == "SOCK_STREAM");
  CHECK(socket.result.number == 3);

  const SyscallSpec& getfl = *script.events[2].syscall();
  CHECK(getfl.result.number == 2);
  CHECK(getfl.result.hex);
  CHECK(getfl.errno_name.empty());
  CHECK(getfl.note == "flags O_RDWR");

  const SyscallSpec& setfl = *script.events[3].syscall();
  REQUIRE(setfl.arguments[2].kind == Expression::Kind::bitwise_or);
  CHECK(setfl.arguments[2].items[1].text == "O_NONBLOCK");

  const SyscallSpec& getsockopt = *script.events[4].syscall();
  REQUIRE(getsockopt.arguments[3].kind == Expression::Kind::list);
  CHECK(getsockopt.arguments[3].items[0].number == 65536);

  const SyscallSpec& connect = *script.events[5].syscall();
  CHECK(connect.result.number == -1);
  CHECK(connect.errno_name == "EINPROGRESS");
  CHECK(connect.note == "Operation now in progress");

  const PacketSpec& syn = *script.events[6].packet();
  CHECK_FALSE(syn.inbound);
  CHECK(syn.flags == tcpsim::tcp::flag::syn);
  CHECK(syn.window == std::optional<std::uint16_t>(65535));
  REQUIRE(syn.options.size() == 5);
  CHECK(syn.options[0].kind == TcpOption::Kind::mss);
  CHECK(syn.options[0].value == 1460);
  CHECK(syn.options[2].kind == TcpOption::Kind::wscale);
  CHECK(syn.options[2].value == 6);
  CHECK(syn.options[4].kind == TcpOption::Kind::timestamp);
  CHECK(syn.options[4].value == 100);

  const PacketSpec& syn_ack = *script.events[7].packet();
  CHECK(syn_ack.inbound);
  CHECK(syn_ack.flags == (tcpsim::tcp::flag::syn | tcpsim::tcp::flag::ack));
  CHECK(syn_ack.ack == 1);
  CHECK(script.events[7].time.kind == TimeKind::relative);
  CHECK(script.events[7].time.start_us == 100000);

  const PacketSpec& ack = *script.events[8].packet();
  CHECK(ack.flags == tcpsim::tcp::flag::ack);
  CHECK(ack.seq == 1);
  CHECK(ack.payload == 0);

  CHECK(script.events[9].code()->text == "assert tcpi_state == TCPI_ESTABLISHED");
}

TEST_CASE("event times: relative, absolute, star, ranges, blocking calls, exact microseconds") {
  const Script script = parse_script(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "0.57 > S 0:0(0) <...>\n"
      "* > . 1:1(0) ack 1\n"
      "1.0~1.25 > . 1:1(0) ack 1\n"
      "+0.1~+0.2 > F. 1:1(0) ack 1\n"
      "+0 ...0.300001 accept(3, ..., ...) = 4\n",
      "t.pkt");
  REQUIRE(script.events.size() == 6);
  CHECK(script.events[1].time.start_us == 570000);  // a double would give 569999
  CHECK(script.events[1].packet()->any_options);
  CHECK(script.events[2].time.kind == TimeKind::any);
  CHECK(script.events[3].time.kind == TimeKind::absolute_range);
  CHECK(script.events[3].time.end_us == 1250000);
  CHECK(script.events[4].time.kind == TimeKind::relative_range);
  CHECK(script.events[4].time.start_us == 100000);
  CHECK(script.events[4].time.end_us == 200000);
  CHECK(script.events[5].syscall()->end_us == std::optional<std::int64_t>(300001));
}

TEST_CASE("#ifdef blocks: a defined name is read, any other skipped") {
  const std::string text =
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "#ifdef STANDARD\n"
      "+0 close(3) = 0\n"
      "#endif\n"
      "#ifdef FreeBSD\n"
      "+0 > S. ...(0) ack 65537 win 65535\n"
      "#endif\n";
  const Script standard = parse_script(text, "t.pkt");
  REQUIRE(standard.events.size() == 2);
  CHECK(standard.events[1].syscall()->name == "close");
  CHECK(standard.events[1].where.line == 3);  // lines are counted through skipped blocks
  ParseOptions freebsd;
  freebsd.defined = {"FreeBSD"};
  CHECK(error_of(text, freebsd) ==
        "t.pkt:6:9: error: expected TCP start sequence number (an integer), got '...'");
}

TEST_CASE("constructs tcpsim cannot run are recorded with their position, not refused") {
  const Script script = parse_script(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0 < [ect0] S 0:0(0) win 100\n"
      "+0 < icmp unreachable port\n"
      "+0 < . 1:1(0) ack 1 win 100 <sack 1:2 3:4,nop,nop>\n"
      "+0 > S. 0:0(0) ack 1 <mss 1460,FO abcd>\n",
      "t.pkt");
  REQUIRE(script.unsupported.size() == 4);
  CHECK(script.unsupported[0].construct == "IP header field (ect0)");
  CHECK(script.unsupported[0].where.line == 2);
  CHECK(script.unsupported[1].construct == "ICMP packet");
  CHECK(script.unsupported[2].construct == "SACK blocks");
  CHECK(script.unsupported[2].where.column == 30);
  CHECK(script.unsupported[3].construct == "TCP Fast Open option");
}

TEST_CASE("syntax errors name FILE:LINE:COL and what was expected") {
  CHECK(error_of("") == "t.pkt:1:1: error: a script needs at least one event");
  CHECK(error_of("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = \n") ==
        "t.pkt:2:1: error: expected an expression (a number, a NAME, \"text\", [list], {...} or "
        "...), got the end of the file");
  CHECK(error_of("0 > S 0:1(0)\n") ==
        "t.pkt:1:7: error: inconsistent TCP sequence numbers and payload size");
  CHECK(error_of("0 > S 0:0(0) win 70000\n") ==
        "t.pkt:1:18: error: TCP window value out of range (0 to 65535): 70000");
  CHECK(error_of("0 > Q 0:0(0)\n") ==
        "t.pkt:1:5: error: unknown TCP flag 'Q' in 'Q' (flags are S F R P . U E W)");
  CHECK(error_of("1 close(3) = 0\n") == "t.pkt:1:1: error: the first event should be at time 0");
  CHECK(error_of("0 close(3) = 0\n+0.2~+0.1 > . 1:1(0)\n") ==
        "t.pkt:2:1: error: time range is backwards");
  CHECK(error_of("0 close(3) = 0\n* close(3) = 0\n") ==
        "t.pkt:2:1: error: event time <star> can only be used with outbound packets");
  CHECK(error_of("0 < S 0:0(0) <...>\n") ==
        "t.pkt:1:14: error: <...> for TCP options can only be used with outbound packets");
  CHECK(error_of("0 > S 0:0(0) <mss 1460 nop>\n") ==
        "t.pkt:1:24: error: expected '>' or ',' in the TCP option list, got 'nop'");
  CHECK(error_of("0 > S 0:0(0) <bogus 1>\n") ==
        "t.pkt:1:15: error: unknown TCP option 'bogus' (nop, eol, mss, wscale, sackOK, sack, TS, "
        "md5, FO, FOEXP)");
  CHECK(error_of("0 close(3) = 0 EBADF\n") ==
        "t.pkt:2:1: error: expected '(' and a description after the errno EBADF, got the end of "
        "the file");
  CHECK(error_of("0 close(3) = 0 EBADF x\n") ==
        "t.pkt:1:22: error: expected '(' and a description after the errno EBADF, got 'x'");
  CHECK(error_of("0 close(3 = 0\n") ==
        "t.pkt:1:11: error: expected ')' closing the arguments of close(), got '='");
  CHECK(error_of("0 close(3) = 0\n--tolerance_usecs=1\n") ==
        "t.pkt:2:1: error: options (--name=value) come before the first event");
  CHECK(error_of("0 `sysctl\n") == "t.pkt:1:3: error: a `command` has no closing `");
  CHECK(error_of("0 close(3) = 0 /* open\n") == "t.pkt:1:16: error: a /* comment has no */");
  CHECK(error_of("0 %{ assert\n") == "t.pkt:1:3: error: a %{ code block has no }%");
  CHECK(error_of("#ifdef STANDARD\n0 close(3) = 0\n") ==
        "t.pkt:1:1: error: #ifdef STANDARD has no #endif");
  CHECK(error_of("#endif\n") == "t.pkt:1:1: error: #endif without #ifdef");
  CHECK(error_of("#include <x>\n") ==
        "t.pkt:1:1: error: unknown directive '#include': only #ifdef NAME ... #endif blocks are "
        "read");
  CHECK(error_of("0 close(3) = 0\n+0 ? close(3) = 0\n") ==
        "t.pkt:2:4: error: expected a packet ('<' or '>'), a system call, a `command` or a %{ "
        "code }% block after the event time, got '?'");
  CHECK(error_of("0 close(3) = 0\nclose(3) = 0\n") ==
        "t.pkt:2:1: error: expected an event time (0.1, +0.1, *, 0.1~0.2 or +0.1~+0.2), got "
        "'close'");
  CHECK(error_of("0 close(3) = 99999999999999999999\n") ==
        "t.pkt:1:14: error: integer out of range: 99999999999999999999");
  CHECK(error_of("0 close(3) = 0\x01\n") == "t.pkt:1:15: error: unexpected character '\\x01'");
}

}  // namespace packetdrill_parser_tests
