// Scenario loader: a full scenario, defaults, profiles, durations, probabilities, every error
// category with its exact message and position, the bad-input catalogue, and robustness.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "tcp/knobs.hpp"

namespace runner_loader_tests {

#ifndef TCPSIM_SOURCE_DIR
#define TCPSIM_SOURCE_DIR "."
#endif

namespace {

using namespace tcpsim;
using namespace tcpsim::runner;

const char* const full_scenario = R"({
  "tcpsim": 1,
  "name": "full-example",
  "description": "Every section of the format, for the loader tests.",
  "seed": 42,
  "link": {
    "delay": "5ms",
    "jitter": "1ms",
    "loss": 0.1,
    "rate": "10Mbps",
    "queue_limit": 20,
    "msl": "30s",
    "forward": { "delay": "20ms", "reorder": { "probability": 0.25, "extra_delay": "3ms" } },
    "backward": { "duplicate": 0.000000001, "rate": 1500 }
  },
  "hosts": [
    { "name": "client", "tcp": { "msl": "30s", "isn": 1000, "syn_retries": 3 } },
    { "name": "server", "address": "192.168.1.2", "profile": "linux",
      "tcp": { "handshake": "two-way", "isn": "random", "rto_max": "90s", "mss": 1460, "receive_buffer": 0 } }
  ],
  "faults": [
    { "name": "lose-first-synack", "match": { "from": "server", "flags": "SYN,ACK", "nth": 1 }, "action": "drop" },
    { "match": { "from": "client", "length_min": 1, "length_max": 100, "after": "1s", "before": "2s", "count": 2 },
      "action": "delay", "duration": "250ms" },
    { "match": { "flags_contain": "FIN", "port": 80, "length": 0 }, "action": "hold", "until": "1.5min" }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80 },
    { "at": "0s", "host": "server", "action": "listen", "port": 81, "backlog": 4, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 81, "local_port": 5000 },
    { "at": "1s", "host": "client", "action": "send", "connection": "c1", "data": "hello\u00e9" },
    { "at": "1s", "host": "server", "action": "send", "connection": "server:80#1", "bytes": 30 },
    { "at": "2s", "host": "client", "action": "close", "connection": "client/2" },
    { "at": "2s", "host": "server", "action": "abort", "connection": "web#1" },
    { "at": "3s", "host": "server", "action": "crash" },
    { "at": "4s", "host": "server", "action": "reboot" }
  ],
  "stop_at": "10min",
  "event_budget": 5000,
  "expect": {
    "final_states": { "c1": "TIME_WAIT", "server:80#1": "CLOSED" },
    "states": { "c1": ["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1"] },
    "app_events": { "c1": ["connected", { "event": "data", "at": "1.02s", "data": "hi" }, "end_of_stream"], "client/2": [] },
    "segments": [
      { "from": "client", "flags": "SYN", "seq": 0, "ack": -1, "len": 0, "at": "100ms" },
      { "from": "server", "flags": "" }
    ],
    "counts": { "server.accepted": 2, "client.sent.SYN": 1, "link.dropped": 1, "server.connections": 2 },
    "never": [
      { "segment": { "from": "server", "flags_contain": "RST" } },
      { "event": "reset", "host": "client", "connection": "c1" },
      { "state": "CLOSE_WAIT" }
    ]
  }
}
)";

// The smallest valid scenario; `extra_top` is spliced in after the description, `hosts` and
// `timeline` replace the defaults.
std::string minimal(const std::string& extra_top = "",
                    const std::string& hosts = R"([{"name": "client"}, {"name": "server"}])",
                    const std::string& timeline =
                        R"([{"at": "0s", "host": "server", "action": "listen", "port": 80}])") {
  return "{\"tcpsim\": 1, \"name\": \"t\", \"description\": \"d\",\n" + extra_top +
         (extra_top.empty() ? "" : ",\n") + "\"hosts\": " + hosts + ",\n\"timeline\": " + timeline +
         "}\n";
}

// what() of the error loading `text` as "t.json", or "no error".
std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "t.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

std::string duration_error(const std::string& text) {
  Duration duration = 0;
  std::string error;
  if (parse_duration(text, duration, error)) return "ok " + std::to_string(duration);
  return error;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Restores the working directory when it goes out of scope.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const std::filesystem::path& path) : saved_(std::filesystem::current_path()) {
    std::filesystem::current_path(path);
  }
  ~WorkingDirectory() {
    std::error_code ignored;
    std::filesystem::current_path(saved_, ignored);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  std::filesystem::path saved_;
};

// A fresh empty directory under the system temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("tcpsim-loader-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("a full scenario loads with every field", "[loader]") {
  const Scenario s = load_scenario_text(full_scenario, "full.json");
  CHECK(s.file == "full.json");
  CHECK(s.version == 1);
  CHECK(s.name == "full-example");
  CHECK(s.description == "Every section of the format, for the loader tests.");
  CHECK(s.seed == 42);
  CHECK(s.stop_at == 10 * minute);
  CHECK(s.event_budget == 5000);

  // Link: top-level values in both directions, overridden per direction.
  const auto& forward = s.link.directions[0];
  const auto& backward = s.link.directions[1];
  CHECK(s.link.msl == 30 * second);
  CHECK(forward.delay == 20 * millisecond);
  CHECK(backward.delay == 5 * millisecond);
  CHECK(forward.jitter == 1 * millisecond);
  CHECK(backward.jitter == 1 * millisecond);
  CHECK(forward.loss == 100'000'000);
  CHECK(backward.loss == 100'000'000);
  CHECK(forward.duplicate == 0);
  CHECK(backward.duplicate == 1);
  CHECK(forward.reorder.probability == 250'000'000);
  CHECK(forward.reorder.extra_delay == 3 * millisecond);
  CHECK(backward.reorder.probability == 0);
  CHECK(forward.rate_bits_per_second == 10'000'000);
  CHECK(backward.rate_bits_per_second == 1500);
  CHECK(forward.queue_limit == 20);
  CHECK(backward.queue_limit == 20);

  // Hosts.
  REQUIRE(s.hosts.size() == 2);
  const HostSpec& client = s.hosts[0];
  const HostSpec& server = s.hosts[1];
  CHECK(client.name == "client");
  CHECK(client.address == 0x0a000001U);
  CHECK(client.profile == "rfc9293");
  CHECK(client.tcp.msl == 30 * second);
  CHECK(client.tcp.time_wait == 60 * second);  // follows msl: 2 * 30s
  CHECK(client.tcp.fixed_isn == std::optional<std::uint32_t>(1000));
  CHECK(client.tcp.syn_retries == 3);
  CHECK(client.tcp.rto_min == 1 * second);
  CHECK(client.where.line == 17);
  CHECK(client.where.column == 5);
  CHECK(client.where.json_path == "$.hosts[0]");
  CHECK(server.name == "server");
  CHECK(server.address == 0xc0a80102U);
  CHECK(server.profile == "linux");
  CHECK(server.tcp.handshake == tcp::Handshake::two_way);
  CHECK_FALSE(server.tcp.fixed_isn.has_value());
  CHECK(server.tcp.rto_min == 200 * millisecond);
  CHECK(server.tcp.rto_initial == 1 * second);
  CHECK(server.tcp.rto_max == 90 * second);  // explicit key over the profile
  CHECK(server.tcp.time_wait == 60 * second);
  CHECK(server.tcp.msl == 2 * minute);
  CHECK(server.tcp.mss == 1460);
  CHECK(server.tcp.receive_buffer == 0);

  // Fault rules.
  REQUIRE(s.rules.size() == 3);
  CHECK(s.rules[0].name == "lose-first-synack");
  CHECK(s.rules[0].match.direction == sim::Direction::backward);
  CHECK(s.rules[0].match.flags_exact == std::optional<std::uint8_t>(tcp::flag::syn | tcp::flag::ack));
  CHECK(s.rules[0].match.nth == 1);
  CHECK(s.rules[0].action == sim::FaultAction::drop);
  CHECK(s.rules[1].name == "rule 2");
  CHECK(s.rules[1].match.direction == sim::Direction::forward);
  CHECK(s.rules[1].match.length_min == std::optional<std::uint32_t>(1));
  CHECK(s.rules[1].match.length_max == std::optional<std::uint32_t>(100));
  CHECK(s.rules[1].match.after == 1 * second);
  CHECK(s.rules[1].match.before == 2 * second);
  CHECK(s.rules[1].match.count == 2);
  CHECK(s.rules[1].action == sim::FaultAction::delay);
  CHECK(s.rules[1].duration == 250 * millisecond);
  CHECK(s.rules[2].match.flags_contain == std::optional<std::uint8_t>(tcp::flag::fin));
  CHECK(s.rules[2].match.port == std::optional<tcp::Port>(80));
  CHECK(s.rules[2].match.length_min == std::optional<std::uint32_t>(0));
  CHECK(s.rules[2].match.length_max == std::optional<std::uint32_t>(0));
  CHECK(s.rules[2].match.before == time_never);
  CHECK(s.rules[2].action == sim::FaultAction::hold);
  CHECK(s.rules[2].until == 90 * second);

  // Timeline.
  REQUIRE(s.timeline.size() == 10);
  const auto& t = s.timeline;
  CHECK(t[0].kind == ActionKind::listen);
  CHECK(t[0].host == 1);
  CHECK(t[0].port == 80);
  CHECK(t[0].backlog == 128);
  CHECK(t[0].name == "server:80");
  CHECK(t[1].name == "web");
  CHECK(t[1].backlog == 4);
  CHECK(t[2].kind == ActionKind::connect);
  CHECK(t[2].at == 100 * millisecond);
  CHECK(t[2].host == 0);
  CHECK(t[2].port == 80);
  CHECK(t[2].local_port == 0);
  CHECK(t[2].name == "c1");
  CHECK(t[3].local_port == 5000);
  CHECK(t[3].name.empty());  // the runner names it "client/<k>"
  CHECK(t[4].kind == ActionKind::send);
  CHECK(t[4].connection == "c1");
  CHECK(t[4].data == std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o', 0xc3, 0xa9});
  CHECK(t[5].connection == "server:80#1");
  CHECK(std::string(t[5].data.begin(), t[5].data.end()) == "abcdefghijklmnopqrstuvwxyzabcd");
  CHECK(t[6].kind == ActionKind::close);
  CHECK(t[6].connection == "client/2");
  CHECK(t[7].kind == ActionKind::abort);
  CHECK(t[8].kind == ActionKind::crash);
  CHECK(t[9].kind == ActionKind::reboot);
  CHECK(t[9].at == 4 * second);
  CHECK(t[4].where.position() == "full.json:32:5");
  CHECK(t[4].where.json_path == "$.timeline[4]");

  // Expectations.
  const Expectations& e = s.expect;
  CHECK_FALSE(e.empty());
  REQUIRE(e.final_states.size() == 2);
  CHECK(e.final_states[0].connection == "c1");
  CHECK(e.final_states[0].state == tcp::State::time_wait);
  CHECK(e.final_states[1].connection == "server:80#1");
  CHECK(e.final_states[1].where.json_path == R"($.expect.final_states["server:80#1"])");
  REQUIRE(e.state_sequences.size() == 1);
  CHECK(e.state_sequences[0].states ==
        std::vector<tcp::State>{tcp::State::syn_sent, tcp::State::established, tcp::State::fin_wait_1});
  REQUIRE(e.app_events.size() == 2);
  REQUIRE(e.app_events[0].events.size() == 3);
  CHECK(e.app_events[0].events[1].event == tcp::AppEventKind::data);
  CHECK(e.app_events[0].events[1].at == std::optional<Time>(1020 * millisecond));
  CHECK(e.app_events[0].events[1].data == std::optional<std::vector<std::uint8_t>>({'h', 'i'}));
  CHECK(e.app_events[0].events[2].event == tcp::AppEventKind::end_of_stream);
  CHECK(e.app_events[1].connection == "client/2");
  CHECK(e.app_events[1].events.empty());
  REQUIRE(e.segments.has_value());
  REQUIRE(e.segments->size() == 2);
  CHECK((*e.segments)[0].from == 0);
  CHECK((*e.segments)[0].flags == tcp::flag::syn);
  CHECK((*e.segments)[0].ack == std::optional<std::int64_t>(-1));
  CHECK((*e.segments)[0].length == std::optional<std::uint32_t>(0));
  CHECK((*e.segments)[0].at == std::optional<Time>(100 * millisecond));
  CHECK((*e.segments)[1].flags == 0);
  CHECK_FALSE((*e.segments)[1].seq.has_value());
  CHECK(e.segments_where.json_path == "$.expect.segments");
  REQUIRE(e.counts.size() == 4);
  CHECK(e.counts[1].counter == "client.sent.SYN");
  CHECK(e.counts[1].value == 1);
  REQUIRE(e.never.size() == 3);
  CHECK(e.never[0].kind == ExpectedNever::Kind::segment);
  CHECK(e.never[0].host == std::optional<int>(1));
  CHECK(e.never[0].flags_contain == std::optional<std::uint8_t>(tcp::flag::rst));
  CHECK(e.never[1].kind == ExpectedNever::Kind::event);
  CHECK(e.never[1].event == tcp::AppEventKind::reset);
  CHECK(e.never[1].connection == std::optional<std::string>("c1"));
  CHECK(e.never[2].kind == ExpectedNever::Kind::state);
  CHECK(e.never[2].state == tcp::State::close_wait);
  CHECK_FALSE(e.never[2].host.has_value());
}

TEST_CASE("defaults of a minimal scenario", "[loader]") {
  const Scenario s = load_scenario_text(minimal(), "min.json");
  CHECK(s.seed == 1);
  CHECK(s.event_budget == 10'000'000);
  CHECK_FALSE(s.stop_at.has_value());
  CHECK(s.link.msl == 2 * minute);
  for (const auto& direction : s.link.directions) {
    CHECK(direction.delay == 10 * millisecond);
    CHECK(direction.jitter == 0);
    CHECK(direction.loss == 0);
    CHECK(direction.duplicate == 0);
    CHECK(direction.rate_bits_per_second == 0);
    CHECK(direction.queue_limit == 0);
  }
  CHECK(s.hosts[0].address == 0x0a000001U);
  CHECK(s.hosts[1].address == 0x0a000002U);
  CHECK(s.hosts[0].profile == "rfc9293");
  CHECK(s.hosts[0].ephemeral_first == 49152);  // RFC 6335's dynamic ports
  CHECK(s.hosts[0].ephemeral_last == 65535);
  const tcp::TcpConfig defaults;
  CHECK(s.hosts[0].tcp.msl == defaults.msl);
  CHECK(s.hosts[0].tcp.time_wait == 4 * minute);
  CHECK(s.hosts[0].tcp.rto_min == defaults.rto_min);
  CHECK(s.hosts[0].tcp.mss == defaults.mss);
  CHECK_FALSE(s.hosts[0].tcp.fixed_isn.has_value());
  CHECK(s.rules.empty());
  CHECK(s.expect.empty());
  CHECK(s.timeline[0].where.position() == "min.json:3:14");
}

TEST_CASE("ephemeral_ports sets the range a connect takes its port from", "[loader]") {
  const Scenario s = load_scenario_text(
      minimal("", R"([{"name": "client", "ephemeral_ports": {"first": 50000, "last": 50001}},
                      {"name": "server"}])"),
      "t.json");
  CHECK(s.hosts[0].ephemeral_first == 50000);
  CHECK(s.hosts[0].ephemeral_last == 50001);
  CHECK(s.hosts[1].ephemeral_first == 49152);
}

