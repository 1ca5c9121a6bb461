// The knobs of one host's TCP. The defaults here are the "rfc9293" profile's and follow the
// RFCs; tcp/knobs.cpp holds each knob's JSON key, range and documentation line, and the "linux"
// profile as a named set of deviations (docs/scenario-format.md is generated from it). The
// teaching variants (two-way handshake, no TIME_WAIT) are off unless a scenario turns them on.
#pragma once

#include <cstdint>
#include <optional>

#include "tcp/congestion.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"
#include "tcp/timer_wheel.hpp"

namespace tcpsim::tcp {

enum class Handshake : std::uint8_t {
  three_way,  // RFC 9293 section 3.5
  two_way,    // teaching variant: server ESTABLISHED on SYN, client on SYN-ACK, no third segment
};

// How a connection's initial sequence number is chosen when no fixed one is set (tcp/isn.hpp).
enum class IsnPolicy : std::uint8_t {
  random,   // a uniform draw from the host's seeded generator
  clock,    // RFC 793 3.3 / RFC 9293 3.4.1: the 4 us clock
  rfc6528,  // RFC 6528: the 4 us clock plus a keyed hash of the 4-tuple
};

// RFC 7323 2: a window_scaling of this value sends no Window Scale option.
inline constexpr int window_scaling_off = -1;
// RFC 7323 2.3: the largest shift count.
inline constexpr int max_window_scale = 14;
// How the RTO follows the RTT samples (tcp/connection.cpp, computed_rto).
enum class RtoFormula : std::uint8_t {
  rfc6298,       // RFC 6298 2.2-2.4: RTO = max(rto_min, SRTT + 4 RTTVAR)
  linux_kernel,  // Linux's tcp_rtt_estimator(), __tcp_set_rto(): SRTT + max(4 RTTVAR, rto_min)
};

// What a listener does with a SYN when its backlog is full (and SYN cookies are off).
enum class BacklogFull : std::uint8_t {
  drop,   // the SYN is dropped silently (Linux): the client retransmits it
  reset,  // the SYN is answered with a RST (Windows): the client is told "connection refused"
};

// RFC 7323 3.2: what a connection that negotiated timestamps does with a non-RST segment
// that carries none.
enum class MissingTimestamp : std::uint8_t {
  drop,    // RFC 7323 3.2: "a TCP SHOULD silently drop the segment"
  accept,  // Linux: tcp_validate_incoming() processes it (no PAWS check, no RTT sample)
};

struct TcpConfig {
  Handshake handshake = Handshake::three_way;

  // Maximum segment lifetime (RFC 9293 section 3.4.1 suggests 2 minutes) and the TIME_WAIT
  // duration (RFC 9293 section 3.10.7.4: 2 MSL). time_wait == 0 turns TIME_WAIT off: the
  // connection goes straight to CLOSED (teaching variant).
  Duration msl = 2 * minute;
  Duration time_wait = 4 * minute;

  // A fixed initial sequence number for every connection of the host, or none: then the host's
  // ISN source (tcp/isn.hpp) chooses one by `isn_policy`. The knob `isn` sets both.
  std::optional<std::uint32_t> fixed_isn;
  IsnPolicy isn_policy = IsnPolicy::random;

  // RFC 6298: initial RTO 1 s (2.1), minimum 1 s (2.4), maximum at least 60 s (2.5).
  Duration rto_initial = 1 * second;
  Duration rto_min = 1 * second;
  Duration rto_max = 60 * second;
  // RFC 6298's formula clamps SRTT + 4 RTTVAR to at least rto_min, so on a short path the RTO is
  // rto_min; Linux adds the floor to SRTT instead (its RTTVAR term is at least rto_min), so the
  // RTO is always above the RTT: 50 ms and rto_min 200 ms give 200 ms here, 250 ms in Linux.
  RtoFormula rto_formula = RtoFormula::rfc6298;
  // When timers fire (tcp/timer_wheel.hpp): at their deadline, as the RFCs' abstract timers do,
  // or rounded up as Linux's jiffies and timer wheel round them; the RTO is then also held in
  // whole jiffies (usecs_to_jiffies() in __tcp_set_rto()) before it doubles.
  TimerWheel timer_wheel = TimerWheel::none;

