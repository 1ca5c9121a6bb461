// Narration: one plain sentence per trace event saying what happened and why, citing the rule
// the trace gives, in English or in Chinese (`tcpsim run FILE --explain [--lang zh]`).
//
// Sentences are generated from the trace alone: the event's kind, host and connection, the
// connection's state at that moment (tracked from the state events before it), what caused it
// (the action, arriving segment or timer being handled), the segment summary, and the event's
// structured cause: the core's rule (tcp::Rule, whose citation, English and Chinese come from
// the one table in tcp/rules.cpp) or the timeline action's fields (runner::ActionCause). Only
// the link's causes are text (sim/link.cpp); Chinese translates them by their shape.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "sim/link_cause.hpp"
#include "views/ladder.hpp"
#include "views/lost_bursts.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

struct NarrationOptions {
  bool absolute_seq = false;  // absolute sequence numbers, as LadderOptions::absolute_seq
};
// What `tcpsim run` shows by default: absolute numbers when every host has a fixed ISN.
NarrationOptions default_narration_options(const runner::Scenario& scenario);

// The sentence for result.trace[event_index] (no trailing newline), with the default options.
// Every event kind has one, including those the ladder hides (open, timers with --no-timers).
// Costs O(event_index): it replays the states up to the event; use narrate_run for a whole run.
std::string narrate_event(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, Language language);
std::string narrate_event(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, Language language,
                          const NarrationOptions& options);

// One sentence per trace event, in trace order, in linear time.
std::vector<std::string> narrate_run(const runner::Scenario& scenario,
                                     const runner::RunResult& result, Language language,
                                     const NarrationOptions& options);

// --- The explained ladder (--explain) ---

// The sentence under a lost burst's one line (views/lost_bursts.hpp), in place of the sentence
// of the last loss, which the line stands for with the others: "The network loses 56 segments
// from client at this one instant, #13–#68, all for one cause: the link's full queue."
// (The HTML page's steps keep one sentence per loss.)
std::string narrate_lost_burst(const runner::Scenario& scenario, const runner::RunResult& result,
                               const LostBurst& burst, Language language);

// Narration lines are indented under the time column and wrapped to this many columns.
inline constexpr std::size_t explain_width = 100;

// The ladder header's extra line saying what --explain adds.
std::string explain_header_note(Language language);
// A shown ladder line followed by its sentence, wrapped and indented ("" stays "": the ladder
// hides the event, so it is not narrated either).
std::string explained_event_block(const std::string& ladder_line, const std::string& sentence);
// The same, indented by `indent` columns (the ladder's time column) and wrapped to `width`.
std::string explained_event_block(const std::string& ladder_line, const std::string& sentence,
                                  std::size_t indent, std::size_t width);
// The whole ladder with a sentence under every event line.
std::string format_explained_ladder(const runner::Scenario& scenario,
                                    const runner::RunResult& result,
                                    const LadderOptions& options, Language language);

// Rules and the link's causes in words (rule_sentence, link_cause): views/words.hpp.

}  // namespace tcpsim::views
