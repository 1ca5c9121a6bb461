#include "runner/json_source.hpp"

#include <cstdio>
#include <unordered_set>
#include <utility>

namespace tcpsim::runner::json {
namespace {

// Thrown inside the parser only; parse() turns it into a SyntaxError.
struct Failure {
  Position position;
  std::string message;
};

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "'x'" for printable ASCII, "byte 0x89" for anything else.
std::string describe_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7f) return std::string("character '") + c + "'";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "byte 0x%02x", byte);
  return buffer;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

// Length of the well-formed UTF-8 sequence starting at text[at] (RFC 3629 section 4), or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) -> unsigned {
    return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0x100U;
  };
  const auto in = [](unsigned b, unsigned low, unsigned high) { return b >= low && b <= high; };
  const unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (in(b0, 0xc2, 0xdf)) return in(byte(1), 0x80, 0xbf) ? 2 : 0;
  if (b0 == 0xe0) return in(byte(1), 0xa0, 0xbf) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
  if (in(b0, 0xe1, 0xec) || in(b0, 0xee, 0xef))
    return in(byte(1), 0x80, 0xbf) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
  if (b0 == 0xed) return in(byte(1), 0x80, 0x9f) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
  if (b0 == 0xf0)
    return in(byte(1), 0x90, 0xbf) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
  if (in(b0, 0xf1, 0xf3))
    return in(byte(1), 0x80, 0xbf) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
  if (b0 == 0xf4)
    return in(byte(1), 0x80, 0x8f) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  void parse_document(Value& out) {
    if (text_.substr(0, 3) == "\xef\xbb\xbf") fail("a byte order mark is not allowed");
    skip_whitespace();
    parse_value(out, 0);
    skip_whitespace();
    if (offset_ < text_.size())
      fail("unexpected " + describe_byte(text_[offset_]) + " after the top-level value");
  }

  const std::vector<std::string>& path() const { return path_; }

 private:
  std::string_view text_;
  std::size_t offset_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t value_count_ = 0;
  std::vector<std::string> path_;  // segments: ".key", "[3]"

  Position here() const {
    return Position{line_, static_cast<int>(offset_ - line_start_ + 1)};
  }
  bool at_end() const { return offset_ >= text_.size(); }
  char peek() const { return text_[offset_]; }

  [[noreturn]] void fail(std::string message) const { throw Failure{here(), std::move(message)}; }
  [[noreturn]] void fail_unexpected(std::string_view expected) const {
    if (at_end()) fail("unexpected end of file, expected " + std::string(expected));
    fail("unexpected " + describe_byte(peek()) + ", expected " + std::string(expected));
  }

  void skip_whitespace() {
    while (!at_end() && is_json_whitespace(peek())) {
      if (peek() == '\n') {
        ++line_;
        line_start_ = offset_ + 1;
      }
      ++offset_;
    }
  }

  void parse_value(Value& out, int depth) {
    if (++value_count_ > max_values)
      fail("more than " + std::to_string(max_values) + " values in one document");
    out.position = here();
    if (at_end()) fail_unexpected("a value");
    switch (peek()) {
      case '{':
        parse_object(out, depth + 1);
        return;
      case '[':
        parse_array(out, depth + 1);
        return;
      case '"':
        out.type = Type::string;
        parse_string(out.text);
        return;
      case 't':
        parse_literal("true");
        out.type = Type::boolean;
        out.boolean = true;
        return;
      case 'f':
        parse_literal("false");
        out.type = Type::boolean;
        return;
      case 'n':
        parse_literal("null");
        out.type = Type::null;
        return;
      default:
        if (peek() == '-' || is_digit(peek())) {
          out.type = Type::number;
          parse_number(out.text);
          return;
        }
        fail_unexpected("a value");
    }
  }

  void check_depth(int depth) const {
    if (depth > max_depth) fail("nesting deeper than " + std::to_string(max_depth) + " levels");
  }

  void parse_object(Value& out, int depth) {
    check_depth(depth);
    out.type = Type::object;
    ++offset_;  // '{'
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++offset_;
      return;
    }
    std::unordered_set<std::string> seen;
    while (true) {
      skip_whitespace();
      if (at_end() || peek() != '"') fail_unexpected("a key string");
      const Position key_position = here();
      std::string key;
      parse_string(key);
      if (!seen.insert(key).second) {
        path_.push_back(segment_for_key(key));
        throw Failure{key_position, "duplicate key " + quote(key)};
      }
      skip_whitespace();
      if (at_end() || peek() != ':') fail_unexpected("':' after the key");
      ++offset_;
      skip_whitespace();
      path_.push_back(segment_for_key(key));
      out.keys.push_back(std::move(key));
      out.key_positions.push_back(key_position);
      out.elements.emplace_back();
      parse_value(out.elements.back(), depth);
      path_.pop_back();
      skip_whitespace();
      if (at_end()) fail_unexpected("',' or '}'");
      if (peek() == ',') {
        ++offset_;
        skip_whitespace();
        if (!at_end() && peek() == '}') fail("a trailing comma before '}' is not allowed");
        continue;
      }
      if (peek() == '}') {
        ++offset_;
        return;
      }
      fail_unexpected("',' or '}'");
    }
  }

  void parse_array(Value& out, int depth) {
    check_depth(depth);
    out.type = Type::array;
    ++offset_;  // '['
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++offset_;
      return;
    }
    while (true) {
      skip_whitespace();
      path_.push_back("[" + std::to_string(out.elements.size()) + "]");
      out.elements.emplace_back();
      parse_value(out.elements.back(), depth);
      path_.pop_back();
      skip_whitespace();
      if (at_end()) fail_unexpected("',' or ']'");
      if (peek() == ',') {
        ++offset_;
        skip_whitespace();
        if (!at_end() && peek() == ']') fail("a trailing comma before ']' is not allowed");
        continue;
      }
      if (peek() == ']') {
        ++offset_;
        return;
      }
      fail_unexpected("',' or ']'");
    }
  }

  void parse_literal(std::string_view literal) {
    for (const char expected : literal) {
      if (at_end() || peek() != expected)
        fail_unexpected("'" + std::string(1, expected) + "' in \"" + std::string(literal) + "\"");
      ++offset_;
    }
  }

  void parse_number(std::string& out) {
    const std::size_t start = offset_;
    if (peek() == '-') ++offset_;
    if (at_end() || !is_digit(peek())) fail_unexpected("a digit");
    if (peek() == '0') {
      ++offset_;
      if (!at_end() && is_digit(peek())) fail("a number cannot have leading zeros");
    } else {
      while (!at_end() && is_digit(peek())) ++offset_;
    }
    if (!at_end() && peek() == '.') {
      ++offset_;
      if (at_end() || !is_digit(peek())) fail_unexpected("a digit after '.'");
      while (!at_end() && is_digit(peek())) ++offset_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++offset_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++offset_;
      if (at_end() || !is_digit(peek())) fail_unexpected("a digit in the exponent");
      while (!at_end() && is_digit(peek())) ++offset_;
    }
    out.assign(text_.substr(start, offset_ - start));
  }

  std::uint32_t parse_hex4() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = at_end() ? -1 : hex_value(peek());
      if (digit < 0) fail_unexpected("a hexadecimal digit in a \\u escape");
      value = value * 16 + static_cast<std::uint32_t>(digit);
      ++offset_;
    }
    return value;
  }

  void parse_string(std::string& out) {
    ++offset_;  // opening quote
    while (true) {
      if (at_end()) fail("unexpected end of file in a string");
      const char c = peek();
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"') {
        ++offset_;
        return;
      }
      if (c == '\\') {
        parse_escape(out);
        continue;
      }
      if (byte < 0x20) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer,
                      "control character 0x%02x in a string must be escaped", byte);
        fail(buffer);
      }
      const std::size_t length = utf8_sequence_length(text_, offset_);
      if (length == 0) fail("invalid UTF-8 " + describe_byte(c) + " in a string");
      out.append(text_.substr(offset_, length));
      offset_ += length;
    }
  }

  void parse_escape(std::string& out) {
    const Position escape_position = here();
    ++offset_;  // backslash
    if (at_end()) fail("unexpected end of file in a string");
    const char c = peek();
    ++offset_;
    switch (c) {
      case '"': out += '"'; return;
      case '\\': out += '\\'; return;
      case '/': out += '/'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case 'n': out += '\n'; return;
      case 'r': out += '\r'; return;
      case 't': out += '\t'; return;
      case 'u': break;
      default:
        --offset_;
        if (static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f)
          fail("invalid escape sequence '\\" + std::string(1, c) + "' in a string");
        fail("invalid escape sequence: a backslash followed by " + describe_byte(c) + " in a string");
    }
    std::uint32_t code_point = parse_hex4();
    if (code_point >= 0xdc00 && code_point <= 0xdfff)
      throw Failure{escape_position, "unpaired low surrogate in a \\u escape"};
    if (code_point >= 0xd800 && code_point <= 0xdbff) {
      if (offset_ + 1 >= text_.size() || text_[offset_] != '\\' || text_[offset_ + 1] != 'u')
        throw Failure{escape_position, "high surrogate in a \\u escape not followed by a low one"};
      offset_ += 2;
      const std::uint32_t low = parse_hex4();
      if (low < 0xdc00 || low > 0xdfff)
        throw Failure{escape_position, "high surrogate in a \\u escape not followed by a low one"};
      code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
    }
    append_utf8(out, code_point);
  }

  static std::string segment_for_key(std::string_view key) {
    // Reuse append_key's rules on an empty base.
    return append_key(std::string(), key);
  }
};

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(key[0])) return false;
  for (const char c : key)
    if (!letter(c) && !is_digit(c)) return false;
  return true;
}

}  // namespace

