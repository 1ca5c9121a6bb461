// The interpreter: packetdrill's run loop (run.c run_script), its socket bookkeeping
// (run_packet.c: the socket under test, its ISNs and 4-tuple) and its system calls
// (run_system_call.c), on a runner::Session in virtual time. This file is above 1,000 lines
// because it is one state machine (the socket under test and the blocking system call thread
// share its state); the matcher, the symbols and the parser live apart.
#include "packetdrill/interpreter.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "packetdrill/commands.hpp"
#include "packetdrill/matcher.hpp"
#include "packetdrill/symbols.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/trace.hpp"
#include "runner/visible_text.hpp"
#include "tcp/knobs.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::packetdrill {

using runner::Action;
using runner::ActionKind;
using runner::ActionOutcome;
using runner::ActionReport;
using runner::ConnectionRecord;
using runner::TraceEvent;
using runner::TraceKind;

namespace {

constexpr int local_host = 0;
constexpr Time microsecond_ns = 1000;
// packetdrill's defaults (config.c): the addresses, and the port bind() and connect() use.
constexpr const char* default_local_ip = "192.168.0.1";
constexpr const char* default_remote_ip = "192.0.2.1";
constexpr tcp::Port default_port = 8080;
// The remote ports packetdrill picks for connections the script opens towards a listener
// (ephemeral_port() in run_packet.c); fixed here, counted up.
constexpr tcp::Port first_remote_port = 40000;
// A blocking call waits at most this long in virtual time when nothing else is scheduled to
// end it, and an expected outbound packet this long past its deadline, before the run says so.
constexpr Time give_up_after = 300 * second;

// "1.250000": seconds with six decimals, as packetdrill prints times.
std::string seconds_text(Time ns) {
  const std::int64_t us = ns / microsecond_ns;
  char text[48];
  std::snprintf(text, sizeof text, "%s%" PRId64 ".%06" PRId64, us < 0 ? "-" : "",
                (us < 0 ? -us : us) / 1'000'000, (us < 0 ? -us : us) % 1'000'000);
  return text;
}
// "%9.6f" of packetdrill's packet dumps.
std::string padded_seconds(Time ns) {
  std::string text = seconds_text(ns);
  while (text.size() < 9) text.insert(text.begin(), ' ');
  return text;
}

bool has(std::uint8_t flags, std::uint8_t bit) { return (flags & bit) != 0; }

// packetdrill's view of one socket: its fd and socket options, and the packet-level state of
// run_packet.c's struct socket (state, live 4-tuple, ISNs in script and live space).
struct Socket {
  enum class State : std::uint8_t {
    fresh,                    // socket(), bind(): no connection
    listening,                // listen()
    passive_packet_received,  // the script sent a first packet to a listener (or a bound port)
    passive_synack_sent,      // the script saw our SYN-ACK
    passive_synack_acked,     // the script ACKed it
    active_connecting,        // connect()
    active_syn_sent,          // the script saw our SYN
    active_syn_acked,         // the script sent its SYN-ACK
  } state = State::fresh;
  int fd = -1;  // -1: not (yet) returned to the application (a listener's child before accept)
  bool nonblocking = false;
  bool linger_abort = false;  // SO_LINGER {onoff=1, linger=0}: close() aborts (RST)
  bool write_shut = false;    // shutdown(SHUT_WR) or close() called CLOSE
  bool closed = false;        // close() returned the fd
  tcp::TcpConfig config;      // the knobs its connection will get
  std::string connection;     // tcpsim's name of its connection, "" before there is one
  std::string listener;       // listen(): the listener's name
  tcp::Port bound_port = 0;
  bool has_tuple = false;
  tcp::Port local_port = 0;
  tcp::Port remote_port = 0;
  std::uint32_t script_local_isn = 0;
  std::uint32_t live_local_isn = 0;
  std::uint32_t remote_isn = 0;
  std::size_t errors_taken = 0;  // app events already turned into an errno or SO_ERROR
  bool eof_seen = false;
  std::set<std::string> accepted;  // a listener's connections accept() returned
};

// A system call's outcome, as end_syscall() checks it.
struct CallResult {
  std::int64_t value = 0;
  int error = 0;  // errno when value < 0
};
CallResult success(std::int64_t value = 0) { return CallResult{value, 0}; }
CallResult failure(const char* errno_name) {
  return CallResult{-1, find_errno(errno_name)->number};
}

// The outcome of trying a system call: done, would block (try again as the run goes on), or a
// runtime error ("unable to find fd ...").
struct Attempt {
  std::optional<CallResult> result;
  std::string runtime_error;
  bool would_block() const { return !result && runtime_error.empty(); }
};
Attempt done(CallResult result) { return Attempt{result, ""}; }
Attempt blocked() { return Attempt{std::nullopt, ""}; }
Attempt runtime_error(std::string message) { return Attempt{std::nullopt, std::move(message)}; }

const std::set<std::string>& supported_syscalls() {
  static const std::set<std::string> names{
      "socket", "bind",  "listen",   "accept",     "connect",    "read",  "recv", "recvfrom",
      "write",  "send",  "sendto",   "close",      "shutdown",   "fcntl", "getsockopt",
      "setsockopt"};
  return names;
}

class Interpreter {
 public:
  Interpreter(const Script& script, const InterpreterOptions& options)
      : script_(script), options_(options) {}

  ScriptOutcome run() {
    if (auto skip = unsupported_construct(script_, options_)) {
      outcome_.verdict = Verdict::skipped;
      outcome_.line = skip->first;
      outcome_.message = skip->second;
      return std::move(outcome_);
    }
    if (!configure()) return std::move(outcome_);
    runner::RunOptions run_options;
    run_options.seed = options_.seed;
    run_options.memory_budget = options_.memory_budget;
    run_options.keep_payloads = false;
    run_options.keep_app_data = false;
    session_ = std::make_unique<runner::Session>(scenario_, run_options);
    if (script_.init_command) {
      command(*script_.init_command, script_.init_command_where.line);
    }
    for (std::size_t index = 0; index < script_.events.size() && !stopped(); ++index) {
      event(script_.events[index]);
      ++events_run_;
    }
    if (!stopped() && blocking_) {
      // syscalls_free(): "exiting while a blocking system call is in progress".
      finish_blocking_call_before(give_up_time());
      if (!stopped() && blocking_) {
        fail(blocking_->line, file_line(blocking_->line) +
                                  ": runtime error: exiting while a blocking system call is in "
                                  "progress");
      }
    }
    if (!stopped() && script_.cleanup_command) {
      command(*script_.cleanup_command, script_.cleanup_command_where.line);
    }
    if (session_->result().error && !stopped()) run_failed();
    scenario_.timeline = performed_;
    outcome_.run = session_->finish();
    session_.reset();
    outcome_.scenario = std::move(scenario_);
    return std::move(outcome_);
  }

 private:
  // ---- Outcome ----
  bool stopped() const { return outcome_.verdict != Verdict::passed || outcome_.run_error; }
  std::string file_line(int line) const {
    return line > 0 ? script_.file + ":" + std::to_string(line) : script_.file;
  }
  void fail(int line, std::string message) {
    if (stopped()) return;
    outcome_.verdict = Verdict::failed;
    outcome_.line = line;
    outcome_.message = std::move(message);
  }
  void skip(int line, const std::string& what) {
    if (stopped()) return;
    outcome_.verdict = Verdict::skipped;
    outcome_.line = line;
    outcome_.message = file_line(line) + ": " + what;
  }
  void note(int line, const std::string& text) {
    const std::string entry = file_line(line) + ": note: " + text;
    if (std::find(outcome_.notes.begin(), outcome_.notes.end(), entry) == outcome_.notes.end()) {
      outcome_.notes.push_back(entry);
    }
  }
  void run_failed() {
    outcome_.run_error = true;
    outcome_.verdict = Verdict::failed;
    outcome_.message = script_.file + ": error: " + *session_->result().error;
  }

  void apply_command_line_knobs(tcp::TcpConfig& config) const {
    for (const auto& [name, value] : options_.knobs) {
      if (const tcp::Knob* knob = tcp::find_knob(name)) knob->set(config, value);
    }
  }

