#include "runner/simulation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "runner/reactions.hpp"
#include "runner/vocabulary.hpp"
#include "sim/link.hpp"
#include "sim/random.hpp"
#include "sim/scheduler.hpp"
#include "tcp/host.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::runner {

const ConnectionRecord* RunResult::find_connection(const std::string& name) const {
  for (const auto& record : connections) {
    if (record.name == name || (!record.default_name.empty() && record.default_name == name)) {
      return &record;
    }
  }
  return nullptr;
}

bool scenario_uses_fixed_isns(const Scenario& scenario) {
  for (const auto& host : scenario.hosts) {
    // A scripted host has no ISN of its own: its numbers are the script's.
    if (!host.scripted && !host.tcp.fixed_isn) return false;
  }
  for (const auto* actions : {&scenario.timeline, &scenario.reactions}) {
    for (const Action& action : *actions) {
      if (action.tcp && !action.tcp->fixed_isn) return false;
    }
  }
  return true;
}

namespace {

using tcp::Effect;

// A segment (or a copy) travelling on the link, waiting for its delivery event. Its trace view,
// which only a recorded run reads, is kept beside it (Simulation::in_flight_views_), so that an
// unrecorded run's slots are 176 bytes, not 320: fewer to build, move and keep in cache.
struct InFlight {
  tcp::Packet packet;
  int to_host = 0;
  bool expired = false;
  sim::LinkCause cause;
};

// What the wire has shown of one stream (a pair of sockets) so far: each side's ISN, as
// Wireshark learns it, for relative sequence numbers.
struct StreamSide {
  bool has_isn = false;
  std::uint32_t isn = 0;
};
struct StreamKey {
  std::uint64_t low = 0;   // address << 16 | port of the smaller endpoint
  std::uint64_t high = 0;  // same for the larger
  bool operator==(const StreamKey&) const = default;
};
struct StreamKeyHash {
  std::size_t operator()(const StreamKey& key) const {
    return std::hash<std::uint64_t>()(key.low * 0x9E3779B97F4A7C15ULL ^ key.high);
  }
};

// A listen's names, by (host, port): the listener's name and the counter of the children of
// that name ("web#k": listeners of one name share it), looked up once per connection.
struct ListenerName {
  std::string name;
  int* children = nullptr;                    // into Simulation::listener_children_ (stable)
  tcp::ConnectionId id = tcp::no_connection;  // the listening TCB, once opened
};

std::uint64_t endpoint_key(tcp::Address address, tcp::Port port) {
  return (static_cast<std::uint64_t>(address) << 16) | port;
}

// Connection names given by connects, listens and a listener's children ("web#3") -> their
// records' positions; a name given again maps to the newest record. An open-addressed table of
// (hash, position) whose keys are the records' own names: one name costs no allocation of its
// own (a std::unordered_map node each, two per lifecycle), and FNV-1a hashes the short names in
// a few instructions. Looked up, never iterated.
class NameIndex {
 public:
  // `result`: whose records the positions point to (they only grow).
  explicit NameIndex(const RunResult* result) : result_(result) {}

  // `name` -> `position`; the record at `position` may be pushed just after, but must be
  // named `name` before the next call.
  void set(const std::string& name, std::size_t position) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    const std::uint64_t hash = hash_of(name);
    std::size_t at = hash & (slots_.size() - 1);
    while (slots_[at].position != empty) {
      if (slots_[at].hash == hash && name_at(slots_[at].position) == name) {
        slots_[at].position = position;
        return;
      }
      at = (at + 1) & (slots_.size() - 1);
    }
    slots_[at] = {hash, position};
    ++used_;
  }
  // Room for `names` names without growing.
  void reserve(std::size_t names) {
    std::size_t size = 16;
    while (size < 2 * names) size *= 2;
    if (size > slots_.size()) grow(size);
  }
  // The position `name` maps to, SIZE_MAX for none.
  std::size_t find(std::string_view name) const {
    if (used_ == 0) return SIZE_MAX;
    const std::uint64_t hash = hash_of(name);
    for (std::size_t at = hash & (slots_.size() - 1);; at = (at + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[at];
      if (slot.position == empty) return SIZE_MAX;
      if (slot.hash == hash && name_at(slot.position) == name) return slot.position;
    }
  }

 private:
  static constexpr std::size_t empty = SIZE_MAX;
  struct Slot {
    std::uint64_t hash = 0;
    std::size_t position = empty;
  };
  static std::uint64_t hash_of(std::string_view name) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
    for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    // The low bits pick the slot: mix the high ones in (MurmurHash3's finaliser), or names
    // that differ only in their last digits would crowd into neighbouring slots.
    hash = (hash ^ (hash >> 33)) * 0xff51afd7ed558ccdULL;
    return hash ^ (hash >> 33);
  }
  void grow() { grow(std::max<std::size_t>(16, 2 * slots_.size())); }
  void grow(std::size_t size) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(size, Slot{});
    for (const Slot& slot : old) {
      if (slot.position == empty) continue;
      std::size_t at = slot.hash & (slots_.size() - 1);
      while (slots_[at].position != empty) at = (at + 1) & (slots_.size() - 1);
      slots_[at] = slot;
    }
  }

  const std::string& name_at(std::size_t position) const {
    return result_->connections[position].name;
  }

  const RunResult* result_;
  std::vector<Slot> slots_;  // a power of two, at most half full
  std::size_t used_ = 0;
};

}  // namespace

