#include "views/realtime.hpp"

// Boost 1.74's Asio detects std::invoke_result on MSVC only, and otherwise uses std::result_of,
// which C++20 removed (libc++ 14 has none): tell it the standard library has invoke_result.
#ifndef BOOST_ASIO_HAS_STD_INVOKE_RESULT
#define BOOST_ASIO_HAS_STD_INVOKE_RESULT 1
#endif
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <functional>
#include <ostream>

#include "views/ladder.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

namespace {

// 128-bit products keep (time * 10^6) exact for any 64-bit time; __extension__ keeps
// -Wpedantic quiet about the (GCC and Clang) extension type.
__extension__ typedef unsigned __int128 uint128;

constexpr std::uint64_t million = 1'000'000;

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

}  // namespace

bool parse_speed(std::string_view text, PlaybackSpeed& speed_out, std::string& error) {
  const std::string shown = "'" + std::string(text) + "'";
  const std::string expected =
      "SPEED must be a number greater than 0 such as 10, 0.5 or 1e6, got " + shown;
  // digits [. digits] [e [+-] digits]
  std::size_t position = 0;
  uint128 mantissa = 0;
  int significant = 0;
  int fraction_digits = 0;
  bool any_digit = false;
  auto read_digits = [&](bool fraction) {
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      const int digit = text[position] - '0';
      any_digit = true;
      if (mantissa != 0 || digit != 0) ++significant;
      if (significant > 30) return false;
      mantissa = mantissa * 10 + static_cast<unsigned>(digit);
      if (fraction) ++fraction_digits;
      ++position;
    }
    return true;
  };
  bool within = read_digits(false);
  if (within && position < text.size() && text[position] == '.') {
    ++position;
    within = read_digits(true);
  }
  if (!within) {
    error = "SPEED has too many digits: " + shown;
    return false;
  }
  long exponent = 0;
  if (any_digit && position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
    ++position;
    bool negative = false;
    if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
      negative = text[position] == '-';
      ++position;
    }
    const std::size_t start = position;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9' &&
           exponent < 1000) {
      exponent = exponent * 10 + (text[position] - '0');
      ++position;
    }
    if (position == start) position = text.size() + 1;  // "1e": malformed
    if (negative) exponent = -exponent;
  }
  if (!any_digit || position != text.size()) {
    error = expected;
    return false;
  }
  if (mantissa == 0) {
    error = "SPEED must be greater than 0, got " + shown;
    return false;
  }
  // parts per million = mantissa * 10^(exponent - fraction_digits + 6)
  long scale = exponent - fraction_digits + 6;
  uint128 ppm = mantissa;
  while (scale > 0) {
    if (ppm > max_speed_parts_per_million) break;
    ppm *= 10;
    --scale;
  }
  while (scale < 0) {
    if (ppm % 10 != 0) {
      error = "SPEED " + shown +
              " is not a whole number of millionths: use at least 0.000001, at most 6 decimals";
      return false;
    }
    ppm /= 10;
    ++scale;
  }
  if (scale > 0 || ppm > max_speed_parts_per_million) {
    error = "SPEED " + shown + " is too large: at most 1e9 (a billion times faster)";
    return false;
  }
  speed_out.parts_per_million = static_cast<std::uint64_t>(ppm);
  return true;
}

std::chrono::nanoseconds playback_offset(Time time, Time origin, PlaybackSpeed speed) {
  if (time <= origin || speed.parts_per_million == 0) return std::chrono::nanoseconds(0);
  const auto elapsed = static_cast<uint128>(static_cast<std::uint64_t>(time) -
                                            static_cast<std::uint64_t>(origin));
  const uint128 offset = elapsed * million / speed.parts_per_million;
  const auto limit = static_cast<uint128>(std::chrono::nanoseconds::max().count());
  return std::chrono::nanoseconds(
      static_cast<std::chrono::nanoseconds::rep>(offset > limit ? limit : offset));
}

