// The RFC 9293 section 3.10 event processing of one connection. Arriving segments are first
// classified (acceptability, RST, SYN, ACK bit), then the transition for (state, event) acts.
// Every state_change carries the rule it implements; every discard says why.
// Why one long file (about 1,600 lines): it is one state machine, and it follows RFC 9293
// 3.10's event processing in the RFC's own order; split by state, each rule's steps would be
// scattered over several files.
#include "tcp/connection.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "tcp/knobs.hpp"
#include "tcp/transitions.hpp"

namespace tcpsim::tcp {

namespace {

// RFC 9293 3.7.1: the send MSS when the peer sent no MSS option.
constexpr std::uint16_t default_mss = 536;

constexpr std::uint16_t window_field(std::uint32_t window) {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(window, 0xFFFFU));
}

// RFC 7323 5.5: TS.Recent is too old to judge by after 24 days of idleness.
constexpr Duration timestamp_recent_lifetime = 24 * 24 * hour;

// RFC 6298 5.5's doubling, bounded by `ceiling` and without overflow.
constexpr Duration doubled(Duration value, Duration ceiling) {
  return value > ceiling / 2 ? ceiling : value * 2;
}

// RFC 6298 5.7: the RTO after a SYN or SYN-ACK timed out, once data transmission begins.
constexpr Duration rto_after_syn_timeout = 3 * second;

// The RTT estimator's sums in 128 bits: with RTTs of decades they pass 2^63 - 1 ns.
__extension__ typedef __int128 WideDuration;

// A state change the transition table does not have (or, in debug builds, made by another
// function than the table names): a bug in the core, never an input error.
// Out of line and cold: change_state's check stays a few instructions without its frame.
[[noreturn, gnu::cold, gnu::noinline]] void transition_error(State from, State to, Rule rule,
                                                            const char* caller,
                                                            const char* problem) {
  std::fprintf(stderr, "tcpsim: %s: %s -> %s by rule %s %s (tcp/transitions.cpp)\n", caller,
               std::string(state_name(from)).c_str(), std::string(state_name(to)).c_str(),
               std::string(rule_name(rule)).c_str(), problem);
  std::abort();
}

#ifndef NDEBUG
// Whether `caller` (__builtin_FUNCTION(): "arrive_listen") is the row's function
// ("Connection::arrive_listen").
bool made_by(const StateTransition& row, std::string_view caller) {
  const std::string_view function = row.function;
  return function.size() > caller.size() && function.ends_with(caller) &&
         function.substr(0, function.size() - caller.size()).ends_with("::");
}
#endif

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

namespace {

// The rule a reset answer is dropped by instead when reset_unexpected_segments is off.
constexpr Rule silenced(Rule answered) {
  switch (answered) {
    case Rule::closed_answered_with_reset: return Rule::closed_dropped_silently;
    case Rule::no_connection_answered_with_reset: return Rule::no_connection_dropped_silently;
    case Rule::listen_ack_answered_with_reset: return Rule::listen_ack_dropped_silently;
    case Rule::syn_sent_bad_ack_answered_with_reset: return Rule::syn_sent_bad_ack_dropped_silently;
    case Rule::syn_received_bad_ack_answered_with_reset:
      return Rule::syn_received_bad_ack_dropped_silently;
    default: return answered;
  }
}

}  // namespace

void answer_with_reset(const TcpConfig& config, ConnectionId connection, const Packet& arriving,
                       Rule answered, Output& out) {
  Rule rule = answered;
  Segment reset;
  if (!config.reset_unexpected_segments) {
    // Teaching variant: dropped silently, as behind a firewall's DROP rule.
    rule = silenced(answered);
  } else if (reset_for_segment(arriving.segment, reset)) {
    out.transmit(connection, arriving.destination, arriving.source, std::move(reset),
                 SendPurpose::normal, false, Rule::none);
  }
  out.discard(connection, arriving.source, arriving.destination, arriving.segment, rule);
}

ListenDecision listen_decision(const Segment& segment, const TcpConfig& config) {
  using Action = ListenDecision::Action;
  // RFC 9293 3.10.7.2 first: an incoming RST should be ignored.
  if (segment.has(flag::rst)) return {Action::discard, Rule::listen_rst_ignored};
  // FreeBSD (knob listen_drops_syn_ack): tcp_input() drops a SYN-ACK to a listening socket.
  if (config.listen_drops_syn_ack && segment.has(flag::syn) && segment.has(flag::ack)) {
    return {Action::discard, Rule::listen_syn_ack_dropped};
  }
  // FreeBSD's net.inet.tcp.drop_synfin (knob drop_syn_fin): a SYN-FIN is dropped.
  if (config.drop_syn_fin && segment.has(flag::syn) && segment.has(flag::fin)) {
    return {Action::discard, Rule::syn_fin_dropped};
  }
  // Second: any acknowledgment is bad: <SEQ=SEG.ACK><CTL=RST>.
  if (segment.has(flag::ack)) {
    return {Action::answer_with_reset, Rule::listen_ack_answered_with_reset};
  }
  // Third: a SYN opens the connection.
  if (segment.has(flag::syn)) return {Action::accept_syn, Rule::listen_syn};
  // Fourth: other text or control: drop.
  return {Action::discard, Rule::listen_other_dropped};
}

Connection::Connection(ConnectionId id, std::shared_ptr<const TcpConfig> config, FourTuple tuple)
    : id_(id), config_(std::move(config)), tuple_(tuple) {
  timers_.fill(time_never);
  tcb_.rcv.wnd = receive_window_limit();
  reset_rto();
}

std::size_t Connection::send_buffer_space() const {
  return config_->send_buffer > tcb_.send_size ? config_->send_buffer - tcb_.send_size : 0;
}

std::size_t Connection::readable_bytes() const {
  // Nothing is buffered before synchronization or once the TCB is gone.
  if (state_ == State::closed || state_ == State::listen || state_ == State::syn_sent) return 0;
  // RCV.NXT counts the peer's FIN, which is not a byte.
  return static_cast<std::uint32_t>(tcb_.rcv.nxt - tcb_.read_seq) - (tcb_.fin_received ? 1U : 0U);
}

std::uint32_t Connection::receive_capacity() const {
  // FreeBSD's tcp_mss() (knob receive_buffer_rounded_to_mss) reserves the buffer rounded up to
  // a multiple of the MSS: 65536 becomes 65700 with an MSS of 1460.
  if (!config_->receive_buffer_rounded_to_mss || !tcb_.receive_buffer_rounded) {
    return config_->receive_buffer;
  }
  const std::uint32_t mss = send_mss();
  return (config_->receive_buffer + mss - 1) / mss * mss;
}

std::uint32_t Connection::receive_window_limit() const {
  // Without window scaling the 16-bit window field caps what we can offer; with it (RFC 7323
  // 2.2: both SYNs carried the option), 65535 << Rcv.Wind.Shift. FreeBSD
  // (receive_buffer_rounded_to_mss) advertises at most that but accepts its whole space, once
  // tcp_mss() has rounded it (an active open on the peer's SYN; a passive one at ESTABLISHED,
  // when the syncache makes the socket) and until TIME_WAIT, which keeps only the window.
  if (config_->receive_buffer_rounded_to_mss && tcb_.receive_buffer_rounded &&
      state_ != State::time_wait) {
    return receive_capacity();
  }
  const std::uint32_t cap = tcb_.window_scaling ? 0xFFFFU << tcb_.receive_window_shift : 0xFFFFU;
  return std::min<std::uint32_t>(config_->receive_buffer, cap);
}

std::uint32_t timestamp_clock(Time now) {
  return static_cast<std::uint32_t>(1 + static_cast<std::uint64_t>(now / millisecond));
}

void Connection::negotiate_options(Time now, const Segment& syn) {
  // RFC 7323 2.2: scaling is on when both sides sent Window Scale (we send it whenever the knob
  // is on, so the peer's SYN decides); a shift above 14 is taken as 14 (2.3).
  tcb_.window_scaling = config_->window_scaling != window_scaling_off && syn.window_scale >= 0;
  if (tcb_.window_scaling) {
    tcb_.send_window_shift = std::min<int>(syn.window_scale, max_window_scale);
    tcb_.receive_window_shift = config_->window_scaling;
    tcb_.rcv.wnd = receive_window_limit();  // nothing is buffered yet
  }
  // RFC 7323 3.2: timestamps are on when both SYNs carry them; TS.Recent starts at the SYN's.
  tcb_.timestamps = config_->timestamps && syn.has_timestamps;
  if (tcb_.timestamps) {
    tcb_.timestamp_recent = syn.timestamp_value;
    tcb_.timestamp_recent_time = now;
  }
  // RFC 2018 2: SACK blocks may be sent once both sides sent SACK-permitted.
  tcb_.sack = config_->sack && syn.sack_permitted;
}

std::uint32_t Connection::offered_by(const Segment& segment) const {
  // RFC 7323 2.2: "The window field in a segment where the SYN bit is set MUST NOT be scaled."
  if (!tcb_.window_scaling || segment.has(flag::syn)) return segment.window;
  return static_cast<std::uint32_t>(segment.window) << tcb_.send_window_shift;
}

bool Connection::paws_rejects(const Segment& segment) const {
  // RFC 7323 5.3 R1: "If SEG.TSval < TS.Recent and the RST bit is off", unless TS.Recent is
  // older than 24 days (5.5), the segment is an old duplicate: not acceptable.
  return tcb_.timestamps && segment.has_timestamps && !segment.has(flag::rst) &&
         seq_lt(segment.timestamp_value, tcb_.timestamp_recent) &&
         now_ - tcb_.timestamp_recent_time <= timestamp_recent_lifetime;
}

void Connection::note_timestamp(Time now, const Segment& segment) {
  // RFC 7323 4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent, then SEG.TSval
  // is copied to TS.Recent"; 5.5: after 24 days idle any TSval is taken.
  if (!tcb_.timestamps || !segment.has_timestamps) return;
  const bool stale = now - tcb_.timestamp_recent_time > timestamp_recent_lifetime;
  if ((stale || !seq_lt(segment.timestamp_value, tcb_.timestamp_recent)) &&
      seq_le(segment.seq, tcb_.last_ack_sent)) {
    tcb_.timestamp_recent = segment.timestamp_value;
    tcb_.timestamp_recent_time = now;
  }
}

// ---------------------------------------------------------------------------------------------
// User calls
// ---------------------------------------------------------------------------------------------

void Connection::start_control_block(SeqNum isn) {
  // A fresh TCB (RFC 9293 3.2): every variable back to its initial value at once, made in
  // place (the old one's storage is freed, as an assignment would; no temporary moves in).
  // Before the first OPEN the constructor's TCB is still fresh: nothing writes it in CLOSED
  // but to initial values (the window and RTO are set again below), so it is not made twice.
  if (opened_) {
    std::destroy_at(&tcb_);
    ::new (&tcb_) Tcb{};
  }
  tcb_.snd.iss = isn;
  tcb_.snd.una = isn;
  tcb_.snd.nxt = isn;
  tcb_.sent_high = isn;  // nothing sent yet
  tcb_.send_buffer_seq = isn + 1;  // data follows the SYN
  tcb_.rcv.wnd = receive_window_limit();
  reset_rto();
}

void Connection::open_active(Time now, SeqNum isn, Output& out) {
  now_ = now;
  // RFC 9293 3.10.1: OPEN in CLOSED; in LISTEN an active OPEN turns the connection active.
  // Elsewhere "error: connection already exists": nothing happens.
  if (state_ != State::closed && state_ != State::listen) return;
  start_control_block(isn);
  passive_open_ = false;
  opened_ = true;
  finished_ = false;
  change_state(State::syn_sent,
               state_ == State::closed ? Rule::active_open : Rule::active_open_in_listen, out);
  tcb_.snd.nxt = tcb_.snd.iss + 1;
  send_syn(out);
  tcb_.first_syn_sent = now;
  // RFC 6298 2.2 / Karn: the SYN is timed unless it is retransmitted.
  tcb_.rtt_timing = true;
  tcb_.rtt_seq = tcb_.snd.nxt;
  tcb_.rtt_start = now;
  set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);
  update_user_timeout(now, out, false);
}

void Connection::open_passive(Time now, SeqNum isn, Output& out) {
  now_ = now;
  // RFC 9293 3.10.1: passive OPEN in CLOSED. Elsewhere "error: connection already exists".
  if (state_ != State::closed) return;
  start_control_block(isn);
  listen_isn_ = isn;
  passive_open_ = true;
  opened_ = true;
  finished_ = false;
  change_state(State::listen, Rule::passive_open, out);
}

void Connection::open_from_listener(Time now, SeqNum isn, const Segment& syn, Output& out) {
  now_ = now;
  if (state_ != State::closed || opened_) return;
  // Born in LISTEN: the listener's passive OPEN is this connection's too.
  start_control_block(isn);
  listen_isn_ = isn;
  passive_open_ = true;
  opened_ = true;
  finished_ = false;
  state_ = State::listen;
  heard_from_peer(now);
  accept_syn(now, syn, out);
}

void Connection::open_from_cookie(Time now, const Segment& ack, std::uint16_t peer_mss,
                                  Output& out) {
  if (state_ != State::closed || opened_) return;
  const SeqNum iss = ack.ack - 1;
  start_control_block(iss);
  listen_isn_ = iss;
  passive_open_ = true;
  opened_ = true;
  finished_ = false;
  state_ = State::listen;
  heard_from_peer(now);
  // What accept_syn would have set from the SYN, rebuilt from the ACK and the cookie.
  tcb_.rcv.irs = ack.seq - 1;
  tcb_.rcv.nxt = ack.seq;
  tcb_.read_seq = tcb_.rcv.nxt;
  tcb_.peer_mss = peer_mss;
  tcb_.snd.nxt = iss + 1;
  tcb_.sent_high = iss + 1;  // the SYN-ACK that carried the cookie
  set_send_window(ack.window);
  tcb_.snd.wl1 = ack.seq;
  tcb_.snd.wl2 = ack.ack;
  acknowledge(now, ack.ack, out);
  enter_established(Rule::syn_cookie_ack, out);
  round_receive_buffer();
  if (!ack.payload.empty() || ack.has(flag::fin)) segment_arrives(now, ack, out);
}

std::optional<std::size_t> Connection::send(Time now, std::span<const std::uint8_t> data,
                                            Output& out) {
  now_ = now;
  const auto queue = [&]() -> std::size_t {
    // The send buffer takes what fits; the write's end is a push point (PSH, RFC 9293 3.9.1.2).
    const auto taken = static_cast<std::uint32_t>(std::min(data.size(), send_buffer_space()));
    if (taken == 0) return 0;
    send_buffer_.reserve(tcb_.send_buffer_seq, tcb_.send_size, tcb_.send_size + taken);
    send_buffer_.write(tcb_.send_buffer_seq + tcb_.send_size, data.data(), taken);
    tcb_.send_size += taken;
    tcb_.push_points.push_back(tcb_.send_buffer_seq + tcb_.send_size);
    return taken;
  };
  // A refused SEND is told to the application here, with the RFC's error, and nowhere else.
  const auto refuse = [&](Rule rule) -> std::optional<std::size_t> {
    app_event(AppEventKind::send_failed, rule, out);
    return std::nullopt;
  };
  switch (state_) {
    case State::closed:
      // "error: connection does not exist": the host deletes a CLOSED connection, so no
      // application call reaches one.
      return std::nullopt;
    case State::listen:
      // RFC 9293 3.10.2: "If the remote socket is not specified, then return 'error: remote
      // socket unspecified'" (a listener's is not).
      return refuse(Rule::send_remote_socket_unspecified);
    case State::syn_sent:
    case State::syn_received:
      // RFC 9293 3.10.2: queue the data for transmission after entering ESTABLISHED. After a
      // deferred CLOSE in SYN_RCVD the connection is closing.
      if (tcb_.fin_requested) return refuse(Rule::send_connection_closing);
      return queue();
    case State::established:
    case State::close_wait: {
      // RFC 9293 3.10.2: segmentize and send.
      const std::size_t taken = queue();
      transmit_pending(now, out);
      return taken;
    }
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      return refuse(Rule::send_connection_closing);  // RFC 9293 3.10.2
  }
  return std::nullopt;
}