class Simulation {
 public:
  Simulation(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        record_(options.record),
        // An "invariants" expectation reads the whole trace and the bytes exchanged.
        keep_trace_(options.keep_trace || !scenario.expect.invariants.empty()),
        keep_payloads_(options.keep_payloads),
        keep_app_data_(options.keep_app_data || !scenario.expect.invariants.empty()),
        memory_budget_(options.memory_budget.value_or(scenario.memory_budget)),
        sinks_(options.record ? options.trace_sinks : std::vector<TraceSink*>()),
        seed_(options.seed.value_or(scenario.seed)),
        link_(scenario.link, scenario.rules, seed_),
        limit_(scenario.stop_at.value_or(time_never)),
        reaction_watch_(scenario) {
    for (int index = 0; index < 2; ++index) {
      const HostSpec& spec = scenario.hosts[static_cast<std::size_t>(index)];
      isn_random_[static_cast<std::size_t>(index)] =
          std::make_unique<sim::Random>(sim::Random::stream(seed_, "isn." + spec.name));
      tcp::HostConfig config;
      config.address = spec.address;
      config.tcp = spec.tcp;
      config.ephemeral_first = spec.ephemeral_first;
      config.ephemeral_last = spec.ephemeral_last;
      sim::Random* random = isn_random_[static_cast<std::size_t>(index)].get();
      // RFC 6528's secret key, from a stream of its own so that no other draw moves.
      sim::Random key_stream = sim::Random::stream(seed_, "isn_key." + spec.name);
      tcp::IsnKey key;
      key.k0 = key_stream.next();
      key.k1 = key_stream.next();
      hosts_[static_cast<std::size_t>(index)] = std::make_unique<tcp::Host>(
          config, tcp::IsnSource(
                      [random] { return static_cast<std::uint32_t>(random->next() >> 32); }, key));
    }
    // An unrecorded run keeps no received byte (the data events' bytes go only to the trace
    // and the records), so the core need not copy them out.
    output_.data_wanted = record_;
    // Unrecorded, a connection's application events serve only reactions: without any, the
    // core need not make them (a failed open still comes: it is how a connect fails).
    output_.app_events_wanted = record_ || !scenario.reactions.empty();
    result_.seed = seed_;
    result_.reactions.resize(scenario.reactions.size());
    reserve_records();
    start_repeats();
    if (!keep_app_data_) {
      // The connections whose received bytes an expectation compares keep them.
      for (const auto& item : scenario.expect.received) {
        if (item.data) data_checked_names_.insert(item.connection);
      }
      for (const auto& item : scenario.expect.app_events) {
        for (const auto& event : item.events) {
          if (event.data) data_checked_names_.insert(item.connection);
        }
      }
    }
  }

  Time now() const { return scheduler_.now(); }

  // The timeline is merged with the queue rather than queued up front: a large timeline would
  // otherwise deepen the heap for the whole run. An action runs before any queued event of the
  // same time, exactly as if all actions had been scheduled first.
  Time next_time() const { return std::min(scheduler_.next_time(), action_time_); }

  bool step() { return step_through(limit_); }

  bool run_until(Time until) {
    run_through(std::min(until, limit_));
    return set_clock(until);
  }

  bool run_before(Time until) {
    // Before `until` is at `until - 1` or earlier (nothing is before the earliest time).
    if (until != std::numeric_limits<Time>::min()) run_through(std::min(until - 1, limit_));
    return set_clock(until);
  }

  // Every event and due action with time <= last, in one loop (step_through inline in it: no
  // call per event).
  [[gnu::noinline]] void run_through(Time last) {
    while (step_through(last)) {
    }
  }

  // One event or due action with time <= last (at most stop_at); false when none is left, or
  // the run stopped. The next action's time is kept (action_time_), so an event costs one look
  // at the queue's front and one comparison with it.
  [[gnu::always_inline]] bool step_through(Time last) {
    if (result_.error) return false;
    const Time next_event = scheduler_.next_time();
    const Time next = std::min(next_event, action_time_);
    if (next == time_never || next > last) return false;
    if (executed_ >= scenario_.event_budget) {
      result_.error = "event budget of " + std::to_string(scenario_.event_budget) +
                      " events exhausted at " + format_duration(scheduler_.now()) +
                      " of virtual time: the run may never end; set \"stop_at\" or raise "
                      "\"event_budget\"";
      return false;
    }
    if (executed_ % memory_check_interval == 0 && over_memory_budget()) return false;
    if (action_time_ <= next_event) {
      scheduler_.advance_to(action_time_);
      if (repeat_first_) {
        perform_repeat_instance();
      } else {
        const Action& action = scenario_.timeline[next_action_++];
        choose_next_action();
        perform(action);
      }
    } else {
      scheduler_.run_one();
    }
    ++executed_;
    return true;
  }

  // The next action: the timeline's, or a repeat's instance before the timeline's next action
  // of the same time when its element comes first in the file (Action::order). Chosen again
  // each time one is taken.
  void choose_next_action() {
    const auto& timeline = scenario_.timeline;
    const Time timeline_time =
        next_action_ < timeline.size() ? timeline[next_action_].at : time_never;
    repeat_first_ =
        next_repeat_time_ != time_never &&
        (next_repeat_time_ < timeline_time ||
         (next_repeat_time_ == timeline_time &&
          scenario_.repeats[next_repeat_].first.order < timeline[next_action_].order));
    action_time_ = repeat_first_ ? next_repeat_time_ : timeline_time;
  }

  // The clock to `until` (at most stop_at), the events of that time still queued.
  bool set_clock(Time until) {
    if (result_.error) return false;
    const Time clock = std::min(until, limit_);
    if (clock != time_never && clock > scheduler_.now()) scheduler_.advance_to(clock);
    return true;
  }

  // An action from outside the timeline (Session::perform), now. Its copy outlives the run, as
  // the timeline's actions do: a write waiting for room points into its bytes.
  ActionReport perform_now(const Action& action) {
    // A scripted host has no TCP to call (the loader refuses such actions in a file).
    const bool scripted = action.kind != ActionKind::inject &&
                          scenario_.hosts[static_cast<std::size_t>(action.host)].scripted;
    if (result_.error || scripted ||
        (executed_ % memory_check_interval == 0 && over_memory_budget())) {
      ActionReport report;
      report.outcome = ActionOutcome::run_error;
      return report;
    }
    ++executed_;
    return perform(external_actions_.emplace_back(action));
  }

  const RunResult& result() const { return result_; }

  RunResult finish() {
    complete_trace_events();
    if (!result_.error) over_memory_budget();
    result_.events_executed = executed_;
    result_.end_time =
        scenario_.stop_at ? std::max(*scenario_.stop_at, scheduler_.now()) : scheduler_.now();
    if (result_.error) result_.end_time = scheduler_.now();
    return std::move(result_);
  }

 private:
  // ---- Scheduler callbacks ----
  static void on_delivery(void* context, std::uint64_t slot) {
    static_cast<Simulation*>(context)->deliver(static_cast<std::uint32_t>(slot));
  }
  static void on_reaction(void* context, std::uint64_t index) {
    auto* self = static_cast<Simulation*>(context);
    self->result_.reactions[index].ran = self->now();
    self->perform(self->scenario_.reactions[index]);
  }
  static void on_timer(void* context, std::uint64_t packed) {
    auto* self = static_cast<Simulation*>(context);
    const int host = static_cast<int>(packed & 1U);
    const auto kind = static_cast<tcp::TimerKind>((packed >> 1) & 0x7FU);
    const auto connection = static_cast<tcp::ConnectionId>(packed >> 8);
    self->fire_timer(host, connection, kind);
  }

  tcp::Host& host(int index) { return *hosts_[static_cast<std::size_t>(index)]; }
  const std::string& host_name(int index) const {
    return scenario_.hosts[static_cast<std::size_t>(index)].name;
  }

  // The records the timeline's opens make, reserved at once: growing a vector of records moves
  // every record each time. A connect makes one, and its accepted peer one more when the other
  // host listens; a listen makes one. At most an eighth of the memory budget, which counts the
  // reservation (array_bytes) as it counts growth.
  void reserve_records() {
    std::size_t connects = 0;
    std::size_t listens = 0;
    for (const Action& action : scenario_.timeline) {
      if (action.kind == ActionKind::connect) ++connects;
      if (action.kind == ActionKind::listen) ++listens;
    }
    const std::size_t expected = connects + listens + (listens != 0 ? connects : 0);
    const std::size_t affordable =
        static_cast<std::size_t>(memory_budget_ / 8 / sizeof(ConnectionRecord));
    const std::size_t records = std::min(expected, affordable);
    result_.connections.reserve(records);
    record_state_.reserve(records);
    names_.reserve(records);
  }

  // ---- Repeats held once: their instances made as the clock reaches them ----
  void start_repeats() {
    repeat_next_.assign(scenario_.repeats.size(), 0);
    repeat_instances_.clear();
    for (const RepeatedAction& repeated : scenario_.repeats) {
      repeat_instances_.push_back(repeated.first);
    }
    choose_next_repeat();
  }
  void choose_next_repeat() {
    next_repeat_time_ = time_never;
    for (std::size_t index = 0; index < scenario_.repeats.size(); ++index) {
      const RepeatedAction& repeated = scenario_.repeats[index];
      if (repeat_next_[index] >= repeated.count) continue;
      const Time at = repeated.at(repeat_next_[index]);
      if (at < next_repeat_time_) {  // ties: the first in the file (repeats are in file order)
        next_repeat_time_ = at;
        next_repeat_ = index;
      }
    }
    choose_next_action();
  }
  void perform_repeat_instance() {
    const std::size_t index = next_repeat_;
    Action& instance = repeat_instances_[index];
    scenario_.repeats[index].make_instance(repeat_next_[index]++, instance);
    choose_next_repeat();
    perform(instance);
  }

  // ---- The application (the scenario's timeline) ----
  std::string listener_name(const Action& action) const {
    return action.name.empty() ? host_name(action.host) + ":" + std::to_string(action.port)
                               : action.name;
  }
  tcp::Address peer_address(int h) const {
    return scenario_.hosts[static_cast<std::size_t>(1 - h)].address;
  }

  // The action's call and arguments as the trace records them.
  ActionCause cause_of(const Action& action, ActionOutcome outcome) const {
    ActionCause cause;
    cause.kind = action.kind;
    cause.outcome = outcome;
    cause.port = action.port;
    cause.backlog = action.backlog;
    cause.bytes = action.data.size();
    cause.read_bytes = action.read_bytes;
    switch (action.kind) {
      case ActionKind::listen:
        cause.name = listener_name(action);
        break;
      case ActionKind::connect:
        cause.name = action.name;
        cause.address = peer_address(action.host);
        break;
      default:
        cause.name = action.connection;
        break;
    }
    return cause;
  }

  ActionReport perform(const Action& action) {
    const int h = action.host;
    ActionReport report;
    switch (action.kind) {
      case ActionKind::listen: {
        report.connection = listener_name(action);
        name_listener(endpoint_key(static_cast<tcp::Address>(h), action.port), report.connection);
        trace_action(action);
        // A listen that cannot be made is told to the application by the core (listen_failed,
        // with its rule), which process() records under the listener's name; the report says
        // what the call returned.
        pending_connect_name_ = listener_name(action);
        if (host(h).listen(now(), action.port, action.backlog, output_, action.automatic_read,
                           action.tcp) == tcp::no_connection) {
          report.outcome = ActionOutcome::port_in_use;
        }
        process(h);
        pending_connect_name_.clear();
        break;
      }
      case ActionKind::connect: {
        trace_action(action);
        pending_connect_name_ = action.name;
        // A connect that cannot be made is told to the application by the core
        // (connect_failed, with its rule), which process() records under the action's name.
        const tcp::ConnectionId id =
            host(h).connect(now(), peer_address(h), action.port, action.local_port, output_,
                            action.automatic_read, action.tcp);
        process(h);  // names the new connection from pending_connect_name_
        pending_connect_name_.clear();
        if (const ConnectionRecord* record = record_for(h, id)) report.connection = record->name;
        break;
      }
      case ActionKind::send:
      case ActionKind::close:
      case ActionKind::abort: {
        trace_action(action);
        const ConnectionRecord* record = application_connection(action, report);
        if (record == nullptr) break;
        // A call TCP refuses in the connection's state is told to the application by the core
        // (send_failed, close_failed, with the RFC's error as rule), the one place that decides
        // it; process() records that app event, and the trace has the refusal once, as it.
        bool accepted = true;  // what the call returned (the report)
        PendingWrite* pending = find_pending_write(h, record->id);
        if (pending != nullptr) {
          // An earlier write is still waiting for room: this one queues behind it, and a close
          // waits for both, as with a blocking write followed by close().
          if (action.kind == ActionKind::send) {
            pending->parts.emplace_back(action.data);
            report.outcome = ActionOutcome::write_waits;
          } else if (action.kind == ActionKind::close) {
            pending->close_after = true;
          } else {
            pending_writes_.erase(pending_writes_.begin() + (pending - pending_writes_.data()));
            accepted = host(h).abort(now(), record->id, output_);
          }
        } else if (action.kind == ActionKind::send) {
          const std::optional<std::size_t> taken = host(h).send(now(), record->id, action.data, output_);
          accepted = taken.has_value();
          if (taken) note_written(h, record->id, action.data.data(), *taken);
          if (taken) report.bytes_taken = *taken;
          if (taken && *taken < action.data.size()) {
            PendingWrite write;
            write.host = h;
            write.connection = record->id;
            write.parts.push_back(std::span<const std::uint8_t>(action.data).subspan(*taken));
            pending_writes_.push_back(std::move(write));
            trace_action(action, ActionOutcome::write_waits, *taken);
            report.outcome = ActionOutcome::write_waits;
          }
        } else if (action.kind == ActionKind::close) {
          accepted = host(h).close(now(), record->id, output_);
        } else {
          accepted = host(h).abort(now(), record->id, output_);
        }
        if (!accepted) report.outcome = ActionOutcome::refused_by_tcp;
        process(h);
        break;
      }
      case ActionKind::read:
      case ActionKind::stop_reading:
      case ActionKind::resume_reading: {
        trace_action(action);
        const ConnectionRecord* record = application_connection(action, report);
        if (record == nullptr) break;
        if (action.kind == ActionKind::read) {
          report.bytes_read =
              host(h).read(now(), record->id, action.read_bytes.value_or(SIZE_MAX), output_);
        } else {
          host(h).set_automatic_read(now(), record->id, action.kind == ActionKind::resume_reading,
                                     output_);
        }
        process(h);
        break;
      }
      case ActionKind::crash:
      case ActionKind::reboot: {
        trace_action(action);
        // The host frees its TCBs itself (connection_free effects, traced by process), so the
        // records live before it are the ones the crash ends.
        const std::vector<std::size_t> live = live_records(h);
        if (action.kind == ActionKind::crash) {
          host(h).crash(now(), output_);
        } else {
          host(h).reboot(now(), output_);
        }
        process(h);
        forget_host_connections(h, live);
        break;
      }
      case ActionKind::inject:
        report.outcome = inject(action);
        break;
      case ActionKind::configure: {
        trace_action(action);
        const ConnectionRecord* record = application_connection(action, report);
        if (record == nullptr) break;
        // The connection's own knobs, with the action's replacing theirs (the core refuses a
        // fixed knob, as configure_failed; the loader lets none through).
        const tcp::Connection* connection = host(h).find(record->id);
        if (connection == nullptr || !action.tcp) break;
        tcp::TcpConfig config = connection->config();
        for (const std::string_view name : action.configure_knobs) {
          const tcp::Knob* knob = tcp::find_knob(name);
          knob->set(config, knob->get(*action.tcp));
        }
        if (!host(h).configure(now(), record->id, config, output_)) {
          report.outcome = ActionOutcome::refused_by_tcp;
        }
        process(h);
        break;
      }
    }
    if (!action.id.empty()) {
      reaction_watch_.action_ran(action.id, armed_);
      arm_reactions();
    }
    return report;
  }

  // ---- Reactive actions ("on", docs/scenario-format.md) ----
  // ReactionWatch (runner/reactions.hpp) says which reactions a happening arms. An armed one is
  // queued as an event at the trigger's time plus its "after", behind whatever that instant
  // already holds, so at "after" 0 it runs once the call into TCP that raised the trigger has
  // been processed completely; reactions armed together are queued in file order.
  void arm_reactions() {
    for (const std::size_t index : armed_) {
      result_.reactions[index].triggered = now();
      // An "after" that reaches the end of time is never queued: the reaction never runs.
      scheduler_.schedule_at(deadline_after(now(), scenario_.reactions[index].after),
                             &Simulation::on_reaction, this, index);
    }
    armed_.clear();
  }
  void event_for_reactions(const ConnectionRecord& record, tcp::AppEventKind event) {
    if (!reaction_watch_.waiting()) return;  // most runs: no call per event
    reaction_watch_.event(record, event, armed_);
    if (!armed_.empty()) arm_reactions();
  }
  void state_for_reactions(const ConnectionRecord& record, tcp::State state) {
    if (!reaction_watch_.waiting()) return;
    reaction_watch_.state(record, state, armed_);
    if (!armed_.empty()) arm_reactions();
  }

  // The connection a send, read, stop_reading, resume_reading, close or abort acts on, or
  // nullptr after tracing why there is none. One rule for every call, as sockets have it: the
  // application names a listener's connection only once accept() has returned it (at
  // ESTABLISHED), so before that every call on it is refused alike, as not accepted yet.
  const ConnectionRecord* application_connection(const Action& action, ActionReport& report) {
    const ConnectionRecord* record = find_live(action.host, action.connection);
    if (record == nullptr) {
      trace_action(action, ActionOutcome::no_connection);
      report.outcome = ActionOutcome::no_connection;
      return nullptr;
    }
    if (!reached_application(*record)) {
      trace_action(action, ActionOutcome::not_accepted_yet);
      report.outcome = ActionOutcome::not_accepted_yet;
      return nullptr;
    }
    return record;
  }

  const ConnectionRecord* find_live(int h, const std::string& name) const {
    std::size_t index = names_.find(name);
    if (index == SIZE_MAX) index = numbered_index(h, name);
    if (index == SIZE_MAX) return nullptr;
    const ConnectionRecord& record = result_.connections[index];
    if (record.host != h || record.freed) return nullptr;
    return &record;
  }

  // "<host>/<k>": every connection's default name, resolved without a map entry; the record's
  // index, SIZE_MAX for none.
  std::size_t numbered_index(int h, const std::string& name) const {
    const std::string prefix = host_name(h) + "/";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
      return SIZE_MAX;
    }
    std::size_t number = 0;
    for (std::size_t at = prefix.size(); at < name.size(); ++at) {
      if (name[at] < '0' || name[at] > '9' || number > 100'000'000) return SIZE_MAX;
      number = number * 10 + static_cast<std::size_t>(name[at] - '0');
    }
    const auto& numbered = numbered_[static_cast<std::size_t>(h)];
    return number >= 1 && number <= numbered.size() ? numbered[number - 1] : SIZE_MAX;
  }

