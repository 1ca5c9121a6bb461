// The stepping page (`tcpsim run FILE --html OUT`): one self-contained HTML file (inline SVG,
// CSS and JavaScript, nothing fetched) that steps through the trace's events over the ladder
// diagram: later steps hidden or faint, autoplay with idle gaps compressed, the keyboard, a
// presentation mode for a projector, textbook labels (SYN=1 seq=x, 第一次握手), the window on
// every segment, the interface in English or Chinese (`--lang`). The page's script and style
// are views/html_page.js and views/html_page.css, which the playground (web/page/) inlines too:
// both show the steps html_steps_json computes. Computed only from the scenario and the
// canonical trace; the same run gives the same bytes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/narration.hpp"
#include "views/svg.hpp"

namespace tcpsim::views {

struct HtmlOptions {
  // Its `timers` is ignored (every event is a step, every timer is drawn), and so is its
  // `language`: the diagram is in the page's.
  SvgOptions svg;
  // The interface's language, the narration's (unless `narrator` is given), the diagram's and
  // the page's `lang` attribute.
  Language language = Language::english;
  // The sentence for trace event i. Empty: the narration view (narrate_run) in `language`.
  std::function<std::string(std::size_t)> narrator;
};

std::string render_html(const runner::Scenario& scenario, const runner::RunResult& result,
                        const HtmlOptions& options = {});

// The page's data, one JSON object (docs/views.md, "HTML stepping page"): the hosts, the
// connections (name, host, colour, last state, listener, failed connect), the state colours,
// every segment's label in its forms (the diagram's, the textbook's with its ordinal, the
// window, the marks after it) and one entry per trace event: time, kind, host, connection,
// sentence, the state its connection enters, its segment, why (the rule or the link's cause,
// when the sentence does not already say it), and autoplay's pause before it. `<`, `>` and `&`
// are escaped, so it is safe inside <script>.
std::string html_steps_json(const runner::Scenario& scenario, const runner::RunResult& result,
                            const HtmlOptions& options = {});

// The page's `lang` attribute: "en", "zh-CN".
std::string_view html_language_tag(Language language);

// Autoplay's pause before each step, in tenths of a beat (the page plays a beat in 0.8 s at
// 1x): 10 for a step at the same moment as the one before, and one more beat per reference
// one-way delay D of the gap (the shortest trip of a segment the link did not hold or copy, as
// the diagram's time axis measures), at most 40: a longer gap (waiting for an RTO, 2 MSL) is
// compressed to 4 beats, as the diagram compresses an idle gap to a break.
std::vector<int> autoplay_pauses(const runner::Scenario& scenario,
                                 const runner::RunResult& result);

}  // namespace tcpsim::views
