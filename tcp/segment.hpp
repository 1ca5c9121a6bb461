// A TCP segment as it crosses the wire (RFC 9293 section 3.1), plus the IP addresses that carry
// it. No checksum (computed when a capture is written). Options: MSS (RFC 9293 3.2), window
// scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018); unknown options
// are skipped on arrival (RFC 9293 3.1), so none is kept.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcp/sequence.hpp"

namespace tcpsim::tcp {

using Address = std::uint32_t;  // IPv4 address in host byte order
using Port = std::uint16_t;

namespace flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
}  // namespace flag

// One SACK block (RFC 2018 3): the received bytes [left, right).
struct SackBlock {
  SeqNum left = 0;
  SeqNum right = 0;
  friend bool operator==(const SackBlock&, const SackBlock&) = default;
};
inline constexpr std::size_t max_sack_blocks = 4;  // 40 option bytes hold at most 4 (RFC 2018 3)

// RFC 2883 4: the first block reports duplicate data (a D-SACK) when it lies at or below the
// ACK field, or within the second block. How a receiver of the ACK tells, as Wireshark does.
constexpr bool first_sack_block_is_duplicate(SeqNum ack, std::span<const SackBlock> blocks) {
  if (blocks.empty()) return false;
  if (seq_le(blocks[0].right, ack)) return true;
  return blocks.size() >= 2 && seq_le(blocks[1].left, blocks[0].left) &&
         seq_le(blocks[0].right, blocks[1].right);
}

struct Segment {
  Port source_port = 0;
  Port destination_port = 0;
  SeqNum seq = 0;
  SeqNum ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::uint16_t mss = 0;  // MSS option value; 0 means the option is absent
  std::int8_t window_scale = -1;  // RFC 7323 2.2 shift count (SYN only); -1: option absent
  bool sack_permitted = false;    // RFC 2018 2 (SYN only)
  bool has_timestamps = false;    // RFC 7323 3: TSval and TSecr below are meaningful
  std::uint32_t timestamp_value = 0;
  std::uint32_t timestamp_echo = 0;
  std::uint8_t sack_block_count = 0;  // blocks in use in sack_blocks, first is the newest
  std::array<SackBlock, max_sack_blocks> sack_blocks{};
  std::vector<std::uint8_t> payload;

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  // SEG.LEN: payload bytes plus one for SYN and one for FIN (RFC 9293 section 3.4).
  std::uint32_t sequence_length() const {
    return static_cast<std::uint32_t>(payload.size()) + (has(flag::syn) ? 1U : 0U) +
           (has(flag::fin) ? 1U : 0U);
  }
};

// How options are laid out on the wire: their order and the NOP/EOL padding. Only the bytes
// differ; the values are the same.
enum class OptionLayout : std::uint8_t {
  linux_order,    // Linux's tcp_options_write(): <mss,sackOK,TS,nop,wscale>, <nop,nop,TS>
  freebsd_order,  // FreeBSD's tcp_addoptions(): <mss,nop,wscale,sackOK,TS>, EOL padding
};

// The TCP option kinds (the IANA registry; RFC 9293 3.2, RFC 7323, RFC 2018).
namespace option_kind {
inline constexpr std::uint8_t end_of_list = 0;
inline constexpr std::uint8_t no_operation = 1;
inline constexpr std::uint8_t mss = 2;
inline constexpr std::uint8_t window_scale = 3;
inline constexpr std::uint8_t sack_permitted = 4;
inline constexpr std::uint8_t sack = 5;
inline constexpr std::uint8_t timestamps = 8;
}  // namespace option_kind
inline constexpr std::size_t max_option_bytes = 40;  // RFC 9293 3.1: data offset at most 15

// The segment's options as `layout` writes them, padded to a multiple of 4 bytes (at most 40;
// SACK blocks that do not fit are left out).
std::vector<std::uint8_t> encode_options(const Segment& segment, OptionLayout layout);
// Reads an option list into `segment` (mss, window_scale, sack_permitted, timestamps, SACK
// blocks). Unknown kinds are skipped by their length (RFC 9293 3.1, MUST-68); false when the
// list is malformed (a length below 2 or past the end), after keeping what came before.
bool decode_options(std::span<const std::uint8_t> bytes, Segment& segment);
// The option bytes a segment with `timestamps` and `sack_blocks` SACK blocks carries beyond the
// SYN's: each is NOP-padded to 4 bytes in both layouts (12 for timestamps, 4 + 8 n for SACK).
std::uint32_t data_option_bytes(bool timestamps, std::size_t sack_blocks);
// RFC 2018 3: the SACK blocks that fit in the 40 option bytes beside timestamps: 3, else 4.
std::size_t sack_blocks_that_fit(bool timestamps);

struct Packet {
  Address source = 0;
  Address destination = 0;
  Segment segment;
};

struct Endpoint {
  Address address = 0;
  Port port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// The connection's identity (RFC 9293 section 3.3.2: a pair of sockets).
struct FourTuple {
  Endpoint local;
  Endpoint remote;
  friend bool operator==(const FourTuple&, const FourTuple&) = default;
};

// Canonical flag text, in the fixed order SYN,FIN,RST,PSH,ACK,URG joined by ',' ("SYN,ACK").
// No flags gives "" .
std::string flags_to_string(std::uint8_t flags);
// Parses the same names in any order, case-insensitive, separated by ',' or '|' or '+'.
// Returns false on an unknown name.
bool parse_flags(std::string_view text, std::uint8_t& flags_out);

// Dotted-quad text of an address, and its parser: four decimal parts 0 .. 255, none with a
// leading zero ("010" is 8 to inet_aton, which reads it as octal: ambiguous, so refused), false
// otherwise. `leading_zero_out`, when given, says whether a leading zero was the reason.
std::string address_to_string(Address address);
bool parse_address(std::string_view text, Address& address_out, bool* leading_zero_out = nullptr);

}  // namespace tcpsim::tcp
