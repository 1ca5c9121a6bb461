// Bytes of a scenario that copies share instead of duplicating: a send's data, an expected byte
// string. Every `"bytes": N` of a scenario is the first N bytes of one generated pattern, so a
// scenario with many large sends holds the pattern once (runner/scenario_loader.cpp), and a
// copy of a Scenario copies pointers, not bytes. Read-only once made.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace tcpsim::runner {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Implicit: a vector's bytes become shared ones.
  SharedBytes(std::vector<std::uint8_t> bytes)  // NOLINT(google-explicit-constructor)
      : storage_(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes))),
        size_(storage_->size()) {}
  // The first `size` bytes of `storage` (at most its size).
  SharedBytes(std::shared_ptr<const std::vector<std::uint8_t>> storage, std::size_t size)
      : storage_(std::move(storage)), size_(std::min(size, storage_ ? storage_->size() : 0)) {}

  const std::uint8_t* data() const { return storage_ ? storage_->data() : nullptr; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::uint8_t* begin() const { return data(); }
  const std::uint8_t* end() const { return data() + size_; }
  std::uint8_t operator[](std::size_t index) const { return data()[index]; }
  void clear() { *this = SharedBytes(); }

  friend bool operator==(const SharedBytes& a, const SharedBytes& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const SharedBytes& a, const std::vector<std::uint8_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::shared_ptr<const std::vector<std::uint8_t>> storage_;
  std::size_t size_ = 0;
};

}  // namespace tcpsim::runner
