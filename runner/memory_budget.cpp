#include "runner/memory_budget.hpp"

#include <array>
#include <utility>

namespace tcpsim::runner {
namespace {

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 5> units{{
    {"TiB", tebibyte}, {"GiB", gibibyte}, {"MiB", mebibyte}, {"KiB", kibibyte}, {"B", 1}}};

// Tenths of a MiB, rounded down: "1024.3 MiB" (integer arithmetic, the same on every machine).
std::string mebibytes(std::uint64_t bytes) {
  const std::uint64_t tenths = bytes / (mebibyte / 10);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
}

}  // namespace

bool memory_budget_in_range(std::uint64_t bytes, std::string& error) {
  if (bytes >= min_memory_budget && bytes <= max_memory_budget) return true;
  error = "a memory budget is " + format_memory_size(min_memory_budget) + " to " +
          format_memory_size(max_memory_budget) + ", got " + format_memory_size(bytes);
  return false;
}

std::optional<std::uint64_t> parse_memory_size(std::string_view text, std::string& error) {
  const std::string expected = "expected a size such as \"512MiB\", \"4GiB\" or a number of bytes";
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || (text[0] == '0' && digits > 1)) {
    error = expected + ", got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  const std::string_view unit = text.substr(digits);
  std::uint64_t multiplier = 0;
  if (unit.empty()) multiplier = 1;
  for (const auto& [name, size] : units) {
    if (unit == name) multiplier = size;
  }
  if (multiplier == 0) {
    error = "size \"" + std::string(text) + "\" has unknown unit \"" + std::string(unit) +
            "\" (units: B, KiB, MiB, GiB, TiB)";
    return std::nullopt;
  }
  // Stops once beyond the range (count stays below 2^44: no overflow).
  const std::uint64_t limit = max_memory_budget / multiplier;
  std::uint64_t count = 0;
  for (std::size_t at = 0; at < digits && count <= limit; ++at) {
    count = count * 10 + static_cast<std::uint64_t>(text[at] - '0');
  }
  if (count > limit || !memory_budget_in_range(count * multiplier, error)) {
    error = "a memory budget is " + format_memory_size(min_memory_budget) + " to " +
            format_memory_size(max_memory_budget) + ", got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  return count * multiplier;
}

std::string format_memory_size(std::uint64_t bytes) {
  for (const auto& [name, size] : units) {
    if (size > 1 && bytes != 0 && bytes % size == 0) {
      return std::to_string(bytes / size) + " " + std::string(name);
    }
  }
  return std::to_string(bytes) + " bytes";
}

std::string memory_budget_message(std::uint64_t budget, const MemoryUse& use,
                                  std::string_view virtual_time) {
  return "memory budget of " + format_memory_size(budget) + " exceeded at " +
         std::string(virtual_time) + " of virtual time: the run needs " + mebibytes(use.total()) +
         " (trace " + mebibytes(use.trace) + ", connection records " + mebibytes(use.records) +
         ", segments in flight " + mebibytes(use.in_flight) + ", TCP buffers " +
         mebibytes(use.tcp) + "); raise \"memory_budget\" in the scenario or pass " +
         "--memory-budget (e.g. 4GiB); tcpsim run --format jsonl without other views streams " +
         "the trace instead of keeping it";
}

}  // namespace tcpsim::runner