  // ---- Setup: the options, the two hosts ----
  bool configure() {
    std::string local_ip = default_local_ip;
    std::string remote_ip = default_remote_ip;
    // An IPv6 script run with --ipv6-as-ipv4 keeps IPv4 addresses and IPv6's header size.
    const bool ipv6 = std::any_of(script_.options.begin(), script_.options.end(),
                                  [](const ScriptOption& option) {
                                    return option.name == "ip_version" && option.value == "ipv6";
                                  });
    const int headers = ipv6 ? 60 : 40;  // IP and TCP headers without options
    if (ipv6) {
      note(0, "an IPv6 script run on IPv4 addresses (--ipv6-as-ipv4), with IPv6's MSS (the "
              "MTU less 60 bytes)");
    }
    const tcp::Profile* profile =
        options_.profile.empty() ? &tcp::profiles().front() : tcp::find_profile(options_.profile);
    if (profile == nullptr) {
      fail(0, script_.file + ": error: unknown profile \"" +
                  runner::visible_short(options_.profile) + "\"");
      return false;
    }
    tcp::TcpConfig config = tcp::profile_config(*profile);
    config.mss = static_cast<std::uint16_t>(1500 - headers);  // packetdrill's tun MTU is 1500
    apply_command_line_knobs(config);
    for (const ScriptOption& option : script_.options) {
      const auto number = [&]() -> std::optional<std::int64_t> {
        if (option.value.empty() ||
            option.value.find_first_not_of("0123456789") != std::string::npos ||
            option.value.size() > 12) {
          fail(option.where.line, file_line(option.where.line) + ": error: --" + option.name +
                                      " needs a number, got \"" +
                                      runner::visible_short(option.value) + "\"");
          return std::nullopt;
        }
        return std::stoll(option.value);
      };
      if (option.name == "tolerance_usecs") {
        const auto value = number();
        if (!value) return false;
        tolerance_ = *value * microsecond_ns;
      } else if (option.name == "tolerance_percent") {
        const auto value = number();
        if (!value) return false;
        tolerance_percent_ = *value;
      } else if (option.name == "mtu") {
        const auto value = number();
        if (!value) return false;
        if (*value <= headers || *value > 65535 + headers) {
          fail(option.where.line, file_line(option.where.line) + ": error: --mtu out of range");
          return false;
        }
        config.mss = static_cast<std::uint16_t>(*value - headers);
      } else if (option.name == "bind_port" || option.name == "connect_port") {
        const auto value = number();
        if (!value) return false;
        if (*value < 1 || *value > 65535) {
          fail(option.where.line,
               file_line(option.where.line) + ": error: --" + option.name + " out of range");
          return false;
        }
        (option.name == "bind_port" ? bind_port_ : connect_port_) =
            static_cast<tcp::Port>(*value);
      } else if ((option.name == "local_ip" || option.name == "remote_ip") && ipv6) {
        note(option.where.line, "--" + option.name + " is ignored: IPv4 addresses stand in");
      } else if (option.name == "local_ip") {
        local_ip = option.value;
      } else if (option.name == "remote_ip") {
        remote_ip = option.value;
      } else if (option.name != "ip_version") {
        note(option.where.line, "option --" + option.name + " is ignored");
      }
    }
    for (const auto& [text, address] : {std::pair<const std::string&, tcp::Address*>{
                                            local_ip, &local_address_},
                                        {remote_ip, &remote_address_}}) {
      if (!tcp::parse_address(text, *address)) {
        fail(0, script_.file + ": error: not an IPv4 address: \"" + runner::visible_short(text) +
                    "\"");
        return false;
      }
    }
    scenario_.file = script_.file;
    const auto slash = script_.file.find_last_of('/');
    scenario_.name = script_.file.substr(slash == std::string::npos ? 0 : slash + 1);
    if (scenario_.name.size() > 4 && scenario_.name.ends_with(".pkt")) {
      scenario_.name.resize(scenario_.name.size() - 4);
    }
    scenario_.description = "The packetdrill script " + scenario_.name +
                            ": host local is the TCP under test, host remote is played by the "
                            "script.";
    runner::HostSpec local;
    local.name = "local";
    local.address = local_address_;
    local.tcp = config;
    runner::HostSpec remote;
    remote.name = "remote";
    remote.address = remote_address_;
    remote.scripted = true;
    scenario_.hosts = {local, remote};
    if (options_.seed) scenario_.seed = *options_.seed;
    host_config_ = config;
    knobs_ = config;
    return true;
  }

  // ---- Driving the session ----
  runner::Session& session() { return *session_; }
  const runner::RunResult& result() const { return session_->result(); }
  Time now() const { return session_->now(); }

  // Runs the session up to `until`, one event at a time so that a blocking call in progress
  // sees the moment its condition comes true.
  void advance_to(Time until) {
    while (!stopped() && session().next_time() <= until) {
      if (!session_step()) break;
      poll_blocking_call();
    }
    if (stopped()) return;
    if (until != time_never && until > now()) session().run_until(until);
    poll_blocking_call();
    if (result().error) run_failed();
  }
  // Runs the session up to just before `until` and sets the clock to it: what the script does
  // at `until` comes before the run's own events of that time, as a timeline action of that
  // time would (so the converted scenario replays the run exactly).
  void advance_before(Time until) {
    while (!stopped() && session().next_time() < until) {
      if (!session_step()) break;
      poll_blocking_call();
    }
    if (stopped()) return;
    if (until > now()) session().run_before(until);
    poll_blocking_call();
    if (result().error) run_failed();
  }
  // The session's next event, remembering the time it ran at.
  bool session_step() {
    if (!session().step()) return false;
    event_ran_at_ = now();
    return true;
  }
  // One more event; false when none is left.
  bool step() {
    if (stopped()) return false;
    const bool stepped = session_step();
    if (result().error) {
      run_failed();
      return false;
    }
    poll_blocking_call();
    return stepped;
  }
  Time give_up_time() const { return now() + give_up_after; }

  // Everything happening now (a direct inject's arrival, the answers) before the next event.
  void settle() { advance_to(now()); }

  void perform(Action action) {
    // An action after the run's own events of this time (a segment the script waited for, the
    // answer to its last injection) goes 1 ns later: a converted scenario's action runs before
    // the queued events of its time, so it could not stand after them otherwise. packetdrill's
    // clock counts microseconds: no check sees the nanosecond.
    if (event_ran_at_ == now()) advance_before(now() + 1);
    action.at = now();
    action.host = action.kind == ActionKind::inject ? local_host : action.host;
    last_report_ = session().perform(action);
    performed_.push_back(action);
    if (last_report_.outcome == ActionOutcome::run_error) {
      run_failed();
      return;
    }
    settle();
  }

  // ---- Times (run.c adjust_relative_event_times, verify_time) ----
  Time tolerance_for(Time expected) const {
    Time tolerance = tolerance_;
    if (tolerance_percent_ > 0 && has_last_event_) {
      const Time delta = expected - last_event_time_;
      tolerance = std::max(tolerance, delta * tolerance_percent_ / 100);
    }
    return tolerance;
  }

  // "timing error: expected WHAT at E sec but happened at A sec; tolerance T sec", or nothing.
  std::optional<std::string> verify_time(const EventTime& time, Time start, Time end,
                                         Time actual, const std::string& what, Time offset) {
    if (time.kind == TimeKind::any) return std::nullopt;
    actual = actual / microsecond_ns * microsecond_ns;  // packetdrill's clock: microseconds
    const Time tolerance = tolerance_for(start);
    if (time.kind == TimeKind::absolute_range || time.kind == TimeKind::relative_range) {
      if (actual >= start - tolerance && actual <= end + tolerance) return std::nullopt;
      if (time.kind == TimeKind::absolute_range) {
        return "timing error: expected " + what + " in time range " + seconds_text(start) + "~" +
               seconds_text(end) + " sec but happened at " + seconds_text(actual) + " sec";
      }
      const std::string actual_relative =
          (actual - offset >= 0 ? "+" : "") + seconds_text(actual - offset);
      return "timing error: expected " + what + " in relative time range +" +
             seconds_text(start - offset) + "~+" + seconds_text(end - offset) +
             " sec but happened at " + actual_relative + " sec";
    }
    if (actual >= start - tolerance && actual <= start + tolerance) return std::nullopt;
    return "timing error: expected " + what + " at " + seconds_text(start) +
           " sec but happened at " + seconds_text(actual) + " sec; tolerance " +
           seconds_text(tolerance) + " sec";
  }

  // wait_for_event(): the clock moves to the event's time, then check_event_time().
  void wait_for_event(const Event& event, const std::string& what) {
    if (now() < event_start_) advance_before(event_start_);
    if (stopped() || events_run_ == 0) return;
    if (auto error = verify_time(event.time, event_start_, event_end_, now(), what, offset_)) {
      fail(event.where.line, file_line(event.where.line) + ": " + *error);
    }
  }

