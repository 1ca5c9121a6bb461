// The table of TCP knobs: one row per key of a host's "tcp" object (docs/scenario-format.md),
// with its value type and range, its documentation line, whether it is a teaching variant, and
// the accessor into TcpConfig. The profiles ("rfc9293", "linux") are data here too: named sets
// of settings over TcpConfig's defaults. The one source of truth for the loader, `tcpsim list
// --knobs`, the teaching catalogue, docs/scenario.schema.json and the knob table of
// docs/scenario-format.md (both generated from it: scripts/generate-docs).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "tcp/config.hpp"

namespace tcpsim::tcp {

enum class KnobType : std::uint8_t {
  duration,          // nanoseconds in [min, max]; min is 0 or 1 ns ("greater than 0")
  integer,           // an integer in [min, max]
  boolean,           // true or false
  choice,            // one of `choices`, held as its index
  integer_or_word,   // an integer in [min, max], or one of `words` (isn: 1000, "random")
};

// One knob's value as the table moves it: nanoseconds, the integer, 0 or 1, the index of a
// choice; for an integer_or_word knob set to one of its words, `is_word` and the word's index.
struct KnobValue {
  std::int64_t number = 0;
  bool is_word = false;
  bool operator==(const KnobValue&) const = default;
};

// A knob without an upper bound has this max.
inline constexpr std::int64_t no_knob_max = std::numeric_limits<std::int64_t>::max();

struct Knob {
  std::string_view name;  // the JSON key: "time_wait"
  KnobType type = KnobType::integer;
  std::int64_t min = 0;
  std::int64_t max = no_knob_max;
  // duration with a max: why ("RFC 1122 4.2.3.2 delays an ACK at most 0.5 s").
  std::string_view max_reason;
  std::span<const std::string_view> choices;  // choice: JSON spellings, in enum order
  std::span<const std::string_view> words;    // integer_or_word: the words, by index
  // A knob that turns a mechanism off to show what it protects against; each has an entry in
  // the teaching catalogue (runner/teaching.cpp, docs/teaching.md).
  bool teaching = false;
  // A knob an application may change on a live connection, as setsockopt() does
  // (Host::configure; the runner's "configure" action). The others are fixed once the
  // connection exists: the MSS its SYN announced, its ISN, its handshake, ...
  bool live = false;
  // One line for people, Markdown code spans allowed ("`\"0s\"` turns TIME_WAIT off").
  std::string_view doc;
  KnobValue (*get)(const TcpConfig&) = nullptr;
  void (*set)(TcpConfig&, KnobValue) = nullptr;
};

// --- Accessors: one pair per member type, chosen from a member pointer ---

namespace knob_detail {

template <typename T>
KnobValue to_value(const T& field) {
  return KnobValue{static_cast<std::int64_t>(field), false};
}

template <typename T>
T from_value(KnobValue value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value.number != 0;
  } else {
    return static_cast<T>(value.number);
  }
}

template <auto member>
KnobValue get(const TcpConfig& config) {
  return to_value(config.*member);
}

template <auto member>
void set(TcpConfig& config, KnobValue value) {
  using Field = std::remove_cvref_t<decltype(config.*member)>;
  config.*member = from_value<Field>(value);
}

}  // namespace knob_detail

// Every knob, in the order the loader reads them (and so reports the first bad one).
std::span<const Knob> knobs();
const Knob* find_knob(std::string_view name);

// A value's spelling in a scenario file, without JSON quotes: "2min", "three-way", "random",
// "536", "true". Durations as tcp::format_duration writes them ("0s" for zero).
std::string knob_value_text(const Knob& knob, KnobValue value);

// --- Profiles ---

struct KnobSetting {
  std::string_view knob;
  KnobValue value;
  std::string_view note;  // where the value comes from: "tcp_fin_timeout"
};

struct Profile {
  std::string_view name;  // "linux"
  std::string_view doc;
  std::span<const KnobSetting> settings;  // over TcpConfig's defaults, which are RFC 9293's
  // RFC 9293 3.10.7.4: TIME_WAIT lasts 2 MSL. When true, a host that does not set time_wait
  // gets twice its final msl ("msl": "30s" alone gives 60 s); when false, the profile's
  // time_wait stands whatever msl says.
  bool time_wait_is_two_msl = false;
  // The ephemeral ports a host of this profile hands out when the scenario does not give
  // "ephemeral_ports" (a host's range, not a connection's knob): the IANA dynamic range of RFC
  // 6335 8.1.2 by default, Linux's net.ipv4.ip_local_port_range in the linux profile.
  std::uint16_t ephemeral_first = 49152;
  std::uint16_t ephemeral_last = 65535;
};

// The profiles; the first is the default.
std::span<const Profile> profiles();
const Profile* find_profile(std::string_view name);

// TcpConfig's defaults with the profile's settings applied.
TcpConfig profile_config(const Profile& profile);

// The profile's setting of a knob, if it has one (for its note).
const KnobSetting* find_setting(const Profile& profile, std::string_view knob);

}  // namespace tcpsim::tcp
