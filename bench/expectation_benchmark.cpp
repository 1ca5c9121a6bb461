// tcpsim_expectation_benchmark: the cost of checking expectations. It writes a scenario with
// many "never" rules (default 240,000: segment rules on flags never sent, event and state
// rules that never happen) over a transfer of about 80,000 segments, loads it from its JSON
// text as `tcpsim run` would, runs it with the checker as a trace sink (the trace is not kept),
// and reports the time of each phase and the checker's work (ExpectationChecker::steps).
//
// The check is linear: it fails (exit 1) when the work exceeds steps_per_item x (rules + sent
// segments), and when the run does not carry every byte or a rule fires. A scan of every rule
// for every segment would need rules x segments steps (19.2 billion by default). ctest runs a
// small instance (bench:expectations-linear); the figures are in docs/performance.md.
//
// A second phase checks "segments" with alternatives: the same transfer again, expected as a
// list built from the first run's segments where each one is an "any_of" of itself and a
// decoy, every fourth followed by an "optional" decoy (tcpsim never sends URG, so no decoy
// matches). The matcher keeps a set of positions, not a backtracking search: it fails (exit 1)
// when its work exceeds segment_steps_per_item x (entries + sent segments), where a matcher
// that tried each way in turn would need 2^entries.
// `--write FILE` writes the scenario instead, for `tcpsim run FILE`.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace.hpp"
#include "tcp/segment.hpp"

namespace {

using namespace tcpsim;

constexpr std::uint64_t steps_per_item = 4;
constexpr std::uint64_t segment_steps_per_item = 12;
constexpr std::uint64_t default_mss = 536;  // RFC 9293 3.7.1: no MSS option from the peer

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tcpsim_expectation_benchmark: %s\n", message.c_str());
  std::exit(1);
}

// Flags with URG, which tcpsim never sends, so no segment rule fires; each rule differs.
std::string urgent_flags(std::uint64_t k) {
  static const char* const others[] = {"SYN", "FIN", "RST", "PSH", "ACK"};
  std::string flags = "URG";
  for (int bit = 0; bit < 5; ++bit) {
    if ((k >> bit) & 1U) flags += std::string(",") + others[bit];
  }
  return flags;
}

// About `segments` segments: one data segment of the default MSS and its ACK per 2.
std::string scenario_text(std::uint64_t rules, std::uint64_t segments) {
  const std::uint64_t bytes = segments / 2 * default_mss;
  std::string text = R"({"tcpsim": 1, "name": "never-rules", "description": "Many never rules.",
  "link": {"delay": "1ms"},
  "hosts": [{"name": "client"}, {"name": "server"}],
  "timeline": [
    {"at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web"},
    {"at": "10ms", "host": "client", "action": "connect", "to": "server", "port": 80, "name": "c1"},
    {"at": "100ms", "host": "client", "action": "send", "connection": "c1", "bytes": )" +
                     std::to_string(bytes) + R"(},
    {"at": "100ms", "host": "client", "action": "close", "connection": "c1"}],
  "expect": {"received": {"web#1": {"length": )" + std::to_string(bytes) + R"(}},
  "never": [
)";
  for (std::uint64_t k = 0; k < rules; ++k) {
    if (k > 0) text += ",\n";
    switch (k % 6) {
      case 0: text += R"({"segment": {"flags": ")" + urgent_flags(k / 6) + "\"}}"; break;
      case 1: text += R"({"segment": {"flags_contain": ")" + urgent_flags(k / 6) + "\"}}"; break;
      case 2:
        text += R"({"segment": {"from": "server", "flags": ")" + urgent_flags(k / 6) + "\"}}";
        break;
      case 3: text += R"({"event": "reset"})"; break;
      case 4: text += R"({"state": "CLOSING", "connection": "c1"})"; break;
      default: text += R"({"event": "timed_out", "host": "server"})"; break;
    }
  }
  return text + "\n]}}\n";
}

// The sender and flags of every segment sent, for the second phase's expected list.
class SentSegments final : public runner::TraceSink {
 public:
  void event(const runner::TraceEvent& event, const runner::RunResult& /*run*/) override {
    if (event.kind == runner::TraceKind::send) sent.emplace_back(event.host, event.segment.flags);
  }
  std::vector<std::pair<int, std::uint8_t>> sent;
};

