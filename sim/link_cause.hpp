// Why the link did what it did to a segment, as fields: the trace's text is rendered from it
// (link_cause_text) and views read the fields, so that no view parses the link's prose.
#pragma once

#include <cstdint>
#include <string>

#include "tcp/time.hpp"

namespace tcpsim::sim {

enum class LinkCauseKind : std::uint8_t {
  none,              // a routine delivery: nothing to explain
  fault_rule,        // a fault rule acted: "rule 'NAME'"
  random_loss,       // the random model lost it
  queue_full,        // drop-tail: the serialization queue was full
  random_reorder,    // the random model held it back to reorder it
  random_duplicate,  // the random model made a copy
  msl_expired,       // RFC 9293 3.4.1: it would have arrived later than MSL after it was sent
  never_delivered,   // its arrival lies past the end of representable time (docs/design.md)
};

struct LinkCause {
  LinkCauseKind kind = LinkCauseKind::none;
  // msl_expired, never_delivered: what held the segment back first, printed "after CAUSE";
  // one of none, fault_rule, random_reorder, random_duplicate.
  LinkCauseKind earlier = LinkCauseKind::none;
  std::string rule_name;  // the rule when kind or earlier is fault_rule
  // msl_expired: how long the link would have held it, and the network's MSL.
  Duration held = 0;
  Duration msl = 0;
  // msl_expired: the arrival lies past the end of representable time, so `held` is not said.
  bool beyond_representable_time = false;

  bool operator==(const LinkCause&) const = default;
};

// The trace's English for a cause, the one place it is worded: "rule 'stale-syn'",
// "random loss", "queue full", "random reorder", "random duplicate",
// "exceeded MSL (held 3min, longer than msl 2min) after rule 'old'", "never delivered: ...".
// "" for none.
std::string link_cause_text(const LinkCause& cause);

// The text of a cause's earlier kind alone ("rule 'old'", "random reorder"): what follows
// "after" in link_cause_text.
std::string earlier_cause_text(const LinkCause& cause);

// Exact, readable duration text as causes print it: the largest unit not above the value, as
// an integer when it divides exactly, else as a decimal ("3min", "90.5s", "1.5ms").
std::string link_duration_text(Duration duration);

}  // namespace tcpsim::sim
