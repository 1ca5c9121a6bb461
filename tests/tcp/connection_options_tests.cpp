// The RFC 7323 and RFC 2018 options per (state, event): window scaling (negotiated on the SYN
// and SYN-ACK, never applied to a SYN's window), timestamps (TSval/TSecr, RTT measurement,
// PAWS, the TIME_WAIT reopening of RFC 6191, a segment without them), SACK-permitted and the
// receiver's SACK blocks with D-SACK (RFC 2883), the MSS of RFC 6691, and the option bytes on
// the wire (tcp::encode_options, decode_options).
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_options_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

// The peer's SYN-ACK with every option: wscale `shift`, sackOK, TS val 5000 ecr 1.
Segment full_syn_ack(int shift = 2, std::uint16_t window = 1000) {
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, {}, window);
  syn_ack.mss = 1460;
  syn_ack.window_scale = static_cast<std::int8_t>(shift);
  syn_ack.sack_permitted = true;
  return stamped(syn_ack, 5000, 1);
}

// ESTABLISHED by an active open at time 0 whose SYN-ACK arrives at `at` with every option.
void to_established_with_options(Connection& c, Time at = 0) {
  Output out;
  c.open_active(0, local_iss, out);
  c.segment_arrives(at, full_syn_ack(), out);
  REQUIRE(c.state() == State::established);
}

// A data segment from the peer at `seq` (relative to its ISS + 1), with TSval `value`.
Segment peer_data(std::uint32_t offset, std::string_view payload, std::uint32_t value = 5001) {
  return stamped(from_peer(peer_iss + 1 + offset, local_iss + 1, flag::ack, payload), value, 1);
}

}  // namespace

// --- SYN and SYN-ACK (RFC 7323 2.2, 3.2; RFC 2018 2) ---

TEST_CASE("closed_open_active_syn_carries_no_options_in_rfc9293", "[connection][options]") {
  Connection c = make_connection();
  Output out;
  c.open_active(0, local_iss, out);
  const Segment syn = only_sent(out);
  CHECK(syn.mss == 536);
  CHECK(syn.window_scale == -1);
  CHECK_FALSE(syn.sack_permitted);
  CHECK_FALSE(syn.has_timestamps);
}

TEST_CASE("closed_open_active_syn_carries_the_options_the_knobs_turn_on",
          "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_active(2500 * millisecond, local_iss, out);
  const Segment syn = only_sent(out);
  CHECK(syn.window_scale == 7);
  CHECK(syn.sack_permitted);
  CHECK(syn.has_timestamps);
  CHECK(syn.timestamp_value == 2501);  // 1 ms ticks, 1 at time 0
  CHECK(syn.timestamp_echo == 0);
  CHECK(syn.window == 65535);  // RFC 7323 2.2: a SYN's window is never scaled
  CHECK(syn.sack_block_count == 0);
}

TEST_CASE("listen_syn_with_options_is_answered_with_them", "[connection][options]") {
  TcpConfig config = with_options();
  config.receive_buffer = 1 << 20;
  Connection c = make_connection(config);
  Output out;
  c.open_passive(0, local_iss, out);
  Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 700, 0);
  syn.window_scale = 3;
  syn.sack_permitted = true;
  Output answer;
  c.segment_arrives(10 * millisecond, syn, answer);
  const Segment syn_ack = only_sent(answer);
  CHECK(syn_ack.window_scale == 7);
  CHECK(syn_ack.sack_permitted);
  CHECK(syn_ack.has_timestamps);
  CHECK(syn_ack.timestamp_value == 11);
  CHECK(syn_ack.timestamp_echo == 700);
  CHECK(syn_ack.window == 65535);  // unscaled, capped
  CHECK(c.window_scaling_negotiated());
  CHECK(c.send_window_shift() == 3);
  CHECK(c.timestamps_negotiated());
  CHECK(c.sack_negotiated());
  // The receive window is the whole buffer once scaling is on (RFC 7323 2.2).
  CHECK(c.receive_sequence().wnd == 1U << 20);
}

