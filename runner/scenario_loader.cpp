// The scenario loader: file -> positioned JSON tree (json_source) -> validated Scenario.
// Every check fails with a ScenarioError at the offending value; the format is documented in
// docs/scenario-format.md.
// Why one long file (about 2,200 lines): it reads the format section by section in the order of
// docs/scenario-format.md (top level, link, hosts, fault rules, timeline, expectations), each
// reader small, all sharing the positioned-error helpers at the top; the knobs, actions and
// expectation keys themselves come from their tables (tcp/knobs.cpp, runner/vocabulary.cpp).
#include "runner/scenario_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "runner/invariants.hpp"
#include "runner/json_source.hpp"
#include "runner/visible_text.hpp"
#include "runner/vocabulary.hpp"
#include "tcp/knobs.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

namespace {

// One error line, bounded and safe in a terminal whatever the input: the file name and the JSON
// path (a key may be 100 KB long) are shortened with "...", and nothing in the line is raw
// control or invisible text (runner/visible_text.hpp).
std::string error_line(const SourceLocation& where, const std::string& message) {
  SourceLocation shown = where;
  shown.file = visible_short(where.file);
  const std::string path = where.json_path.empty() ? std::string("$") : where.json_path;
  return shown.position() + ": error: at " + visible_short(path, path_keep_bytes) + ": " +
         visible(message);
}

}  // namespace

ScenarioError::ScenarioError(SourceLocation where, std::string message)
    : std::runtime_error(error_line(where, message)),
      where_(std::move(where)),
      message_(std::move(message)) {}

namespace {

using json::Type;
using json::Value;

constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
// One send's "bytes" (and a "received" expectation's): 128 MiB. All the "bytes" of a scenario
// (sends and "received" expectations) together: 1 GiB, since the loader holds them in memory.
constexpr std::int64_t max_send_bytes = 128 * 1024 * 1024;
// "repeat": at most this many actions made by generators in one scenario (as json::max_values
// bounds the file), and each counted against the scenario's memory budget at this size, so a
// huge "count" fails when it is read instead of exhausting memory.
constexpr std::int64_t max_repeated_actions = 1'000'000;
// A fixed figure, not sizeof(Action): the message that quotes it must read the same with every
// standard library (libc++'s strings are smaller than libstdc++'s).
constexpr std::uint64_t repeated_action_bytes = 1024;
static_assert(sizeof(Action) + 64 <= repeated_action_bytes,
              "an action held by a repeat costs more than the memory budget counts");
// A scenario's "bytes" patterns in all: 1 GiB, or what set_pattern_byte_limit made it (a fuzz
// target, where a valid scenario that asks for 1 GiB of pattern bytes is slow, not a bug, and
// would read as a fuzzer timeout). Atomic: sweeps load on several threads.
std::atomic<std::int64_t> max_scenario_pattern_bytes{1024 * 1024 * 1024};

// "1 GiB", "16 MiB", or the figure in bytes.
std::string byte_limit_text(std::int64_t bytes) {
  constexpr std::int64_t mebibyte = 1024 * 1024;
  if (bytes % (1024 * mebibyte) == 0) return std::to_string(bytes / (1024 * mebibyte)) + " GiB";
  if (bytes % mebibyte == 0) return std::to_string(bytes / mebibyte) + " MiB";
  return std::to_string(bytes) + " bytes";
}
constexpr std::string_view byte_pattern = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view duration_example = R"(a duration such as "150ms" or "2min")";

// --- Small text helpers ---

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_letter(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Values are quoted at most message_keep_bytes long, so an error line stays short.
std::string quoted(std::string_view text) { return json::quote(text, message_keep_bytes); }

// "\"a\", \"b\", \"c\""
std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += quoted(item);
  }
  return out;
}

// `count` bytes of "abcdefghijklmnopqrstuvwxyz" repeated, starting at 'a'.
std::vector<std::uint8_t> pattern_bytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  for (std::size_t k = 0; k < count; ++k) bytes[k] = static_cast<std::uint8_t>(byte_pattern[k % byte_pattern.size()]);
  return bytes;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = to_lower(a[i - 1]) == to_lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && to_lower(a[i - 1]) == to_lower(b[j - 2]) &&
          to_lower(a[i - 2]) == to_lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The closest candidate when it is close enough to be a plausible typo.
std::optional<std::string> closest(std::string_view input, const std::vector<std::string>& candidates) {
  if (input.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    if (candidate.size() > 64) continue;
    const std::size_t distance = edit_distance(input, candidate);
    const std::size_t longer = std::max(input.size(), candidate.size());
    if (distance > 2 || (distance == 2 && longer < 6) || distance == longer) continue;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

// unknown WHAT "x", did you mean "y"?   |   unknown WHAT "x", expected one of "a", "b"
// With `always_list`, the list is given and the suggestion follows in parentheses.
std::string unknown_message(std::string_view what, std::string_view input,
                            const std::vector<std::string>& candidates, bool always_list) {
  std::string message = "unknown " + std::string(what) + " " + quoted(input);
  const auto suggestion = closest(input, candidates);
  if (suggestion && !always_list) return message + ", did you mean " + quoted(*suggestion) + "?";
  message += ", expected one of " + quoted_list(candidates);
  if (suggestion) message += " (did you mean " + quoted(*suggestion) + "?)";
  return message;
}

// Exact decimal arithmetic: the value of "<integer_digits>.<fraction_digits>" times
// `multiplier`, as an integer no larger than `limit`.
enum class DecimalResult : std::uint8_t { ok, inexact, overflow };

DecimalResult scale_decimal(std::string_view integer_digits, std::string_view fraction_digits,
                            std::uint64_t multiplier, std::uint64_t limit, std::uint64_t& out) {
  std::uint64_t whole = 0;
  for (const char c : integer_digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (whole > (limit - digit) / 10) return DecimalResult::overflow;
    whole = whole * 10 + digit;
  }
  if (whole != 0 && whole > limit / multiplier) return DecimalResult::overflow;
  whole *= multiplier;

  while (!fraction_digits.empty() && fraction_digits.back() == '0') fraction_digits.remove_suffix(1);
  std::uint64_t fraction_value = 0;
  if (!fraction_digits.empty()) {
    // With the last digit non-zero, F * multiplier / 10^L can only be whole if L is at most the
    // number of factors 10 in the multiplier plus one, far below 19 for every unit used here.
    if (fraction_digits.size() > 18) return DecimalResult::inexact;
    std::uint64_t numerator = 0;
    std::uint64_t denominator = 1;
    for (const char c : fraction_digits) {
      numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
      denominator *= 10;
    }
    const std::uint64_t common = std::gcd(multiplier, denominator);
    const std::uint64_t reduced_denominator = denominator / common;
    if (numerator % reduced_denominator != 0) return DecimalResult::inexact;
    fraction_value = (numerator / reduced_denominator) * (multiplier / common);
  }
  if (whole > limit - fraction_value) return DecimalResult::overflow;
  out = whole + fraction_value;
  return DecimalResult::ok;
}

// Splits "12.5xyz" into "12", "5" and "xyz". False when there is no leading digit, or a '.' is
// not followed by a digit.
bool split_decimal(std::string_view text, std::string_view& integer_digits,
                   std::string_view& fraction_digits, std::string_view& rest) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return false;
  integer_digits = text.substr(0, i);
  fraction_digits = {};
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start) return false;
    fraction_digits = text.substr(start, i - start);
  }
  rest = text.substr(i);
  return true;
}

bool all_letters(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_letter);
}

std::vector<std::string> strings(std::span<const std::string_view> names) {
  return std::vector<std::string>(names.begin(), names.end());
}

// The names of tcp/types.cpp's tables, for messages and suggestions.
const std::vector<std::string>& state_names() {
  static const std::vector<std::string> names = strings(tcp::state_names());
  return names;
}

const std::vector<std::string>& app_event_names() {
  static const std::vector<std::string> names = strings(tcp::app_event_names());
  return names;
}

// "SYN", "FIN", "RST", "PSH", "ACK", "URG": tcp/segment.cpp's canonical order.
const std::vector<std::string>& flag_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    const std::string all = tcp::flags_to_string(0x3f);
    std::size_t start = 0;
    while (start <= all.size()) {
      const std::size_t comma = std::min(all.find(',', start), all.size());
      out.push_back(all.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  }();
  return names;
}

// "150ms" for messages about values that may have been defaults.
std::string duration_text(Duration duration) {
  struct Unit {
    Duration size;
    const char* name;
  };
  static constexpr Unit units[] = {{hour, "h"},          {minute, "min"}, {second, "s"},
                                   {millisecond, "ms"}, {microsecond, "us"}};
  if (duration == 0) return "0s";
  for (const auto& unit : units)
    if (duration % unit.size == 0) return std::to_string(duration / unit.size) + unit.name;
  return std::to_string(duration) + "ns";
}

// A connection name declared in the timeline: by a connect ("c1") or a listen ("server:80").
struct DeclaredName {
  int host = 0;
  bool listener = false;
  std::string path;  // of the declaring action, for duplicate messages
};

// " (did you mean \"x\"?)" when a candidate is close, else "".
std::string did_you_mean_suffix(std::string_view input, const std::vector<std::string>& candidates);

// --- The loader proper ---

class Loader;

// An object whose keys have been checked against the allowed ones.
class Object {
 public:
  Object(const Loader& loader, const Value& value, std::string path);
  // Rejects keys not in `allowed`, with a suggestion.
  void allow(const std::vector<std::string>& allowed) const;
  const Value* find(std::string_view key) const;
  const Value& require(std::string_view key) const;
  std::string path_of(std::string_view key) const { return json::append_key(path_, key); }
  // Where the key itself stood, for errors about the key rather than its value.
  SourceLocation key_location(std::string_view key) const;
  const Value& value() const { return value_; }
  const std::string& path() const { return path_; }

 private:
  const Loader& loader_;
  const Value& value_;
  std::string path_;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  Scenario load(const Value& root);
  const std::string& file() const { return file_; }

  SourceLocation location(const Value& value, const std::string& path) const {
    return SourceLocation{file_, value.position.line, value.position.column, path};
  }
  [[noreturn]] void fail(const Value& value, const std::string& path, std::string message) const {
    throw ScenarioError(location(value, path), std::move(message));
  }
  [[noreturn]] void fail_type(const Value& value, const std::string& path,
                              std::string_view expected) const {
    fail(value, path,
         "expected " + std::string(expected) + ", got " + std::string(json::type_description(value.type)));
  }

 private:
  std::string file_;
  Scenario scenario_;
  std::vector<std::string> host_names_;
  std::map<std::string, DeclaredName> declared_;  // connect and listener names
  std::vector<int> connects_per_host_;
  std::vector<int> listens_per_host_;
  // "bytes" counts read so far (at most max_scenario_pattern_bytes), and where their patterns go:
  // they are generated once the whole file has been checked, so that an error costs no memory.
  std::int64_t pattern_bytes_ = 0;
  std::vector<std::pair<std::size_t, std::size_t>> send_patterns_;      // timeline index, count
  std::vector<std::pair<std::size_t, std::size_t>> received_patterns_;  // expect.received index, count
  // reactions index, count
  std::vector<std::pair<std::size_t, std::size_t>> reaction_send_patterns_;
  // Action ids, and where each reactive action's trigger and connection stood in the file: they
  // are checked once the whole timeline is read.
  struct DeclaredId {
    bool reaction = false;
    std::size_t index = 0;  // into scenario_.timeline or scenario_.reactions
    std::string path;
  };
  std::map<std::string, DeclaredId> action_ids_;
  struct TriggerSource {
    const Value* value = nullptr;  // on.connection, or on.action
    std::string path;
  };
  std::vector<TriggerSource> trigger_sources_;  // by reaction
  struct DeferredConnection {
    std::string name;
    int host = 0;
    const Value* value = nullptr;
    std::string path;
    bool listeners = false;  // close and abort may name a listener
  };
  std::vector<DeferredConnection> deferred_connections_;
  // Actions made by "repeat" so far, and whether one was: the timeline is then sorted by time.
  std::int64_t repeated_actions_ = 0;  // every repeat's instances
  std::int64_t repeated_held_ = 0;     // those expanded into the timeline (not RepeatedAction)
  bool repeated_ = false;
  // Counts a "bytes" value against the scenario's limit.
  void count_pattern(std::int64_t count, const Value& value, const std::string& path);

  // Values
  std::string read_string(const Value& value, const std::string& path) const;
  std::string read_non_empty_string(const Value& value, const std::string& path) const;
  std::int64_t read_integer(const Value& value, const std::string& path, std::int64_t min,
                            std::int64_t max) const;
  std::uint64_t read_unsigned64(const Value& value, const std::string& path) const;
  bool read_bool(const Value& value, const std::string& path) const;
  Duration read_duration(const Value& value, const std::string& path) const;
  Duration read_positive_duration(const Value& value, const std::string& path) const;
  std::uint64_t read_probability(const Value& value, const std::string& path) const;
  std::uint64_t read_rate(const Value& value, const std::string& path) const;
  std::uint64_t read_memory_budget(const Value& value, const std::string& path) const;
  tcp::Port read_port(const Value& value, const std::string& path) const;
  std::uint8_t read_flags(const Value& value, const std::string& path, bool allow_none) const;
  int read_host(const Value& value, const std::string& path) const;
  std::string read_choice(const Value& value, const std::string& path, std::string_view what,
                          const std::vector<std::string>& choices) const;
  tcp::State read_state(const Value& value, const std::string& path) const;
  tcp::AppEventKind read_app_event(const Value& value, const std::string& path) const;
  const Value& require_array(const Value& value, const std::string& path) const;

