// The knobs of one host's TCP, with their documented defaults (docs/scenario-format.md).
// Defaults follow the RFCs; the "linux" profile is a named set of deviations, and the teaching
// variants (two-way handshake, no TIME_WAIT) are off unless a scenario turns them on.
#pragma once

#include <cstdint>
#include <optional>

#include "tcp/time.hpp"

namespace tcpsim::tcp {

enum class Handshake : std::uint8_t {
  three_way,  // RFC 9293 section 3.5
  two_way,    // teaching variant: server ESTABLISHED on SYN, client on SYN-ACK, no third segment
};

struct TcpConfig {
  Handshake handshake = Handshake::three_way;

  // Maximum segment lifetime (RFC 9293 section 3.4.1 suggests 2 minutes) and the TIME_WAIT
  // duration (RFC 9293 section 3.10.7.4: 2 MSL). time_wait == 0 turns TIME_WAIT off: the
  // connection goes straight to CLOSED (teaching variant).
  Duration msl = 2 * minute;
  Duration time_wait = 4 * minute;

  // A fixed initial sequence number for every connection of the host, or none: then the host
  // draws one from its ISN source (the seeded generator in the simulator).
  std::optional<std::uint32_t> fixed_isn;

  // RFC 6298: initial RTO 1 s (2.1), minimum 1 s (2.4), maximum at least 60 s (2.5).
  Duration rto_initial = 1 * second;
  Duration rto_min = 1 * second;
  Duration rto_max = 60 * second;

  // Retransmissions before giving up (Linux defaults: tcp_syn_retries 6, tcp_synack_retries 5,
  // tcp_retries2 15). RFC 1122 4.2.3.5 asks that R2 for a SYN be at least 3 minutes; with the
  // default RTO 1 s doubling, 6 SYN retries last 127 s before the final timeout, so the profile
  // documents that deviation.
  int syn_retries = 6;
  int synack_retries = 5;
  int data_retries = 15;

  // Our MSS (RFC 9293 section 3.7.1: default 536 when no option is received) and the receive
  // window we advertise. Segmentation by MSS and real buffers come with issue 4; the fields are
  // here so the segment format does not change.
  std::uint16_t mss = 536;
  std::uint16_t receive_window = 65535;
};

}  // namespace tcpsim::tcp
