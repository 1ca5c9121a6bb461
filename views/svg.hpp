// The ladder diagram as SVG (`tcpsim run FILE --svg OUT`): time runs down, the first host on the
// left, the second on the right, each segment an arrow slanting from (sender, send time) to
// (receiver, arrival time). Computed only from the scenario and the canonical trace; integer
// coordinates and fixed formatting, so the same run gives the same bytes everywhere.
//
// The time axis is piecewise linear (docs/views.md, "SVG ladder diagram"): one reference
// one-way delay is a fixed height, a gap between two moments never gets less room than the labels
// written at the earlier one need, every arrow gets a minimum height for its label, and an idle
// gap longer than a few one-way delays is compressed to a marked break that states how long it
// was.
//
// Every graphical element of trace event i carries data-step="i" (and the first one
// id="<prefix>ev-i"), so the HTML view can highlight the current step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::views {

struct SvgOptions {
  // Absolute sequence numbers; they are also used whenever every host has a fixed ISN, as the
  // terminal ladder does.
  bool absolute_seq = false;
  bool timers = true;     // timer brackets (a timer that fires is shown either way)
  std::string id_prefix;  // prepended to element ids, for several diagrams in one page
};

std::string render_svg(const runner::Scenario& scenario, const runner::RunResult& result,
                       const SvgOptions& options = {});

// The colour of each connection (indexed like RunResult::connections) as the diagram draws it:
// the two ends of one connection share one.
std::vector<std::string> connection_colours(const runner::Scenario& scenario,
                                            const runner::RunResult& result);

// Shared with the HTML view, so that its panel uses the diagram's words and colours.

// Seconds with as many decimals as the time needs, at least three: "0.150", "3.000000001".
std::string format_seconds(Time time);
// "#4 PSH,ACK seq=1 ack=1 len=5" (relative numbers unless `absolute`), with " win=0" and
// " retx" when they apply; a copy made by the network is "#4'".
std::string segment_label(const runner::TraceSegment& segment, bool absolute);
// The fill of a connection's lifeline in a state, and the colour its name is written in.
std::string_view state_fill_colour(tcp::State state);
std::string_view state_text_colour(tcp::State state);

// Text helpers of the SVG and HTML views.
namespace svg_text {
// XML/HTML-escaped text (&, <, >, ", '), made valid UTF-8 (a stray byte becomes U+FFFD) without
// control characters (a tab or newline becomes a space), so any trace text yields a valid file.
std::string xml_escape(std::string_view text);
// The text as valid UTF-8: each byte that starts no valid sequence becomes U+FFFD.
std::string utf8_sanitized(std::string_view text);
// Characters (code points) in UTF-8 text, for monospace widths.
std::size_t utf8_length(std::string_view text);
// Word-wrapped rows of at most `width` characters; the first row has `first_indent` fewer. A word
// longer than a row is cut.
std::vector<std::string> wrap_words(std::string_view text, std::size_t width,
                                    std::size_t first_indent);
// Payload bytes as quoted text, non-printable bytes as '.', at most `limit` of them.
std::string printable(const std::vector<std::uint8_t>& data, std::size_t limit);
}  // namespace svg_text

}  // namespace tcpsim::views