  // Sections
  void read_top_level(const Object& top);
  void read_hosts(const Value& value, const std::string& path);
  HostSpec read_host_spec(const Value& value, const std::string& path, std::size_t index);
  // A "tcp" object of knobs applied over `config` (a host's, or a connect's or listen's over its
  // host's), and the rules between knobs.
  void read_tcp(const Value& value, const std::string& path, const tcp::Profile& profile,
                tcp::TcpConfig& config);
  // One knob of a host's "tcp" object, read by its type in the table (tcp/knobs.hpp).
  void read_knob(const tcp::Knob& knob, const Value& value, const std::string& path,
                 tcp::TcpConfig& config) const;
  void read_link(const Value& value, const std::string& path);
  void read_link_direction(const Object& object, sim::LinkDirectionConfig& config) const;
  void read_faults(const Value& value, const std::string& path);
  sim::FaultMatch read_match(const Value& value, const std::string& path) const;
  void read_timeline(const Value& value, const std::string& path);
  Action read_action(const Value& value, const std::string& path);
  // An action with "repeat": its instances, appended to the timeline (docs/scenario-format.md,
  // "Generators").
  void read_repeated_action(const Value& value, const std::string& path);
  // After the timeline is read: instances of several generators interleave, so the timeline is
  // sorted by time (stably: file order at the same instant) and every connection an action
  // names must still be made before it.
  void sort_repeated_timeline();
  void read_when(const Object& object, Action& action);
  void resolve_reactions();
  // A connect's or listen's "tcp": its host's config with these knobs applied.
  void read_connection_tcp(const Object& object, Action& action);
  // A configure's "tcp": live knobs only (tcp/knobs.hpp), at least one.
  void read_configure_tcp(const Object& object, Action& action);
  // An inject's keys (docs/scenario-format.md, "inject").
  void read_inject(const Object& object, Action& action);
  struct InjectEndpoint {
    tcp::Address address = 0;
    std::optional<tcp::Port> port;
    std::optional<int> host;  // the host with that address, if any
  };
  InjectEndpoint read_endpoint(const Value& value, const std::string& path) const;
  void declare_name(const std::string& name, int host, bool listener, bool defaulted,
                    const Value& at, const std::string& path);
  void read_expect(const Value& value, const std::string& path);
  // `in_alternative`: inside an "any_of", which does not nest.
  ExpectedSegment read_expected_segment(const Value& value, const std::string& path,
                                        bool in_alternative = false) const;
  ExpectedNever read_never(const Value& value, const std::string& path) const;
  ExpectedReceived read_received(const std::string& name, const Value& value, const std::string& path);
  void check_counter(const std::string& counter, const Object& counts) const;

  // Connections
  // For a send/close/abort at this point of the timeline on `host`.
  // `anywhere`: for a reactive action, which may run after any of the timeline's actions.
  // `listeners`: the action may name a listener too (close and abort stop it listening).
  void check_connection_in_timeline(const std::string& name, int host, const Value& value,
                                    const std::string& path, bool anywhere = false,
                                    bool listeners = false) const;
  // For expectations: the owning host of a plausible connection name; with `listeners`, a
  // listener's name too (a listener has states: LISTEN from its listen on).
  int connection_owner(const std::string& name, const Value& value, const std::string& path,
                       bool listeners = false) const;
  // The host that owns `name` if it has a recognisable form, and whether it is plausible now.
  std::optional<int> owner_of(const std::string& name, bool& plausible) const;
  std::vector<std::string> connection_candidates(std::optional<int> host) const;
};

Object::Object(const Loader& loader, const Value& value, std::string path)
    : loader_(loader), value_(value), path_(std::move(path)) {
  if (!value.is_object()) loader_.fail_type(value, path_, "an object");
}

void Object::allow(const std::vector<std::string>& allowed) const {
  for (std::size_t i = 0; i < value_.keys.size(); ++i) {
    const std::string& key = value_.keys[i];
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const json::Position position = value_.key_positions[i];
    throw ScenarioError(SourceLocation{loader_.file(), position.line, position.column, path_of(key)},
                        unknown_message("key", key, allowed, false));
  }
}

const Value* Object::find(std::string_view key) const {
  for (std::size_t i = 0; i < value_.keys.size(); ++i)
    if (value_.keys[i] == key) return &value_.elements[i];
  return nullptr;
}

const Value& Object::require(std::string_view key) const {
  if (const Value* found = find(key)) return *found;
  loader_.fail(value_, path_, "missing required key " + quoted(key));
}

SourceLocation Object::key_location(std::string_view key) const {
  for (std::size_t i = 0; i < value_.keys.size(); ++i) {
    if (value_.keys[i] == key) {
      const json::Position position = value_.key_positions[i];
      return SourceLocation{loader_.file(), position.line, position.column, path_of(key)};
    }
  }
  return loader_.location(value_, path_);
}

// --- Values ---

std::string Loader::read_string(const Value& value, const std::string& path) const {
  if (!value.is_string()) fail_type(value, path, "a string");
  return value.text;
}

std::string Loader::read_non_empty_string(const Value& value, const std::string& path) const {
  if (!value.is_string()) fail_type(value, path, "a non-empty string");
  if (value.text.empty()) fail(value, path, "expected a non-empty string");
  return value.text;
}

std::string integer_range_text(std::int64_t min, std::int64_t max) {
  if (min == int64_min && max == int64_max) return "an integer";
  if (min == 0 && max == int64_max) return "a non-negative integer";
  return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

// Number text for messages, cut when absurdly long.
std::string number_text(const Value& value) {
  if (value.text.size() <= 40) return value.text;
  return value.text.substr(0, 40) + "...";
}

// A JSON number's exact value: (negative ? -1 : 1) * significand * 10^exponent, with the
// significand's leading and trailing zeros removed (empty for zero). No floating point.
struct ExactNumber {
  bool negative = false;
  std::string significand;
  std::int64_t exponent = 0;
};

// `text` follows the JSON number grammar (the parser checked it).
ExactNumber exact_number(std::string_view text) {
  ExactNumber number;
  number.negative = !text.empty() && text.front() == '-';
  if (number.negative) text.remove_prefix(1);
  std::size_t i = 0;
  std::string digits;
  std::int64_t fraction_digits = 0;
  while (i < text.size() && is_digit(text[i])) digits += text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      digits += text[i++];
      ++fraction_digits;
    }
  }
  std::int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    // Saturate: beyond a million the value is out of every range anyway.
    while (i < text.size() && is_digit(text[i]))
      exponent = std::min<std::int64_t>(exponent * 10 + (text[i++] - '0'), 1'000'000);
    if (exponent_negative) exponent = -exponent;
  }
  std::size_t leading = 0;
  while (leading < digits.size() && digits[leading] == '0') ++leading;
  std::size_t trailing = 0;
  while (trailing < digits.size() - leading && digits[digits.size() - 1 - trailing] == '0') ++trailing;
  number.significand = digits.substr(leading, digits.size() - leading - trailing);
  number.exponent = exponent - fraction_digits + static_cast<std::int64_t>(trailing);
  return number;
}

// A number with no fractional part ("80", "8e1", "80.0" alike, as JSON Schema's "integer") as a
// sign and a saturated magnitude; false when it has a fractional part.
bool parse_integer_text(std::string_view text, bool& negative, std::uint64_t& magnitude,
                        bool& overflow) {
  const ExactNumber number = exact_number(text);
  negative = number.negative;
  magnitude = 0;
  overflow = false;
  if (number.significand.empty()) return true;
  if (number.exponent < 0) return false;
  if (static_cast<std::int64_t>(number.significand.size()) + number.exponent > 20) {
    overflow = true;
    magnitude = std::numeric_limits<std::uint64_t>::max();
    return true;
  }
  std::string digits = number.significand + std::string(static_cast<std::size_t>(number.exponent), '0');
  for (const char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      overflow = true;
      magnitude = std::numeric_limits<std::uint64_t>::max();
      return true;
    }
    magnitude = magnitude * 10 + digit;
  }
  return true;
}

std::int64_t Loader::read_integer(const Value& value, const std::string& path, std::int64_t min,
                                  std::int64_t max) const {
  const std::string expected = integer_range_text(min, max);
  if (!value.is_number()) fail_type(value, path, expected);
  bool negative = false;
  bool overflow = false;
  std::uint64_t magnitude = 0;
  if (!parse_integer_text(value.text, negative, magnitude, overflow))
    fail(value, path, "expected " + expected + ", got " + number_text(value));
  std::int64_t result = 0;
  bool fits = !overflow;
  if (fits && negative) {
    if (magnitude <= static_cast<std::uint64_t>(int64_max))
      result = -static_cast<std::int64_t>(magnitude);
    else if (magnitude == static_cast<std::uint64_t>(int64_max) + 1)
      result = int64_min;
    else
      fits = false;
  } else if (fits) {
    if (magnitude <= static_cast<std::uint64_t>(int64_max))
      result = static_cast<std::int64_t>(magnitude);
    else
      fits = false;
  }
  if (!fits || result < min || result > max)
    fail(value, path, "expected " + expected + ", got " + number_text(value));
  return result;
}

std::uint64_t Loader::read_unsigned64(const Value& value, const std::string& path) const {
  const std::string expected = "an integer between 0 and 18446744073709551615";
  if (!value.is_number()) fail_type(value, path, expected);
  bool negative = false;
  bool overflow = false;
  std::uint64_t magnitude = 0;
  if (!parse_integer_text(value.text, negative, magnitude, overflow) || overflow ||
      (negative && magnitude != 0))
    fail(value, path, "expected " + expected + ", got " + number_text(value));
  return magnitude;
}

bool Loader::read_bool(const Value& value, const std::string& path) const {
  if (value.type != Type::boolean) fail_type(value, path, "true or false");
  return value.boolean;
}

Duration Loader::read_duration(const Value& value, const std::string& path) const {
  if (!value.is_string()) fail_type(value, path, duration_example);
  Duration duration = 0;
  std::string error;
  if (!parse_duration(value.text, duration, error)) fail(value, path, error);
  return duration;
}

Duration Loader::read_positive_duration(const Value& value, const std::string& path) const {
  const Duration duration = read_duration(value, path);
  if (duration == 0) fail(value, path, "expected a duration greater than 0, got " + quoted(value.text));
  return duration;
}

std::uint64_t Loader::read_probability(const Value& value, const std::string& path) const {
  const std::string expected = "a probability between 0 and 1";
  if (!value.is_number()) fail_type(value, path, expected);
  const std::string out_of_range = "expected " + expected + ", got " + number_text(value);
  const std::string too_fine =
      "probability " + number_text(value) + " is finer than 1e-9 (at most 9 decimals)";
  const ExactNumber number = exact_number(value.text);
  if (number.significand.empty()) return 0;  // zero, including -0
  const auto digits = static_cast<std::int64_t>(number.significand.size());
  // The value is at least 10^(digits + exponent - 1), and exactly 1 only as "1" * 10^0.
  if (number.negative || digits + number.exponent > 1 ||
      (digits + number.exponent == 1 && number.significand != "1"))
    fail(value, path, out_of_range);
  const std::int64_t scale = number.exponent + 9;  // parts per 10^9
  if (scale < 0) fail(value, path, too_fine);
  std::uint64_t parts = 0;
  for (const char c : number.significand) parts = parts * 10 + static_cast<std::uint64_t>(c - '0');
  for (std::int64_t k = 0; k < scale; ++k) parts *= 10;
  return parts;
}

std::uint64_t Loader::read_rate(const Value& value, const std::string& path) const {
  const std::string expected =
      R"(expected a rate such as "10Mbps", "64kbps", "1Gbps" or an integer number of bits per second)";
  if (value.is_number()) {
    bool negative = false;
    bool overflow = false;
    std::uint64_t magnitude = 0;
    if (!parse_integer_text(value.text, negative, magnitude, overflow) || overflow ||
        (negative && magnitude != 0))
      fail(value, path, expected + ", got " + number_text(value));
    return magnitude;
  }
  if (!value.is_string()) fail(value, path, expected + ", got " + std::string(json::type_description(value.type)));
  std::string_view integer_digits;
  std::string_view fraction_digits;
  std::string_view unit;
  if (!split_decimal(value.text, integer_digits, fraction_digits, unit))
    fail(value, path, expected + ", got " + quoted(value.text));
  std::uint64_t multiplier = 0;
  if (unit == "bps") multiplier = 1;
  else if (unit == "kbps") multiplier = 1'000;
  else if (unit == "Mbps") multiplier = 1'000'000;
  else if (unit == "Gbps") multiplier = 1'000'000'000;
  else if (unit.empty())
    fail(value, path, "rate " + quoted(value.text) + " needs a unit: bps, kbps, Mbps or Gbps");
  else if (all_letters(unit))
    fail(value, path, "rate " + quoted(value.text) + " has unknown unit " + quoted(unit) +
                          " (units: bps, kbps, Mbps, Gbps)");
  else
    fail(value, path, expected + ", got " + quoted(value.text));
  std::uint64_t rate = 0;
  switch (scale_decimal(integer_digits, fraction_digits, multiplier,
                        std::numeric_limits<std::uint64_t>::max(), rate)) {
    case DecimalResult::ok: return rate;
    case DecimalResult::overflow:
      fail(value, path, "rate " + quoted(value.text) + " overflows 64-bit bits per second");
    case DecimalResult::inexact:
      fail(value, path, "rate " + quoted(value.text) + " is not a whole number of bits per second");
  }
  return rate;
}

// A number of bytes, or a string in parse_memory_size's syntax ("512MiB"), the same as
// --memory-budget.
std::uint64_t Loader::read_memory_budget(const Value& value, const std::string& path) const {
  if (value.is_number()) {
    return static_cast<std::uint64_t>(read_integer(value, path,
                                                   static_cast<std::int64_t>(min_memory_budget),
                                                   static_cast<std::int64_t>(max_memory_budget)));
  }
  if (!value.is_string()) fail_type(value, path, R"(a size such as "4GiB" or a number of bytes)");
  std::string error;
  const std::optional<std::uint64_t> bytes = parse_memory_size(value.text, error);
  if (!bytes) fail(value, path, error);
  return *bytes;
}

tcp::Port Loader::read_port(const Value& value, const std::string& path) const {
  return static_cast<tcp::Port>(read_integer(value, path, 1, 65535));
}

std::uint8_t Loader::read_flags(const Value& value, const std::string& path, bool allow_none) const {
  const std::string expected = R"(flag names such as "SYN,ACK")";
  if (!value.is_string()) fail_type(value, path, "a string of " + expected);
  const std::string& text = value.text;
  std::string lowered;
  for (const char c : text) lowered += to_lower(c);
  if (text.empty() || lowered == "none") {
    if (!allow_none) fail(value, path, "expected at least one flag, got " + quoted(text));
    return 0;
  }
  // Find the first bad name ourselves, for a precise message.
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(",|+", start);
    if (end == std::string::npos) end = text.size();
    std::string_view name = std::string_view(text).substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    std::uint8_t single = 0;
    if (name.empty())
      fail(value, path, "empty flag name in " + quoted(text) + ", expected " + expected);
    if (!tcp::parse_flags(name, single)) {
      const std::string message = "unknown flag " + quoted(name) + " in " + quoted(text);
      if (const auto suggestion = closest(name, flag_names()))
        fail(value, path, message + ", did you mean " + quoted(*suggestion) + "?");
      fail(value, path, message + ", expected names among SYN, FIN, RST, PSH, ACK, URG");
    }
    start = end + 1;
  }
  std::uint8_t flags = 0;
  if (!tcp::parse_flags(text, flags)) fail(value, path, "expected " + expected + ", got " + quoted(text));
  return flags;
}

