// Time for the TCP core: signed 64-bit nanoseconds on whatever clock drives it (virtual time in
// the simulator, a monotonic clock on a live network). Integers only, so replay is exact.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace tcpsim {

using Time = std::int64_t;      // nanoseconds since the start of the run
using Duration = std::int64_t;  // nanoseconds

inline constexpr Duration nanosecond = 1;
inline constexpr Duration microsecond = 1'000;
inline constexpr Duration millisecond = 1'000'000;
inline constexpr Duration second = 1'000'000'000;
inline constexpr Duration minute = 60 * second;
inline constexpr Duration hour = 60 * minute;

// A deadline that never comes; also "no timer".
inline constexpr Time time_never = std::numeric_limits<Time>::max();

// The one rule for adding time (docs/design.md, "Time"): a deadline that would fall at or past
// the end of representable time is time_never, which never comes. Every `now + duration` goes
// through here, so no sum overflows and a huge duration means "never", not a time in the past.
// `now` and `duration` are not negative.
constexpr Time deadline_after(Time now, Duration duration) {
  return duration >= time_never - now ? time_never : now + duration;
}

// Shortest exact human form: "0s", "150ms", "2min", "1.5s", "1h2min" is never produced: the
// largest unit that divides the value exactly is used, else a decimal of the largest unit <= value
// with trailing zeros removed ("1.234567891s"). Deterministic, integer only.
std::string format_duration(Duration duration);

}  // namespace tcpsim
