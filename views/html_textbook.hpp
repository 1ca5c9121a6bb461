// Textbook labels for the stepping page (views/html.hpp): segments written as the textbooks the
// project starts from draw them (../shared/seeds/, Xie Xiren's 《计算机网络》): flags as bits,
// sequence numbers as letters, the handshake and the close numbered.
//
//   第一次握手  SYN=1 seq=x                 第一次挥手  FIN=1 ACK=1 seq=u ack=y+1
//   第二次握手  SYN=1 ACK=1 seq=y ack=x+1   第二次挥手  ACK=1 seq=v ack=u+1
//   第三次握手  ACK=1 seq=x+1 ack=y+1       第三次挥手  FIN=1 ACK=1 seq=w ack=u+1
//                                           第四次挥手  ACK=1 seq=u+1 ack=w+1
//
// The letters are values of the run, not placeholders: x is the opener's ISN and y the other
// side's, u the sequence number of the first FIN, v the other side's when it acknowledges that
// FIN, w the other side's FIN's; every number is written from the letter last named at or
// below it (x+101 after 100 bytes). A second connection on other ports (or a new incarnation
// of the same ports) takes primes: x′, y′, ... A simultaneous open or close is not numbered (the
// textbook's steps do not fit it); letters still are. Computed from the trace alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/narration.hpp"

namespace tcpsim::views {

struct TextbookLabel {
  std::string fields;   // "SYN=1 ACK=1 seq=y ack=x+1", "ACK=1 seq=x+1 ack=y+1 len=100"
  std::string ordinal;  // "第二次握手" / "handshake 2", "第三次挥手（重传）"; "" when none
};

// The label of every segment put on the wire (send and inject events), by segment id; the
// link's copy of a segment has its original's. `absolute`: numbers without a letter (a stream
// whose SYN the trace does not show) are absolute, else relative as the diagram writes them.
std::map<std::uint64_t, TextbookLabel> textbook_labels(const runner::Scenario& scenario,
                                                       const runner::RunResult& result,
                                                       Language language, bool absolute);

}  // namespace tcpsim::views
