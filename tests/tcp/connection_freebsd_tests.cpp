// The knobs of FreeBSD's choices (the freebsd profile), each with and without, and the two
// RFC 9293 / RFC 793 rules the FreeBSD suite showed tcpsim did not follow: text on a SYN taken
// in SYN_SENT (RFC 9293 3.10.7.3) and a SYN before the window with rfc5961 off (RFC 793 3.9).
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_freebsd_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

TcpConfig with(bool TcpConfig::*knob) {
  TcpConfig config;
  config.*knob = true;
  return config;
}

// ESTABLISHED from an active OPEN with FreeBSD's buffer (65536) and MSS 1460 on both sides:
// RCV.NXT = 301.
Connection established_with_buffer(bool rounded) {
  TcpConfig config;
  config.receive_buffer = 65536;
  config.mss = 1460;
  config.receive_buffer_rounded_to_mss = rounded;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  syn_ack.mss = 1460;
  c.segment_arrives(0, syn_ack, out);
  REQUIRE(c.state() == State::established);
  // The window field still carries at most 65535.
  CHECK(only_sent(out).window == 65535);
  return c;
}

}  // namespace

// --- RFC 9293 3.10.7.3 fourth: text on a SYN in SYN_SENT waits for ESTABLISHED ---

TEST_CASE("syn_sent_syn_with_text_queues_it_until_established", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn, "abc"), out);
  REQUIRE(c.state() == State::syn_received);
  // The SYN-ACK acknowledges the SYN only; nothing is delivered yet.
  check_segment(only_sent(out), local_iss, peer_iss + 1, flag::syn | flag::ack);
  CHECK(delivered(out).empty());
  CHECK(c.readable_bytes() == 0);
  Output established;
  c.segment_arrives(0, from_peer(peer_iss + 4, local_iss + 1, flag::ack), established);
  REQUIRE(c.state() == State::established);
  CHECK(delivered(established) == "abc");
  check_segment(only_sent(established), local_iss + 1, peer_iss + 4, flag::ack);
}

TEST_CASE("syn_sent_syn_fin_with_text_is_processed_at_established", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn | flag::fin, "abc"), out);
  REQUIRE(c.state() == State::syn_received);
  Output established;
  c.segment_arrives(0, from_peer(peer_iss + 5, local_iss + 1, flag::ack), established);
  // ESTABLISHED, then the queued FIN: CLOSE_WAIT, with the three bytes readable.
  CHECK(c.state() == State::close_wait);
  CHECK(delivered(established) == "abc");
  check_segment(only_sent(established), local_iss + 1, peer_iss + 5, flag::ack);
}

// --- RFC 793 3.9: a SYN before the window (the segment's tail in it) draws an ACK ---

TEST_CASE("time_wait_syn_fin_before_window_without_rfc5961_is_acknowledged",
          "[connection][rfc5961]") {
  TcpConfig config;
  config.rfc5961 = false;
  Connection c = make_connection(config);
  to_time_wait(c);
  Output out;
  // RCV.NXT = 302: the SYN is 301, the FIN 302.
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::syn | flag::fin), out);
  CHECK(c.state() == State::time_wait);
  check_segment(only_sent(out), local_iss + 2, peer_iss + 2, flag::ack);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::syn_outside_window_acknowledged});
}

// --- receive_buffer_rounded_to_mss (FreeBSD's tcp_mss) ---

TEST_CASE("established_rst_at_rounded_right_edge_with_rounding_draws_challenge_ack",
          "[connection][freebsd]") {
  Connection c = established_with_buffer(true);
  Output out;
  // RCV.NXT + 65700 - 1: inside FreeBSD's window (65536 rounded up to 45 x 1460).
  c.segment_arrives(0, from_peer(peer_iss + 1 + 65699, 0, flag::rst), out);
  CHECK(c.state() == State::established);
  check_segment(only_sent(out), local_iss + 1, peer_iss + 1, flag::ack);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::rst_in_window_challenge});
}

TEST_CASE("established_rst_at_rounded_right_edge_without_rounding_is_dropped",
          "[connection][freebsd]") {
  Connection c = established_with_buffer(false);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1 + 65699, 0, flag::rst), out);
  CHECK(c.state() == State::established);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::rst_outside_window});
}

TEST_CASE("established_text_with_rounding_keeps_advertising_65535", "[connection][freebsd]") {
  Connection c = established_with_buffer(true);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "abc"), out);
  // 65700 - 3 free: the field still says 65535 (without rounding it would be 65533).
  CHECK(only_sent(out).window == 65535);
}

