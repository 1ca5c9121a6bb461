// Retransmission (RFC 6298) and retry limits (RFC 9293 3.8.3); the TIME_WAIT timer is covered
// with the TIME_WAIT arrivals.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_timer_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

TEST_CASE("syn_sent_retransmission_timeout_resends_syn_and_doubles_rto", "[connection][timer]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  const Segment syn = only_sent(out);
  check_segment(syn, local_iss, 0, flag::syn);
  CHECK(syn.mss == 536);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second);
  out.clear();
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  CHECK(sent(out).size() == 1);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 7 * second);
}

TEST_CASE("syn_sent_gives_up_after_syn_retries", "[connection][timer]") {
  Connection c = make_connection();  // syn_retries = 6
  to_syn_sent(c);
  Time deadline = 1 * second;
  for (int retry = 1; retry <= 6; ++retry) {
    Output out;
    c.timer_expired(deadline, TimerKind::retransmission, out);
    REQUIRE(sent(out).size() == 1);
    deadline = c.timer_deadline(TimerKind::retransmission);
  }
  // 1, 3, 7, 15, 31, 63 s; the seventh RTO would be 64 s but rto_max (60 s) clamps it.
  CHECK(deadline == 123 * second);
  Output out;
  c.timer_expired(deadline, TimerKind::retransmission, out);
  CHECK(sent(out).empty());  // RFC: give up without a RST
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_sent, State::closed}});
  CHECK(transition_rules(out)[0] == Rule::syn_retries_exhausted);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
  CHECK(out.effects().back().rule == Rule::syn_retries_exhausted);
  CHECK(c.finished());
}

TEST_CASE("syn_sent_gives_up_at_127_seconds_without_the_clamp", "[connection][timer]") {
  TcpConfig config;
  config.rto_max = 120 * second;  // Linux's TCP_RTO_MAX
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  for (int retry = 1; retry <= 6; ++retry) {
    c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  }
  CHECK(c.timer_deadline(TimerKind::retransmission) == 127 * second);
  CHECK(count(out, Effect::Kind::transmit) == 6);
}

TEST_CASE("rto_backoff_is_clamped_to_rto_max", "[connection][timer]") {
  TcpConfig config;
  config.rto_max = 3 * second;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second);   // RTO 2 s
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 6 * second);   // RTO 3 s, not 4
  c.timer_expired(6 * second, TimerKind::retransmission, out);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 9 * second);
}

TEST_CASE("initial_rto_is_clamped_to_rto_min", "[connection][timer]") {
  TcpConfig config;
  config.rto_initial = 100 * millisecond;
  config.rto_min = 200 * millisecond;
  Connection c = make_connection(config);
  to_syn_sent(c);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 200 * millisecond);
}

TEST_CASE("syn_received_retransmits_syn_ack_and_gives_up_after_synack_retries", "[connection][timer]") {
  TcpConfig config;
  config.synack_retries = 2;
  Connection c = make_connection(config);
  to_syn_received_passive(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  check_segment(only_sent(out), local_iss, peer_iss + 1, flag::syn | flag::ack);
  out.clear();
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  CHECK(sent(out).size() == 1);
  out.clear();
  c.timer_expired(7 * second, TimerKind::retransmission, out);
  CHECK(sent(out).empty());
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::closed}});
  CHECK(transition_rules(out)[0] == Rule::synack_retries_exhausted);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
}

TEST_CASE("established_data_retransmission_and_retry_limit", "[connection][timer]") {
  TcpConfig config;
  config.data_retries = 2;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  out.clear();
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  const Segment again = only_sent(out);
  check_segment(again, 101, 301, flag::ack | flag::psh);
  CHECK(text(again.payload) == "abc");
  out.clear();
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  CHECK(sent(out).size() == 1);
  out.clear();
  c.timer_expired(7 * second, TimerKind::retransmission, out);
  CHECK(sent(out).empty());
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
  CHECK(transition_rules(out)[0] == Rule::data_retries_exhausted);
}

// The times of the first retransmissions of data sent at 0 with RTO 1 s: 1, 3, 7, 15, 31 s.
constexpr Time retransmission_at[] = {1 * second, 3 * second, 7 * second, 15 * second,
                                      31 * second};

