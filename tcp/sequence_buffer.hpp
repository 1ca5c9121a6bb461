// Bytes stored by sequence number: the send buffer (SND.UNA .. queued end) and the receive
// buffer (unread bytes and out-of-order bytes beyond RCV.NXT) of one connection. The byte with
// sequence number s lives at s & (capacity - 1), with a power-of-two capacity, so the numbers
// may wrap past 2^32 without a seam, and acknowledging or reading moves no bytes.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include "tcp/sequence.hpp"

namespace tcpsim::tcp {

class SequenceBuffer {
 public:
  // Make room for `span` bytes starting at `live_begin`, keeping the `live_size` bytes stored
  // from there. Grows by doubling (memory follows use: an idle connection holds nothing).
  void reserve(SeqNum live_begin, std::uint32_t live_size, std::uint32_t span) {
    if (span <= storage_.size()) return;
    std::size_t capacity = storage_.empty() ? 256 : storage_.size();
    while (capacity < span) capacity *= 2;
    if (storage_.empty()) {
      // Nothing is stored: the ring takes the storage a cleared buffer kept, if large enough
      // (a reused connection's, Host), zero-filled as a new one would be.
      storage_.resize(capacity);
      return;
    }
    std::vector<std::uint8_t> grown(capacity);
    const std::size_t new_mask = capacity - 1;
    for (std::uint32_t i = 0; i < live_size; ++i) {
      const SeqNum seq = live_begin + i;
      grown[seq & new_mask] = storage_[seq & (storage_.size() - 1)];
    }
    storage_.swap(grown);
  }

  // Store `size` bytes at `seq` (the caller reserved the room).
  void write(SeqNum seq, const std::uint8_t* data, std::uint32_t size) {
    copy(seq, size, [&](std::size_t index, std::uint32_t offset, std::uint32_t run) {
      std::memcpy(storage_.data() + index, data + offset, run);
    });
  }

  // Append `size` bytes from `seq` to `out`.
  void read(SeqNum seq, std::uint32_t size, std::vector<std::uint8_t>& out) const {
    const std::size_t start = out.size();
    out.resize(start + size);
    copy(seq, size, [&](std::size_t index, std::uint32_t offset, std::uint32_t run) {
      std::memcpy(out.data() + start + offset, storage_.data() + index, run);
    });
  }

  // Drops the bytes and keeps the storage for the next reserve.
  void clear() { storage_.clear(); }
  // The bytes allocated (the ring's size while in use, and what a cleared buffer kept).
  std::size_t capacity() const { return storage_.capacity(); }

 private:
  // Calls action(storage index, offset in the range, run length) for the at most two contiguous
  // runs that hold [seq, seq + size).
  template <typename Action>
  void copy(SeqNum seq, std::uint32_t size, Action action) const {
    if (size == 0) return;
    const std::size_t mask = storage_.size() - 1;
    std::uint32_t done = 0;
    while (done < size) {
      const std::size_t index = (seq + done) & mask;
      const auto run = static_cast<std::uint32_t>(
          std::min<std::size_t>(size - done, storage_.size() - index));
      action(index, done, run);
      done += run;
    }
  }

  std::vector<std::uint8_t> storage_;
};

// Sequence numbers in FIFO order (the send side's push points): a vector read from `head_`.
// Unlike std::deque, which allocates a map and a 512-byte block as soon as it is constructed,
// an empty queue holds nothing, so a fresh control block allocates nothing; popping moves no
// elements, and the consumed front is dropped once it is half the vector.
class SequenceQueue {
 public:
  SequenceQueue() = default;
  SequenceQueue(const SequenceQueue&) = default;
  SequenceQueue(SequenceQueue&&) noexcept = default;
  SequenceQueue& operator=(const SequenceQueue&) = default;
  // Takes the other queue's items. An empty one leaves this queue empty with its storage kept:
  // a fresh control block assigned over a used one (Connection::start_control_block) keeps
  // the capacity, and a reused connection's first write allocates nothing.
  SequenceQueue& operator=(SequenceQueue&& other) noexcept {
    if (other.empty()) {
      clear();
    } else {
      items_.swap(other.items_);
      head_ = other.head_;
      other.clear();
    }
    return *this;
  }
  bool empty() const { return head_ == items_.size(); }
  SeqNum front() const { return items_[head_]; }
  void push_back(SeqNum seq) { items_.push_back(seq); }
  void pop_front() {
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  void swap(SequenceQueue& other) noexcept {
    items_.swap(other.items_);
    std::swap(head_, other.head_);
  }
  std::size_t capacity_bytes() const { return items_.capacity() * sizeof(SeqNum); }
  // Gives the storage back when it is larger than `limit` bytes (clear() first).
  void release_above(std::size_t limit) {
    if (capacity_bytes() > limit) std::vector<SeqNum>().swap(items_);
  }
  const SeqNum* begin() const { return items_.data() + head_; }
  const SeqNum* end() const { return items_.data() + items_.size(); }

 private:
  std::vector<SeqNum> items_;
  std::size_t head_ = 0;
};

}  // namespace tcpsim::tcp
