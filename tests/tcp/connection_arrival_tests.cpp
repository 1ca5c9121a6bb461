// SEGMENT ARRIVES (RFC 9293 3.10.7) in each of the eleven states.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_arrival_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

// ---------------------------------------------------------------- CLOSED (3.10.7.1)

TEST_CASE("closed_segment_with_ack_draws_rst", "[connection][closed]") {
  Connection c = make_connection();
  Output out;
  c.segment_arrives(0, from_peer(5, 777, flag::ack, "data"), out);
  const Segment reset = only_sent(out);
  check_segment(reset, 777, 0, flag::rst);
  CHECK(reset.destination_port == remote_port);
  CHECK(discard_rules(out).size() == 1);
  CHECK(delivered(out).empty());
}

TEST_CASE("closed_segment_without_ack_draws_rst_ack", "[connection][closed]") {
  Connection c = make_connection();
  Output out;
  c.segment_arrives(0, from_peer(300, 0, flag::syn, "ab"), out);
  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: SYN + 2 bytes.
  check_segment(only_sent(out), 0, 303, flag::rst | flag::ack);
}

TEST_CASE("closed_rst_is_discarded_without_answer", "[connection][closed]") {
  Connection c = make_connection();
  Output out;
  c.segment_arrives(0, from_peer(5, 6, flag::rst | flag::ack), out);
  CHECK(sent(out).empty());
  REQUIRE(discard_rules(out).size() == 1);
  CHECK(discard_rules(out)[0] == Rule::closed_rst_discarded);
}

// ---------------------------------------------------------------- LISTEN (3.10.7.2)

TEST_CASE("listen_rst_is_ignored", "[connection][listen]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(1, 2, flag::rst), out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::listen);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::listen_rst_ignored});
}

TEST_CASE("listen_ack_draws_rst", "[connection][listen]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(300, 4242, flag::ack), out);
  check_segment(only_sent(out), 4242, 0, flag::rst);
  CHECK(c.state() == State::listen);
}

TEST_CASE("listen_syn_sends_syn_ack_and_enters_syn_received", "[connection][listen]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(3 * second, from_peer(peer_iss, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::listen, State::syn_received}});
  const Segment syn_ack = only_sent(out);
  check_segment(syn_ack, local_iss, peer_iss + 1, flag::syn | flag::ack);
  CHECK(syn_ack.mss == 536);
  CHECK(c.receive_sequence().irs == peer_iss);
  CHECK(c.receive_sequence().nxt == peer_iss + 1);
  CHECK(c.send_sequence().una == local_iss);
  CHECK(c.send_sequence().nxt == local_iss + 1);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 4 * second);
  CHECK(app_events(out).empty());
}

TEST_CASE("listen_segment_without_rst_ack_or_syn_is_dropped", "[connection][listen]") {
  Connection c = make_connection();
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(300, 0, flag::fin, "x"), out);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out).size() == 1);
  CHECK(c.state() == State::listen);
}

TEST_CASE("listen_syn_two_way_establishes_at_once", "[connection][listen][two_way]") {
  TcpConfig config;
  config.handshake = Handshake::two_way;
  Connection c = make_connection(config);
  Output out;
  c.open_passive(0, local_iss, out);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::listen, State::established}});
  check_segment(only_sent(out), local_iss, peer_iss + 1, flag::syn | flag::ack);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::accepted});
  CHECK(count(out, Effect::Kind::timer_set) == 0);
  CHECK(c.send_sequence().una == local_iss + 1);
}

// ---------------------------------------------------------------- SYN_SENT (3.10.7.3)

TEST_CASE("syn_sent_syn_ack_establishes_and_acks", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, "", 4000);
  c.segment_arrives(500 * millisecond, syn_ack, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_sent, State::established}});
  CHECK(transition_rules(out)[0] == Rule::syn_sent_syn_ack);
  check_segment(only_sent(out), local_iss + 1, peer_iss + 1, flag::ack);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::connected});
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(c.send_sequence().una == local_iss + 1);
  CHECK(c.send_sequence().wnd == 4000);
  CHECK(c.send_sequence().wl1 == peer_iss);
  CHECK(c.send_sequence().wl2 == local_iss + 1);
  CHECK(c.receive_sequence().irs == peer_iss);
}