  // ---- Events ----
  void event(const Event& event) {
    const PacketSpec* packet = event.packet();
    const bool inbound = packet != nullptr && packet->inbound;
    // Consecutive inbound packets are anchored to the previous one's script time.
    // Script times count microseconds, as packetdrill's clock does (perform() may have moved
    // the run's clock a nanosecond on).
    const Time live_now = now() / microsecond_ns * microsecond_ns;
    offset_ = (has_last_event_ && last_event_inbound_ && inbound) ? last_event_time_ : live_now;
    const Time start = event.time.start_us * microsecond_ns;
    const Time end = event.time.end_us * microsecond_ns;
    switch (event.time.kind) {
      case TimeKind::absolute:
        event_start_ = start;
        event_end_ = start;
        break;
      case TimeKind::absolute_range:
        event_start_ = start;
        event_end_ = end;
        break;
      case TimeKind::relative:
        event_start_ = offset_ + start;
        event_end_ = event_start_;
        break;
      case TimeKind::relative_range:
        event_start_ = offset_ + start;
        event_end_ = offset_ + end;
        break;
      case TimeKind::any:
        event_start_ = offset_;
        event_end_ = offset_;
        break;
    }
    // run.c get_next_event(): absolute times may not go backward.
    if (has_last_event_ && last_event_absolute_ &&
        (event.time.kind == TimeKind::absolute || event.time.kind == TimeKind::absolute_range) &&
        event_start_ < last_event_time_) {
      fail(event.where.line, file_line(event.where.line) +
                                 ": time goes backward in script from " +
                                 std::to_string(last_event_time_ / microsecond_ns) +
                                 " usec to " + std::to_string(event_start_ / microsecond_ns) +
                                 " usec");
      return;
    }
    if (packet) {
      if (packet->inbound) {
        inbound_packet(event, *packet);
      } else {
        outbound_packet(event, *packet);
      }
    } else if (const SyscallSpec* call = event.syscall()) {
      syscall(event, *call);
    } else if (const CommandSpec* spec = event.command()) {
      wait_for_event(event, "command");
      if (!stopped()) command(*spec, event.where.line);
    } else if (const CodeSpec* code = event.code()) {
      wait_for_event(event, "data collection for code");
      if (!stopped()) code_event(*code, event.where.line);
    }
    has_last_event_ = true;
    last_event_time_ = event_start_;
    last_event_inbound_ = inbound;
    last_event_absolute_ =
        event.time.kind == TimeKind::absolute || event.time.kind == TimeKind::absolute_range;
  }

  // ---- Sockets ----
  Socket* socket_by_fd(int fd) {
    for (auto& socket : sockets_) {
      if (socket->fd == fd && !socket->closed) return socket.get();
    }
    return nullptr;
  }
  Socket* under_test() { return under_test_; }

  const ConnectionRecord* record_of(const Socket& socket) const {
    if (!socket.connection.empty()) return result().find_connection(socket.connection);
    if (!socket.has_tuple) return nullptr;
    // A connection the script opened towards a listener: found by its 4-tuple, latest first.
    const auto& connections = result().connections;
    for (auto it = connections.rbegin(); it != connections.rend(); ++it) {
      if (it->host == local_host && !it->listener && it->tuple.local.port == socket.local_port &&
          it->tuple.remote.port == socket.remote_port &&
          it->tuple.remote.address == remote_address_) {
        return &*it;
      }
    }
    return nullptr;
  }

  // The state sockstat or TCP_INFO shows: the connection's, CLOSED once it is gone.
  tcp::State socket_state(const Socket& socket) const {
    if (socket.state == Socket::State::listening) return tcp::State::listen;
    const ConnectionRecord* record = record_of(socket);
    if (!record || record->freed) return tcp::State::closed;
    return record->final_state();
  }

  // The connection's own knobs (sysctls and setsockopt calls since the scenario began) when
  // they differ from the host's: a connect's or listen's "tcp".
  void set_connection_knobs(Action& action, const tcp::TcpConfig& config) const {
    for (const tcp::Knob& knob : tcp::knobs()) {
      if (!(knob.get(config) == knob.get(host_config_))) {
        action.tcp = config;
        return;
      }
    }
  }

  // ---- Inbound packets (do_inbound_script_packet) ----
  Socket* socket_for_inbound() {
    Socket* socket = under_test();
    // handle_listen_for_script_packet(): a packet to a listener (or to a socket with no
    // connection, or to nothing) opens a new child socket with a new remote port.
    if (socket == nullptr || socket->state == Socket::State::listening ||
        (socket->state == Socket::State::fresh && !socket->has_tuple)) {
      auto child = std::make_unique<Socket>();
      child->state = Socket::State::passive_packet_received;
      child->has_tuple = true;
      child->local_port = socket && socket->bound_port ? socket->bound_port : bind_port_;
      child->remote_port = next_remote_port_++;
      if (socket) child->config = socket->config;
      sockets_.push_back(std::move(child));
      under_test_ = sockets_.back().get();
      return under_test_;
    }
    return socket;
  }

  void inbound_packet(const Event& event, const PacketSpec& spec) {
    wait_for_event(event, "inbound packet");
    if (stopped()) return;
    const bool fresh_child = under_test() == nullptr ||
                             under_test()->state == Socket::State::listening ||
                             (under_test()->state == Socket::State::fresh &&
                              !under_test()->has_tuple);
    Socket& socket = *socket_for_inbound();
    if (fresh_child) socket.remote_isn = spec.seq;
    const bool syn = has(spec.flags, tcp::flag::syn);
    const bool ack = has(spec.flags, tcp::flag::ack);
    if (socket.state == Socket::State::passive_synack_sent && ack) {
      socket.state = Socket::State::passive_synack_acked;
    } else if (socket.state == Socket::State::active_syn_sent && syn && ack) {
      socket.state = Socket::State::active_syn_acked;
      socket.remote_isn = spec.seq;
    }
    if (!socket.has_tuple) {
      fail(event.where.line, file_line(event.where.line) +
                                 ": error handling packet: no matching socket for script packet");
      return;
    }
    // map_inbound_packet(): the script's numbers to live ones.
    const std::uint32_t seq_offset = syn ? 0 : socket.remote_isn;
    const std::uint32_t ack_offset =
        syn ? socket.live_local_isn - socket.script_local_isn : socket.live_local_isn;
    Action action;
    action.kind = ActionKind::inject;
    action.inject.from_address = remote_address_;
    action.inject.from_port = spec.source_port ? spec.source_port : socket.remote_port;
    action.inject.to_port = spec.destination_port ? spec.destination_port : socket.local_port;
    action.inject.flags = spec.flags;
    action.inject.seq = static_cast<std::uint32_t>(spec.seq + seq_offset);
    action.inject.ack = ack ? static_cast<std::uint32_t>(spec.ack + ack_offset) : spec.ack;
    // A line without "win" sends (u16)-1, as new_tcp_packet() does.
    action.inject.window = spec.window.value_or(65535);
    // The options the core models go on the segment; padding says nothing, and the others
    // (MD5, Fast Open: a strict run skips such a script) are skipped as RFC 9293 3.1 says.
    for (const TcpOption& option : effective_options(spec.options, options_.lenient_options)) {
      switch (option.kind) {
        case TcpOption::Kind::mss:
          action.inject.mss = static_cast<std::uint16_t>(option.value);
          break;
        case TcpOption::Kind::wscale:
          action.inject.window_scale = static_cast<std::int8_t>(std::min<std::uint32_t>(
              option.value, static_cast<std::uint32_t>(tcp::max_window_scale)));
          break;
        case TcpOption::Kind::sack_permitted: action.inject.sack_permitted = true; break;
        case TcpOption::Kind::timestamp:
          action.inject.has_timestamps = true;
          action.inject.timestamp_value = option.value;
          action.inject.timestamp_echo = option.echo;
          break;
        default: break;
      }
    }
    action.inject.direct = true;
    if (spec.payload > 0) action.data = pattern_bytes(spec.payload);
    perform(action);
  }

  static runner::SharedBytes pattern_bytes(std::size_t count) {
    // The loader's "bytes": N pattern, so that a converted scenario sends the same bytes.
    static constexpr std::string_view pattern = "abcdefghijklmnopqrstuvwxyz";
    std::vector<std::uint8_t> bytes(count);
    for (std::size_t index = 0; index < count; ++index) {
      bytes[index] = static_cast<std::uint8_t>(pattern[index % pattern.size()]);
    }
    return runner::SharedBytes(std::move(bytes));
  }

