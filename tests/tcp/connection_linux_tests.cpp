// The linux profile against the kernel it follows (Linux 6.18, issue 13 section 4): the RTO
// formula (rto_formula), the linear SYN timeouts and SYN_SENT's give-up (syn_linear_timeouts),
// with the numbers measured on that kernel; and the out-of-order FIN held until the gap fills
// (RFC 9293 SHLD-31, issue 13 section 3), per state.
#include <catch2/catch.hpp>

#include <vector>

#include "tcp/knobs.hpp"
#include "tcp_test_support.hpp"

namespace tcp_connection_linux_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

TcpConfig linux_config() {
  const Profile* linux_profile = find_profile("linux");
  REQUIRE(linux_profile != nullptr);
  return profile_config(*linux_profile);
}

// The linux profile with timers that fire at their deadlines: the RTO formula and the SYN
// schedule without the timer wheel's rounding (tested on their own below).
TcpConfig linux_exact_timers() {
  TcpConfig config = linux_config();
  config.timer_wheel = TimerWheel::none;
  return config;
}

// The times at which the retransmission timer sends the SYN again, and when and by which rule
// SYN_SENT gives up, for a connect at time 0 that is never answered.
struct UnansweredConnect {
  std::vector<Time> syns;  // the first at 0
  Time gave_up = time_never;
  Rule rule = Rule::none;
};

UnansweredConnect connect_unanswered(const TcpConfig& config) {
  Connection c = make_connection(config);
  UnansweredConnect result;
  Output out;
  c.open_active(0, local_iss, out);
  result.syns.push_back(0);
  for (int expiry = 0; expiry < 200 && c.state() == State::syn_sent; ++expiry) {
    const Time deadline = c.timer_deadline(TimerKind::retransmission);
    REQUIRE(deadline != time_never);
    Output expired;
    c.timer_expired(deadline, TimerKind::retransmission, expired);
    if (!sent(expired).empty()) result.syns.push_back(deadline);
    if (c.state() != State::syn_sent) {
      result.gave_up = deadline;
      result.rule = transition_rules(expired).at(0);
      CHECK(app_events(expired) == std::vector<AppEventKind>{AppEventKind::timed_out});
    }
  }
  return result;
}

std::vector<Time> seconds(std::initializer_list<int> values) {
  std::vector<Time> result;
  for (const int value : values) result.push_back(value * second);
  return result;
}

// ESTABLISHED after a handshake whose SYN-ACK came back after `rtt` (the SYN was timed).
Connection established_after(const TcpConfig& config, Duration rtt) {
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(rtt, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  REQUIRE(c.state() == State::established);
  REQUIRE(c.has_rtt_sample());
  return c;
}

// One byte sent at `at` and acknowledged `rtt` later: one more RTT sample.
void sample(Connection& c, Time at, Duration rtt) {
  Output out;
  REQUIRE(c.send(at, bytes("x"), out));
  REQUIRE(sent(out).size() == 1);
  c.segment_arrives(at + rtt, from_peer(c.receive_sequence().nxt, c.send_sequence().nxt,
                                        flag::ack), out);
  REQUIRE(c.send_sequence().una == c.send_sequence().nxt);
}

// The times after the close at which a server in LAST_ACK, whose FIN is never acknowledged,
// sends it again (the first four retransmissions), after a handshake RTT of `rtt`.
std::vector<Time> last_ack_fin_retransmissions(const TcpConfig& config, Duration rtt) {
  Connection c = make_connection(config);
  Output out;
  c.open_passive(0, local_iss, out);
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  c.segment_arrives(rtt, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  REQUIRE(c.state() == State::established);
  const Time closed_at = 1 * second;
  c.segment_arrives(closed_at, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack),
                    out);
  c.close(closed_at, out);
  REQUIRE(c.state() == State::last_ack);
  std::vector<Time> retransmissions;
  while (retransmissions.size() < 4) {
    const Time deadline = c.timer_deadline(TimerKind::retransmission);
    REQUIRE(deadline != time_never);
    Output expired;
    c.timer_expired(deadline, TimerKind::retransmission, expired);
    const Segment fin = only_sent(expired);
    CHECK(fin.has(flag::fin));
    retransmissions.push_back(deadline - closed_at);
  }
  return retransmissions;
}

std::vector<Time> milliseconds(std::initializer_list<int> values) {
  std::vector<Time> result;
  for (const int value : values) result.push_back(value * millisecond);
  return result;
}

}  // namespace

