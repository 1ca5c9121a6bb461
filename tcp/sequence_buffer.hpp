// Bytes stored by sequence number: the send buffer (SND.UNA .. queued end) and the receive
// buffer (unread bytes and out-of-order bytes beyond RCV.NXT) of one connection. The byte with
// sequence number s lives at s & (capacity - 1), with a power-of-two capacity, so the numbers
// may wrap past 2^32 without a seam, and acknowledging or reading moves no bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include "tcp/buffer_arena.hpp"
#include "tcp/sequence.hpp"

namespace tcpsim::tcp {

class SequenceBuffer {
 public:
  SequenceBuffer() = default;
  // Its blocks come from `arena` (a host's, tcp/buffer_arena.hpp), or from operator new when
  // null. The arena outlives the buffer.
  explicit SequenceBuffer(BufferArena* arena) : arena_(arena) {}
  SequenceBuffer(const SequenceBuffer& other) : arena_(other.arena_) { copy_from(other); }
  SequenceBuffer(SequenceBuffer&& other) noexcept
      : arena_(other.arena_), data_(other.data_), size_(other.size_),
        capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = 0;
    other.capacity_ = 0;
  }
  SequenceBuffer& operator=(const SequenceBuffer& other) {
    if (this != &other) {
      free_block();
      arena_ = other.arena_;
      copy_from(other);
    }
    return *this;
  }
  SequenceBuffer& operator=(SequenceBuffer&& other) noexcept {
    if (this != &other) {
      free_block();
      arena_ = other.arena_;
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ~SequenceBuffer() { free_block(); }

  // Where its blocks come from, for a buffer that holds no bytes (a block it kept goes back
  // where it came from).
  void use_arena(BufferArena* arena) {
    if (arena == arena_) return;
    free_block();
    size_ = 0;
    arena_ = arena;
  }

  // Make room for `span` bytes starting at `live_begin`, keeping the `live_size` bytes stored
  // from there. Grows by doubling (memory follows use: an idle connection holds nothing).
  void reserve(SeqNum live_begin, std::uint32_t live_size, std::uint32_t span) {
    if (span <= size_) return;
    std::uint32_t capacity = size_ == 0 ? 256 : size_;
    while (capacity < span) capacity *= 2;  // span is at most 64 MiB: no overflow
    if (size_ == 0) {
      // Nothing is stored: the ring takes the block a cleared buffer kept, if large enough
      // (a reused connection's, Host), zero-filled as a new one is.
      if (capacity > capacity_) {
        free_block();
        data_ = allocate(capacity);
        capacity_ = capacity;
      }
      std::memset(data_, 0, capacity);
      size_ = capacity;
      return;
    }
    std::uint8_t* const grown = allocate(capacity);
    std::memset(grown, 0, capacity);
    const std::uint32_t new_mask = capacity - 1;
    for (std::uint32_t i = 0; i < live_size; ++i) {
      const SeqNum seq = live_begin + i;
      grown[seq & new_mask] = data_[seq & (size_ - 1)];
    }
    free_block();
    data_ = grown;
    size_ = capacity;
    capacity_ = capacity;
  }

  // Store `size` bytes at `seq` (the caller reserved the room).
  void write(SeqNum seq, const std::uint8_t* data, std::uint32_t size) {
    copy(seq, size, [&](std::size_t index, std::uint32_t offset, std::uint32_t run) {
      std::memcpy(data_ + index, data + offset, run);
    });
  }

  // Append `size` bytes from `seq` to `out`. Inserted, not resized and copied over, so that the
  // bytes are not zeroed first; the capacity is what resize() gives an empty vector.
  void read(SeqNum seq, std::uint32_t size, std::vector<std::uint8_t>& out) const {
    out.reserve(out.size() + size);
    copy(seq, size, [&](std::size_t index, std::uint32_t, std::uint32_t run) {
      const std::uint8_t* first = data_ + index;
      out.insert(out.end(), first, first + run);
    });
  }

  // Drops the bytes and keeps the block for the next reserve.
  void clear() { size_ = 0; }
  // The bytes allocated (the ring's size while in use, and what a cleared buffer kept).
  std::size_t capacity() const { return capacity_; }

 private:
  // Calls action(storage index, offset in the range, run length) for the at most two contiguous
  // runs that hold [seq, seq + size).
  template <typename Action>
  void copy(SeqNum seq, std::uint32_t size, Action action) const {
    if (size == 0) return;
    const std::size_t mask = size_ - 1;
    std::uint32_t done = 0;
    while (done < size) {
      const std::size_t index = (seq + done) & mask;
      const auto run =
          static_cast<std::uint32_t>(std::min<std::size_t>(size - done, size_ - index));
      action(index, done, run);
      done += run;
    }
  }
  std::uint8_t* allocate(std::size_t size) {
    return arena_ != nullptr ? arena_->allocate(size)
                             : static_cast<std::uint8_t*>(::operator new(size));
  }
  void free_block() {
    if (data_ == nullptr) return;
    if (arena_ != nullptr) {
      arena_->release(data_, capacity_);
    } else {
      ::operator delete(data_);
    }
    data_ = nullptr;
    capacity_ = 0;
  }
  // A copy holds the same bytes in a block of its own (the ring only; a cleared buffer's kept
  // block is not copied).
  void copy_from(const SequenceBuffer& other) {
    data_ = nullptr;
    capacity_ = 0;
    size_ = other.size_;
    if (size_ == 0) return;
    data_ = allocate(size_);
    capacity_ = size_;
    std::memcpy(data_, other.data_, size_);
  }

  BufferArena* arena_ = nullptr;
  std::uint8_t* data_ = nullptr;  // capacity_ bytes; the ring is its first size_
  // 32 bits, so a buffer is as large as the vector it replaced (24 bytes; a million half-open
  // connections hold two each): the knobs bound a buffer at 64 MiB (tcp/knobs.cpp).
  std::uint32_t size_ = 0;  // the ring's size: 0 or a power of two
  std::uint32_t capacity_ = 0;
};

// Sequence numbers in FIFO order (the send side's push points). The first few live in the
// queue itself (a connection usually has one or two writes unacknowledged at a time, so most
// never allocate); beyond that they move to a vector read from `head_`, whose consumed front is
// dropped once it is half the vector. Unlike std::deque, which allocates a map and a 512-byte
// block as soon as it is constructed, an empty queue holds nothing; popping moves no elements.
class SequenceQueue {
 public:
  SequenceQueue() = default;
  SequenceQueue(const SequenceQueue&) = default;
  SequenceQueue(SequenceQueue&&) noexcept = default;
  SequenceQueue& operator=(const SequenceQueue&) = default;
  // Takes the other queue's items. An empty one leaves this queue empty with its storage kept:
  // a fresh control block assigned over a used one (Connection::start_control_block) keeps
  // the capacity, and a reused connection's first writes allocate nothing.
  SequenceQueue& operator=(SequenceQueue&& other) noexcept {
    if (other.empty()) {
      clear();
    } else {
      swap(other);
      other.clear();
    }
    return *this;
  }
  bool empty() const { return head_ == size_; }
  SeqNum front() const { return data()[head_]; }
  void push_back(SeqNum seq) {
    if (!spilled_) {
      if (size_ < inline_capacity) {
        inline_[size_++] = seq;
        return;
      }
      // Full: the items move to the vector, which takes every later one.
      items_.assign(inline_.begin() + static_cast<std::ptrdiff_t>(head_), inline_.end());
      size_ -= head_;
      head_ = 0;
      spilled_ = true;
    }
    items_.push_back(seq);
    ++size_;
  }
  void pop_front() {
    ++head_;
    if (head_ == size_) {
      clear();
    } else if (spilled_ && head_ >= 64 && head_ * 2 >= size_) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      size_ -= head_;
      head_ = 0;
    }
  }
  // Empty, back to the inline items; the vector keeps its storage.
  void clear() {
    items_.clear();
    head_ = 0;
    size_ = 0;
    spilled_ = false;
  }
  void swap(SequenceQueue& other) noexcept {
    std::swap(inline_, other.inline_);
    items_.swap(other.items_);
    std::swap(head_, other.head_);
    std::swap(size_, other.size_);
    std::swap(spilled_, other.spilled_);
  }
  std::size_t capacity_bytes() const { return items_.capacity() * sizeof(SeqNum); }
  // Gives the vector's storage back when it is larger than `limit` bytes (clear() first).
  void release_above(std::size_t limit) {
    if (capacity_bytes() > limit) std::vector<SeqNum>().swap(items_);
  }
  const SeqNum* begin() const { return data() + head_; }
  const SeqNum* end() const { return data() + size_; }

 private:
  static constexpr std::size_t inline_capacity = 4;
  const SeqNum* data() const { return spilled_ ? items_.data() : inline_.data(); }

  std::array<SeqNum, inline_capacity> inline_{};
  std::vector<SeqNum> items_;  // every item once spilled_, and only then
  std::size_t head_ = 0;       // the front's index, into inline_ or items_
  std::size_t size_ = 0;       // one past the back's index
  bool spilled_ = false;
};

}  // namespace tcpsim::tcp