  // ---- Outbound packets (do_outbound_script_packet, sniff_outbound_live_packet) ----
  // Whether host 0's segment belongs to the socket under test; a connecting socket learns its
  // local port and live ISN from its SYN (find_connect_for_live_packet).
  bool sniffed_for(Socket& socket, const runner::TraceSegment& segment) {
    if (socket.has_tuple) {
      return segment.source_port == socket.local_port &&
             segment.destination_port == socket.remote_port &&
             segment.destination == remote_address_;
    }
    if (socket.state == Socket::State::active_syn_sent &&
        has(segment.flags, tcp::flag::syn) && !has(segment.flags, tcp::flag::ack) &&
        segment.destination == remote_address_ && segment.destination_port == socket.remote_port) {
      socket.has_tuple = true;
      socket.local_port = segment.source_port;
      socket.live_local_isn = segment.seq;
      return true;
    }
    return false;
  }

  // The next segment host 0 sends for the socket under test: one already sent and not yet
  // sniffed, or the next one the run sends. Others are discarded, as packetdrill discards
  // packets of other sockets. Nothing when the run ends first, or `give_up` passes.
  const TraceEvent* sniff(Socket& socket, Time give_up) {
    while (true) {
      const auto& trace = result().trace;
      while (trace_cursor_ < trace.size()) {
        const TraceEvent& event = trace[trace_cursor_++];
        if (event.kind == TraceKind::send && event.host == local_host &&
            sniffed_for(socket, event.segment)) {
          return &event;
        }
      }
      if (session().next_time() > give_up) return nullptr;
      if (!step()) return nullptr;
    }
  }

  WireSegment script_space(const Socket& socket, const runner::TraceSegment& live) const {
    // tcp_convert_seq_number(): live numbers to script ones.
    const bool syn = has(live.flags, tcp::flag::syn);
    WireSegment segment;
    segment.flags = live.flags;
    segment.seq = syn ? live.seq - (socket.live_local_isn - socket.script_local_isn)
                      : live.seq - socket.live_local_isn;
    // The ack field is mapped only when the ACK bit makes it one (a RST answering a segment
    // without ACK carries 0).
    segment.ack = !has(live.flags, tcp::flag::ack) ? live.ack
                  : syn                             ? live.ack
                                                    : live.ack - socket.remote_isn;
    segment.window = live.window;
    segment.payload = live.length;
    // The options as the host's layout puts them on the wire (tcp::encode_options), SACK
    // blocks in script space (relative to the remote ISN, as packetdrill maps them).
    tcp::Segment options = runner::options_of(live);
    for (std::size_t index = 0; index < live.sack_block_count; ++index) {
      options.sack_blocks[index] = {live.sack_blocks[index].left - socket.remote_isn,
                                    live.sack_blocks[index].right - socket.remote_isn};
    }
    segment.options = effective_options(
        options_of(tcp::encode_options(options, scenario_.hosts[0].tcp.option_layout)),
        options_.lenient_options);
    return segment;
  }

  void outbound_packet(const Event& event, const PacketSpec& spec) {
    const int line = event.where.line;
    Socket* socket = under_test();
    if (socket == nullptr) {
      fail(line, file_line(line) + ": error handling packet: no matching socket for script "
                                   "packet");
      return;
    }
    const bool syn = has(spec.flags, tcp::flag::syn);
    const bool ack = has(spec.flags, tcp::flag::ack);
    // handle_connect_for_script_packet(): the script's SYN gives the script's local ISN.
    if (syn && !ack && socket->state == Socket::State::active_connecting) {
      socket->state = Socket::State::active_syn_sent;
      socket->script_local_isn = spec.seq;
    }
    const bool synack_expected = socket->state == Socket::State::passive_packet_received &&
                                 syn && ack;
    if (synack_expected) socket->script_local_isn = spec.seq;
    const Time give_up = std::max(event_end_, now()) + tolerance_for(event_start_) + give_up_after;
    const TraceEvent* sent = sniff(*socket, give_up);
    if (stopped()) return;
    const WireSegment script_segment = expected_segment(spec, options_.lenient_options);
    const std::string script_dump =
        "script packet: " + padded_seconds(event_start_) + " " +
        segment_text(script_segment, spec.window.has_value());
    if (sent == nullptr) {
      fail(line, file_line(line) + ": error handling packet: timing error: expected outbound "
                                   "packet at " + seconds_text(event_start_) +
                     " sec but none was sent by " + seconds_text(now()) + " sec\n" +
                     script_dump);
      return;
    }
    if (synack_expected) {
      socket->state = Socket::State::passive_synack_sent;
      socket->live_local_isn = sent->segment.seq;
    }
    const WireSegment actual = script_space(*socket, sent->segment);
    std::optional<std::string> error = match_outbound(spec, actual, options_.lenient_options);
    if (!error) {
      error = verify_time(event.time, event_start_, event_end_, sent->time, "outbound packet",
                          offset_);
    }
    if (error) {
      fail(line, file_line(line) + ": error handling packet: " + *error + "\n" + script_dump +
                     "\nactual packet: " + padded_seconds(sent->time) + " " +
                     segment_text(actual, true));
    }
  }

  // ---- System calls (run_system_call.c) ----
  struct Blocking {
    int line = 0;
    std::string name;
    std::function<Attempt()> attempt;
    const SyscallSpec* spec = nullptr;
    EventTime time;
    Time expected_end = 0;
    Time start = 0;
  };

  void poll_blocking_call() {
    if (!blocking_ || polling_ || stopped()) return;
    polling_ = true;
    Attempt attempt = blocking_->attempt();
    polling_ = false;
    if (attempt.would_block()) return;
    Blocking call = std::move(*blocking_);
    blocking_.reset();
    if (!attempt.runtime_error.empty()) {
      fail(call.line, file_line(call.line) + ": runtime error in " + call.name + " call: " +
                          attempt.runtime_error);
      return;
    }
    check_result(call.line, *call.spec, *attempt.result);
    if (stopped()) return;
    // The blocking call's return time: its end time, the start as the dynamic tolerance's base.
    EventTime end_time;
    end_time.kind = TimeKind::absolute;
    if (auto error = verify_time(end_time, call.expected_end, call.expected_end, now(),
                                 "system call return", call.start)) {
      fail(call.line, file_line(call.line) + ": " + *error);
    }
  }

  // await_idle_thread(): a call waits for a blocking call in progress, at most 1 s.
  void finish_blocking_call_before(Time limit) {
    while (blocking_ && !stopped() && session().next_time() <= limit) {
      if (!step()) break;
    }
  }

  std::optional<std::int64_t> integer_of(const Expression& expression) const {
    switch (expression.kind) {
      case Expression::Kind::integer: return expression.number;
      case Expression::Kind::word: return symbol_value(expression.text);
      case Expression::Kind::list:
        if (expression.items.size() == 1) return integer_of(expression.items[0]);
        return std::nullopt;
      case Expression::Kind::bitwise_or: {
        std::int64_t value = 0;
        for (const Expression& item : expression.items) {
          const auto part = integer_of(item);
          if (!part) return std::nullopt;
          value |= *part;
        }
        return value;
      }
      default: return std::nullopt;
    }
  }

  // end_syscall(): the result, then errno.
  void check_result(int line, const SyscallSpec& spec, const CallResult& actual) {
    const auto expected = integer_of(spec.result);
    const std::string prefix = file_line(line) + ": runtime error in " + spec.name + " call: ";
    if (!expected) {
      fail(line, prefix + "bad result expression");
      return;
    }
    const bool fd_call = spec.name == "socket" || spec.name == "accept";
    if (fd_call && *expected >= 0) {
      if (actual.value < 0) {
        fail(line, prefix + "Expected non-negative result but got " +
                       std::to_string(actual.value) + " with errno " + errno_text(actual.error));
      }
    } else if (actual.value != *expected) {
      fail(line, prefix + "Expected result " + std::to_string(*expected) + " but got " +
                     std::to_string(actual.value) + " with errno " + errno_text(actual.error));
      return;
    }
    if (!spec.errno_name.empty()) {
      const ErrnoInfo* want = find_errno(spec.errno_name);
      if (want == nullptr) {
        fail(line, prefix + "unknown errno " + runner::visible_short(spec.errno_name));
      } else if (want->number != actual.error) {
        fail(line, prefix + "Expected errno " + errno_text(want->number) + " but got " +
                       errno_text(actual.error));
      }
    }
  }

