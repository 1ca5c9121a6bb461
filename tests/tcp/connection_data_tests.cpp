// Data transfer rules of the connection, one (state, event) per test: buffers, segmentation,
// PSH, Nagle, the windows on both sides, reassembly, persist, fast retransmit, delayed ACK,
// keepalive, user timeout, FIN_WAIT_2 timeout, sequence wrap and the teaching knobs.
#include "tests/tcp/tcp_test_support.hpp"

#include <algorithm>
#include <string>

namespace tcp_connection_data_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

TcpConfig no_nagle() {
  TcpConfig config;
  config.nagle = false;
  return config;
}

std::vector<Segment> segments_with(const Output& out, SendPurpose purpose) {
  std::vector<Segment> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::transmit && effect.purpose == purpose) {
      result.push_back(out.packet(effect).segment);
    }
  }
  return result;
}

bool timer_set(const Output& out, TimerKind kind) {
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::timer_set && effect.timer == kind) return true;
  }
  return false;
}

std::string pattern(std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
  return text;
}

}  // namespace

// --- Send buffer, segmentation, PSH, Nagle ---

TEST_CASE("established_send_larger_than_the_send_buffer_takes_what_fits", "[data][send]") {
  TcpConfig config;
  config.send_buffer = 10;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  const auto taken = c.send(0, bytes("abcdefghijklmnop"), out);
  REQUIRE(taken.has_value());
  CHECK(*taken == 10);
  CHECK(c.send_buffer_space() == 0);
  CHECK(c.send(0, bytes("x"), out) == std::optional<std::size_t>(0));
  // The ACK frees the room.
  c.segment_arrives(100 * millisecond, from_peer(301, 111, flag::ack), out);
  CHECK(c.send_buffer_space() == 10);
}

TEST_CASE("established_send_sets_psh_on_the_last_segment_of_each_write", "[data][send]") {
  Connection c = make_connection(no_nagle());
  to_established_active(c);  // the peer sent no MSS option: 536
  Output out;
  REQUIRE(c.send(0, bytes(pattern(1000)), out));
  const std::vector<Segment> segments = sent(out);
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].payload.size() == 536);
  CHECK_FALSE(segments[0].has(flag::psh));
  CHECK(segments[1].payload.size() == 464);
  CHECK(segments[1].has(flag::psh));
}

TEST_CASE("established_mss_is_the_smaller_of_the_peers_option_and_ours", "[data][mss]") {
  TcpConfig config = no_nagle();
  config.mss = 100;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  syn_ack.mss = 1460;
  c.segment_arrives(0, syn_ack, out);
  CHECK(c.send_mss() == 100);
  out.clear();
  REQUIRE(c.send(0, bytes(pattern(250)), out));
  const std::vector<Segment> segments = sent(out);
  REQUIRE(segments.size() == 3);
  CHECK(segments[0].payload.size() == 100);
  CHECK(segments[2].payload.size() == 50);
}

TEST_CASE("established_nagle_holds_a_short_segment_while_data_is_in_flight", "[data][nagle]") {
  Connection c = make_connection();  // Nagle on by default (RFC 9293 3.7.4)
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("first"), out));
  CHECK(sent(out).size() == 1);  // nothing in flight: it leaves at once
  out.clear();
  REQUIRE(c.send(0, bytes("second"), out));
  CHECK(sent(out).empty());  // short, and "first" is unacknowledged
  out.clear();
  c.segment_arrives(100 * millisecond, from_peer(301, 106, flag::ack), out);
  const Segment next = only_sent(out);
  CHECK(text(next.payload) == "second");
  CHECK(next.seq == 106);
}

TEST_CASE("established_sender_never_exceeds_the_peers_window", "[data][window]") {
  Connection c = make_connection(no_nagle());
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, {}, 300), out);
  out.clear();
  REQUIRE(c.send(0, bytes(pattern(1000)), out));
  std::uint32_t total = 0;
  for (const Segment& segment : sent(out)) total += static_cast<std::uint32_t>(segment.payload.size());
  CHECK(total == 300);
}

// --- Persist ---

