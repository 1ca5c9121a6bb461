// The event queue. Heap entries are small (time, sequence, slot) triples; the callback lives in
// a slot table so a handle can find and cancel its event in O(1). A slot is released only when
// its heap entry leaves the heap (fired, or popped/compacted away after a cancel), so a heap
// entry always names its own event, and the slot's generation makes old handles harmless.
#include "sim/scheduler.hpp"

#include <algorithm>

namespace tcpsim::sim {

namespace {

// std::*_heap build a max-heap; "comes later" as the ordering puts the earliest event on top.
// The insertion sequence breaks ties, so equal-time events run first-scheduled first.
struct ComesLater {
  template <typename Entry>
  bool operator()(const Entry& a, const Entry& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.sequence > b.sequence;
  }
};

constexpr std::size_t compaction_minimum = 64;  // small heaps are cheap to skip through

}  // namespace

std::uint32_t Scheduler::allocate_slot() {
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
  heap_.push_back(Entry{when, sequence_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), ComesLater{});
  return EventHandle{slot, entry.generation};
}

bool Scheduler::is_pending(EventHandle handle) const {
  if (!handle.valid() || handle.slot >= slots_.size()) return false;
  const Slot& entry = slots_[handle.slot];
  return entry.live && entry.generation == handle.generation;
}

void Scheduler::cancel(EventHandle handle) {
  if (!is_pending(handle)) return;
  Slot& entry = slots_[handle.slot];
  entry.live = false;
  entry.callback = nullptr;
  ++dead_entries_;
  compact_if_mostly_dead();
}

void Scheduler::compact_if_mostly_dead() {
  if (heap_.size() < compaction_minimum || dead_entries_ * 2 <= heap_.size()) return;
  std::size_t kept = 0;
  for (const Entry& entry : heap_) {
    if (slots_[entry.slot].live) {
      heap_[kept++] = entry;
    } else {
      release_slot(entry.slot);
    }
  }
  heap_.resize(kept);
  // Order among survivors is fully determined by (time, sequence), so rebuilding changes nothing
  // about which event runs next.
  std::make_heap(heap_.begin(), heap_.end(), ComesLater{});
  dead_entries_ = 0;
}

void Scheduler::pop_dead() {
  while (!heap_.empty() && !slots_[heap_.front().slot].live) {
    const std::uint32_t slot = heap_.front().slot;
    std::pop_heap(heap_.begin(), heap_.end(), ComesLater{});
    heap_.pop_back();
    release_slot(slot);
    --dead_entries_;
  }
}

bool Scheduler::run_one() {
  pop_dead();
  if (heap_.empty()) return false;
  const Entry next = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), ComesLater{});
  heap_.pop_back();

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

Time Scheduler::next_time() {
  pop_dead();
  return heap_.empty() ? time_never : heap_.front().time;
}

bool Scheduler::empty() {
  pop_dead();
  return heap_.empty();
}

}  // namespace tcpsim::sim
