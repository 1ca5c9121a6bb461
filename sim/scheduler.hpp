// The event queue: a binary heap ordered by (time, insertion sequence), like ns-3's
// (time, uid), so events at the same time run in the order they were scheduled. Events are
// plain function pointers with a context and an argument: scheduling allocates nothing once the
// heap and the slot table have grown. Cancelling is O(1): the slot is marked, and the heap entry
// is skipped when it reaches the top (lazy deletion).
#pragma once

#include <cstdint>
#include <vector>

#include "tcp/time.hpp"

namespace tcpsim::sim {

struct EventHandle {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // 0 never names a live event
  bool valid() const { return generation != 0; }
};

class Scheduler {
 public:
  using Callback = void (*)(void* context, std::uint64_t argument);

  Time now() const { return now_; }

  // Schedules at absolute `time` (>= now(); earlier is clamped to now()). An event at
  // time_never never runs (docs/design.md, "Time"): nothing is queued and the handle is invalid.
  EventHandle schedule_at(Time time, Callback callback, void* context, std::uint64_t argument);
  EventHandle schedule_after(Duration delay, Callback callback, void* context,
                             std::uint64_t argument) {
    return schedule_at(deadline_after(now_, delay), callback, context, argument);
  }
  // Cancels a pending event; cancelling a fired, cancelled or invalid handle does nothing.
  void cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const;

  // Runs the next live event, advancing now(). False when none is left.
  bool run_one();
  // Runs every event with time <= limit, then sets now() to limit (if it was earlier).
  void run_until(Time limit);
  // Runs to quiescence or until `max_events` events ran; returns the number that ran.
  std::uint64_t run(std::uint64_t max_events = UINT64_MAX);

  // Moves the clock forward to `time` without running anything, for a driver that interleaves
  // events of its own (the scenario's timeline) with the queue. `time` must lie between now()
  // and next_time(); outside that it is clamped, so the clock never runs backwards or skips an
  // event.
  void advance_to(Time time);

  // Time of the next live event, time_never if none.
  Time next_time();
  bool empty();
  std::uint64_t executed() const { return executed_; }
  std::uint64_t scheduled() const { return sequence_; }

 private:
  struct Entry {
    Time time;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  struct Slot {
    Callback callback = nullptr;
    void* context = nullptr;
    std::uint64_t argument = 0;
    std::uint32_t generation = 0;
    bool live = false;
  };
  void pop_dead();
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t slot);
  // Rebuilds the heap without cancelled entries once they outnumber the live ones, so
  // re-armed far-future timers (keepalive) cannot grow the heap without bound.
  void compact_if_mostly_dead();
  std::vector<Entry> heap_;
  std::size_t dead_entries_ = 0;  // cancelled entries still in heap_
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  Time now_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t executed_ = 0;
};

}  // namespace tcpsim::sim
