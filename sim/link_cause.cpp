// The link's causes in English: the one function that words them (sim/link_cause.hpp).
#include "sim/link_cause.hpp"

namespace tcpsim::sim {

namespace {

// A cause that stands alone (neither msl_expired nor never_delivered).
std::string simple_cause_text(LinkCauseKind kind, const std::string& rule_name) {
  switch (kind) {
    case LinkCauseKind::none: return {};
    case LinkCauseKind::fault_rule: return "rule '" + rule_name + "'";
    case LinkCauseKind::random_loss: return "random loss";
    case LinkCauseKind::queue_full: return "queue full";
    case LinkCauseKind::random_reorder: return "random reorder";
    case LinkCauseKind::random_duplicate: return "random duplicate";
    case LinkCauseKind::msl_expired:
    case LinkCauseKind::never_delivered:
      break;
  }
  return {};  // not reached: the composite kinds are worded by link_cause_text
}

}  // namespace

// (tcp::format_duration lives in the tcp library; sim keeps its own so it links on its own.)
std::string link_duration_text(Duration duration) {
  if (duration == 0) return "0s";
  std::string sign;
  std::uint64_t magnitude = static_cast<std::uint64_t>(duration);
  if (duration < 0) {
    sign = "-";
    magnitude = 0 - magnitude;
  }
  struct Unit {
    std::uint64_t nanoseconds;
    const char* name;
  };
  static constexpr Unit units[] = {{static_cast<std::uint64_t>(hour), "h"},
                                   {static_cast<std::uint64_t>(minute), "min"},
                                   {static_cast<std::uint64_t>(second), "s"},
                                   {static_cast<std::uint64_t>(millisecond), "ms"},
                                   {static_cast<std::uint64_t>(microsecond), "us"},
                                   {1, "ns"}};
  for (const Unit& unit : units) {
    if (magnitude < unit.nanoseconds) continue;
    if (magnitude % unit.nanoseconds == 0) {
      return sign + std::to_string(magnitude / unit.nanoseconds) + unit.name;
    }
    // Minutes and hours do not divide into decimals exactly; use seconds for those.
    const Unit& decimal_unit =
        unit.nanoseconds > static_cast<std::uint64_t>(second) ? units[2] : unit;
    if (magnitude % decimal_unit.nanoseconds == 0) {  // 90s: whole seconds, no "90.s"
      return sign + std::to_string(magnitude / decimal_unit.nanoseconds) + decimal_unit.name;
    }
    std::string fraction = std::to_string(magnitude % decimal_unit.nanoseconds);
    std::size_t digits = 0;
    for (std::uint64_t scale = decimal_unit.nanoseconds; scale > 1; scale /= 10) ++digits;
    fraction.insert(0, digits - fraction.size(), '0');
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    return sign + std::to_string(magnitude / decimal_unit.nanoseconds) + "." + fraction +
           decimal_unit.name;
  }
  return sign + std::to_string(magnitude) + "ns";  // not reached: 1 ns divides everything
}

std::string earlier_cause_text(const LinkCause& cause) {
  return simple_cause_text(cause.earlier, cause.rule_name);
}

std::string link_cause_text(const LinkCause& cause) {
  std::string text;
  switch (cause.kind) {
    case LinkCauseKind::msl_expired:
      text = cause.beyond_representable_time
                 ? "exceeded MSL (its arrival lies past the end of representable time, msl " +
                       link_duration_text(cause.msl) + ")"
                 : "exceeded MSL (held " + link_duration_text(cause.held) +
                       ", longer than msl " + link_duration_text(cause.msl) + ")";
      break;
    case LinkCauseKind::never_delivered:
      text = "never delivered: its arrival lies past the end of representable time";
      break;
    case LinkCauseKind::none:
    case LinkCauseKind::fault_rule:
    case LinkCauseKind::random_loss:
    case LinkCauseKind::queue_full:
    case LinkCauseKind::random_reorder:
    case LinkCauseKind::random_duplicate:
      return simple_cause_text(cause.kind, cause.rule_name);
  }
  if (cause.earlier != LinkCauseKind::none) text += " after " + earlier_cause_text(cause);
  return text;
}

}  // namespace tcpsim::sim
