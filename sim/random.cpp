// Integer-only pseudo-random numbers: every distribution here is written out by hand so that a
// seed gives the same sequence with any compiler and any standard library.
#include "sim/random.hpp"

namespace tcpsim::sim {

namespace {

// Both g++ and clang++ warn about __int128 under -Wpedantic; __extension__ marks it deliberate.
__extension__ typedef unsigned __int128 Uint128;

constexpr std::uint64_t rotate_left(std::uint64_t value, int shift) {
  return (value << shift) | (value >> (64 - shift));
}

// FNV-1a, 64-bit variant (Fowler, Noll, Vo): offset basis and prime from the reference.
constexpr std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char character : text) {
    hash ^= static_cast<std::uint8_t>(character);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::uint64_t SplitMix64::next() {
  // Reference constants from Steele, Lea, Flood, "Fast splittable pseudorandom number
  // generators" (OOPSLA 2014), as published by Vigna at prng.di.unimi.it/splitmix64.c.
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t mixed = state_;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

Random::Random(std::uint64_t seed) {
  // Vigna's recommended seeding: four SplitMix64 outputs never give the all-zero state in
  // practice (SplitMix64 is a bijection of its counter, so four zero outputs in a row are
  // impossible).
  SplitMix64 expander(seed);
  for (std::uint64_t& word : state_) word = expander.next();
}

Random Random::stream(std::uint64_t seed, std::string_view label) {
  // The seed goes through one SplitMix64 step before the label hash is mixed in, so that simple
  // structure in seeds (0, 1, 2, ...) cannot cancel against structure in label hashes; the
  // result is then expanded like any seed.
  SplitMix64 seed_scrambler(seed);
  const std::uint64_t scrambled_seed = seed_scrambler.next();
  return Random(scrambled_seed ^ rotate_left(fnv1a_64(label), 29));
}

std::uint64_t Random::next() {
  // xoshiro256** 1.0, transcribed from Blackman and Vigna's reference xoshiro256starstar.c.
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

std::uint64_t Random::below(std::uint64_t bound) {
  // Lemire, "Fast Random Integer Generation in an Interval" (ACM TOMACS 2019): the high word of
  // next() * bound is uniform once products whose low word falls in the short first
  // 2^64 mod bound values are rejected. The division is only needed on the rare slow path.
  if (bound == 0) return 0;  // outside the contract; answer something harmless
  Uint128 product = static_cast<Uint128>(next()) * bound;
  auto low_word = static_cast<std::uint64_t>(product);
  if (low_word < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low_word < threshold) {
      product = static_cast<Uint128>(next()) * bound;
      low_word = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

bool Random::chance(std::uint64_t numerator, std::uint64_t denominator) {
  // Always draws, even when the answer is certain (numerator 0 or numerator >= denominator):
  // the number of values consumed then never depends on the probability, so a stream stays
  // aligned with the segments it decides for when a scenario changes a probability.
  return below(denominator) < numerator;
}

Duration Random::uniform_duration(Duration low, Duration high) {
  if (high <= low) {
    next();  // keep the one-draw-per-call pattern for a degenerate range too
    return low;
  }
  // The width is computed in unsigned arithmetic: high - low can exceed INT64_MAX, and
  // high - low + 1 can wrap to 0 when the range covers every Duration.
  const std::uint64_t width_minus_one =
      static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  const std::uint64_t offset =
      width_minus_one == UINT64_MAX ? next() : below(width_minus_one + 1);
  return static_cast<Duration>(static_cast<std::uint64_t>(low) + offset);
}

}  // namespace tcpsim::sim