std::size_t Connection::read(Time now, std::size_t max_bytes, Output& out) {
  now_ = now;
  // RFC 9293 3.10.3 RECEIVE: hand over buffered bytes; the freed space may open the window.
  const auto count = static_cast<std::uint32_t>(std::min<std::size_t>(max_bytes, readable_bytes()));
  hand_to_application(count, out);
  if (tcb_.end_of_stream_pending && readable_bytes() == 0) {
    tcb_.end_of_stream_pending = false;
    app_event(AppEventKind::end_of_stream, Rule::peer_fin_end_of_stream, out);
  }
  if (count > 0) update_receive_window(out, true);
  return count;
}

void Connection::set_automatic_read(Time now, bool automatic, Output& out) {
  now_ = now;
  automatic_read_ = automatic;
  if (automatic && (readable_bytes() > 0 || tcb_.end_of_stream_pending)) {
    read(now, readable_bytes(), out);
  }
}

bool Connection::close(Time now, Output& out) {
  now_ = now;
  // A refused CLOSE is told to the application here, with the RFC's error, and nowhere else.
  const auto refuse = [&] {
    app_event(AppEventKind::close_failed, Rule::close_connection_closing, out);
    return false;
  };
  if (config_->half_duplex_close && readable_bytes() > 0 &&
      (state_ == State::established || state_ == State::close_wait)) {
    // RFC 1122 4.2.2.13: CLOSE "while received data is still pending" on a half-duplex close
    // sends a RST to show that data was lost.
    send_reset(tcb_.snd.nxt, out);
    enter_closed(Rule::half_duplex_close_with_unread_data, AppEventKind::aborted, out);
    return true;
  }
  switch (state_) {
    case State::closed:
      return false;  // "error: connection does not exist" (no call reaches one: see send)
    case State::listen:
      // RFC 9293 3.10.4: LISTEN: delete the TCB.
      enter_closed(Rule::close_in_listen, AppEventKind::closed, out);
      return true;
    case State::syn_sent:
      // RFC 9293 3.10.4: SYN-SENT: delete the TCB; queued SENDs get "error: closing".
      if (tcb_.send_size > 0) {
        // "... and return 'error: closing' responses to any queued SENDs": the data never left.
        enter_closed(Rule::close_in_syn_sent_with_queued_sends, AppEventKind::aborted, out);
        return true;
      }
      enter_closed(Rule::close_in_syn_sent, AppEventKind::closed, out);
      return true;
    case State::syn_received:
      if (tcb_.fin_requested) return refuse();  // a CLOSE waits for ESTABLISHED already
      tcb_.fin_requested = true;
      if (tcb_.send_size == 0) {
        // RFC 9293 3.10.4: SYN-RECEIVED with nothing queued: send FIN, enter FIN-WAIT-1.
        change_state(State::fin_wait_1, Rule::close_in_syn_received, out);
        transmit_pending(now, out);
      }
      // Otherwise the FIN waits for ESTABLISHED (enter_established moves on to FIN_WAIT_1).
      return true;
    case State::established:
      // RFC 9293 3.10.4: queue until all preceding SENDs are segmentized, then send FIN; in any
      // case enter FIN-WAIT-1.
      tcb_.fin_requested = true;
      change_state(State::fin_wait_1, Rule::close_in_established, out);
      transmit_pending(now, out);
      return true;
    case State::close_wait:
      // RFC 9293 3.10.4: queue until preceding SENDs are segmentized, send FIN, enter LAST-ACK.
      tcb_.fin_requested = true;
      change_state(State::last_ack, Rule::close_in_close_wait, out);
      transmit_pending(now, out);
      return true;
    case State::fin_wait_1:
    case State::fin_wait_2:
      // RFC 9293 3.10.4: "Strictly speaking, this is an error and should receive an 'error:
      // connection closing' response" ("ok" would do too, without a second FIN): the error.
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      return refuse();  // RFC 9293 3.10.4: "Respond with 'error: connection closing'"
  }
  return false;
}

void Connection::abort(Time now, Output& out) {
  now_ = now;
  switch (state_) {
    case State::closed:
      return;  // "error: connection does not exist"
    case State::listen:
    case State::syn_sent:
      // RFC 9293 3.10.5: LISTEN, SYN-SENT: delete the TCB, no segment.
      enter_closed(Rule::abort_before_synchronization, AppEventKind::aborted, out);
      return;
    case State::syn_received:
    case State::established:
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::close_wait:
      // RFC 9293 3.10.5: send <SEQ=SND.NXT><CTL=RST>, flush the queues, delete the TCB.
      send_reset(tcb_.snd.nxt, out);
      enter_closed(Rule::abort_synchronized, AppEventKind::aborted, out);
      return;
    case State::closing:
    case State::last_ack:
    case State::time_wait:
      // RFC 9293 3.10.5: respond "ok" and delete the TCB, no RST.
      enter_closed(Rule::abort_while_closing, AppEventKind::aborted, out);
      return;
  }
}

void Connection::abort_unaccepted(Time now, Output& out) {
  now_ = now;
  if (state_ != State::syn_received || !passive_open_) return;
  // The ACK lets a peer still in SYN_SENT take it as "connection refused" (RFC 9293 3.10.7.3),
  // and one that is ESTABLISHED finds SEG.SEQ at its RCV.NXT: both are reset.
  transmit(start_segment(out, tcb_.snd.nxt, flag::rst | flag::ack), out);
  enter_closed(Rule::listener_closed_before_accept, AppEventKind::aborted, out);
}

bool Connection::configure(Time now, const TcpConfig& config, Output& out) {
  now_ = now;
  // setsockopt() on a live socket: only the knobs the table marks live may change.
  for (const Knob& knob : knobs()) {
    if (!knob.live && !(knob.get(config) == knob.get(*config_))) {
      app_event(AppEventKind::configure_failed, Rule::configure_knob_fixed, out);
      return false;
    }
  }
  const TcpConfig before = *config_;
  config_ = std::make_shared<const TcpConfig>(config);  // its own: the old one may be shared
  // RFC 1122 4.2.3.6: keepalive on arms the timer (the idle time counts from the last segment
  // heard, as Linux's TCP_KEEPIDLE counts it), off cancels it. A new idle time re-arms a timer
  // that has sent no probe yet; the other timings apply from the next expiry.
  const bool keepalive_state = state_ == State::established || state_ == State::close_wait ||
                               state_ == State::fin_wait_1 || state_ == State::fin_wait_2;
  if (!config_->keepalive) {
    cancel_timer(TimerKind::keepalive, out);
    tcb_.keepalive_probes_sent = 0;
  } else if (keepalive_state &&
             (!before.keepalive || (before.keepalive_idle != config_->keepalive_idle &&
                                    tcb_.keepalive_probes_sent == 0))) {
    arm_keepalive(now, out);
  }
  // RFC 9293 3.8.4: a new user timeout counts from now; 0 turns it off.
  if (before.user_timeout != config_->user_timeout) {
    cancel_timer(TimerKind::user_timeout, out);
    if (state_ != State::listen) update_user_timeout(now, out, false);
  }
  // RFC 1122 4.2.3.2: with delayed ACK turned off, an ACK it was holding leaves now.
  if (config_->delayed_ack == 0 &&
      timers_[static_cast<int>(TimerKind::delayed_ack)] != time_never) {
    send_ack(out);
  }
  // RFC 9293 3.8.6: a larger receive buffer opens the window; the peer is told when it at least
  // doubled (as after a read). A smaller one never moves the right edge back: the window
  // shrinks as data arrives.
  const std::uint32_t previous_window = tcb_.rcv.wnd;
  update_receive_window(out, false);
  const bool peer_may_send = state_ == State::established || state_ == State::fin_wait_1 ||
                             state_ == State::fin_wait_2;
  if (peer_may_send && tcb_.rcv.wnd > previous_window && tcb_.rcv.wnd >= 2 * previous_window) {
    transmit(start_segment(out, tcb_.snd.nxt, flag::ack), out, SendPurpose::window_update,
             Rule::receive_buffer_grown);
  }
  // RFC 9293 3.7.4: Nagle off (TCP_NODELAY) sends what it held at once.
  transmit_pending(now, out);
  return true;
}

// ---------------------------------------------------------------------------------------------
// SEGMENT ARRIVES
// ---------------------------------------------------------------------------------------------

void Connection::heard_from_peer(Time now) {
  // RFC 1122 4.2.3.6: keepalive counts idle time from the last segment heard.
  last_heard_ = now;
  tcb_.keepalive_probes_sent = 0;
}

void Connection::segment_arrives(Time now, const Segment& segment, Output& out) {
  now_ = now;
  heard_from_peer(now);
  // RFC 7323 4.1: an ACK's TSecr times the round trip (read in take_rtt_sample). A TSecr is
  // meaningful only with the ACK bit (RFC 7323 3.2).
  if (segment.has_timestamps && segment.has(flag::ack)) {
    arriving_echo_ = segment.timestamp_echo;
  } else {
    arriving_echo_.reset();
  }
  switch (state_) {
    case State::closed:
      arrive_closed(segment, out);
      break;
    case State::listen:
      arrive_listen(now, segment, out);
      break;
    case State::syn_sent:
      arrive_syn_sent(now, segment, out);
      break;
    default:
      arrive_synchronized(now, segment, out);
      break;
  }
  arriving_echo_.reset();
}

void Connection::arrive_closed(const Segment& segment, Output& out) {
  // RFC 9293 3.10.7.1: all data is discarded; a RST is answered by nothing, anything else by RST.
  if (segment.has(flag::rst)) {
    discard(segment, Rule::closed_rst_discarded, out);
    return;
  }
  answer_with_reset(segment, Rule::closed_answered_with_reset, out);
}

void Connection::arrive_listen(Time now, const Segment& segment, Output& out) {
  const ListenDecision decision = listen_decision(segment, *config_);
  switch (decision.action) {
    case ListenDecision::Action::discard:
      discard(segment, decision.rule, out);
      return;
    case ListenDecision::Action::answer_with_reset:
      answer_with_reset(segment, decision.rule, out);
      return;
    case ListenDecision::Action::accept_syn:
      accept_syn(now, segment, out);
      return;
  }
}

void Connection::accept_syn(Time now, const Segment& syn, Output& out) {
  // RFC 9293 3.10.7.2 third: SYN: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, send SYN-ACK.
  tcb_.rcv.irs = syn.seq;
  tcb_.rcv.nxt = syn.seq + 1;
  tcb_.read_seq = tcb_.rcv.nxt;
  tcb_.peer_mss = syn.mss != 0 ? syn.mss : default_mss;
  negotiate_options(now, syn);
  tcb_.snd.iss = listen_isn_;
  tcb_.snd.una = tcb_.snd.iss;
  tcb_.sent_high = tcb_.snd.iss;
  tcb_.snd.nxt = tcb_.snd.iss + 1;
  tcb_.send_buffer_seq = tcb_.snd.iss + 1;
  set_send_window(syn.window);
  tcb_.snd.wl1 = syn.seq;
  tcb_.snd.wl2 = tcb_.snd.iss;
  // Text or FIN carried by the SYN is not processed yet (it is not acknowledged, so the peer
  // sends it again).
  if (config_->handshake == Handshake::two_way) {
    // Teaching variant: the SYN-ACK is taken as delivered, so our SYN counts as acknowledged
    // and is never retransmitted.
    tcb_.snd.una = tcb_.snd.iss + 1;
    tcb_.syn_acknowledged = true;
    enter_established(Rule::two_way_listen_syn, out);
    send_syn_ack(out);
    return;
  }
  change_state(State::syn_received, Rule::listen_syn, out);
  send_syn_ack(out);
  tcb_.retransmissions = 0;
  tcb_.rtt_timing = true;
  tcb_.rtt_seq = tcb_.snd.nxt;
  tcb_.rtt_start = now;
  set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);
  update_user_timeout(now, out, false);
}

void Connection::arrive_syn_sent(Time now, const Segment& segment, Output& out) {
  // FreeBSD's net.inet.tcp.drop_synfin (knob drop_syn_fin): tcp_do_segment() drops a SYN-FIN.
  if (config_->drop_syn_fin && segment.has(flag::syn) && segment.has(flag::fin)) {
    discard(segment, Rule::syn_fin_dropped, out);
    return;
  }
  bool ack_acceptable = false;
  // RFC 9293 3.10.7.3 first: if SEG.ACK =< ISS or SEG.ACK > SND.NXT, send <SEQ=SEG.ACK><CTL=RST>
  // (unless the RST bit is set) and drop.
  if (segment.has(flag::ack)) {
    if (seq_le(segment.ack, tcb_.snd.iss) || seq_gt(segment.ack, tcb_.snd.nxt)) {
      if (segment.has(flag::rst)) {
        discard(segment, Rule::syn_sent_rst_with_bad_ack, out);
        return;
      }
      answer_with_reset(segment, Rule::syn_sent_bad_ack_answered_with_reset, out);
      return;
    }
    ack_acceptable = seq_lt(tcb_.snd.una, segment.ack) && seq_le(segment.ack, tcb_.snd.nxt);
  }
  // RFC 9293 3.10.7.3 second: a RST with an acceptable ACK means "connection refused"; without
  // an ACK it is dropped (RFC 5961 3.2 leaves SYN-SENT RST handling as in RFC 793).
  if (segment.has(flag::rst)) {
    if (ack_acceptable) {
      enter_closed(Rule::syn_sent_rst_refused, AppEventKind::refused, out);
      return;
    }
    discard(segment, Rule::syn_sent_rst_without_ack, out);
    return;
  }
  // RFC 9293 3.10.7.3 fourth: SYN.
  if (segment.has(flag::syn)) {
    tcb_.rcv.irs = segment.seq;
    tcb_.rcv.nxt = segment.seq + 1;
    tcb_.read_seq = tcb_.rcv.nxt;
    tcb_.peer_mss = segment.mss != 0 ? segment.mss : default_mss;
    negotiate_options(now, segment);
    round_receive_buffer();
    if (ack_acceptable) {
      // SYN-ACK: SND.UNA = SEG.ACK, our SYN is acknowledged: ESTABLISHED.
      set_send_window(segment.window);
      tcb_.snd.wl1 = segment.seq;
      tcb_.snd.wl2 = segment.ack;
      acknowledge(now, segment.ack, out);
      enter_established(Rule::syn_sent_syn_ack, out);
      // "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it. Data or controls
      // that were queued for transmission MAY be included." The two-way variant has no third
      // segment: only queued data (which carries the ACK) or an ACK owed for text/FIN leaves.
      if (config_->handshake == Handshake::three_way) tcb_.ack_owed = true;
      // "If there are other controls or text in the segment, continue processing at the sixth
      // step" (URG is ignored, so: text, then FIN).
      const TextView view = text_view(segment);
      process_text(now, segment, view, out);
      process_fin(now, view, out);
      flush(now, out);
      return;
    }
    // Simultaneous open: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it. ... If there are other controls or
    // text in the segment, queue them for processing after the ESTABLISHED state has been
    // reached": the SYN is kept (not acknowledged beyond itself) until the ACK step.
    if (!segment.payload.empty() || segment.has(flag::fin)) {
      tcb_.queued_syn = std::make_unique<Segment>(segment);
    }
    set_send_window(segment.window);
    tcb_.snd.wl1 = segment.seq;
    tcb_.snd.wl2 = tcb_.snd.una;
    change_state(State::syn_received,
                 Rule::simultaneous_open, out);
    send_syn_ack(out);
    tcb_.retransmissions = 0;
    reset_rto();
    set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);
    return;
  }
  // RFC 9293 3.10.7.3 fifth: neither SYN nor RST: drop.
  discard(segment, Rule::syn_sent_other_dropped, out);
}

bool Connection::acceptable(const Segment& segment) const {
  // RFC 9293 3.10.7.4 first: the four cases of the acceptability test.
  const std::uint32_t length = segment.sequence_length();
  const std::uint32_t window = tcb_.rcv.wnd;
  if (length == 0) {
    if (window == 0) return segment.seq == tcb_.rcv.nxt;
    return seq_in_range(segment.seq, tcb_.rcv.nxt, window);
  }
  if (window == 0) return false;
  return seq_in_range(segment.seq, tcb_.rcv.nxt, window) ||
         seq_in_range(segment.seq + length - 1, tcb_.rcv.nxt, window);
}