TEST_CASE("listen_syn_without_options_is_answered_without_them", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_passive(0, local_iss, out);
  Output answer;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), answer);
  const Segment syn_ack = only_sent(answer);
  CHECK(syn_ack.window_scale == -1);
  CHECK_FALSE(syn_ack.sack_permitted);
  CHECK_FALSE(syn_ack.has_timestamps);
  CHECK_FALSE(c.window_scaling_negotiated());
  CHECK_FALSE(c.timestamps_negotiated());
  CHECK_FALSE(c.sack_negotiated());
}

TEST_CASE("listen_syn_with_options_and_knobs_off_is_answered_without_them",
          "[connection][options]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 700, 0);
  syn.window_scale = 7;
  syn.sack_permitted = true;
  Output answer;
  c.segment_arrives(0, syn, answer);
  const Segment syn_ack = only_sent(answer);
  CHECK(syn_ack.window_scale == -1);
  CHECK_FALSE(syn_ack.sack_permitted);
  CHECK_FALSE(syn_ack.has_timestamps);
}

// --- Window scaling (RFC 7323 2) ---

TEST_CASE("syn_sent_syn_ack_with_window_scale_scales_later_windows", "[connection][options]") {
  TcpConfig config = with_options();
  config.receive_buffer = 1 << 20;
  Connection c = make_connection(config);
  to_established_with_options(c);
  // The SYN-ACK's own window (1000) is not scaled.
  CHECK(c.send_sequence().wnd == 1000);
  // Our ACK advertises RCV.WND >> 7: 1 MiB (the byte was read at once) is 8192.
  Output out;
  c.segment_arrives(0, peer_data(0, "x"), out);
  const Segment ack = only_sent(out);
  CHECK(ack.window == (1U << 20) >> 7);
  // The peer's window fields are scaled by its shift, 2.
  Output update;
  c.segment_arrives(0, stamped(from_peer(peer_iss + 2, local_iss + 1, flag::ack, {}, 30000),
                               5002, 1),
                    update);
  CHECK(c.send_sequence().wnd == 120000);
}

TEST_CASE("syn_sent_syn_ack_without_window_scale_scales_nothing", "[connection][options]") {
  TcpConfig config = with_options();
  config.receive_buffer = 1 << 20;
  Connection c = make_connection(config);
  Output out;
  c.open_active(0, local_iss, out);
  Segment syn_ack = full_syn_ack();
  syn_ack.window_scale = -1;
  c.segment_arrives(0, syn_ack, out);
  CHECK_FALSE(c.window_scaling_negotiated());
  // RFC 7323 2.2: without the peer's option neither side scales; the 65535 cap stays.
  CHECK(c.receive_sequence().wnd == 65535);
  Output update;
  c.segment_arrives(0, stamped(from_peer(peer_iss + 1, local_iss + 1, flag::ack, {}, 30000),
                               5002, 1),
                    update);
  CHECK(c.send_sequence().wnd == 30000);
}

TEST_CASE("syn_sent_window_scale_above_14_is_taken_as_14", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_active(0, local_iss, out);
  c.segment_arrives(0, full_syn_ack(20), out);
  CHECK(c.send_window_shift() == 14);  // RFC 7323 2.3
}

TEST_CASE("syn_received_ack_window_is_scaled", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_passive(0, local_iss, out);
  Segment syn = stamped(from_peer(peer_iss, 0, flag::syn, {}, 5000), 700, 0);
  syn.window_scale = 3;
  c.segment_arrives(0, syn, out);
  CHECK(c.send_sequence().wnd == 5000);  // the SYN's window is not scaled
  Output ack;
  c.segment_arrives(0, stamped(from_peer(peer_iss + 1, local_iss + 1, flag::ack, {}, 100), 701, 1),
                    ack);
  REQUIRE(c.state() == State::established);
  CHECK(c.send_sequence().wnd == 800);  // 100 << 3
}

TEST_CASE("syn_sent_simultaneous_open_answers_with_the_negotiated_options",
          "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_active(0, local_iss, out);
  Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 900, 0);
  syn.window_scale = 2;
  Output answer;
  c.segment_arrives(0, syn, answer);
  REQUIRE(c.state() == State::syn_received);
  const Segment syn_ack = only_sent(answer);
  CHECK(syn_ack.window_scale == 7);
  CHECK_FALSE(syn_ack.sack_permitted);  // the peer's SYN did not offer it
  CHECK(syn_ack.timestamp_echo == 900);
  CHECK_FALSE(c.sack_negotiated());
}

