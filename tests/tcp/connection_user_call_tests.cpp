// User calls (RFC 9293 3.10.1 to 3.10.5): OPEN, SEND, CLOSE, ABORT in each state.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_user_call_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

TEST_CASE("closed_open_active_sends_syn_with_mss", "[connection][open]") {
  TcpConfig config;
  config.mss = 1460;
  config.receive_buffer = 8192;
  Connection c = make_connection(config);
  Output out;
  c.open_active(5 * second, local_iss, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::closed, State::syn_sent}});
  const Segment syn = only_sent(out);
  check_segment(syn, local_iss, 0, flag::syn);
  CHECK(syn.mss == 1460);
  CHECK(syn.window == 8192);
  CHECK(syn.source_port == local_port);
  CHECK(syn.destination_port == remote_port);
  CHECK(out.packet(out.effects()[1]).source == local_address);
  CHECK(out.packet(out.effects()[1]).destination == remote_address);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 6 * second);
  CHECK(c.send_sequence().una == local_iss);
  CHECK(c.send_sequence().nxt == local_iss + 1);
  CHECK_FALSE(c.finished());
}

TEST_CASE("closed_open_passive_enters_listen_silently", "[connection][open]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::closed, State::listen}});
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
}

TEST_CASE("listen_open_active_turns_the_connection_active", "[connection][open]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, 7, out);
  out.clear();
  c.open_active(0, local_iss, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::listen, State::syn_sent}});
  check_segment(only_sent(out), local_iss, 0, flag::syn);
}

TEST_CASE("established_open_is_an_error_and_changes_nothing", "[connection][open]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.open_active(0, 999, out);
  c.open_passive(0, 999, out);
  CHECK(out.effects().empty());
  CHECK(c.state() == State::established);
}

TEST_CASE("closed_send_is_an_error", "[connection][send]") {
  Connection c = make_connection();
  Output out;
  CHECK_FALSE(c.send(0, bytes("x"), out));
  CHECK(out.effects().empty());
}

TEST_CASE("syn_sent_send_is_queued_and_sent_on_establishment", "[connection][send]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  REQUIRE(c.send(0, bytes("hello"), out));
  CHECK(sent(out).empty());
  CHECK(c.unacknowledged_bytes() == 5);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  // The queued data carries the third segment's ACK.
  const Segment data = only_sent(out);
  check_segment(data, local_iss + 1, peer_iss + 1, flag::ack | flag::psh);
  CHECK(text(data.payload) == "hello");
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::connected});
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1 * second);
}

TEST_CASE("syn_received_send_is_queued_until_established", "[connection][send]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  REQUIRE(c.send(0, bytes("hi"), out));
  CHECK(sent(out).empty());
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  const Segment data = only_sent(out);
  check_segment(data, local_iss + 1, peer_iss + 1, flag::ack | flag::psh);
  CHECK(text(data.payload) == "hi");
}

TEST_CASE("listen_send_is_an_error", "[connection][send]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  CHECK_FALSE(c.send(0, bytes("x"), out));
}

TEST_CASE("established_send_transmits_data_and_arms_the_timer", "[connection][send]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(2 * second, bytes("abc"), out));
  const Segment data = only_sent(out);
  check_segment(data, local_iss + 1, peer_iss + 1, flag::ack | flag::psh);
  CHECK(text(data.payload) == "abc");
  CHECK(c.send_sequence().nxt == local_iss + 4);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second);
  CHECK(c.unacknowledged_bytes() == 3);
}

TEST_CASE("established_send_splits_by_the_peer_mss", "[connection][send]") {
  TcpConfig config;
  config.nagle = false;
  Connection c(1, config, local_tuple());
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  syn_ack.mss = 4;
  c.segment_arrives(0, syn_ack, out);
  out.clear();
  REQUIRE(c.send(0, bytes("abcdefghij"), out));
  const std::vector<Segment> segments = sent(out);
  REQUIRE(segments.size() == 3);
  check_segment(segments[0], 101, 301, flag::ack);
  check_segment(segments[1], 105, 301, flag::ack);
  check_segment(segments[2], 109, 301, flag::ack | flag::psh);
  CHECK(text(segments[0].payload) == "abcd");
  CHECK(text(segments[2].payload) == "ij");
  CHECK(count(out, Effect::Kind::timer_set) == 1);
}

TEST_CASE("established_send_respects_the_send_window", "[connection][send]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, "", 5), out);
  out.clear();
  REQUIRE(c.send(0, bytes("0123456789"), out));
  Segment first = only_sent(out);
  CHECK(text(first.payload) == "01234");
  out.clear();
  // The ACK opens the window again: the rest goes.
  c.segment_arrives(0, from_peer(peer_iss + 1, 106, flag::ack, "", 5), out);
  const Segment second_part = only_sent(out);
  check_segment(second_part, 106, 301, flag::ack | flag::psh);
  CHECK(text(second_part.payload) == "56789");
}