bool Connection::plain_in_order(const Segment& segment) const {
  // An ACK without SYN or RST at exactly RCV.NXT, timestamps off: none of classify's exceptions
  // applies to it (they need RST, SYN, a FIN ending at RCV.NXT or timestamps), and SEG.SEQ =
  // RCV.NXT passes RFC 9293 3.10.7.4's acceptability test (for text, with an open window).
  return (segment.flags & (flag::syn | flag::rst | flag::ack)) == flag::ack &&
         segment.seq == tcb_.rcv.nxt && !tcb_.timestamps &&
         (tcb_.rcv.wnd > 0 || segment.sequence_length() == 0);
}

Connection::Arrival Connection::classify(const Segment& segment) const {
  if (segment.has(flag::rst)) {
    // RFC 9293 3.10.7.4 second, with RFC 5961 3.2: exactly RCV.NXT resets, elsewhere in the
    // window draws a challenge ACK, outside it is dropped.
    if (segment.seq == tcb_.rcv.nxt) return Arrival::reset_at_next;
    if (tcb_.rcv.wnd > 0 && seq_in_range(segment.seq, tcb_.rcv.nxt, tcb_.rcv.wnd)) {
      return Arrival::reset_in_window;
    }
    return Arrival::reset_outside_window;
  }
  // RFC 7323 3.2: "If a non-<RST> segment is received without a TSopt, a TCP SHOULD silently
  // drop the segment" (timestamp_missing "drop"; Linux accepts it). A SYN in TIME_WAIT is
  // exempt: it may open a new incarnation, which negotiates its options afresh.
  if (tcb_.timestamps && !segment.has_timestamps &&
      config_->timestamp_missing == MissingTimestamp::drop &&
      !(state_ == State::time_wait && segment.has(flag::syn))) {
    return Arrival::timestamp_missing;
  }
  // RFC 7323 5.3 R1: PAWS comes before the acceptability test (R2); a SYN it rejects does not
  // reopen TIME_WAIT either (Linux's tcp_timewait_state_process).
  if (paws_rejects(segment)) return Arrival::paws_rejected;
  // RFC 9293 3.10.7.4 (TIME-WAIT): "The only thing that can arrive in this state is a
  // retransmission of the remote FIN." It ends exactly at RCV.NXT, so the acceptability test
  // would reject it; it is recognized first.
  if (state_ == State::time_wait && segment.has(flag::fin) &&
      segment.seq + segment.sequence_length() == tcb_.rcv.nxt) {
    return Arrival::retransmitted_fin;
  }
  // RFC 1122 4.2.2.13: a new SYN (no ACK) above the final RCV.NXT may reopen the 4-tuple, and
  // is recognized before the acceptability test: a new incarnation's ISN is anywhere, most
  // often outside the window (BSD's tcp_input and Linux's tcp_timewait_state_process alike).
  // RFC 6191 (Linux's tcp_timewait_state_process): with timestamps, a SYN whose TSval is above
  // TS.Recent reopens it whatever its sequence number.
  if (state_ == State::time_wait && config_->time_wait_accepts_syn && segment.has(flag::syn) &&
      !segment.has(flag::ack) &&
      (seq_gt(segment.seq, tcb_.rcv.nxt) ||
       (tcb_.timestamps && segment.has_timestamps &&
        seq_gt(segment.timestamp_value, tcb_.timestamp_recent)))) {
    return Arrival::reopening_syn;
  }
  // RFC 9293 3.5 figure 7 (simultaneous open), line 6: in SYN_RCVD after an active OPEN the
  // peer's SYN-ACK repeats the SYN we already took (SEG.SEQ = IRS) and acknowledges ours. The
  // figure has it complete the handshake, though the acceptability test read alone rejects it
  // (the SYN lies before RCV.NXT); Linux's tcp_validate_incoming makes the same exception.
  if (state_ == State::syn_received && !passive_open_ && segment.has(flag::syn) &&
      segment.has(flag::ack) && !segment.has(flag::fin) && segment.payload.empty() &&
      segment.seq == tcb_.rcv.irs) {
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
  const std::int32_t already_received = seq_diff(tcb_.rcv.nxt, first_byte);
  if (already_received < 0) return view;  // begins beyond RCV.NXT: out of order
  view.in_order = true;
  const auto offset = static_cast<std::uint32_t>(already_received);
  view.skip = std::min(offset, payload_size);
  const std::uint32_t available = payload_size - view.skip;
  view.take = std::min(available, tcb_.rcv.wnd);
  // The FIN occupies the sequence number after the last byte; it counts only if it is next in
  // order and inside the window.
  view.fin = segment.has(flag::fin) && offset <= payload_size && view.take == available &&
             view.take < tcb_.rcv.wnd;
  return view;
}

// Header prediction: Van Jacobson's fast path ("TCP receive fast path", 1993), as BSD's
// tcp_input() and Linux's tcp_rcv_established() predict the header. It short-cuts RFC 9293
// 3.10.7.4's steps (classify, then the ACK, text and FIN steps below) for the two segments an
// ESTABLISHED transfer is made of, and does what those steps do for them, in the same order:
//   (a) a pure ACK that acknowledges new data: acknowledge, the window (unchanged), congestion
//       control, persist, then flush;
//   (b) in-order data that fits the window, acknowledging nothing new: the window, persist, the
//       text step (process_text), then flush.
// Each condition below is one the steps would treat differently when it fails: another state,
// SYN/RST/FIN/URG, SEG.SEQ != RCV.NXT (out of order or old), timestamps (PAWS, TS.Recent, RTTM)
// or SACK (scoreboard, SACK blocks), a changed window (duplicate-ACK and window-update rules),
// loss recovery, a window probe out, a FIN held, out-of-order data held, the half-duplex close
// knob, RFC 5961's ACK range. It adds no rule of its own; set_header_prediction(false) turns
// it off for the tests that compare it with the full steps (tests/tcp/header_prediction_tests).
inline bool Connection::arrive_predicted(Time now, const Segment& segment, Output& out) {
  if (!header_prediction_ || state_ != State::established ||
      (segment.flags & (flag::syn | flag::rst | flag::fin | flag::urg | flag::ack)) != flag::ack ||
      segment.seq != tcb_.rcv.nxt || tcb_.timestamps || tcb_.sack ||
      offered_by(segment) != tcb_.snd.wnd || tcb_.in_fast_recovery || tcb_.timeout_recovery ||
      tcb_.window_probe_outstanding || tcb_.held_fin || !tcb_.out_of_order.empty()) {
    return false;
  }
  if (segment.payload.empty()) {
    // (a) SND.UNA < SEG.ACK =< SND.NXT (RFC 9293 3.10.7.4 fifth): not a duplicate.
    if (!seq_lt(tcb_.snd.una, segment.ack) || seq_gt(segment.ack, tcb_.snd.nxt)) return false;
    const SeqNum una_before = tcb_.snd.una;
    acknowledge(now, segment.ack, out);
    update_send_window(segment);
    const auto acked = static_cast<std::uint32_t>(tcb_.snd.una - una_before);
    if (tcb_.congestion.enabled()) congestion_on_ack(now, false, acked, out);
    update_persist(now, out);
    flush(now, out);
    return true;
  }
  // (b) SEG.ACK = SND.UNA, the text wholly inside RCV.WND (RFC 9293 3.10.7.4 first, seventh).
  const auto length = static_cast<std::uint32_t>(segment.payload.size());
  if (segment.ack != tcb_.snd.una || length > tcb_.rcv.wnd ||
      (config_->rfc5961 && seq_lt(segment.ack, tcb_.snd.una - tcb_.max_snd_wnd)) ||
      (config_->half_duplex_close && tcb_.fin_requested)) {
    return false;
  }
  update_send_window(segment);
  update_persist(now, out);
  TextView view;
  view.in_order = true;
  view.take = length;
  view.carries_text_or_fin = true;
  process_text(now, segment, view, out);
  flush(now, out);
  return true;
}

void Connection::arrive_synchronized(Time now, const Segment& segment, Output& out) {
  if (arrive_predicted(now, segment, out)) return;
  // The common case (an in-order ACK or data segment) skips the full classification.
  const Arrival classified = plain_in_order(segment) ? Arrival::acceptable : classify(segment);
  // FreeBSD's tcp_twcheck() (knob time_wait_drops_segments_without_ack) tests the ACK bit
  // before the sequence number (after RST and SYN, which it answers as RFC 5961 says).
  if (state_ == State::time_wait && config_->time_wait_drops_segments_without_ack &&
      !segment.has(flag::ack) && !segment.has(flag::rst) && !segment.has(flag::syn)) {
    discard(segment, Rule::time_wait_segment_without_ack_dropped, out);
    return;
  }
  switch (classified) {
    case Arrival::reset_outside_window:
      discard(segment, Rule::rst_outside_window, out);
      return;
    case Arrival::reset_in_window:
    case Arrival::reset_at_next: {
      const bool in_window = classified == Arrival::reset_in_window;
      if (in_window && config_->rfc5961) {
        // RFC 5961 3.2 / RFC 9293 3.10.7.4 second: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        send_ack(out);
        discard(segment, Rule::rst_in_window_challenge, out);
        return;
      }
      // RFC 9293 3.10.7.4 second: a RST at RCV.NXT resets; without RFC 5961, RFC 793 3.4: "A
      // reset is valid if its sequence number is in the window."
      // RFC 1337 section 3 (fix T1): TIME_WAIT ignores RST segments when the knob is on.
      if (state_ == State::time_wait && config_->rfc1337) {
        discard(segment, Rule::rst_in_time_wait_ignored, out);
        return;
      }
      process_reset(out, in_window);
      return;
    }
    case Arrival::paws_rejected:
      // RFC 7323 5.3 R1: "follow the steps below for an unacceptable segment": an ACK, drop.
      send_ack(out);
      discard(segment, Rule::paws_rejected, out);
      return;
    case Arrival::timestamp_missing:
      discard(segment, Rule::timestamp_missing_dropped, out);
      return;
    case Arrival::unacceptable: {
      // RFC 2883: data wholly below RCV.NXT arrived again: the ACK reports it as a D-SACK.
      const SeqNum first_byte = segment.seq + (segment.has(flag::syn) ? 1U : 0U);
      const SeqNum end = first_byte + static_cast<std::uint32_t>(segment.payload.size());
      if (!segment.payload.empty() && seq_le(end, tcb_.rcv.nxt)) note_duplicate(first_byte, end);
      // RFC 9293 3.10.7.4 first: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop.
      send_ack(out);
      discard(segment,
              tcb_.rcv.wnd == 0 ? Rule::unacceptable_zero_window
                            : Rule::unacceptable_outside_window, out);
      return;
    }
    case Arrival::retransmitted_fin:
      // RFC 9293 3.10.7.4 (TIME-WAIT): acknowledge it, and restart the 2 MSL timeout.
      note_timestamp(now, segment);
      send_ack(out);
      set_timer(TimerKind::time_wait, deadline_after(now, config_->time_wait), out);
      return;
    case Arrival::reopening_syn:
      // RFC 1122 4.2.2.13 (1): the new connection's ISN "larger than the largest sequence
      // number it used on the previous connection incarnation"; SND.NXT + 65535 + 2 as Linux
      // chooses it, so it also clears any window the peer offered the old one. The host hands
      // the SYN to the listener (Host::packet_arrives). Both FINs were acknowledged: an orderly
      // close.
      tcb_.reopening_isn = tcb_.snd.nxt + 65535 + 2;
      enter_closed(seq_gt(segment.seq, tcb_.rcv.nxt) ? Rule::time_wait_syn_reopens
                                                     : Rule::time_wait_syn_reopens_by_timestamp,
                   AppEventKind::closed, out);
      return;
    case Arrival::syn:
      if (state_ == State::syn_received && passive_open_) {
        // RFC 9293 3.10.7.4 fourth: "In SYN-RECEIVED state, if the connection was initiated
        // with a passive OPEN, then return this connection to the LISTEN state and return."
        return_to_listen(Rule::syn_in_syn_received_back_to_listen, out);
        discard(segment, Rule::syn_in_syn_received_discarded, out);
        return;
      }
      if (!config_->rfc5961 && !seq_in_range(segment.seq, tcb_.rcv.nxt, tcb_.rcv.wnd)) {
        // RFC 793 3.9 fourth: "If the SYN is not in the window this step would not be reached
        // and an ack would have been sent in the first step." A segment can pass the first
        // check by its tail (a SYN-FIN at RCV.NXT - 1) while its SYN lies before the window:
        // the SYN is not in the window, so it draws the first check's ACK.
        send_ack(out);
        discard(segment, Rule::syn_outside_window_acknowledged, out);
        return;
      }
      if (!config_->rfc5961) {
        // RFC 793 3.9, fourth, check the SYN bit: "If the SYN is in the window it is an error,
        // send a reset", and the user hears "connection reset". (A SYN outside the window drew
        // an ACK in the first check.) RFC 793 gives no form; this is BSD's (tcp_drop() sends
        // the CLOSED state's RST,ACK), <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, which a peer
        // in step takes at its RCV.NXT and is reset too.
        transmit(start_segment(out, tcb_.snd.nxt, flag::rst | flag::ack), out);
        enter_closed(Rule::syn_in_window_reset, AppEventKind::reset, out);
        return;
      }
      // RFC 9293 3.10.7.4 fourth (RFC 5961 4.2): a SYN, whatever its sequence number, draws a
      // challenge ACK. TIME_WAIT is treated alike, unless time_wait_accepts_syn reopens it
      // (classify).
      send_ack(out);
      discard(segment, Rule::syn_challenge_ack, out);
      return;
    case Arrival::no_ack:
      // RFC 9293 3.10.7.4 fifth: "if the ACK bit is off, drop the segment and return".
      discard(segment, Rule::ack_bit_off, out);
      return;
    case Arrival::acceptable:
      break;
  }
  note_timestamp(now, segment);
  TextView view = text_view(segment);
  const SeqNum next_before_ack = tcb_.rcv.nxt;
  // RFC 9293 3.10.7.4 fifth: the ACK field.
  if (!process_ack(now, segment, view, out)) {
    flush(now, out);
    return;
  }
  // Text queued with a SYN (process_queued_syn) moved RCV.NXT: the segment is seen anew.
  if (tcb_.rcv.nxt != next_before_ack) view = text_view(segment);
  // FreeBSD's tcp_twcheck() (knob time_wait_acknowledges_segments): every acceptable segment
  // but a duplicate ACK at RCV.NXT draws an ACK.
  if (state_ == State::time_wait && config_->time_wait_acknowledges_segments &&
      (segment.flags != flag::ack || !segment.payload.empty() || segment.seq != tcb_.rcv.nxt ||
       segment.ack != tcb_.snd.nxt)) {
    tcb_.ack_owed = true;
    tcb_.ack_rule = Rule::time_wait_segment_acknowledged;
  }
  // RFC 9293 3.10.7.4 sixth: the URG bit is ignored (RFC 6093 discourages its use).
  // RFC 9293 3.10.7.4 seventh: segment text.
  if (view.carries_text_or_fin) process_text(now, segment, view, out);
  // RFC 9293 3.10.7.4 eighth: the FIN bit (in order, or one held beyond RCV.NXT).
  if (view.fin || tcb_.held_fin) process_fin(now, view, out);
  flush(now, out);
}

void Connection::round_receive_buffer() {
  // FreeBSD's tcp_mss() (knob receive_buffer_rounded_to_mss): nothing is buffered yet, so the
  // window is the whole rounded buffer.
  if (!config_->receive_buffer_rounded_to_mss) return;
  tcb_.receive_buffer_rounded = true;
  tcb_.rcv.wnd = receive_window_limit();
}

void Connection::process_queued_syn(Time now, Output& out) {
  // RFC 9293 3.10.7.3 fourth: the text and FIN of a SYN taken in SYN_SENT, now ESTABLISHED.
  if (!tcb_.queued_syn) return;
  const Segment syn = std::move(*tcb_.queued_syn);
  tcb_.queued_syn.reset();
  const TextView view = text_view(syn);
  process_text(now, syn, view, out);
  process_fin(now, view, out);
}

void Connection::set_send_window(std::uint32_t window) {
  tcb_.snd.wnd = window;
  tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, window);
}