  void syscall(const Event& event, const SyscallSpec& spec) {
    const int line = event.where.line;
    if (blocking_) {
      if (spec.end_us) {
        fail(line, file_line(line) + ": runtime error in " + spec.name +
                       " call: blocking system call while another blocking system call is "
                       "already in progress");
        return;
      }
      finish_blocking_call_before(now() + second);
      if (stopped()) return;
    }
    wait_for_event(event, "system call start");
    if (stopped()) return;
    std::function<Attempt()> attempt = call(spec, line);
    if (stopped()) return;
    Attempt first = attempt();
    if (stopped()) return;
    if (!first.runtime_error.empty()) {
      fail(line, file_line(line) + ": runtime error in " + spec.name + " call: " +
                     first.runtime_error);
      return;
    }
    if (spec.end_us) {
      // A blocking call runs in packetdrill's system call thread: the script goes on, and the
      // call's return is checked against its end time when it comes.
      Blocking blocking;
      blocking.line = line;
      blocking.name = spec.name;
      blocking.spec = &spec;
      blocking.time = event.time;
      blocking.start = event_start_;
      blocking.expected_end = *spec.end_us * microsecond_ns +
                              (event.time.kind == TimeKind::relative ? offset_ : 0);
      if (first.would_block()) {
        blocking.attempt = std::move(attempt);
        blocking_ = std::move(blocking);
        return;
      }
      check_result(line, spec, *first.result);
      EventTime end_time;
      if (!stopped()) {
        if (auto error = verify_time(end_time, blocking.expected_end, blocking.expected_end,
                                     now(), "system call return", event_start_)) {
          fail(line, file_line(line) + ": " + *error);
        }
      }
      return;
    }
    // A call without an end time returns before the script goes on; one that blocks (a
    // blocking socket) holds the script until it returns.
    const Time give_up = now() + give_up_after;
    while (first.would_block() && !stopped()) {
      if (session().next_time() > give_up || !step()) {
        fail(line, file_line(line) + ": runtime error in " + spec.name +
                       " call: the call blocks and nothing is left to happen that would end it "
                       "(a blocking socket: use O_NONBLOCK or a ...END time)");
        return;
      }
      first = attempt();
    }
    if (stopped()) return;
    if (!first.runtime_error.empty()) {
      fail(line, file_line(line) + ": runtime error in " + spec.name + " call: " +
                     first.runtime_error);
      return;
    }
    check_result(line, spec, *first.result);
  }

  // The fd argument, or a runtime error.
  Socket* fd_argument(const SyscallSpec& spec, std::string& error) {
    if (spec.arguments.empty()) {
      error = "expected at least 1 argument";
      return nullptr;
    }
    const auto fd = integer_of(spec.arguments[0]);
    if (!fd) {
      error = "bad fd argument";
      return nullptr;
    }
    Socket* socket = socket_by_fd(static_cast<int>(*fd));
    if (socket == nullptr) error = "unable to find fd with script fd " + std::to_string(*fd);
    return socket;
  }

  // The function that tries the call (again, while it would block).
  std::function<Attempt()> call(const SyscallSpec& spec, int line) {
    const std::string& name = spec.name;
    if (name == "socket") return [this, &spec] { return call_socket(spec); };
    std::string error;
    Socket* socket = fd_argument(spec, error);
    if (socket == nullptr) return [error] { return runtime_error(error); };
    if (name == "bind") return [this, socket, &spec] { return call_bind(*socket, spec); };
    if (name == "listen") return [this, socket, &spec] { return call_listen(*socket, spec); };
    if (name == "accept") return [this, socket, &spec] { return call_accept(*socket, spec); };
    if (name == "connect") {
      Attempt started = call_connect(*socket, spec);
      if (!started.would_block()) return [started] { return started; };
      return [this, socket] { return connect_outcome(*socket); };
    }
    if (name == "read" || name == "recv" || name == "recvfrom") {
      return [this, socket, &spec] { return call_read(*socket, spec); };
    }
    if (name == "write" || name == "send" || name == "sendto") {
      return [this, socket, &spec] { return call_write(*socket, spec); };
    }
    if (name == "close") return [this, socket, line] { return call_close(*socket, line); };
    if (name == "shutdown") return [this, socket, &spec] { return call_shutdown(*socket, spec); };
    if (name == "fcntl") return [this, socket, &spec] { return call_fcntl(*socket, spec); };
    if (name == "getsockopt") {
      return [this, socket, &spec, line] { return call_getsockopt(*socket, spec, line); };
    }
    if (name == "setsockopt") {
      return [this, socket, &spec, line] { return call_setsockopt(*socket, spec, line); };
    }
    return [name] { return runtime_error("Unknown system call: '" + name + "'"); };
  }

  Attempt call_socket(const SyscallSpec& spec) {
    const auto expected = integer_of(spec.result);
    int fd = expected && *expected >= 0 ? static_cast<int>(*expected) : 3;
    while (socket_by_fd(fd) != nullptr) ++fd;
    auto socket = std::make_unique<Socket>();
    socket->fd = fd;
    socket->config = knobs_;
    sockets_.push_back(std::move(socket));
    under_test_ = sockets_.back().get();
    return done(success(fd));
  }

  // A sockaddr argument's port ({sa_family=AF_INET, sin_port=htons(8080), ...}), if written.
  std::optional<tcp::Port> sockaddr_port(const SyscallSpec& spec) const {
    if (spec.arguments.size() < 2 || spec.arguments[1].kind != Expression::Kind::braces) {
      return std::nullopt;
    }
    for (const Expression& item : spec.arguments[1].items) {
      if (item.kind == Expression::Kind::assign && item.text == "sin_port" &&
          item.items[0].kind == Expression::Kind::call && item.items[0].items.size() == 1) {
        if (const auto port = integer_of(item.items[0].items[0])) {
          return static_cast<tcp::Port>(*port);
        }
      }
    }
    return std::nullopt;
  }

  Attempt call_bind(Socket& socket, const SyscallSpec& spec) {
    socket.bound_port = sockaddr_port(spec).value_or(bind_port_);
    return done(success());
  }

  Attempt call_listen(Socket& socket, const SyscallSpec& spec) {
    Action action;
    action.kind = ActionKind::listen;
    action.host = local_host;
    action.port = socket.bound_port ? socket.bound_port : bind_port_;
    if (spec.arguments.size() >= 2) {
      if (const auto backlog = integer_of(spec.arguments[1])) {
        action.backlog = static_cast<int>(std::clamp<std::int64_t>(*backlog, 1, 65535));
      }
    }
    action.name = "fd" + std::to_string(socket.fd);
    action.automatic_read = false;  // the script reads: bytes wait in the receive buffer
    set_connection_knobs(action, socket.config);
    perform(action);
    if (last_report_.outcome == ActionOutcome::port_in_use) return done(failure("EADDRINUSE"));
    socket.listener = action.name;
    socket.bound_port = action.port;
    socket.state = Socket::State::listening;
    return done(success());
  }

  Attempt call_accept(Socket& listener, const SyscallSpec& spec) {
    if (listener.state != Socket::State::listening) return done(failure("EINVAL"));
    // The listener's connections that reached ESTABLISHED (accept() returns them in order).
    const ConnectionRecord* next = nullptr;
    Time next_time = 0;
    for (const ConnectionRecord& record : result().connections) {
      if (!record.spawned_by_listener || record.host != local_host ||
          record.name.rfind(listener.listener + "#", 0) != 0 ||
          listener.accepted.count(record.name) != 0) {
        continue;
      }
      for (const auto& app : record.app_events) {
        if (app.kind != tcp::AppEventKind::accepted) continue;
        if (next == nullptr || app.time < next_time) {
          next = &record;
          next_time = app.time;
        }
        break;
      }
    }
    if (next == nullptr) {
      return listener.nonblocking ? done(failure("EAGAIN")) : blocked();
    }
    listener.accepted.insert(next->name);
    const auto expected = integer_of(spec.result);
    int fd = expected && *expected >= 0 ? static_cast<int>(*expected) : 4;
    while (socket_by_fd(fd) != nullptr) ++fd;
    Socket* child = nullptr;
    for (auto& socket : sockets_) {
      if (socket->fd < 0 && socket->has_tuple && socket->local_port == next->tuple.local.port &&
          socket->remote_port == next->tuple.remote.port) {
        child = socket.get();
      }
    }
    if (child == nullptr) {
      auto socket = std::make_unique<Socket>();
      socket->state = Socket::State::passive_synack_acked;
      socket->has_tuple = true;
      socket->local_port = next->tuple.local.port;
      socket->remote_port = next->tuple.remote.port;
      sockets_.push_back(std::move(socket));
      child = sockets_.back().get();
    }
    child->fd = fd;
    child->connection = next->name;
    child->config = listener.config;
    return done(success(fd));
  }

