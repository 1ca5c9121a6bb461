// tcpsim_bulk_benchmark: one bulk transfer (default 100 MB, client -> server, MSS 1460, 10 ms
// each way, buffers 64 KiB) over a link losing 1% of the segments in each direction, run
// through the scenario runner's fast path (RunOptions::record = false). It reports simulated
// megabytes per second of real time and events per second, and, measured side by side in the
// same process, the same transfer over a lossless link: the ratio lossy/lossless is the figure
// to compare between machines (these machines are shared and noisy).
//
// Correctness first: a recorded run of a smaller transfer (4 MB, same link) must deliver every
// byte exactly once and in order, and every timed run must end with the client in FIN_WAIT_2
// and the server in CLOSE_WAIT (all data and the FIN acknowledged), else it exits non-zero
// before printing a figure. See docs/performance.md.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "sim/random.hpp"

namespace {

using namespace tcpsim;
using runner::Action;
using runner::ActionKind;
using runner::RunOptions;
using runner::RunResult;
using runner::Scenario;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tcpsim_bulk_benchmark: %s\n", message.c_str());
  std::exit(1);
}

std::vector<std::uint8_t> pattern(std::uint64_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::uint64_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>('a' + i % 26);
  return bytes;
}

// loss_per_million: segments lost per million, in each direction.
Scenario make_bulk_scenario(std::uint64_t bytes, std::uint64_t loss_per_million) {
  Scenario scenario;
  scenario.name = "bulk";
  scenario.seed = 1;
  for (auto& direction : scenario.link.directions) {
    direction.delay = 10 * millisecond;
    direction.loss = loss_per_million * (sim::probability_denominator / 1'000'000);
  }
  for (int h = 0; h < 2; ++h) {
    runner::HostSpec host;
    host.name = h == 0 ? "client" : "server";
    host.address = (10U << 24) | static_cast<std::uint32_t>(h + 1);
    host.tcp.mss = 1460;
    host.tcp.send_buffer = 65536;
    host.tcp.receive_buffer = 65535;
    host.tcp.fixed_isn = h == 0 ? 1000 : 5000;
    scenario.hosts.push_back(host);
  }
  Action listen;
  listen.kind = ActionKind::listen;
  listen.host = 1;
  listen.port = 80;
  listen.name = "web";
  Action connect;
  connect.kind = ActionKind::connect;
  connect.host = 0;
  connect.at = 1 * millisecond;
  connect.port = 80;
  connect.name = "c1";
  Action send;
  send.kind = ActionKind::send;
  send.host = 0;
  send.at = 100 * millisecond;
  send.connection = "c1";
  send.data = pattern(bytes);
  Action close = send;
  close.kind = ActionKind::close;
  close.data.clear();
  scenario.timeline = {listen, connect, send, close};  // the close waits for the write
  scenario.event_budget = 2'000'000'000;
  return scenario;
}

void verify_end(const RunResult& result, const char* what) {
  if (result.error) fail(std::string(what) + ": " + *result.error);
  const runner::ConnectionRecord* client = result.find_connection("c1");
  const runner::ConnectionRecord* server = result.find_connection("web#1");
  if (client == nullptr || server == nullptr) fail(std::string(what) + ": no connection");
  if (client->final_state() != tcp::State::fin_wait_2 || server->final_state() != tcp::State::close_wait) {
    fail(std::string(what) + ": the transfer did not complete (client " +
         std::string(tcp::state_name(client->final_state())) + ", server " +
         std::string(tcp::state_name(server->final_state())) + ")");
  }
}

void verify_delivery(std::uint64_t loss_per_million) {
  const std::uint64_t size = 4 * 1000 * 1000;
  const Scenario scenario = make_bulk_scenario(size, loss_per_million);
  const RunResult result = runner::run_scenario(scenario);
  verify_end(result, "recorded run");
  std::vector<std::uint8_t> received;
  for (const auto& event : result.find_connection("web#1")->app_events) {
    received.insert(received.end(), event.data.begin(), event.data.end());
  }
  if (received != pattern(size)) fail("recorded run: the received bytes differ from the written ones");
}

struct Figures {
  double seconds = 1e100;  // best of the repeats
  std::uint64_t events = 0;
  Time virtual_end = 0;
  std::int64_t retransmissions = 0;
};

