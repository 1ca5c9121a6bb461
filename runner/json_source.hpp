// A strict JSON parser (RFC 8259) that remembers where every value and key stood in the text,
// so the scenario loader can name file:line:col in its errors. nlohmann::json keeps no positions.
//
// Strictness: one top-level value and nothing after it but whitespace; no comments, no trailing
// commas, no byte order mark; strings must be valid UTF-8 (no overlong forms, no surrogates) with
// control characters escaped, and \u escapes must pair surrogates; duplicate keys in an object
// are errors; nesting is limited to `max_depth` containers and a document to `max_values`
// values, so neither the parser nor the tree's destructor can recurse or allocate without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsim::runner::json {

inline constexpr int max_depth = 64;
inline constexpr std::size_t max_values = 1'000'000;

// 1-based line and column; the column counts bytes.
struct Position {
  int line = 1;
  int column = 1;
};

enum class Type : std::uint8_t { null, boolean, number, string, array, object };

struct Value {
  Type type = Type::null;
  Position position;    // of the value's first byte
  bool boolean = false;
  std::string text;     // string: the decoded UTF-8 bytes; number: its source text
  std::vector<Value> elements;            // array elements, or object member values
  std::vector<std::string> keys;          // object: member keys, parallel to `elements`
  std::vector<Position> key_positions;    // object: where each key's opening quote stood

  bool is_object() const { return type == Type::object; }
  bool is_array() const { return type == Type::array; }
  bool is_string() const { return type == Type::string; }
  bool is_number() const { return type == Type::number; }
};

struct SyntaxError {
  Position position;     // of the offending byte (or of the end of the text)
  std::string path;      // JSON path of the value or container being parsed, "$" at the top
  std::string message;   // "unexpected character '}', expected a value"
};

// Parses `text` into `out`. On failure returns false with `error` filled; never throws except
// std::bad_alloc.
bool parse(std::string_view text, Value& out, SyntaxError& error);

// "a string", "an object", ... for "expected X, got Y" messages.
std::string_view type_description(Type type);

// JSON path helpers: $.link.delay, $.hosts[1], $.expect.counts["server.accepted"].
std::string append_key(const std::string& path, std::string_view key);
std::string append_index(const std::string& path, std::size_t index);

// `text` as a JSON string literal for messages: quotes, escapes for '"', '\\' and control
// characters; cut with "..." after `max_bytes` bytes (at a UTF-8 character boundary).
std::string quote(std::string_view text, std::size_t max_bytes = 80);

}  // namespace tcpsim::runner::json