TEST_CASE("syn_sent_unacceptable_ack_draws_rst", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  // SEG.ACK =< ISS
  c.segment_arrives(0, from_peer(peer_iss, local_iss, flag::syn | flag::ack), out);
  check_segment(only_sent(out), local_iss, 0, flag::rst);
  out.clear();
  // SEG.ACK > SND.NXT
  c.segment_arrives(0, from_peer(peer_iss, 5000, flag::ack), out);
  check_segment(only_sent(out), 5000, 0, flag::rst);
  CHECK(c.state() == State::syn_sent);
}

TEST_CASE("syn_sent_rst_with_unacceptable_ack_is_dropped", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(0, 5000, flag::rst | flag::ack), out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::syn_sent);
  CHECK(discard_rules(out).size() == 1);
}

TEST_CASE("syn_sent_rst_with_acceptable_ack_refuses", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(0, local_iss + 1, flag::rst | flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_sent, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::refused});
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
  CHECK(c.finished());
}

TEST_CASE("syn_sent_rst_without_ack_is_dropped", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(0, 0, flag::rst), out);
  CHECK(c.state() == State::syn_sent);
  CHECK(sent(out).empty());
}

TEST_CASE("syn_sent_syn_without_ack_enters_syn_received_simultaneous_open", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(2 * second - 1, from_peer(peer_iss, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_sent, State::syn_received}});
  check_segment(only_sent(out), local_iss, peer_iss + 1, flag::syn | flag::ack);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 3 * second - 1);
}

TEST_CASE("syn_sent_acceptable_ack_without_syn_is_dropped", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::ack), out);
  CHECK(c.state() == State::syn_sent);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::syn_sent_other_dropped});
}

TEST_CASE("syn_sent_syn_ack_with_data_delivers_it", "[connection][syn_sent]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack, "early"), out);
  CHECK(delivered(out) == "early");
  check_segment(only_sent(out), local_iss + 1, peer_iss + 6, flag::ack);
}

TEST_CASE("syn_sent_syn_ack_two_way_sends_no_third_segment", "[connection][syn_sent][two_way]") {
  TcpConfig config;
  config.handshake = Handshake::two_way;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  CHECK(c.state() == State::established);
  CHECK(sent(out).empty());
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::connected});
}

TEST_CASE("syn_sent_syn_ack_two_way_with_queued_data_sends_the_data", "[connection][syn_sent][two_way]") {
  TcpConfig config;
  config.handshake = Handshake::two_way;
  Connection c = make_connection(config);
  to_syn_sent(c);
  Output out;
  REQUIRE(c.send(0, bytes("GET"), out));
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  const Segment data = only_sent(out);
  check_segment(data, local_iss + 1, peer_iss + 1, flag::ack | flag::psh);
  CHECK(text(data.payload) == "GET");
}

// ---------------------------------------------------------------- SYN_RCVD

TEST_CASE("syn_received_ack_enters_established_and_accepts", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "", 1234), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::established}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::accepted});
  CHECK(sent(out).empty());
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(c.send_sequence().wnd == 1234);
  CHECK(c.send_sequence().una == local_iss + 1);
}

TEST_CASE("syn_received_unacceptable_ack_draws_rst", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, 9999, flag::ack), out);
  check_segment(only_sent(out), 9999, 0, flag::rst);
  CHECK(c.state() == State::syn_received);
}

TEST_CASE("syn_received_ack_with_data_establishes_and_delivers", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack | flag::psh, "req"), out);
  CHECK(c.state() == State::established);
  CHECK(delivered(out) == "req");
  check_segment(only_sent(out), local_iss + 1, peer_iss + 4, flag::ack);
}

TEST_CASE("syn_received_rst_passive_returns_to_listen", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::listen}});
  CHECK(transition_rules(out)[0] == Rule::rst_in_syn_received_passive);
  CHECK(app_events(out).empty());
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
  CHECK_FALSE(c.finished());
}

