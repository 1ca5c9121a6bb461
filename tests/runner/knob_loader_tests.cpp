// Every row of the knob table (tcp/knobs.hpp) through the loader: its default, a valid value,
// and the errors at and past its range, with the messages the bad-input catalogue uses.
#include <catch2/catch.hpp>

#include <string>

#include "runner/scenario_loader.hpp"
#include "tcp/knobs.hpp"

namespace runner_knob_loader_tests {

namespace {

using namespace tcpsim;
using namespace tcpsim::runner;
using tcp::Knob;
using tcp::KnobType;
using tcp::KnobValue;

// A scenario whose first host has the given "profile" member and "tcp" object ("" for none).
std::string scenario_with(const std::string& tcp_object, const std::string& profile = "") {
  std::string host = R"({"name": "client")";
  if (!profile.empty()) host += R"(, "profile": ")" + profile + "\"";
  if (!tcp_object.empty()) host += R"(, "tcp": )" + tcp_object;
  host += "}";
  return "{\"tcpsim\": 1, \"name\": \"t\", \"description\": \"d\", \"hosts\": [" + host +
         R"(, {"name": "server"}], "timeline": )"
         R"([{"at": "0s", "host": "server", "action": "listen", "port": 80}]})";
}

tcp::TcpConfig loaded(const std::string& tcp_object, const std::string& profile = "") {
  return load_scenario_text(scenario_with(tcp_object, profile), "t.json").hosts[0].tcp;
}

// The message (without position) of loading `"knob": json_value`, or "no error".
std::string error_of(const Knob& knob, const std::string& json_value) {
  try {
    loaded("{\"" + std::string(knob.name) + "\": " + json_value + "}");
  } catch (const ScenarioError& error) {
    CHECK(error.where().json_path == "$.hosts[0].tcp." + std::string(knob.name));
    return error.message();
  }
  return "no error";
}

// A valid value other than the default, as JSON, and the value it must load as.
std::pair<std::string, KnobValue> valid_other_value(const Knob& knob, KnobValue current) {
  switch (knob.type) {
    case KnobType::duration: {
      // One millisecond more, or less where that would pass the max (and stay within the
      // other knobs' rules: rto_min below rto_max).
      const Duration value = current.number + millisecond <= knob.max
                                 ? current.number + millisecond
                                 : current.number - millisecond;
      return {"\"" + format_duration(value) + "\"", KnobValue{value}};
    }
    case KnobType::integer: {
      const std::int64_t value = current.number == knob.max ? knob.min : knob.max;
      return {std::to_string(value), KnobValue{value}};
    }
    case KnobType::boolean:
      return {current.number != 0 ? "false" : "true", KnobValue{current.number != 0 ? 0 : 1}};
    case KnobType::choice: {
      const std::int64_t value = current.number == 0 ? 1 : 0;
      return {"\"" + std::string(knob.choices[static_cast<std::size_t>(value)]) + "\"",
              KnobValue{value}};
    }
    case KnobType::integer_or_word:
      if (current.is_word) return {std::to_string(knob.max), KnobValue{knob.max}};
      return {"\"" + std::string(knob.words.back()) + "\"",
              KnobValue{static_cast<std::int64_t>(knob.words.size()) - 1, true}};
  }
  return {};
}

std::string range_text(const Knob& knob) {
  return "an integer between " + std::to_string(knob.min) + " and " + std::to_string(knob.max);
}

}  // namespace

TEST_CASE("every knob round-trips through the loader", "[knobs][loader]") {
  for (const tcp::Profile& profile : tcp::profiles()) {
    const tcp::TcpConfig defaults = tcp::profile_config(profile);
    const tcp::TcpConfig without_tcp = loaded("", std::string(profile.name));
    const tcp::TcpConfig empty_tcp = loaded("{}", std::string(profile.name));
    for (const Knob& knob : tcp::knobs()) {
      INFO(profile.name << ": " << knob.name);
      CHECK(knob.get(without_tcp) == knob.get(defaults));
      CHECK(knob.get(empty_tcp) == knob.get(defaults));
      const auto [json_value, expected] = valid_other_value(knob, knob.get(defaults));
      INFO("value " << json_value);
      const tcp::TcpConfig set = loaded("{\"" + std::string(knob.name) + "\": " + json_value + "}",
                                        std::string(profile.name));
      CHECK(knob.get(set) == expected);
      CHECK_FALSE(knob.get(set) == knob.get(defaults));
    }
  }
}

