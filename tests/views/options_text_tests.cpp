// The options as the views print them (views/text.hpp options_text): tcpdump's compact form,
// nothing for a segment with the MSS alone, SACK blocks relative to the ACK's ISN.
#include <catch2/catch.hpp>

#include "runner/trace.hpp"
#include "views/text.hpp"

namespace views_options_text_tests {

using tcpsim::runner::TraceSegment;
using tcpsim::views::text::options_text;

TEST_CASE("options_text writes the options compactly, as tcpdump does") {
  TraceSegment syn;
  syn.mss = 1460;
  CHECK(options_text(syn).empty());  // every SYN has an MSS: not repeated in the views
  syn.window_scale = 7;
  syn.sack_permitted = true;
  syn.has_timestamps = true;
  syn.timestamp_value = 1;
  CHECK(options_text(syn) == "<mss 1460,ws 7,sackOK,TS val 1 ecr 0>");

  TraceSegment ack;
  ack.ack = 5001;
  ack.relative_ack = 1;
  ack.has_relative_ack = true;
  ack.sack_block_count = 2;
  ack.sack_blocks[0] = {5101, 5201};
  ack.sack_blocks[1] = {5301, 5401};
  CHECK(options_text(ack) == "<sack 101:201 301:401>");
  CHECK(options_text(ack, true) == "<sack 5101:5201 5301:5401>");
}

TEST_CASE("options_text names a D-SACK block apart from the SACK blocks (RFC 2883 4)") {
  TraceSegment ack;
  ack.ack = 5001;
  ack.relative_ack = 1;
  ack.has_relative_ack = true;
  // Below the ACK field: data received twice.
  ack.sack_block_count = 1;
  ack.sack_blocks[0] = {4501, 5001};
  CHECK(options_text(ack, true) == "<D-SACK 4501:5001>");
  ack.relative_ack = 501;  // relative to the same ISN as the ACK
  CHECK(options_text(ack) == "<D-SACK 1:501>");
  // Above the ACK, inside the second block: a duplicate of data held out of order.
  ack.sack_block_count = 2;
  ack.sack_blocks[0] = {5201, 5301};
  ack.sack_blocks[1] = {5101, 5401};
  CHECK(options_text(ack, true) == "<D-SACK 5201:5301,sack 5101:5401>");
  // Above the ACK and not inside the second: an ordinary block.
  ack.sack_blocks[0] = {5501, 5601};
  CHECK(options_text(ack, true) == "<sack 5501:5601 5101:5401>");
}

}  // namespace views_options_text_tests