// ------------------------------------------------------------------ the RTO formula

TEST_CASE("rto_formula_rfc6298_clamps_srtt_plus_4_rttvar_to_rto_min", "[connection][rto][linux]") {
  TcpConfig config = linux_exact_timers();
  config.rto_formula = RtoFormula::rfc6298;
  const Connection c = established_after(config, 50 * millisecond);
  // RFC 6298 2.2 and 2.4: 50 + 4 x 25 = 150 ms, below rto_min 200 ms.
  CHECK(c.smoothed_rtt() == 50 * millisecond);
  CHECK(c.rtt_variation() == 25 * millisecond);
  CHECK(c.retransmission_timeout() == 200 * millisecond);
}

TEST_CASE("rto_formula_linux_adds_rto_min_to_srtt", "[connection][rto][linux]") {
  const Connection c = established_after(linux_exact_timers(), 50 * millisecond);
  // __tcp_set_rto(): SRTT + max(4 x RTTVAR, rto_min) = 50 + max(100, 200) = 250 ms.
  CHECK(c.smoothed_rtt() == 50 * millisecond);
  CHECK(c.rtt_variation() == 25 * millisecond);
  CHECK(c.retransmission_timeout() == 250 * millisecond);
}

TEST_CASE("rto_formula_linux_first_sample_is_three_rtts_above_rto_min", "[connection][rto][linux]") {
  // tcp_rtt_estimator(): mdev = 2 x R "to make sure rto = 3*rtt" when that is above rto_min.
  const Connection c = established_after(linux_exact_timers(), 400 * millisecond);
  CHECK(c.retransmission_timeout() == 1200 * millisecond);
}

TEST_CASE("last_ack_fin_retransmissions_follow_the_linux_rto", "[connection][rto][linux]") {
  // Issue 13 section 4: a handshake RTT of 50 ms, a FIN in LAST_ACK never acknowledged. Linux
  // 6.18 measured 0.28, 0.79, 1.81 and 3.86 s after the close: a first RTO of SRTT + 200 ms,
  // then doubling (its intervals 0.28, 0.51, 1.02, 2.05 s carry the kernel's timer slack).
  // Without the timer wheel: the RTOs themselves, 250 ms doubling.
  CHECK(last_ack_fin_retransmissions(linux_exact_timers(), 50 * millisecond) ==
        milliseconds({250, 750, 1750, 3750}));
  // RFC 6298's clamp with the same bounds: what the linux profile did before, 0.2, 0.6, 1.4, 3.
  TcpConfig clamped = linux_exact_timers();
  clamped.rto_formula = RtoFormula::rfc6298;
  CHECK(last_ack_fin_retransmissions(clamped, 50 * millisecond) ==
        milliseconds({200, 600, 1400, 3000}));
}

TEST_CASE("rto_formula_linux_falling_rtt_moves_mdev_by_one_32nd", "[connection][rto][linux]") {
  Connection c = established_after(linux_exact_timers(), 100 * millisecond);
  CHECK(c.retransmission_timeout() == 300 * millisecond);  // 100 + max(200, 200)
  sample(c, 1 * second, 20 * millisecond);
  // error -80 ms: SRTT 90 ms; |error| - mdev/4 = 80 - 50 = 30 ms, falling: 30/8 = 3.75 ms, so
  // 4 x RTTVAR = 203.75 ms (RFC 6298's gain would give 230 ms); RTO = 90 + 203.75.
  CHECK(c.smoothed_rtt() == 90 * millisecond);
  CHECK(c.rtt_variation() == 50937500);  // 203.75 ms / 4
  CHECK(c.retransmission_timeout() == 293750 * microsecond);
}

