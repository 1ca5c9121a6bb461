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
//
// Built in three steps: views/svg_model.hpp (what to draw), views/svg_layout.hpp (where),
// views/svg.cpp (the SVG text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/text.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

struct SvgOptions {
  // Absolute sequence numbers; they are also used whenever every host has a fixed ISN, as the
  // terminal ladder does.
  bool absolute_seq = false;
  bool timers = true;     // timer brackets (a timer that fires is shown either way)
  std::string id_prefix;  // prepended to element ids, for several diagrams in one page
  bool window = true;     // win= on every segment's label; false: only a zero window
  Language language = Language::english;  // every word the diagram writes
};

// A host draws at most this many connection lifelines side by side; connections that would need
// a column beyond share the last one, a summary lane labelled "and K more connections (see
// --trace)", and the legend says so too (docs/views.md). Keeps the diagram's width and the
// legend bounded when thousands of connections are alive at once.
constexpr int svg_detailed_lanes = 64;

std::string render_svg(const runner::Scenario& scenario, const runner::RunResult& result,
                       const SvgOptions& options = {});

// The colour of each connection (indexed like RunResult::connections) as the diagram draws it:
// the two ends of one connection share one.
std::vector<std::string> connection_colours(const runner::Scenario& scenario,
                                            const runner::RunResult& result);

// Shared with the HTML view, so that its panel uses the diagram's words and colours.

// Times with as many of 3, 6 or 9 decimals as they need: "0.150", "3.000000001".
constexpr text::Decimals diagram_decimals = text::Decimals::three_six_or_nine;
// Segment labels as the arrows carry them: " retx" marks a retransmission (an arrow has no room
// for the ladder's " (retransmission)"), win= on every segment unless `window` is false (then a
// zero window only), words in `language`. The one-argument form is the English label of a
// sentence (the HTML page's steps): no window but a zero one.
text::SegmentLabelStyle diagram_label_style(bool absolute);
text::SegmentLabelStyle diagram_label_style(bool absolute, bool window, Language language);
// The fill of a connection's lifeline in a state, and the colour its name is written in.
std::string_view state_fill_colour(tcp::State state);
std::string_view state_text_colour(tcp::State state);

}  // namespace tcpsim::views
