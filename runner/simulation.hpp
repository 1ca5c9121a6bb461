// Runs a scenario: two tcp::Hosts joined by a sim::Link, driven by a sim::Scheduler, with the
// scenario's timeline as the application. This is the only place where the pure TCP core meets
// the simulator: effects from the core become scheduled events and trace records.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/memory_budget.hpp"
#include "runner/scenario.hpp"
#include "runner/trace.hpp"
#include "runner/trace_sink.hpp"

namespace tcpsim::runner {

struct AppEventRecord {
  Time time = 0;
  tcp::AppEventKind kind = tcp::AppEventKind::connected;
  std::vector<std::uint8_t> data;  // a data event's bytes, when the record keeps them
  std::size_t length = 0;          // a data event's byte count, always
  tcp::Rule rule = tcp::Rule::none;  // why the application is told
};

// The states a connection record went through, in order. Up to 16 are held inline: a record
// then costs no allocation for them (every record had one, two a lifecycle); more move to the
// heap. Reads like the std::vector it replaces, compares with one, and converts to one. As
// large as a std::vector: the memory budget counts records by their size.
class StateList {
 public:
  using value_type = tcp::State;
  using iterator = tcp::State*;
  using const_iterator = const tcp::State*;

  StateList() = default;
  StateList(std::initializer_list<tcp::State> states) { append(states.begin(), states.size()); }
  StateList(const StateList& other) { append(other.data(), other.size_); }
  StateList(StateList&& other) noexcept { take(other); }
  StateList& operator=(const StateList& other) {
    if (this != &other) {
      size_ = 0;
      append(other.data(), other.size_);
    }
    return *this;
  }
  StateList& operator=(StateList&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~StateList() { release(); }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  tcp::State* data() { return on_heap() ? heap_ : inline_; }
  const tcp::State* data() const { return on_heap() ? heap_ : inline_; }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  tcp::State& operator[](std::size_t index) { return data()[index]; }
  const tcp::State& operator[](std::size_t index) const { return data()[index]; }
  tcp::State& front() { return data()[0]; }
  const tcp::State& front() const { return data()[0]; }
  tcp::State& back() { return data()[size_ - 1]; }
  const tcp::State& back() const { return data()[size_ - 1]; }
  void push_back(tcp::State state) {
    if (size_ == capacity_) grow(2 * capacity_);
    data()[size_++] = state;
  }

  operator std::vector<tcp::State>() const { return {begin(), end()}; }
  friend bool operator==(const StateList& a, const StateList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const StateList& a, const std::vector<tcp::State>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  static constexpr std::uint32_t inline_capacity = 16;
  bool on_heap() const { return capacity_ > inline_capacity; }
  void grow(std::uint32_t capacity) {
    auto* grown = new tcp::State[capacity];
    std::copy(begin(), end(), grown);
    release();
    heap_ = grown;
    capacity_ = capacity;
  }
  void append(const tcp::State* states, std::size_t count) {
    if (size_ + count > capacity_) {
      std::uint32_t capacity = capacity_;
      while (capacity < size_ + count) capacity *= 2;
      grow(capacity);
    }
    std::copy(states, states + count, data() + size_);
    size_ += static_cast<std::uint32_t>(count);
  }
  // Frees the heap array, if any; the list is then inline (its size is the caller's to set).
  void release() {
    if (on_heap()) delete[] heap_;
    capacity_ = inline_capacity;
  }
  // Takes `other`'s states, leaving it empty; this list holds nothing on the heap.
  void take(StateList& other) {
    if (other.on_heap()) {
      heap_ = other.heap_;
      capacity_ = other.capacity_;
      other.capacity_ = inline_capacity;
    } else {
      std::copy(other.inline_, other.inline_ + other.size_, inline_);
    }
    size_ = other.size_;
    other.size_ = 0;
  }

  union {
    tcp::State inline_[inline_capacity]{};
    tcp::State* heap_;
  };
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = inline_capacity;
};
// On 64-bit hosts the same size as the vector it replaced, so the memory budget's figures did not
// move; in 32-bit WebAssembly a vector is 12 bytes and this stays 24 (the budget's figures differ
// there anyway, as every pointer does).
static_assert(sizeof(void*) != 8 || sizeof(StateList) == sizeof(std::vector<tcp::State>));

// Everything the run learned about one connection, for expectations and views.
struct ConnectionRecord {
  int host = 0;
  tcp::ConnectionId id = tcp::no_connection;
  // The scenario's name for it ("c1", "web#2", the listener "web"), or "<host>/<k>".
  std::string name;
  // "<host>/<k>": the host's k-th connection (listeners not counted); "" for a listener, and
  // for a connect that failed (no connection was made).
  std::string default_name;
  tcp::FourTuple tuple;
  StateList states;  // every state it was in, from its first
  // The data events' bytes are kept when RunOptions::keep_app_data or an expectation reads them.
  std::vector<AppEventRecord> app_events;
  // Every byte the application handed to TCP and TCP took (SEND succeeded), in order; kept
  // with RunOptions::keep_app_data.
  std::vector<std::uint8_t> written;
  bool freed = false;
  bool spawned_by_listener = false;
  bool listener = false;  // the listening TCB of a listen action, LISTEN from the listen on
  // A connect that failed (app event connect_failed): `id` is no_connection, no TCB existed,
  // and the record holds only the application's view: CLOSED, and the event.
  bool failed_connect = false;
  // A listen that failed (app event listen_failed): as failed_connect, under the listen's name.
  bool failed_listen = false;
  bool lost_in_crash = false;
  // The connection's ISS and IRS (RFC 9293 3.3.1) once it has them, kept after it is gone: an
  // inject relative to it reads them.
  std::optional<std::uint32_t> iss;
  std::optional<std::uint32_t> irs;
  tcp::State final_state() const { return states.empty() ? tcp::State::closed : states.back(); }
};

// What became of one reactive action (Scenario::reactions, same index).
struct ReactionRecord {
  Time triggered = time_never;  // when its trigger happened; time_never: it never did
  Time ran = time_never;        // when it ran (`after` later); time_never: it never did
};

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's seed
  bool record = true;  // keep the trace and the records (off: as fast as it goes)
  // Each trace event goes to these as soon as it is complete (with record on).
  std::vector<TraceSink*> trace_sinks;
  // Keep the trace in RunResult::trace for the views (off: only the sinks see it).
  bool keep_trace = true;
  // Keep each sent segment's payload in its send event (the pcap view writes them; no other
  // view or check reads payloads). Other segment events never carry it.
  bool keep_payloads = true;
  // Keep the bytes the applications exchanged in the connection records: what each wrote, and
  // each data event's bytes (off: nothing written, and data bytes only for the connections
  // whose bytes an expectation checks, "received" or "app_events" with "data").
  bool keep_app_data = true;
  std::optional<std::uint64_t> memory_budget;  // overrides the scenario's
};

struct RunResult {
  std::uint64_t seed = 0;
  std::vector<TraceEvent> trace;
  std::vector<ConnectionRecord> connections;  // in order of creation
  std::map<std::string, std::int64_t> counters;  // ordered: printed as is
  std::vector<ReactionRecord> reactions;  // by Scenario::reactions index
  Time end_time = 0;
  std::uint64_t events_executed = 0;
  std::uint64_t segments_sent = 0;
  // The most the run held at once, as the memory budget counts it (memory_budget.hpp).
  MemoryUse memory_peak;
  // Set when the run could not finish (the event or the memory budget ran out): a scenario
  // error.
  std::optional<std::string> error;
  // The error is the script's own: an inject relative to a connection without the ISN it
  // needs yet (under faults, a SYN lost, the handshake late), not a budget.
  bool script_error = false;

