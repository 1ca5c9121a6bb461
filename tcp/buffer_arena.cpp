#include "tcp/buffer_arena.hpp"

#include <algorithm>
#include <bit>

namespace tcpsim::tcp {

std::uint8_t* BufferArena::carve(std::size_t size) {
  if (static_cast<std::size_t>(slab_end_ - slab_next_) < size) {
    // The old slab's end (a multiple of min_block: every block carved is one) becomes free
    // blocks, the largest first.
    while (slab_end_ - slab_next_ >= static_cast<std::ptrdiff_t>(min_block)) {
      const std::size_t left = static_cast<std::size_t>(slab_end_ - slab_next_);
      const std::size_t piece = std::min(std::bit_floor(left), max_carved);
      idle_bytes_ -= piece;  // push_free counts it again
      push_free(slab_next_, piece);
      slab_next_ += piece;
    }
    const std::size_t slab_size = std::max(next_slab_, size);
    next_slab_ = std::min(2 * next_slab_, max_slab);
    // Not value-initialised: a buffer zero-fills the blocks it takes (SequenceBuffer::reserve).
    slabs_.emplace_back(new std::uint8_t[slab_size]);
    slab_next_ = slabs_.back().get();
    slab_end_ = slab_next_ + slab_size;
    idle_bytes_ += slab_size;
  }
  std::uint8_t* const block = slab_next_;
  slab_next_ += size;
  idle_bytes_ -= size;
  return block;
}

}  // namespace tcpsim::tcp
