#include "runner/expectations.hpp"

#include <algorithm>
#include <cstdio>
#include <span>
#include <unordered_map>

#include "runner/invariants.hpp"
#include "runner/trace_format.hpp"

namespace tcpsim::runner {
namespace {

std::string state_list(const std::vector<tcp::State>& states) {
  std::string out = "[";
  for (std::size_t index = 0; index < states.size(); ++index) {
    if (index > 0) out += ", ";
    out += std::string(tcp::state_name(states[index]));
  }
  return out + "]";
}

std::string bytes_text(std::span<const std::uint8_t> data) {
  std::string out = "\"";
  for (unsigned char c : data) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
      out += buffer;
    }
  }
  return out + "\"";
}

std::string seconds(Time time) { return format_duration(time); }

std::string describe_sent(const Scenario& scenario, const TraceEvent& event) {
  const TraceSegment& segment = event.segment;
  std::string out = scenario.hosts[static_cast<std::size_t>(event.host)].name + " " +
                    (segment.flags == 0 ? std::string("(no flags)")
                                        : tcp::flags_to_string(segment.flags));
  out += " seq=" + std::to_string(segment.has_relative_seq ? segment.relative_seq
                                                           : std::int64_t{segment.seq});
  if ((segment.flags & tcp::flag::ack) != 0) {
    out += " ack=" + std::to_string(segment.has_relative_ack ? segment.relative_ack
                                                             : std::int64_t{segment.ack});
  }
  out += " len=" + std::to_string(segment.length) + " at " + seconds(event.time);
  return out;
}

std::string describe_expected(const Scenario& scenario, const ExpectedSegment& expected) {
  std::string out = scenario.hosts[static_cast<std::size_t>(expected.from)].name + " " +
                    (expected.flags == 0 ? std::string("(no flags)")
                                         : tcp::flags_to_string(expected.flags));
  if (expected.seq) out += " seq=" + std::to_string(*expected.seq);
  if (expected.ack) out += " ack=" + std::to_string(*expected.ack);
  if (expected.length) out += " len=" + std::to_string(*expected.length);
  if (expected.at) out += " at " + seconds(*expected.at);
  if (expected.window) out += " win=" + std::to_string(*expected.window);
  if (expected.window_scale) out += " ws=" + std::to_string(*expected.window_scale);
  if (expected.timestamp_value) out += " tsval=" + std::to_string(*expected.timestamp_value);
  if (expected.timestamp_echo) out += " tsecr=" + std::to_string(*expected.timestamp_echo);
  if (expected.sack) {
    out += " sack=[";
    for (std::size_t index = 0; index < expected.sack->size(); ++index) {
      const auto& [left, right] = (*expected.sack)[index];
      out += (index > 0 ? " " : "") + std::to_string(left) + ":" + std::to_string(right);
    }
    out += "]";
  }
  return out;
}

bool segment_matches(const ExpectedSegment& expected, const TraceEvent& event) {
  const TraceSegment& segment = event.segment;
  if (event.host != expected.from || segment.flags != expected.flags) return false;
  const std::int64_t seq =
      segment.has_relative_seq ? segment.relative_seq : std::int64_t{segment.seq};
  const std::int64_t ack =
      segment.has_relative_ack ? segment.relative_ack : std::int64_t{segment.ack};
  if (expected.seq && *expected.seq != seq) return false;
  if (expected.ack && *expected.ack != ack) return false;
  if (expected.length && *expected.length != segment.length) return false;
  if (expected.at && *expected.at != event.time) return false;
  if (expected.window && *expected.window != segment.window) return false;
  if (expected.window_scale && *expected.window_scale != segment.window_scale) return false;
  if (expected.timestamp_value &&
      (!segment.has_timestamps || *expected.timestamp_value != segment.timestamp_value)) {
    return false;
  }
  if (expected.timestamp_echo &&
      (!segment.has_timestamps || *expected.timestamp_echo != segment.timestamp_echo)) {
    return false;
  }
  if (expected.sack) {
    // Relative as the ACK field is: to the ISN of the data the blocks cover.
    const std::int64_t base = segment.has_relative_ack ? std::int64_t{segment.ack} - ack : 0;
    if (expected.sack->size() != segment.sack_block_count) return false;
    for (std::size_t index = 0; index < expected.sack->size(); ++index) {
      const auto relative = [&](tcp::SeqNum edge) {
        return static_cast<std::int64_t>(static_cast<std::uint32_t>(edge - base));
      };
      if ((*expected.sack)[index].first != relative(segment.sack_blocks[index].left) ||
          (*expected.sack)[index].second != relative(segment.sack_blocks[index].right)) {
        return false;
      }
    }
  }
  return true;
}

