// The text helpers every view uses, defined once so that the views agree: how a time is written,
// how text from a scenario or a trace is made safe to show, how a segment is named. A view that
// writes something differently says so with a parameter here, not with a copy of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "runner/trace.hpp"
#include "tcp/time.hpp"

namespace tcpsim::views::text {

// ---- Times (integer arithmetic only; a negative time keeps its sign) ----

enum class Decimals : std::uint8_t {
  six,                // always 6, cut (not rounded) to microseconds: "3.000000", the terminal's
                      // fixed-width time column (ladder, narration, realtime)
  nine,               // always 9: "3.000000001" (pcapng comments)
  three_six_or_nine,  // as few of 3, 6 or 9 as are exact: "0.150", "3.000000001" (SVG, HTML)
  as_needed,          // 0 to 9, no trailing zeros: "0", "0.2", "241.55" (Mermaid, sentences)
};
// Seconds, without a unit: seconds(150 ms, three_six_or_nine) == "0.150".
std::string seconds(Time time, Decimals decimals);
// A duration in the largest of s, ms, us, ns it reaches, decimals as needed: "1.5 s", "200 ms".
std::string duration_in_unit(Time duration);

// ---- Text from a scenario or a trace ----

// The text as it is safe to show in a terminal, a file or a page: runner::visible
// (runner/visible_text.hpp, defined there so the loader's messages escape the same way).
std::string visible(std::string_view text);
// visible(text), XML/HTML-escaped (&, <, >, ", '): for SVG and HTML text and attributes.
std::string xml_escape(std::string_view text);
// Each character of `text` found in `table` written as its replacement, the rest as it is:
// the escaping of one output syntax, given as data.
struct Replacement {
  char from;
  std::string_view to;
};
std::string replace_characters(std::string_view text, std::initializer_list<Replacement> table);
// runner::utf8_sequence: the length of the valid UTF-8 sequence (RFC 3629) starting at
// text[index], 0 if none starts there; `code_point` receives its value.
std::size_t utf8_sequence(std::string_view text, std::size_t index, char32_t& code_point);
// Characters (code points) in UTF-8 text, for monospace widths.
std::size_t utf8_length(std::string_view text);
// Terminal columns: East Asian wide and fullwidth characters take two, other characters one.
std::size_t display_width(std::string_view utf8);
// Wraps to `width` columns (display width, prefix included), each line starting with `prefix`
// and ending in '\n'. Breaks at spaces, and between Chinese characters, never inside an ASCII
// word, never before closing punctuation or after opening punctuation.
std::string wrap_text(std::string_view utf8, std::string_view prefix, std::size_t width);
// Word-wrapped rows of at most `width` characters; the first row has `first_indent` fewer. A
// word longer than a row is cut at a character boundary.
std::vector<std::string> wrap_words(std::string_view text, std::size_t width,
                                    std::size_t first_indent);
// At most `limit` payload bytes in double quotes, "..." inside them when there are more:
// printable ASCII as it is, every other byte as \xNN. Data is bytes, not text.
std::string quoted_payload(const std::vector<std::uint8_t>& data, std::size_t limit);

// ---- Segments ----

// "#4", or "#4'" for the copy the network made of segment 4.
std::string segment_number(const runner::TraceSegment& segment);

// How a view writes a segment's label; the defaults are the terminal ladder's.
struct SegmentLabelStyle {
  bool absolute_seq = false;  // absolute sequence numbers, not relative to each side's ISN
  std::string_view no_flags = "(no flags)";
  // Appended to a retransmission: the SVG's arrows have room for " retx" only; sentences say it
  // in words ("").
  std::string_view retransmission = " (retransmission)";
  // Appended to a segment the script injected (an inject action).
  std::string_view injected = " (injected)";
  // " win=N" on every segment, before len= as Wireshark's Info column has it; when false, only
  // a zero window is shown (zero_window), the one that changes what the sender may do.
  bool window = true;
  bool zero_window = true;  // " win=0" on a segment (not RST) that closes the window
};
// "#4 PSH,ACK seq=1 ack=1 win=65535 len=5", with the window and the retransmission and injected
// marks as the style says.
std::string segment_label(const runner::TraceSegment& segment, const SegmentLabelStyle& style);
// The label's last field before its marks, " len=5": the HTML page puts the window before it.
std::string segment_length_text(const runner::TraceSegment& segment);

// The RFC 7323 and RFC 2018 options, compactly as tcpdump prints them: "<mss 1460,ws 7,sackOK,TS
// val 1 ecr 0>", SACK blocks as "sack 1001:2001" (relative to the ISN of the data they cover
// unless `absolute_seq`). "" when the segment carries none of them: MSS alone is not shown,
// since every SYN has it.
std::string options_text(const runner::TraceSegment& segment, bool absolute_seq = false);

// An injected segment enters the diagram on the lane of the host across the link from its
// destination (TraceKind::inject). When its source is not that host's address (spoofed), the
// source: "10.0.0.9:4000"; "" otherwise.
std::string spoofed_source(const runner::Scenario& scenario, const runner::TraceEvent& event);

}  // namespace tcpsim::views::text