int Loader::read_host(const Value& value, const std::string& path) const {
  const std::string name = read_string(value, path);
  for (std::size_t i = 0; i < host_names_.size(); ++i)
    if (host_names_[i] == name) return static_cast<int>(i);
  fail(value, path, unknown_message("host", name, host_names_, true));
}

std::string Loader::read_choice(const Value& value, const std::string& path, std::string_view what,
                                const std::vector<std::string>& choices) const {
  const std::string text = read_string(value, path);
  if (std::find(choices.begin(), choices.end(), text) == choices.end())
    fail(value, path, unknown_message(what, text, choices, true));
  return text;
}

tcp::State Loader::read_state(const Value& value, const std::string& path) const {
  const std::string text = read_string(value, path);
  tcp::State state = tcp::State::closed;
  if (!tcp::parse_state(text, state)) fail(value, path, unknown_message("state", text, state_names(), false));
  return state;
}

tcp::AppEventKind Loader::read_app_event(const Value& value, const std::string& path) const {
  const std::string text = read_string(value, path);
  tcp::AppEventKind kind = tcp::AppEventKind::connected;
  if (!tcp::parse_app_event(text, kind))
    fail(value, path, unknown_message("event", text, app_event_names(), false));
  return kind;
}

const Value& Loader::require_array(const Value& value, const std::string& path) const {
  if (!value.is_array()) fail_type(value, path, "an array");
  return value;
}

// --- Sections ---

bool valid_scenario_name(std::string_view name) {
  if (name.empty() || !(is_lower(name[0]) || is_digit(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || !is_lower(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '-'; });
}

bool valid_connection_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_letter(c) || is_digit(c) || c == '_' || c == '.' || c == ':' || c == '-';
  });
}

Scenario Loader::load(const Value& root) {
  scenario_.file = file_;
  const Object top(*this, root, "$");
  // The version first: a file of another version may well have keys this one does not know.
  const Value* version = top.find("tcpsim");
  if (version == nullptr)
    fail(root, "$", R"(missing required key "tcpsim" (the format version: "tcpsim": 1))");
  if (!version->is_number()) fail_type(*version, "$.tcpsim", "the format version 1");
  bool negative = false;
  bool overflow = false;
  std::uint64_t magnitude = 0;
  if (!parse_integer_text(version->text, negative, magnitude, overflow))
    fail(*version, "$.tcpsim", "expected the format version 1, got " + number_text(*version));
  if (negative || overflow || magnitude != 1)
    fail(*version, "$.tcpsim",
         "unsupported format version " + number_text(*version) + ", this tcpsim reads version 1");
  scenario_.version = 1;
  top.allow({"tcpsim", "name", "description", "description_zh", "seed", "link", "hosts",
             "faults", "timeline", "stop_at", "event_budget", "memory_budget", "expect"});
  read_top_level(top);
  // One pattern, as long as the longest "bytes": every send and expectation is a prefix of it.
  std::size_t longest = 0;
  for (const auto& [index, count] : send_patterns_) longest = std::max(longest, count);
  for (const auto& [index, count] : reaction_send_patterns_) longest = std::max(longest, count);
  for (const auto& [index, count] : received_patterns_) longest = std::max(longest, count);
  if (!send_patterns_.empty() || !received_patterns_.empty() || !reaction_send_patterns_.empty()) {
    const auto pattern = std::make_shared<const std::vector<std::uint8_t>>(pattern_bytes(longest));
    for (const auto& [index, count] : send_patterns_) {
      scenario_.timeline[index].data = SharedBytes(pattern, count);
    }
    for (const auto& [index, count] : reaction_send_patterns_) {
      scenario_.reactions[index].data = SharedBytes(pattern, count);
    }
    for (const auto& [index, count] : received_patterns_) {
      scenario_.expect.received[index].data = SharedBytes(pattern, count);
    }
  }
  return std::move(scenario_);
}

void Loader::count_pattern(std::int64_t count, const Value& value, const std::string& path) {
  const std::int64_t limit = max_scenario_pattern_bytes.load(std::memory_order_relaxed);
  if (count > limit - pattern_bytes_)
    fail(value, path,
         "the scenario's \"bytes\" would total " + std::to_string(pattern_bytes_ + count) +
             ", more than the limit of " + std::to_string(limit) + " (" + byte_limit_text(limit) +
             ", held in memory)");
  pattern_bytes_ += count;
}