TEST_CASE("established_zero_window_arms_the_persist_timer_and_probes_with_backoff", "[data][persist]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, {}, 0), out);
  out.clear();
  REQUIRE(c.send(0, bytes("waiting"), out));
  CHECK(sent(out).empty());
  REQUIRE(timer_set(out, TimerKind::persist));
  const Time first = c.timer_deadline(TimerKind::persist);
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
  out.clear();
  c.timer_expired(first, TimerKind::persist, out);
  const std::vector<Segment> probes = segments_with(out, SendPurpose::window_probe);
  REQUIRE(probes.size() == 1);
  CHECK(probes[0].payload.size() == 1);
  CHECK(probes[0].seq == 101);
  // Backoff: the next probe waits twice as long, and the retransmission limit does not apply.
  const Time second_deadline = c.timer_deadline(TimerKind::persist);
  CHECK(second_deadline - first == 2 * first);
  out.clear();
  c.segment_arrives(second_deadline - 1, from_peer(301, 101, flag::ack, {}, 0), out);  // still 0
  c.timer_expired(second_deadline, TimerKind::persist, out);
  CHECK(segments_with(out, SendPurpose::window_probe).size() == 1);
  CHECK(c.state() == State::established);
}

TEST_CASE("established_window_probe_answer_with_open_window_resumes_sending", "[data][persist]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, {}, 0), out);
  REQUIRE(c.send(0, bytes("waiting"), out));
  const Time deadline = c.timer_deadline(TimerKind::persist);
  c.timer_expired(deadline, TimerKind::persist, out);
  out.clear();
  // The peer took the probe octet and opened its window.
  c.segment_arrives(deadline + 1, from_peer(301, 102, flag::ack, {}, 1000), out);
  const Segment rest = only_sent(out);
  CHECK(text(rest.payload) == "aiting");
  CHECK(c.timer_deadline(TimerKind::persist) == time_never);
  CHECK(c.timer_deadline(TimerKind::retransmission) != time_never);
}

// --- Receive buffer, reads, receiver window ---

TEST_CASE("established_manual_read_keeps_bytes_and_closes_the_window", "[data][read]") {
  TcpConfig config;
  config.receive_buffer = 10;
  Connection c = make_connection(config);
  Output out;
  c.set_automatic_read(0, false, out);
  to_established_active(c);
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcdefghij"), out);
  CHECK(delivered(out).empty());
  CHECK(c.readable_bytes() == 10);
  CHECK(c.receive_sequence().wnd == 0);
  CHECK(sent(out).back().window == 0);
  out.clear();
  // More data into the zero window: not acceptable, ACK with window 0 (RFC 9293 3.10.7.4).
  c.segment_arrives(0, from_peer(311, 101, flag::ack, "k"), out);
  CHECK(only_sent(out).window == 0);
}

TEST_CASE("established_read_opens_the_window_with_a_window_update", "[data][read]") {
  TcpConfig config;
  config.receive_buffer = 10;
  Connection c = make_connection(config);
  Output out;
  c.set_automatic_read(0, false, out);
  to_established_active(c);
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcdefghij"), out);
  out.clear();
  CHECK(c.read(0, 4, out) == 4);
  CHECK(delivered(out) == "abcd");
  // Freed 4 of 10: at least min(buffer/2, MSS) = 5 is needed to move the right edge (SWS).
  CHECK(sent(out).empty());
  CHECK(c.receive_sequence().wnd == 0);
  out.clear();
  CHECK(c.read(0, 100, out) == 6);
  CHECK(delivered(out) == "efghij");
  const std::vector<Segment> updates = segments_with(out, SendPurpose::window_update);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].window == 10);
  CHECK(updates[0].ack == 311);
}

TEST_CASE("close_wait_manual_read_reports_end_of_stream_after_the_bytes", "[data][read]") {
  Connection c = make_connection();
  Output out;
  c.set_automatic_read(0, false, out);
  to_established_active(c);
  c.segment_arrives(0, from_peer(301, 101, flag::ack | flag::fin, "bye"), out);
  CHECK(c.state() == State::close_wait);
  CHECK(app_events(out).empty());
  out.clear();
  c.read(0, 10, out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::data, AppEventKind::end_of_stream});
  CHECK(delivered(out) == "bye");
}