  // Retransmissions before giving up (Linux defaults: tcp_syn_retries 6, tcp_synack_retries 5,
  // tcp_retries2 15). RFC 1122 4.2.3.5 asks that R2 for a SYN be at least 3 minutes; with the
  // default RTO 1 s doubling, 6 SYN retries last 127 s before the final timeout, so the profile
  // documents that deviation.
  int syn_retries = 6;
  int synack_retries = 5;
  int data_retries = 15;
  // Linux 6.5 and later (tcp_syn_linear_timeouts, default 4): the first N retransmission
  // timeouts in SYN_SENT do not double the RTO, so the SYN is sent again N + 1 times one RTO
  // apart before the backoff starts. SYN_SENT then gives up as Linux's tcp_write_timeout()
  // does: after syn_retries + N retransmissions, or once the first SYN is as old as syn_retries
  // retransmissions take on the exponential schedule (tcp_model_timeout), whichever comes
  // first. With 0 (RFC 6298 5.5: always double) the two limits fall on the same expiry.
  int syn_linear_timeouts = 0;

  // RFC 9293 3.8.3 / RFC 1122 4.2.3.5: after R1 retransmissions of the same data or FIN the
  // application is told of the delivery problem (once per episode; TCP keeps trying until R2,
  // data_retries). RFC 1122 says R1 SHOULD be at least 3 retransmissions; 0 turns the notice
  // off (the application "disabled" it, RFC 1122 4.2.4.1). A SYN or SYN-ACK is not counted:
  // the application is still in connect(), or does not know the connection yet.
  int r1_retries = 3;

  // Our MSS, sent in the MSS option of SYN and SYN-ACK (RFC 9293 section 3.7.1). We send at
  // most min(the peer's MSS option, or 536 without one, and this value) per segment.
  std::uint16_t mss = 536;

  // Buffer sizes in bytes. The send buffer bounds what SEND accepts and what is not yet
  // acknowledged; the receive buffer holds bytes received but not yet read by the application
  // and out-of-order bytes, and RCV.WND is its free space (RFC 9293 3.8.6). Without window
  // scaling at most 65535 is advertised; with it (both sides sent the option) at most
  // 65535 << window_scaling.
  std::uint32_t send_buffer = 65536;
  std::uint32_t receive_buffer = 65535;

  // RFC 7323 2: the window scale shift we send in the Window Scale option of SYN and SYN-ACK
  // (0 .. 14), or window_scaling_off: no option. Scaling applies only when both sides sent one
  // (a SYN-ACK carries it only in answer to a SYN that did), and never to a SYN's window.
  int window_scaling = window_scaling_off;
  // RFC 7323 3: the Timestamps option on the SYN, and on every segment once both sides sent it:
  // RTT measurement from the echoed TSval (RFC 7323 4) and PAWS (RFC 7323 5). TSval is a 1 ms
  // clock shared by every connection of the simulation (1 at time 0), so it grows across
  // incarnations of a 4-tuple (RFC 7323 5.8, RFC 6191).
  bool timestamps = false;
  // Linux's tcp_timestamps = 1 (since 4.10; per address pair since 4.13, secure_tcp_ts_off()):
  // TSval is the clock plus an offset hashed from the two addresses under the host's secret
  // (tcp/isn.hpp), so it does not tell the host's uptime (RFC 7323 7). The same for every
  // incarnation of a 4-tuple, so TSval still grows across them (RFC 6191).
  bool timestamp_offset = false;
  // RFC 7323 3.2: a non-RST segment without TSopt on a connection using timestamps.
  MissingTimestamp timestamp_missing = MissingTimestamp::drop;
  // RFC 2018: SACK-permitted on the SYN, and SACK blocks on our ACKs once both sides sent it.
  bool sack = false;
  // RFC 2883: with SACK in use, the first SACK block of the ACK that answers a duplicate
  // segment reports the duplicate data (D-SACK). The sender takes no action on one.
  bool dsack = false;
  // How the options are laid out on the wire (their order and the NOP/EOL padding): Linux's
  // tcp_options_write() or FreeBSD's tcp_addoptions(). The values are the same either way.
  OptionLayout option_layout = OptionLayout::linux_order;

