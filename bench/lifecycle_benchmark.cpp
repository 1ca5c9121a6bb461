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
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "sim/scheduler.hpp"
#include "tcp/config.hpp"
#include "tcp/types.hpp"

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
constexpr std::uint64_t max_batch = 1000;
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

struct ModeRun {
  double seconds = 0;
  std::uint64_t events = 0;
};

// Runs the mode's batches back to back (`full_batches` of the big scenario, then the remainder),
// checking each result outside the timed section. Not inlined, so profilers can isolate it
// (valgrind --toggle-collect=*run_mode*).
[[gnu::noinline]] ModeRun run_mode(const Scenario& batch, std::uint64_t batch_lifecycles, std::uint64_t full_batches,
                 const Scenario* remainder, std::uint64_t remainder_lifecycles, const char* mode) {
  ModeRun run;
  auto run_one = [&](const Scenario& scenario, std::uint64_t lifecycles) {
    const Clock::time_point start = Clock::now();
    RunResult result = tcpsim::runner::run_scenario(scenario, fast_path());
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
  Samples events_per_sec;
  Samples bound_events_per_sec;            // std::priority_queue
  Samples scheduler_bound_events_per_sec;  // sim::Scheduler
};

void print_text(const std::vector<ModeFigures>& modes, int repeat) {
  std::printf("tcpsim_benchmark: best of %d run(s); each lifecycle = handshake, %zu bytes, "
              "four-way close, TIME_WAIT expiry\n",
              repeat, payload_bytes);
  for (const ModeFigures& mode : modes) {
    const double events_per_lifecycle =
        static_cast<double>(mode.events) / static_cast<double>(mode.lifecycles);
    std::printf("\n%s: %llu lifecycles in batches of %llu, %llu events (%.1f per lifecycle)\n",
                mode.name, static_cast<unsigned long long>(mode.lifecycles),
                static_cast<unsigned long long>(mode.batch),
                static_cast<unsigned long long>(mode.events), events_per_lifecycle);
    std::printf("  lifecycles/s           %12.0f   (median %.0f)\n", mode.lifecycles_per_sec.best(),
                mode.lifecycles_per_sec.median());
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
}

void print_json(const std::vector<ModeFigures>& modes, int repeat) {
  std::printf("{");
  bool first = true;
  for (const ModeFigures& mode : modes) {
    std::printf("%s\"%s\":{\"lifecycles\":%llu,\"batch\":%llu,\"repeat\":%d,\"events\":%llu,"
                "\"lifecycles_per_sec\":%.1f,\"events_per_sec\":%.1f,"
                "\"bound_events_per_sec\":%.1f,\"ratio_to_bound\":%.6f,"
                "\"scheduler_bound_events_per_sec\":%.1f,\"ratio_to_scheduler_bound\":%.6f,"
                "\"median_lifecycles_per_sec\":%.1f,\"median_events_per_sec\":%.1f,"
                "\"median_bound_events_per_sec\":%.1f}",
                first ? "" : ",", mode.name, static_cast<unsigned long long>(mode.lifecycles),
                static_cast<unsigned long long>(mode.batch), repeat,
                static_cast<unsigned long long>(mode.events), mode.lifecycles_per_sec.best(),
                mode.events_per_sec.best(), mode.bound_events_per_sec.best(),
                mode.events_per_sec.best() / mode.bound_events_per_sec.best(),
                mode.scheduler_bound_events_per_sec.best(),
                mode.events_per_sec.best() / mode.scheduler_bound_events_per_sec.best(),
                mode.lifecycles_per_sec.median(), mode.events_per_sec.median(),
                mode.bound_events_per_sec.median());
    first = false;
  }
  std::printf("}\n");
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

struct Options {
  std::uint64_t lifecycles = default_lifecycles;
  int repeat = 5;
  bool json = false;
  // For profilers: run only this mode's lifecycles (no bound, no JSON), so a profile shows the
  // simulator alone. Empty: the normal benchmark.
  std::string profile_mode;
};

void print_usage() {
  std::printf(
      "usage: tcpsim_benchmark [--lifecycles N] [--repeat R] [--json]\n"
      "  --lifecycles N  lifecycles per mode and run (default %llu)\n"
      "  --repeat R      runs of every mode, interleaved; the best is reported (default 5)\n"
      "  --json          one JSON object instead of text\n"
      "  --profile MODE  run only MODE (sequential or concurrent) lifecycles, for a profiler\n",
      static_cast<unsigned long long>(default_lifecycles));
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
    } else if (argument == "--repeat") {
      const std::uint64_t repeat = parse_positive("--repeat", value());
      if (repeat > 1000) fail("--repeat is at most 1000");
      options.repeat = static_cast<int>(repeat);
    } else if (argument == "--profile") {
      options.profile_mode = value();
      if (options.profile_mode != "sequential" && options.profile_mode != "concurrent") {
        fail("--profile expects sequential or concurrent");
      }
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
  const std::uint64_t batch_lifecycles = std::min(options.lifecycles, max_batch);
  const std::uint64_t full_batches = options.lifecycles / batch_lifecycles;
  const std::uint64_t remainder_lifecycles = options.lifecycles % batch_lifecycles;

  struct ModeSetup {
    const char* name;
    Scenario batch;
    std::optional<Scenario> remainder;
  };
  std::vector<ModeSetup> setups;
  for (const bool concurrent : {false, true}) {
    ModeSetup setup{concurrent ? "concurrent" : "sequential",
                    make_scenario(batch_lifecycles, concurrent), std::nullopt};
    if (remainder_lifecycles > 0) setup.remainder = make_scenario(remainder_lifecycles, concurrent);
    // Untimed recorded run: checks the application events and that recording changes nothing.
    // Skipped under --profile, so a profile holds the timed runs only (still state-checked).
    if (options.profile_mode.empty()) verify_recorded_run(setup.batch, batch_lifecycles, setup.name);
    setups.push_back(std::move(setup));
  }

  if (!options.profile_mode.empty()) {
    for (const ModeSetup& setup : setups) {
      if (setup.name != options.profile_mode) continue;
      for (int round = 0; round < options.repeat; ++round) {
        const ModeRun run = run_mode(setup.batch, batch_lifecycles, full_batches,
                                     setup.remainder ? &*setup.remainder : nullptr,
                                     remainder_lifecycles, setup.name);
        std::printf("%s: %.0f lifecycles/s, %.0f events/s\n", setup.name,
                    static_cast<double>(options.lifecycles) / run.seconds,
                    static_cast<double>(run.events) / run.seconds);
      }
    }
    return 0;
  }

  std::vector<ModeFigures> figures(setups.size());
  std::uint64_t checksum = 0;  // keeps the bound loops from being optimised away
  for (int round = 0; round < options.repeat; ++round) {
    for (std::size_t index = 0; index < setups.size(); ++index) {
      const ModeSetup& setup = setups[index];
      ModeFigures& mode = figures[index];
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
      mode.lifecycles_per_sec.values.push_back(static_cast<double>(options.lifecycles) /
                                               run.seconds);
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
  }
  if (checksum == 0) fail("bound checksum is zero");

  if (options.json) {
    print_json(figures, options.repeat);
  } else {
    print_text(figures, options.repeat);
  }
  return 0;
}
