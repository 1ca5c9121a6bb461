#include "tcp/syn_cookie.hpp"

namespace tcpsim::tcp {

namespace {

std::uint32_t counter_at(Time now) {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now) /
                                    static_cast<std::uint64_t>(syn_cookie_period)) &
         0x1fU;
}

// The cookie's 24-bit MAC over t, the 4-tuple (network byte order) and the client's ISN. The
// key is the host's RFC 6528 key, turned so the two hashes differ.
std::uint32_t cookie_hash(const IsnKey& key, std::uint32_t counter, const FourTuple& tuple,
                          SeqNum peer_isn) {
  const IsnKey cookie_key{key.k0 ^ 0x636f6f6b69657331ULL, key.k1};  // "cookies1"
  const auto byte = [](std::uint32_t value, int shift) {
    return static_cast<std::uint8_t>(value >> shift);
  };
  const std::array<std::uint8_t, 17> message{
      static_cast<std::uint8_t>(counter),
      byte(tuple.local.address, 24), byte(tuple.local.address, 16),
      byte(tuple.local.address, 8), byte(tuple.local.address, 0),
      byte(tuple.local.port, 8), byte(tuple.local.port, 0),
      byte(tuple.remote.address, 24), byte(tuple.remote.address, 16),
      byte(tuple.remote.address, 8), byte(tuple.remote.address, 0),
      byte(tuple.remote.port, 8), byte(tuple.remote.port, 0),
      byte(peer_isn, 24), byte(peer_isn, 16), byte(peer_isn, 8), byte(peer_isn, 0)};
  return static_cast<std::uint32_t>(siphash_2_4(cookie_key, message)) & 0xffffffU;
}

}  // namespace

SeqNum syn_cookie(const IsnKey& key, Time now, const FourTuple& tuple, SeqNum peer_isn,
                  std::uint16_t peer_mss) {
  std::uint32_t index = 0;
  for (std::uint32_t k = 0; k < syn_cookie_mss_table.size(); ++k)
    if (peer_mss >= syn_cookie_mss_table[k]) index = k;
  const std::uint32_t counter = counter_at(now);
  return (counter << 27) | (index << 24) | cookie_hash(key, counter, tuple, peer_isn);
}

std::optional<std::uint16_t> check_syn_cookie(const IsnKey& key, Time now, const FourTuple& tuple,
                                              SeqNum seq, SeqNum ack) {
  const SeqNum cookie = ack - 1;
  const std::uint32_t counter = cookie >> 27;
  // Modulo 32: the cookie's counter may be the current one or up to max_age periods before.
  if (((counter_at(now) - counter) & 0x1fU) > syn_cookie_max_age) return std::nullopt;
  if ((cookie & 0xffffffU) != cookie_hash(key, counter, tuple, seq - 1)) return std::nullopt;
  return syn_cookie_mss_table[(cookie >> 24) & 0x7U];
}

}  // namespace tcpsim::tcp