  const ConnectionRecord* find_connection(const std::string& name) const;
};

// What became of an action performed through a Session.
struct ActionReport {
  ActionOutcome outcome = ActionOutcome::called;  // called = ok; write_waits: part (or all,
                                                  // queued behind an earlier write) waits
  std::size_t bytes_taken = 0;  // send: what the send buffer took now
  std::size_t bytes_read = 0;   // read: bytes handed to the application
  // connect: the new connection's name ("" when the connect failed: connect_failed, no TCB);
  // listen: the listener's name.
  std::string connection;
};

class Simulation;

// One run, driven from outside step by step (a packetdrill script drives one); run_scenario()
// is a Session run to the end. The scenario's timeline runs as the clock passes its actions,
// and perform() adds actions of the caller's. The scenario must outlive the session.
class Session {
 public:
  explicit Session(const Scenario& scenario, const RunOptions& options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Time now() const;
  // The next queued event or timeline action; time_never if none.
  Time next_time() const;
  // Runs every event and timeline action with time <= until (and not after the scenario's
  // stop_at), then sets the clock to until (at most stop_at; time_never leaves it). False when
  // the run stopped with an error (result().error: a budget ran out, or an inject could not be
  // made).
  bool run_until(Time until);
  // The same for every event and timeline action with time < until: an action performed next
  // runs before the queued events of `until`, as a timeline action of that time would (a
  // packetdrill script's calls, so that its converted scenario replays it exactly).
  bool run_before(Time until);
  // One event or due timeline action; false when none is left (or the run stopped).
  bool step();
  // Performs `action` now, whatever action.at says (the session keeps a copy: a write may
  // wait for room). An action for a host with "stack": "none" other than inject is refused
  // (run_error); so is any action once the run stopped.
  ActionReport perform(const Action& action);
  // The trace, connection records and counters so far (trace events may still be completing:
  // the last one is handed to trace sinks when the next begins or at finish()).
  const RunResult& result() const;
  // Completes pending trace events, checks the memory budget one last time, sets the end time
  // and hands over the result; the session is not used after.
  RunResult finish();

 private:
  std::unique_ptr<Simulation> simulation_;
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

// The stream's relative-number view chooses absolute numbers when every host has a fixed ISN.
bool scenario_uses_fixed_isns(const Scenario& scenario);

}  // namespace tcpsim::runner
