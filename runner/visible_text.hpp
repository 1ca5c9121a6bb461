// Text from a scenario, a file name or the command line made safe to show in a terminal, a file
// or a page, and kept short. Defined here, below the views, so the loader's and the command
// line's messages escape exactly as the views do (views/text.hpp forwards to it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpsim::runner {

// The length of the valid UTF-8 sequence (RFC 3629) starting at text[index], 0 if none starts
// there; `code_point` receives its value.
std::size_t utf8_sequence(std::string_view text, std::size_t index, char32_t& code_point);

// The text as valid UTF-8 in which nothing moves the cursor, starts a terminal escape, reorders
// or hides text. Written as escapes instead: each byte below 0x20 (ESC, tab, newline...), 0x7F,
// and each byte that starts no valid UTF-8 sequence as \xNN; C1 controls (U+0080-U+009F, e.g.
// U+0085 NEXT LINE), zero-width characters and marks (U+200B-U+200F), line and paragraph
// separators (U+2028, U+2029), bidirectional embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) and U+FEFF as \u{XXXX}. Everything else, including non-Latin scripts, is kept.
std::string visible(std::string_view text);

// Messages quote keys, paths and values at most this many bytes at each end, so that an error
// line stays short whatever the input (a 100 KB key gives a line under 300 characters).
inline constexpr std::size_t message_keep_bytes = 40;
// A JSON path keeps more: its ends name where the value stands.
inline constexpr std::size_t path_keep_bytes = 40;

// `text` with its middle replaced by "..." when it is longer than twice `keep` bytes (plus the
// dots): its first and last `keep` bytes, cut at UTF-8 character boundaries.
std::string shorten_middle(std::string_view text, std::size_t keep = message_keep_bytes);
// visible(shorten_middle(text, keep)): for a name or path inside a message.
std::string visible_short(std::string_view text, std::size_t keep = message_keep_bytes);

}  // namespace tcpsim::runner
