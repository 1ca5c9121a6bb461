// The link: fault rules first, then the random model, then the network's MSL.
#include "sim/link.hpp"

#include <algorithm>
#include <utility>

namespace tcpsim::sim {

namespace {

__extension__ typedef unsigned __int128 Uint128;

// IPv4 header (20 bytes) plus TCP header (20 bytes), both without options: what a segment costs
// on the wire beyond its payload. The MSS option's 4 bytes are ignored to keep the model simple.
constexpr std::uint64_t header_bytes = 40;

// Time to clock `payload_bytes` plus headers onto a link of `rate` bits per second, rounded up
// to whole nanoseconds. 128-bit arithmetic: bytes * 8e9 overflows 64 bits past ~2 GB.
Duration serialization_time(std::uint64_t payload_bytes, std::uint64_t rate_bits_per_second) {
  const Uint128 bit_nanoseconds =
      static_cast<Uint128>(header_bytes + payload_bytes) * 8 * static_cast<Uint128>(second);
  const Uint128 rate = rate_bits_per_second;
  return static_cast<Duration>((bit_nanoseconds + rate - 1) / rate);
}

LinkCause rule_cause(const FaultRule& rule) {
  LinkCause cause;
  cause.kind = LinkCauseKind::fault_rule;
  cause.rule_name = rule.name;
  return cause;
}

bool rule_matches(const FaultMatch& match, Time now, const tcp::Packet& packet,
                  Direction direction) {
  const tcp::Segment& segment = packet.segment;
  const auto payload_length = static_cast<std::uint64_t>(segment.payload.size());
  if (match.direction && *match.direction != direction) return false;
  if (match.flags_exact && segment.flags != *match.flags_exact) return false;
  if (match.flags_contain && (segment.flags & *match.flags_contain) != *match.flags_contain) {
    return false;
  }
  if (match.source_port && segment.source_port != *match.source_port) return false;
  if (match.destination_port && segment.destination_port != *match.destination_port) {
    return false;
  }
  if (match.port && segment.source_port != *match.port && segment.destination_port != *match.port) {
    return false;
  }
  if (match.length_min && payload_length < *match.length_min) return false;
  if (match.length_max && payload_length > *match.length_max) return false;
  return match.after <= now && now <= match.before;
}

// Whether a rule acts on its `match_number`-th match (1-based): nth picks one match, else count
// picks the first `count`, else every match.
bool rule_acts_on(const FaultMatch& match, std::uint64_t match_number) {
  if (match.nth != 0) return match_number == match.nth;
  if (match.count != 0) return match_number <= match.count;
  return true;
}

LinkVerdict apply_rule(const FaultRule& rule, Time normal_arrival) {
  LinkVerdict verdict;
  switch (rule.action) {
    case FaultAction::drop:
      verdict.dropped = true;
      verdict.drop_cause = rule_cause(rule);
      break;
    case FaultAction::delay:
      verdict.deliveries.push_back(Delivery{deadline_after(normal_arrival, rule.duration), false,
                                            false, /*delayed=*/true, rule_cause(rule)});
      break;
    case FaultAction::duplicate:
      verdict.deliveries.push_back(Delivery{normal_arrival, false, false, false, {}});
      verdict.deliveries.push_back(Delivery{deadline_after(normal_arrival, rule.duration),
                                            /*copy=*/true, false, false, rule_cause(rule)});
      break;
    case FaultAction::hold:
      verdict.deliveries.push_back(Delivery{std::max(rule.until, normal_arrival), false, false,
                                            /*delayed=*/true, rule_cause(rule)});
      break;
  }
  return verdict;
}

// RFC 9293 section 3.4.1 assumes the network bounds a segment's lifetime by MSL; a delivery the
// link would make later than that is discarded when its lifetime runs out instead.
void expire_beyond_msl(LinkVerdict& verdict, Time now, Duration msl) {
  for (Delivery& delivery : verdict.deliveries) {
    const Duration held = delivery.time - now;
    if (held <= msl) continue;
    const Time end_of_life = deadline_after(now, msl);  // before delivery.time: not never
    LinkCause cause;
    cause.kind = LinkCauseKind::msl_expired;
    cause.earlier = delivery.cause.kind;
    cause.rule_name = std::move(delivery.cause.rule_name);
    cause.held = held;
    cause.msl = msl;
    cause.beyond_representable_time = delivery.time == time_never;
    delivery.cause = std::move(cause);
    delivery.expired = true;
    delivery.time = end_of_life;
  }
}

// A delivery at time_never never happens (docs/design.md, "Time"): when the original would
// arrive only then, the segment is lost and the trace says why; a copy due only then is never
// made.
void drop_never_delivered(LinkVerdict& verdict) {
  if (verdict.deliveries.empty()) return;
  if (verdict.deliveries[0].time == time_never) {
    LinkCause cause;
    cause.kind = LinkCauseKind::never_delivered;
    cause.earlier = verdict.deliveries[0].cause.kind;
    cause.rule_name = std::move(verdict.deliveries[0].cause.rule_name);
    verdict = LinkVerdict{};
    verdict.dropped = true;
    verdict.drop_cause = std::move(cause);
    return;
  }
  if (verdict.deliveries.size() > 1 && verdict.deliveries[1].time == time_never) {
    verdict.deliveries.pop_back();
  }
}

}  // namespace

Link::DirectionState::DirectionState(std::uint64_t seed, const char* direction_name)
    : loss(Random::stream(seed, std::string("link.") + direction_name + ".loss")),
      jitter(Random::stream(seed, std::string("link.") + direction_name + ".jitter")),
      duplicate(Random::stream(seed, std::string("link.") + direction_name + ".duplicate")),
      reorder(Random::stream(seed, std::string("link.") + direction_name + ".reorder")) {}

Link::Link(LinkConfig config, std::vector<FaultRule> rules, std::uint64_t seed)
    : config_(std::move(config)),
      rules_(std::move(rules)),
      rule_matches_(rules_.size(), 0),
      directions_{DirectionState(seed, "forward"), DirectionState(seed, "backward")} {
  for (std::size_t index = 0; index < plain_.size(); ++index) {
    const LinkDirectionConfig& model = config_.directions[index];
    // What transmit_random() then does: no draw, no queue, arrival at now + delay, and
    // expire_beyond_msl() leaves it alone when the delay is within MSL.
    plain_[index] = rules_.empty() && model.loss == 0 && model.jitter == 0 &&
                    model.reorder.probability == 0 && model.duplicate == 0 &&
                    model.rate_bits_per_second == 0 && model.delay >= 0 &&
                    model.delay <= config_.msl;
  }
}

LinkVerdict Link::transmit(Time now, const tcp::Packet& packet, Direction direction) {
  // Every rule counts its own matches, acting or not, and even after an earlier rule acted.
  const FaultRule* acting_rule = nullptr;
  for (std::size_t index = 0; index < rules_.size(); ++index) {
    const FaultRule& rule = rules_[index];
    if (!rule_matches(rule.match, now, packet, direction)) continue;
    const std::uint64_t match_number = ++rule_matches_[index];
    if (acting_rule == nullptr && rule_acts_on(rule.match, match_number)) acting_rule = &rule;
  }

  LinkVerdict verdict;
  if (acting_rule != nullptr) {
    const Duration delay = config_.directions[static_cast<std::size_t>(direction)].delay;
    verdict = apply_rule(*acting_rule, deadline_after(now, delay));
  } else {
    verdict = transmit_random(now, packet, direction);
  }
  expire_beyond_msl(verdict, now, config_.msl);
  drop_never_delivered(verdict);
  return verdict;
}

LinkVerdict Link::transmit_random(Time now, const tcp::Packet& packet, Direction direction) {
  const LinkDirectionConfig& model = config_.directions[static_cast<std::size_t>(direction)];
  DirectionState& state = directions_[static_cast<std::size_t>(direction)];

  // One draw per enabled component, all before any is applied (see link.hpp).
  const bool lost = model.loss > 0 && state.loss.chance(model.loss, probability_denominator);
  const Duration jitter = model.jitter > 0 ? state.jitter.uniform_duration(0, model.jitter) : 0;
  const bool reordered = model.reorder.probability > 0 &&
                         state.reorder.chance(model.reorder.probability, probability_denominator);
  const bool duplicated =
      model.duplicate > 0 && state.duplicate.chance(model.duplicate, probability_denominator);

  LinkVerdict verdict;
  Time departure = now;
  if (model.rate_bits_per_second > 0) {
    // Drop-tail FIFO: segments whose serialization has begun have left the queue.
    while (!state.serialization_starts.empty() && state.serialization_starts.front() <= now) {
      state.serialization_starts.pop_front();
    }
    if (model.queue_limit > 0 && state.serialization_starts.size() >= model.queue_limit) {
      verdict.dropped = true;
      verdict.drop_cause.kind = LinkCauseKind::queue_full;
      return verdict;
    }
    const Time start = std::max(now, state.busy_until);
    departure = deadline_after(start, serialization_time(packet.segment.payload.size(),
                                                         model.rate_bits_per_second));
    state.busy_until = departure;
    if (start > now) state.serialization_starts.push_back(start);
  }

  // Lost in transit, after serialization: a lost segment still used the link's capacity.
  if (lost) {
    verdict.dropped = true;
    verdict.drop_cause.kind = LinkCauseKind::random_loss;
    return verdict;
  }

  Delivery delivery;
  delivery.time = deadline_after(deadline_after(departure, model.delay), jitter);
  if (reordered) {
    delivery.time = deadline_after(delivery.time, model.reorder.extra_delay);
    delivery.delayed = true;
    delivery.cause.kind = LinkCauseKind::random_reorder;
  }
  verdict.deliveries.push_back(delivery);
  if (duplicated) {
    Delivery copy{deadline_after(delivery.time, nanosecond), /*copy=*/true, false, false, {}};
    copy.cause.kind = LinkCauseKind::random_duplicate;
    verdict.deliveries.push_back(std::move(copy));
  }
  return verdict;
}

}  // namespace tcpsim::sim