TEST_CASE("rto_formula_linux_variation_decays_once_per_round_trip", "[connection][rto][linux]") {
  TcpConfig config = linux_exact_timers();
  config.rto_min = 1 * millisecond;  // so that the variation term is above the floor
  Connection c = established_after(config, 100 * millisecond);
  CHECK(c.retransmission_timeout() == 300 * millisecond);
  sample(c, 1 * second, 100 * millisecond);
  // mdev falls to 150 ms, but the term keeps this round trip's largest, 200 ms.
  CHECK(c.retransmission_timeout() == 300 * millisecond);
  sample(c, 2 * second, 100 * millisecond);
  // mdev 112.5 ms; the round trip ends: the term falls a quarter of the way, 200 - 21.875.
  CHECK(c.retransmission_timeout() == 278125 * microsecond);
  // RFC 6298 with the same samples: RTTVAR 50, 37.5, 28.125 ms, RTO 100 + 112.5 ms.
  config.rto_formula = RtoFormula::rfc6298;
  Connection rfc = established_after(config, 100 * millisecond);
  sample(rfc, 1 * second, 100 * millisecond);
  sample(rfc, 2 * second, 100 * millisecond);
  CHECK(rfc.retransmission_timeout() == 212500 * microsecond);
}

TEST_CASE("rto_formula_linux_is_bounded_by_rto_max", "[connection][rto][linux]") {
  TcpConfig config = linux_exact_timers();
  config.rto_max = 2 * second;
  const Connection c = established_after(config, 1 * second);
  CHECK(c.retransmission_timeout() == 2 * second);  // tcp_bound_rto(): 1 + 2 s capped
}

// ------------------------------------------------------------------ SYN_SENT, linear timeouts

TEST_CASE("syn_sent_linux_without_linear_timeouts_gives_up_at_15_s", "[connection][timer][linux]") {
  // Issue 13 section 4, tcp_syn_retries=3, tcp_syn_linear_timeouts=0: SYNs at 0, 1, 3, 7 s,
  // ETIMEDOUT at 15.4 s on the kernel (15 s and its timer wheel's rounding of an 8 s timer).
  TcpConfig config = linux_exact_timers();
  config.syn_retries = 3;
  config.syn_linear_timeouts = 0;
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == seconds({0, 1, 3, 7}));
  CHECK(connect.gave_up == 15 * second);
  CHECK(connect.rule == Rule::syn_retries_exhausted);
}

TEST_CASE("syn_sent_linux_linear_timeouts_then_backoff_gives_up_at_19_s",
          "[connection][timer][linux]") {
  // tcp_syn_linear_timeouts=4 (the default since Linux 6.5): SYNs at 0, 1, 2, 3, 4, 5, 7, 11 s,
  // ETIMEDOUT at 19.4 s on the kernel: seven retransmissions, syn_retries + 4.
  TcpConfig config = linux_exact_timers();
  config.syn_retries = 3;
  REQUIRE(config.syn_linear_timeouts == 4);
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == seconds({0, 1, 2, 3, 4, 5, 7, 11}));
  CHECK(connect.gave_up == 19 * second);
  CHECK(connect.rule == Rule::syn_linear_retries_exhausted);
}

TEST_CASE("syn_sent_linux_defaults_give_up_at_131_s", "[connection][timer][linux]") {
  // tcp_syn_retries 6, tcp_syn_linear_timeouts 4: ten retransmissions, the last at 67 s.
  const UnansweredConnect connect = connect_unanswered(linux_exact_timers());
  CHECK(connect.syns == seconds({0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67}));
  CHECK(connect.gave_up == 131 * second);
  CHECK(connect.rule == Rule::syn_linear_retries_exhausted);
}