void Loader::read_top_level(const Object& top) {
  const Value& name = top.require("name");
  scenario_.name = read_string(name, top.path_of("name"));
  if (!valid_scenario_name(scenario_.name))
    fail(name, top.path_of("name"),
         "invalid scenario name " + quoted(scenario_.name) +
             ": expected lowercase letters, digits and '-', starting with a letter or digit");
  scenario_.description = read_non_empty_string(top.require("description"), top.path_of("description"));
  if (const Value* chinese = top.find("description_zh"))
    scenario_.description_zh = read_non_empty_string(*chinese, top.path_of("description_zh"));
  if (const Value* seed = top.find("seed")) scenario_.seed = read_unsigned64(*seed, top.path_of("seed"));

  read_hosts(top.require("hosts"), top.path_of("hosts"));

  scenario_.link.directions[0].delay = 10 * millisecond;
  scenario_.link.directions[1].delay = 10 * millisecond;
  if (const Value* link = top.find("link")) read_link(*link, top.path_of("link"));
  if (const Value* faults = top.find("faults")) read_faults(*faults, top.path_of("faults"));
  // The memory budget before the timeline: "repeat" counts its actions against it.
  if (const Value* budget = top.find("memory_budget"))
    scenario_.memory_budget = read_memory_budget(*budget, top.path_of("memory_budget"));
  read_timeline(top.require("timeline"), top.path_of("timeline"));
  if (const Value* stop_at = top.find("stop_at"))
    scenario_.stop_at = read_duration(*stop_at, top.path_of("stop_at"));
  if (const Value* budget = top.find("event_budget"))
    scenario_.event_budget =
        static_cast<std::uint64_t>(read_integer(*budget, top.path_of("event_budget"), 1, 1'000'000'000));
  if (const Value* expect = top.find("expect")) read_expect(*expect, top.path_of("expect"));
}

void Loader::read_hosts(const Value& value, const std::string& path) {
  require_array(value, path);
  if (value.elements.size() != 2)
    fail(value, path, "expected exactly 2 hosts, got " + std::to_string(value.elements.size()));
  for (std::size_t i = 0; i < value.elements.size(); ++i) {
    const std::string host_path = json::append_index(path, i);
    scenario_.hosts.push_back(read_host_spec(value.elements[i], host_path, i));
  }
  host_names_ = {scenario_.hosts[0].name, scenario_.hosts[1].name};
  connects_per_host_.assign(2, 0);
  listens_per_host_.assign(2, 0);
}

HostSpec Loader::read_host_spec(const Value& value, const std::string& path, std::size_t index) {
  const Object host(*this, value, path);
  host.allow({"name", "label", "address", "ephemeral_ports", "profile", "tcp", "stack"});
  HostSpec spec;
  spec.where = location(value, path);
  const Value& name = host.require("name");
  spec.name = read_string(name, host.path_of("name"));
  if (!valid_host_name(spec.name))
    fail(name, host.path_of("name"),
         "invalid host name " + quoted(spec.name) +
             ": expected a lowercase letter followed by lowercase letters, digits, '_' or '-'");
  if (spec.name == "link")
    fail(name, host.path_of("name"), R"(host name "link" is reserved for the link's counters)");
  for (std::size_t other = 0; other < scenario_.hosts.size(); ++other)
    if (scenario_.hosts[other].name == spec.name)
      fail(name, host.path_of("name"),
           "duplicate host name " + quoted(spec.name) + ", already used by " +
               json::append_index("$.hosts", other));
  // Any Unicode text, for display only: the name stays the identifier the file refers to.
  if (const Value* label = host.find("label"))
    spec.label = read_non_empty_string(*label, host.path_of("label"));

  spec.address = static_cast<tcp::Address>(0x0a000001U + index);  // 10.0.0.<index+1>
  const Value* address = host.find("address");
  if (address != nullptr) {
    const std::string text = read_string(*address, host.path_of("address"));
    bool leading_zero = false;
    if (!tcp::parse_address(text, spec.address, &leading_zero)) {
      if (leading_zero)
        fail(*address, host.path_of("address"),
             "address " + quoted(text) +
                 " has a part with a leading zero, which inet_aton reads as octal (\"010\" is 8): "
                 "write each part in decimal without leading zeros");
      fail(*address, host.path_of("address"),
           "expected an IPv4 address such as \"10.0.0.1\", got " + quoted(text));
    }
  }
  for (std::size_t other = 0; other < scenario_.hosts.size(); ++other) {
    if (scenario_.hosts[other].address != spec.address) continue;
    const std::string text = address != nullptr ? address->text : "10.0.0." + std::to_string(index + 1);
    const std::string message = "address " + text + " is already used by host " +
                                quoted(scenario_.hosts[other].name);
    if (address != nullptr) fail(*address, host.path_of("address"), message);
    fail(value, path, message + " (the default address of the host at index " +
                          std::to_string(index) + ")");
  }

  if (const Value* ports = host.find("ephemeral_ports")) {
    // Linux's net.ipv4.ip_local_port_range, as an object: the ports a connect without
    // "local_port" takes, in order, wrapping, skipping ports in use.
    const Object range(*this, *ports, host.path_of("ephemeral_ports"));
    range.allow({"first", "last"});
    const Value& first = range.require("first");
    const Value& last = range.require("last");
    spec.ephemeral_first = read_port(first, range.path_of("first"));
    spec.ephemeral_last = read_port(last, range.path_of("last"));
    if (spec.ephemeral_last < spec.ephemeral_first)
      fail(last, range.path_of("last"),
           "the last ephemeral port " + std::to_string(spec.ephemeral_last) +
               " comes before the first, " + std::to_string(spec.ephemeral_first));
  }

  if (const Value* stack = host.find("stack")) {
    // "none": a scripted host, whose segments come from inject actions (a packetdrill peer).
    spec.scripted =
        read_choice(*stack, host.path_of("stack"), "stack", {"tcp", "none"}) == "none";
    if (spec.scripted) {
      for (const char* key : {"profile", "tcp", "ephemeral_ports"})
        if (host.find(key) != nullptr)
          throw ScenarioError(host.key_location(key),
                              "host " + quoted(spec.name) +
                                  " has \"stack\": \"none\" (no TCP), so " + quoted(key) +
                                  " does not apply");
    }
  }
  const tcp::Profile* profile = &tcp::profiles().front();
  if (const Value* name = host.find("profile")) {
    std::vector<std::string> profile_names;
    for (const tcp::Profile& candidate : tcp::profiles())
      profile_names.emplace_back(candidate.name);
    spec.profile = read_choice(*name, host.path_of("profile"), "profile", profile_names);
    profile = tcp::find_profile(spec.profile);
  }
  spec.tcp = tcp::profile_config(*profile);
  if (host.find("ephemeral_ports") == nullptr) {
    spec.ephemeral_first = profile->ephemeral_first;
    spec.ephemeral_last = profile->ephemeral_last;
  }
  const Value* tcp_knobs = host.find("tcp");
  if (tcp_knobs != nullptr) read_tcp(*tcp_knobs, host.path_of("tcp"), *profile, spec.tcp);
  return spec;
}

void Loader::read_knob(const tcp::Knob& knob, const Value& value, const std::string& path,
                       tcp::TcpConfig& config) const {
  tcp::KnobValue knob_value;
  switch (knob.type) {
    case tcp::KnobType::duration: {
      knob_value.number = read_duration(value, path);
      // A duration's min is 0 or 1 ns (tests/tcp/knob_tests.cpp checks).
      if (knob_value.number < knob.min)
        fail(value, path, "expected a duration greater than 0, got " + quoted(value.text));
      if (knob_value.number > knob.max)
        fail(value, path,
             std::string(knob.name) + " " + quoted(value.text) + " is longer than " +
                 duration_text(knob.max) + ": " + std::string(knob.max_reason));
      break;
    }
    case tcp::KnobType::integer:
      knob_value.number = read_integer(value, path, knob.min, knob.max);
      break;
    case tcp::KnobType::boolean:
      knob_value.number = read_bool(value, path) ? 1 : 0;
      break;
    case tcp::KnobType::choice: {
      const std::vector<std::string> choices(knob.choices.begin(), knob.choices.end());
      const std::string choice = read_choice(value, path, knob.name, choices);
      knob_value.number = std::find(choices.begin(), choices.end(), choice) - choices.begin();
      break;
    }
    case tcp::KnobType::integer_or_word: {
      const auto word = value.is_string()
                            ? std::find(knob.words.begin(), knob.words.end(), value.text)
                            : knob.words.end();
      if (word != knob.words.end()) {
        knob_value.is_word = true;
        knob_value.number = word - knob.words.begin();
      } else if (value.is_number()) {
        knob_value.number = read_integer(value, path, knob.min, knob.max);
      } else {
        const std::string got = value.is_string()
                                    ? quoted(value.text)
                                    : std::string(json::type_description(value.type));
        fail(value, path,
             "expected " + integer_range_text(knob.min, knob.max) + " or one of " +
                 quoted_list({knob.words.begin(), knob.words.end()}) + ", got " + got);
      }
      break;
    }
  }
  knob.set(config, knob_value);
}

void Loader::read_tcp(const Value& value, const std::string& path, const tcp::Profile& profile,
                      tcp::TcpConfig& config) {
  const Object knobs(*this, value, path);
  // "window" was the advertised window; it is now the free space of "receive_buffer".
  if (knobs.find("window") != nullptr)
    throw ScenarioError(knobs.key_location("window"),
                        R"(unknown key "window", did you mean "receive_buffer"? (the window advertised is )"
                        R"(the receive buffer's free space))");
  std::vector<std::string> names;
  for (const tcp::Knob& knob : tcp::knobs()) names.emplace_back(knob.name);
  knobs.allow(names);
  for (const tcp::Knob& knob : tcp::knobs())
    if (const Value* given = knobs.find(knob.name))
      read_knob(knob, *given, knobs.path_of(knob.name), config);

  // The rules between knobs.
  // Without "msl" the config's TIME_WAIT already follows its MSL (the profile's default, or the
  // host's when a connection overrides other knobs).
  const Value* msl = knobs.find("msl");
  if (msl != nullptr && knobs.find("time_wait") == nullptr && profile.time_wait_is_two_msl) {
    if (config.msl > int64_max / 2)
      fail(*msl, knobs.path_of("msl"),
           "msl " + quoted(msl->text) + " is too large: TIME_WAIT (2 MSL) overflows 64-bit nanoseconds");
    config.time_wait = 2 * config.msl;
  }
  if (config.rto_min > config.rto_max) {
    const Value* rto_min = knobs.find("rto_min");
    const Value* rto_max = knobs.find("rto_max");
    const std::string message = "rto_min " + duration_text(config.rto_min) +
                                " is greater than rto_max " + duration_text(config.rto_max);
    if (rto_max != nullptr) fail(*rto_max, knobs.path_of("rto_max"), message);
    fail(*rto_min, knobs.path_of("rto_min"), message);
  }
}

void Loader::read_link(const Value& value, const std::string& path) {
  const Object link(*this, value, path);
  link.allow({"delay", "jitter", "loss", "duplicate", "reorder", "rate", "queue_limit", "msl",
              "forward", "backward"});
  // Top-level keys set both directions; forward/backward then override theirs.
  sim::LinkDirectionConfig both = scenario_.link.directions[0];
  read_link_direction(link, both);
  if (const Value* msl = link.find("msl")) scenario_.link.msl = read_positive_duration(*msl, link.path_of("msl"));
  const char* direction_keys[2] = {"forward", "backward"};
  for (int d = 0; d < 2; ++d) {
    sim::LinkDirectionConfig config = both;
    if (const Value* direction = link.find(direction_keys[d])) {
      const Object object(*this, *direction, link.path_of(direction_keys[d]));
      if (object.find("msl") != nullptr)
        throw ScenarioError(object.key_location("msl"),
                            R"("msl" applies to the whole link, not to one direction)");
      object.allow({"delay", "jitter", "loss", "duplicate", "reorder", "rate", "queue_limit"});
      read_link_direction(object, config);
    }
    scenario_.link.directions[static_cast<std::size_t>(d)] = config;
  }
}

void Loader::read_link_direction(const Object& object, sim::LinkDirectionConfig& config) const {
  if (const Value* delay = object.find("delay")) config.delay = read_duration(*delay, object.path_of("delay"));
  if (const Value* jitter = object.find("jitter")) config.jitter = read_duration(*jitter, object.path_of("jitter"));
  if (const Value* loss = object.find("loss")) config.loss = read_probability(*loss, object.path_of("loss"));
  if (const Value* duplicate = object.find("duplicate"))
    config.duplicate = read_probability(*duplicate, object.path_of("duplicate"));
  if (const Value* reorder = object.find("reorder")) {
    const Object model(*this, *reorder, object.path_of("reorder"));
    model.allow({"probability", "extra_delay"});
    config.reorder.probability = read_probability(model.require("probability"), model.path_of("probability"));
    config.reorder.extra_delay = read_duration(model.require("extra_delay"), model.path_of("extra_delay"));
  }
  if (const Value* rate = object.find("rate")) config.rate_bits_per_second = read_rate(*rate, object.path_of("rate"));
  if (const Value* queue_limit = object.find("queue_limit"))
    config.queue_limit =
        static_cast<std::uint32_t>(read_integer(*queue_limit, object.path_of("queue_limit"), 0, 4294967295));
}

void Loader::read_faults(const Value& value, const std::string& path) {
  require_array(value, path);
  std::map<std::string, std::string> rule_paths;  // name -> path of the rule that took it
  for (std::size_t i = 0; i < value.elements.size(); ++i) {
    const std::string rule_path = json::append_index(path, i);
    const Value& element = value.elements[i];
    const Object object(*this, element, rule_path);
    object.allow({"name", "match", "action", "duration", "until"});
    sim::FaultRule rule;
    rule.name = "rule " + std::to_string(i + 1);
    const Value* name = object.find("name");
    if (name != nullptr) rule.name = read_non_empty_string(*name, object.path_of("name"));
    const auto [taken, inserted] = rule_paths.emplace(rule.name, rule_path);
    if (!inserted) {
      const std::string message = "duplicate rule name " + quoted(rule.name) + ", already used by " + taken->second;
      if (name != nullptr) fail(*name, object.path_of("name"), message);
      fail(element, rule_path, message);
    }
    rule.match = read_match(object.require("match"), object.path_of("match"));
    const std::string action = read_choice(object.require("action"), object.path_of("action"), "action",
                                           {"drop", "delay", "duplicate", "hold"});
    const bool needs_duration = action == "delay" || action == "duplicate";
    const bool needs_until = action == "hold";
    if (action == "drop") rule.action = sim::FaultAction::drop;
    if (action == "delay") rule.action = sim::FaultAction::delay;
    if (action == "duplicate") rule.action = sim::FaultAction::duplicate;
    if (action == "hold") rule.action = sim::FaultAction::hold;
    if (const Value* duration = object.find("duration")) {
      if (!needs_duration)
        throw ScenarioError(object.key_location("duration"),
                            R"("duration" applies only to the "delay" and "duplicate" actions)");
      rule.duration = read_duration(*duration, object.path_of("duration"));
    } else if (needs_duration) {
      fail(element, rule_path, "missing required key \"duration\" for action " + quoted(action));
    }
    if (const Value* until = object.find("until")) {
      if (!needs_until)
        throw ScenarioError(object.key_location("until"), R"("until" applies only to the "hold" action)");
      rule.until = read_duration(*until, object.path_of("until"));
    } else if (needs_until) {
      fail(element, rule_path, R"(missing required key "until" for action "hold")");
    }
    scenario_.rules.push_back(std::move(rule));
  }
}

sim::FaultMatch Loader::read_match(const Value& value, const std::string& path) const {
  const Object object(*this, value, path);
  object.allow({"from", "flags", "flags_contain", "source_port", "destination_port", "port", "length",
                "length_min", "length_max", "after", "before", "nth", "count"});
  sim::FaultMatch match;
  if (const Value* from = object.find("from"))
    match.direction = read_host(*from, object.path_of("from")) == 0 ? sim::Direction::forward
                                                                    : sim::Direction::backward;
  if (const Value* flags = object.find("flags")) match.flags_exact = read_flags(*flags, object.path_of("flags"), true);
  if (const Value* flags = object.find("flags_contain"))
    match.flags_contain = read_flags(*flags, object.path_of("flags_contain"), false);
  if (const Value* port = object.find("source_port")) match.source_port = read_port(*port, object.path_of("source_port"));
  if (const Value* port = object.find("destination_port"))
    match.destination_port = read_port(*port, object.path_of("destination_port"));
  if (const Value* port = object.find("port")) match.port = read_port(*port, object.path_of("port"));
  const Value* length = object.find("length");
  const Value* length_min = object.find("length_min");
  const Value* length_max = object.find("length_max");
  if (length != nullptr) {
    if (length_min != nullptr || length_max != nullptr)
      throw ScenarioError(object.key_location(length_min != nullptr ? "length_min" : "length_max"),
                          R"("length" and "length_min"/"length_max" are exclusive)");
    const auto exact = static_cast<std::uint32_t>(read_integer(*length, object.path_of("length"), 0, 4294967295));
    match.length_min = exact;
    match.length_max = exact;
  }
  if (length_min != nullptr)
    match.length_min = static_cast<std::uint32_t>(read_integer(*length_min, object.path_of("length_min"), 0, 4294967295));
  if (length_max != nullptr)
    match.length_max = static_cast<std::uint32_t>(read_integer(*length_max, object.path_of("length_max"), 0, 4294967295));
  if (length_min != nullptr && length_max != nullptr && *match.length_min > *match.length_max)
    fail(*length_max, object.path_of("length_max"),
         "length_max " + std::to_string(*match.length_max) + " is less than length_min " +
             std::to_string(*match.length_min));
  const Value* after = object.find("after");
  const Value* before = object.find("before");
  if (after != nullptr) match.after = read_duration(*after, object.path_of("after"));
  if (before != nullptr) match.before = read_duration(*before, object.path_of("before"));
  if (after != nullptr && before != nullptr && match.before < match.after)
    fail(*before, object.path_of("before"),
         "before " + quoted(before->text) + " is earlier than after " + quoted(after->text));
  const Value* nth = object.find("nth");
  const Value* count = object.find("count");
  if (nth != nullptr && count != nullptr) {
    // Report at whichever of the two comes second in the file.
    const bool count_second = count->position.line > nth->position.line ||
                              (count->position.line == nth->position.line &&
                               count->position.column > nth->position.column);
    throw ScenarioError(object.key_location(count_second ? "count" : "nth"),
                        R"("nth" and "count" are exclusive: "nth" acts on one match, "count" on the first ones)");
  }
  if (nth != nullptr) match.nth = static_cast<std::uint32_t>(read_integer(*nth, object.path_of("nth"), 1, 4294967295));
  if (count != nullptr)
    match.count = static_cast<std::uint32_t>(read_integer(*count, object.path_of("count"), 1, 4294967295));
  return match;
}

void Loader::read_timeline(const Value& value, const std::string& path) {
  require_array(value, path);
  const Value* previous_at = nullptr;
  Time previous_time = 0;  // of the previous timed action in the file (a repeat's first)
  for (std::size_t i = 0; i < value.elements.size(); ++i) {
    const std::string action_path = json::append_index(path, i);
    const Value& element = value.elements[i];
    const bool repeated =
        element.is_object() && Object(*this, element, action_path).find(generator_key());
    const std::size_t first_instance = scenario_.timeline.size();
    const std::size_t repeats_before = scenario_.repeats.size();
    if (repeated) {
      read_repeated_action(element, action_path);
    } else {
      Action action = read_action(element, action_path);
      if (action.on) {
        // A reactive action has no time: it stands outside the time order, wherever it is listed.
        scenario_.reactions.push_back(std::move(action));
        continue;
      }
      scenario_.timeline.push_back(std::move(action));
    }
    const Value& at = *Object(*this, element, action_path).find("at");
    const bool held_once = scenario_.repeats.size() > repeats_before;
    Action& first = held_once ? scenario_.repeats.back().first : scenario_.timeline[first_instance];
    const Time time = first.at;
    // The element's place in the file: ties of time go in file order (Action::order).
    if (held_once) first.order = static_cast<std::uint32_t>(i);
    for (std::size_t k = first_instance; k < scenario_.timeline.size(); ++k)
      scenario_.timeline[k].order = static_cast<std::uint32_t>(i);
    if (previous_at != nullptr && time < previous_time)
      fail(at, json::append_key(action_path, "at"),
           "actions must be in time order: " + at.text + " comes after " + previous_at->text);
    previous_at = &at;
    previous_time = time;
  }
  if (repeated_) sort_repeated_timeline();
  resolve_reactions();
}

namespace {

// `value` with every "{i}" in its strings replaced by `number` (a repeat's instance).
Value with_instance_number(const Value& value, const std::string& number) {
  Value copy = value;
  std::vector<Value*> pending{&copy};
  while (!pending.empty()) {
    Value* current = pending.back();
    pending.pop_back();
    if (current->is_string()) {
      for (std::size_t at = current->text.find("{i}"); at != std::string::npos;
           at = current->text.find("{i}", at + number.size()))
        current->text.replace(at, 3, number);
    }
    for (Value& element : current->elements) pending.push_back(&element);
  }
  return copy;
}

bool has_instance_pattern(const Value& value) {
  if (value.is_string() && value.text.find("{i}") != std::string::npos) return true;
  return std::any_of(value.elements.begin(), value.elements.end(), has_instance_pattern);
}

}  // namespace

void Loader::read_repeated_action(const Value& value, const std::string& path) {
  const Object object(*this, value, path);
  const std::string repeat_path = object.path_of("repeat");
  const Value& repeat_value = *object.find("repeat");
  if (object.find("on") != nullptr)
    throw ScenarioError(object.key_location("repeat"),
                        R"("repeat" applies to a timed action ("at"), not to one with "on")");
  const Object repeat(*this, repeat_value, repeat_path);
  repeat.allow({"count", "every", "ports", "addresses"});
  const Value& count_value = repeat.require("count");
  const std::int64_t count =
      read_integer(count_value, repeat.path_of("count"), 1, max_repeated_actions);
  if (count > max_repeated_actions - repeated_actions_)
    fail(count_value, repeat.path_of("count"),
         "the scenario's repeats would make " + std::to_string(repeated_actions_ + count) +
             " actions, more than the limit of " + std::to_string(max_repeated_actions));
  const std::uint64_t bytes =
      static_cast<std::uint64_t>(repeated_held_ + count) * repeated_action_bytes;
  const Value* kind_value = object.find("action");
  const std::string kind = kind_value != nullptr && kind_value->is_string() ? kind_value->text : "";
  // Instances that would read the same and declare or count nothing are copies of the first:
  // a million spoofed SYNs cost a million copies, not a million readings. Copies of an inject
  // are not even made: the run makes each as it comes (RepeatedAction).
  const bool numbered = has_instance_pattern(value);
  const bool copies = !numbered && kind != "connect" && kind != "listen" &&
                      object.find("bytes") == nullptr && object.find("id") == nullptr;
  const bool held_once = copies && kind == "inject";
  if (!held_once && bytes > scenario_.memory_budget)
    fail(count_value, repeat.path_of("count"),
         "the scenario's repeats would make " + std::to_string(repeated_held_ + count) +
             " actions, about " + std::to_string((bytes + mebibyte - 1) / mebibyte) +
             " MiB held, more than the memory budget of " +
             format_memory_size(scenario_.memory_budget) + R"( (raise "memory_budget"))");
  Duration every = 0;
  if (const Value* every_value = repeat.find("every"))
    every = read_duration(*every_value, repeat.path_of("every"));

  // The template: the action without "repeat".
  Value action_template = value;
  for (std::size_t k = 0; k < action_template.keys.size(); ++k) {
    if (action_template.keys[k] != "repeat") continue;
    action_template.keys.erase(action_template.keys.begin() + static_cast<std::ptrdiff_t>(k));
    action_template.elements.erase(action_template.elements.begin() +
                                   static_cast<std::ptrdiff_t>(k));
    action_template.key_positions.erase(action_template.key_positions.begin() +
                                        static_cast<std::ptrdiff_t>(k));
    break;
  }

  // "ports" and "addresses": {"first", "last"}; instance k (from 0) takes first + k, wrapping
  // after last (default: first + count - 1, which must fit).
  struct Range {
    std::uint32_t first = 0;
    std::uint32_t span = 0;  // how many values before wrapping
  };
  const auto read_range = [&](std::string_view key, bool address) -> std::optional<Range> {
    const Value* range_value = repeat.find(key);
    if (range_value == nullptr) return std::nullopt;
    const std::string range_path = repeat.path_of(key);
    const bool applies = address ? kind == "inject" : (kind == "connect" || kind == "inject");
    if (!applies)
      throw ScenarioError(repeat.key_location(key),
                          quoted(key) + " applies to " +
                              (address ? std::string(R"(an "inject" (its "from" address))")
                                       : std::string(R"(a "connect" (its "local_port") or an )"
                                                     R"("inject" (its "from" port))")) +
                              ", not to " + quoted(kind));
    const Object range(*this, *range_value, range_path);
    range.allow({"first", "last"});
    const auto read_one = [&](const Value& one, const std::string& one_path) -> std::uint32_t {
      if (!address) return read_port(one, one_path);
      tcp::Address parsed = 0;
      const std::string text = read_string(one, one_path);
      if (!tcp::parse_address(text, parsed))
        fail(one, one_path,
             "expected an IPv4 address such as \"198.51.100.1\", got " + quoted(text));
      return parsed;
    };
    const Value& first_value = range.require("first");
    Range out;
    out.first = read_one(first_value, range.path_of("first"));
    const std::uint64_t limit = address ? 0xffffffffULL : 65535;
    if (const Value* last_value = range.find("last")) {
      const std::uint32_t last = read_one(*last_value, range.path_of("last"));
      if (last < out.first)
        fail(*last_value, range.path_of("last"),
             "the last of the range comes before the first, " + first_value.text);
      out.span = last - out.first + 1;
    } else {
      if (out.first + static_cast<std::uint64_t>(count) - 1 > limit)
        fail(first_value, range.path_of("first"),
             std::to_string(count) + " instances from " + first_value.text + " would pass " +
                 (address ? "255.255.255.255" : "port 65535") + R"(: give "last" to wrap)");
      out.span = static_cast<std::uint32_t>(count);
    }
    return out;
  };
  const std::optional<Range> ports = read_range("ports", false);
  const std::optional<Range> addresses = read_range("addresses", true);

  if (held_once) {
    RepeatedAction repeated;
    try {
      repeated.first = read_action(action_template, path);
    } catch (const ScenarioError& error) {
      throw ScenarioError(error.where(), "repeat instance 1 of " + std::to_string(count) + ": " +
                                             error.message());
    }
    const Time first_at = repeated.first.at;
    if (every != 0 && count - 1 > (time_never - 1 - first_at) / every) {
      const std::int64_t past = (time_never - 1 - first_at) / every + 2;  // the first past it
      fail(repeat_value, repeat_path,
           "repeat instance " + std::to_string(past) +
               " would come after the end of representable time (2^63-1 ns)");
    }
    repeated.count = static_cast<std::uint32_t>(count);
    repeated.every = every;
    if (ports) {
      repeated.port_first = static_cast<tcp::Port>(ports->first);
      repeated.port_span = ports->span;
    }
    if (addresses) {
      repeated.address_first = addresses->first;
      repeated.address_span = addresses->span;
    }
    repeated.make_instance(0, repeated.first);
    scenario_.repeats.push_back(std::move(repeated));
    repeated_actions_ += count;
    return;
  }
  const std::size_t first_index = scenario_.timeline.size();
  const std::size_t needed = first_index + static_cast<std::size_t>(count);
  if (scenario_.timeline.capacity() < needed)
    scenario_.timeline.reserve(std::max(needed, 2 * scenario_.timeline.capacity()));
  for (std::int64_t instance = 1; instance <= count; ++instance) {
    Action action;
    try {
      if (copies && instance > 1) {
        action = scenario_.timeline[first_index];  // at the first's time, stepped below
      } else {
        action = numbered ? read_action(with_instance_number(action_template,
                                                             std::to_string(instance)),
                                        path)
                          : read_action(action_template, path);
      }
    } catch (const ScenarioError& error) {
      const bool duplicate = error.message().find("duplicate") != std::string::npos;
      throw ScenarioError(error.where(),
                          "repeat instance " + std::to_string(instance) + " of " +
                              std::to_string(count) + ": " + error.message() +
                              (duplicate && !numbered
                                   ? std::string(R"( (without "{i}" every instance has )"
                                                 R"(the same name))")
                                   : std::string()));
    }
    const auto k = static_cast<std::uint32_t>(instance - 1);
    if (every != 0 && static_cast<std::int64_t>(k) > (time_never - 1 - action.at) / every)
      fail(repeat_value, repeat_path,
           "repeat instance " + std::to_string(instance) +
               " would come after the end of representable time (2^63-1 ns)");
    action.at += static_cast<Time>(k) * every;
    if (ports) {
      const auto port = static_cast<tcp::Port>(ports->first + k % ports->span);
      if (action.kind == ActionKind::connect) action.local_port = port;
      else action.inject.from_port = port;
    }
    if (addresses) action.inject.from_address = addresses->first + k % addresses->span;
    scenario_.timeline.push_back(std::move(action));
  }
  repeated_actions_ += count;
  repeated_held_ += count;
  repeated_ = true;
}

void Loader::sort_repeated_timeline() {
  std::vector<Action>& timeline = scenario_.timeline;
  if (!std::is_sorted(timeline.begin(), timeline.end(),
                      [](const Action& a, const Action& b) { return a.at < b.at; })) {
    std::vector<std::size_t> order(timeline.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return timeline[a].at < timeline[b].at;
    });
    std::vector<std::size_t> new_index(order.size());
    std::vector<Action> sorted;
    sorted.reserve(timeline.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      new_index[order[k]] = k;
      sorted.push_back(std::move(timeline[order[k]]));
    }
    timeline = std::move(sorted);
    for (auto& [index, count] : send_patterns_) index = new_index[index];
    for (auto& [id, declared] : action_ids_)
      if (!declared.reaction) declared.index = new_index[declared.index];
  }
  // A connection named by an action must be made by an earlier connect (in time, now).
  std::map<std::string, std::size_t> connected;  // name -> its connect's position
  for (std::size_t k = 0; k < timeline.size(); ++k)
    if (timeline[k].kind == ActionKind::connect && !timeline[k].name.empty())
      connected.emplace(timeline[k].name, k);
  for (std::size_t k = 0; k < timeline.size(); ++k) {
    const Action& action = timeline[k];
    if (action.connection.empty()) continue;
    const auto found = connected.find(action.connection);
    if (found == connected.end() || found->second < k) continue;
    throw ScenarioError(action.where,
                        "the " + std::string(action_name(action.kind)) + " of " +
                            quoted(action.connection) + " at " + duration_text(action.at) +
                            " comes before its connect at " +
                            duration_text(timeline[found->second].at) +
                            " (the actions of repeats run in time order)");
  }
}

// Once every action is read: what the reactive actions name may stand anywhere in the timeline.
void Loader::resolve_reactions() {
  for (const DeferredConnection& check : deferred_connections_) {
    check_connection_in_timeline(check.name, check.host, *check.value, check.path, true,
                                 check.listeners);
  }
  for (std::size_t index = 0; index < scenario_.reactions.size(); ++index) {
    ActionTrigger& trigger = *scenario_.reactions[index].on;
    const TriggerSource& source = trigger_sources_[index];
    if (trigger.kind != ActionTrigger::Kind::action) {
      connection_owner(trigger.connection, *source.value, source.path, true);
      continue;
    }
    const auto found = action_ids_.find(trigger.action_id);
    if (found == action_ids_.end()) {
      std::vector<std::string> ids;
      for (const auto& [id, declared] : action_ids_) ids.push_back(id);
      fail(*source.value, source.path,
           "unknown action id " + quoted(trigger.action_id) +
               (ids.empty() ? std::string(R"(: no action has an "id")")
                            : ": no action of the timeline has it" +
                                  did_you_mean_suffix(trigger.action_id, ids)));
    }
    trigger.action_is_reaction = found->second.reaction;
    trigger.action_index = found->second.index;
  }
  // Each reactive action waits for at most one other: following the waits from each one either
  // ends (at a timed action or an event) or comes back round. A cycle would never run.
  constexpr std::uint8_t unvisited = 0;
  constexpr std::uint8_t on_path = 1;
  constexpr std::uint8_t done = 2;
  std::vector<std::uint8_t> mark(scenario_.reactions.size(), unvisited);
  const auto waits_for = [&](std::size_t index) -> std::optional<std::size_t> {
    const ActionTrigger& trigger = *scenario_.reactions[index].on;
    if (trigger.kind != ActionTrigger::Kind::action || !trigger.action_is_reaction)
      return std::nullopt;
    return trigger.action_index;
  };
  for (std::size_t start = 0; start < scenario_.reactions.size(); ++start) {
    std::vector<std::size_t> path;
    std::optional<std::size_t> at = start;
    while (at && mark[*at] == unvisited) {
      mark[*at] = on_path;
      path.push_back(*at);
      at = waits_for(*at);
    }
    if (at && mark[*at] == on_path) {
      // The cycle is the tail of the path from *at; it is named from its first action in the
      // file, where the error points.
      const auto begin = std::find(path.begin(), path.end(), *at);
      std::vector<std::size_t> cycle(begin, path.end());
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      std::string names;
      for (const std::size_t member : cycle)
        names += quoted(scenario_.reactions[member].id) + " -> ";
      names += quoted(scenario_.reactions[cycle.front()].id);
      const TriggerSource& source = trigger_sources_[cycle.front()];
      fail(*source.value, source.path,
           "actions waiting on each other in a cycle never run: " + names +
               " (each \"on\" names the next)");
    }
    for (const std::size_t member : path) mark[member] = done;
  }
}

Action Loader::read_action(const Value& value, const std::string& path) {
  const Object object(*this, value, path);
  Action action;
  action.where = location(value, path);
  std::vector<std::string> action_names;
  for (const ActionInfo& info : actions()) action_names.emplace_back(info.name);
  const std::string name =
      read_choice(object.require("action"), object.path_of("action"), "action", action_names);
  const ActionInfo& info = *find_action(name);
  const ActionKind kind = info.kind;
  action.kind = kind;
  // "at", "host" (a host's call), "action", the action's own keys, then "on", "after", "id".
  std::vector<std::string> allowed = {"at"};
  if (info.on_host) allowed.emplace_back("host");
  allowed.emplace_back("action");
  allowed.insert(allowed.end(), info.keys.begin(), info.keys.end());
  for (const std::string_view key : reaction_keys()) allowed.emplace_back(key);
  object.allow(allowed);
  const auto read_mode = [&] {
    if (const Value* read = object.find("read"))
      action.automatic_read =
          read_choice(*read, object.path_of("read"), "read mode", {"automatic", "manual"}) == "automatic";
  };

  read_when(object, action);
  if (kind == ActionKind::inject) {
    read_inject(object, action);
    return action;
  }
  const Value& host_value = object.require("host");
  action.host = read_host(host_value, object.path_of("host"));
  const std::string& host_name = host_names_[static_cast<std::size_t>(action.host)];
  if (scenario_.hosts[static_cast<std::size_t>(action.host)].scripted)
    fail(host_value, object.path_of("host"),
         "host " + quoted(host_name) + " has \"stack\": \"none\" (no TCP): only inject " +
             "actions act for it, not " + quoted(info.name));

  if (kind == ActionKind::listen) {
    action.port = read_port(object.require("port"), object.path_of("port"));
    if (const Value* backlog = object.find("backlog"))
      action.backlog = static_cast<int>(read_integer(*backlog, object.path_of("backlog"), 1, 65535));
    read_mode();
    read_connection_tcp(object, action);
    const Value* name = object.find("name");
    if (name != nullptr) {
      action.name = read_string(*name, object.path_of("name"));
      if (!valid_connection_name(action.name))
        fail(*name, object.path_of("name"),
             "invalid listener name " + quoted(action.name) +
                 ": expected letters, digits, '_', '.', ':' or '-'");
      declare_name(action.name, action.host, true, false, *name, object.path_of("name"));
    } else {
      action.name = host_name + ":" + std::to_string(action.port);
      declare_name(action.name, action.host, true, true, value, path);
    }
    ++listens_per_host_[static_cast<std::size_t>(action.host)];
  } else if (kind == ActionKind::connect) {
    const Value& to = object.require("to");
    if (read_host(to, object.path_of("to")) == action.host)
      fail(to, object.path_of("to"), "host " + quoted(host_name) + " cannot connect to itself");
    action.port = read_port(object.require("port"), object.path_of("port"));
    if (const Value* local_port = object.find("local_port"))
      action.local_port = read_port(*local_port, object.path_of("local_port"));
    read_mode();
    read_connection_tcp(object, action);
    if (const Value* name = object.find("name")) {
      action.name = read_string(*name, object.path_of("name"));
      if (!valid_connection_name(action.name))
        fail(*name, object.path_of("name"),
             "invalid connection name " + quoted(action.name) +
                 ": expected letters, digits, '_', '.', ':' or '-'");
      declare_name(action.name, action.host, false, false, *name, object.path_of("name"));
    }
    ++connects_per_host_[static_cast<std::size_t>(action.host)];
  } else if (kind != ActionKind::crash && kind != ActionKind::reboot) {
    const Value& connection = object.require("connection");
    action.connection = read_string(connection, object.path_of("connection"));
    // close and abort may name a listener (RFC 9293 3.10.4, 3.10.5: CLOSE and ABORT in LISTEN).
    const bool listeners =
        kind == ActionKind::close || kind == ActionKind::abort || kind == ActionKind::configure;
    if (action.on) {
      // A reactive action may come before the connect or listen that makes its connection.
      deferred_connections_.push_back(
          {action.connection, action.host, &connection, object.path_of("connection"), listeners});
    } else {
      check_connection_in_timeline(action.connection, action.host, connection,
                                   object.path_of("connection"), false, listeners);
    }
    if (kind == ActionKind::send) {
      const Value* data = object.find("data");
      const Value* bytes = object.find("bytes");
      if (data != nullptr && bytes != nullptr)
        throw ScenarioError(object.key_location(data->position.line > bytes->position.line ||
                                                        (data->position.line == bytes->position.line &&
                                                         data->position.column > bytes->position.column)
                                                    ? "data"
                                                    : "bytes"),
                            R"("data" and "bytes" are exclusive)");
      if (data != nullptr) {
        const std::string text = read_non_empty_string(*data, object.path_of("data"));
        action.data = std::vector<std::uint8_t>(text.begin(), text.end());
      } else if (bytes != nullptr) {
        const auto count = read_integer(*bytes, object.path_of("bytes"), 1, max_send_bytes);
        count_pattern(count, *bytes, object.path_of("bytes"));
        (action.on ? reaction_send_patterns_ : send_patterns_)
            .emplace_back(action.on ? scenario_.reactions.size() : scenario_.timeline.size(),
                          static_cast<std::size_t>(count));
      } else {
        fail(value, path, R"(missing required key "data" or "bytes")");
      }
    } else if (kind == ActionKind::configure) {
      read_configure_tcp(object, action);
    } else if (kind == ActionKind::read) {
      if (const Value* bytes = object.find("bytes"))
        action.read_bytes = static_cast<std::size_t>(read_integer(*bytes, object.path_of("bytes"), 1, 4294967295));
    }
  }
  return action;
}

// "at", or "on" with "after"; and "id".
void Loader::read_when(const Object& object, Action& action) {
  const Value* at = object.find("at");
  const Value* on = object.find("on");
  if (at != nullptr && on != nullptr)
    throw ScenarioError(
        object.key_location("on"),
        R"("at" and "on" are exclusive: an action runs at a time, or once on a trigger)");
  if (at == nullptr && on == nullptr)
    fail(object.value(), object.path(),
         R"(missing required key "at" (or "on", for an action that runs on a trigger))");
  if (const Value* id = object.find("id")) {
    action.id = read_string(*id, object.path_of("id"));
    if (!valid_connection_name(action.id))
      fail(*id, object.path_of("id"),
           "invalid action id " + quoted(action.id) +
               ": expected letters, digits, '_', '.', ':' or '-'");
    const bool reaction = on != nullptr;
    const std::size_t index = reaction ? scenario_.reactions.size() : scenario_.timeline.size();
    const auto [existing, inserted] =
        action_ids_.emplace(action.id, DeclaredId{reaction, index, object.path_of("id")});
    if (!inserted)
      fail(*id, object.path_of("id"),
           "duplicate action id " + quoted(action.id) + ", already used by " +
               existing->second.path);
  }
  if (on == nullptr) {
    if (object.find("after") != nullptr)
      throw ScenarioError(
          object.key_location("after"),
          R"("after" applies only to an action with "on": the delay from its trigger)");
    action.at = read_duration(*at, object.path_of("at"));
    if (action.at == time_never)  // docs/design.md, "Time": nothing runs at the end of time
      fail(*at, object.path_of("at"),
           "action time " + quoted(at->text) +
               " is the end of representable time (2^63-1 ns), when nothing runs: an action must "
               "come earlier");
    return;
  }
  const std::string on_path = object.path_of("on");
  const Object trigger_object(*this, *on, on_path);
  trigger_object.allow({"connection", "event", "state", "action"});
  ActionTrigger trigger;
  trigger.where = location(*on, on_path);
  const Value* connection = trigger_object.find("connection");
  const Value* event = trigger_object.find("event");
  const Value* state = trigger_object.find("state");
  const Value* chained = trigger_object.find("action");
  TriggerSource source;
  if (chained != nullptr) {
    if (connection != nullptr || event != nullptr || state != nullptr)
      fail(*on, on_path,
           R"(an "on" waits for another action ("action") or for something on a connection )"
           R"(("connection" with "event" or "state"), not both)");
    trigger.kind = ActionTrigger::Kind::action;
    trigger.action_id = read_non_empty_string(*chained, trigger_object.path_of("action"));
    source = {chained, trigger_object.path_of("action")};
  } else {
    if (connection == nullptr)
      fail(*on, on_path,
           R"(missing required key "connection" (or "action", to run after another action))");
    trigger.connection = read_non_empty_string(*connection, trigger_object.path_of("connection"));
    source = {connection, trigger_object.path_of("connection")};
    if (event != nullptr && state != nullptr)
      throw ScenarioError(trigger_object.key_location(
                              event->position.line > state->position.line ||
                                      (event->position.line == state->position.line &&
                                       event->position.column > state->position.column)
                                  ? "event"
                                  : "state"),
                          R"("event" and "state" are exclusive)");
    if (event != nullptr) {
      trigger.kind = ActionTrigger::Kind::event;
      trigger.event = read_app_event(*event, trigger_object.path_of("event"));
    } else if (state != nullptr) {
      trigger.kind = ActionTrigger::Kind::state;
      trigger.state = read_state(*state, trigger_object.path_of("state"));
    } else {
      fail(*on, on_path,
           "missing \"event\" or \"state\": what to wait for on " + quoted(trigger.connection));
    }
  }
  if (const Value* after = object.find("after"))
    action.after = read_duration(*after, object.path_of("after"));
  action.on = std::move(trigger);
  trigger_sources_.push_back(source);
}

void Loader::read_connection_tcp(const Object& object, Action& action) {
  const Value* knobs = object.find("tcp");
  if (knobs == nullptr) return;
  const HostSpec& host = scenario_.hosts[static_cast<std::size_t>(action.host)];
  tcp::TcpConfig config = host.tcp;
  read_tcp(*knobs, object.path_of("tcp"), *tcp::find_profile(host.profile), config);
  action.tcp = config;
}

void Loader::read_configure_tcp(const Object& object, Action& action) {
  const Value& knobs_value = object.require("tcp");
  const std::string path = object.path_of("tcp");
  const Object knobs(*this, knobs_value, path);
  std::string live;
  for (const tcp::Knob& knob : tcp::knobs()) {
    if (knob.live) live += (live.empty() ? "" : ", ") + std::string(knob.name);
  }
  for (const tcp::Knob& knob : tcp::knobs()) {
    if (knob.live || knobs.find(knob.name) == nullptr) continue;
    // As setsockopt() cannot change what the SYN announced or how the connection was opened.
    throw ScenarioError(knobs.key_location(knob.name),
                        "knob " + quoted(knob.name) +
                            " cannot change on a live connection; configure takes " + live);
  }
  read_connection_tcp(object, action);
  for (const tcp::Knob& knob : tcp::knobs())
    if (knobs.find(knob.name) != nullptr) action.configure_knobs.push_back(knob.name);
  if (action.configure_knobs.empty())
    fail(knobs_value, path, "configure needs at least one knob, of " + live);
}

// "host", "host:port", "a.b.c.d" or "a.b.c.d:port" (an inject's "from" and "to").
Loader::InjectEndpoint Loader::read_endpoint(const Value& value, const std::string& path) const {
  const std::string text = read_string(value, path);
  const std::string expected =
      R"(a host name or an IPv4 address, with ":port" or without ("client", "client:4000", )"
      R"("10.0.0.9:4000"))";
  InjectEndpoint endpoint;
  const std::size_t colon = text.find(':');
  const std::string node = text.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string digits = text.substr(colon + 1);
    std::uint64_t port = 0;
    const bool numeric = !digits.empty() && digits.size() <= 5 && digits[0] != '0' &&
                         std::all_of(digits.begin(), digits.end(), is_digit);
    if (numeric) port = std::stoull(digits);
    if (!numeric || port > 65535)
      fail(value, path,
           "expected a port 1 .. 65535 after ':' in " + quoted(text) + ", got " + quoted(digits));
    endpoint.port = static_cast<tcp::Port>(port);
  }
  for (std::size_t h = 0; h < host_names_.size(); ++h) {
    if (host_names_[h] != node) continue;
    endpoint.host = static_cast<int>(h);
    endpoint.address = scenario_.hosts[h].address;
    return endpoint;
  }
  bool leading_zero = false;
  if (!tcp::parse_address(node, endpoint.address, &leading_zero)) {
    if (!node.empty() && is_lower(node[0]) && !leading_zero)
      fail(value, path, unknown_message("host", node, host_names_, true));
    fail(value, path, "expected " + expected + ", got " + quoted(text));
  }
  for (std::size_t h = 0; h < scenario_.hosts.size(); ++h)
    if (scenario_.hosts[h].address == endpoint.address) endpoint.host = static_cast<int>(h);
  return endpoint;
}