TEST_CASE("fin_wait_1_send_is_refused_connection_closing", "[connection][send]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  CHECK_FALSE(c.send(0, bytes("late"), out));
  // RFC 9293 3.10.2: "error: connection closing", told as an app event and nothing else.
  REQUIRE(out.effects().size() == 1);
  CHECK(out.effects()[0].kind == Effect::Kind::app_event);
  CHECK(out.effects()[0].app_event == AppEventKind::send_failed);
  CHECK(out.effects()[0].rule == Rule::send_connection_closing);
  CHECK(c.unacknowledged_bytes() == 0);
}

TEST_CASE("time_wait_send_is_refused_connection_closing", "[connection][send]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  CHECK_FALSE(c.send(0, bytes("late"), out));
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::send_failed});
  CHECK(out.effects().back().rule == Rule::send_connection_closing);
}

TEST_CASE("syn_received_send_after_a_deferred_close_is_refused_connection_closing",
          "[connection][send]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  REQUIRE(c.send(0, bytes("queued"), out));
  REQUIRE(c.close(0, out));  // waits for ESTABLISHED behind the queued data
  REQUIRE(c.state() == State::syn_received);
  out.clear();
  CHECK_FALSE(c.send(0, bytes("late"), out));
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::send_failed});
  CHECK(out.effects().back().rule == Rule::send_connection_closing);
  CHECK(c.unacknowledged_bytes() == 6);
}

TEST_CASE("syn_received_second_close_is_refused_connection_closing", "[connection][close]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  REQUIRE(c.send(0, bytes("queued"), out));
  REQUIRE(c.close(0, out));
  out.clear();
  CHECK_FALSE(c.close(0, out));
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::close_failed});
  CHECK(sent(out).empty());
  CHECK(c.state() == State::syn_received);
}

TEST_CASE("listen_send_is_refused_remote_socket_unspecified", "[connection][send]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  CHECK_FALSE(c.send(0, bytes("to whom?"), out));
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::send_failed});
  CHECK(out.effects().back().rule == Rule::send_remote_socket_unspecified);
  CHECK(c.state() == State::listen);
}

TEST_CASE("close_wait_send_transmits_data", "[connection][send]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  REQUIRE(c.send(0, bytes("reply"), out));
  check_segment(only_sent(out), 101, 302, flag::ack | flag::psh);
}

TEST_CASE("listen_close_deletes_the_tcb", "[connection][close]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.close(0, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::listen, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::closed});
  CHECK(sent(out).empty());
  CHECK(c.finished());
}

TEST_CASE("syn_sent_close_deletes_the_tcb_without_a_segment", "[connection][close]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.close(0, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_sent, State::closed}});
  CHECK(sent(out).empty());
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
  CHECK(c.finished());
}

TEST_CASE("syn_received_close_sends_fin_and_enters_fin_wait_1", "[connection][close]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.close(0, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::fin_wait_1}});
  check_segment(only_sent(out), local_iss + 1, peer_iss + 1, flag::fin | flag::ack);
  // The SYN-ACK's timer keeps running.
  CHECK(count(out, Effect::Kind::timer_set) == 0);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1 * second);
}

TEST_CASE("syn_received_close_with_queued_data_waits_for_established", "[connection][close]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  REQUIRE(c.send(0, bytes("ab"), out));
  c.close(0, out);
  CHECK(out.effects().empty());
  CHECK(c.state() == State::syn_received);
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::established},
                                                    {State::established, State::fin_wait_1}});
  const Segment data_and_fin = only_sent(out);
  check_segment(data_and_fin, 101, 301, flag::ack | flag::psh | flag::fin);
  CHECK(text(data_and_fin.payload) == "ab");
}

TEST_CASE("established_close_sends_fin_and_enters_fin_wait_1", "[connection][close]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.close(0, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::fin_wait_1}});
  check_segment(only_sent(out), 101, 301, flag::fin | flag::ack);
  CHECK(c.send_sequence().nxt == 102);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1 * second);
}

TEST_CASE("established_close_sends_the_fin_after_queued_data", "[connection][close]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  // A zero window holds the data back; the FIN must wait behind it.
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, "", 0), out);
  out.clear();
  REQUIRE(c.send(0, bytes("abc"), out));
  c.close(0, out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::fin_wait_1);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "", 100), out);
  const Segment data_and_fin = only_sent(out);
  check_segment(data_and_fin, 101, 301, flag::ack | flag::psh | flag::fin);
  CHECK(text(data_and_fin.payload) == "abc");
  CHECK(c.send_sequence().nxt == 105);
}