  // The record a name gives on either host, live or gone (an inject may name a connection that
  // has ended); nullptr for none.
  ConnectionRecord* find_named(const std::string& name) {
    std::size_t index = names_.find(name);
    for (int h = 0; h < 2 && index == SIZE_MAX; ++h) index = numbered_index(h, name);
    return index == SIZE_MAX ? nullptr : &result_.connections[index];
  }

  // Keeps the record's ISS and IRS as its TCB has them now: the ISS from the SYN it sent or
  // will send (SYN_SENT, SYN_RCVD on), the IRS once a SYN has reached it (RFC 9293 3.3.1).
  void note_sequence(ConnectionRecord& record) {
    if (record.freed || record.id == tcp::no_connection) return;
    const tcp::Connection* tcb = host(record.host).find(record.id);
    if (tcb == nullptr) return;
    const tcp::State state = tcb->state();
    if (state == tcp::State::closed || state == tcp::State::listen) return;
    record.iss = tcb->send_sequence().iss;
    if (state != tcp::State::syn_sent) record.irs = tcb->receive_sequence().irs;
  }

  // ---- The network ----
  // A recorded run's transmit (process() puts an unrecorded run's packets on the link itself).
  void transmit(int from, const Effect& effect) {
    ++result_.segments_sent;
    tcp::Packet& packet = output_.packet(effect);
    TraceSegment view = describe(packet, ++segment_counter_);
    view.retransmission = effect.retransmission;  // the sender's own record (tcp::Effect)
    note_stream(view);
    TraceEvent& sent = trace_segment(TraceKind::send, from, effect.connection, view, {});
    cite(sent, effect.rule);
    sent.has_congestion = effect.has_congestion;
    sent.cwnd = effect.cwnd;
    sent.ssthresh = effect.ssthresh;
    sent.in_flight = effect.in_flight;
    if (keep_payloads_) sent.segment.payload = packet.segment.payload;
    count(counter_name(host_name(from), Counter::sent));
    switch (effect.purpose) {
      case tcp::SendPurpose::fast_retransmission:
        count(counter_name(host_name(from), Counter::fast_retransmissions));
        break;
      case tcp::SendPurpose::window_probe:
        count(counter_name(host_name(from), Counter::window_probes));
        break;
      case tcp::SendPurpose::keepalive_probe:
        count(counter_name(host_name(from), Counter::keepalive_probes));
        break;
      default:
        break;
    }
    // The "<host>.sent.<FLAG>" family (runner/vocabulary.cpp).
    for (std::uint8_t bit = 1; bit != 0x40; bit = static_cast<std::uint8_t>(bit << 1)) {
      if ((view.flags & bit) != 0) count(host_name(from) + ".sent." + tcp::flags_to_string(bit));
    }
    if (view.retransmission) count(counter_name(host_name(from), Counter::retransmissions));
    put_on_link(from, effect.connection, packet, view);  // the packet is not read again
  }

