// Helpers for the TCP core tests: a local connection driven by hand-made peer segments, readers
// of the effects one call produced, and a wire that plays two connections against each other.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcp/connection.hpp"
#include "tcp/types.hpp"

namespace tcpsim::tcp::testing {

inline constexpr Address local_address = 0x0A000001;   // 10.0.0.1
inline constexpr Address remote_address = 0x0A000002;  // 10.0.0.2
inline constexpr Port local_port = 40000;
inline constexpr Port remote_port = 80;
// The sequence numbers of RFC 9293's figures: we start at 100, the peer at 300.
inline constexpr SeqNum local_iss = 100;
inline constexpr SeqNum peer_iss = 300;

inline FourTuple local_tuple() { return {{local_address, local_port}, {remote_address, remote_port}}; }
inline FourTuple remote_tuple() { return {{remote_address, remote_port}, {local_address, local_port}}; }

inline std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }
inline std::string text(std::span<const std::uint8_t> data) { return {data.begin(), data.end()}; }

// A segment from the peer to the local connection.
inline Segment from_peer(SeqNum seq, SeqNum ack, std::uint8_t flags, std::string_view payload = {},
                         std::uint16_t window = 65535) {
  Segment segment;
  segment.source_port = remote_port;
  segment.destination_port = local_port;
  segment.seq = seq;
  segment.ack = ack;
  segment.flags = flags;
  segment.window = window;
  segment.payload = bytes(payload);
  return segment;
}

inline std::vector<Segment> sent(const Output& out) {
  std::vector<Segment> segments;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::transmit) segments.push_back(out.packet(effect).segment);
  }
  return segments;
}

// The one segment the call sent (fails the test when there is not exactly one).
inline Segment only_sent(const Output& out) {
  const std::vector<Segment> segments = sent(out);
  REQUIRE(segments.size() == 1);
  return segments.front();
}

using Transition = std::pair<State, State>;
inline std::vector<Transition> transitions(const Output& out) {
  std::vector<Transition> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::state_change) result.emplace_back(effect.from, effect.to);
  }
  return result;
}

inline std::vector<Rule> transition_rules(const Output& out) {
  std::vector<Rule> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::state_change) result.push_back(effect.rule);
  }
  return result;
}

inline std::vector<AppEventKind> app_events(const Output& out) {
  std::vector<AppEventKind> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::app_event) result.push_back(effect.app_event);
  }
  return result;
}

inline std::string delivered(const Output& out) {
  std::string result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::app_event && effect.app_event == AppEventKind::data) {
      result += text(out.data(effect));
    }
  }
  return result;
}

inline std::vector<Rule> discard_rules(const Output& out) {
  std::vector<Rule> result;
  for (const Effect& effect : out.effects()) {
    if (effect.kind == Effect::Kind::discard) result.push_back(effect.rule);
  }
  return result;
}

inline std::size_t count(const Output& out, Effect::Kind kind) {
  std::size_t n = 0;
  for (const Effect& effect : out.effects()) n += effect.kind == kind ? 1 : 0;
  return n;
}

// Asserts one segment's exact header.
inline void check_segment(const Segment& segment, SeqNum seq, SeqNum ack, std::uint8_t flags) {
  INFO("segment " << flags_to_string(segment.flags) << " seq=" << segment.seq << " ack=" << segment.ack);
  CHECK(segment.seq == seq);
  CHECK(segment.flags == flags);
  if ((flags & flag::ack) != 0) CHECK(segment.ack == ack);
}

// --- Driving the local connection into each state (time 0, peer played by hand) ---

// A segment from the peer carrying timestamps: TSval `value`, TSecr `echo`.
inline Segment stamped(Segment segment, std::uint32_t value, std::uint32_t echo) {
  segment.has_timestamps = true;
  segment.timestamp_value = value;
  segment.timestamp_echo = echo;
  return segment;
}

// Linux's option choices (the linux profile): wscale 7, timestamps, SACK.
inline TcpConfig with_options() {
  TcpConfig config;
  config.window_scaling = 7;
  config.timestamps = true;
  config.sack = true;
  return config;
}

inline Connection make_connection(const TcpConfig& config = {}) { return Connection(1, config, local_tuple()); }

inline void to_syn_sent(Connection& c) {
  Output out;
  c.open_active(0, local_iss, out);
  REQUIRE(c.state() == State::syn_sent);
}

// SND.NXT = 101, RCV.NXT = 301.
inline void to_established_active(Connection& c) {
  to_syn_sent(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss, local_iss + 1, flag::syn | flag::ack), out);
  REQUIRE(c.state() == State::established);
}

inline void to_syn_received_passive(Connection& c) {
  Output out;
  c.open_passive(0, local_iss, out);
  c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
  REQUIRE(c.state() == State::syn_received);
}

inline void to_established_passive(Connection& c) {
  to_syn_received_passive(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack), out);
  REQUIRE(c.state() == State::established);
}

// Our FIN is 101, SND.NXT = 102.
inline void to_fin_wait_1(Connection& c) {
  to_established_active(c);
  Output out;
  c.close(0, out);
  REQUIRE(c.state() == State::fin_wait_1);
}

inline void to_fin_wait_2(Connection& c) {
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 2, flag::ack), out);
  REQUIRE(c.state() == State::fin_wait_2);
}

// The peer's FIN is 301, RCV.NXT = 302.
inline void to_close_wait(Connection& c) {
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::close_wait);
}

inline void to_last_ack(Connection& c) {
  to_close_wait(c);
  Output out;
  c.close(0, out);
  REQUIRE(c.state() == State::last_ack);
}

inline void to_closing(Connection& c) {
  to_fin_wait_1(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::closing);
}

inline void to_time_wait(Connection& c, Time now = 0) {
  to_fin_wait_2(c);
  Output out;
  c.segment_arrives(now, from_peer(peer_iss + 1, local_iss + 2, flag::fin | flag::ack), out);
  REQUIRE(c.state() == State::time_wait);
}

// --- Two connections on a lossless wire ---

// Delivers the segments in `first` (sent by `sender`) to the other connection, then everything
// the answers send, in order, until nothing is in flight. `drop` may lose segments. Every effect
// of every call is appended to `log`.
template <typename Drop>
void exchange(Time now, Connection& sender, Connection& other, const Output& first, Output& log, Drop drop) {
  std::deque<std::pair<Connection*, Segment>> in_flight;
  auto enqueue = [&](Connection& from, const Output& out) {
    Connection* to = &from == &sender ? &other : &sender;
    log.append(out);
    for (const Effect& effect : out.effects()) {
      if (effect.kind == Effect::Kind::transmit && !drop(out.packet(effect).segment)) {
        in_flight.emplace_back(to, out.packet(effect).segment);
      }
    }
  };
  enqueue(sender, first);
  for (int step = 0; step < 1000 && !in_flight.empty(); ++step) {
    auto [to, segment] = std::move(in_flight.front());
    in_flight.pop_front();
    Output out;
    to->segment_arrives(now, segment, out);
    enqueue(*to, out);
  }
  REQUIRE(in_flight.empty());
}

inline void exchange(Time now, Connection& sender, Connection& other, const Output& first, Output& log) {
  exchange(now, sender, other, first, log, [](const Segment&) { return false; });
}

}  // namespace tcpsim::tcp::testing
