// A scenario as the runner uses it: parsed, validated, with host names resolved to indices and
// durations to nanoseconds. The JSON format is documented in docs/scenario-format.md and
// docs/scenario.schema.json; the loader (scenario_loader.hpp) is the only code that reads JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/memory_budget.hpp"
#include "runner/shared_bytes.hpp"
#include "sim/link.hpp"
#include "tcp/config.hpp"
#include "tcp/host.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

// Where a value stood in the scenario file, for error and failure messages.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string json_path;  // "$.hosts[1].tcp.msl"
  // "file:line:col" (the JSON path is printed separately)
  std::string position() const;
};

struct HostSpec {
  std::string name;   // an ASCII identifier: the timeline, faults, expectations and trace use it
  std::string label;  // "label": any Unicode text the views show instead of the name ("" none)
  tcp::Address address = 0;
  std::string profile = "rfc9293";  // or "linux"
  tcp::TcpConfig tcp;               // profile applied first, then explicit keys
  // "ephemeral_ports": the ports a connect without "local_port" takes (tcp::HostConfig).
  tcp::Port ephemeral_first = tcp::HostConfig{}.ephemeral_first;
  tcp::Port ephemeral_last = tcp::HostConfig{}.ephemeral_last;
  // "stack": "none": a scripted host. It has no TCP: segments reach it and are traced as
  // delivered, nothing answers, and only inject actions speak for it (a packetdrill peer).
  bool scripted = false;
  SourceLocation where;
};

enum class ActionKind : std::uint8_t {
  listen,
  connect,
  send,
  close,
  abort,
  crash,
  reboot,
  read,            // the application reads from a connection in manual read mode
  stop_reading,    // the connection switches to manual reads: bytes wait in the receive buffer
  resume_reading,  // back to automatic reads: everything buffered is read now, and from then on
  inject,          // the script puts a crafted segment on the wire (InjectSpec)
  configure,       // socket options changed on a live connection or listener (setsockopt)
};

// An inject action's segment (docs/scenario-format.md, "inject"). Action::host is the host it
// is sent to; Action::data is its payload.
struct InjectSpec {
  // A connection's name: "from" and "to" default to its remote and local endpoints, "seq" is
  // relative to its IRS and "ack" to its ISS, as packetdrill writes an inbound segment. "":
  // everything absolute.
  std::string relative_to;
  std::optional<tcp::Address> from_address;  // absent: relative_to's remote address
  std::optional<tcp::Port> from_port;        // absent: relative_to's remote port
  std::optional<tcp::Port> to_port;          // absent: relative_to's local port
  std::uint8_t flags = 0;
  std::int64_t seq = 0;               // absolute (0 .. 2^32-1), or added to relative_to's IRS
  std::optional<std::int64_t> ack;    // the same, to its ISS; absent: 0, not relative
  std::uint16_t window = 65535;
  std::uint16_t mss = 0;  // the MSS option; 0: none
  // RFC 7323 and RFC 2018 options (tcp::Segment's fields): window scale (-1: none),
  // SACK-permitted, timestamps (when has_timestamps).
  std::int8_t window_scale = -1;
  bool sack_permitted = false;
  bool has_timestamps = false;
  std::uint32_t timestamp_value = 0;
  std::uint32_t timestamp_echo = 0;
  bool direct = false;    // arrives at once, without the link ("via": "direct")
};

// What a reactive action ("on" instead of "at") waits for. It fires once, the first time the
// trigger happens after the run starts (docs/scenario-format.md, "Reactive actions").
struct ActionTrigger {
  enum class Kind : std::uint8_t {
    event,   // the connection's application is told `event`
    state,   // the connection enters `state`
    action,  // the action `action` (an index, below) has run
  } kind = Kind::event;
  std::string connection;  // event, state: a connection name, as in expectations
  tcp::AppEventKind event = tcp::AppEventKind::connected;
  tcp::State state = tcp::State::closed;
  std::string action_id;  // action: the "id" of the action waited for
  // action: the action waited for, in Scenario::timeline or (reactive) Scenario::reactions.
  bool action_is_reaction = false;
  std::size_t action_index = 0;
  SourceLocation where;  // the "on" object
};

// The trigger in words: "end_of_stream on web#1", "web#1 entering CLOSE_WAIT", "action \"x\"".
std::string trigger_text(const ActionTrigger& trigger);

