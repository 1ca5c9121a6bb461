// Matching an outbound segment against a script's `>` line, as packetdrill's run_packet.c does
// (verify_outbound_live_headers, verify_outbound_live_tcp_options): field by field in its order,
// each mismatch worded as packetdrill words it ("live packet field tcp_seq: expected: 1 (0x1)
// vs actual: 2 (0x2)"). Both segments are in script space: sequence and ack numbers already
// mapped by the interpreter (packetdrill/interpreter.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packetdrill/script.hpp"

namespace tcpsim::packetdrill {

// A segment as the matcher compares it: the wire's fields, in script space.
struct WireSegment {
  std::uint8_t flags = 0;  // tcp::flag bits
  bool ece = false;
  bool cwr = false;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t window = 0;
  std::uint16_t urgent = 0;
  std::vector<TcpOption> options;
  std::uint32_t payload = 0;  // bytes
};

// The TCP options tcpsim's core models (tcp/segment.hpp): MSS, window scale, SACK-permitted,
// SACK blocks, timestamps and the nop/eol padding around them; a strict run skips a script
// that uses another (MD5, Fast Open). `--lenient-options` ignores the padding, window scale,
// SACK-permitted and timestamps (ignorable_when_lenient) on both sides, as before the core
// modelled them.
bool option_modelled(TcpOption::Kind kind);
// The options a list of option bytes (tcp::encode_options) holds, padding included, as a
// script writes them.
std::vector<TcpOption> options_of(const std::vector<std::uint8_t>& bytes);
bool option_ignorable_when_lenient(TcpOption::Kind kind);
// The options a run compares or sends: all of them (strict), or the modelled ones (lenient).
std::vector<TcpOption> effective_options(const std::vector<TcpOption>& options, bool lenient);

// A script's `>` line as the segment it expects (its options filtered as above).
WireSegment expected_segment(const PacketSpec& spec, bool lenient);

// The first field in which `actual` differs from what the line expects, in packetdrill's words
// and order; nothing when they match. `lenient` drops the unmodelled options from the
// expectation before comparing.
std::optional<std::string> match_outbound(const PacketSpec& expected, const WireSegment& actual,
                                          bool lenient);

// packetdrill's text of a segment (packet_to_string.c): "S. 0:0(0) ack 1 win 65535 <mss 1460>";
// the window when `window` is true (a script line without "win" does not check it).
std::string segment_text(const WireSegment& segment, bool window = true);
std::string options_text(const std::vector<TcpOption>& options);

}  // namespace tcpsim::packetdrill
