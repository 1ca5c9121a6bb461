// The time rule of docs/design.md ("Time") in the core: a deadline past the end of representable
// time is time_never, and a timer whose deadline is never is not armed. Durations here are the
// largest the loader accepts (2^63 - 1 ns), and a few RTT samples of centuries.
#include "tests/tcp/tcp_test_support.hpp"

namespace tcp_connection_time_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

constexpr Duration longest = time_never;  // "9223372036854775807ns", the largest duration
constexpr Duration year = 365 * 24 * hour;

// No timer_set effect names a deadline in the past or at never.
void check_deadlines(const Output& out, Time now) {
  for (const Effect& effect : out.effects()) {
    if (effect.kind != Effect::Kind::timer_set) continue;
    INFO("timer " << timer_name(effect.timer) << " deadline " << effect.deadline);
    CHECK(effect.deadline >= now);
    CHECK(effect.deadline < time_never);
  }
}

bool timer_set(const Output& out, TimerKind kind) {
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::timer_set && effect.timer == kind) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("deadline_after_saturates_at_time_never", "[time]") {
  CHECK(deadline_after(0, 0) == 0);
  CHECK(deadline_after(5 * second, 2 * second) == 7 * second);
  CHECK(deadline_after(hour, longest) == time_never);
  CHECK(deadline_after(1, longest - 1) == time_never);  // exactly the end is never too
  CHECK(deadline_after(1, longest - 2) == longest - 1);
  CHECK(deadline_after(time_never, 0) == time_never);
  CHECK(deadline_after(time_never, second) == time_never);
  static_assert(deadline_after(hour, 2562047 * hour) == time_never);
}

TEST_CASE("closed_active_open_with_maximal_rto_arms_no_retransmission_timer", "[time]") {
  TcpConfig config;
  config.rto_initial = longest;
  config.rto_max = longest;
  Connection c = make_connection(config);
  Output out;
  c.open_active(100 * millisecond, local_iss, out);
  CHECK(c.state() == State::syn_sent);
  CHECK(sent(out).size() == 1);
  CHECK_FALSE(timer_set(out, TimerKind::retransmission));
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
}

TEST_CASE("fin_wait_2_fin_after_an_hour_with_maximal_time_wait_stays_in_time_wait", "[time]") {
  // Before the rule, an hour + 2562047 h wrapped to a deadline in the past: TIME_WAIT ended at
  // once.
  TcpConfig config;
  config.time_wait = 2562047 * hour;
  Connection c = make_connection(config);
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(hour, from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::time_wait);
  check_deadlines(out, hour);
  CHECK(c.timer_deadline(TimerKind::time_wait) == time_never);
}

TEST_CASE("time_wait_retransmitted_fin_with_maximal_time_wait_keeps_no_timer", "[time]") {
  TcpConfig config;
  config.time_wait = longest;
  Connection c = make_connection(config);
  to_time_wait(c, hour);
  Output out;
  c.segment_arrives(2 * hour, from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack), out);
  CHECK(sent(out).size() == 1);  // the ACK
  check_deadlines(out, 2 * hour);
  CHECK(c.timer_deadline(TimerKind::time_wait) == time_never);
}

TEST_CASE("syn_sent_syn_ack_with_maximal_keepalive_idle_arms_no_keepalive_timer", "[time]") {
  // Before the rule, last heard + idle wrapped negative and the timer fired every nanosecond.
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = longest;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(hour, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  REQUIRE(c.state() == State::established);
  check_deadlines(out, hour);
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
}

TEST_CASE("established_keepalive_probe_with_maximal_interval_arms_no_keepalive_timer", "[time]") {
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = longest;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  CHECK(sent(out).size() == 1);  // the probe
  check_deadlines(out, 10 * second);
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
}

TEST_CASE("established_send_with_maximal_user_timeout_arms_no_user_timer", "[time]") {
  TcpConfig config;
  config.user_timeout = longest;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(hour, bytes("a"), out));
  check_deadlines(out, hour);
  CHECK(c.timer_deadline(TimerKind::user_timeout) == time_never);
  CHECK(c.timer_deadline(TimerKind::retransmission) == hour + second);
}

TEST_CASE("fin_wait_1_ack_of_fin_with_maximal_fin_wait_2_timeout_arms_no_timer", "[time]") {
  TcpConfig config;
  config.fin_wait_2_timeout = longest;
  Connection c = make_connection(config);
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(hour, from_peer(peer_iss + 1, local_iss + 2, flag::ack), out);
  REQUIRE(c.state() == State::fin_wait_2);
  check_deadlines(out, hour);
  CHECK(c.timer_deadline(TimerKind::fin_wait_2) == time_never);
}

TEST_CASE("established_retransmission_timeout_with_maximal_rto_max_backs_off_to_never",
          "[time]") {
  // RFC 6298 5.5's doubling saturates at rto_max; a deadline past the end of time is never.
  TcpConfig config;
  config.rto_initial = longest / 2 + 1;
  config.rto_max = longest;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  const Time deadline = c.timer_deadline(TimerKind::retransmission);
  REQUIRE(deadline == longest / 2 + 1);
  c.timer_expired(deadline, TimerKind::retransmission, out);
  CHECK(sent(out).size() == 1);
  CHECK(c.retransmission_timeout() == longest);
  check_deadlines(out, deadline);
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
}

TEST_CASE("established_persist_timeout_with_maximal_rto_max_backs_off_to_never", "[time]") {
  // The persist backoff doubles like the RTO and saturates the same way.
  TcpConfig config;
  config.rto_max = longest;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, {}, 0), out);
  // The handshake's sample (0 s) set the RTO to rto_min, 1 s: the persist timer uses it.
  REQUIRE(c.send(0, bytes("waiting"), out));
  Time deadline = c.timer_deadline(TimerKind::persist);
  REQUIRE(deadline == 1 * second);
  for (int probe = 0; probe < 70 && deadline != time_never; ++probe) {
    out.clear();
    c.timer_expired(deadline, TimerKind::persist, out);
    check_deadlines(out, deadline);
    deadline = c.timer_deadline(TimerKind::persist);
  }
  CHECK(deadline == time_never);
  CHECK(c.state() == State::established);
}

TEST_CASE("syn_sent_syn_ack_after_centuries_saturates_the_rto", "[time][rtt]") {
  // RFC 6298 2.2 and 2.3 with RTT samples of 200 and 50 years: 4 * RTTVAR, 3 * RTTVAR and
  // 7 * SRTT pass 2^63 - 1 ns; the RTO saturates at the end of time instead of wrapping.
  TcpConfig config;
  config.rto_initial = longest;
  config.rto_max = longest;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(200 * year, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  REQUIRE(c.has_rtt_sample());
  CHECK(c.smoothed_rtt() == 200 * year);
  CHECK(c.rtt_variation() == 100 * year);
  CHECK(c.retransmission_timeout() == longest);
  out.clear();
  REQUIRE(c.send(200 * year, bytes("a"), out));
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
  c.segment_arrives(250 * year, from_peer(peer_iss + 1, local_iss + 2, flag::ack), out);
  // RTTVAR = (3 * 100 + |200 - 50|) / 4 years, SRTT = (7 * 200 + 50) / 8 years.
  CHECK(c.rtt_variation() == 112 * year + year / 2);
  CHECK(c.smoothed_rtt() == 181 * year + year / 4);
  CHECK(c.retransmission_timeout() == longest);
  check_deadlines(out, 250 * year);
}

}  // namespace tcp_connection_time_tests