void Loader::read_inject(const Object& object, Action& action) {
  InjectSpec& spec = action.inject;
  std::optional<int> base_host;  // the host of relative_to's connection
  const Value* relative = object.find("relative_to");
  if (relative != nullptr) {
    const std::string path = object.path_of("relative_to");
    spec.relative_to = read_string(*relative, path);
    const auto declared = declared_.find(spec.relative_to);
    if (declared != declared_.end() && declared->second.listener)
      fail(*relative, path,
           quoted(spec.relative_to) + " is a listener, which has no peer and no ISNs; its " +
               "connections are " + quoted(spec.relative_to + "#1") + ", " +
               quoted(spec.relative_to + "#2") + ", ...");
    bool plausible = false;
    base_host = owner_of(spec.relative_to, plausible);
    if (!base_host || !plausible)
      fail(*relative, path,
           "unknown connection " + quoted(spec.relative_to) +
               ": no earlier connect or listen declares it" +
               did_you_mean_suffix(spec.relative_to, connection_candidates(std::nullopt)));
  }

  const Value* to = object.find("to");
  if (to != nullptr) {
    const InjectEndpoint endpoint = read_endpoint(*to, object.path_of("to"));
    if (!endpoint.host) {
      std::string hosts;
      for (std::size_t h = 0; h < scenario_.hosts.size(); ++h)
        hosts += (h == 0 ? "" : ", ") + quoted(host_names_[h]) + " " +
                 tcp::address_to_string(scenario_.hosts[h].address);
      fail(*to, object.path_of("to"),
           "address " + tcp::address_to_string(endpoint.address) +
               " is not a host's: an injected segment goes to one of the hosts (" + hosts + ")");
    }
    action.host = *endpoint.host;
    spec.to_port = endpoint.port;
    if (!spec.to_port && relative == nullptr)
      fail(*to, object.path_of("to"),
           "expected a port in " + quoted(to->text) + R"( ("server:80"): without "relative_to" )"
           "nothing gives one");
  } else if (relative == nullptr) {
    fail(object.value(), object.path(), R"(missing required key "to" (or "relative_to"))");
  } else {
    action.host = *base_host;
  }

  const Value* from = object.find("from");
  if (from != nullptr) {
    const InjectEndpoint endpoint = read_endpoint(*from, object.path_of("from"));
    spec.from_address = endpoint.address;
    spec.from_port = endpoint.port;
    if (!spec.from_port && relative == nullptr)
      fail(*from, object.path_of("from"),
           "expected a port in " + quoted(from->text) + R"( ("client:4000"): without )"
           R"("relative_to" nothing gives one)");
  } else if (relative == nullptr) {
    fail(object.value(), object.path(), R"(missing required key "from" (or "relative_to"))");
  }

  const Value& flags = object.require("flags");
  spec.flags = read_flags(flags, object.path_of("flags"), true);
  // Relative numbers are offsets from an ISN, modulo 2^32 like every sequence number.
  const std::int64_t low = relative != nullptr ? -4294967295LL : 0;
  spec.seq = read_integer(object.require("seq"), object.path_of("seq"), low, 4294967295LL);
  if (const Value* ack = object.find("ack")) {
    spec.ack = read_integer(*ack, object.path_of("ack"), low, 4294967295LL);
  } else if ((spec.flags & tcp::flag::ack) != 0) {
    fail(flags, object.path_of("flags"), R"(the ACK flag is set but "ack" is missing)");
  }
  if (const Value* window = object.find("window"))
    spec.window =
        static_cast<std::uint16_t>(read_integer(*window, object.path_of("window"), 0, 65535));
  if (const Value* mss = object.find("mss"))
    spec.mss = static_cast<std::uint16_t>(read_integer(*mss, object.path_of("mss"), 1, 65535));
  if (const Value* scale = object.find("ws"))
    spec.window_scale = static_cast<std::int8_t>(
        read_integer(*scale, object.path_of("ws"), 0, tcp::max_window_scale));
  if (const Value* permitted = object.find("sack_permitted"))
    spec.sack_permitted = read_bool(*permitted, object.path_of("sack_permitted"));
  const Value* tsval = object.find("tsval");
  const Value* tsecr = object.find("tsecr");
  if ((tsval == nullptr) != (tsecr == nullptr))
    fail(tsval != nullptr ? *tsval : *tsecr, object.path(),
         R"("tsval" and "tsecr" go together (the Timestamps option carries both))");
  if (tsval != nullptr) {
    spec.has_timestamps = true;
    spec.timestamp_value =
        static_cast<std::uint32_t>(read_integer(*tsval, object.path_of("tsval"), 0, 4294967295LL));
    spec.timestamp_echo =
        static_cast<std::uint32_t>(read_integer(*tsecr, object.path_of("tsecr"), 0, 4294967295LL));
  }

  // The payload: what one IPv4 datagram can carry after the IP and TCP headers.
  constexpr std::int64_t max_payload = 65535 - 20 - 20;
  const Value* data = object.find("data");
  const Value* bytes = object.find("bytes");
  if (data != nullptr && bytes != nullptr)
    throw ScenarioError(object.key_location(data->position.line > bytes->position.line ||
                                                    (data->position.line == bytes->position.line &&
                                                     data->position.column > bytes->position.column)
                                                ? "data"
                                                : "bytes"),
                        R"("data" and "bytes" are exclusive)");
  if (data != nullptr) {
    const std::string text = read_non_empty_string(*data, object.path_of("data"));
    if (static_cast<std::int64_t>(text.size()) > max_payload)
      fail(*data, object.path_of("data"),
           "a segment carries at most " + std::to_string(max_payload) + " bytes, got " +
               std::to_string(text.size()));
    action.data = std::vector<std::uint8_t>(text.begin(), text.end());
  } else if (bytes != nullptr) {
    const auto count = read_integer(*bytes, object.path_of("bytes"), 1, max_payload);
    count_pattern(count, *bytes, object.path_of("bytes"));
    (action.on ? reaction_send_patterns_ : send_patterns_)
        .emplace_back(action.on ? scenario_.reactions.size() : scenario_.timeline.size(),
                      static_cast<std::size_t>(count));
  }
  if (const Value* via = object.find("via"))
    spec.direct = read_choice(*via, object.path_of("via"), "via", {"link", "direct"}) == "direct";
}