// --- Timestamps (RFC 7323 3, 4) ---

TEST_CASE("established_segments_carry_tsval_and_echo_ts_recent", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c, 100 * millisecond);
  Output out;
  c.segment_arrives(300 * millisecond, peer_data(0, "abc", 5100), out);
  const Segment ack = only_sent(out);
  CHECK(ack.has_timestamps);
  CHECK(ack.timestamp_value == 301);
  // RFC 7323 4.3 (2): TS.Recent took 5100 (SEG.SEQ at Last.ACK.sent).
  CHECK(ack.timestamp_echo == 5100);
  CHECK(c.timestamp_recent() == 5100);
}

TEST_CASE("established_ts_recent_ignores_a_segment_beyond_last_ack_sent",
          "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  // Out of order: SEG.SEQ above Last.ACK.sent (RFC 7323 4.3 (2)), TS.Recent stays.
  c.segment_arrives(0, peer_data(100, "later", 6000), out);
  CHECK(c.timestamp_recent() == 5000);
}

TEST_CASE("syn_sent_rtt_is_measured_from_the_echoed_tsval", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c, 120 * millisecond);
  // RFC 7323 4.1: the SYN-ACK echoes TSval 1 (time 0), received at 120 ms.
  CHECK(c.has_rtt_sample());
  CHECK(c.smoothed_rtt() == 120 * millisecond);
  CHECK(c.rtt_variation() == 60 * millisecond);
}

TEST_CASE("established_every_ack_of_new_data_gives_a_timestamp_sample",
          "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c, 100 * millisecond);
  Output out;
  c.send(100 * millisecond, bytes("0123456789"), out);
  const Segment data = only_sent(out);
  CHECK(data.timestamp_value == 101);
  // Acknowledged at 300 ms, echoing 101: a 200 ms sample (SRTT 100 ms before).
  Output ack;
  c.segment_arrives(300 * millisecond,
                    stamped(from_peer(peer_iss + 1, local_iss + 11, flag::ack), 5200, 101), ack);
  CHECK(c.smoothed_rtt() == (7 * 100 * millisecond + 200 * millisecond) / 8);
}

TEST_CASE("closed_open_active_tsval_adds_the_timestamp_offset", "[connection][options]") {
  Connection c = make_connection(with_options());
  c.set_timestamp_offset(0xFFFFFF00U);  // the host's, from timestamp_offset()
  Output out;
  c.open_active(0, local_iss, out);
  CHECK(only_sent(out).timestamp_value == 0xFFFFFF01U);  // the clock's 1 at time 0, plus it
  // The peer echoes it: the RTT is measured on the same offset clock, across its wrap.
  Segment syn_ack = full_syn_ack();
  syn_ack.timestamp_echo = 0xFFFFFF01U;
  Output established;
  c.segment_arrives(300 * millisecond, syn_ack, established);
  CHECK(c.smoothed_rtt() == 300 * millisecond);
  CHECK(sent(established).front().timestamp_value == 0xFFFFFF01U + 300);
}

// --- PAWS (RFC 7323 5) ---

TEST_CASE("established_paws_rejects_an_older_tsval_with_an_ack", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(0, "old", 4999), out);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::paws_rejected});
  CHECK(delivered(out).empty());
  check_segment(only_sent(out), local_iss + 1, peer_iss + 1, flag::ack);
  CHECK(c.receive_sequence().nxt == peer_iss + 1);
}

TEST_CASE("established_paws_lets_a_rst_through", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, stamped(from_peer(peer_iss + 1, 0, flag::rst), 1, 0), out);
  CHECK(c.state() == State::closed);  // RFC 7323 5.3 R1: "and the RST bit is off"
}

TEST_CASE("established_paws_takes_any_tsval_after_24_days_idle", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(25 * 24 * hour, peer_data(0, "new", 10), out);
  CHECK(delivered(out) == "new");
  CHECK(c.timestamp_recent() == 10);  // RFC 7323 5.5
}

