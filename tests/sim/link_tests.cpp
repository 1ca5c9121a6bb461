#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/link.hpp"

namespace sim_link_tests {

using namespace tcpsim;
using namespace tcpsim::sim;

namespace {

tcp::Packet make_packet(std::uint8_t flags, std::size_t payload_bytes = 0,
                        tcp::Port source_port = 40000, tcp::Port destination_port = 80) {
  tcp::Packet packet;
  packet.source = 0x0a000001;
  packet.destination = 0x0a000002;
  packet.segment.source_port = source_port;
  packet.segment.destination_port = destination_port;
  packet.segment.flags = flags;
  packet.segment.payload.assign(payload_bytes, 0x61);
  return packet;
}

const tcp::Packet syn = make_packet(tcp::flag::syn);
const tcp::Packet syn_ack = make_packet(tcp::flag::syn | tcp::flag::ack, 0, 80, 40000);
const tcp::Packet bare_ack = make_packet(tcp::flag::ack);

LinkConfig delay_only(Duration delay) {
  LinkConfig config;
  config.directions[0].delay = delay;
  config.directions[1].delay = delay;
  return config;
}

FaultRule drop_rule(std::string name, FaultMatch match) {
  FaultRule rule;
  rule.name = std::move(name);
  rule.match = match;
  rule.action = FaultAction::drop;
  return rule;
}

// Whether a single drop-everything-matching rule drops `packet` sent at `now` in `direction`.
bool dropped_by(const FaultMatch& match, const tcp::Packet& packet,
                Direction direction = Direction::forward, Time now = 0) {
  Link link(delay_only(10 * millisecond), {drop_rule("r", match)}, 1);
  return link.transmit(now, packet, direction).dropped;
}

// A compact, comparable summary of a verdict.
std::string describe(const LinkVerdict& verdict) {
  if (verdict.dropped) return "dropped(" + link_cause_text(verdict.drop_cause) + ")";
  std::string text;
  for (const Delivery& delivery : verdict.deliveries) {
    text += std::to_string(delivery.time) + (delivery.copy ? "c" : "") +
            (delivery.delayed ? "d" : "") + (delivery.expired ? "x" : "") + "[" +
            link_cause_text(delivery.cause) + "];";
  }
  return text;
}

}  // namespace

TEST_CASE("a plain link delivers after its delay", "[link]") {
  LinkConfig config = delay_only(10 * millisecond);
  config.directions[1].delay = 3 * millisecond;
  Link link(config, {}, 1);
  const LinkVerdict forward = link.transmit(5, syn, Direction::forward);
  REQUIRE_FALSE(forward.dropped);
  REQUIRE(forward.deliveries.size() == 1);
  CHECK(forward.deliveries[0].time == 5 + 10 * millisecond);
  CHECK_FALSE(forward.deliveries[0].copy);
  CHECK_FALSE(forward.deliveries[0].delayed);
  CHECK_FALSE(forward.deliveries[0].expired);
  CHECK(forward.deliveries[0].cause.kind == LinkCauseKind::none);
  const LinkVerdict backward = link.transmit(5, syn_ack, Direction::backward);
  REQUIRE(backward.deliveries.size() == 1);
  CHECK(backward.deliveries[0].time == 5 + 3 * millisecond);
}

TEST_CASE("rule selectors", "[link][rules]") {
  SECTION("an empty match selects everything") {
    CHECK(dropped_by({}, syn));
    CHECK(dropped_by({}, bare_ack, Direction::backward));
  }
  SECTION("direction") {
    FaultMatch match;
    match.direction = Direction::backward;
    CHECK(dropped_by(match, syn_ack, Direction::backward));
    CHECK_FALSE(dropped_by(match, syn, Direction::forward));
  }
  SECTION("exact flags") {
    FaultMatch match;
    match.flags_exact = tcp::flag::syn;
    CHECK(dropped_by(match, syn));
    CHECK_FALSE(dropped_by(match, syn_ack));
    CHECK_FALSE(dropped_by(match, bare_ack));
  }
  SECTION("contained flags") {
    FaultMatch match;
    match.flags_contain = tcp::flag::syn;
    CHECK(dropped_by(match, syn));
    CHECK(dropped_by(match, syn_ack));
    CHECK_FALSE(dropped_by(match, bare_ack));
    match.flags_contain = tcp::flag::syn | tcp::flag::ack;
    CHECK_FALSE(dropped_by(match, syn));
    CHECK(dropped_by(match, syn_ack));
  }
  SECTION("ports") {
    FaultMatch match;
    match.source_port = 40000;
    CHECK(dropped_by(match, syn));
    CHECK_FALSE(dropped_by(match, syn_ack));
    match = {};
    match.destination_port = 40000;
    CHECK_FALSE(dropped_by(match, syn));
    CHECK(dropped_by(match, syn_ack));
    match = {};
    match.port = 80;
    CHECK(dropped_by(match, syn));
    CHECK(dropped_by(match, syn_ack));
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::ack, 0, 1000, 2000)));
  }
  SECTION("payload length bounds, inclusive") {
    FaultMatch match;
    match.length_min = 10;
    match.length_max = 20;
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::ack, 9)));
    CHECK(dropped_by(match, make_packet(tcp::flag::ack, 10)));
    CHECK(dropped_by(match, make_packet(tcp::flag::ack, 20)));
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::ack, 21)));
    // A SYN counts no payload, though its sequence length is 1.
    match = {};
    match.length_min = 1;
    CHECK_FALSE(dropped_by(match, syn));
  }
  SECTION("send-time window, inclusive") {
    FaultMatch match;
    match.after = 100;
    match.before = 200;
    CHECK_FALSE(dropped_by(match, syn, Direction::forward, 99));
    CHECK(dropped_by(match, syn, Direction::forward, 100));
    CHECK(dropped_by(match, syn, Direction::forward, 200));
    CHECK_FALSE(dropped_by(match, syn, Direction::forward, 201));
  }
  SECTION("all selectors must hold together") {
    FaultMatch match;
    match.direction = Direction::forward;
    match.flags_contain = tcp::flag::ack;
    match.length_min = 1;
    CHECK(dropped_by(match, make_packet(tcp::flag::ack, 5)));
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::ack, 5), Direction::backward));
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::ack, 0)));
    CHECK_FALSE(dropped_by(match, make_packet(tcp::flag::syn, 5)));
  }
}

