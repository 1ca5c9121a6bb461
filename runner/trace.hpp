// The canonical trace: every event of a run, in the order it happened. All views (JSON Lines,
// the terminal ladder) and all checks (expectations, golden traces) are computed from it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "sim/link_cause.hpp"
#include "tcp/rules.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

enum class TraceKind : std::uint8_t {
  action,        // the timeline made an application call; `action` says which
  action_failed, // the call could not be made; `action` says which and why
  send,          // a host put a segment on the link; `rule` says why when it is not routine
  deliver,       // the segment (or a copy) reached the other host
  drop,          // the link lost it; `link_cause` names the rule or the random model
  expire,        // the network discarded it: older than MSL (`link_cause`)
  delay,         // the link holds it back beyond the normal delay; `link_cause` says why,
                 // `deadline` is the arrival
  duplicate,     // the link made a copy (`link_cause`); `deadline` is the copy's arrival
  discard,       // the receiving host's TCP dropped it; `rule` says why
  state,         // a connection changed state by `rule`
  timer_set,     // `deadline` is when it fires; `rounded_by` how far the timer wheel moved it
  timer_cancel,
  timer_fire,
  app,           // the application was told `app_event`, by `rule`
  open,          // a connection record was created; `text` is its 4-tuple
  free,          // a connection record was deleted
  inject,        // the script put a crafted segment on the wire (an inject action); `host` is
                 // the lane it comes from: the far side of the link from its destination
};
std::string_view trace_kind_name(TraceKind kind);

// What became of a timeline action (TraceKind::action and action_failed).
enum class ActionOutcome : std::uint8_t {
  called,            // the call was made
  write_waits,       // SEND took `bytes` of a write, `waiting` bytes wait for room (a blocking
                     // write); an action event
  // What a refused listen, send or close returned. The trace does not write these as
  // action_failed events: the core decides the refusal and tells the application why with an
  // app event (listen_failed, send_failed, close_failed), which the trace records instead.
  port_in_use,       // listen: the port is already in use
  no_connection,     // no open connection named `name` on the host
  not_accepted_yet,  // a call on a listener's connection before accept() returned it (before
                     // ESTABLISHED): the application cannot name it yet
  refused_by_tcp,    // TCP refused the call in the connection's state (RFC 9293 3.10)
  run_error,         // not performed: the run stopped with an error (RunResult::error); never
                     // traced, only reported (runner::ActionReport)
};

// A timeline action as the trace records it: the call and its arguments as fields, so that no
// view reads them out of the text.
struct ActionCause {
  ActionKind kind = ActionKind::listen;
  ActionOutcome outcome = ActionOutcome::called;
  // listen: the listener's name; connect: the connection's name ("" when it has none); the
  // other calls: the connection they act on.
  std::string name;
  tcp::Address address = 0;  // connect: the remote address
  tcp::Port port = 0;        // listen: the local port; connect: the remote port
  int backlog = 0;           // listen
  std::size_t bytes = 0;     // send: the write's size; write_waits: what the send buffer took
  std::size_t waiting = 0;   // write_waits: the bytes still waiting
  std::optional<std::size_t> read_bytes;  // read: at most this many; none: all that is buffered
};
// The action's English as the trace prints it ("listen on port 80 as web (backlog 5)",
// "close: no open connection named c1 on client").
std::string action_text(const ActionCause& cause, std::string_view host_name);
// The call's name in words: the timeline's action name (runner/vocabulary.hpp) with spaces,
// "listen", "stop reading".
std::string action_call_name(ActionKind kind);

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
  // The RFC 7323 and RFC 2018 options, as tcp::Segment holds them (absent: -1, false, 0).
  std::int8_t window_scale = -1;
  bool sack_permitted = false;
  bool has_timestamps = false;
  std::uint32_t timestamp_value = 0;
  std::uint32_t timestamp_echo = 0;
  std::uint8_t sack_block_count = 0;
  std::array<tcp::SackBlock, tcp::max_sack_blocks> sack_blocks{};
  std::uint32_t length = 0;
  std::vector<std::uint8_t> payload;  // the `length` payload bytes (the pcap view writes them)
  std::int64_t relative_seq = 0;
  std::int64_t relative_ack = 0;
  bool has_relative_seq = false;
  bool has_relative_ack = false;
  // The sender's TCP sent this segment's sequence space before (tcp::Effect::retransmission).
  bool retransmission = false;
  // The script crafted it (an inject action), on every event of the segment.
  bool injected = false;
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
  tcp::AppEventKind app_event = tcp::AppEventKind::connected;
  tcp::Rule rule = tcp::Rule::none;  // send, discard, state, app, free: the core's rule
  Time deadline = 0;
  // timer_set: `deadline` minus the deadline the connection asked for, when the timer wheel
  // moved it (tcp::Effect::rounded_by: rounded up, or cut to the wheel's range); 0 otherwise.
  // (The small fields sit before `deadline`, in its alignment's padding, so that this one adds
  // no bytes to an event.)
  Duration rounded_by = 0;
  ActionCause action;                // action, action_failed
  sim::LinkCause link_cause;         // drop, expire, delay, duplicate: why the link did it
  // open: the listener whose copy the connection is, born in LISTEN (no_connection for a
  // connection of a connect, or a listener, both born in CLOSED).
  tcp::ConnectionId listener = tcp::no_connection;
  // app connect_failed, listen_failed: the application's name for the connection or listener
  // it could not make (no TCB exists, so `connection` is no_connection; "" for an unnamed
  // connect).
  std::string socket;
  // What the trace prints as "why": the rule's reason, the action's text or the link's cause
  // (each rendered from the fields above when the event is recorded), or an open event's
  // 4-tuple. Views read the fields, not this.
  std::string text;
  std::vector<std::uint8_t> data;  // app data events
  // send of data or a FIN with congestion control on (tcp::Effect::has_congestion): the
  // sender's cwnd, ssthresh (tcp::unlimited_window before a loss) and bytes in flight.
  bool has_congestion = false;
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = 0;
  std::uint32_t in_flight = 0;
};

bool is_segment_event(TraceKind kind);

// A tcp::Segment holding the trace segment's options and nothing else, for
// tcp::encode_options (the pcap view, the packetdrill matcher).
tcp::Segment options_of(const TraceSegment& segment);

}  // namespace tcpsim::runner
