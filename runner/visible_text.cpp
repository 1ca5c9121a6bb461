#include "runner/visible_text.hpp"

#include <cstdio>

namespace tcpsim::runner {

std::size_t utf8_sequence(std::string_view text, std::size_t index, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(index);
  std::size_t length = 0;
  char32_t code = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (index + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char next = byte(index + k);
    if ((next & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (next & 0x3Fu);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid.
  if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
      (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  code_point = code;
  return length;
}

namespace {

// Characters that are valid but show nothing, or change how the text around them shows.
bool invisible(char32_t code) {
  return (code >= 0x80 && code <= 0x9F) || (code >= 0x200B && code <= 0x200F) ||
         code == 0x2028 || code == 0x2029 || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069) || code == 0xFEFF;
}

void append_byte_escape(std::string& out, unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(byte));
  out += buffer;
}

}  // namespace

std::string visible(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t index = 0;
  while (index < text.size()) {
    const auto byte = static_cast<unsigned char>(text[index]);
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, index, code);
    if (length == 0 || byte < 0x20 || byte == 0x7F) {
      append_byte_escape(out, byte);
      ++index;
      continue;
    }
    if (invisible(code)) {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\u{%04X}", static_cast<unsigned>(code));
      out += buffer;
    } else {
      out.append(text.substr(index, length));
    }
    index += length;
  }
  return out;
}

std::string shorten_middle(std::string_view text, std::size_t keep) {
  if (text.size() <= 2 * keep + 3) return std::string(text);
  // Cut at character boundaries: never inside a UTF-8 sequence.
  const auto continuation = [&](std::size_t at) {
    return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0u) == 0x80u;
  };
  std::size_t head = keep;
  while (head > 0 && continuation(head)) --head;
  std::size_t tail = text.size() - keep;
  while (tail < text.size() && continuation(tail)) ++tail;
  return std::string(text.substr(0, head)) + "..." + std::string(text.substr(tail));
}

std::string visible_short(std::string_view text, std::size_t keep) {
  return visible(shorten_middle(text, keep));
}

}  // namespace tcpsim::runner
