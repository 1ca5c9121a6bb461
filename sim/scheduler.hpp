// The event queue: a 4-ary heap ordered by (time, insertion sequence), like ns-3's
// (time, uid), so events at the same time run in the order they were scheduled. Events are
// plain function pointers with a context and an argument: scheduling allocates nothing once the
// heap and the slot table have grown. The heap is indexed (each slot knows its entry's
// position), so cancelling removes the entry at once in O(log n) and re-arming a pending event
// (reschedule) moves it in place: no cancelled entry is left behind for the run loop to skip.
// While an event's callback runs, its heap place is kept as a hole for the first event the
// callback schedules (one sift instead of two); the hole still holds the running key, which
// comes before every queued one, so nothing sifts past it.
//
// Once the heap holds a few entries, new events go to lanes instead where they can:
// first-in first-out queues, each for the events scheduled one fixed delay after now() (a
// link's delay, the RTO, TIME_WAIT), found by a hash of the delay. now() never goes back and
// the sequence always grows, so a lane is sorted by (time, sequence) as it is appended; only its
// front entry is in the heap, and when it runs the lane's next takes its place. The order is
// exactly one heap's, and the heap stays shallow when a thousand connections wait at once. An
// event cancelled in a lane is marked dead and skipped when it reaches the front.
//
// The paths every event takes (schedule, cancel, reschedule, run, the lane push and advance)
// are inline here; the lane search and the growth of the tables are in scheduler.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "tcp/time.hpp"