TEST_CASE("close_wait_close_sends_fin_and_enters_last_ack", "[connection][close]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  c.close(0, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::close_wait, State::last_ack}});
  check_segment(only_sent(out), 101, 302, flag::fin | flag::ack);
}

TEST_CASE("closing_states_close_is_refused_connection_closing", "[connection][close]") {
  Connection fin_wait_1 = make_connection();
  to_fin_wait_1(fin_wait_1);
  Connection time_wait = make_connection();
  to_time_wait(time_wait);
  Connection last_ack = make_connection();
  to_last_ack(last_ack);
  Output out;
  CHECK_FALSE(fin_wait_1.close(0, out));
  CHECK_FALSE(time_wait.close(0, out));
  CHECK_FALSE(last_ack.close(0, out));
  // RFC 9293 3.10.4: "error: connection closing", and no second FIN.
  CHECK(app_events(out) == std::vector<AppEventKind>(3, AppEventKind::close_failed));
  for (const Effect& effect : out.effects()) CHECK(effect.rule == Rule::close_connection_closing);
  CHECK(sent(out).empty());
  CHECK(fin_wait_1.state() == State::fin_wait_1);
  CHECK(time_wait.state() == State::time_wait);
  CHECK(last_ack.state() == State::last_ack);
}

TEST_CASE("syn_received_abort_unaccepted_sends_rst_ack_and_closes", "[connection][abort]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.abort_unaccepted(0, out);
  check_segment(only_sent(out), 101, 301, flag::rst | flag::ack);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::closed}});
  CHECK(transition_rules(out) == std::vector<Rule>{Rule::listener_closed_before_accept});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
  CHECK(c.finished());
}

TEST_CASE("established_abort_unaccepted_does_nothing", "[connection][abort]") {
  // accept() has returned it: it outlives its listener.
  Connection c = make_connection();
  to_established_passive(c);
  Output out;
  c.abort_unaccepted(0, out);
  CHECK(out.effects().empty());
  CHECK(c.state() == State::established);
}

