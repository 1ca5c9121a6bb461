// The knob table (tcp/knobs.hpp): its rows are well formed, every accessor reaches its own
// member of TcpConfig, and each profile's defaults are the documented ones.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "tcp/knobs.hpp"

namespace tcp_knob_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;

namespace {

const Profile& profile(std::string_view name) {
  const Profile* found = find_profile(name);
  REQUIRE(found != nullptr);
  return *found;
}

// Every knob's default in a profile, as the scenario format spells it (tcp::format_duration:
// 60 s is "1min").
std::string default_text(const Profile& p, std::string_view knob) {
  const Knob* row = find_knob(knob);
  REQUIRE(row != nullptr);
  return knob_value_text(*row, row->get(profile_config(p)));
}

}  // namespace

TEST_CASE("knob rows are well formed", "[knobs]") {
  std::set<std::string_view> names;
  for (const Knob& knob : knobs()) {
    INFO(knob.name);
    CHECK(names.insert(knob.name).second);
    CHECK(!knob.doc.empty());
    CHECK(knob.get != nullptr);
    CHECK(knob.set != nullptr);
    CHECK(knob.min <= knob.max);
    CHECK(knob.choices.empty() == (knob.type != KnobType::choice));
    CHECK(knob.words.empty() == (knob.type != KnobType::integer_or_word));
    // The loader's message for a too-short duration says "greater than 0".
    if (knob.type == KnobType::duration) CHECK((knob.min == 0 || knob.min == 1));
    // A bounded duration says why it is bounded.
    if (knob.type == KnobType::duration && knob.max != no_knob_max)
      CHECK(!knob.max_reason.empty());
    CHECK(find_knob(knob.name) == &knob);
  }
  CHECK(find_knob("window") == nullptr);
}

TEST_CASE("each knob's accessor sets its own member and no other", "[knobs]") {
  const TcpConfig defaults;
  for (const Knob& knob : knobs()) {
    INFO(knob.name);
    TcpConfig config;
    KnobValue changed = knob.get(config);
    if (knob.type == KnobType::integer_or_word && changed.is_word) {
      changed = KnobValue{knob.max, false};
    } else {
      changed.number = changed.number == knob.min ? knob.min + 1 : knob.min;
    }
    knob.set(config, changed);
    CHECK(knob.get(config) == changed);
    for (const Knob& other : knobs()) {
      if (&other == &knob) continue;
      INFO("other " << other.name);
      CHECK(other.get(config) == other.get(defaults));
    }
  }
}