TEST_CASE("time_wait follows msl, the linux profile and explicit keys", "[loader]") {
  const auto host_tcp = [](const std::string& host) {
    return load_scenario_text(minimal("", "[" + host + R"(, {"name": "server"}])"), "t.json").hosts[0].tcp;
  };
  CHECK(host_tcp(R"({"name": "client", "tcp": {"msl": "1s"}})").time_wait == 2 * second);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"msl": "0s"}})").time_wait == 0);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"msl": "1s", "time_wait": "5s"}})").time_wait == 5 * second);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"time_wait": "0s"}})").time_wait == 0);
  CHECK(host_tcp(R"({"name": "client", "profile": "linux"})").time_wait == 60 * second);
  const auto linux_short_msl = host_tcp(R"({"name": "client", "profile": "linux", "tcp": {"msl": "1s"}})");
  CHECK(linux_short_msl.time_wait == 60 * second);
  CHECK(linux_short_msl.msl == 1 * second);
  const auto linux_rto = host_tcp(R"({"name": "client", "profile": "linux", "tcp": {"rto_min": "300ms"}})");
  CHECK(linux_rto.rto_min == 300 * millisecond);
  CHECK(linux_rto.rto_max == 120 * second);
}

TEST_CASE("parse_duration", "[loader][duration]") {
  struct Case {
    const char* text;
    const char* result;
  };
  const Case cases[] = {
      {"0", "ok 0"},
      {"0s", "ok 0"},
      {"10ns", "ok 10"},
      {"500us", "ok 500000"},
      {"150ms", "ok 150000000"},
      {"2s", "ok 2000000000"},
      {"1.5s", "ok 1500000000"},
      {"1.000000001s", "ok 1000000001"},
      {"1.0000000010s", "ok 1000000001"},
      {"0.5ns", R"(duration "0.5ns" is not a whole number of nanoseconds)"},
      {"1.0000000001s", R"(duration "1.0000000001s" is not a whole number of nanoseconds)"},
      {"4min", "ok 240000000000"},
      {"0.00000000005min", "ok 3"},
      {"1h", "ok 3600000000000"},
      {"2562047h", "ok 9223369200000000000"},
      {"9223372036854775807ns", "ok 9223372036854775807"},
      {"9223372036854775808ns", R"(duration "9223372036854775808ns" overflows 64-bit nanoseconds)"},
      {"9999999999h", R"(duration "9999999999h" overflows 64-bit nanoseconds)"},
      {"99999999999999999999999s", R"(duration "99999999999999999999999s" overflows 64-bit nanoseconds)"},
      {"-1s", R"(duration "-1s" is negative)"},
      {"150", R"(duration "150" needs a unit: ns, us, ms, s, min or h)"},
      {"1.5", R"(duration "1.5" needs a unit: ns, us, ms, s, min or h)"},
      {"2mins", R"(duration "2mins" has unknown unit "mins", expected ns, us, ms, s, min or h)"},
      {"2 mins", R"(expected a duration such as "150ms" or "2min", got "2 mins")"},
      {"", R"(expected a duration such as "150ms" or "2min", got "")"},
      {".5s", R"(expected a duration such as "150ms" or "2min", got ".5s")"},
      {"5.s", R"(expected a duration such as "150ms" or "2min", got "5.s")"},
      {"1e3s", R"(expected a duration such as "150ms" or "2min", got "1e3s")"},
      {"+1s", R"(expected a duration such as "150ms" or "2min", got "+1s")"},
      {"1s ", R"(expected a duration such as "150ms" or "2min", got "1s ")"},
      {"1h30min", R"(expected a duration such as "150ms" or "2min", got "1h30min")"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(duration_error(c.text) == c.result);
  }
}

TEST_CASE("probabilities are exact parts per billion", "[loader][probability]") {
  const auto loss_of = [](const std::string& number) {
    return load_scenario_text(minimal(R"("link": {"loss": )" + number + "}"), "t.json").link.directions[0].loss;
  };
  CHECK(loss_of("0") == 0);
  CHECK(loss_of("-0") == 0);
  CHECK(loss_of("0.0") == 0);
  CHECK(loss_of("1") == 1'000'000'000);
  CHECK(loss_of("1.0") == 1'000'000'000);
  CHECK(loss_of("0.1") == 100'000'000);
  CHECK(loss_of("0.3") == 300'000'000);
  CHECK(loss_of("0.333333333") == 333'333'333);
  CHECK(loss_of("0.000000001") == 1);
  CHECK(loss_of("0.1000000000000") == 100'000'000);
  CHECK(loss_of("1e-9") == 1);
  CHECK(loss_of("2.5E-1") == 250'000'000);
  CHECK(loss_of("0.0001e4") == 1'000'000'000);
  CHECK(loss_of("1e0") == 1'000'000'000);

  const std::string prefix = "t.json:2:18: error: at $.link.loss: ";
  CHECK(error_of(minimal(R"("link": {"loss": 1.5})")) ==
        prefix + "expected a probability between 0 and 1, got 1.5");
  CHECK(error_of(minimal(R"("link": {"loss": -0.1})")) ==
        prefix + "expected a probability between 0 and 1, got -0.1");
  CHECK(error_of(minimal(R"("link": {"loss": 1.000000001})")) ==
        prefix + "expected a probability between 0 and 1, got 1.000000001");
  CHECK(error_of(minimal(R"("link": {"loss": 1e400})")) ==
        prefix + "expected a probability between 0 and 1, got 1e400");
  CHECK(error_of(minimal(R"("link": {"loss": 0.0000000001})")) ==
        prefix + "probability 0.0000000001 is finer than 1e-9 (at most 9 decimals)");
  CHECK(error_of(minimal(R"("link": {"loss": 1e-400})")) ==
        prefix + "probability 1e-400 is finer than 1e-9 (at most 9 decimals)");
  CHECK(error_of(minimal(R"("link": {"loss": "10%"})")) ==
        prefix + "expected a probability between 0 and 1, got a string");
}

TEST_CASE("integers may be written in any exact JSON form", "[loader]") {
  const auto port_of = [](const std::string& number) {
    return load_scenario_text(minimal("", R"([{"name": "client"}, {"name": "server"}])",
                                      R"([{"at": "0s", "host": "server", "action": "listen", "port": )" +
                                          number + "}]"),
                              "t.json")
        .timeline[0]
        .port;
  };
  CHECK(port_of("80") == 80);
  CHECK(port_of("80.0") == 80);
  CHECK(port_of("8e1") == 80);
  CHECK(port_of("8000E-2") == 80);
  CHECK(port_of("0.8e2") == 80);
  CHECK(error_of(minimal("", R"([{"name": "client"}, {"name": "server"}])",
                         R"([{"at": "0s", "host": "server", "action": "listen", "port": 8.55e1}])")) ==
        "t.json:3:73: error: at $.timeline[0].port: expected an integer between 1 and 65535, got 8.55e1");
  CHECK(error_of(minimal("", R"([{"name": "client"}, {"name": "server"}])",
                         R"([{"at": "0s", "host": "server", "action": "listen", "port": 1e999999999999}])")) ==
        "t.json:3:73: error: at $.timeline[0].port: expected an integer between 1 and 65535, got 1e999999999999");
  CHECK(load_scenario_text(minimal(R"("seed": 1.8446744073709551615e19)"), "t.json").seed == 18446744073709551615ULL);
}

TEST_CASE("rates", "[loader]") {
  const auto rate_of = [](const std::string& rate) {
    return load_scenario_text(minimal(R"("link": {"rate": )" + rate + "}"), "t.json")
        .link.directions[1]
        .rate_bits_per_second;
  };
  CHECK(rate_of("0") == 0);
  CHECK(rate_of("1500") == 1500);
  CHECK(rate_of(R"("1500bps")") == 1500);
  CHECK(rate_of(R"("64kbps")") == 64'000);
  CHECK(rate_of(R"("1.5Mbps")") == 1'500'000);
  CHECK(rate_of(R"("1Gbps")") == 1'000'000'000);
  const std::string prefix = "t.json:2:18: error: at $.link.rate: ";
  CHECK(error_of(minimal(R"("link": {"rate": "10 Mbps"})")) ==
        prefix + R"(expected a rate such as "10Mbps", "64kbps", "1Gbps" or an integer number of bits per second, got "10 Mbps")");
  CHECK(error_of(minimal(R"("link": {"rate": "10MBps"})")) ==
        prefix + R"(rate "10MBps" has unknown unit "MBps" (units: bps, kbps, Mbps, Gbps))");
  CHECK(error_of(minimal(R"("link": {"rate": "1.5bps"})")) ==
        prefix + R"(rate "1.5bps" is not a whole number of bits per second)");
  CHECK(error_of(minimal(R"("link": {"rate": -1})")) ==
        prefix + R"(expected a rate such as "10Mbps", "64kbps", "1Gbps" or an integer number of bits per second, got -1)");
}

TEST_CASE("JSON syntax errors name the offending byte", "[loader][errors]") {
  CHECK(error_of("") == "t.json:1:1: error: at $: empty file, expected a JSON object");
  CHECK(error_of(" \n\t ") == "t.json:1:1: error: at $: empty file, expected a JSON object");
  CHECK(error_of("[]") == "t.json:1:1: error: at $: expected an object, got an array");
  CHECK(error_of("{\"tcpsim\": 1,}") ==
        "t.json:1:14: error: at $: invalid JSON: a trailing comma before '}' is not allowed");
  CHECK(error_of("{\"a\": [1, 2 , ]}") ==
        "t.json:1:15: error: at $.a: invalid JSON: a trailing comma before ']' is not allowed");
  CHECK(error_of("{\"a\": [1, 2") == "t.json:1:12: error: at $.a: invalid JSON: unexpected end of file, expected ',' or ']'");
  CHECK(error_of("{\"a\": tru}") == "t.json:1:10: error: at $.a: invalid JSON: unexpected character '}', expected 'e' in \"true\"");
  CHECK(error_of("{\"a\": 01}") == "t.json:1:8: error: at $.a: invalid JSON: a number cannot have leading zeros");
  CHECK(error_of("{\"a\": 1.}") == "t.json:1:9: error: at $.a: invalid JSON: unexpected character '}', expected a digit after '.'");
  CHECK(error_of("{\"a\": \"x\ny\"}") ==
        "t.json:1:9: error: at $.a: invalid JSON: control character 0x0a in a string must be escaped");
  CHECK(error_of("{\"a\": \"\\q\"}") == "t.json:1:9: error: at $.a: invalid JSON: invalid escape sequence '\\q' in a string");
  CHECK(error_of("{\"a\": \"\\\n\"}") ==
        "t.json:1:9: error: at $.a: invalid JSON: invalid escape sequence: a backslash followed by byte 0x0a in a string");
  CHECK(error_of("{\"a\": \"\\\xc3\xa9\"}") ==
        "t.json:1:9: error: at $.a: invalid JSON: invalid escape sequence: a backslash followed by byte 0xc3 in a string");
  CHECK(error_of("{\"a\": \"\\ud800\"}") ==
        "t.json:1:8: error: at $.a: invalid JSON: high surrogate in a \\u escape not followed by a low one");
  CHECK(error_of("{\"a\": \"\\udc00\"}") == "t.json:1:8: error: at $.a: invalid JSON: unpaired low surrogate in a \\u escape");
  CHECK(error_of("{\"a\": \"\xc3\x28\"}") == "t.json:1:8: error: at $.a: invalid JSON: invalid UTF-8 byte 0xc3 in a string");
  CHECK(error_of("{\"a\": \"\xed\xa0\x80\"}") == "t.json:1:8: error: at $.a: invalid JSON: invalid UTF-8 byte 0xed in a string");
  CHECK(error_of("{\"a\": \"\xc0\xaf\"}") == "t.json:1:8: error: at $.a: invalid JSON: invalid UTF-8 byte 0xc0 in a string");
  CHECK(error_of("{} {}") == "t.json:1:4: error: at $: invalid JSON: unexpected character '{' after the top-level value");
  CHECK(error_of("{}\n\x01") == "t.json:2:1: error: at $: invalid JSON: unexpected byte 0x01 after the top-level value");
  CHECK(error_of("\xef\xbb\xbf{}") == "t.json:1:1: error: at $: invalid JSON: a byte order mark is not allowed");
  CHECK(error_of("{\"a\": 1, \"a\": 2}") == "t.json:1:10: error: at $.a: invalid JSON: duplicate key \"a\"");
  CHECK(error_of("{\"a b\": {\"x\": 1, \"x\": 2}}") ==
        "t.json:1:18: error: at $[\"a b\"].x: invalid JSON: duplicate key \"x\"");
  CHECK(error_of(std::string("{\"a\": \"x\0y\"}", 12)) ==
        "t.json:1:9: error: at $.a: invalid JSON: control character 0x00 in a string must be escaped");
  CHECK(error_of("{\"a\": /* no */ 1}") ==
        "t.json:1:7: error: at $.a: invalid JSON: unexpected character '/', expected a value");
  CHECK(error_of("{\"a\":\r\n  NaN}") == "t.json:2:3: error: at $.a: invalid JSON: unexpected character 'N', expected a value");
  // Strings decode every escape, surrogate pairs included.
  const Scenario s = load_scenario_text(
      minimal("", R"([{"name": "client"}, {"name": "server"}])",
              R"([{"at": "0s", "host": "server", "action": "listen", "port": 80},
                  {"at": "1s", "host": "server", "action": "send", "connection": "server:80#1",
                   "data": "\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00\u0000"}])"),
      "t.json");
  CHECK(s.timeline[1].data == std::vector<std::uint8_t>{'"', '\\', '/', '\b', '\f', '\n', '\r', '\t', 'A', 0xc3,
                                                        0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x00});
}

TEST_CASE("nesting is limited to 64 levels", "[loader][errors]") {
  std::string deep_ok = "{\"x\": " + std::string(63, '[') + std::string(63, ']') + "}";
  CHECK(error_of(deep_ok).find("nesting") == std::string::npos);
  std::string too_deep = "{\"x\": " + std::string(64, '[') + std::string(64, ']') + "}";
  // The path ($.x and 63 times [0]: 192 bytes) is shown as its first and last 40 bytes
  // (runner/visible_text.hpp), so that an error line stays short.
  std::string path = "$.x";
  for (int i = 0; i < 12; ++i) path += "[0]";
  path += "[...]";
  for (int i = 0; i < 13; ++i) path += "[0]";
  CHECK(error_of(too_deep) == "t.json:1:70: error: at " + path + ": invalid JSON: nesting deeper than 64 levels");
  // 100 000 levels: refused at level 65, without recursing further.
  const std::string huge = std::string(100'000, '[');
  CHECK(error_of(huge).find("t.json:1:65: error: at $[0]") == 0);
}

TEST_CASE("type, key and value errors", "[loader][errors]") {
  // Top level.
  CHECK(error_of(R"({"name": "t"})") ==
        R"(t.json:1:1: error: at $: missing required key "tcpsim" (the format version: "tcpsim": 1))");
  CHECK(error_of(R"({"tcpsim": 2, "frobnicate": true})") ==
        "t.json:1:12: error: at $.tcpsim: unsupported format version 2, this tcpsim reads version 1");
  CHECK(error_of(R"({"tcpsim": "1"})") ==
        "t.json:1:12: error: at $.tcpsim: expected the format version 1, got a string");
  CHECK(error_of(R"({"tcpsim": 1, "name": "t", "descripton": "d"})") ==
        R"(t.json:1:28: error: at $.descripton: unknown key "descripton", did you mean "description"?)");
  CHECK(error_of(R"({"tcpsim": 1, "zzz": 1})") ==
        R"(t.json:1:15: error: at $.zzz: unknown key "zzz", expected one of "tcpsim", "name", "description", "description_zh", "seed", "link", "hosts", "faults", "timeline", "stop_at", "event_budget", "memory_budget", "expect")");
  CHECK(error_of(R"({"tcpsim": 1, "name": "t"})") == R"(t.json:1:1: error: at $: missing required key "description")");
  CHECK(error_of(R"({"tcpsim": 1, "name": 5, "description": "d"})") ==
        "t.json:1:23: error: at $.name: expected a string, got a number");
  CHECK(error_of(R"({"tcpsim": 1, "name": "Big Name", "description": "d"})") ==
        R"(t.json:1:23: error: at $.name: invalid scenario name "Big Name": expected lowercase letters, digits and '-', starting with a letter or digit)");
  CHECK(error_of(R"({"tcpsim": 1, "name": "t", "description": ""})") ==
        "t.json:1:43: error: at $.description: expected a non-empty string");
  CHECK(error_of(minimal(R"("seed": -1)")) ==
        "t.json:2:9: error: at $.seed: expected an integer between 0 and 18446744073709551615, got -1");
  CHECK(error_of(minimal(R"("seed": 18446744073709551616)")) ==
        "t.json:2:9: error: at $.seed: expected an integer between 0 and 18446744073709551615, got 18446744073709551616");
  CHECK(load_scenario_text(minimal(R"("seed": 18446744073709551615)"), "t.json").seed == 18446744073709551615ULL);
  CHECK(error_of(minimal(R"("event_budget": 0)")) ==
        "t.json:2:17: error: at $.event_budget: expected an integer between 1 and 1000000000, got 0");
  CHECK(error_of(minimal(R"("stop_at": 10)")) ==
        R"(t.json:2:12: error: at $.stop_at: expected a duration such as "150ms" or "2min", got a number)");

  // Link.
  CHECK(error_of(minimal(R"("link": {"dealy": "1ms"})")) ==
        R"(t.json:2:10: error: at $.link.dealy: unknown key "dealy", did you mean "delay"?)");
  CHECK(error_of(minimal(R"("link": [])")) == "t.json:2:9: error: at $.link: expected an object, got an array");
  CHECK(error_of(minimal(R"("link": {"forward": {"msl": "1s"}})")) ==
        R"(t.json:2:22: error: at $.link.forward.msl: "msl" applies to the whole link, not to one direction)");
  CHECK(error_of(minimal(R"("link": {"reorder": {"probability": 0.1}})")) ==
        R"(t.json:2:21: error: at $.link.reorder: missing required key "extra_delay")");
  CHECK(error_of(minimal(R"("link": {"queue_limit": 1.5})")) ==
        "t.json:2:25: error: at $.link.queue_limit: expected an integer between 0 and 4294967295, got 1.5");

  // Hosts.
  CHECK(error_of(minimal("", "{}")) == "t.json:2:10: error: at $.hosts: expected an array, got an object");
  CHECK(error_of(minimal("", R"([{"name": "a"}])")) == "t.json:2:10: error: at $.hosts: expected exactly 2 hosts, got 1");
  CHECK(error_of(minimal("", R"([{"name": "a"}, {"name": "a"}])")) ==
        R"(t.json:2:35: error: at $.hosts[1].name: duplicate host name "a", already used by $.hosts[0])");
  CHECK(error_of(minimal("", R"([{"name": "a", "address": "10.0.0.2"}, {"name": "b"}])")) ==
        R"(t.json:2:49: error: at $.hosts[1]: address 10.0.0.2 is already used by host "a" (the default address of the host at index 1))");
  CHECK(error_of(minimal("", R"([{"name": "a", "address": "10.0.0.256"}, {"name": "b"}])")) ==
        R"(t.json:2:36: error: at $.hosts[0].address: expected an IPv4 address such as "10.0.0.1", got "10.0.0.256")");
  // inet_aton reads "010" as octal 8: a leading zero is refused, saying why.
  CHECK(error_of(minimal("", R"([{"name": "a", "address": "010.0.0.1"}, {"name": "b"}])")) ==
        "t.json:2:36: error: at $.hosts[0].address: address \"010.0.0.1\" has a part with a "
        "leading zero, which inet_aton reads as octal (\"010\" is 8): write each part in "
        "decimal without leading zeros");
  CHECK(error_of(minimal("", R"([{"name": "a", "address": "10.0.0.01"}, {"name": "b"}])"))
            .find("leading zero") != std::string::npos);
  const auto ports_error = [](const std::string& ports) {
    return error_of(minimal("", R"([{"name": "a", "ephemeral_ports": )" + ports +
                                    R"(}, {"name": "b"}])"));
  };
  CHECK(ports_error(R"({"first": 5001, "last": 5000})") ==
        "t.json:2:68: error: at $.hosts[0].ephemeral_ports.last: the last ephemeral port 5000 "
        "comes before the first, 5001");
  CHECK(ports_error(R"({"first": 0, "last": 5000})").find("$.hosts[0].ephemeral_ports.first") !=
        std::string::npos);
  CHECK(ports_error(R"({"first": 5000})").find("missing required key \"last\"") !=
        std::string::npos);
  CHECK(error_of(minimal("", R"([{"name": "a", "profile": "linx"}, {"name": "b"}])")) ==
        R"(t.json:2:36: error: at $.hosts[0].profile: unknown profile "linx", expected one of "rfc9293", "linux", "freebsd" (did you mean "linux"?))");
  CHECK(error_of(minimal("", R"([{"name": "A"}, {"name": "b"}])")) ==
        R"(t.json:2:20: error: at $.hosts[0].name: invalid host name "A": expected a lowercase letter followed by lowercase letters, digits, '_' or '-')");
  CHECK(error_of(minimal("", R"([{"name": "link"}, {"name": "b"}])")) ==
        R"(t.json:2:20: error: at $.hosts[0].name: host name "link" is reserved for the link's counters)");

  // TCP knobs.
  const auto tcp_error = [](const std::string& knobs) {
    return error_of(minimal("", R"([{"name": "a", "tcp": )" + knobs + R"(}, {"name": "b"}])"));
  };
  CHECK(tcp_error(R"({"msl": "2 mins"})") ==
        R"(t.json:2:40: error: at $.hosts[0].tcp.msl: expected a duration such as "150ms" or "2min", got "2 mins")");
  CHECK(tcp_error(R"({"isn": -1})") ==
        "t.json:2:40: error: at $.hosts[0].tcp.isn: expected an integer between 0 and 4294967295, got -1");
  CHECK(tcp_error(R"({"isn": "fixed"})") ==
        R"(t.json:2:40: error: at $.hosts[0].tcp.isn: expected an integer between 0 and 4294967295 or one of "random", "clock", "rfc6528", got "fixed")");
  CHECK(tcp_error(R"({"syn_retries": 101})") ==
        "t.json:2:48: error: at $.hosts[0].tcp.syn_retries: expected an integer between 0 and 100, got 101");
  CHECK(tcp_error(R"({"mss": 0})") == "t.json:2:40: error: at $.hosts[0].tcp.mss: expected an integer between 1 and 65535, got 0");
  CHECK(tcp_error(R"({"window": 65535})") ==
        R"(t.json:2:33: error: at $.hosts[0].tcp.window: unknown key "window", did you mean "receive_buffer"? (the window advertised is the receive buffer's free space))");
  CHECK(tcp_error(R"({"rto_min": "2min"})") ==
        "t.json:2:44: error: at $.hosts[0].tcp.rto_min: rto_min 2min is greater than rto_max 1min");
  CHECK(tcp_error(R"({"rto_initial": "0s"})") ==
        R"(t.json:2:48: error: at $.hosts[0].tcp.rto_initial: expected a duration greater than 0, got "0s")");
  CHECK(tcp_error(R"({"handshake": "3way"})") ==
        R"(t.json:2:46: error: at $.hosts[0].tcp.handshake: unknown handshake "3way", expected one of "three-way", "two-way")");
  CHECK(tcp_error(R"({"msl": "2000000h"})") ==
        R"(t.json:2:40: error: at $.hosts[0].tcp.msl: msl "2000000h" is too large: TIME_WAIT (2 MSL) overflows 64-bit nanoseconds)");
  CHECK(tcp_error(R"({"nagel": true})") ==
        R"(t.json:2:33: error: at $.hosts[0].tcp.nagel: unknown key "nagel", did you mean "nagle"?)");
}

TEST_CASE("fault rule errors", "[loader][errors]") {
  const auto fault_error = [](const std::string& rule) {
    return error_of(minimal(R"("faults": [)" + rule + "]"));
  };
  CHECK(fault_error(R"({"match": {"from": "clinet"}, "action": "drop"})") ==
        R"(t.json:2:31: error: at $.faults[0].match.from: unknown host "clinet", expected one of "client", "server" (did you mean "client"?))");
  CHECK(fault_error(R"({"match": {"nth": 1, "count": 2}, "action": "drop"})") ==
        R"(t.json:2:33: error: at $.faults[0].match.count: "nth" and "count" are exclusive: "nth" acts on one match, "count" on the first ones)");
  CHECK(fault_error(R"({"match": {"nth": 0}, "action": "drop"})") ==
        "t.json:2:30: error: at $.faults[0].match.nth: expected an integer between 1 and 4294967295, got 0");
  CHECK(fault_error(R"({"match": {"port": 70000}, "action": "drop"})") ==
        "t.json:2:31: error: at $.faults[0].match.port: expected an integer between 1 and 65535, got 70000");
  CHECK(fault_error(R"({"match": {"flags": "SYN,AKC"}, "action": "drop"})") ==
        R"(t.json:2:32: error: at $.faults[0].match.flags: unknown flag "AKC" in "SYN,AKC", did you mean "ACK"?)");
  CHECK(fault_error(R"({"match": {"flags": "SYN,,ACK"}, "action": "drop"})") ==
        R"(t.json:2:32: error: at $.faults[0].match.flags: empty flag name in "SYN,,ACK", expected flag names such as "SYN,ACK")");
  CHECK(fault_error(R"({"match": {"flags_contain": ""}, "action": "drop"})") ==
        R"(t.json:2:40: error: at $.faults[0].match.flags_contain: expected at least one flag, got "")");
  CHECK(fault_error(R"({"match": {"length": 1, "length_min": 0}, "action": "drop"})") ==
        R"(t.json:2:36: error: at $.faults[0].match.length_min: "length" and "length_min"/"length_max" are exclusive)");
  CHECK(fault_error(R"({"match": {"length_min": 5, "length_max": 4}, "action": "drop"})") ==
        "t.json:2:54: error: at $.faults[0].match.length_max: length_max 4 is less than length_min 5");
  CHECK(fault_error(R"({"match": {"after": "2s", "before": "1s"}, "action": "drop"})") ==
        R"(t.json:2:48: error: at $.faults[0].match.before: before "1s" is earlier than after "2s")");
  CHECK(fault_error(R"({"match": {}, "action": "delay"})") ==
        R"(t.json:2:12: error: at $.faults[0]: missing required key "duration" for action "delay")");
  CHECK(fault_error(R"({"match": {}, "action": "hold"})") ==
        R"(t.json:2:12: error: at $.faults[0]: missing required key "until" for action "hold")");
  CHECK(fault_error(R"({"match": {}, "action": "drop", "until": "1s"})") ==
        R"(t.json:2:44: error: at $.faults[0].until: "until" applies only to the "hold" action)");
  CHECK(fault_error(R"({"match": {}, "action": "drop", "duration": "1s"})") ==
        R"(t.json:2:44: error: at $.faults[0].duration: "duration" applies only to the "delay" and "duplicate" actions)");
  CHECK(fault_error(R"({"action": "drop"})") == R"(t.json:2:12: error: at $.faults[0]: missing required key "match")");
  CHECK(fault_error(R"({"match": {}, "action": "dorp"})") ==
        R"(t.json:2:36: error: at $.faults[0].action: unknown action "dorp", expected one of "drop", "delay", "duplicate", "hold" (did you mean "drop"?))");
  CHECK(fault_error(R"({"name": "x", "match": {}, "action": "drop"}, {"name": "x", "match": {}, "action": "drop"})") ==
        R"(t.json:2:67: error: at $.faults[1].name: duplicate rule name "x", already used by $.faults[0])");
  CHECK(fault_error(R"({"match": {"form": "client"}, "action": "drop"})") ==
        R"(t.json:2:23: error: at $.faults[0].match.form: unknown key "form", did you mean "from"?)");
}

TEST_CASE("timeline errors", "[loader][errors]") {
  const auto timeline_error = [](const std::string& actions) {
    return error_of(minimal("", R"([{"name": "client"}, {"name": "server"}])", "[\n" + actions + "]"));
  };
  CHECK(timeline_error(R"({"at": "2s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "client", "action": "connect", "to": "server", "port": 80}
)") == "t.json:5:8: error: at $.timeline[1].at: actions must be in time order: 1s comes after 2s");
  CHECK(timeline_error(R"({"at": "0s", "host": "sever", "action": "listen", "port": 80})") ==
        R"(t.json:4:22: error: at $.timeline[0].host: unknown host "sever", expected one of "client", "server" (did you mean "server"?))");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 0})") ==
        "t.json:4:60: error: at $.timeline[0].port: expected an integer between 1 and 65535, got 0");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen"})") ==
        R"(t.json:4:1: error: at $.timeline[0]: missing required key "port")");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "lisen"})") ==
        R"(t.json:4:42: error: at $.timeline[0].action: unknown action "lisen", expected one of "listen", "connect", "send", "read", "stop_reading", "resume_reading", "close", "abort", "configure", "crash", "reboot", "inject" (did you mean "listen"?))");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "crash", "port": 1})") ==
        R"(t.json:4:51: error: at $.timeline[0].port: unknown key "port", expected one of "at", "host", "action", "on", "after", "id")");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "client", "port": 80})") ==
        R"(t.json:4:59: error: at $.timeline[0].to: host "client" cannot connect to itself)");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c 1"})") ==
        R"(t.json:4:89: error: at $.timeline[0].name: invalid connection name "c 1": expected letters, digits, '_', '.', ':' or '-')");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
{"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 81, "name": "c1"})") ==
        R"(t.json:5:89: error: at $.timeline[1].name: duplicate connection name "c1", already used by $.timeline[0].name)");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "0s", "host": "server", "action": "listen", "port": 80})") ==
        R"(t.json:5:1: error: at $.timeline[1]: duplicate listener name "server:80", already used by $.timeline[0] (give this listen a distinct "name"))");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
{"at": "1s", "host": "client", "action": "send", "connection": "c2", "data": "x"})") ==
        R"(t.json:5:64: error: at $.timeline[1].connection: unknown connection "c2" on host "client": no earlier connect or listen declares it (did you mean "c1"?))");
  CHECK(timeline_error(R"({"at": "1s", "host": "client", "action": "close", "connection": "client/1"})") ==
        R"(t.json:4:65: error: at $.timeline[0].connection: unknown connection "client/1" on host "client": no earlier connect or listen declares it)");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80},
{"at": "1s", "host": "client", "action": "close", "connection": "client/2"})") ==
        R"(t.json:5:65: error: at $.timeline[1].connection: unknown connection "client/2" on host "client": no earlier connect or listen declares it (did you mean "client/1"?))");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
{"at": "1s", "host": "server", "action": "abort", "connection": "c1"})") ==
        R"(t.json:5:65: error: at $.timeline[1].connection: connection "c1" belongs to host "client", not to "server")");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "send", "connection": "server:80", "data": "x"})") ==
        R"(t.json:5:64: error: at $.timeline[1].connection: "server:80" is a listener, not a connection; its connections are "server:80#1", "server:80#2", ...)");
  // close and abort take a listener of their host (CLOSE and ABORT in LISTEN).
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "close", "connection": "server:80"})") == "no error");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "client", "action": "abort", "connection": "server:80"})") ==
        R"(t.json:5:65: error: at $.timeline[1].connection: listener "server:80" belongs to host "server", not to "client")");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "send", "connection": "server:80#1"})") ==
        R"(t.json:5:1: error: at $.timeline[1]: missing required key "data" or "bytes")");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "send", "connection": "server:80#1", "data": "x", "bytes": 3})") ==
        R"(t.json:5:92: error: at $.timeline[1].bytes: "data" and "bytes" are exclusive)");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "send", "connection": "server:80#1", "bytes": 134217729})") ==
        "t.json:5:88: error: at $.timeline[1].bytes: expected an integer between 1 and 134217728, got 134217729");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "server", "action": "send", "connection": "server:80#01", "data": "x"})") ==
        R"(t.json:5:64: error: at $.timeline[1].connection: unknown connection "server:80#01" on host "server": no earlier connect or listen declares it (did you mean "server:80#1"?))");
  CHECK(timeline_error(R"(5)") == "t.json:4:1: error: at $.timeline[0]: expected an object, got a number");
  CHECK(timeline_error(R"({"host": "server", "action": "crash"})") ==
        R"(t.json:4:1: error: at $.timeline[0]: missing required key "at" (or "on", for an action that runs on a trigger))");
}