void Connection::process_reset(Output& out, bool in_window) {
  switch (state_) {
    case State::syn_received:
      if (passive_open_) {
        // RFC 9293 3.10.7.4 second: SYN-RECEIVED from a passive OPEN returns to LISTEN; "the
        // user need not be informed".
        return_to_listen(Rule::rst_in_syn_received_passive, out);
        return;
      }
      // From an active OPEN: "connection refused".
      enter_closed(Rule::rst_in_syn_received_active, AppEventKind::refused, out);
      return;
    case State::established:
    case State::fin_wait_1:
    case State::fin_wait_2:
    case State::close_wait:
      // RFC 9293 3.10.7.4 second: "connection reset", flush the queues, CLOSED.
      enter_closed(in_window ? Rule::rst_in_window_reset : Rule::rst_connection_reset,
                   AppEventKind::reset, out);
      return;
    case State::closing:
    case State::last_ack:
      // RFC 9293 3.10.7.4 second: enter CLOSED. The local close had not completed in order, so
      // the application hears "reset".
      enter_closed(Rule::rst_in_closing_or_last_ack, AppEventKind::reset, out);
      return;
    case State::time_wait:
      // RFC 9293 3.10.7.4 second: enter CLOSED (unless rfc1337, arrive_synchronized). Both
      // FINs were already acknowledged, so the close is reported as orderly.
      enter_closed(Rule::rst_in_time_wait, AppEventKind::closed, out);
      return;
    default:
      return;
  }
}

bool Connection::process_ack(Time now, const Segment& segment, const TextView& view, Output& out) {
  if (state_ == State::syn_received) {
    // RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: if SND.UNA < SEG.ACK =< SND.NXT enter ESTABLISHED
    // with SND.WND = SEG.WND, SND.WL1 = SEG.SEQ, SND.WL2 = SEG.ACK; else <SEQ=SEG.ACK><CTL=RST>.
    if (!(seq_lt(tcb_.snd.una, segment.ack) && seq_le(segment.ack, tcb_.snd.nxt))) {
      answer_with_reset(segment, Rule::syn_received_bad_ack_answered_with_reset, out);
      return false;
    }
    set_send_window(offered_by(segment));
    tcb_.snd.wl1 = segment.seq;
    tcb_.snd.wl2 = segment.ack;
    acknowledge(now, segment.ack, out);
    enter_established(Rule::syn_received_ack, out);
    if (passive_open_) round_receive_buffer();
    process_queued_syn(now, out);
    return true;
  }
  if (state_ == State::time_wait) {
    // RFC 9293 3.10.7.4 fifth, TIME-WAIT: only a retransmitted FIN is expected (handled in
    // classify); anything else acceptable changes nothing.
    return true;
  }
  // RFC 9293 3.10.7.4 fifth, ESTABLISHED and the states that process the ACK "as for
  // ESTABLISHED".
  if (seq_gt(segment.ack, tcb_.snd.nxt)) {
    // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
    // segment, and return."
    send_ack(out);
    discard(segment, Rule::ack_of_unsent_data, out);
    return false;
  }
  if (config_->rfc5961 && seq_lt(segment.ack, tcb_.snd.una - tcb_.max_snd_wnd)) {
    // RFC 5961 5.2 / RFC 9293 3.10.7.4 fifth (MAY-12): the ACK is acceptable only in
    // SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT; otherwise "discarded and an ACK sent back".
    // This stops blind data injection, which needs an ACK value to be taken. Without it
    // (RFC 793) an ACK below SND.UNA is a duplicate: ignored, and the text is processed.
    send_ack(out);
    discard(segment, Rule::ack_below_window, out);
    return false;
  }
  const bool duplicate = is_duplicate_ack(segment);
  const SeqNum una_before = tcb_.snd.una;
  if (seq_lt(tcb_.snd.una, segment.ack)) acknowledge(now, segment.ack, out);
  const auto acked = static_cast<std::uint32_t>(tcb_.snd.una - una_before);
  if (tcb_.sack) update_scoreboard(segment);
  // An old duplicate ACK (SEG.ACK < SND.UNA) updates no window.
  if (seq_le(tcb_.snd.una, segment.ack)) update_send_window(segment);
  // RFC 9293 3.10.7.4 fifth, CLOSING: an ACK that does not acknowledge our FIN is ignored, so
  // it counts as no duplicate either.
  const bool ignored = state_ == State::closing && !tcb_.fin_acknowledged;
  if (tcb_.congestion.enabled()) {
    // An ACK that acknowledges nothing and is no duplicate changes no congestion state.
    const bool counted_duplicate = duplicate && !ignored;
    if (acked > 0 || counted_duplicate) congestion_on_ack(now, counted_duplicate, acked, out);
  } else if (duplicate && !ignored && config_->duplicate_ack_threshold > 0 &&
             ++tcb_.duplicate_acks == config_->duplicate_ack_threshold) {
    // congestion_control none: RFC 5681 3.2's fast retransmit alone. The third duplicate ACK
    // means a segment was lost: resend it now, without waiting for the timer. Karn: the timed
    // segment can no longer give a sample.
    tcb_.rtt_timing = false;
    retransmit_oldest(out, SendPurpose::fast_retransmission,
                      Rule::fast_retransmit);
  }
  update_persist(now, out);
  switch (state_) {
    case State::fin_wait_1:
      // RFC 9293 3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter
      // FIN-WAIT-2". When this same segment carries the peer's FIN, the FIN step goes straight on
      // to TIME_WAIT instead.
      if (tcb_.fin_acknowledged && !view.fin) {
        change_state(State::fin_wait_2, Rule::fin_acknowledged_in_fin_wait_1, out);
        if (config_->fin_wait_2_timeout > 0) {
          set_timer(TimerKind::fin_wait_2, deadline_after(now, config_->fin_wait_2_timeout), out);
        }
      }
      return true;
    case State::closing:
      // RFC 9293 3.10.7.4 fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the
      // TIME-WAIT state; otherwise, ignore the segment".
      if (tcb_.fin_acknowledged) {
        enter_time_wait(now, Rule::fin_acknowledged_in_closing, out);
      } else {
        discard(segment, Rule::fin_unacknowledged_in_closing, out);
      }
      return false;
    case State::last_ack:
      // RFC 9293 3.10.7.4 fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB,
      // enter the CLOSED state, and return."
      if (tcb_.fin_acknowledged) {
        enter_closed(Rule::fin_acknowledged_in_last_ack, AppEventKind::closed, out);
        return false;
      }
      return true;
    default:
      return true;
  }
}

inline void Connection::update_send_window(const Segment& segment) {
  // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated" when the segment is
  // newer than the last update (WL1/WL2 rule).
  if (seq_lt(tcb_.snd.wl1, segment.seq) ||
      (tcb_.snd.wl1 == segment.seq && seq_le(tcb_.snd.wl2, segment.ack))) {
    set_send_window(offered_by(segment));
    tcb_.snd.wl1 = segment.seq;
    tcb_.snd.wl2 = segment.ack;
  }
}

bool Connection::is_duplicate_ack(const Segment& segment) const {
  // RFC 5681 2: a duplicate ACK acknowledges SND.UNA again while data is outstanding, carries
  // no data, SYN or FIN, and leaves the window unchanged.
  return segment.ack == tcb_.snd.una && seq_lt(tcb_.snd.una, tcb_.snd.nxt) &&
         segment.payload.empty() && !segment.has(flag::syn) && !segment.has(flag::fin) &&
         offered_by(segment) == tcb_.snd.wnd && !tcb_.window_probe_outstanding;
}

void Connection::acknowledge(Time now, SeqNum ack, Output& out) {
  const std::uint32_t advanced = static_cast<std::uint32_t>(ack - tcb_.snd.una);
  tcb_.snd.una = ack;
  if (!tcb_.syn_acknowledged && seq_gt(ack, tcb_.snd.iss)) tcb_.syn_acknowledged = true;
  // Remove the data bytes the ACK covers ("segments on the retransmission queue that are thereby
  // entirely acknowledged are removed").
  const std::int32_t sent = seq_diff(sent_data_end(), tcb_.send_buffer_seq);
  const std::int32_t covered = seq_diff(ack, tcb_.send_buffer_seq);
  if (sent > 0 && covered > 0) {
    const auto removed = static_cast<std::uint32_t>(std::min(sent, covered));
    tcb_.send_size -= removed;
    tcb_.send_buffer_seq += removed;
    while (!tcb_.push_points.empty() && seq_le(tcb_.push_points.front(), tcb_.send_buffer_seq)) {
      tcb_.push_points.pop_front();
    }
  }
  if (tcb_.fin_sent && seq_gt(ack, tcb_.fin_seq)) tcb_.fin_acknowledged = true;
  if (tcb_.window_probe_outstanding && advanced > 0) tcb_.window_probe_outstanding = false;
  tcb_.duplicate_acks = 0;
  tcb_.retransmissions = 0;
  if (tcb_.scoreboard_count > 0) prune_scoreboard();
  // RFC 6298 3 (Karn): a sample only from a segment never retransmitted; until one arrives a
  // backed-off RTO stays (RFC 6298 5.7 lets the backoff end with the next sample). Without
  // timestamps only an ACK that reaches the timed segment gives one (take_rtt_sample).
  if (tcb_.timestamps || (tcb_.rtt_timing && !seq_lt(ack, tcb_.rtt_seq))) {
    take_rtt_sample(now, ack);
  }
  if (tcb_.snd.una == tcb_.snd.nxt) {
    // RFC 6298 5.2: all outstanding data acknowledged: turn off the timer.
    cancel_timer(TimerKind::retransmission, out);
    // RFC 1122 4.2.3.6: a keepalive timer that found data outstanding starts again now.
    if (config_->keepalive &&
        timers_[static_cast<int>(TimerKind::keepalive)] == time_never && unsent_bytes() == 0 &&
        (state_ == State::established || state_ == State::close_wait ||
         state_ == State::fin_wait_1 || state_ == State::fin_wait_2)) {
      arm_keepalive(now, out);
    }
  } else {
    // RFC 6298 5.3: new data acknowledged: restart the timer.
    set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);
  }
  if (config_->user_timeout > 0) update_user_timeout(now, out, true);
}

// --- Congestion control and loss recovery (RFC 5681, RFC 6582, RFC 3042, RFC 6675) ---

std::uint32_t Connection::flight_size() const {
  return static_cast<std::uint32_t>(seq_diff(tcb_.snd.nxt, tcb_.snd.una));
}

bool Connection::sack_recovery() const {
  return tcb_.sack && tcb_.congestion.enabled();
}

std::uint32_t Connection::bytes_in_flight() const {
  return sack_recovery() && tcb_.in_fast_recovery ? pipe() : flight_size();
}

inline void Connection::congestion_on_ack(Time now, bool duplicate, std::uint32_t acked,
                                          Output& out) {
  CongestionControl& congestion = tcb_.congestion;
  const std::uint32_t smss = send_mss();
  if (acked > 0) {
    if (tcb_.in_fast_recovery) {
      if (seq_ge(tcb_.snd.una, tcb_.recover)) {
        // A full ACK ends the recovery. RFC 6582 3.2 step 3 option (1): cwnd =
        // min(ssthresh, max(FlightSize, SMSS) + SMSS); RFC 6675 (as RFC 5681 3.2 step 6):
        // cwnd = ssthresh.
        tcb_.in_fast_recovery = false;
        const std::uint32_t deflated =
            sack_recovery() ? congestion.ssthresh()
                            : std::min(congestion.ssthresh(), std::max(flight_size(), smss) + smss);
        congestion.set_cwnd(deflated);
      } else if (sack_recovery()) {
        sack_next_segments(out);  // RFC 6675 5 step C
      } else {
        // RFC 6582 3.2 step 4, a partial ACK: resend the first unacknowledged segment, deflate
        // cwnd by the amount acknowledged and add back one SMSS if that was at least one SMSS.
        // The timer restarts on every partial ACK (acknowledge): the "Slow-but-Steady" variant.
        std::uint32_t cwnd = congestion.raw_cwnd();
        cwnd = cwnd > acked ? cwnd - acked : 0;
        if (acked >= smss) cwnd += smss;
        congestion.set_cwnd(std::max(cwnd, smss));
        retransmit_oldest(out, SendPurpose::fast_retransmission, Rule::partial_ack_retransmit);
      }
      return;
    }
    congestion.on_ack(now, acked, tcb_.srtt);
    if (tcb_.timeout_recovery) {
      // After an RTO, an ACK below `recover` (the highest sent then) shows the next hole: it is
      // resent at once, as NewReno's partial ACK would (RFC 6582 3.2, "recover" at the timeout).
      if (seq_lt(tcb_.snd.una, tcb_.recover)) {
        retransmit_oldest(out, SendPurpose::retransmission, Rule::retransmission_after_timeout);
      } else {
        tcb_.timeout_recovery = false;
      }
    }
    return;
  }
  if (!duplicate || config_->duplicate_ack_threshold <= 0) return;
  ++tcb_.duplicate_acks;
  if (tcb_.in_fast_recovery) {
    if (sack_recovery()) {
      sack_next_segments(out);  // RFC 6675 5 step C
    } else {
      // RFC 5681 3.2 step 4: each further duplicate ACK inflates cwnd by one SMSS.
      congestion.set_cwnd(congestion.raw_cwnd() + smss);
    }
    return;
  }
  // RFC 5681 3.2 step 2 at DupThresh duplicate ACKs, or RFC 6675 5's IsLost(HighACK + 1);
  // before that RFC 3042's limited transmit lets new data go (usable_window).
  const bool loss_detected = tcb_.duplicate_acks >= config_->duplicate_ack_threshold ||
                             (sack_recovery() && is_lost(tcb_.snd.una));
  if (!loss_detected) return;
  // RFC 6582 3.2 step 2: only when the ACK covers more than `recover`, so one window's losses
  // halve cwnd once (an ACK at or below it follows a recovery or timeout already made).
  if (!seq_gt(tcb_.snd.una, tcb_.recover)) return;
  enter_loss_recovery(now, out);
}

void Connection::enter_loss_recovery(Time now, Output& out) {
  CongestionControl& congestion = tcb_.congestion;
  const std::uint32_t smss = send_mss();
  // RFC 6582 3.2 step 2 / RFC 6675 5 step 4.1: recover (RecoveryPoint) = HighData.
  tcb_.recover = tcb_.snd.nxt;
  tcb_.in_fast_recovery = true;
  tcb_.timeout_recovery = false;
  const std::uint32_t ssthresh = congestion.on_loss(now, flight_size());
  // Karn: the timed segment can no longer give a sample.
  tcb_.rtt_timing = false;
  if (sack_recovery()) {
    // RFC 6675 5 steps 4.2 to 4.4: cwnd = ssthresh, resend the first segment (HighACK + 1),
    // then as much as (cwnd - pipe) allows.
    congestion.set_cwnd(ssthresh);
    tcb_.high_rxt = tcb_.snd.una;
    const std::uint32_t sent =
        retransmit_data(tcb_.snd.una, segment_size(), SendPurpose::fast_retransmission,
                        Rule::fast_retransmit, out);
    tcb_.high_rxt = tcb_.snd.una + sent;
    sack_next_segments(out);
    return;
  }
  // RFC 5681 3.2 steps 2 and 3: cwnd = ssthresh + 3 * SMSS (the segments the duplicate ACKs
  // say have left the network), and resend the lost segment.
  congestion.set_cwnd(ssthresh + 3 * smss);
  retransmit_oldest(out, SendPurpose::fast_retransmission, Rule::fast_retransmit);
}

void Connection::congestion_on_timeout(Time now) {
  if (!tcb_.congestion.enabled() || !tcb_.syn_acknowledged) return;
  // RFC 5681 3.1 eq. 4 and LW; RFC 6582 3.2's recover = the highest sequence number sent; RFC
  // 2018 8: the SACKed bits are turned off after a timeout (the receiver may have reneged).
  tcb_.congestion.on_timeout(now, flight_size(), tcb_.retransmissions == 1);
  tcb_.in_fast_recovery = false;
  tcb_.timeout_recovery = true;
  tcb_.recover = tcb_.snd.nxt;
  tcb_.scoreboard_count = 0;
  tcb_.high_rxt = tcb_.snd.una;
}