TEST_CASE("rule actions", "[link][rules]") {
  const Duration delay = 10 * millisecond;
  FaultRule rule;
  rule.name = "the-rule";
  const Time now = 1 * second;

  SECTION("drop") {
    rule.action = FaultAction::drop;
    Link link(delay_only(delay), {rule}, 1);
    const LinkVerdict verdict = link.transmit(now, syn, Direction::forward);
    CHECK(verdict.dropped);
    CHECK(link_cause_text(verdict.drop_cause) == "rule 'the-rule'");
    CHECK(verdict.deliveries.empty());
  }
  SECTION("delay") {
    rule.action = FaultAction::delay;
    rule.duration = 500 * millisecond;
    Link link(delay_only(delay), {rule}, 1);
    CHECK(describe(link.transmit(now, syn, Direction::forward)) ==
          std::to_string(now + delay + 500 * millisecond) + "d[rule 'the-rule'];");
  }
  SECTION("duplicate") {
    rule.action = FaultAction::duplicate;
    rule.duration = 2 * millisecond;
    Link link(delay_only(delay), {rule}, 1);
    CHECK(describe(link.transmit(now, syn, Direction::forward)) ==
          std::to_string(now + delay) + "[];" + std::to_string(now + delay + 2 * millisecond) +
              "c[rule 'the-rule'];");
  }
  SECTION("hold until a time after the normal arrival") {
    rule.action = FaultAction::hold;
    rule.until = 30 * second;
    Link link(delay_only(delay), {rule}, 1);
    CHECK(describe(link.transmit(now, syn, Direction::forward)) ==
          std::to_string(30 * second) + "d[rule 'the-rule'];");
  }
  SECTION("hold until a time already past delivers normally, still marked") {
    rule.action = FaultAction::hold;
    rule.until = 0;
    Link link(delay_only(delay), {rule}, 1);
    CHECK(describe(link.transmit(now, syn, Direction::forward)) ==
          std::to_string(now + delay) + "d[rule 'the-rule'];");
  }
  SECTION("a rule replaces the random model") {
    LinkConfig config = delay_only(delay);
    config.directions[0].loss = probability_denominator;  // every segment lost at random
    config.directions[0].jitter = 5 * millisecond;
    config.directions[0].rate_bits_per_second = 1000;
    rule.action = FaultAction::delay;
    rule.duration = 1 * millisecond;
    rule.match.flags_exact = tcp::flag::syn;
    Link link(config, {rule}, 1);
    CHECK(describe(link.transmit(now, syn, Direction::forward)) ==
          std::to_string(now + delay + 1 * millisecond) + "d[rule 'the-rule'];");
    CHECK(describe(link.transmit(now, bare_ack, Direction::forward)) == "dropped(random loss)");
  }
}

