// tcpsim_flood_benchmark: a SYN flood from spoofed sources against one listener whose backlog
// holds them all, built directly on the core and the simulator (tcp::Host, sim::Link,
// sim::Scheduler), trace off. It measures how long the simulator takes to hold N concurrent
// half-open connections (SYN_RCVD), and the process's peak resident set (getrusage). See
// docs/performance.md, "Many connections".
//
// The flood: N SYNs, one every `--spacing-ns` (default 1 us), each from its own spoofed socket
// (198.18.0.0/15, the benchmarking range of RFC 2544, ports 1024 upwards), cross the link (1 ms)
// to the server, whose listener has a backlog of N. Each SYN spawns a connection that answers
// with a SYN-ACK and arms its retransmission timer (RFC 6298 on the SYN-ACK). The spoofed
// sources do not exist, so nothing answers: the SYN-ACKs leave the server and are counted, not
// delivered. Phase "flood" ends when the last SYN has been processed; `--give-up` then runs on
// until every half-open connection has given up (its SYN-ACK retransmissions exhausted) and
// the backlog is empty again.
//
// Checks (a broken benchmark reports no number): after the flood, the server holds exactly N
// live connections, all in SYN_RCVD, and sent exactly N SYN-ACKs; after --give-up it holds none.
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sim/link.hpp"
#include "sim/scheduler.hpp"
#include "tcp/host.hpp"
#include "tcp/types.hpp"

namespace {

using tcpsim::Duration;
using tcpsim::Time;
namespace tcp = tcpsim::tcp;
namespace sim = tcpsim::sim;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tcpsim_flood_benchmark: %s\n", message.c_str());
  std::exit(1);
}

constexpr tcp::Address server_address = (10U << 24) | 2U;     // 10.0.0.2
constexpr tcp::Address spoofed_first = (198U << 24) | (18U << 16);  // 198.18.0.0
constexpr tcp::Port server_port = 80;
constexpr std::uint32_t ports_per_address = 60000;  // source ports 1024 .. 61023

// The flood and its server: every effect of the core becomes a scheduled event or a count.
class Flood {
 public:
  Flood(std::uint64_t syns, Duration spacing)
      : syns_(syns), spacing_(spacing), link_(link_config(), {}, 1),
        server_(host_config(), tcp::IsnSource([this] { return next_isn(); })) {
    const tcp::ConnectionId listener =
        server_.listen(0, server_port, static_cast<int>(syns), output_);
    if (listener == tcp::no_connection) fail("the listen failed");
    process();
    scheduler_.schedule_at(0, &Flood::on_send_syn, this, 0);
  }

  // Runs until the last SYN was processed (all N are half-open); returns the events run.
  std::uint64_t run_flood() {
    while (processed_ < syns_ && scheduler_.run_one()) {
    }
    return scheduler_.executed();
  }
  // Runs on to quiescence: every half-open connection retransmits its SYN-ACK and gives up.
  std::uint64_t run_to_quiescence() {
    scheduler_.run();
    return scheduler_.executed();
  }

  const tcp::Host& server() const { return server_; }
  std::uint64_t syn_acks_sent() const { return syn_acks_; }
  std::uint64_t segments_sent() const { return segments_; }
  Time now() const { return scheduler_.now(); }

 private:
  static sim::LinkConfig link_config() {
    sim::LinkConfig config;
    for (auto& direction : config.directions) direction.delay = 1 * tcpsim::millisecond;
    return config;
  }
  static tcp::HostConfig host_config() {
    tcp::HostConfig config;
    config.address = server_address;
    config.tcp.fixed_isn = 5'000;
    return config;
  }
  std::uint32_t next_isn() { return isn_state_ += 0x01000193U; }

  // ---- Scheduler callbacks ----
  // The attacker puts the next spoofed SYN on the link, and schedules the one after it: the
  // queue holds the flood's next step, not all N SYNs.
  static void on_send_syn(void* context, std::uint64_t index) {
    auto* self = static_cast<Flood*>(context);
    self->send_syn(index);
    if (index + 1 < self->syns_) {
      self->scheduler_.schedule_after(self->spacing_, &Flood::on_send_syn, self, index + 1);
    }
  }
  static void on_syn_arrival(void* context, std::uint64_t index) {
    static_cast<Flood*>(context)->arrive(index);
  }
  static void on_timer(void* context, std::uint64_t packed) {
    auto* self = static_cast<Flood*>(context);
    const auto kind = static_cast<tcp::TimerKind>(packed & 0xFFU);
    const auto connection = static_cast<tcp::ConnectionId>(packed >> 8);
    self->timers_[connection][static_cast<std::size_t>(kind)] = {};
    self->server_.timer_expired(self->scheduler_.now(), connection, kind, self->output_);
    self->process();
  }

