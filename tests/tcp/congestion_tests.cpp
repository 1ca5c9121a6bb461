// Congestion control (RFC 5681, RFC 6582, RFC 3042, RFC 6928, RFC 9438) and SACK loss recovery
// (RFC 6675), one (state, event) per test: the connection is ESTABLISHED with 536-byte segments
// (SND.NXT = 101 after the handshake) and the peer's ACKs are played by hand.
#include "tests/tcp/tcp_test_support.hpp"

#include <string>

#include "tcp/congestion.hpp"

namespace tcp_congestion_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

constexpr std::uint32_t smss = 536;

TcpConfig config_with(CongestionAlgorithm algorithm, std::uint32_t initial_window_segments = 0) {
  TcpConfig config;
  config.nagle = false;
  config.congestion_control = algorithm;
  config.initial_window = initial_window_segments;
  config.sack = true;  // offered on our SYN; negotiated only when the peer's SYN-ACK offers it
  return config;
}

void to_established(Connection& c, bool sack_permitted = false) {
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  syn_ack.sack_permitted = sack_permitted;
  c.segment_arrives(0, syn_ack, out);
  REQUIRE(c.state() == State::established);
}

std::vector<std::uint8_t> data(std::size_t size) { return std::vector<std::uint8_t>(size, 'x'); }

std::vector<Segment> data_segments(const Output& out) {
  std::vector<Segment> result;
  for (const Segment& segment : sent(out)) {
    if (!segment.payload.empty()) result.push_back(segment);
  }
  return result;
}

std::vector<const Effect*> transmits_with(const Output& out, SendPurpose purpose) {
  std::vector<const Effect*> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::transmit && effect.purpose == purpose) result.push_back(&effect);
  }
  return result;
}

// The peer's ACK of `ack` (a sequence number of ours), with SACK blocks when given.
Segment peer_ack(SeqNum ack, std::initializer_list<SackBlock> blocks = {}) {
  Segment segment = from_peer(peer_iss + 1, ack, flag::ack);
  for (const SackBlock& block : blocks) segment.sack_blocks[segment.sack_block_count++] = block;
  return segment;
}

SeqNum segment_start(int index) { return local_iss + 1 + static_cast<SeqNum>(index) * smss; }

// 10 segments in flight (initial window 10), lost: the first; three duplicate ACKs.
void to_fast_recovery(Connection& c, Output& out) {
  to_established(c);
  REQUIRE(c.send(0, data(20 * smss), out));
  REQUIRE(data_segments(out).size() == 10);
  out.clear();
  for (int i = 0; i < 3; ++i) c.segment_arrives(100 * millisecond, peer_ack(segment_start(0)), out);
  REQUIRE(c.in_loss_recovery());
}

}  // namespace

// --- Initial window (RFC 5681 3.1, RFC 6928) ---

TEST_CASE("established_send_rfc5681_initial_window_four_segments", "[congestion][initial-window]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(10 * smss), out));
  // RFC 5681 3.1 eq. 1: SMSS <= 1095 gives IW = 4 * SMSS.
  CHECK(data_segments(out).size() == 4);
  CHECK(c.congestion_window() == 4 * smss);
  CHECK(c.slow_start_threshold() == unlimited_window);
  CHECK(c.bytes_in_flight() == 4 * smss);
}

TEST_CASE("initial_window_rfc5681_depends_on_smss", "[congestion][initial-window]") {
  CHECK(initial_window(536, 0) == 2144);
  CHECK(initial_window(1095, 0) == 4380);
  CHECK(initial_window(1460, 0) == 4380);
  CHECK(initial_window(2190, 0) == 6570);
  CHECK(initial_window(8960, 0) == 17920);
  CHECK(initial_window(1460, 10) == 14600);  // RFC 6928
}

TEST_CASE("established_send_rfc6928_initial_window_ten_segments", "[congestion][initial-window]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::cubic, 10));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  CHECK(data_segments(out).size() == 10);
}

TEST_CASE("syn_sent_syn_retransmitted_initial_window_one_segment", "[congestion][initial-window]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(1100 * millisecond, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack),
                    out);
  out.clear();
  REQUIRE(c.send(1100 * millisecond, data(10 * smss), out));
  // RFC 5681 3.1: after a lost SYN or SYN-ACK the initial window MUST be one segment.
  CHECK(data_segments(out).size() == 1);
  CHECK(c.congestion_window() == smss);
}

