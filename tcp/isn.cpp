#include "tcp/isn.hpp"

#include <array>
#include <utility>

namespace tcpsim::tcp {

namespace {

constexpr std::uint64_t rotate_left(std::uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotate_left(v1, 13);
    v1 ^= v0;
    v0 = rotate_left(v0, 32);
    v2 += v3;
    v3 = rotate_left(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotate_left(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotate_left(v1, 17);
    v1 ^= v2;
    v2 = rotate_left(v2, 32);
  }
  void compress(std::uint64_t word) {  // two rounds per message word: the "2" of 2-4
    v3 ^= word;
    round();
    round();
    v0 ^= word;
  }
};

// Eight message bytes as a little-endian word (SipHash reads its input so).
std::uint64_t little_endian(std::span<const std::uint8_t> bytes) {
  std::uint64_t word = 0;
  for (std::size_t index = 0; index < bytes.size(); ++index) {
    word |= static_cast<std::uint64_t>(bytes[index]) << (8 * index);
  }
  return word;
}

}  // namespace

std::uint64_t siphash_2_4(const IsnKey& key, std::span<const std::uint8_t> message) {
  SipState state{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
                 key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const std::size_t whole = message.size() / 8 * 8;
  for (std::size_t at = 0; at < whole; at += 8) {
    state.compress(little_endian(message.subspan(at, 8)));
  }
  // The last word: the remaining bytes, and the message length's low byte on top.
  const std::uint64_t last =
      little_endian(message.subspan(whole)) | (static_cast<std::uint64_t>(message.size()) << 56);
  state.compress(last);
  state.v2 ^= 0xff;
  for (int finalization = 0; finalization < 4; ++finalization) state.round();  // the "4"
  return state.v0 ^ state.v1 ^ state.v2 ^ state.v3;
}

std::uint32_t clock_isn(Time now) {
  // Time is never negative in a run; the clock starts at 0 with it.
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now) / (4 * microsecond));
}

std::uint32_t rfc6528_isn(Time now, const FourTuple& tuple, const IsnKey& key) {
  // localip, localport, remoteip, remoteport, in network byte order.
  const std::array<std::uint8_t, 12> message{
      static_cast<std::uint8_t>(tuple.local.address >> 24),
      static_cast<std::uint8_t>(tuple.local.address >> 16),
      static_cast<std::uint8_t>(tuple.local.address >> 8),
      static_cast<std::uint8_t>(tuple.local.address),
      static_cast<std::uint8_t>(tuple.local.port >> 8),
      static_cast<std::uint8_t>(tuple.local.port),
      static_cast<std::uint8_t>(tuple.remote.address >> 24),
      static_cast<std::uint8_t>(tuple.remote.address >> 16),
      static_cast<std::uint8_t>(tuple.remote.address >> 8),
      static_cast<std::uint8_t>(tuple.remote.address),
      static_cast<std::uint8_t>(tuple.remote.port >> 8),
      static_cast<std::uint8_t>(tuple.remote.port)};
  return clock_isn(now) + static_cast<std::uint32_t>(siphash_2_4(key, message));
}

std::uint32_t timestamp_offset(const FourTuple& tuple, const IsnKey& key) {
  // The tag keeps these hashes apart from the ISNs' and the SYN cookies' under the same key.
  const std::array<std::uint8_t, 9> message{
      static_cast<std::uint8_t>('T'),
      static_cast<std::uint8_t>(tuple.local.address >> 24),
      static_cast<std::uint8_t>(tuple.local.address >> 16),
      static_cast<std::uint8_t>(tuple.local.address >> 8),
      static_cast<std::uint8_t>(tuple.local.address),
      static_cast<std::uint8_t>(tuple.remote.address >> 24),
      static_cast<std::uint8_t>(tuple.remote.address >> 16),
      static_cast<std::uint8_t>(tuple.remote.address >> 8),
      static_cast<std::uint8_t>(tuple.remote.address)};
  return static_cast<std::uint32_t>(siphash_2_4(key, message));
}

IsnSource::IsnSource(std::function<std::uint32_t()> random, IsnKey key)
    : random_(std::move(random)), key_(key) {}

SeqNum IsnSource::next(const TcpConfig& config, Time now, const FourTuple& tuple) const {
  if (config.fixed_isn) return *config.fixed_isn;
  switch (config.isn_policy) {
    case IsnPolicy::random: return random_ ? random_() : 0;
    case IsnPolicy::clock: return clock_isn(now);
    case IsnPolicy::rfc6528: return rfc6528_isn(now, tuple, key_);
  }
  return 0;
}

std::uint32_t IsnSource::timestamp_offset_for(const TcpConfig& config,
                                              const FourTuple& tuple) const {
  return config.timestamp_offset ? timestamp_offset(tuple, key_) : 0;
}

}  // namespace tcpsim::tcp
