// Why each segment was sent and what its arrival meant, computed once from the trace for every
// view, so that the ladder, the SVG diagram, Mermaid and the narration all tell the same story:
// the send's rule (fast retransmit, window probe, keepalive probe, window update, a timeout's
// retransmission, a duplicate ACK for data held out of order), an injected segment, and at an
// arrival what the receiver made of it: the n-th duplicate ACK of the threshold that triggers
// fast retransmit (RFC 5681 3.2), data held out of order for reassembly (RFC 9293 3.10.7.4
// seventh, RFC 5681 4.2), or a stale connection request (a SYN whose connection is gone, the
// textbook's 已失效的连接请求报文段).
//
// The trace records the core's rules; the duplicate-ACK count is the data sender's own count,
// recomputed from the segments its host sent and received as RFC 5681 2 defines a duplicate
// ACK (the same acknowledgment, data outstanding, no data, SYN or FIN, the same window), reset
// by an ACK that advances and by a retransmission timeout. A test checks that it reaches the
// threshold exactly where the core fast-retransmits.
//
// The handshake and the close are numbered as the textbook numbers them (第一次握手 to 第三次握手,
// 第一次挥手 to 第四次挥手): on a connection pair, the active opener's SYN, the passive side's
// SYN-ACK and the opener's first ACK; the first FIN, the other side's ACK of it, its FIN (the
// second and third in one segment when it carries both), and the ACK of that FIN. A
// simultaneous open or close is not numbered: the textbook's order does not apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

enum class HandshakeStep : std::uint8_t { none, first, second, third };
enum class CloseStep : std::uint8_t { none, first, second, second_and_third, third, fourth };

struct SegmentReasons {
  // send, inject: the core's rule for the send (the trace's "why"), Rule::none when routine
  tcp::Rule send_rule = tcp::Rule::none;
  bool injected = false;
  HandshakeStep handshake = HandshakeStep::none;  // send: its place in the handshake
  bool two_way_handshake = false;                 // the handshake numbered is a two-way one
  CloseStep close = CloseStep::none;              // send: its place in the four-way close
  // deliver: the receiver counts it as its n-th duplicate ACK (0: not one), of `threshold`
  // (0: fast retransmit is off)
  int duplicate_ack = 0;
  int duplicate_ack_threshold = 0;
  bool held_out_of_order = false;  // deliver: out of order, held for reassembly
  bool stale_syn = false;          // deliver: a SYN whose sending connection no longer waits

  bool any() const;
};

class SegmentStory {
 public:
  SegmentStory(const runner::Scenario& scenario, const runner::RunResult& result);
  // The reasons of trace event `index` (empty ones for an event that is not a segment's).
  const SegmentReasons& at(std::size_t index) const;

 private:
  std::vector<SegmentReasons> reasons_;
};

// The reasons in short words, in order, for labels: "duplicate ACK 2 of 3", "fast retransmit",
// "out of order: held for reassembly" (injected is marked by the label itself).
std::vector<std::string> reason_words(const SegmentReasons& reasons, Language language);
// A segment's story whole: its send's reasons with what its arrival (or loss) added.
SegmentReasons combined(const SegmentReasons& sent, const SegmentReasons& ended);
// The short word for a send's rule ("fast retransmit", "window probe", "重复确认"), "" for a
// rule without one.
std::string send_rule_word(tcp::Rule rule, Language language);
// The same joined with `separator` ("" when there are none).
std::string reason_text(const SegmentReasons& reasons, Language language,
                        std::string_view separator);

// The textbook's names: "第一次握手", "第二、三次挥手"; English "handshake 1 of 3",
// "close 2 and 3 of 4".
std::string handshake_step_words(HandshakeStep step, bool two_way, Language language);
std::string close_step_words(CloseStep step, Language language);

}  // namespace tcpsim::views
