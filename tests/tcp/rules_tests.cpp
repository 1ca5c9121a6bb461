// The table of the core's rules (tcp/rules.hpp): one row per rule, each with a citation, an
// English and a Chinese text (the static_assert in tcp/rules.cpp refuses a table without), and
// the reason the trace prints for it.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "tcp/rules.hpp"

namespace tcp_rules_tests {

using namespace tcpsim::tcp;

TEST_CASE("rules_table_has_one_row_per_rule_with_a_distinct_name_and_text", "[rules]") {
  std::set<std::string_view> names;
  std::set<std::string_view> reasons;
  for (int value = 1; value <= rule_count; ++value) {
    const auto rule = static_cast<Rule>(value);
    const RuleText& row = rule_text(rule);
    INFO("rule " << value << " " << row.name);
    CHECK(row.rule == rule);
    CHECK(rule_name(rule) == row.name);
    CHECK_FALSE(row.citation.empty());
    CHECK_FALSE(row.english.empty());
    CHECK_FALSE(row.chinese.empty());
    CHECK(names.insert(row.name).second);
    // One rule per reason: two rules never read the same.
    CHECK(reasons.insert(rule_reason(rule)).second);
  }
  CHECK(rule_name(Rule::none) == "none");
  CHECK(rule_reason(Rule::none).empty());
}

TEST_CASE("rules_reason_places_the_citation_as_the_trace_always_has", "[rules]") {
  for (int value = 1; value <= rule_count; ++value) {
    const auto rule = static_cast<Rule>(value);
    const RuleText& row = rule_text(rule);
    INFO(row.name);
    const std::string english(row.english);
    const std::string citation(row.citation);
    switch (row.cited) {
      case Cited::before: CHECK(rule_reason(rule) == citation + ": " + english); break;
      case Cited::after: CHECK(rule_reason(rule) == english + " (" + citation + ")"); break;
      case Cited::apart: CHECK(rule_reason(rule) == english); break;
    }
  }
  CHECK(rule_reason(Rule::listen_syn) == "RFC 9293 3.10.7.2: SYN in LISTEN, SYN-ACK sent");
  CHECK(rule_reason(Rule::time_wait_disabled) ==
        "time_wait = 0: TIME_WAIT is disabled, CLOSED at once (teaching variant)");
  CHECK(rule_reason(Rule::host_down) == "host is down");
}

TEST_CASE("rules_citations_other_than_rfcs_have_a_chinese_form", "[rules]") {
  for (int value = 1; value <= rule_count; ++value) {
    const auto rule = static_cast<Rule>(value);
    const RuleText& row = rule_text(rule);
    INFO(row.name);
    if (row.citation.starts_with("RFC ")) {
      CHECK(rule_citation_chinese(rule) == row.citation);
    } else {
      CHECK(rule_citation_chinese(rule) != row.citation);
    }
  }
  CHECK(rule_citation_chinese(Rule::closed_dropped_silently) == "教学变体");
}

}  // namespace tcp_rules_tests