TEST_CASE("established_data_events_without_their_bytes_when_the_driver_wants_none",
          "[data][read]") {
  // Output::data_wanted off (the runner's unrecorded runs): the same effects, in the same
  // order, with the same segments; only the data events' bytes are left out.
  auto run = [](bool data_wanted) {
    Connection c = make_connection();
    to_established_active(c);
    Output out;
    out.data_wanted = data_wanted;
    c.segment_arrives(0, from_peer(304, 101, flag::ack, "defg"), out);  // out of order
    c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
    c.segment_arrives(0, from_peer(308, 101, flag::ack | flag::fin, "hij"), out);
    return out;
  };
  const Output with = run(true);
  const Output without = run(false);
  CHECK(delivered(with) == "abcdefghij");
  CHECK(delivered(without).empty());
  CHECK(app_events(without) == app_events(with));
  CHECK(sent(without).size() == sent(with).size());
  REQUIRE(without.effects().size() == with.effects().size());
  for (std::size_t i = 0; i < with.effects().size(); ++i) {
    const Effect& bare = without.effects()[i];
    const Effect& full = with.effects()[i];
    REQUIRE(bare.kind == full.kind);
    if (full.kind != Effect::Kind::transmit) continue;
    CHECK(without.packet(bare).segment.ack == with.packet(full).segment.ack);
    CHECK(without.packet(bare).segment.window == with.packet(full).segment.window);
  }
}

// --- Reassembly ---

TEST_CASE("established_overlapping_out_of_order_segments_are_merged", "[data][reassembly]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(306, 101, flag::ack, "fghij"), out);
  c.segment_arrives(0, from_peer(304, 101, flag::ack, "defgh"), out);   // overlaps the first
  c.segment_arrives(0, from_peer(310, 101, flag::ack, "jklm"), out);    // overlaps its end
  CHECK(delivered(out).empty());
  out.clear();
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  CHECK(delivered(out) == "abcdefghijklm");
  CHECK(c.receive_sequence().nxt == 314);
}

TEST_CASE("established_duplicate_of_received_data_is_acked_not_delivered", "[data][reassembly]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  out.clear();
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  CHECK(delivered(out).empty());
  check_segment(only_sent(out), 101, 304, flag::ack);
}

TEST_CASE("established_out_of_order_bytes_beyond_the_window_are_trimmed", "[data][reassembly]") {
  TcpConfig config;
  config.receive_buffer = 8;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(305, 101, flag::ack, "efghijkl"), out);  // only efgh fit
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcd"), out);
  CHECK(delivered(out) == "abcdefgh");
  CHECK(c.receive_sequence().nxt == 309);
}

// --- RTT, fast retransmit ---

TEST_CASE("established_third_duplicate_ack_triggers_fast_retransmit", "[data][fast-retransmit]") {
  Connection c = make_connection(no_nagle());
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes(pattern(536 * 4)), out));
  out.clear();
  // The first segment was lost; each later one draws a duplicate ACK of 101.
  c.segment_arrives(100 * millisecond, from_peer(301, 101, flag::ack), out);
  c.segment_arrives(100 * millisecond, from_peer(301, 101, flag::ack), out);
  CHECK(segments_with(out, SendPurpose::fast_retransmission).empty());
  c.segment_arrives(100 * millisecond, from_peer(301, 101, flag::ack), out);
  const std::vector<Segment> resent = segments_with(out, SendPurpose::fast_retransmission);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq == 101);
  CHECK(resent[0].payload.size() == 536);
  // Well before the RTO (1 s) would have fired.
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1 * second);
}

TEST_CASE("established_window_update_is_not_a_duplicate_ack", "[data][fast-retransmit]") {
  Connection c = make_connection(no_nagle());
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes(pattern(536 * 2)), out));
  for (std::uint16_t window = 1000; window < 1003; ++window) {
    c.segment_arrives(0, from_peer(301, 101, flag::ack, {}, window), out);
  }
  CHECK(segments_with(out, SendPurpose::fast_retransmission).empty());
}

