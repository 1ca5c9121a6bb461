#include "views/lost_bursts.hpp"

#include <unordered_map>
#include <utility>

#include "runner/trace.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

LostBursts::LostBursts(const runner::RunResult& result, const SegmentStory& story)
    : burst_of_(result.trace.size(), 0) {
  const auto& trace = result.trace;
  // The losses at the instant being read, in groups that may become bursts.
  struct Group {
    std::vector<std::string> words;  // the reasons, in one language whatever the view's
    std::vector<std::size_t> drops;
  };
  std::vector<Group> groups;
  // The sends at that instant, by segment id: a loss is decided as its segment is sent.
  std::unordered_map<std::uint64_t, std::size_t> sent_now;
  Time now = 0;
  const auto close_instant = [&] {
    for (Group& group : groups) {
      if (group.drops.size() < 2) continue;
      for (const std::size_t drop : group.drops) {
        burst_of_[drop] = static_cast<std::uint32_t>(bursts_.size() + 1);
      }
      bursts_.push_back({std::move(group.drops)});
    }
    groups.clear();
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
    std::vector<std::string> words = reason_words(
        send == sent_now.end() ? ended : combined(story.at(send->second), ended),
        Language::english);
    const auto same = [&](const Group& group) {
      const TraceEvent& first = trace[group.drops.front()];
      return first.host == event.host && first.connection == event.connection &&
             first.link_cause == event.link_cause &&
             first.segment.injected == event.segment.injected &&
             first.segment.copy == event.segment.copy && group.words == words;
    };
    Group* found = nullptr;
    for (Group& group : groups) {
      if (same(group)) {
        found = &group;
        break;
      }
    }
    if (found == nullptr) {
      groups.push_back({std::move(words), {}});
      found = &groups.back();
    }
    found->drops.push_back(index);
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