  // The link takes a segment from host `from`'s side (a host's, or an injected one): it drops,
  // delays, copies or expires it, and schedules each arrival. `packet` is moved from.
  [[gnu::always_inline]] void put_on_link(int from, tcp::ConnectionId connection,
                                          tcp::Packet& packet, const TraceSegment& view) {
    const auto direction = from == 0 ? sim::Direction::forward : sim::Direction::backward;
    // A plain delay line (no rules, no random model): one arrival, nothing to decide or trace.
    if (const Time arrival = link_.plain_arrival(now(), direction); arrival != time_never) {
      const std::uint32_t slot = allocate_slot();
      InFlight& flight = in_flight_[slot];
      flight.packet = std::move(packet);
      flight_payload_bytes_ += flight.packet.segment.payload.capacity();
      if (record_) {
        TraceSegment& flight_view = in_flight_views_[slot];
        flight_view = view;
        flight_view.copy = false;
      }
      flight.to_host = 1 - from;
      flight.expired = false;  // `cause` is read only for an expired segment
      scheduler_.schedule_at(arrival, &Simulation::on_delivery, this, slot);
      return;
    }
    put_on_ruled_link(from, connection, packet, view, direction);
  }

  // put_on_link() past a plain delay line: the link's rules and random model decide, out of
  // line (put_on_link is inline in its callers, the plain case's frame the larger part of it).
  [[gnu::noinline]] void put_on_ruled_link(int from, tcp::ConnectionId connection,
                                           tcp::Packet& packet, const TraceSegment& view,
                                           sim::Direction direction) {
    const sim::LinkVerdict verdict = link_.transmit(now(), packet, direction);
    if (verdict.dropped) {
      if (record_) {
        trace_link(TraceKind::drop, from, connection, view, verdict.drop_cause);
        count(link_counter_name(Counter::link_dropped));
      }
      return;
    }
    for (std::size_t index = 0; index < verdict.deliveries.size(); ++index) {
      const sim::Delivery& delivery = verdict.deliveries[index];
      const std::uint32_t slot = allocate_slot();
      InFlight& flight = in_flight_[slot];
      if (index + 1 == verdict.deliveries.size()) {
        flight.packet = std::move(packet);
      } else {
        flight.packet = packet;
      }
      flight_payload_bytes_ += flight.packet.segment.payload.capacity();
      flight.to_host = 1 - from;
      flight.expired = delivery.expired;
      flight.cause = delivery.cause;
      if (record_) {
        TraceSegment& flight_view = in_flight_views_[slot];
        flight_view = view;
        flight_view.copy = delivery.copy;
        if (delivery.copy) {
          TraceEvent& event = trace_link(TraceKind::duplicate, from, connection,
                                         flight_view, delivery.cause);
          event.deadline = delivery.time;
          count(link_counter_name(Counter::link_duplicated));
        } else if (delivery.delayed && !delivery.expired) {
          TraceEvent& event = trace_link(TraceKind::delay, from, connection,
                                         flight_view, delivery.cause);
          event.deadline = delivery.time;
          count(link_counter_name(Counter::link_delayed));
        }
      }
      scheduler_.schedule_at(delivery.time, &Simulation::on_delivery, this, slot);
    }
  }

  // Inline in on_delivery(), the scheduler's callback: one call per delivery, not two.
  [[gnu::always_inline]] void deliver(std::uint32_t slot) {
    InFlight& flight = in_flight_[slot];
    const int to = flight.to_host;
    if (flight.expired) {
      if (record_) {
        trace_link(TraceKind::expire, 1 - to, tcp::no_connection, in_flight_views_[slot],
                   flight.cause);
        count(link_counter_name(Counter::link_expired));
      }
    } else if (record_) {
      // A copy of the view: processing may grow in_flight_.
      TraceSegment view = in_flight_views_[slot];
      arrive(to, flight.packet, &view);
    } else if (!scenario_.hosts[static_cast<std::size_t>(to)].scripted) {
      // arrive() without a view, written out here: nothing is traced, and the call's frame
      // cost more than its few lines.
      host(to).packet_arrives(now(), flight.packet, output_);
      arriving_ = true;
      process(to);
      arriving_ = false;
    }
    // The slot keeps no payload while it waits for reuse (indexed again: processing may have
    // grown in_flight_): the core takes it back for a later segment (tcp::Output::take_payload).
    std::vector<std::uint8_t>& payload = in_flight_[slot].packet.segment.payload;
    flight_payload_bytes_ -= payload.capacity();
    output_.give_payload(std::move(payload));
    free_slots_.push_back(slot);
  }

  // The segment reaches host `to`. A scripted host ("stack": "none") has no TCP: the delivery
  // is traced and nothing answers.
  // `view`: the segment as traced (moved from), nullptr when nothing is traced.
  void arrive(int to, const tcp::Packet& packet, TraceSegment* view = nullptr) {
    if (record_) {
      trace_segment(TraceKind::deliver, to, tcp::no_connection, view ? *view : no_view_, {});
    }
    if (scenario_.hosts[static_cast<std::size_t>(to)].scripted) return;
    host(to).packet_arrives(now(), packet, output_);
    // A discard effect names the segment it drops (traced only when recording).
    if (record_) arriving_view_ = view ? std::move(*view) : TraceSegment{};
    arriving_ = true;
    process(to);
    arriving_ = false;
  }

