// The RFC 9293 section 3.10 event processing of one connection. Arriving segments are first
// classified (acceptability, RST, SYN, ACK bit), then the transition for (state, event) acts.
// Every state_change carries the rule it implements; every discard says why.
#include "tcp/connection.hpp"

#include <algorithm>
#include <utility>

namespace tcpsim::tcp {

namespace {

// RFC 9293 3.7.1: the send MSS when the peer sent no MSS option.
constexpr std::uint16_t default_mss = 536;

constexpr std::string_view end_of_stream_reason =
    "RFC 9293 3.10.7.4 eighth: the peer's FIN, connection closing";

constexpr std::uint16_t window_field(std::uint32_t window) {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(window, 0xFFFFU));
}

}  // namespace

bool reset_for_segment(const Segment& arriving, Segment& reset_out) {
  // RFC 9293 3.10.7.1: "An incoming segment containing a RST is discarded."
  if (arriving.has(flag::rst)) return false;
  reset_out = Segment{};
  reset_out.source_port = arriving.destination_port;
  reset_out.destination_port = arriving.source_port;
  if (arriving.has(flag::ack)) {
    // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
    reset_out.seq = arriving.ack;
    reset_out.flags = flag::rst;
  } else {
    // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
    reset_out.seq = 0;
    reset_out.ack = arriving.seq + arriving.sequence_length();
    reset_out.flags = flag::rst | flag::ack;
  }
  return true;
}

Connection::Connection(ConnectionId id, const TcpConfig& config, FourTuple tuple)
    : id_(id), config_(config), tuple_(tuple) {
  timers_.fill(time_never);
  rcv_.wnd = config_.receive_window;
  reset_rto();
}

std::size_t Connection::unacknowledged_bytes() const { return send_buffer_.size(); }

// ---------------------------------------------------------------------------------------------
// User calls
// ---------------------------------------------------------------------------------------------

void Connection::start_control_block(SeqNum isn) {
  snd_ = SendSequence{};
  snd_.iss = isn;
  snd_.una = isn;
  snd_.nxt = isn;
  rcv_ = ReceiveSequence{};
  rcv_.wnd = config_.receive_window;
  send_buffer_.clear();
  send_buffer_seq_ = isn + 1;  // data follows the SYN
  syn_acknowledged_ = false;
  fin_requested_ = false;
  fin_sent_ = false;
  fin_acknowledged_ = false;
  fin_seq_ = 0;
  peer_mss_ = default_mss;
  retransmissions_ = 0;
  ack_owed_ = false;
  reset_rto();
}

void Connection::open_active(Time now, SeqNum isn, Output& out) {
  // RFC 9293 3.10.1: OPEN in CLOSED; in LISTEN an active OPEN turns the connection active.
  // Elsewhere "error: connection already exists": nothing happens.
  if (state_ != State::closed && state_ != State::listen) return;
  start_control_block(isn);
  passive_open_ = false;
  opened_ = true;
  finished_ = false;
  change_state(State::syn_sent, state_ == State::closed
                                    ? "RFC 9293 3.10.1: active OPEN, SYN sent"
                                    : "RFC 9293 3.10.1: active OPEN in LISTEN, SYN sent",
               out);
  snd_.nxt = snd_.iss + 1;
  send_syn(out);
  set_timer(TimerKind::retransmission, now + rto_, out);
}

void Connection::open_passive(Time /*now*/, SeqNum isn, Output& out) {
  // RFC 9293 3.10.1: passive OPEN in CLOSED. Elsewhere "error: connection already exists".
  if (state_ != State::closed) return;
  start_control_block(isn);
  listen_isn_ = isn;
  passive_open_ = true;
  opened_ = true;
  finished_ = false;
  change_state(State::listen, "RFC 9293 3.10.1: passive OPEN", out);
}

bool Connection::send(Time now, std::span<const std::uint8_t> data, Output& out) {
  switch (state_) {
    case State::closed:  // "error: connection does not exist"
    case State::listen:  // the remote socket of a listener is unspecified: "error"
      return false;
    case State::syn_sent:
    case State::syn_received:
      // RFC 9293 3.10.2: queue the data for transmission after entering ESTABLISHED. After a
      // deferred CLOSE in SYN_RCVD the connection is closing.
      if (fin_requested_) return false;
      send_buffer_.insert(send_buffer_.end(), data.begin(), data.end());
      return true;
    case State::established:
    case State::close_wait:
      // RFC 9293 3.10.2: segmentize and send.
      send_buffer_.insert(send_buffer_.end(), data.begin(), data.end());
      transmit_pending(now, out);
      return true;
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      return false;  // "error: connection closing"
  }
  return false;
}