TEST_CASE("an action at the end of representable time is rejected", "[loader][errors][time]") {
  // docs/design.md, "Time": nothing runs at time_never, so an action there would never run.
  const auto crash_at = [](const std::string& at) {
    return error_of(minimal("", R"([{"name": "client"}, {"name": "server"}])",
                            R"([{"at": ")" + at + R"(", "host": "server", "action": "crash"}])"));
  };
  CHECK(crash_at("9223372036854775807ns") ==
        R"(t.json:3:21: error: at $.timeline[0].at: action time "9223372036854775807ns" is the end )"
        R"(of representable time (2^63-1 ns), when nothing runs: an action must come earlier)");
  CHECK(crash_at("9223372036.854775807s") ==
        R"(t.json:3:21: error: at $.timeline[0].at: action time "9223372036.854775807s" is the end )"
        R"(of representable time (2^63-1 ns), when nothing runs: an action must come earlier)");
  CHECK(crash_at("9223372036854775806ns") == "no error");
  CHECK(crash_at("2562047h") == "no error");
}

TEST_CASE("expectation errors", "[loader][errors]") {
  const std::string timeline = R"([{"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"}])";
  const auto expect_error = [&](const std::string& expect) {
    return error_of(minimal(R"("expect": )" + expect, R"([{"name": "client"}, {"name": "server"}])", timeline));
  };
  CHECK(expect_error(R"({"final_states": {"c2": "CLOSED"}})") ==
        R"(t.json:2:35: error: at $.expect.final_states.c2: unknown connection "c2": no connect or listen in the timeline declares it (did you mean "c1"?))");
  CHECK(expect_error(R"({"final_states": {"c1": "ESTABLISH"}})") ==
        R"(t.json:2:35: error: at $.expect.final_states.c1: unknown state "ESTABLISH", did you mean "ESTABLISHED"?)");
  CHECK(expect_error(R"({"final_states": {"server/7": "CLOSED", "client/2": "CLOSED"}})") ==
        R"(t.json:2:63: error: at $.expect.final_states["client/2"]: unknown connection "client/2": no connect or listen in the timeline declares it (did you mean "client/1"?))");
  CHECK(expect_error(R"({"states": {"c1": []}})") ==
        "t.json:2:29: error: at $.expect.states.c1: expected a non-empty array of state names");
  CHECK(expect_error(R"({"app_events": {"c1": ["connected", "acepted"]}})") ==
        R"(t.json:2:47: error: at $.expect.app_events.c1[1]: unknown event "acepted", did you mean "accepted"?)");
  CHECK(expect_error(R"({"app_events": {"c1": [{"event": "connected", "data": "x"}]}})") ==
        R"(t.json:2:57: error: at $.expect.app_events.c1[0].data: "data" applies only to "data" events)");
  CHECK(expect_error(R"({"app_events": {"c1": [7]}})") ==
        R"(t.json:2:34: error: at $.expect.app_events.c1[0]: expected an event name or an object such as {"event": "data", "data": "hi"}, got a number)");
  CHECK(expect_error(R"({"segments": [{"from": "client"}]})") ==
        R"(t.json:2:25: error: at $.expect.segments[0]: missing required key "flags")");
  CHECK(expect_error(R"({"segments": [{"from": "client", "flags": "SYN", "len": -1}]})") ==
        "t.json:2:67: error: at $.expect.segments[0].len: expected an integer between 0 and 4294967295, got -1");
  CHECK(expect_error(R"({"counts": {"server.acepted": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["server.acepted"]: unknown counter "server.acepted", did you mean "server.accepted"?)");
  CHECK(expect_error(R"({"counts": {"nobody.sent": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["nobody.sent"]: unknown counter "nobody.sent", expected "<host>.<event>", "<host>.sent", "<host>.sent.<FLAG>", "<host>.retransmissions", "<host>.fast_retransmissions", "<host>.window_probes", "<host>.keepalive_probes", "<host>.discarded", "<host>.connections", "<host>.bytes_received", "<host>.injected", "link.dropped", "link.expired", "link.duplicated" or "link.delayed")");
  CHECK(expect_error(R"({"counts": {"client.sent": -1}})") ==
        R"(t.json:2:38: error: at $.expect.counts["client.sent"]: expected a non-negative integer, got -1)");
  CHECK(expect_error(R"({"never": [{"event": "reset", "state": "CLOSED"}]})") ==
        R"(t.json:2:41: error: at $.expect.never[0].state: a "never" entry holds exactly one of "segment", "event" or "state")");
  CHECK(expect_error(R"({"never": [{"host": "client"}]})") ==
        R"(t.json:2:22: error: at $.expect.never[0]: missing required key: one of "segment", "event" or "state")");
  CHECK(expect_error(R"({"never": [{"state": "CLOSED", "host": "server", "connection": "c1"}]})") ==
        R"(t.json:2:74: error: at $.expect.never[0].connection: connection "c1" belongs to host "client", not to "server")");
  CHECK(expect_error(R"({"never": [{"segment": {"from": "client"}, "host": "client"}]})") ==
        R"(t.json:2:54: error: at $.expect.never[0].host: unknown key "host", expected one of "segment")");
  CHECK(expect_error(R"({"invariants": ["delivry"]})") ==
        R"(t.json:2:27: error: at $.expect.invariants[0]: unknown invariant "delivry", expected one of "delivery", "progress", "ack_storm", "window" (did you mean "delivery"?))");
  CHECK(expect_error(R"({"invariants": ["expectations"]})") ==
        R"(t.json:2:27: error: at $.expect.invariants[0]: unknown invariant "expectations", expected one of "delivery", "progress", "ack_storm", "window")");
  CHECK(expect_error(R"({"invariants": "window"})") ==
        R"(t.json:2:26: error: at $.expect.invariants: expected an array, got a string)");
  CHECK(expect_error(R"({"fina_states": {}})") ==
        R"(t.json:2:12: error: at $.expect.fina_states: unknown key "fina_states", did you mean "final_states"?)");
}

TEST_CASE("data transfer knobs: defaults, the linux profile and explicit values", "[loader][knobs]") {
  const auto host_tcp = [](const std::string& host) {
    return load_scenario_text(minimal("", "[" + host + R"(, {"name": "server"}])"), "t.json").hosts[0].tcp;
  };
  const tcp::TcpConfig rfc = host_tcp(R"({"name": "client"})");
  CHECK(rfc.send_buffer == 65536);
  CHECK(rfc.receive_buffer == 65535);
  CHECK(rfc.nagle);
  CHECK(rfc.delayed_ack == 0);
  CHECK(rfc.duplicate_ack_threshold == 3);
  CHECK_FALSE(rfc.keepalive);
  CHECK(rfc.keepalive_idle == 2 * hour);
  CHECK(rfc.keepalive_interval == 75 * second);
  CHECK(rfc.keepalive_probes == 9);
  CHECK(rfc.user_timeout == 0);
  CHECK(rfc.fin_wait_2_timeout == 0);
  CHECK(rfc.retransmit_syn_ack);
  CHECK(rfc.retransmit_fin);

  // The linux profile: tcp_fin_timeout; the keepalive defaults are Linux's already; delayed ACK
  // stays off (Linux's is dynamic); Nagle on.
  for (const char* host : {R"({"name": "client", "profile": "linux"})",
                           R"({"name": "client", "profile": "linux", "tcp": {"mss": 1460}})"}) {
    INFO(host);
    const tcp::TcpConfig linux = host_tcp(host);
    CHECK(linux.fin_wait_2_timeout == 60 * second);
    CHECK(linux.keepalive_idle == 7200 * second);
    CHECK(linux.keepalive_interval == 75 * second);
    CHECK(linux.keepalive_probes == 9);
    CHECK_FALSE(linux.keepalive);
    CHECK(linux.delayed_ack == 0);
    CHECK(linux.nagle);
    CHECK(linux.send_buffer == 65536);
    CHECK(linux.receive_buffer == 65535);
  }
  CHECK(host_tcp(R"({"name": "client", "profile": "linux", "tcp": {"fin_wait_2_timeout": "0"}})").fin_wait_2_timeout == 0);

  const tcp::TcpConfig set = host_tcp(R"({"name": "client", "tcp": {
      "send_buffer": 4096, "receive_buffer": 0, "nagle": false, "delayed_ack": "200ms",
      "duplicate_ack_threshold": 0, "keepalive": true, "keepalive_idle": "10s", "keepalive_interval": "1.5s",
      "keepalive_probes": 1000, "user_timeout": "30s", "fin_wait_2_timeout": "2min",
      "retransmit_syn_ack": false, "retransmit_fin": false}})");
  CHECK(set.send_buffer == 4096);
  CHECK(set.receive_buffer == 0);
  CHECK_FALSE(set.nagle);
  CHECK(set.delayed_ack == 200 * millisecond);
  CHECK(set.duplicate_ack_threshold == 0);
  CHECK(set.keepalive);
  CHECK(set.keepalive_idle == 10 * second);
  CHECK(set.keepalive_interval == 1500 * millisecond);
  CHECK(set.keepalive_probes == 1000);
  CHECK(set.user_timeout == 30 * second);
  CHECK(set.fin_wait_2_timeout == 2 * minute);
  CHECK_FALSE(set.retransmit_syn_ack);
  CHECK_FALSE(set.retransmit_fin);

  // Bounds are inclusive.
  CHECK(host_tcp(R"({"name": "client", "tcp": {"send_buffer": 1}})").send_buffer == 1);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"send_buffer": 67108864}})").send_buffer == 67108864);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"receive_buffer": 16777216}})").receive_buffer == 16777216);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"delayed_ack": "500ms"}})").delayed_ack == 500 * millisecond);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"delayed_ack": "0.5s"}})").delayed_ack == 500 * millisecond);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"delayed_ack": "0"}})").delayed_ack == 0);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"duplicate_ack_threshold": 100}})").duplicate_ack_threshold == 100);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"keepalive_probes": 1}})").keepalive_probes == 1);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"user_timeout": "0s"}})").user_timeout == 0);
  CHECK(host_tcp(R"({"name": "client", "tcp": {"nagle": true, "keepalive": false}})").nagle);
}

