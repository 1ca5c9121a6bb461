// tcpsim_benchmark: complete TCP lifecycles per second (handshake, 1000 bytes client -> server,
// four-way close, TIME_WAIT expiry), run through the scenario runner's fast path
// (RunOptions::record = false), next to a bare priority-queue loop doing the same number of
// events as the bound. See docs/performance.md for what is measured and how to read it.
//
// Modes:
//   sequential  each scenario is a batch of lifecycles one after another: lifecycle i starts
//               5 minutes after lifecycle i-1, when its TIME_WAIT (4 minutes) is long over.
//   concurrent  each scenario is one wave: all clients connect at the same instant from
//               distinct ephemeral ports to one listener (backlog >= wave size).
// Both modes run batches of the same size (1000 lifecycles, fewer if --lifecycles is smaller),
// so the per-scenario setup is amortised equally. Scenarios are built once, outside the timing.
//
// Every timed run is checked (every connection ran its full state sequence and was freed), and a
// recorded run of each scenario checks the application events; any failure exits non-zero
// before a figure is printed.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"
#include "sim/scheduler.hpp"
#include "tcp/config.hpp"
#include "tcp/types.hpp"
#include "views/html.hpp"
#include "views/ladder.hpp"
#include "views/mermaid.hpp"
#include "views/pcap.hpp"
#include "views/svg.hpp"