TEST_CASE("established_without_timestamps_has_no_paws", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_active(0, local_iss, out);
  Segment syn_ack = full_syn_ack();
  syn_ack.has_timestamps = false;
  c.segment_arrives(0, syn_ack, out);
  Output data;
  c.segment_arrives(0, peer_data(0, "abc", 1), data);
  CHECK(delivered(data) == "abc");
  CHECK_FALSE(only_sent(data).has_timestamps);
}

// --- A segment without timestamps (RFC 7323 3.2, knob timestamp_missing) ---

TEST_CASE("established_segment_without_timestamps_is_dropped_silently", "[connection][options]") {
  Connection c = make_connection(with_options());  // timestamp_missing "drop", RFC 9293's
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "abc"), out);
  // RFC 7323 3.2: "a TCP SHOULD silently drop the segment": no ACK, no data.
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::timestamp_missing_dropped});
  CHECK(sent(out).empty());
  CHECK(delivered(out).empty());
  CHECK(c.receive_sequence().nxt == peer_iss + 1);
}

TEST_CASE("established_segment_without_timestamps_is_accepted_as_linux",
          "[connection][options]") {
  TcpConfig config = with_options();
  config.timestamp_missing = MissingTimestamp::accept;
  Connection c = make_connection(config);
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "abc"), out);
  CHECK(discard_rules(out).empty());
  CHECK(delivered(out) == "abc");
  CHECK(c.timestamp_recent() == 5000);  // nothing to take TS.Recent from
}

TEST_CASE("established_rst_without_timestamps_is_not_dropped_for_it", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  // RFC 7323 3.2 exempts a RST (its sender may have lost the connection's state).
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::rst), out);
  CHECK(c.state() == State::closed);
}

TEST_CASE("syn_received_ack_without_timestamps_is_dropped_silently", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_passive(0, local_iss, out);
  Segment syn = from_peer(peer_iss, 0, flag::syn);
  syn.mss = 1460;
  syn = stamped(syn, 5000, 0);
  c.segment_arrives(0, syn, out);
  REQUIRE(c.state() == State::syn_received);
  REQUIRE(c.timestamps_negotiated());
  Output ack;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), ack);
  CHECK(discard_rules(ack) == std::vector<Rule>{Rule::timestamp_missing_dropped});
  CHECK(c.state() == State::syn_received);
}

// --- TIME_WAIT and timestamps (RFC 6191) ---

namespace {
// TIME_WAIT with timestamps, TS.Recent 5001, RCV.NXT 302.
Connection time_wait_with_timestamps() {
  TcpConfig config = with_options();
  config.time_wait_accepts_syn = true;
  Connection c = make_connection(config);
  to_established_with_options(c);
  Output out;
  c.close(0, out);
  c.segment_arrives(0, stamped(from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack),
                               5001, 1),
                    out);
  REQUIRE(c.state() == State::time_wait);
  return c;
}
}  // namespace

TEST_CASE("time_wait_syn_with_newer_tsval_reopens_below_rcv_nxt", "[connection][options]") {
  Connection c = time_wait_with_timestamps();
  Output out;
  c.segment_arrives(0, stamped(from_peer(peer_iss - 5000, 0, flag::syn), 9000, 0), out);
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::time_wait_syn_reopens_by_timestamp});
  CHECK(c.reopening_isn().has_value());
}

TEST_CASE("time_wait_syn_with_older_tsval_is_rejected_by_paws", "[connection][options]") {
  Connection c = time_wait_with_timestamps();
  Output out;
  // Above RCV.NXT, but PAWS sees an old duplicate: ACK, drop, TIME_WAIT stays.
  c.segment_arrives(0, stamped(from_peer(peer_iss + 100000, 0, flag::syn), 4000, 0), out);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::paws_rejected});
  CHECK(c.state() == State::time_wait);
  check_segment(only_sent(out), local_iss + 2, peer_iss + 2, flag::ack);
}

