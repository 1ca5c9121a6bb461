// The run as a packet capture for Wireshark and tshark (--pcap FILE): a pcapng file with one
// interface at each end of the link, each host's wire as a tcpdump there would see it. A
// segment is a frame on its sender's interface when it is sent (`send`, `inject`) and a frame
// on its receiver's interface when it arrives (`deliver`, a copy the link made too), stamped
// with the virtual time in nanoseconds, checksums correct. So a segment the link lost is sent
// at one end and never received at the other, and Wireshark judges each end with that end's
// timing (a fast retransmission follows the duplicate ACKs as its sender received them).
// Comments tell what the trace knows and the wire cannot show (dropped, delayed or held,
// duplicated, expired, discarded by the receiving TCP, still in the network at the end).
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

// The whole capture: a Section Header Block, one Interface Description Block per host
// (interface i is the wire at scenario.hosts[i]; LINKTYPE_RAW, nanosecond timestamps), then one
// Enhanced Packet Block per frame of capture_frames, in trace order. Little-endian blocks;
// packet bytes in network order.
std::string format_pcapng(const runner::Scenario& scenario, const runner::RunResult& result);

// One packet of the capture: trace event `event` (a send or inject: leaving `interface`'s host;
// a deliver: arriving there), and its comment ("" for none).
struct CaptureFrame {
  std::size_t event = 0;
  std::uint32_t interface = 0;
  bool arrival = false;
  std::string comment;
};
// Every frame in trace order: a sent frame's comment is its segment_fate_comments entry (the
// whole fate, as only the sender's end can tell it); an arrival's is written only when the
// segment arrives other than plainly (held by the link, a copy, discarded on arrival,
// injected): "segment #1 arrives at server, held by the link since 0.100000000s (rule
// 'stale-syn'); discarded by server's TCP (...)".
std::vector<CaptureFrame> capture_frames(const runner::Scenario& scenario,
                                         const runner::RunResult& result);

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

// Per segment put on the wire (send or inject event, in trace order): the comment for the frame
// that sends it, or "" when the segment was simply delivered once. Phrases come in the order
// things happened, e.g.
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
// An Enhanced Packet Block on `interface` with an opt_comment when `comment` is not empty.
std::string pcapng_enhanced_packet(Time time, std::span<const std::uint8_t> packet,
                                   std::string_view comment, std::uint32_t interface = 0);

// A readable, lossless text form of pcapng bytes (the golden files): a heading per block naming
// its type and length (and for packets: time, addresses, ports, flags, comment), then every
// octet in hex with an ASCII column. Malformed input is dumped as raw hex, never rejected.
std::string pcapng_hex_dump(std::string_view bytes);

}  // namespace tcpsim::views
