// The canonical trace: every event of a run, in the order it happened. All views (JSON Lines,
// the terminal ladder) and all checks (expectations, golden traces) are computed from it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

enum class TraceKind : std::uint8_t {
  action,        // the timeline made an application call; `text` describes it
  action_failed, // the call could not be made; `text` says why
  send,          // a host put a segment on the link
  deliver,       // the segment (or a copy) reached the other host
  drop,          // the link lost it; `text` names the rule or the random model
  expire,        // the network discarded it: older than MSL
  delay,         // the link holds it back beyond the normal delay; `text` says why, `deadline`
                 // is the arrival
  duplicate,     // the link made a copy; `deadline` is the copy's arrival
  discard,       // the receiving host's TCP dropped it; `text` says why
  state,         // a connection changed state; `text` cites the rule
  timer_set,     // `deadline` is when it fires
  timer_cancel,
  timer_fire,
  app,           // the application was told `app_event`
  open,          // a connection record was created
  free,          // a connection record was deleted
};
std::string_view trace_kind_name(TraceKind kind);

// A segment as the trace shows it. seq and ack are absolute; relative_* are relative to the
// stream's ISNs as seen on the wire (valid when has_relative_*).
struct TraceSegment {
  std::uint64_t id = 0;  // 1, 2, 3 ... in order of sending; a copy keeps its original's id
  bool copy = false;
  tcp::Address source = 0;
  tcp::Address destination = 0;
  tcp::Port source_port = 0;
  tcp::Port destination_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::uint16_t mss = 0;
  std::uint32_t length = 0;
  std::vector<std::uint8_t> payload;  // the `length` payload bytes (the pcap view writes them)
  std::int64_t relative_seq = 0;
  std::int64_t relative_ack = 0;
  bool has_relative_seq = false;
  bool has_relative_ack = false;
  bool retransmission = false;
};

struct TraceEvent {
  Time time = 0;
  TraceKind kind = TraceKind::action;
  int host = -1;  // index into the scenario's hosts; -1 for none
  tcp::ConnectionId connection = tcp::no_connection;
  TraceSegment segment;
  tcp::State from = tcp::State::closed;
  tcp::State to = tcp::State::closed;
  tcp::TimerKind timer = tcp::TimerKind::retransmission;
  Time deadline = 0;
  tcp::AppEventKind app_event = tcp::AppEventKind::connected;
  std::string text;
  std::vector<std::uint8_t> data;  // app data events
};

bool is_segment_event(TraceKind kind);

}  // namespace tcpsim::runner
