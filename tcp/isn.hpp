// Initial sequence numbers (RFC 9293 3.4.1): where a host's ISNs come from. The policy is a knob
// of the connection's config (`isn`): a fixed number, a seeded random draw, RFC 793's 4 us clock,
// or RFC 6528's clock plus a keyed hash of the 4-tuple. The hash (SipHash-2-4) is implemented
// here so the core stays self-contained and every run replays exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "tcp/config.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"

namespace tcpsim::tcp {

// RFC 6528's secretkey: a 128-bit SipHash key. The simulator derives it from the run's seed.
struct IsnKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// SipHash-2-4 (Aumasson and Bernstein, 2012) of `message` under `key`: a keyed hash that is a
// pseudo-random function, as RFC 6528 section 3 asks of F.
std::uint64_t siphash_2_4(const IsnKey& key, std::span<const std::uint8_t> message);

// RFC 793 3.3 / RFC 9293 3.4.1: "a (possibly fictitious) 32 bit clock" whose "low order bit is
// incremented roughly every 4 microseconds": (now / 4 us) mod 2^32, from the virtual clock.
std::uint32_t clock_isn(Time now);

// RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M the
// 4 us clock, F SipHash-2-4 over the 4-tuple's 12 bytes in network order, truncated to 32
// bits. Each 4-tuple's ISNs still follow the clock (so a new incarnation's sequence space is
// ahead of the old one's), while another 4-tuple's cannot be guessed from them.
std::uint32_t rfc6528_isn(Time now, const FourTuple& tuple, const IsnKey& key);

// Linux's secure_tcp_ts_off(): the TSval offset of the connections between the 4-tuple's two
// addresses (ports aside, as since Linux 4.13), SipHash-2-4 under `key` of a tag byte and the
// local and remote address in network order, truncated to 32 bits.
std::uint32_t timestamp_offset(const FourTuple& tuple, const IsnKey& key);

// A host's ISN source: told the connection's config, the time and the 4-tuple, it answers by
// the config's policy. `random` serves "random" (the simulator passes its seeded stream); `key`
// serves "rfc6528".
class IsnSource {
 public:
  IsnSource() = default;
  IsnSource(std::function<std::uint32_t()> random, IsnKey key = {});
  SeqNum next(const TcpConfig& config, Time now, const FourTuple& tuple) const;
  // The TSval offset of a connection on `tuple`: timestamp_offset() when the config's knob
  // timestamp_offset is on, else 0.
  std::uint32_t timestamp_offset_for(const TcpConfig& config, const FourTuple& tuple) const;
  // The host's secret, which SYN cookies (tcp/syn_cookie.hpp) hash under too.
  const IsnKey& key() const { return key_; }

 private:
  std::function<std::uint32_t()> random_;
  IsnKey key_;
};

}  // namespace tcpsim::tcp