  // RFC 9293 3.7.4: Nagle's algorithm (SHOULD be on; a user may turn it off, as with
  // TCP_NODELAY): a short segment waits while data is in flight.
  bool nagle = true;

  // RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: delayed ACK. 0 turns it off (the default); when on,
  // an ACK waits at most this long (the RFC's limit is 500 ms) and at least every second
  // full-sized segment is acknowledged at once.
  Duration delayed_ack = 0;

  // RFC 5681 3.2: fast retransmit on this many duplicate ACKs; 0 turns it off. RFC 6675's
  // DupThresh for SACK loss recovery too.
  int duplicate_ack_threshold = 3;

  // RFC 9293 3.8.2 (MUST-19): congestion control (tcp/congestion.hpp). NewReno (RFC 5681,
  // RFC 6582) by default; CUBIC (RFC 9438) in the linux profile; none is a teaching variant
  // (only the peer's window limits the sender).
  CongestionAlgorithm congestion_control = CongestionAlgorithm::newreno;
  // The initial window in segments (RFC 6928: 10 in the linux profile); 0 is RFC 5681 3.1's
  // eq. 1 (2 to 4 segments by the MSS).
  std::uint32_t initial_window = 0;

  // RFC 1122 4.2.3.6: keepalive, off by default. After `keepalive_idle` without a segment from
  // the peer, a probe is sent every `keepalive_interval`; after `keepalive_probes` unanswered
  // probes the connection is dropped and the application told (timed_out).
  bool keepalive = false;
  Duration keepalive_idle = 2 * hour;
  Duration keepalive_interval = 75 * second;
  int keepalive_probes = 9;

  // RFC 9293 3.8.4 / RFC 5482: the user timeout. When data (or a SYN or FIN) stays
  // unacknowledged this long, the connection gives up (timed_out). 0 turns it off; the
  // retransmission limits above still apply.
  Duration user_timeout = 0;

  // A FIN_WAIT_2 timeout (not in the RFCs; Linux's tcp_fin_timeout, 60 s, in the linux
  // profile): a connection whose peer never sends its FIN is closed after this long in
  // FIN_WAIT_2. 0 turns it off (RFC 9293: FIN_WAIT_2 waits for the FIN for ever).
  Duration fin_wait_2_timeout = 0;

  // Teaching variants, on by default: turn off the retransmission of a lost SYN-ACK or FIN to
  // show what it protects against (RFC 9293 3.8.1: every SYN and FIN is retransmitted).
  bool retransmit_syn_ack = true;
  bool retransmit_fin = true;

  // Teaching variant, on by default: answer a segment that belongs to no connection (or an
  // unacceptable ACK in LISTEN, SYN_SENT or SYN_RCVD) with a RST (RFC 9293 3.10.7.1-3.10.7.4).
  // Off, such segments are dropped silently, as behind a firewall's DROP rule: a stale
  // SYN-ACK is no longer rejected and the peer's half-open connection lingers.
  bool reset_unexpected_segments = true;

  // RFC 1122 4.2.2.13: a host MAY implement a "half-duplex" close: once the application has
  // called CLOSE it cannot read, and data that is still unread at CLOSE or arrives after it
  // draws a RST "to show that data was lost". Off by default: RFC 9293's half-close, where the
  // closing side still receives.
  bool half_duplex_close = false;

  // RFC 1337 (TIME-WAIT assassination): a RST that reaches a connection in TIME_WAIT is
  // ignored instead of closing it early, so an old duplicate RST cannot cut 2 MSL short. Off by
  // default, as RFC 9293 3.10.7.4 says and as Linux's net.ipv4.tcp_rfc1337 = 0.
  bool rfc1337 = false;