  Attempt call_connect(Socket& socket, const SyscallSpec& spec) {
    if (!socket.connection.empty()) return done(failure("EALREADY"));
    Action action;
    action.kind = ActionKind::connect;
    action.host = local_host;
    action.port = sockaddr_port(spec).value_or(connect_port_);
    action.local_port = socket.bound_port;
    action.name = "fd" + std::to_string(socket.fd);
    action.automatic_read = false;
    set_connection_knobs(action, socket.config);
    perform(action);
    if (stopped()) return done(success());
    if (last_report_.connection.empty()) return done(failure("EADDRINUSE"));
    socket.connection = last_report_.connection;
    socket.state = Socket::State::active_connecting;
    socket.remote_port = action.port;
    if (socket.nonblocking) return done(failure("EINPROGRESS"));
    return blocked();
  }

  // A blocking connect() returns once the handshake ends, one way or the other.
  Attempt connect_outcome(Socket& socket) {
    const ConnectionRecord* record = record_of(socket);
    if (record == nullptr) return done(failure("ECONNREFUSED"));
    for (const auto& app : record->app_events) {
      switch (app.kind) {
        case tcp::AppEventKind::connected: return done(success());
        case tcp::AppEventKind::refused: return done(failure("ECONNREFUSED"));
        case tcp::AppEventKind::reset: return done(failure("ECONNRESET"));
        case tcp::AppEventKind::timed_out: return done(failure("ETIMEDOUT"));
        default: break;
      }
    }
    return blocked();
  }

  // The error the socket reports next (SO_ERROR, or a failing call), taken once: a reset,
  // refusal or time-out the application has not been told of yet.
  int take_error(Socket& socket) {
    const ConnectionRecord* record = record_of(socket);
    if (record == nullptr) return 0;
    for (std::size_t index = socket.errors_taken; index < record->app_events.size(); ++index) {
      socket.errors_taken = index + 1;
      switch (record->app_events[index].kind) {
        case tcp::AppEventKind::reset: return find_errno("ECONNRESET")->number;
        case tcp::AppEventKind::refused: return find_errno("ECONNREFUSED")->number;
        case tcp::AppEventKind::timed_out: return find_errno("ETIMEDOUT")->number;
        default: break;
      }
    }
    return 0;
  }
  bool has_event(const ConnectionRecord& record, tcp::AppEventKind kind) const {
    return std::any_of(record.app_events.begin(), record.app_events.end(),
                       [kind](const auto& app) { return app.kind == kind; });
  }

  Attempt call_read(Socket& socket, const SyscallSpec& spec) {
    if (socket.state == Socket::State::listening) return done(failure("ENOTCONN"));
    const ConnectionRecord* record = record_of(socket);
    if (record == nullptr || socket.connection.empty()) return done(failure("ENOTCONN"));
    std::size_t count = 0;
    if (spec.arguments.size() >= 3) {
      if (const auto length = integer_of(spec.arguments[2])) {
        count = static_cast<std::size_t>(std::max<std::int64_t>(*length, 0));
      }
    }
    if (!record->freed && count > 0) {
      Action action;
      action.kind = ActionKind::read;
      action.host = local_host;
      action.connection = socket.connection;
      action.read_bytes = count;
      // A read that finds nothing is not an action: only one that hands over bytes is
      // performed (and kept in the timeline).
      if (readable_bytes(*record) > 0) {
        perform(action);
        if (last_report_.bytes_read > 0) return done(success(
            static_cast<std::int64_t>(last_report_.bytes_read)));
      }
    }
    record = record_of(socket);
    if (const int error = take_error(socket)) return done(CallResult{-1, error});
    if (record && (has_event(*record, tcp::AppEventKind::end_of_stream) ||
                   has_event(*record, tcp::AppEventKind::reset))) {
      return done(success(0));
    }
    return socket.nonblocking ? done(failure("EAGAIN")) : blocked();
  }

  // The bytes in the connection's receive buffer, in order, not yet read: what its deliveries
  // carried up to RCV.NXT, less what the application read. Counted from the trace: each
  // in-order payload byte host 0 acknowledged.
  std::size_t readable_bytes(const ConnectionRecord& record) const {
    std::size_t read = 0;
    for (const auto& app : record.app_events) {
      if (app.kind == tcp::AppEventKind::data) read += app.length;
    }
    // The highest ACK host 0 sent on this connection is RCV.NXT: the bytes received in order
    // (less the SYN and a FIN) once its IRS is known.
    if (!record.irs) return 0;
    std::uint32_t highest = *record.irs + 1;
    bool fin = false;
    for (const TraceEvent& event : result().trace) {
      if (event.kind != TraceKind::send || event.host != local_host ||
          event.connection != record.id || !has(event.segment.flags, tcp::flag::ack)) {
        continue;
      }
      if (static_cast<std::int32_t>(event.segment.ack - highest) > 0) highest = event.segment.ack;
    }
    fin = has_event(record, tcp::AppEventKind::end_of_stream);
    std::size_t received = static_cast<std::uint32_t>(highest - (*record.irs + 1));
    if (fin && received > 0) --received;
    return received > read ? received - read : 0;
  }

  Attempt call_write(Socket& socket, const SyscallSpec& spec) {
    if (socket.connection.empty()) return done(failure("ENOTCONN"));
    std::size_t count = 0;
    if (spec.arguments.size() >= 3) {
      if (const auto length = integer_of(spec.arguments[2])) {
        count = static_cast<std::size_t>(std::max<std::int64_t>(*length, 0));
      }
    }
    if (const int error = take_error(socket)) return done(CallResult{-1, error});
    if (socket.write_shut) return done(failure("EPIPE"));
    const ConnectionRecord* record = record_of(socket);
    if (record == nullptr || record->freed) return done(failure("EPIPE"));
    Action action;
    action.kind = ActionKind::send;
    action.host = local_host;
    action.connection = socket.connection;
    action.data = pattern_bytes(count);
    perform(action);
    switch (last_report_.outcome) {
      case ActionOutcome::called: return done(success(static_cast<std::int64_t>(count)));
      case ActionOutcome::write_waits:
        // The runner offers the rest as the buffer drains, as a blocking write would.
        return done(success(static_cast<std::int64_t>(
            socket.nonblocking ? last_report_.bytes_taken : count)));
      default: return done(failure("EPIPE"));
    }
  }

  Attempt call_close(Socket& socket, int line) {
    socket.closed = true;
    if (socket.state == Socket::State::listening) {
      Action action;
      action.kind = ActionKind::close;
      action.host = local_host;
      action.connection = socket.listener;
      perform(action);
      if (!stopped() && last_report_.outcome != ActionOutcome::called) {
        // A core that cannot close a listener (RFC 9293 3.10.4) refused it: the call changed
        // nothing, and a converted scenario could not name a listener in a close.
        performed_.pop_back();
        note(line, "close() of the listener is not modelled by the core: it stays in LISTEN");
      }
      return done(success());
    }
    const ConnectionRecord* record = record_of(socket);
    if (socket.connection.empty() || record == nullptr || record->freed) return done(success());
    if (socket.linger_abort) {
      Action action;
      action.kind = ActionKind::abort;
      action.host = local_host;
      action.connection = socket.connection;
      perform(action);
    } else if (!socket.write_shut) {
      Action action;
      action.kind = ActionKind::close;
      action.host = local_host;
      action.connection = socket.connection;
      perform(action);
    }
    socket.write_shut = true;
    return done(success());
  }

  Attempt call_shutdown(Socket& socket, const SyscallSpec& spec) {
    const auto how = spec.arguments.size() >= 2 ? integer_of(spec.arguments[1]) : std::nullopt;
    if (!how || *how < 0 || *how > 2) return done(failure("EINVAL"));
    const ConnectionRecord* record = record_of(socket);
    if (socket.connection.empty() || record == nullptr) return done(failure("ENOTCONN"));
    if (*how == 0) return done(success());  // SHUT_RD: nothing on the wire
    if (!socket.write_shut && !record->freed) {
      Action action;
      action.kind = ActionKind::close;
      action.host = local_host;
      action.connection = socket.connection;
      perform(action);
    }
    socket.write_shut = true;
    return done(success());
  }

