// Initial sequence numbers (tcp/isn.hpp): SipHash-2-4 against its published test vectors, RFC
// 793's clock, RFC 6528's clock plus hash, and the source choosing by the config's policy.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "tcp/isn.hpp"

namespace tcp_isn_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;

namespace {

// The key of the SipHash paper's test vectors: bytes 00 01 02 ... 0f.
constexpr IsnKey paper_key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::vector<std::uint8_t> counting_bytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  for (std::size_t index = 0; index < count; ++index) {
    bytes[index] = static_cast<std::uint8_t>(index);
  }
  return bytes;
}

const FourTuple tuple{{0x0A000002, 80}, {0x0A000001, 5000}};

}  // namespace

TEST_CASE("siphash_2_4_matches_the_published_test_vectors", "[isn]") {
  // Aumasson and Bernstein, "SipHash: a fast short-input PRF", appendix A (15 bytes), and the
  // reference implementation's vectors.h (0 and 8 bytes).
  CHECK(siphash_2_4(paper_key, counting_bytes(15)) == 0xa129ca6149be45e5ULL);
  CHECK(siphash_2_4(paper_key, counting_bytes(0)) == 0x726fdb47dd0e0e31ULL);
  CHECK(siphash_2_4(paper_key, counting_bytes(8)) == 0x93f5f5799a932462ULL);
}

TEST_CASE("clock_isn_ticks_every_4_microseconds_and_wraps", "[isn]") {
  CHECK(clock_isn(0) == 0);
  CHECK(clock_isn(3999) == 0);
  CHECK(clock_isn(4000) == 1);
  CHECK(clock_isn(1 * second) == 250000);
  // 2^32 ticks of 4 us: the clock cycles in about 4.55 hours (RFC 793 3.3).
  CHECK(clock_isn(4294967296LL * 4000) == 0);
  CHECK(clock_isn(4294967296LL * 4000 + 8000) == 2);
}

TEST_CASE("rfc6528_isn_is_the_clock_plus_a_keyed_hash_of_the_4_tuple", "[isn]") {
  const std::uint32_t offset = rfc6528_isn(0, tuple, paper_key);
  // M moves with the clock, F stays with the 4-tuple: one incarnation after another climbs.
  CHECK(rfc6528_isn(1 * second, tuple, paper_key) == offset + 250000);
  // Another 4-tuple or another key gives another offset.
  FourTuple other = tuple;
  other.remote.port = 5001;
  CHECK(rfc6528_isn(0, other, paper_key) != offset);
  CHECK(rfc6528_isn(0, tuple, IsnKey{1, 2}) != offset);
  // F is SipHash-2-4 of the 12 bytes localip, localport, remoteip, remoteport.
  const std::array<std::uint8_t, 12> message{10, 0, 0, 2, 0, 80, 10, 0, 0, 1, 0x13, 0x88};
  CHECK(offset == static_cast<std::uint32_t>(siphash_2_4(paper_key, message)));
}

TEST_CASE("isn_source_follows_the_config_policy", "[isn]") {
  IsnSource source([] { return 4242U; }, paper_key);
  TcpConfig config;
  CHECK(source.next(config, 1 * second, tuple) == 4242);  // "random", the default
  config.isn_policy = IsnPolicy::clock;
  CHECK(source.next(config, 1 * second, tuple) == 250000);
  config.isn_policy = IsnPolicy::rfc6528;
  CHECK(source.next(config, 1 * second, tuple) == rfc6528_isn(1 * second, tuple, paper_key));
  config.fixed_isn = 7;  // a fixed ISN wins over any policy
  CHECK(source.next(config, 1 * second, tuple) == 7);
}

TEST_CASE("timestamp_offset_is_a_keyed_hash_of_the_two_addresses", "[isn][timestamps]") {
  const std::uint32_t offset = timestamp_offset(tuple, paper_key);
  // Linux's secure_tcp_ts_off() since 4.13: the ports do not count, the addresses and key do.
  FourTuple other_ports = tuple;
  other_ports.local.port = 6000;
  other_ports.remote.port = 5001;
  CHECK(timestamp_offset(other_ports, paper_key) == offset);
  FourTuple other_address = tuple;
  other_address.remote.address = 0x0A000003;
  CHECK(timestamp_offset(other_address, paper_key) != offset);
  CHECK(timestamp_offset(tuple, IsnKey{1, 2}) != offset);
  // SipHash-2-4 of a tag and the 8 address bytes, local first.
  const std::array<std::uint8_t, 9> message{'T', 10, 0, 0, 2, 10, 0, 0, 1};
  CHECK(offset == static_cast<std::uint32_t>(siphash_2_4(paper_key, message)));
}

TEST_CASE("isn_source_timestamp_offset_follows_the_knob", "[isn][timestamps]") {
  IsnSource source([] { return 4242U; }, paper_key);
  TcpConfig config;
  CHECK(source.timestamp_offset_for(config, tuple) == 0);  // rfc9293: the bare clock
  config.timestamp_offset = true;
  CHECK(source.timestamp_offset_for(config, tuple) == timestamp_offset(tuple, paper_key));
}

}  // namespace tcp_isn_tests