void Connection::close(Time now, Output& out) {
  switch (state_) {
    case State::closed:
      return;  // "error: connection does not exist"
    case State::listen:
      // RFC 9293 3.10.4: LISTEN: delete the TCB.
      enter_closed("RFC 9293 3.10.4: CLOSE in LISTEN deletes the TCB", AppEventKind::closed, out);
      return;
    case State::syn_sent:
      // RFC 9293 3.10.4: SYN-SENT: delete the TCB; queued SENDs get "error: closing".
      enter_closed("RFC 9293 3.10.4: CLOSE in SYN_SENT deletes the TCB", AppEventKind::closed, out);
      return;
    case State::syn_received:
      fin_requested_ = true;
      if (send_buffer_.empty()) {
        // RFC 9293 3.10.4: SYN-RECEIVED with nothing queued: send FIN, enter FIN-WAIT-1.
        change_state(State::fin_wait_1, "RFC 9293 3.10.4: CLOSE in SYN_RCVD with nothing queued, FIN sent",
                     out);
        transmit_pending(now, out);
      }
      // Otherwise the FIN waits for ESTABLISHED (enter_established moves on to FIN_WAIT_1).
      return;
    case State::established:
      // RFC 9293 3.10.4: queue until all preceding SENDs are segmentized, then send FIN; in any
      // case enter FIN-WAIT-1.
      fin_requested_ = true;
      change_state(State::fin_wait_1, "RFC 9293 3.10.4: CLOSE in ESTABLISHED, FIN follows the queued data",
                   out);
      transmit_pending(now, out);
      return;
    case State::close_wait:
      // RFC 9293 3.10.4: queue until preceding SENDs are segmentized, send FIN, enter LAST-ACK.
      fin_requested_ = true;
      change_state(State::last_ack, "RFC 9293 3.10.4: CLOSE in CLOSE_WAIT, FIN follows the queued data",
                   out);
      transmit_pending(now, out);
      return;
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      return;  // RFC 9293 3.10.4: "error: connection closing"
  }
}