TEST_CASE("established_r1_retransmissions_tell_delivery_problem_once", "[connection][timer][r1]") {
  Connection c = make_connection();  // r1_retries = 3, data_retries = 15
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  std::vector<std::size_t> told;  // the retransmissions after which it was told
  for (std::size_t retry = 0; retry < 5; ++retry) {
    out.clear();
    c.timer_expired(retransmission_at[retry], TimerKind::retransmission, out);
    REQUIRE(sent(out).size() == 1);
    if (!app_events(out).empty()) {
      CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::delivery_problem});
      CHECK(out.effects().back().rule == Rule::r1_retries_reached);
      told.push_back(retry + 1);
    }
  }
  CHECK(told == std::vector<std::size_t>{3});  // R1 reached once, and TCP keeps trying
  CHECK(c.state() == State::established);
}

TEST_CASE("established_r1_episode_starts_again_after_an_ack", "[connection][timer][r1]") {
  TcpConfig config;
  config.r1_retries = 1;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  out.clear();
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::delivery_problem});
  out.clear();
  c.segment_arrives(2 * second, from_peer(301, 104, flag::ack), out);  // acknowledged
  REQUIRE(c.send(2 * second, bytes("def"), out));
  out.clear();
  c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::delivery_problem});
}

TEST_CASE("established_r1_zero_never_tells_delivery_problem", "[connection][timer][r1]") {
  TcpConfig config;
  config.r1_retries = 0;
  config.data_retries = 4;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  out.clear();
  for (const Time at : retransmission_at) c.timer_expired(at, TimerKind::retransmission, out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
}

TEST_CASE("syn_sent_retransmissions_do_not_tell_delivery_problem", "[connection][timer][r1]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  for (const Time at : retransmission_at) c.timer_expired(at, TimerKind::retransmission, out);
  CHECK(count(out, Effect::Kind::transmit) == 5);
  CHECK(app_events(out).empty());
}

TEST_CASE("fin_wait_1_fin_not_retransmitted_does_not_tell_delivery_problem",
          "[connection][timer][r1]") {
  // retransmit_fin = false: the timer runs, but nothing is sent again, so R1 counts nothing.
  TcpConfig config;
  config.retransmit_fin = false;
  Connection c = make_connection(config);
  to_fin_wait_1(c);
  Output out;
  for (const Time at : retransmission_at) c.timer_expired(at, TimerKind::retransmission, out);
  CHECK(sent(out).empty());
  CHECK(app_events(out).empty());
}

TEST_CASE("established_retransmission_sends_only_the_oldest_segment", "[connection][timer]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  syn_ack.mss = 2;
  c.segment_arrives(0, syn_ack, out);
  REQUIRE(c.send(0, bytes("abcd"), out));
  out.clear();
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  const Segment oldest = only_sent(out);
  check_segment(oldest, 101, 301, flag::ack);
  CHECK(text(oldest.payload) == "ab");
}

TEST_CASE("fin_wait_1_retransmits_data_and_fin_together", "[connection][timer]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  c.close(0, out);
  REQUIRE(sent(out).size() == 2);  // the data, then the FIN on its own
  out.clear();
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  const Segment again = only_sent(out);
  check_segment(again, 101, 301, flag::ack | flag::psh | flag::fin);
  CHECK(text(again.payload) == "abc");
}

TEST_CASE("fin_wait_1_retransmits_a_lone_fin", "[connection][timer]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  check_segment(only_sent(out), 101, 301, flag::fin | flag::ack);
  CHECK(c.send_sequence().nxt == 102);
}

TEST_CASE("last_ack_retransmits_fin", "[connection][timer]") {
  Connection c = make_connection();
  to_last_ack(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  check_segment(only_sent(out), 101, 302, flag::fin | flag::ack);
}

TEST_CASE("stale_timer_expiry_is_ignored", "[connection][timer]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(999 * millisecond, TimerKind::retransmission, out);
  c.timer_expired(1 * second, TimerKind::time_wait, out);
  CHECK(out.effects().empty());
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1 * second);
}

TEST_CASE("established_ack_of_retransmitted_data_keeps_the_backoff", "[connection][timer][karn]") {
  // RFC 6298 5.7 / Karn: the ACK of a retransmitted segment gives no sample, so the backed-off
  // RTO (2 s) stays for the next segment.
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("a"), out));
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  REQUIRE(c.timer_deadline(TimerKind::retransmission) == 3 * second);
  c.segment_arrives(2 * second, from_peer(301, 102, flag::ack), out);
  CHECK(c.retransmission_timeout() == 2 * second);
  out.clear();
  REQUIRE(c.send(2 * second, bytes("b"), out));
  CHECK(c.timer_deadline(TimerKind::retransmission) == 4 * second);  // 2 s + the backed-off 2 s
}