void Loader::declare_name(const std::string& name, int host, bool listener, bool defaulted,
                          const Value& at, const std::string& path) {
  const auto [existing, inserted] = declared_.emplace(name, DeclaredName{host, listener, path});
  if (inserted) return;
  const std::string what = listener ? "listener name " : "connection name ";
  std::string message = "duplicate " + what + quoted(name) + ", already used by " + existing->second.path;
  if (defaulted) message += R"( (give this listen a distinct "name"))";
  fail(at, path, message);
}

// --- Connections ---

// "<prefix><separator><k>" with k a positive decimal integer without leading zeros.
bool split_numbered(std::string_view name, char separator, std::string& prefix, long& number) {
  const std::size_t at = name.rfind(separator);
  if (at == std::string_view::npos || at == 0 || at + 1 >= name.size()) return false;
  const std::string_view digits = name.substr(at + 1);
  if (digits.size() > 9 || digits[0] == '0' || !std::all_of(digits.begin(), digits.end(), is_digit))
    return false;
  number = std::stol(std::string(digits));
  prefix = std::string(name.substr(0, at));
  return true;
}

std::optional<int> Loader::owner_of(const std::string& name, bool& plausible) const {
  plausible = false;
  const auto declared = declared_.find(name);
  if (declared != declared_.end() && !declared->second.listener) {
    plausible = true;
    return declared->second.host;
  }
  std::string prefix;
  long number = 0;
  if (split_numbered(name, '#', prefix, number)) {
    const auto listener = declared_.find(prefix);
    if (listener != declared_.end() && listener->second.listener) {
      plausible = true;
      return listener->second.host;
    }
  }
  if (split_numbered(name, '/', prefix, number)) {
    for (std::size_t h = 0; h < host_names_.size(); ++h) {
      if (host_names_[h] != prefix) continue;
      // Host connection numbers count connects and accepted connections alike.
      plausible = number <= connects_per_host_[h] || listens_per_host_[h] > 0;
      return static_cast<int>(h);
    }
  }
  return std::nullopt;
}