// --- fin_on_every_segment (FreeBSD's tcp_output) ---

TEST_CASE("fin_wait_1_fin_with_fin_on_every_segment_acknowledged_with_our_fin_again",
          "[connection][freebsd]") {
  Connection c = make_connection(with(&TcpConfig::fin_on_every_segment));
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::closing);
  // Our FIN is 101: FIN,ACK seq 101 ack 302.
  check_segment(only_sent(out), local_iss + 1, peer_iss + 2, flag::fin | flag::ack);
}

TEST_CASE("fin_wait_1_fin_without_fin_on_every_segment_acknowledged_plainly",
          "[connection][freebsd]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::closing);
  check_segment(only_sent(out), local_iss + 2, peer_iss + 2, flag::ack);
}

// --- time_wait_drops_segments_without_ack (FreeBSD's tcp_twcheck) ---

TEST_CASE("time_wait_fin_without_ack_with_knob_is_dropped_silently", "[connection][freebsd]") {
  Connection c = make_connection(with(&TcpConfig::time_wait_drops_segments_without_ack));
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::fin), out);
  CHECK(c.state() == State::time_wait);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::time_wait_segment_without_ack_dropped});
}

TEST_CASE("time_wait_fin_without_ack_without_knob_is_acknowledged", "[connection][freebsd]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::fin), out);
  CHECK(c.state() == State::time_wait);
  check_segment(only_sent(out), local_iss + 2, peer_iss + 2, flag::ack);
}

// --- time_wait_acknowledges_segments (FreeBSD's tcp_twcheck) ---

TEST_CASE("time_wait_ack_beyond_rcv_nxt_with_knob_is_acknowledged", "[connection][freebsd]") {
  Connection c = make_connection(with(&TcpConfig::time_wait_acknowledges_segments));
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 3, local_iss + 2, flag::ack), out);
  CHECK(c.state() == State::time_wait);
  check_segment(only_sent(out), local_iss + 2, peer_iss + 2, flag::ack);
  // A duplicate ACK at RCV.NXT still draws nothing.
  Output duplicate;
  c.segment_arrives(0, from_peer(peer_iss + 2, local_iss + 2, flag::ack), duplicate);
  CHECK(sent(duplicate).empty());
}

TEST_CASE("time_wait_ack_beyond_rcv_nxt_without_knob_draws_nothing", "[connection][freebsd]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 3, local_iss + 2, flag::ack), out);
  CHECK(c.state() == State::time_wait);
  CHECK(sent(out).empty());
}

// --- listen_drops_syn_ack and drop_syn_fin (FreeBSD's tcp_input) ---

TEST_CASE("listen_syn_ack_with_knob_is_dropped_silently", "[connection][freebsd]") {
  const ListenDecision dropped = listen_decision(
      from_peer(300, 5, flag::syn | flag::ack), with(&TcpConfig::listen_drops_syn_ack));
  CHECK(dropped.action == ListenDecision::Action::discard);
  CHECK(dropped.rule == Rule::listen_syn_ack_dropped);
  const ListenDecision answered = listen_decision(from_peer(300, 5, flag::syn | flag::ack), {});
  CHECK(answered.action == ListenDecision::Action::answer_with_reset);
}

TEST_CASE("listen_syn_fin_with_drop_syn_fin_is_dropped_silently", "[connection][freebsd]") {
  const ListenDecision dropped =
      listen_decision(from_peer(300, 0, flag::syn | flag::fin), with(&TcpConfig::drop_syn_fin));
  CHECK(dropped.action == ListenDecision::Action::discard);
  CHECK(dropped.rule == Rule::syn_fin_dropped);
  CHECK(listen_decision(from_peer(300, 0, flag::syn | flag::fin), {}).action ==
        ListenDecision::Action::accept_syn);
}

TEST_CASE("syn_sent_syn_fin_with_drop_syn_fin_is_dropped_silently", "[connection][freebsd]") {
  Connection c = make_connection(with(&TcpConfig::drop_syn_fin));
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn | flag::fin), out);
  CHECK(c.state() == State::syn_sent);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::syn_fin_dropped});
}

TEST_CASE("syn_sent_syn_fin_without_drop_syn_fin_is_a_simultaneous_open",
          "[connection][freebsd]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn | flag::fin), out);
  CHECK(c.state() == State::syn_received);
}

}  // namespace tcp_connection_freebsd_tests
