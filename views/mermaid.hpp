// A Mermaid sequenceDiagram of a run (`tcpsim run FILE --mermaid OUT.mmd`), for GitHub and any
// Mermaid renderer: the two hosts as participants (with their addresses), one arrow per segment
// delivered (flags, seq, ack, len; drawn where it arrives, with the sending time written on it
// when the network held it back), crossed arrows (-x) for segments the network lost or let
// expire (one arrow for a lost burst, views/lost_bursts.hpp: "#13–#68 lost (56 segments): queue
// full", where the last of them is lost), notes over a host for what happened there (state
// changes, timers, application events, discards, timeline actions), notes over both for what
// the link did (holds, duplicates).
//
// Text is escaped with Mermaid's entity codes (#35; for '#', #59; for ';', #58; for ':', ...),
// so no scenario name or rule can break the diagram; participant ids are the host names when
// they are plain identifiers that no Mermaid keyword begins, "host1"/"host2" otherwise.
#pragma once

#include <string>
#include <string_view>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

struct MermaidOptions {
  bool timers = true;         // notes for timer set/cancel (fires are always shown)
  bool absolute_seq = false;  // absolute sequence numbers instead of relative ones
  bool window = true;         // win= on every segment; false: only a zero window
  Language language = Language::english;
};

std::string format_mermaid(const runner::Scenario& scenario, const runner::RunResult& result,
                           const MermaidOptions& options);

// Text made safe for a Mermaid message, note, alias or title: control and invisible characters
// become text::visible's escapes (views/text.hpp); letters, digits, spaces, UTF-8 and harmless
// punctuation stay; everything else becomes an entity code ("#35;").
std::string mermaid_escape(std::string_view text);

}  // namespace tcpsim::views