void check_app_events(const ExpectedAppEvents& expected, const ConnectionRecord& record,
                      std::vector<ExpectationFailure>& failures) {
  const auto& actual = record.app_events;
  const std::size_t common = std::min(expected.events.size(), actual.size());
  for (std::size_t index = 0; index < common; ++index) {
    const ExpectedAppEvent& want = expected.events[index];
    const AppEventRecord& got = actual[index];
    std::string problem;
    if (want.event != got.kind) {
      problem = "expected " + std::string(tcp::app_event_name(want.event)) + ", got " +
                std::string(tcp::app_event_name(got.kind)) + " at " + seconds(got.time);
    } else if (want.at && *want.at != got.time) {
      problem = "expected " + std::string(tcp::app_event_name(want.event)) + " at " +
                seconds(*want.at) + ", it came at " + seconds(got.time);
    } else if (want.data && *want.data != got.data) {
      problem = "expected data " + bytes_text(*want.data) + ", got " + bytes_text(got.data);
    }
    if (!problem.empty()) {
      failures.push_back({want.where, "app event " + std::to_string(index + 1) + " of " +
                                          expected.connection + ": " + problem});
      return;
    }
  }
  if (actual.size() > expected.events.size()) {
    const AppEventRecord& extra = actual[expected.events.size()];
    failures.push_back({expected.where,
                        expected.connection + ": expected " +
                            std::to_string(expected.events.size()) + " app events, got " +
                            std::to_string(actual.size()) + "; the first extra one is " +
                            std::string(tcp::app_event_name(extra.kind)) + " at " +
                            seconds(extra.time)});
  } else if (actual.size() < expected.events.size()) {
    failures.push_back({expected.events[actual.size()].where,
                        expected.connection + ": expected " +
                            std::to_string(expected.events.size()) + " app events, got " +
                            std::to_string(actual.size()) + "; missing " +
                            std::string(tcp::app_event_name(
                                expected.events[actual.size()].event))});
  }
}

// A window of `data` around `offset` for received-data messages: up to 8 bytes before it and 8
// from it, escaped, with "..." where the data goes on, and "(end of data)" when it stops before
// `offset`.
std::string excerpt(std::span<const std::uint8_t> data, std::size_t offset) {
  constexpr std::size_t before = 8;
  constexpr std::size_t width = 16;
  const std::size_t start = offset > before ? offset - before : 0;
  const std::size_t end = std::min(data.size(), start + width);
  std::string out = start > 0 ? "..." : "";
  out += bytes_text(data.subspan(start, end - start));
  if (end < data.size()) out += "...";
  if (offset >= data.size()) out += " (end of data)";
  return out;
}

void check_received(const ExpectedReceived& expected, const ConnectionRecord& record,
                    std::vector<ExpectationFailure>& failures) {
  if (expected.length) {
    // Only the count: the record need not keep the bytes (RunOptions::keep_app_data).
    std::uint64_t length = 0;
    for (const AppEventRecord& event : record.app_events) {
      if (event.kind == tcp::AppEventKind::data) length += event.length;
    }
    if (length != *expected.length) {
      failures.push_back({expected.where, expected.connection + " received " +
                                              std::to_string(length) + " bytes, expected " +
                                              std::to_string(*expected.length)});
    }
    return;
  }
  std::vector<std::uint8_t> actual;
  for (const AppEventRecord& event : record.app_events) {
    if (event.kind == tcp::AppEventKind::data) actual.insert(actual.end(), event.data.begin(), event.data.end());
  }
  if (!expected.data || *expected.data == actual) return;
  const SharedBytes& want = *expected.data;
  const auto difference = std::mismatch(want.begin(), want.end(), actual.begin(), actual.end());
  const auto offset = static_cast<std::size_t>(difference.first - want.begin());
  failures.push_back({expected.where, "the data " + expected.connection + " received differs at byte " +
                                          std::to_string(offset) + " (expected " +
                                          std::to_string(want.size()) + " bytes, received " +
                                          std::to_string(actual.size()) + "): expected " +
                                          excerpt(want, offset) + ", got " + excerpt(actual, offset)});
}