// The first phase's scenario without its never rules, expecting `sent` with alternatives.
std::string segments_scenario_text(std::uint64_t segments,
                                   const std::vector<std::pair<int, std::uint8_t>>& sent) {
  std::string text = scenario_text(0, segments);
  text.resize(text.find("\"never\""));
  text += "\"segments\": [\n";
  const char* const hosts[] = {"client", "server"};
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const auto& [host, flags] = sent[k];
    const std::string from = hosts[host];
    const std::string other = hosts[1 - host];
    text += std::string(k == 0 ? "" : ",\n") + R"({"any_of": [[{"from": ")" + from +
            R"(", "flags": ")" + tcp::flags_to_string(flags) + R"("}], [{"from": ")" + other +
            R"(", "flags": "URG"}]]})";
    // Every 4th: few enough values for the JSON reader's limit of a million at 80,000 segments.
    if (k % 4 == 0) text += R"(, {"from": ")" + other + R"(", "flags": "URG", "optional": true})";
  }
  return text + "\n]}}\n";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t rules = 240'000;
  std::uint64_t segments = 80'000;
  std::string write_to;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
      rules = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--segments") == 0 && i + 1 < argc) {
      segments = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
      write_to = argv[++i];
    } else {
      fail("usage: tcpsim_expectation_benchmark [--rules N] [--segments N] [--write FILE]");
    }
  }
  if (!write_to.empty()) {
    std::ofstream out(write_to, std::ios::binary);
    out << scenario_text(rules, segments);
    if (!out.flush()) fail("cannot write " + write_to);
    return 0;
  }
  auto start = std::chrono::steady_clock::now();
  const std::string text = scenario_text(rules, segments);
  const runner::Scenario scenario = runner::load_scenario_text(text, "never-rules.json");
  const double load = seconds_since(start);

  start = std::chrono::steady_clock::now();
  runner::ExpectationChecker checker(scenario);
  SentSegments sent_segments;
  runner::RunOptions options;
  options.keep_trace = false;
  options.keep_app_data = false;
  options.trace_sinks.push_back(&checker);
  options.trace_sinks.push_back(&sent_segments);
  const runner::RunResult result = runner::run_scenario(scenario, options);
  const double run = seconds_since(start);
  if (result.error) fail("run error: " + *result.error);

  start = std::chrono::steady_clock::now();
  const auto failures = checker.finish(result);
  const double check = seconds_since(start);
  if (!failures.empty()) fail("expected no failure, got: " + failures.front().message);

  const std::uint64_t sent = result.segments_sent;
  const std::uint64_t bound = steps_per_item * (rules + sent);
  std::printf("%llu never rules, %llu segments sent, %llu events: load %.3f s, run with the "
              "checker %.3f s, finish %.3f s; checker steps %llu (bound %llu = %llu x (rules + "
              "segments); a scan of every rule per segment: %llu)\n",
              static_cast<unsigned long long>(rules), static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(result.events_executed), load, run, check,
              static_cast<unsigned long long>(checker.steps()),
              static_cast<unsigned long long>(bound),
              static_cast<unsigned long long>(steps_per_item),
              static_cast<unsigned long long>(rules * sent));
  if (checker.steps() > bound) fail("the check is not linear: more steps than the bound");

  // Phase two: the same segments, expected with alternatives.
  start = std::chrono::steady_clock::now();
  const runner::Scenario alternatives = runner::load_scenario_text(
      segments_scenario_text(segments, sent_segments.sent), "segment-alternatives.json");
  const double alternatives_load = seconds_since(start);
  start = std::chrono::steady_clock::now();
  runner::ExpectationChecker segment_checker(alternatives);
  runner::RunOptions segment_options = options;
  segment_options.trace_sinks = {&segment_checker};
  const runner::RunResult segment_result = runner::run_scenario(alternatives, segment_options);
  if (segment_result.error) fail("run error: " + *segment_result.error);
  const auto segment_failures = segment_checker.finish(segment_result);
  const double alternatives_run = seconds_since(start);
  if (!segment_failures.empty())
    fail("expected the segments to match, got: " + segment_failures.front().message);
  const std::uint64_t entries = sent_segments.sent.size() + (sent_segments.sent.size() + 3) / 4;
  const std::uint64_t segment_bound =
      segment_steps_per_item * (entries + segment_result.segments_sent);
  std::printf("%llu segment entries (an any_of per segment, an optional decoy every 4th), %llu "
              "segments sent: load %.3f s, run and check %.3f s; checker steps %llu (bound %llu = "
              "%llu x (entries + segments))\n",
              static_cast<unsigned long long>(entries),
              static_cast<unsigned long long>(segment_result.segments_sent), alternatives_load,
              alternatives_run, static_cast<unsigned long long>(segment_checker.steps()),
              static_cast<unsigned long long>(segment_bound),
              static_cast<unsigned long long>(segment_steps_per_item));
  if (segment_checker.steps() > segment_bound)
    fail("the segment check is not linear: more steps than the bound");
  return 0;
}
