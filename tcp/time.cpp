#include "tcp/time.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace tcpsim {

namespace {

struct Unit {
  Duration length;
  std::string_view name;
};

// Largest first. Only s, ms and us have a length that is a power of ten of a nanosecond, so only
// they can carry an exact decimal fraction.
constexpr std::array<Unit, 6> units{{
    {hour, "h"},
    {minute, "min"},
    {second, "s"},
    {millisecond, "ms"},
    {microsecond, "us"},
    {nanosecond, "ns"},
}};

bool is_decimal_unit(const Unit& unit) {
  return unit.length == second || unit.length == millisecond || unit.length == microsecond;
}

// `magnitude` in `unit` with the fraction written out, trailing zeros removed.
std::string decimal_in(std::uint64_t magnitude, const Unit& unit) {
  const auto length = static_cast<std::uint64_t>(unit.length);
  std::string text = std::to_string(magnitude / length);
  std::uint64_t remainder = magnitude % length;
  if (remainder != 0) {
    // Digits of the fraction: as many as the unit has decimal places (9 for s, 6 for ms, 3 for us).
    std::string fraction;
    for (std::uint64_t scale = length / 10; scale > 0; scale /= 10) {
      fraction.push_back(static_cast<char>('0' + remainder / scale));
      remainder %= scale;
    }
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    text += '.';
    text += fraction;
  }
  text += unit.name;
  return text;
}

}  // namespace

// The rule, made exact: take the largest unit not longer than the value. If it divides the value,
// write an integer of it ("2min", "150ms"). If it does not and it is a decimal unit (s, ms, us),
// write a decimal of it ("1.5s", "1.234567891s"). If it is h or min (whose decimals need not
// terminate), use the largest unit that divides the value exactly when that is min or s ("62min",
// "90s"), else a decimal of seconds ("61.5s"). Never "1h2min".
std::string format_duration(Duration duration) {
  if (duration == 0) return "0s";
  std::string sign = duration < 0 ? "-" : "";
  // Unsigned magnitude: also correct for the most negative value.
  const std::uint64_t magnitude =
      duration < 0 ? static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(duration)
                   : static_cast<std::uint64_t>(duration);

  std::size_t largest = units.size() - 1;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (magnitude >= static_cast<std::uint64_t>(units[i].length)) {
      largest = i;
      break;
    }
  }
  const Unit& unit = units[largest];
  const auto length = static_cast<std::uint64_t>(unit.length);
  if (magnitude % length == 0) return sign + std::to_string(magnitude / length) + std::string(unit.name);
  if (is_decimal_unit(unit)) return sign + decimal_in(magnitude, unit);
  // h or min that does not divide.
  for (std::size_t i = largest + 1; i < units.size() && units[i].length >= second; ++i) {
    const auto smaller = static_cast<std::uint64_t>(units[i].length);
    if (magnitude % smaller == 0) {
      return sign + std::to_string(magnitude / smaller) + std::string(units[i].name);
    }
  }
  return sign + decimal_in(magnitude, units[2]);
}

}  // namespace tcpsim