bool host_matches(const std::optional<int>& host, int actual) {
  return !host || *host == actual;
}

// "never" segment rules are grouped by what they select: the sender (any, 0, 1), the exact
// flags (any, or one of 256 values) and the flags they must contain (any, or a mask).
constexpr std::uint32_t flag_codes = 257;  // 0: any; 1 + value
std::uint32_t segment_rule_key(std::uint32_t host_code, std::uint32_t exact_code,
                               std::uint32_t contain_code) {
  return (host_code * flag_codes + exact_code) * flag_codes + contain_code;
}
std::uint32_t segment_rule_key(const ExpectedNever& never) {
  return segment_rule_key(never.host ? static_cast<std::uint32_t>(*never.host) + 1 : 0,
                          never.flags_exact ? *never.flags_exact + 1U : 0,
                          never.flags_contain ? *never.flags_contain + 1U : 0);
}

// Records by every name they answer to (their name and "<host>/<id>"), in order of creation, so
// that each lookup costs what RunResult::find_connection would cost for the first record only.
class RecordIndex {
 public:
  RecordIndex(const RunResult& result, std::uint64_t& steps) : result_(result) {
    for (std::size_t index = 0; index < result.connections.size(); ++index) {
      const ConnectionRecord& record = result.connections[index];
      by_name_[record.name].push_back(index);
      if (record.default_name != record.name) by_name_[record.default_name].push_back(index);
      ++steps;
    }
  }
  // The records named `name`, first created first (RunResult::find_connection is the first).
  const std::vector<std::size_t>& named(const std::string& name) const {
    static const std::vector<std::size_t> none;
    const auto found = by_name_.find(name);
    return found == by_name_.end() ? none : found->second;
  }
  const ConnectionRecord* find(const std::string& name) const {
    const auto& records = named(name);
    return records.empty() ? nullptr : &result_.connections[records.front()];
  }

 private:
  const RunResult& result_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_name_;  // looked up only
};

// The first record (in order of creation) that the rule selects and that saw the event or the
// state, and its first such event: what a scan of every record for every rule would report.
void check_never_events_and_states(const Scenario& scenario, const RunResult& result,
                                   const RecordIndex& index,
                                   std::vector<std::optional<std::string>>& messages,
                                   std::uint64_t& steps) {
  const auto& rules = scenario.expect.never;
  const bool any = std::any_of(rules.begin(), rules.end(), [](const ExpectedNever& never) {
    return never.kind != ExpectedNever::Kind::segment;
  });
  if (!any) return;
  constexpr Time never_seen = -1;
  const std::size_t records = result.connections.size();
  // Per record: when it was first told each event, which states it entered.
  std::vector<std::array<Time, tcp::app_event_kind_count>> first_told(records);
  std::vector<std::bitset<tcp::state_count>> entered(records);
  // Per host selector (any, 0, 1): the first record told each event, and entering each state.
  constexpr std::size_t none = SIZE_MAX;
  std::array<std::array<std::size_t, tcp::app_event_kind_count>, 3> first_record_told;
  std::array<std::array<std::size_t, tcp::state_count>, 3> first_record_entering;
  for (auto& row : first_record_told) row.fill(none);
  for (auto& row : first_record_entering) row.fill(none);
  for (std::size_t record = 0; record < records; ++record) {
    const ConnectionRecord& connection = result.connections[record];
    const std::array<std::size_t, 2> selectors{0, connection.host == 1 ? 2U : 1U};
    first_told[record].fill(never_seen);
    for (const AppEventRecord& event : connection.app_events) {
      ++steps;
      const auto kind = static_cast<std::size_t>(event.kind);
      if (first_told[record][kind] != never_seen) continue;
      first_told[record][kind] = event.time;
      for (const std::size_t selector : selectors) {
        std::size_t& first = first_record_told[selector][kind];
        if (first == none) first = record;
      }
    }
    for (const tcp::State state : connection.states) {
      ++steps;
      const auto which = static_cast<std::size_t>(state);
      if (entered[record].test(which)) continue;
      entered[record].set(which);
      for (const std::size_t selector : selectors) {
        std::size_t& first = first_record_entering[selector][which];
        if (first == none) first = record;
      }
    }
  }
  for (std::size_t rule = 0; rule < rules.size(); ++rule) {
    const ExpectedNever& never = rules[rule];
    if (never.kind == ExpectedNever::Kind::segment) continue;
    ++steps;
    const bool is_event = never.kind == ExpectedNever::Kind::event;
    const std::size_t what = is_event ? static_cast<std::size_t>(never.event)
                                   : static_cast<std::size_t>(never.state);
    const auto selects = [&](std::size_t record) {
      return is_event ? first_told[record][what] != never_seen : entered[record].test(what);
    };
    std::size_t found = none;
    if (never.connection) {
      for (const std::size_t record : index.named(*never.connection)) {
        ++steps;
        if (host_matches(never.host, result.connections[record].host) && selects(record)) {
          found = record;
          break;
        }
      }
    } else {
      const std::size_t selector = never.host ? static_cast<std::size_t>(*never.host) + 1 : 0;
      found = is_event ? first_record_told[selector][what] : first_record_entering[selector][what];
    }
    if (found == none) continue;
    const ConnectionRecord& record = result.connections[found];
    if (is_event) {
      messages[rule] = record.name + " was told " + std::string(tcp::app_event_name(never.event)) +
                       " at " + seconds(first_told[found][what]) + ", which should never happen";
    } else {
      messages[rule] = record.name + " entered " + std::string(tcp::state_name(never.state)) +
                       ", which should never happen; its states: " + state_list(record.states);
    }
  }
}

}  // namespace

