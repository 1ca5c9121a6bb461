// The SVG ladder diagram, step 1 of 3: the model, what to draw, computed from the scenario and
// the canonical trace alone (no coordinates): the distinct moments, one lifeline per connection
// and its states, one arrow per segment or copy and its fate, one bracket per timer, the notes
// beside the lifelines. views/svg_layout.hpp places them, views/svg.cpp draws them.
// Internal to the SVG view (and the HTML view through views/svg.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"
#include "views/lost_bursts.hpp"
#include "views/segment_reasons.hpp"
#include "views/svg.hpp"
#include "views/text.hpp"

namespace tcpsim::views::svg_diagram {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;
using tcpsim::Time;

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// The diagram's words (views/svg.hpp).
inline std::string format_seconds(Time time) { return text::seconds(time, diagram_decimals); }

// A note beside a lifeline wraps at this many characters.
constexpr std::size_t note_wrap_chars = 44;

std::string_view timer_colour(tcp::TimerKind kind);

// Connection colours: distinct, dark enough for text, none of them the red of loss or the
// brown of a held segment.
constexpr std::string_view connection_palette[] = {"#1d4ed8", "#0f766e", "#7e22ce",
                                                   "#be185d", "#4d7c0f", "#0e7490",
                                                   "#6d28d9", "#9d174d"};
constexpr std::string_view no_connection_colour = "#475569";
constexpr std::string_view loss_colour = "#dc2626";
constexpr std::string_view held_colour = "#b45309";
// A segment the script injected: it starts on the host's own line (no connection sent it).
constexpr std::string_view injected_colour = "#c026d3";

// One connection's lifeline.
struct Lane {
  std::size_t record = 0;  // index into RunResult::connections
  int host = 0;
  Time open = 0;
  Time end = 0;  // freed, or the end of the run
  std::size_t open_step = npos;
  std::size_t free_step = npos;
  int lane = 0;
  int colour = 0;
  int peer = -1;  // the connection on the other host with the same sockets, alive at once
  bool summarised = false;  // in the host's summary lane (svg_detailed_lanes)
  struct Span {
    Time from = 0;
    tcp::State state = tcp::State::closed;
  };
  std::vector<Span> spans;
};

// One arrow: a segment (or a copy) from its sending to its arrival, loss or expiry.
struct Arrow {
  enum class Fate : std::uint8_t { in_flight, delivered, dropped, expired };
  std::size_t send_step = 0;
  std::size_t end_step = npos;     // deliver, drop or expire
  std::size_t style_step = npos;   // delay (held) or duplicate (copy)
  std::size_t discard_step = npos;  // the receiving TCP dropped it
  Fate fate = Fate::in_flight;
  bool copy = false;
  bool held = false;
  int from_host = 0;
  int from_lane = -1;  // index into lanes, -1 for the host's own line
  int to_lane = -1;
  Time sent = 0;
  Time arrival = 0;      // the end's time
  Time expected = -1;    // the arrival the link announced (delay or duplicate), -1 if unknown
  std::string note;      // why it was held, copied, lost or expired
  std::string reasons;   // why it was sent and what its arrival meant (views/segment_reasons.hpp)
  std::size_t drop_group = npos;  // a lost segment's DropGroup
  TraceSegment segment;
};

// The segments of a lost burst (views/lost_bursts.hpp: one instant, one sender, one cause, the
// same reasons; a queue that overflows drops tens at once) share one line, where a label each
// would lie on one another: they get one label, "#13–#68 lost (56 segments)". A segment lost
// alone is a group of one. Groups lost at one instant from one lane for other reasons (or from
// other connections in a summary lane) take the next slots, each line longer than the one
// before (drop_slot_height), so their labels and crosses stand apart.
struct DropGroup {
  std::vector<std::size_t> members;  // indices into arrows, in the order sent
  int slot = 0;
  std::string label;  // the summary when there are several members, else empty
};

struct Bracket {
  enum class End : std::uint8_t { open, fired, cancelled, replaced };
  int host = 0;
  int lane = -1;
  tcp::TimerKind kind = tcp::TimerKind::retransmission;
  Time set = 0;
  Time deadline = 0;
  Time end_time = 0;
  std::size_t set_step = 0;
  std::size_t end_step = npos;
  End end = End::open;
  int column = 0;
};

// Text written beside a host's lifeline at one moment, one event's worth.
struct Note {
  std::size_t step = 0;
  std::string prefix;  // the connection's name, in its colour, when the host has several
  std::string_view prefix_colour;
  std::vector<std::string> rows;
  std::string css_class;
  std::string_view colour;  // empty: the class's colour
  std::string title;
};

class DiagramModel {
 public:
  // Keeps references: scenario, result and options must outlive the model.
  DiagramModel(const runner::Scenario& scenario, const runner::RunResult& result,
               const SvgOptions& options);

