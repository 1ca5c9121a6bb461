#include "tcp/segment.hpp"

#include <array>
#include <cctype>

namespace tcpsim::tcp {

namespace {

struct FlagName {
  std::uint8_t bit;
  std::string_view name;
};

// The canonical order of the text form.
constexpr std::array<FlagName, 6> flag_names{{
    {flag::syn, "SYN"},
    {flag::fin, "FIN"},
    {flag::rst, "RST"},
    {flag::psh, "PSH"},
    {flag::ack, "ACK"},
    {flag::urg, "URG"},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool is_flag_separator(char c) { return c == ',' || c == '|' || c == '+'; }

}  // namespace

std::string flags_to_string(std::uint8_t flags) {
  std::string text;
  for (const FlagName& entry : flag_names) {
    if ((flags & entry.bit) == 0) continue;
    if (!text.empty()) text += ',';
    text += entry.name;
  }
  return text;
}

bool parse_flags(std::string_view text, std::uint8_t& flags_out) {
  std::uint8_t flags = 0;
  if (trim_spaces(text).empty()) {
    flags_out = 0;
    return true;
  }
  while (true) {
    std::size_t end = 0;
    while (end < text.size() && !is_flag_separator(text[end])) ++end;
    const std::string_view name = trim_spaces(text.substr(0, end));
    bool known = false;
    for (const FlagName& entry : flag_names) {
      if (equals_ignoring_case(name, entry.name)) {
        flags = static_cast<std::uint8_t>(flags | entry.bit);
        known = true;
        break;
      }
    }
    if (!known) return false;  // also an empty name between two separators
    if (end == text.size()) break;
    text.remove_prefix(end + 1);
  }
  flags_out = flags;
  return true;
}

std::string address_to_string(Address address) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    text += std::to_string((address >> shift) & 0xFFU);
    if (shift != 0) text += '.';
  }
  return text;
}

bool parse_address(std::string_view text, Address& address_out, bool* leading_zero_out) {
  if (leading_zero_out != nullptr) *leading_zero_out = false;
  Address address = 0;
  for (int part = 0; part < 4; ++part) {
    if (part != 0) {
      if (text.empty() || text.front() != '.') return false;
      text.remove_prefix(1);
    }
    std::uint32_t value = 0;
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) {
      value = value * 10 + static_cast<std::uint32_t>(text[digits] - '0');
      ++digits;
      if (digits > 3) return false;
    }
    if (digits == 0 || value > 255) return false;
    if (digits > 1 && text.front() == '0') {
      // "010": 10 in decimal, 8 in inet_aton's octal. Neither reading is safe to pick.
      if (leading_zero_out != nullptr) *leading_zero_out = true;
      return false;
    }
    text.remove_prefix(digits);
    address = (address << 8) | value;
  }
  if (!text.empty()) return false;
  address_out = address;
  return true;
}

}  // namespace tcpsim::tcp
