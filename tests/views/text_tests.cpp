// The text helpers every view uses (views/text.hpp): times, escaping, segment labels.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tcp/segment.hpp"
#include "views/text.hpp"

namespace views_text_tests {

using namespace tcpsim::views::text;
using tcpsim::microsecond;
using tcpsim::millisecond;
using tcpsim::second;

TEST_CASE("text: seconds in each view's number of decimals") {
  const tcpsim::Time times[] = {0, 150 * millisecond, 3 * second + 1, 1500 * microsecond};
  const std::vector<std::string> six = {"0.000000", "0.150000", "3.000000", "0.001500"};
  const std::vector<std::string> nine = {"0.000000000", "0.150000000", "3.000000001",
                                         "0.001500000"};
  const std::vector<std::string> least = {"0.000", "0.150", "3.000000001", "0.001500"};
  const std::vector<std::string> needed = {"0", "0.15", "3.000000001", "0.0015"};
  for (std::size_t index = 0; index < std::size(times); ++index) {
    CHECK(seconds(times[index], Decimals::six) == six[index]);
    CHECK(seconds(times[index], Decimals::nine) == nine[index]);
    CHECK(seconds(times[index], Decimals::three_six_or_nine) == least[index]);
    CHECK(seconds(times[index], Decimals::as_needed) == needed[index]);
  }
  CHECK(seconds(-1'500'000'000, Decimals::nine) == "-1.500000000");
  CHECK(seconds(-1'500'000'000, Decimals::as_needed) == "-1.5");
  CHECK(seconds(241 * second + 550 * millisecond, Decimals::as_needed) == "241.55");
  CHECK(duration_in_unit(1500 * millisecond) == "1.5 s");
  CHECK(duration_in_unit(200 * millisecond) == "200 ms");
  CHECK(duration_in_unit(250 * microsecond) == "250 us");
  CHECK(duration_in_unit(1) == "1 ns");
}

TEST_CASE("text: visible escapes what would move the cursor, reorder or hide text") {
  CHECK(visible("plain text, 连接, é") == "plain text, 连接, é");
  CHECK(visible("\x1b[31mred") == "\\x1b[31mred");
  CHECK(visible("a\tb\nc\rd\x7f") == "a\\x09b\\x0ac\\x0dd\\x7f");
  CHECK(visible(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(visible("stray \xff and cut \xe4\xbd") == "stray \\xff and cut \\xe4\\xbd");
  CHECK(visible("\xc0\xaf overlong") == "\\xc0\\xaf overlong");
  CHECK(visible("next\u0085line") == "next\\u{0085}line");
  CHECK(visible("a\u2028b\u2029c") == "a\\u{2028}b\\u{2029}c");
  CHECK(visible("\u202a\u202b\u202c\u202d\u202e") ==
        "\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{202E}");
  CHECK(visible("\u2066\u2067\u2068\u2069") == "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
  CHECK(visible("zero\u200bwidth\u200c\u200d\u200e\u200f") ==
        "zero\\u{200B}width\\u{200C}\\u{200D}\\u{200E}\\u{200F}");
  CHECK(visible("\ufeffbom") == "\\u{FEFF}bom");
  // Neighbours of the escaped ranges stay as they are.
  CHECK(visible("\u00a0\u2010\u2030\u2065\u206a") == "\u00a0\u2010\u2030\u2065\u206a");
  // Idempotent: what it shows it shows again unchanged.
  CHECK(visible(visible("\x1b\u202e")) == visible("\x1b\u202e"));
  CHECK(xml_escape("<a href='x'>&\"\x01") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x01");
}

TEST_CASE("text: UTF-8 sequences, widths and word wrapping") {
  char32_t code = 0;
  CHECK(utf8_sequence("连", 0, code) == 3);
  CHECK(code == U'连');
  CHECK(utf8_sequence("\xed\xa0\x80", 0, code) == 0);  // a surrogate
  CHECK(utf8_sequence("\xf4\x90\x80\x80", 0, code) == 0);  // past U+10FFFF
  CHECK(utf8_length("a连b") == 3);
  CHECK(wrap_words("one two three four", 9, 0) == std::vector<std::string>{"one two", "three", "four"});
  CHECK(wrap_words("abcdefghijkl", 8, 0) == std::vector<std::string>{"abcdefgh", "ijkl"});
}

TEST_CASE("text: payload bytes are quoted, the unprintable ones as escapes") {
  const std::vector<std::uint8_t> data = {'h', 'i', '\n', 0x00, 0xff, '"'};
  CHECK(quoted_payload(data, 16) == "\"hi\\x0a\\x00\\xff\"\"");
  CHECK(quoted_payload(data, 2) == "\"hi...\"");
  CHECK(quoted_payload({}, 16) == "\"\"");
}

TEST_CASE("text: one segment label, in each view's style") {
  tcpsim::runner::TraceSegment segment;
  segment.id = 8;
  segment.flags = tcpsim::tcp::flag::fin | tcpsim::tcp::flag::ack;
  segment.seq = 1000;
  segment.ack = 2000;
  segment.relative_seq = 1;
  segment.relative_ack = 2;
  segment.has_relative_seq = true;
  segment.has_relative_ack = true;
  segment.window = 0;
  segment.retransmission = true;
  SegmentLabelStyle ladder;
  // The window as Wireshark's Info column puts it: before the length.
  CHECK(segment_label(segment, ladder) == "#8 FIN,ACK seq=1 ack=2 win=0 len=0 (retransmission)");
  ladder.absolute_seq = true;
  CHECK(segment_label(segment, ladder) ==
        "#8 FIN,ACK seq=1000 ack=2000 win=0 len=0 (retransmission)");
  // --no-window: only a zero window is shown.
  SegmentLabelStyle no_window;
  no_window.window = false;
  CHECK(segment_label(segment, no_window) == "#8 FIN,ACK seq=1 ack=2 win=0 len=0 (retransmission)");
  segment.window = 512;
  CHECK(segment_label(segment, no_window) == "#8 FIN,ACK seq=1 ack=2 len=0 (retransmission)");
  CHECK(segment_label(segment, SegmentLabelStyle{}) ==
        "#8 FIN,ACK seq=1 ack=2 win=512 len=0 (retransmission)");
  segment.window = 0;
  SegmentLabelStyle sentence;
  sentence.retransmission = "";
  sentence.window = false;
  sentence.zero_window = false;
  segment.copy = true;
  CHECK(segment_label(segment, sentence) == "#8' FIN,ACK seq=1 ack=2 len=0");
  CHECK(segment_number(segment) == "#8'");
  segment.flags = 0;
  CHECK(segment_label(segment, sentence) == "#8' (no flags) seq=1 len=0");
}

}  // namespace views_text_tests
