// The link's causes are fields; link_cause_text is the one place they become the trace's
// English, so every kind is pinned here word for word (the golden traces depend on it).
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "sim/link_cause.hpp"

namespace sim_link_cause_tests {

using namespace tcpsim;
using namespace tcpsim::sim;

namespace {

LinkCause cause_of(LinkCauseKind kind, std::string rule_name = {}) {
  LinkCause cause;
  cause.kind = kind;
  cause.rule_name = std::move(rule_name);
  return cause;
}

LinkCause expired(Duration held, Duration msl, LinkCauseKind earlier = LinkCauseKind::none,
                  std::string rule_name = {}) {
  LinkCause cause = cause_of(LinkCauseKind::msl_expired, std::move(rule_name));
  cause.held = held;
  cause.msl = msl;
  cause.earlier = earlier;
  return cause;
}

}  // namespace

TEST_CASE("every link cause renders the trace's exact English", "[link][cause]") {
  CHECK(link_cause_text(LinkCause{}).empty());
  CHECK(link_cause_text(cause_of(LinkCauseKind::fault_rule, "stale-syn")) == "rule 'stale-syn'");
  CHECK(link_cause_text(cause_of(LinkCauseKind::random_loss)) == "random loss");
  CHECK(link_cause_text(cause_of(LinkCauseKind::queue_full)) == "queue full");
  CHECK(link_cause_text(cause_of(LinkCauseKind::random_reorder)) == "random reorder");
  CHECK(link_cause_text(cause_of(LinkCauseKind::random_duplicate)) == "random duplicate");

  CHECK(link_cause_text(expired(3 * minute, 2 * minute)) ==
        "exceeded MSL (held 3min, longer than msl 2min)");
  CHECK(link_cause_text(expired(3 * minute, 2 * minute, LinkCauseKind::fault_rule, "old")) ==
        "exceeded MSL (held 3min, longer than msl 2min) after rule 'old'");
  CHECK(link_cause_text(expired(90 * second + 500 * millisecond, 30 * second,
                                LinkCauseKind::random_reorder)) ==
        "exceeded MSL (held 90.5s, longer than msl 30s) after random reorder");
  CHECK(link_cause_text(expired(2 * minute + 1, 2 * minute, LinkCauseKind::random_duplicate)) ==
        "exceeded MSL (held 120.000000001s, longer than msl 2min) after random duplicate");

  LinkCause forever = expired(0, 2 * minute, LinkCauseKind::fault_rule, "hold");
  forever.beyond_representable_time = true;
  CHECK(link_cause_text(forever) ==
        "exceeded MSL (its arrival lies past the end of representable time, msl 2min) after "
        "rule 'hold'");

  CHECK(link_cause_text(cause_of(LinkCauseKind::never_delivered)) ==
        "never delivered: its arrival lies past the end of representable time");
  LinkCause never = cause_of(LinkCauseKind::never_delivered, "late");
  never.earlier = LinkCauseKind::fault_rule;
  CHECK(link_cause_text(never) ==
        "never delivered: its arrival lies past the end of representable time after rule 'late'");
  CHECK(earlier_cause_text(never) == "rule 'late'");
}

TEST_CASE("link cause durations print exactly in their largest unit", "[link][cause]") {
  CHECK(link_duration_text(0) == "0s");
  CHECK(link_duration_text(2 * hour) == "2h");
  CHECK(link_duration_text(3 * minute) == "3min");
  CHECK(link_duration_text(90 * second) == "90s");
  CHECK(link_duration_text(1500 * microsecond) == "1.5ms");
  CHECK(link_duration_text(7 * microsecond) == "7us");
  CHECK(link_duration_text(42) == "42ns");
  CHECK(link_duration_text(-5 * millisecond) == "-5ms");
}

}  // namespace sim_link_cause_tests
