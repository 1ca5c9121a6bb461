// The event queue. Heap entries are small (time, sequence, slot) triples; the callback lives in
// a slot table so a handle can find its event in O(1), and each slot keeps the position of its
// entry in the heap, so a cancel removes the entry right away. The slot's generation makes old
// handles harmless once the slot is reused.
#include "sim/scheduler.hpp"

#include <algorithm>

namespace tcpsim::sim {

// Inlined by hand: on the path of every event.
[[gnu::always_inline]] inline std::uint32_t Scheduler::allocate_slot() {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  // A new generation per use, skipping 0 (which never names a live event).
  Slot& entry = slots_[slot];
  ++entry.generation;
  if (entry.generation == 0) entry.generation = 1;
  return slot;
}

void Scheduler::release_slot(std::uint32_t slot) {
  Slot& entry = slots_[slot];
  entry.callback = nullptr;
  entry.context = nullptr;
  entry.argument = 0;
  entry.live = false;
  free_slots_.push_back(slot);
}

// A 4-ary heap: half the depth of a binary one, and a node's children sit side by side, so a
// sift through a heap of a million timers touches half as many cache lines.
constexpr std::size_t arity = 4;

void Scheduler::sift_up(std::size_t position) {
  const Entry moving = heap_[position];
  while (position > 0) {
    const std::size_t parent = (position - 1) / arity;
    if (!earlier(moving, heap_[parent])) break;
    place(position, heap_[parent]);
    position = parent;
  }
  place(position, moving);
}

void Scheduler::sift_down(std::size_t position) {
  const Entry moving = heap_[position];
  const std::size_t size = heap_.size();
  for (;;) {
    const std::size_t first = arity * position + 1;
    if (first >= size) break;
    const std::size_t last = std::min(first + arity, size);
    std::size_t child = first;
    for (std::size_t other = first + 1; other < last; ++other) {
      if (earlier(heap_[other], heap_[child])) child = other;
    }
    if (!earlier(heap_[child], moving)) break;
    place(position, heap_[child]);
    position = child;
  }
  place(position, moving);
}

void Scheduler::restore(std::size_t position) {
  if (position > 0 && earlier(heap_[position], heap_[(position - 1) / arity])) {
    sift_up(position);
  } else {
    sift_down(position);
  }
}

void Scheduler::remove_at(std::size_t position) {
  const std::size_t last = heap_.size() - 1;
  if (position != last) {
    place(position, heap_[last]);
    heap_.pop_back();
    restore(position);
  } else {
    heap_.pop_back();
  }
}

[[gnu::always_inline]] inline void Scheduler::push_heap(const Entry& entry) {
  heap_.push_back(entry);
  sift_up(heap_.size() - 1);
}

bool Scheduler::push_lane(const Entry& entry) {
  const Duration delay = entry.time - now_;
  Lane* chosen = nullptr;
  if (last_lane_ < lanes_.size() && lanes_[last_lane_].delay == delay) {
    chosen = &lanes_[last_lane_];
  } else {
    for (Lane& lane : lanes_) {
      if (lane.delay == delay) {
        chosen = &lane;
        break;
      }
    }
  }
  if (chosen == nullptr) {
    if (lanes_.size() < max_lanes) {
      chosen = &lanes_.emplace_back();
    } else {
      // An empty lane takes the new delay: the lanes follow the delays in use.
      for (Lane& lane : lanes_) {
        if (lane.empty()) {
          chosen = &lane;
          break;
        }
      }
      if (chosen == nullptr) return false;
    }
    chosen->delay = delay;
  }
  // The same delay from a clock that never goes back keeps the lane sorted; checked anyway.
  const bool was_empty = chosen->empty();
  if (!was_empty && earlier(entry, chosen->entries.back())) return false;
  last_lane_ = static_cast<std::size_t>(chosen - lanes_.data());
  Slot& slot = slots_[entry.slot];
  slot.lane = static_cast<std::uint8_t>(last_lane_ + 1);
  slot.lane_position = static_cast<std::uint32_t>(chosen->base + chosen->entries.size());
  chosen->entries.push_back(entry);
  if (was_empty) push_heap(entry);  // the lane's front
  return true;
}

void Scheduler::advance_lane(Lane& lane, std::size_t position) {
  ++lane.head;
  while (lane.head < lane.entries.size() && lane.entries[lane.head].slot == dead_slot) {
    ++lane.head;
  }
  if (lane.empty()) {
    lane.base += lane.entries.size();
    lane.entries.clear();
    lane.head = 0;
    remove_at(position);
    return;
  }
  if (lane.head >= 4096 && 2 * lane.head >= lane.entries.size()) {
    // Compact. Positions count from the lane's first entry ever, so none changes.
    lane.entries.erase(lane.entries.begin(),
                       lane.entries.begin() + static_cast<std::ptrdiff_t>(lane.head));
    lane.base += lane.head;
    lane.head = 0;
  }
  place(position, lane.entries[lane.head]);
  restore(position);
}

EventHandle Scheduler::schedule_at(Time time, Callback callback, void* context,
                                   std::uint64_t argument) {
  if (time == time_never) return EventHandle{};  // never comes, so never runs
  // Time never runs backwards: a deadline already past fires now, after what is queued for now.
  const Time when = std::max(time, now_);
  const std::uint32_t slot = allocate_slot();
  Slot& entry = slots_[slot];
  entry.callback = callback;
  entry.context = context;
  entry.argument = argument;
  entry.live = true;
  entry.lane = 0;
  const Entry queued{when, sequence_++, slot};
  // A shallow heap costs less than looking for a lane.
  if (heap_.size() < small_heap || !push_lane(queued)) push_heap(queued);
  return EventHandle{slot, slots_[slot].generation};
}

EventHandle Scheduler::reschedule(EventHandle handle, Time time, Callback callback,
                                  void* context, std::uint64_t argument) {
  if (!is_pending(handle) || time == time_never || slots_[handle.slot].lane != 0) {
    // An entry in a lane does not move: it is left dead, and the event queued anew.
    cancel(handle);
    return schedule_at(time, callback, context, argument);
  }
  // The same as cancel + schedule_at, which would take a new sequence number (and a slot of a
  // new generation, so the old handle no longer names the event).
  Slot& entry = slots_[handle.slot];
  ++entry.generation;
  if (entry.generation == 0) entry.generation = 1;
  entry.callback = callback;
  entry.context = context;
  entry.argument = argument;
  const std::size_t position = entry.position;
  heap_[position].time = std::max(time, now_);
  heap_[position].sequence = sequence_++;
  restore(position);
  return EventHandle{handle.slot, entry.generation};
}

bool Scheduler::is_pending(EventHandle handle) const {
  if (!handle.valid() || handle.slot >= slots_.size()) return false;
  const Slot& entry = slots_[handle.slot];
  return entry.live && entry.generation == handle.generation;
}

void Scheduler::cancel(EventHandle handle) {
  if (!is_pending(handle)) return;
  const Slot& slot = slots_[handle.slot];
  if (slot.lane == 0) {
    remove_at(slot.position);
  } else {
    Lane& lane = lanes_[slot.lane - 1U];
    const std::uint32_t index = slot.lane_position - static_cast<std::uint32_t>(lane.base);
    lane.entries[index].slot = dead_slot;
    if (index == lane.head) advance_lane(lane, slot.position);  // it was in the heap
  }
  release_slot(handle.slot);
}

bool Scheduler::run_one() {
  if (heap_.empty()) return false;
  const Entry next = heap_.front();
  if (const std::uint8_t lane = slots_[next.slot].lane; lane == 0) {
    remove_at(0);
  } else {
    advance_lane(lanes_[lane - 1U], 0);
  }

  // Copy the event out and free its slot before calling: the callback may schedule (growing
  // slots_) or try to cancel its own, already fired, handle.
  const Slot& slot = slots_[next.slot];
  const Callback callback = slot.callback;
  void* const context = slot.context;
  const std::uint64_t argument = slot.argument;
  release_slot(next.slot);

  now_ = std::max(now_, next.time);
  ++executed_;
  callback(context, argument);
  return true;
}

void Scheduler::run_until(Time limit) {
  // empty() first: with limit == time_never, next_time() of an empty queue would also be <= limit.
  while (!empty() && heap_.front().time <= limit) run_one();
  now_ = std::max(now_, limit);
}

void Scheduler::advance_to(Time time) {
  now_ = std::max(now_, std::min(time, next_time()));
}

std::uint64_t Scheduler::run(std::uint64_t max_events) {
  std::uint64_t ran = 0;
  while (ran < max_events && run_one()) ++ran;
  return ran;
}

}  // namespace tcpsim::sim
