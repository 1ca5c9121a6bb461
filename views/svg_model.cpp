#include "views/svg_model.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

namespace tcpsim::views::svg_diagram {

using text::wrap_words;

namespace {

// How the diagram shows each timer: its short name and its colour.
struct TimerLook {
  std::string_view short_name;
  std::string_view colour;
};

TimerLook timer_look(tcp::TimerKind kind) {
  switch (kind) {
    case tcp::TimerKind::retransmission: return {"RTO", "#0891b2"};
    case tcp::TimerKind::time_wait: return {"TIME_WAIT", "#7c3aed"};
    case tcp::TimerKind::persist: return {"persist", "#65a30d"};
    case tcp::TimerKind::keepalive: return {"keepalive", "#db2777"};
    case tcp::TimerKind::delayed_ack: return {"delayed ACK", "#0d9488"};
    case tcp::TimerKind::user_timeout: return {"user timeout", "#9333ea"};
    case tcp::TimerKind::fin_wait_2: return {"FIN_WAIT_2", "#b45309"};
  }
  return {"timer", "#6b7280"};
}

// Lifelines and timer brackets take columns the same way: the innermost column free at
// `start` (free_at[k] <= start), or a new one outside the others; it is then taken until
// `busy_until`. Returns the column.
int take_free_column(std::vector<Time>& free_at, Time start, Time busy_until) {
  std::size_t chosen = free_at.size();
  for (std::size_t k = 0; k < free_at.size(); ++k) {
    if (free_at[k] <= start) {
      chosen = k;
      break;
    }
  }
  if (chosen == free_at.size()) free_at.push_back(0);
  free_at[chosen] = busy_until;
  return static_cast<int>(chosen);
}

}  // namespace


std::string DiagramModel::segment_label(const TraceSegment& segment) const {
  return text::segment_label(segment,
                             diagram_label_style(absolute, options.window, options.language));
}
std::string DiagramModel::segment_tooltip_label(const TraceSegment& segment) const {
  text::SegmentLabelStyle style = diagram_label_style(absolute, options.window, options.language);
  style.injected = "";
  return text::segment_label(segment, style);
}
std::string_view timer_colour(tcp::TimerKind kind) { return timer_look(kind).colour; }

DiagramModel::DiagramModel(const runner::Scenario& scenario_in, const runner::RunResult& result_in,
                           const SvgOptions& options_in)
    : scenario(scenario_in),
      result(result_in),
      options(options_in),
      records(result_in),
      absolute(options_in.absolute_seq || runner::scenario_uses_fixed_isns(scenario_in)),
      story(scenario_in, result_in) {
  collect_instants();
  collect_lanes();
  collect_arrows();
  for (Arrow& arrow : arrows) {
    // What its send and its end say, in that order (a copy's send is its original's).
    const SegmentReasons& sent = story.at(arrow.send_step);
    const std::vector<std::string> words =
        reason_words(arrow.end_step == npos ? sent : combined(sent, story.at(arrow.end_step)),
                     language());
    for (const std::string& word : words) {
      arrow.reasons += (arrow.reasons.empty() ? "" : " \u00b7 ") + word;
    }
  }
  collect_drop_groups();
  collect_brackets();
  collect_notes();
}

// ---------------------------------------------------------------- instants (distinct times)
void DiagramModel::collect_instants() {
  for (const TraceEvent& event : trace()) {
    if (instants.empty() || instants.back() != event.time) instants.push_back(event.time);
  }
  const Time last = instants.empty() ? 0 : instants.back();
  end_time = std::max(result.end_time, last);
  if (instants.empty() || end_time > instants.back()) instants.push_back(end_time);
  event_instant.resize(trace().size());
  std::size_t instant = 0;
  for (std::size_t index = 0; index < trace().size(); ++index) {
    while (instants[instant] < trace()[index].time) ++instant;
    event_instant[index] = instant;
  }
}

std::size_t DiagramModel::instant_of(Time time) const {
  const auto it = std::lower_bound(instants.begin(), instants.end(), time);
  if (it == instants.end()) return instants.size() - 1;
  return static_cast<std::size_t>(it - instants.begin());
}

// ---------------------------------------------------------------- lanes (connections)
void DiagramModel::collect_lanes() {
  const auto& records = result.connections;
  lane_of_record.assign(records.size(), -1);
  for (std::size_t index = 0; index < records.size(); ++index) {
    const auto& record = records[index];
    // A connect that failed has no TCB, hence no lifeline (its event is on the host's line).
    if (record.host < 0 || record.host > 1 || record.id == tcp::no_connection) continue;
    Lane lane;
    lane.record = index;
    lane.host = record.host;
    lane.end = end_time;
    lane_of_record[index] = static_cast<int>(lanes.size());
    lanes.push_back(lane);
  }
  std::vector<bool> opened(lanes.size(), false);
  for (std::size_t step = 0; step < trace().size(); ++step) {
    const TraceEvent& event = trace()[step];
    const int index = lane_for(event.host, event.connection);
    if (index < 0) continue;
    Lane& lane = lanes[static_cast<std::size_t>(index)];
    if (!opened[static_cast<std::size_t>(index)]) {
      // The record exists from its first event (normally `open`), in the state it is born
      // in: CLOSED, or LISTEN for a listener's connection.
      opened[static_cast<std::size_t>(index)] = true;
      lane.open = event.time;
      const auto& states = result.connections[lane.record].states;
      lane.spans.push_back({event.time, states.empty() ? tcp::State::closed : states.front()});
    }
    if (event.kind == TraceKind::open && lane.open_step == npos) lane.open_step = step;
    if (event.kind == TraceKind::state) lane.spans.push_back({event.time, event.to});
    if (event.kind == TraceKind::free) {
      lane.free_step = step;
      lane.end = event.time;
    }
  }
  // Lanes: a connection takes the innermost lane free when it opens (a freed one's lane is
  // taken again), so a host with one connection at a time has one lifeline.
  for (int host = 0; host < 2; ++host) {
    std::vector<Time> lane_free_at;
    for (Lane& lane : lanes) {
      if (lane.host != host || lane.spans.empty()) continue;
      // A lane whose connection was freed at the same moment is reused only strictly later,
      // so two lifelines never touch.
      lane.lane = take_free_column(lane_free_at, lane.open,
                                   lane.free_step == npos ? std::numeric_limits<Time>::max()
                                                          : lane.end + 1);
    }
    int columns = static_cast<int>(lane_free_at.size());
    if (columns > svg_detailed_lanes) {
      // The last column is the summary lane: every connection from it outward shares it.
      const int summary = svg_detailed_lanes - 1;
      for (Lane& lane : lanes) {
        if (lane.host != host || lane.spans.empty() || lane.lane < summary) continue;
        lane.lane = summary;
        lane.summarised = true;
        ++summarised_on_host[static_cast<std::size_t>(host)];
      }
      columns = svg_detailed_lanes;
    }
    lane_count[static_cast<std::size_t>(host)] = std::max<int>(1, columns);
    connections_on_host[static_cast<std::size_t>(host)] = 0;
    for (const Lane& lane : lanes) {
      if (lane.host == host && !lane.spans.empty())
        ++connections_on_host[static_cast<std::size_t>(host)];
    }
  }
  // The lanes by host and sockets, in lane order: the lookups below are then linear in the
  // lanes, not quadratic (thousands of connections).
  for (std::size_t index = 0; index < lanes.size(); ++index) {
    const auto& tuple = result.connections[lanes[index].record].tuple;
    lanes_by_sockets[socket_key(lanes[index].host, tuple)].push_back(static_cast<int>(index));
    if (listener_lane(static_cast<int>(index))) {
      listeners_by_port[socket_key(lanes[index].host, tcp::FourTuple{tuple.local, {}})]
          .push_back(static_cast<int>(index));
    }
  }
  // Colours: the two ends of one connection (mirrored sockets, alive at the same time) share
  // one; every other connection gets the next, and the listeners, which send nothing of their
  // own, the ones after those.
  int next_colour = 0;
  for (std::size_t index = 0; index < lanes.size(); ++index) {
    Lane& lane = lanes[index];
    if (result.connections[lane.record].listener) continue;
    const auto& tuple = result.connections[lane.record].tuple;
    // Candidates: the other host's lanes with the mirrored sockets, the first one free.
    const auto mirrored = lanes_by_sockets.find(
        socket_key(1 - lane.host, tcp::FourTuple{tuple.remote, tuple.local}));
    if (mirrored != lanes_by_sockets.end()) {
      for (const int other : mirrored->second) {
        if (static_cast<std::size_t>(other) >= index) break;
        Lane& candidate = lanes[static_cast<std::size_t>(other)];
        if (candidate.peer >= 0) continue;
        if (candidate.end < lane.open || lane.end < candidate.open) continue;
        lane.peer = other;
        candidate.peer = static_cast<int>(index);
        lane.colour = candidate.colour;
        break;
      }
    }
    if (lane.peer < 0) lane.colour = next_colour++;
  }
  for (Lane& lane : lanes) {
    if (result.connections[lane.record].listener) lane.colour = next_colour++;
  }
}

int DiagramModel::lane_for(int host, tcp::ConnectionId id) const {
  const int record = records(host, id);
  return record < 0 ? -1 : lane_of_record[static_cast<std::size_t>(record)];
}

// The connection an arriving segment is for: the receiving host's connection with these
// sockets alive at that moment (the newest, when one was just created for it), else the
// listener on its port, which takes what no connection owns (RFC 9293 3.10.7.2).
int DiagramModel::lane_for_arrival(int host, const TraceSegment& segment, Time time) const {
  auto alive = [&](int index) {
    const Lane& lane = lanes[static_cast<std::size_t>(index)];
    return !lane.spans.empty() && lane.open <= time && time <= lane.end;
  };
  const auto it = lanes_by_sockets.find(
      socket_key(host, tcp::FourTuple{{segment.destination, segment.destination_port},
                                      {segment.source, segment.source_port}}));
  if (it != lanes_by_sockets.end()) {
    for (auto index = it->second.rbegin(); index != it->second.rend(); ++index) {
      if (listener_lane(*index) || !alive(*index)) continue;
      return *index;
    }
  }
  const auto listening = listeners_by_port.find(
      socket_key(host, tcp::FourTuple{{segment.destination, segment.destination_port}, {}}));
  if (listening == listeners_by_port.end()) return -1;
  for (auto index = listening->second.rbegin(); index != listening->second.rend(); ++index) {
    if (alive(*index)) return *index;
  }
  return -1;
}

std::string_view DiagramModel::lane_colour(int lane) const {
  if (lane < 0 || lanes[static_cast<std::size_t>(lane)].summarised) return no_connection_colour;
  const int colour = lanes[static_cast<std::size_t>(lane)].colour;
  return connection_palette[static_cast<std::size_t>(colour) % std::size(connection_palette)];
}

std::string DiagramModel::lane_name(int lane) const {
  if (lane < 0) return "";
  return result.connections[lanes[static_cast<std::size_t>(lane)].record].name;
}

bool DiagramModel::host_has_several(int host) const {
  return host >= 0 && host <= 1 && connections_on_host[static_cast<std::size_t>(host)] > 1;
}

// ---------------------------------------------------------------- arrows
// "held until 3.000 s (rule 'x')", "lost: rule 'x'": a note and the link's cause.
std::string DiagramModel::note_with_cause(const std::string& note, const TraceEvent& event) const {
  const std::string cause = link_cause_label(event.link_cause, language());
  if (cause.empty()) return note;
  return fill(Term::parenthesized, language(), {note, cause});
}

std::string DiagramModel::cause_after_colon(const TraceEvent& event) const {
  const std::string cause = link_cause_label(event.link_cause, language());
  if (cause.empty()) return {};
  return fill(Term::colon, language(), {"", cause});
}

void DiagramModel::collect_arrows() {
  std::map<std::pair<std::uint64_t, bool>, std::vector<std::size_t>> by_key;
  auto find = [&](const TraceSegment& segment, Time time, bool unfinished_only) -> std::size_t {
    const auto it = by_key.find({segment.id, segment.copy});
    if (it == by_key.end()) return npos;
    std::size_t fallback = npos;
    for (const std::size_t index : it->second) {
      const Arrow& arrow = arrows[index];
      if (unfinished_only && arrow.fate != Arrow::Fate::in_flight) continue;
      if (arrow.expected == time) return index;
      if (fallback == npos) fallback = index;
    }
    return fallback;
  };
  for (std::size_t step = 0; step < trace().size(); ++step) {
    const TraceEvent& event = trace()[step];
    const TraceSegment& segment = event.segment;
    switch (event.kind) {
      case TraceKind::send:
      case TraceKind::inject: {  // injected: from the host's own line (no connection's lane)
        Arrow arrow;
        arrow.send_step = step;
        arrow.from_host = event.host;
        arrow.from_lane = lane_for(event.host, event.connection);
        arrow.sent = event.time;
        arrow.segment = segment;
        by_key[{segment.id, false}].push_back(arrows.size());
        arrows.push_back(arrow);
        break;
      }
      case TraceKind::delay: {
        const std::size_t index = find(segment, -2, true);
        if (index == npos) break;
        arrows[index].held = true;
        arrows[index].style_step = step;
        arrows[index].expected = event.deadline;
        arrows[index].note = note_with_cause(
            fill(Term::note_held_until, language(), {format_seconds(event.deadline)}), event);
        break;
      }
      case TraceKind::duplicate: {
        TraceSegment original = segment;
        original.copy = false;
        const std::size_t source = find(original, -2, false);
        if (source == npos) break;
        Arrow copy = arrows[source];
        copy.copy = true;
        copy.held = false;
        copy.segment.copy = true;
        copy.style_step = step;
        copy.expected = event.deadline;
        copy.fate = Arrow::Fate::in_flight;
        copy.end_step = npos;
        copy.note = note_with_cause(std::string(word(Term::copy_made_by_network)), event);
        by_key[{segment.id, true}].push_back(arrows.size());
        arrows.push_back(copy);
        break;
      }
      case TraceKind::drop:
      case TraceKind::expire:
      case TraceKind::deliver: {
        const std::size_t index = find(segment, event.time, true);
        if (index == npos) break;
        Arrow& arrow = arrows[index];
        arrow.end_step = step;
        arrow.arrival = event.time;
        if (event.kind == TraceKind::drop) {
          arrow.fate = Arrow::Fate::dropped;
          arrow.note = std::string(word(Term::note_lost)) + cause_after_colon(event);
        } else if (event.kind == TraceKind::expire) {
          // Only a segment the network held back outlives MSL: it looks held.
          arrow.fate = Arrow::Fate::expired;
          arrow.held = true;
          arrow.note = std::string(word(Term::note_expired)) + cause_after_colon(event);
        } else {
          arrow.fate = Arrow::Fate::delivered;
          arrow.to_lane = lane_for_arrival(event.host, segment, event.time);
        }
        break;
      }
      case TraceKind::discard: {
        if (segment.id == 0) break;
        const auto it = by_key.find({segment.id, segment.copy});
        if (it == by_key.end()) break;
        // The arrival just before it at this host.
        for (auto index = it->second.rbegin(); index != it->second.rend(); ++index) {
          Arrow& arrow = arrows[*index];
          if (arrow.fate == Arrow::Fate::delivered && arrow.arrival == event.time &&
              arrow.discard_step == npos) {
            arrow.discard_step = step;
            break;
          }
        }
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------- drops sharing a line
void DiagramModel::collect_drop_groups() {
  // Which losses are one burst is views/lost_bursts.hpp's to say; here each burst, or each
  // segment lost alone, is a group, and the groups lost at one instant from one lane take
  // slots in the order their first was sent.
  const LostBursts bursts(result, story);
  std::map<const LostBurst*, std::size_t> group_of_burst;
  std::map<std::tuple<int, int, std::size_t>, int> slots_at_moment;
  for (std::size_t index = 0; index < arrows.size(); ++index) {
    Arrow& arrow = arrows[index];
    if (arrow.fate != Arrow::Fate::dropped) continue;
    const LostBurst* burst = bursts.of(arrow.end_step);
    const auto found = burst == nullptr ? group_of_burst.end() : group_of_burst.find(burst);
    if (found != group_of_burst.end()) {
      arrow.drop_group = found->second;
    } else {
      arrow.drop_group = drop_groups.size();
      int& slots = slots_at_moment[{arrow.from_host, arrow.from_lane, instant_of(arrow.sent)}];
      drop_groups.push_back({{}, slots++,
                             burst == nullptr ? std::string()
                                              : lost_burst_label(result, *burst, language())});
      if (burst != nullptr) group_of_burst.emplace(burst, arrow.drop_group);
    }
    drop_groups[arrow.drop_group].members.push_back(index);
  }
}

// ---------------------------------------------------------------- timer brackets
void DiagramModel::collect_brackets() {
  std::map<std::tuple<int, tcp::ConnectionId, int>, std::size_t> armed;
  for (std::size_t step = 0; step < trace().size(); ++step) {
    const TraceEvent& event = trace()[step];
    if (event.kind != TraceKind::timer_set && event.kind != TraceKind::timer_cancel &&
        event.kind != TraceKind::timer_fire) {
      continue;
    }
    const auto key = std::make_tuple(event.host, event.connection, static_cast<int>(event.timer));
    const auto it = armed.find(key);
    if (it != armed.end()) {
      Bracket& bracket = brackets[it->second];
      bracket.end_time = event.time;
      bracket.end_step = step;
      bracket.end = event.kind == TraceKind::timer_fire     ? Bracket::End::fired
                    : event.kind == TraceKind::timer_cancel ? Bracket::End::cancelled
                                                            : Bracket::End::replaced;
      armed.erase(it);
    } else if (event.kind != TraceKind::timer_set) {
      lone_timer_steps.push_back(step);  // nothing armed that we saw: a mark alone
    }
    if (event.kind == TraceKind::timer_set) {
      Bracket bracket;
      bracket.host = event.host;
      bracket.lane = lane_for(event.host, event.connection);
      bracket.kind = event.timer;
      bracket.set = event.time;
      bracket.deadline = event.deadline;
      bracket.set_step = step;
      bracket.end_time = end_time;
      armed[key] = brackets.size();
      brackets.push_back(bracket);
    }
  }
  if (!options.timers) {
    // Only the timers that fire are drawn; the rest is the ladder's --no-timers.
    std::vector<Bracket> kept;
    for (const Bracket& bracket : brackets) {
      if (bracket.end == Bracket::End::fired) kept.push_back(bracket);
    }
    brackets = std::move(kept);
    lone_timer_steps.clear();
  }
  // Columns: each bracket takes the innermost column free at its start (a restarted timer
  // continues in the same column).
  for (int host = 0; host < 2; ++host) {
    std::vector<Time> busy_until;
    for (Bracket& bracket : brackets) {
      if (bracket.host != host) continue;
      bracket.column = take_free_column(busy_until, bracket.set, bracket.end_time);
    }
    timer_columns[static_cast<std::size_t>(host)] = static_cast<int>(busy_until.size());
  }
}

// ---------------------------------------------------------------- notes beside lifelines
void DiagramModel::add_note(std::size_t step, int host, std::string text, std::string css_class,
              std::string_view colour, std::string title) {
  if (host < 0 || host > 1) return;
  const TraceEvent& event = trace()[step];
  Note note;
  note.step = step;
  note.css_class = std::move(css_class);
  note.colour = colour;
  note.title = std::move(title);
  const int lane = lane_for(host, event.connection);
  if (lane >= 0 && host_has_several(host)) {
    note.prefix = lane_name(lane) + " ";
    note.prefix_colour = lane_colour(lane);
  }
  note.rows = wrap_words(text, note_wrap_chars, text::display_width(note.prefix));
  notes[event_instant[step]][static_cast<std::size_t>(side_of(host))].push_back(note);
}

void DiagramModel::collect_notes() {
  notes.assign(instants.size(), {});
  const Language lang = language();
  const auto host_name = [&](int host) {
    return host >= 0 && static_cast<std::size_t>(host) < scenario.hosts.size()
               ? scenario.hosts[static_cast<std::size_t>(host)].name
               : std::string();
  };
  for (std::size_t step = 0; step < trace().size(); ++step) {
    const TraceEvent& event = trace()[step];
    const int host = event.host;
    const std::string reason = rule_reason(event.rule, lang);
    switch (event.kind) {
      case TraceKind::action:
        add_note(step, host,
                 "\u25b8 " + (lang == Language::english
                                  ? event.text
                                  : action_words(event.action, host_name(host), lang)),
                 "act", "", std::string(word(Term::application_call)));
        break;
      case TraceKind::action_failed:
        add_note(step, host,
                 "! " + (lang == Language::english
                             ? event.text
                             : failure_words(event.action, host_name(host), lang)),
                 "fail", "", std::string(word(Term::the_call_failed)));
        break;
      case TraceKind::state:
        add_note(step, host, std::string(tcp::state_name(event.to)), "state",
                 state_text_colour(event.to),
                 fill(Term::colon, lang,
                      {std::string(tcp::state_name(event.from)) + " \u2192 " +
                           std::string(tcp::state_name(event.to)),
                       reason}));
        break;
      case TraceKind::app: {
        std::string what(app_event_word(event.app_event, lang));
        if (event.app_event == tcp::AppEventKind::data) {
          what += " " + fill(Term::bytes, lang, {std::to_string(event.data.size())}) + " " +
                  text::quoted_payload(event.data, 16);
        }
        std::string text = fill(Term::app_prefix, lang, {what});
        if (event.app_event == tcp::AppEventKind::connect_failed) {
          // No connection exists to draw it on: the note names the connect and says why.
          if (!event.socket.empty()) text = event.socket + " " + text;
          text = fill(Term::colon, lang, {text, reason});
          add_note(step, host, text, "fail", "", reason);
          break;
        }
        add_note(step, host, text, "app", "", reason);
        break;
      }
      case TraceKind::timer_fire:
        add_note(step, host,
                 fill(Term::timer_fires, lang, {timer_short_word(event.timer, lang)}), "timer",
                 timer_colour(event.timer),
                 fill(Term::timer_fires, lang, {timer_word(event.timer, lang)}));
        break;
      case TraceKind::discard: {
        std::string text = "\u2298 " +
                           fill(Term::discards, lang,
                                {event.segment.id != 0
                                     ? "#" + std::to_string(event.segment.id) +
                                           (event.segment.copy ? "'" : "")
                                     : tcp::flags_to_string(event.segment.flags)});
        if (!reason.empty()) text = fill(Term::colon, lang, {text, reason});
        add_note(step, host, text, "discard", "", segment_label(event.segment));
        break;
      }
      case TraceKind::free:
        if (!event.text.empty()) {
          add_note(step, host,
                   fill(Term::record_deleted, lang,
                        {event.rule != tcp::Rule::none ? reason : event.text}),
                   "act", "", std::string(word(Term::connection_record_deleted)));
        }
        break;
      default:
        break;  // segments are arrows, timers brackets, a record's creation a lifeline mark
    }
  }
}


}  // namespace tcpsim::views::svg_diagram