struct Action {
  Time at = 0;  // a timed action; a reactive one has `on` instead
  // "id": a name other actions' "on" and the "fired" expectation use ("" for none).
  std::string id;
  // A reactive action: its trigger, and the delay from the trigger to the action ("after").
  std::optional<ActionTrigger> on;
  Time after = 0;
  ActionKind kind = ActionKind::listen;
  int host = 0;  // index into Scenario::hosts
  // listen: the port; connect: the remote port.
  tcp::Port port = 0;
  // connect: the local port, 0 for the next ephemeral one.
  tcp::Port local_port = 0;
  int backlog = 128;  // listen
  // connect: the connection's name; listen: the listener's name (children are "<name>#<k>").
  std::string name;
  // send, close, abort: the target connection's name.
  std::string connection;
  // send: the bytes ("data": text, or "bytes": N for N bytes of the pattern "abc...z" repeated).
  // The send buffer may take fewer at once; the runner keeps the rest and offers it again as
  // the buffer drains, as a blocking write would. Every "bytes" send shares one pattern.
  // inject: the segment's payload, read the same way.
  SharedBytes data;
  // read: at most this many bytes; absent: everything the receive buffer holds.
  std::optional<std::size_t> read_bytes;
  // listen (for every connection it spawns), connect: "read": "automatic" (default) or "manual".
  bool automatic_read = true;
  // listen (the listener and every connection it spawns), connect: the connection's own TCP
  // config, the host's with the action's "tcp" knobs applied; absent: the host's.
  // configure: `tcp` holds the values of the knobs named here (every one live, tcp/knobs.hpp),
  // which replace the connection's own when the action runs; its other knobs are unused.
  std::optional<tcp::TcpConfig> tcp;
  std::vector<std::string_view> configure_knobs;
  InjectSpec inject;  // inject
  SourceLocation where;
  // The index of its element in the file's "timeline" (0 for an action not from a file):
  // between actions of the same time, a RepeatedAction's instance and a timeline action run in
  // file order, as if the repeat had been written out where it stands.
  std::uint32_t order = 0;
};

// A "repeat" of an inject whose instances differ only in their time, source address and
// source port (no "{i}", "bytes" or "id"): a spoofed SYN flood. Held once, not expanded: the run
// makes each instance as the clock reaches it, so a million SYNs cost one action, not a million
// (docs/scenario-format.md, "repeat"). Other repeats are expanded into Scenario::timeline.
struct RepeatedAction {
  Action first;  // instance 1, as the file gives it (kind inject)
  std::uint32_t count = 1;
  Duration every = 0;
  // "ports" and "addresses": instance k (from 0) takes first + k % span; span 0: not given.
  tcp::Port port_first = 0;
  std::uint32_t port_span = 0;
  tcp::Address address_first = 0;
  std::uint32_t address_span = 0;

  Time at(std::uint32_t k) const { return first.at + static_cast<Time>(k) * every; }
  // Turns `action` (a copy of `first`) into instance k (from 0): its time, address and port.
  void make_instance(std::uint32_t k, Action& action) const {
    action.at = at(k);
    if (port_span != 0) {
      action.inject.from_port = static_cast<tcp::Port>(port_first + k % port_span);
    }
    if (address_span != 0) action.inject.from_address = address_first + k % address_span;
  }
};

// A reactive action for messages: "action \"greet\"", or "the send at $.timeline[3]".
std::string reaction_name(const Action& action);
// Why a reactive action runs, as the trace appends it to the action's text: "reacting to
// end_of_stream on web#1", "reacting to action \"x\", 10ms later".
std::string reaction_cause_text(const Action& action);

// --- Expectations ---
// A name with '*' is a pattern ('*' matches any run of characters): every connection whose
// name matches (or whose "<host>/<k>", for a pattern with '/'), listeners aside, must end in the
// state, and one at least must match.
struct ExpectedFinalState {
  std::string connection;
  bool pattern = false;
  tcp::State state = tcp::State::closed;
  SourceLocation where;
};

struct ExpectedStateSequence {
  std::string connection;
  std::vector<tcp::State> states;  // every state the connection was in, in order, from its first
  SourceLocation where;
};

struct ExpectedAppEvent {
  tcp::AppEventKind event = tcp::AppEventKind::connected;
  std::optional<Time> at;
  std::optional<std::vector<std::uint8_t>> data;  // for "data" events: the exact bytes
  SourceLocation where;
};
struct ExpectedAppEvents {
  std::string connection;
  std::vector<ExpectedAppEvent> events;  // the connection's complete list, in order
  SourceLocation where;
};

// One segment as sent by a host, packetdrill-style: seq and ack relative to the ISNs of the
// stream (the sender's ISN for seq, the receiver's for ack), as Wireshark shows them.
// An entry of "segments" is one segment, possibly "optional" (present or not), or, when
// `any_of` is not empty, {"any_of": [[...], [...]]}: one of several alternative sequences of
// segments (each of them may be optional; any_of does not nest), where the RFCs allow more
// than one behaviour. The other fields of an any_of entry are unused.
struct ExpectedSegment {
  int from = 0;  // host index
  std::uint8_t flags = 0;
  std::optional<std::int64_t> seq;
  std::optional<std::int64_t> ack;
  std::optional<std::uint32_t> length;
  std::optional<Time> at;
  // The window field and the RFC 7323 and RFC 2018 options: window scale (-1: absent), TSval,
  // TSecr, and the SACK blocks (relative as `ack` is; an empty list: none).
  std::optional<std::uint32_t> window;
  std::optional<int> window_scale;
  std::optional<std::uint32_t> timestamp_value;
  std::optional<std::uint32_t> timestamp_echo;
  std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> sack;
  bool optional = false;
  std::vector<std::vector<ExpectedSegment>> any_of;
  SourceLocation where;
};