  static tcp::Packet spoofed_syn(std::uint64_t index) {
    tcp::Packet packet;
    packet.source = spoofed_first + static_cast<tcp::Address>(index / ports_per_address);
    packet.destination = server_address;
    packet.segment.source_port = static_cast<tcp::Port>(1024 + index % ports_per_address);
    packet.segment.destination_port = server_port;
    packet.segment.seq = static_cast<std::uint32_t>(index * 7919U);
    packet.segment.flags = tcp::flag::syn;
    packet.segment.window = 65535;
    packet.segment.mss = 1460;
    return packet;
  }

  void send_syn(std::uint64_t index) {
    tcp::Packet packet = spoofed_syn(index);
    const sim::LinkVerdict verdict =
        link_.transmit(scheduler_.now(), packet, sim::Direction::forward);
    if (verdict.dropped || verdict.deliveries.size() != 1) fail("the link lost a SYN");
    // The packet is rebuilt from its index on arrival: nothing waits in flight but the index.
    scheduler_.schedule_at(verdict.deliveries[0].time, &Flood::on_syn_arrival, this, index);
  }

  void arrive(std::uint64_t index) {
    server_.packet_arrives(scheduler_.now(), spoofed_syn(index), output_);
    process();
    ++processed_;
  }

  void process() {
    for (const tcp::Effect& effect : output_.effects()) {
      switch (effect.kind) {
        case tcp::Effect::Kind::transmit:
          ++segments_;
          if (output_.packet(effect).segment.flags == (tcp::flag::syn | tcp::flag::ack)) {
            ++syn_acks_;
          }
          break;  // to a spoofed source: nobody is there to answer
        case tcp::Effect::Kind::timer_set: {
          sim::EventHandle& handle = timer(effect.connection, effect.timer);
          scheduler_.cancel(handle);
          const std::uint64_t packed = (static_cast<std::uint64_t>(effect.connection) << 8) |
                                       static_cast<std::uint64_t>(effect.timer);
          handle = scheduler_.schedule_at(effect.deadline, &Flood::on_timer, this, packed);
          break;
        }
        case tcp::Effect::Kind::timer_cancel: {
          sim::EventHandle& handle = timer(effect.connection, effect.timer);
          scheduler_.cancel(handle);
          handle = {};
          break;
        }
        default:
          break;  // states, opens, frees and app events: the host keeps the connections
      }
    }
    output_.clear();
  }

  sim::EventHandle& timer(tcp::ConnectionId connection, tcp::TimerKind kind) {
    if (timers_.size() <= connection) timers_.resize(connection + 1);
    return timers_[connection][static_cast<std::size_t>(kind)];
  }

  const std::uint64_t syns_;
  const Duration spacing_;
  sim::Scheduler scheduler_;
  sim::Link link_;
  std::uint32_t isn_state_ = 1;
  tcp::Host server_;
  tcp::Output output_;
  std::vector<std::array<sim::EventHandle, tcp::timer_kind_count>> timers_;
  std::uint64_t processed_ = 0;
  std::uint64_t syn_acks_ = 0;
  std::uint64_t segments_ = 0;
};

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The process's CPU time (user + system): on a shared machine wall-clock time includes the time
// this process waited for a core.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uint64_t parse_positive(const char* option, const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value == 0 || text[0] == '-') {
    fail(std::string(option) + " expects a positive integer, got \"" + text + "\"");
  }
  return value;
}

