#include "packetdrill/parser.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "runner/visible_text.hpp"
#include "tcp/segment.hpp"

namespace tcpsim::packetdrill {

using runner::visible_short;

ScriptError::ScriptError(std::string file, Position where, std::string message)
    : std::runtime_error(file + ":" + std::to_string(where.line) + ":" +
                         std::to_string(where.column) + ": error: " + message),
      file_(std::move(file)),
      where_(where),
      message_(std::move(message)) {}

std::string option_name(TcpOption::Kind kind) {
  switch (kind) {
    case TcpOption::Kind::nop: return "nop";
    case TcpOption::Kind::eol: return "eol";
    case TcpOption::Kind::mss: return "mss";
    case TcpOption::Kind::wscale: return "wscale";
    case TcpOption::Kind::sack_permitted: return "sackOK";
    case TcpOption::Kind::sack: return "sack";
    case TcpOption::Kind::timestamp: return "TS";
    case TcpOption::Kind::md5: return "md5";
    case TcpOption::Kind::fast_open: return "FO";
    case TcpOption::Kind::fast_open_exp: return "FOEXP";
  }
  return "?";
}

namespace {

// ---- The lexer (lexer.l's tokens) ----

enum class TokenKind : std::uint8_t {
  end,
  integer,      // [-]?[0-9]+
  floating,     // [-]?[0-9]*[.][0-9]+
  hex,          // 0x[0-9a-fA-F]+
  word,         // [a-zA-Z0-9_]+
  string,       // "..."
  back_quoted,  // `...`
  code,         // %{ ... }%
  option,       // --name[=value]
  ellipsis,     // ...
  ipv4,         // 1.2.3.4
  punct,        // any other character
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;  // as written (string, back_quoted, code: the contents)
  std::int64_t number = 0;
  bool number_ok = true;  // false: out of the 64-bit range
  std::string value;      // option: after '='
  bool has_value = false;
  Position where;
};

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// What a message calls a token: 'text', or "the end of the file".
std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end: return "the end of the file";
    case TokenKind::string: return "the string \"" + visible_short(token.text) + "\"";
    case TokenKind::back_quoted: return "a `command`";
    case TokenKind::code: return "a %{ code }% block";
    case TokenKind::option: return "the option '--" + visible_short(token.text) + "'";
    default: return "'" + visible_short(token.text) + "'";
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file, const ParseOptions& options)
      : text_(text), file_(file), options_(options) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      skip_space_and_comments();
      if (at_ >= text_.size()) break;
      if (text_[at_] == '#') {
        directive();
        continue;
      }
      tokens.push_back(next_token());
    }
    if (open_block_) {
      throw ScriptError(file_, block_where_,
                        "#ifdef " + visible_short(block_name_) + " has no #endif");
    }
    Token end;
    end.where = here();
    tokens.push_back(end);
    return tokens;
  }

 private:
  Position here() const { return Position{line_, column_}; }

  void advance(std::size_t count = 1) {
    for (std::size_t index = 0; index < count && at_ < text_.size(); ++index) {
      if (text_[at_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
      ++at_;
    }
  }
  char peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  bool starts_with(std::string_view prefix) const {
    return text_.substr(at_, prefix.size()) == prefix;
  }

  void skip_space_and_comments() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (starts_with("//")) {
        while (at_ < text_.size() && text_[at_] != '\n') advance();
      } else if (starts_with("/*")) {
        const Position start = here();
        advance(2);
        while (at_ < text_.size() && !starts_with("*/")) advance();
        if (at_ >= text_.size()) throw ScriptError(file_, start, "a /* comment has no */");
        advance(2);
      } else {
        return;
      }
    }
  }

  std::string word_at() const {
    std::size_t end = at_;
    while (end < text_.size() && is_word_char(text_[end])) ++end;
    return std::string(text_.substr(at_, end - at_));
  }

  // The FreeBSD fork's `#ifdef NAME` ... `#endif` (its lexer.l): a block for a name that is not
  // defined is skipped, tokens and all; blocks do not nest.
  void directive() {
    const Position start = here();
    advance();  // '#'
    const std::string name = word_at();
    if (name == "ifdef") {
      if (open_block_) {
        throw ScriptError(file_, start,
                          "#ifdef blocks do not nest (the #ifdef " +
                              visible_short(block_name_) + " of line " +
                              std::to_string(block_where_.line) + " is still open)");
      }
      advance(name.size());
      while (peek() == ' ' || peek() == '\t') advance();
      const std::string tested = word_at();
      if (tested.empty()) throw ScriptError(file_, here(), "#ifdef needs a name");
      advance(tested.size());
      if (options_.defined.count(tested) != 0) {
        open_block_ = true;
        block_name_ = tested;
        block_where_ = start;
        return;
      }
      // Skip to the matching #endif.
      while (at_ < text_.size()) {
        if (peek() == '#' && text_.substr(at_ + 1, 5) == "endif") {
          advance(6);
          return;
        }
        advance();
      }
      throw ScriptError(file_, start, "#ifdef " + visible_short(tested) + " has no #endif");
    }
    if (name == "endif") {
      if (!open_block_) throw ScriptError(file_, start, "#endif without #ifdef");
      open_block_ = false;
      advance(name.size());
      return;
    }
    throw ScriptError(file_, start,
                      "unknown directive '#" + visible_short(name) +
                          "': only #ifdef NAME ... #endif blocks are read");
  }

  // A quoted string ("..." or `...`), with backslash escapes kept as written but for \" and \\.
  Token quoted(TokenKind kind, char delimiter) {
    Token token;
    token.kind = kind;
    token.where = here();
    advance();
    while (at_ < text_.size() && text_[at_] != delimiter) {
      if (text_[at_] == '\\' && at_ + 1 < text_.size()) {
        const char escaped = text_[at_ + 1];
        if (escaped == delimiter || escaped == '\\') {
          token.text += escaped;
          advance(2);
          continue;
        }
      }
      token.text += text_[at_];
      advance();
    }
    if (at_ >= text_.size()) {
      throw ScriptError(file_, token.where,
                        std::string(kind == TokenKind::string ? "a string" : "a `command`") +
                            " has no closing " + delimiter);
    }
    advance();
    return token;
  }

  static bool parse_decimal(std::string_view digits, std::int64_t& value) {
    value = 0;
    for (const char c : digits) {
      const int digit = c - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return false;
      value = value * 10 + digit;
    }
    return true;
  }

  // The longest of: a float, an IPv4 address, an integer, a hex integer, a word (lexer.l's
  // rules; a tie goes to the earlier rule, as flex does).
  Token number_or_word() {
    Token token;
    token.where = here();
    const std::size_t start = at_;
    std::size_t cursor = at_;
    const bool negative = text_[cursor] == '-';
    if (negative) ++cursor;
    const std::size_t digits_start = cursor;
    while (cursor < text_.size() && is_digit(text_[cursor])) ++cursor;
    const std::size_t integer_end = cursor;  // [-]?[0-9]*
    std::size_t float_end = 0;
    if (cursor < text_.size() && text_[cursor] == '.' && cursor + 1 < text_.size() &&
        is_digit(text_[cursor + 1])) {
      std::size_t fraction = cursor + 1;
      while (fraction < text_.size() && is_digit(text_[fraction])) ++fraction;
      float_end = fraction;
    }
    // An IPv4 address: four dot-separated digit runs.
    std::size_t ipv4_end = 0;
    if (!negative && integer_end > digits_start) {
      std::size_t scan = integer_end;
      int parts = 1;
      while (parts < 4 && scan + 1 < text_.size() && text_[scan] == '.' &&
             is_digit(text_[scan + 1])) {
        ++scan;
        while (scan < text_.size() && is_digit(text_[scan])) ++scan;
        ++parts;
      }
      if (parts == 4) ipv4_end = scan;
    }
    std::size_t hex_end = 0;
    if (!negative && starts_with("0x") && is_hex_digit(peek(2))) {
      hex_end = at_ + 2;
      while (hex_end < text_.size() && is_hex_digit(text_[hex_end])) ++hex_end;
    }
    std::size_t word_end = 0;
    if (!negative) {
      word_end = at_;
      while (word_end < text_.size() && is_word_char(text_[word_end])) ++word_end;
    }
    const std::size_t integer_len = integer_end > digits_start ? integer_end - start : 0;
    std::size_t best = 0;
    TokenKind kind = TokenKind::punct;
    const auto consider = [&](std::size_t end, TokenKind candidate) {
      if (end > start && end - start > best) {
        best = end - start;
        kind = candidate;
      }
    };
    consider(float_end, TokenKind::floating);
    consider(integer_len > 0 ? start + integer_len : 0, TokenKind::integer);
    consider(hex_end, TokenKind::hex);
    consider(word_end, TokenKind::word);
    consider(ipv4_end, TokenKind::ipv4);
    token.kind = kind;
    token.text = std::string(text_.substr(start, best));
    if (kind == TokenKind::integer) {
      token.number_ok = parse_decimal(std::string_view(token.text).substr(negative ? 1 : 0),
                                      token.number);
      if (negative) token.number = -token.number;
    } else if (kind == TokenKind::hex) {
      std::uint64_t value = 0;
      for (std::size_t index = 2; index < token.text.size(); ++index) {
        const char c = token.text[index];
        const int digit = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        if (value > (std::numeric_limits<std::uint64_t>::max() >> 4)) token.number_ok = false;
        value = (value << 4) | static_cast<std::uint64_t>(digit);
      }
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        token.number_ok = false;
      }
      token.number = static_cast<std::int64_t>(value);
    }
    advance(best);
    return token;
  }

  Token next_token() {
    const char c = text_[at_];
    if (c == '"') return quoted(TokenKind::string, '"');
    if (c == '`') return quoted(TokenKind::back_quoted, '`');
    if (starts_with("%{")) {
      Token token;
      token.kind = TokenKind::code;
      token.where = here();
      advance(2);
      while (at_ < text_.size() && !starts_with("}%")) {
        token.text += text_[at_];
        advance();
      }
      if (at_ >= text_.size()) throw ScriptError(file_, token.where, "a %{ code block has no }%");
      advance(2);
      // code() of lexer.l strips spaces and tabs at both ends.
      const auto first = token.text.find_first_not_of(" \t");
      const auto last = token.text.find_last_not_of(" \t");
      token.text = first == std::string::npos ? "" : token.text.substr(first, last - first + 1);
      return token;
    }
    if (starts_with("...")) {
      Token token;
      token.kind = TokenKind::ellipsis;
      token.text = "...";
      token.where = here();
      advance(3);
      return token;
    }
    if (starts_with("--") && is_word_char(peek(2))) {
      Token token;
      token.kind = TokenKind::option;
      token.where = here();
      advance(2);
      token.text = word_at();
      advance(token.text.size());
      if (peek() == '=') {
        advance();
        token.has_value = true;
        while (at_ < text_.size() && text_[at_] != ' ' && text_[at_] != '\t' &&
               text_[at_] != '\n' && text_[at_] != '\r') {
          token.value += text_[at_];
          advance();
        }
      }
      return token;
    }
    if (is_word_char(c) || (c == '-' && (is_digit(peek(1)) ||
                                         (peek(1) == '.' && is_digit(peek(2)))))) {
      return number_or_word();
    }
    if (c == '.' && is_digit(peek(1))) return number_or_word();
    Token token;
    token.kind = TokenKind::punct;
    token.where = here();
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      throw ScriptError(file_, token.where,
                        "unexpected character '" + runner::visible(text_.substr(at_, 1)) + "'");
    }
    token.text = std::string(1, c);
    advance();
    return token;
  }

  std::string_view text_;
  const std::string& file_;
  const ParseOptions& options_;
  std::size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool open_block_ = false;
  std::string block_name_;
  Position block_where_;
};