TEST_CASE("nth and count count only the rule's own matches", "[link][rules]") {
  FaultMatch second_syn;
  second_syn.flags_exact = tcp::flag::syn;
  second_syn.nth = 2;
  Link link(delay_only(1), {drop_rule("second-syn", second_syn)}, 1);
  CHECK_FALSE(link.transmit(0, bare_ack, Direction::forward).dropped);
  CHECK_FALSE(link.transmit(1, syn, Direction::forward).dropped);     // match 1
  CHECK_FALSE(link.transmit(2, bare_ack, Direction::forward).dropped);
  CHECK(link.transmit(3, syn, Direction::forward).dropped);           // match 2
  CHECK_FALSE(link.transmit(4, syn, Direction::forward).dropped);     // match 3

  FaultMatch first_two;
  first_two.flags_contain = tcp::flag::ack;
  first_two.count = 2;
  Link counting(delay_only(1), {drop_rule("first-two", first_two)}, 1);
  CHECK_FALSE(counting.transmit(0, syn, Direction::forward).dropped);
  CHECK(counting.transmit(1, bare_ack, Direction::forward).dropped);
  CHECK(counting.transmit(2, syn_ack, Direction::backward).dropped);
  CHECK_FALSE(counting.transmit(3, bare_ack, Direction::forward).dropped);

  // nth wins over count when both are given.
  FaultMatch both;
  both.nth = 3;
  both.count = 1;
  Link nth_first(delay_only(1), {drop_rule("both", both)}, 1);
  CHECK_FALSE(nth_first.transmit(0, syn, Direction::forward).dropped);
  CHECK_FALSE(nth_first.transmit(1, syn, Direction::forward).dropped);
  CHECK(nth_first.transmit(2, syn, Direction::forward).dropped);
}

