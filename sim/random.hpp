// The only source of randomness in tcpsim: xoshiro256** seeded through SplitMix64, with our own
// integer distributions, so the same seed gives the same numbers with any compiler or library.
// Never std::*_distribution, never the wall clock.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "tcp/time.hpp"

namespace tcpsim::sim {

// SplitMix64 (Steele, Lea, Flood 2014): used to expand a 64-bit seed into xoshiro's state.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();

 private:
  std::uint64_t state_;
};

class Random {
 public:
  // State filled by four SplitMix64 outputs of `seed`.
  explicit Random(std::uint64_t seed);
  // An independent stream for (seed, label): the label is hashed (FNV-1a 64) and mixed with the
  // seed, so adding a new consumer with a new label shifts no other stream.
  static Random stream(std::uint64_t seed, std::string_view label);

  std::uint64_t next();  // xoshiro256** (Blackman, Vigna 2018)
  // Uniform in [0, bound), bound > 0: Lemire's nearly divisionless method (2019), unbiased.
  std::uint64_t below(std::uint64_t bound);
  // True with probability numerator / denominator (0 <= numerator <= denominator, denominator>0).
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // Uniform in [low, high] inclusive (low <= high).
  Duration uniform_duration(Duration low, Duration high);

 private:
  std::array<std::uint64_t, 4> state_{};
};

// Probabilities are exact rationals over one billion, parsed once from the scenario, so that no
// floating point is used while the simulation runs.
inline constexpr std::uint64_t probability_denominator = 1'000'000'000;

}  // namespace tcpsim::sim