void print_usage() {
  std::printf(
      "usage: tcpsim_flood_benchmark [--connections N] [--spacing-ns D] [--give-up] [--json]\n"
      "  --connections N  spoofed SYNs, and the listener's backlog (default 1000000)\n"
      "  --spacing-ns D   virtual time between two SYNs (default 1000)\n"
      "  --give-up        run on until every half-open connection has given up\n"
      "  --json           one JSON object instead of text\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t connections = 1'000'000;
  Duration spacing = 1 * tcpsim::microsecond;
  bool give_up = false;
  bool json = false;
  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index];
    auto value = [&]() -> const char* {
      if (index + 1 >= argc) fail(std::string(argument) + " expects a value");
      return argv[++index];
    };
    if (argument == "--connections") {
      connections = parse_positive("--connections", value());
      if (connections > 2'000'000'000) fail("--connections is at most 2000000000");
    } else if (argument == "--spacing-ns") {
      spacing = static_cast<Duration>(parse_positive("--spacing-ns", value()));
    } else if (argument == "--give-up") {
      give_up = true;
    } else if (argument == "--json") {
      json = true;
    } else if (argument == "--help" || argument == "-h") {
      print_usage();
      return 0;
    } else {
      print_usage();
      fail("unknown option " + std::string(argument));
    }
  }

  const Clock::time_point start = Clock::now();
  const double cpu_start = cpu_seconds();
  Flood flood(connections, spacing);
  const std::uint64_t flood_events = flood.run_flood();
  const double flood_seconds = seconds_since(start);
  const double flood_cpu = cpu_seconds() - cpu_start;
  const double flood_rss = peak_rss_mib();
  const Time flood_end = flood.now();

  // Checked outside the timing: N half-open connections, N SYN-ACKs.
  if (flood.server().connection_count() != connections) {
    fail("the server holds " + std::to_string(flood.server().connection_count()) +
         " connections, expected " + std::to_string(connections));
  }
  std::uint64_t half_open = 0;
  for (tcp::ConnectionId id = 1; id <= connections + 1; ++id) {
    const tcp::Connection* connection = flood.server().find(id);
    if (connection != nullptr && connection->state() == tcp::State::syn_received) ++half_open;
  }
  if (half_open != connections || flood.syn_acks_sent() != connections) {
    fail(std::to_string(half_open) + " connections in SYN_RCVD and " +
         std::to_string(flood.syn_acks_sent()) + " SYN-ACKs sent, expected " +
         std::to_string(connections) + " of each");
  }

  double total_seconds = flood_seconds;
  std::uint64_t total_events = flood_events;
  if (give_up) {
    const Clock::time_point again = Clock::now();
    total_events = flood.run_to_quiescence();
    total_seconds += seconds_since(again);
    if (flood.server().connection_count() != 0) {
      fail(std::to_string(flood.server().connection_count()) +
           " connections left after the give-up phase");
    }
  }
  const double total_rss = peak_rss_mib();
  const double total_cpu = cpu_seconds() - cpu_start;

  if (json) {
    std::printf("{\"connections\":%llu,\"flood_seconds\":%.3f,\"flood_cpu_seconds\":%.3f,"
                "\"flood_events\":%llu,"
                "\"flood_virtual_seconds\":%.6f,\"flood_peak_rss_mib\":%.1f",
                static_cast<unsigned long long>(connections), flood_seconds, flood_cpu,
                static_cast<unsigned long long>(flood_events),
                static_cast<double>(flood_end) / 1e9, flood_rss);
    if (give_up) {
      std::printf(",\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"total_events\":%llu,"
                  "\"segments_sent\":%llu,\"virtual_seconds\":%.3f,\"peak_rss_mib\":%.1f",
                  total_seconds, total_cpu, static_cast<unsigned long long>(total_events),
                  static_cast<unsigned long long>(flood.segments_sent()),
                  static_cast<double>(flood.now()) / 1e9, total_rss);
    }
    std::printf("}\n");
  } else {
    std::printf("tcpsim_flood_benchmark: %llu spoofed SYNs against a backlog of %llu, trace off\n"
                "  flood: %llu half-open connections (SYN_RCVD) after %.3f s of virtual time, "
                "%llu events, %.3f s (%.3f s of CPU), peak RSS %.1f MiB\n",
                static_cast<unsigned long long>(connections),
                static_cast<unsigned long long>(connections),
                static_cast<unsigned long long>(half_open), static_cast<double>(flood_end) / 1e9,
                static_cast<unsigned long long>(flood_events), flood_seconds, flood_cpu,
                flood_rss);
    if (give_up) {
      std::printf("  give-up: all gone at %.3f s of virtual time, %llu events, %llu segments "
                  "sent, %.3f s in all (%.3f s of CPU), peak RSS %.1f MiB\n",
                  static_cast<double>(flood.now()) / 1e9,
                  static_cast<unsigned long long>(total_events),
                  static_cast<unsigned long long>(flood.segments_sent()), total_seconds,
                  total_cpu, total_rss);
    }
  }
  return 0;
}
