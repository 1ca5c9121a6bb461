// tcp::SequenceQueue and tcp::SequenceBuffer (tcp/sequence_buffer.hpp): the push points' FIFO
// against std::deque through its inline items, the spill to a vector and the compaction; storage
// kept across clear() and a fresh queue's assignment; a buffer reusing a cleared one's storage.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <vector>

#include "tcp/buffer_arena.hpp"
#include "tcp/sequence_buffer.hpp"

namespace tcp_sequence_buffer_tests {

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

// tcp::BufferArena (tcp/buffer_arena.hpp): the blocks a host's connection buffers use.
TEST_CASE("buffer_arena_reuses_a_released_block_of_the_same_size", "[buffer_arena]") {
  tcpsim::tcp::BufferArena arena;
  std::uint8_t* const first = arena.allocate(1024);
  std::uint8_t* const other_size = arena.allocate(512);
  arena.release(first, 1024);
  CHECK(arena.allocate(512) != first);  // another size's block is not handed out
  CHECK(arena.allocate(1024) == first);
  arena.release(other_size, 512);
}

TEST_CASE("buffer_arena_counts_what_no_buffer_uses_as_idle", "[buffer_arena]") {
  using tcpsim::tcp::BufferArena;
  BufferArena arena;
  CHECK(arena.idle_bytes() == 0);  // nothing is allocated before the first block
  std::uint8_t* const block = arena.allocate(1024);
  CHECK(arena.idle_bytes() == BufferArena::first_slab - 1024);  // the slab's uncarved end
  arena.release(block, 1024);
  CHECK(arena.idle_bytes() == BufferArena::first_slab);
  // A block above max_carved is the system allocator's: never idle in the arena.
  std::uint8_t* const large = arena.allocate(2 * BufferArena::max_carved);
  CHECK(arena.idle_bytes() == BufferArena::first_slab);
  arena.release(large, 2 * BufferArena::max_carved);
  CHECK(arena.idle_bytes() == BufferArena::first_slab);
}

TEST_CASE("buffer_arena_keeps_a_full_slabs_end_as_free_blocks", "[buffer_arena]") {
  using tcpsim::tcp::BufferArena;
  BufferArena arena;
  std::uint8_t* const a = arena.allocate(1024);
  std::uint8_t* const b = arena.allocate(1024);
  std::uint8_t* const c = arena.allocate(1024);
  CHECK(b == a + 1024);  // carved side by side
  CHECK(c == b + 1024);
  // 1024 bytes are left in the first slab: a 4096-byte block needs a new slab (twice the
  // first), and the old slab's end becomes a free 1024-byte block.
  std::uint8_t* const big = arena.allocate(4096);
  CHECK(arena.idle_bytes() == 1024 + (2 * BufferArena::first_slab - 4096));
  CHECK(arena.allocate(1024) == c + 1024);  // the old slab's end, not the new slab
  CHECK(arena.idle_bytes() == 2 * BufferArena::first_slab - 4096);
  arena.release(big, 4096);
  arena.release(a, 1024);
  arena.release(b, 1024);
  arena.release(c, 1024);
}

TEST_CASE("sequence_buffer_in_an_arena_holds_and_grows_as_one_without", "[sequence_buffer]") {
  // The same writes, reserves and reads give the same bytes and capacities with blocks from an
  // arena as from operator new; copies and moves keep the bytes; the blocks go back.
  // As small as the std::vector it replaced: a connection holds two.
  CHECK(sizeof(SequenceBuffer) == 3 * sizeof(void*));
  tcpsim::tcp::BufferArena arena;
  std::vector<std::uint8_t> data(3000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 13 + 1);
  const SeqNum start = 0xFFFFFC00U;  // wraps past 2^32
  const auto fill = [&](SequenceBuffer& buffer) {
    // 500 bytes, then the ring grows (keeping them) to take all 3000.
    buffer.reserve(start, 0, 500);
    buffer.write(start, data.data(), 500);
    buffer.reserve(start, 500, 3000);
    buffer.write(start + 500, data.data() + 500, 2500);
  };
  const auto contents = [&](const SequenceBuffer& buffer) {
    std::vector<std::uint8_t> out;
    buffer.read(start, static_cast<std::uint32_t>(data.size()), out);
    return out;
  };
  SequenceBuffer plain;
  fill(plain);
  {
    SequenceBuffer pooled(&arena);
    fill(pooled);
    CHECK(contents(pooled) == data);
    CHECK(pooled.capacity() == plain.capacity());
    CHECK(pooled.capacity() == 4096);

    SequenceBuffer copied(pooled);
    CHECK(contents(copied) == data);
    SequenceBuffer moved(std::move(pooled));
    CHECK(contents(moved) == data);
    CHECK(pooled.capacity() == 0);  // NOLINT(bugprone-use-after-move): moved from, empty
    moved.clear();
    CHECK(moved.capacity() == 4096);  // a cleared buffer keeps its block
    copied = moved;                   // a cleared buffer's copy holds nothing
    CHECK(copied.capacity() == 0);
  }
  // Every block is back: what the arena allocated is all idle.
  const std::uint64_t idle = arena.idle_bytes();
  SequenceBuffer again(&arena);
  fill(again);
  CHECK(contents(again) == data);
  CHECK(arena.idle_bytes() == idle - 4096);  // served from what the first buffers gave back
}

}  // namespace tcp_sequence_buffer_tests
