// The transition table of the TCP core (tcp/transitions.hpp) as `tcpsim list --transitions`
// prints it: the newcomer's index from a state and an event to the rule and the function that
// implements it. The Markdown form is what docs/design.md embeds (scripts/generate-docs).
#pragma once

#include <string>

namespace tcpsim::runner {

enum class TableFormat { text, markdown };

// One line per row: state, event, new state, rule, its citation, the function, and the knob
// setting when the row is a teaching variant's (or Linux's).
std::string format_transition_table(TableFormat format);

}  // namespace tcpsim::runner