void Connection::update_scoreboard(const Segment& segment) {
  // RFC 6675 2 / RFC 2018 4: record each block of new SACK information above SND.UNA (a block
  // below it, such as a D-SACK, or beyond what was sent, tells the scoreboard nothing).
  for (std::uint8_t i = 0; i < segment.sack_block_count && i < max_sack_blocks; ++i) {
    SackBlock block = segment.sack_blocks[i];
    if (!seq_lt(block.left, block.right) || !seq_gt(block.right, tcb_.snd.una) ||
        seq_gt(block.right, tcb_.snd.nxt)) {
      continue;
    }
    if (seq_lt(block.left, tcb_.snd.una)) block.left = tcb_.snd.una;
    // Insert in order of the left edge, then merge overlapping or touching neighbours.
    auto& board = tcb_.scoreboard;
    std::size_t count = tcb_.scoreboard_count;
    std::size_t at = 0;
    while (at < count && seq_lt(board[at].left, block.left)) ++at;
    if (count == board.size()) {
      if (at == count) continue;  // full: the lowest ranges are kept, they decide the holes
      --count;                    // the highest range gives way
    }
    for (std::size_t j = count; j > at; --j) board[j] = board[j - 1];
    board[at] = block;
    ++count;
    std::size_t merged = 0;
    for (std::size_t j = 1; j < count; ++j) {
      if (seq_le(board[j].left, board[merged].right)) {
        if (seq_gt(board[j].right, board[merged].right)) board[merged].right = board[j].right;
      } else {
        board[++merged] = board[j];
      }
    }
    tcb_.scoreboard_count = static_cast<std::uint8_t>(merged + 1);
  }
}

void Connection::prune_scoreboard() {
  // SND.UNA moved: what it covers leaves the scoreboard.
  auto& board = tcb_.scoreboard;
  std::size_t kept = 0;
  for (std::size_t j = 0; j < tcb_.scoreboard_count; ++j) {
    if (!seq_gt(board[j].right, tcb_.snd.una)) continue;
    board[kept] = board[j];
    if (seq_lt(board[kept].left, tcb_.snd.una)) board[kept].left = tcb_.snd.una;
    ++kept;
  }
  tcb_.scoreboard_count = static_cast<std::uint8_t>(kept);
}

bool Connection::is_lost(SeqNum seq) const {
  // RFC 6675 4 IsLost: DupThresh discontiguous SACKed sequences above `seq`, or more than
  // (DupThresh - 1) * SMSS bytes SACKed above it.
  const auto threshold = static_cast<std::uint32_t>(std::max(config_->duplicate_ack_threshold, 1));
  std::uint32_t ranges = 0;
  std::uint64_t bytes = 0;
  for (std::size_t j = 0; j < tcb_.scoreboard_count; ++j) {
    const SackBlock& block = tcb_.scoreboard[j];
    if (!seq_gt(block.right, seq)) continue;
    const SeqNum from = seq_gt(block.left, seq) ? block.left : seq + 1;
    bytes += static_cast<std::uint32_t>(block.right - from);
    ++ranges;
  }
  return ranges >= threshold || bytes > std::uint64_t{threshold - 1} * send_mss();
}

std::uint32_t Connection::pipe() const {
  // RFC 6675 4 SetPipe: every unSACKed octet between HighACK and HighData counts once if not
  // lost and once more if retransmitted (at or below HighRxt). IsLost is the same across a
  // hole (no SACKed byte lies inside it), so the sum goes hole by hole.
  std::uint64_t total = 0;
  SeqNum hole = tcb_.snd.una;
  for (std::size_t j = 0; j <= tcb_.scoreboard_count; ++j) {
    const SeqNum hole_end = j < tcb_.scoreboard_count ? tcb_.scoreboard[j].left : tcb_.snd.nxt;
    if (seq_lt(hole, hole_end)) {
      const auto length = static_cast<std::uint32_t>(hole_end - hole);
      if (!is_lost(hole)) total += length;
      if (seq_gt(tcb_.high_rxt, hole)) {
        const SeqNum end = seq_lt(tcb_.high_rxt, hole_end) ? tcb_.high_rxt : hole_end;
        total += static_cast<std::uint32_t>(end - hole);
      }
    }
    if (j < tcb_.scoreboard_count) hole = tcb_.scoreboard[j].right;
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(total, unlimited_window));
}

bool Connection::new_data_allowed() const {
  // RFC 6675 4 NextSeg (2): "available unsent data and the receiver's advertised window
  // allows", as transmit_pending decides it (SWS avoidance and Nagle aside from cwnd); a FIN
  // still to send is new data too.
  if (!can_send_data() || tcb_.fin_sent || tcb_.window_probe_outstanding) return false;
  const std::uint32_t unsent = unsent_bytes();
  if (unsent == 0) return tcb_.fin_requested;
  const auto in_flight = static_cast<std::uint32_t>(seq_diff(tcb_.snd.nxt, tcb_.snd.una));
  const std::uint32_t offered = offered_window();
  const std::uint32_t full_size = segment_size();
  const std::uint32_t length =
      std::min({unsent, full_size, offered > in_flight ? offered - in_flight : 0U});
  if (length == 0 || (length < full_size && length < unsent)) return false;
  return !(config_->nagle && length < full_size && !tcb_.fin_requested);
}

void Connection::sack_next_segments(Output& out) {
  // RFC 6675 5 step C: while (cwnd - pipe) >= 1 SMSS, send what NextSeg returns:
  // (1) the first lost unSACKed octet above HighRxt and below the highest SACKed octet;
  // (2) new data, which transmit_pending sends afterwards (usable_window counts pipe), so
  //     rules 3 and 4 wait while it may go;
  // (3) the first unSACKed octet above HighRxt below the highest SACKed, lost or not;
  // (4) once per recovery (HighACK > RescueRxt), the segment ending at the highest outstanding
  //     unSACKed octet, the rescue retransmission; RescueRxt = RecoveryPoint, HighRxt unchanged.
  const std::uint32_t smss = send_mss();
  for (;;) {
    if (std::uint64_t{pipe()} + smss > tcb_.congestion.raw_cwnd()) return;
    // Rules 1 and 3: the first qualifying octet in a hole below the highest SACKed octet.
    std::optional<std::pair<SeqNum, std::uint32_t>> lost;
    std::optional<std::pair<SeqNum, std::uint32_t>> not_lost;
    SeqNum hole = tcb_.snd.una;
    for (std::size_t j = 0; j < tcb_.scoreboard_count && !lost; ++j) {
      const SeqNum hole_end = tcb_.scoreboard[j].left;
      const SeqNum from = seq_gt(tcb_.high_rxt, hole) ? tcb_.high_rxt : hole;
      if (seq_lt(from, hole_end)) {
        const std::pair<SeqNum, std::uint32_t> next{
            from, std::min<std::uint32_t>(segment_size(),
                                          static_cast<std::uint32_t>(hole_end - from))};
        if (is_lost(from)) {
          lost = next;
        } else if (!not_lost) {
          not_lost = next;
        }
      }
      hole = tcb_.scoreboard[j].right;
    }
    if (!lost && new_data_allowed()) return;  // rule 2
    if (lost || not_lost) {
      const auto [seq, length] = lost ? *lost : *not_lost;
      tcb_.high_rxt = seq + length;
      const std::uint32_t sent = retransmit_data(
          seq, length, SendPurpose::fast_retransmission,
          lost ? Rule::sack_retransmit : Rule::sack_retransmit_not_yet_lost, out);
      if (sent == 0) return;
      continue;
    }
    // Rule 4: the highest outstanding unSACKed octet lies below SND.NXT, or below the highest
    // SACKed block when that reaches SND.NXT.
    if (tcb_.rescue_rxt && !seq_gt(tcb_.snd.una, *tcb_.rescue_rxt)) return;
    SeqNum tail_end = tcb_.snd.nxt;
    SeqNum tail_start = tcb_.snd.una;
    for (std::size_t j = tcb_.scoreboard_count; j-- > 0;) {
      if (seq_lt(tcb_.scoreboard[j].right, tail_end)) {
        tail_start = tcb_.scoreboard[j].right;
        break;
      }
      tail_end = tcb_.scoreboard[j].left;
      tail_start = j > 0 ? tcb_.scoreboard[j - 1].right : tcb_.snd.una;
    }
    if (!seq_lt(tail_start, tail_end)) return;
    // The data part of it (the FIN rides along when the segment reaches it).
    const SeqNum data_end = seq_lt(sent_data_end(), tail_end) ? sent_data_end() : tail_end;
    const auto data_length = static_cast<std::uint32_t>(seq_diff(data_end, tail_start));
    const std::uint32_t length = std::min(segment_size(), data_length);
    tcb_.rescue_rxt = tcb_.recover;
    if (length > 0) {
      retransmit_data(data_end - length, length, SendPurpose::fast_retransmission,
                      Rule::sack_rescue_retransmit, out);
    } else if (tcb_.fin_sent && !tcb_.fin_acknowledged && config_->retransmit_fin) {
      transmit(start_segment(out, tcb_.fin_seq, flag::fin | flag::ack), out,
               SendPurpose::fast_retransmission, Rule::sack_rescue_retransmit);
    }
    return;
  }
}

inline void Connection::take_rtt_sample(Time now, SeqNum ack) {
  Duration sample = 0;
  if (tcb_.timestamps) {
    // RFC 7323 4.1: with timestamps every ACK of new data is a sample, SEG.TSecr's age on the
    // TSval clock, retransmission or not (its echo names the transmission that arrived).
    const std::uint32_t clock = timestamp_clock(now) + timestamp_offset_;
    if (!arriving_echo_ || *arriving_echo_ == 0 || seq_gt(*arriving_echo_, clock)) return;
    sample = static_cast<Duration>(
                 static_cast<std::uint32_t>(clock - *arriving_echo_)) *
             millisecond;
  } else {
    if (!tcb_.rtt_timing || seq_lt(ack, tcb_.rtt_seq)) return;
    tcb_.rtt_timing = false;
    sample = now - tcb_.rtt_start;
  }
  if (config_->rto_formula == RtoFormula::linux_kernel) {
    estimate_rtt_as_linux(sample);
  } else if (!tcb_.has_rtt_sample) {
    // RFC 6298 2.2: SRTT = R, RTTVAR = R/2.
    tcb_.srtt = sample;
    tcb_.rttvar = sample / 2;
  } else {
    // RFC 6298 2.3 with alpha = 1/8, beta = 1/4, in integer nanoseconds.
    const Duration error = tcb_.srtt > sample ? tcb_.srtt - sample : sample - tcb_.srtt;
    tcb_.rttvar = static_cast<Duration>((WideDuration{3} * tcb_.rttvar + error) / 4);
    tcb_.srtt = static_cast<Duration>((WideDuration{7} * tcb_.srtt + sample) / 8);
  }
  tcb_.has_rtt_sample = true;
  tcb_.rto = computed_rto();
}

// Linux's tcp_rtt_estimator() (net/ipv4/tcp_input.c), in nanoseconds instead of its scaled
// microseconds. The first sample R gives SRTT = R and mdev = 2R (4 x RTTVAR = 4 x R/2, "make sure
// rto = 3*rtt"), the RTO term max(2R, rto_min). Later samples move SRTT and mdev by RFC 6298's
// gains, but an RTT falling by more than mdev moves it with 1/32 instead of 1/4. The RTO term
// follows mdev's largest value in the round trip at once, and falls a quarter of the way
// toward it once per round trip, never below rto_min.
void Connection::estimate_rtt_as_linux(Duration sample) {
  const Duration rto_min = config_->rto_min;
  if (!tcb_.has_rtt_sample) {
    tcb_.srtt = sample;
    tcb_.linux_mdev = static_cast<Duration>(std::min<WideDuration>(WideDuration{2} * sample,
                                                                   time_never));
    tcb_.linux_rttvar = std::max(tcb_.linux_mdev, rto_min);
    tcb_.linux_mdev_max = tcb_.linux_rttvar;
    tcb_.linux_round_end = tcb_.snd.nxt;
  } else {
    const WideDuration error = WideDuration{sample} - tcb_.srtt;
    tcb_.srtt = static_cast<Duration>(WideDuration{tcb_.srtt} + error / 8);
    WideDuration step = (error < 0 ? -error : error) - tcb_.linux_mdev / 4;
    if (error < 0 && step > 0) step /= 8;  // a falling RTT: gain 1/32, not 1/4
    tcb_.linux_mdev =
        static_cast<Duration>(std::min<WideDuration>(tcb_.linux_mdev + step, time_never));
    if (tcb_.linux_mdev > tcb_.linux_mdev_max) {
      tcb_.linux_mdev_max = tcb_.linux_mdev;
      tcb_.linux_rttvar = std::max(tcb_.linux_rttvar, tcb_.linux_mdev_max);
    }
    if (seq_gt(tcb_.snd.una, tcb_.linux_round_end)) {
      // A round trip ended: the term decays toward this round trip's largest mdev.
      if (tcb_.linux_mdev_max < tcb_.linux_rttvar) {
        tcb_.linux_rttvar -= (tcb_.linux_rttvar - tcb_.linux_mdev_max) / 4;
      }
      tcb_.linux_round_end = tcb_.snd.nxt;
      tcb_.linux_mdev_max = rto_min;
    }
  }
  tcb_.srtt = std::max<Duration>(tcb_.srtt, 1);
  tcb_.rttvar = tcb_.linux_mdev / 4;  // what rtt_variation() reports
}

void Connection::process_text(Time now, const Segment& segment, const TextView& view, Output& out) {
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
        discard(segment, Rule::text_after_fin_ignored, out);
      }
      return;
  }
  if (!view.in_order) {
    // RFC 9293 3.10.7.4 seventh: segments beyond RCV.NXT are held for later processing; RFC 5681
    // 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK naming the gap).
    store_out_of_order(segment, out);
    tcb_.ack_owed = true;
    tcb_.ack_rule = hold_fin(segment) ? Rule::out_of_order_fin_held : Rule::out_of_order_held;
    return;
  }
  if (config_->half_duplex_close && tcb_.fin_requested &&
      (view.take > 0 || !segment.payload.empty())) {
    // RFC 1122 4.2.2.13: after CLOSE on a half-duplex close, "if new data is received after
    // CLOSE is called, its TCP SHOULD send a RST to show that data was lost".
    send_reset(tcb_.snd.nxt, out);
    enter_closed(Rule::half_duplex_data_after_close, AppEventKind::aborted, out);
    return;
  }
  if (view.skip > 0) {
    // RFC 2883: the segment's first view.skip bytes were received before: a D-SACK, at once.
    const SeqNum first_byte = segment.seq + (segment.has(flag::syn) ? 1U : 0U);
    note_duplicate(first_byte, first_byte + view.skip);
    if (tcb_.dsack) tcb_.ack_owed = true;
  }
  bool filled_gap = false;
  if (view.take > 0) {
    const SeqNum live_end =
        tcb_.out_of_order.empty() ? tcb_.rcv.nxt : tcb_.out_of_order.back().second;
    const auto live = static_cast<std::uint32_t>(live_end - tcb_.read_seq);
    const auto needed = static_cast<std::uint32_t>(tcb_.rcv.nxt + view.take - tcb_.read_seq);
    receive_buffer_.reserve(tcb_.read_seq, live, std::max(live, needed));
    receive_buffer_.write(tcb_.rcv.nxt, segment.payload.data() + view.skip, view.take);
    tcb_.rcv.nxt += view.take;
    tcb_.rcv.wnd -= view.take;
    // Nothing held out of order (the common case): nothing to merge, no call.
    filled_gap = !tcb_.out_of_order.empty() && merge_out_of_order();
    if (automatic_read_) drain_to_application(out);
  }
  // "Send an acknowledgment of the form <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", piggybacked on
  // data when there is some to send. A retransmitted segment with nothing new is acknowledged
  // at once, and so is one that fills a gap (RFC 5681 4.2) or carries a FIN that ends a close
  // (FIN_WAIT_1, FIN_WAIT_2). In ESTABLISHED the FIN's ACK may wait as data's does
  // (process_fin).
  const bool fin_in_established = view.fin && state_ == State::established;
  if (config_->delayed_ack > 0 && view.take > 0 && !filled_gap &&
      (!view.fin || fin_in_established) && tcb_.out_of_order.empty()) {
    // RFC 1122 4.2.3.2: ACK at least every second full-sized segment, else within the delay.
    ++tcb_.segments_unacknowledged;
    if (tcb_.segments_unacknowledged >= 2) {
      tcb_.ack_owed = true;
    } else {
      schedule_delayed_ack(now, out);
    }
    return;
  }
  // A bare FIN in ESTABLISHED: process_fin decides when its ACK leaves.
  if (config_->delayed_ack > 0 && fin_in_established && segment.payload.empty()) return;
  tcb_.ack_owed = true;
}