ExpectationChecker::ExpectationChecker(const Scenario& scenario)
    : scenario_(scenario), never_messages_(scenario.expect.never.size()) {
  if (scenario.expect.segments) {
    segment_nodes_.emplace_back();  // node 0: the end of the list
    const std::uint32_t first = build_segment_nodes(*scenario.expect.segments, 0, nullptr, 0);
    segment_visits_.assign(segment_nodes_.size(), 0);
    ++segment_generation_;
    enter_segment_node(first, segments_active_);
  }
  std::vector<std::pair<std::uint32_t, std::size_t>> keyed;
  for (std::size_t index = 0; index < scenario.expect.never.size(); ++index) {
    const ExpectedNever& never = scenario.expect.never[index];
    if (never.kind == ExpectedNever::Kind::segment) {
      keyed.emplace_back(segment_rule_key(never), index);
    }
  }
  std::sort(keyed.begin(), keyed.end());
  steps_ += keyed.size();
  for (const auto& [key, rule] : keyed) {
    if (segment_groups_.empty() || segment_groups_.back().key != key) {
      segment_groups_.push_back({key, {}, false});
    }
    segment_groups_.back().rules.push_back(rule);
  }
}

std::uint32_t ExpectationChecker::build_segment_nodes(const std::vector<ExpectedSegment>& list,
                                                      std::uint32_t next,
                                                      const ExpectedSegment* any_of,
                                                      std::size_t alternative) {
  // From the last entry back, so that each node knows the one after it.
  for (auto entry = list.rbegin(); entry != list.rend(); ++entry) {
    ++steps_;
    SegmentNode node;
    if (!entry->any_of.empty()) {
      plain_segments_ = false;
      node.kind = SegmentNode::Kind::split;
      for (std::size_t k = 0; k < entry->any_of.size(); ++k)
        node.alternatives.push_back(build_segment_nodes(entry->any_of[k], next, &*entry, k));
    } else {
      if (entry->optional) plain_segments_ = false;
      node.kind = SegmentNode::Kind::segment;
      node.segment = &*entry;
      node.next = next;
      node.any_of = any_of;
      node.alternative = alternative;
    }
    segment_nodes_.push_back(std::move(node));
    next = static_cast<std::uint32_t>(segment_nodes_.size() - 1);
  }
  return next;
}