TEST_CASE("the first acting rule decides, and every matching rule counts", "[link][rules]") {
  FaultMatch any_syn;
  any_syn.flags_exact = tcp::flag::syn;

  SECTION("earlier rule wins when both act") {
    FaultRule delay_rule;
    delay_rule.name = "delay-syn";
    delay_rule.match = any_syn;
    delay_rule.action = FaultAction::delay;
    delay_rule.duration = 7;
    Link link(delay_only(100), {delay_rule, drop_rule("drop-syn", any_syn)}, 1);
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "107d[rule 'delay-syn'];");
  }

  SECTION("a matching rule that does not act lets a later one decide") {
    FaultMatch third = any_syn;
    third.nth = 3;
    FaultRule delay_rule;
    delay_rule.name = "delay-syn";
    delay_rule.match = any_syn;
    delay_rule.action = FaultAction::delay;
    delay_rule.duration = 7;
    Link link(delay_only(100), {drop_rule("third", third), delay_rule}, 1);
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "107d[rule 'delay-syn'];");
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "107d[rule 'delay-syn'];");
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "dropped(rule 'third')");
  }

  SECTION("a later rule counts the segments an earlier rule took") {
    FaultMatch first = any_syn;
    first.nth = 1;
    FaultMatch second = any_syn;
    second.nth = 2;
    FaultRule delay_second;
    delay_second.name = "delay-second-syn";
    delay_second.match = second;
    delay_second.action = FaultAction::delay;
    delay_second.duration = 7;
    Link link(delay_only(100), {drop_rule("drop-first-syn", first), delay_second}, 1);
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "dropped(rule 'drop-first-syn')");
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "107d[rule 'delay-second-syn'];");
    CHECK(describe(link.transmit(0, syn, Direction::forward)) == "100[];");
  }

  SECTION("outside the time window a segment is not a match and is not counted") {
    FaultMatch windowed = any_syn;
    windowed.after = 50;
    windowed.nth = 1;
    Link link(delay_only(100), {drop_rule("late-syn", windowed)}, 1);
    CHECK_FALSE(link.transmit(10, syn, Direction::forward).dropped);
    CHECK(link.transmit(60, syn, Direction::forward).dropped);
  }
}

TEST_CASE("serialization rate and queue limit", "[link][queue]") {
  LinkConfig config = delay_only(5 * millisecond);
  // 1 Mbit/s: a segment with 85 payload bytes is 125 bytes = 1000 bits = exactly 1 ms.
  config.directions[0].rate_bits_per_second = 1'000'000;

  SECTION("segments are serialized one after another") {
    Link link(config, {}, 1);
    const tcp::Packet data = make_packet(tcp::flag::ack, 85);
    CHECK(describe(link.transmit(0, data, Direction::forward)) ==
          std::to_string(6 * millisecond) + "[];");
    CHECK(describe(link.transmit(0, data, Direction::forward)) ==
          std::to_string(7 * millisecond) + "[];");
    CHECK(describe(link.transmit(0, data, Direction::forward)) ==
          std::to_string(8 * millisecond) + "[];");
    // After the link went idle the next one starts at once.
    CHECK(describe(link.transmit(10 * millisecond, data, Direction::forward)) ==
          std::to_string(16 * millisecond) + "[];");
    // The other direction has no rate and its own serializer.
    CHECK(describe(link.transmit(0, data, Direction::backward)) ==
          std::to_string(5 * millisecond) + "[];");
  }

  SECTION("serialization time rounds up to whole nanoseconds") {
    config.directions[0].rate_bits_per_second = 3'000'000'000;  // 320 bits: 106.67 ns
    Link link(config, {}, 1);
    CHECK(link.transmit(0, bare_ack, Direction::forward).deliveries.at(0).time ==
          5 * millisecond + 107);
  }

  SECTION("a full queue drops, the segment being serialized does not count") {
    config.directions[0].queue_limit = 1;
    Link link(config, {}, 1);
    const tcp::Packet data = make_packet(tcp::flag::ack, 85);
    CHECK_FALSE(link.transmit(0, data, Direction::forward).dropped);  // serialized 0..1 ms
    CHECK_FALSE(link.transmit(0, data, Direction::forward).dropped);  // waits, 1..2 ms
    CHECK(describe(link.transmit(0, data, Direction::forward)) == "dropped(queue full)");
    // At 1 ms the waiting one started: there is room again, behind it (2..3 ms).
    CHECK(describe(link.transmit(1 * millisecond, data, Direction::forward)) ==
          std::to_string(8 * millisecond) + "[];");
    CHECK(link.transmit(1 * millisecond, data, Direction::forward).dropped);
  }
}