TEST_CASE("syn_sent_linux_time_budget_ends_before_the_count", "[connection][timer][linux]") {
  // syn_retries 1 is a budget of (2^2 - 1) x 1 s = 3 s from the first SYN (tcp_model_timeout):
  // at 3 s only two of the 1 + 4 retransmissions the count allows have been sent.
  TcpConfig config = linux_exact_timers();
  config.syn_retries = 1;
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == seconds({0, 1, 2}));
  CHECK(connect.gave_up == 3 * second);
  CHECK(connect.rule == Rule::syn_time_budget_exhausted);
}

TEST_CASE("syn_sent_linux_time_budget_counts_rto_max_steps", "[connection][timer][linux]") {
  // tcp_model_timeout() past its linear_backoff_thresh, ilog2(rto_max / 1 s): with rto_max 4 s
  // that is 2, so 3 retries are (2^3 - 1) x 1 s + 1 x 4 s = 11 s (15 s uncapped). Eight linear
  // timeouts: SYNs each second to 9 s, then an RTO of 2 s reaches the budget before the count.
  TcpConfig config = linux_exact_timers();
  config.rto_max = 4 * second;
  config.syn_retries = 3;
  config.syn_linear_timeouts = 8;
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == seconds({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  CHECK(connect.gave_up == 11 * second);
  CHECK(connect.rule == Rule::syn_time_budget_exhausted);
}

TEST_CASE("syn_received_synack_retries_stay_exponential", "[connection][timer][linux]") {
  // Linux's linear timeouts are SYN_SENT's only: a SYN-ACK backs off at once.
  Connection c = make_connection(linux_exact_timers());
  to_syn_received_passive(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second);
}

// ------------------------------------------------------------------ the timer wheel (HZ=250)
// The linux profile's timers fire as the kernel's timer_list timers do (timer_wheel
// "linux-hz250"): these are the numbers issue 13 section 4 measured on Linux 6.18.

TEST_CASE("last_ack_retransmission_timeout_fires_on_the_kernel_timer_wheel",
          "[connection][timer][linux]") {
  // RTO 250 ms = 63 jiffies (rounded up), doubling to 126, 252, 504; from a close at jiffy 250
  // each expiry is rounded up past its wheel level's granularity (8 jiffies, then 64): the
  // kernel's 0.28, 0.79, 1.81 and 3.86 s.
  CHECK(last_ack_fin_retransmissions(linux_config(), 50 * millisecond) ==
        milliseconds({280, 792, 1816, 3864}));
}

TEST_CASE("established_linux_rto_is_held_in_whole_jiffies", "[connection][rto][linux]") {
  // usecs_to_jiffies() in __tcp_set_rto(): 250 ms is 62.5 jiffies of 4 ms, so 63: 252 ms.
  CHECK(established_after(linux_config(), 50 * millisecond).retransmission_timeout() ==
        252 * millisecond);
  CHECK(established_after(linux_exact_timers(), 50 * millisecond).retransmission_timeout() ==
        250 * millisecond);
}

TEST_CASE("timer_set_effects_carry_the_deadline_asked_for_and_the_one_the_wheel_chose",
          "[connection][timer][linux]") {
  // The first timer_set of `kind` in `out`.
  const auto timer_set = [](const Output& out, TimerKind kind) {
    for (const Effect& effect : out.effects()) {
      if (effect.kind == Effect::Kind::timer_set && effect.timer == kind) return effect;
    }
    FAIL("no timer_set");
    return Effect{};
  };
  // The SYN's 1 s timer, armed at 0: 250 jiffies ahead, on the wheel's level 1 (8 jiffies), so
  // it fires at jiffy 256, 1.024 s; the effect says that 1 s was asked for.
  Connection c = make_connection(linux_config());
  Output out;
  c.open_active(0, local_iss, out);
  const Effect wheel = timer_set(out, TimerKind::retransmission);
  CHECK(wheel.deadline == 1024 * millisecond);
  CHECK(wheel.requested_deadline() == 1 * second);
  CHECK(wheel.rounded_by == 24 * millisecond);
  // Without the wheel the timer fires when asked: nothing moved.
  Connection exact = make_connection(linux_exact_timers());
  Output exact_out;
  exact.open_active(0, local_iss, exact_out);
  const Effect at_deadline = timer_set(exact_out, TimerKind::retransmission);
  CHECK(at_deadline.deadline == 1 * second);
  CHECK(at_deadline.rounded_by == 0);
  CHECK(at_deadline.requested_deadline() == at_deadline.deadline);
  // A timeout past the wheel's range (about 48 days at HZ=250) is cut to it, as the kernel
  // cuts it: the timer fires before the deadline asked for.
  TcpConfig far = linux_config();
  far.keepalive = true;
  far.keepalive_idle = 100 * 24 * hour;
  Connection idle = make_connection(far);
  to_syn_sent(idle);
  Output established;
  idle.segment_arrives(50 * millisecond,
                       from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), established);
  REQUIRE(idle.state() == State::established);
  const Effect cut = timer_set(established, TimerKind::keepalive);
  CHECK(cut.requested_deadline() == 50 * millisecond + 100 * 24 * hour);
  CHECK(cut.rounded_by < 0);
  CHECK(cut.deadline == timer_wheel_expiry(TimerWheel::linux_hz250, 50 * millisecond,
                                           50 * millisecond + 100 * 24 * hour));
}

TEST_CASE("syn_sent_linux_timer_wheel_without_linear_timeouts_gives_up_at_15_36_s",
          "[connection][timer][linux]") {
  // tcp_syn_retries=3, tcp_syn_linear_timeouts=0: the kernel sends SYNs at 0, 1, 3, 7 s and
  // fails at 15.4 s; 1, 2, 4, 8 s timers fire after 1.024, 2.016, 4.128, 8.192 s.
  TcpConfig config = linux_config();
  config.syn_retries = 3;
  config.syn_linear_timeouts = 0;
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == milliseconds({0, 1024, 3040, 7168}));
  CHECK(connect.gave_up == 15360 * millisecond);
}