TEST_CASE("data transfer knob errors", "[loader][errors][knobs]") {
  const auto tcp_error = [](const std::string& knobs) {
    return error_of(minimal("", R"([{"name": "a", "tcp": )" + knobs + R"(}, {"name": "b"}])"));
  };
  const std::string at = "t.json:2:";
  CHECK(tcp_error(R"({"send_buffer": 0})") ==
        at + "48: error: at $.hosts[0].tcp.send_buffer: expected an integer between 1 and 67108864, got 0");
  CHECK(tcp_error(R"({"send_buffer": 67108865})") ==
        at + "48: error: at $.hosts[0].tcp.send_buffer: expected an integer between 1 and 67108864, got 67108865");
  CHECK(tcp_error(R"({"receive_buffer": -1})") ==
        at + "51: error: at $.hosts[0].tcp.receive_buffer: expected an integer between 0 and 16777216, got -1");
  CHECK(tcp_error(R"({"receive_buffer": 16777217})") ==
        at + "51: error: at $.hosts[0].tcp.receive_buffer: expected an integer between 0 and 16777216, got 16777217");
  CHECK(tcp_error(R"({"receive_buffer": 1.5})") ==
        at + "51: error: at $.hosts[0].tcp.receive_buffer: expected an integer between 0 and 16777216, got 1.5");
  CHECK(tcp_error(R"({"nagle": "yes"})") == at + "42: error: at $.hosts[0].tcp.nagle: expected true or false, got a string");
  CHECK(tcp_error(R"({"nagle": 1})") == at + "42: error: at $.hosts[0].tcp.nagle: expected true or false, got a number");
  CHECK(tcp_error(R"({"delayed_ack": "501ms"})") ==
        at + R"(48: error: at $.hosts[0].tcp.delayed_ack: delayed_ack "501ms" is longer than 500ms: RFC 1122 4.2.3.2 delays an ACK at most 0.5 s ("0" turns delayed ACK off))");
  CHECK(tcp_error(R"({"delayed_ack": "500.000001ms"})") ==
        at + R"(48: error: at $.hosts[0].tcp.delayed_ack: delayed_ack "500.000001ms" is longer than 500ms: RFC 1122 4.2.3.2 delays an ACK at most 0.5 s ("0" turns delayed ACK off))");
  CHECK(tcp_error(R"({"delayed_ack": 200})") ==
        at + R"(48: error: at $.hosts[0].tcp.delayed_ack: expected a duration such as "150ms" or "2min", got a number)");
  CHECK(tcp_error(R"({"duplicate_ack_threshold": 101})") ==
        at + "60: error: at $.hosts[0].tcp.duplicate_ack_threshold: expected an integer between 0 and 100, got 101");
  CHECK(tcp_error(R"({"duplicate_ack_threshold": -1})") ==
        at + "60: error: at $.hosts[0].tcp.duplicate_ack_threshold: expected an integer between 0 and 100, got -1");
  CHECK(tcp_error(R"({"keepalive": null})") == at + "46: error: at $.hosts[0].tcp.keepalive: expected true or false, got null");
  CHECK(tcp_error(R"({"keepalive_idle": "0s"})") ==
        at + R"(51: error: at $.hosts[0].tcp.keepalive_idle: expected a duration greater than 0, got "0s")");
  CHECK(tcp_error(R"({"keepalive_interval": "0"})") ==
        at + R"(55: error: at $.hosts[0].tcp.keepalive_interval: expected a duration greater than 0, got "0")");
  CHECK(tcp_error(R"({"keepalive_probes": 0})") ==
        at + "53: error: at $.hosts[0].tcp.keepalive_probes: expected an integer between 1 and 1000, got 0");
  CHECK(tcp_error(R"({"keepalive_probes": 1001})") ==
        at + "53: error: at $.hosts[0].tcp.keepalive_probes: expected an integer between 1 and 1000, got 1001");
  CHECK(tcp_error(R"({"user_timeout": "-1s"})") == at + R"(49: error: at $.hosts[0].tcp.user_timeout: duration "-1s" is negative)");
  CHECK(tcp_error(R"({"fin_wait_2_timeout": "60"})") ==
        at + R"(55: error: at $.hosts[0].tcp.fin_wait_2_timeout: duration "60" needs a unit: ns, us, ms, s, min or h)");
  CHECK(tcp_error(R"({"retransmit_syn_ack": "false"})") ==
        at + "55: error: at $.hosts[0].tcp.retransmit_syn_ack: expected true or false, got a string");
  CHECK(tcp_error(R"({"retransmit_fin": 0})") == at + "51: error: at $.hosts[0].tcp.retransmit_fin: expected true or false, got a number");
  // The former "window" names its replacement.
  CHECK(tcp_error(R"({"mss": 1000, "window": 0})") ==
        at + R"(46: error: at $.hosts[0].tcp.window: unknown key "window", did you mean "receive_buffer"? (the window advertised is the receive buffer's free space))");
  // Typos of the new keys are caught with a suggestion.
  CHECK(tcp_error(R"({"recieve_buffer": 1})") ==
        at + R"(33: error: at $.hosts[0].tcp.recieve_buffer: unknown key "recieve_buffer", did you mean "receive_buffer"?)");
  CHECK(tcp_error(R"({"keepalive_probe": 1})") ==
        at + R"(33: error: at $.hosts[0].tcp.keepalive_probe: unknown key "keepalive_probe", did you mean "keepalive_probes"?)");
  CHECK(tcp_error(R"({"retransmit_synack": true})") ==
        at + R"(33: error: at $.hosts[0].tcp.retransmit_synack: unknown key "retransmit_synack", did you mean "retransmit_syn_ack"?)");
  CHECK(tcp_error(R"({"fin_wait2_timeout": "1s"})") ==
        at + R"(33: error: at $.hosts[0].tcp.fin_wait2_timeout: unknown key "fin_wait2_timeout", did you mean "fin_wait_2_timeout"?)");
  // With no close name, the message lists every knob, in the table's order.
  std::string every_knob;
  for (const tcpsim::tcp::Knob& knob : tcpsim::tcp::knobs()) {
    every_knob += std::string(every_knob.empty() ? "" : ", ") + "\"" + std::string(knob.name) + "\"";
  }
  CHECK(every_knob.starts_with(R"("handshake", "msl", "time_wait", "isn", )"));
  CHECK(tcp_error(R"({"send_buf": 1})") ==
        at + R"(33: error: at $.hosts[0].tcp.send_buf: unknown key "send_buf", expected one of )" +
            every_knob);
}