TEST_CASE("syn_received_rst_active_refuses", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  REQUIRE(c.state() == State::syn_received);
  out.clear();
  c.segment_arrives(0, from_peer(peer_iss + 1, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::refused});
}

TEST_CASE("syn_received_syn_passive_returns_to_listen", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 50, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::listen}});
  CHECK(sent(out).empty());
}

TEST_CASE("syn_received_retransmitted_syn_draws_ack", "[connection][syn_received]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  // The SYN itself again: below RCV.NXT, so not acceptable.
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  check_segment(only_sent(out), local_iss + 1, peer_iss + 1, flag::ack);
  CHECK(c.state() == State::syn_received);
}

// ---------------------------------------------------------------- ESTABLISHED

TEST_CASE("established_in_order_data_is_delivered_and_acked", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack | flag::psh, "hi"), out);
  CHECK(delivered(out) == "hi");
  check_segment(only_sent(out), 101, 303, flag::ack);
  CHECK(c.receive_sequence().nxt == 303);
}

TEST_CASE("established_unacceptable_segment_draws_ack", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(250, 101, flag::ack, "old"), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(delivered(out).empty());
  CHECK(discard_rules(out) ==
        std::vector<Rule>{Rule::unacceptable_outside_window});
}

TEST_CASE("established_zero_length_segment_beyond_the_window_draws_ack", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301 + 65535, 101, flag::ack), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  out.clear();
  // The last sequence number of the window is still acceptable.
  c.segment_arrives(0, from_peer(301 + 65534, 101, flag::ack), out);
  CHECK(discard_rules(out).empty());
}

TEST_CASE("established_zero_receive_window_accepts_only_rcv_nxt", "[connection][established]") {
  TcpConfig config;
  config.receive_buffer = 0;
  Connection c = make_connection(config);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "x"), out);
  CHECK(delivered(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::unacceptable_zero_window});
  out.clear();
  c.segment_arrives(0, from_peer(301, 101, flag::ack), out);
  CHECK(discard_rules(out).empty());
}

TEST_CASE("established_rst_at_rcv_nxt_resets", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
  CHECK(sent(out).empty());
  CHECK(c.finished());
}

TEST_CASE("established_rst_in_window_draws_challenge_ack", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(400, 0, flag::rst), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(c.state() == State::established);
  CHECK(discard_rules(out).at(0) == Rule::rst_in_window_challenge);
}

TEST_CASE("established_rst_outside_window_is_dropped_silently", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(200, 0, flag::rst), out);
  CHECK(sent(out).empty());
  CHECK(c.state() == State::established);
  CHECK(discard_rules(out).size() == 1);
}

TEST_CASE("established_syn_draws_challenge_ack", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(310, 0, flag::syn), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(c.state() == State::established);
}

TEST_CASE("established_segment_without_ack_is_dropped", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 0, flag::psh, "noack"), out);
  CHECK(delivered(out).empty());
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::ack_bit_off});
}

TEST_CASE("established_ack_of_unsent_data_draws_ack_and_drops", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 500, flag::ack, "x"), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(delivered(out).empty());
  CHECK(c.send_sequence().una == 101);
}

TEST_CASE("established_ack_advances_snd_una_and_stops_the_timer", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
  out.clear();
  c.segment_arrives(0, from_peer(301, 104, flag::ack), out);
  CHECK(c.send_sequence().una == 104);
  CHECK(c.unacknowledged_bytes() == 0);
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(sent(out).empty());
}

TEST_CASE("established_partial_ack_restarts_the_timer", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abcd"), out));
  out.clear();
  c.segment_arrives(500 * millisecond, from_peer(301, 103, flag::ack), out);
  CHECK(c.unacknowledged_bytes() == 2);
  CHECK(c.timer_deadline(TimerKind::retransmission) == 1500 * millisecond);
  CHECK(count(out, Effect::Kind::timer_set) == 1);
}

TEST_CASE("established_duplicate_ack_is_ignored", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("abcdef"), out));
  c.segment_arrives(0, from_peer(301, 107, flag::ack, "", 1000), out);
  REQUIRE(c.send_sequence().wnd == 1000);
  out.clear();
  // An old ACK (SEG.ACK < SND.UNA) changes neither SND.UNA nor the window.
  c.segment_arrives(0, from_peer(301, 104, flag::ack, "", 9), out);
  CHECK(c.send_sequence().una == 107);
  CHECK(c.send_sequence().wnd == 1000);
  CHECK(out.effects().empty());
}