TEST_CASE("time_wait_syn_without_timestamps_is_not_dropped_for_it", "[connection][options]") {
  Connection c = time_wait_with_timestamps();
  Output out;
  // A new incarnation negotiates afresh: the SYN reopens the 4-tuple (RFC 1122 4.2.2.13).
  c.segment_arrives(0, from_peer(peer_iss + 100000, 0, flag::syn), out);
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::time_wait_syn_reopens});
}

TEST_CASE("time_wait_syn_with_same_tsval_below_rcv_nxt_does_not_reopen",
          "[connection][options]") {
  Connection c = time_wait_with_timestamps();
  Output out;
  c.segment_arrives(0, stamped(from_peer(peer_iss - 5000, 0, flag::syn), 5001, 0), out);
  CHECK(c.state() == State::time_wait);
  CHECK_FALSE(c.reopening_isn().has_value());
}

// --- SACK blocks (RFC 2018 4) ---

TEST_CASE("established_out_of_order_data_draws_sack_blocks_newest_first",
          "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output first;
  c.segment_arrives(0, peer_data(100, "aaaa"), first);
  Segment ack = only_sent(first);
  REQUIRE(ack.sack_block_count == 1);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 101, peer_iss + 105});
  Output second;
  c.segment_arrives(0, peer_data(200, "bbbb"), second);
  ack = only_sent(second);
  REQUIRE(ack.sack_block_count == 2);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 201, peer_iss + 205});
  CHECK(ack.sack_blocks[1] == SackBlock{peer_iss + 101, peer_iss + 105});
  // Extending the older block makes it the newest.
  Output third;
  c.segment_arrives(0, peer_data(104, "cc"), third);
  ack = only_sent(third);
  REQUIRE(ack.sack_block_count == 2);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 101, peer_iss + 107});
  CHECK(ack.sack_blocks[1] == SackBlock{peer_iss + 201, peer_iss + 205});
}

TEST_CASE("established_sack_blocks_are_at_most_3_beside_timestamps", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  for (std::uint32_t gap = 1; gap <= 4; ++gap) {
    Output out;
    c.segment_arrives(0, peer_data(100 * gap, "x"), out);
  }
  Output out;
  c.segment_arrives(0, peer_data(500, "y"), out);
  const Segment ack = only_sent(out);
  REQUIRE(ack.sack_block_count == 3);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 501, peer_iss + 502});
  CHECK(ack.sack_blocks[1] == SackBlock{peer_iss + 401, peer_iss + 402});
  CHECK(ack.sack_blocks[2] == SackBlock{peer_iss + 301, peer_iss + 302});
}

TEST_CASE("established_sack_blocks_are_at_most_4_without_timestamps", "[connection][options]") {
  TcpConfig config = with_options();
  config.timestamps = false;
  Connection c = make_connection(config);
  to_established_with_options(c);
  for (std::uint32_t gap = 1; gap <= 5; ++gap) {
    Output out;
    c.segment_arrives(0, peer_data(100 * gap, "x"), out);
  }
  Output out;
  c.segment_arrives(0, peer_data(600, "y"), out);
  CHECK(only_sent(out).sack_block_count == 4);
}

TEST_CASE("established_filled_gap_removes_the_sack_block", "[connection][options]") {
  Connection c = make_connection(with_options());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(3, "def"), out);
  Output filled;
  c.segment_arrives(0, peer_data(0, "abc"), filled);
  CHECK(delivered(filled) == "abcdef");
  CHECK(only_sent(filled).sack_block_count == 0);
}

TEST_CASE("established_without_sack_negotiated_sends_no_blocks", "[connection][options]") {
  Connection c = make_connection(with_options());
  Output out;
  c.open_active(0, local_iss, out);
  Segment syn_ack = full_syn_ack();
  syn_ack.sack_permitted = false;
  c.segment_arrives(0, syn_ack, out);
  CHECK_FALSE(c.sack_negotiated());
  Output data;
  c.segment_arrives(0, peer_data(100, "x"), data);
  CHECK(only_sent(data).sack_block_count == 0);
}

// --- D-SACK (RFC 2883, knob dsack) ---

namespace {
TcpConfig with_dsack() {
  TcpConfig config = with_options();
  config.dsack = true;
  return config;
}
}  // namespace

