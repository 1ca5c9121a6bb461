// The event queue's rarer paths: the lanes and the growth of the slot table. Heap entries are
// small (time, sequence, slot) triples; the callback lives in a slot table so a handle can find
// its event in O(1), and each slot keeps the position of its entry in the heap, so a cancel
// removes the entry right away. The slot's generation makes old handles harmless once the slot
// is reused.
#include "sim/scheduler.hpp"

#include <utility>

namespace tcpsim::sim {

std::uint32_t Scheduler::grow_slots() {
  // Called with the free list empty: the new slots become the whole list, in order.
  const std::size_t first = slots_.size();
  const std::size_t grown = first < 64 ? 64 : 2 * first;
  slots_.resize(grown);
  for (std::size_t index = first; index + 1 < grown; ++index) {
    slots_[index].position = static_cast<std::uint32_t>(index + 1);
  }
  slots_[grown - 1].position = no_slot;
  return static_cast<std::uint32_t>(first);
}

void Scheduler::grow_heap() { heap_.resize(heap_.empty() ? 64 : 2 * heap_.size()); }

void Scheduler::grow_lane(Lane& lane) {
  std::vector<Entry> ring(lane.ring.empty() ? 64 : 2 * lane.ring.size());
  for (std::uint32_t position = lane.head; position != lane.tail; ++position) {
    ring[position & (ring.size() - 1)] = lane.at(position);
  }
  lane.ring = std::move(ring);
  lane.mask = static_cast<std::uint32_t>(lane.ring.size() - 1);
}

std::uint8_t Scheduler::find_lane(Duration delay) {
  for (std::size_t index = 0; index < max_lanes; ++index) {
    if (lanes_[index].delay == delay) return static_cast<std::uint8_t>(index + 1);
  }
  // An empty lane (or one never used) takes the new delay: the lanes follow the delays in use.
  for (std::size_t index = 0; index < max_lanes; ++index) {
    if (lanes_[index].empty()) {
      lanes_[index].delay = delay;
      return static_cast<std::uint8_t>(index + 1);
    }
  }
  return 0;
}

void Scheduler::cancel_in_lane(const Slot& slot) {
  Lane& lane = lanes_[slot.lane - 1U];
  lane.at(slot.lane_position).slot = dead_slot;
  if (slot.lane_position == lane.head) advance_lane(lane, slot.position);  // it was in the heap
}

void Scheduler::run_until(Time limit) {
  // empty() first: with limit == time_never, next_time() of an empty queue would also be <= limit.
  while (!empty() && next_time() <= limit) run_one();
  if (limit > now_) now_ = limit;
}

std::uint64_t Scheduler::run(std::uint64_t max_events) {
  std::uint64_t ran = 0;
  while (ran < max_events && run_one()) ++ran;
  return ran;
}

}  // namespace tcpsim::sim
