// The event queue's rarer paths: the lanes and the growth of the slot table. Heap entries are
// small (time, sequence, slot) triples; the callback lives in a slot table so a handle can find
// its event in O(1), and each slot keeps the position of its entry in the heap, so a cancel
// removes the entry right away. The slot's generation makes old handles harmless once the slot
// is reused.
#include "sim/scheduler.hpp"

namespace tcpsim::sim {

std::uint32_t Scheduler::grow_slots() {
  const auto index = static_cast<std::uint32_t>(slots_.size());
  slots_.emplace_back().position = no_slot;  // the free list's end, as free_slot_ was
  return index;
}

Scheduler::Lane* Scheduler::find_lane(Duration delay) {
  for (Lane& lane : lanes_) {
    if (lane.delay == delay) return &lane;
  }
  // An empty lane (or one never used) takes the new delay: the lanes follow the delays in use.
  for (Lane& lane : lanes_) {
    if (lane.empty()) {
      lane.delay = delay;
      return &lane;
    }
  }
  return nullptr;
}

bool Scheduler::push_lane(const Entry& entry) {
  const Duration delay = entry.time - now_;
  std::uint8_t& hint = lane_by_hash_[lane_hash(delay)];
  Lane* lane = hint != 0 && lanes_[hint - 1U].delay == delay ? &lanes_[hint - 1U] : nullptr;
  if (lane == nullptr) {
    lane = find_lane(delay);
    if (lane == nullptr) return false;
    hint = static_cast<std::uint8_t>(lane - lanes_.data() + 1);
  }
  // The same delay from a clock that never goes back keeps the lane sorted; checked anyway.
  const bool was_empty = lane->empty();
  if (!was_empty && earlier(entry, lane->entries.back())) return false;
  Slot& slot = slots_[entry.slot];
  slot.lane = static_cast<std::uint8_t>(lane - lanes_.data() + 1);
  slot.lane_position = static_cast<std::uint32_t>(lane->base + lane->entries.size());
  lane->entries.push_back(entry);
  if (was_empty) {  // the lane's front
    heap_.push_back(entry);
    sift_up(heap_.size() - 1, entry);
  }
  return true;
}

void Scheduler::cancel_in_lane(const Slot& slot) {
  Lane& lane = lanes_[slot.lane - 1U];
  const std::uint32_t index = slot.lane_position - static_cast<std::uint32_t>(lane.base);
  lane.entries[index].slot = dead_slot;
  if (index == lane.head) advance_lane(lane, slot.position);  // it was in the heap
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
  // The lane's next comes after the entry it replaces, so it can only sink.
  sift_down(position, lane.entries[lane.head]);
}

void Scheduler::run_until(Time limit) {
  // empty() first: with limit == time_never, next_time() of an empty queue would also be <= limit.
  while (!empty() && heap_.front().time <= limit) run_one();
  if (limit > now_) now_ = limit;
}

std::uint64_t Scheduler::run(std::uint64_t max_events) {
  std::uint64_t ran = 0;
  while (ran < max_events && run_one()) ++ran;
  return ran;
}

}  // namespace tcpsim::sim