TEST_CASE("established_duplicate_segment_draws_a_dsack_block_below_the_ack",
          "[connection][options][dsack]") {
  Connection c = make_connection(with_dsack());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(0, "abc"), out);
  Output again;
  c.segment_arrives(0, peer_data(0, "abc"), again);
  // RFC 2883 4 (1), (3): the first block is the duplicate, its edges at or below the ACK.
  const Segment ack = only_sent(again);
  CHECK(ack.ack == peer_iss + 4);
  REQUIRE(ack.sack_block_count == 1);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 1, peer_iss + 4});
  CHECK(discard_rules(again) == std::vector<Rule>{Rule::unacceptable_outside_window});
}

TEST_CASE("established_duplicate_segment_without_dsack_draws_no_block",
          "[connection][options][dsack]") {
  Connection c = make_connection(with_options());  // dsack off, as RFC 9293's profile
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(0, "abc"), out);
  Output again;
  c.segment_arrives(0, peer_data(0, "abc"), again);
  CHECK(only_sent(again).sack_block_count == 0);
}

TEST_CASE("established_partly_duplicate_segment_reports_its_old_part",
          "[connection][options][dsack]") {
  Connection c = make_connection(with_dsack());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(0, "abc"), out);
  Output overlap;
  c.segment_arrives(0, peer_data(0, "abcdef"), overlap);
  CHECK(delivered(overlap) == "def");
  const Segment ack = only_sent(overlap);
  CHECK(ack.ack == peer_iss + 7);
  REQUIRE(ack.sack_block_count == 1);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 1, peer_iss + 4});
}

TEST_CASE("established_duplicate_out_of_order_segment_reports_it_then_its_block",
          "[connection][options][dsack]") {
  Connection c = make_connection(with_dsack());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(100, "aaaa"), out);
  c.segment_arrives(0, peer_data(200, "bbbb"), out);
  Output again;
  c.segment_arrives(0, peer_data(102, "aa"), again);
  // RFC 2883 4 (4): the D-SACK, then the block that holds it, then the others (RFC 2018).
  const Segment ack = only_sent(again);
  CHECK(ack.ack == peer_iss + 1);
  REQUIRE(ack.sack_block_count == 3);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 103, peer_iss + 105});
  CHECK(ack.sack_blocks[1] == SackBlock{peer_iss + 101, peer_iss + 105});
  CHECK(ack.sack_blocks[2] == SackBlock{peer_iss + 201, peer_iss + 205});
}

TEST_CASE("established_dsack_block_is_reported_once", "[connection][options][dsack]") {
  Connection c = make_connection(with_dsack());
  to_established_with_options(c);
  Output out;
  c.segment_arrives(0, peer_data(0, "abc"), out);
  c.segment_arrives(0, peer_data(0, "abc"), out);
  // RFC 2883 4 (2): each duplicate in at most one D-SACK block; the next ACK has none.
  Output next;
  c.segment_arrives(0, peer_data(100, "x"), next);
  const Segment ack = only_sent(next);
  REQUIRE(ack.sack_block_count == 1);
  CHECK(ack.sack_blocks[0] == SackBlock{peer_iss + 101, peer_iss + 102});
}

TEST_CASE("established_dsack_without_sack_negotiated_draws_no_block",
          "[connection][options][dsack]") {
  Connection c = make_connection(with_dsack());
  Output out;
  c.open_active(0, local_iss, out);
  Segment syn_ack = full_syn_ack();
  syn_ack.sack_permitted = false;
  c.segment_arrives(0, syn_ack, out);
  c.segment_arrives(0, peer_data(0, "abc"), out);
  Output again;
  c.segment_arrives(0, peer_data(0, "abc"), again);
  CHECK(only_sent(again).sack_block_count == 0);
}

// --- MSS (RFC 6691, RFC 9293 3.7.1) ---