TEST_CASE("the profiles' defaults are the documented ones", "[knobs]") {
  REQUIRE(profiles().size() == 3);
  CHECK(profiles().front().name == "rfc9293");  // the default profile
  const Profile& rfc = profile("rfc9293");
  const Profile& linux = profile("linux");
  CHECK(rfc.time_wait_is_two_msl);
  CHECK_FALSE(linux.time_wait_is_two_msl);

  // README "Defaults and profiles" and docs/scenario-format.md say these.
  const std::pair<std::string_view, std::string_view> rfc_defaults[] = {
      {"handshake", "three-way"},       {"msl", "2min"},
      {"time_wait", "4min"},            {"isn", "random"},
      {"rto_initial", "1s"},            {"rto_min", "1s"},
      {"rto_max", "1min"},              {"syn_retries", "6"},
      {"synack_retries", "5"},          {"data_retries", "15"},
      {"r1_retries", "3"},              {"mss", "536"},
      {"send_buffer", "65536"},         {"receive_buffer", "65535"},      {"window_scaling", "off"},
      {"timestamps", "false"},          {"sack", "false"},
      {"timestamp_missing", "drop"},    {"dsack", "false"},
      {"timestamp_offset", "false"},
      {"option_layout", "linux"},
      {"nagle", "true"},                {"delayed_ack", "0s"},
      {"duplicate_ack_threshold", "3"}, {"congestion_control", "newreno"},
      {"initial_window", "0"},          {"keepalive", "false"},
      {"keepalive_idle", "2h"},         {"keepalive_interval", "75s"},
      {"keepalive_probes", "9"},        {"user_timeout", "0s"},
      {"fin_wait_2_timeout", "0s"},     {"retransmit_syn_ack", "true"},
      {"retransmit_fin", "true"},       {"reset_unexpected_segments", "true"},
      {"half_duplex_close", "false"},   {"rfc1337", "false"},
      {"rfc5961", "true"},              {"time_wait_accepts_syn", "false"},
      // FreeBSD's choices, off in rfc9293 (and in linux: Linux does none of them).
      {"receive_buffer_rounded_to_mss", "false"},
      {"fin_on_every_segment", "false"},
      {"time_wait_drops_segments_without_ack", "false"},
      {"time_wait_acknowledges_segments", "false"},
      {"listen_drops_syn_ack", "false"},
      {"drop_syn_fin", "false"},
      // Linux's, off in rfc9293 (RFC 6298's formula and backoff).
      {"rto_formula", "rfc6298"},
      {"syn_linear_timeouts", "0"},
      // Timers fire at their deadlines (the RFCs' abstract timers), not on a kernel's wheel.
      {"timer_wheel", "none"},
      // A full backlog: the SYN dropped (as Linux), no SYN cookies (RFC 4987 is not RFC 9293).
      {"backlog_full", "drop"},         {"syn_cookies", "false"},
  };

  CHECK(std::size(rfc_defaults) == knobs().size());
  for (const auto& [knob, value] : rfc_defaults) {
    INFO(knob);
    CHECK(default_text(rfc, knob) == value);
  }

  // Linux: TIME_WAIT 60 s, reopened by a new SYN, RTO minimum 200 ms, maximum 120 s, its RTO
  // formula, 4 linear SYN timeouts, FIN_WAIT_2 timeout 60 s, CUBIC with an initial window of 10,
  // SYN cookies (tcp_syncookies 1), timers on the HZ=250 timer wheel, D-SACK (tcp_dsack 1),
  // segments without timestamps accepted (tcp_validate_incoming()), a TSval offset per address
  // pair (tcp_timestamps 1); the rest as RFC 9293.
  const std::pair<std::string_view, std::string_view> linux_differs[] = {
      {"time_wait", "1min"},          {"rto_min", "200ms"},
      {"rto_max", "2min"},            {"rto_formula", "linux"},
      {"syn_linear_timeouts", "4"},   {"fin_wait_2_timeout", "1min"},
      {"time_wait_accepts_syn", "true"}, {"congestion_control", "cubic"},
      {"initial_window", "10"},       {"window_scaling", "7"},
      {"timestamps", "true"},         {"sack", "true"},
      {"timestamp_missing", "accept"}, {"dsack", "true"},
      {"timestamp_offset", "true"},
      {"syn_cookies", "true"},       {"timer_wheel", "linux-hz250"}};
  CHECK(linux.settings.size() == std::size(linux_differs));
  for (const auto& [knob, value] : linux_differs) {
    INFO(knob);
    CHECK(default_text(linux, knob) == value);
    REQUIRE(find_setting(linux, knob) != nullptr);
    CHECK(!find_setting(linux, knob)->note.empty());
  }
  for (const Knob& knob : knobs()) {
    if (find_setting(linux, knob.name) != nullptr) continue;
    INFO(knob.name);
    CHECK(default_text(linux, knob.name) == default_text(rfc, knob.name));
  }
  // FreeBSD: MSL 30 s (TIME_WAIT 2 MSL, 1 min), RFC 1337, and the
  // knobs of its own choices; drop_syn_fin off as net.inet.tcp.drop_synfin's default.
  const Profile& freebsd = profile("freebsd");
  CHECK(freebsd.time_wait_is_two_msl);
  const std::pair<std::string_view, std::string_view> freebsd_differs[] = {
      {"msl", "30s"},
      {"rfc1337", "true"},
      {"receive_buffer_rounded_to_mss", "true"},
      {"fin_on_every_segment", "true"},
      {"time_wait_drops_segments_without_ack", "true"},
      {"time_wait_acknowledges_segments", "true"},
      {"listen_drops_syn_ack", "true"},
      {"window_scaling", "6"},
      {"timestamps", "true"},
      {"sack", "true"},
      {"option_layout", "freebsd"}};
  CHECK(freebsd.settings.size() == std::size(freebsd_differs));
  for (const auto& [knob, value] : freebsd_differs) {
    INFO(knob);
    CHECK(default_text(freebsd, knob) == value);
    REQUIRE(find_setting(freebsd, knob) != nullptr);
    CHECK(!find_setting(freebsd, knob)->note.empty());
  }
  CHECK(default_text(freebsd, "time_wait") == "1min");  // 2 MSL
  CHECK(default_text(freebsd, "drop_syn_fin") == "false");
  for (const Knob& knob : knobs()) {
    if (find_setting(freebsd, knob.name) != nullptr || knob.name == "time_wait") continue;
    INFO(knob.name);
    CHECK(default_text(freebsd, knob.name) == default_text(rfc, knob.name));
  }
  // Every setting names a knob of the table.
  for (const Profile& p : profiles())
    for (const KnobSetting& setting : p.settings) CHECK(find_knob(setting.knob) != nullptr);
  CHECK(find_profile("bsd") == nullptr);
}

TEST_CASE("knob values are spelt as the scenario format spells them", "[knobs]") {
  CHECK(knob_value_text(*find_knob("handshake"), {1}) == "two-way");
  CHECK(knob_value_text(*find_knob("isn"), {0, true}) == "random");
  CHECK(knob_value_text(*find_knob("isn"), {1, true}) == "clock");
  CHECK(knob_value_text(*find_knob("isn"), {2, true}) == "rfc6528");
  CHECK(knob_value_text(*find_knob("isn"), {4294967295}) == "4294967295");
  CHECK(knob_value_text(*find_knob("rto_min"), {200 * millisecond}) == "200ms");
  CHECK(knob_value_text(*find_knob("nagle"), {0}) == "false");
  CHECK(knob_value_text(*find_knob("mss"), {1460}) == "1460");
}

}  // namespace tcp_knob_tests