TEST_CASE("established_window_update_follows_the_wl1_wl2_rule", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "ab", 500), out);
  CHECK(c.send_sequence().wnd == 500);
  CHECK(c.send_sequence().wl1 == 301);
  c.segment_arrives(0, from_peer(303, 101, flag::ack, "", 700), out);
  CHECK(c.send_sequence().wnd == 700);
  CHECK(c.send_sequence().wl1 == 303);
  CHECK(c.send_sequence().wl2 == 101);
}

TEST_CASE("established_out_of_order_data_is_held_and_acked_at_once", "[connection][established][reassembly]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(305, 101, flag::ack, "zz"), out);
  CHECK(delivered(out).empty());
  check_segment(only_sent(out), 101, 301, flag::ack);  // a duplicate ACK names the gap
  CHECK(discard_rules(out).empty());
  CHECK(c.receive_sequence().nxt == 301);
  out.clear();
  // The gap is filled: everything up to 307 goes to the application in order.
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "abcd"), out);
  CHECK(delivered(out) == "abcdzz");
  check_segment(only_sent(out), 101, 307, flag::ack);
  CHECK(c.receive_sequence().nxt == 307);
}

TEST_CASE("established_partly_old_data_is_trimmed", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(299, 101, flag::ack, "abcd"), out);
  CHECK(delivered(out) == "cd");
  check_segment(only_sent(out), 101, 303, flag::ack);
}

TEST_CASE("established_fin_enters_close_wait_and_reports_end_of_stream", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::fin | flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::close_wait}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::end_of_stream});
  check_segment(only_sent(out), 101, 302, flag::ack);
}

TEST_CASE("established_data_with_fin_delivers_then_closes", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::fin | flag::ack | flag::psh, "bye"), out);
  CHECK(delivered(out) == "bye");
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::data, AppEventKind::end_of_stream});
  check_segment(only_sent(out), 101, 305, flag::ack);
  CHECK(c.state() == State::close_wait);
}

TEST_CASE("established_out_of_order_fin_is_not_processed", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(310, 101, flag::fin | flag::ack), out);
  CHECK(c.state() == State::established);
  check_segment(only_sent(out), 101, 301, flag::ack);
}

TEST_CASE("established_urg_is_ignored", "[connection][established]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack | flag::urg, "u"), out);
  CHECK(delivered(out) == "u");
}

TEST_CASE("syn_received_from_passive_open_accepted_established_receives_data", "[connection][established]") {
  Connection c = make_connection();
  to_established_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "q"), out);
  CHECK(delivered(out) == "q");
}

// ---------------------------------------------------------------- FIN_WAIT_1

TEST_CASE("fin_wait_1_ack_of_fin_goes_to_fin_wait_2", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_1, State::fin_wait_2}});
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(sent(out).empty());
}

TEST_CASE("fin_wait_1_fin_before_our_fin_is_acked_goes_to_closing", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::fin | flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_1, State::closing}});
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::end_of_stream});
}

TEST_CASE("fin_wait_1_fin_ack_goes_to_time_wait", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(10 * second, from_peer(301, 102, flag::fin | flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_1, State::time_wait}});
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.timer_deadline(TimerKind::time_wait) == 10 * second + 4 * minute);
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
}

TEST_CASE("fin_wait_1_data_is_still_delivered", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "more"), out);
  CHECK(delivered(out) == "more");
  check_segment(only_sent(out), 102, 305, flag::ack);
  CHECK(c.state() == State::fin_wait_1);
}

TEST_CASE("fin_wait_1_rst_resets", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 0, flag::rst), out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
  CHECK(c.state() == State::closed);
}

// ---------------------------------------------------------------- FIN_WAIT_2

TEST_CASE("fin_wait_2_fin_goes_to_time_wait", "[connection][fin_wait_2]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(1 * second, from_peer(301, 102, flag::fin | flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_2, State::time_wait}});
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.timer_deadline(TimerKind::time_wait) == 1 * second + 4 * minute);
}