TEST_CASE("established_send_congestion_control_none_fills_peer_window", "[congestion][none]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::none));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  CHECK(data_segments(out).size() == 20);
  CHECK(c.congestion_window() == unlimited_window);
  for (const Effect& effect : out.effects()) CHECK_FALSE(effect.has_congestion);
}

// --- Slow start and congestion avoidance (RFC 5681 3.1) ---

TEST_CASE("established_ack_in_slow_start_adds_one_segment_per_ack", "[congestion][slow-start]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  out.clear();
  c.segment_arrives(100 * millisecond, peer_ack(segment_start(1)), out);
  // cwnd += min(N, SMSS): 5 segments; one left the network, so two new ones go.
  CHECK(c.congestion_window() == 5 * smss);
  const std::vector<Segment> segments = data_segments(out);
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].seq == segment_start(4));
  CHECK(segments[1].seq == segment_start(5));
  // The trace sees the window on the sends.
  const std::vector<const Effect*> normal = transmits_with(out, SendPurpose::normal);
  REQUIRE(normal.size() == 2);
  CHECK(normal[1]->has_congestion);
  CHECK(normal[1]->cwnd == 5 * smss);
  CHECK(normal[1]->in_flight == 5 * smss);
}

TEST_CASE("established_window_acked_in_slow_start_doubles_cwnd", "[congestion][slow-start]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(40 * smss), out));
  for (int i = 1; i <= 4; ++i) c.segment_arrives(100 * millisecond, peer_ack(segment_start(i)), out);
  CHECK(c.congestion_window() == 8 * smss);
  CHECK(c.bytes_in_flight() == 8 * smss);
}

TEST_CASE("congestion_avoidance_ack_of_cwnd_adds_one_segment", "[congestion][avoidance]") {
  CongestionControl control;
  control.start(CongestionAlgorithm::newreno, 1000, 10000, false);
  control.on_loss(0, 20000);  // ssthresh = 10000 = cwnd: congestion avoidance
  REQUIRE_FALSE(control.in_slow_start());
  for (int i = 0; i < 9; ++i) control.on_ack(0, 1000, 0);
  CHECK(control.cwnd() == 10000);
  control.on_ack(0, 1000, 0);
  CHECK(control.cwnd() == 11000);
}

// --- Fast retransmit and fast recovery (RFC 5681 3.2, RFC 6582, RFC 3042) ---

TEST_CASE("established_first_duplicate_ack_limited_transmit_sends_new_segment",
          "[congestion][limited-transmit]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  out.clear();
  c.segment_arrives(100 * millisecond, peer_ack(segment_start(0)), out);
  std::vector<Segment> segments = data_segments(out);
  REQUIRE(segments.size() == 1);
  CHECK(segments[0].seq == segment_start(4));
  out.clear();
  c.segment_arrives(100 * millisecond, peer_ack(segment_start(0)), out);
  segments = data_segments(out);
  REQUIRE(segments.size() == 1);
  CHECK(segments[0].seq == segment_start(5));
  CHECK(c.congestion_window() == 4 * smss);  // RFC 3042: cwnd itself is unchanged
}

TEST_CASE("established_third_duplicate_ack_enters_fast_recovery_halving",
          "[congestion][fast-recovery]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_fast_recovery(c, out);
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(0));
  CHECK(resent[0]->rule == Rule::fast_retransmit);
  // ssthresh = FlightSize / 2 (eq. 4): 12 segments were out with limited transmit's two.
  CHECK(c.slow_start_threshold() == 6 * smss);
  CHECK(c.congestion_window() == 9 * smss);  // ssthresh + 3 * SMSS
}

TEST_CASE("fast_recovery_duplicate_ack_inflates_cwnd", "[congestion][fast-recovery]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_fast_recovery(c, out);
  out.clear();
  c.segment_arrives(100 * millisecond, peer_ack(segment_start(0)), out);
  CHECK(c.congestion_window() == 10 * smss);
}

TEST_CASE("fast_recovery_partial_ack_resends_next_hole_and_deflates",
          "[congestion][fast-recovery][newreno]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_fast_recovery(c, out);
  out.clear();
  // Segments 0 and 5 were lost: the retransmission of 0 brings the ACK up to 5.
  c.segment_arrives(200 * millisecond, peer_ack(segment_start(5)), out);
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(5));
  CHECK(resent[0]->rule == Rule::partial_ack_retransmit);
  CHECK(c.in_loss_recovery());
  // RFC 6582 3.2 step 4: cwnd - acked + SMSS = 9 - 5 + 1 segments.
  CHECK(c.congestion_window() == 5 * smss);
}