  // RFC 5961 (RFC 9293 3.10.7.4 second, fourth and fifth checks): an in-window RST not at
  // RCV.NXT and a SYN in a synchronized state draw a challenge ACK, and an ACK below
  // SND.UNA - MAX.SND.WND is dropped with an ACK. On by default (RFC 9293 recommends it, Linux
  // does it). Off is RFC 793's behaviour: any in-window RST resets the connection, an
  // in-window SYN is answered with a RST and resets it, and no ACK is too old.
  bool rfc5961 = true;

  // RFC 1122 4.2.2.13 (and the note on TIME-WAIT of RFC 9293 3.10.7.4 fourth): a SYN whose
  // SEG.SEQ is above the final RCV.NXT of a connection in TIME_WAIT reopens the 4-tuple: the
  // TIME_WAIT connection is closed and the SYN handed to the port's listener as a new
  // connection, whose ISN is above every sequence number the old one used (RFC 1122's
  // condition 1, with Linux's SND.NXT + 65537). With timestamps on both connections, RFC
  // 6191's test is used too: a SYN whose TSval is above the last one seen reopens it whatever
  // its sequence number (Linux's tcp_timewait_state_process), and one PAWS rejects never does.
  // RFC 1122's condition 2 (back to TIME_WAIT if the SYN proves an old duplicate) is not
  // modelled, as Linux does not do it either. Off by default (RFC 9293: a challenge ACK, or
  // the first check's ACK); on in the linux profile, as Linux's tcp_timewait_state_process does.
  bool time_wait_accepts_syn = false;

  // FreeBSD's choices (the freebsd profile, tcp/knobs.cpp), off in rfc9293 and linux.
  // tcp_mss() reserves the receive buffer rounded up to a multiple of the MSS (65536 becomes
  // 65700 with an MSS of 1460), and tcp_input's acceptability test uses that whole space as
  // RCV.WND, beyond the 65535 the window field can carry (RFC 9293 3.3.1: RCV.WND is what we
  // advertise).
  bool receive_buffer_rounded_to_mss = false;
  // tcp_output() sets FIN again on every segment it sends while its FIN is unacknowledged
  // (snd_nxt is moved back over it): the ACK of the peer's FIN in FIN_WAIT_1 is FIN,ACK at the
  // FIN's sequence number. RFC 9293 3.10.7.4 eighth sends a plain ACK.
  bool fin_on_every_segment = false;
  // tcp_twcheck() drops a segment without the ACK bit (a RST or SYN aside) before looking at
  // its sequence number; RFC 9293 3.10.7.4 checks the sequence number first (an unacceptable
  // one draws an ACK).
  bool time_wait_drops_segments_without_ack = false;
  // tcp_twcheck() acknowledges every segment that is not a duplicate ACK at RCV.NXT (an
  // in-window one beyond RCV.NXT too); RFC 9293 3.10.7.4 has nothing to do for it.
  bool time_wait_acknowledges_segments = false;
  // tcp_input() drops a SYN-ACK reaching a listening socket silently (syncache_badack());
  // RFC 9293 3.10.7.2 second answers it with <SEQ=SEG.ACK><CTL=RST>.
  bool listen_drops_syn_ack = false;
  // FreeBSD's net.inet.tcp.drop_synfin = 1 (default 0): a SYN-FIN reaching a listener or a
  // connection in SYN_SENT is dropped silently (as tcp_input() and tcp_do_segment() do); RFC
  // 9293 3.10.7.2-3 processes the SYN.
  bool drop_syn_fin = false;

  // A listener whose backlog is full (RFC 9293 does not say what to do; Linux drops the SYN).
  BacklogFull backlog_full = BacklogFull::drop;
  // RFC 4987 3.6 SYN cookies (tcp/syn_cookie.hpp): with the backlog full, the SYN is answered
  // with a SYN-ACK whose ISN is a cookie and no TCB is kept; an ACK returning a valid cookie
  // makes the connection, ESTABLISHED at once. Off by default; on in the linux profile
  // (net.ipv4.tcp_syncookies = 1: cookies only once the backlog overflows).
  bool syn_cookies = false;
};

}  // namespace tcpsim::tcp