void timed_run(const Scenario& scenario, Figures& figures) {
  RunOptions options;
  options.record = false;
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = runner::run_scenario(scenario, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  verify_end(result, "timed run");
  figures.seconds = std::min(figures.seconds, seconds);
  figures.events = result.events_executed;
  figures.virtual_end = result.end_time;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t megabytes = 100;
  std::uint64_t loss_per_million = 10'000;  // 1%
  int repeat = 3;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    auto value = [&]() -> std::uint64_t {
      if (i + 1 >= argc) fail(argument + " needs a value");
      char* end = nullptr;
      const std::uint64_t parsed = std::strtoull(argv[++i], &end, 10);
      if (end == nullptr || *end != '\0') fail(argument + " expects a non-negative integer");
      return parsed;
    };
    if (argument == "--megabytes") {
      megabytes = value();
      if (megabytes == 0 || megabytes > 10'000) fail("--megabytes is 1 .. 10000");
    } else if (argument == "--loss-per-million") {
      loss_per_million = value();
      if (loss_per_million >= 1'000'000) fail("--loss-per-million is below 1000000");
    } else if (argument == "--repeat") {
      repeat = static_cast<int>(std::clamp<std::uint64_t>(value(), 1, 100));
    } else if (argument == "--json") {
      json = true;
    } else {
      std::fprintf(stderr,
                   "usage: tcpsim_bulk_benchmark [--megabytes N] [--loss-per-million L] "
                   "[--repeat R] [--json]\n");
      return argument == "--help" ? 0 : 2;
    }
  }
  verify_delivery(loss_per_million);
  const std::uint64_t bytes = megabytes * 1000 * 1000;
  const Scenario lossy = make_bulk_scenario(bytes, loss_per_million);
  const Scenario lossless = make_bulk_scenario(bytes, 0);
  Figures lossy_figures;
  Figures lossless_figures;
  for (int r = 0; r < repeat; ++r) {  // interleaved, so both see the same machine
    timed_run(lossy, lossy_figures);
    timed_run(lossless, lossless_figures);
  }
  const auto megabytes_per_second = [&](const Figures& f) { return static_cast<double>(megabytes) / f.seconds; };
  const auto events_per_second = [](const Figures& f) { return static_cast<double>(f.events) / f.seconds; };
  const double ratio = lossless_figures.seconds / lossy_figures.seconds;
  if (json) {
    std::printf(
        "{\"megabytes\":%llu,\"loss_per_million\":%llu,\"repeat\":%d,"
        "\"lossy\":{\"seconds\":%.4f,\"megabytes_per_second\":%.1f,\"events\":%llu,\"events_per_second\":%.0f,\"virtual_seconds\":%.3f},"
        "\"lossless\":{\"seconds\":%.4f,\"megabytes_per_second\":%.1f,\"events\":%llu,\"events_per_second\":%.0f,\"virtual_seconds\":%.3f},"
        "\"speed_ratio_lossy_to_lossless\":%.3f}\n",
        static_cast<unsigned long long>(megabytes), static_cast<unsigned long long>(loss_per_million), repeat,
        lossy_figures.seconds, megabytes_per_second(lossy_figures),
        static_cast<unsigned long long>(lossy_figures.events), events_per_second(lossy_figures),
        static_cast<double>(lossy_figures.virtual_end) / 1e9, lossless_figures.seconds,
        megabytes_per_second(lossless_figures), static_cast<unsigned long long>(lossless_figures.events),
        events_per_second(lossless_figures), static_cast<double>(lossless_figures.virtual_end) / 1e9, ratio);
    return 0;
  }
  std::printf("bulk transfer of %llu MB, client -> server, MSS 1460, 10 ms each way, best of %d\n",
              static_cast<unsigned long long>(megabytes), repeat);
  std::printf("  %-22s %9s %14s %12s %16s %14s\n", "link", "real s", "simulated MB/s", "events",
              "events/s", "virtual s");
  const auto row = [&](const char* name, const Figures& f) {
    std::printf("  %-22s %9.3f %14.1f %12llu %16.0f %14.3f\n", name, f.seconds, megabytes_per_second(f),
                static_cast<unsigned long long>(f.events), events_per_second(f),
                static_cast<double>(f.virtual_end) / 1e9);
  };
  char lossy_name[64];
  std::snprintf(lossy_name, sizeof lossy_name, "%.2f%% loss each way", static_cast<double>(loss_per_million) / 1e4);
  row(lossy_name, lossy_figures);
  row("lossless (same run)", lossless_figures);
  std::printf("  speed ratio lossy/lossless: %.3f\n", ratio);
  return 0;
}
