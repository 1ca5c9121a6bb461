// One TCP connection as a sans-IO state machine (RFC 9293 section 3.10). User calls, arriving
// segments and timer expiries go in; effects (segments to send, timers to arm, state changes,
// application events) come out, in order, in the Output passed to each call. It holds no clock,
// no socket and no simulator: `now` is given with every call.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
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

  // How an arriving segment is classified in a synchronized state (RFC 9293 3.10.7.4, first to
  // fifth check) before the per-state transition acts on it.
  enum class Arrival : std::uint8_t {
    unacceptable,          // fails the four-case acceptability test
    reset_at_next,         // RST with SEG.SEQ = RCV.NXT
    reset_in_window,       // RST in the window but not at RCV.NXT (RFC 5961: challenge ACK)
    reset_outside_window,  // RST outside the window: silently dropped
    retransmitted_fin,     // TIME_WAIT: the peer's FIN again
    syn,                   // SYN in a synchronized state
    no_ack,                // ACK bit off
    acceptable,            // go on to ACK, text and FIN processing
  };
  // The part of an acceptable segment that lies at RCV.NXT and inside the window (RFC 9293
  // 3.10.7.4: "the idealized segment that begins at RCV.NXT and does not exceed the window").
  struct TextView {
    bool in_order = false;  // the segment begins at or before RCV.NXT
    std::uint32_t skip = 0;  // payload bytes already received
    std::uint32_t take = 0;  // payload bytes to deliver
    bool fin = false;        // the FIN is in order and inside the window
    bool carries_text_or_fin = false;
  };

  // Segment arrival, per state group.
  void arrive_closed(const Segment& segment, Output& out);
  void arrive_listen(Time now, const Segment& segment, Output& out);
  void arrive_syn_sent(Time now, const Segment& segment, Output& out);
  void arrive_synchronized(Time now, const Segment& segment, Output& out);
  Arrival classify(const Segment& segment) const;
  bool acceptable(const Segment& segment) const;
  TextView text_view(const Segment& segment) const;
  void process_reset(Output& out);
  bool process_ack(Time now, const Segment& segment, const TextView& view, Output& out);
  void process_text(const Segment& segment, const TextView& view, Output& out);
  void process_fin(Time now, const TextView& view, Output& out);
  void acknowledge(Time now, SeqNum ack, Output& out);
  void deliver(std::span<const std::uint8_t> bytes, Output& out);

  // Sending.
  Segment make_segment(SeqNum seq, std::uint8_t flags) const;
  void transmit(Segment segment, Output& out);
  void send_syn(Output& out);
  void send_syn_ack(Output& out);
  void send_ack(Output& out);
  void send_reset(SeqNum seq, Output& out);
  bool transmit_pending(Time now, Output& out);
  void flush(Time now, Output& out);
  void retransmit_oldest(Output& out);
  SeqNum sent_data_end() const;
  std::uint32_t send_mss() const;
  bool can_send_data() const;

  // Timers and the RTO (RFC 6298): the RTO is computed in these functions only.
  void set_timer(TimerKind kind, Time deadline, Output& out);
  void cancel_timer(TimerKind kind, Output& out);
  void cancel_all_timers(Output& out);
  Duration clamp_rto(Duration rto) const;
  void reset_rto();
  void back_off_rto();
  int retry_limit() const;
  std::string_view give_up_reason() const;

  // State changes.
  void change_state(State to, std::string_view reason, Output& out);
  void enter_established(std::string_view reason, Output& out);
  void enter_time_wait(Time now, std::string_view reason, Output& out);
  void enter_closed(std::string_view reason, AppEventKind event, Output& out);
  void return_to_listen(std::string_view reason, Output& out);
  void start_control_block(SeqNum isn);
  void app_event(AppEventKind kind, std::string_view reason, Output& out);
  void discard(const Segment& segment, std::string_view reason, Output& out);

  // Send side: bytes accepted by SEND and not yet acknowledged (sent or not); the first has
  // sequence number send_buffer_seq_.
  std::deque<std::uint8_t> send_buffer_;
  SeqNum send_buffer_seq_ = 0;
  bool syn_acknowledged_ = false;
  bool fin_requested_ = false;  // CLOSE was called: a FIN follows the queued data
  bool fin_sent_ = false;
  bool fin_acknowledged_ = false;
  SeqNum fin_seq_ = 0;
  bool passive_open_ = false;  // the connection came from LISTEN
  bool opened_ = false;
  SeqNum listen_isn_ = 0;
  std::uint16_t peer_mss_ = 536;
  int retransmissions_ = 0;
  Duration rto_ = 0;
  bool ack_owed_ = false;  // an ACK must leave before the current call returns
};

// RFC 9293 3.10.7.1: the reset a CLOSED endpoint sends in answer to `arriving` (ports swapped;
// the caller adds the addresses). Returns false when none is due: an arriving RST is never
// answered.
bool reset_for_segment(const Segment& arriving, Segment& reset_out);

}  // namespace tcpsim::tcp