  // ---- Injected segments (inject actions) ----
  // The segment the action describes goes on the wire toward Action::host, from the other
  // side of the link (or straight to it, "via": "direct"). Returns run_error, with
  // RunResult::error set, when relative_to cannot be resolved now.
  ActionOutcome inject(const Action& action) {
    const InjectSpec& spec = action.inject;
    const int to = action.host;
    tcp::Packet packet;
    packet.destination = scenario_.hosts[static_cast<std::size_t>(to)].address;
    packet.segment.seq = static_cast<std::uint32_t>(spec.seq);
    packet.segment.ack = static_cast<std::uint32_t>(spec.ack.value_or(0));
    if (!spec.relative_to.empty()) {
      ConnectionRecord* base = find_named(spec.relative_to);
      const auto fail = [&](const std::string& why) {
        // The file is named by whoever prints the error; the action by its place in it.
        const std::string place =
            action.where.json_path.empty()
                ? std::string()
                : " (" + action.where.json_path + ", line " + std::to_string(action.where.line) +
                      ")";
        result_.script_error = true;
        result_.error = "inject at " + format_duration(now()) + place + " relative to " +
                        spec.relative_to + ": " + why;
        return ActionOutcome::run_error;
      };
      if (base == nullptr) return fail("no connection of that name exists yet");
      note_sequence(*base);
      if (!base->irs) {
        return fail("it has no IRS yet (no SYN has reached it), so a relative seq means nothing");
      }
      packet.segment.seq = static_cast<std::uint32_t>(*base->irs + spec.seq);
      if (spec.ack) {
        if (!base->iss) return fail("it has no ISS yet, so a relative ack means nothing");
        packet.segment.ack = static_cast<std::uint32_t>(*base->iss + *spec.ack);
      }
      packet.source = base->tuple.remote.address;
      packet.segment.source_port = base->tuple.remote.port;
      packet.segment.destination_port = base->tuple.local.port;
    }
    if (spec.from_address) packet.source = *spec.from_address;
    if (spec.from_port) packet.segment.source_port = *spec.from_port;
    if (spec.to_port) packet.segment.destination_port = *spec.to_port;
    packet.segment.flags = spec.flags;
    packet.segment.window = spec.window;
    packet.segment.mss = spec.mss;
    packet.segment.window_scale = spec.window_scale;
    packet.segment.sack_permitted = spec.sack_permitted;
    packet.segment.has_timestamps = spec.has_timestamps;
    packet.segment.timestamp_value = spec.timestamp_value;
    packet.segment.timestamp_echo = spec.timestamp_echo;
    packet.segment.payload.assign(action.data.begin(), action.data.end());

    const int lane = 1 - to;  // the far side of the link from the destination
    TraceSegment view;
    if (record_) {
      view = describe(packet, ++segment_counter_);
      view.injected = true;
      note_stream(view);
      TraceEvent& event = trace_segment(TraceKind::inject, lane, tcp::no_connection, view,
                                        "injected by the script");
      if (keep_payloads_) event.segment.payload = packet.segment.payload;
      count(counter_name(host_name(to), Counter::injected));
    }
    if (spec.direct) {
      arrive(to, packet, &view);
    } else {
      put_on_link(lane, tcp::no_connection, packet, view);
    }
    return ActionOutcome::called;
  }