TEST_CASE("random loss has the configured frequency", "[link][random]") {
  LinkConfig config = delay_only(1);
  config.directions[0].loss = 250'000'000;  // 25%
  Link link(config, {}, 42);
  int lost = 0;
  constexpr int segments = 20000;
  for (int i = 0; i < segments; ++i) {
    const LinkVerdict verdict = link.transmit(i, bare_ack, Direction::forward);
    if (verdict.dropped) {
      ++lost;
      REQUIRE(verdict.drop_cause.kind == LinkCauseKind::random_loss);
    }
  }
  // Expectation 5000, standard deviation ~61; 400 is beyond six deviations.
  CHECK(lost > 4600);
  CHECK(lost < 5400);
  // The backward direction has no loss configured.
  for (int i = 0; i < 100; ++i) REQUIRE_FALSE(link.transmit(i, bare_ack, Direction::backward).dropped);
}

TEST_CASE("jitter, reordering and duplication", "[link][random]") {
  SECTION("jitter stays within [0, jitter] and varies") {
    LinkConfig config = delay_only(10 * millisecond);
    config.directions[0].jitter = 2 * millisecond;
    Link link(config, {}, 3);
    Time lowest = time_never;
    Time highest = 0;
    for (int i = 0; i < 1000; ++i) {
      const Delivery delivery = link.transmit(0, bare_ack, Direction::forward).deliveries.at(0);
      REQUIRE(delivery.time >= 10 * millisecond);
      REQUIRE(delivery.time <= 12 * millisecond);
      CHECK_FALSE(delivery.delayed);
      lowest = std::min(lowest, delivery.time);
      highest = std::max(highest, delivery.time);
    }
    CHECK(highest - lowest > 1 * millisecond);
  }
  SECTION("certain reordering and duplication") {
    LinkConfig config = delay_only(10 * millisecond);
    config.directions[0].reorder.probability = probability_denominator;
    config.directions[0].reorder.extra_delay = 3 * millisecond;
    config.directions[0].duplicate = probability_denominator;
    Link link(config, {}, 3);
    CHECK(describe(link.transmit(0, bare_ack, Direction::forward)) ==
          std::to_string(13 * millisecond) + "d[random reorder];" +
              std::to_string(13 * millisecond + 1) + "c[random duplicate];");
  }
}

TEST_CASE("the network discards segments older than MSL", "[link][msl]") {
  LinkConfig config = delay_only(10 * millisecond);
  config.msl = 2 * minute;
  FaultRule stale;
  stale.name = "stale-syn";
  stale.match.flags_exact = tcp::flag::syn;
  stale.action = FaultAction::hold;
  stale.until = 5 * second + 3 * minute;
  FaultRule slow_ack;
  slow_ack.name = "slow-ack";
  slow_ack.match.flags_exact = tcp::flag::ack;
  slow_ack.action = FaultAction::delay;
  slow_ack.duration = 2 * minute - 10 * millisecond;  // exactly MSL in flight: still delivered
  Link link(config, {stale, slow_ack}, 1);

  const LinkVerdict held = link.transmit(5 * second, syn, Direction::forward);
  REQUIRE(held.deliveries.size() == 1);
  CHECK(held.deliveries[0].expired);
  CHECK(held.deliveries[0].delayed);
  CHECK(held.deliveries[0].time == 5 * second + 2 * minute);
  CHECK(link_cause_text(held.deliveries[0].cause) ==
        "exceeded MSL (held 3min, longer than msl 2min) after rule 'stale-syn'");

  const LinkVerdict at_limit = link.transmit(0, bare_ack, Direction::forward);
  REQUIRE(at_limit.deliveries.size() == 1);
  CHECK_FALSE(at_limit.deliveries[0].expired);
  CHECK(at_limit.deliveries[0].time == 2 * minute);

  // A link slower than MSL expires ordinary segments too; durations print exactly.
  LinkConfig slow = delay_only(90 * second + 500 * millisecond);
  slow.msl = 30 * second;
  Link slow_link(slow, {}, 1);
  const LinkVerdict late = slow_link.transmit(0, bare_ack, Direction::forward);
  REQUIRE(late.deliveries.size() == 1);
  CHECK(late.deliveries[0].expired);
  CHECK(late.deliveries[0].time == 30 * second);
  CHECK(link_cause_text(late.deliveries[0].cause) ==
        "exceeded MSL (held 90.5s, longer than msl 30s)");
}

