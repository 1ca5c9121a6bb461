// The outbound matcher (packetdrill/matcher.hpp): packetdrill's field order and wording, the
// lenient options mode, and the packet text; the errno table (packetdrill/symbols.hpp).
#include <catch2/catch.hpp>

#include "packetdrill/matcher.hpp"
#include "packetdrill/parser.hpp"
#include "packetdrill/symbols.hpp"
#include "tcp/segment.hpp"

namespace packetdrill_matcher_tests {

using namespace tcpsim::packetdrill;
namespace flag = tcpsim::tcp::flag;

namespace {

PacketSpec line(const std::string& packet) {
  const Script script = parse_script("0 " + packet + "\n", "t.pkt");
  return *script.events.at(0).packet();
}

WireSegment syn_ack_with_mss() {
  WireSegment segment;
  segment.flags = flag::syn | flag::ack;
  segment.seq = 0;
  segment.ack = 1;
  segment.window = 65535;
  TcpOption mss;
  mss.kind = TcpOption::Kind::mss;
  mss.value = 1460;
  segment.options.push_back(mss);
  return segment;
}

}  // namespace

TEST_CASE("a matching segment gives no mismatch") {
  CHECK_FALSE(match_outbound(line("> S. 0:0(0) ack 1 win 65535 <mss 1460>"), syn_ack_with_mss(),
                             false));
  CHECK_FALSE(match_outbound(line("> S. 0:0(0) ack 1 <...>"), syn_ack_with_mss(), false));
  // No "win": the window is not checked.
  CHECK_FALSE(match_outbound(line("> S. 0:0(0) ack 1 <mss 1460>"), syn_ack_with_mss(), false));
}

TEST_CASE("mismatches are worded as packetdrill words them, in its order") {
  WireSegment actual = syn_ack_with_mss();
  actual.seq = 2;
  CHECK(*match_outbound(line("> S. 1:1(0) ack 1 win 65535 <mss 1460>"), actual, false) ==
        "live packet field tcp_seq: expected: 1 (0x1) vs actual: 2 (0x2)");
  CHECK(*match_outbound(line("> S. 2:2(0) ack 3 win 65535 <mss 1460>"), actual, false) ==
        "live packet field tcp_ack_seq: expected: 3 (0x3) vs actual: 1 (0x1)");
  CHECK(*match_outbound(line("> S. 2:2(0) ack 1 win 100 <mss 1460>"), actual, false) ==
        "live packet field tcp_window: expected: 100 (0x64) vs actual: 65535 (0xffff)");
  // A flag before the sequence number.
  CHECK(*match_outbound(line("> R. 1:1(0) ack 1 win 65535 <mss 1460>"), actual, false) ==
        "live packet field tcp_syn: expected: 0 (0x0) vs actual: 1 (0x1)");
  // Options change the IP length first.
  CHECK(*match_outbound(line("> S. 2:2(0) ack 1 win 65535 <mss 1460,nop,wscale 7>"), actual,
                        false) ==
        "live packet field ipv4_total_length: expected: 48 (0x30) vs actual: 44 (0x2c)");
  CHECK(*match_outbound(line("> S. 2:2(0) ack 1 win 65535 <mss 1400>"), actual, false) ==
        "bad value outbound TCP option 2");
  CHECK(*match_outbound(line("> S. 2:2(0) ack 1 win 65535 <sackOK,nop,nop>"), actual, false) ==
        "bad outbound TCP options");
  CHECK(*match_outbound(line("> P. 2:12(10) ack 1 win 65535"), actual, false) ==
        "live packet payload: expected 10 bytes vs actual 0 bytes");
}

TEST_CASE("lenient options drop the options the core does not model, and only those") {
  const PacketSpec freebsd =
      line("> S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>");
  CHECK(match_outbound(freebsd, syn_ack_with_mss(), false));
  CHECK_FALSE(match_outbound(freebsd, syn_ack_with_mss(), true));
  // The MSS is modelled: a wrong one still fails when lenient.
  CHECK(*match_outbound(line("> S. 0:0(0) ack 1 <mss 536,sackOK,eol,eol>"), syn_ack_with_mss(),
                        true) == "bad value outbound TCP option 2");
  CHECK(option_modelled(TcpOption::Kind::mss));
  CHECK(option_modelled(TcpOption::Kind::wscale));
  CHECK(option_modelled(TcpOption::Kind::timestamp));
  CHECK_FALSE(option_modelled(TcpOption::Kind::md5));
  CHECK_FALSE(option_modelled(TcpOption::Kind::fast_open));
  CHECK_FALSE(option_ignorable_when_lenient(TcpOption::Kind::sack));
  CHECK_FALSE(option_ignorable_when_lenient(TcpOption::Kind::md5));
}

TEST_CASE("segments print as packetdrill prints them") {
  CHECK(segment_text(syn_ack_with_mss()) == "S. 0:0(0) ack 1 win 65535 <mss 1460>");
  WireSegment data;
  data.flags = flag::psh | flag::ack | flag::fin;
  data.seq = 1;
  data.ack = 1;
  data.payload = 10;
  data.window = 100;
  CHECK(segment_text(data, false) == "FP. 1:11(10) ack 1");
  CHECK(options_text(line("> S 0:0(0) <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>").options) ==
        "mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0");
}

TEST_CASE("errno values and texts are Linux's, whatever the machine") {
  CHECK(find_errno("ECONNRESET")->number == 104);
  CHECK(find_errno("EWOULDBLOCK")->number == find_errno("EAGAIN")->number);
  CHECK(errno_text(115) == "115 (Operation now in progress)");
  CHECK(errno_text(0) == "0 (Success)");
  CHECK(symbol_value("O_NONBLOCK") == std::optional<std::int64_t>(04000));
  CHECK(symbol_value("ECONNREFUSED") == std::optional<std::int64_t>(111));
  CHECK_FALSE(symbol_value("NO_SUCH_THING"));
}

TEST_CASE("the options tcpsim sends match a script's strictly, padding included") {
  namespace tcp = tcpsim::tcp;
  // FreeBSD's SYN-ACK to a SYN offering only MSS and SACK-permitted.
  tcp::Segment sent;
  sent.mss = 1460;
  sent.sack_permitted = true;
  WireSegment actual = syn_ack_with_mss();
  actual.options = options_of(tcp::encode_options(sent, tcp::OptionLayout::freebsd_order));
  CHECK(options_text(actual.options) == "mss 1460,sackOK,eol,eol");
  CHECK_FALSE(match_outbound(line("> S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>"),
                             actual, false));
  // Linux's layout pads the same options otherwise: strictly a mismatch.
  actual.options = options_of(tcp::encode_options(sent, tcp::OptionLayout::linux_order));
  CHECK(options_text(actual.options) == "mss 1460,nop,nop,sackOK");
  CHECK(*match_outbound(line("> S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>"), actual,
                        false) == "bad outbound TCP options");
  // A full SYN with timestamps and SACK blocks on an ACK.
  sent.window_scale = 6;
  sent.has_timestamps = true;
  sent.timestamp_value = 100;
  CHECK(options_text(options_of(tcp::encode_options(sent, tcp::OptionLayout::freebsd_order))) ==
        "mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0");
  tcp::Segment ack;
  ack.has_timestamps = true;
  ack.timestamp_value = 5;
  ack.timestamp_echo = 7;
  ack.sack_block_count = 1;
  ack.sack_blocks[0] = {1001, 2001};
  CHECK(options_text(options_of(tcp::encode_options(ack, tcp::OptionLayout::linux_order))) ==
        "nop,nop,TS val 5 ecr 7,nop,nop,sack 1001:2001");
}

}  // namespace packetdrill_matcher_tests
