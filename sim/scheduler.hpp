// The event queue: a 4-ary heap ordered by (time, insertion sequence), like ns-3's
// (time, uid), so events at the same time run in the order they were scheduled. Events are
// plain function pointers with a context and an argument: scheduling allocates nothing once the
// heap and the slot table have grown. The heap is indexed (each slot knows its entry's
// position), so cancelling removes the entry at once in O(log n) and re-arming a pending event
// (reschedule) moves it in place: no cancelled entry is left behind for the run loop to skip.
//
// Once the heap is deeper than a few levels, new events go to lanes instead where they can:
// first-in first-out queues, each for the events scheduled one fixed delay after now() (a
// link's delay, the RTO, TIME_WAIT). now() never goes back and the sequence always grows, so a
// lane is sorted by (time, sequence) as it is appended; only its front entry is in the heap,
// and when it runs the lane's next takes its place. The order is exactly one heap's, and the
// heap stays shallow when a thousand connections wait at once. An event cancelled in a lane
// is marked dead and skipped when it reaches the front.
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
  // cancel(handle) then schedule_at(time, ...), in one move of the pending entry when `handle`
  // is pending: the event runs exactly as a newly scheduled one would (a new sequence number),
  // and the returned handle replaces `handle`.
  EventHandle reschedule(EventHandle handle, Time time, Callback callback, void* context,
                         std::uint64_t argument);
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

  // Time of the next event, time_never if none.
  Time next_time() const { return heap_.empty() ? time_never : heap_.front().time; }
  bool empty() const { return heap_.empty(); }
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
    std::uint32_t position = 0;  // of its entry in heap_, while it is there
    // lanes_[lane - 1] holds it (0: none) at lane_position, counted from the lane's first
    // entry ever (modulo 2^32).
    std::uint32_t lane_position = 0;
    std::uint8_t lane = 0;
    bool live = false;
  };
  struct Lane {
    Duration delay = 0;
    std::vector<Entry> entries;  // sorted; entries[head] is live and in the heap
    std::size_t head = 0;
    std::uint64_t base = 0;  // how many entries were dropped before entries[0]
    bool empty() const { return head == entries.size(); }
  };
  static constexpr std::size_t max_lanes = 8;
  // Below this many heap entries, new events go to the heap: sifting through a level or two
  // costs less than finding a lane.
  static constexpr std::size_t small_heap = 16;
  static constexpr std::uint32_t dead_slot = UINT32_MAX;  // a cancelled lane entry
  static bool earlier(const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
  }
  // Heap maintenance: every entry written to heap_ goes through place(), which keeps its
  // slot's position.
  void place(std::size_t position, const Entry& entry) {
    heap_[position] = entry;
    slots_[entry.slot].position = static_cast<std::uint32_t>(position);
  }
  void sift_up(std::size_t position);
  void sift_down(std::size_t position);
  void remove_at(std::size_t position);
  // After heap_[position] changed its key: restores the heap order around it.
  void restore(std::size_t position);
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t slot);
  void push_heap(const Entry& entry);
  // Queues a new entry at the back of the lane of its delay; false when no lane takes it.
  bool push_lane(const Entry& entry);
  // The lane's front entry, at heap_[position], is gone: the next live one takes its place.
  void advance_lane(Lane& lane, std::size_t position);
  std::vector<Entry> heap_;
  std::vector<Lane> lanes_;
  std::size_t last_lane_ = 0;  // where the last lane entry went: the likeliest next
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  Time now_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t executed_ = 0;
};

}  // namespace tcpsim::sim