// Everything the application of a connection received, as one byte string (the concatenation of
// its data events): "received": {"web#1": "text"} or {"web#1": {"bytes": N}} (N bytes of the
// "abc...z" pattern) or {"web#1": {"length": N}} (only the count).
struct ExpectedReceived {
  std::string connection;
  std::optional<SharedBytes> data;
  std::optional<std::uint64_t> length;
  SourceLocation where;
};

// "final_state_counts": {"c*": {"TIME_WAIT": 900, "CLOSED": 100}}: how many of the connections
// matching the pattern (as ExpectedFinalState's) ended in each state; the complete distribution,
// so a state not listed must have none.
struct ExpectedStateCounts {
  std::string pattern;
  std::vector<std::pair<tcp::State, std::int64_t>> counts;  // in file order
  SourceLocation where;
};

struct ExpectedCount {
  // "<host>.<app event>" (e.g. "server.accepted"), "<host>.sent", "<host>.sent.<FLAG>",
  // "<host>.retransmissions", "link.dropped", "link.expired", "link.duplicated", "link.delayed",
  // "<host>.discarded", "<host>.connections" (connections ever created),
  // "<host>.fast_retransmissions", "<host>.window_probes", "<host>.keepalive_probes",
  // "<host>.bytes_received" (bytes delivered to the host's applications).
  std::string counter;
  std::int64_t value = 0;
  SourceLocation where;
};

struct ExpectedNever {
  enum class Kind : std::uint8_t { segment, event, state } kind = Kind::segment;
  std::optional<int> host;  // segment: the sender; event/state: the host
  std::optional<std::string> connection;
  std::optional<std::uint8_t> flags_exact;
  std::optional<std::uint8_t> flags_contain;
  tcp::AppEventKind event = tcp::AppEventKind::reset;
  tcp::State state = tcp::State::closed;
  SourceLocation where;
};

// "fired": {"id": true}: whether the reactive action with that id ran.
struct ExpectedFired {
  std::string id;
  std::size_t reaction = 0;  // index into Scenario::reactions
  bool fired = true;
  SourceLocation where;
};

// An invariant of runner/invariants.hpp (Invariant is declared there) that the run must hold:
// what `tcpsim explore` writes into a shrunk repro so that `tcpsim run` fails on it.
enum class Invariant : std::uint8_t;
struct ExpectedInvariant {
  Invariant invariant;
  SourceLocation where;
};

struct Expectations {
  std::vector<ExpectedFinalState> final_states;
  std::vector<ExpectedStateCounts> final_state_counts;
  std::vector<ExpectedStateSequence> state_sequences;
  std::vector<ExpectedAppEvents> app_events;
  std::optional<std::vector<ExpectedSegment>> segments;  // the complete list when present
  SourceLocation segments_where;
  std::vector<ExpectedReceived> received;
  std::vector<ExpectedCount> counts;
  std::vector<ExpectedNever> never;
  std::vector<ExpectedFired> fired;
  std::vector<ExpectedInvariant> invariants;
  bool empty() const;
};

struct Scenario {
  std::string file;  // as given on the command line
  int version = 1;
  std::string name;
  std::string description;
  std::string description_zh;  // "description_zh": the Chinese description ("" none)
  std::uint64_t seed = 1;
  sim::LinkConfig link;
  std::vector<HostSpec> hosts;  // exactly two: hosts[0] sends in Direction::forward
  std::vector<sim::FaultRule> rules;
  std::vector<Action> timeline;  // sorted by time (the loader rejects out-of-order input)
  // The actions with "on" instead of "at", in file order (the order they fire in when armed
  // at the same instant).
  std::vector<Action> reactions;
  // The repeats held once (RepeatedAction), in file order; their instances merge with the
  // timeline by time, then file order (Action::order).
  std::vector<RepeatedAction> repeats;
  std::optional<Time> stop_at;   // absent: run until no event is left
  std::uint64_t event_budget = 10'000'000;  // a run that needs more stops with an error
  // A run that holds more stops with an error (runner/memory_budget.hpp).
  std::uint64_t memory_budget = default_memory_budget;
  Expectations expect;
};

}  // namespace tcpsim::runner
