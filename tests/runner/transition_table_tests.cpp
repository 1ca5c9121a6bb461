// `tcpsim list --transitions` (runner/transition_table.hpp): one line per row of the core's
// transition table, in text and in Markdown.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "runner/reference.hpp"
#include "runner/transition_table.hpp"
#include "tcp/transitions.hpp"

namespace runner_transition_table_tests {

using namespace tcpsim;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("the transition table lists every row with its rule, citation and function") {
  const auto rows = tcp::transitions();
  const auto text = lines_of(runner::format_transition_table(runner::TableFormat::text));
  const auto markdown = lines_of(runner::format_transition_table(runner::TableFormat::markdown));
  REQUIRE(text.size() == rows.size() + 1);          // a heading line
  REQUIRE(markdown.size() == rows.size() + 2);      // heading and separator
  CHECK(markdown[0] == "| state | event | new state | rule | citation | function | variant |");
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const tcp::StateTransition& row = rows[index];
    const std::string expected =
        "| " + std::string(tcp::state_name(row.from)) + " | " + std::string(row.event) + " | " +
        std::string(tcp::state_name(row.to)) + " | `" + std::string(tcp::rule_name(row.rule)) +
        "` | " + std::string(tcp::rule_text(row.rule).citation) + " | `" +
        std::string(row.function) + "` | " +
        (row.variant.empty() ? std::string() : std::string(row.variant) + " ") + "|";
    CHECK(markdown[index + 2] == expected);
    CHECK(text[index + 1].rfind(std::string(tcp::state_name(row.from)), 0) == 0);
  }
}

TEST_CASE("docs/design.md's generated region is the Markdown transition table") {
  const std::string table = runner::format_transition_table(runner::TableFormat::markdown);
  // The teaching-variants region (runner/teaching.cpp) must be present too; only its
  // neighbour is checked here (tests/runner/reference_tests.cpp checks the shipped docs).
  const std::string variants =
      "<!-- generated teaching-variants -->\n<!-- /generated teaching-variants -->\n";
  const std::string stale = "intro\n<!-- generated transitions -->\n| old |\n"
                            "<!-- /generated transitions -->\nafter\n" + variants;
  const std::string fresh_prefix = "intro\n<!-- generated transitions -->\n" + table +
                                   "<!-- /generated transitions -->\nafter\n";
  const std::string regenerated = runner::regenerate_design_doc(stale);
  CHECK(regenerated.starts_with(fresh_prefix));
  CHECK(regenerated.find("| `\"handshake\": \"two-way\"` | three-way handshake") !=
        std::string::npos);
  CHECK_THROWS_AS(runner::regenerate_design_doc("no region here\n"), runner::GenerateError);
}

}  // namespace runner_transition_table_tests