void Connection::store_out_of_order(const Segment& segment, Output& out) {
  // Keep the part inside the window; overlaps with ranges already held are written again with
  // the same bytes (a sender never changes data at a sequence number).
  const SeqNum first = segment.seq + (segment.has(flag::syn) ? 1U : 0U);
  const auto offset = static_cast<std::uint32_t>(first - tcb_.rcv.nxt);
  if (offset >= tcb_.rcv.wnd || segment.payload.empty()) {
    if (segment.payload.empty()) return;
    discard(segment, Rule::out_of_order_beyond_window, out);
    return;
  }
  const std::uint32_t length =
      std::min<std::uint32_t>(static_cast<std::uint32_t>(segment.payload.size()),
                              tcb_.rcv.wnd - offset);
  const SeqNum end = first + length;
  const SeqNum live_end =
      tcb_.out_of_order.empty() ? tcb_.rcv.nxt : tcb_.out_of_order.back().second;
  const auto live = static_cast<std::uint32_t>(live_end - tcb_.read_seq);
  const auto needed = static_cast<std::uint32_t>(end - tcb_.read_seq);
  receive_buffer_.reserve(tcb_.read_seq, live, std::max(live, needed));
  receive_buffer_.write(first, segment.payload.data(), length);
  // Insert [first, end) into the sorted, disjoint ranges, merging neighbours.
  std::vector<std::pair<SeqNum, SeqNum>>& ranges = tcb_.out_of_order;
  // RFC 2883 4: data held already is reported as a D-SACK, the first overlap; the range holding
  // it follows as the second block (sack_ranges' first, below).
  for (const auto& [held_begin, held_end] : ranges) {
    if (seq_lt(held_begin, end) && seq_lt(first, held_end)) {
      note_duplicate(seq_gt(first, held_begin) ? first : held_begin,
                     seq_lt(end, held_end) ? end : held_end);
      break;
    }
  }
  std::size_t index = 0;
  while (index < ranges.size() && seq_lt(ranges[index].second, first)) ++index;
  SeqNum merged_begin = first;
  SeqNum merged_end = end;
  std::size_t last = index;
  while (last < ranges.size() && seq_le(ranges[last].first, merged_end)) {
    if (seq_lt(ranges[last].first, merged_begin)) merged_begin = ranges[last].first;
    if (seq_gt(ranges[last].second, merged_end)) merged_end = ranges[last].second;
    ++last;
  }
  ranges.erase(ranges.begin() + static_cast<std::ptrdiff_t>(index),
               ranges.begin() + static_cast<std::ptrdiff_t>(last));
  ranges.insert(ranges.begin() + static_cast<std::ptrdiff_t>(index), {merged_begin, merged_end});
  // RFC 2018 4: the range now holding this segment goes first in the SACK blocks; those it
  // swallowed go.
  std::erase_if(tcb_.sack_ranges, [&](const std::pair<SeqNum, SeqNum>& range) {
    return seq_le(range.first, merged_end) && seq_le(merged_begin, range.second);
  });
  tcb_.sack_ranges.insert(tcb_.sack_ranges.begin(), {merged_begin, merged_end});
}

void Connection::note_duplicate(SeqNum left, SeqNum right) {
  // RFC 2883 4: "A D-SACK block is only used to report a duplicate contiguous sequence of data
  // received by the receiver in the most recent packet": one block; the callers send the ACK
  // at once.
  if (!tcb_.sack || !config_->dsack || !seq_lt(left, right)) return;
  tcb_.dsack = SackBlock{left, right};
}

bool Connection::hold_fin(const Segment& segment) {
  // RFC 9293 3.10.7.4 first (SHLD-31): "Segments with higher beginning sequence numbers SHOULD
  // be held for later processing", their FIN too when it lies inside the window; process_fin
  // takes it when RCV.NXT reaches it. A sender never moves its FIN, so the first one held stays.
  if (!segment.has(flag::fin)) return false;
  const SeqNum fin = segment.seq + (segment.has(flag::syn) ? 1U : 0U) +
                     static_cast<std::uint32_t>(segment.payload.size());
  if (static_cast<std::uint32_t>(fin - tcb_.rcv.nxt) >= tcb_.rcv.wnd) return false;
  if (!tcb_.held_fin) tcb_.held_fin = fin;
  return true;
}

bool Connection::merge_out_of_order() {
  // Ranges now reached by RCV.NXT join the in-order stream.
  bool merged = false;
  while (!tcb_.out_of_order.empty() && seq_le(tcb_.out_of_order.front().first, tcb_.rcv.nxt)) {
    const SeqNum end = tcb_.out_of_order.front().second;
    if (seq_gt(end, tcb_.rcv.nxt)) {
      const auto gained = static_cast<std::uint32_t>(end - tcb_.rcv.nxt);
      tcb_.rcv.nxt = end;
      tcb_.rcv.wnd -= std::min(gained, tcb_.rcv.wnd);
    }
    tcb_.out_of_order.erase(tcb_.out_of_order.begin());
    merged = true;
  }
  // RFC 2018 4: a range RCV.NXT reached is acknowledged, no longer a SACK block.
  if (merged) {
    std::erase_if(tcb_.sack_ranges, [&](const std::pair<SeqNum, SeqNum>& range) {
      return seq_le(range.first, tcb_.rcv.nxt);
    });
  }
  return merged;
}

void Connection::drain_to_application(Output& out) {
  const auto count = static_cast<std::uint32_t>(readable_bytes());
  if (count == 0) return;
  hand_to_application(count, out);
  update_receive_window(out, false);
}

void Connection::hand_to_application(std::uint32_t count, Output& out) {
  // One data event with the next `count` unread bytes.
  if (count == 0) return;
  if (std::vector<std::uint8_t>* bytes = out.data_event(id_)) {
    receive_buffer_.read(tcb_.read_seq, count, *bytes);
  }
  tcb_.read_seq += count;
}

void Connection::update_receive_window(Output& out, bool announce) {
  // RFC 9293 3.8.6.2.2 (receiver SWS avoidance): the right edge RCV.NXT + RCV.WND moves on only
  // when the space freed reaches min(half the buffer, one MSS); it never moves back.
  const std::uint32_t limit = receive_window_limit();
  const auto unread = static_cast<std::uint32_t>(readable_bytes());
  const std::uint32_t available = limit > unread ? limit - unread : 0;
  if (available <= tcb_.rcv.wnd) return;
  const std::uint32_t threshold = std::min<std::uint32_t>(limit / 2, config_->mss);
  if (available - tcb_.rcv.wnd < threshold && available != limit) return;
  const std::uint32_t previous = tcb_.rcv.wnd;
  tcb_.rcv.wnd = available;
  // A window update after a read, when the peer may be waiting on a window that was small:
  // the new one is at least twice as large (as Linux's tcp_cleanup_rbuf decides).
  const bool peer_may_send = state_ == State::established || state_ == State::fin_wait_1 ||
                             state_ == State::fin_wait_2;
  if (announce && peer_may_send && available >= 2 * previous) {
    transmit(start_segment(out, tcb_.snd.nxt, flag::ack), out, SendPurpose::window_update,
             Rule::window_update);
  }
}

void Connection::signal_end_of_stream(Output& out) {
  // "Signal the user 'connection closing'": after the bytes still unread, as a socket's read
  // returns 0 only once the buffer is empty.
  if (readable_bytes() > 0) {
    tcb_.end_of_stream_pending = true;
    return;
  }
  app_event(AppEventKind::end_of_stream, Rule::peer_fin_end_of_stream, out);
}

