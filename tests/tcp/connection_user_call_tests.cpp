// User calls (RFC 9293 3.10.1 to 3.10.5): OPEN, SEND, CLOSE, ABORT in each state.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

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