TEST_CASE("listen_abort_closes_without_rst", "[connection][abort]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.abort(0, out);
  CHECK(sent(out).empty());
  CHECK(transitions(out) == std::vector<Transition>{{State::listen, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
  CHECK(c.finished());
}

TEST_CASE("syn_sent_abort_closes_without_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.abort(0, out);
  CHECK(sent(out).empty());
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
  CHECK(c.state() == State::closed);
}

TEST_CASE("syn_received_abort_sends_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.abort(0, out);
  check_segment(only_sent(out), local_iss + 1, 0, flag::rst);
  CHECK(c.state() == State::closed);
}

TEST_CASE("established_abort_sends_rst_and_reports_aborted", "[connection][abort]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("unacked"), out));
  out.clear();
  c.abort(0, out);
  const Segment reset = only_sent(out);
  check_segment(reset, 108, 0, flag::rst);
  CHECK(reset.window == 0);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(c.unacknowledged_bytes() == 0);
  CHECK(c.finished());
}

TEST_CASE("fin_wait_2_abort_sends_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  Output out;
  c.abort(0, out);
  check_segment(only_sent(out), 102, 0, flag::rst);
}

TEST_CASE("close_wait_abort_sends_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  c.abort(0, out);
  check_segment(only_sent(out), 101, 0, flag::rst);
  CHECK(c.state() == State::closed);
}

TEST_CASE("time_wait_abort_closes_without_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.abort(0, out);
  CHECK(sent(out).empty());
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(out.effects()[0].timer == TimerKind::time_wait);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::aborted});
}

TEST_CASE("last_ack_abort_closes_without_rst", "[connection][abort]") {
  Connection c = make_connection();
  to_last_ack(c);
  Output out;
  c.abort(0, out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::closed);
}

// A connection's first OPEN keeps the TCB its constructor made (start_control_block does not
// make it twice): it must start exactly as the fresh TCB of a reopened connection does.
TEST_CASE("first_open_starts_the_same_tcb_as_a_reopen", "[connection][open]") {
  TcpConfig config;
  config.mss = 1460;
  config.window_scaling = 7;
  config.timestamps = true;
  config.sack = true;
  Connection fresh = make_connection(config);
  Connection reopened = make_connection(config);
  Output used;
  // Dirty the reopened one's TCB: a handshake with every option, data both ways, an abort.
  reopened.open_active(1 * second, 7000, used);
  Segment syn_ack = from_peer(peer_iss, 7001, flag::syn | flag::ack);
  syn_ack.mss = 1000;
  syn_ack.window_scale = 5;
  syn_ack.sack_permitted = true;
  syn_ack.has_timestamps = true;
  syn_ack.timestamp_value = 12345;
  syn_ack.timestamp_echo = 1;
  reopened.segment_arrives(2 * second, syn_ack, used);
  const std::vector<std::uint8_t> data = bytes("hello");
  reopened.send(2 * second, data, used);
  Segment text = from_peer(peer_iss + 1, 7001, flag::ack, "abc");
  text.has_timestamps = true;
  text.timestamp_value = 12346;
  reopened.segment_arrives(3 * second, text, used);
  reopened.abort(4 * second, used);
  REQUIRE(reopened.state() == State::closed);

  Output first_out;
  Output again_out;
  fresh.open_active(5 * second, local_iss, first_out);
  reopened.open_active(5 * second, local_iss, again_out);
  const auto same_sequences = [](const Connection& a, const Connection& b) {
    CHECK(a.send_sequence().una == b.send_sequence().una);
    CHECK(a.send_sequence().nxt == b.send_sequence().nxt);
    CHECK(a.send_sequence().wnd == b.send_sequence().wnd);
    CHECK(a.send_sequence().wl1 == b.send_sequence().wl1);
    CHECK(a.send_sequence().wl2 == b.send_sequence().wl2);
    CHECK(a.send_sequence().iss == b.send_sequence().iss);
    CHECK(a.receive_sequence().nxt == b.receive_sequence().nxt);
    CHECK(a.receive_sequence().wnd == b.receive_sequence().wnd);
    CHECK(a.receive_sequence().irs == b.receive_sequence().irs);
  };
  same_sequences(fresh, reopened);
  CHECK(fresh.state() == reopened.state());
  CHECK(fresh.unacknowledged_bytes() == reopened.unacknowledged_bytes());
  CHECK(fresh.readable_bytes() == reopened.readable_bytes());
  CHECK(fresh.retransmission_timeout() == reopened.retransmission_timeout());
  CHECK(fresh.smoothed_rtt() == reopened.smoothed_rtt());
  CHECK(fresh.rtt_variation() == reopened.rtt_variation());
  CHECK(fresh.has_rtt_sample() == reopened.has_rtt_sample());
  CHECK(fresh.congestion_window() == reopened.congestion_window());
  CHECK(fresh.slow_start_threshold() == reopened.slow_start_threshold());
  CHECK(fresh.bytes_in_flight() == reopened.bytes_in_flight());
  CHECK(fresh.in_loss_recovery() == reopened.in_loss_recovery());
  CHECK(fresh.scoreboard().size() == reopened.scoreboard().size());
  CHECK(fresh.send_mss() == reopened.send_mss());
  CHECK(fresh.segment_size() == reopened.segment_size());
  CHECK(fresh.window_scaling_negotiated() == reopened.window_scaling_negotiated());
  CHECK(fresh.send_window_shift() == reopened.send_window_shift());
  CHECK(fresh.receive_window_shift() == reopened.receive_window_shift());
  CHECK(fresh.timestamps_negotiated() == reopened.timestamps_negotiated());
  CHECK(fresh.timestamp_recent() == reopened.timestamp_recent());
  CHECK(fresh.sack_negotiated() == reopened.sack_negotiated());
  CHECK(fresh.reopening_isn() == reopened.reopening_isn());
  for (int kind = 0; kind < timer_kind_count; ++kind) {
    CHECK(fresh.timer_deadline(static_cast<TimerKind>(kind)) ==
          reopened.timer_deadline(static_cast<TimerKind>(kind)));
  }
  // The same SYN leaves, and the same handshake follows.
  const Segment first_syn = only_sent(first_out);
  const Segment again_syn = only_sent(again_out);
  CHECK(first_syn.seq == again_syn.seq);
  CHECK(first_syn.window == again_syn.window);
  CHECK(first_syn.mss == again_syn.mss);
  CHECK(first_syn.window_scale == again_syn.window_scale);
  CHECK(first_syn.sack_permitted == again_syn.sack_permitted);
  CHECK(first_syn.has_timestamps == again_syn.has_timestamps);
  CHECK(first_syn.timestamp_value == again_syn.timestamp_value);
  CHECK(first_syn.timestamp_echo == again_syn.timestamp_echo);
  Output first_ack;
  Output again_ack;
  const Segment plain_syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
  fresh.segment_arrives(6 * second, plain_syn_ack, first_ack);
  reopened.segment_arrives(6 * second, plain_syn_ack, again_ack);
  same_sequences(fresh, reopened);
  CHECK(fresh.state() == State::established);
  CHECK(reopened.state() == State::established);
  CHECK(fresh.congestion_window() == reopened.congestion_window());
  CHECK(only_sent(first_ack).window == only_sent(again_ack).window);
}

}  // namespace tcp_connection_user_call_tests