namespace {

LinkConfig noisy_config(std::uint64_t duplicate) {
  LinkConfig config = delay_only(10 * millisecond);
  for (LinkDirectionConfig& direction : config.directions) {
    direction.loss = 200'000'000;
    direction.jitter = 1 * millisecond;
    direction.duplicate = duplicate;
    direction.reorder.probability = 100'000'000;
    direction.reorder.extra_delay = 5 * millisecond;
  }
  return config;
}

std::vector<std::string> run_traffic(Link& link, int segments, bool with_backward = true) {
  std::vector<std::string> forward;
  for (int i = 0; i < segments; ++i) {
    const Time now = static_cast<Time>(i) * millisecond;
    forward.push_back(describe(link.transmit(now, bare_ack, Direction::forward)));
    if (with_backward && i % 3 == 0) (void)link.transmit(now, syn_ack, Direction::backward);
  }
  return forward;
}

}  // namespace

TEST_CASE("the same seed gives the same verdicts", "[link][random]") {
  Link first(noisy_config(50'000'000), {}, 777);
  Link second(noisy_config(50'000'000), {}, 777);
  Link other_seed(noisy_config(50'000'000), {}, 778);
  const auto verdicts = run_traffic(first, 500);
  CHECK(verdicts == run_traffic(second, 500));
  CHECK(verdicts != run_traffic(other_seed, 500));
}

TEST_CASE("model components and directions draw from independent streams", "[link][random]") {
  auto lost_indices = [](Link& link, bool with_backward) {
    std::vector<int> lost;
    const auto verdicts = run_traffic(link, 2000, with_backward);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      if (verdicts[i] == "dropped(random loss)") lost.push_back(static_cast<int>(i));
    }
    return lost;
  };
  Link no_duplicates(noisy_config(0), {}, 5);
  Link many_duplicates(noisy_config(500'000'000), {}, 5);
  Link quiet_backward(noisy_config(0), {}, 5);
  const auto baseline = lost_indices(no_duplicates, true);
  CHECK(baseline.size() > 300);
  // Changing the duplicate probability does not change which segments are lost...
  CHECK(lost_indices(many_duplicates, true) == baseline);
  // ...and neither does traffic in the other direction.
  CHECK(lost_indices(quiet_backward, false) == baseline);

  // Changing the loss probability does not change the jitter or reordering of the segments
  // that are delivered in both runs (every segment draws from each stream once).
  LinkConfig lossless = noisy_config(0);
  lossless.directions[0].loss = 0;
  Link without_loss(lossless, {}, 5);
  Link with_loss(noisy_config(0), {}, 5);
  const auto clean = run_traffic(without_loss, 1000);
  const auto lossy = run_traffic(with_loss, 1000);
  int compared = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    if (lossy[i] == "dropped(random loss)") continue;
    REQUIRE(lossy[i] == clean[i]);
    ++compared;
  }
  CHECK(compared > 700);
}