std::vector<std::string> Loader::connection_candidates(std::optional<int> host) const {
  std::vector<std::string> candidates;
  for (const auto& [name, declared] : declared_) {
    if (host && declared.host != *host) continue;
    candidates.push_back(declared.listener ? name + "#1" : name);
  }
  for (std::size_t h = 0; h < host_names_.size(); ++h) {
    if (host && static_cast<int>(h) != *host) continue;
    if (connects_per_host_[h] > 0 || listens_per_host_[h] > 0) candidates.push_back(host_names_[h] + "/1");
  }
  return candidates;
}

std::string did_you_mean_suffix(std::string_view input, const std::vector<std::string>& candidates) {
  const auto suggestion = closest(input, candidates);
  return suggestion ? " (did you mean " + quoted(*suggestion) + "?)" : "";
}

void Loader::check_connection_in_timeline(const std::string& name, int host, const Value& value,
                                          const std::string& path, bool anywhere,
                                          bool listeners) const {
  const std::string& host_name = host_names_[static_cast<std::size_t>(host)];
  const auto declared = declared_.find(name);
  if (listeners && declared != declared_.end() && declared->second.listener) {
    if (declared->second.host != host)
      fail(value, path,
           "listener " + quoted(name) + " belongs to host " +
               quoted(host_names_[static_cast<std::size_t>(declared->second.host)]) +
               ", not to " + quoted(host_name));
    return;
  }
  if (declared != declared_.end() && declared->second.listener)
    fail(value, path,
         quoted(name) + " is a listener, not a connection; its connections are " + quoted(name + "#1") +
             ", " + quoted(name + "#2") + ", ...");
  bool plausible = false;
  const std::optional<int> owner = owner_of(name, plausible);
  if (owner && *owner != host)
    fail(value, path,
         "connection " + quoted(name) + " belongs to host " +
             quoted(host_names_[static_cast<std::size_t>(*owner)]) + ", not to " + quoted(host_name));
  if (!owner || !plausible)
    fail(value, path,
         "unknown connection " + quoted(name) + " on host " + quoted(host_name) +
             (anywhere ? ": no connect or listen in the timeline declares it"
                       : ": no earlier connect or listen declares it") +
             did_you_mean_suffix(name, connection_candidates(host)));
}

int Loader::connection_owner(const std::string& name, const Value& value, const std::string& path,
                             bool listeners) const {
  bool plausible = false;
  const std::optional<int> owner = owner_of(name, plausible);
  if (owner && plausible) return *owner;
  const auto declared = declared_.find(name);
  if (listeners && declared != declared_.end() && declared->second.listener)
    return declared->second.host;
  if (declared != declared_.end() && declared->second.listener)
    fail(value, path,
         quoted(name) + " is a listener, not a connection; its connections are " + quoted(name + "#1") +
             ", " + quoted(name + "#2") + ", ...");
  fail(value, path,
       "unknown connection " + quoted(name) + ": no connect or listen in the timeline declares it" +
           did_you_mean_suffix(name, connection_candidates(std::nullopt)));
}

// --- Expectations ---

void Loader::read_expect(const Value& value, const std::string& path) {
  const Object expect(*this, value, path);
  std::vector<std::string> keys;
  for (const ExpectationKey& key : expectation_keys()) keys.emplace_back(key.name);
  expect.allow(keys);
  Expectations& out = scenario_.expect;

  if (const Value* final_states = expect.find("final_states")) {
    const Object map(*this, *final_states, expect.path_of("final_states"));
    for (std::size_t i = 0; i < final_states->keys.size(); ++i) {
      const std::string& name = final_states->keys[i];
      const Value& state = final_states->elements[i];
      const std::string entry_path = map.path_of(name);
      const bool pattern = name.find('*') != std::string::npos;
      if (!pattern) connection_owner(name, state, entry_path, true);
      out.final_states.push_back(
          ExpectedFinalState{name, pattern, read_state(state, entry_path),
                             location(state, entry_path)});
    }
  }

  if (const Value* distributions = expect.find("final_state_counts")) {
    const Object map(*this, *distributions, expect.path_of("final_state_counts"));
    for (std::size_t i = 0; i < distributions->keys.size(); ++i) {
      const std::string& pattern = distributions->keys[i];
      const std::string entry_path = map.path_of(pattern);
      const Value& counts = distributions->elements[i];
      const Object states(*this, counts, entry_path);
      if (pattern.empty()) fail(counts, entry_path, "expected a connection name pattern, got \"\"");
      if (counts.keys.empty())
        fail(counts, entry_path, R"(expected at least one state, as {"TIME_WAIT": 10})");
      ExpectedStateCounts item{pattern, {}, location(counts, entry_path)};
      for (std::size_t k = 0; k < counts.keys.size(); ++k) {
        tcp::State state = tcp::State::closed;
        if (!tcp::parse_state(counts.keys[k], state))
          throw ScenarioError(states.key_location(counts.keys[k]),
                              unknown_message("state", counts.keys[k], state_names(), false));
        item.counts.emplace_back(state, read_integer(counts.elements[k],
                                                     states.path_of(counts.keys[k]), 0, int64_max));
      }
      out.final_state_counts.push_back(std::move(item));
    }
  }

  if (const Value* states = expect.find("states")) {
    const Object map(*this, *states, expect.path_of("states"));
    for (std::size_t i = 0; i < states->keys.size(); ++i) {
      const std::string& name = states->keys[i];
      const Value& list = states->elements[i];
      const std::string entry_path = map.path_of(name);
      connection_owner(name, list, entry_path, true);
      if (!list.is_array()) fail_type(list, entry_path, "an array of state names");
      if (list.elements.empty()) fail(list, entry_path, "expected a non-empty array of state names");
      ExpectedStateSequence sequence{name, {}, location(list, entry_path)};
      for (std::size_t k = 0; k < list.elements.size(); ++k)
        sequence.states.push_back(read_state(list.elements[k], json::append_index(entry_path, k)));
      out.state_sequences.push_back(std::move(sequence));
    }
  }

  if (const Value* app_events = expect.find("app_events")) {
    const Object map(*this, *app_events, expect.path_of("app_events"));
    for (std::size_t i = 0; i < app_events->keys.size(); ++i) {
      const std::string& name = app_events->keys[i];
      const Value& list = app_events->elements[i];
      const std::string entry_path = map.path_of(name);
      connection_owner(name, list, entry_path);
      if (!list.is_array()) fail_type(list, entry_path, "an array of events");
      ExpectedAppEvents events{name, {}, location(list, entry_path)};
      for (std::size_t k = 0; k < list.elements.size(); ++k) {
        const Value& element = list.elements[k];
        const std::string element_path = json::append_index(entry_path, k);
        ExpectedAppEvent event;
        event.where = location(element, element_path);
        if (element.is_string()) {
          event.event = read_app_event(element, element_path);
        } else if (element.is_object()) {
          const Object object(*this, element, element_path);
          object.allow({"event", "at", "data"});
          event.event = read_app_event(object.require("event"), object.path_of("event"));
          if (const Value* at = object.find("at")) event.at = read_duration(*at, object.path_of("at"));
          if (const Value* data = object.find("data")) {
            if (event.event != tcp::AppEventKind::data)
              throw ScenarioError(object.key_location("data"), R"("data" applies only to "data" events)");
            const std::string bytes = read_string(*data, object.path_of("data"));
            event.data = std::vector<std::uint8_t>(bytes.begin(), bytes.end());
          }
        } else {
          fail_type(element, element_path, R"(an event name or an object such as {"event": "data", "data": "hi"})");
        }
        events.events.push_back(std::move(event));
      }
      out.app_events.push_back(std::move(events));
    }
  }

  if (const Value* segments = expect.find("segments")) {
    const std::string segments_path = expect.path_of("segments");
    require_array(*segments, segments_path);
    out.segments_where = location(*segments, segments_path);
    out.segments.emplace();
    for (std::size_t k = 0; k < segments->elements.size(); ++k)
      out.segments->push_back(read_expected_segment(segments->elements[k], json::append_index(segments_path, k)));
  }

  if (const Value* received = expect.find("received")) {
    const Object map(*this, *received, expect.path_of("received"));
    for (std::size_t i = 0; i < received->keys.size(); ++i) {
      const std::string& name = received->keys[i];
      const std::string entry_path = map.path_of(name);
      connection_owner(name, received->elements[i], entry_path);
      out.received.push_back(read_received(name, received->elements[i], entry_path));
    }
  }

  if (const Value* counts = expect.find("counts")) {
    const Object map(*this, *counts, expect.path_of("counts"));
    for (std::size_t i = 0; i < counts->keys.size(); ++i) {
      const std::string& counter = counts->keys[i];
      check_counter(counter, map);
      const std::string entry_path = map.path_of(counter);
      const Value& count = counts->elements[i];
      out.counts.push_back(ExpectedCount{counter, read_integer(count, entry_path, 0, int64_max),
                                         location(count, entry_path)});
    }
  }

  if (const Value* never = expect.find("never")) {
    const std::string never_path = expect.path_of("never");
    require_array(*never, never_path);
    for (std::size_t k = 0; k < never->elements.size(); ++k)
      out.never.push_back(read_never(never->elements[k], json::append_index(never_path, k)));
  }

  if (const Value* fired = expect.find("fired")) {
    const Object map(*this, *fired, expect.path_of("fired"));
    for (std::size_t i = 0; i < fired->keys.size(); ++i) {
      const std::string& id = fired->keys[i];
      const Value& value = fired->elements[i];
      const std::string entry_path = map.path_of(id);
      const auto found = action_ids_.find(id);
      if (found == action_ids_.end()) {
        std::vector<std::string> ids;
        for (const auto& [known, declared] : action_ids_)
          if (declared.reaction) ids.push_back(known);
        fail(value, entry_path,
             "unknown action id " + quoted(id) +
                 (ids.empty() ? std::string(R"(: no action with "on" has an "id")")
                              : ": no action with \"on\" has it" + did_you_mean_suffix(id, ids)));
      }
      if (!found->second.reaction)
        fail(value, entry_path,
             quoted(id) + R"( is a timed action ("at"), which runs at its time; "fired" checks )"
                          R"(actions with "on")");
      out.fired.push_back(ExpectedFired{id, found->second.index, read_bool(value, entry_path),
                                        location(value, entry_path)});
    }
  }

  if (const Value* invariants = expect.find("invariants")) {
    const std::string invariants_path = expect.path_of("invariants");
    require_array(*invariants, invariants_path);
    // "expectations" is the file's own expectations, which are checked anyway.
    std::vector<std::string> names;
    for (const Invariant invariant : all_invariants()) {
      if (invariant != Invariant::expectations) names.emplace_back(invariant_name(invariant));
    }
    for (std::size_t k = 0; k < invariants->elements.size(); ++k) {
      const Value& element = invariants->elements[k];
      const std::string entry_path = json::append_index(invariants_path, k);
      const std::string name = read_string(element, entry_path);
      const std::optional<Invariant> invariant = find_invariant(name);
      if (!invariant || *invariant == Invariant::expectations) {
        fail(element, entry_path, unknown_message("invariant", name, names, true));
      }
      out.invariants.push_back(ExpectedInvariant{*invariant, location(element, entry_path)});
    }
  }
}