TEST_CASE("read actions and read modes", "[loader][reads]") {
  const Scenario s = load_scenario_text(
      minimal("", R"([{"name": "client"}, {"name": "server"}])",
              R"([{"at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web", "read": "manual"},
                  {"at": "0s", "host": "server", "action": "listen", "port": 81, "read": "automatic"},
                  {"at": "0s", "host": "server", "action": "listen", "port": 82},
                  {"at": "1s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1", "read": "manual"},
                  {"at": "1s", "host": "client", "action": "connect", "to": "server", "port": 81},
                  {"at": "2s", "host": "server", "action": "read", "connection": "web#1", "bytes": 100},
                  {"at": "2s", "host": "server", "action": "read", "connection": "web#1"},
                  {"at": "3s", "host": "client", "action": "resume_reading", "connection": "c1"},
                  {"at": "4s", "host": "client", "action": "stop_reading", "connection": "client/2"},
                  {"at": "5s", "host": "client", "action": "read", "connection": "client/2", "bytes": 4294967295}])"),
      "t.json");
  const auto& t = s.timeline;
  REQUIRE(t.size() == 10);
  CHECK_FALSE(t[0].automatic_read);
  CHECK(t[1].automatic_read);
  CHECK(t[2].automatic_read);
  CHECK_FALSE(t[3].automatic_read);
  CHECK(t[4].automatic_read);
  CHECK(t[5].kind == ActionKind::read);
  CHECK(t[5].host == 1);
  CHECK(t[5].connection == "web#1");
  CHECK(t[5].read_bytes == std::optional<std::size_t>(100));
  CHECK(t[6].kind == ActionKind::read);
  CHECK_FALSE(t[6].read_bytes.has_value());  // everything buffered
  CHECK(t[7].kind == ActionKind::resume_reading);
  CHECK(t[7].connection == "c1");
  CHECK(t[8].kind == ActionKind::stop_reading);
  CHECK(t[8].connection == "client/2");
  CHECK(t[9].read_bytes == std::optional<std::size_t>(4294967295U));
  CHECK(t[9].data.empty());
}

