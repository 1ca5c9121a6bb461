#include "tcp/timer_wheel.hpp"

namespace tcpsim::tcp {

namespace {

// kernel/time/timer.c: each level has 64 buckets and is 8 times coarser than the one below.
constexpr int level_bits = 6;
constexpr std::uint64_t level_size = std::uint64_t{1} << level_bits;
constexpr int level_clock_shift = 3;

constexpr int level_shift(int level) { return level * level_clock_shift; }
// LVL_START(n): the first delta (in jiffies) that level n holds.
constexpr std::uint64_t level_start(int level) {
  return (level_size - 1) << ((level - 1) * level_clock_shift);
}
static_assert(level_start(1) == 63 && level_start(2) == 504 && level_start(3) == 4032);

// LVL_DEPTH: 9 levels when HZ > 100, else 8.
constexpr int level_depth(TimerWheel wheel) { return wheel == TimerWheel::linux_hz100 ? 8 : 9; }

}  // namespace

Duration jiffy_length(TimerWheel wheel) {
  switch (wheel) {
    case TimerWheel::none: return 0;
    case TimerWheel::linux_hz100: return 10 * millisecond;
    case TimerWheel::linux_hz250: return 4 * millisecond;
    case TimerWheel::linux_hz1000: return 1 * millisecond;
  }
  return 0;
}

Duration round_up_to_jiffies(TimerWheel wheel, Duration duration) {
  const Duration jiffy = jiffy_length(wheel);
  if (jiffy == 0 || duration <= 0) return duration;
  const Duration jiffies = duration / jiffy + (duration % jiffy != 0 ? 1 : 0);
  return jiffies > time_never / jiffy ? time_never : jiffies * jiffy;
}

Time timer_wheel_expiry(TimerWheel wheel, Time now, Time deadline) {
  const Duration jiffy = jiffy_length(wheel);
  if (jiffy == 0 || deadline == time_never || deadline < now) return deadline;
  // Jiffies fit easily in 64 bits: time_never is 2^63 ns.
  const auto clock = static_cast<std::uint64_t>(now / jiffy);
  const Duration remaining = deadline - now;
  const auto timeout =
      static_cast<std::uint64_t>(remaining / jiffy + (remaining % jiffy != 0 ? 1 : 0));
  std::uint64_t expires = clock + timeout;
  const int depth = level_depth(wheel);
  int level = 0;
  while (level < depth - 1 && timeout >= level_start(level + 1)) ++level;
  if (level == depth - 1 && timeout >= level_start(depth)) {
    // WHEEL_TIMEOUT_CUTOFF: a longer timeout is cut to WHEEL_TIMEOUT_MAX.
    const std::uint64_t timeout_max =
        level_start(depth) - (std::uint64_t{1} << level_shift(depth - 1));
    expires = clock + timeout_max;
  }
  const std::uint64_t bucket = ((expires >> level_shift(level)) + 1) << level_shift(level);
  if (bucket > static_cast<std::uint64_t>(time_never / jiffy)) return time_never;
  return static_cast<Time>(bucket) * jiffy;
}

}  // namespace tcpsim::tcp
