// The transition table (tcp/transitions.hpp) driven row by row: for every row, a connection is
// brought into the row's state, the row's event happens, and the connection makes exactly that
// change by exactly that rule. A row without a driver here, or a driver without a row, fails.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "tcp/transitions.hpp"
#include "tcp_test_support.hpp"

namespace tcp_transition_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

// --- Stimuli that read the connection's own sequence variables ---

// A segment from the peer at RCV.NXT acknowledging SND.NXT.
Segment at_next(const Connection& c, std::uint8_t flags, std::string_view payload = {}) {
  return from_peer(c.receive_sequence().nxt, c.send_sequence().nxt, flags, payload);
}

Output arrive(Connection& c, const Segment& segment) {
  Output out;
  c.segment_arrives(0, segment, out);
  return out;
}

// The timer at its deadline.
Output expire(Connection& c, TimerKind kind) {
  const Time deadline = c.timer_deadline(kind);
  REQUIRE(deadline != time_never);
  Output out;
  c.timer_expired(deadline, kind, out);
  return out;
}

// Expiries of `kind` until the connection leaves its state; the effects of the last one.
Output expire_until_it_gives_up(Connection& c, TimerKind kind) {
  const State before = c.state();
  for (int expiry = 0; expiry < 100; ++expiry) {
    Output out = expire(c, kind);
    if (c.state() != before) return out;
  }
  FAIL("the connection never gave up");
  return {};
}

template <typename Result>
Output call(Connection& c, Result (Connection::*user_call)(Time, Output&)) {
  Output out;
  (c.*user_call)(0, out);
  return out;
}

void send_data(Connection& c) {
  Output out;
  REQUIRE(c.send(0, bytes("abc"), out));
}

// --- Connections in the rows' states, with the knobs their rows need ---

TcpConfig retries(int count) {
  TcpConfig config;
  config.syn_retries = count;
  config.synack_retries = count;
  config.data_retries = count;
  return config;
}

// Linux's linear SYN timeouts (syn_linear_timeouts): `linear` of them and `count` retries.
TcpConfig linear_syn_timeouts(int count, int linear) {
  TcpConfig config;
  config.syn_retries = count;
  config.syn_linear_timeouts = linear;
  return config;
}

TcpConfig keepalive_config() {
  TcpConfig config;
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = 1 * second;
  config.keepalive_probes = 1;
  return config;
}

TcpConfig user_timeout_config() {
  TcpConfig config;
  config.user_timeout = 5 * second;
  return config;
}

TcpConfig manual_half_duplex() {
  TcpConfig config;
  config.half_duplex_close = true;
  return config;
}

// An active open that took the peer's SYN first (simultaneous open, RFC 9293 3.5 figure 7).
void to_syn_received_active(Connection& c) {
  to_syn_sent(c);
  arrive(c, from_peer(peer_iss, 0, flag::syn));
  REQUIRE(c.state() == State::syn_received);
}

// Our SYN-ACK not yet acknowledged, our FIN sent (CLOSE in SYN_RCVD with nothing queued).
void to_fin_wait_1_before_syn_acknowledged(Connection& c) {
  to_syn_received_passive(c);
  call(c, &Connection::close);
  REQUIRE(c.state() == State::fin_wait_1);
}

// ESTABLISHED with bytes received and not read (manual reads).
void to_established_with_unread_data(Connection& c) {
  Output out;
  c.set_automatic_read(0, false, out);
  to_established_active(c);
  arrive(c, at_next(c, flag::ack | flag::psh, "xyz"));
  REQUIRE(c.readable_bytes() == 3);
}

using Driver = std::function<Output()>;
using Key = std::pair<State, Rule>;

