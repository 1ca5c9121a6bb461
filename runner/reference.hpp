// The reference documentation generated from the tables: the knob table (tcp/knobs.hpp), the
// state, event and flag names (tcp/), the actions, expectation keys and counters
// (runner/vocabulary.hpp), the transition table (tcp/transitions.hpp). `tcpsim list --knobs`
// prints the knob table; scripts/generate-docs (tcpsim_generate_docs) rewrites the generated
// parts of docs/scenario-format.md, docs/scenario.schema.json and docs/design.md, and the ctest
// docs:generated fails when they disagree.
#pragma once

#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsim::runner {

// `tcpsim list --knobs`: name, value type and range, the default in each profile, "teaching",
// and the documentation line of every knob.
void write_knob_listing(std::ostream& out);

// The knob table of docs/scenario-format.md (Markdown, header included).
std::string knob_table_markdown();

// The schema of a host's "tcp" object ($defs.tcp of docs/scenario.schema.json), formatted.
std::string knob_schema_text();

class GenerateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// docs/scenario-format.md with every region between "<!-- generated NAME -->" and
// "<!-- /generated NAME -->" rewritten from the tables. Throws GenerateError for an unknown,
// missing or unterminated region.
std::string regenerate_format_doc(std::string_view text);

// docs/design.md with its generated region ("transitions": the TCP core's transition table,
// runner/transition_table.hpp) rewritten. Throws GenerateError as regenerate_format_doc does.
std::string regenerate_design_doc(std::string_view text);

// docs/scenario.schema.json with its generated parts rewritten from the tables ($defs.tcp, the
// state, event, profile and action enums, the counter pattern) and the whole file in one
// canonical layout. Throws GenerateError when the text is not JSON or a part is missing.
std::string regenerate_schema(std::string_view text);

// What the schema says that the tables must agree with but that is not generated: the keys
// of "expect", and the keys of each action's branch of $defs.action. One line per problem.
std::vector<std::string> schema_disagreements(std::string_view text);

}  // namespace tcpsim::runner