TEST_CASE("syn_sent_linux_timer_wheel_linear_timeouts_give_up_at_19_456_s",
          "[connection][timer][linux]") {
  // The kernel's default tcp_syn_linear_timeouts=4: SYNs at 0, 1, 2, 3, 4, 5, 7, 11 s and
  // ETIMEDOUT at 19.4 s.
  TcpConfig config = linux_config();
  config.syn_retries = 3;
  const UnansweredConnect connect = connect_unanswered(config);
  CHECK(connect.syns == milliseconds({0, 1024, 2048, 3072, 4096, 5120, 7136, 11264}));
  CHECK(connect.gave_up == 19456 * millisecond);
}

TEST_CASE("time_wait_linux_timer_wheel_rounds_60_s_up_to_its_level", "[connection][timer][linux]") {
  // TCP_TIMEWAIT_LEN 60 s is 15000 jiffies, on the wheel's level 3 (512 jiffies, 2.048 s):
  // from time 0 it expires at jiffy 15360, 61.44 s.
  Connection c = make_connection(linux_config());
  to_established_active(c);
  Output out;
  c.close(0, out);
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::time_wait);
  CHECK(c.timer_deadline(TimerKind::time_wait) == 61440 * millisecond);
}

// ------------------------------------------------------------------ the out-of-order FIN

TEST_CASE("established_out_of_order_fin_is_held_until_the_gap_fills",
          "[connection][established][reassembly]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  // The FIN at 310 while RCV.NXT is 301: held, a duplicate ACK at once.
  c.segment_arrives(0, from_peer(310, 101, flag::fin | flag::ack), out);
  CHECK(c.state() == State::established);
  const Segment duplicate = only_sent(out);
  check_segment(duplicate, 101, 301, flag::ack);
  REQUIRE(out.effects().size() >= 1);
  bool told = false;
  for (const Effect& effect : out.effects()) {
    told = told || (effect.kind == Effect::Kind::transmit &&
                    effect.rule == Rule::out_of_order_fin_held);
  }
  CHECK(told);
  out.clear();
  // The nine bytes before it: delivered, then the FIN: CLOSE_WAIT, ACK 311.
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcdefghi"), out);
  CHECK(delivered(out) == "abcdefghi");
  CHECK(app_events(out) ==
        std::vector<AppEventKind>{AppEventKind::data, AppEventKind::end_of_stream});
  check_segment(only_sent(out), 101, 311, flag::ack);
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::fin_in_established});
  CHECK(c.state() == State::close_wait);
}