TEST_CASE("established_new_sample_ends_the_backoff", "[connection][timer][karn]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("a"), out));
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(2 * second, from_peer(301, 102, flag::ack), out);
  REQUIRE(c.send(2 * second, bytes("b"), out));
  // "b" was sent once: its ACK 100 ms later is a valid sample; RTO = max(1 s, SRTT + 4 RTTVAR).
  c.segment_arrives(2 * second + 100 * millisecond, from_peer(301, 103, flag::ack), out);
  // The handshake gave the first sample (0 s: SYN and SYN-ACK at the same instant), so this is
  // RFC 6298 2.3: RTTVAR = 3/4 * 0 + 1/4 * 100 ms, SRTT = 7/8 * 0 + 1/8 * 100 ms.
  CHECK(c.has_rtt_sample());
  CHECK(c.smoothed_rtt() == 12'500'000);
  CHECK(c.rtt_variation() == 25 * millisecond);
  CHECK(c.retransmission_timeout() == 1 * second);  // 300 ms raised to RTO min (RFC 6298 2.4)
}

TEST_CASE("timer_effects_name_the_connection_and_timer", "[connection][timer]") {
  Connection c(42, TcpConfig{}, local_tuple());
  Output out;
  c.open_active(0, local_iss, out);
  REQUIRE(out.effects().size() == 3);
  CHECK(out.effects()[0].kind == Effect::Kind::state_change);
  CHECK(out.effects()[1].kind == Effect::Kind::transmit);
  CHECK(out.effects()[2].kind == Effect::Kind::timer_set);
  CHECK(out.effects()[2].connection == 42);
  CHECK(out.effects()[2].timer == TimerKind::retransmission);
  CHECK(out.effects()[2].deadline == 1 * second);
}

TEST_CASE("established_retransmission_after_window_shrinks_stays_inside_the_window", "[connection][timer]") {
  // RFC 9293 3.8.6 / RFC 1122 4.2.2.16: retransmit only what lies between SND.UNA and
  // SND.UNA+SND.WND. (Found by the tcp fuzz target: fuzz/regressions/tcp/.)
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("0123456789"), out));
  REQUIRE(only_sent(out).payload.size() == 10);
  // The peer acknowledges 4 bytes and shrinks its window to 3.
  out.clear();
  c.segment_arrives(10, from_peer(peer_iss + 1, local_iss + 1 + 4, flag::ack, {}, 3), out);
  REQUIRE(c.send_sequence().una == local_iss + 1 + 4);
  REQUIRE(c.send_sequence().wnd == 3);
  out.clear();
  const Time deadline = c.timer_deadline(TimerKind::retransmission);
  c.timer_expired(deadline, TimerKind::retransmission, out);
  const Segment resent = only_sent(out);
  CHECK(resent.seq == local_iss + 1 + 4);
  CHECK(text(resent.payload) == "456");
  CHECK_FALSE(resent.has(flag::fin));
}

TEST_CASE("established_retransmission_into_a_zero_window_is_a_one_octet_probe", "[connection][timer]") {
  // RFC 1122 4.2.2.17: with a zero window, at most one octet is sent.
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abcdef"), out));
  out.clear();
  c.segment_arrives(10, from_peer(peer_iss + 1, local_iss + 1, flag::ack, {}, 0), out);
  REQUIRE(c.send_sequence().wnd == 0);
  out.clear();
  c.timer_expired(c.timer_deadline(TimerKind::retransmission), TimerKind::retransmission, out);
  const Segment probe = only_sent(out);
  CHECK(probe.seq == local_iss + 1);
  CHECK(text(probe.payload) == "a");
}

// --- RFC 6298 5.7: after a SYN or SYN-ACK timed out, data starts with an RTO of 3 s ---

namespace {
Segment syn_ack() { return from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack); }
}  // namespace

