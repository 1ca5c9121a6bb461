// Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): comparisons are made on the
// signed distance, so they hold across the wrap as long as the numbers are within 2^31.
#pragma once

#include <cstdint>

namespace tcpsim::tcp {

using SeqNum = std::uint32_t;

// Signed distance from b to a: positive when a is "after" b.
constexpr std::int32_t seq_diff(SeqNum a, SeqNum b) { return static_cast<std::int32_t>(a - b); }
constexpr bool seq_lt(SeqNum a, SeqNum b) { return seq_diff(a, b) < 0; }
constexpr bool seq_le(SeqNum a, SeqNum b) { return seq_diff(a, b) <= 0; }
constexpr bool seq_gt(SeqNum a, SeqNum b) { return seq_diff(a, b) > 0; }
constexpr bool seq_ge(SeqNum a, SeqNum b) { return seq_diff(a, b) >= 0; }

// low <= x < low + length, modulo 2^32.
constexpr bool seq_in_range(SeqNum x, SeqNum low, std::uint32_t length) {
  return static_cast<std::uint32_t>(x - low) < length;
}

// low <= x <= high, modulo 2^32 (RFC 9293 uses "=<" on both ends in the ACK tests).
constexpr bool seq_between_inclusive(SeqNum low, SeqNum x, SeqNum high) {
  return seq_le(low, x) && seq_le(x, high);
}

}  // namespace tcpsim::tcp
