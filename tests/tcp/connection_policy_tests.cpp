// The policy knobs of the synchronized states, each with and without: rfc5961 (challenge ACKs and
// the ACK check of RFC 5961, or RFC 793's resets) and time_wait_accepts_syn (RFC 1122 4.2.2.13).
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_connection_policy_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

TcpConfig rfc793() {
  TcpConfig config;
  config.rfc5961 = false;
  return config;
}

// The rule of the one state change the call made.
Rule only_transition_rule(const Output& out) {
  const std::vector<Rule> rules = transition_rules(out);
  REQUIRE(rules.size() == 1);
  return rules.front();
}

}  // namespace

// --- rfc5961 = false: RFC 793 3.4, any RST in the window resets ---

TEST_CASE("established_rst_in_window_without_rfc5961_resets", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(400, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::closed}});
  CHECK(only_transition_rule(out) == Rule::rst_in_window_reset);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
  CHECK(sent(out).empty());
}

TEST_CASE("fin_wait_2_rst_in_window_without_rfc5961_resets", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(0, from_peer(1000, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::fin_wait_2, State::closed}});
  CHECK(only_transition_rule(out) == Rule::rst_in_window_reset);
}

TEST_CASE("close_wait_rst_in_window_without_rfc5961_resets", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_close_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(303, 0, flag::rst), out);
  CHECK(only_transition_rule(out) == Rule::rst_in_window_reset);
  CHECK(c.state() == State::closed);
}

TEST_CASE("last_ack_rst_in_window_without_rfc5961_closes", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_last_ack(c);
  Output out;
  c.segment_arrives(0, from_peer(500, 0, flag::rst), out);
  CHECK(only_transition_rule(out) == Rule::rst_in_closing_or_last_ack);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
}

TEST_CASE("time_wait_rst_in_window_without_rfc5961_closes", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(400, 0, flag::rst), out);
  CHECK(only_transition_rule(out) == Rule::rst_in_time_wait);
  CHECK(c.state() == State::closed);
}

TEST_CASE("time_wait_rst_in_window_without_rfc5961_with_rfc1337_is_ignored",
          "[connection][rfc5961][rfc1337]") {
  TcpConfig config = rfc793();
  config.rfc1337 = true;
  Connection c = make_connection(config);
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(400, 0, flag::rst), out);
  CHECK(c.state() == State::time_wait);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::rst_in_time_wait_ignored});
}

TEST_CASE("syn_received_rst_in_window_without_rfc5961_returns_to_listen",
          "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(350, 0, flag::rst), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::listen}});
  CHECK(only_transition_rule(out) == Rule::rst_in_syn_received_passive);
}

TEST_CASE("established_rst_outside_window_without_rfc5961_is_dropped", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(200, 0, flag::rst), out);
  CHECK(c.state() == State::established);
  CHECK(sent(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::rst_outside_window});
}

// --- rfc5961 = false: RFC 793 3.9 fourth, a SYN in the window is answered with a RST ---

TEST_CASE("established_syn_in_window_without_rfc5961_sends_rst_and_resets",
          "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(310, 0, flag::syn), out);
  check_segment(only_sent(out), 101, 301, flag::rst | flag::ack);
  CHECK(transitions(out) == std::vector<Transition>{{State::established, State::closed}});
  CHECK(only_transition_rule(out) == Rule::syn_in_window_reset);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::reset});
  CHECK(c.finished());
}

TEST_CASE("established_syn_outside_window_without_rfc5961_draws_ack", "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(200000, 0, flag::syn), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(c.state() == State::established);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::unacceptable_outside_window});
}

TEST_CASE("time_wait_syn_in_window_without_rfc5961_sends_rst_and_closes",
          "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(5000, 0, flag::syn), out);
  check_segment(only_sent(out), 102, 302, flag::rst | flag::ack);
  CHECK(transitions(out) == std::vector<Transition>{{State::time_wait, State::closed}});
  CHECK(only_transition_rule(out) == Rule::syn_in_window_reset);
}

TEST_CASE("syn_received_syn_passive_without_rfc5961_still_returns_to_listen",
          "[connection][rfc5961]") {
  // RFC 1122 4.2.2.20 (e), kept by RFC 9293: not an RFC 5961 matter.
  Connection c = make_connection(rfc793());
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(310, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::syn_received, State::listen}});
  CHECK(sent(out).empty());
}

// --- RFC 5961 5.2: the ACK check ---

// The peer's window is 65535 (from_peer), so MAX.SND.WND = 65535 and SND.UNA = 101.
constexpr SeqNum lowest_acceptable_ack = 101 - 65535;