TEST_CASE("established_rtt_sample_sets_srtt_and_rto", "[data][rtt]") {
  TcpConfig config;
  config.rto_min = 1 * millisecond;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(200 * millisecond, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  // RFC 6298 2.2: SRTT = 200 ms, RTTVAR = 100 ms, RTO = 200 + 4 * 100 = 600 ms.
  CHECK(c.smoothed_rtt() == 200 * millisecond);
  CHECK(c.rtt_variation() == 100 * millisecond);
  CHECK(c.retransmission_timeout() == 600 * millisecond);
}

TEST_CASE("syn_sent_retransmitted_syn_gives_no_rtt_sample", "[data][rtt][karn]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.segment_arrives(1100 * millisecond, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  CHECK_FALSE(c.has_rtt_sample());
  // RFC 6298 5.7: the SYN timed out with an RTO below 3 s, so data starts with 3 s, not the
  // backed-off 2 s.
  CHECK(c.retransmission_timeout() == 3 * second);
}

// --- Delayed ACK ---

TEST_CASE("established_delayed_ack_waits_then_fires", "[data][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 200 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == 200 * millisecond);
  out.clear();
  c.timer_expired(200 * millisecond, TimerKind::delayed_ack, out);
  check_segment(only_sent(out), 101, 304, flag::ack);
}

TEST_CASE("established_delayed_ack_second_segment_is_acked_at_once", "[data][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 200 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  c.segment_arrives(0, from_peer(304, 101, flag::ack, "def"), out);
  check_segment(only_sent(out), 101, 307, flag::ack);
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == time_never);
}

TEST_CASE("established_delayed_ack_out_of_order_is_acked_at_once", "[data][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 200 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(305, 101, flag::ack, "efg"), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
}

TEST_CASE("established_delayed_ack_rides_on_data", "[data][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 200 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abc"), out);
  out.clear();
  REQUIRE(c.send(10 * millisecond, bytes("reply"), out));
  check_segment(only_sent(out), 101, 304, flag::ack | flag::psh);
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == time_never);
}

TEST_CASE("established_delayed_ack_of_a_fin_rides_on_the_applications_fin", "[data][delayed-ack]") {
  // RFC 1122 4.2.3.2, as Linux's tcp_fin: the ACK of a FIN waits too, so a close in the same
  // instant sends one FIN,ACK instead of an ACK and then a FIN.
  TcpConfig config;
  config.delayed_ack = 40 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack | flag::fin), out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::close_wait);
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == 40 * millisecond);
  out.clear();
  c.close(0, out);
  check_segment(only_sent(out), 101, 302, flag::fin | flag::ack);
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == time_never);
}

TEST_CASE("established_delayed_ack_of_a_fin_leaves_when_the_delay_ends", "[data][delayed-ack]") {
  TcpConfig config;
  config.delayed_ack = 40 * millisecond;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack | flag::fin, "bye"), out);
  CHECK(sent(out).empty());
  out.clear();
  c.timer_expired(40 * millisecond, TimerKind::delayed_ack, out);
  check_segment(only_sent(out), 101, 305, flag::ack);
}

TEST_CASE("fin_wait_2_fin_is_acked_at_once_with_delayed_ack", "[data][delayed-ack]") {
  // The FIN that ends our own close leaves nothing for the application to answer.
  TcpConfig config;
  config.delayed_ack = 40 * millisecond;
  Connection c = make_connection(config);
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::ack | flag::fin), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
}

// --- Keepalive ---

TEST_CASE("established_keepalive_probes_an_idle_peer_then_gives_up", "[data][keepalive]") {
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = 2 * second;
  config.keepalive_probes = 3;
  Connection c = make_connection(config);
  to_established_active(c);
  REQUIRE(c.timer_deadline(TimerKind::keepalive) == 10 * second);
  Output out;
  Time now = 10 * second;
  for (int probe = 0; probe < 3; ++probe) {
    c.timer_expired(now, TimerKind::keepalive, out);
    now += 2 * second;
  }
  const std::vector<Segment> probes = segments_with(out, SendPurpose::keepalive_probe);
  REQUIRE(probes.size() == 3);
  CHECK(probes[0].seq == 100);  // SND.NXT - 1
  CHECK(probes[0].payload.empty());
  out.clear();
  c.timer_expired(now, TimerKind::keepalive, out);
  CHECK(c.state() == State::closed);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
}

TEST_CASE("established_keepalive_answer_resets_the_idle_time", "[data][keepalive]") {
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = 2 * second;
  config.keepalive_probes = 3;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  c.segment_arrives(10 * second + 100 * millisecond, from_peer(301, 101, flag::ack), out);
  out.clear();
  c.timer_expired(12 * second, TimerKind::keepalive, out);
  CHECK(segments_with(out, SendPurpose::keepalive_probe).empty());
  CHECK(c.timer_deadline(TimerKind::keepalive) == 20 * second + 100 * millisecond);
}

