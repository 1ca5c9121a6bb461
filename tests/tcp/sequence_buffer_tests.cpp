// tcp::SequenceQueue and tcp::SequenceBuffer (tcp/sequence_buffer.hpp): the push points' FIFO
// against std::deque through its inline items, the spill to a vector and the compaction; storage
// kept across clear() and a fresh queue's assignment; a buffer reusing a cleared one's storage.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <vector>

#include "tcp/sequence_buffer.hpp"

using tcpsim::tcp::SeqNum;
using tcpsim::tcp::SequenceBuffer;
using tcpsim::tcp::SequenceQueue;

namespace {

std::vector<SeqNum> items_of(const SequenceQueue& queue) { return {queue.begin(), queue.end()}; }

}  // namespace

TEST_CASE("sequence_queue_agrees_with_std_deque_under_random_operations", "[sequence_buffer]") {
  SequenceQueue queue;
  std::deque<SeqNum> model;
  std::uint64_t state = 14;  // a fixed LCG: the same run everywhere
  auto next_random = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  SeqNum next = 0;
  for (int step = 0; step < 100'000; ++step) {
    // Bursts of pushes reach past the inline items and past the compaction's 64.
    const std::uint64_t choice = next_random(100);
    if (choice < 48) {
      queue.push_back(next);
      model.push_back(next);
      ++next;
    } else if (choice < 97) {
      if (!model.empty()) {
        CHECK(queue.front() == model.front());
        queue.pop_front();
        model.pop_front();
      }
    } else if (choice < 98) {
      queue.clear();
      model.clear();
    } else {
      SequenceQueue moved;
      moved = std::move(queue);  // into an empty queue: the items go along
      queue = std::move(moved);
    }
    REQUIRE(queue.empty() == model.empty());
    REQUIRE(items_of(queue) == std::vector<SeqNum>(model.begin(), model.end()));
  }
}

TEST_CASE("sequence_queue_keeps_its_storage_when_cleared_or_assigned_an_empty_queue",
          "[sequence_buffer]") {
  SequenceQueue queue;
  CHECK(queue.capacity_bytes() == 0);
  for (SeqNum seq = 0; seq < 4; ++seq) queue.push_back(seq);
  CHECK(queue.capacity_bytes() == 0);  // the first four are held inline
  queue.push_back(4);
  const std::size_t spilled = queue.capacity_bytes();
  CHECK(spilled >= 5 * sizeof(SeqNum));
  CHECK(items_of(queue) == std::vector<SeqNum>{0, 1, 2, 3, 4});
  queue = SequenceQueue{};  // as start_control_block's fresh control block
  CHECK(queue.empty());
  CHECK(queue.capacity_bytes() == spilled);
  queue.push_back(7);
  CHECK(queue.front() == 7);
  queue.clear();
  CHECK(queue.capacity_bytes() == spilled);
  queue.release_above(spilled);
  CHECK(queue.capacity_bytes() == spilled);
  queue.release_above(0);
  CHECK(queue.capacity_bytes() == 0);
}

TEST_CASE("sequence_buffer_reuses_a_cleared_buffers_storage_as_a_new_one", "[sequence_buffer]") {
  // Bytes written across the ring's end read back the same from a new buffer and from one that
  // was cleared after holding more.
  std::vector<std::uint8_t> data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  const SeqNum start = 0xFFFFFF80U;  // wraps past 2^32 and the ring's end
  const auto round_trip = [&](SequenceBuffer& buffer) {
    buffer.reserve(start, 0, static_cast<std::uint32_t>(data.size()));
    buffer.write(start, data.data(), static_cast<std::uint32_t>(data.size()));
    std::vector<std::uint8_t> out;
    buffer.read(start, static_cast<std::uint32_t>(data.size()), out);
    return out;
  };
  SequenceBuffer fresh;
  CHECK(round_trip(fresh) == data);
  CHECK(fresh.capacity() == 512);

  SequenceBuffer used;
  used.reserve(0, 0, 4000);
  std::vector<std::uint8_t> noise(4000, 0xEE);
  used.write(0, noise.data(), 4000);
  used.clear();
  CHECK(used.capacity() == 4096);  // kept for the next reserve
  CHECK(round_trip(used) == data);
  CHECK(used.capacity() == 4096);  // the ring took the kept storage: nothing was allocated
}