std::vector<std::chrono::steady_clock::time_point> playback_deadlines(
    std::chrono::steady_clock::time_point start, const std::vector<Time>& times, Time origin,
    PlaybackSpeed speed) {
  std::vector<std::chrono::steady_clock::time_point> deadlines;
  deadlines.reserve(times.size());
  for (const Time time : times) {
    deadlines.push_back(
        start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    playback_offset(time, origin, speed)));
  }
  return deadlines;
}

Time virtual_time_after(std::chrono::nanoseconds elapsed, Time origin, PlaybackSpeed speed) {
  if (elapsed.count() <= 0) return origin;
  const uint128 advanced =
      static_cast<uint128>(elapsed.count()) * speed.parts_per_million / million;
  const auto room = static_cast<uint128>(INT64_MAX - origin);
  return origin + static_cast<Time>(advanced > room ? room : advanced);
}

std::vector<PlaybackFrame> ladder_frames(const runner::Scenario& scenario,
                                         const runner::RunResult& result,
                                         const LadderOptions& options,
                                         std::optional<Language> explain) {
  LadderOptions ladder = options;
  if (explain) ladder.language = *explain;  // as format_explained_ladder
  const LadderPrinter printer(scenario, result, ladder);
  std::vector<std::string> sentences;
  if (explain) {
    NarrationOptions narration;
    narration.absolute_seq = options.absolute_seq;
    sentences = narrate_run(scenario, result, *explain, narration);
  }
  std::vector<PlaybackFrame> frames;
  frames.push_back({0, printer.header(explain ? explain_header_note(*explain) : std::string()),
                    false});
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    std::string line = printer.event_line(index);
    if (line.empty()) continue;
    if (explain) {
      const LostBurst* burst = printer.lost_burst(index);
      line = explained_event_block(
          line,
          burst != nullptr ? narrate_lost_burst(scenario, result, *burst, *explain)
                           : sentences[index],
          printer.time_width(), std::max(options.width, min_ladder_width));
    }
    frames.push_back({result.trace[index].time, std::move(line), true});
  }
  frames.push_back({result.end_time, printer.footer(), false});
  return frames;
}

PlaybackOutcome play(const std::vector<PlaybackFrame>& frames, PlaybackSpeed speed,
                     std::ostream& out) {
  PlaybackOutcome outcome;
  for (const auto& frame : frames) outcome.events_total += frame.event ? 1 : 0;

  boost::asio::io_context io;
  boost::asio::steady_timer timer(io);
  // Installed before the first line: an interrupt at any moment stops the playback cleanly.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  const Time origin = 0;
  const auto start = std::chrono::steady_clock::now();
  std::size_t next = 0;

  std::function<void()> show_next = [&]() {
    if (next == frames.size()) {
      outcome.completed = true;
      signals.cancel();  // nothing left to wait for: io.run() returns
      return;
    }
    // The deadline from the start instant, never from the previous line: no drift.
    timer.expires_at(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 playback_offset(frames[next].time, origin, speed)));
    timer.async_wait([&](const boost::system::error_code& error) {
      if (error) return;  // cancelled by a signal
      const PlaybackFrame& frame = frames[next];
      out << frame.text << std::flush;
      outcome.reached = frame.time;
      if (frame.event) ++outcome.events_shown;
      ++next;
      show_next();
    });
  };
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;  // cancelled: the playback completed
    outcome.signal = signal;
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - start);
    const Time now = virtual_time_after(elapsed, origin, speed);
    const Time end = frames.empty() ? origin : frames.back().time;
    outcome.reached = std::max(outcome.reached, std::min(now, end));
    timer.cancel();
  });
  show_next();
  io.run();
  return outcome;
}

std::string interruption_line(const PlaybackOutcome& outcome) {
  return "interrupted (" + std::string(signal_name(outcome.signal)) + "): playback stopped at " +
         text::seconds(outcome.reached, text::Decimals::six) + "s of virtual time, " +
         std::to_string(outcome.events_shown) + " of " + std::to_string(outcome.events_total) +
         " events shown";
}

int interruption_exit_code(const PlaybackOutcome& outcome) {
  return outcome.signal > 0 ? 128 + outcome.signal : 130;
}

}  // namespace tcpsim::views
