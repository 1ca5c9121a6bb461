// The stepping page (`tcpsim run FILE --html OUT`): one self-contained HTML file (inline SVG,
// CSS and JavaScript, nothing fetched) that shows the ladder diagram and lets the reader step
// forward and back through the trace's events with buttons or the arrow keys. The current event
// is highlighted in the diagram, beside it the state of every connection at that step and one
// sentence saying what happened. Computed only from the scenario and the canonical trace; the
// same run gives the same bytes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/svg.hpp"

namespace tcpsim::views {

struct HtmlOptions {
  SvgOptions svg;  // its `timers` is ignored: every event is a step, every timer is drawn
  // The sentence for trace event i. Empty: the narration view in English (narrate_run);
  // `tcpsim run --html` passes the narration in the language of --lang.
  std::function<std::string(std::size_t)> narrator;
};

std::string render_html(const runner::Scenario& scenario, const runner::RunResult& result,
                        const HtmlOptions& options = {});

// A compact caption: one plain English sentence for trace event `event_index`, naming the
// host, the connection, the segment and the rule the trace cites.
std::string describe_step(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, bool absolute_seq);

}  // namespace tcpsim::views