TEST_CASE("fin_wait_2_data_is_delivered", "[connection][fin_wait_2]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::ack, "tail"), out);
  CHECK(delivered(out) == "tail");
  check_segment(only_sent(out), 102, 305, flag::ack);
}

TEST_CASE("fin_wait_2_rst_resets", "[connection][fin_wait_2]") {
  Connection c = make_connection();
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 0, flag::rst), out);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
}

// ---------------------------------------------------------------- CLOSE_WAIT

TEST_CASE("close_wait_rst_resets", "[connection][close_wait]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::close_wait, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
}

TEST_CASE("close_wait_retransmitted_fin_draws_ack", "[connection][close_wait]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::fin | flag::ack), out);
  check_segment(only_sent(out), 101, 302, flag::ack);
  CHECK(c.state() == State::close_wait);
  CHECK(app_events(out).empty());
}

TEST_CASE("close_wait_ack_advances_snd_una", "[connection][close_wait]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  REQUIRE(c.send(0, bytes("xy"), out));
  out.clear();
  c.segment_arrives(0, from_peer(302, 103, flag::ack), out);
  CHECK(c.send_sequence().una == 103);
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
}

// ---------------------------------------------------------------- CLOSING

TEST_CASE("closing_ack_of_fin_goes_to_time_wait", "[connection][closing]") {
  Connection c = make_connection();
  to_closing(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 102, flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::closing, State::time_wait}});
  CHECK(sent(out).empty());
  CHECK(c.timer_deadline(TimerKind::time_wait) == 4 * minute);
}

TEST_CASE("closing_ack_not_covering_our_fin_is_ignored", "[connection][closing]") {
  Connection c = make_connection();
  to_closing(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 101, flag::ack), out);
  CHECK(c.state() == State::closing);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out).size() == 1);
}

TEST_CASE("closing_rst_closes", "[connection][closing]") {
  Connection c = make_connection();
  to_closing(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::closing, State::closed}});
  CHECK(c.finished());
}

// ---------------------------------------------------------------- LAST_ACK

TEST_CASE("last_ack_ack_of_fin_closes", "[connection][last_ack]") {
  Connection c = make_connection();
  to_last_ack(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 102, flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::last_ack, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::closed});
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
  CHECK(sent(out).empty());
  CHECK(c.finished());
}

TEST_CASE("last_ack_ack_not_covering_our_fin_keeps_waiting", "[connection][last_ack]") {
  Connection c = make_connection();
  to_last_ack(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 101, flag::ack), out);
  CHECK(c.state() == State::last_ack);
  CHECK(out.effects().empty());
}

TEST_CASE("last_ack_rst_closes", "[connection][last_ack]") {
  Connection c = make_connection();
  to_last_ack(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::rst), out);
  CHECK(c.state() == State::closed);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
}

// ---------------------------------------------------------------- TIME_WAIT

TEST_CASE("time_wait_retransmitted_fin_reacks_and_restarts_timer", "[connection][time_wait]") {
  Connection c = make_connection();
  to_time_wait(c, 0);
  Output out;
  c.segment_arrives(30 * second, from_peer(301, 102, flag::fin | flag::ack), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  REQUIRE(count(out, Effect::Kind::timer_set) == 1);
  CHECK(c.timer_deadline(TimerKind::time_wait) == 30 * second + 4 * minute);
  CHECK(c.state() == State::time_wait);
}

TEST_CASE("time_wait_rst_closes", "[connection][time_wait]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::time_wait, State::closed}});
  CHECK(count(out, Effect::Kind::timer_cancel) == 1);
}

TEST_CASE("time_wait_rst_with_rfc1337_is_ignored", "[connection][time_wait][rfc1337]") {
  TcpConfig config;
  config.rfc1337 = true;
  Connection c = make_connection(config);
  to_time_wait(c);
  const Time deadline = c.timer_deadline(TimerKind::time_wait);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::rst), out);
  CHECK(c.state() == State::time_wait);
  CHECK(transitions(out).empty());
  CHECK(count(out, Effect::Kind::transmit) == 0);
  REQUIRE(out.effects().size() == 1);
  CHECK(out.effects().back().kind == Effect::Kind::discard);
  CHECK(out.effects().back().rule == Rule::rst_in_time_wait_ignored);
  CHECK(c.timer_deadline(TimerKind::time_wait) == deadline);
}

