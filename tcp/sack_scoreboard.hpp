// The storage of the SACK scoreboard (RFC 6675 2): up to `capacity` SACKed ranges, indexed as
// an array. Allocated on the first write, so a connection that never receives a SACK block
// (most of them: SACK off, or nothing lost) carries a pointer instead of 128 bytes. That keeps
// a connection's record within the allocator's small-object cache and a fresh control block
// cheap to build (performance only: the ranges are the same as a plain array's).
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "tcp/segment.hpp"

namespace tcpsim::tcp {

class SackScoreboard {
 public:
  static constexpr std::size_t capacity = 16;

  SackScoreboard() = default;
  SackScoreboard(const SackScoreboard& other)
      : blocks_(other.blocks_ ? std::make_unique<Blocks>(*other.blocks_) : nullptr) {}
  SackScoreboard& operator=(const SackScoreboard& other) {
    if (this != &other) *this = SackScoreboard(other);
    return *this;
  }
  SackScoreboard(SackScoreboard&&) noexcept = default;
  SackScoreboard& operator=(SackScoreboard&&) noexcept = default;

  std::size_t size() const { return capacity; }
  // Writing allocates the ranges (all zero, as a value-initialised array's); reading is only
  // done below the caller's count of ranges in use, so after a write.
  SackBlock& operator[](std::size_t index) {
    if (!blocks_) blocks_ = std::make_unique<Blocks>();
    return (*blocks_)[index];
  }
  const SackBlock& operator[](std::size_t index) const { return (*blocks_)[index]; }
  const SackBlock* data() const { return blocks_ ? blocks_->data() : nullptr; }

 private:
  using Blocks = std::array<SackBlock, capacity>;
  std::unique_ptr<Blocks> blocks_;
};

}  // namespace tcpsim::tcp