bool parse(std::string_view text, Value& out, SyntaxError& error) {
  Parser parser(text);
  out = Value{};
  try {
    parser.parse_document(out);
    return true;
  } catch (const Failure& failure) {
    error.position = failure.position;
    error.message = failure.message;
    error.path = "$";
    for (const auto& segment : parser.path()) error.path += segment;
    out = Value{};
    return false;
  }
}

std::string_view type_description(Type type) {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::number: return "a number";
    case Type::string: return "a string";
    case Type::array: return "an array";
    case Type::object: return "an object";
  }
  return "a value";
}

std::string append_key(const std::string& path, std::string_view key) {
  if (is_identifier(key)) return path + "." + std::string(key);
  return path + "[" + quote(key, 200) + "]";
}

std::string append_index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string quote(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    // Cut only at a character boundary (not before a continuation byte).
    if (used >= max_bytes && (byte & 0xc0) != 0x80) {
      out += "...";
      break;
    }
    ++used;
    switch (text[i]) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", byte);
          out += buffer;
        } else if (byte >= 0x80) {
          // Whole UTF-8 characters pass; a byte that starts none is shown as \xNN.
          const std::size_t length = utf8_sequence_length(text, i);
          if (length == 0) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
            out += buffer;
          } else {
            out.append(text.substr(i, length));
            i += length - 1;
            used += length - 1;
          }
        } else {
          out += text[i];
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace tcpsim::runner::json
