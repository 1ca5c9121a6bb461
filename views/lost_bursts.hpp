// Segments lost together: the one definition of a "lost burst" that every view summarising
// losses uses (the SVG's one label, the ladder's and Mermaid's one line, the explained ladder's
// one sentence), so that they all group the same segments.
//
// A queue that overflows drops tens of segments at one instant (cc-bottleneck-without-congestion-
// control loses #13 to #68 at 200 ms); written one by one, they hide the run. Two losses (trace
// `drop` events) are in one burst when they have all of:
//   - the same instant: the same virtual time (the link decides a loss as the segment is sent,
//     so this is also the instant both were sent);
//   - the same sender: the same host and the same connection (an injected segment's is none);
//   - the same cause: the same sim::LinkCause (the same fault rule, random loss, queue full);
//   - the same reasons: the same words for the segment's send and loss (reason_words of the
//     send and the drop combined, views/segment_reasons.hpp), so that a window probe or a fast
//     retransmission lost among new data segments is not hidden in them;
//   - the same marks: both injected or neither, both a copy or neither.
// Their segment numbers need not be consecutive: one lost in between for another reason makes
// the ids read as ranges, "#4–#5, #7". A burst has at least two members; a segment lost alone
// is in none, and every view writes it as before. Expiries (trace `expire`) are never in one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runner/simulation.hpp"
#include "views/segment_reasons.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

struct LostBurst {
  std::vector<std::size_t> drops;  // trace indices of its drop events, in trace order (as sent)
  // Where a view that writes the burst as one line in trace order writes it (the ladder,
  // Mermaid): at its last loss, once each of its segments was sent.
  std::size_t last() const { return drops.back(); }
};

class LostBursts {
 public:
  LostBursts(const runner::RunResult& result, const SegmentStory& story);

  // The burst the event result.trace[index] is a loss of; nullptr for a segment lost alone
  // and for every other event.
  const LostBurst* of(std::size_t index) const;
  const std::vector<LostBurst>& all() const { return bursts_; }

 private:
  std::vector<LostBurst> bursts_;
  std::vector<std::uint32_t> burst_of_;  // by trace index: 1 + the index in bursts_, 0: none
};

// The members' ids as ranges in the order sent: "#13–#68", "#4–#5, #7" (Chinese "#4–#5、#7",
// Term::id_separator), a copy "#5'".
std::string lost_burst_ids(const runner::RunResult& result, const LostBurst& burst,
                           Language language);
// The summary that stands for its members: "#13–#68 lost (56 segments)", "#13–#68 丢失（56 个
// 报文段）" (Term::segments_lost).
std::string lost_burst_label(const runner::RunResult& result, const LostBurst& burst,
                             Language language);

}  // namespace tcpsim::views