TEST_CASE("established_out_of_order_data_with_fin_is_held_until_the_gap_fills",
          "[connection][established][reassembly]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(305, 101, flag::fin | flag::ack, "efgh"), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(c.state() == State::established);
  out.clear();
  // Part of the gap: the FIN waits on.
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "ab"), out);
  CHECK(delivered(out) == "ab");
  CHECK(c.state() == State::established);
  out.clear();
  c.segment_arrives(0, from_peer(303, 101, flag::ack, "cd"), out);
  CHECK(delivered(out) == "cdefgh");
  check_segment(only_sent(out), 101, 310, flag::ack);
  CHECK(c.state() == State::close_wait);
}

TEST_CASE("established_held_fin_with_delayed_ack_is_acknowledged_at_once",
          "[connection][established][reassembly][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 200 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 101, flag::fin | flag::ack, "b"), out);
  out.clear();
  // RFC 5681 4.2: the segment that fills the gap is acknowledged at once, FIN and all.
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "a"), out);
  check_segment(only_sent(out), 101, 304, flag::ack);
  CHECK(c.state() == State::close_wait);
}

TEST_CASE("established_out_of_order_fin_beyond_the_window_is_not_held",
          "[connection][established][reassembly]") {
  TcpConfig config;
  config.receive_buffer = 8;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  // 4 bytes at 305 fit the window [301, 309); the FIN at 309 does not.
  c.segment_arrives(0, from_peer(305, 101, flag::fin | flag::ack, "efgh"), out);
  out.clear();
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcd"), out);
  CHECK(delivered(out) == "abcdefgh");
  CHECK(c.state() == State::established);
}

TEST_CASE("fin_wait_1_held_fin_with_ack_of_ours_enters_time_wait_through_fin_wait_2",
          "[connection][fin_wait_1][reassembly]") {
  Connection c = make_connection();
  to_fin_wait_1(c);  // our FIN is 101
  Output out;
  c.segment_arrives(0, from_peer(302, 101, flag::fin | flag::ack, "b"), out);
  CHECK(c.state() == State::fin_wait_1);
  out.clear();
  // The missing byte, acknowledging our FIN: RFC 9293 3.10.7.4 step by step, the ACK (fifth)
  // moves to FIN_WAIT_2, then the held FIN (eighth) to TIME_WAIT.
  c.segment_arrives(0, from_peer(301, 102, flag::ack, "a"), out);
  CHECK(delivered(out) == "ab");
  CHECK(transition_rules(out) ==
        std::vector<Rule>{Rule::fin_acknowledged_in_fin_wait_1, Rule::fin_in_fin_wait_2});
  check_segment(only_sent(out), 102, 304, flag::ack);
  CHECK(c.state() == State::time_wait);
}

TEST_CASE("fin_wait_1_held_fin_without_ack_of_ours_enters_closing",
          "[connection][fin_wait_1][reassembly]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 101, flag::fin | flag::ack, "b"), out);
  out.clear();
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "a"), out);
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::simultaneous_close});
  CHECK(c.state() == State::closing);
}

TEST_CASE("fin_wait_2_held_fin_enters_time_wait_when_the_gap_fills",
          "[connection][fin_wait_2][reassembly]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(303, 102, flag::fin | flag::ack, "c"), out);
  CHECK(c.state() == State::fin_wait_2);
  check_segment(only_sent(out), 102, 301, flag::ack);
  out.clear();
  c.segment_arrives(0, from_peer(301, 102, flag::ack, "ab"), out);
  CHECK(delivered(out) == "abc");
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::fin_in_fin_wait_2});
  check_segment(only_sent(out), 102, 305, flag::ack);
  CHECK(c.state() == State::time_wait);
}

}  // namespace tcp_connection_linux_tests
