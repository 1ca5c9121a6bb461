// Realtime playback (`tcpsim run FILE --realtime[=SPEED]`): the ladder printed line by line as
// the events happen, in real time scaled by SPEED (10 = ten times faster, 0.5 = half speed).
//
// The run is simulated first, whole and deterministic as always (so the trace, and the file
// --trace writes, are byte-identical with or without --realtime); then its output is paced.
// Every line has an ABSOLUTE deadline, start + (t - origin) / SPEED, computed from the start
// instant in integer nanoseconds with SPEED as an exact rational (parts per million), so waiting
// never accumulates drift or rounding. Boost.Asio waits (steady_timer) and catches SIGINT and
// SIGTERM (signal_set), which stop the playback cleanly. Asio lives only here, at the edge.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/ladder.hpp"
#include "views/narration.hpp"

namespace tcpsim::views {

// Playback speed as an exact rational, SPEED = parts_per_million / 10^6: one virtual second
// lasts 10^6 / parts_per_million real seconds.
struct PlaybackSpeed {
  std::uint64_t parts_per_million = 1'000'000;  // 1x
};
inline constexpr std::uint64_t max_speed_parts_per_million = 1'000'000'000'000'000ULL;  // 10^9 x

// Parses a decimal SPEED ("1", "10", "0.5", "2.5e-3", "1e6"): greater than 0, at most 10^9, and
// exact in millionths. False with `error` set otherwise (nothing is rounded silently).
bool parse_speed(std::string_view text, PlaybackSpeed& speed_out, std::string& error);

// How long after the start instant virtual time `time` is shown: (time - origin) / speed, in
// nanoseconds rounded down, 0 for times before origin.
std::chrono::nanoseconds playback_offset(Time time, Time origin, PlaybackSpeed speed);

// The absolute deadline of every time: start + playback_offset(time), each computed from the
// start instant alone (never from the previous deadline).
std::vector<std::chrono::steady_clock::time_point> playback_deadlines(
    std::chrono::steady_clock::time_point start, const std::vector<Time>& times, Time origin,
    PlaybackSpeed speed);

// The virtual time reached `elapsed` after the start instant: origin + elapsed * speed.
Time virtual_time_after(std::chrono::nanoseconds elapsed, Time origin, PlaybackSpeed speed);

// Something to print at a virtual time.
struct PlaybackFrame {
  Time time = 0;
  std::string text;
  bool event = false;  // one trace event's line(s); false for the header and the footer
};

// The ladder as frames: the header at time 0, each shown event's line (with its sentence when
// `explain` is set) at the event's time, the footer at the run's end time. Concatenated, the
// frames are exactly format_ladder (or format_explained_ladder).
std::vector<PlaybackFrame> ladder_frames(const runner::Scenario& scenario,
                                         const runner::RunResult& result,
                                         const LadderOptions& options,
                                         std::optional<Language> explain);

struct PlaybackOutcome {
  bool completed = false;
  int signal = 0;             // SIGINT or SIGTERM when stopped by one
  std::size_t events_shown = 0;
  std::size_t events_total = 0;
  Time reached = 0;           // virtual time when it stopped
};

// Plays the frames against absolute deadlines from now, writing each to `out` (flushed) when its
// deadline comes. Returns early, with the signal, on SIGINT or SIGTERM.
PlaybackOutcome play(const std::vector<PlaybackFrame>& frames, PlaybackSpeed speed,
                     std::ostream& out);

// "interrupted (SIGINT): playback stopped at 1.250000s of virtual time, 17 of 40 events shown"
std::string interruption_line(const PlaybackOutcome& outcome);

// The exit status for an interrupted playback: 128 + the signal (130 for SIGINT).
int interruption_exit_code(const PlaybackOutcome& outcome);

}  // namespace tcpsim::views
