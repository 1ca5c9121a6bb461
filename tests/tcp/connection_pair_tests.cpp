// Two connections against each other: the handshakes and closes of RFC 9293 3.5 and 3.6.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_pair_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

std::vector<std::uint8_t> flag_sequence(const Output& log) {
  std::vector<std::uint8_t> flags;
  for (const Segment& segment : sent(log)) flags.push_back(segment.flags);
  return flags;
}

// The server listens, the client opens actively, and their segments are exchanged until quiet;
// `log` holds every effect. `out` is left for the test's next call.
void handshake(Connection& client, Connection& server, Output& out, Output& log) {
  server.open_passive(0, peer_iss, out);
  out.clear();
  client.open_active(0, local_iss, out);
  exchange(0, client, server, out, log);
}

// Both connections open actively at once; their SYNs cross, and each answers the other's SYN
// (from SYN_SENT to SYN_RCVD) in `a_answer` / `b_answer`.
void cross_syns(Connection& a, Connection& b, Output& a_answer, Output& b_answer) {
  Output a_out;
  Output b_out;
  a.open_active(0, local_iss, a_out);
  b.open_active(0, peer_iss, b_out);
  const Segment a_syn = only_sent(a_out);
  const Segment b_syn = only_sent(b_out);
  a.segment_arrives(0, b_syn, a_answer);
  b.segment_arrives(0, a_syn, b_answer);
}

}  // namespace

TEST_CASE("three_way_handshake_between_two_connections", "[pair]") {
  Connection client(1, TcpConfig{}, local_tuple());
  Connection server(2, TcpConfig{}, remote_tuple());
  Output out;
  Output log;
  handshake(client, server, out, log);
  CHECK(client.state() == State::established);
  CHECK(server.state() == State::established);
  CHECK(flag_sequence(log) ==
        std::vector<std::uint8_t>{flag::syn, flag::syn | flag::ack, flag::ack});
  CHECK(app_events(log) == std::vector<AppEventKind>{AppEventKind::connected, AppEventKind::accepted});
}

TEST_CASE("two_way_handshake_between_two_connections_has_two_segments", "[pair][two_way]") {
  TcpConfig config;
  config.handshake = Handshake::two_way;
  Connection client(1, config, local_tuple());
  Connection server(2, config, remote_tuple());
  Output out;
  Output log;
  handshake(client, server, out, log);
  CHECK(client.state() == State::established);
  CHECK(server.state() == State::established);
  CHECK(flag_sequence(log) == std::vector<std::uint8_t>{flag::syn, flag::syn | flag::ack});
}

TEST_CASE("simultaneous_open_goes_through_syn_received", "[pair]") {
  Connection a(1, TcpConfig{}, local_tuple());
  Connection b(2, TcpConfig{}, remote_tuple());
  Output a_answer;
  Output b_answer;
  cross_syns(a, b, a_answer, b_answer);
  CHECK(a.state() == State::syn_received);
  CHECK(b.state() == State::syn_received);
  check_segment(only_sent(a_answer), local_iss, peer_iss + 1, flag::syn | flag::ack);
  // The SYN-ACKs cross too; each is answered with an ACK that completes the other side.
  Output log;
  exchange(0, a, b, a_answer, log);
  Output log_b;
  exchange(0, b, a, b_answer, log_b);
  CHECK(a.state() == State::established);
  CHECK(b.state() == State::established);
  CHECK(app_events(log).size() + app_events(log_b).size() == 2);
  for (const Output* l : {&log, &log_b}) {
    for (AppEventKind kind : app_events(*l)) CHECK(kind == AppEventKind::connected);
  }
}

TEST_CASE("orderly_close_from_both_sides", "[pair]") {
  Connection client(1, TcpConfig{}, local_tuple());
  Connection server(2, TcpConfig{}, remote_tuple());
  Output out;
  Output log;
  handshake(client, server, out, log);
  out.clear();
  REQUIRE(client.send(0, bytes("request"), out));
  log.clear();
  exchange(0, client, server, out, log);
  CHECK(delivered(log) == "request");
  out.clear();
  client.close(0, out);
  log.clear();
  exchange(0, client, server, out, log);
  CHECK(client.state() == State::fin_wait_2);
  CHECK(server.state() == State::close_wait);
  out.clear();
  REQUIRE(server.send(0, bytes("response"), out));
  server.close(0, out);
  log.clear();
  exchange(0, server, client, out, log);
  CHECK(delivered(log) == "response");
  CHECK(server.state() == State::closed);
  CHECK(server.finished());
  CHECK(client.state() == State::time_wait);
  out.clear();
  client.timer_expired(client.timer_deadline(TimerKind::time_wait), TimerKind::time_wait, out);
  CHECK(client.state() == State::closed);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::closed});
}