TEST_CASE("time_wait_syn_draws_challenge_ack", "[connection][time_wait]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(5000, 0, flag::syn), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.state() == State::time_wait);
}

TEST_CASE("time_wait_expiry_exactly_at_2msl_closes", "[connection][time_wait]") {
  Connection c = make_connection();
  to_time_wait(c, 7 * second);
  Output out;
  c.timer_expired(7 * second + 4 * minute - 1, TimerKind::time_wait, out);
  CHECK(out.effects().empty());
  c.timer_expired(7 * second + 4 * minute, TimerKind::time_wait, out);
  CHECK(transitions(out) == std::vector<Transition>{{State::time_wait, State::closed}});
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::closed});
  CHECK(count(out, Effect::Kind::timer_cancel) == 0);
  CHECK(c.finished());
}

TEST_CASE("time_wait_zero_goes_straight_to_closed", "[connection][time_wait]") {
  TcpConfig config;
  config.time_wait = 0;
  Connection c = make_connection(config);
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 102, flag::fin | flag::ack), out);
  // The FIN is still acknowledged, then the connection is gone.
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_2, State::closed}});
  CHECK(transition_rules(out)[0] == Rule::time_wait_disabled);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::end_of_stream, AppEventKind::closed});
  CHECK(c.finished());
  CHECK(out.effects().front().kind == Effect::Kind::app_event);
}

TEST_CASE("fin_wait_1_from_syn_received_ack_of_syn_and_fin_goes_to_fin_wait_2", "[connection][fin_wait_1]") {
  Connection c = make_connection();
  to_syn_received_passive(c);
  Output out;
  c.close(0, out);
  REQUIRE(c.state() == State::fin_wait_1);
  out.clear();
  // One ACK covers both our SYN (100) and our FIN (101).
  c.segment_arrives(0, from_peer(301, 102, flag::ack), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_1, State::fin_wait_2}});
  CHECK(app_events(out).empty());  // never ESTABLISHED, so never accepted
  CHECK(c.timer_deadline(TimerKind::retransmission) == time_never);
}

TEST_CASE("app_events_carry_the_rule_as_reason", "[connection]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 0, flag::rst), out);
  REQUIRE(out.effects().back().kind == Effect::Kind::app_event);
  CHECK(out.effects().back().app_event == AppEventKind::reset);
  CHECK(out.effects().back().rule == Rule::rst_connection_reset);
}

TEST_CASE("every_state_change_and_discard_has_a_reason", "[connection]") {
  // Walk a connection through a full life and some rejected segments.
  Connection c = make_connection();
  Output log;
  c.open_active(0, local_iss, log);
  c.segment_arrives(0, from_peer(peer_iss, 5000, flag::ack), log);
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), log);
  c.segment_arrives(0, from_peer(200, 101, flag::ack, "old"), log);
  c.segment_arrives(0, from_peer(301, 101, flag::fin | flag::ack), log);
  c.close(0, log);
  c.segment_arrives(0, from_peer(302, 102, flag::ack), log);
  std::size_t checked = 0;
  for (const Effect& effect : log.effects()) {
    if (effect.kind == Effect::Kind::state_change || effect.kind == Effect::Kind::discard) {
      CHECK(effect.rule != Rule::none);
      ++checked;
    }
  }
  CHECK(checked == 7);  // 5 state changes, 2 discards
  CHECK(c.state() == State::closed);
}

// ---------------------------------------------------------------- one LISTEN rule, one reset

