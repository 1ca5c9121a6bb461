// How many connections of a host use each local port: a count per 16-bit port, in pages of 256
// ports made on first use. A connection made or freed is an increment or a decrement in place:
// no hash, no probe, and no entry inserted and erased again for each short connection (a
// FlatMap did both, about 100 instructions a connection). A page stays once made, so the table
// holds at most 256 KiB (every port used), 1 KiB per 256 ports a host has ever used. Looked
// up, never iterated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tcp/segment.hpp"

namespace tcpsim::tcp {

class PortUsers {
 public:
  std::uint32_t count(Port port) const {
    const Page* page = pages_[port >> 8].get();
    return page == nullptr ? 0 : (*page)[port & 0xFFU];
  }
  bool used(Port port) const { return count(port) != 0; }
  void add(Port port) {
    std::unique_ptr<Page>& page = pages_[port >> 8];
    if (page == nullptr) page = std::make_unique<Page>();  // zero-filled
    ++(*page)[port & 0xFFU];
  }
  // One user fewer (none stays none).
  void remove(Port port) {
    Page* page = pages_[port >> 8].get();
    if (page == nullptr) return;
    std::uint32_t& users = (*page)[port & 0xFFU];
    if (users > 0) --users;
  }
  void clear() {
    for (std::unique_ptr<Page>& page : pages_) page.reset();
  }

 private:
  using Page = std::array<std::uint32_t, 256>;
  std::array<std::unique_ptr<Page>, 256> pages_{};
};

}  // namespace tcpsim::tcp