TEST_CASE("read action errors", "[loader][errors][reads]") {
  const auto timeline_error = [](const std::string& actions) {
    return error_of(minimal("", R"([{"name": "client"}, {"name": "server"}])", "[\n" + actions + "]"));
  };
  const std::string listen = R"({"at": "0s", "host": "server", "action": "listen", "port": 80},
)";
  const std::string connect = R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
)";
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80, "read": "manul"})") ==
        R"(t.json:4:72: error: at $.timeline[0].read: unknown read mode "manul", expected one of "automatic", "manual" (did you mean "manual"?))");
  CHECK(timeline_error(R"({"at": "0s", "host": "server", "action": "listen", "port": 80, "read": true})") ==
        "t.json:4:72: error: at $.timeline[0].read: expected a string, got a boolean");
  CHECK(timeline_error(R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "read": "lazy"})") ==
        R"(t.json:4:89: error: at $.timeline[0].read: unknown read mode "lazy", expected one of "automatic", "manual")");
  CHECK(timeline_error(listen + R"({"at": "1s", "host": "server", "action": "read", "connection": "server:80#1", "bytes": 0})") ==
        "t.json:5:88: error: at $.timeline[1].bytes: expected an integer between 1 and 4294967295, got 0");
  CHECK(timeline_error(listen + R"({"at": "1s", "host": "server", "action": "read", "connection": "server:80#1", "bytes": 4294967296})") ==
        "t.json:5:88: error: at $.timeline[1].bytes: expected an integer between 1 and 4294967295, got 4294967296");
  CHECK(timeline_error(listen + R"({"at": "1s", "host": "server", "action": "read", "connection": "server:80#1", "data": "x"})") ==
        R"(t.json:5:79: error: at $.timeline[1].data: unknown key "data", expected one of "at", "host", "action", "connection", "bytes", "on", "after", "id")");
  CHECK(timeline_error(listen + R"({"at": "1s", "host": "server", "action": "read"})") ==
        R"(t.json:5:1: error: at $.timeline[1]: missing required key "connection")");
  CHECK(timeline_error(listen + R"({"at": "1s", "host": "server", "action": "read", "connection": "server:80"})") ==
        R"(t.json:5:64: error: at $.timeline[1].connection: "server:80" is a listener, not a connection; its connections are "server:80#1", "server:80#2", ...)");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "server", "action": "read", "connection": "c1"})") ==
        R"(t.json:5:64: error: at $.timeline[1].connection: connection "c1" belongs to host "client", not to "server")");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "client", "action": "stop_reading", "connection": "c2"})") ==
        R"(t.json:5:72: error: at $.timeline[1].connection: unknown connection "c2" on host "client": no earlier connect or listen declares it (did you mean "c1"?))");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "client", "action": "resume_reading", "connection": "c1", "bytes": 5})") ==
        R"(t.json:5:80: error: at $.timeline[1].bytes: unknown key "bytes", expected one of "at", "host", "action", "connection", "on", "after", "id")");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "client", "action": "stop_reading"})") ==
        R"(t.json:5:1: error: at $.timeline[1]: missing required key "connection")");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "client", "action": "resume", "connection": "c1"})") ==
        R"(t.json:5:42: error: at $.timeline[1].action: unknown action "resume", expected one of "listen", "connect", "send", "read", "stop_reading", "resume_reading", "close", "abort", "configure", "crash", "reboot", "inject")");
  CHECK(timeline_error(connect + R"({"at": "1s", "host": "client", "action": "close", "connection": "c1", "read": "manual"})") ==
        R"(t.json:5:71: error: at $.timeline[1].read: unknown key "read", expected one of "at", "host", "action", "connection", "on", "after", "id")");
}

