// Which segments the core marks as retransmissions (Effect::retransmission, the trace's "retx"):
// those whose sequence space the sending connection sent before, by its own record, and no
// others: not a probe, not an ACK, not a new connection's SYN on a reused 4-tuple.
#include <catch2/catch.hpp>

#include "tcp/host.hpp"
#include "tcp_test_support.hpp"

namespace tcp_retransmission_marking_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

// A transmit effect with its packet.
struct Sent : Effect {
  Packet packet;
};

// The transmit effects of one call, in order.
std::vector<Sent> transmits(const Output& out) {
  std::vector<Sent> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::transmit) result.push_back({effect, out.packet(effect)});
  }
  return result;
}

const Sent& only_transmit(const Output& out, std::vector<Sent>& holder) {
  holder = transmits(out);
  REQUIRE(holder.size() == 1);
  return holder.front();
}

}  // namespace

TEST_CASE("syn_sent_timeout_retransmission_marks_the_syn_a_retransmission", "[retransmission]") {
  Connection c = make_connection();
  Output out;
  std::vector<Sent> holder;
  c.open_active(0, local_iss, out);
  CHECK_FALSE(only_transmit(out, holder).retransmission);  // the first SYN is new
  out.clear();
  c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  const Sent& again = only_transmit(out, holder);
  CHECK(again.packet.segment.flags == flag::syn);
  CHECK(again.purpose == SendPurpose::retransmission);
  CHECK(again.retransmission);
}

TEST_CASE("syn_received_timeout_retransmission_marks_the_syn_ack_a_retransmission",
          "[retransmission]") {
  Connection c = make_connection();
  Output out;
  std::vector<Sent> holder;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  CHECK_FALSE(only_transmit(out, holder).retransmission);
  out.clear();
  c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  const Sent& again = only_transmit(out, holder);
  CHECK(again.packet.segment.flags == (flag::syn | flag::ack));
  CHECK(again.retransmission);
}

TEST_CASE("syn_sent_rcv_syn_simultaneous_open_syn_ack_repeats_our_syn", "[retransmission]") {
  // RFC 9293 3.5 figure 7: the SYN,ACK carries our ISS again, which our SYN already sent.
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  std::vector<Sent> holder;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  const Sent& syn_ack = only_transmit(out, holder);
  CHECK(syn_ack.packet.segment.seq == local_iss);
  CHECK(syn_ack.retransmission);
}

TEST_CASE("established_timeout_retransmission_marks_the_data_a_retransmission",
          "[retransmission]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  std::vector<Sent> holder;
  c.send(0, bytes("hello"), out);
  CHECK_FALSE(only_transmit(out, holder).retransmission);
  out.clear();
  c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  const Sent& again = only_transmit(out, holder);
  CHECK(again.packet.segment.seq == local_iss + 1);
  CHECK(again.packet.segment.payload.size() == 5);
  CHECK(again.retransmission);
}

TEST_CASE("established_third_duplicate_ack_fast_retransmission_is_a_retransmission",
          "[retransmission]") {
  TcpConfig config;
  config.mss = 10;
  config.nagle = false;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.send(0, bytes("0123456789abcdefghijklmnopqrst"), out);  // three segments of 10
  for (const Effect& effect : transmits(out)) CHECK_FALSE(effect.retransmission);
  REQUIRE(transmits(out).size() == 3);
  out.clear();
  for (int duplicate = 0; duplicate < 3; ++duplicate) {
    c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  }
  std::vector<Sent> holder;
  const Sent& fast = only_transmit(out, holder);
  CHECK(fast.purpose == SendPurpose::fast_retransmission);
  CHECK(fast.packet.segment.seq == local_iss + 1);
  CHECK(fast.retransmission);
}

TEST_CASE("established_ack_and_keepalive_probe_are_never_retransmissions", "[retransmission]") {
  TcpConfig config;
  config.keepalive = true;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  // A bare ACK (the peer's data acknowledged) and a keepalive probe (SEQ = SND.NXT - 1, no
  // data) carry no sequence space: neither repeats anything.
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack | flag::psh, "hi"), out);
  c.timer_expired(c.timer_deadline(TimerKind::keepalive), TimerKind::keepalive, out);
  const std::vector<Sent> sent_effects = transmits(out);
  REQUIRE(sent_effects.size() == 2);
  CHECK(sent_effects[1].purpose == SendPurpose::keepalive_probe);
  CHECK(sent_effects[1].packet.segment.seq == local_iss);
  for (const Effect& effect : sent_effects) CHECK_FALSE(effect.retransmission);
}

TEST_CASE("established_zero_window_probes_and_the_data_after_them_are_not_retransmissions",
          "[retransmission]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  // The peer shuts its window; the data waits and the persist timer probes with one octet.
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, {}, 0), out);
  c.send(0, bytes("abc"), out);
  CHECK(transmits(out).empty());
  std::vector<Sent> holder;
  for (int probe = 0; probe < 2; ++probe) {
    out.clear();
    c.timer_expired(c.timer_deadline(TimerKind::persist), TimerKind::persist, out);
    const Sent& sent_probe = only_transmit(out, holder);
    CHECK(sent_probe.purpose == SendPurpose::window_probe);
    CHECK(sent_probe.packet.segment.seq == local_iss + 1);
    CHECK(sent_probe.packet.segment.payload.size() == 1);
    // RFC 9293 3.8.6.1: the probe's octet is new data; it counts as sent once the window
    // takes it, so the second probe repeats nothing sent.
    CHECK_FALSE(sent_probe.retransmission);
  }
  // The window opens without taking the probe: the data goes from SND.UNA, probe octet first.
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, {}, 100), out);
  const Sent& data = only_transmit(out, holder);
  CHECK(data.packet.segment.seq == local_iss + 1);
  CHECK(data.packet.segment.payload.size() == 3);
  CHECK_FALSE(data.retransmission);
}

TEST_CASE("closed_open_active_on_a_reused_tuple_with_the_same_isn_is_no_retransmission",
          "[retransmission][host]") {
  // A new connection on the 4-tuple of an old one, with the same ISN: on the wire its SYN and
  // data repeat the old connection's sequence numbers, but this connection never sent them.
  HostConfig config;
  config.address = local_address;
  config.tcp.fixed_isn = 1000;
  Host host(config, IsnSource());
  Output out;
  const ConnectionId old_connection = host.connect(0, remote_address, remote_port, 5000, out);
  REQUIRE(host.abort(0, old_connection, out));
  out.clear();
  const ConnectionId new_connection = host.connect(1 * second, remote_address, remote_port, 5000,
                                                   out);
  REQUIRE(new_connection != no_connection);
  std::vector<Sent> holder;
  const Sent& syn = only_transmit(out, holder);
  CHECK(syn.packet.segment.seq == 1000);
  CHECK_FALSE(syn.retransmission);
}

}  // namespace tcp_retransmission_marking_tests