TEST_CASE("fast_recovery_full_ack_exits_with_ssthresh", "[congestion][fast-recovery]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_fast_recovery(c, out);
  out.clear();
  c.segment_arrives(200 * millisecond, peer_ack(segment_start(12)), out);
  CHECK_FALSE(c.in_loss_recovery());
  // RFC 6582 3.2 step 3 (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
  CHECK(c.congestion_window() <= 6 * smss);
}

TEST_CASE("established_retransmission_timeout_collapses_cwnd_to_one_segment",
          "[congestion][timeout]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  out.clear();
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(c.congestion_window() == smss);                // RFC 5681 3.1: LW
  CHECK(c.slow_start_threshold() == 5 * smss);         // eq. 4: FlightSize / 2
  out.clear();
  // A second timeout holds ssthresh.
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  CHECK(c.slow_start_threshold() == 5 * smss);
  // The ACK of the resent first segment shows the next hole: resent at once.
  out.clear();
  c.segment_arrives(3100 * millisecond, peer_ack(segment_start(3)), out);
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(3));
  CHECK(resent[0]->rule == Rule::retransmission_after_timeout);
}

TEST_CASE("established_send_after_idle_restarts_from_initial_window", "[congestion][idle]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(4 * smss), out));
  for (int i = 1; i <= 4; ++i) c.segment_arrives(100 * millisecond, peer_ack(segment_start(i)), out);
  REQUIRE(c.congestion_window() == 8 * smss);
  out.clear();
  // RFC 5681 4.1: idle for more than an RTO (1 s): cwnd = min(IW, cwnd).
  REQUIRE(c.send(5 * second, data(10 * smss), out));
  CHECK(c.congestion_window() == 4 * smss);
  CHECK(data_segments(out).size() == 4);
}

TEST_CASE("established_send_after_short_pause_keeps_cwnd", "[congestion][idle]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno));
  to_established(c);
  Output out;
  REQUIRE(c.send(0, data(4 * smss), out));
  for (int i = 1; i <= 4; ++i) c.segment_arrives(100 * millisecond, peer_ack(segment_start(i)), out);
  out.clear();
  REQUIRE(c.send(500 * millisecond, data(10 * smss), out));
  CHECK(data_segments(out).size() == 8);
}

// --- CUBIC (RFC 9438) ---

TEST_CASE("cubic_loss_reduces_cwnd_to_seven_tenths", "[congestion][cubic]") {
  CongestionControl control;
  control.start(CongestionAlgorithm::cubic, 1000, 100000, false);
  CHECK(control.on_loss(0, 100000) == 70000);
}

TEST_CASE("cubic_second_loss_below_w_max_fast_convergence", "[congestion][cubic]") {
  CongestionControl control;
  control.start(CongestionAlgorithm::cubic, 1000, 100000, false);
  control.set_cwnd(control.on_loss(0, 100000));
  // RFC 9438 4.7: cwnd 70000 < W_max 100000: W_max = 70000 * 1.7 / 2 = 59500.
  control.on_loss(0, 70000);
  CHECK(control.ssthresh() == 49000);
}

TEST_CASE("cubic_congestion_avoidance_returns_to_w_max_after_k", "[congestion][cubic]") {
  CongestionControl control;
  control.start(CongestionAlgorithm::cubic, 1000, 100000, false);
  control.set_cwnd(control.on_loss(0, 100000));
  // K = cbrt(W_max (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) s = 4.217 s. ACK a window per
  // 100 ms RTT: the concave growth flattens as it nears W_max.
  Time now = 0;
  std::uint32_t at_two_seconds = 0;
  while (now < 5 * second) {
    now += 100 * millisecond;
    const std::uint32_t window = control.cwnd();
    for (std::uint32_t acked = 0; acked < window; acked += 1000) control.on_ack(now, 1000, 0);
    if (now == 2 * second) at_two_seconds = control.cwnd();
  }
  CHECK(at_two_seconds > 70000);
  CHECK(at_two_seconds < 100000);
  CHECK(control.cwnd() >= 100000);
  CHECK(control.cwnd() < 110000);
}

