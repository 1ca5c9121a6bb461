// The link between the two hosts: per direction a delay, jitter, loss, duplication, reordering,
// serialization rate and queue limit; fault rules applied before the random model; and the
// network's maximum segment lifetime. The link decides each segment's fate when it is sent and
// returns it as a verdict; the driver schedules the deliveries. It never touches the scheduler.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/link_cause.hpp"
#include "sim/random.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"

namespace tcpsim::sim {

// Direction 0 carries segments from the first host to the second, direction 1 the reverse.
enum class Direction : std::uint8_t { forward = 0, backward = 1 };

struct ReorderModel {
  std::uint64_t probability = 0;  // over probability_denominator
  Duration extra_delay = 0;       // added to a reordered segment, letting later ones pass it
};

struct LinkDirectionConfig {
  Duration delay = 0;             // propagation delay
  Duration jitter = 0;            // uniform extra delay in [0, jitter]
  std::uint64_t loss = 0;         // over probability_denominator
  std::uint64_t duplicate = 0;    // over probability_denominator; the copy arrives 1 ns after
  ReorderModel reorder;
  // 0: no serialization delay. Otherwise a segment occupies the link for
  // ceil((40 + payload bytes) * 8 / rate) seconds, 40 being the IPv4 and TCP headers without
  // options, and waits while earlier segments are serialized (FIFO).
  std::uint64_t rate_bits_per_second = 0;
  // Segments waiting for serialization, not counting the one being serialized; a segment
  // arriving at a full queue is dropped ("queue full", drop-tail). 0: unlimited. Only
  // meaningful with a rate: without one nothing ever waits.
  std::uint32_t queue_limit = 0;
};

struct LinkConfig {
  std::array<LinkDirectionConfig, 2> directions;
  // RFC 9293 section 3.4.1: the network never delivers a segment older than MSL. A segment the
  // link would deliver later than `msl` after it was sent is discarded when its lifetime ends.
  Duration msl = 2 * minute;
};

// --- Fault rules: deterministic interventions, chosen by causal selectors ---
// A selector counts its own matches, so "the 2nd SYN from the client" stays that segment even
// when an earlier drop changes the rest of the traffic.
struct FaultMatch {
  std::optional<Direction> direction;       // "from": the sending host
  std::optional<std::uint8_t> flags_exact;  // the segment's flags are exactly these
  std::optional<std::uint8_t> flags_contain;  // the segment has at least these flags
  std::optional<tcp::Port> source_port;
  std::optional<tcp::Port> destination_port;
  std::optional<tcp::Port> port;  // either port
  std::optional<std::uint32_t> length_min;  // payload length bounds, inclusive
  std::optional<std::uint32_t> length_max;
  Time after = 0;           // send time window, inclusive: after <= t <= before
  Time before = time_never;
  std::uint32_t nth = 0;    // act only on the nth match (1-based); 0: see count
  std::uint32_t count = 0;  // act on the first `count` matches; 0 (and nth 0): every match
};

enum class FaultAction : std::uint8_t {
  drop,       // the segment is lost
  delay,      // delivered `duration` later than the link would deliver it
  duplicate,  // delivered as usual, and a copy `duration` after that
  hold,       // delivered at the absolute time `until` (a stale segment stalled in a router)
};

struct FaultRule {
  std::string name;  // named in the trace: "rule 'lose-final-ack'" (sim/link_cause.hpp)
  FaultMatch match;
  FaultAction action = FaultAction::drop;
  Duration duration = 0;
  Time until = 0;
};

// What happens to one copy of a segment.
struct Delivery {
  Time time = 0;          // arrival, or the moment its lifetime ended when `expired`
  bool copy = false;      // a duplicate made by a rule or by the random model
  bool expired = false;   // discarded by the network: older than MSL
  bool delayed = false;   // held back beyond the normal delay by a rule or reordering
  LinkCause cause;        // for copy/delayed/expired: a fault rule, random reorder, MSL, ...
};

// The deliveries of one segment: an original and at most one copy, held inline so that deciding
// a segment's fate allocates nothing.
class DeliveryList {
 public:
  static constexpr std::size_t capacity = 2;
  void push_back(Delivery delivery) {
    if (size_ == capacity) throw std::length_error("DeliveryList: more than two deliveries");
    items_[size_++] = std::move(delivery);
  }
  void pop_back() {
    if (size_ == 0) throw std::out_of_range("DeliveryList::pop_back");
    items_[--size_] = Delivery{};
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Delivery& operator[](std::size_t index) { return items_[index]; }
  const Delivery& operator[](std::size_t index) const { return items_[index]; }
  Delivery& at(std::size_t index) {
    if (index >= size_) throw std::out_of_range("DeliveryList::at");
    return items_[index];
  }
  const Delivery& at(std::size_t index) const {
    if (index >= size_) throw std::out_of_range("DeliveryList::at");
    return items_[index];
  }
  Delivery* begin() { return items_.data(); }
  Delivery* end() { return items_.data() + size_; }
  const Delivery* begin() const { return items_.data(); }
  const Delivery* end() const { return items_.data() + size_; }

 private:
  std::array<Delivery, capacity> items_{};
  std::size_t size_ = 0;
};

struct LinkVerdict {
  bool dropped = false;
  LinkCause drop_cause;  // a fault rule, random loss, queue full, never delivered
  DeliveryList deliveries;  // in the order they were decided
};

class Link {
 public:
  // `seed` feeds one independent random stream per direction and model component.
  Link(LinkConfig config, std::vector<FaultRule> rules, std::uint64_t seed);

