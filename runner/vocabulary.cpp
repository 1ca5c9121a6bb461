#include "runner/vocabulary.hpp"

#include <array>

namespace tcpsim::runner {

namespace {

constexpr std::array<std::string_view, 3> reactive_keys{"on", "after", "id"};
constexpr std::array<std::string_view, 5> listen_keys{"port", "backlog", "name", "read", "tcp"};
constexpr std::array<std::string_view, 6> connect_keys{"to",   "port", "local_port",
                                                       "name", "read", "tcp"};
constexpr std::array<std::string_view, 3> send_keys{"connection", "data", "bytes"};
constexpr std::array<std::string_view, 2> read_keys{"connection", "bytes"};
constexpr std::array<std::string_view, 1> connection_keys{"connection"};
constexpr std::array<std::string_view, 2> configure_keys{"connection", "tcp"};
constexpr std::array<std::string_view, 15> inject_keys{
    "relative_to", "from", "to",    "flags", "seq",   "ack",   "window", "mss",
    "ws",          "sack_permitted", "tsval", "tsecr", "data", "bytes",  "via"};

constexpr std::array action_table{
    ActionInfo{"listen", ActionKind::listen, listen_keys,
               "`port` (1 .. 65535, required); `backlog` (1 .. 65535, default 128); `name` "
               "(default `\"<host>:<port>\"`); `read` (`\"automatic\"` or `\"manual\"`, default "
               "`\"automatic\"`: the read mode of every connection the listener accepts); `tcp` "
               "(any knob of the host's `tcp` object, applied over the host's config for the "
               "listener and every connection it accepts)"},
    ActionInfo{"connect", ActionKind::connect, connect_keys,
               "`to` (the other host, required); `port` (the remote port, required); "
               "`local_port` (1 .. 65535, default the next ephemeral port); `name`; `read` "
               "(`\"automatic\"` or `\"manual\"`, default `\"automatic\"`); `tcp` (any knob of "
               "the host's `tcp` object, applied over the host's config for this connection: "
               "`{\"isn\": 7000}` gives one incarnation its own ISN)"},
    ActionInfo{"send", ActionKind::send, send_keys,
               "`connection` (required), and exactly one of `data` (non-empty string: its UTF-8 "
               "bytes) or `bytes` (1 .. 134217728, 128 MiB: that many bytes of "
               "`abcdefghijklmnopqrstuvwxyz` repeated, starting at `a`)"},
    ActionInfo{"read", ActionKind::read, read_keys,
               "`connection` (required); `bytes` (1 .. 4294967295: read at most this many; "
               "absent: everything the receive buffer holds)"},
    ActionInfo{"stop_reading", ActionKind::stop_reading, connection_keys,
               "`connection` (required): the connection switches to manual reads"},
    ActionInfo{"resume_reading", ActionKind::resume_reading, connection_keys,
               "`connection` (required): back to automatic reads; everything buffered is read "
               "at once"},
    ActionInfo{"close", ActionKind::close, connection_keys,
               "`connection` (required): orderly close (FIN); a listener's name stops it "
               "listening (its connections not yet accepted are reset)"},
    ActionInfo{"abort", ActionKind::abort, connection_keys,
               "`connection` (required): ABORT (RST); a listener's name stops it listening, as "
               "`close`"},
    ActionInfo{"configure", ActionKind::configure, configure_keys,
               "`connection` (required: a connection or a listener); `tcp` (required, not "
               "empty: knobs of the host's `tcp` object that may change on a live connection, "
               "marked *live* in the knob table, as `setsockopt()` changes them; they replace "
               "the connection's own, and a listener's go to the connections it accepts from "
               "then on). Turning `nagle` off sends what Nagle held, `keepalive` on arms the "
               "keepalive timer (idle from the last segment heard) and off cancels it, a larger "
               "`receive_buffer` may open the window"},
    ActionInfo{"crash", ActionKind::crash, {},
               "none: the host loses all state silently and discards what arrives"},
    ActionInfo{"reboot", ActionKind::reboot, {},
               "none: the host is up again with no connections and no listeners"},
    ActionInfo{"inject", ActionKind::inject, inject_keys,
               "no `host`: the script sends a crafted segment. `relative_to` (a connection: "
               "`from` and `to` default to its remote and local endpoints, `seq` is relative "
               "to its IRS and `ack` to its ISS); `from` (`\"host\"`, `\"host:port\"` or "
               "`\"a.b.c.d:port\"`, any address: spoofed; required without `relative_to`); `to` "
               "(`\"host:port\"` or `\"a.b.c.d:port\"`, a host's address; required without "
               "`relative_to`); `flags` (required, `\"\"` for none); `seq` (required: 0 .. "
               "4294967295, or -4294967295 .. 4294967295 with `relative_to`); `ack` (the same; "
               "required with the ACK flag; absent: 0); `window` (0 .. 65535, default 65535); "
               "`mss` (1 .. 65535: the MSS option; absent: none); `ws` (0 .. 14: the Window "
               "Scale option, RFC 7323 2); `sack_permitted` (true: the SACK-permitted option, "
               "RFC 2018); `tsval` and `tsecr` together (0 .. 4294967295: the Timestamps "
               "option, RFC 7323 3); at most one of `data` "
               "(non-empty string) or `bytes` (1 .. 65495) for the payload; `via` (`\"link\"`, "
               "the default: delay and fault rules apply, in the direction toward `to`; "
               "`\"direct\"`: it arrives at once)",
               false},
};

constexpr std::array expectation_table{
    ExpectationKey{"final_states",
                   "object: connection name → state at the end of the run; a name with `*` is "
                   "a pattern (`\"c*\"`): every connection it matches, listeners aside, and at "
                   "least one"},
    ExpectationKey{"final_state_counts",
                   "object: connection name pattern → object: state → integer ≥ 0, how many "
                   "of the connections it matches ended in each state; the complete "
                   "distribution "
                   "(a state not listed: none)"},
    ExpectationKey{"states",
                   "object: connection name → non-empty array of states: every state the "
                   "connection was in, in order, from its first"},
    ExpectationKey{"app_events",
                   "object: connection name → array, the connection's complete list of events "
                   "in order. Each entry is an event name, or `{ \"event\": name, \"at\": "
                   "duration, \"data\": string }` with `at` and `data` optional; `data` (the "
                   "exact bytes delivered) only for `data` events"},
    ExpectationKey{"segments",
                   "array: the complete list of segments sent, in order. Each entry: `from` "
                   "(host, required), `flags` (exact flags, required, `\"\"` for none), `seq`, "
                   "`ack` (integers, relative to the ISNs as Wireshark shows them, may be "
                   "negative), `len` (payload length, 0 .. 2^32-1), `at` (send time), `win` "
                   "(the window field), `ws` (the Window Scale option's shift, -1: absent), "
                   "`tsval`, `tsecr` (the Timestamps option), `sack` (the SACK blocks, `[[left, "
                   "right], ...]` relative as `ack` is; `[]`: none), `optional` (`true`: the "
                   "segment may be absent); or `{ \"any_of\": [[...], "
                   "[...]] }`: at least two alternative sequences of such segments, one of which "
                   "is sent there (not nested)"},
    ExpectationKey{"received",
                   "object: connection name → everything the connection's application "
                   "received, the concatenation of its `data` events, as one of: a string (its "
                   "UTF-8 bytes, exactly); `{ \"data\": string }` (the same); `{ \"bytes\": N }` "
                   "(N 0 .. 134217728: exactly the bytes one `send` with `\"bytes\": N` "
                   "produces, the pattern from `a`); `{ \"length\": N }` (N ≥ 0: only how many "
                   "bytes)"},
    ExpectationKey{"counts", "object: counter → integer ≥ 0, see below"},
    ExpectationKey{"never",
                   "array of things that must not happen, each exactly one of: `{ \"segment\": "
                   "{ \"from\"?, \"flags\"?, \"flags_contain\"? } }`; `{ \"event\": name, "
                   "\"host\"?, \"connection\"? }`; `{ \"state\": name, \"host\"?, "
                   "\"connection\"? }` (a `connection` given with `host` must belong to it)"},
    ExpectationKey{"fired",
                   "object: action `id` → `true` or `false`: whether that action with `on` ran "
                   "(its trigger happened, and its time came before the run ended)"},
    ExpectationKey{"invariants",
                   "array of invariant names that the run must hold, as `tcpsim explore` "
                   "checks them (docs/explore.md): `delivery`, `progress`, `ack_storm`, "
                   "`window`; what explore writes into a shrunk repro so that `tcpsim run` "
                   "fails on the same violation"},
};

constexpr std::array counter_table{
    CounterInfo{Counter::event, false, "<event>",
                "application events of that kind on the host, e.g. `server.accepted`"},
    CounterInfo{Counter::sent, false, "sent", "segments the host sent"},
    CounterInfo{Counter::sent_flag, false, "sent.<FLAG>",
                "segments the host sent with that flag (upper case: `client.sent.SYN`)"},
    CounterInfo{Counter::retransmissions, false, "retransmissions",
                "retransmitted segments (the trace's `\"retx\":true`)"},
    CounterInfo{Counter::fast_retransmissions, false, "fast_retransmissions",
                "segments retransmitted on duplicate ACKs (RFC 5681 3.2)"},
    CounterInfo{Counter::window_probes, false, "window_probes",
                "zero-window probes sent (RFC 9293 3.8.6.1)"},
    CounterInfo{Counter::keepalive_probes, false, "keepalive_probes",
                "keepalive probes sent (RFC 1122 4.2.3.6)"},
    CounterInfo{Counter::discarded, false, "discarded", "arriving segments TCP dropped"},
    CounterInfo{Counter::connections, false, "connections", "connections ever created on the host"},
    CounterInfo{Counter::bytes_received, false, "bytes_received",
                "bytes delivered to the host's applications (in `data` events)"},
    CounterInfo{Counter::injected, false, "injected",
                "segments the script injected toward the host (`inject` actions)"},
    CounterInfo{Counter::link_dropped, true, "dropped", "segments the link dropped"},
    CounterInfo{Counter::link_expired, true, "expired",
                "segments the link expired (older than MSL)"},
    CounterInfo{Counter::link_duplicated, true, "duplicated", "segments the link duplicated"},
    CounterInfo{Counter::link_delayed, true, "delayed",
                "segments held back beyond the normal delay (a `delay` or `hold` rule, or random "
                "reordering)"},
};

}  // namespace

std::span<const std::string_view> reaction_keys() { return reactive_keys; }

std::string_view generator_key() { return "repeat"; }

std::span<const ActionInfo> actions() { return action_table; }

const ActionInfo* find_action(std::string_view name) {
  for (const ActionInfo& action : action_table)
    if (action.name == name) return &action;
  return nullptr;
}

std::string_view action_name(ActionKind kind) {
  for (const ActionInfo& action : action_table)
    if (action.kind == kind) return action.name;
  return "?";
}

std::span<const ExpectationKey> expectation_keys() { return expectation_table; }

std::span<const CounterInfo> counters() { return counter_table; }

const CounterInfo& counter_info(Counter counter) {
  for (const CounterInfo& info : counter_table)
    if (info.counter == counter) return info;
  return counter_table.front();  // unreachable: every Counter has a row (tests check)
}

std::string counter_name(std::string_view host, Counter counter) {
  return std::string(host) + "." + std::string(counter_info(counter).name);
}

std::string link_counter_name(Counter counter) {
  return "link." + std::string(counter_info(counter).name);
}

}  // namespace tcpsim::runner
