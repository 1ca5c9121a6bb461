#include "tcp/segment.hpp"

#include <algorithm>
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

namespace {

void put_u16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put_u16(out, value >> 16);
  put_u16(out, value & 0xFFFFU);
}
std::uint32_t read_u16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint32_t>(bytes[at] << 8 | bytes[at + 1]);
}
std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return read_u16(bytes, at) << 16 | read_u16(bytes, at + 2);
}

void put_mss(std::vector<std::uint8_t>& out, const Segment& segment) {
  out.push_back(option_kind::mss);
  out.push_back(4);
  put_u16(out, segment.mss);
}
void put_window_scale(std::vector<std::uint8_t>& out, const Segment& segment) {
  out.push_back(option_kind::window_scale);
  out.push_back(3);
  out.push_back(static_cast<std::uint8_t>(segment.window_scale));
}
void put_sack_permitted(std::vector<std::uint8_t>& out) {
  out.push_back(option_kind::sack_permitted);
  out.push_back(2);
}
void put_timestamps(std::vector<std::uint8_t>& out, const Segment& segment) {
  out.push_back(option_kind::timestamps);
  out.push_back(10);
  put_u32(out, segment.timestamp_value);
  put_u32(out, segment.timestamp_echo);
}
// The SACK option with as many blocks as fit after `out`'s bytes (RFC 2018 3).
void put_sack(std::vector<std::uint8_t>& out, const Segment& segment) {
  const std::size_t room = max_option_bytes > out.size() + 2 ? max_option_bytes - out.size() - 2
                                                              : 0;
  const std::size_t count = std::min<std::size_t>(segment.sack_block_count, room / 8);
  if (count == 0) return;
  out.push_back(option_kind::sack);
  out.push_back(static_cast<std::uint8_t>(2 + 8 * count));
  for (std::size_t index = 0; index < count; ++index) {
    put_u32(out, segment.sack_blocks[index].left);
    put_u32(out, segment.sack_blocks[index].right);
  }
}
void pad_with(std::vector<std::uint8_t>& out, std::uint8_t kind, std::size_t modulus,
              std::size_t remainder) {
  while (out.empty() || out.size() % modulus != remainder) out.push_back(kind);
}

}  // namespace

std::vector<std::uint8_t> encode_options(const Segment& segment, OptionLayout layout) {
  std::vector<std::uint8_t> out;
  const bool scale = segment.window_scale >= 0;
  if (layout == OptionLayout::linux_order) {
    // tcp_options_write(): MSS; SACK-permitted shares a word with timestamps, else NOP NOP
    // before them; window scale after one NOP; SACK blocks after NOP NOP.
    if (segment.mss != 0) put_mss(out, segment);
    if (segment.has_timestamps) {
      if (segment.sack_permitted) {
        put_sack_permitted(out);
      } else {
        out.push_back(option_kind::no_operation);
        out.push_back(option_kind::no_operation);
      }
      put_timestamps(out, segment);
    } else if (segment.sack_permitted) {
      out.push_back(option_kind::no_operation);
      out.push_back(option_kind::no_operation);
      put_sack_permitted(out);
    }
    if (scale) {
      out.push_back(option_kind::no_operation);
      put_window_scale(out, segment);
    }
    if (segment.sack_block_count > 0 && out.size() + 12 <= max_option_bytes) {
      out.push_back(option_kind::no_operation);
      out.push_back(option_kind::no_operation);
      put_sack(out, segment);
    }
  } else {
    // tcp_addoptions(): MSS, window scale (NOP-aligned to an odd offset), SACK-permitted (even),
    // timestamps and SACK blocks (offset 2 modulo 4), then EOL to a 4-byte boundary.
    if (segment.mss != 0) put_mss(out, segment);
    if (scale) {
      pad_with(out, option_kind::no_operation, 2, 1);
      put_window_scale(out, segment);
    }
    if (segment.sack_permitted) {
      pad_with(out, option_kind::no_operation, 2, 0);
      put_sack_permitted(out);
    }
    if (segment.has_timestamps) {
      pad_with(out, option_kind::no_operation, 4, 2);
      put_timestamps(out, segment);
    }
    if (segment.sack_block_count > 0 && out.size() + 12 <= max_option_bytes) {
      pad_with(out, option_kind::no_operation, 4, 2);
      put_sack(out, segment);
    }
  }
  while (out.size() % 4 != 0) out.push_back(option_kind::end_of_list);
  return out;
}

bool decode_options(std::span<const std::uint8_t> bytes, Segment& segment) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::uint8_t kind = bytes[at];
    if (kind == option_kind::end_of_list) return true;
    if (kind == option_kind::no_operation) {
      ++at;
      continue;
    }
    if (at + 1 >= bytes.size()) return false;
    const std::size_t length = bytes[at + 1];
    if (length < 2 || at + length > bytes.size()) return false;
    switch (kind) {
      case option_kind::mss:
        if (length == 4) segment.mss = static_cast<std::uint16_t>(read_u16(bytes, at + 2));
        break;
      case option_kind::window_scale:
        if (length == 3) segment.window_scale = static_cast<std::int8_t>(bytes[at + 2] & 0x7F);
        break;
      case option_kind::sack_permitted:
        if (length == 2) segment.sack_permitted = true;
        break;
      case option_kind::timestamps:
        if (length == 10) {
          segment.has_timestamps = true;
          segment.timestamp_value = read_u32(bytes, at + 2);
          segment.timestamp_echo = read_u32(bytes, at + 6);
        }
        break;
      case option_kind::sack:
        if ((length - 2) % 8 == 0) {
          const std::size_t count = std::min((length - 2) / 8, max_sack_blocks);
          segment.sack_block_count = static_cast<std::uint8_t>(count);
          for (std::size_t index = 0; index < count; ++index) {
            segment.sack_blocks[index] = {read_u32(bytes, at + 2 + 8 * index),
                                          read_u32(bytes, at + 6 + 8 * index)};
          }
        }
        break;
      default: break;  // RFC 9293 3.1: an option we do not know is skipped by its length
    }
    at += length;
  }
  return true;
}

std::uint32_t data_option_bytes(bool timestamps, std::size_t sack_blocks) {
  return (timestamps ? 12U : 0U) +
         (sack_blocks > 0 ? 4U + 8U * static_cast<std::uint32_t>(sack_blocks) : 0U);
}

std::size_t sack_blocks_that_fit(bool timestamps) { return timestamps ? 3 : 4; }

}  // namespace tcpsim::tcp