void Connection::abort(Time /*now*/, Output& out) {
  switch (state_) {
    case State::closed:
      return;  // "error: connection does not exist"
    case State::listen:
    case State::syn_sent:
      // RFC 9293 3.10.5: LISTEN, SYN-SENT: delete the TCB, no segment.
      enter_closed("RFC 9293 3.10.5: ABORT before synchronization, no RST", AppEventKind::aborted,
                   out);
      return;
    case State::syn_received:
    case State::established:
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::close_wait:
      // RFC 9293 3.10.5: send <SEQ=SND.NXT><CTL=RST>, flush the queues, delete the TCB.
      send_reset(snd_.nxt, out);
      enter_closed("RFC 9293 3.10.5: ABORT, RST sent", AppEventKind::aborted, out);
      return;
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      // RFC 9293 3.10.5: respond "ok" and delete the TCB, no RST.
      enter_closed("RFC 9293 3.10.5: ABORT while closing, no RST", AppEventKind::aborted, out);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// SEGMENT ARRIVES
// ---------------------------------------------------------------------------------------------

void Connection::segment_arrives(Time now, const Segment& segment, Output& out) {
  switch (state_) {
    case State::closed:
      arrive_closed(segment, out);
      return;
    case State::listen:
      arrive_listen(now, segment, out);
      return;
    case State::syn_sent:
      arrive_syn_sent(now, segment, out);
      return;
    default:
      arrive_synchronized(now, segment, out);
      return;
  }
}

void Connection::arrive_closed(const Segment& segment, Output& out) {
  // RFC 9293 3.10.7.1: all data is discarded; a RST is answered by nothing, anything else by RST.
  Segment reset;
  if (!reset_for_segment(segment, reset)) {
    discard(segment, "RFC 9293 3.10.7.1: CLOSED, an arriving RST is discarded", out);
    return;
  }
  transmit(std::move(reset), out);
  discard(segment, "RFC 9293 3.10.7.1: CLOSED, segment answered with RST", out);
}

void Connection::arrive_listen(Time now, const Segment& segment, Output& out) {
  // RFC 9293 3.10.7.2 first: an incoming RST should be ignored.
  if (segment.has(flag::rst)) {
    discard(segment, "RFC 9293 3.10.7.2: RST in LISTEN is ignored", out);
    return;
  }
  // RFC 9293 3.10.7.2 second: any acknowledgment is bad: <SEQ=SEG.ACK><CTL=RST>.
  if (segment.has(flag::ack)) {
    send_reset(segment.ack, out);
    discard(segment, "RFC 9293 3.10.7.2: ACK in LISTEN draws a RST", out);
    return;
  }
  // RFC 9293 3.10.7.2 third: SYN: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, send SYN-ACK.
  if (segment.has(flag::syn)) {
    rcv_.irs = segment.seq;
    rcv_.nxt = segment.seq + 1;
    peer_mss_ = segment.mss != 0 ? segment.mss : default_mss;
    snd_.iss = listen_isn_;
    snd_.una = snd_.iss;
    snd_.nxt = snd_.iss + 1;
    send_buffer_seq_ = snd_.iss + 1;
    snd_.wnd = segment.window;
    snd_.wl1 = segment.seq;
    snd_.wl2 = snd_.iss;
    // Text or FIN carried by the SYN is not processed yet (it is not acknowledged, so the peer
    // sends it again).
    if (config_.handshake == Handshake::two_way) {
      // Teaching variant: the SYN-ACK is taken as delivered, so our SYN counts as acknowledged
      // and is never retransmitted.
      snd_.una = snd_.iss + 1;
      syn_acknowledged_ = true;
      enter_established("two-way handshake: SYN answered with SYN-ACK, ESTABLISHED without a third segment",
                        out);
      send_syn_ack(out);
      return;
    }
    change_state(State::syn_received, "RFC 9293 3.10.7.2: SYN in LISTEN, SYN-ACK sent", out);
    send_syn_ack(out);
    retransmissions_ = 0;
    set_timer(TimerKind::retransmission, now + rto_, out);
    return;
  }
  // RFC 9293 3.10.7.2 fourth: other text or control: drop.
  discard(segment, "RFC 9293 3.10.7.2: neither RST, ACK nor SYN in LISTEN", out);
}

void Connection::arrive_syn_sent(Time now, const Segment& segment, Output& out) {
  bool ack_acceptable = false;
  // RFC 9293 3.10.7.3 first: if SEG.ACK =< ISS or SEG.ACK > SND.NXT, send <SEQ=SEG.ACK><CTL=RST>
  // (unless the RST bit is set) and drop.
  if (segment.has(flag::ack)) {
    if (seq_le(segment.ack, snd_.iss) || seq_gt(segment.ack, snd_.nxt)) {
      if (segment.has(flag::rst)) {
        discard(segment, "RFC 9293 3.10.7.3: RST with an unacceptable ACK in SYN_SENT", out);
        return;
      }
      send_reset(segment.ack, out);
      discard(segment, "RFC 9293 3.10.7.3: ACK does not acknowledge our SYN, RST sent", out);
      return;
    }
    ack_acceptable = seq_lt(snd_.una, segment.ack) && seq_le(segment.ack, snd_.nxt);
  }
  // RFC 9293 3.10.7.3 second: a RST with an acceptable ACK means "connection refused"; without
  // an ACK it is dropped (RFC 5961 3.2 leaves SYN-SENT RST handling as in RFC 793).
  if (segment.has(flag::rst)) {
    if (ack_acceptable) {
      enter_closed("RFC 9293 3.10.7.3: RST acknowledging our SYN, connection refused",
                   AppEventKind::refused, out);
      return;
    }
    discard(segment, "RFC 9293 3.10.7.3: RST without ACK in SYN_SENT is dropped", out);
    return;
  }
  // RFC 9293 3.10.7.3 fourth: SYN.
  if (segment.has(flag::syn)) {
    rcv_.irs = segment.seq;
    rcv_.nxt = segment.seq + 1;
    peer_mss_ = segment.mss != 0 ? segment.mss : default_mss;
    if (ack_acceptable) {
      // SYN-ACK: SND.UNA = SEG.ACK, our SYN is acknowledged: ESTABLISHED.
      snd_.wnd = segment.window;
      snd_.wl1 = segment.seq;
      snd_.wl2 = segment.ack;
      acknowledge(now, segment.ack, out);
      enter_established("RFC 9293 3.10.7.3: SYN-ACK acknowledges our SYN", out);
      // "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it. Data or controls
      // that were queued for transmission MAY be included." The two-way variant has no third
      // segment: only queued data (which carries the ACK) or an ACK owed for text/FIN leaves.
      if (config_.handshake == Handshake::three_way) ack_owed_ = true;
      // "If there are other controls or text in the segment, continue processing at the sixth
      // step" (URG is ignored, so: text, then FIN).
      const TextView view = text_view(segment);
      process_text(segment, view, out);
      process_fin(now, view, out);
      flush(now, out);
      return;
    }
    // Simultaneous open: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it." Text in the SYN is not queued yet.
    snd_.wnd = segment.window;
    snd_.wl1 = segment.seq;
    snd_.wl2 = snd_.una;
    change_state(State::syn_received,
                 "RFC 9293 3.10.7.3: SYN without ACK in SYN_SENT, simultaneous open, SYN-ACK sent",
                 out);
    send_syn_ack(out);
    retransmissions_ = 0;
    reset_rto();
    set_timer(TimerKind::retransmission, now + rto_, out);
    return;
  }
  // RFC 9293 3.10.7.3 fifth: neither SYN nor RST: drop.
  discard(segment, "RFC 9293 3.10.7.3: neither SYN nor RST in SYN_SENT", out);
}

bool Connection::acceptable(const Segment& segment) const {
  // RFC 9293 3.10.7.4 first: the four cases of the acceptability test.
  const std::uint32_t length = segment.sequence_length();
  const std::uint32_t window = rcv_.wnd;
  if (length == 0) {
    if (window == 0) return segment.seq == rcv_.nxt;
    return seq_in_range(segment.seq, rcv_.nxt, window);
  }
  if (window == 0) return false;
  return seq_in_range(segment.seq, rcv_.nxt, window) ||
         seq_in_range(segment.seq + length - 1, rcv_.nxt, window);
}

Connection::Arrival Connection::classify(const Segment& segment) const {
  if (segment.has(flag::rst)) {
    // RFC 9293 3.10.7.4 second, with RFC 5961 3.2: exactly RCV.NXT resets, elsewhere in the
    // window draws a challenge ACK, outside it is dropped.
    if (segment.seq == rcv_.nxt) return Arrival::reset_at_next;
    if (rcv_.wnd > 0 && seq_in_range(segment.seq, rcv_.nxt, rcv_.wnd)) return Arrival::reset_in_window;
    return Arrival::reset_outside_window;
  }
  // RFC 9293 3.10.7.4 (TIME-WAIT): "The only thing that can arrive in this state is a
  // retransmission of the remote FIN." It ends exactly at RCV.NXT, so the acceptability test
  // would reject it; it is recognized first.
  if (state_ == State::time_wait && segment.has(flag::fin) &&
      segment.seq + segment.sequence_length() == rcv_.nxt) {
    return Arrival::retransmitted_fin;
  }
  // RFC 9293 3.5 figure 7 (simultaneous open), line 6: in SYN_RCVD after an active OPEN the
  // peer's SYN-ACK repeats the SYN we already took (SEG.SEQ = IRS) and acknowledges ours. The
  // figure has it complete the handshake, though the acceptability test read alone rejects it
  // (the SYN lies before RCV.NXT); Linux's tcp_validate_incoming makes the same exception.
  if (state_ == State::syn_received && !passive_open_ && segment.has(flag::syn) &&
      segment.has(flag::ack) && !segment.has(flag::fin) && segment.payload.empty() &&
      segment.seq == rcv_.irs) {
    return Arrival::acceptable;
  }
  if (!acceptable(segment)) return Arrival::unacceptable;
  if (segment.has(flag::syn)) return Arrival::syn;
  if (!segment.has(flag::ack)) return Arrival::no_ack;
  return Arrival::acceptable;
}

Connection::TextView Connection::text_view(const Segment& segment) const {
  TextView view;
  const auto payload_size = static_cast<std::uint32_t>(segment.payload.size());
  view.carries_text_or_fin = payload_size > 0 || segment.has(flag::fin);
  // The sequence number of the first payload byte (after the SYN, if any).
  const SeqNum first_byte = segment.seq + (segment.has(flag::syn) ? 1U : 0U);
  const std::int32_t already_received = seq_diff(rcv_.nxt, first_byte);
  if (already_received < 0) return view;  // begins beyond RCV.NXT: out of order
  view.in_order = true;
  const auto offset = static_cast<std::uint32_t>(already_received);
  view.skip = std::min(offset, payload_size);
  const std::uint32_t available = payload_size - view.skip;
  view.take = std::min(available, rcv_.wnd);
  // The FIN occupies the sequence number after the last byte; it counts only if it is next in
  // order and inside the window.
  view.fin = segment.has(flag::fin) && offset <= payload_size && view.take == available &&
             view.take < rcv_.wnd;
  return view;
}

void Connection::arrive_synchronized(Time now, const Segment& segment, Output& out) {
  switch (classify(segment)) {
    case Arrival::reset_outside_window:
      discard(segment, "not acceptable: RST outside the receive window (RFC 9293 3.10.7.4 first)", out);
      return;
    case Arrival::reset_in_window:
      // RFC 5961 3.2 / RFC 9293 3.10.7.4 second: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
      send_ack(out);
      discard(segment, "RFC 5961 3.2: RST in the window but not at RCV.NXT, challenge ACK sent", out);
      return;
    case Arrival::reset_at_next:
      process_reset(out);
      return;
    case Arrival::unacceptable:
      // RFC 9293 3.10.7.4 first: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop.
      send_ack(out);
      discard(segment,
              rcv_.wnd == 0 ? "not acceptable: the receive window is zero, ACK sent"
                            : "not acceptable: outside the receive window, ACK sent",
              out);
      return;
    case Arrival::retransmitted_fin:
      // RFC 9293 3.10.7.4 (TIME-WAIT): acknowledge it, and restart the 2 MSL timeout.
      send_ack(out);
      set_timer(TimerKind::time_wait, now + config_.time_wait, out);
      return;
    case Arrival::syn:
      if (state_ == State::syn_received && passive_open_) {
        // RFC 9293 3.10.7.4 fourth: "In SYN-RECEIVED state, if the connection was initiated
        // with a passive OPEN, then return this connection to the LISTEN state and return."
        return_to_listen("RFC 9293 3.10.7.4 fourth: SYN in SYN_RCVD from a passive OPEN, back to LISTEN",
                         out);
        discard(segment, "RFC 9293 3.10.7.4 fourth: SYN in SYN_RCVD from a passive OPEN", out);
        return;
      }
      // RFC 9293 3.10.7.4 fourth (RFC 5961 4.2): a SYN, whatever its sequence number, draws a
      // challenge ACK. TIME_WAIT is treated alike (RFC 6191 reuse is not modelled).
      send_ack(out);
      discard(segment, "RFC 9293 3.10.7.4 fourth: SYN in a synchronized state, challenge ACK sent", out);
      return;
    case Arrival::no_ack:
      // RFC 9293 3.10.7.4 fifth: "if the ACK bit is off, drop the segment and return".
      discard(segment, "RFC 9293 3.10.7.4 fifth: ACK bit off", out);
      return;
    case Arrival::acceptable:
      break;
  }
  const TextView view = text_view(segment);
  // RFC 9293 3.10.7.4 fifth: the ACK field.
  if (!process_ack(now, segment, view, out)) {
    flush(now, out);
    return;
  }
  // RFC 9293 3.10.7.4 sixth: the URG bit is ignored (RFC 6093 discourages its use).
  // RFC 9293 3.10.7.4 seventh: segment text.
  process_text(segment, view, out);
  // RFC 9293 3.10.7.4 eighth: the FIN bit.
  process_fin(now, view, out);
  flush(now, out);
}

void Connection::process_reset(Output& out) {
  switch (state_) {
    case State::syn_received:
      if (passive_open_) {
        // RFC 9293 3.10.7.4 second: SYN-RECEIVED from a passive OPEN returns to LISTEN; "the
        // user need not be informed".
        return_to_listen("RFC 9293 3.10.7.4 second: RST in SYN_RCVD from a passive OPEN, back to LISTEN",
                         out);
        return;
      }
      // From an active OPEN: "connection refused".
      enter_closed("RFC 9293 3.10.7.4 second: RST in SYN_RCVD from an active OPEN, connection refused",
                   AppEventKind::refused, out);
      return;
    case State::established:
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::close_wait:
      // RFC 9293 3.10.7.4 second: "connection reset", flush the queues, CLOSED.
      enter_closed("RFC 9293 3.10.7.4 second: RST at RCV.NXT, connection reset", AppEventKind::reset, out);
      return;
    case State::closing:
    case State::last_ack:
      // RFC 9293 3.10.7.4 second: enter CLOSED. The local close had not completed in order, so
      // the application hears "reset".
      enter_closed("RFC 9293 3.10.7.4 second: RST in CLOSING or LAST_ACK, CLOSED", AppEventKind::reset,
                   out);
      return;
    case State::time_wait:
      // RFC 9293 3.10.7.4 second: enter CLOSED (the RFC 1337 hazard is not guarded against). Both
      // FINs were already acknowledged, so the close is reported as orderly.
      enter_closed("RFC 9293 3.10.7.4 second: RST in TIME_WAIT, CLOSED", AppEventKind::closed, out);
      return;
    default:
      return;
  }
}

bool Connection::process_ack(Time now, const Segment& segment, const TextView& view, Output& out) {
  if (state_ == State::syn_received) {
    // RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: if SND.UNA < SEG.ACK =< SND.NXT enter ESTABLISHED
    // with SND.WND = SEG.WND, SND.WL1 = SEG.SEQ, SND.WL2 = SEG.ACK; else <SEQ=SEG.ACK><CTL=RST>.
    if (!(seq_lt(snd_.una, segment.ack) && seq_le(segment.ack, snd_.nxt))) {
      send_reset(segment.ack, out);
      discard(segment, "RFC 9293 3.10.7.4 fifth: unacceptable ACK in SYN_RCVD, RST sent", out);
      return false;
    }
    snd_.wnd = segment.window;
    snd_.wl1 = segment.seq;
    snd_.wl2 = segment.ack;
    acknowledge(now, segment.ack, out);
    enter_established("RFC 9293 3.10.7.4 fifth: ACK of our SYN-ACK in SYN_RCVD", out);
    return true;
  }
  if (state_ == State::time_wait) {
    // RFC 9293 3.10.7.4 fifth, TIME-WAIT: only a retransmitted FIN is expected (handled in
    // classify); anything else acceptable changes nothing.
    return true;
  }
  // RFC 9293 3.10.7.4 fifth, ESTABLISHED and the states that process the ACK "as for
  // ESTABLISHED".
  if (seq_gt(segment.ack, snd_.nxt)) {
    // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
    // segment, and return."
    send_ack(out);
    discard(segment, "RFC 9293 3.10.7.4 fifth: ACK for data not yet sent, ACK sent", out);
    return false;
  }
  if (seq_lt(snd_.una, segment.ack)) acknowledge(now, segment.ack, out);
  // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated" when the segment is
  // newer than the last update (WL1/WL2 rule). An old duplicate ACK (SEG.ACK < SND.UNA) is ignored.
  if (seq_le(snd_.una, segment.ack) &&
      (seq_lt(snd_.wl1, segment.seq) || (snd_.wl1 == segment.seq && seq_le(snd_.wl2, segment.ack)))) {
    snd_.wnd = segment.window;
    snd_.wl1 = segment.seq;
    snd_.wl2 = segment.ack;
  }
  switch (state_) {
    case State::fin_wait_1:
      // RFC 9293 3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter
      // FIN-WAIT-2". When this same segment carries the peer's FIN, the FIN step goes straight on
      // to TIME_WAIT instead.
      if (fin_acknowledged_ && !view.fin) {
        change_state(State::fin_wait_2, "RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in FIN_WAIT_1",
                     out);
      }
      return true;
    case State::closing:
      // RFC 9293 3.10.7.4 fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the
      // TIME-WAIT state; otherwise, ignore the segment".
      if (fin_acknowledged_) {
        enter_time_wait(now, "RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in CLOSING", out);
      } else {
        discard(segment, "RFC 9293 3.10.7.4 fifth: CLOSING and our FIN not acknowledged, ignored", out);
      }
      return false;
    case State::last_ack:
      // RFC 9293 3.10.7.4 fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB,
      // enter the CLOSED state, and return."
      if (fin_acknowledged_) {
        enter_closed("RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in LAST_ACK", AppEventKind::closed,
                     out);
        return false;
      }
      return true;
    default:
      return true;
  }
}

void Connection::acknowledge(Time now, SeqNum ack, Output& out) {
  snd_.una = ack;
  if (!syn_acknowledged_ && seq_gt(ack, snd_.iss)) syn_acknowledged_ = true;
  // Remove the data bytes the ACK covers ("segments on the retransmission queue that are thereby
  // entirely acknowledged are removed").
  const std::int32_t sent = seq_diff(sent_data_end(), send_buffer_seq_);
  const std::int32_t covered = seq_diff(ack, send_buffer_seq_);
  if (sent > 0 && covered > 0) {
    const auto removed = static_cast<std::size_t>(std::min(sent, covered));
    send_buffer_.erase(send_buffer_.begin(), send_buffer_.begin() + static_cast<std::ptrdiff_t>(removed));
    send_buffer_seq_ += static_cast<SeqNum>(removed);
  }
  if (fin_sent_ && seq_gt(ack, fin_seq_)) fin_acknowledged_ = true;
  // New data acknowledged: the backoff ends and the retry count starts again. (Issue 4 takes an
  // RTT sample here and recomputes the RTO from SRTT/RTTVAR.)
  retransmissions_ = 0;
  reset_rto();
  if (snd_.una == snd_.nxt) {
    // RFC 6298 5.2: all outstanding data acknowledged: turn off the timer.
    cancel_timer(TimerKind::retransmission, out);
  } else {
    // RFC 6298 5.3: new data acknowledged: restart the timer.
    set_timer(TimerKind::retransmission, now + rto_, out);
  }
}

void Connection::process_text(const Segment& segment, const TextView& view, Output& out) {
  if (!view.carries_text_or_fin) return;
  switch (state_) {
    case State::established:
    case State::fin_wait_1:
    case State::fin_wait_2:
      break;
    default:
      // RFC 9293 3.10.7.4 seventh: CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not
      // occur since a FIN has been received from the remote side. Ignore the segment text."
      if (!segment.payload.empty()) {
        discard(segment, "RFC 9293 3.10.7.4 seventh: text after the peer's FIN is ignored", out);
      }
      return;
  }
  if (!view.in_order) {
    // Segments beginning beyond RCV.NXT "may be held for later processing"; reassembly is not
    // implemented yet, so the text is dropped and a duplicate ACK tells the peer what is missing.
    ack_owed_ = true;
    discard(segment, "out of order: beyond RCV.NXT, no reassembly yet, ACK sent", out);
    return;
  }
  if (view.take > 0) {
    deliver(std::span<const std::uint8_t>(segment.payload).subspan(view.skip, view.take), out);
    rcv_.nxt += view.take;
  }
  // "Send an acknowledgment of the form <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", piggybacked on
  // data when there is some to send. A retransmitted segment with nothing new is acknowledged too.
  ack_owed_ = true;
}

void Connection::deliver(std::span<const std::uint8_t> bytes, Output& out) {
  // Auto-read: the bytes go to the application at once and RCV.WND stays open. A receive buffer
  // (scripted reads, a closing window) goes here.
  Effect effect;
  effect.kind = Effect::Kind::app_event;
  effect.connection = id_;
  effect.app_event = AppEventKind::data;
  effect.data.assign(bytes.begin(), bytes.end());
  out.effects.push_back(std::move(effect));
}

void Connection::process_fin(Time now, const TextView& view, Output& out) {
  // RFC 9293 3.10.7.4 eighth: only an in-order FIN counts (its SEG.SEQ is validated); "signal
  // the user 'connection closing' ..., advance RCV.NXT over the FIN, and send an
  // acknowledgment for the FIN".
  if (!view.fin) return;
  switch (state_) {
    case State::established:
      rcv_.nxt += 1;
      ack_owed_ = true;
      // "SYN-RECEIVED, ESTABLISHED: Enter the CLOSE-WAIT state." (SYN_RCVD became ESTABLISHED
      // in the ACK step.)
      change_state(State::close_wait, "RFC 9293 3.10.7.4 eighth: FIN received in ESTABLISHED", out);
      app_event(AppEventKind::end_of_stream, end_of_stream_reason, out);
      return;
    case State::fin_wait_1:
      rcv_.nxt += 1;
      app_event(AppEventKind::end_of_stream, end_of_stream_reason, out);
      if (fin_acknowledged_) {
        // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT". The ACK
        // leaves first: with TIME_WAIT disabled the connection is gone right after.
        send_ack(out);
        ack_owed_ = false;
        enter_time_wait(now, "RFC 9293 3.10.7.4 eighth: FIN that acknowledges our FIN in FIN_WAIT_1",
                        out);
      } else {
        // "otherwise, enter the CLOSING state" (simultaneous close).
        ack_owed_ = true;
        change_state(State::closing, "RFC 9293 3.10.7.4 eighth: FIN in FIN_WAIT_1 before our FIN is acknowledged",
                     out);
      }
      return;
    case State::fin_wait_2:
      rcv_.nxt += 1;
      app_event(AppEventKind::end_of_stream, end_of_stream_reason, out);
      send_ack(out);
      ack_owed_ = false;
      // "FIN-WAIT-2: Enter the TIME-WAIT state. Start the time-wait timer, turn off the other
      // timers."
      enter_time_wait(now, "RFC 9293 3.10.7.4 eighth: FIN received in FIN_WAIT_2", out);
      return;
    case State::time_wait:
      // "TIME-WAIT: Remain in the TIME-WAIT state. Restart the 2 MSL time-wait timeout."
      ack_owed_ = true;
      set_timer(TimerKind::time_wait, now + config_.time_wait, out);
      return;
    default:
      // "CLOSE-WAIT, CLOSING, LAST-ACK: Remain" (the FIN was already received).
      ack_owed_ = true;
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

Segment Connection::make_segment(SeqNum seq, std::uint8_t flags) const {
  Segment segment;
  segment.source_port = tuple_.local.port;
  segment.destination_port = tuple_.remote.port;
  segment.seq = seq;
  segment.flags = flags;
  if ((flags & flag::ack) != 0) segment.ack = rcv_.nxt;
  segment.window = (flags & flag::rst) != 0 ? 0 : window_field(rcv_.wnd);
  return segment;
}

void Connection::transmit(Segment segment, Output& out) {
  Effect effect;
  effect.kind = Effect::Kind::transmit;
  effect.connection = id_;
  effect.packet.source = tuple_.local.address;
  effect.packet.destination = tuple_.remote.address;
  effect.packet.segment = std::move(segment);
  out.effects.push_back(std::move(effect));
}

void Connection::send_syn(Output& out) {
  // <SEQ=ISS><CTL=SYN> with our MSS option (RFC 9293 3.7.1).
  Segment segment = make_segment(snd_.iss, flag::syn);
  segment.mss = config_.mss;
  transmit(std::move(segment), out);
}

void Connection::send_syn_ack(Output& out) {
  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS option.
  Segment segment = make_segment(snd_.iss, flag::syn | flag::ack);
  segment.mss = config_.mss;
  transmit(std::move(segment), out);
}

void Connection::send_ack(Output& out) {
  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  transmit(make_segment(snd_.nxt, flag::ack), out);
}

void Connection::send_reset(SeqNum seq, Output& out) { transmit(make_segment(seq, flag::rst), out); }

SeqNum Connection::sent_data_end() const { return fin_sent_ ? fin_seq_ : snd_.nxt; }

std::uint32_t Connection::send_mss() const { return peer_mss_ != 0 ? peer_mss_ : default_mss; }

bool Connection::can_send_data() const {
  switch (state_) {
    case State::established:
    case State::close_wait:
    case State::fin_wait_1:
    case State::closing:
    case State::last_ack:
      return true;
    default:
      return false;
  }
}

bool Connection::transmit_pending(Time now, Output& out) {
  if (!can_send_data() || fin_sent_) return false;
  bool sent_any = false;
  // Queued bytes not yet sent, and the part of the peer's window not in flight.
  auto unsent = [&] {
    return static_cast<std::uint32_t>(send_buffer_.size()) -
           static_cast<std::uint32_t>(seq_diff(sent_data_end(), send_buffer_seq_));
  };
  while (!fin_sent_ && unsent() > 0) {
    const auto in_flight = static_cast<std::uint32_t>(seq_diff(snd_.nxt, snd_.una));
    const std::uint32_t usable = snd_.wnd > in_flight ? snd_.wnd - in_flight : 0;
    const std::uint32_t length = std::min({unsent(), send_mss(), usable});
    // A closed window stops here; the persist timer that probes it comes with issue 4.
    if (length == 0) break;
    const auto begin = send_buffer_.begin() + seq_diff(snd_.nxt, send_buffer_seq_);
    const bool last = length == unsent();
    std::uint8_t flags = flag::ack;
    if (last) flags |= flag::psh;
    // The FIN rides on the last data segment when CLOSE was called.
    if (last && fin_requested_) flags |= flag::fin;
    Segment segment = make_segment(snd_.nxt, flags);
    segment.payload.assign(begin, begin + length);
    snd_.nxt += length;
    if ((flags & flag::fin) != 0) {
      fin_sent_ = true;
      fin_seq_ = snd_.nxt;
      snd_.nxt += 1;
    }
    transmit(std::move(segment), out);
    sent_any = true;
  }
  if (fin_requested_ && !fin_sent_ && unsent() == 0) {
    // A FIN alone; it is sent even into a closed window so that a close never stalls.
    fin_sent_ = true;
    fin_seq_ = snd_.nxt;
    transmit(make_segment(snd_.nxt, flag::fin | flag::ack), out);
    snd_.nxt += 1;
    sent_any = true;
  }
  // RFC 6298 5.1: start the timer when data is sent and it is not running.
  if (sent_any && timers_[static_cast<int>(TimerKind::retransmission)] == time_never) {
    set_timer(TimerKind::retransmission, now + rto_, out);
  }
  return sent_any;
}

void Connection::flush(Time now, Output& out) {
  // Data or a FIN carries the ACK; a bare ACK leaves only when nothing else does.
  const bool sent = transmit_pending(now, out);
  if (ack_owed_ && !sent && state_ != State::closed) send_ack(out);
  ack_owed_ = false;
}

void Connection::retransmit_oldest(Output& out) {
  // RFC 6298 5.4: retransmit the earliest segment not acknowledged.
  if (!syn_acknowledged_) {
    if (state_ == State::syn_sent) {
      send_syn(out);
    } else {
      send_syn_ack(out);
    }
    return;
  }
  const std::int32_t sent = seq_diff(sent_data_end(), send_buffer_seq_);
  if (sent > 0) {
    // RFC 9293 3.8.6 (RFC 1122 4.2.2.16): retransmit only what lies between SND.UNA and
    // SND.UNA+SND.WND, since the peer may have shrunk its window since the data was first sent;
    // into a zero window, send at most one octet (RFC 1122 4.2.2.17, a probe).
    const std::uint32_t window_allowance = std::max<std::uint32_t>(snd_.wnd, 1);
    const std::uint32_t length =
        std::min({static_cast<std::uint32_t>(sent), send_mss(), window_allowance});
    const bool reaches_end = length == static_cast<std::uint32_t>(sent);
    std::uint8_t flags = flag::ack;
    if (reaches_end) flags |= flag::psh;
    // Data and FIN go together when the FIN directly follows.
    if (reaches_end && fin_sent_ && !fin_acknowledged_) flags |= flag::fin;
    Segment segment = make_segment(send_buffer_seq_, flags);
    segment.payload.assign(send_buffer_.begin(), send_buffer_.begin() + length);
    transmit(std::move(segment), out);
    return;
  }
  if (fin_sent_ && !fin_acknowledged_) transmit(make_segment(fin_seq_, flag::fin | flag::ack), out);
}

// ---------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------

void Connection::set_timer(TimerKind kind, Time deadline, Output& out) {
  timers_[static_cast<int>(kind)] = deadline;
  Effect effect;
  effect.kind = Effect::Kind::timer_set;
  effect.connection = id_;
  effect.timer = kind;
  effect.deadline = deadline;
  out.effects.push_back(std::move(effect));
}

void Connection::cancel_timer(TimerKind kind, Output& out) {
  Time& deadline = timers_[static_cast<int>(kind)];
  if (deadline == time_never) return;
  deadline = time_never;
  Effect effect;
  effect.kind = Effect::Kind::timer_cancel;
  effect.connection = id_;
  effect.timer = kind;
  out.effects.push_back(std::move(effect));
}

void Connection::cancel_all_timers(Output& out) {
  for (int kind = 0; kind < timer_kind_count; ++kind) cancel_timer(static_cast<TimerKind>(kind), out);
}

Duration Connection::clamp_rto(Duration rto) const {
  return std::clamp(rto, config_.rto_min, std::max(config_.rto_min, config_.rto_max));
}

// RFC 6298 2.1: before any RTT measurement, RTO = the initial value. Issue 4 replaces this with
// SRTT + max(G, 4 RTTVAR) once a sample exists.
void Connection::reset_rto() { rto_ = clamp_rto(config_.rto_initial); }

// RFC 6298 5.5: RTO = RTO * 2, with the maximum of 2.5 applied.
void Connection::back_off_rto() {
  const Duration ceiling = std::max(config_.rto_min, config_.rto_max);
  rto_ = rto_ > ceiling / 2 ? ceiling : clamp_rto(rto_ * 2);
}

int Connection::retry_limit() const {
  if (!syn_acknowledged_) return state_ == State::syn_sent ? config_.syn_retries : config_.synack_retries;
  return config_.data_retries;
}

std::string_view Connection::give_up_reason() const {
  if (!syn_acknowledged_) {
    return state_ == State::syn_sent
               ? "RFC 9293 3.8.3: SYN retransmitted syn_retries times without answer"
               : "RFC 9293 3.8.3: SYN-ACK retransmitted synack_retries times without answer";
  }
  return "RFC 9293 3.8.3: data or FIN retransmitted data_retries times without acknowledgment";
}

void Connection::timer_expired(Time now, TimerKind kind, Output& out) {
  Time& deadline = timers_[static_cast<int>(kind)];
  if (deadline != now) return;  // re-armed or cancelled since: a stale expiry
  deadline = time_never;
  switch (kind) {
    case TimerKind::retransmission:
      if (retransmissions_ >= retry_limit()) {
        // RFC 9293 3.8.3 (RFC 1122 4.2.3.5): past R2 the connection is closed. The RFC sends
        // nothing; Linux sends a RST when it gives up on a synchronized connection. We follow the
        // RFC: no RST.
        enter_closed(give_up_reason(), AppEventKind::timed_out, out);
        return;
      }
      ++retransmissions_;
      retransmit_oldest(out);                                   // RFC 6298 5.4
      back_off_rto();                                           // RFC 6298 5.5
      set_timer(TimerKind::retransmission, now + rto_, out);    // RFC 6298 5.6
      return;
    case TimerKind::time_wait:
      // RFC 9293 3.10.7.4: "When the time-wait timeout expires, delete the TCB."
      if (state_ == State::time_wait) {
        enter_closed("RFC 9293 3.10.7.4: the 2 MSL TIME_WAIT timeout expired", AppEventKind::closed, out);
      }
      return;
    default:
      return;  // persist, keepalive, delayed ACK and user timeout come with issue 4
  }
}

// ---------------------------------------------------------------------------------------------
// State changes
// ---------------------------------------------------------------------------------------------

void Connection::change_state(State to, std::string_view reason, Output& out) {
  Effect effect;
  effect.kind = Effect::Kind::state_change;
  effect.connection = id_;
  effect.from = state_;
  effect.to = to;
  effect.reason = reason;
  state_ = to;
  out.effects.push_back(std::move(effect));
}

void Connection::enter_established(std::string_view reason, Output& out) {
  change_state(State::established, reason, out);
  app_event(passive_open_ ? AppEventKind::accepted : AppEventKind::connected, reason, out);
  if (fin_requested_) {
    // RFC 9293 3.10.4: a CLOSE queued in SYN_RCVD (data was waiting) is processed now.
    change_state(State::fin_wait_1, "RFC 9293 3.10.4: CLOSE queued in SYN_RCVD takes effect in ESTABLISHED",
                 out);
  }
}

void Connection::enter_time_wait(Time now, std::string_view reason, Output& out) {
  // "Start the time-wait timer, turn off the other timers."
  cancel_timer(TimerKind::retransmission, out);
  if (config_.time_wait <= 0) {
    enter_closed("time_wait = 0: TIME_WAIT is disabled, CLOSED at once (teaching variant)",
                 AppEventKind::closed, out);
    return;
  }
  change_state(State::time_wait, reason, out);
  set_timer(TimerKind::time_wait, now + config_.time_wait, out);
}

void Connection::enter_closed(std::string_view reason, AppEventKind event, Output& out) {
  cancel_all_timers(out);
  change_state(State::closed, reason, out);
  app_event(event, reason, out);
  send_buffer_.clear();
  fin_requested_ = false;
  ack_owed_ = false;
  finished_ = opened_;
}

void Connection::return_to_listen(std::string_view reason, Output& out) {
  cancel_all_timers(out);
  change_state(State::listen, reason, out);
  start_control_block(listen_isn_);
}

void Connection::app_event(AppEventKind kind, std::string_view reason, Output& out) {
  Effect effect;
  effect.kind = Effect::Kind::app_event;
  effect.connection = id_;
  effect.app_event = kind;
  effect.reason = reason;
  out.effects.push_back(std::move(effect));
}

void Connection::discard(const Segment& segment, std::string_view reason, Output& out) {
  Effect effect;
  effect.kind = Effect::Kind::discard;
  effect.connection = id_;
  // The dropped segment as it arrived (remote to local).
  effect.packet.source = tuple_.remote.address;
  effect.packet.destination = tuple_.local.address;
  effect.packet.segment = segment;
  effect.reason = reason;
  out.effects.push_back(std::move(effect));
}

}  // namespace tcpsim::tcp