  Attempt call_fcntl(Socket& socket, const SyscallSpec& spec) {
    const auto command = spec.arguments.size() >= 2 ? integer_of(spec.arguments[1]) : std::nullopt;
    if (command == symbol_value("F_GETFL")) {
      return done(success(o_rdwr | (socket.nonblocking ? o_nonblock : 0)));
    }
    if (command == symbol_value("F_SETFL") && spec.arguments.size() >= 3) {
      const auto flags = integer_of(spec.arguments[2]);
      if (!flags) return runtime_error("bad fcntl flags");
      socket.nonblocking = (*flags & o_nonblock) != 0;
      return done(success());
    }
    return runtime_error("unsupported fcntl command");
  }

  // The receive buffer FreeBSD reports once the connection knows its MSS: rounded up to a
  // multiple of it (tcp_mss_update() -> sbreserve()). tcpsim's core keeps the knob's size.
  std::uint32_t freebsd_rounded(std::uint32_t buffer) const {
    const std::uint32_t mss = scenario_.hosts[0].tcp.mss;
    return mss == 0 ? buffer : (buffer + mss - 1) / mss * mss;
  }

  Attempt call_getsockopt(Socket& socket, const SyscallSpec& spec, int line) {
    if (spec.arguments.size() < 4) return runtime_error("expected 5 arguments");
    const std::string& option = spec.arguments[2].text;
    const auto expected = integer_of(spec.arguments[3]);
    if (!expected) return runtime_error("bad getsockopt optval");
    std::int64_t actual = 0;
    if (option == "SO_ERROR") {
      actual = take_error(socket);
    } else if (option == "SO_RCVBUF" || option == "SO_SNDBUF") {
      const bool receive = option == "SO_RCVBUF";
      actual = receive ? socket.config.receive_buffer : socket.config.send_buffer;
      // FreeBSD rounds once the connection learned the peer's MSS, from its SYN (SYN_RCVD on).
      const bool synchronized = [&] {
        const ConnectionRecord* record = record_of(socket);
        return record && std::any_of(record->states.begin(), record->states.end(),
                                     [](tcp::State state) {
                                       return state != tcp::State::closed &&
                                              state != tcp::State::listen &&
                                              state != tcp::State::syn_sent;
                                     });
      }();
      if (receive && synchronized && socket.config.receive_buffer_rounded_to_mss) {
        // The knob is FreeBSD's rounding, which the core applies (tcp_mss()): the buffer is
        // reported as the connection holds it.
        actual = freebsd_rounded(static_cast<std::uint32_t>(actual));
      } else if (receive && options_.lenient_options && synchronized && *expected != actual &&
          *expected == freebsd_rounded(static_cast<std::uint32_t>(actual))) {
        note(line, "SO_RCVBUF " + std::to_string(*expected) + " is FreeBSD's buffer rounded up "
                   "to a multiple of the MSS; tcpsim's is " + std::to_string(actual) +
                   " (accepted with --lenient-options)");
        actual = *expected;
      }
    } else if (option == "TCP_NODELAY") {
      actual = socket.config.nagle ? 0 : 1;
    } else if (option == "SO_KEEPALIVE") {
      actual = socket.config.keepalive ? 1 : 0;
    } else {
      return runtime_error("unsupported getsockopt option " + runner::visible_short(option));
    }
    if (actual != *expected) {
      return runtime_error("Bad getsockopt optval: expected: " + std::to_string(*expected) +
                           " actual: " + std::to_string(actual));
    }
    return done(success());
  }

  Attempt call_setsockopt(Socket& socket, const SyscallSpec& spec, int line) {
    if (spec.arguments.size() < 4) return runtime_error("expected 5 arguments");
    const std::string& option = spec.arguments[2].text;
    const Expression& value = spec.arguments[3];
    if (option == "SO_LINGER") {
      std::optional<std::int64_t> onoff;
      std::optional<std::int64_t> linger;
      for (const Expression& item : value.items) {
        if (item.kind != Expression::Kind::assign) continue;
        if (item.text == "onoff" || item.text == "l_onoff") onoff = integer_of(item.items[0]);
        if (item.text == "linger" || item.text == "l_linger") linger = integer_of(item.items[0]);
      }
      if (!onoff || !linger) return runtime_error("bad SO_LINGER value {onoff=N, linger=N}");
      socket.linger_abort = *onoff != 0 && *linger == 0;
      if (*onoff != 0 && *linger != 0) {
        note(line, "SO_LINGER with a timeout: close() does not wait in tcpsim");
      }
      return done(success());
    }
    const auto number = integer_of(value);
    if (!number) return runtime_error("bad setsockopt optval");
    tcp::TcpConfig config = socket.config;
    const auto seconds = [](std::int64_t count) { return count * second; };
    if (option == "SO_REUSEADDR" || option == "SO_REUSEPORT") {
      // tcpsim's ports are reusable once free; TIME_WAIT holds only its own 4-tuple.
    } else if (option == "TCP_NODELAY") {
      config.nagle = *number == 0;
    } else if (option == "SO_RCVBUF") {
      config.receive_buffer = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
          *number, 0, 16 * 1024 * 1024));
    } else if (option == "SO_SNDBUF") {
      config.send_buffer = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
          *number, 1, 64 * 1024 * 1024));
    } else if (option == "SO_KEEPALIVE") {
      config.keepalive = *number != 0;
    } else if (option == "TCP_KEEPIDLE") {
      config.keepalive_idle = seconds(std::max<std::int64_t>(*number, 1));
    } else if (option == "TCP_KEEPINTVL") {
      config.keepalive_interval = seconds(std::max<std::int64_t>(*number, 1));
    } else if (option == "TCP_KEEPCNT") {
      config.keepalive_probes = static_cast<int>(std::clamp<std::int64_t>(*number, 1, 1000));
    } else {
      return runtime_error("unsupported setsockopt option " + runner::visible_short(option));
    }
    configure(socket, config);
    return done(success());
  }

  // The socket's knobs become `config`. Before connect() or listen() they wait for the
  // connection; after, a configure action changes its live connection or listener (every
  // knob setsockopt sets is live, tcp/knobs.hpp).
  void configure(Socket& socket, const tcp::TcpConfig& config) {
    Action action;
    action.kind = ActionKind::configure;
    action.host = local_host;
    action.connection = socket.listener.empty() ? socket.connection : socket.listener;
    for (const tcp::Knob& knob : tcp::knobs()) {
      if (!(knob.get(config) == knob.get(socket.config)))
        action.configure_knobs.push_back(knob.name);
    }
    socket.config = config;
    if (action.connection.empty() || action.configure_knobs.empty()) return;
    if (socket.listener.empty()) {
      const ConnectionRecord* record = record_of(socket);
      if (record == nullptr || record->freed) return;  // nothing left to change
    }
    action.tcp = config;
    perform(action);
  }

  // ---- Commands and code ----
  void command(const CommandSpec& spec, int line) {
    if (const auto settings = parse_sysctl(spec.text)) {
      for (const auto& [name, value] : *settings) sysctl(name, value, line);
      return;
    }
    if (const auto probe = parse_sockstat(spec.text)) {
      const int count = sockets_in(probe->state, probe->port);
      if (count != probe->count) {
        fail(line, file_line(line) + ": error executing `" + spec.text +
                       "` command: non-zero status 1 (" + std::to_string(count) + " " +
                       (count == 1 ? "socket" : "sockets") + " in " +
                       std::string(tcp::state_name(probe->state)) + ", the script expects " +
                       std::to_string(probe->count) + ")");
      }
      return;
    }
    if (const auto state = parse_tcpdrop(spec.text)) {
      std::vector<std::string> names;
      for (const ConnectionRecord& record : result().connections) {
        if (record.host == local_host && !record.freed && !record.listener &&
            record.final_state() == *state) {
          names.push_back(record.name);
        }
      }
      for (const std::string& name : names) {
        Action action;
        action.kind = ActionKind::abort;
        action.host = local_host;
        action.connection = name;
        perform(action);
      }
      return;
    }
    skip(line, "the command `" + runner::visible_short(spec.text) + "` is not supported");
  }

  void sysctl(const std::string& name, const std::string& value, int line) {
    if (const SysctlMapping* found = find_sysctl(name)) {
      const SysctlMapping& mapping = *found;
      const tcp::Knob* knob = mapping.knob.empty() ? nullptr : tcp::find_knob(mapping.knob);
      if (knob == nullptr) {
        note(line, "sysctl " + name + "=" + value + " is ignored: " +
                       (mapping.knob.empty() ? std::string(mapping.note)
                                             : "the knob " + std::string(mapping.knob) +
                                                   " does not exist yet"));
        return;
      }
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
          value.size() > 12) {
        note(line, "sysctl " + name + "=" + value + " is ignored: not a number");
        return;
      }
      std::int64_t number = std::stoll(value);
      if (mapping.knob == "rfc5961") number = number == 0 ? 1 : 0;  // insecure_* = 1: off
      if (knob->type == tcp::KnobType::duration) number *= millisecond;
      if (number < knob->min || number > knob->max) {
        note(line, "sysctl " + name + "=" + value + " is ignored: out of the knob's range");
        return;
      }
      tcp::KnobValue setting;
      setting.number = number;
      knob->set(knobs_, setting);
      apply_command_line_knobs(knobs_);  // --knob wins over the script
      return;
    }
    note(line, "sysctl " + name + "=" + value + " is ignored: tcpsim has no knob for it");
  }

  // sockstat's count: the sockets the application holds, in their connection's state (CLOSED
  // once it is gone), and the connections it holds no socket for (a listener's, before
  // accept(), and those it closed), in theirs. `port`: either end's port.
  int sockets_in(tcp::State state, std::optional<tcp::Port> port) const {
    int count = 0;
    std::set<std::string> held;
    for (const auto& socket : sockets_) {
      if (socket->fd < 0 || socket->closed) continue;
      const ConnectionRecord* record = record_of(*socket);
      if (record) held.insert(record->name);
      if (socket->state == Socket::State::listening) held.insert(socket->listener);
      if (port) {
        const tcp::Port local = socket->state == Socket::State::listening ? socket->bound_port
                                : record ? record->tuple.local.port
                                         : socket->bound_port;
        const tcp::Port remote = record ? record->tuple.remote.port : 0;
        if (local != *port && remote != *port) continue;
      }
      if (socket_state(*socket) == state) ++count;
    }
    for (const ConnectionRecord& record : result().connections) {
      if (record.host != local_host || record.freed || record.failed_connect ||
          held.count(record.name) != 0) {
        continue;
      }
      if (port && record.tuple.local.port != *port && record.tuple.remote.port != *port) continue;
      if (record.final_state() == state) ++count;
    }
    return count;
  }

  void code_event(const CodeSpec& code, int line) {
    const auto assertion = parse_state_assertion(code.text);
    if (!assertion) {
      skip(line, "the code block %{ " + runner::visible_short(code.text) + " }% is not "
                 "supported (only assert tcpi_state == TCP_...)");
      return;
    }
    Socket* socket = under_test();
    const tcp::State actual = socket ? socket_state(*socket) : tcp::State::closed;
    if (actual != assertion->state) {
      fail(line, file_line(line) + ": error: " + assertion->text + ": the connection is in " +
                     std::string(tcp::state_name(actual)));
    }
  }

  const Script& script_;
  InterpreterOptions options_;
  ScriptOutcome outcome_;
  runner::Scenario scenario_;
  std::unique_ptr<runner::Session> session_;
  tcp::TcpConfig host_config_;
  tcp::TcpConfig knobs_;  // the host's knobs as the sysctls so far set them
  tcp::Address local_address_ = 0;
  tcp::Address remote_address_ = 0;
  tcp::Port bind_port_ = default_port;
  tcp::Port connect_port_ = default_port;
  tcp::Port next_remote_port_ = first_remote_port;
  Time tolerance_ = 0;
  std::int64_t tolerance_percent_ = 0;
  std::vector<std::unique_ptr<Socket>> sockets_;
  Socket* under_test_ = nullptr;
  std::size_t trace_cursor_ = 0;
  Time event_ran_at_ = -1;  // the time of the last event the session ran
  std::optional<Blocking> blocking_;
  bool polling_ = false;
  ActionReport last_report_;
  std::vector<Action> performed_;
  std::size_t events_run_ = 0;
  bool has_last_event_ = false;
  bool last_event_inbound_ = false;
  bool last_event_absolute_ = false;
  Time last_event_time_ = 0;
  Time offset_ = 0;
  Time event_start_ = 0;
  Time event_end_ = 0;
};

}  // namespace