TEST_CASE("established_timestamps_take_12_bytes_of_each_segment", "[connection][options]") {
  TcpConfig config = with_options();
  config.mss = 1460;
  Connection c = make_connection(config);
  to_established_with_options(c);
  CHECK(c.send_mss() == 1460);
  CHECK(c.segment_size() == 1448);
  Output out;
  c.send(0, std::vector<std::uint8_t>(3000, 'x'), out);
  const std::vector<Segment> segments = sent(out);
  REQUIRE(segments.size() == 1);  // the peer's window is 1000 (the SYN-ACK's, unscaled)
  CHECK(segments[0].payload.size() == 1000);
}

// --- The bytes on the wire ---

TEST_CASE("options_linux_layout_of_a_full_syn", "[options][wire]") {
  Segment syn;
  syn.mss = 1460;
  syn.window_scale = 7;
  syn.sack_permitted = true;
  syn.has_timestamps = true;
  syn.timestamp_value = 1;
  const std::vector<std::uint8_t> expected{2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1,
                                           0, 0, 0, 0,    1, 3, 3, 7};
  CHECK(encode_options(syn, OptionLayout::linux_order) == expected);
}

TEST_CASE("options_freebsd_layout_of_a_full_syn_and_a_sack_ok_syn_ack", "[options][wire]") {
  Segment syn;
  syn.mss = 1460;
  syn.window_scale = 6;
  syn.sack_permitted = true;
  syn.has_timestamps = true;
  syn.timestamp_value = 100;
  // <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>
  const std::vector<std::uint8_t> expected{2, 4, 0x05, 0xB4, 1, 3, 3, 6, 4, 2,
                                           8, 10, 0, 0, 0, 100, 0, 0, 0, 0};
  CHECK(encode_options(syn, OptionLayout::freebsd_order) == expected);
  Segment syn_ack;
  syn_ack.mss = 1460;
  syn_ack.sack_permitted = true;
  // <mss 1460,sackOK,eol,eol>
  CHECK(encode_options(syn_ack, OptionLayout::freebsd_order) ==
        std::vector<std::uint8_t>{2, 4, 0x05, 0xB4, 4, 2, 0, 0});
  CHECK(encode_options(syn_ack, OptionLayout::linux_order) ==
        std::vector<std::uint8_t>{2, 4, 0x05, 0xB4, 1, 1, 4, 2});
}

TEST_CASE("options_sack_blocks_after_timestamps_round_trip", "[options][wire]") {
  Segment ack;
  ack.has_timestamps = true;
  ack.timestamp_value = 77;
  ack.timestamp_echo = 66;
  ack.sack_block_count = 3;
  ack.sack_blocks[0] = {1000, 2000};
  ack.sack_blocks[1] = {3000, 4000};
  ack.sack_blocks[2] = {5000, 6000};
  const std::vector<std::uint8_t> bytes = encode_options(ack, OptionLayout::linux_order);
  CHECK(bytes.size() == 40);  // nop,nop,TS (12) + nop,nop,sack 3 blocks (28)
  Segment decoded;
  CHECK(decode_options(bytes, decoded));
  CHECK(decoded.has_timestamps);
  CHECK(decoded.timestamp_value == 77);
  CHECK(decoded.timestamp_echo == 66);
  REQUIRE(decoded.sack_block_count == 3);
  CHECK(decoded.sack_blocks[2] == SackBlock{5000, 6000});
  // A fourth block does not fit beside the timestamps: left out.
  ack.sack_block_count = 4;
  ack.sack_blocks[3] = {7000, 8000};
  CHECK(encode_options(ack, OptionLayout::linux_order).size() == 40);
}

TEST_CASE("options_unknown_kinds_are_skipped_and_bad_lengths_refused", "[options][wire]") {
  Segment decoded;
  // An unknown option (kind 30, length 4) between MSS and window scale (RFC 9293 3.1).
  const std::vector<std::uint8_t> bytes{2, 4, 0x02, 0x18, 30, 4, 9, 9, 1, 3, 3, 5};
  CHECK(decode_options(bytes, decoded));
  CHECK(decoded.mss == 536);
  CHECK(decoded.window_scale == 5);
  Segment malformed;
  CHECK_FALSE(decode_options(std::vector<std::uint8_t>{2, 4, 0x02, 0x18, 30, 1}, malformed));
  CHECK(malformed.mss == 536);  // what came before is kept
}

}  // namespace tcp_connection_options_tests
