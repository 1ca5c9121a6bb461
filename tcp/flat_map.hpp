// A hash map of small keys (integers) stored in one array: open addressing with linear probing
// and backward-shift deletion, at most half full. For the host's per-connection maps (4-tuple
// -> connection, local port -> users), where std::unordered_map allocated a node per entry:
// two per connection made and freed. Looked up, never iterated (it has no iteration order to
// leak into output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcpsim::tcp {

template <typename Key, typename Value>
class FlatMap {
 public:
  bool contains(Key key) const { return find(key) != nullptr; }
  std::size_t size() const { return size_; }

  const Value* find(Key key) const {
    if (size_ == 0) return nullptr;
    for (std::size_t at = home(key);; at = (at + 1) & mask()) {
      const Slot& slot = slots_[at];
      if (!slot.used) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }
  Value* find(Key key) {
    return const_cast<Value*>(static_cast<const FlatMap*>(this)->find(key));
  }
  // Inserts `value` unless `key` is present (as std::unordered_map::emplace); true if inserted.
  bool emplace(Key key, Value value) {
    if (contains(key)) return false;
    insert_new(key, value);
    return true;
  }
  // The value of `key`, value-initialised if absent.
  Value& operator[](Key key) {
    if (Value* found = find(key)) return *found;
    return insert_new(key, Value{});
  }
  // Removes `key` if present; true if it was.
  bool erase(Key key) {
    if (size_ == 0) return false;
    std::size_t at = home(key);
    while (slots_[at].used && slots_[at].key != key) at = (at + 1) & mask();
    if (!slots_[at].used) return false;
    // Backward shift: pull each later entry of the probe run back into the hole unless that
    // would put it before its home slot, so lookups never need tombstones.
    std::size_t hole = at;
    for (std::size_t next = (hole + 1) & mask(); slots_[next].used; next = (next + 1) & mask()) {
      const std::size_t from_home = (next - home(slots_[next].key)) & mask();
      const std::size_t from_hole = (next - hole) & mask();
      if (from_home >= from_hole) {
        slots_[hole] = slots_[next];
        hole = next;
      }
    }
    slots_[hole].used = false;
    --size_;
    return true;
  }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(Key key) const {
    // Fibonacci hashing: the product's high bits pick the slot.
    const std::uint64_t mixed = static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(mixed >> (64 - shift_));
  }
  Value& insert_new(Key key, Value value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    std::size_t at = home(key);
    while (slots_[at].used) at = (at + 1) & mask();
    slots_[at] = Slot{key, value, true};
    ++size_;
    return slots_[at].value;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    shift_ = old.empty() ? 4 : shift_ + 1;
    slots_.assign(std::size_t{1} << shift_, Slot{});
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) insert_new(slot.key, slot.value);
    }
  }

  std::vector<Slot> slots_;  // a power of two
  std::size_t size_ = 0;
  int shift_ = 0;  // log2 of slots_.size()
};

}  // namespace tcpsim::tcp