void Connection::process_fin(Time now, const TextView& view, Output& out) {
  // RFC 9293 3.10.7.4 eighth: only an in-order FIN counts (its SEG.SEQ is validated); "signal
  // the user 'connection closing' ..., advance RCV.NXT over the FIN, and send an
  // acknowledgment for the FIN". A FIN held beyond RCV.NXT (hold_fin) counts once the text
  // before it has arrived.
  const bool held_fin_reached = tcb_.held_fin && *tcb_.held_fin == tcb_.rcv.nxt;
  if (view.fin || held_fin_reached || (tcb_.held_fin && seq_gt(tcb_.rcv.nxt, *tcb_.held_fin))) {
    tcb_.held_fin.reset();
  }
  if (!view.fin && !held_fin_reached) return;
  switch (state_) {
    case State::established:
      tcb_.rcv.nxt += 1;
      tcb_.fin_received = true;
      if (config_->delayed_ack > 0 && !tcb_.ack_owed) {
        // RFC 1122 4.2.3.2: the ACK of the FIN may be delayed like any other (Linux's tcp_fin
        // does so, entering "pingpong" mode), so an application that closes at once sends its
        // FIN with it: one FIN,ACK segment instead of an ACK and then a FIN.
        schedule_delayed_ack(now, out);
      } else {
        tcb_.ack_owed = true;
      }
      // "SYN-RECEIVED, ESTABLISHED: Enter the CLOSE-WAIT state." (SYN_RCVD became ESTABLISHED
      // in the ACK step.)
      change_state(State::close_wait, Rule::fin_in_established, out);
      signal_end_of_stream(out);
      return;
    case State::fin_wait_1:
      tcb_.rcv.nxt += 1;
      tcb_.fin_received = true;
      signal_end_of_stream(out);
      if (tcb_.fin_acknowledged) {
        // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT". The ACK
        // leaves first: with TIME_WAIT disabled the connection is gone right after.
        send_ack(out);
        tcb_.ack_owed = false;
        enter_time_wait(now, Rule::fin_in_fin_wait_1_acknowledging_ours, out);
      } else {
        // "otherwise, enter the CLOSING state" (simultaneous close).
        tcb_.ack_owed = true;
        change_state(State::closing, Rule::simultaneous_close, out);
      }
      return;
    case State::fin_wait_2:
      tcb_.rcv.nxt += 1;
      tcb_.fin_received = true;
      signal_end_of_stream(out);
      send_ack(out);
      tcb_.ack_owed = false;
      // "FIN-WAIT-2: Enter the TIME-WAIT state. Start the time-wait timer, turn off the other
      // timers."
      enter_time_wait(now, Rule::fin_in_fin_wait_2, out);
      return;
    case State::time_wait:
      // "TIME-WAIT: Remain in the TIME-WAIT state. Restart the 2 MSL time-wait timeout."
      tcb_.ack_owed = true;
      set_timer(TimerKind::time_wait, deadline_after(now, config_->time_wait), out);
      return;
    default:
      // "CLOSE-WAIT, CLOSING, LAST-ACK: Remain" (the FIN was already received).
      tcb_.ack_owed = true;
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

namespace {

// A packet slot that held SACK blocks or a payload, made as a new Segment would be. Blocks past
// the count are zero in every segment the core and decode_options make, so only a slot that
// held blocks needs clearing; a slot the driver moved from has no payload, and one a discard
// copied into gives its storage back, as the segment moved over it used to.
[[gnu::cold, gnu::noinline]] void clear_reused_slot(Segment& segment) {
  if (segment.sack_block_count != 0) {
    segment.sack_block_count = 0;
    segment.sack_blocks = {};
  }
  if (segment.payload.capacity() != 0) std::vector<std::uint8_t>().swap(segment.payload);
}

}  // namespace

Segment& Connection::start_segment(Output& out, SeqNum seq, std::uint8_t flags) const {
  // Built in place in the Output's next packet slot, which holds what its last use left: every
  // field is written (a Segment's defaults where the segment has nothing).
  Packet& packet = out.next_packet();
  packet.source = tuple_.local.address;
  packet.destination = tuple_.remote.address;
  Segment& segment = packet.segment;
  segment.source_port = tuple_.local.port;
  segment.destination_port = tuple_.remote.port;
  segment.seq = seq;
  segment.flags = flags;
  segment.ack = (flags & flag::ack) != 0 ? tcb_.rcv.nxt : 0;
  // RFC 7323 2.3: the window field is RCV.WND >> Rcv.Wind.Shift, but a SYN's is never scaled.
  const int shift = tcb_.window_scaling && (flags & flag::syn) == 0 ? tcb_.receive_window_shift
                                                                    : 0;
  segment.window = (flags & flag::rst) != 0 ? 0 : window_field(tcb_.rcv.wnd >> shift);
  segment.mss = 0;
  segment.window_scale = -1;
  segment.sack_permitted = false;
  segment.has_timestamps = false;
  segment.timestamp_value = 0;
  segment.timestamp_echo = 0;
  if (segment.sack_block_count != 0 || segment.payload.capacity() != 0) {
    clear_reused_slot(segment);  // rare, out of line: the common path calls nothing
  }
  if (tcb_.timestamps || tcb_.sack) add_options(segment);  // none without either
  return segment;
}

void Connection::add_options(Segment& segment) const {
  // RFC 7323 3.2: once negotiated, TSopt on every segment (a RST too, as Linux and FreeBSD
  // send theirs), TSecr = TS.Recent.
  if (tcb_.timestamps) {
    segment.has_timestamps = true;
    segment.timestamp_value = timestamp_clock(now_) + timestamp_offset_;
    segment.timestamp_echo = tcb_.timestamp_recent;
  }
  // RFC 2018 4: an ACK while out-of-order data is held carries SACK blocks, the first the
  // range holding the most recent segment, then the most recently reported others, as many as
  // fit beside the timestamps.
  // RFC 2883 4: a D-SACK block goes first.
  if (tcb_.sack && segment.has(flag::ack) && !segment.has(flag::syn) &&
      !segment.has(flag::rst)) {
    const std::size_t fit = sack_blocks_that_fit(tcb_.timestamps);
    std::size_t count = 0;
    if (tcb_.dsack) segment.sack_blocks[count++] = *tcb_.dsack;
    for (std::size_t index = 0; index < tcb_.sack_ranges.size() && count < fit; ++index) {
      segment.sack_blocks[count++] = {tcb_.sack_ranges[index].first,
                                      tcb_.sack_ranges[index].second};
    }
    segment.sack_block_count = static_cast<std::uint8_t>(count);
  }
}

void Connection::transmit(Segment& segment, Output& out, SendPurpose purpose, Rule rule) {
  assert(&segment == &out.next_packet().segment);  // built by start_segment, in place
  // Any segment with an ACK acknowledges everything received: a delayed ACK is no longer owed.
  if (segment.has(flag::ack)) {
    on_ack_sent(out);
    tcb_.last_ack_sent = segment.ack;  // RFC 7323 4.3: Last.ACK.sent
    // RFC 2883 4: each duplicate is reported in at most one D-SACK block (add_options).
    if (!segment.has(flag::syn) && !segment.has(flag::rst)) tcb_.dsack.reset();
  }
  // A retransmission is a segment whose sequence space this connection sent before (RFC 9293
  // 3.8.1, RFC 6298 5.4): the connection's own record says so, not a guess from the wire, so a
  // new connection on a reused 4-tuple with the same ISN retransmits nothing it never sent. A
  // zero-window probe's octet (RFC 9293 3.8.6.1: "new data") counts as sent only once the
  // window takes it: probes repeat it while the window is shut, and the data that follows the
  // window's opening starts with it, and none of these is a retransmission (nor is it to
  // Wireshark, whose probe analysis does not advance the next expected sequence number).
  const std::uint32_t length = purpose == SendPurpose::window_probe ? 0 : segment.sequence_length();
  const bool repeats = length > 0 && seq_lt(segment.seq, tcb_.sent_high);
  if (length > 0 && seq_gt(segment.seq + length, tcb_.sent_high)) {
    tcb_.sent_high = segment.seq + length;
  }
#ifndef NDEBUG
  if ((purpose == SendPurpose::retransmission || purpose == SendPurpose::fast_retransmission) &&
      !repeats) {
    // A timer or duplicate ACKs resend only what was sent: anything else is a bug in the core.
    std::fprintf(stderr, "tcpsim: a retransmission at seq %u repeats nothing sent (below %u)\n",
                 segment.seq, tcb_.sent_high);
    std::abort();
  }
#endif
  const bool syn = segment.has(flag::syn);
  // on_ack_sent's timer_cancel, if any, is already out: the transmit follows it.
  out.transmit_built(id_, purpose, repeats, rule);
  if (length > 0 && tcb_.congestion.enabled() && tcb_.syn_acknowledged && !syn) {
    // What limits this data or FIN segment (tcp/congestion.hpp), for the trace and the views.
    out.congestion(tcb_.congestion.raw_cwnd(), tcb_.congestion.ssthresh(), bytes_in_flight());
  }
}

void Connection::send_syn(Output& out, SendPurpose purpose, Rule rule) {
  // <SEQ=ISS><CTL=SYN> with our MSS option (RFC 9293 3.7.1) and the options the knobs turn on:
  // Window Scale (RFC 7323 2.2), SACK-permitted (RFC 2018 2), timestamps with TSecr 0 (RFC
  // 7323 3.2).
  Segment& segment = start_segment(out, tcb_.snd.iss, flag::syn);
  segment.mss = config_->mss;
  segment.window_scale = static_cast<std::int8_t>(config_->window_scaling);
  segment.sack_permitted = config_->sack;
  if (config_->timestamps) {
    segment.has_timestamps = true;
    segment.timestamp_value = timestamp_clock(now_) + timestamp_offset_;
    segment.timestamp_echo = 0;
  }
  transmit(segment, out, purpose, rule);
}

void Connection::send_syn_ack(Output& out, SendPurpose purpose, Rule rule) {
  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS option, and each option the peer's SYN
  // offered and we use (RFC 7323 2.2, 3.2; RFC 2018 2; negotiate_options); timestamps come from
  // start_segment.
  Segment& segment = start_segment(out, tcb_.snd.iss, flag::syn | flag::ack);
  segment.mss = config_->mss;
  if (tcb_.window_scaling) {
    segment.window_scale = static_cast<std::int8_t>(tcb_.receive_window_shift);
  }
  segment.sack_permitted = tcb_.sack;
  transmit(segment, out, purpose, rule);
}

void Connection::send_ack(Output& out) {
  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  transmit(start_segment(out, tcb_.snd.nxt, flag::ack), out);
}

void Connection::send_reset(SeqNum seq, Output& out) {
  transmit(start_segment(out, seq, flag::rst), out);
}

void Connection::answer_with_reset(const Segment& segment, Rule answered, Output& out) {
  // The segment as it arrived: remote to local.
  tcp::answer_with_reset(*config_, id_,
                         Packet{tuple_.remote.address, tuple_.local.address, segment}, answered,
                         out);
}

SeqNum Connection::sent_data_end() const { return tcb_.fin_sent ? tcb_.fin_seq : tcb_.snd.nxt; }

std::uint32_t Connection::send_mss() const {
  // RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS, our own MSS); SendMSS is 536 without an option.
  const std::uint32_t peer = tcb_.peer_mss != 0 ? tcb_.peer_mss : default_mss;
  return std::max<std::uint32_t>(1, std::min<std::uint32_t>(peer, config_->mss));
}

std::uint32_t Connection::segment_size() const {
  // RFC 6691 / RFC 9293 3.7.1: the MSS option counts no TCP options, so the options a data
  // segment carries (timestamps, SACK blocks: add_options) come out of its payload.
  if (!tcb_.timestamps && !tcb_.sack) return send_mss();  // no options (send_mss() >= 1)
  const std::size_t blocks =
      tcb_.sack ? std::min(tcb_.sack_ranges.size() + (tcb_.dsack ? 1U : 0U),
                           sack_blocks_that_fit(tcb_.timestamps))
                : 0;
  const std::uint32_t options = data_option_bytes(tcb_.timestamps, blocks);
  const std::uint32_t mss = send_mss();
  return mss > options ? mss - options : 1;
}

std::uint32_t Connection::unsent_bytes() const {
  return tcb_.send_size -
         static_cast<std::uint32_t>(seq_diff(sent_data_end(), tcb_.send_buffer_seq));
}

std::uint32_t Connection::offered_window() const {
  // The window the peer offered is anchored at the ACK of the segment that carried it
  // (SND.WL2): its right edge is SND.WL2 + SND.WND. When SND.UNA moves on through a segment
  // that may not update the window (RFC 9293 3.10.7.4: older than SND.WL1), SND.UNA + SND.WND
  // would reach past what the peer offered, so the edge is kept where the peer put it.
  const SeqNum right_edge = tcb_.snd.wl2 + tcb_.snd.wnd;
  return seq_gt(right_edge, tcb_.snd.una) ? static_cast<std::uint32_t>(right_edge - tcb_.snd.una)
                                          : 0;
}

std::uint32_t Connection::usable_window() const {
  // RFC 9293 3.8.6.2.1: U = SND.UNA + SND.WND - SND.NXT (with the anchored window above),
  // and RFC 5681 3: never more in flight than cwnd. In flight is FlightSize, or pipe during
  // RFC 6675 loss recovery. RFC 3042 (limited transmit): the first and second duplicate ACKs
  // let one new segment each go beyond cwnd, up to cwnd + 2 * SMSS.
  const auto in_flight = static_cast<std::uint32_t>(seq_diff(tcb_.snd.nxt, tcb_.snd.una));
  const std::uint32_t offered = offered_window();
  const std::uint32_t usable = offered > in_flight ? offered - in_flight : 0;
  if (!tcb_.congestion.enabled()) return usable;
  std::uint64_t allowance = tcb_.congestion.raw_cwnd();
  if (!tcb_.in_fast_recovery && tcb_.duplicate_acks > 0 &&
      tcb_.duplicate_acks < config_->duplicate_ack_threshold) {
    allowance += std::uint64_t{send_mss()} * static_cast<std::uint32_t>(tcb_.duplicate_acks);
  }
  const std::uint32_t counted = bytes_in_flight();
  const std::uint64_t room = allowance > counted ? allowance - counted : 0;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(usable, room));
}

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

void Connection::copy_payload(Segment& segment, SeqNum seq, std::uint32_t length,
                              Output& out) const {
  segment.payload = out.take_payload();  // a spent payload's capacity, when the driver gave one
  send_buffer_.read(seq, length, segment.payload);
}

bool Connection::push_point_in(SeqNum seq, std::uint32_t length) const {
  // PSH on the segment that carries the last byte of a write (RFC 9293 3.9.1.2).
  for (const SeqNum point : tcb_.push_points) {
    if (seq_gt(point, seq) && seq_le(point, seq + length)) return true;
    if (seq_gt(point, seq + length)) break;
  }
  return false;
}

inline bool Connection::transmit_pending(Time now, Output& out) {
  if (!can_send_data() || tcb_.fin_sent) return false;
  if (unsent_bytes() == 0 && !tcb_.fin_requested) {
    update_persist(now, out);  // nothing to send: only the persist state may change
    return false;
  }
  return transmit_queued(now, out);
}

bool Connection::transmit_queued(Time now, Output& out) {
  bool sent_any = false;
  if (tcb_.congestion.enabled() && tcb_.data_sent && unsent_bytes() > 0 &&
      tcb_.snd.una == tcb_.snd.nxt && now - tcb_.last_data_sent > tcb_.rto) {
    // RFC 5681 4.1: no data sent for more than an RTO: the ACK clock is gone, so start again
    // from at most the restart window.
    tcb_.congestion.restart_after_idle();
  }
  while (!tcb_.fin_sent && unsent_bytes() > 0 && !tcb_.window_probe_outstanding) {
    const std::uint32_t unsent = unsent_bytes();
    const std::uint32_t usable = usable_window();
    const bool nothing_in_flight = tcb_.snd.una == tcb_.snd.nxt;
    const std::uint32_t full_size = segment_size();
    std::uint32_t length = std::min({unsent, full_size, usable});
    if (length == 0) break;  // a closed window: the persist timer probes it
    if (length < full_size && length < unsent && !nothing_in_flight) {
      // RFC 9293 3.8.6.2.1 (sender SWS avoidance): no short segment into a small window while
      // data is in flight; the ACK that opens the window comes.
      break;
    }
    if (config_->nagle && length < full_size && !nothing_in_flight && !tcb_.fin_requested) {
      // RFC 9293 3.7.4 (Nagle): a short segment waits until the data in flight is acknowledged.
      break;
    }
    const bool last = length == unsent;
    std::uint8_t flags = flag::ack;
    if (push_point_in(tcb_.snd.nxt, length)) flags |= flag::psh;
    // The FIN rides on the last data segment when CLOSE was called.
    if (last && tcb_.fin_requested) flags |= flag::fin;
    Segment& segment = start_segment(out, tcb_.snd.nxt, flags);
    copy_payload(segment, tcb_.snd.nxt, length, out);
    if (!tcb_.rtt_timing) {
      // RFC 6298 3: time one segment per round trip (never a retransmission, Karn).
      tcb_.rtt_timing = true;
      tcb_.rtt_seq = tcb_.snd.nxt + length;
      tcb_.rtt_start = now;
    }
    tcb_.snd.nxt += length;
    if ((flags & flag::fin) != 0) {
      tcb_.fin_sent = true;
      tcb_.fin_seq = tcb_.snd.nxt;
      tcb_.snd.nxt += 1;
    }
    transmit(segment, out);
    sent_any = true;
  }
  if (tcb_.fin_requested && !tcb_.fin_sent && unsent_bytes() == 0) {
    // A FIN alone; it is sent even into a closed window so that a close never stalls.
    tcb_.fin_sent = true;
    tcb_.fin_seq = tcb_.snd.nxt;
    Segment& fin = start_segment(out, tcb_.snd.nxt, flag::fin | flag::ack);
    tcb_.snd.nxt += 1;  // before transmit, so the FIN counts in flight as a data segment does
    transmit(fin, out);
    sent_any = true;
  }
  if (sent_any) {
    tcb_.data_sent = true;
    tcb_.last_data_sent = now;
  }
  // RFC 6298 5.1: start the timer when data is sent and it is not running.
  if (sent_any && timers_[static_cast<int>(TimerKind::retransmission)] == time_never) {
    set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);
  }
  if (sent_any && config_->user_timeout > 0) update_user_timeout(now, out, false);
  update_persist(now, out);
  return sent_any;
}

void Connection::flush(Time now, Output& out) {
  // Data or a FIN carries the ACK; a bare ACK leaves only when nothing else does.
  const bool sent = transmit_pending(now, out);
  if (tcb_.ack_owed && !sent && state_ != State::closed) {
    // FreeBSD's tcp_output() (knob fin_on_every_segment): while the FIN is unacknowledged,
    // snd_nxt steps back over it and the segment carries it again.
    const bool with_fin =
        config_->fin_on_every_segment && tcb_.fin_sent && !tcb_.fin_acknowledged;
    transmit(with_fin ? start_segment(out, tcb_.fin_seq, flag::fin | flag::ack)
                      : start_segment(out, tcb_.snd.nxt, flag::ack),
             out, SendPurpose::normal, tcb_.ack_rule);
  }
  tcb_.ack_owed = false;
  tcb_.ack_rule = Rule::none;
}

void Connection::retransmit_oldest(Output& out, SendPurpose purpose, Rule rule) {
  // RFC 6298 5.4: retransmit the earliest segment not acknowledged.
  if (!tcb_.syn_acknowledged) {
    if (state_ == State::syn_sent) {
      send_syn(out, purpose, rule);
    } else {
      send_syn_ack(out, purpose, rule);
    }
    return;
  }
  const std::int32_t sent = seq_diff(sent_data_end(), tcb_.send_buffer_seq);
  if (sent > 0) {
    // RFC 9293 3.8.6 (RFC 1122 4.2.2.16): retransmit only what lies between SND.UNA and
    // SND.UNA+SND.WND, since the peer may have shrunk its window since the data was first sent;
    // into a zero window, send at most one octet (RFC 1122 4.2.2.17, a probe).
    const std::uint32_t window_allowance = std::max<std::uint32_t>(offered_window(), 1);
    retransmit_data(tcb_.send_buffer_seq, std::min(segment_size(), window_allowance), purpose,
                    rule, out);
    return;
  }
  if (tcb_.fin_sent && !tcb_.fin_acknowledged && config_->retransmit_fin) {
    transmit(start_segment(out, tcb_.fin_seq, flag::fin | flag::ack), out, purpose, rule);
  }
}

std::uint32_t Connection::retransmit_data(SeqNum seq, std::uint32_t limit, SendPurpose purpose,
                                          Rule rule, Output& out) {
  const std::int32_t sent = seq_diff(sent_data_end(), seq);
  if (sent <= 0 || seq_lt(seq, tcb_.send_buffer_seq)) return 0;
  const std::uint32_t length = std::min(static_cast<std::uint32_t>(sent), limit);
  if (length == 0) return 0;
  const bool reaches_end = length == static_cast<std::uint32_t>(sent);
  std::uint8_t flags = flag::ack;
  if (push_point_in(seq, length)) flags |= flag::psh;
  // Data and FIN go together when the FIN directly follows.
  const bool with_fin =
      reaches_end && tcb_.fin_sent && !tcb_.fin_acknowledged && config_->retransmit_fin;
  if (with_fin) flags |= flag::fin;
  Segment& segment = start_segment(out, seq, flags);
  copy_payload(segment, seq, length, out);
  transmit(segment, out, purpose, rule);
  return length + (with_fin ? 1U : 0U);
}

// --- Persist (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17) ---

inline void Connection::update_persist(Time now, Output& out) {
  // The common case: no probe out, no persist timer or backoff, and data in flight or nothing
  // to send: nothing update_persist_state does would change.
  if (!tcb_.window_probe_outstanding && tcb_.persist_backoff == 0 &&
      timers_[static_cast<int>(TimerKind::persist)] == time_never &&
      (tcb_.snd.una != tcb_.snd.nxt || unsent_bytes() == 0)) {
    return;
  }
  update_persist_state(now, out);
}

void Connection::update_persist_state(Time now, Output& out) {
  if (tcb_.window_probe_outstanding && offered_window() > 0) {
    // The window opened without taking the probe (its ACK is still SND.UNA): the probe octet
    // goes again at the head of the data that now fits, so SND.NXT steps back over it.
    tcb_.window_probe_outstanding = false;
    if (tcb_.snd.una != tcb_.snd.nxt) {
      tcb_.snd.nxt = tcb_.snd.una;
      tcb_.rtt_timing = false;
    }
  }
  // The persist timer runs while data waits behind a zero window and nothing else is in
  // flight (else the retransmission timer covers it).
  const bool waiting = can_send_data() && offered_window() == 0 && !tcb_.fin_sent &&
                       (unsent_bytes() > 0 || tcb_.window_probe_outstanding) &&
                       (tcb_.snd.una == tcb_.snd.nxt || tcb_.window_probe_outstanding);
  if (!waiting) {
    tcb_.persist_backoff = 0;
    cancel_timer(TimerKind::persist, out);
    return;
  }
  if (timers_[static_cast<int>(TimerKind::persist)] != time_never) return;
  if (tcb_.persist_backoff == 0) tcb_.persist_backoff = tcb_.rto;
  cancel_timer(TimerKind::retransmission, out);
  set_timer(TimerKind::persist, deadline_after(now, tcb_.persist_backoff), out);
}

void Connection::send_window_probe(Output& out) {
  // RFC 9293 3.8.6.1: "the sending TCP must regularly transmit at least one octet of new data
  // (if available)" into a zero window. The octet counts as sent; the ACK tells whether the
  // window took it.
  if (!tcb_.window_probe_outstanding) {
    tcb_.window_probe_outstanding = true;
    Segment& segment = start_segment(out, tcb_.snd.nxt, flag::ack);
    copy_payload(segment, tcb_.snd.nxt, 1, out);
    tcb_.snd.nxt += 1;
    transmit(segment, out, SendPurpose::window_probe,
             Rule::window_probe);
    return;
  }
  Segment& segment = start_segment(out, tcb_.snd.una, flag::ack);
  copy_payload(segment, tcb_.snd.una, 1, out);
  transmit(segment, out, SendPurpose::window_probe,
           Rule::window_probe);
}

// --- Keepalive (RFC 1122 4.2.3.6) ---

void Connection::arm_keepalive(Time now, Output& out) {
  if (!config_->keepalive) return;
  set_timer(TimerKind::keepalive,
            std::max(now, deadline_after(last_heard_, config_->keepalive_idle)), out);
}

void Connection::send_keepalive_probe(Output& out) {
  // RFC 1122 4.2.3.6: a segment with SEG.SEQ = SND.NXT-1 and no data, which any live peer
  // answers with an ACK (it lies before its window) and a rebooted peer with a RST.
  transmit(start_segment(out, tcb_.snd.nxt - 1, flag::ack), out, SendPurpose::keepalive_probe,
           Rule::keepalive_probe);
}

// --- Delayed ACK (RFC 1122 4.2.3.2) ---