void ExpectationChecker::enter_segment_node(std::uint32_t first, std::vector<std::uint32_t>& into) {
  segment_stack_.push_back(first);
  while (!segment_stack_.empty()) {
    const std::uint32_t index = segment_stack_.back();
    segment_stack_.pop_back();
    ++steps_;
    if (segment_visits_[index] == segment_generation_) continue;  // entered by another path
    segment_visits_[index] = segment_generation_;
    const SegmentNode& node = segment_nodes_[index];
    switch (node.kind) {
      case SegmentNode::Kind::end:
        segments_accepting_ = true;
        break;
      case SegmentNode::Kind::segment:
        into.push_back(index);
        if (node.segment->optional) segment_stack_.push_back(node.next);  // or it is absent
        break;
      case SegmentNode::Kind::split:
        for (auto alternative = node.alternatives.rbegin(); alternative != node.alternatives.rend();
             ++alternative)
          segment_stack_.push_back(*alternative);
        break;
    }
  }
}

const ExpectedSegment& ExpectationChecker::first_segment_candidate() const {
  const ExpectedSegment* first = segment_nodes_[segments_active_.front()].segment;
  for (const std::uint32_t index : segments_active_) {
    const SourceLocation& where = segment_nodes_[index].segment->where;
    if (where.line < first->where.line ||
        (where.line == first->where.line && where.column < first->where.column))
      first = segment_nodes_[index].segment;
  }
  return *first;
}

std::pair<std::string, std::string> ExpectationChecker::segment_candidates(bool accepting) const {
  // In file order; each named by its path, which tells the alternative it belongs to.
  std::vector<std::uint32_t> nodes = segments_active_;
  const auto position = [&](std::uint32_t index) {
    const SourceLocation& where = segment_nodes_[index].segment->where;
    return std::pair(where.line, where.column);
  };
  std::sort(nodes.begin(), nodes.end(),
            [&](std::uint32_t a, std::uint32_t b) { return position(a) < position(b); });
  std::vector<std::string> items;
  std::vector<const ExpectedSegment*> any_ofs;  // the "any_of" entries in play
  for (const std::uint32_t index : nodes) {
    const SegmentNode& node = segment_nodes_[index];
    items.push_back(describe_expected(scenario_, *node.segment) + " (" +
                    node.segment->where.json_path +
                    (node.segment->optional ? ", optional)" : ")"));
    if (node.any_of != nullptr &&
        std::find(any_ofs.begin(), any_ofs.end(), node.any_of) == any_ofs.end())
      any_ofs.push_back(node.any_of);
  }
  if (accepting) items.emplace_back("the end of the list");
  std::string candidates = items.size() > 1 ? "one of " : "";
  for (std::size_t k = 0; k < items.size(); ++k) {
    candidates += (k == 0 ? "" : k + 1 == items.size() ? " or " : ", ") + items[k];
  }
  // Each "any_of" in play, with its alternatives: those with no candidate here were ruled out
  // by an earlier segment.
  std::string out;
  for (const ExpectedSegment* any_of : any_ofs) {
    out += "; " + any_of->where.json_path + " allows";
    for (std::size_t k = 0; k < any_of->any_of.size(); ++k) {
      const bool in_play = std::any_of(nodes.begin(), nodes.end(), [&](std::uint32_t index) {
        return segment_nodes_[index].any_of == any_of && segment_nodes_[index].alternative == k;
      });
      std::string sequence;
      for (const ExpectedSegment& segment : any_of->any_of[k]) {
        if (!sequence.empty()) sequence += ", ";
        sequence += describe_expected(scenario_, segment) + (segment.optional ? " (optional)" : "");
      }
      out += std::string(k == 0 ? " " : " | ") + "[" + sequence + "]" +
             (in_play ? "" : " (ruled out by an earlier segment)");
    }
  }
  return {candidates, out};
}

void ExpectationChecker::match_segment(const TraceEvent& event) {
  ++segment_generation_;
  segments_next_.clear();
  const bool was_accepting = segments_accepting_;
  segments_accepting_ = false;
  for (const std::uint32_t index : segments_active_) {
    ++steps_;
    const SegmentNode& node = segment_nodes_[index];
    if (segment_matches(*node.segment, event)) enter_segment_node(node.next, segments_next_);
  }
  if (!segments_next_.empty() || segments_accepting_) {
    segments_active_.swap(segments_next_);
    return;
  }
  // No expected segment takes it: the list ended before it, or it diverges here.
  segments_accepting_ = was_accepting;
  if (segments_active_.empty()) {
    first_extra_ = describe_sent(scenario_, event);
    matched_ = sent_;
    return;
  }
  const std::string got = describe_sent(scenario_, event);
  const ExpectedSegment& first = first_segment_candidate();
  if (plain_segments_) {
    segment_mismatch_ = ExpectationFailure{
        first.where, "segment " + std::to_string(sent_ + 1) + ": expected " +
                         describe_expected(scenario_, first) + ", got " + got};
  } else {
    const auto [candidates, alternatives] = segment_candidates(was_accepting);
    segment_mismatch_ = ExpectationFailure{
        first.where, "segment " + std::to_string(sent_ + 1) + ": expected " + candidates +
                         ", got " + got + alternatives};
  }
}