// --- SACK loss recovery (RFC 6675) ---

TEST_CASE("established_sack_blocks_fill_scoreboard_merged", "[sack][scoreboard]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, true);
  Output out;
  REQUIRE(c.send(0, data(10 * smss), out));
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(2), segment_start(3)}}), out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(4), segment_start(5)},
                                                {segment_start(2), segment_start(3)}}),
                    out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(3), segment_start(4)}}), out);
  const auto board = c.scoreboard();
  REQUIRE(board.size() == 1);
  CHECK(board[0] == SackBlock{segment_start(2), segment_start(5)});
  // The cumulative ACK moves past part of it: the rest stays.
  c.segment_arrives(100 * millisecond, peer_ack(segment_start(3)), out);
  REQUIRE(c.scoreboard().size() == 1);
  CHECK(c.scoreboard()[0] == SackBlock{segment_start(3), segment_start(5)});
}

TEST_CASE("established_sack_ignored_without_sack_permitted", "[sack][scoreboard]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, false);
  Output out;
  REQUIRE(c.send(0, data(10 * smss), out));
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(2), segment_start(3)}}), out);
  CHECK(c.scoreboard().empty());
}

TEST_CASE("established_three_segments_sacked_enters_sack_recovery", "[sack][recovery]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, true);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  out.clear();
  // Segment 0 lost; 1, 2 and 3 are SACKed by the first two duplicate ACKs and a third.
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(2)}}), out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(3)}}), out);
  CHECK_FALSE(c.in_loss_recovery());
  out.clear();
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(4)}}), out);
  REQUIRE(c.in_loss_recovery());
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(0));
  // RFC 6675 5 step 4.2: cwnd = ssthresh = FlightSize / 2 (12 segments out).
  CHECK(c.congestion_window() == 6 * smss);
  CHECK(c.slow_start_threshold() == 6 * smss);
  // pipe: 12 out, 3 SACKed, segment 0 lost and resent: 12 - 3 - 1 + 1.
  CHECK(c.bytes_in_flight() == 9 * smss);
}

TEST_CASE("sack_recovery_duplicate_ack_resends_each_lost_hole", "[sack][recovery]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, true);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  // Segments 0 and 2 lost.
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(2)}}), out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(3), segment_start(4)},
                                                {segment_start(1), segment_start(2)}}),
                    out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(3), segment_start(5)},
                                                {segment_start(1), segment_start(2)}}),
                    out);
  REQUIRE(c.in_loss_recovery());
  out.clear();
  // More SACKed above segment 2: it counts as lost, and pipe has room after the ACK of
  // segment 0's retransmission (a partial ACK up to 2).
  c.segment_arrives(200 * millisecond,
                    peer_ack(segment_start(2), {{segment_start(3), segment_start(8)}}), out);
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(2));
  CHECK(resent[0]->rule == Rule::sack_retransmit);
  CHECK(c.in_loss_recovery());
  // The ACK beyond the recovery point ends it: cwnd = ssthresh.
  c.segment_arrives(300 * millisecond, peer_ack(c.send_sequence().nxt), out);
  CHECK_FALSE(c.in_loss_recovery());
  CHECK(c.congestion_window() == c.slow_start_threshold());
}

TEST_CASE("sack_recovery_timeout_clears_scoreboard", "[sack][timeout]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, true);
  Output out;
  REQUIRE(c.send(0, data(10 * smss), out));
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(2), segment_start(3)}}), out);
  REQUIRE(c.scoreboard().size() == 1);
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  // RFC 2018 8: after a timeout the SACKed bits are turned off.
  CHECK(c.scoreboard().empty());
  CHECK(c.congestion_window() == smss);
}

namespace {

// 10 segments sent, all the data there is: 0 and 8 lost, 1 .. 7 SACKed one by one (RFC 6675
// recovery from the third, cwnd = ssthresh = 5 segments).
void to_sack_recovery_with_lost_tail(Connection& c, Output& out) {
  to_established(c, true);
  REQUIRE(c.send(0, data(10 * smss), out));
  REQUIRE(data_segments(out).size() == 10);
  for (int sacked = 2; sacked <= 4; ++sacked) {
    c.segment_arrives(100 * millisecond,
                      peer_ack(segment_start(0), {{segment_start(1), segment_start(sacked)}}), out);
  }
  REQUIRE(c.in_loss_recovery());
  REQUIRE(c.congestion_window() == 5 * smss);
  out.clear();
}

}  // namespace