void Connection::schedule_delayed_ack(Time now, Output& out) {
  if (timers_[static_cast<int>(TimerKind::delayed_ack)] != time_never) return;
  set_timer(TimerKind::delayed_ack, deadline_after(now, config_->delayed_ack), out);
}

void Connection::on_ack_sent(Output& out) {
  tcb_.segments_unacknowledged = 0;
  cancel_timer(TimerKind::delayed_ack, out);
}

// --- User timeout (RFC 9293 3.8.4, RFC 5482) ---

void Connection::update_user_timeout(Time now, Output& out, bool progress) {
  if (config_->user_timeout <= 0) return;
  if (tcb_.snd.una == tcb_.snd.nxt) {
    cancel_timer(TimerKind::user_timeout, out);
    return;
  }
  // Measured from the last progress: the send of the oldest unacknowledged octet, or the last
  // ACK of new data.
  if (progress || timers_[static_cast<int>(TimerKind::user_timeout)] == time_never) {
    set_timer(TimerKind::user_timeout, deadline_after(now, config_->user_timeout), out);
  }
}

// ---------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------

void Connection::set_timer(TimerKind kind, Time deadline, Output& out) {
  // A deadline past the end of representable time never comes: the timer is not armed at all
  // (docs/design.md, "Time"), and one armed before is cancelled.
  if (deadline == time_never) {
    cancel_timer(kind, out);
    return;
  }
  // Linux's timers fire on its timer wheel's ticks (tcp/timer_wheel.hpp; none: at the deadline).
  if (config_->timer_wheel != TimerWheel::none) {
    set_timer_on_wheel(kind, deadline, out);
    return;
  }
  timers_[static_cast<int>(kind)] = deadline;
  out.timer_set(id_, kind, deadline);
}

// The effect says which deadline was asked for too, so that the trace can tell when the wheel
// moved it.
void Connection::set_timer_on_wheel(TimerKind kind, Time deadline, Output& out) {
  const Time fires = timer_wheel_expiry(config_->timer_wheel, now_, deadline);
  timers_[static_cast<int>(kind)] = fires;
  out.timer_set(id_, kind, fires, deadline);
}

void Connection::cancel_timer(TimerKind kind, Output& out) {
  Time& deadline = timers_[static_cast<int>(kind)];
  if (deadline == time_never) return;
  deadline = time_never;
  out.timer_cancel(id_, kind);
}

void Connection::cancel_all_timers(Output& out) {
  for (int kind = 0; kind < timer_kind_count; ++kind) cancel_timer(static_cast<TimerKind>(kind), out);
}

// With a timer wheel the RTO is whole jiffies, as Linux's icsk_rto (usecs_to_jiffies() in
// __tcp_set_rto()), so that it doubles in jiffies.
Duration Connection::clamp_rto(Duration rto) const {
  return round_up_to_jiffies(
      config_->timer_wheel,
      std::clamp(rto, config_->rto_min, std::max(config_->rto_min, config_->rto_max)));
}

// RFC 6298 2.1: before any RTT measurement, RTO = the initial value.
void Connection::reset_rto() { tcb_.rto = clamp_rto(config_->rto_initial); }

// RFC 6298 5.7: "If the timer expires awaiting the ACK of a SYN segment and the TCP
// implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3
// seconds when data transmission begins (i.e., after the three-way handshake completes)." By
// Karn's rule the handshake gave no RTT sample then; the next sample computes the RTO afresh
// (RFC 6298 5.7's note: it may "collapse" back down).
void Connection::fall_back_rto_after_syn_timeout() {
  if (!tcb_.syn_timed_out || tcb_.has_rtt_sample || tcb_.rto >= rto_after_syn_timeout) return;
  tcb_.rto = clamp_rto(rto_after_syn_timeout);
}

// RFC 6298 2.2/2.3: RTO = SRTT + max(G, K*RTTVAR) with K = 4, then the bounds of 2.4 and 2.5.
// G, the clock granularity, is 1 ms here. Linux's __tcp_set_rto() adds its RTTVAR term, which is
// at least rto_min (estimate_rtt_as_linux), and tcp_bound_rto() applies rto_max.
Duration Connection::computed_rto() const {
  constexpr Duration clock_granularity = 1 * millisecond;
  const WideDuration variation =
      config_->rto_formula == RtoFormula::linux_kernel
          ? WideDuration{tcb_.linux_rttvar}
          : std::max<WideDuration>(clock_granularity, WideDuration{4} * tcb_.rttvar);
  const WideDuration rto = WideDuration{tcb_.srtt} + variation;
  return clamp_rto(static_cast<Duration>(std::min<WideDuration>(rto, time_never)));
}

// RFC 6298 5.5: RTO = RTO * 2, with the maximum of 2.5 applied.
void Connection::back_off_rto() {
  tcb_.rto = clamp_rto(doubled(tcb_.rto, std::max(config_->rto_min, config_->rto_max)));
}

int Connection::retry_limit() const {
  if (!tcb_.syn_acknowledged) {
    return state_ == State::syn_sent ? config_->syn_retries : config_->synack_retries;
  }
  return config_->data_retries;
}

// Linux's tcp_model_timeout() with tcp_timeout_init() as the base: how long syn_retries
// retransmissions take when the RTO starts at the initial one and doubles up to rto_max, from
// the first SYN to the expiry after the last retransmission ((2^(n+1) - 1) x 1 s: 15 s for 3).
Duration Connection::syn_time_budget() const {
  const Duration base = clamp_rto(config_->rto_initial);
  const Duration most = std::max({base, config_->rto_min, config_->rto_max});
  int doublings = 0;  // ilog2(most / base): the doublings that stay within rto_max
  while (doublings < 62 && (base << doublings) <= most / 2) ++doublings;
  const auto retries = static_cast<WideDuration>(config_->syn_retries);
  const WideDuration budget =
      retries <= doublings
          ? ((WideDuration{2} << config_->syn_retries) - 1) * base
          : ((WideDuration{2} << doublings) - 1) * base + (retries - doublings) * most;
  return static_cast<Duration>(std::min<WideDuration>(budget, time_never));
}

Rule Connection::give_up_rule(Time now) const {
  if (state_ == State::syn_sent && config_->syn_linear_timeouts > 0) {
    // Linux's tcp_write_timeout() in SYN_SENT: the count, then the time budget. Without linear
    // timeouts the budget ends on the same expiry as the count, so only the count is told.
    if (tcb_.retransmissions >= config_->syn_retries + config_->syn_linear_timeouts) {
      return Rule::syn_linear_retries_exhausted;
    }
    if (tcb_.retransmissions > 0 && now - tcb_.first_syn_sent >= syn_time_budget()) {
      return Rule::syn_time_budget_exhausted;
    }
    return Rule::none;
  }
  if (tcb_.retransmissions < retry_limit()) return Rule::none;
  if (!tcb_.syn_acknowledged && state_ == State::syn_received && !config_->retransmit_syn_ack) {
    return Rule::syn_ack_not_retransmitted_gave_up;
  }
  if (tcb_.syn_acknowledged && tcb_.fin_sent && !tcb_.fin_acknowledged &&
      !config_->retransmit_fin && seq_diff(sent_data_end(), tcb_.send_buffer_seq) <= 0) {
    return Rule::fin_not_retransmitted_gave_up;
  }
  if (!tcb_.syn_acknowledged) {
    return state_ == State::syn_sent
               ? Rule::syn_retries_exhausted
               : Rule::synack_retries_exhausted;
  }
  return Rule::data_retries_exhausted;
}

void Connection::timer_expired(Time now, TimerKind kind, Output& out) {
  now_ = now;
  Time& deadline = timers_[static_cast<int>(kind)];
  if (deadline != now) return;  // re-armed or cancelled since: a stale expiry
  deadline = time_never;
  switch (kind) {
    case TimerKind::retransmission: {
      if (const Rule give_up = give_up_rule(now); give_up != Rule::none) {
        // RFC 9293 3.8.3 (RFC 1122 4.2.3.5): past R2 the connection is closed. The RFC sends
        // nothing; Linux sends a RST when it gives up on a synchronized connection. We follow the
        // RFC: no RST.
        enter_closed(give_up, AppEventKind::timed_out, out);
        return;
      }
      ++tcb_.retransmissions;
      if (!tcb_.syn_acknowledged) tcb_.syn_timed_out = true;  // RFC 6298 5.7, in ESTABLISHED
      tcb_.rtt_timing = false;  // Karn: no sample from a retransmitted segment
      tcb_.duplicate_acks = 0;
      const bool syn_ack_off = !tcb_.syn_acknowledged && state_ == State::syn_received &&
                               !config_->retransmit_syn_ack;
      const bool fin_only_off = tcb_.syn_acknowledged && !config_->retransmit_fin &&
                                tcb_.fin_sent && !tcb_.fin_acknowledged &&
                                seq_diff(sent_data_end(), tcb_.send_buffer_seq) <= 0;
      const bool retransmits = !syn_ack_off && !fin_only_off;
      congestion_on_timeout(now);
      if (retransmits) {
        retransmit_oldest(out, SendPurpose::retransmission, Rule::retransmission_timeout);  // 5.4
      }
      // Otherwise teaching variants: the timer runs (so the connection still gives up in the
      // end) but the lost SYN-ACK or FIN is not sent again.
      // RFC 6298 5.5; Linux's tcp_syn_linear_timeouts keeps SYN_SENT's first timeouts linear.
      if (state_ != State::syn_sent || tcb_.retransmissions > config_->syn_linear_timeouts) {
        back_off_rto();
      }
      set_timer(TimerKind::retransmission, deadline_after(now, tcb_.rto), out);  // RFC 6298 5.6
      if (retransmits && tcb_.syn_acknowledged && tcb_.retransmissions == config_->r1_retries) {
        // RFC 9293 3.8.3 (SHLD-9) / RFC 1122 4.2.3.5: "inform the application of the delivery
        // problem ... when R1 is reached and before R2", R1 counting transmissions of the same
        // segment. The count starts again at each ACK of new data (acknowledge), so it is told
        // once per episode; r1_retries 0 never matches.
        app_event(AppEventKind::delivery_problem, Rule::r1_retries_reached, out);
      }
      return;
    }
    case TimerKind::time_wait:
      // RFC 9293 3.10.7.4: "When the time-wait timeout expires, delete the TCB."
      if (state_ == State::time_wait) {
        enter_closed(Rule::time_wait_expired, AppEventKind::closed, out);
      }
      return;
    case TimerKind::persist:
      // RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17: probe, and back off like the RTO (at most
      // rto_max). The connection is kept as long as the peer answers.
      if (!(offered_window() == 0 && (unsent_bytes() > 0 || tcb_.window_probe_outstanding))) return;
      send_window_probe(out);
      tcb_.persist_backoff =
          doubled(tcb_.persist_backoff, std::max(config_->rto_min, config_->rto_max));
      set_timer(TimerKind::persist, deadline_after(now, tcb_.persist_backoff), out);
      return;
    case TimerKind::keepalive: {
      if (!config_->keepalive || state_ == State::time_wait) return;
      const bool idle = now - last_heard_ >= config_->keepalive_idle;
      const bool busy = tcb_.snd.una != tcb_.snd.nxt || unsent_bytes() > 0;
      if (!idle) {
        // Heard from the peer since: the idle time counts from that segment.
        tcb_.keepalive_probes_sent = 0;
        set_timer(TimerKind::keepalive, deadline_after(last_heard_, config_->keepalive_idle), out);
        return;
      }
      if (busy) {
        // RFC 1122 4.2.3.6 / RFC 9293 3.8.4: keepalives "MUST only be sent when no sent data is
        // outstanding"; the retransmission timer watches the data, and gives up through the
        // data retries. The timer is armed again when the send queue drains (acknowledge).
        tcb_.keepalive_probes_sent = 0;
        return;
      }
      if (tcb_.keepalive_probes_sent >= config_->keepalive_probes) {
        enter_closed(Rule::keepalive_gave_up, AppEventKind::timed_out, out);
        return;
      }
      ++tcb_.keepalive_probes_sent;
      send_keepalive_probe(out);
      set_timer(TimerKind::keepalive, deadline_after(now, config_->keepalive_interval), out);
      return;
    }
    case TimerKind::delayed_ack:
      // RFC 1122 4.2.3.2: the delay is over; the ACK leaves.
      if (state_ != State::closed && state_ != State::listen) send_ack(out);
      return;
    case TimerKind::user_timeout:
      // RFC 9293 3.8.4: "if a timeout is specified, ... the connection is aborted" when data
      // stays unacknowledged that long.
      if (tcb_.snd.una == tcb_.snd.nxt) return;
      enter_closed(Rule::user_timeout, AppEventKind::timed_out, out);
      return;
    case TimerKind::fin_wait_2:
      if (state_ == State::fin_wait_2) {
        enter_closed(Rule::fin_wait_2_timeout, AppEventKind::timed_out, out);
      }
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// State changes
// ---------------------------------------------------------------------------------------------

void Connection::change_state(State to, Rule rule, Output& out, const char* caller) {
  // Every change is a row of the transition table; anything else is a programming error.
  if (!transition_allowed(state_, to, rule)) [[unlikely]] {
    transition_error(state_, to, rule, caller, "is not in the transition table");
  }
#ifndef NDEBUG
  // Debug builds also hold the table's `function` column to the truth.
  if (!made_by(*find_transition(state_, rule), caller)) {
    transition_error(state_, to, rule, caller, "is made by another function than the table says");
  }
#endif
  out.state_change(id_, state_, to, rule);
  state_ = to;
}

void Connection::enter_established(Rule rule, Output& out, const char* caller) {
  change_state(State::established, rule, out, caller);
  fall_back_rto_after_syn_timeout();
  // RFC 5681 3.1 / RFC 6928: the initial window, once the MSS is known; one segment when the
  // SYN or SYN-ACK was retransmitted. RFC 6582: recover starts at the ISS (no recovery yet).
  tcb_.congestion.start(config_->congestion_control, send_mss(),
                        initial_window(send_mss(), config_->initial_window), tcb_.syn_timed_out);
  tcb_.recover = tcb_.snd.iss;
  // RFC 1122 4.2.3.6: the idle time counts from the segment that established the connection.
  arm_keepalive(last_heard_, out);
  app_event(passive_open_ ? AppEventKind::accepted : AppEventKind::connected, rule, out);
  if (tcb_.fin_requested) {
    // RFC 9293 3.10.4: a CLOSE queued in SYN_RCVD (data was waiting) is processed now.
    change_state(State::fin_wait_1, Rule::queued_close_takes_effect, out);
  }
}

void Connection::enter_time_wait(Time now, Rule rule, Output& out, const char* caller) {
  // "Start the time-wait timer, turn off the other timers."
  cancel_all_timers(out);
  if (config_->time_wait <= 0) {
    enter_closed(Rule::time_wait_disabled, AppEventKind::closed, out);
    return;
  }
  change_state(State::time_wait, rule, out, caller);
  // FreeBSD's TIME_WAIT (receive_buffer_rounded_to_mss) keeps the window last advertised.
  if (config_->receive_buffer_rounded_to_mss) {
    tcb_.rcv.wnd = std::min<std::uint32_t>(tcb_.rcv.wnd, 0xFFFFU);
  }
  set_timer(TimerKind::time_wait, deadline_after(now, config_->time_wait), out);
}

void Connection::enter_closed(Rule rule, AppEventKind event, Output& out, const char* caller) {
  cancel_all_timers(out);
  change_state(State::closed, rule, out, caller);
  app_event(event, rule, out);
  tcb_.send_size = 0;
  send_buffer_.clear();
  receive_buffer_.clear();
  tcb_.push_points.clear();
  tcb_.out_of_order.clear();
  tcb_.sack_ranges.clear();
  tcb_.end_of_stream_pending = false;
  tcb_.fin_requested = false;
  tcb_.ack_owed = false;
  finished_ = opened_;
}

void Connection::return_to_listen(Rule rule, Output& out, const char* caller) {
  cancel_all_timers(out);
  change_state(State::listen, rule, out, caller);
  start_control_block(listen_isn_);
}

void Connection::app_event(AppEventKind kind, Rule rule, Output& out) {
  out.app_event(id_, kind, rule);
}

void Connection::discard(const Segment& segment, Rule rule, Output& out) {
  // The dropped segment as it arrived (remote to local).
  out.discard(id_, tuple_.remote.address, tuple_.local.address, segment, rule);
}

}  // namespace tcpsim::tcp
