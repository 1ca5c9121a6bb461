// Word-wrapping for the command line's listings (`tcpsim list --teaching`, `--knobs`).
#pragma once

#include <cstddef>
#include <ostream>
#include <string_view>

namespace tcpsim::runner {

// Writes `text` word-wrapped to lines of at most `line_width` characters (a longer word stands
// alone), each starting with `prefix`, the last ending with a newline.
void write_wrapped(std::ostream& out, std::string_view text, std::size_t line_width,
                   std::string_view prefix);

}  // namespace tcpsim::runner
