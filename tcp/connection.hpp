// One TCP connection as a sans-IO state machine (RFC 9293 section 3.10). User calls, arriving
// segments and timer expiries go in; effects (segments to send, timers to arm, state changes,
// application events) come out, in order, in the Output passed to each call. It holds no clock,
// no socket and no simulator: `now` is given with every call.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <string_view>
#include <vector>

#include "tcp/config.hpp"
#include "tcp/congestion.hpp"
#include "tcp/sack_scoreboard.hpp"
#include "tcp/segment.hpp"
#include "tcp/sequence_buffer.hpp"
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
  // `config` is shared, not copied: a host's connections and a listener's children hold one
  // config between them (a TcpConfig is ~190 bytes; a million half-open connections share
  // one). It never changes under them: configure() gives the connection a copy of its own.
  Connection(ConnectionId id, std::shared_ptr<const TcpConfig> config, FourTuple tuple);
  Connection(ConnectionId id, const TcpConfig& config, FourTuple tuple)
      : Connection(id, std::make_shared<const TcpConfig>(config), tuple) {}
  // What a finished connection's buffers allocated, without their bytes: a connection made
  // with it behaves exactly as a new one and allocates nothing until it outgrows it (Host
  // reuses a freed connection's record and storage).
  struct Storage {
    SequenceBuffer send;
    SequenceBuffer receive;
    SequenceQueue push_points;
  };
  Connection(ConnectionId id, std::shared_ptr<const TcpConfig> config, FourTuple tuple,
             Storage storage)
      : Connection(id, std::move(config), tuple) {
    send_buffer_ = std::move(storage.send);
    receive_buffer_ = std::move(storage.receive);
    // Swapped: assigning a queue without items would keep this one's storage (none).
    tcb_.push_points.swap(storage.push_points);
  }
  // The buffers' blocks from `arena` (a host's; it outlives the connection), before any byte is
  // stored.
  void use_buffer_arena(BufferArena* arena) {
    send_buffer_.use_arena(arena);
    receive_buffer_.use_arena(arena);
  }
  Storage take_storage() {
    Storage storage{std::move(send_buffer_), std::move(receive_buffer_),
                    std::move(tcb_.push_points)};
    storage.send.clear();
    storage.receive.clear();
    storage.push_points.clear();
    return storage;
  }

  // --- User calls (RFC 9293 section 3.10.1 to 3.10.6) ---
  // OPEN, active: CLOSED -> SYN_SENT, sends SYN with `isn`.
  void open_active(Time now, SeqNum isn, Output& out);
  // OPEN, passive: CLOSED -> LISTEN. `isn` is used when a SYN arrives.
  void open_passive(Time now, SeqNum isn, Output& out);
  // A listener's new connection for the SYN listen_decision accepted. It is born in LISTEN, a
  // copy of its listener (as BSD's sonewconn() and ns-3's TcpSocketBase::Fork make it), so it
  // has no CLOSED -> LISTEN change of its own; the SYN then takes it to SYN_RCVD as LISTEN takes
  // a SYN, in the same call, without being judged again. `isn` is its own ISN.
  void open_from_listener(Time now, SeqNum isn, const Segment& syn, Output& out);
  // RFC 4987 3.6: made by an ACK that returned a valid SYN cookie (Host, tcp/syn_cookie.hpp).
  // Born in LISTEN as open_from_listener's, with ISS = the cookie (SEG.ACK - 1), IRS = SEG.SEQ
  // - 1 and the MSS the cookie carried; the ACK acknowledges our SYN, so it enters ESTABLISHED
  // at once. Text or a FIN on the ACK is then processed as in ESTABLISHED.
  void open_from_cookie(Time now, const Segment& ack, std::uint16_t peer_mss, Output& out);
  // SEND (3.10.2): takes as many bytes as the send buffer has room for and returns how many (a
  // blocking write would wait for the rest; the caller offers it again once
  // send_buffer_space() grows). Queued if not yet ESTABLISHED. nullopt when the connection
  // cannot send (a listener, or closing): a send_failed app event gives the RFC's error.
  std::optional<std::size_t> send(Time now, std::span<const std::uint8_t> data, Output& out);
  // RECEIVE (3.10.3) in manual read mode: up to `max_bytes` of the received bytes go to the
  // application (one data event) and the window opens. Returns how many.
  std::size_t read(Time now, std::size_t max_bytes, Output& out);
  // Automatic reads (the default): every in-order byte goes to the application as it arrives.
  // Manual: bytes wait in the receive buffer for read(), so a slow reader closes the window.
  // Switching to automatic reads everything buffered now.
  void set_automatic_read(Time now, bool automatic, Output& out);
  // CLOSE (3.10.4): sends FIN once queued data is sent; in LISTEN or SYN_SENT deletes the TCB.
  // False when refused (a CLOSE after CLOSE: "error: connection closing", a close_failed app
  // event says so). SEND's nullopt is the same: its refusal is a send_failed app event.
  bool close(Time now, Output& out);
  // ABORT (3.10.5): RST in synchronized states, then CLOSED.
  void abort(Time now, Output& out);
  // The listener that spawned this connection was closed or aborted before accept() returned
  // it (RFC 9293 3.10.4 deletes a LISTEN TCB and leaves its spawned connections unsaid): in
  // SYN_RCVD, reset as BSD's soclose() aborts a listener's incomplete connections and Linux's
  // inet_csk_listen_stop() its queued ones: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, CLOSED.
  void abort_unaccepted(Time now, Output& out);
  // Socket options on a live connection (setsockopt()): `config` replaces the knobs the table
  // marks live (tcp/knobs.hpp: Nagle, keepalive and its timings, the user timeout, the buffers,
  // delayed ACK) with their consequences: Nagle off sends what it held (RFC 9293 3.7.4),
  // keepalive on arms its timer and off cancels it (RFC 1122 4.2.3.6), a larger receive buffer
  // may open the window. False when `config` differs in a knob fixed once the connection exists
  // (its MSS, ISN, handshake, ...): nothing changes, a configure_failed app event says so.
  bool configure(Time now, const TcpConfig& config, Output& out);
  // Added to the TSval clock on every segment this connection stamps (knob timestamp_offset;
  // the host sets it from its secret before the connection opens).
  void set_timestamp_offset(std::uint32_t offset) { timestamp_offset_ = offset; }

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
  const TcpConfig& config() const { return *config_; }
  const std::shared_ptr<const TcpConfig>& shared_config() const { return config_; }
  const SendSequence& send_sequence() const { return tcb_.snd; }
  const ReceiveSequence& receive_sequence() const { return tcb_.rcv; }
  Time timer_deadline(TimerKind kind) const { return timers_[static_cast<int>(kind)]; }
  // Bytes accepted by SEND and not yet acknowledged (including not yet sent).
  std::size_t unacknowledged_bytes() const { return tcb_.send_size; }
  // Room left in the send buffer.
  std::size_t send_buffer_space() const;
  // Bytes received in order and not yet read by the application.
  std::size_t readable_bytes() const;
  // Bytes allocated for the send and receive buffers (they grow with use; a reused
  // connection's start with what its storage kept), for a driver that accounts for memory.
  std::size_t buffer_capacity() const {
    return send_buffer_.capacity() + receive_buffer_.capacity();
  }
  bool automatic_read() const { return automatic_read_; }
  // RFC 6298 state: the current RTO, and SRTT/RTTVAR (0 before the first sample).
  Duration retransmission_timeout() const { return tcb_.rto; }
  Duration smoothed_rtt() const { return tcb_.srtt; }
  Duration rtt_variation() const { return tcb_.rttvar; }
  bool has_rtt_sample() const { return tcb_.has_rtt_sample; }
  // Congestion control (tcp/congestion.hpp): cwnd (unlimited_window with congestion_control
  // none), ssthresh (unlimited_window before the first loss), and what the window counts as in
  // flight: SND.NXT - SND.UNA, or RFC 6675's pipe during SACK loss recovery.
  std::uint32_t congestion_window() const { return tcb_.congestion.cwnd(); }
  std::uint32_t slow_start_threshold() const { return tcb_.congestion.ssthresh(); }
  std::uint32_t bytes_in_flight() const;
  bool in_loss_recovery() const { return tcb_.in_fast_recovery; }
  // The SACK scoreboard (RFC 6675 2): the SACKed ranges above SND.UNA, sorted, disjoint.
  std::span<const SackBlock> scoreboard() const {
    return {tcb_.scoreboard.data(), tcb_.scoreboard_count};
  }
  // The MSS we send with: min(peer's MSS option or 536, our own).
  std::uint32_t send_mss() const;
  // The payload of a full-sized data segment: send_mss() less the options every data segment
  // carries now (RFC 6691, RFC 9293 3.7.1: the MSS excludes options; 12 bytes of timestamps).
  std::uint32_t segment_size() const;
  // RFC 7323 and RFC 2018 as negotiated on the SYNs: each true only when both sides sent the
  // option. The SACK sender reads sack_negotiated().
  bool window_scaling_negotiated() const { return tcb_.window_scaling; }
  int send_window_shift() const { return tcb_.send_window_shift; }
  int receive_window_shift() const { return tcb_.receive_window_shift; }
  bool timestamps_negotiated() const { return tcb_.timestamps; }
  std::uint32_t timestamp_recent() const { return tcb_.timestamp_recent; }
  bool sack_negotiated() const { return tcb_.sack; }
  // True once the connection reached CLOSED after having been opened: the host may delete it.
  bool finished() const { return finished_; }
  // Set when a SYN closed this connection in TIME_WAIT to reopen its 4-tuple
  // (time_wait_accepts_syn): the ISN the new incarnation takes, above every sequence number
  // this one used (RFC 1122 4.2.2.13). The host hands the SYN to its listener.
  std::optional<SeqNum> reopening_isn() const { return tcb_.reopening_isn; }

  // --- Tests ---
  // Off: every segment takes the full RFC 9293 3.10.7.4 steps, without header prediction
  // (arrive_predicted), so a test can show that the shortcut emits exactly what they emit.
  void set_header_prediction(bool on) { header_prediction_ = on; }

 private:
  // Implementation detail; see connection.cpp. Kept as members so one call allocates nothing
  // beyond the segments it emits.
  ConnectionId id_;
  std::shared_ptr<const TcpConfig> config_;  // never null
  FourTuple tuple_;
  State state_ = State::closed;
  bool finished_ = false;
  std::array<Time, timer_kind_count> timers_{};

  // The transmission control block (RFC 9293 3.2): everything one incarnation of the connection
  // knows about its two streams. OPEN and a fall back to LISTEN start a fresh one by assignment
  // (start_control_block), so no variable can be forgotten.
  struct Tcb {
    SendSequence snd;
    ReceiveSequence rcv;
    // Send side: bytes accepted by SEND and not yet acknowledged (sent or not), by sequence
    // number from send_buffer_seq; push_points are the ends of the writes (PSH goes on the
    // segment that carries one).
    std::uint32_t send_size = 0;
    SeqNum send_buffer_seq = 0;
    int retransmissions = 0;
    SequenceQueue push_points;  // no allocation while empty (tcp/sequence_buffer.hpp)
    bool syn_acknowledged = false;
    bool fin_requested = false;  // CLOSE was called: a FIN follows the queued data
    bool fin_sent = false;
    bool fin_acknowledged = false;
    SeqNum fin_seq = 0;
    std::uint16_t peer_mss = 536;  // RFC 9293 3.7.1: 536 until the peer's MSS option says
    bool syn_timed_out = false;  // the timer expired awaiting the ACK of our SYN (RFC 6298 5.7)
    bool ack_owed = false;         // an ACK must leave before the current call returns
    Rule ack_rule = Rule::none;    // why, when it is worth telling (a duplicate ACK)
    // RFC 5961 5.2 / RFC 9293 3.10.7.4 fifth: MAX.SND.WND, the largest window the peer has
    // offered; an ACK below SND.UNA - MAX.SND.WND is not acceptable.
    std::uint32_t max_snd_wnd = 0;
    // One past the highest sequence number this connection has sent (BSD's snd_max): a segment
    // whose sequence space starts below it repeats what was sent before, a retransmission.
    SeqNum sent_high = 0;
    Time first_syn_sent = 0;  // Linux's retrans_stamp in SYN_SENT: when the first SYN left

    // RFC 6298: RTO, SRTT, RTTVAR; one segment timed at a time (Karn: never a retransmitted
    // one).
    Duration rto = 0;
    Duration srtt = 0;
    Duration rttvar = 0;
    bool has_rtt_sample = false;
    bool rtt_timing = false;
    SeqNum rtt_seq = 0;  // the ACK that completes the timed segment
    Time rtt_start = 0;
    // Linux's estimator (rto_formula "linux"), its tcp_sock fields: mdev_us, 4 x the mean
    // deviation (RTTVAR is a quarter of it); mdev_max_us, its largest in this round trip;
    // rttvar_us, the RTO's term beside SRTT (at least rto_min); rtt_seq, the SND.NXT that ends
    // the round trip.
    Duration linux_mdev = 0;
    Duration linux_mdev_max = 0;
    Duration linux_rttvar = 0;
    SeqNum linux_round_end = 0;
    int duplicate_acks = 0;  // RFC 5681 3.2

    // Congestion control and loss recovery. in_fast_recovery: RFC 5681 3.2 fast recovery
    // (RFC 6582: until SND.UNA reaches `recover`), or RFC 6675 loss recovery with SACK (its
    // RecoveryPoint is `recover` too). timeout_recovery: after an RTO, ACKs below `recover`
    // resend the next unacknowledged segment (RFC 6582 3.2's "recover" set at the timeout).
    CongestionControl congestion;
    bool in_fast_recovery = false;
    bool timeout_recovery = false;
    bool data_sent = false;
    SeqNum recover = 0;
    Time last_data_sent = 0;  // RFC 5681 4.1: restart after idle
    // SACK (RFC 2018, RFC 6675): the scoreboard of SACKed ranges above SND.UNA (the lowest
    // kept when more arrive than it holds) and HighRxt, one past the highest retransmitted
    // (by NextSeg's rules 1 and 3).
    // SACK loss recovery (RFC 6675) runs when SACK was negotiated (tcb_.sack, knob `sack`) and
    // congestion control is on.
    SackScoreboard scoreboard;  // 16 ranges, allocated on first use (tcp/sack_scoreboard.hpp)
    std::uint8_t scoreboard_count = 0;
    SeqNum high_rxt = 0;
    // RFC 6675 2 RescueRxt: the RecoveryPoint of the recovery that sent its one rescue
    // retransmission (NextSeg rule 4); none yet in this TCB.
    std::optional<SeqNum> rescue_rxt;

    // Receive side: bytes from read_seq to RCV.NXT are received and unread; out_of_order holds
    // [begin, end) ranges beyond RCV.NXT, sorted, disjoint. RCV.NXT + RCV.WND is the right edge
    // we advertised, which never moves left (RFC 9293 3.8.6).
    SeqNum read_seq = 0;
    int segments_unacknowledged = 0;  // delayed ACK: in-order segments not yet acknowledged
    std::vector<std::pair<SeqNum, SeqNum>> out_of_order;
    bool end_of_stream_pending = false;
    bool fin_received = false;        // the FIN arrived while bytes were still unread
    // RFC 9293 3.10.7.4 first (SHLD-31): the sequence number of a FIN that arrived beyond
    // RCV.NXT, held with the out-of-order data and processed when RCV.NXT reaches it.
    std::optional<SeqNum> held_fin;

    // Persist (RFC 9293 3.8.6.1) and keepalive (RFC 1122 4.2.3.6).
    Duration persist_backoff = 0;
    bool window_probe_outstanding = false;
    int keepalive_probes_sent = 0;

    // RFC 7323 2: window scaling, on when both SYNs carried the option; the shifts applied to
    // the peer's window fields (Snd.Wind.Shift) and to ours (Rcv.Wind.Shift).
    bool window_scaling = false;
    int send_window_shift = 0;
    int receive_window_shift = 0;
    // RFC 7323 3 and 4.3: timestamps, on when both SYNs carried them; TS.Recent (with when it
    // was set, for RFC 7323 5.5's 24 days) and Last.ACK.sent.
    bool timestamps = false;
    std::uint32_t timestamp_recent = 0;
    Time timestamp_recent_time = 0;
    SeqNum last_ack_sent = 0;
    // RFC 2018: SACK, on when both SYNs carried SACK-permitted; the out-of-order ranges (the
    // same set as out_of_order) with the most recently changed first, for the SACK blocks.
    bool sack = false;
    bool receive_buffer_rounded = false;  // round_receive_buffer() ran
    std::vector<std::pair<SeqNum, SeqNum>> sack_ranges;
    // RFC 2883 (knob dsack): the duplicate data of the segment just received, reported in the
    // first SACK block of the next ACK and then forgotten.
    std::optional<SackBlock> dsack;

    std::optional<SeqNum> reopening_isn;  // reopening_isn()
    // RFC 9293 3.10.7.3 fourth: a SYN with text or FIN taken in SYN_SENT, processed once
    // ESTABLISHED (process_queued_syn).
    std::unique_ptr<Segment> queued_syn;  // out of line: rare, and a Segment is 96 bytes
  };
  Tcb tcb_;

  // How an arriving segment is classified in a synchronized state (RFC 9293 3.10.7.4, first to
  // fifth check) before the per-state transition acts on it.
  enum class Arrival : std::uint8_t {
    unacceptable,          // fails the four-case acceptability test
    reset_at_next,         // RST with SEG.SEQ = RCV.NXT
    reset_in_window,       // RST in the window but not at RCV.NXT (RFC 5961: challenge ACK)
    reset_outside_window,  // RST outside the window: silently dropped
    retransmitted_fin,     // TIME_WAIT: the peer's FIN again
    reopening_syn,         // TIME_WAIT: a SYN above RCV.NXT (time_wait_accepts_syn)
    paws_rejected,         // RFC 7323 5.3 R1: TSval older than TS.Recent
    timestamp_missing,     // RFC 7323 3.2: no TSopt though negotiated (timestamp_missing drop)
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

  // Segment arrival, per state group. The rare paths (loss recovery, SACK, probes, resets,
  // discards) are [[gnu::cold]]: out of line, so the common path's code stays compact.
  [[gnu::cold]] void arrive_closed(const Segment& segment, Output& out);
  void arrive_listen(Time now, const Segment& segment, Output& out);
  void accept_syn(Time now, const Segment& syn, Output& out);
  void heard_from_peer(Time now);
  void arrive_syn_sent(Time now, const Segment& segment, Output& out);
  void arrive_synchronized(Time now, const Segment& segment, Output& out);
  // True when an arriving segment is certainly Arrival::acceptable without classify's checks.
  bool plain_in_order(const Segment& segment) const;
  // Header prediction: true when it took the segment (a pure ACK of new data, or in-order
  // data), having done what the full steps do; false leaves it to them.
  [[gnu::always_inline]] inline bool arrive_predicted(Time now, const Segment& segment,
                                                      Output& out);
  [[gnu::noinline]] Arrival classify(const Segment& segment) const;
  bool acceptable(const Segment& segment) const;
  inline TextView text_view(const Segment& segment) const;  // defined in connection.cpp
  // `in_window`: a RST in the window but not at RCV.NXT, taken as RFC 793 takes it (rfc5961
  // off).
  [[gnu::cold]] void process_reset(Output& out, bool in_window = false);
  void set_send_window(std::uint32_t window);
  // RFC 9293 3.10.7.4 fifth: the WL1/WL2 rule for an ACK with SND.UNA =< SEG.ACK =< SND.NXT.
  inline void update_send_window(const Segment& segment);
  // The window a segment offers, in bytes: its field scaled by Snd.Wind.Shift (RFC 7323 2.3),
  // except on a SYN (RFC 7323 2.2).
  std::uint32_t offered_by(const Segment& segment) const;
  // RFC 7323 2, 3 and RFC 2018 2: what the peer's SYN (or SYN-ACK) says of the options.
  void negotiate_options(Time now, const Segment& syn);
  // RFC 7323 5.3 R1: a segment PAWS rejects (TSval older than TS.Recent).
  bool paws_rejects(const Segment& segment) const;
  // RFC 7323 4.3 (2): TS.Recent follows an acceptable segment at or before Last.ACK.sent.
  void note_timestamp(Time now, const Segment& segment);
  void add_options(Segment& segment) const;
  bool process_ack(Time now, const Segment& segment, const TextView& view, Output& out);
  void process_text(Time now, const Segment& segment, const TextView& view, Output& out);
  [[gnu::cold]] void store_out_of_order(const Segment& segment, Output& out);
  // RFC 2883: the data [left, right) arrived again; the next ACK reports it (knob dsack).
  void note_duplicate(SeqNum left, SeqNum right);
  bool merge_out_of_order();
  // Holds the FIN of an out-of-order segment (SHLD-31); true when it did.
  [[gnu::cold]] bool hold_fin(const Segment& segment);
  void drain_to_application(Output& out);
  void hand_to_application(std::uint32_t count, Output& out);
  void signal_end_of_stream(Output& out);
  void update_receive_window(Output& out, bool announce);
  std::uint32_t receive_window_limit() const;
  // The receive buffer's size: the knob, or FreeBSD's rounding (receive_buffer_rounded_to_mss).
  std::uint32_t receive_capacity() const;
  void process_queued_syn(Time now, Output& out);
  void round_receive_buffer();
  bool is_duplicate_ack(const Segment& segment) const;
  [[gnu::always_inline]] inline void take_rtt_sample(Time now, SeqNum ack);
  void estimate_rtt_as_linux(Duration sample);
  void schedule_delayed_ack(Time now, Output& out);
  void on_ack_sent(Output& out);
  inline void update_persist(Time now, Output& out);  // the common case's test, inline
  [[gnu::noinline]] void update_persist_state(Time now, Output& out);
  [[gnu::cold]] void send_window_probe(Output& out);
  [[gnu::cold]] void send_keepalive_probe(Output& out);
  void arm_keepalive(Time now, Output& out);
  void update_user_timeout(Time now, Output& out, bool progress);
  void process_fin(Time now, const TextView& view, Output& out);
  void acknowledge(Time now, SeqNum ack, Output& out);
  // Congestion control's part of an ACK (RFC 5681 3, RFC 6582 3.2, RFC 6675 5).
  [[gnu::always_inline]] inline void congestion_on_ack(Time now, bool duplicate, std::uint32_t acked, Output& out);
  [[gnu::cold]] void enter_loss_recovery(Time now, Output& out);
  [[gnu::cold]] void congestion_on_timeout(Time now);
  bool sack_recovery() const;
  std::uint32_t flight_size() const;
  // RFC 6675 2 and 4: the scoreboard, IsLost, SetPipe, and NextSeg's four rules driven by the
  // "(cwnd - pipe) >= 1 SMSS" loop of 5 step C (rule 2, new data, is transmit_pending's).
  [[gnu::cold]] void update_scoreboard(const Segment& segment);
  void prune_scoreboard();
  bool is_lost(SeqNum seq) const;
  std::uint32_t pipe() const;
  bool new_data_allowed() const;
  [[gnu::cold]] void sack_next_segments(Output& out);

  // Sending.
  // The segment <SEQ=seq><ACK=RCV.NXT if ACK><CTL=flags> with the window and the negotiated
  // options, built in place as `out`'s next packet (Output::next_packet), for transmit().
  Segment& start_segment(Output& out, SeqNum seq, std::uint8_t flags) const;
  // Sends the segment start_segment() built in `out` (no copy on the way to the effect).
  void transmit(Segment& segment, Output& out, SendPurpose purpose = SendPurpose::normal,
                Rule rule = Rule::none);
  void send_syn(Output& out, SendPurpose purpose = SendPurpose::normal, Rule rule = Rule::none);
  void send_syn_ack(Output& out, SendPurpose purpose = SendPurpose::normal,
                    Rule rule = Rule::none);
  void send_ack(Output& out);
  void send_reset(SeqNum seq, Output& out);
  // tcp::answer_with_reset for a segment that arrived on this connection.
  [[gnu::cold]] void answer_with_reset(const Segment& segment, Rule answered, Output& out);
  // Sends the queued data and FIN the windows and Nagle allow; true when anything left. The
  // test for nothing to send is inline; transmit_queued sends.
  inline bool transmit_pending(Time now, Output& out);
  bool transmit_queued(Time now, Output& out);
  void flush(Time now, Output& out);
  [[gnu::cold]] void retransmit_oldest(Output& out, SendPurpose purpose, Rule rule);
  // Resends up to `limit` bytes of sent data from `seq` (with the FIN if it reaches it);
  // returns the sequence space resent.
  [[gnu::cold]] std::uint32_t retransmit_data(SeqNum seq, std::uint32_t limit,
                                              SendPurpose purpose, Rule rule, Output& out);
  SeqNum sent_data_end() const;
  std::uint32_t unsent_bytes() const;
  std::uint32_t usable_window() const;
  std::uint32_t offered_window() const;
  bool can_send_data() const;
  void copy_payload(Segment& segment, SeqNum seq, std::uint32_t length, Output& out) const;
  bool push_point_in(SeqNum seq, std::uint32_t length) const;

  // Timers and the RTO (RFC 6298): the RTO is computed in these functions only.
  void set_timer(TimerKind kind, Time deadline, Output& out);
  // set_timer with a timer wheel: out of line, so that the path without one stays as short.
  [[gnu::noinline]] void set_timer_on_wheel(TimerKind kind, Time deadline, Output& out);
  void cancel_timer(TimerKind kind, Output& out);
  void cancel_all_timers(Output& out);
  Duration clamp_rto(Duration rto) const;
  void reset_rto();
  void fall_back_rto_after_syn_timeout();
  void back_off_rto();
  Duration computed_rto() const;
  int retry_limit() const;
  Duration syn_time_budget() const;
  // The rule by which the retransmission timer, expiring at `now`, gives up; Rule::none while
  // it goes on.
  Rule give_up_rule(Time now) const;

  // State changes. Each must be a row of the transition table (tcp/transitions.hpp); `caller`
  // is the function that decided it (the table names it; debug builds check that too).
  void change_state(State to, Rule rule, Output& out, const char* caller = __builtin_FUNCTION());
  void enter_established(Rule rule, Output& out, const char* caller = __builtin_FUNCTION());
  void enter_time_wait(Time now, Rule rule, Output& out,
                       const char* caller = __builtin_FUNCTION());
  void enter_closed(Rule rule, AppEventKind event, Output& out,
                    const char* caller = __builtin_FUNCTION());
  void return_to_listen(Rule rule, Output& out, const char* caller = __builtin_FUNCTION());
  void start_control_block(SeqNum isn);
  void app_event(AppEventKind kind, Rule rule, Output& out);
  [[gnu::cold]] void discard(const Segment& segment, Rule rule, Output& out);

  // What outlives one control block: the byte storage the streams index by sequence number
  // (emptied when the connection closes), how the connection was opened, the application's read
  // mode, and when the peer was last heard.
  SequenceBuffer send_buffer_;
  SequenceBuffer receive_buffer_;
  bool passive_open_ = false;  // the connection came from LISTEN
  bool opened_ = false;
  SeqNum listen_isn_ = 0;
  bool automatic_read_ = true;
  bool header_prediction_ = true;  // set_header_prediction
  Time last_heard_ = 0;
  // The time of the call being processed (every public call sets it), for the TSval of the
  // segments it sends (RFC 7323 3).
  Time now_ = 0;
  // TSval = timestamp_clock(now_) + this (set_timestamp_offset).
  std::uint32_t timestamp_offset_ = 0;
  // The arriving segment's TSecr while it is processed, for RFC 7323 4.1's RTT measurement.
  std::optional<std::uint32_t> arriving_echo_;
};