std::optional<std::pair<int, std::string>> unsupported_construct(
    const Script& script, const InterpreterOptions& options) {
  const auto at = [&](int line, const std::string& what) {
    return std::make_pair(line, script.file + ":" + std::to_string(line) + ": " + what);
  };
  for (const ScriptOption& option : script.options) {
    const bool mapped = option.value == "ipv6" && options.ipv6_as_ipv4;
    if (option.name == "ip_version" && option.value != "ipv4" && !mapped) {
      return at(option.where.line, "--ip_version=" + runner::visible_short(option.value) +
                                       " is not supported (tcpsim is IPv4; --ipv6-as-ipv4 runs "
                                       "an IPv6 script on IPv4 addresses)");
    }
  }
  std::optional<std::pair<int, std::string>> first;
  const auto consider = [&](int line, const std::string& what) {
    if (!first || line < first->first) first = at(line, what);
  };
  for (const Unsupported& construct : script.unsupported) {
    consider(construct.where.line, construct.construct + " is not supported");
  }
  if (script.init_command && !command_understood(script.init_command->text)) {
    consider(script.init_command_where.line,
             "the command `" + runner::visible_short(script.init_command->text) +
                 "` is not supported");
  }
  if (script.cleanup_command && !command_understood(script.cleanup_command->text)) {
    consider(script.cleanup_command_where.line,
             "the command `" + runner::visible_short(script.cleanup_command->text) +
                 "` is not supported");
  }
  for (const Event& event : script.events) {
    const int line = event.where.line;
    if (const PacketSpec* packet = event.packet()) {
      if (!options.lenient_options) {
        for (const TcpOption& option : packet->options) {
          if (!option_modelled(option.kind) && option_ignorable_when_lenient(option.kind)) {
            consider(option.where.line,
                     "the TCP option " + option_name(option.kind) +
                         " is not modelled by the core (--lenient-options ignores it)");
            break;
          }
        }
      }
    } else if (const SyscallSpec* call = event.syscall()) {
      if (supported_syscalls().count(call->name) == 0) {
        consider(line, "the system call " + runner::visible_short(call->name) +
                           "() is not supported");
      } else if (call->name == "socket" && call->arguments.size() >= 2 &&
                 (call->arguments[1].text != "SOCK_STREAM" ||
                  (call->arguments[0].kind == Expression::Kind::word &&
                   call->arguments[0].text == "AF_INET6"))) {
        consider(line, "a socket other than an IPv4 SOCK_STREAM one is not supported");
      }
    } else if (const CommandSpec* command = event.command()) {
      if (!command_understood(command->text)) {
        consider(line, "the command `" + runner::visible_short(command->text) +
                           "` is not supported");
      }
    } else if (const CodeSpec* code = event.code()) {
      if (!parse_state_assertion(code->text)) {
        consider(line, "the code block %{ " + runner::visible_short(code->text) +
                           " }% is not supported (only assert tcpi_state == TCP_...)");
      }
    }
  }
  return first;
}

bool parse_knob_setting(std::string_view text, std::pair<std::string, tcp::KnobValue>& setting,
                        std::string& error) {
  const auto equals = text.find('=');
  const std::string name(text.substr(0, equals));
  const tcp::Knob* knob = tcp::find_knob(name);
  if (equals == std::string_view::npos || knob == nullptr) {
    error = "expected NAME=VALUE with NAME a TCP knob (tcpsim list --knobs), got \"" +
            runner::visible_short(text) + "\"";
    return false;
  }
  // The value is read as a host's "tcp" object reads it: the loader is the one reader of knob
  // values, with its messages. A number or true/false stays one; anything else is a string.
  const std::string value(text.substr(equals + 1));
  const bool literal = value == "true" || value == "false" ||
                       (!value.empty() && value.size() <= 20 &&
                        value.find_first_not_of("0123456789") == std::string::npos);
  std::string json_value = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') json_value += '\\';
    json_value += c;
  }
  json_value += "\"";
  const std::string scenario =
      R"({"tcpsim": 1, "name": "knob", "description": "--knob", "timeline": [], "hosts": )"
      R"([{"name": "local", "tcp": {")" + name + "\": " + (literal ? value : json_value) +
      R"(}}, {"name": "remote"}]})";
  try {
    const runner::Scenario loaded = runner::load_scenario_text(scenario, "--knob");
    setting = {name, knob->get(loaded.hosts[0].tcp)};
    return true;
  } catch (const runner::ScenarioError& failure) {
    error = "--knob " + runner::visible_short(name) + ": " + failure.message();
    return false;
  }
}

ScriptOutcome run_script(const Script& script, const InterpreterOptions& options) {
  Interpreter interpreter(script, options);
  return interpreter.run();
}

}  // namespace tcpsim::packetdrill