  static int side_of(int host) { return host == 1 ? 1 : 0; }
  // A segment's label as the arrows carry it, and a term in the diagram's language.
  std::string segment_label(const TraceSegment& segment) const;
  // The label as its tooltip starts: without the injected mark, since the tooltip's words say
  // who injected it (Term::segment_injected_at).
  std::string segment_tooltip_label(const TraceSegment& segment) const;
  std::string_view word(Term which) const { return term(which, options.language); }
  Language language() const { return options.language; }
  const std::vector<TraceEvent>& trace() const { return result.trace; }
  int host_count() const {
    return static_cast<int>(std::min<std::size_t>(scenario.hosts.size(), 2));
  }
  // The index of the first instant at or after `time` (the last one if none).
  std::size_t instant_of(Time time) const;
  // The lane (index into lanes) of a host's connection, -1 for none.
  int lane_for(int host, tcp::ConnectionId id) const;
  // The connection an arriving segment is for: the receiving host's connection with these
  // sockets alive at that moment (the newest, when one was just created for it).
  int lane_for_arrival(int host, const TraceSegment& segment, Time time) const;
  std::string_view lane_colour(int lane) const;
  std::string lane_name(int lane) const;
  bool host_has_several(int host) const;

  const runner::Scenario& scenario;
  const runner::RunResult& result;
  const SvgOptions& options;
  const runner::ConnectionIndex records;
  const bool absolute;  // absolute sequence numbers (asked for, or every ISN is fixed)
  const SegmentStory story;

  std::vector<Time> instants;               // the distinct times, and the end of the run
  std::vector<std::size_t> event_instant;   // trace index -> instant index
  Time end_time = 0;

  std::vector<Lane> lanes;
  std::vector<int> lane_of_record;          // RunResult::connections index -> lane, -1
  // A host's lanes by their sockets (local address and port, remote address and port).
  using SocketKey = std::tuple<int, tcp::Address, tcp::Port, tcp::Address, tcp::Port>;
  static SocketKey socket_key(int host, const tcp::FourTuple& tuple) {
    return {host, tuple.local.address, tuple.local.port, tuple.remote.address,
            tuple.remote.port};
  }
  std::map<SocketKey, std::vector<int>> lanes_by_sockets;  // lane indices, in order
  std::map<SocketKey, std::vector<int>> listeners_by_port;  // local side only, remote {}
  bool listener_lane(int lane) const {
    return result.connections[lanes[static_cast<std::size_t>(lane)].record].listener;
  }
  std::array<int, 2> lane_count = {1, 1};   // lifeline columns per host
  std::array<int, 2> connections_on_host = {0, 0};
  std::array<int, 2> summarised_on_host = {0, 0};  // connections in the summary lane
  std::vector<Arrow> arrows;
  std::vector<DropGroup> drop_groups;
  std::vector<Bracket> brackets;
  std::vector<std::size_t> lone_timer_steps;  // a cancel or fire with no set seen
  std::array<int, 2> timer_columns = {0, 0};
  std::vector<std::array<std::vector<Note>, 2>> notes;  // per instant, per side

 private:
  void collect_instants();
  void collect_lanes();
  void collect_arrows();
  void collect_drop_groups();
  std::string note_with_cause(const std::string& note, const TraceEvent& event) const;
  std::string cause_after_colon(const TraceEvent& event) const;
  void collect_brackets();
  void add_note(std::size_t step, int host, std::string text, std::string css_class,
                std::string_view colour, std::string title);
  void collect_notes();
};

}  // namespace tcpsim::views::svg_diagram