TEST_CASE("simultaneous_close_goes_through_closing", "[pair]") {
  Connection a(1, TcpConfig{}, local_tuple());
  Connection b(2, TcpConfig{}, remote_tuple());
  Output out;
  b.open_passive(0, peer_iss, out);
  out.clear();
  a.open_active(0, local_iss, out);
  Output log;
  exchange(0, a, b, out, log);
  Output a_fin;
  Output b_fin;
  a.close(0, a_fin);
  b.close(0, b_fin);
  // The FINs cross.
  Output a_answer;
  Output b_answer;
  a.segment_arrives(0, only_sent(b_fin), a_answer);
  b.segment_arrives(0, only_sent(a_fin), b_answer);
  CHECK(a.state() == State::closing);
  CHECK(b.state() == State::closing);
  log.clear();
  exchange(0, a, b, a_answer, log);
  exchange(0, b, a, b_answer, log);
  CHECK(a.state() == State::time_wait);
  CHECK(b.state() == State::time_wait);
}

TEST_CASE("lost_syn_ack_is_retransmitted_and_the_handshake_completes", "[pair][timer]") {
  Connection client(1, TcpConfig{}, local_tuple());
  Connection server(2, TcpConfig{}, remote_tuple());
  Output out;
  server.open_passive(0, peer_iss, out);
  out.clear();
  client.open_active(0, local_iss, out);
  Output log;
  bool dropped = false;
  exchange(0, client, server, out, log, [&](const Segment& segment) {
    if (segment.flags == (flag::syn | flag::ack) && !dropped) return dropped = true;
    return false;
  });
  REQUIRE(server.state() == State::syn_received);
  out.clear();
  server.timer_expired(1 * second, TimerKind::retransmission, out);
  log.clear();
  exchange(1 * second, server, client, out, log);
  CHECK(client.state() == State::established);
  CHECK(server.state() == State::established);
}

TEST_CASE("syn_received_crossing_syn_ack_establishes_without_a_further_segment", "[pair]") {
  // RFC 9293 3.5 figure 7, line 6: the peer's SYN-ACK repeats its SYN (seq = IRS) and
  // acknowledges ours; it completes the handshake, and nothing more is sent.
  Connection a(1, TcpConfig{}, local_tuple());
  Connection b(2, TcpConfig{}, remote_tuple());
  Output a_answer;
  Output b_answer;
  cross_syns(a, b, a_answer, b_answer);
  const Segment b_syn_ack = only_sent(b_answer);
  check_segment(b_syn_ack, peer_iss, local_iss + 1, flag::syn | flag::ack);
  Output result;
  a.segment_arrives(0, b_syn_ack, result);
  CHECK(a.state() == State::established);
  CHECK(sent(result).empty());
  CHECK(app_events(result) == std::vector<AppEventKind>{AppEventKind::connected});
  CHECK(a.send_sequence().una == local_iss + 1);
  CHECK(a.receive_sequence().nxt == peer_iss + 1);
}

TEST_CASE("syn_received_passive_old_syn_ack_is_not_taken_as_handshake", "[pair]") {
  // The figure 7 exception is for an active OPEN only: a passive SYN_RCVD that receives a
  // SYN-ACK at IRS treats it as a SYN in a synchronized state (back to LISTEN).
  Connection server(2, TcpConfig{}, remote_tuple());
  Output out;
  server.open_passive(0, peer_iss, out);
  Segment syn;
  syn.source_port = local_tuple().local.port;
  syn.destination_port = local_tuple().remote.port;
  syn.seq = local_iss;
  syn.flags = flag::syn;
  syn.window = 1000;
  out.clear();
  server.segment_arrives(0, syn, out);
  REQUIRE(server.state() == State::syn_received);
  Segment syn_ack = syn;
  syn_ack.flags = flag::syn | flag::ack;
  syn_ack.ack = peer_iss + 1;
  out.clear();
  server.segment_arrives(0, syn_ack, out);
  CHECK(server.state() != State::established);
}

}  // namespace tcp_connection_pair_tests