TEST_CASE("every knob rejects values outside its type and range", "[knobs][loader]") {
  const std::string duration_expected = R"(expected a duration such as "150ms" or "2min")";
  for (const Knob& knob : tcp::knobs()) {
    INFO(knob.name);
    switch (knob.type) {
      case KnobType::duration:
        CHECK(error_of(knob, "5") == duration_expected + ", got a number");
        CHECK(error_of(knob, "\"5\"") == R"(duration "5" needs a unit: ns, us, ms, s, min or h)");
        if (knob.min > 0) {
          CHECK(error_of(knob, "\"0s\"") == R"(expected a duration greater than 0, got "0s")");
        } else {
          CHECK(error_of(knob, "\"0s\"").find("no error") == 0);
        }
        if (knob.max != tcp::no_knob_max) {
          const std::string past = format_duration(knob.max + nanosecond);
          CHECK(error_of(knob, "\"" + past + "\"") ==
                std::string(knob.name) + " \"" + past + "\" is longer than " +
                    format_duration(knob.max) + ": " + std::string(knob.max_reason));
          CHECK(error_of(knob, "\"" + format_duration(knob.max) + "\"") == "no error");
        }
        break;
      case KnobType::integer:
        CHECK(error_of(knob, std::to_string(knob.min - 1)) ==
              "expected " + range_text(knob) + ", got " + std::to_string(knob.min - 1));
        CHECK(error_of(knob, std::to_string(knob.max + 1)) ==
              "expected " + range_text(knob) + ", got " + std::to_string(knob.max + 1));
        CHECK(error_of(knob, "1.5") == "expected " + range_text(knob) + ", got 1.5");
        CHECK(error_of(knob, "\"7\"") == "expected " + range_text(knob) + ", got a string");
        CHECK(error_of(knob, std::to_string(knob.min)) == "no error");
        break;
      case KnobType::boolean:
        CHECK(error_of(knob, "\"true\"") == "expected true or false, got a string");
        CHECK(error_of(knob, "1") == "expected true or false, got a number");
        break;
      case KnobType::choice: {
        std::string list;
        for (const auto choice : knob.choices)
          list += (list.empty() ? "\"" : ", \"") + std::string(choice) + "\"";
        CHECK(error_of(knob, "\"sideways\"") == "unknown " + std::string(knob.name) +
                                                    " \"sideways\", expected one of " + list);
        CHECK(error_of(knob, "2") == "expected a string, got a number");
        break;
      }
      case KnobType::integer_or_word: {
        std::string words;
        for (const auto word : knob.words)
          words += (words.empty() ? "\"" : ", \"") + std::string(word) + "\"";
        const std::string expected =
            "expected " + range_text(knob) + " or one of " + words + ", got ";
        CHECK(error_of(knob, "\"sometimes\"") == expected + "\"sometimes\"");
        CHECK(error_of(knob, "true") == expected + "a boolean");
        CHECK(error_of(knob, std::to_string(knob.max + 1)) ==
              "expected " + range_text(knob) + ", got " + std::to_string(knob.max + 1));
        break;
      }
    }
  }
}

