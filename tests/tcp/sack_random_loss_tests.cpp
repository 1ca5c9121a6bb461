// SACK loss recovery (RFC 6675) under random loss, in the core alone: two connections on a wire
// with a 50 ms delay that loses segments at random, the wire playing the SACK receiver (RFC
// 2018: the ranges received above the cumulative ACK, the most recent first) until the options
// work's receiver generates the blocks itself. Per seed: every byte arrives exactly once and in
// order, new data never puts more than cwnd + 2 SMSS in flight, and across the seeds SACK
// recovery resends holes by the scoreboard.
#include "tests/tcp/tcp_test_support.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace tcp_sack_random_loss_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

struct Flight {
  Time arrival;
  std::uint64_t order;
  int to;  // 0: the client, 1: the server
  Segment segment;
};

struct Outcome {
  std::string delivered;
  int sack_retransmissions = 0;
  std::vector<std::string> problems;
};

Outcome run_lossy_transfer(std::uint64_t seed, CongestionAlgorithm algorithm,
                           const std::string& data) {
  TcpConfig config;
  config.nagle = false;
  config.mss = 100;
  config.congestion_control = algorithm;
  config.sack = true;  // RFC 2018 2: both SYNs offer SACK-permitted
  Connection client(1, config, local_tuple());
  Connection server(2, config, remote_tuple());
  Connection* ends[2] = {&client, &server};
  std::uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  const auto lose = [&](int per_hundred) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % 100) < per_hundred;
  };
  std::vector<Flight> wire;
  std::uint64_t order = 0;
  // What the server received beyond RCV.NXT, as [left, right) by left edge, and the newest.
  std::map<SeqNum, SeqNum> received;
  SackBlock newest{};
  Outcome outcome;

  const auto sack_blocks = [&](Segment& ack) {
    for (auto it = received.begin(); it != received.end();) {
      it = seq_le(it->second, ack.ack) ? received.erase(it) : std::next(it);
    }
    // Merge touching ranges, then the newest first (RFC 2018 4), the others from the top.
    std::vector<SackBlock> blocks;
    for (const auto& [left, right] : received) {
      if (!blocks.empty() && seq_le(left, blocks.back().right)) {
        if (seq_gt(right, blocks.back().right)) blocks.back().right = right;
      } else {
        blocks.push_back({left, right});
      }
    }
    std::stable_sort(blocks.begin(), blocks.end(), [&](const SackBlock& a, const SackBlock& b) {
      const bool a_newest = seq_le(a.left, newest.left) && seq_ge(a.right, newest.right);
      const bool b_newest = seq_le(b.left, newest.left) && seq_ge(b.right, newest.right);
      if (a_newest != b_newest) return a_newest;
      return seq_gt(a.left, b.left);
    });
    for (const SackBlock& block : blocks) {
      if (ack.sack_block_count == max_sack_blocks) break;
      ack.sack_blocks[ack.sack_block_count++] = block;
    }
  };
  const auto handle = [&](Time now, int from, const Output& out) {
    for (const Effect& effect : out.effects()) {
      if (effect.kind == Effect::Kind::app_event && effect.app_event == AppEventKind::data) {
        outcome.delivered += text(out.data(effect));
      }
      if (effect.kind != Effect::Kind::transmit) continue;
      Segment segment = out.packet(effect).segment;
      if (effect.rule == Rule::sack_retransmit) ++outcome.sack_retransmissions;
      if (effect.has_congestion && !effect.retransmission &&
          std::uint64_t{effect.in_flight} > std::uint64_t{effect.cwnd} + 2 * 100 + 1) {
        outcome.problems.push_back("in flight " + std::to_string(effect.in_flight) +
                                   " over cwnd " + std::to_string(effect.cwnd));
      }
      if (from == 1) {
        if (segment.has(flag::syn)) segment.sack_permitted = true;  // RFC 2018 2
        if (segment.has(flag::ack) && !segment.has(flag::syn)) sack_blocks(segment);
      }
      // Data is lost one time in eight each way; nothing else, so every run can finish.
      const bool data = !segment.payload.empty();
      if (data && lose(12)) continue;
      wire.push_back({now + 50 * millisecond, order++, 1 - from, std::move(segment)});
    }
  };

  Output out;
  server.open_passive(0, 5000, out);
  handle(0, 1, out);
  out.clear();
  client.open_active(0, 1000, out);
  handle(0, 0, out);
  bool written = false;
  Time now = 0;
  for (int step = 0; step < 200000; ++step) {
    if (!written && client.state() == State::established) {
      out.clear();
      REQUIRE(client.send(now, bytes(data), out) == data.size());
      handle(now, 0, out);
      written = true;
    }
    // The next thing to happen: an arrival, or a timer of either end.
    Time next = time_never;
    for (const Flight& flight : wire) next = std::min(next, flight.arrival);
    for (Connection* end : ends) {
      for (int kind = 0; kind < timer_kind_count; ++kind) {
        next = std::min(next, end->timer_deadline(static_cast<TimerKind>(kind)));
      }
    }
    if (next == time_never || next > 600 * second) break;
    now = next;
    const auto first = std::min_element(wire.begin(), wire.end(), [](const Flight& a, const Flight& b) {
      return a.arrival != b.arrival ? a.arrival < b.arrival : a.order < b.order;
    });
    if (first != wire.end() && first->arrival == now) {
      Flight flight = std::move(*first);
      wire.erase(first);
      if (flight.to == 1 && !flight.segment.payload.empty()) {
        const SeqNum left = flight.segment.seq;
        const SeqNum right = left + static_cast<SeqNum>(flight.segment.payload.size());
        if (seq_gt(right, server.receive_sequence().nxt)) {
          received[left] = std::max(received[left], right, [](SeqNum a, SeqNum b) {
            return seq_lt(a, b);
          });
          newest = {left, right};
        }
      }
      out.clear();
      ends[flight.to]->segment_arrives(now, flight.segment, out);
      handle(now, flight.to, out);
      continue;
    }
    for (int index = 0; index < 2; ++index) {
      for (int kind = 0; kind < timer_kind_count; ++kind) {
        if (ends[index]->timer_deadline(static_cast<TimerKind>(kind)) != now) continue;
        out.clear();
        ends[index]->timer_expired(now, static_cast<TimerKind>(kind), out);
        handle(now, index, out);
      }
    }
  }
  CHECK(client.sack_negotiated());
  return outcome;
}

}  // namespace

TEST_CASE("established_random_loss_sack_recovery_delivers_every_byte_once", "[sack][random]") {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += static_cast<char>('a' + (i * 7 + i / 26) % 26);
  int sack_retransmissions = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    for (const CongestionAlgorithm algorithm :
         {CongestionAlgorithm::newreno, CongestionAlgorithm::cubic}) {
      INFO("seed " << seed << (algorithm == CongestionAlgorithm::cubic ? " cubic" : " newreno"));
      const Outcome outcome = run_lossy_transfer(seed, algorithm, data);
      CHECK(outcome.delivered == data);
      for (const std::string& problem : outcome.problems) FAIL_CHECK(problem);
      sack_retransmissions += outcome.sack_retransmissions;
    }
  }
  // The scoreboard did the work: holes beyond the first were resent by RFC 6675's NextSeg.
  CHECK(sack_retransmissions > 100);
}

}  // namespace tcp_sack_random_loss_tests