TEST_CASE("sack_recovery_room_without_new_data_rescue_retransmits_the_last_segment",
          "[sack][recovery][rescue]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_sack_recovery_with_lost_tail(c, out);
  // pipe: segment 0 resent (1) and the unSACKed tail, not lost: 6, then 5 (no room), then 4.
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(5)}}), out);
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(6)}}), out);
  CHECK(transmits_with(out, SendPurpose::fast_retransmission).empty());
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(1), segment_start(7)}}), out);
  // RFC 6675 4 NextSeg (4): no hole lost above HighRxt (rule 1), no new data (2), no unSACKed
  // octet above HighRxt below the highest SACKed (3): one segment ending at the highest
  // unSACKed octet, the last segment.
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(9));
  CHECK(out.packet(*resent[0]).segment.payload.size() == smss);
  CHECK(resent[0]->rule == Rule::sack_rescue_retransmit);
  // HighRxt is not moved by it: pipe does not count the rescue (7 .. 9 not lost, 0 resent).
  CHECK(c.bytes_in_flight() == 4 * smss);
}

TEST_CASE("sack_recovery_rescue_retransmission_is_sent_once_per_recovery",
          "[sack][recovery][rescue]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_sack_recovery_with_lost_tail(c, out);
  for (int sacked = 5; sacked <= 8; ++sacked) {
    c.segment_arrives(100 * millisecond,
                      peer_ack(segment_start(0), {{segment_start(1), segment_start(sacked)}}), out);
  }
  // The partial ACK of segment 0's retransmission: room, but RescueRxt = RecoveryPoint is not
  // below HighACK yet.
  c.segment_arrives(200 * millisecond, peer_ack(segment_start(8)), out);
  CHECK(c.in_loss_recovery());
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0]->rule == Rule::sack_rescue_retransmit);
}

TEST_CASE("sack_recovery_room_with_new_data_sends_it_instead_of_a_rescue",
          "[sack][recovery][rescue]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  to_established(c, true);
  Output out;
  REQUIRE(c.send(0, data(20 * smss), out));
  // Limited transmit sends segments 10 and 11; recovery from the third duplicate ACK with
  // cwnd 6 segments; the SACK of 7 leaves room for one segment (pipe: 0 resent, 8 .. 11).
  for (int sacked = 2; sacked <= 8; ++sacked) {
    c.segment_arrives(100 * millisecond,
                      peer_ack(segment_start(0), {{segment_start(1), segment_start(sacked)}}), out);
  }
  REQUIRE(c.in_loss_recovery());
  // RFC 6675 4 NextSeg (2) before (3) and (4): the room goes to new data.
  for (const Effect* effect : transmits_with(out, SendPurpose::fast_retransmission)) {
    CHECK(effect->rule == Rule::fast_retransmit);
  }
  CHECK(c.send_sequence().nxt == segment_start(13));
}

TEST_CASE("sack_recovery_room_without_new_data_resends_a_hole_not_yet_lost",
          "[sack][recovery][rescue]") {
  Connection c = make_connection(config_with(CongestionAlgorithm::newreno, 10));
  Output out;
  to_sack_recovery_with_lost_tail(c, out);
  for (int sacked = 5; sacked <= 8; ++sacked) {
    c.segment_arrives(100 * millisecond,
                      peer_ack(segment_start(0), {{segment_start(1), segment_start(sacked)}}), out);
  }
  out.clear();
  // Segment 9 arrives: segment 8 is a hole below the highest SACKed octet, not lost (one
  // segment SACKed above it), above HighRxt. pipe = 0 resent + 8 = 2 segments: room.
  c.segment_arrives(100 * millisecond,
                    peer_ack(segment_start(0), {{segment_start(9), segment_start(10)},
                                                {segment_start(1), segment_start(8)}}),
                    out);
  const std::vector<const Effect*> resent = transmits_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(out.packet(*resent[0]).segment.seq == segment_start(8));
  CHECK(resent[0]->rule == Rule::sack_retransmit_not_yet_lost);
  // RFC 6675 4 NextSeg (3): HighRxt moves over it, so pipe counts it twice (not lost, resent).
  CHECK(c.bytes_in_flight() == 3 * smss);
}

}  // namespace tcp_congestion_tests