ExpectedSegment Loader::read_expected_segment(const Value& value, const std::string& path,
                                              bool in_alternative) const {
  const Object object(*this, value, path);
  ExpectedSegment segment;
  segment.where = location(value, path);
  if (const Value* any_of = object.find("any_of")) {
    const std::string any_of_path = object.path_of("any_of");
    if (in_alternative)
      throw ScenarioError(
          object.key_location("any_of"),
          R"("any_of" does not nest: list the alternatives of one "any_of" instead)");
    object.allow({"any_of"});
    if (!any_of->is_array())
      fail_type(*any_of, any_of_path, "an array of alternatives (arrays of segments)");
    if (any_of->elements.size() < 2)
      fail(*any_of, any_of_path, R"(expected at least 2 alternatives in "any_of")");
    for (std::size_t k = 0; k < any_of->elements.size(); ++k) {
      const Value& alternative = any_of->elements[k];
      const std::string alternative_path = json::append_index(any_of_path, k);
      if (!alternative.is_array())
        fail_type(alternative, alternative_path, "an array of segments (one alternative)");
      std::vector<ExpectedSegment>& sequence = segment.any_of.emplace_back();
      for (std::size_t m = 0; m < alternative.elements.size(); ++m)
        sequence.push_back(read_expected_segment(alternative.elements[m],
                                                 json::append_index(alternative_path, m), true));
    }
    return segment;
  }
  object.allow({"from", "flags", "seq", "ack", "len", "at", "win", "ws", "tsval", "tsecr", "sack",
                "optional"});
  if (const Value* optional = object.find("optional"))
    segment.optional = read_bool(*optional, object.path_of("optional"));
  segment.from = read_host(object.require("from"), object.path_of("from"));
  segment.flags = read_flags(object.require("flags"), object.path_of("flags"), true);
  if (const Value* seq = object.find("seq")) segment.seq = read_integer(*seq, object.path_of("seq"), int64_min, int64_max);
  if (const Value* ack = object.find("ack")) segment.ack = read_integer(*ack, object.path_of("ack"), int64_min, int64_max);
  if (const Value* len = object.find("len"))
    segment.length = static_cast<std::uint32_t>(read_integer(*len, object.path_of("len"), 0, 4294967295));
  if (const Value* at = object.find("at")) segment.at = read_duration(*at, object.path_of("at"));
  if (const Value* window = object.find("win"))
    segment.window = static_cast<std::uint32_t>(read_integer(*window, object.path_of("win"), 0, 65535));
  if (const Value* scale = object.find("ws"))
    segment.window_scale = static_cast<int>(read_integer(*scale, object.path_of("ws"), -1, 14));
  if (const Value* tsval = object.find("tsval"))
    segment.timestamp_value =
        static_cast<std::uint32_t>(read_integer(*tsval, object.path_of("tsval"), 0, 4294967295));
  if (const Value* tsecr = object.find("tsecr"))
    segment.timestamp_echo =
        static_cast<std::uint32_t>(read_integer(*tsecr, object.path_of("tsecr"), 0, 4294967295));
  if (const Value* sack = object.find("sack")) {
    const std::string sack_path = object.path_of("sack");
    if (!sack->is_array()) fail_type(*sack, sack_path, "an array of [left, right] blocks");
    auto& blocks = segment.sack.emplace();
    for (std::size_t n = 0; n < sack->elements.size(); ++n) {
      const Value& block = sack->elements[n];
      const std::string block_path = json::append_index(sack_path, n);
      if (!block.is_array() || block.elements.size() != 2)
        fail_type(block, block_path, "a [left, right] pair of integers");
      blocks.emplace_back(
          read_integer(block.elements[0], json::append_index(block_path, 0), int64_min, int64_max),
          read_integer(block.elements[1], json::append_index(block_path, 1), int64_min, int64_max));
    }
  }
  return segment;
}

ExpectedReceived Loader::read_received(const std::string& name, const Value& value,
                                       const std::string& path) {
  ExpectedReceived received;
  received.connection = name;
  received.where = location(value, path);
  if (value.is_string()) {
    received.data = std::vector<std::uint8_t>(value.text.begin(), value.text.end());
    return received;
  }
  if (!value.is_object())
    fail_type(value, path, R"(a string or an object such as {"bytes": 3000} or {"length": 3000})");
  const Object object(*this, value, path);
  object.allow({"data", "bytes", "length"});
  const Value* found = nullptr;
  for (std::size_t i = 0; i < value.keys.size(); ++i) {
    if (found != nullptr)
      throw ScenarioError(object.key_location(value.keys[i]),
                          R"(a "received" entry holds exactly one of "data", "bytes" or "length")");
    found = &value.elements[i];
  }
  if (found == nullptr) fail(value, path, R"(missing required key: one of "data", "bytes" or "length")");
  const std::string& key = value.keys[0];
  if (key == "data") {
    const std::string text = read_string(*found, object.path_of("data"));
    received.data = std::vector<std::uint8_t>(text.begin(), text.end());
  } else if (key == "bytes") {
    const std::int64_t count = read_integer(*found, object.path_of("bytes"), 0, max_send_bytes);
    count_pattern(count, *found, object.path_of("bytes"));
    received_patterns_.emplace_back(scenario_.expect.received.size(), static_cast<std::size_t>(count));
    received.data.emplace();
  } else {
    received.length = static_cast<std::uint64_t>(read_integer(*found, object.path_of("length"), 0, int64_max));
  }
  return received;
}

ExpectedNever Loader::read_never(const Value& value, const std::string& path) const {
  const Object object(*this, value, path);
  ExpectedNever never;
  never.where = location(value, path);
  const Value* segment = object.find("segment");
  const Value* event = object.find("event");
  const Value* state = object.find("state");
  const int kinds = (segment != nullptr) + (event != nullptr) + (state != nullptr);
  if (kinds == 0) fail(value, path, R"(missing required key: one of "segment", "event" or "state")");
  if (kinds > 1) {
    // Report at the second kind key in document order.
    int seen = 0;
    for (std::size_t i = 0; i < value.keys.size(); ++i) {
      const std::string& key = value.keys[i];
      if (key != "segment" && key != "event" && key != "state") continue;
      if (++seen == 2)
        throw ScenarioError(object.key_location(key),
                            R"(a "never" entry holds exactly one of "segment", "event" or "state")");
    }
  }
  if (segment != nullptr) {
    object.allow({"segment"});
    never.kind = ExpectedNever::Kind::segment;
    const Object match(*this, *segment, object.path_of("segment"));
    match.allow({"from", "flags", "flags_contain"});
    if (const Value* from = match.find("from")) never.host = read_host(*from, match.path_of("from"));
    if (const Value* flags = match.find("flags")) never.flags_exact = read_flags(*flags, match.path_of("flags"), true);
    if (const Value* flags = match.find("flags_contain"))
      never.flags_contain = read_flags(*flags, match.path_of("flags_contain"), false);
    return never;
  }
  object.allow({event != nullptr ? "event" : "state", "host", "connection"});
  if (event != nullptr) {
    never.kind = ExpectedNever::Kind::event;
    never.event = read_app_event(*event, object.path_of("event"));
  } else {
    never.kind = ExpectedNever::Kind::state;
    never.state = read_state(*state, object.path_of("state"));
  }
  if (const Value* host = object.find("host")) never.host = read_host(*host, object.path_of("host"));
  if (const Value* connection = object.find("connection")) {
    const std::string name = read_string(*connection, object.path_of("connection"));
    const int owner = connection_owner(name, *connection, object.path_of("connection"),
                                       never.kind == ExpectedNever::Kind::state);
    if (never.host && *never.host != owner)
      fail(*connection, object.path_of("connection"),
           "connection " + quoted(name) + " belongs to host " +
               quoted(host_names_[static_cast<std::size_t>(owner)]) + ", not to " +
               quoted(host_names_[static_cast<std::size_t>(*never.host)]));
    never.connection = name;
  }
  return never;
}

void Loader::check_counter(const std::string& counter, const Object& counts) const {
  const std::size_t dot = counter.find('.');
  if (dot != std::string::npos) {
    const std::string head = counter.substr(0, dot);
    const std::string rest = counter.substr(dot + 1);
    const bool link = head == "link";
    const bool host = std::find(host_names_.begin(), host_names_.end(), head) != host_names_.end();
    for (const CounterInfo& info : counters()) {
      if (info.link != link || !(link || host)) continue;
      if (info.counter == Counter::event) {
        tcp::AppEventKind event = tcp::AppEventKind::connected;
        if (tcp::parse_app_event(rest, event)) return;
      } else if (info.counter == Counter::sent_flag) {
        const auto& flags = flag_names();
        if (rest.rfind("sent.", 0) == 0 &&
            std::find(flags.begin(), flags.end(), rest.substr(5)) != flags.end())
          return;
      } else if (rest == info.name) {
        return;
      }
    }
  }
  // Suggestions: the link's counters, then per host its events, its plain counters, its flags.
  std::vector<std::string> vocabulary;
  for (const CounterInfo& info : counters())
    if (info.link) vocabulary.push_back(link_counter_name(info.counter));
  for (const auto& host : host_names_) {
    for (const auto& event : app_event_names()) vocabulary.push_back(host + "." + event);
    for (const CounterInfo& info : counters())
      if (!info.link && info.counter != Counter::event && info.counter != Counter::sent_flag)
        vocabulary.push_back(counter_name(host, info.counter));
    for (const auto& flag : flag_names()) vocabulary.push_back(host + ".sent." + flag);
  }
  std::string message = "unknown counter " + quoted(counter);
  if (const auto suggestion = closest(counter, vocabulary)) {
    message += ", did you mean " + quoted(*suggestion) + "?";
  } else {
    // , expected "<host>.<event>", "<host>.sent", ... or "link.delayed"
    std::vector<std::string> forms;
    for (const CounterInfo& info : counters())
      forms.push_back(info.link ? link_counter_name(info.counter)
                                : counter_name("<host>", info.counter));
    message += ", expected ";
    for (std::size_t i = 0; i < forms.size(); ++i)
      message += (i == 0 ? "" : i + 1 == forms.size() ? " or " : ", ") + quoted(forms[i]);
  }
  throw ScenarioError(counts.key_location(counter), message);
}

// --- Reading the file ---

[[noreturn]] void fail_file(const std::string& file, std::string message) {
  throw ScenarioError(SourceLocation{file, 0, 0, "$"}, std::move(message));
}

std::string errno_text(int error) { return std::generic_category().message(error); }

std::string read_whole_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_file(path, "cannot open file: " + errno_text(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail_file(path, "cannot open file: " + errno_text(errno));
  if (S_ISDIR(info.st_mode)) fail_file(path, "cannot open file: " + errno_text(EISDIR));
  if (S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) > max_file_bytes)
    fail_file(path, "file is larger than 16 MiB");
  // Read at most one byte past the limit, so pipes and devices cannot make us read forever.
  std::string text;
  std::size_t size = 0;
  text.resize(S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : 65536);
  while (true) {
    if (size == text.size()) text.resize(std::min(text.size() * 2, max_file_bytes + 1));
    const ssize_t got = ::read(fd, text.data() + size, text.size() - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_file(path, "cannot read file: " + errno_text(errno));
    }
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
    if (size > max_file_bytes) fail_file(path, "file is larger than 16 MiB");
  }
  text.resize(size);
  return text;
}

Scenario load_text(std::string_view text, const std::string& file) {
  if (text.size() > max_file_bytes) fail_file(file, "file is larger than 16 MiB");
  const bool blank = std::all_of(text.begin(), text.end(),
                                 [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  if (blank) throw ScenarioError(SourceLocation{file, 1, 1, "$"}, "empty file, expected a JSON object");
  Value root;
  json::SyntaxError syntax;
  if (!json::parse(text, root, syntax))
    throw ScenarioError(SourceLocation{file, syntax.position.line, syntax.position.column, syntax.path},
                        "invalid JSON: " + syntax.message);
  Loader loader(file);
  return loader.load(root);
}

// Turns anything but a ScenarioError into one, so callers only ever see ScenarioError.
template <typename Function>
Scenario guarded(const std::string& file, Function&& function) {
  try {
    return function();
  } catch (const ScenarioError&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail_file(file, "out of memory while reading the scenario");
  } catch (const std::exception& error) {
    fail_file(file, std::string("internal error while reading the scenario: ") + error.what());
  }
}

}  // namespace

Scenario load_scenario_file(const std::string& path) {
  return guarded(path, [&] { return load_text(read_whole_file(path), path); });
}

Scenario load_scenario_text(std::string_view text, const std::string& file_label) {
  return guarded(file_label, [&] { return load_text(text, file_label); });
}

bool parse_duration(std::string_view text, Duration& out, std::string& error) {
  const std::string shown = json::quote(text);
  const std::string units = "ns, us, ms, s, min or h";
  if (text == "0") {
    out = 0;
    return true;
  }
  std::string_view body = text;
  const bool negative = !body.empty() && body.front() == '-';
  if (negative) body.remove_prefix(1);
  std::string_view integer_digits;
  std::string_view fraction_digits;
  std::string_view unit;
  const bool numeric = split_decimal(body, integer_digits, fraction_digits, unit);
  if (!numeric || (!unit.empty() && !all_letters(unit))) {
    error = "expected " + std::string(duration_example) + ", got " + shown;
    return false;
  }
  if (negative) {
    error = "duration " + shown + " is negative";
    return false;
  }
  if (unit.empty()) {
    error = "duration " + shown + " needs a unit: " + units;
    return false;
  }
  std::uint64_t multiplier = 0;
  if (unit == "ns") multiplier = nanosecond;
  else if (unit == "us") multiplier = microsecond;
  else if (unit == "ms") multiplier = millisecond;
  else if (unit == "s") multiplier = second;
  else if (unit == "min") multiplier = minute;
  else if (unit == "h") multiplier = hour;
  else {
    error = "duration " + shown + " has unknown unit " + json::quote(unit) + ", expected " + units;
    return false;
  }
  std::uint64_t nanoseconds = 0;
  switch (scale_decimal(integer_digits, fraction_digits, multiplier, static_cast<std::uint64_t>(int64_max),
                        nanoseconds)) {
    case DecimalResult::ok:
      out = static_cast<Duration>(nanoseconds);
      return true;
    case DecimalResult::overflow:
      error = "duration " + shown + " overflows 64-bit nanoseconds";
      return false;
    case DecimalResult::inexact:
      error = "duration " + shown + " is not a whole number of nanoseconds";
      return false;
  }
  return false;
}

void set_pattern_byte_limit(std::int64_t bytes) {
  max_scenario_pattern_bytes.store(bytes, std::memory_order_relaxed);
}

}  // namespace tcpsim::runner