namespace {

using tcpsim::Duration;
using tcpsim::Time;
using tcpsim::runner::Action;
using tcpsim::runner::ActionKind;
using tcpsim::runner::ConnectionRecord;
using tcpsim::runner::RunOptions;
using tcpsim::runner::RunResult;
using tcpsim::runner::Scenario;
using tcpsim::tcp::AppEventKind;
using tcpsim::tcp::State;

constexpr std::uint64_t default_lifecycles = 50'000;
constexpr std::uint64_t default_batch = 1000;
constexpr std::size_t payload_bytes = 1000;
constexpr Duration link_delay = 1 * tcpsim::millisecond;
constexpr Duration sequential_spacing = 5 * tcpsim::minute;  // > TIME_WAIT (4 min) + the exchange
constexpr tcpsim::tcp::Port server_port = 80;
constexpr int client_host = 0;
constexpr int server_host = 1;
const char* const listener_name = "web";

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tcpsim_benchmark: %s\n", message.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

Scenario make_base_scenario(const std::string& name) {
  Scenario scenario;
  scenario.name = name;
  scenario.seed = 1;
  for (auto& direction : scenario.link.directions) direction.delay = link_delay;
  // RFC defaults kept on purpose: MSL 2 min, TIME_WAIT 4 min; the simulator skips idle time.
  tcpsim::runner::HostSpec client;
  client.name = "client";
  client.address = (10U << 24) | 1U;  // 10.0.0.1
  client.tcp.fixed_isn = 1'000;
  tcpsim::runner::HostSpec server;
  server.name = "server";
  server.address = (10U << 24) | 2U;  // 10.0.0.2
  server.tcp.fixed_isn = 5'000;
  scenario.hosts = {client, server};
  scenario.stop_at.reset();  // run to quiescence
  return scenario;
}

Action make_action(Time at, ActionKind kind, int host) {
  Action action;
  action.at = at;
  action.kind = kind;
  action.host = host;
  return action;
}

// One lifecycle's four actions, relative to its start (d = link delay):
//   0   client connects                     SYN arrives at d, SYN-ACK at 2d (client ESTABLISHED)
//   3d  client sends 1000 bytes             data arrives at 4d, its ACK at 5d
//   6d  client closes                       FIN arrives at 7d (server CLOSE_WAIT), ACK at 8d
//   9d  server closes its accepted child    FIN arrives at 10d (client TIME_WAIT), ACK at 11d
// The client's TIME_WAIT expires at 10d + 4 min.
constexpr int phase_count = 4;

Action lifecycle_action(Time start, std::uint64_t index, int phase,
                        const std::vector<std::uint8_t>& payload) {
  const std::string client_name = "c" + std::to_string(index + 1);
  const Time at = start + 3 * phase * link_delay;
  switch (phase) {
    case 0: {
      Action connect = make_action(at, ActionKind::connect, client_host);
      connect.port = server_port;
      connect.name = client_name;
      return connect;
    }
    case 1: {
      Action send = make_action(at, ActionKind::send, client_host);
      send.connection = client_name;
      send.data = payload;
      return send;
    }
    case 2: {
      Action close = make_action(at, ActionKind::close, client_host);
      close.connection = client_name;
      return close;
    }
    default: {
      // Children are named "<listener>#k" in order of creation: the k-th SYN to arrive, which is
      // the k-th connect because the link delivers in order with a fixed delay.
      Action close = make_action(at, ActionKind::close, server_host);
      close.connection = std::string(listener_name) + "#" + std::to_string(index + 1);
      return close;
    }
  }
}

// The timeline must be sorted by time: concurrent lifecycles share their start, so their
// actions go phase by phase; sequential ones do not overlap, so they go lifecycle by lifecycle.
void add_lifecycles(Scenario& scenario, std::uint64_t lifecycles, bool concurrent) {
  const std::vector<std::uint8_t> payload(payload_bytes, std::uint8_t{0x5A});
  // Connects start one link delay after the listen (at 0), so the listener is certainly up.
  auto start_of = [&](std::uint64_t index) {
    return link_delay + (concurrent ? 0 : static_cast<Time>(index) * sequential_spacing);
  };
  if (concurrent) {
    for (int phase = 0; phase < phase_count; ++phase) {
      for (std::uint64_t index = 0; index < lifecycles; ++index) {
        scenario.timeline.push_back(lifecycle_action(start_of(index), index, phase, payload));
      }
    }
  } else {
    for (std::uint64_t index = 0; index < lifecycles; ++index) {
      for (int phase = 0; phase < phase_count; ++phase) {
        scenario.timeline.push_back(lifecycle_action(start_of(index), index, phase, payload));
      }
    }
  }
  const bool sorted = std::is_sorted(scenario.timeline.begin(), scenario.timeline.end(),
                                     [](const Action& a, const Action& b) { return a.at < b.at; });
  if (!sorted) fail("internal error: the generated timeline is not sorted by time");
}

Scenario make_scenario(std::uint64_t lifecycles, bool concurrent) {
  Scenario scenario = make_base_scenario(concurrent ? "bench-concurrent" : "bench-sequential");
  Action listen = make_action(0, ActionKind::listen, server_host);
  listen.port = server_port;
  listen.name = listener_name;
  listen.backlog = static_cast<int>(std::max<std::uint64_t>(lifecycles, 128));
  scenario.timeline.push_back(listen);
  add_lifecycles(scenario, lifecycles, concurrent);
  // About 15 events per lifecycle; leave ample room without making a runaway run endless.
  scenario.event_budget = 100 * lifecycles + 1000;
  return scenario;
}

RunOptions fast_path() {
  RunOptions options;
  options.record = false;  // no trace: the path this benchmark measures
  return options;
}
RunOptions recorded_run() {
  RunOptions options;
  options.record = true;
  return options;
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

const std::vector<State> expected_client_states = {
    State::closed,     State::syn_sent,   State::established, State::fin_wait_1,
    State::fin_wait_2, State::time_wait,  State::closed};
// A listener's connection is born in LISTEN, a copy of its listener.
const std::vector<State> expected_server_states = {
    State::listen,     State::syn_received, State::established,
    State::close_wait, State::last_ack,     State::closed};

std::string describe_states(const std::vector<State>& states) {
  std::string text;
  for (State state : states) {
    if (!text.empty()) text += " ";
    text += tcpsim::tcp::state_name(state);
  }
  return text;
}

bool is_child_name(const std::string& name) {
  const std::string prefix = std::string(listener_name) + "#";
  return name.compare(0, prefix.size(), prefix) == 0;
}

// Checks a run (recorded or not): no error, every lifecycle's two connections went through the
// full state sequence and were freed; exits non-zero otherwise.
void verify_states(const RunResult& result, std::uint64_t lifecycles, const char* mode) {
  const std::string where = std::string(mode) + ": ";
  if (result.error) fail(where + "the run failed: " + *result.error);
  std::uint64_t clients = 0;
  std::uint64_t children = 0;
  for (const ConnectionRecord& record : result.connections) {
    if (record.host == client_host) {
      if (record.states != expected_client_states || !record.freed) {
        fail(where + "client connection " + record.name + " went through [" +
             describe_states(record.states) + "]" + (record.freed ? "" : ", not freed") +
             "; expected [" + describe_states(expected_client_states) + "]");
      }
      ++clients;
    } else if (is_child_name(record.name)) {
      if (record.states != expected_server_states || !record.freed) {
        fail(where + "server connection " + record.name + " went through [" +
             describe_states(record.states) + "]" + (record.freed ? "" : ", not freed") +
             "; expected [" + describe_states(expected_server_states) + "]");
      }
      ++children;
    }
  }
  if (clients != lifecycles || children != lifecycles) {
    fail(where + "expected " + std::to_string(lifecycles) + " complete lifecycles, found " +
         std::to_string(clients) + " client and " + std::to_string(children) +
         " server connections");
  }
}

// Application events are kept only in recorded runs: checked once per scenario, untimed.
void verify_app_events(const RunResult& result, const char* mode) {
  const std::string where = std::string(mode) + " (recorded run): ";
  for (const ConnectionRecord& record : result.connections) {
    const bool client = record.host == client_host;
    if (!client && !is_child_name(record.name)) continue;
    std::vector<AppEventKind> kinds;
    std::size_t data_bytes = 0;
    for (const auto& event : record.app_events) {
      if (event.kind == AppEventKind::data) {
        data_bytes += event.data.size();
        if (!kinds.empty() && kinds.back() == AppEventKind::data) continue;  // split by MSS
      }
      kinds.push_back(event.kind);
    }
    const std::vector<AppEventKind> expected =
        client ? std::vector<AppEventKind>{AppEventKind::connected, AppEventKind::end_of_stream,
                                           AppEventKind::closed}
               : std::vector<AppEventKind>{AppEventKind::accepted, AppEventKind::data,
                                           AppEventKind::end_of_stream, AppEventKind::closed};
    const std::size_t expected_bytes = client ? 0 : payload_bytes;
    if (kinds != expected || data_bytes != expected_bytes) {
      std::string got;
      for (AppEventKind kind : kinds) {
        got += std::string(got.empty() ? "" : " ") +
               std::string(tcpsim::tcp::app_event_name(kind));
      }
      fail(where + "connection " + record.name + " told the application [" + got + "] with " +
           std::to_string(data_bytes) + " data bytes");
    }
  }
}

void verify_recorded_run(const Scenario& scenario, std::uint64_t lifecycles, const char* mode) {
  const RunResult recorded = tcpsim::runner::run_scenario(scenario, recorded_run());
  verify_states(recorded, lifecycles, mode);
  verify_app_events(recorded, mode);
  const RunResult fast = tcpsim::runner::run_scenario(scenario, fast_path());
  if (fast.events_executed != recorded.events_executed || fast.end_time != recorded.end_time) {
    fail(std::string(mode) + ": recorded and unrecorded runs differ (" +
         std::to_string(recorded.events_executed) + " vs " + std::to_string(fast.events_executed) +
         " events)");
  }
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The process's CPU time: on a machine shared with other jobs, wall-clock time includes the
// time this process waited for a core; CPU time does not (it still pays for shared caches).
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct ModeRun {
  double seconds = 0;
  double cpu_seconds = 0;
  std::uint64_t events = 0;
  std::uint64_t trace_events = 0;  // recorded paths: the trace's events (JSON lines)
  std::uint64_t trace_bytes = 0;
};

// How a run is made: the fast path (no trace), or one of the recorded paths.
enum class RunPath : std::uint8_t {
  fast,   // RunOptions::record = false, as tcpsim_benchmark has always measured
  jsonl,  // recorded, the JSON Lines trace streamed to /dev/null, nothing kept: what
          // `tcpsim run --format jsonl > FILE` does
  check,  // recorded, the JSON Lines text kept in memory and the expectations checked as the
          // trace goes by: what `tcpsim check` does for the golden comparison
};

// Counts the trace events a recorded run hands to its sinks.
class CountingSink final : public tcpsim::runner::TraceSink {
 public:
  void event(const tcpsim::runner::TraceEvent&, const RunResult&) override { ++events; }
  std::uint64_t events = 0;
};

// Counts what is written through it, and drops it.
class CountingBuffer final : public std::streambuf {
 public:
  std::uint64_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize count) override {
    bytes += static_cast<std::uint64_t>(count);
    return count;
  }
  int_type overflow(int_type character) override {
    if (character != traits_type::eof()) ++bytes;
    return character;
  }
};

RunResult run_path(const Scenario& scenario, RunPath path, ModeRun& run) {
  if (path == RunPath::fast) return tcpsim::runner::run_scenario(scenario, fast_path());
  RunOptions options;
  options.keep_trace = false;
  options.keep_payloads = false;
  options.keep_app_data = false;
  CountingSink counter;
  CountingBuffer discard;
  std::ostream null_output(&discard);
  if (path == RunPath::jsonl) {
    // /dev/null: the real write(2) calls of a trace file, without the disk.
    std::ofstream dev_null("/dev/null", std::ios::binary);
    tcpsim::runner::JsonlWriter writer(scenario, {&dev_null, &null_output});
    options.trace_sinks = {&writer, &counter};
    RunResult result = tcpsim::runner::run_scenario(scenario, options);
    writer.finish(result);
    run.trace_events += counter.events;
    run.trace_bytes += discard.bytes;
    return result;
  }
  tcpsim::runner::JsonlWriter writer(scenario);
  tcpsim::runner::ExpectationChecker checker(scenario);
  options.trace_sinks = {&writer, &checker, &counter};
  RunResult result = tcpsim::runner::run_scenario(scenario, options);
  writer.finish(result);
  if (!checker.finish(result).empty()) fail("the expectations of the check path failed");
  run.trace_events += counter.events;
  run.trace_bytes += writer.take_text().size();
  return result;
}

// Runs the mode's batches back to back (`full_batches` of the big scenario, then the remainder),
// checking each result outside the timed section. Not inlined, so profilers can isolate it
// (valgrind --toggle-collect=*run_mode*).
[[gnu::noinline]] ModeRun run_mode(const Scenario& batch, std::uint64_t batch_lifecycles,
                                   std::uint64_t full_batches, const Scenario* remainder,
                                   std::uint64_t remainder_lifecycles, const char* mode,
                                   RunPath path = RunPath::fast) {
  ModeRun run;
  auto run_one = [&](const Scenario& scenario, std::uint64_t lifecycles) {
    const Clock::time_point start = Clock::now();
    const double cpu_start = cpu_seconds();
    RunResult result = run_path(scenario, path, run);
    run.cpu_seconds += cpu_seconds() - cpu_start;
    run.seconds += seconds_since(start);
    run.events += result.events_executed;
    verify_states(result, lifecycles, mode);
  };
  for (std::uint64_t index = 0; index < full_batches; ++index) run_one(batch, batch_lifecycles);
  if (remainder != nullptr) run_one(*remainder, remainder_lifecycles);
  return run;
}

// A small deterministic generator for the bound's event spacing (xorshift64).
struct Xorshift {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

// Spacing between a popped event and the one it schedules: 1 ns to ~1 ms, like link and
// action spacing in the scenarios.
Duration next_spacing(Xorshift& random) { return 1 + static_cast<Duration>(random.next() & 0xFFFFF); }

// The bound: a "hold" loop over std::priority_queue of (time, sequence). The queue is filled
// with `pending` events (the simulator starts each run with the whole timeline queued), then
// each of `events` iterations pops the earliest and pushes one at a later time.
double bound_priority_queue(std::uint64_t events, std::uint64_t pending, std::uint64_t& checksum) {
  struct Entry {
    Time time;
    std::uint64_t sequence;
  };
  struct ComesLater {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.sequence > b.sequence;
    }
  };
  Xorshift random;
  const Clock::time_point start = Clock::now();
  std::priority_queue<Entry, std::vector<Entry>, ComesLater> queue;
  std::uint64_t sequence = 0;
  for (std::uint64_t index = 0; index < pending; ++index) {
    queue.push({next_spacing(random), sequence++});
  }
  for (std::uint64_t index = 0; index < events; ++index) {
    const Entry top = queue.top();
    queue.pop();
    checksum += top.sequence;
    queue.push({top.time + next_spacing(random), sequence++});
  }
  return seconds_since(start);
}

// The same hold loop through the project's sim::Scheduler, with a trivial callback that
// schedules the next event.
struct SchedulerLoop {
  tcpsim::sim::Scheduler scheduler;
  Xorshift random;
  std::uint64_t checksum = 0;
  static void on_event(void* context, std::uint64_t argument) {
    auto* self = static_cast<SchedulerLoop*>(context);
    self->checksum += argument;
    self->scheduler.schedule_after(next_spacing(self->random), &SchedulerLoop::on_event, self,
                                   argument + 1);
  }
};

double bound_scheduler(std::uint64_t events, std::uint64_t pending, std::uint64_t& checksum) {
  const Clock::time_point start = Clock::now();
  SchedulerLoop loop;
  for (std::uint64_t index = 0; index < pending; ++index) {
    loop.scheduler.schedule_at(next_spacing(loop.random), &SchedulerLoop::on_event, &loop, index);
  }
  const std::uint64_t ran = loop.scheduler.run(events);
  const double seconds = seconds_since(start);
  if (ran != events) fail("the scheduler bound ran " + std::to_string(ran) + " events");
  checksum += loop.checksum;
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

struct Samples {
  std::vector<double> values;
  double best() const { return *std::max_element(values.begin(), values.end()); }
  double median() const {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
};

struct ModeFigures {
  const char* name = "";
  std::uint64_t lifecycles = 0;
  std::uint64_t batch = 0;
  std::uint64_t events = 0;  // per complete run of the mode
  Samples lifecycles_per_sec;
  Samples lifecycles_per_cpu_sec;  // over the process's CPU time
  Samples events_per_sec;
  Samples bound_events_per_sec;            // std::priority_queue
  Samples scheduler_bound_events_per_sec;  // sim::Scheduler, trivial callbacks
};

// A recorded path over the sequential lifecycles, timed in the same rounds as the fast path.
struct RecordedFigures {
  const char* name = "";
  RunPath path = RunPath::jsonl;
  std::uint64_t trace_events = 0;  // per complete run
  std::uint64_t trace_bytes = 0;
  Samples lifecycles_per_sec;
  Samples trace_events_per_sec;
  Samples trace_events_per_cpu_sec;
  Samples ratio_to_fast;  // its speed over the sequential fast path's, per round
};

// One view formatted from a kept trace (a recorded batch of sequential lifecycles).
struct ViewFigures {
  const char* name = "";
  std::uint64_t bytes = 0;
  Samples nanoseconds_per_event;  // best is the smallest
  double best() const {
    return *std::min_element(nanoseconds_per_event.values.begin(),
                             nanoseconds_per_event.values.end());
  }
};

struct Report {
  std::vector<ModeFigures> modes;
  std::vector<RecordedFigures> recorded;
  std::vector<ViewFigures> views;
  std::uint64_t view_trace_events = 0;
  double peak_rss_mib = 0;
};

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

void print_text(const Report& report, int repeat) {
  std::printf("tcpsim_benchmark: best of %d run(s); each lifecycle = handshake, %zu bytes, "
              "four-way close, TIME_WAIT expiry\n",
              repeat, payload_bytes);
  for (const ModeFigures& mode : report.modes) {
    const double events_per_lifecycle =
        static_cast<double>(mode.events) / static_cast<double>(mode.lifecycles);
    std::printf("\n%s: %llu lifecycles in batches of %llu, %llu events (%.1f per lifecycle)\n",
                mode.name, static_cast<unsigned long long>(mode.lifecycles),
                static_cast<unsigned long long>(mode.batch),
                static_cast<unsigned long long>(mode.events), events_per_lifecycle);
    std::printf("  lifecycles/s           %12.0f   (median %.0f)\n", mode.lifecycles_per_sec.best(),
                mode.lifecycles_per_sec.median());
    std::printf("  lifecycles/CPU-s       %12.0f   (median %.0f)\n",
                mode.lifecycles_per_cpu_sec.best(), mode.lifecycles_per_cpu_sec.median());
    std::printf("  events/s               %12.0f   (median %.0f)\n", mode.events_per_sec.best(),
                mode.events_per_sec.median());
    std::printf("  bound events/s         %12.0f   std::priority_queue (median %.0f)\n",
                mode.bound_events_per_sec.best(), mode.bound_events_per_sec.median());
    std::printf("  scheduler bound ev/s   %12.0f   sim::Scheduler, trivial callbacks (median %.0f)\n",
                mode.scheduler_bound_events_per_sec.best(),
                mode.scheduler_bound_events_per_sec.median());
    std::printf("  ratio to bound         %12.4f   (to the scheduler bound %.4f)\n",
                mode.events_per_sec.best() / mode.bound_events_per_sec.best(),
                mode.events_per_sec.best() / mode.scheduler_bound_events_per_sec.best());
  }
  for (const RecordedFigures& path : report.recorded) {
    std::printf("\nrecorded, %s: the sequential lifecycles, %llu trace events (%.1f bytes each)\n",
                path.name, static_cast<unsigned long long>(path.trace_events),
                static_cast<double>(path.trace_bytes) / static_cast<double>(path.trace_events));
    std::printf("  lifecycles/s           %12.0f   (median %.0f)\n", path.lifecycles_per_sec.best(),
                path.lifecycles_per_sec.median());
    std::printf("  trace events/s         %12.0f   (median %.0f)\n",
                path.trace_events_per_sec.best(), path.trace_events_per_sec.median());
    std::printf("  trace events/CPU-s     %12.0f   (median %.0f)\n",
                path.trace_events_per_cpu_sec.best(), path.trace_events_per_cpu_sec.median());
    std::printf("  speed / fast path      %12.4f   (median %.4f; same rounds, sequential)\n",
                path.ratio_to_fast.best(), path.ratio_to_fast.median());
  }
  if (!report.views.empty()) {
    std::printf("\nviews of one recorded batch (%llu trace events), CPU ns per trace event:\n",
                static_cast<unsigned long long>(report.view_trace_events));
    for (const ViewFigures& view : report.views) {
      std::printf("  %-8s %10.0f ns/event   %llu bytes (median %.0f)\n", view.name, view.best(),
                  static_cast<unsigned long long>(view.bytes),
                  view.nanoseconds_per_event.median());
    }
  }
  std::printf("\npeak resident set: %.1f MiB\n", report.peak_rss_mib);
}

void print_json(const Report& report, int repeat) {
  std::printf("{");
  bool first = true;
  for (const ModeFigures& mode : report.modes) {
    std::printf("%s\"%s\":{\"lifecycles\":%llu,\"batch\":%llu,\"repeat\":%d,\"events\":%llu,"
                "\"lifecycles_per_sec\":%.1f,\"lifecycles_per_cpu_sec\":%.1f,"
                "\"events_per_sec\":%.1f,"
                "\"bound_events_per_sec\":%.1f,\"ratio_to_bound\":%.6f,"
                "\"scheduler_bound_events_per_sec\":%.1f,\"ratio_to_scheduler_bound\":%.6f,"
                "\"median_lifecycles_per_sec\":%.1f,\"median_events_per_sec\":%.1f,"
                "\"median_bound_events_per_sec\":%.1f}",
                first ? "" : ",", mode.name, static_cast<unsigned long long>(mode.lifecycles),
                static_cast<unsigned long long>(mode.batch), repeat,
                static_cast<unsigned long long>(mode.events), mode.lifecycles_per_sec.best(),
                mode.lifecycles_per_cpu_sec.best(), mode.events_per_sec.best(),
                mode.bound_events_per_sec.best(),
                mode.events_per_sec.best() / mode.bound_events_per_sec.best(),
                mode.scheduler_bound_events_per_sec.best(),
                mode.events_per_sec.best() / mode.scheduler_bound_events_per_sec.best(),
                mode.lifecycles_per_sec.median(), mode.events_per_sec.median(),
                mode.bound_events_per_sec.median());
    first = false;
  }
  for (const RecordedFigures& path : report.recorded) {
    std::printf("%s\"recorded_%s\":{\"trace_events\":%llu,\"trace_bytes\":%llu,"
                "\"lifecycles_per_sec\":%.1f,\"trace_events_per_sec\":%.1f,"
                "\"trace_events_per_cpu_sec\":%.1f,\"ratio_to_fast\":%.6f,"
                "\"median_lifecycles_per_sec\":%.1f,"
                "\"median_trace_events_per_sec\":%.1f,\"median_ratio_to_fast\":%.6f}",
                first ? "" : ",", path.name, static_cast<unsigned long long>(path.trace_events),
                static_cast<unsigned long long>(path.trace_bytes), path.lifecycles_per_sec.best(),
                path.trace_events_per_sec.best(), path.trace_events_per_cpu_sec.best(),
                path.ratio_to_fast.best(),
                path.lifecycles_per_sec.median(), path.trace_events_per_sec.median(),
                path.ratio_to_fast.median());
    first = false;
  }
  if (!report.views.empty()) {
    std::printf("%s\"views\":{\"trace_events\":%llu", first ? "" : ",",
                static_cast<unsigned long long>(report.view_trace_events));
    for (const ViewFigures& view : report.views) {
      std::printf(",\"%s\":{\"ns_per_event\":%.1f,\"bytes\":%llu}", view.name, view.best(),
                  static_cast<unsigned long long>(view.bytes));
    }
    std::printf("}");
    first = false;
  }
  std::printf("%s\"peak_rss_mib\":%.1f}\n", first ? "" : ",", report.peak_rss_mib);
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

// Each view formatted from one recorded batch's kept trace, `repeat` times.
void measure_views(const Scenario& scenario, int repeat, Report& report) {
  RunOptions options;  // as tcpsim run with the views: everything kept
  const RunResult result = tcpsim::runner::run_scenario(scenario, options);
  report.view_trace_events = result.trace.size();
  const bool absolute = tcpsim::runner::scenario_uses_fixed_isns(scenario);
  const std::vector<std::pair<const char*, std::function<std::string()>>> views = {
      {"jsonl", [&] { return tcpsim::runner::format_jsonl(scenario, result); }},
      {"ladder",
       [&] {
         tcpsim::views::LadderOptions ladder;
         ladder.absolute_seq = absolute;
         return tcpsim::views::format_ladder(scenario, result, ladder);
       }},
      {"svg", [&] { return tcpsim::views::render_svg(scenario, result); }},
      {"html", [&] { return tcpsim::views::render_html(scenario, result); }},
      {"mermaid",
       [&] {
         tcpsim::views::MermaidOptions mermaid;
         mermaid.absolute_seq = absolute;
         return tcpsim::views::format_mermaid(scenario, result, mermaid);
       }},
      {"pcap", [&] { return tcpsim::views::format_pcapng(scenario, result); }},
  };
  for (const auto& [name, format] : views) {
    ViewFigures figures;
    figures.name = name;
    for (int round = 0; round < repeat; ++round) {
      // CPU time: a view is one long computation, and this machine is shared.
      const double start = cpu_seconds();
      const std::string text = format();
      const double seconds = cpu_seconds() - start;
      if (text.empty()) fail(std::string("the ") + name + " view is empty");
      figures.bytes = text.size();
      figures.nanoseconds_per_event.values.push_back(
          seconds * 1e9 / static_cast<double>(report.view_trace_events));
    }
    report.views.push_back(std::move(figures));
  }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

struct Options {
  std::uint64_t lifecycles = default_lifecycles;
  std::uint64_t batch = default_batch;
  int repeat = 5;
  bool json = false;
  bool recorded = false;  // also the recorded paths (jsonl, check)
  bool views = false;     // also each view's cost per trace event
  // For profilers: run only this mode's lifecycles (no bound, no JSON), so a profile shows the
  // simulator alone. Empty: the normal benchmark.
  std::string profile_mode;
};

void print_usage() {
  std::printf(
      "usage: tcpsim_benchmark [--lifecycles N] [--batch B] [--repeat R] [--recorded] [--views]\n"
      "                        [--json] [--profile MODE]\n"
      "  --lifecycles N  lifecycles per mode and run (default %llu)\n"
      "  --batch B       lifecycles per scenario (default %llu)\n"
      "  --repeat R      runs of every mode, interleaved; the best is reported (default 5)\n"
      "  --recorded      also the recorded paths over the sequential lifecycles: the JSON Lines\n"
      "                  trace streamed (jsonl) and the trace kept and checked (check)\n"
      "  --views         also each view's cost per trace event, on one recorded batch\n"
      "  --json          one JSON object instead of text\n"
      "  --profile MODE  run only MODE (sequential, concurrent, jsonl or check), for a profiler\n",
      static_cast<unsigned long long>(default_lifecycles),
      static_cast<unsigned long long>(default_batch));
}

std::uint64_t parse_positive(const char* option, const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value == 0 || text[0] == '-') {
    fail(std::string(option) + " expects a positive integer, got \"" + text + "\"");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index];
    auto value = [&]() -> const char* {
      if (index + 1 >= argc) fail(std::string(argument) + " expects a value");
      return argv[++index];
    };
    if (argument == "--lifecycles") {
      options.lifecycles = parse_positive("--lifecycles", value());
    } else if (argument == "--batch") {
      options.batch = parse_positive("--batch", value());
      if (options.batch > 10'000'000) fail("--batch is at most 10000000");
    } else if (argument == "--repeat") {
      const std::uint64_t repeat = parse_positive("--repeat", value());
      if (repeat > 1000) fail("--repeat is at most 1000");
      options.repeat = static_cast<int>(repeat);
    } else if (argument == "--profile") {
      options.profile_mode = value();
      if (options.profile_mode != "sequential" && options.profile_mode != "concurrent" &&
          options.profile_mode != "jsonl" && options.profile_mode != "check") {
        fail("--profile expects sequential, concurrent, jsonl or check");
      }
    } else if (argument == "--recorded") {
      options.recorded = true;
    } else if (argument == "--views") {
      options.views = true;
    } else if (argument == "--json") {
      options.json = true;
    } else if (argument == "--help" || argument == "-h") {
      print_usage();
      std::exit(0);
    } else {
      print_usage();
      fail("unknown option " + std::string(argument));
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  const std::uint64_t batch_lifecycles = std::min(options.lifecycles, options.batch);
  const std::uint64_t full_batches = options.lifecycles / batch_lifecycles;
  const std::uint64_t remainder_lifecycles = options.lifecycles % batch_lifecycles;

  struct ModeSetup {
    const char* name;
    Scenario batch;
    std::optional<Scenario> remainder;
  };
  std::vector<ModeSetup> setups;
  for (const bool concurrent : {false, true}) {
    // A profile builds only the scenarios it runs (a batch of a million lifecycles is large).
    const bool profiled_concurrent = options.profile_mode == "concurrent";
    if (!options.profile_mode.empty() && concurrent != profiled_concurrent) continue;
    // Ephemeral ports 49152-65535: a concurrent wave needs one per lifecycle.
    if (concurrent && batch_lifecycles > 16'000) {
      fail("concurrent mode: a batch of at most 16000 lifecycles (one ephemeral port each); "
           "use --profile sequential for larger batches");
    }
    ModeSetup setup{concurrent ? "concurrent" : "sequential",
                    make_scenario(batch_lifecycles, concurrent), std::nullopt};
    if (remainder_lifecycles > 0) setup.remainder = make_scenario(remainder_lifecycles, concurrent);
    // Untimed recorded run: checks the application events and that recording changes nothing.
    // Skipped under --profile, so a profile holds the timed runs only (still state-checked).
    if (options.profile_mode.empty()) verify_recorded_run(setup.batch, batch_lifecycles, setup.name);
    setups.push_back(std::move(setup));
  }
  const ModeSetup& sequential = setups[0];  // concurrent only under --profile concurrent
  auto run_sequential = [&](RunPath path) {
    return run_mode(sequential.batch, batch_lifecycles, full_batches,
                    sequential.remainder ? &*sequential.remainder : nullptr, remainder_lifecycles,
                    sequential.name, path);
  };

  if (!options.profile_mode.empty()) {
    const RunPath path = options.profile_mode == "jsonl"   ? RunPath::jsonl
                         : options.profile_mode == "check" ? RunPath::check
                                                           : RunPath::fast;
    for (int round = 0; round < options.repeat; ++round) {
      for (const ModeSetup& setup : setups) {
        const bool wanted = path == RunPath::fast ? setup.name == options.profile_mode
                                                  : &setup == &sequential;
        if (!wanted) continue;
        const ModeRun run = run_mode(setup.batch, batch_lifecycles, full_batches,
                                     setup.remainder ? &*setup.remainder : nullptr,
                                     remainder_lifecycles, setup.name, path);
        if (options.json) {
          std::printf("{\"mode\":\"%s\",\"lifecycles\":%llu,\"batch\":%llu,\"seconds\":%.6f,"
                      "\"cpu_seconds\":%.6f,\"events\":%llu,\"trace_events\":%llu,"
                      "\"peak_rss_mib\":%.1f}\n",
                      options.profile_mode.c_str(),
                      static_cast<unsigned long long>(options.lifecycles),
                      static_cast<unsigned long long>(batch_lifecycles), run.seconds,
                      run.cpu_seconds, static_cast<unsigned long long>(run.events),
                      static_cast<unsigned long long>(run.trace_events), peak_rss_mib());
          continue;
        }
        std::printf("%s: %.0f lifecycles/s (%.0f per CPU-s), %.0f events/s, %.0f trace events/s\n",
                    options.profile_mode.c_str(),
                    static_cast<double>(options.lifecycles) / run.seconds,
                    static_cast<double>(options.lifecycles) / run.cpu_seconds,
                    static_cast<double>(run.events) / run.seconds,
                    static_cast<double>(run.trace_events) / run.seconds);
      }
    }
    if (!options.json) std::printf("peak resident set: %.1f MiB\n", peak_rss_mib());
    return 0;
  }

  Report report;
  report.modes.resize(setups.size());
  if (options.recorded) {
    for (const auto& [name, path] : {std::pair{"jsonl", RunPath::jsonl},
                                     std::pair{"check", RunPath::check}}) {
      RecordedFigures& figures = report.recorded.emplace_back();
      figures.name = name;
      figures.path = path;
    }
  }
  std::uint64_t checksum = 0;  // keeps the bound loops from being optimised away
  for (int round = 0; round < options.repeat; ++round) {
    double sequential_speed = 0;
    for (std::size_t index = 0; index < setups.size(); ++index) {
      const ModeSetup& setup = setups[index];
      ModeFigures& mode = report.modes[index];
      const ModeRun run =
          run_mode(setup.batch, batch_lifecycles, full_batches,
                   setup.remainder ? &*setup.remainder : nullptr, remainder_lifecycles, setup.name);
      if (round > 0 && run.events != mode.events) {
        fail(std::string(setup.name) + ": the event count changed between runs");
      }
      mode.name = setup.name;
      mode.lifecycles = options.lifecycles;
      mode.batch = batch_lifecycles;
      mode.events = run.events;
      const double speed = static_cast<double>(options.lifecycles) / run.seconds;
      if (index == 0) sequential_speed = speed;
      mode.lifecycles_per_sec.values.push_back(speed);
      mode.lifecycles_per_cpu_sec.values.push_back(static_cast<double>(options.lifecycles) /
                                                   run.cpu_seconds);
      mode.events_per_sec.values.push_back(static_cast<double>(run.events) / run.seconds);

      // The bound does the same number of events with a queue as deep as the simulator's: the
      // runner merges the timeline into its loop rather than queueing it, so what is pending is
      // one in-flight segment and one timer per lifecycle under way (1 at a time in sequential
      // mode, the whole batch in concurrent mode).
      const bool concurrent = std::string_view(setup.name) == "concurrent";
      const std::uint64_t pending = 2 * (concurrent ? batch_lifecycles : 1);
      const double queue_seconds = bound_priority_queue(run.events, pending, checksum);
      mode.bound_events_per_sec.values.push_back(static_cast<double>(run.events) / queue_seconds);
      const double scheduler_seconds = bound_scheduler(run.events, pending, checksum);
      mode.scheduler_bound_events_per_sec.values.push_back(static_cast<double>(run.events) /
                                                           scheduler_seconds);
    }
    for (RecordedFigures& path : report.recorded) {
      const ModeRun run = run_sequential(path.path);
      if (round > 0 && run.trace_events != path.trace_events) {
        fail(std::string(path.name) + ": the trace changed between runs");
      }
      path.trace_events = run.trace_events;
      path.trace_bytes = run.trace_bytes;
      const double speed = static_cast<double>(options.lifecycles) / run.seconds;
      path.lifecycles_per_sec.values.push_back(speed);
      path.trace_events_per_sec.values.push_back(static_cast<double>(run.trace_events) /
                                                 run.seconds);
      path.trace_events_per_cpu_sec.values.push_back(static_cast<double>(run.trace_events) /
                                                     run.cpu_seconds);
      path.ratio_to_fast.values.push_back(speed / sequential_speed);
    }
  }
  if (checksum == 0) fail("bound checksum is zero");
  if (options.views) measure_views(sequential.batch, options.repeat, report);
  report.peak_rss_mib = peak_rss_mib();

  if (options.json) {
    print_json(report, options.repeat);
  } else {
    print_text(report, options.repeat);
  }
  return 0;
}