void ExpectationChecker::event(const TraceEvent& event, const RunResult& /*run*/) {
  if (event.kind != TraceKind::send) return;
  ++steps_;
  if (scenario_.expect.segments && !segment_mismatch_ && first_extra_.empty()) {
    match_segment(event);
  }
  ++sent_;
  if (!segment_groups_.empty() && event.host >= 0 && event.host <= 1) {
    auto& seen = seen_[static_cast<std::size_t>(event.host)];
    if (!seen.test(event.segment.flags)) {
      seen.set(event.segment.flags);
      fire_segment_rules(event);
    }
  }
}

// The first send of a (sender, flags) pair fires every rule that selects it: the groups keyed by
// sender any or this one, exact flags any or these, contained flags any or a subset of these.
void ExpectationChecker::fire_segment_rules(const TraceEvent& event) {
  const std::uint32_t flags = event.segment.flags;
  std::string description;
  const auto fire = [&](std::uint32_t key) {
    ++steps_;
    const auto before = [](const SegmentRuleGroup& candidate, std::uint32_t wanted) {
      return candidate.key < wanted;
    };
    const auto group =
        std::lower_bound(segment_groups_.begin(), segment_groups_.end(), key, before);
    if (group == segment_groups_.end() || group->key != key || group->fired) return;
    group->fired = true;
    if (description.empty()) description = describe_sent(scenario_, event);
    for (const std::size_t rule : group->rules) {
      ++steps_;
      never_messages_[rule] = "a segment that should never be sent was sent: " + description;
    }
  };
  for (const std::uint32_t host_code : {0U, static_cast<std::uint32_t>(event.host) + 1}) {
    for (const std::uint32_t exact_code : {0U, flags + 1}) {
      fire(segment_rule_key(host_code, exact_code, 0));
      // Every subset of the flags, the empty mask included.
      for (std::uint32_t mask = flags;; mask = (mask - 1) & flags) {
        fire(segment_rule_key(host_code, exact_code, mask + 1));
        if (mask == 0) break;
      }
    }
  }
}

