// The memory budget of a run: what the run holds (its trace, connection records, segments in
// flight, TCP buffers) may not grow beyond it, or the run stops with an error, as it does when
// the event budget runs out (docs/performance.md, "Memory"). Set by "memory_budget" in the
// scenario and `--memory-budget` on the command line, both in the syntax of parse_memory_size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim::runner {

inline constexpr std::uint64_t kibibyte = 1024;
inline constexpr std::uint64_t mebibyte = 1024 * kibibyte;
inline constexpr std::uint64_t gibibyte = 1024 * mebibyte;
inline constexpr std::uint64_t tebibyte = 1024 * gibibyte;

inline constexpr std::uint64_t default_memory_budget = gibibyte;
inline constexpr std::uint64_t min_memory_budget = mebibyte;
inline constexpr std::uint64_t max_memory_budget = tebibyte;

// "1048576", "512MiB", "4GiB": a whole number of bytes, or of B, KiB, MiB, GiB or TiB, from
// min_memory_budget to max_memory_budget. nullopt with `error` saying what was wrong.
std::optional<std::uint64_t> parse_memory_size(std::string_view text, std::string& error);
// The same range check for a size already read as an integer (the scenario's JSON number).
bool memory_budget_in_range(std::uint64_t bytes, std::string& error);

// "1 GiB" for a whole number of the largest unit that divides it, else "1536000 bytes".
std::string format_memory_size(std::uint64_t bytes);

// What a run holds, by part, as the budget counts it.
struct MemoryUse {
  std::uint64_t trace = 0;      // trace events kept for the views, or trace text kept in memory
  std::uint64_t records = 0;    // connection records: names, states, application events
  std::uint64_t in_flight = 0;  // segments on the link, with their payloads
  std::uint64_t tcp = 0;  // connections (live, and kept for reuse): control blocks, buffers
  std::uint64_t total() const { return trace + records + in_flight + tcp; }
};

// The error of a run that outgrew its budget: which budget, how much the run held, by part,
// and how to raise it.
std::string memory_budget_message(std::uint64_t budget, const MemoryUse& use,
                                  std::string_view virtual_time);

}  // namespace tcpsim::runner