TEST_CASE("the rules between knobs stay explicit checks", "[knobs][loader]") {
  // rfc9293: TIME_WAIT is twice the final msl unless time_wait is given; linux: fixed.
  CHECK(loaded(R"({"msl": "30s"})").time_wait == 60 * second);
  CHECK(loaded(R"({"msl": "30s", "time_wait": "1s"})").time_wait == 1 * second);
  CHECK(loaded(R"({"msl": "30s"})", "linux").time_wait == 60 * second);
  const auto message = [](const std::string& tcp_object) {
    try {
      loaded(tcp_object);
    } catch (const ScenarioError& error) {
      return error.where().json_path + ": " + error.message();
    }
    return std::string("no error");
  };
  CHECK(message(R"({"msl": "2562047h"})") ==
        R"($.hosts[0].tcp.msl: msl "2562047h" is too large: )"
        "TIME_WAIT (2 MSL) overflows 64-bit nanoseconds");
  CHECK(message(R"({"rto_min": "2s", "rto_max": "1s"})") ==
        "$.hosts[0].tcp.rto_max: rto_min 2s is greater than rto_max 1s");
  CHECK(message(R"({"rto_min": "2min"})") ==
        "$.hosts[0].tcp.rto_min: rto_min 2min is greater than rto_max 1min");
}

// A connect's or listen's "tcp": the host's config with those knobs over it, read by the same
// reader (every knob, every check); the host keeps its own.
TEST_CASE("a connect or listen overrides knobs for its connections only", "[knobs][loader]") {
  const auto with_actions = [](const std::string& actions) {
    return R"({"tcpsim": 1, "name": "t", "description": "d",
      "hosts": [{"name": "client", "tcp": {"isn": 100, "msl": "10s"}},
                {"name": "server", "profile": "linux"}],
      "timeline": [)" + actions + "]}";
  };
  const Scenario scenario = load_scenario_text(
      with_actions(R"({"at": "0s", "host": "server", "action": "listen", "port": 80,
                       "tcp": {"isn": 9000, "nagle": false}},
                      {"at": "1s", "host": "client", "action": "connect", "to": "server",
                       "port": 80, "name": "c1", "tcp": {"isn": 7000}},
                      {"at": "2s", "host": "client", "action": "connect", "to": "server",
                       "port": 80, "name": "c2", "tcp": {"msl": "1s"}},
                      {"at": "3s", "host": "client", "action": "connect", "to": "server",
                       "port": 80, "name": "c3"})"),
      "t.json");
  const auto& timeline = scenario.timeline;
  REQUIRE(timeline[0].tcp);
  CHECK(timeline[0].tcp->fixed_isn == 9000U);
  CHECK_FALSE(timeline[0].tcp->nagle);
  // Over the linux profile's config: its FIN_WAIT_2 timeout stays.
  CHECK(timeline[0].tcp->fin_wait_2_timeout == scenario.hosts[1].tcp.fin_wait_2_timeout);
  CHECK(timeline[0].tcp->fin_wait_2_timeout > 0);
  REQUIRE(timeline[1].tcp);
  CHECK(timeline[1].tcp->fixed_isn == 7000U);
  CHECK(timeline[1].tcp->msl == 10 * second);  // the host's
  CHECK(timeline[1].tcp->time_wait == 20 * second);
  REQUIRE(timeline[2].tcp);
  CHECK(timeline[2].tcp->fixed_isn == 100U);
  CHECK(timeline[2].tcp->time_wait == 2 * second);  // rfc9293: 2 MSL of its own msl
  CHECK_FALSE(timeline[3].tcp);
  CHECK(scenario.hosts[0].tcp.fixed_isn == 100U);

  const auto message = [&](const std::string& actions) {
    try {
      load_scenario_text(with_actions(actions), "t.json");
    } catch (const ScenarioError& error) {
      return error.where().json_path + ": " + error.message();
    }
    return std::string("no error");
  };
  CHECK(message(R"({"at": "0s", "host": "client", "action": "connect", "to": "server",
                    "port": 80, "tcp": {"isn": -1}})") ==
        "$.timeline[0].tcp.isn: expected an integer between 0 and 4294967295, got -1");
  CHECK(message(R"({"at": "0s", "host": "client", "action": "listen", "port": 80,
                    "tcp": {"rto_min": "2min"}})") ==
        "$.timeline[0].tcp.rto_min: rto_min 2min is greater than rto_max 1min");
  CHECK(message(R"({"at": "0s", "host": "server", "action": "listen", "port": 80,
                    "tcp": {"nagel": false}})")
            .find(R"($.timeline[0].tcp.nagel: unknown key "nagel", did you mean "nagle"?)") == 0);
}

}  // namespace runner_knob_loader_tests