  // Decides the fate of `packet` sent at `now` in `direction`. Rules are tried in order; the
  // first rule that matches and acts decides (every rule's match counter advances when it
  // matches, acting or not). A segment no rule acted on meets the random model: queue and rate,
  // loss, then delay + jitter, reorder, duplicate.
  //
  // A rule's action replaces the random model for that segment entirely: its normal arrival is
  // now + delay, with no serialization, queue, loss, jitter, reordering or duplication, and it
  // draws nothing from the random streams, so rule-driven scenarios are exact. Every rule sees
  // every segment (the counters of rules after the acting one still advance), so "the 2nd SYN"
  // means the 2nd SYN sent, whatever earlier rules did to the first.
  //
  // Random draws: a segment that reaches the random model draws exactly once from each enabled
  // component's stream (loss if loss > 0, jitter if jitter > 0, reorder, duplicate likewise),
  // before any of them is applied, even when it is then dropped. Each component's choices thus
  // depend only on how many segments reached the model, never on the other components' settings.
  //
  // Any delivery later than `msl` after `now` becomes expired at now + msl.
  LinkVerdict transmit(Time now, const tcp::Packet& packet, Direction direction);

  // The fast path of a plain delay line: when `direction` has no rule to consult and no random
  // component, rate or queue, every segment arrives exactly its delay later and draws nothing,
  // so transmit() would return one plain delivery at that time. This returns that time, or
  // time_never when the full model must decide (rules, a random component, a rate, a delay
  // beyond MSL, or an arrival at the end of time). Callers use it instead of transmit(), never
  // besides it: the verdict is the same, without building one.
  Time plain_arrival(Time now, Direction direction) const {
    const std::size_t index = static_cast<std::size_t>(direction);
    if (!plain_[index]) return time_never;
    return deadline_after(now, config_.directions[index].delay);  // time_never at the end
  }

  const LinkConfig& config() const { return config_; }

 private:
  // Implementation detail; see link.cpp.
  LinkConfig config_;
  std::vector<FaultRule> rules_;

  // One independent stream per direction and component ("link.forward.loss", ...), so that
  // enabling one component shifts no other.
  struct DirectionState {
    DirectionState(std::uint64_t seed, const char* direction_name);
    Random loss;
    Random jitter;
    Random duplicate;
    Random reorder;
    Time busy_until = 0;  // when serialization of the last accepted segment ends
    std::deque<Time> serialization_starts;  // of accepted segments, oldest first
  };
  LinkVerdict transmit_random(Time now, const tcp::Packet& packet, Direction direction);
  std::vector<std::uint64_t> rule_matches_;  // per rule: how many segments it matched
  std::array<bool, 2> plain_{};  // per direction: plain_arrival() applies (set once)
  std::array<DirectionState, 2> directions_;
};

}  // namespace tcpsim::sim