// RFC 7323 3: the TSval clock, 1 ms per tick and 1 at time 0, shared by every connection (so
// it never goes back across incarnations of a 4-tuple, RFC 7323 5.8); it wraps at 2^32.
std::uint32_t timestamp_clock(Time now);

// RFC 9293 3.10.7.1: the reset a CLOSED endpoint sends in answer to `arriving` (ports swapped;
// the caller adds the addresses). Returns false when none is due: an arriving RST is never
// answered.
bool reset_for_segment(const Segment& arriving, Segment& reset_out);

// RFC 9293 3.10.7.1 to 3.10.7.4: answers `arriving` (a packet as it arrived, remote to local)
// with the reset reset_for_segment forms and discards it, citing `answered`; with
// reset_unexpected_segments off (a teaching variant) it only discards it, citing the rule that
// says so. The one place that reads that knob: CLOSED, no connection, LISTEN, SYN_SENT and
// SYN_RCVD all answer through it. `arriving` carries no RST (a RST is never answered; callers
// discard one first, by their own rule). `connection` is the TCB answering, or no_connection.
void answer_with_reset(const TcpConfig& config, ConnectionId connection, const Packet& arriving,
                       Rule answered, Output& out);

// RFC 9293 3.10.7.2: what LISTEN does with an arriving segment. The one LISTEN rule, for a
// listening connection and for the host's listeners alike: the host asks it before it opens a
// connection, and hands an accepted SYN down once (Connection::open_from_listener).
struct ListenDecision {
  enum class Action : std::uint8_t {
    discard,            // drop it, citing `rule`
    answer_with_reset,  // answer_with_reset(..., `rule`, ...)
    accept_syn,         // a SYN: open a connection for it
  };
  Action action = Action::discard;
  Rule rule = Rule::none;
};
ListenDecision listen_decision(const Segment& segment, const TcpConfig& config);

}  // namespace tcpsim::tcp