namespace {
TcpConfig keepalive_config() {
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = 2 * second;
  config.keepalive_probes = 3;
  return config;
}
}  // namespace

TEST_CASE("established_keepalive_timeout_with_data_outstanding_is_not_rearmed",
          "[data][keepalive]") {
  // RFC 1122 4.2.3.6 / RFC 9293 3.8.4: no probe while sent data is outstanding, and no timer
  // firing again a nanosecond later: the retransmission timer watches the data.
  Connection c = make_connection(keepalive_config());
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("a"), out));
  out.clear();
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  CHECK(sent(out).empty());
  CHECK_FALSE(timer_set(out, TimerKind::keepalive));
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
}

TEST_CASE("established_ack_draining_the_send_queue_rearms_keepalive", "[data][keepalive]") {
  Connection c = make_connection(keepalive_config());
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("a"), out));
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  REQUIRE(c.timer_deadline(TimerKind::keepalive) == time_never);
  out.clear();
  c.segment_arrives(12 * second, from_peer(301, 102, flag::ack), out);
  CHECK(timer_set(out, TimerKind::keepalive));
  CHECK(c.timer_deadline(TimerKind::keepalive) == 22 * second);  // idle time from the ACK
}

TEST_CASE("established_keepalive_timer_heard_from_recently_is_rearmed_at_the_idle_deadline",
          "[data][keepalive]") {
  // Data outstanding but the peer was heard within the idle time: the timer waits for the
  // idle deadline after the last segment, as before.
  Connection c = make_connection(keepalive_config());
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("ab"), out));
  c.segment_arrives(4 * second, from_peer(301, 102, flag::ack), out);  // acknowledges "a" only
  out.clear();
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  CHECK(c.timer_deadline(TimerKind::keepalive) == 14 * second);
  c.timer_expired(14 * second, TimerKind::keepalive, out);  // idle now, "b" still outstanding
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
}

TEST_CASE("established_keepalive_with_data_to_a_dead_peer_gives_up_through_data_retries",
          "[data][keepalive]") {
  TcpConfig config = keepalive_config();
  config.data_retries = 3;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("a"), out));
  // Fire whichever timer comes first until the connection is gone; the peer never answers.
  int expiries = 0;
  while (c.state() != State::closed && expiries < 100) {
    const Time retransmission = c.timer_deadline(TimerKind::retransmission);
    const Time keepalive = c.timer_deadline(TimerKind::keepalive);
    REQUIRE(std::min(retransmission, keepalive) != time_never);
    c.timer_expired(std::min(retransmission, keepalive),
                    retransmission <= keepalive ? TimerKind::retransmission : TimerKind::keepalive,
                    out);
    ++expiries;
  }
  CHECK(expiries == 5);  // three retransmissions, the keepalive at 10 s, the give-up at 15 s
  CHECK(segments_with(out, SendPurpose::keepalive_probe).empty());
  CHECK(segments_with(out, SendPurpose::retransmission).size() == 3);
  CHECK(app_events(out).back() == AppEventKind::timed_out);
  CHECK(transition_rules(out).back() == Rule::data_retries_exhausted);
}

TEST_CASE("established_keepalive_is_off_by_default", "[data][keepalive]") {
  Connection c = make_connection();
  to_established_active(c);
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
}

// --- User timeout, FIN_WAIT_2 timeout ---

TEST_CASE("established_user_timeout_gives_up_on_unacknowledged_data", "[data][user-timeout]") {
  TcpConfig config;
  config.user_timeout = 5 * second;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("lost"), out));
  REQUIRE(c.timer_deadline(TimerKind::user_timeout) == 5 * second);
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  c.timer_expired(3 * second, TimerKind::retransmission, out);
  out.clear();
  c.timer_expired(5 * second, TimerKind::user_timeout, out);
  CHECK(c.state() == State::closed);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::timed_out});
}

TEST_CASE("established_user_timeout_restarts_on_progress", "[data][user-timeout]") {
  TcpConfig config;
  config.user_timeout = 5 * second;
  Connection d = make_connection(config);
  to_established_active(d);
  Output out;
  REQUIRE(d.send(0, bytes("ab"), out));
  REQUIRE(d.send(0, bytes("cd"), out));
  d.segment_arrives(4 * second, from_peer(301, 103, flag::ack), out);
  CHECK(d.timer_deadline(TimerKind::user_timeout) == 9 * second);
  d.segment_arrives(4 * second, from_peer(301, 105, flag::ack), out);
  CHECK(d.timer_deadline(TimerKind::user_timeout) == time_never);
}

