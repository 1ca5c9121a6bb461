// SYN cookies (RFC 4987 3.6) and what a full backlog does: the cookie's layout, its check (the
// 4-tuple, the client's ISN, the counter's age), and the host that answers a SYN with one and
// makes the connection only from the ACK that returns it; the RST and drop of backlog_full.
#include <catch2/catch.hpp>

#include <memory>

#include "tcp/host.hpp"
#include "tcp/syn_cookie.hpp"
#include "tcp_test_support.hpp"

namespace tcp_syn_cookie_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

constexpr IsnKey key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
constexpr Address client_address = 0x0A000001;
constexpr Address server_address = 0x0A000002;

FourTuple server_side(Port client_port = 4000) {
  return {{server_address, 80}, {client_address, client_port}};
}

Packet to_server(Port source_port, SeqNum seq, SeqNum ack, std::uint8_t flags,
                 std::uint16_t mss = 0, std::string_view payload = {}) {
  Packet packet;
  packet.source = client_address;
  packet.destination = server_address;
  packet.segment.source_port = source_port;
  packet.segment.destination_port = 80;
  packet.segment.seq = seq;
  packet.segment.ack = ack;
  packet.segment.flags = flags;
  packet.segment.window = 65535;
  packet.segment.mss = mss;
  packet.segment.payload = bytes(payload);
  return packet;
}

std::vector<Packet> sent_packets(const Output& out) {
  std::vector<Packet> packets;
  for (const Effect& effect : out.effects())
    if (effect.kind == Effect::Kind::transmit) packets.push_back(out.packet(effect));
  return packets;
}

// A server listening on port 80 with a backlog of 1, already full (one SYN from port 3999).
struct FullServer {
  explicit FullServer(TcpConfig tcp) : host(config(tcp), IsnSource([] { return 5000U; }, key)) {
    REQUIRE(host.listen(0, 80, 1, out));
    host.packet_arrives(0, to_server(3999, 100, 0, flag::syn), out);
    REQUIRE(host.connection_count() == 1);
    out.clear();
  }
  static HostConfig config(TcpConfig tcp) {
    HostConfig config;
    config.address = server_address;
    config.tcp = tcp;
    return config;
  }
  Host host;
  Output out;
};

}  // namespace

TEST_CASE("a SYN cookie carries the counter and the MSS index, and checks back", "[syn_cookie]") {
  const Time now = 130 * second;  // counter 2
  const SeqNum cookie = syn_cookie(key, now, server_side(), 7000, 1460);
  CHECK(cookie >> 27 == 2);
  CHECK(((cookie >> 24) & 7) == 7);  // 1460, the table's last
  CHECK(check_syn_cookie(key, now, server_side(), 7001, cookie + 1) == 1460);
  // An MSS between the table's values is rounded down; none, or below 536, is 536.
  CHECK(check_syn_cookie(key, now, server_side(), 7001,
                         syn_cookie(key, now, server_side(), 7000, 1250) + 1) == 1220);
  CHECK(check_syn_cookie(key, now, server_side(), 7001,
                         syn_cookie(key, now, server_side(), 7000, 0) + 1) == 536);
  // Another 4-tuple, another client ISN, another key: not ours.
  CHECK_FALSE(check_syn_cookie(key, now, server_side(4001), 7001, cookie + 1));
  CHECK_FALSE(check_syn_cookie(key, now, server_side(), 7002, cookie + 1));
  CHECK_FALSE(check_syn_cookie(IsnKey{1, 2}, now, server_side(), 7001, cookie + 1));
  // One period later it still holds; two periods later it is too old.
  CHECK(check_syn_cookie(key, now + syn_cookie_period, server_side(), 7001, cookie + 1));
  CHECK_FALSE(check_syn_cookie(key, now + 2 * syn_cookie_period, server_side(), 7001, cookie + 1));
}