TEST_CASE("established_ack_below_window_draws_ack_and_drops", "[connection][rfc5961]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, lowest_acceptable_ack - 1, flag::ack, "blind"), out);
  check_segment(only_sent(out), 101, 301, flag::ack);
  CHECK(delivered(out).empty());
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::ack_below_window});
  CHECK(c.receive_sequence().nxt == 301);
}

TEST_CASE("established_ack_at_the_bottom_of_the_window_is_acceptable", "[connection][rfc5961]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, lowest_acceptable_ack, flag::ack, "edge"), out);
  CHECK(delivered(out) == "edge");
  CHECK(discard_rules(out).empty());
  CHECK(c.send_sequence().una == 101);
}

TEST_CASE("established_ack_below_window_without_rfc5961_delivers_the_data",
          "[connection][rfc5961]") {
  Connection c = make_connection(rfc793());
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, lowest_acceptable_ack - 1, flag::ack, "blind"), out);
  CHECK(delivered(out) == "blind");
  CHECK(discard_rules(out).empty());
  CHECK(c.receive_sequence().nxt == 306);
  CHECK(c.send_sequence().una == 101);
}

TEST_CASE("close_wait_ack_below_window_draws_ack_and_drops", "[connection][rfc5961]") {
  Connection c = make_connection();
  to_close_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(302, lowest_acceptable_ack - 1000, flag::ack), out);
  check_segment(only_sent(out), 101, 302, flag::ack);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::ack_below_window});
  CHECK(c.state() == State::close_wait);
}

TEST_CASE("established_largest_window_offered_bounds_the_ack_check", "[connection][rfc5961]") {
  // MAX.SND.WND is the largest window ever offered, not the current one.
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(301, 101, flag::ack, "", 100), out);  // the window shrinks
  out.clear();
  c.segment_arrives(0, from_peer(301, lowest_acceptable_ack, flag::ack, "ok"), out);
  CHECK(delivered(out) == "ok");
}

// --- time_wait_accepts_syn: RFC 1122 4.2.2.13 ---

namespace {

TcpConfig reopening() {
  TcpConfig config;
  config.time_wait_accepts_syn = true;
  return config;
}

}  // namespace

TEST_CASE("time_wait_syn_above_rcv_nxt_with_time_wait_accepts_syn_closes_for_reopening",
          "[connection][time_wait_accepts_syn]") {
  Connection c = make_connection(reopening());
  to_time_wait(c);  // RCV.NXT = 302, SND.NXT = 102
  Output out;
  // Far outside the window: a new incarnation's ISN is anywhere above.
  c.segment_arrives(0, from_peer(302 + 1000000, 0, flag::syn), out);
  CHECK(transitions(out) == std::vector<Transition>{{State::time_wait, State::closed}});
  CHECK(only_transition_rule(out) == Rule::time_wait_syn_reopens);
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::closed});
  CHECK(sent(out).empty());
  CHECK(c.finished());
  // RFC 1122 4.2.2.13 (1): above every sequence number used, as Linux picks it.
  CHECK(c.reopening_isn() == std::optional<SeqNum>(102 + 65535 + 2));
}

TEST_CASE("time_wait_syn_at_rcv_nxt_with_time_wait_accepts_syn_draws_challenge_ack",
          "[connection][time_wait_accepts_syn]") {
  Connection c = make_connection(reopening());
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(302, 0, flag::syn), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.state() == State::time_wait);
  CHECK_FALSE(c.reopening_isn());
}

TEST_CASE("time_wait_syn_below_rcv_nxt_with_time_wait_accepts_syn_draws_ack",
          "[connection][time_wait_accepts_syn]") {
  // An old duplicate SYN of the connection itself (below RCV.NXT): not a new incarnation.
  Connection c = make_connection(reopening());
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(300, 0, flag::syn), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.state() == State::time_wait);
}

TEST_CASE("time_wait_syn_ack_above_rcv_nxt_with_time_wait_accepts_syn_does_not_reopen",
          "[connection][time_wait_accepts_syn]") {
  Connection c = make_connection(reopening());
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(5000, 102, flag::syn | flag::ack), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(c.state() == State::time_wait);
  CHECK_FALSE(c.reopening_isn());
}

TEST_CASE("time_wait_syn_above_rcv_nxt_without_time_wait_accepts_syn_draws_challenge_ack",
          "[connection][time_wait_accepts_syn]") {
  Connection c = make_connection();
  to_time_wait(c);
  Output out;
  c.segment_arrives(0, from_peer(5000, 0, flag::syn), out);
  check_segment(only_sent(out), 102, 302, flag::ack);
  CHECK(discard_rules(out) == std::vector<Rule>{Rule::syn_challenge_ack});
  CHECK(c.state() == State::time_wait);
}

}  // namespace tcp_connection_policy_tests
