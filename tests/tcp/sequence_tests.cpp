// Sequence arithmetic modulo 2^32 (RFC 9293 3.4), and a connection whose numbers wrap.
#include <catch2/catch.hpp>

#include "tcp_test_support.hpp"

namespace tcp_sequence_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

TEST_CASE("sequence_comparisons_hold_across_the_wrap", "[sequence]") {
  const SeqNum before_wrap = 0xFFFFFFF0U;
  const SeqNum after_wrap = 0x00000010U;
  CHECK(seq_lt(before_wrap, after_wrap));
  CHECK(seq_gt(after_wrap, before_wrap));
  CHECK(seq_le(after_wrap, after_wrap));
  CHECK(seq_ge(after_wrap, before_wrap));
  CHECK(seq_diff(after_wrap, before_wrap) == 0x20);
  CHECK(seq_diff(before_wrap, after_wrap) == -0x20);
  CHECK_FALSE(seq_lt(after_wrap, before_wrap));
}

TEST_CASE("sequence_ranges_hold_across_the_wrap", "[sequence]") {
  CHECK(seq_in_range(0x5, 0xFFFFFFFBU, 16));
  CHECK(seq_in_range(0xFFFFFFFBU, 0xFFFFFFFBU, 16));
  CHECK_FALSE(seq_in_range(0xB, 0xFFFFFFFBU, 16));  // exactly low + length
  CHECK_FALSE(seq_in_range(0xFFFFFFFAU, 0xFFFFFFFBU, 16));
  CHECK_FALSE(seq_in_range(0xFFFFFFFBU, 0xFFFFFFFBU, 0));
  CHECK(seq_between_inclusive(0xFFFFFFFFU, 0, 1));
  CHECK(seq_between_inclusive(0xFFFFFFFFU, 1, 1));
  CHECK_FALSE(seq_between_inclusive(0xFFFFFFFFU, 2, 1));
}

TEST_CASE("connection_handshake_and_data_across_the_wrap", "[sequence]") {
  Connection c = make_connection();
  Output out;
  c.open_active(0, 0xFFFFFFFFU, out);
  check_segment(only_sent(out), 0xFFFFFFFFU, 0, flag::syn);
  CHECK(c.send_sequence().nxt == 0);
  out.clear();
  // The peer's numbers wrap too: its SYN is 2^32 - 1, so RCV.NXT becomes 0.
  c.segment_arrives(0, from_peer(0xFFFFFFFFU, 0, flag::syn | flag::ack), out);
  REQUIRE(c.state() == State::established);
  check_segment(only_sent(out), 0, 0, flag::ack);
  out.clear();
  REQUIRE(c.send(0, bytes("abc"), out));
  check_segment(only_sent(out), 0, 0, flag::ack | flag::psh);
  out.clear();
  c.segment_arrives(0, from_peer(0, 3, flag::ack, "xy"), out);
  CHECK(delivered(out) == "xy");
  CHECK(c.send_sequence().una == 3);
  CHECK(c.receive_sequence().nxt == 2);
  CHECK(c.unacknowledged_bytes() == 0);
}

}  // namespace tcp_sequence_tests