TEST_CASE("send bytes: the pattern, 128 MiB per send, 1 GiB per scenario", "[loader][send]") {
  const std::string connect = R"({"at": "0s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
)";
  const auto timeline = [](const std::string& actions) {
    return minimal("", R"([{"name": "client"}, {"name": "server"}])", "[\n" + actions + "]");
  };
  const std::string send = R"({"at": "1s", "host": "client", "action": "send", "connection": "c1", )";
  Scenario s = load_scenario_text(timeline(connect + send + R"("bytes": 1}, )" + send + R"("bytes": 53})"), "t.json");
  CHECK(std::string(s.timeline[1].data.begin(), s.timeline[1].data.end()) == "a");
  CHECK(std::string(s.timeline[2].data.begin(), s.timeline[2].data.end()) ==
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyza");
  // The largest send: 128 MiB, the pattern all the way.
  s = load_scenario_text(timeline(connect + send + R"("bytes": 134217728})"), "t.json");
  REQUIRE(s.timeline[1].data.size() == 134217728U);
  CHECK(s.timeline[1].data[134217727] == 'a' + 134217727 % 26);
  s = Scenario{};
  CHECK(error_of(timeline(connect + send + R"("bytes": 0})")) ==
        "t.json:5:79: error: at $.timeline[1].bytes: expected an integer between 1 and 134217728, got 0");
  CHECK(error_of(timeline(connect + send + R"("bytes": 134217729})")) ==
        "t.json:5:79: error: at $.timeline[1].bytes: expected an integer between 1 and 134217728, got 134217729");
  CHECK(error_of(timeline(connect + send + R"("bytes": 1, "data": "x"})")) ==
        R"(t.json:5:82: error: at $.timeline[1].data: "data" and "bytes" are exclusive)");
  CHECK(error_of(timeline(connect + send + R"("data": ""})")) ==
        "t.json:5:78: error: at $.timeline[1].data: expected a non-empty string");
  // Eight sends of 128 MiB reach the 1 GiB budget; one byte more fails, without the loader
  // having generated anything.
  std::string many = connect;
  for (int k = 0; k < 8; ++k) many += send + R"("bytes": 134217728},
)";
  CHECK(error_of(timeline(many + send + R"("bytes": 1})")) ==
        R"(t.json:13:79: error: at $.timeline[9].bytes: the scenario's "bytes" would total 1073741825, more than the limit of 1073741824 (1 GiB, held in memory))");
  // "received" patterns share the budget.
  const std::string seven = [&] {
    std::string text = connect;
    for (int k = 0; k < 7; ++k) text += send + R"("bytes": 134217728},
)";
    return text.substr(0, text.size() - 2);
  }();
  CHECK(error_of(minimal(R"("expect": {"received": {"c1": {"bytes": 134217728}, "client/1": {"bytes": 1}}})",
                         R"([{"name": "client"}, {"name": "server"}])", "[\n" + seven + "]")) ==
        R"(t.json:2:75: error: at $.expect.received["client/1"].bytes: the scenario's "bytes" would total 1073741825, more than the limit of 1073741824 (1 GiB, held in memory))");
}

