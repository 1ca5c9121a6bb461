// The run as a packet capture for Wireshark and tshark (--pcap FILE): a pcapng file with one
// IPv4 + TCP packet per segment sent, stamped with the virtual time of its `send` event in
// nanoseconds, checksums correct, and a comment on every packet whose fate was not a plain
// delivery (dropped, delayed or held, duplicated, expired, discarded by the receiving TCP, still
// in the network when the run stopped). The capture point is the wire just outside the sender:
// each segment appears once, when it was sent, whatever the link did to it afterwards.
// Computed only from the scenario and the canonical trace; the same run gives the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::views {

// The whole capture: a Section Header Block, one Interface Description Block (LINKTYPE_RAW,
// nanosecond timestamps), then one Enhanced Packet Block per `send` event in trace order, so
// frame N is the Nth segment sent. Little-endian blocks; packet bytes in network order.
std::string format_pcapng(const runner::Scenario& scenario, const runner::RunResult& result);

// ---- Building blocks, public so that the tests can pin them ----

// RFC 1071: the 16-bit one's-complement sum of `bytes` read as big-endian words (an odd last
// byte is padded with zero), added to `sum` and folded to 16 bits. Not complemented, so partial
// sums (a pseudo-header, then a segment) can be chained.
std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint16_t sum = 0);
// The Internet checksum of `bytes`: the complement of their one's-complement sum.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// Largest payload one IPv4 packet can carry after a 20-octet IP header and a TCP header with
// the MSS option (65535 - 20 - 24); longer payloads are cut to this in the capture.
inline constexpr std::size_t max_captured_payload = 65535 - 20 - 24;

// The segment as the wire carries it: an IPv4 header (version 4, IHL 5, total length, id = the
// trace's segment id modulo 2^16, Don't Fragment, TTL 64, protocol 6, header checksum), then the
// TCP header (data offset 5, or 6 with the 4-octet MSS option when mss != 0), then the payload:
// the trace's payload bytes, zero-filled (or cut) to `length` when they disagree, and cut to
// max_captured_payload. The TCP checksum covers the pseudo-header (RFC 9293 3.1).
std::vector<std::uint8_t> encode_ipv4_tcp(const runner::TraceSegment& segment);

// Per frame (send event, in trace order): the comment for that packet, or "" when the segment
// was simply delivered once. Phrases come in the order things happened, e.g.
//   "segment #7: dropped by the link (rule 'lose-final-ack')"
//   "segment #1: delayed by the link until 3.000000000s (rule 'stale-syn'); delivered at
//    3.000000000s; discarded by server's TCP (RFC 9293 3.10.7.1: ...)"
std::vector<std::string> segment_fate_comments(const runner::Scenario& scenario,
                                               const runner::RunResult& result);

// Seconds with nanoseconds, as Wireshark shows relative times: "3.000000000s".
std::string format_capture_time(Time time);

// A pcapng timestamp is 64 bits in units of if_tsresol (here 1 ns), written as two 32-bit words.
struct TimestampWords {
  std::uint32_t high = 0;
  std::uint32_t low = 0;
};
TimestampWords split_timestamp(Time time);  // negative times are stamped 0

// One pcapng option (code, value); pcapng_options pads each to 4 octets and ends the list with
// opt_endofopt.
struct PcapngOption {
  std::uint16_t code = 0;
  std::string value;
};
std::string pcapng_options(const std::vector<PcapngOption>& options);
// A block: type, total length, body (padded to 4 octets), total length again.
std::string pcapng_block(std::uint32_t type, std::string_view body);
// An Enhanced Packet Block on interface 0 with an opt_comment when `comment` is not empty.
std::string pcapng_enhanced_packet(Time time, std::span<const std::uint8_t> packet,
                                   std::string_view comment);

// A readable, lossless text form of pcapng bytes (the golden files): a heading per block naming
// its type and length (and for packets: time, addresses, ports, flags, comment), then every
// octet in hex with an ASCII column. Malformed input is dumped as raw hex, never rejected.
std::string pcapng_hex_dump(std::string_view bytes);

}  // namespace tcpsim::views
