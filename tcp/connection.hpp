// One TCP connection as a sans-IO state machine (RFC 9293 section 3.10). User calls, arriving
// segments and timer expiries go in; effects (segments to send, timers to arm, state changes,
// application events) come out, in order, in the Output passed to each call. It holds no clock,
// no socket and no simulator: `now` is given with every call.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "tcp/config.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::tcp {

// The transmission control block's sequence variables (RFC 9293 section 3.3.1).
struct SendSequence {
  SeqNum una = 0;  // oldest unacknowledged
  SeqNum nxt = 0;  // next to send
  std::uint32_t wnd = 0;
  SeqNum wl1 = 0;  // seq of the segment used for the last window update
  SeqNum wl2 = 0;  // ack of the segment used for the last window update
  SeqNum iss = 0;
};
struct ReceiveSequence {
  SeqNum nxt = 0;
  std::uint32_t wnd = 0;
  SeqNum irs = 0;
};

class Connection {
 public:
  Connection(ConnectionId id, const TcpConfig& config, FourTuple tuple);

  // --- User calls (RFC 9293 section 3.10.1 to 3.10.6) ---
  // OPEN, active: CLOSED -> SYN_SENT, sends SYN with `isn`.
  void open_active(Time now, SeqNum isn, Output& out);
  // OPEN, passive: CLOSED -> LISTEN. `isn` is used when a SYN arrives.
  void open_passive(Time now, SeqNum isn, Output& out);
  // SEND: queued if not yet ESTABLISHED (3.10.2); an error is reported through `false` when the
  // connection is closing or closed (the caller traces it).
  bool send(Time now, std::span<const std::uint8_t> data, Output& out);
  // CLOSE (3.10.4): sends FIN once queued data is sent; in LISTEN or SYN_SENT deletes the TCB.
  void close(Time now, Output& out);
  // ABORT (3.10.5): RST in synchronized states, then CLOSED.
  void abort(Time now, Output& out);

  // --- Network ---
  // SEGMENT ARRIVES (3.10.7). The segment's 4-tuple is the caller's business (demultiplexing).
  void segment_arrives(Time now, const Segment& segment, Output& out);

  // --- Timers ---
  // An armed timer's deadline came. A call for a timer that is not armed at exactly `now`
  // (it was re-armed or cancelled since) is ignored, so a driver may cancel lazily.
  void timer_expired(Time now, TimerKind kind, Output& out);

  // --- Inspection ---
  ConnectionId id() const { return id_; }
  State state() const { return state_; }
  const FourTuple& tuple() const { return tuple_; }
  const SendSequence& send_sequence() const { return snd_; }
  const ReceiveSequence& receive_sequence() const { return rcv_; }
  Time timer_deadline(TimerKind kind) const { return timers_[static_cast<int>(kind)]; }
  // Bytes accepted by SEND and not yet acknowledged (including not yet sent).
  std::size_t unacknowledged_bytes() const;
  // True once the connection reached CLOSED after having been opened: the host may delete it.
  bool finished() const { return finished_; }

 private:
  // Implementation detail; see connection.cpp. Kept as members so one call allocates nothing
  // beyond the segments it emits.
  ConnectionId id_;
  TcpConfig config_;
  FourTuple tuple_;
  State state_ = State::closed;
  bool finished_ = false;
  SendSequence snd_;
  ReceiveSequence rcv_;
  std::array<Time, timer_kind_count> timers_{};
  // Further private state (send queue, FIN bookkeeping, retransmission count, RTO) and the
  // private helpers are added here by the implementation.
};

}  // namespace tcpsim::tcp