TEST_CASE("syn_sent_syn_ack_after_syn_timeout_reinitialises_rto_to_3_seconds",
          "[connection][timer][rfc6298-5.7]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  REQUIRE(c.retransmission_timeout() == 2 * second);  // RFC 6298 5.5
  c.segment_arrives(1100 * millisecond, syn_ack(), out);
  REQUIRE(c.state() == State::established);
  CHECK_FALSE(c.has_rtt_sample());  // Karn: the SYN was retransmitted
  CHECK(c.retransmission_timeout() == 3 * second);
  out.clear();
  REQUIRE(c.send(2 * second, bytes("a"), out));
  CHECK(c.timer_deadline(TimerKind::retransmission) == 5 * second);  // not 4 s
}

TEST_CASE("syn_received_ack_after_syn_ack_timeout_reinitialises_rto_to_3_seconds",
          "[connection][timer][rfc6298-5.7]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  REQUIRE(sent(out).size() == 1);  // the SYN-ACK again
  REQUIRE(c.retransmission_timeout() == 2 * second);
  c.segment_arrives(1100 * millisecond, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  REQUIRE(c.state() == State::established);
  CHECK_FALSE(c.has_rtt_sample());
  CHECK(c.retransmission_timeout() == 3 * second);
  out.clear();
  REQUIRE(c.send(2 * second, bytes("a"), out));
  CHECK(c.timer_deadline(TimerKind::retransmission) == 5 * second);
}

TEST_CASE("syn_sent_syn_ack_without_syn_timeout_keeps_the_computed_rto",
          "[connection][timer][rfc6298-5.7]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(100 * millisecond, syn_ack(), out);
  REQUIRE(c.has_rtt_sample());
  CHECK(c.retransmission_timeout() == 1 * second);  // 100 ms + 4 * 50 ms, raised to rto_min
}

TEST_CASE("syn_sent_syn_ack_after_two_syn_timeouts_keeps_the_4_second_rto",
          "[connection][timer][rfc6298-5.7]") {
  // 5.7 applies only to an RTO below 3 s: two expiries backed it off to 4 s, which stays.
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  c.segment_arrives(3100 * millisecond, syn_ack(), out);
  REQUIRE(c.state() == State::established);
  CHECK(c.retransmission_timeout() == 4 * second);
}

TEST_CASE("syn_sent_syn_ack_after_syn_timeout_stays_within_rto_max",
          "[connection][timer][rfc6298-5.7]") {
  TcpConfig config;
  config.rto_max = 2 * second;  // below RFC 6298 2.5's 60 s, allowed as a knob
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(1100 * millisecond, syn_ack(), out);
  CHECK(c.retransmission_timeout() == 2 * second);
}

TEST_CASE("established_rtt_sample_after_syn_timeout_recomputes_the_rto",
          "[connection][timer][rfc6298-5.7][karn]") {
  // RFC 6298 5.7's note: the next RTT sample computes the RTO afresh ("collapsing" it).
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(1100 * millisecond, syn_ack(), out);
  REQUIRE(c.send(2 * second, bytes("a"), out));
  c.segment_arrives(2100 * millisecond, from_peer(peer_iss + 1, local_iss + 2, flag::ack), out);
  REQUIRE(c.has_rtt_sample());  // RFC 6298 2.2: SRTT 100 ms, RTTVAR 50 ms
  CHECK(c.smoothed_rtt() == 100 * millisecond);
  CHECK(c.retransmission_timeout() == 1 * second);  // 300 ms raised to rto_min
}

TEST_CASE("established_timeout_after_syn_timeout_backs_off_from_3_seconds",
          "[connection][timer][rfc6298-5.7][karn]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(1100 * millisecond, syn_ack(), out);
  REQUIRE(c.send(2 * second, bytes("a"), out));
  out.clear();
  c.timer_expired(5 * second, TimerKind::retransmission, out);
  CHECK(text(only_sent(out).payload) == "a");
  CHECK(c.timer_deadline(TimerKind::retransmission) == 11 * second);  // RTO 3 s doubled
  // Karn: the ACK of the retransmission gives no sample; the backed-off 6 s stays.
  c.segment_arrives(5100 * millisecond, from_peer(peer_iss + 1, local_iss + 2, flag::ack), out);
  CHECK_FALSE(c.has_rtt_sample());
  CHECK(c.retransmission_timeout() == 6 * second);
}

}  // namespace tcp_connection_timer_tests