TEST_CASE("a full backlog drops a SYN by default and answers RST with backlog_full reset",
          "[syn_cookie][listen]") {
  FullServer dropping{TcpConfig{}};
  dropping.host.packet_arrives(0, to_server(4000, 7000, 0, flag::syn), dropping.out);
  CHECK(sent_packets(dropping.out).empty());
  CHECK(dropping.out.effects().back().rule == Rule::listen_backlog_full);

  TcpConfig reset;
  reset.backlog_full = BacklogFull::reset;
  FullServer resetting{reset};
  resetting.host.packet_arrives(0, to_server(4000, 7000, 0, flag::syn), resetting.out);
  const auto answers = sent_packets(resetting.out);
  REQUIRE(answers.size() == 1);
  // RFC 9293 3.10.7.1's answer to a segment without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK>.
  CHECK(answers[0].segment.flags == (flag::rst | flag::ack));
  CHECK(answers[0].segment.ack == 7001);
  CHECK(resetting.host.connection_count() == 1);
}

TEST_CASE("with syn_cookies a full backlog answers with a cookie and keeps nothing",
          "[syn_cookie][listen]") {
  TcpConfig tcp;
  tcp.syn_cookies = true;
  FullServer server{tcp};
  const Time now = 10 * second;
  server.host.packet_arrives(now, to_server(4000, 7000, 0, flag::syn, 1460), server.out);
  const auto answers = sent_packets(server.out);
  REQUIRE(answers.size() == 1);
  const Segment& syn_ack = answers[0].segment;
  CHECK(syn_ack.flags == (flag::syn | flag::ack));
  CHECK(syn_ack.ack == 7001);
  CHECK(syn_ack.seq == syn_cookie(key, now, server_side(), 7000, 1460));
  CHECK(syn_ack.mss == 536);
  CHECK(answers[0].destination == client_address);
  CHECK(server.out.effects().back().rule == Rule::syn_cookie_sent);
  CHECK(server.host.connection_count() == 1);  // no TCB for it

  // A wrong cookie is any ACK reaching a listener: a RST.
  server.out.clear();
  server.host.packet_arrives(now, to_server(4000, 7001, syn_ack.seq + 2, flag::ack), server.out);
  CHECK(server.host.connection_count() == 1);
  CHECK(server.out.effects().back().rule == Rule::listen_ack_answered_with_reset);

  // The ACK that returns it makes the connection, ESTABLISHED at once, and its text is taken.
  server.out.clear();
  server.host.packet_arrives(now + 20 * millisecond,
                             to_server(4000, 7001, syn_ack.seq + 1, flag::ack | flag::psh, 0, "hi"),
                             server.out);
  REQUIRE(server.host.connection_count() == 2);
  bool established = false;
  bool accepted = false;
  std::string data;
  for (const Effect& effect : server.out.effects()) {
    if (effect.kind == Effect::Kind::state_change) {
      CHECK(effect.from == State::listen);
      CHECK(effect.to == State::established);
      CHECK(effect.rule == Rule::syn_cookie_ack);
      established = true;
    }
    if (effect.kind == Effect::Kind::app_event && effect.app_event == AppEventKind::accepted)
      accepted = true;
    if (effect.kind == Effect::Kind::app_event && effect.app_event == AppEventKind::data)
      data += text(server.out.data(effect));
  }
  CHECK(established);
  CHECK(accepted);
  CHECK(data == "hi");
  const auto acks = sent_packets(server.out);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].segment.seq == syn_ack.seq + 1);
  CHECK(acks[0].segment.ack == 7003);
}

TEST_CASE("a SYN cookie's counter wraps modulo 32 and still checks", "[syn_cookie]") {
  // Counter 31 (the last period before the wrap); one period later the counter reads 0.
  const Time now = 31 * syn_cookie_period + 5 * second;
  const SeqNum cookie = syn_cookie(key, now, server_side(), 42, 1460);
  CHECK(cookie >> 27 == 31);
  CHECK(check_syn_cookie(key, now + syn_cookie_period, server_side(), 43, cookie + 1) == 1460);
  CHECK_FALSE(check_syn_cookie(key, now + 2 * syn_cookie_period, server_side(), 43, cookie + 1));
  // 32 periods later the counter is the same again: a cookie that old checks as fresh, as
  // RFC 4987 3.6 accepts (the hash still binds it to the 4-tuple and the client's ISN).
  CHECK(check_syn_cookie(key, now + 32 * syn_cookie_period, server_side(), 43, cookie + 1));
}

}  // namespace tcp_syn_cookie_tests
