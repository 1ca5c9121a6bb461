// Narration: one plain sentence per trace event saying what happened and why, citing the rule
// the trace gives, in English or in Chinese (`tcpsim run FILE --explain [--lang zh]`).
//
// Sentences are generated from the trace alone: the event's kind, host and connection, the
// connection's state at that moment (tracked from the state events before it), what caused it
// (the action, arriving segment or timer being handled), the segment summary, and the event's
// `text`, which carries the rule ("RFC 9293 3.10.7.4 fifth: ACK of our SYN-ACK in SYN_RCVD").
// The rules are English in the trace; Chinese sentences translate the known phrases through a
// table and fall back, for a phrase the table lacks, to a sentence that keeps the RFC citation
// and quotes the English rule, so a reason added to the core later still reads correctly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/ladder.hpp"

namespace tcpsim::views {

enum class Language { english, chinese };

// "en" or "zh"; false for anything else.
bool parse_language(std::string_view code, Language& language_out);

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

// Narration lines are indented under the time column and wrapped to this many columns.
inline constexpr std::size_t explain_width = 100;

// The ladder header's extra line saying what --explain adds.
std::string explain_header_note(Language language);
// A shown ladder line followed by its sentence, wrapped and indented ("" stays "": the ladder
// hides the event, so it is not narrated either).
std::string explained_event_block(const std::string& ladder_line, const std::string& sentence);
// The whole ladder with a sentence under every event line.
std::string format_explained_ladder(const runner::Scenario& scenario,
                                    const runner::RunResult& result,
                                    const LadderOptions& options, Language language);

// --- Text helpers (UTF-8) ---

// Terminal columns: East Asian wide and fullwidth characters take two, other characters one.
std::size_t display_width(std::string_view utf8);
// Wraps to `width` columns (display width, prefix included), each line starting with `prefix`
// and ending in '\n'. Breaks at spaces, and between Chinese characters, never inside an ASCII
// word, never before closing punctuation or after opening punctuation.
std::string wrap_text(std::string_view utf8, std::string_view prefix, std::size_t width);

// --- The Chinese phrase table ---

// The Chinese for a reason the core or the link writes (the exact literal from tcp/*.cpp, or a
// link cause such as "rule 'NAME'" or "random loss"), citation included, or nullopt when the
// table has no entry (narration then falls back to quoting the English).
std::optional<std::string> chinese_reason(std::string_view reason);

}  // namespace tcpsim::views