// docs/design.md, "Time": an arrival past the end of representable time is never, and a
// delivery at never never happens: the segment is lost with a reason, a copy is not made.
TEST_CASE("an arrival past the end of time is never delivered", "[link][time]") {
  const Duration longest = time_never;  // the largest duration the loader accepts
  SECTION("a maximal delay expires at MSL, the cause saying why") {
    Link link(delay_only(longest), {}, 1);
    const LinkVerdict verdict = link.transmit(hour, syn, Direction::forward);
    CHECK(describe(verdict) ==
          std::to_string(hour + 2 * minute) +
              "x[exceeded MSL (its arrival lies past the end of representable time, msl 2min)];");
  }
  SECTION("with a maximal MSL too, the segment is lost") {
    LinkConfig config = delay_only(longest);
    config.msl = longest;
    Link link(config, {}, 1);
    CHECK(describe(link.transmit(hour, syn, Direction::forward)) ==
          "dropped(never delivered: its arrival lies past the end of representable time)");
  }
  SECTION("jitter, reordering and serialization saturate rather than wrap") {
    LinkConfig config = delay_only(longest - 1);
    config.msl = longest;
    for (LinkDirectionConfig& direction : config.directions) {
      direction.jitter = longest;
      direction.reorder = ReorderModel{probability_denominator, longest};
      direction.duplicate = probability_denominator;
      direction.rate_bits_per_second = 1;
    }
    Link link(config, {}, 1);
    for (int segment = 0; segment < 3; ++segment) {
      const LinkVerdict verdict = link.transmit(hour, syn, Direction::forward);
      CHECK(verdict.dropped);
      CHECK(verdict.deliveries.empty());
    }
  }
  SECTION("fault rules: delay, hold and duplicate") {
    LinkConfig config = delay_only(10 * millisecond);
    config.msl = longest;
    FaultRule delay;
    delay.name = "forever";
    delay.match.flags_exact = tcp::flag::syn;
    delay.action = FaultAction::delay;
    delay.duration = longest;
    FaultRule hold;
    hold.name = "hold-forever";
    hold.match.flags_exact = tcp::flag::ack;
    hold.action = FaultAction::hold;
    hold.until = time_never;
    FaultRule copy;
    copy.name = "late-copy";
    copy.match.flags_exact = tcp::flag::syn | tcp::flag::ack;
    copy.action = FaultAction::duplicate;
    copy.duration = longest;
    Link link(config, {delay, hold, copy}, 1);
    CHECK(describe(link.transmit(hour, syn, Direction::forward)) ==
          "dropped(never delivered: its arrival lies past the end of representable time after "
          "rule 'forever')");
    CHECK(describe(link.transmit(hour, bare_ack, Direction::forward)) ==
          "dropped(never delivered: its arrival lies past the end of representable time after "
          "rule 'hold-forever')");
    // The original arrives as usual; its copy would come only at never, so there is none.
    CHECK(describe(link.transmit(hour, syn_ack, Direction::backward)) ==
          std::to_string(hour + 10 * millisecond) + "[];");
  }
}

TEST_CASE("plain_arrival is transmit's verdict on a plain delay line, and nothing otherwise",
          "[link]") {
  // Plain: the arrival transmit() gives, in both directions, and at the end of time none.
  const Link plain(delay_only(10 * millisecond), {}, 1);
  Link reference(delay_only(10 * millisecond), {}, 1);
  for (const Time now : {Time{0}, Time{5 * second}, Time{123'456'789}}) {
    for (const Direction direction : {Direction::forward, Direction::backward}) {
      const LinkVerdict verdict = reference.transmit(now, make_packet(tcp::flag::ack, 100),
                                                     direction);
      REQUIRE(verdict.deliveries.size() == 1);
      CHECK_FALSE(verdict.deliveries[0].delayed);
      CHECK(plain.plain_arrival(now, direction) == verdict.deliveries[0].time);
    }
  }
  CHECK(plain.plain_arrival(time_never - 1, Direction::forward) == time_never);

  // Anything the full model decides: a rule, a random component, a rate, a delay beyond MSL.
  CHECK(Link(delay_only(millisecond), {drop_rule("r", FaultMatch{})}, 1)
            .plain_arrival(0, Direction::forward) == time_never);
  std::vector<LinkConfig> models(5, delay_only(millisecond));
  models[0].directions[0].loss = 1;
  models[1].directions[0].jitter = 1;
  models[2].directions[0].duplicate = 1;
  models[3].directions[0].reorder.probability = 1;
  models[4].directions[0].rate_bits_per_second = 1'000'000;
  for (const LinkConfig& model : models) {
    const Link link(model, {}, 1);
    CHECK(link.plain_arrival(0, Direction::forward) == time_never);
    CHECK(link.plain_arrival(0, Direction::backward) == millisecond);  // the other one is plain
  }
  LinkConfig beyond_msl = delay_only(3 * minute);
  CHECK(Link(beyond_msl, {}, 1).plain_arrival(0, Direction::forward) == time_never);
}

}  // namespace sim_link_tests
