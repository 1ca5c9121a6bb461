// Storage for a host's connection buffers (tcp/sequence_buffer.hpp): blocks of a power-of-two
// size, carved from slabs the arena allocates, and kept on a free list per size when a buffer
// gives them back. A thousand connections opened at once then make a few slab allocations
// instead of a thousand calls into malloc past its per-thread cache (glibc's tcache holds 7
// blocks of a size: a wave of connections takes its slow path for every buffer, and frees
// through it again). What the free lists and the slabs' uncarved ends hold is idle_bytes(), which
// the host counts with the records it keeps for reuse, so a driver's memory budget sees it.
// Blocks larger than max_carved go to operator new and back at once: a bulk transfer's buffers
// are few and large.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace tcpsim::tcp {

class BufferArena {
 public:
  static constexpr std::size_t min_block = 256;         // SequenceBuffer's smallest ring
  static constexpr std::size_t max_carved = 16 * 1024;  // larger blocks are not carved
  static constexpr std::size_t first_slab = 4 * 1024;   // slabs double from here...
  static constexpr std::size_t max_slab = 64 * 1024;    // ...to here

  BufferArena() = default;
  BufferArena(const BufferArena&) = delete;
  BufferArena& operator=(const BufferArena&) = delete;

  // A block of `size` bytes (a power of two, at least min_block), its contents unspecified.
  std::uint8_t* allocate(std::size_t size) {
    if (size > max_carved) return static_cast<std::uint8_t*>(::operator new(size));
    FreeBlock*& head = free_[size_class(size)];
    if (head != nullptr) {
      FreeBlock* const block = head;
      head = block->next;
      idle_bytes_ -= size;
      return reinterpret_cast<std::uint8_t*>(block);
    }
    return carve(size);
  }
  // Gives back a block allocate(size) returned.
  void release(std::uint8_t* block, std::size_t size) {
    if (size > max_carved) {
      ::operator delete(block);
      return;
    }
    push_free(block, size);
  }

  // Bytes the arena holds that no buffer uses: free blocks and slab ends not carved yet.
  std::uint64_t idle_bytes() const { return idle_bytes_; }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr std::size_t class_count = 7;  // 256 B .. 16 KiB
  static std::size_t size_class(std::size_t size) {
    return static_cast<std::size_t>(__builtin_ctzll(size)) - 8;  // 256 = 2^8
  }
  void push_free(std::uint8_t* block, std::size_t size) {
    FreeBlock*& head = free_[size_class(size)];
    head = ::new (static_cast<void*>(block)) FreeBlock{head};
    idle_bytes_ += size;
  }
  // A block from the current slab, or from a new one (the old slab's end is split into free
  // blocks first, so nothing carved is lost).
  std::uint8_t* carve(std::size_t size);

  std::array<FreeBlock*, class_count> free_{};
  std::vector<std::unique_ptr<std::uint8_t[]>> slabs_;
  std::uint8_t* slab_next_ = nullptr;  // the current slab's uncarved part: [slab_next_, slab_end_)
  std::uint8_t* slab_end_ = nullptr;
  std::size_t next_slab_ = first_slab;
  std::uint64_t idle_bytes_ = 0;
};

}  // namespace tcpsim::tcp