namespace {

// '*' matches any run of characters, everything else itself (iterative, linear-ish: the
// classic backtrack to the last star).
bool name_matches(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// The connections a pattern selects, listeners aside: by name, or with a '/' in the pattern
// by "<host>/<k>" ("client/*"), so that "c*" does not take every connection of "client".
bool record_matches(std::string_view pattern, const ConnectionRecord& record) {
  if (record.listener || record.failed_listen) return false;
  if (pattern.find('/') != std::string_view::npos)
    return !record.default_name.empty() && name_matches(pattern, record.default_name);
  return name_matches(pattern, record.name);
}

// "TIME_WAIT 900, CLOSED 100": the states in order of the state enum, those with any.
std::string distribution_text(const std::array<std::int64_t, tcp::state_count>& counts) {
  std::string text;
  for (std::size_t state = 0; state < counts.size(); ++state) {
    if (counts[state] == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::string(tcp::state_name(static_cast<tcp::State>(state))) + " " +
            std::to_string(counts[state]);
  }
  return text.empty() ? "none" : text;
}

void check_pattern_final_state(const ExpectedFinalState& item, const RunResult& result,
                               std::vector<ExpectationFailure>& failures, std::uint64_t& steps) {
  std::array<std::int64_t, tcp::state_count> ended{};
  std::int64_t matched = 0;
  std::vector<std::string> examples;  // the first few that ended elsewhere
  for (const ConnectionRecord& record : result.connections) {
    ++steps;
    if (!record_matches(item.connection, record)) continue;
    ++matched;
    ++ended[static_cast<std::size_t>(record.final_state())];
    if (record.final_state() != item.state && examples.size() < 3)
      examples.push_back(record.name + " in " + std::string(tcp::state_name(record.final_state())));
  }
  if (matched == 0) {
    failures.push_back({item.where, "no connection matches " + item.connection});
    return;
  }
  const std::int64_t elsewhere = matched - ended[static_cast<std::size_t>(item.state)];
  if (elsewhere == 0) return;
  std::string message = std::to_string(elsewhere) + " of the " + std::to_string(matched) +
                        " connections matching " + item.connection + " did not end in " +
                        std::string(tcp::state_name(item.state)) + " (";
  for (std::size_t k = 0; k < examples.size(); ++k) message += (k == 0 ? "" : ", ") + examples[k];
  if (elsewhere > static_cast<std::int64_t>(examples.size())) message += ", ...";
  failures.push_back({item.where, message + "); they ended: " + distribution_text(ended)});
}

void check_state_counts(const ExpectedStateCounts& item, const RunResult& result,
                        std::vector<ExpectationFailure>& failures, std::uint64_t& steps) {
  std::array<std::int64_t, tcp::state_count> ended{};
  for (const ConnectionRecord& record : result.connections) {
    ++steps;
    if (record_matches(item.pattern, record))
      ++ended[static_cast<std::size_t>(record.final_state())];
  }
  std::array<std::int64_t, tcp::state_count> expected{};
  for (const auto& [state, count] : item.counts) expected[static_cast<std::size_t>(state)] = count;
  if (ended == expected) return;
  failures.push_back({item.where, "the connections matching " + item.pattern + " ended: " +
                                      distribution_text(ended) + "; expected " +
                                      distribution_text(expected)});
}

}  // namespace

std::size_t count_expectations(const Expectations& expect) {
  return expect.final_states.size() + expect.final_state_counts.size() +
         expect.state_sequences.size() + expect.app_events.size() +
         (expect.segments ? 1 : 0) + expect.received.size() + expect.counts.size() +
         expect.never.size() + expect.fired.size() + expect.invariants.size();
}

bool expectations_need_record(const Expectations& expect) {
  // final_states and state_sequences read ConnectionRecord::states, and fired reads
  // RunResult::reactions: both kept in every run.
  return !expect.app_events.empty() || expect.segments.has_value() || !expect.received.empty() ||
         !expect.counts.empty() || !expect.never.empty() || !expect.invariants.empty();
}

std::vector<ExpectationFailure> ExpectationChecker::finish(const RunResult& result) {
  std::vector<ExpectationFailure> failures;
  const Expectations& expect = scenario_.expect;
  const RecordIndex index(result, steps_);
  for (const auto& item : expect.final_states) {
    ++steps_;
    if (item.pattern) {
      check_pattern_final_state(item, result, failures, steps_);
      continue;
    }
    const ConnectionRecord* record = index.find(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else if (record->final_state() != item.state) {
      failures.push_back({item.where, item.connection + " ended in " +
                                          std::string(tcp::state_name(record->final_state())) +
                                          ", expected " +
                                          std::string(tcp::state_name(item.state)) +
                                          "; its states: " + state_list(record->states)});
    }
  }
  for (const auto& item : expect.final_state_counts) {
    ++steps_;
    check_state_counts(item, result, failures, steps_);
  }
  for (const auto& item : expect.state_sequences) {
    ++steps_;
    const ConnectionRecord* record = index.find(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else if (record->states != item.states) {
      failures.push_back({item.where, item.connection + " went through " +
                                          state_list(record->states) + ", expected " +
                                          state_list(item.states)});
    }
  }
  for (const auto& item : expect.app_events) {
    ++steps_;
    const ConnectionRecord* record = index.find(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else {
      check_app_events(item, *record, failures);
    }
  }
  if (expect.segments) {
    const auto& expected = *expect.segments;
    if (segment_mismatch_) {
      failures.push_back(*segment_mismatch_);
    } else if (!first_extra_.empty()) {
      failures.push_back(
          {expect.segments_where,
           (plain_segments_ ? "expected " + std::to_string(expected.size()) + " segments, "
                            : "the list was complete after " + std::to_string(matched_) +
                                  " segments, ") +
               std::to_string(sent_) + " were sent; the first extra one is " + first_extra_});
    } else if (!segments_accepting_) {
      const ExpectedSegment& first = first_segment_candidate();
      if (plain_segments_) {
        failures.push_back({first.where, "expected " + std::to_string(expected.size()) +
                                             " segments, only " + std::to_string(sent_) +
                                             " were sent; missing " +
                                             describe_expected(scenario_, first)});
      } else {
        const auto [candidates, alternatives] = segment_candidates(false);
        failures.push_back({first.where, "only " + std::to_string(sent_) +
                                             " segments were sent, the list needs more: missing " +
                                             candidates + alternatives});
      }
    }
  }
  for (const auto& item : expect.received) {
    ++steps_;
    const ConnectionRecord* record = index.find(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else {
      check_received(item, *record, failures);
    }
  }
  for (const auto& item : expect.counts) {
    ++steps_;
    auto found = result.counters.find(item.counter);
    const std::int64_t actual = found == result.counters.end() ? 0 : found->second;
    if (actual != item.value) {
      failures.push_back({item.where, "count " + item.counter + " is " + std::to_string(actual) +
                                          ", expected " + std::to_string(item.value)});
    }
  }
  std::vector<std::optional<std::string>> messages = never_messages_;
  check_never_events_and_states(scenario_, result, index, messages, steps_);
  for (std::size_t rule = 0; rule < expect.never.size(); ++rule) {
    ++steps_;
    if (messages[rule]) failures.push_back({expect.never[rule].where, std::move(*messages[rule])});
  }
  for (const auto& item : expect.fired) {
    ++steps_;
    const Action& action = scenario_.reactions[item.reaction];
    const Time ran = item.reaction < result.reactions.size() ? result.reactions[item.reaction].ran
                                                             : time_never;
    if (item.fired && ran == time_never) {
      failures.push_back({item.where, reaction_name(action) + " (on " + trigger_text(*action.on) +
                                          ") never ran, expected it to"});
    } else if (!item.fired && ran != time_never) {
      failures.push_back({item.where, reaction_name(action) + " ran at " + seconds(ran) + " (on " +
                                          trigger_text(*action.on) +
                                          "), expected it never to run"});
    }
  }
  // Checked on the whole run, which keeps its trace and application data for them
  // (runner/simulation.cpp).
  for (const auto& item : expect.invariants) {
    ++steps_;
    const std::vector<Violation> violations =
        check_invariants(scenario_, result, {item.invariant});
    if (violations.empty()) continue;
    std::string message = "the " + std::string(invariant_name(item.invariant)) +
                          " invariant is broken: " + violations.front().message;
    if (violations.size() > 1) {
      message += " (and " + std::to_string(violations.size() - 1) + " more)";
    }
    failures.push_back({item.where, std::move(message)});
  }
  return failures;
}

std::vector<ExpectationFailure> check_expectations(const Scenario& scenario,
                                                   const RunResult& result) {
  ExpectationChecker checker(scenario);
  for (const TraceEvent& event : result.trace) checker.event(event, result);
  return checker.finish(result);
}

std::optional<std::string> compare_traces(const std::string& expected, const std::string& actual) {
  if (expected == actual) return std::nullopt;
  std::size_t expected_pos = 0;
  std::size_t actual_pos = 0;
  for (std::size_t line_number = 1;; ++line_number) {
    const std::size_t expected_end = expected.find('\n', expected_pos);
    const std::size_t actual_end = actual.find('\n', actual_pos);
    const std::string expected_line =
        expected_pos >= expected.size()
            ? std::string("(end of golden trace)")
            : expected.substr(expected_pos, expected_end == std::string::npos
                                                ? std::string::npos
                                                : expected_end - expected_pos);
    const std::string actual_line =
        actual_pos >= actual.size()
            ? std::string("(end of trace)")
            : actual.substr(actual_pos, actual_end == std::string::npos ? std::string::npos
                                                                         : actual_end - actual_pos);
    if (expected_line != actual_line) {
      return "first divergent event at trace line " + std::to_string(line_number) +
             ":\n    golden: " + expected_line + "\n    actual: " + actual_line;
    }
    if (expected_end == std::string::npos || actual_end == std::string::npos) {
      return "traces differ in their final bytes (line " + std::to_string(line_number) + ")";
    }
    expected_pos = expected_end + 1;
    actual_pos = actual_end + 1;
  }
}

std::string golden_path_for(const std::string& scenario_path) {
  std::string base = scenario_path;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) {
    base.resize(base.size() - 5);
  }
  return base + ".trace.jsonl";
}

}  // namespace tcpsim::runner