TEST_CASE("listen_decision_follows_rfc_9293_3_10_7_2_in_order", "[connection][listen]") {
  using Action = ListenDecision::Action;
  const auto decide = [](std::uint8_t flags) { return listen_decision(from_peer(300, 5, flags), TcpConfig{}); };
  CHECK(decide(flag::rst).action == Action::discard);
  CHECK(decide(flag::rst).rule == Rule::listen_rst_ignored);
  CHECK(decide(flag::rst | flag::ack | flag::syn).rule == Rule::listen_rst_ignored);  // first
  CHECK(decide(flag::ack).action == Action::answer_with_reset);
  CHECK(decide(flag::syn | flag::ack).rule == Rule::listen_ack_answered_with_reset);  // second
  CHECK(decide(flag::syn).action == Action::accept_syn);
  CHECK(decide(flag::fin).action == Action::discard);
  CHECK(decide(flag::fin).rule == Rule::listen_other_dropped);
}

TEST_CASE("listen_syn_from_listener_gives_the_effects_of_the_arrival_in_listen",
          "[connection][listen]") {
  // The host's one hand-down: a connection born in LISTEN (no CLOSED -> LISTEN of its own)
  // takes the SYN exactly as a listening connection does.
  Connection handed = make_connection();
  Output handed_out;
  handed.open_from_listener(0, local_iss, from_peer(peer_iss, 0, flag::syn), handed_out);
  Connection opened = make_connection();
  Output opened_out;
  opened.open_passive(0, local_iss, opened_out);
  REQUIRE(opened_out.effects().size() == 1);  // CLOSED -> LISTEN by the passive OPEN
  opened_out.clear();
  opened.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), opened_out);
  REQUIRE(handed_out.effects().size() == opened_out.effects().size());
  REQUIRE(!handed_out.effects().empty());
  CHECK(handed_out.effects().front().kind == Effect::Kind::state_change);
  CHECK(handed_out.effects().front().from == State::listen);
  CHECK(handed_out.effects().front().to == State::syn_received);
  for (std::size_t index = 0; index < handed_out.effects().size(); ++index) {
    const Effect& a = handed_out.effects()[index];
    const Effect& b = opened_out.effects()[index];
    CHECK(a.kind == b.kind);
    CHECK(a.rule == b.rule);
    CHECK(a.deadline == b.deadline);
    if (a.kind == Effect::Kind::transmit || a.kind == Effect::Kind::discard) {
      REQUIRE(b.kind == a.kind);
      CHECK(handed_out.packet(a).segment.seq == opened_out.packet(b).segment.seq);
      CHECK(handed_out.packet(a).segment.flags == opened_out.packet(b).segment.flags);
    }
  }
  CHECK(handed.state() == State::syn_received);
}

TEST_CASE("closed_segment_without_reset_knob_is_dropped_silently", "[connection][closed]") {
  TcpConfig config;
  config.reset_unexpected_segments = false;
  Connection c = make_connection(config);
  Output out;
  c.segment_arrives(0, from_peer(5, 6, flag::ack), out);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::closed_dropped_silently});
}

TEST_CASE("syn_received_unacceptable_ack_without_reset_knob_is_dropped_silently",
          "[connection][syn_received]") {
  TcpConfig config;
  config.reset_unexpected_segments = false;
  Connection c = make_connection(config);
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 7, flag::ack), out);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::syn_received_bad_ack_dropped_silently});
  CHECK(c.state() == State::syn_received);
}

TEST_CASE("syn_sent_unacceptable_ack_answer_names_the_connection", "[connection][syn_sent]") {
  // The reset and the discard both belong to the connection that answered.
  Connection c = make_connection();
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, 999, flag::syn | flag::ack), out);
  REQUIRE(out.effects().size() == 2);
  CHECK(out.effects()[0].kind == Effect::Kind::transmit);
  CHECK(out.effects()[0].connection == c.id());
  CHECK(out.packet(out.effects()[0]).source == local_address);
  CHECK(out.packet(out.effects()[0]).destination == remote_address);
  check_segment(out.packet(out.effects()[0]).segment, 999, 0, flag::rst);
  CHECK(out.packet(out.effects()[0]).segment.source_port == local_port);
  CHECK(out.effects()[1].kind == Effect::Kind::discard);
  CHECK(out.effects()[1].connection == c.id());
  CHECK(out.effects()[1].rule == Rule::syn_sent_bad_ack_answered_with_reset);
}

}  // namespace tcp_connection_arrival_tests
