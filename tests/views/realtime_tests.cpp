// Realtime playback (--realtime): the speed is exact, deadlines are absolute (computed from the
// start instant, so nothing drifts), and the paced output is the ordinary ladder. No test here
// sleeps: deadlines are pure functions, and playback runs at a speed that makes waits vanish.
// Interrupts are tested on the real binary (tests/cli.cmake, cli:realtime-*).
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/narration.hpp"
#include "views/realtime.hpp"

namespace views_realtime_tests {

using namespace tcpsim;
using std::chrono::nanoseconds;
using views::PlaybackSpeed;

namespace {

PlaybackSpeed speed_of(const std::string& text) {
  PlaybackSpeed speed;
  std::string error;
  INFO(text << ": " << error);
  REQUIRE(views::parse_speed(text, speed, error));
  return speed;
}

std::string speed_error(const std::string& text) {
  PlaybackSpeed speed;
  std::string error;
  CHECK_FALSE(views::parse_speed(text, speed, error));
  return error;
}

}  // namespace

TEST_CASE("speeds are exact millionths") {
  CHECK(speed_of("1").parts_per_million == 1'000'000);
  CHECK(speed_of("10").parts_per_million == 10'000'000);
  CHECK(speed_of("0.5").parts_per_million == 500'000);
  CHECK(speed_of("1.0").parts_per_million == 1'000'000);
  CHECK(speed_of("1e6").parts_per_million == 1'000'000'000'000ULL);
  CHECK(speed_of("2.5E-3").parts_per_million == 2'500);
  CHECK(speed_of("0.000001").parts_per_million == 1);
  CHECK(speed_of("1e9").parts_per_million == views::max_speed_parts_per_million);
  CHECK(speed_of("000.25").parts_per_million == 250'000);
  CHECK(speed_of(".5").parts_per_million == 500'000);
}

TEST_CASE("speeds that are not numbers, not positive or not exact are refused with a reason") {
  for (const std::string text : {"", "abc", "-1", "+2", " 2", "2 ", "1e", "1e+", "0x10", "inf",
                                 "nan", "1,5", "2s", "."}) {
    INFO("'" << text << "'");
    CHECK(speed_error(text).find("SPEED must be") != std::string::npos);
  }
  CHECK(speed_error("0").find("greater than 0") != std::string::npos);
  CHECK(speed_error("0.0").find("greater than 0") != std::string::npos);
  CHECK(speed_error("0.0000001").find("millionths") != std::string::npos);
  CHECK(speed_error("1.0000005").find("millionths") != std::string::npos);
  CHECK(speed_error("2e9").find("too large") != std::string::npos);
  CHECK(speed_error("1e400").find("too large") != std::string::npos);
}

TEST_CASE("a virtual time plays at (t - origin) / speed after the start") {
  CHECK(views::playback_offset(3 * second, 0, speed_of("1")) == nanoseconds(3'000'000'000));
  CHECK(views::playback_offset(3 * second, 0, speed_of("10")) == nanoseconds(300'000'000));
  CHECK(views::playback_offset(3 * second, 0, speed_of("0.5")) == nanoseconds(6'000'000'000));
  CHECK(views::playback_offset(3 * second, 1 * second, speed_of("2")) ==
        nanoseconds(1'000'000'000));
  CHECK(views::playback_offset(1 * second, 2 * second, speed_of("1")) == nanoseconds(0));
  // 1 ns of virtual time at a third of the speed: 3 ns, exactly (no floating point).
  CHECK(views::playback_offset(1, 0, speed_of("0.333333")) == nanoseconds(3));
  // A long scenario at high speed: 2 MSL = 240 s at 1e6 x is 240 us.
  CHECK(views::playback_offset(240 * second, 0, speed_of("1e6")) == nanoseconds(240'000));
  // Extreme times saturate instead of overflowing.
  CHECK(views::playback_offset(INT64_MAX, 0, speed_of("0.000001")) == nanoseconds::max());
}

TEST_CASE("deadlines are absolute: each comes from the start instant, so none drifts") {
  const auto start = std::chrono::steady_clock::time_point(std::chrono::seconds(1000));
  const PlaybackSpeed third = speed_of("0.3");  // 1/0.3 does not divide evenly: rounding shows
  std::vector<Time> times;
  for (Time time = 0; time <= 1'000'000 * millisecond; time += 7 * millisecond + 3) {
    times.push_back(time);
  }
  const auto deadlines = views::playback_deadlines(start, times, 0, third);
  REQUIRE(deadlines.size() == times.size());
  for (std::size_t index = 0; index < times.size(); ++index) {
    // Exactly floor(t * 10 / 3) ns after the start, however many came before.
    const auto expected = start + nanoseconds(times[index] * 10 / 3);
    REQUIRE(deadlines[index] == expected);
  }
  // Summing rounded gaps instead would lose up to 1 ns per line; the last one shows none lost.
  CHECK(deadlines.back() - start == nanoseconds(times.back() * 10 / 3));
  // Equal times share a deadline; later times never come earlier.
  const auto same = views::playback_deadlines(start, {5 * second, 5 * second, 6 * second}, 0,
                                              speed_of("1"));
  CHECK(same[0] == same[1]);
  CHECK(same[1] < same[2]);
}

TEST_CASE("the virtual time reached after an interruption is elapsed real time times speed") {
  CHECK(views::virtual_time_after(nanoseconds(500'000'000), 0, speed_of("2")) == 1 * second);
  CHECK(views::virtual_time_after(nanoseconds(500'000'000), 0, speed_of("0.5")) ==
        250 * millisecond);
  CHECK(views::virtual_time_after(nanoseconds(-5), 7, speed_of("1")) == 7);
}

TEST_CASE("the frames of a playback are exactly the ladder, with or without narration") {
  const runner::Scenario scenario = runner::load_scenario_file(
      std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lost-final-ack-time-wait.json");
  const runner::RunResult result = runner::run_scenario(scenario);
  views::LadderOptions options;
  options.absolute_seq = runner::scenario_uses_fixed_isns(scenario);

  const auto frames = views::ladder_frames(scenario, result, options, std::nullopt);
  std::string joined;
  Time previous = 0;
  for (const auto& frame : frames) {
    joined += frame.text;
    CHECK(frame.time >= previous);  // in time order, so deadlines never go backwards
    previous = frame.time;
  }
  CHECK(joined == views::format_ladder(scenario, result, options));
  CHECK(frames.back().time == result.end_time);

  std::string explained;
  for (const auto& frame : views::ladder_frames(scenario, result, options,
                                                views::Language::chinese)) {
    explained += frame.text;
  }
  CHECK(explained ==
        views::format_explained_ladder(scenario, result, options, views::Language::chinese));
}

TEST_CASE("playback at a high speed prints the whole ladder and completes") {
  const runner::Scenario scenario = runner::load_scenario_file(
      std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lost-final-ack-time-wait.json");
  const runner::RunResult result = runner::run_scenario(scenario);
  views::LadderOptions options;
  const auto frames = views::ladder_frames(scenario, result, options, std::nullopt);
  std::ostringstream out;
  // 1e9 x: the 241 s of this run play in about a quarter of a millisecond.
  const auto outcome = views::play(frames, speed_of("1e9"), out);
  CHECK(outcome.completed);
  CHECK(outcome.signal == 0);
  CHECK(outcome.events_shown == outcome.events_total);
  CHECK(outcome.reached == result.end_time);
  CHECK(out.str() == views::format_ladder(scenario, result, options));
}

TEST_CASE("an interruption says where playback stopped and exits 128 + the signal") {
  views::PlaybackOutcome outcome;
  outcome.signal = 2;  // SIGINT
  outcome.reached = 1'250'000'000;
  outcome.events_shown = 17;
  outcome.events_total = 40;
  CHECK(views::interruption_line(outcome) ==
        "interrupted (SIGINT): playback stopped at 1.250000s of virtual time, 17 of 40 events "
        "shown");
  CHECK(views::interruption_exit_code(outcome) == 130);
  outcome.signal = 15;  // SIGTERM
  CHECK(views::interruption_exit_code(outcome) == 143);
}

}  // namespace views_realtime_tests