  // A free in-flight slot. Inline, with the growth out of line: a steady run reuses slots, and
  // the call's frame cost more than the reuse itself.
  std::uint32_t allocate_slot() {
    if (free_slots_.empty()) return add_slot();
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  [[gnu::noinline]] std::uint32_t add_slot() {
    in_flight_.emplace_back();
    if (record_) in_flight_views_.emplace_back();
    return static_cast<std::uint32_t>(in_flight_.size() - 1);
  }

  TraceSegment describe(const tcp::Packet& packet, std::uint64_t id) const {
    TraceSegment view;
    view.id = id;
    view.source = packet.source;
    view.destination = packet.destination;
    view.source_port = packet.segment.source_port;
    view.destination_port = packet.segment.destination_port;
    view.seq = packet.segment.seq;
    view.ack = packet.segment.ack;
    view.flags = packet.segment.flags;
    view.window = packet.segment.window;
    view.mss = packet.segment.mss;
    view.window_scale = packet.segment.window_scale;
    view.sack_permitted = packet.segment.sack_permitted;
    view.has_timestamps = packet.segment.has_timestamps;
    view.timestamp_value = packet.segment.timestamp_value;
    view.timestamp_echo = packet.segment.timestamp_echo;
    view.sack_block_count = packet.segment.sack_block_count;
    view.sack_blocks = packet.segment.sack_blocks;
    view.length = static_cast<std::uint32_t>(packet.segment.payload.size());
    return view;
  }

  // Learns ISNs from SYNs, the way a capture analyser does, for relative numbers. An injected
  // SYN gives a stream its ISN only when it has none (a scripted peer's first SYN): an old
  // duplicate injected into a stream in use does not renumber it.
  void note_stream(TraceSegment& view) {
    const std::uint64_t source = endpoint_key(view.source, view.source_port);
    const std::uint64_t destination = endpoint_key(view.destination, view.destination_port);
    const bool source_is_low = source < destination;
    StreamKey key{source_is_low ? source : destination, source_is_low ? destination : source};
    auto& sides = streams_[key];
    StreamSide& sender = sides[source_is_low ? 0 : 1];
    StreamSide& receiver = sides[source_is_low ? 1 : 0];
    if ((view.flags & tcp::flag::syn) != 0 && !(view.injected && sender.has_isn)) {
      sender.has_isn = true;  // the stream (or a new incarnation of it) starts here
      sender.isn = view.seq;
    }
    if (sender.has_isn) {
      view.has_relative_seq = true;
      view.relative_seq = static_cast<std::uint32_t>(view.seq - sender.isn);
    }
    if ((view.flags & tcp::flag::ack) != 0 && receiver.has_isn) {
      view.has_relative_ack = true;
      view.relative_ack = static_cast<std::uint32_t>(view.ack - receiver.isn);
    }
  }

  // ---- Timers ----
  // Inlined into process(), their only caller on the hot path: a call would save and restore
  // registers around a few instructions of table and queue work.
  [[gnu::always_inline]] void arm_timer(int h, tcp::ConnectionId connection, tcp::TimerKind kind,
                                        Time deadline) {
    sim::EventHandle& handle = timer_handle(h, connection, kind);
    const std::uint64_t packed = (static_cast<std::uint64_t>(connection) << 8) |
                                 (static_cast<std::uint64_t>(kind) << 1) |
                                 static_cast<std::uint64_t>(h);
    // Replaces an armed one in place (the same as cancel, then schedule).
    handle = scheduler_.reschedule(handle, deadline, &Simulation::on_timer, this, packed);
  }

  [[gnu::always_inline]] void cancel_timer(int h, tcp::ConnectionId connection,
                                           tcp::TimerKind kind) {
    sim::EventHandle& handle = timer_handle(h, connection, kind);
    scheduler_.cancel(handle);
    handle = {};
  }

  sim::EventHandle& timer_handle(int h, tcp::ConnectionId connection, tcp::TimerKind kind) {
    auto& table = timers_[static_cast<std::size_t>(h)];
    if (table.size() <= connection) table.resize(static_cast<std::size_t>(connection) + 1);
    return table[connection][static_cast<std::size_t>(kind)];
  }

  void fire_timer(int h, tcp::ConnectionId connection, tcp::TimerKind kind) {
    timer_handle(h, connection, kind) = {};
    if (record_) {
      TraceEvent& event = push(TraceKind::timer_fire, h, connection);
      event.timer = kind;
    }
    host(h).timer_expired(now(), connection, kind, output_);
    process(h);
  }

  // ---- Effects of the TCP core ----
  void process(int h) {
    for (const Effect& effect : output_.effects()) {
      switch (effect.kind) {
        case Effect::Kind::transmit:
          if (!record_) {
            // transmit() untraced, written out here: the call's frame cost more than its lines.
            ++result_.segments_sent;
            put_on_link(h, effect.connection, output_.packet(effect), no_view_);
          } else {
            transmit(h, effect);
          }
          break;
        case Effect::Kind::timer_set:
          arm_timer(h, effect.connection, effect.timer, effect.deadline);
          if (record_) {
            TraceEvent& event = push(TraceKind::timer_set, h, effect.connection);
            event.timer = effect.timer;
            event.deadline = effect.deadline;
            event.rounded_by = effect.rounded_by;
          }
          break;
        case Effect::Kind::timer_cancel:
          cancel_timer(h, effect.connection, effect.timer);
          if (record_) push(TraceKind::timer_cancel, h, effect.connection).timer = effect.timer;
          break;
        case Effect::Kind::state_change:
          if (ConnectionRecord* record = record_for(h, effect.connection)) {
            record->states.push_back(effect.to);
            record_heap_bytes_ += sizeof(tcp::State);
            // The ISS and IRS are chosen only by calls that change the state (OPEN, a SYN in
            // LISTEN or SYN_SENT, a SYN-ACK, a SYN cookie's ACK): noted, from the TCB as the
            // call left it, at every change into SYN_SENT or SYN_RCVD and out of a state
            // before ESTABLISHED (RFC 9293 3.3.1, 3.10.7) or out of TIME_WAIT. A change
            // between synchronized states would note the same numbers again.
            if (effect.from <= tcp::State::syn_received || effect.from == tcp::State::time_wait ||
                effect.to == tcp::State::syn_sent || effect.to == tcp::State::syn_received) {
              static_assert(tcp::State::closed < tcp::State::syn_received &&
                            tcp::State::listen < tcp::State::syn_received &&
                            tcp::State::syn_sent < tcp::State::syn_received);
              note_sequence(*record);
            }
            state_for_reactions(*record, effect.to);
          }
          if (record_) {
            TraceEvent& event = push(TraceKind::state, h, effect.connection);
            event.from = effect.from;
            event.to = effect.to;
            cite(event, effect.rule);
          }
          break;
        case Effect::Kind::app_event:
          if (effect.connection == tcp::no_connection) {
            open_failed(h, effect);
            break;
          }
          if (ConnectionRecord* record = record_for(h, effect.connection)) {
            if (record_) {
              AppEventRecord& event = record->app_events.emplace_back();
              event.time = now();
              event.kind = effect.app_event;
              const std::span<const std::uint8_t> data = output_.data(effect);
              event.length = data.size();
              if (record_state_[record_index_of(h, effect.connection)].keep_data) {
                event.data.assign(data.begin(), data.end());
              }
              event.rule = effect.rule;
              record_heap_bytes_ += sizeof(AppEventRecord) + event.data.size();
            }
            event_for_reactions(*record, effect.app_event);
          }
          if (record_) {
            // The "<host>.<event>" family (runner/vocabulary.cpp).
            count(host_name(h) + "." + std::string(tcp::app_event_name(effect.app_event)));
            const std::span<const std::uint8_t> data = output_.data(effect);
            if (!data.empty()) {
              count(counter_name(host_name(h), Counter::bytes_received),
                    static_cast<std::int64_t>(data.size()));
            }
            TraceEvent& event = push(TraceKind::app, h, effect.connection);
            event.app_event = effect.app_event;
            event.data.assign(data.begin(), data.end());
            cite(event, effect.rule);
          }
          break;
        case Effect::Kind::discard:
          if (record_) {
            TraceSegment view = arriving_ ? arriving_view_ : describe(output_.packet(effect), 0);
            cite(trace_segment(TraceKind::discard, h, effect.connection, view, {}), effect.rule);
            count(counter_name(host_name(h), Counter::discarded));
          }
          break;
        case Effect::Kind::connection_open:
          open_record(h, effect);
          break;
        case Effect::Kind::connection_free:
          if (ConnectionRecord* record = record_for(h, effect.connection)) {
            record->freed = true;
            if (record_) push(TraceKind::free, h, effect.connection);
          }
          break;
      }
    }
    output_.clear();
    if (!pending_writes_.empty() && !offering_) offer_pending_writes(h);
  }

  // ---- Writes waiting for room in the send buffer ----
  // The bytes are not copied: they stay in the scenario's send actions, which outlive the run.
  struct PendingWrite {
    int host = 0;
    tcp::ConnectionId connection = tcp::no_connection;
    std::deque<std::span<const std::uint8_t>> parts;  // the sends waiting, in order
    std::size_t offset = 0;                           // into parts.front()
    bool close_after = false;
  };

  // A connection the application may use: its own (active open), or one a listener spawned
  // that reached ESTABLISHED (accepted), as accept() would return it.
  static bool reached_application(const ConnectionRecord& record) {
    if (!record.spawned_by_listener) return true;
    for (const tcp::State state : record.states) {
      if (state == tcp::State::established) return true;
    }
    return false;
  }

  void note_written(int h, tcp::ConnectionId id, const std::uint8_t* data, std::size_t size) {
    if (!record_ || !keep_app_data_ || size == 0) return;
    if (ConnectionRecord* record = record_for(h, id)) {
      record->written.insert(record->written.end(), data, data + size);
      record_heap_bytes_ += size;
    }
  }

  PendingWrite* find_pending_write(int h, tcp::ConnectionId id) {
    for (PendingWrite& write : pending_writes_) {
      if (write.host == h && write.connection == id) return &write;
    }
    return nullptr;
  }

  // After each call into host h: offer waiting bytes to connections whose buffer has room.
  void offer_pending_writes(int h) {
    offering_ = true;
    for (std::size_t index = 0; index < pending_writes_.size();) {
      PendingWrite& write = pending_writes_[index];
      if (write.host != h) {
        ++index;
        continue;
      }
      const tcp::Connection* connection = host(h).find(write.connection);
      bool done = connection == nullptr;
      if (!done && connection->send_buffer_space() > 0) {
        // One SEND call with everything that waits, as if the queued sends were one buffer
        // (they are one write to TCP: one push point). When that spans several sends, only
        // what the send buffer can take now is joined, a bounded copy.
        const std::size_t space = connection->send_buffer_space();
        std::span<const std::uint8_t> rest = write.parts.front().subspan(write.offset);
        std::vector<std::uint8_t> joined;
        if (rest.size() < space && write.parts.size() > 1) {
          joined.assign(rest.begin(), rest.end());
          for (std::size_t part = 1; part < write.parts.size() && joined.size() < space; ++part) {
            const std::span<const std::uint8_t> next = write.parts[part];
            const std::size_t size = std::min(next.size(), space - joined.size());
            joined.insert(joined.end(), next.begin(),
                          next.begin() + static_cast<std::ptrdiff_t>(size));
          }
          rest = joined;
        }
        const std::optional<std::size_t> taken = host(h).send(now(), write.connection, rest, output_);
        if (!taken) {
          done = true;
        } else {
          note_written(h, write.connection, rest.data(), *taken);
          consume(write, *taken);
          if (write.parts.empty()) {
            done = true;
            if (write.close_after) host(h).close(now(), write.connection, output_);
          }
        }
        process(h);
      }
      if (done) {
        pending_writes_.erase(pending_writes_.begin() + static_cast<std::ptrdiff_t>(index));
      } else {
        ++index;
      }
    }
    offering_ = false;
  }

  // Drops the first `taken` bytes waiting in `write`.
  static void consume(PendingWrite& write, std::size_t taken) {
    while (taken > 0) {
      const std::size_t left = write.parts.front().size() - write.offset;
      if (taken < left) {
        write.offset += taken;
        return;
      }
      taken -= left;
      write.parts.pop_front();
      write.offset = 0;
    }
  }

  void open_record(int h, const Effect& effect) {
    // Built in place (a record is large); nothing else adds a record before this one is done.
    const std::size_t position = result_.connections.size();
    ConnectionRecord& record = result_.connections.emplace_back();
    record.host = h;
    record.id = effect.connection;
    record.tuple = effect.tuple;
    // Born in CLOSED (RFC 9293 3.3.2), or in LISTEN as a copy of its listener.
    record.states.push_back(effect.to);
    record.listener = effect.listener;
    record.spawned_by_listener = effect.listener_port != 0;
    const std::uint64_t listener_key =
        endpoint_key(static_cast<tcp::Address>(h),
                     effect.listener ? effect.tuple.local.port : effect.listener_port);
    tcp::ConnectionId listener_id = tcp::no_connection;
    if (effect.listener) {
      // The listener is named by its listen; it has no "<host>/<k>" number.
      ListenerName& listener = listener_for(h, listener_key, effect.tuple.local.port);
      record.name = listener.name;
      listener.id = effect.connection;
    } else {
      auto& numbered = numbered_[static_cast<std::size_t>(h)];
      numbered.push_back(position);
      write_numbered_name(record.default_name, host_name(h), '/', numbered.size());
      if (record.spawned_by_listener) {
        ListenerName& listener = listener_for(h, listener_key, effect.tuple.local.port);
        const int child = ++*listener.children;
        write_numbered_name(record.name, listener.name, '#', static_cast<std::size_t>(child));
        listener_id = listener.id;
      } else if (!pending_connect_name_.empty()) {
        record.name = pending_connect_name_;
      } else {
        record.name = record.default_name;
      }
    }
    auto& index = record_index_[static_cast<std::size_t>(h)];
    if (index.size() <= effect.connection) index.resize(effect.connection + 1, SIZE_MAX);
    index[effect.connection] = position;
    if (record.name != record.default_name) names_.set(record.name, position);
    RecordState& state = record_state_.emplace_back();
    state.keep_data = keep_app_data_ || (!data_checked_names_.empty() &&
                                         (data_checked_names_.count(record.name) != 0 ||
                                          data_checked_names_.count(record.default_name) != 0));
    // The states as the budget has always counted them: the 8 a std::vector reserved (they are
    // inline now; the figures, and RunResult::memory_peak, stay as they were).
    record_heap_bytes_ += record.name.size() + record.default_name.size() + 8 * sizeof(tcp::State);
    if (record_) {
      TraceEvent& event = push(TraceKind::open, h, effect.connection);
      event.listener = listener_id;
      // A listener's remote socket is unspecified (RFC 9293 3.10.1): "*:*".
      event.text = tcp::address_to_string(effect.tuple.local.address) + ":" +
                   std::to_string(effect.tuple.local.port) + " - " +
                   (effect.listener ? std::string("*:*")
                                    : tcp::address_to_string(effect.tuple.remote.address) + ":" +
                                          std::to_string(effect.tuple.remote.port));
      if (!effect.listener) count(counter_name(host_name(h), Counter::connections));
    }
  }

  // The names a listen gives, by (host, port): its listener's, and its children's prefix.
  void name_listener(std::uint64_t listener_key, const std::string& name) {
    ListenerName& listener = listener_names_[listener_key];
    listener.name = name;
    listener.children = &listener_children_[name];
  }
  // The listen's names for (host h, port), or "<host>:<port>" when no listen named it.
  ListenerName& listener_for(int h, std::uint64_t listener_key, tcp::Port port) {
    auto found = listener_names_.find(listener_key);
    if (found != listener_names_.end()) return found->second;
    name_listener(listener_key, host_name(h) + ":" + std::to_string(port));
    return listener_names_[listener_key];
  }

  // `name` (empty) becomes "<prefix><separator><number>" ("client/3", "web#3"), written in
  // place: no temporary string to build and move.
  static void write_numbered_name(std::string& name, std::string_view prefix, char separator,
                                  std::size_t number) {
    char digits[20];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
    const auto length = static_cast<std::size_t>(end - digits);
    name.resize(prefix.size() + 1 + length);  // a short name stays inside the string
    char* out = name.data();
    prefix.copy(out, prefix.size());
    out[prefix.size()] = separator;
    std::copy(digits, end, out + prefix.size() + 1);
  }

  // RFC 9293 3.10.1: the connect or listen failed before any TCB existed. The application is
  // told; a named connect, and a listen, keeps a record of what it saw (CLOSED, and the event)
  // for expectations.
  void open_failed(int h, const Effect& effect) {
    if (!pending_connect_name_.empty()) {
      ConnectionRecord record;
      record.host = h;
      record.name = pending_connect_name_;
      record.states.push_back(tcp::State::closed);
      record.freed = true;
      record.failed_connect = effect.app_event == tcp::AppEventKind::connect_failed;
      record.failed_listen = effect.app_event == tcp::AppEventKind::listen_failed;
      if (record_) {
        AppEventRecord& event = record.app_events.emplace_back();
        event.time = now();
        event.kind = effect.app_event;
        event.rule = effect.rule;
      }
      names_.set(record.name, result_.connections.size());
      record_state_.emplace_back();  // parallel to result_.connections
      // The one state as a std::vector held it (the budget's figures stay as they were).
      record_heap_bytes_ += record.name.size() + 1 * sizeof(tcp::State) +
                            record.app_events.size() * sizeof(AppEventRecord);
      result_.connections.push_back(std::move(record));
      event_for_reactions(result_.connections.back(), effect.app_event);
    }
    if (record_) {
      TraceEvent& event = push(TraceKind::app, h, tcp::no_connection);
      event.app_event = effect.app_event;
      event.socket = pending_connect_name_;
      cite(event, effect.rule);
      count(host_name(h) + "." + std::string(tcp::app_event_name(effect.app_event)));
    }
  }

  // The position of the record in result_.connections, SIZE_MAX for none.
  std::size_t record_index_of(int h, tcp::ConnectionId connection) const {
    const auto& index = record_index_[static_cast<std::size_t>(h)];
    return connection < index.size() ? index[connection] : SIZE_MAX;
  }
  ConnectionRecord* record_for(int h, tcp::ConnectionId connection) {
    const std::size_t index = record_index_of(h, connection);
    return index == SIZE_MAX ? nullptr : &result_.connections[index];
  }

  // ---- Memory (the budget, runner/memory_budget.hpp) ----
  // An array's bytes; once it is nearly full, the size it is about to double to, so that the
  // run stops before a growth that would pass the budget rather than after it.
  template <typename T>
  static std::uint64_t array_bytes(const std::vector<T>& array) {
    constexpr std::size_t nearly_full = 256;  // more than most events add
    const std::size_t capacity = array.capacity();
    const bool growing = capacity - array.size() < nearly_full;
    return (growing ? 2 * std::max<std::size_t>(capacity, nearly_full) : capacity) * sizeof(T);
  }

  MemoryUse memory_use() const {
    MemoryUse use;
    use.trace = array_bytes(result_.trace) + trace_heap_bytes_;
    for (const TraceSink* sink : sinks_) use.trace += sink->held_bytes();
    use.records = array_bytes(result_.connections) + record_heap_bytes_;
    // Spare payload vectors, kept for the core's next segments, are held too.
    use.in_flight =
        array_bytes(in_flight_) + (record_ ? array_bytes(in_flight_views_) : 0) +
        flight_payload_bytes_ + output_.spare_payload_bytes();
    // Live connections, and the freed ones' records the hosts keep for reuse.
    use.tcp = hosts_[0]->live_bytes() + hosts_[1]->live_bytes() + hosts_[0]->pooled_bytes() +
              hosts_[1]->pooled_bytes();
    return use;
  }

  // Checked before every 16th event (each check costs about as much as a small event) and at
  // the end; sets the run's error when the run holds more than its budget.
  static constexpr std::uint64_t memory_check_interval = 16;
  bool over_memory_budget() {
    const MemoryUse use = memory_use();
    if (use.total() > result_.memory_peak.total()) result_.memory_peak = use;
    if (use.total() <= memory_budget_) return false;
    result_.error = memory_budget_message(memory_budget_, use, format_duration(scheduler_.now()));
    return true;
  }

  // The indices of the host's records whose TCB is still there.
  std::vector<std::size_t> live_records(int h) const {
    std::vector<std::size_t> live;
    for (std::size_t index = 0; index < result_.connections.size(); ++index) {
      const ConnectionRecord& record = result_.connections[index];
      if (record.host == h && !record.freed) live.push_back(index);
    }
    return live;
  }

  // After a crash the host's TCBs are gone: the records of those that were `live` before it end
  // in CLOSED, lost in the crash, and their timers die. A record the host freed itself (its
  // connection_free effect) already has its free event in the trace.
  void forget_host_connections(int h, const std::vector<std::size_t>& live) {
    for (auto& handles : timers_[static_cast<std::size_t>(h)]) {
      for (auto& handle : handles) {
        scheduler_.cancel(handle);
        handle = {};
      }
    }
    for (const std::size_t index : live) {
      ConnectionRecord& record = result_.connections[index];
      const bool freed_by_host = record.freed;
      record.freed = true;
      record.lost_in_crash = true;
      if (record.final_state() != tcp::State::closed) {
        record.states.push_back(tcp::State::closed);
        state_for_reactions(record, tcp::State::closed);
      }
      if (record_ && !freed_by_host) {
        cite(push(TraceKind::free, h, record.id), tcp::Rule::lost_in_crash);
      }
    }
  }

  // ---- Trace ----
  // The events pushed so far are complete once the next one begins, and when the run ends:
  // counted against the memory budget if kept, handed to the sinks, dropped if not kept.
  void complete_trace_events() {
    for (; completed_ < result_.trace.size(); ++completed_) {
      const TraceEvent& event = result_.trace[completed_];
      for (TraceSink* sink : sinks_) sink->event(event, result_);
      if (keep_trace_) {
        trace_heap_bytes_ += event.text.size() + event.link_cause.rule_name.size() +
                             event.segment.payload.size() + event.data.size();
      }
    }
    if (!keep_trace_) {
      result_.trace.clear();
      completed_ = 0;
    }
  }

  TraceEvent& push(TraceKind kind, int h, tcp::ConnectionId connection) {
    complete_trace_events();
    TraceEvent& event = result_.trace.emplace_back();
    event.time = now();
    event.kind = kind;
    event.host = h;
    event.connection = connection;
    return event;
  }
  TraceEvent& trace_segment(TraceKind kind, int h, tcp::ConnectionId connection,
                            const TraceSegment& view, std::string text) {
    TraceEvent& event = push(kind, h, connection);
    event.segment = view;
    event.text = std::move(text);
    return event;
  }
  // A link event (drop, expire, delay, duplicate): its cause, and the text rendered from it.
  TraceEvent& trace_link(TraceKind kind, int h, tcp::ConnectionId connection,
                         const TraceSegment& view, const sim::LinkCause& cause) {
    TraceEvent& event = trace_segment(kind, h, connection, view, sim::link_cause_text(cause));
    event.link_cause = cause;
    return event;
  }
  // An action event (called, write_waits) or an action_failed event (any other outcome).
  // `taken`: for write_waits, what the send buffer took of the write.
  // Inline, its body out of line: an unrecorded run's actions pay one test, not a call.
  void trace_action(const Action& action, ActionOutcome outcome = ActionOutcome::called,
                    std::size_t taken = 0) {
    if (record_) trace_recorded_action(action, outcome, taken);
  }
  [[gnu::noinline]] void trace_recorded_action(const Action& action, ActionOutcome outcome,
                                               std::size_t taken) {
    const bool failed = outcome != ActionOutcome::called && outcome != ActionOutcome::write_waits;
    TraceEvent& event = push(failed ? TraceKind::action_failed : TraceKind::action, action.host,
                             tcp::no_connection);
    event.action = cause_of(action, outcome);
    if (outcome == ActionOutcome::write_waits) {
      event.action.bytes = taken;
      event.action.waiting = action.data.size() - taken;
    }
    event.text = action_text(event.action, host_name(action.host));
    if (action.on) event.text += " (" + reaction_cause_text(action) + ")";
  }
  // The core's rule, and the reason the trace prints for it.
  static void cite(TraceEvent& event, tcp::Rule rule) {
    event.rule = rule;
    event.text = std::string(tcp::rule_reason(rule));
  }
  void count(const std::string& counter, std::int64_t amount = 1) {
    result_.counters[counter] += amount;
  }

  const Scenario& scenario_;
  const bool record_;
  const bool keep_trace_;
  const bool keep_payloads_;
  const bool keep_app_data_;
  const std::uint64_t memory_budget_;
  const std::vector<TraceSink*> sinks_;
  const std::uint64_t seed_;
  sim::Scheduler scheduler_;
  sim::Link link_;
  std::array<std::unique_ptr<sim::Random>, 2> isn_random_;
  std::array<std::unique_ptr<tcp::Host>, 2> hosts_;
  tcp::Output output_;
  std::vector<InFlight> in_flight_;
  std::vector<TraceSegment> in_flight_views_;  // in_flight_'s views, in recorded runs only
  std::vector<std::uint32_t> free_slots_;
  std::array<std::vector<std::array<sim::EventHandle, tcp::timer_kind_count>>, 2> timers_;
  std::array<std::vector<std::size_t>, 2> record_index_;  // by the core's ConnectionId
  std::array<std::vector<std::size_t>, 2> numbered_;      // "<host>/<k>": k - 1 -> record
  NameIndex names_{&result_};
  std::unordered_map<std::uint64_t, ListenerName> listener_names_;
  std::unordered_map<std::string, int> listener_children_;  // by listener name
  std::unordered_map<StreamKey, std::array<StreamSide, 2>, StreamKeyHash> streams_;
  std::string pending_connect_name_;  // the connect's or listen's name while it is performed
  const Time limit_;                        // the scenario's stop_at, time_never without
  std::size_t next_action_ = 0;             // the timeline's next action
  // The repeats held once (Scenario::repeats): each one's next instance, the instance being
  // made, and which repeat comes next (the earliest, then the first in the file) and when.
  std::vector<std::uint32_t> repeat_next_;
  std::vector<Action> repeat_instances_;
  std::size_t next_repeat_ = 0;
  Time next_repeat_time_ = time_never;
  // The next action to perform (choose_next_action): when, and whether it is a repeat's.
  Time action_time_ = time_never;
  bool repeat_first_ = false;
  std::uint64_t executed_ = 0;              // events and actions run
  std::deque<Action> external_actions_;     // Session::perform's, kept for the run's length
  std::vector<PendingWrite> pending_writes_;  // few: scanned, never hashed
  ReactionWatch reaction_watch_;
  std::vector<std::size_t> armed_;  // reactions armed by the current happening
  bool offering_ = false;
  bool arriving_ = false;
  TraceSegment arriving_view_;
  const TraceSegment no_view_{};  // the view of a segment when nothing is traced
  std::uint64_t segment_counter_ = 0;
  // What the runner keeps per connection record, beside it (same index).
  struct RecordState {
    bool keep_data = true;  // its data events keep their bytes
  };
  std::vector<RecordState> record_state_;
  std::unordered_set<std::string> data_checked_names_;  // looked up, never iterated
  std::size_t completed_ = 0;  // result_.trace[0, completed_) are complete
  // The memory the budget counts, kept up to date as it changes (memory_use() adds the rest).
  std::uint64_t trace_heap_bytes_ = 0;
  std::uint64_t record_heap_bytes_ = 0;
  std::uint64_t flight_payload_bytes_ = 0;
  RunResult result_;
};

Session::Session(const Scenario& scenario, const RunOptions& options)
    : simulation_(std::make_unique<Simulation>(scenario, options)) {}
Session::~Session() = default;
Time Session::now() const { return simulation_->now(); }
Time Session::next_time() const { return simulation_->next_time(); }
bool Session::run_until(Time until) { return simulation_->run_until(until); }
bool Session::run_before(Time until) { return simulation_->run_before(until); }
bool Session::step() { return simulation_->step(); }
ActionReport Session::perform(const Action& action) { return simulation_->perform_now(action); }
const RunResult& Session::result() const { return simulation_->result(); }
RunResult Session::finish() { return simulation_->finish(); }

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  Session session(scenario, options);
  session.run_until(time_never);
  return session.finish();
}

}  // namespace tcpsim::runner