// One driver per row: it sets up a connection, makes the row's event happen and returns the
// effects of that call.
std::map<Key, Driver> drivers() {
  std::map<Key, Driver> d;
  const auto add = [&](State from, Rule rule, Driver driver) {
    REQUIRE(d.emplace(Key{from, rule}, std::move(driver)).second);
  };
  using S = State;
  using R = Rule;

  // CLOSED
  add(S::closed, R::active_open, [] {
    Connection c = make_connection();
    Output out;
    c.open_active(0, local_iss, out);
    return out;
  });
  add(S::closed, R::passive_open, [] {
    Connection c = make_connection();
    Output out;
    c.open_passive(0, local_iss, out);
    return out;
  });
  // LISTEN
  const auto listening = [](TcpConfig config = {}) {
    Connection c = make_connection(config);
    Output out;
    c.open_passive(0, local_iss, out);
    return c;
  };
  add(S::listen, R::active_open_in_listen, [=] {
    Connection c = listening();
    Output out;
    c.open_active(0, local_iss, out);
    return out;
  });
  add(S::listen, R::close_in_listen, [=] {
    Connection c = listening();
    return call(c, &Connection::close);
  });
  add(S::listen, R::abort_before_synchronization, [=] {
    Connection c = listening();
    return call(c, &Connection::abort);
  });
  add(S::listen, R::listen_syn, [=] {
    Connection c = listening();
    return arrive(c, from_peer(peer_iss, 0, flag::syn));
  });
  add(S::listen, R::two_way_listen_syn, [=] {
    TcpConfig config;
    config.handshake = Handshake::two_way;
    Connection c = listening(config);
    return arrive(c, from_peer(peer_iss, 0, flag::syn));
  });
  add(S::listen, R::syn_cookie_ack, [] {
    // Born in LISTEN from the ACK that returned a SYN cookie (the host checked it).
    TcpConfig config;
    config.syn_cookies = true;
    Connection c = make_connection(config);
    Output out;
    c.open_from_cookie(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), 536, out);
    return out;
  });
  // SYN_SENT
  add(S::syn_sent, R::close_in_syn_sent, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    return call(c, &Connection::close);
  });
  add(S::syn_sent, R::close_in_syn_sent_with_queued_sends, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    send_data(c);
    return call(c, &Connection::close);
  });
  add(S::syn_sent, R::abort_before_synchronization, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    return call(c, &Connection::abort);
  });
  add(S::syn_sent, R::syn_sent_rst_refused, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    return arrive(c, from_peer(0, local_iss + 1, flag::rst | flag::ack));
  });
  add(S::syn_sent, R::syn_sent_syn_ack, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    return arrive(c, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack));
  });
  add(S::syn_sent, R::simultaneous_open, [] {
    Connection c = make_connection();
    to_syn_sent(c);
    return arrive(c, from_peer(peer_iss, 0, flag::syn));
  });
  add(S::syn_sent, R::syn_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_syn_sent(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::syn_sent, R::syn_linear_retries_exhausted, [] {
    Connection c = make_connection(linear_syn_timeouts(1, 1));  // 1 + 1 retransmissions, at 1, 2 s
    to_syn_sent(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::syn_sent, R::syn_time_budget_exhausted, [] {
    Connection c = make_connection(linear_syn_timeouts(1, 4));  // 3 s: before the 5th retry
    to_syn_sent(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::syn_sent, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_syn_sent(c);
    return expire(c, TimerKind::user_timeout);
  });
  // SYN_RCVD
  add(S::syn_received, R::close_in_syn_received, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return call(c, &Connection::close);
  });
  add(S::syn_received, R::abort_synchronized, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return call(c, &Connection::abort);
  });
  add(S::syn_received, R::rst_in_syn_received_passive, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::syn_received, R::rst_in_syn_received_active, [] {
    Connection c = make_connection();
    to_syn_received_active(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::syn_received, R::syn_in_syn_received_back_to_listen, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return arrive(c, from_peer(c.receive_sequence().nxt, 0, flag::syn));
  });
  add(S::syn_received, R::syn_received_ack, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return arrive(c, at_next(c, flag::ack));
  });
  add(S::syn_received, R::synack_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_syn_received_passive(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::syn_received, R::syn_ack_not_retransmitted_gave_up, [] {
    TcpConfig config = retries(1);
    config.retransmit_syn_ack = false;
    Connection c = make_connection(config);
    to_syn_received_passive(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::syn_received, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_syn_received_passive(c);
    return expire(c, TimerKind::user_timeout);
  });
  // ESTABLISHED
  add(S::established, R::close_in_established, [] {
    Connection c = make_connection();
    to_established_active(c);
    return call(c, &Connection::close);
  });
  add(S::established, R::queued_close_takes_effect, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    send_data(c);
    call(c, &Connection::close);
    REQUIRE(c.state() == State::syn_received);  // the CLOSE waits behind the queued data
    return arrive(c, from_peer(peer_iss + 1, local_iss + 1, flag::ack));
  });
  add(S::established, R::half_duplex_close_with_unread_data, [] {
    Connection c = make_connection(manual_half_duplex());
    to_established_with_unread_data(c);
    return call(c, &Connection::close);
  });
  add(S::established, R::abort_synchronized, [] {
    Connection c = make_connection();
    to_established_active(c);
    return call(c, &Connection::abort);
  });
  add(S::established, R::rst_connection_reset, [] {
    Connection c = make_connection();
    to_established_active(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::established, R::fin_in_established, [] {
    Connection c = make_connection();
    to_established_active(c);
    return arrive(c, at_next(c, flag::fin | flag::ack));
  });
  add(S::established, R::data_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_established_active(c);
    send_data(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::established, R::keepalive_gave_up, [] {
    Connection c = make_connection(keepalive_config());
    to_established_active(c);
    return expire_until_it_gives_up(c, TimerKind::keepalive);
  });
  add(S::established, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_established_active(c);
    send_data(c);
    return expire(c, TimerKind::user_timeout);
  });
  // FIN_WAIT_1 (our FIN is 101: SND.NXT = 102)
  add(S::fin_wait_1, R::abort_synchronized, [] {
    Connection c = make_connection();
    to_fin_wait_1(c);
    return call(c, &Connection::abort);
  });
  add(S::fin_wait_1, R::rst_connection_reset, [] {
    Connection c = make_connection();
    to_fin_wait_1(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::fin_wait_1, R::fin_acknowledged_in_fin_wait_1, [] {
    Connection c = make_connection();
    to_fin_wait_1(c);
    return arrive(c, at_next(c, flag::ack));
  });
  add(S::fin_wait_1, R::simultaneous_close, [] {
    Connection c = make_connection();
    to_fin_wait_1(c);
    return arrive(c, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack));
  });
  add(S::fin_wait_1, R::fin_in_fin_wait_1_acknowledging_ours, [] {
    Connection c = make_connection();
    to_fin_wait_1(c);
    return arrive(c, at_next(c, flag::fin | flag::ack));
  });
  add(S::fin_wait_1, R::time_wait_disabled, [] {
    TcpConfig config;
    config.time_wait = 0;
    Connection c = make_connection(config);
    to_fin_wait_1(c);
    return arrive(c, at_next(c, flag::fin | flag::ack));
  });
  add(S::fin_wait_1, R::half_duplex_data_after_close, [] {
    Connection c = make_connection(manual_half_duplex());
    to_fin_wait_1(c);
    return arrive(c, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "late"));
  });
  add(S::fin_wait_1, R::synack_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_fin_wait_1_before_syn_acknowledged(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::fin_wait_1, R::data_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_fin_wait_1(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::fin_wait_1, R::fin_not_retransmitted_gave_up, [] {
    TcpConfig config = retries(1);
    config.retransmit_fin = false;
    Connection c = make_connection(config);
    to_fin_wait_1(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::fin_wait_1, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_fin_wait_1(c);
    return expire(c, TimerKind::user_timeout);
  });
  // FIN_WAIT_2
  add(S::fin_wait_2, R::abort_synchronized, [] {
    Connection c = make_connection();
    to_fin_wait_2(c);
    return call(c, &Connection::abort);
  });
  add(S::fin_wait_2, R::rst_connection_reset, [] {
    Connection c = make_connection();
    to_fin_wait_2(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::fin_wait_2, R::fin_in_fin_wait_2, [] {
    Connection c = make_connection();
    to_fin_wait_2(c);
    return arrive(c, at_next(c, flag::fin | flag::ack));
  });
  add(S::fin_wait_2, R::time_wait_disabled, [] {
    TcpConfig config;
    config.time_wait = 0;
    Connection c = make_connection(config);
    to_fin_wait_2(c);
    return arrive(c, at_next(c, flag::fin | flag::ack));
  });
  add(S::fin_wait_2, R::half_duplex_data_after_close, [] {
    Connection c = make_connection(manual_half_duplex());
    to_fin_wait_2(c);
    return arrive(c, at_next(c, flag::ack, "late"));
  });
  add(S::fin_wait_2, R::keepalive_gave_up, [] {
    Connection c = make_connection(keepalive_config());
    to_fin_wait_2(c);
    return expire_until_it_gives_up(c, TimerKind::keepalive);
  });
  add(S::fin_wait_2, R::fin_wait_2_timeout, [] {
    TcpConfig config;
    config.fin_wait_2_timeout = 60 * second;
    Connection c = make_connection(config);
    to_fin_wait_2(c);
    return expire(c, TimerKind::fin_wait_2);
  });
  // CLOSE_WAIT
  add(S::close_wait, R::close_in_close_wait, [] {
    Connection c = make_connection();
    to_close_wait(c);
    return call(c, &Connection::close);
  });
  add(S::close_wait, R::half_duplex_close_with_unread_data, [] {
    Connection c = make_connection(manual_half_duplex());
    to_established_with_unread_data(c);
    arrive(c, at_next(c, flag::fin | flag::ack));
    REQUIRE(c.state() == State::close_wait);
    return call(c, &Connection::close);
  });
  add(S::close_wait, R::abort_synchronized, [] {
    Connection c = make_connection();
    to_close_wait(c);
    return call(c, &Connection::abort);
  });
  add(S::close_wait, R::rst_connection_reset, [] {
    Connection c = make_connection();
    to_close_wait(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::close_wait, R::data_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_close_wait(c);
    send_data(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::close_wait, R::keepalive_gave_up, [] {
    Connection c = make_connection(keepalive_config());
    to_close_wait(c);
    return expire_until_it_gives_up(c, TimerKind::keepalive);
  });
  add(S::close_wait, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_close_wait(c);
    send_data(c);
    return expire(c, TimerKind::user_timeout);
  });
  // CLOSING (our FIN 101 not acknowledged; the peer's FIN taken)
  add(S::closing, R::abort_while_closing, [] {
    Connection c = make_connection();
    to_closing(c);
    return call(c, &Connection::abort);
  });
  add(S::closing, R::rst_in_closing_or_last_ack, [] {
    Connection c = make_connection();
    to_closing(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::closing, R::fin_acknowledged_in_closing, [] {
    Connection c = make_connection();
    to_closing(c);
    return arrive(c, at_next(c, flag::ack));
  });
  add(S::closing, R::time_wait_disabled, [] {
    TcpConfig config;
    config.time_wait = 0;
    Connection c = make_connection(config);
    to_closing(c);
    return arrive(c, at_next(c, flag::ack));
  });
  add(S::closing, R::synack_retries_exhausted, [] {
    // Found by the tcp fuzz target (fuzz/regressions/tcp/closing-before-syn-acknowledged): the
    // change was missing from the table, and change_state aborted.
    Connection c = make_connection(retries(1));
    to_fin_wait_1_before_syn_acknowledged(c);
    // The peer's FIN acknowledges nothing (SEG.ACK = SND.UNA = ISS): a duplicate ACK, so the FIN
    // is taken (RFC 9293 3.10.7.4 fifth and eighth) and FIN_WAIT_1 becomes CLOSING.
    arrive(c, from_peer(c.receive_sequence().nxt, c.send_sequence().una, flag::fin | flag::ack));
    REQUIRE(c.state() == State::closing);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::closing, R::data_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_closing(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::closing, R::fin_not_retransmitted_gave_up, [] {
    TcpConfig config = retries(1);
    config.retransmit_fin = false;
    Connection c = make_connection(config);
    to_closing(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::closing, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_closing(c);
    return expire(c, TimerKind::user_timeout);
  });
  // LAST_ACK
  add(S::last_ack, R::abort_while_closing, [] {
    Connection c = make_connection();
    to_last_ack(c);
    return call(c, &Connection::abort);
  });
  add(S::last_ack, R::rst_in_closing_or_last_ack, [] {
    Connection c = make_connection();
    to_last_ack(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::last_ack, R::fin_acknowledged_in_last_ack, [] {
    Connection c = make_connection();
    to_last_ack(c);
    return arrive(c, at_next(c, flag::ack));
  });
  add(S::last_ack, R::data_retries_exhausted, [] {
    Connection c = make_connection(retries(1));
    to_last_ack(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::last_ack, R::fin_not_retransmitted_gave_up, [] {
    TcpConfig config = retries(1);
    config.retransmit_fin = false;
    Connection c = make_connection(config);
    to_last_ack(c);
    return expire_until_it_gives_up(c, TimerKind::retransmission);
  });
  add(S::last_ack, R::user_timeout, [] {
    Connection c = make_connection(user_timeout_config());
    to_last_ack(c);
    return expire(c, TimerKind::user_timeout);
  });
  // TIME_WAIT
  add(S::time_wait, R::abort_while_closing, [] {
    Connection c = make_connection();
    to_time_wait(c);
    return call(c, &Connection::abort);
  });
  add(S::time_wait, R::rst_in_time_wait, [] {
    Connection c = make_connection();
    to_time_wait(c);
    return arrive(c, at_next(c, flag::rst));
  });
  add(S::time_wait, R::time_wait_expired, [] {
    Connection c = make_connection();
    to_time_wait(c);
    return expire(c, TimerKind::time_wait);
  });
  add(S::syn_received, R::listener_closed_before_accept, [] {
    Connection c = make_connection();
    to_syn_received_passive(c);
    return call(c, &Connection::abort_unaccepted);
  });
  add(S::time_wait, R::time_wait_syn_reopens, [] {
    TcpConfig config;
    config.time_wait_accepts_syn = true;
    Connection c = make_connection(config);
    to_time_wait(c);
    return arrive(c, from_peer(c.receive_sequence().nxt + 1000000, 0, flag::syn));
  });
  add(S::time_wait, R::time_wait_syn_reopens_by_timestamp, [] {
    // RFC 6191: timestamps on both sides; the new SYN's sequence number is below RCV.NXT but
    // its TSval is above TS.Recent.
    TcpConfig config;
    config.time_wait_accepts_syn = true;
    config.timestamps = true;
    Connection c = make_connection(config);
    Output out;
    c.open_active(0, local_iss, out);
    Segment syn_ack = from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack);
    syn_ack.has_timestamps = true;
    syn_ack.timestamp_value = 500;
    syn_ack.timestamp_echo = 1;
    c.segment_arrives(0, syn_ack, out);
    c.close(0, out);
    Segment fin = from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack);
    fin.has_timestamps = true;
    fin.timestamp_value = 501;
    fin.timestamp_echo = 1;
    c.segment_arrives(0, fin, out);
    REQUIRE(c.state() == S::time_wait);
    Segment syn = from_peer(peer_iss - 1000, 0, flag::syn);
    syn.has_timestamps = true;
    syn.timestamp_value = 600;
    return arrive(c, syn);
  });
  // rfc5961 = false (RFC 793): a RST or a SYN in the window, above RCV.NXT, in every state
  // whose row it has.
  TcpConfig rfc793;
  rfc793.rfc5961 = false;
  const auto in_window = [](const Connection& c, std::uint8_t flags) {
    return from_peer(c.receive_sequence().nxt + 100, 0, flags);
  };
  const std::pair<State, void (*)(Connection&)> synchronized[] = {
      {S::syn_received, to_syn_received_active}, {S::established, to_established_active},
      {S::fin_wait_1, to_fin_wait_1},           {S::fin_wait_2, to_fin_wait_2},
      {S::close_wait, to_close_wait},           {S::closing, to_closing},
      {S::last_ack, to_last_ack},
      {S::time_wait, [](Connection& c) { to_time_wait(c); }}};
  for (const auto& [state, bring] : synchronized) {
    const auto to_state = bring;
    add(state, R::syn_in_window_reset, [=] {
      Connection c = make_connection(rfc793);
      to_state(c);
      return arrive(c, in_window(c, flag::syn));
    });
    if (find_transition(state, R::rst_in_window_reset) == nullptr) continue;
    add(state, R::rst_in_window_reset, [=] {
      Connection c = make_connection(rfc793);
      to_state(c);
      return arrive(c, in_window(c, flag::rst));
    });
  }
  return d;
}

}  // namespace

TEST_CASE("transition_table_every_row_is_driven_and_makes_exactly_its_change", "[transitions]") {
  const std::map<Key, Driver> all = drivers();
  std::size_t rows = 0;
  for (const StateTransition& row : transitions()) {
    ++rows;
    INFO(state_name(row.from) << " --" << row.event << "--> " << state_name(row.to) << " by "
                              << rule_name(row.rule));
    const auto driver = all.find({row.from, row.rule});
    REQUIRE(driver != all.end());
    const Output out = driver->second();
    // The first state change leaving `from` is the row's.
    bool found = false;
    for (const Effect& effect : out.effects()) {
      if (effect.kind != Effect::Kind::state_change || effect.from != row.from) continue;
      CHECK(effect.to == row.to);
      CHECK(effect.rule == row.rule);
      found = true;
      break;
    }
    CHECK(found);
  }
  CHECK(rows == all.size());  // no driver for a row the table lacks
}

TEST_CASE("transition_table_allows_exactly_its_rows", "[transitions]") {
  for (const StateTransition& row : transitions()) {
    CHECK(transition_allowed(row.from, row.to, row.rule));
    CHECK(find_transition(row.from, row.rule) == &row);
  }
  // Not rows: the rule from another state, or to another state.
  CHECK_FALSE(transition_allowed(State::closed, State::established, Rule::syn_sent_syn_ack));
  CHECK_FALSE(transition_allowed(State::syn_sent, State::syn_received, Rule::syn_sent_syn_ack));
  CHECK_FALSE(transition_allowed(State::established, State::closed, Rule::none));
  CHECK(find_transition(State::listen, Rule::fin_in_established) == nullptr);
}

TEST_CASE("transition_table_lookup_agrees_with_a_scan_for_every_state_pair_and_rule",
          "[transitions]") {
  // transition_allowed reads a per-rule bitmask built from the table: it must say yes exactly
  // for the (from, to, rule) triples that are rows, for every value a Rule can hold.
  int allowed = 0;
  for (int rule = 0; rule < 256; ++rule) {
    for (int from = 0; from < state_count; ++from) {
      for (int to = 0; to < state_count; ++to) {
        bool row_exists = false;
        for (const StateTransition& row : transitions()) {
          row_exists = row_exists || (static_cast<int>(row.rule) == rule &&
                                      static_cast<int>(row.from) == from &&
                                      static_cast<int>(row.to) == to);
        }
        const bool lookup = transition_allowed(static_cast<State>(from), static_cast<State>(to),
                                               static_cast<Rule>(rule));
        if (lookup != row_exists) FAIL_CHECK("rule " << rule << " " << from << " -> " << to);
        allowed += lookup ? 1 : 0;
      }
    }
  }
  CHECK(allowed == static_cast<int>(transitions().size()));
}

TEST_CASE("transition_table_marks_the_variants_and_names_a_function_per_row", "[transitions]") {
  for (const StateTransition& row : transitions()) {
    INFO(rule_name(row.rule));
    CHECK(row.function.starts_with("Connection::"));
    // A teaching variant's rule is a teaching variant's row.
    if (rule_text(row.rule).citation == "teaching variant") CHECK_FALSE(row.variant.empty());
  }
  const StateTransition* no_time_wait =
      find_transition(State::fin_wait_2, Rule::time_wait_disabled);
  REQUIRE(no_time_wait != nullptr);
  CHECK(no_time_wait->variant == "time_wait = 0");
  CHECK(find_transition(State::fin_wait_2, Rule::fin_in_fin_wait_2)->variant.empty());
}

}  // namespace tcp_transition_tests
