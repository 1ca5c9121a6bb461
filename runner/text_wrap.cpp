#include "runner/text_wrap.hpp"

#include <cstdint>

namespace tcpsim::runner {

namespace {

// One UTF-8 code point at `at`: its value and byte length (a malformed byte counts as itself).
std::uint32_t code_point(std::string_view text, std::size_t at, std::size_t& length) {
  const auto byte = static_cast<unsigned char>(text[at]);
  length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
  if (at + length > text.size() || byte < 0xC0) {
    length = 1;
    return byte;
  }
  std::uint32_t value = length == 2 ? byte & 0x1FU : length == 3 ? byte & 0x0FU : byte & 0x07U;
  for (std::size_t i = 1; i < length; ++i) {
    value = (value << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3FU);
  }
  return value;
}

// East Asian wide characters take two terminal columns, and a line may break before any of
// them (Chinese has no spaces between words) except before closing punctuation.
bool wide(std::uint32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6);
}
bool closing_punctuation(std::uint32_t c) {
  return c == 0x3001 || c == 0x3002 || c == 0xFF0C || c == 0xFF1B || c == 0xFF1A ||
         c == 0xFF09 || c == 0xFF01 || c == 0xFF1F || c == 0x300D || c == 0x300F;
}

}  // namespace

void write_wrapped(std::ostream& out, std::string_view text, std::size_t line_width,
                   std::string_view prefix) {
  const std::size_t width = line_width - prefix.size();
  std::size_t column = 0;
  std::size_t at = 0;
  bool space_before = false;
  while (at < text.size()) {
    if (text[at] == ' ') {
      space_before = true;
      ++at;
      continue;
    }
    // The next unbreakable piece: a run of narrow characters up to a space or a wide character,
    // or one wide character with the closing punctuation after it.
    const std::size_t start = at;
    std::size_t piece_width = 0;
    std::size_t length = 0;
    const bool starts_wide = wide(code_point(text, at, length));
    if (starts_wide) {
      at += length;
      piece_width = 2;
      while (at < text.size() && closing_punctuation(code_point(text, at, length))) {
        at += length;
        piece_width += 2;
      }
    } else {
      while (at < text.size() && text[at] != ' ' && !wide(code_point(text, at, length))) {
        at += length;
        ++piece_width;
      }
    }
    const std::string_view piece = text.substr(start, at - start);
    const std::size_t gap = space_before && column > 0 ? 1 : 0;
    if (column > 0 && column + gap + piece_width > width) {
      out << "\n";
      column = 0;
    }
    if (column == 0) {
      out << prefix << piece;
      column = piece_width;
    } else {
      out << (gap != 0 ? " " : "") << piece;
      column += gap + piece_width;
    }
    space_before = false;
  }
  out << "\n";
}

}  // namespace tcpsim::runner