TEST_CASE("fin_wait_2_timeout_closes_when_the_peer_never_sends_its_fin", "[data][fin-wait-2]") {
  TcpConfig config;
  config.fin_wait_2_timeout = 60 * second;
  Connection c = make_connection(config);
  to_fin_wait_2(c);
  REQUIRE(c.timer_deadline(TimerKind::fin_wait_2) == 60 * second);
  Output out;
  c.timer_expired(60 * second, TimerKind::fin_wait_2, out);
  CHECK(c.state() == State::closed);
}

TEST_CASE("fin_wait_2_waits_for_ever_by_default", "[data][fin-wait-2]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  CHECK(c.timer_deadline(TimerKind::fin_wait_2) == time_never);
}

// --- Sequence wrap ---

TEST_CASE("established_data_crosses_the_sequence_wrap", "[data][wrap]") {
  const SeqNum near_top = 0xFFFFFFF0U;
  Connection sender = Connection(1, no_nagle(), local_tuple());
  Connection receiver = Connection(2, TcpConfig{}, remote_tuple());
  Output out;
  receiver.open_passive(0, 7, out);
  Output first;
  sender.open_active(0, near_top, first);
  Output log;
  exchange(0, sender, receiver, first, log);
  REQUIRE(sender.state() == State::established);
  REQUIRE(receiver.state() == State::established);
  Output data;
  const std::string message = pattern(100);
  REQUIRE(sender.send(0, bytes(message), data));
  Output received;
  exchange(0, sender, receiver, data, received);
  CHECK(delivered(received) == message);
  CHECK(sender.send_sequence().una == near_top + 1 + 100);  // wrapped past 2^32
  CHECK(sender.send_sequence().una < 100);
}

// --- Teaching knobs ---

TEST_CASE("syn_received_without_syn_ack_retransmission_sends_nothing_on_timeout", "[data][knob]") {
  TcpConfig config;
  config.retransmit_syn_ack = false;
  Connection c = make_connection(config);
  to_syn_received_passive(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second);  // it still gives up in the end
}

TEST_CASE("fin_wait_1_without_fin_retransmission_sends_nothing_on_timeout", "[data][knob]") {
  TcpConfig config;
  config.retransmit_fin = false;
  Connection c = make_connection(config);
  to_fin_wait_1(c);
  Output out;
  c.timer_expired(1 * second, TimerKind::retransmission, out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::fin_wait_1);
}

TEST_CASE("listen_ack_without_reset_knob_is_dropped_silently", "[data][knob]") {
  TcpConfig config;
  config.reset_unexpected_segments = false;
  Connection c = make_connection(config);
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss, 555, flag::ack), out);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out).at(0) == Rule::listen_ack_dropped_silently);
  CHECK(c.state() == State::listen);
}

TEST_CASE("syn_sent_bad_ack_without_reset_knob_is_dropped_silently", "[data][knob]") {
  TcpConfig config;
  config.reset_unexpected_segments = false;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 999, flag::syn | flag::ack), out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::syn_sent);
}

TEST_CASE("fin_wait_1_half_duplex_close_data_after_close_draws_rst", "[data][knob]") {
  TcpConfig config;
  config.half_duplex_close = true;
  Connection c = make_connection(config);
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::ack, "late"), out);
  const Segment reset = only_sent(out);
  CHECK(reset.has(flag::rst));
  CHECK(delivered(out).empty());
  CHECK(c.state() == State::closed);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
}

TEST_CASE("fin_wait_1_half_close_by_default_still_receives", "[data][knob]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::ack, "late"), out);
  CHECK(delivered(out) == "late");
  CHECK(c.state() == State::fin_wait_2);
}

TEST_CASE("established_half_duplex_close_with_unread_data_sends_rst", "[data][knob]") {
  TcpConfig config;
  config.half_duplex_close = true;
  Connection c = make_connection(config);
  Output out;
  c.set_automatic_read(0, false, out);
  to_established_active(c);
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "unread"), out);
  out.clear();
  c.close(0, out);
  CHECK(only_sent(out).has(flag::rst));
  CHECK(c.state() == State::closed);
}

}  // namespace tcp_connection_data_tests