// ---- The parser (parser.yy's grammar) ----

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& file)
      : tokens_(std::move(tokens)), file_(file) {}

  Script run() {
    Script script;
    script.file = file_;
    while (peek().kind == TokenKind::option) {
      const Token& token = next();
      ScriptOption option;
      option.name = token.text;
      option.value = token.value;
      option.has_value = token.has_value;
      option.where = token.where;
      script.options.push_back(std::move(option));
    }
    // parser.y: script: opt_options opt_init_command events opt_cleanup_command, the init
    // and cleanup commands being `commands` without an event time.
    if (peek().kind == TokenKind::back_quoted) {
      script.init_command = CommandSpec{peek().text};
      script.init_command_where = next().where;
    }
    if (peek().kind == TokenKind::end) fail(peek(), "a script needs at least one event");
    while (peek().kind != TokenKind::end) {
      if (peek().kind == TokenKind::option) {
        fail(peek(), "options (--name=value) come before the first event");
      }
      if (peek().kind == TokenKind::back_quoted && peek(1).kind == TokenKind::end &&
          !script.events.empty()) {
        script.cleanup_command = CommandSpec{peek().text};
        script.cleanup_command_where = next().where;
        break;
      }
      script.events.push_back(event());
    }
    // run.c: "first event should be at time 0".
    const Event& first = script.events.front();
    if (first.time.kind != TimeKind::any && first.time.start_us != 0) {
      fail_at(first.where, "the first event should be at time 0");
    }
    script.unsupported = std::move(unsupported_);
    return script;
  }

 private:
  [[noreturn]] void fail(const Token& token, const std::string& message) const {
    throw ScriptError(file_, token.where, message);
  }
  [[noreturn]] void fail_at(Position where, const std::string& message) const {
    throw ScriptError(file_, where, message);
  }
  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t index = at_ + ahead;
    return index < tokens_.size() ? tokens_[index] : tokens_.back();
  }
  const Token& next() {
    const Token& token = peek();
    if (at_ + 1 < tokens_.size()) ++at_;
    return token;
  }
  bool is_punct(const Token& token, char c) const {
    return token.kind == TokenKind::punct && token.text[0] == c;
  }
  bool is_word(const Token& token, std::string_view word) const {
    return token.kind == TokenKind::word && token.text == word;
  }
  void expect_punct(char c, const std::string& context) {
    if (!is_punct(peek(), c)) {
      fail(peek(), "expected '" + std::string(1, c) + "' " + context + ", got " +
                       describe(peek()));
    }
    next();
  }
  std::int64_t integer(const std::string& what) {
    const Token& token = peek();
    if (token.kind != TokenKind::integer) {
      fail(token, "expected " + what + " (an integer), got " + describe(token));
    }
    if (!token.number_ok) fail(token, what + " out of range: " + visible_short(token.text));
    next();
    return token.number;
  }
  std::uint32_t u32(const std::string& what) {
    const Token& token = peek();
    const std::int64_t value = integer(what);
    if (value < 0 || value > 0xffffffffLL) {
      fail(token, what + " out of range (0 to 4294967295): " + visible_short(token.text));
    }
    return static_cast<std::uint32_t>(value);
  }
  std::uint16_t u16(const std::string& what) {
    const Token& token = peek();
    const std::int64_t value = integer(what);
    if (value < 0 || value > 0xffff) {
      fail(token, what + " out of range (0 to 65535): " + visible_short(token.text));
    }
    return static_cast<std::uint16_t>(value);
  }
  void note_unsupported(const std::string& construct, Position where) {
    unsupported_.push_back(Unsupported{construct, where});
  }
  // Skips the rest of a line the parser does not read (an ICMP or UDP packet, a fuzz block).
  void skip_line(int line) {
    while (peek().kind != TokenKind::end && peek().where.line == line) next();
  }

  // time: FLOAT | INTEGER, seconds, read exactly to the microsecond (packetdrill multiplies a
  // double by 1e6 and truncates; the decimal digits are exact here).
  std::int64_t time_value() {
    const Token& token = peek();
    if (token.kind != TokenKind::floating && token.kind != TokenKind::integer) {
      fail(token, "expected a time in seconds such as 0, 0.1 or 1.5, got " + describe(token));
    }
    if (!token.text.empty() && token.text[0] == '-') fail(token, "negative time");
    next();
    const std::string& text = token.text;
    const std::size_t dot = text.find('.');
    const std::string whole = text.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (fraction.size() > 6) fraction.resize(6);  // below a microsecond: dropped, as packetdrill
    while (fraction.size() < 6) fraction += '0';
    std::int64_t seconds = 0;
    for (const char c : whole) {
      if (seconds > 1'000'000'000) fail(token, "time out of range: " + visible_short(text));
      seconds = seconds * 10 + (c - '0');
    }
    std::int64_t micros = 0;
    for (const char c : fraction) micros = micros * 10 + (c - '0');
    return seconds * 1'000'000 + micros;
  }

  Event event() {
    Event event;
    event.where = peek().where;
    // event_time: '+' time | time | '*' | time '~' time | '+' time '~' '+' time
    if (is_punct(peek(), '*')) {
      next();
      event.time.kind = TimeKind::any;
    } else if (is_punct(peek(), '+')) {
      next();
      event.time.start_us = time_value();
      event.time.kind = TimeKind::relative;
      if (is_punct(peek(), '~')) {
        next();
        expect_punct('+', "after '~' in a relative time range (+a~+b)");
        event.time.end_us = time_value();
        event.time.kind = TimeKind::relative_range;
      }
    } else if (peek().kind == TokenKind::floating || peek().kind == TokenKind::integer) {
      event.time.start_us = time_value();
      event.time.kind = TimeKind::absolute;
      if (is_punct(peek(), '~')) {
        next();
        event.time.end_us = time_value();
        event.time.kind = TimeKind::absolute_range;
      }
    } else {
      fail(peek(), "expected an event time (0.1, +0.1, *, 0.1~0.2 or +0.1~+0.2), got " +
                       describe(peek()));
    }
    const bool range =
        event.time.kind == TimeKind::absolute_range || event.time.kind == TimeKind::relative_range;
    if (range && event.time.end_us < event.time.start_us) {
      fail_at(event.where, "time range is backwards");
    }
    // action: packet | syscall | command | code
    const Token& start = peek();
    if (is_punct(start, '<') || is_punct(start, '>')) {
      event.action = packet();
    } else if (start.kind == TokenKind::back_quoted) {
      event.action = CommandSpec{next().text};
    } else if (start.kind == TokenKind::code) {
      event.action = CodeSpec{next().text};
    } else if (start.kind == TokenKind::ellipsis || start.kind == TokenKind::word) {
      event.action = syscall();
    } else {
      fail(start, "expected a packet ('<' or '>'), a system call, a `command` or a %{ code }% "
                  "block after the event time, got " + describe(start));
    }
    const PacketSpec* packet_spec = event.packet();
    const bool outbound = packet_spec != nullptr && !packet_spec->inbound;
    if (event.time.kind == TimeKind::any && !outbound) {
      fail_at(event.where, "event time <star> can only be used with outbound packets");
    }
    if (range && !outbound) {
      fail_at(event.where, "event time range can only be used with outbound packets");
    }
    return event;
  }

  // tcp_packet_spec: direction [ip_info] [ports] flags seq [ack N] [win N] [urg N] [<options>]
  PacketSpec packet() {
    PacketSpec spec;
    const Token& direction = next();
    spec.inbound = direction.text[0] == '<';
    const int line = direction.where.line;
    if (is_punct(peek(), '(') || is_punct(peek(), '[')) {
      // ip_info: (ect0), [ce], (tos 0x10), (flowlabel 0x1), (ttl 64): ECN and IP header fields.
      const char closer = is_punct(peek(), '(') ? ')' : ']';
      const Position where = peek().where;
      std::string content;
      next();
      while (peek().kind != TokenKind::end && !is_punct(peek(), closer)) {
        content += (content.empty() ? "" : " ") + next().text;
      }
      expect_punct(closer, "closing the IP information");
      note_unsupported("IP header field (" + visible_short(content) + ")", where);
    }
    if (is_word(peek(), "udp") || is_word(peek(), "icmp") || is_word(peek(), "ipv4") ||
        is_word(peek(), "ipv6") || is_word(peek(), "gre") || is_word(peek(), "mpls")) {
      const std::string what = peek().text;
      note_unsupported(what == "udp" ? "UDP packet"
                       : what == "icmp" ? "ICMP packet"
                                        : what + " encapsulation",
                       peek().where);
      skip_line(line);
      return spec;
    }
    if (peek().kind == TokenKind::integer && is_punct(peek(1), '>')) {
      spec.source_port = u16("source port");
      next();
      spec.destination_port = u16("destination port");
    }
    flags(spec);
    // seq: INTEGER ':' INTEGER '(' INTEGER ')'
    const Token& seq_token = peek();
    spec.seq = u32("TCP start sequence number");
    expect_punct(':', "in start:end(length)");
    spec.seq_end = u32("TCP end sequence number");
    expect_punct('(', "in start:end(length)");
    spec.payload = u16("TCP payload size");
    expect_punct(')', "in start:end(length)");
    if (static_cast<std::uint64_t>(spec.seq_end) !=
        static_cast<std::uint64_t>(spec.seq) + spec.payload) {
      fail(seq_token, "inconsistent TCP sequence numbers and payload size");
    }
    if (is_word(peek(), "ack")) {
      next();
      spec.ack = u32("TCP ack sequence number");
      spec.ack_written = true;
    }
    if (is_word(peek(), "win")) {
      next();
      spec.window = u16("TCP window value");
    }
    if (is_word(peek(), "urg")) {
      next();
      spec.urgent = u16("urg_ptr value");
      note_unsupported("urgent pointer", peek().where);
    }
    if (is_punct(peek(), '<')) options(spec);
    if (is_punct(peek(), '/') && is_word(peek(1), "udp")) {
      // The NPLab fork's TCP over UDP (RFC 8229-style encapsulation): ".../udp(sport > dport)".
      note_unsupported("UDP encapsulation", peek().where);
      skip_line(line);
      return spec;
    }
    if (is_punct(peek(), '{')) {
      note_unsupported("packet fuzzing block", peek().where);
      skip_line(line);
    }
    return spec;
  }

  void flags(PacketSpec& spec) {
    const Token& token = peek();
    if (is_punct(token, '.')) {
      next();
      spec.flags_text = ".";
      spec.flags = tcp::flag::ack;
      return;
    }
    if (is_punct(token, '-')) {
      next();
      spec.flags_text = "-";
      return;
    }
    if (token.kind != TokenKind::word) {
      fail(token, "expected TCP flags (S, S., F., R, ., P., ...), got " + describe(token));
    }
    next();
    spec.flags_text = token.text;
    for (const char c : token.text) {
      switch (c) {
        case 'S': spec.flags |= tcp::flag::syn; break;
        case 'F': spec.flags |= tcp::flag::fin; break;
        case 'R': spec.flags |= tcp::flag::rst; break;
        case 'P': spec.flags |= tcp::flag::psh; break;
        case 'U': spec.flags |= tcp::flag::urg; break;
        case 'E': spec.ece = true; break;
        case 'W': spec.cwr = true; break;
        default:
          fail(token, "unknown TCP flag '" + std::string(1, c) + "' in '" +
                          visible_short(token.text) + "' (flags are S F R P . U E W)");
      }
    }
    if (spec.ece || spec.cwr) note_unsupported("ECN flags (E, W)", token.where);
    if (is_punct(peek(), '.')) {
      next();
      spec.flags_text += ".";
      spec.flags |= tcp::flag::ack;
    }
  }

  void options(PacketSpec& spec) {
    const Token& open = next();  // '<'
    if (peek().kind == TokenKind::ellipsis) {
      next();
      expect_punct('>', "closing <...>");
      if (spec.inbound) {
        fail(open, "<...> for TCP options can only be used with outbound packets");
      }
      spec.any_options = true;
      return;
    }
    while (true) {
      spec.options.push_back(option());
      if (is_punct(peek(), ',')) {
        next();
        continue;
      }
      expect_punct('>', "or ',' in the TCP option list");
      break;
    }
    if (spec.options.size() > 40) fail(open, "TCP option list too long");
  }

  TcpOption option() {
    TcpOption option;
    const Token& token = peek();
    option.where = token.where;
    if (token.kind != TokenKind::word) {
      fail(token, "expected a TCP option (nop, eol, mss N, wscale N, sackOK, sack A:B, "
                  "TS val N ecr N, md5 HEX, FO COOKIE), got " + describe(token));
    }
    next();
    const std::string& name = token.text;
    if (name == "nop") {
      option.kind = TcpOption::Kind::nop;
    } else if (name == "eol") {
      option.kind = TcpOption::Kind::eol;
    } else if (name == "mss") {
      option.kind = TcpOption::Kind::mss;
      option.value = u16("mss value");
    } else if (name == "wscale") {
      option.kind = TcpOption::Kind::wscale;
      const Token& value = peek();
      option.value = u32("window scale shift count");
      if (option.value > 255) fail(value, "window scale shift count out of range");
    } else if (name == "sackOK") {
      option.kind = TcpOption::Kind::sack_permitted;
    } else if (name == "sack") {
      option.kind = TcpOption::Kind::sack;
      while (peek().kind == TokenKind::integer) {
        const std::uint32_t left = u32("TCP SACK left sequence number");
        expect_punct(':', "in a SACK block left:right");
        const std::uint32_t right = u32("TCP SACK right sequence number");
        option.sack_blocks.emplace_back(left, right);
      }
      if (option.sack_blocks.empty()) fail(peek(), "sack needs at least one block left:right");
      note_unsupported("SACK blocks", token.where);
    } else if (name == "TS") {
      option.kind = TcpOption::Kind::timestamp;
      if (!is_word(peek(), "val")) fail(peek(), "expected 'val' after TS, got " +
                                                    describe(peek()));
      next();
      option.value = u32("ts val");
      if (!is_word(peek(), "ecr")) fail(peek(), "expected 'ecr' after TS val N, got " +
                                                    describe(peek()));
      next();
      option.echo = u32("ecr val");
    } else if (name == "md5" || name == "FO" || name == "FOEXP") {
      option.kind = name == "md5" ? TcpOption::Kind::md5
                    : name == "FO" ? TcpOption::Kind::fast_open
                                   : TcpOption::Kind::fast_open_exp;
      if (peek().kind == TokenKind::word || peek().kind == TokenKind::integer) next();
      note_unsupported(name == "md5" ? "TCP MD5 option" : "TCP Fast Open option", token.where);
    } else {
      fail(token, "unknown TCP option '" + visible_short(name) +
                      "' (nop, eol, mss, wscale, sackOK, sack, TS, md5, FO, FOEXP)");
    }
    return option;
  }

  // syscall_spec: [... time] name(args) = result [ERRNO (note)] [(note)]
  SyscallSpec syscall() {
    SyscallSpec spec;
    if (peek().kind == TokenKind::ellipsis) {
      next();
      spec.end_us = time_value();
    }
    const Token& name = peek();
    if (name.kind != TokenKind::word) {
      fail(name, "expected a system call name after '...TIME', got " + describe(name));
    }
    next();
    spec.name = name.text;
    spec.name_where = name.where;
    expect_punct('(', "after the system call name '" + visible_short(spec.name) + "'");
    if (!is_punct(peek(), ')')) {
      while (true) {
        spec.arguments.push_back(expression());
        if (is_punct(peek(), ',')) {
          next();
          continue;
        }
        break;
      }
    }
    expect_punct(')', "closing the arguments of " + visible_short(spec.name) + "()");
    expect_punct('=', "and the expected result after " + visible_short(spec.name) + "(...)");
    const int result_line = peek().where.line;
    spec.result = expression();
    // An errno and its note stand on the result's line (the next line starts an event).
    if (peek().kind == TokenKind::word && is_punct(peek(1), '(') &&
        peek().where.line == result_line) {
      spec.errno_name = next().text;
      spec.note = note();
      if (spec.errno_name.empty()) fail(peek(), "expected an errno name");
    } else if (peek().kind == TokenKind::word && peek().where.line == result_line) {
      // An errno without its (description): packetdrill's grammar needs the note.
      fail(peek(1), "expected '(' and a description after the errno " +
                        visible_short(peek().text) + ", got " + describe(peek(1)));
    } else if (is_punct(peek(), '(') && peek().where.line == result_line) {
      spec.note = note();
    }
    return spec;
  }

  std::string note() {
    const Token& open = next();  // '('
    std::string text;
    while (peek().kind != TokenKind::end && !is_punct(peek(), ')')) {
      text += (text.empty() ? "" : " ") + next().text;
    }
    if (peek().kind == TokenKind::end) fail(open, "a (note) has no closing ')'");
    next();
    return text;
  }

  Expression expression() {
    Expression first = primary();
    if (first.kind == Expression::Kind::word && is_punct(peek(), '=')) {
      next();
      Expression assign;
      assign.kind = Expression::Kind::assign;
      assign.text = first.text;
      assign.where = first.where;
      assign.items.push_back(expression());
      return assign;
    }
    if (!is_punct(peek(), '|')) return first;
    Expression bitwise;
    bitwise.kind = Expression::Kind::bitwise_or;
    bitwise.where = first.where;
    bitwise.items.push_back(std::move(first));
    while (is_punct(peek(), '|')) {
      next();
      bitwise.items.push_back(primary());
    }
    return bitwise;
  }

  Expression primary() {
    const Token& token = peek();
    Expression expression;
    expression.where = token.where;
    switch (token.kind) {
      case TokenKind::ellipsis:
        next();
        expression.kind = Expression::Kind::ellipsis;
        return expression;
      case TokenKind::integer:
      case TokenKind::hex:
        if (!token.number_ok) fail(token, "integer out of range: " + visible_short(token.text));
        next();
        expression.kind = Expression::Kind::integer;
        expression.number = token.number;
        expression.hex = token.kind == TokenKind::hex;
        expression.text = token.text;
        return expression;
      case TokenKind::word:
        next();
        expression.kind = Expression::Kind::word;
        expression.text = token.text;
        if (is_punct(peek(), '(')) {
          next();
          expression.kind = Expression::Kind::call;
          if (!is_punct(peek(), ')')) {
            while (true) {
              expression.items.push_back(this->expression());
              if (!is_punct(peek(), ',')) break;
              next();
            }
          }
          expect_punct(')', "closing " + visible_short(token.text) + "(...)");
        }
        return expression;
      case TokenKind::string:
        expression.kind = Expression::Kind::string;
        while (peek().kind == TokenKind::string) expression.text += next().text;
        if (peek().kind == TokenKind::ellipsis) {
          next();
          expression.string_ellipsis = true;
        }
        return expression;
      case TokenKind::punct:
        if (token.text[0] == '[' || token.text[0] == '{') {
          const char closer = token.text[0] == '[' ? ']' : '}';
          next();
          expression.kind =
              closer == ']' ? Expression::Kind::list : Expression::Kind::braces;
          if (!is_punct(peek(), closer)) {
            while (true) {
              expression.items.push_back(this->expression());
              if (!is_punct(peek(), ',')) break;
              next();
            }
          }
          expect_punct(closer, closer == ']' ? "closing the [list]" : "closing the {...}");
          return expression;
        }
        break;
      default:
        break;
    }
    fail(token, "expected an expression (a number, a NAME, \"text\", [list], {...} or ...), "
                "got " + describe(token));
  }

  std::vector<Token> tokens_;
  const std::string& file_;
  std::size_t at_ = 0;
  std::vector<Unsupported> unsupported_;
};

}  // namespace

Script parse_script(std::string_view text, const std::string& file, const ParseOptions& options) {
  Lexer lexer(text, file, options);
  Parser parser(lexer.run(), file);
  return parser.run();
}

Script parse_script_file(const std::string& path, const ParseOptions& options) {
  // As the scenario loader says it (runner/scenario_loader.cpp).
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ScriptError(path, Position{1, 1}, std::string("cannot open file: ") +
                                                std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScriptError(path, Position{1, 1},
                      std::string("cannot open file: ") + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_script(buffer.str(), path, options);
}

}  // namespace tcpsim::packetdrill
