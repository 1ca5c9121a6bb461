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

  // Append `size` bytes from `seq` to `out`. Inserted, not resized and copied over, so that the
  // bytes are not zeroed first; the capacity is what resize() gives an empty vector.
  void read(SeqNum seq, std::uint32_t size, std::vector<std::uint8_t>& out) const {
    out.reserve(out.size() + size);
    copy(seq, size, [&](std::size_t index, std::uint32_t, std::uint32_t run) {
      const std::uint8_t* first = storage_.data() + index;
      out.insert(out.end(), first, first + run);
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
