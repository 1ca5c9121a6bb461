#include "views/lost_bursts.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runner/trace.hpp"
#include "sim/link_cause.hpp"
#include "tcp/types.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// What two losses at one instant must share to be one burst (lost_bursts.hpp).
struct GroupKey {
  int host = -1;
  tcp::ConnectionId connection = tcp::no_connection;
  sim::LinkCause cause;
  bool injected = false;
  bool copy = false;
  std::vector<std::string> words;  // the reasons, in one language whatever the view's
  bool operator==(const GroupKey&) const = default;
};

// Hashes some of the key's fields; equality compares them all.
struct GroupKeyHash {
  std::size_t operator()(const GroupKey& key) const {
    std::uint64_t seed = 0;  // 64 bits on a 32-bit target too (the WebAssembly playground)
    const auto mix = [&seed](std::uint64_t value) {
      seed ^= value + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2);
    };
    mix(std::hash<int>()(key.host));
    mix(std::hash<tcp::ConnectionId>()(key.connection));
    mix(static_cast<std::size_t>(key.cause.kind));
    mix(std::hash<std::string>()(key.cause.rule_name));
    mix(static_cast<std::size_t>(key.injected));
    mix(static_cast<std::size_t>(key.copy));
    for (const std::string& word : key.words) mix(std::hash<std::string>()(word));
    return static_cast<std::size_t>(seed);
  }
};

}  // namespace

LostBursts::LostBursts(const runner::RunResult& result, const SegmentStory& story)
    : burst_of_(result.trace.size(), 0) {
  const auto& trace = result.trace;
  // The losses at the instant being read, in groups that may become bursts, in the order each
  // group's first loss comes: the bursts' order. The map finds a loss's group in constant time
  // (thousands of connections may lose a segment each at one instant) and is only looked up,
  // never iterated, so no output depends on its order.
  std::vector<std::vector<std::size_t>> groups;
  std::unordered_map<GroupKey, std::size_t, GroupKeyHash> group_of;  // index into groups
  // The sends at that instant, by segment id: a loss is decided as its segment is sent.
  std::unordered_map<std::uint64_t, std::size_t> sent_now;
  Time now = 0;
  const auto close_instant = [&] {
    for (std::vector<std::size_t>& drops : groups) {
      if (drops.size() < 2) continue;
      for (const std::size_t drop : drops) {
        burst_of_[drop] = static_cast<std::uint32_t>(bursts_.size() + 1);
      }
      bursts_.push_back({std::move(drops)});
    }
    groups.clear();
    group_of.clear();
    sent_now.clear();
  };
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const TraceEvent& event = trace[index];
    if (event.time != now) {
      close_instant();
      now = event.time;
    }
    if (event.kind == TraceKind::send || event.kind == TraceKind::inject) {
      sent_now[event.segment.id] = index;
      continue;
    }
    if (event.kind != TraceKind::drop) continue;
    const auto send = sent_now.find(event.segment.id);
    const SegmentReasons& ended = story.at(index);
    GroupKey key{event.host,
                 event.connection,
                 event.link_cause,
                 event.segment.injected,
                 event.segment.copy,
                 reason_words(send == sent_now.end() ? ended
                                                     : combined(story.at(send->second), ended),
                              Language::english)};
    const auto [found, added] = group_of.try_emplace(std::move(key), groups.size());
    if (added) groups.emplace_back();
    groups[found->second].push_back(index);
  }
  close_instant();
}

const LostBurst* LostBursts::of(std::size_t index) const {
  if (index >= burst_of_.size() || burst_of_[index] == 0) return nullptr;
  return &bursts_[burst_of_[index] - 1];
}

std::string lost_burst_ids(const runner::RunResult& result, const LostBurst& burst,
                           Language language) {
  const auto segment = [&](std::size_t member) -> const TraceSegment& {
    return result.trace[burst.drops[member]].segment;
  };
  const auto id = [](const TraceSegment& at) {
    return "#" + std::to_string(at.id) + (at.copy ? "'" : "");
  };
  std::string out;
  for (std::size_t first = 0; first < burst.drops.size();) {
    std::size_t last = first;
    while (last + 1 < burst.drops.size()) {
      const TraceSegment& at = segment(last);
      const TraceSegment& next = segment(last + 1);
      if (next.id != at.id + 1 || next.copy != at.copy) break;
      ++last;
    }
    if (!out.empty()) out += term(Term::id_separator, language);
    out += id(segment(first));
    if (last > first) out += "\u2013" + id(segment(last));
    first = last + 1;
  }
  return out;
}

std::string lost_burst_label(const runner::RunResult& result, const LostBurst& burst,
                             Language language) {
  return fill(Term::segments_lost, language,
              {lost_burst_ids(result, burst, language), std::to_string(burst.drops.size())});
}

}  // namespace tcpsim::views