TEST_CASE("received expectations and the new counters", "[loader][received]") {
  const std::string timeline = R"([{"at": "0s", "host": "server", "action": "listen", "port": 80},
{"at": "1s", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"}])";
  const auto with_expect = [&](const std::string& expect) {
    return minimal(R"("expect": )" + expect, R"([{"name": "client"}, {"name": "server"}])", timeline);
  };
  const Scenario s = load_scenario_text(
      with_expect(R"({"received": {"c1": "hi\u00e9", "server:80#1": {"bytes": 28}, "client/1": {"length": 9},
                      "server/1": {"data": ""}, "server:80#2": {"bytes": 0}}})"),
      "t.json");
  const auto& received = s.expect.received;
  REQUIRE(received.size() == 5);
  CHECK(received[0].connection == "c1");
  CHECK(received[0].data == std::optional<std::vector<std::uint8_t>>({'h', 'i', 0xc3, 0xa9}));
  CHECK_FALSE(received[0].length.has_value());
  CHECK(received[0].where.json_path == "$.expect.received.c1");
  CHECK(received[0].where.line == 2);
  CHECK(received[1].connection == "server:80#1");
  REQUIRE(received[1].data.has_value());
  CHECK(std::string(received[1].data->begin(), received[1].data->end()) == "abcdefghijklmnopqrstuvwxyzab");
  CHECK(received[2].length == std::optional<std::uint64_t>(9));
  CHECK_FALSE(received[2].data.has_value());
  CHECK(received[3].data == std::optional<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{}));
  CHECK(received[4].data == std::optional<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{}));
  CHECK_FALSE(s.expect.empty());

  // "received" alone makes the expectations non-empty.
  CHECK_FALSE(load_scenario_text(with_expect(R"({"received": {"c1": "x"}})"), "t.json").expect.empty());
  CHECK(load_scenario_text(with_expect(R"({"received": {}})"), "t.json").expect.empty());

  const Scenario counts = load_scenario_text(
      with_expect(R"({"counts": {"client.fast_retransmissions": 1, "client.window_probes": 0,
                                 "server.keepalive_probes": 2, "server.bytes_received": 3}})"),
      "t.json");
  REQUIRE(counts.expect.counts.size() == 4);
  CHECK(counts.expect.counts[0].counter == "client.fast_retransmissions");
  CHECK(counts.expect.counts[3].counter == "server.bytes_received");
  CHECK(counts.expect.counts[3].value == 3);

  const auto expect_error = [&](const std::string& expect) { return error_of(with_expect(expect)); };
  CHECK(expect_error(R"({"received": {"c2": "x"}})") ==
        R"(t.json:2:31: error: at $.expect.received.c2: unknown connection "c2": no connect or listen in the timeline declares it (did you mean "c1"?))");
  CHECK(expect_error(R"({"received": {"server:80": "x"}})") ==
        R"(t.json:2:38: error: at $.expect.received["server:80"]: "server:80" is a listener, not a connection; its connections are "server:80#1", "server:80#2", ...)");
  CHECK(expect_error(R"({"received": {"c1": 5}})") ==
        R"(t.json:2:31: error: at $.expect.received.c1: expected a string or an object such as {"bytes": 3000} or {"length": 3000}, got a number)");
  CHECK(expect_error(R"({"received": {"c1": {}}})") ==
        R"(t.json:2:31: error: at $.expect.received.c1: missing required key: one of "data", "bytes" or "length")");
  CHECK(expect_error(R"({"received": {"c1": {"bytes": 3, "length": 3}}})") ==
        R"(t.json:2:44: error: at $.expect.received.c1.length: a "received" entry holds exactly one of "data", "bytes" or "length")");
  CHECK(expect_error(R"({"received": {"c1": {"data": "x", "bytes": 3}}})") ==
        R"(t.json:2:45: error: at $.expect.received.c1.bytes: a "received" entry holds exactly one of "data", "bytes" or "length")");
  CHECK(expect_error(R"({"received": {"c1": {"byte": 3}}})") ==
        R"(t.json:2:32: error: at $.expect.received.c1.byte: unknown key "byte", did you mean "bytes"?)");
  CHECK(expect_error(R"({"received": {"c1": {"bytes": -1}}})") ==
        "t.json:2:41: error: at $.expect.received.c1.bytes: expected an integer between 0 and 134217728, got -1");
  CHECK(expect_error(R"({"received": {"c1": {"bytes": 134217729}}})") ==
        "t.json:2:41: error: at $.expect.received.c1.bytes: expected an integer between 0 and 134217728, got 134217729");
  CHECK(expect_error(R"({"received": {"c1": {"length": -1}}})") ==
        "t.json:2:42: error: at $.expect.received.c1.length: expected a non-negative integer, got -1");
  CHECK(expect_error(R"({"received": {"c1": {"data": 5}}})") ==
        "t.json:2:40: error: at $.expect.received.c1.data: expected a string, got a number");
  CHECK(expect_error(R"({"received": []})") == "t.json:2:24: error: at $.expect.received: expected an object, got an array");
  CHECK(expect_error(R"({"recieved": {}})") ==
        R"(t.json:2:12: error: at $.expect.recieved: unknown key "recieved", did you mean "received"?)");
  CHECK(expect_error(R"({"counts": {"client.fast_retransmission": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["client.fast_retransmission"]: unknown counter "client.fast_retransmission", did you mean "client.fast_retransmissions"?)");
  CHECK(expect_error(R"({"counts": {"client.window_probe": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["client.window_probe"]: unknown counter "client.window_probe", did you mean "client.window_probes"?)");
  CHECK(expect_error(R"({"counts": {"server.keepalive_probe": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["server.keepalive_probe"]: unknown counter "server.keepalive_probe", did you mean "server.keepalive_probes"?)");
  CHECK(expect_error(R"({"counts": {"client.bytes_recieved": 1}})") ==
        R"(t.json:2:23: error: at $.expect.counts["client.bytes_recieved"]: unknown counter "client.bytes_recieved", did you mean "client.bytes_received"?)");
}

TEST_CASE("file errors", "[loader][errors]") {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.json").string();
  try {
    load_scenario_file(missing);
    FAIL("no error");
  } catch (const ScenarioError& error) {
    CHECK(std::string(error.what()) == missing + ":1:1: error: at $: cannot open file: No such file or directory");
    CHECK(error.where().line == 0);
    CHECK(error.message() == "cannot open file: No such file or directory");
  }
  const std::string directory = dir.path().string();
  try {
    load_scenario_file(directory);
    FAIL("no error");
  } catch (const ScenarioError& error) {
    CHECK(std::string(error.what()) == directory + ":1:1: error: at $: cannot open file: Is a directory");
  }
  // 100 MB, refused by its size before it is read (the file is sparse: nothing is written).
  const auto big = dir.path() / "big.json";
  { std::ofstream create(big); }
  std::filesystem::resize_file(big, 100'000'000);
  try {
    load_scenario_file(big.string());
    FAIL("no error");
  } catch (const ScenarioError& error) {
    CHECK(std::string(error.what()) == big.string() + ":1:1: error: at $: file is larger than 16 MiB");
  }
  // Exactly 16 MiB is still read (and then fails as JSON).
  std::filesystem::resize_file(big, 16 * 1024 * 1024);
  try {
    load_scenario_file(big.string());
    FAIL("no error");
  } catch (const ScenarioError& error) {
    CHECK(std::string(error.what()) ==
          big.string() + ":1:1: error: at $: invalid JSON: unexpected byte 0x00, expected a value");
  }
  const auto valid = dir.path() / "valid.json";
  {
    std::ofstream out(valid, std::ios::binary);
    out << full_scenario;
  }
  CHECK(load_scenario_file(valid.string()).name == "full-example");
}

TEST_CASE("the bad-input catalogue fails with the expected messages", "[loader][catalogue]") {
  const std::filesystem::path root = TCPSIM_SOURCE_DIR;
  WorkingDirectory in_root(root);
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator("tests/bad-input"))
    if (entry.path().extension() == ".json") inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  CHECK(inputs.size() >= 40);
  for (const auto& input : inputs) {
    const std::string relative = "tests/bad-input/" + input.filename().string();
    auto expected_path = input;
    expected_path.replace_extension(".expected");
    INFO(relative);
    REQUIRE(std::filesystem::exists(expected_path));
    std::string expected = read_text(expected_path);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
    std::string actual = "no error";
    try {
      load_scenario_file(relative);
    } catch (const ScenarioError& error) {
      actual = error.what();
    }
    CHECK(actual == expected);
  }
}

TEST_CASE("no input makes the loader throw anything but ScenarioError", "[loader][robustness]") {
  const std::string text = std::string(full_scenario).substr(0, std::string(full_scenario).rfind('}') + 1);
  // Every prefix of a valid scenario.
  for (std::size_t length = 0; length < text.size(); ++length) {
    try {
      load_scenario_text(text.substr(0, length), "cut.json");
      FAIL("a truncated scenario loaded at length " << length);
    } catch (const ScenarioError& error) {
      CHECK(std::string(error.what()).rfind("cut.json:", 0) == 0);
    }
  }
  // Deterministic byte mutations (xorshift), each load either succeeds or throws ScenarioError.
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  const auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int loaded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = text;
    const int changes = 1 + static_cast<int>(next() % 4);
    for (int c = 0; c < changes; ++c)
      mutated[next() % mutated.size()] = static_cast<char>(next() & 0xff);
    try {
      load_scenario_text(mutated, "mutated.json");
      ++loaded;
    } catch (const ScenarioError& error) {
      const std::string what = error.what();
      CHECK(what.rfind("mutated.json:", 0) == 0);
      CHECK(what.find('\n') == std::string::npos);  // one line, whatever bytes came in
    }
  }
  CHECK(loaded < 3000);
}

}  // namespace runner_loader_tests