// The paths every event takes are inlined into their callers: no call, no saved registers.
#define TCPSIM_SCHEDULER_INLINE [[gnu::always_inline]] inline

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
  TCPSIM_SCHEDULER_INLINE EventHandle schedule_at(Time time, Callback callback, void* context,
                                                  std::uint64_t argument) {
    if (time == time_never) return EventHandle{};  // never comes, so never runs
    // Time never runs backwards: a deadline already past fires now, after what is queued for now.
    const std::uint32_t slot = take_slot(callback, context, argument);
    queue(Entry{time < now_ ? now_ : time, sequence_++, slot});
    return EventHandle{slot, slots_[slot].generation};
  }
  EventHandle schedule_after(Duration delay, Callback callback, void* context,
                             std::uint64_t argument) {
    return schedule_at(deadline_after(now_, delay), callback, context, argument);
  }
  // Cancels a pending event; cancelling a fired, cancelled or invalid handle does nothing.
  TCPSIM_SCHEDULER_INLINE void cancel(EventHandle handle) {
    if (is_pending(handle)) remove(handle.slot);
  }
  // cancel(handle) then schedule_at(time, ...), in one move of the pending entry when `handle`
  // is pending in the heap: the event runs exactly as a newly scheduled one would (a new
  // sequence number), and the returned handle replaces `handle`.
  TCPSIM_SCHEDULER_INLINE EventHandle reschedule(EventHandle handle, Time time,
                                                 Callback callback, void* context,
                                                 std::uint64_t argument) {
    if (is_pending(handle)) {
      Slot& slot = slots_[handle.slot];
      if (time != time_never && slot.lane == 0) {
        // The same as cancel + schedule_at, which would take a new sequence number (and a slot
        // of a new generation, so the old handle no longer names the event).
        slot.generation += 2;  // still odd: still pending
        slot.callback = callback;
        slot.context = context;
        slot.argument = argument;
        const std::uint32_t position = slot.position;
        const Entry entry{time < now_ ? now_ : time, sequence_++, handle.slot};
        // A later key only sinks, an earlier one only rises.
        if (earlier(heap_[position], entry)) {
          sift_down(position, entry);
        } else {
          sift_up(position, entry);
        }
        return EventHandle{handle.slot, slot.generation};
      }
      // An entry in a lane does not move: it is left dead, and the event queued anew.
      remove(handle.slot);
    }
    return schedule_at(time, callback, context, argument);
  }
  bool is_pending(EventHandle handle) const {
    // A pending event's slot has an odd generation, equal to its handle's.
    return (handle.generation & 1U) != 0 && handle.slot < slots_.size() &&
           slots_[handle.slot].generation == handle.generation;
  }

  // Runs the next live event, advancing now(). False when none is left.
  TCPSIM_SCHEDULER_INLINE bool run_one() {
    if (hole_) fill_hole();  // run from a callback
    if (heap_size_ == 0) return false;
    const Entry next = heap_[0];
    // Copy the event out and free its slot before calling: the callback may schedule (growing
    // slots_) or try to cancel its own, already fired, handle.
    const Slot& slot = slots_[next.slot];
    const Callback callback = slot.callback;
    void* const context = slot.context;
    const std::uint64_t argument = slot.argument;
    if (slot.lane == 0) {
      hole_ = true;  // the first event the callback schedules takes its place
    } else {
      advance_lane(lanes_[slot.lane - 1U], 0);
    }
    release_slot(next.slot);
    if (next.time > now_) now_ = next.time;
    ++executed_;
    callback(context, argument);
    if (hole_) fill_hole();
    return true;
  }
  // Runs every event with time <= limit, then sets now() to limit (if it was earlier).
  void run_until(Time limit);
  // Runs to quiescence or until `max_events` events ran; returns the number that ran.
  std::uint64_t run(std::uint64_t max_events = UINT64_MAX);

  // Moves the clock forward to `time` without running anything, for a driver that interleaves
  // events of its own (the scenario's timeline) with the queue. `time` must lie between now()
  // and next_time(); outside that it is clamped, so the clock never runs backwards or skips an
  // event.
  void advance_to(Time time) {
    const Time next = next_time();
    const Time target = time < next ? time : next;
    if (target > now_) now_ = target;
  }

  // Time of the next event, time_never if none.
  Time next_time() const {
    if (!hole_) return heap_size_ == 0 ? time_never : heap_[0].time;
    // From a callback, with the front a hole: the earliest of its children.
    Time next = time_never;
    for (std::size_t child = 1; child <= arity && child < heap_size_; ++child) {
      if (heap_[child].time < next) next = heap_[child].time;
    }
    return next;
  }
  bool empty() const { return heap_size_ == (hole_ ? 1U : 0U); }
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
    // Odd while the slot holds a pending event, even while free: each use adds 1 when it is
    // taken and 1 when it is released, so a handle names one use only and 0 is never pending.
    std::uint32_t generation = 0;
    // Of its entry in heap_, while it is there; while the slot is free, the next free slot.
    std::uint32_t position = 0;
    // lanes_[lane - 1] holds it (0: none) at lane_position, counted from the lane's first
    // entry ever (modulo 2^32).
    std::uint32_t lane_position = 0;
    std::uint8_t lane = 0;
  };
  // A ring of entries, sorted; the one at `head` is live and in the heap. Positions count
  // from the lane's first entry ever (modulo 2^32); position p is at ring[p % ring.size()].
  struct Lane {
    Duration delay = -1;  // -1: never used (a delay is never negative)
    std::vector<Entry> ring;  // its size a power of two, or 0
    std::uint32_t head = 0;
    std::uint32_t tail = 0;  // one past the last
    std::uint32_t mask = 0;  // ring.size() - 1
    bool empty() const { return head == tail; }
    bool full() const { return tail - head == ring.size(); }
    Entry& at(std::uint32_t position) { return ring[position & mask]; }
  };
  static constexpr std::size_t max_lanes = 8;
  // Below this many heap entries, new events go to the heap: a sift through a single level
  // costs less than a lane; above it, a lane (found by one hash) keeps the heap shallow.
  static constexpr std::size_t small_heap = 4;
  static constexpr std::uint32_t dead_slot = UINT32_MAX;  // a cancelled lane entry
  static constexpr std::uint32_t no_slot = UINT32_MAX;    // the end of the free list
  // A 4-ary heap: half the depth of a binary one, and a node's children sit side by side, so a
  // sift through a heap of a million timers touches half as many cache lines.
  static constexpr std::size_t arity = 4;

  TCPSIM_SCHEDULER_INLINE static bool earlier(const Entry& a, const Entry& b) {
    // One 128-bit comparison (time is never negative): no branch on equal times.
    __extension__ using Key = unsigned __int128;
    const auto key = [](const Entry& entry) {
      return (static_cast<Key>(static_cast<std::uint64_t>(entry.time)) << 64) | entry.sequence;
    };
    return key(a) < key(b);
  }

  TCPSIM_SCHEDULER_INLINE std::uint32_t take_slot(Callback callback, void* context,
                                                  std::uint64_t argument) {
    std::uint32_t index = free_slot_;
    if (index == no_slot) index = grow_slots();
    Slot& slot = slots_[index];
    free_slot_ = slot.position;
    ++slot.generation;  // odd: pending
    slot.callback = callback;
    slot.context = context;
    slot.argument = argument;
    slot.lane = 0;
    return index;
  }
  TCPSIM_SCHEDULER_INLINE void release_slot(std::uint32_t index) {
    Slot& slot = slots_[index];
    ++slot.generation;  // even: free
    slot.position = free_slot_;
    free_slot_ = index;
  }
  // A free slot at the end of the table (which grows); out of line, rare.
  std::uint32_t grow_slots();
  // Doubles the heap's storage; out of line, rare.
  void grow_heap();

  // Heap maintenance: every entry written to heap_ goes through place(), which keeps its
  // slot's position.
  TCPSIM_SCHEDULER_INLINE void place(std::size_t position, const Entry& entry) {
    heap_[position] = entry;
    slots_[entry.slot].position = static_cast<std::uint32_t>(position);
  }
  // Puts `entry` at `position` (a hole) or above it, wherever the order wants it. It never
  // passes the running event's hole: that still holds the running event's key, which comes
  // before every queued one.
  TCPSIM_SCHEDULER_INLINE void sift_up(std::size_t position, const Entry& entry) {
    while (position > 0) {
      const std::size_t parent = (position - 1) / arity;
      if (!earlier(entry, heap_[parent])) break;
      place(position, heap_[parent]);
      position = parent;
    }
    place(position, entry);
  }
  // Puts `entry` at `position` (a hole) or below it, wherever the order wants it.
  TCPSIM_SCHEDULER_INLINE void sift_down(std::size_t position, const Entry& entry) {
    const std::size_t size = heap_size_;
    for (;;) {
      const std::size_t first = arity * position + 1;
      if (first >= size) break;
      const std::size_t last = first + arity < size ? first + arity : size;
      std::size_t child = first;
      for (std::size_t other = first + 1; other < last; ++other) {
        if (earlier(heap_[other], heap_[child])) child = other;
      }
      if (!earlier(heap_[child], entry)) break;
      place(position, heap_[child]);
      position = child;
    }
    place(position, entry);
  }
  // heap_[0] has run: the last entry fills the hole.
  TCPSIM_SCHEDULER_INLINE void fill_hole() {
    hole_ = false;
    const Entry last = heap_[--heap_size_];
    if (heap_size_ != 0) sift_down(0, last);
  }
  TCPSIM_SCHEDULER_INLINE void push_heap(const Entry& entry) {
    if (hole_) {
      // Into the place of the event that just ran: one sift instead of two.
      hole_ = false;
      sift_down(0, entry);
    } else {
      // The storage grows out of line: no call to vector::push_back on this path.
      if (heap_size_ == heap_.size()) grow_heap();
      sift_up(heap_size_++, entry);
    }
  }
  TCPSIM_SCHEDULER_INLINE void remove_at(std::size_t position) {
    const Entry last = heap_[--heap_size_];
    if (position == heap_size_) return;  // it was the last
    if (position > 0 && earlier(last, heap_[(position - 1) / arity])) {
      sift_up(position, last);
    } else {
      sift_down(position, last);
    }
  }
  TCPSIM_SCHEDULER_INLINE void queue(const Entry& entry) {
    // A shallow heap costs less than looking for a lane.
    if (heap_size_ < small_heap || !push_lane(entry)) push_heap(entry);
  }
  // Queues a new entry at the back of the lane of its delay; false when no lane takes it.
  TCPSIM_SCHEDULER_INLINE bool push_lane(const Entry& entry) {
    const Duration delay = entry.time - now_;
    std::uint8_t& hint = lane_by_hash_[lane_hash(delay)];
    std::uint8_t number = hint;  // lanes_[number - 1]
    if (number == 0 || lanes_[number - 1U].delay != delay) {
      number = find_lane(delay);
      if (number == 0) return false;
      hint = number;
    }
    Lane& lane = lanes_[number - 1U];
    // The same delay from a clock that never goes back keeps the lane sorted; checked anyway.
    const bool was_empty = lane.empty();
    if (!was_empty && earlier(entry, lane.at(lane.tail - 1))) return false;
    if (lane.full()) grow_lane(lane);
    Slot& slot = slots_[entry.slot];
    slot.lane = number;
    slot.lane_position = lane.tail;
    lane.at(lane.tail++) = entry;
    if (was_empty) push_heap(entry);  // the lane's front
    return true;
  }
  // Not at its hash: the number (index + 1) of another lane holding `delay`, else of an empty
  // one, which takes it; 0 when every lane is busy with another delay.
  std::uint8_t find_lane(Duration delay);
  // Takes the pending event of slot `index` out of the queue and frees the slot.
  TCPSIM_SCHEDULER_INLINE void remove(std::uint32_t index) {
    const Slot& slot = slots_[index];
    if (slot.lane == 0) {
      remove_at(slot.position);
    } else {
      cancel_in_lane(slot);
    }
    release_slot(index);
  }
  // Marks the slot's lane entry dead; if it was the lane's front, the next takes its place.
  void cancel_in_lane(const Slot& slot);
  // The lane's front entry, at heap_[position], is gone: the next live one takes its place.
  TCPSIM_SCHEDULER_INLINE void advance_lane(Lane& lane, std::size_t position) {
    ++lane.head;
    while (lane.head != lane.tail && lane.at(lane.head).slot == dead_slot) ++lane.head;
    if (lane.empty()) {
      remove_at(position);
    } else {
      // The lane's next comes after the entry it replaces, so it can only sink.
      sift_down(position, lane.at(lane.head));
    }
  }
  // Doubles the lane's ring, keeping each entry's position.
  static void grow_lane(Lane& lane);
  static std::size_t lane_hash(Duration delay) {
    // Fibonacci hashing: the top bits of the product spread nearby delays apart.
    return static_cast<std::size_t>((static_cast<std::uint64_t>(delay) *
                                     0x9E3779B97F4A7C15ULL) >> 60);
  }

  // The heap is heap_[0, heap_size_); the vector is its storage, all of it constructed.
  std::vector<Entry> heap_;
  std::size_t heap_size_ = 0;
  // While a callback runs: heap_[0] is the event that is running, a hole to be filled by the
  // first event it schedules (or by the last entry when it returns).
  bool hole_ = false;
  std::array<Lane, max_lanes> lanes_;
  // lane_by_hash_[lane_hash(delay)] - 1 is the lane last given that hash (0: none); a hint,
  // checked against the lane's delay.
  std::array<std::uint8_t, 16> lane_by_hash_{};
  std::vector<Slot> slots_;
  std::uint32_t free_slot_ = no_slot;  // the first free slot; the rest chain through position
  Time now_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t executed_ = 0;
};

}  // namespace tcpsim::sim

#undef TCPSIM_SCHEDULER_INLINE
