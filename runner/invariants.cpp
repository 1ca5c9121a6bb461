#include "runner/invariants.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "runner/expectations.hpp"
#include "tcp/sequence.hpp"

namespace tcpsim::runner {

namespace {

constexpr std::array<std::pair<Invariant, std::string_view>, 5> invariant_names = {{
    {Invariant::delivery, "delivery"},
    {Invariant::progress, "progress"},
    {Invariant::ack_storm, "ack_storm"},
    {Invariant::window, "window"},
    {Invariant::expectations, "expectations"},
}};

bool has_app_event(const ConnectionRecord& record, tcp::AppEventKind kind) {
  return std::any_of(record.app_events.begin(), record.app_events.end(),
                     [&](const AppEventRecord& event) { return event.kind == kind; });
}

bool told_of_failure(const ConnectionRecord& record) {
  using tcp::AppEventKind;
  return has_app_event(record, AppEventKind::reset) ||
         has_app_event(record, AppEventKind::refused) ||
         has_app_event(record, AppEventKind::timed_out) ||
         has_app_event(record, AppEventKind::aborted);
}

// It gave up: past its retransmission limit RFC 9293 3.8.3 closes the connection and sends
// nothing (no RST), so its peer is never told. A connection lost in its host's crash is gone
// as silently (RFC 9293 3.5.2: the other side is left half-open).
bool gave_up(const ConnectionRecord& record) {
  return has_app_event(record, tcp::AppEventKind::timed_out) || record.lost_in_crash;
}

bool reached_established(const ConnectionRecord& record) {
  return std::find(record.states.begin(), record.states.end(), tcp::State::established) !=
         record.states.end();
}

// The connections of one run and who is whose peer.
struct Cast {
  std::vector<const ConnectionRecord*> connections;  // not listeners, not failed calls
  std::map<const ConnectionRecord*, const ConnectionRecord*> peers;
  std::set<std::string> closed_by_application;  // every name a close was called on
  bool fin_wait_2_for_ever = true;  // no host has a fin_wait_2_timeout (RFC 9293's default)
  bool keepalive = false;
  // Connections still live when "stop_at" cut the run: a timer of theirs was pending. What
  // they would still do (retransmit, give up, be told) the run did not get to see.
  std::set<const ConnectionRecord*> live_at_cut;

  const ConnectionRecord* peer_of(const ConnectionRecord& record) const {
    const auto found = peers.find(&record);
    return found == peers.end() ? nullptr : found->second;
  }
  bool closed_by_its_application(const ConnectionRecord& record) const {
    return closed_by_application.count(record.name) != 0;
  }
  bool live(const ConnectionRecord* record) const {
    return record != nullptr && live_at_cut.count(record) != 0;
  }
};

// The connections with a timer pending at the end of a run cut by "stop_at", from the trace:
// a timer is pending from its timer_set until it fires, is cancelled, or its connection is
// freed or lost in a crash; one whose deadline is past the end never fired in the run.
std::set<const ConnectionRecord*> live_at_cut(const Scenario& scenario, const RunResult& result) {
  std::set<const ConnectionRecord*> live;
  if (!scenario.stop_at) return live;
  using Timer = std::tuple<int, tcp::ConnectionId, tcp::TimerKind>;
  std::set<Timer> pending;
  for (const TraceEvent& event : result.trace) {
    const Timer timer{event.host, event.connection, event.timer};
    switch (event.kind) {
      case TraceKind::timer_set:
        if (event.deadline > result.end_time) pending.insert(timer);
        else pending.erase(timer);
        break;
      case TraceKind::timer_cancel:
      case TraceKind::timer_fire: pending.erase(timer); break;
      case TraceKind::free:
        std::erase_if(pending, [&](const Timer& armed) {
          return std::get<0>(armed) == event.host && std::get<1>(armed) == event.connection;
        });
        break;
      default: break;
    }
  }
  // The latest record of each (host, id): a host's ids are not reused while it is up.
  std::map<std::pair<int, tcp::ConnectionId>, const ConnectionRecord*> records;
  for (const ConnectionRecord& record : result.connections) {
    if (record.id != tcp::no_connection) records[{record.host, record.id}] = &record;
  }
  for (const Timer& timer : pending) {
    const auto found = records.find({std::get<0>(timer), std::get<1>(timer)});
    if (found == records.end() || found->second->freed || found->second->lost_in_crash) continue;
    live.insert(found->second);
  }
  return live;
}

Cast cast_of(const Scenario& scenario, const RunResult& result) {
  Cast cast;
  // The closes that were made, from the trace: a timed close that came before its connection
  // existed (a SYN lost, the handshake late) failed, and its connection was never closed. The
  // trace has the call, then at once its failure when the connection could not be named.
  const std::vector<TraceEvent>& trace = result.trace;
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const TraceEvent& event = trace[index];
    if (event.kind != TraceKind::action || event.action.kind != ActionKind::close) continue;
    const bool failed = index + 1 < trace.size() &&
                        trace[index + 1].kind == TraceKind::action_failed &&
                        trace[index + 1].action.kind == ActionKind::close &&
                        trace[index + 1].host == event.host &&
                        trace[index + 1].action.name == event.action.name;
    if (!failed) cast.closed_by_application.insert(event.action.name);
  }
  for (const HostSpec& host : scenario.hosts) {
    if (host.tcp.fin_wait_2_timeout != 0) cast.fin_wait_2_for_ever = false;
    if (host.tcp.keepalive) cast.keepalive = true;
  }
  for (const ConnectionRecord& record : result.connections) {
    if (record.listener || record.failed_connect || record.failed_listen) continue;
    cast.connections.push_back(&record);
  }
  cast.live_at_cut = live_at_cut(scenario, result);
  // Peers synchronized with each other: on the same pair of sockets, each one's IRS is the
  // other's ISS (RFC 9293 3.3.1). Of several candidates (a late SYN's second connection, or a
  // SYN retransmitted after the first connection it opened was reset: with a fixed ISN both
  // have the same numbers) the pair that both reached a synchronized state is taken first,
  // then the first that matches.
  const auto synchronized = [](const ConnectionRecord& record) {
    return std::any_of(record.states.begin(), record.states.end(), [](tcp::State state) {
      return state != tcp::State::closed && state != tcp::State::listen &&
             state != tcp::State::syn_sent && state != tcp::State::syn_received;
    });
  };
  for (const bool both_synchronized : {true, false}) {
    for (const ConnectionRecord* record : cast.connections) {
      if (!record->irs || !record->iss || cast.peers.count(record)) continue;
      if (both_synchronized && !synchronized(*record)) continue;
      for (const ConnectionRecord* other : cast.connections) {
        if (other->host == record->host || !other->iss || !other->irs) continue;
        if (*other->iss != *record->irs || *other->irs != *record->iss) continue;
        if (!(other->tuple.local == record->tuple.remote) ||
            !(other->tuple.remote == record->tuple.local)) {
          continue;
        }
        if (cast.peers.count(other) || (both_synchronized && !synchronized(*other))) continue;
        cast.peers[record] = other;
        cast.peers[other] = record;
        break;
      }
    }
  }
  return cast;
}

// Where a connection may be left, never told, because its peer gave up: a peer that gave up
// sent nothing (RFC 9293 3.8.3) and nothing more comes from it, so FIN_WAIT_2 (our FIN was
// acknowledged) waits for ever for its FIN (RFC 9293 has no FIN_WAIT_2 timeout), and
// ESTABLISHED, if its application never closes it, waits for ever (without keepalive it
// sends nothing). Nowhere else: a connection with data or a FIN still to be acknowledged
// retransmits it, and is reset or gives up itself: told either way.
bool left_by_a_peer_that_gave_up(const ConnectionRecord& record, const Cast& cast) {
  const ConnectionRecord* peer = cast.peer_of(record);
  if (peer == nullptr || !gave_up(*peer) || told_of_failure(record)) return false;
  const tcp::State state = record.final_state();
  return (state == tcp::State::fin_wait_2 && cast.fin_wait_2_for_ever) ||
         (state == tcp::State::established && !cast.keepalive &&
          !cast.closed_by_its_application(record));
}

// Where a connection whose application never closes it may be left: CLOSE_WAIT once its
// application was told end_of_stream, which only the application's CLOSE ends (RFC 9293
// 3.10.4), or ESTABLISHED with a peer that never closes either; and its peer in FIN_WAIT_2,
// waiting for ever for the FIN that CLOSE would send (RFC 9293 has no FIN_WAIT_2 timeout).
bool left_by_an_application_that_never_closes(const ConnectionRecord& record, const Cast& cast) {
  const ConnectionRecord* peer = cast.peer_of(record);
  const auto waits_for_its_application = [&](const ConnectionRecord& waiting) {
    if (cast.closed_by_its_application(waiting) || told_of_failure(waiting)) return false;
    if (waiting.final_state() == tcp::State::close_wait) {
      return has_app_event(waiting, tcp::AppEventKind::end_of_stream);
    }
    // Both applications idle: nothing is owed either way.
    const ConnectionRecord* other = cast.peer_of(waiting);
    return waiting.final_state() == tcp::State::established && other != nullptr &&
           !cast.closed_by_its_application(*other) && !told_of_failure(*other) &&
           other->final_state() == tcp::State::established;
  };
  if (waits_for_its_application(record)) return true;
  return peer != nullptr && waits_for_its_application(*peer) && !told_of_failure(record) &&
         record.final_state() == tcp::State::fin_wait_2 && cast.fin_wait_2_for_ever;
}

void check_progress(const Scenario& scenario, const Cast& cast,
                    std::vector<Violation>& violations) {
  if (scenario.stop_at) return;  // the run was cut: timers may still be pending
  for (const ConnectionRecord* record : cast.connections) {
    // A listener's connection that fell back to LISTEN (RST or SYN in SYN_RCVD) was deleted by
    // its host: the listener itself goes on.
    const bool returned_to_listen = record->freed && record->final_state() == tcp::State::listen;
    if (record->final_state() != tcp::State::closed && !returned_to_listen &&
        !record->lost_in_crash && !left_by_a_peer_that_gave_up(*record, cast) &&
        !left_by_an_application_that_never_closes(*record, cast)) {
      violations.push_back({Invariant::progress, record->name,
                            record->name + " is left in " +
                                std::string(tcp::state_name(record->final_state())) +
                                " with nothing left to happen"});
    }
  }
}

void check_delivery(const Scenario& scenario, const Cast& cast,
                    std::vector<Violation>& violations) {
  const auto scripted = [&](const ConnectionRecord& record) {
    return scenario.hosts[1 - static_cast<std::size_t>(record.host)].scripted;
  };
  const auto check_stream = [&](const ConnectionRecord& writer, const ConnectionRecord* reader) {
    const std::vector<std::uint8_t> received =
        reader != nullptr ? received_by(*reader) : std::vector<std::uint8_t>{};
    const std::vector<std::uint8_t>& written = writer.written;
    const std::string label =
        writer.name + " to " + (reader != nullptr ? reader->name : std::string("its peer"));
    const bool prefix = received.size() <= written.size() &&
                        std::equal(received.begin(), received.end(), written.begin());
    if (!prefix) {
      std::size_t at = 0;
      while (at < received.size() && at < written.size() && received[at] == written[at]) ++at;
      violations.push_back({Invariant::delivery, label,
                            label + ": received bytes differ from the written ones at offset " +
                                std::to_string(at) + " (" + std::to_string(received.size()) +
                                " received, " + std::to_string(written.size()) + " written)"});
      return;
    }
    if (received.size() == written.size()) return;
    // Cut off by the end of the run: the missing bytes may still be on their way, or the
    // failure still to be told. Only what arrived is judged (exactly once, in order, above).
    if (cast.live(&writer) || cast.live(reader)) return;
    // A reader that never reached ESTABLISHED was never accepted: no application to tell.
    const bool reader_accepted =
        reader != nullptr && (!reader->spawned_by_listener || reached_established(*reader));
    for (const ConnectionRecord* side : {&writer, reader_accepted ? reader : nullptr}) {
      // A side lost in its host's crash has no application left to tell.
      if (side == nullptr || side->lost_in_crash || told_of_failure(*side) ||
          left_by_a_peer_that_gave_up(*side, cast)) {
        continue;
      }
      violations.push_back({Invariant::delivery, label,
                            label + ": " + std::to_string(received.size()) + " of " +
                                std::to_string(written.size()) + " bytes arrived, and " +
                                side->name + " (left in " +
                                std::string(tcp::state_name(side->final_state())) +
                                ") was not told of a failure nor left by a peer that gave up"});
    }
  };
  for (const ConnectionRecord* record : cast.connections) {
    if (scripted(*record)) continue;  // a script speaks for the peer: nothing to compare
    const ConnectionRecord* peer = cast.peer_of(*record);
    check_stream(*record, peer);
    const std::vector<std::uint8_t> bytes = received_by(*record);
    if (peer == nullptr && !bytes.empty()) {
      violations.push_back({Invariant::delivery, record->name,
                            record->name + " received " + std::to_string(bytes.size()) +
                                " bytes but synchronized with no connection of the other "
                                "host"});
    }
  }
}

void check_ack_storm(const RunResult& result, std::vector<Violation>& violations) {
  std::uint64_t written = 0;
  for (const ConnectionRecord& record : result.connections) written += record.written.size();
  std::uint64_t sent = 0;
  for (const TraceEvent& event : result.trace) {
    sent += event.kind == TraceKind::send && !event.segment.copy ? 1 : 0;
  }
  const std::uint64_t bound = ack_storm_base + ack_storm_per_byte * written;
  if (sent > bound) {
    violations.push_back({Invariant::ack_storm, "",
                          std::to_string(sent) + " segments sent for " + std::to_string(written) +
                              " bytes written, more than " + std::to_string(ack_storm_base) +
                              " + " + std::to_string(ack_storm_per_byte) + " per byte"});
  }
}

// From the wire: each sender's view of the peer's MSS option and of the furthest right edge
// (ACK + window) of the ACKs that reached its current connection.
void check_window(const Scenario& scenario, const RunResult& result,
                  std::vector<Violation>& violations) {
  struct Side {
    std::uint32_t peer_mss = 536;
    std::uint32_t own_mss = 0;
    bool has_edge = false;
    std::uint32_t right_edge = 0;
  };
  std::map<tcp::Address, Side> sides;  // by sender address: ordered, two entries
  // RFC 7323 2.2: the shift each address put on its last SYN (-1: none); a window is scaled by
  // its sender's shift only when both SYNs carried the option, and never on a SYN.
  std::map<tcp::Address, int> window_scale_sent;
  for (const TraceEvent& event : result.trace) {
    const TraceSegment& segment = event.segment;
    if (segment.injected) continue;  // crafted by a script, not sent by a TCP
    if (event.kind == TraceKind::send && (segment.flags & tcp::flag::syn) != 0) {
      window_scale_sent[segment.source] = segment.window_scale;
    }
    if (event.kind == TraceKind::send && (segment.flags & tcp::flag::syn) != 0 &&
        segment.mss != 0) {
      sides[segment.source].own_mss = segment.mss;
    }
    if (event.kind == TraceKind::open && event.host >= 0) {
      // A new connection on this host (web#2 after web#1): a new sequence space, no edge yet.
      // Not on a SYN's arrival: a retransmitted SYN-ACK that is discarded starts nothing.
      sides[scenario.hosts[static_cast<std::size_t>(event.host)].address].has_edge = false;
    }
    if (event.kind == TraceKind::deliver) {
      Side& receiver = sides[segment.destination];
      if ((segment.flags & tcp::flag::syn) != 0) {
        receiver.peer_mss = segment.mss != 0 ? segment.mss : 536;
      }
      if ((segment.flags & tcp::flag::ack) != 0 && (segment.flags & tcp::flag::rst) == 0) {
        const auto own = window_scale_sent.find(segment.destination);
        const auto theirs = window_scale_sent.find(segment.source);
        const bool scaled = (segment.flags & tcp::flag::syn) == 0 &&
                            own != window_scale_sent.end() && own->second >= 0 &&
                            theirs != window_scale_sent.end() && theirs->second >= 0;
        const std::uint32_t edge =
            segment.ack + (scaled ? std::uint32_t{segment.window} << theirs->second
                                  : std::uint32_t{segment.window});
        if (!receiver.has_edge || tcp::seq_gt(edge, receiver.right_edge)) {
          receiver.right_edge = edge;
        }
        receiver.has_edge = true;
      }
    }
    if (event.kind == TraceKind::send && segment.length > 0 && !segment.copy) {
      const Side& sender = sides[segment.source];
      const std::uint32_t mss =
          std::min(sender.peer_mss, sender.own_mss == 0 ? 65535U : sender.own_mss);
      // The subject is the sender: shrinking renumbers the segments.
      const auto sender_host = std::find_if(
          scenario.hosts.begin(), scenario.hosts.end(),
          [&](const HostSpec& host) { return host.address == segment.source; });
      const std::string subject = sender_host != scenario.hosts.end() ? sender_host->name : "";
      const std::string label = "segment " + std::to_string(segment.id);
      if (segment.length > mss) {
        violations.push_back({Invariant::window, subject,
                              label + " carries " + std::to_string(segment.length) +
                                  " bytes, over the MSS " + std::to_string(mss)});
      }
      const bool probe = segment.length == 1 && event.rule == tcp::Rule::window_probe;
      if (sender.has_edge && !probe &&
          tcp::seq_gt(segment.seq + segment.length, sender.right_edge)) {
        violations.push_back(
            {Invariant::window, subject,
             label + " at " + std::to_string(event.time) + " ns ends " +
                 std::to_string(static_cast<std::int32_t>(segment.seq + segment.length -
                                                          sender.right_edge)) +
                 " bytes beyond the peer's window"});
      }
    }
  }
}

}  // namespace

std::string_view invariant_name(Invariant invariant) {
  for (const auto& [value, name] : invariant_names) {
    if (value == invariant) return name;
  }
  return "";
}

std::optional<Invariant> find_invariant(std::string_view name) {
  for (const auto& [value, known] : invariant_names) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::vector<Invariant> all_invariants() {
  std::vector<Invariant> all;
  for (const auto& [value, name] : invariant_names) all.push_back(value);
  return all;
}

std::string invariant_names_text(std::string_view conjunction, bool with_expectations) {
  std::vector<std::string_view> names;
  for (const auto& [value, name] : invariant_names) {
    if (with_expectations || value != Invariant::expectations) names.push_back(name);
  }
  std::string text;
  for (std::size_t index = 0; index < names.size(); ++index) {
    if (index != 0) {
      text += index + 1 == names.size() ? " " + std::string(conjunction) + " " : ", ";
    }
    text += names[index];
  }
  return text;
}

Expectations expectations_under_faults(const Expectations& expect) {
  Expectations kept;
  kept.final_states = expect.final_states;
  kept.never = expect.never;
  return kept;
}

std::vector<Violation> check_invariants(const Scenario& scenario, const RunResult& result,
                                        const std::vector<Invariant>& invariants) {
  std::vector<Violation> violations;
  if (result.error) {
    violations.push_back({Invariant::progress, "", "the run stopped: " + *result.error});
    return violations;
  }
  const Cast cast = cast_of(scenario, result);
  for (const Invariant invariant : invariants) {
    switch (invariant) {
      case Invariant::delivery: check_delivery(scenario, cast, violations); break;
      case Invariant::progress: check_progress(scenario, cast, violations); break;
      case Invariant::ack_storm: check_ack_storm(result, violations); break;
      case Invariant::window: check_window(scenario, result, violations); break;
      case Invariant::expectations: {
        Scenario applicable = scenario;
        applicable.expect = expectations_under_faults(scenario.expect);
        for (const ExpectationFailure& failure : check_expectations(applicable, result)) {
          violations.push_back({Invariant::expectations, failure.where.json_path,
                                failure.where.json_path + ": " + failure.message});
        }
        break;
      }
    }
  }
  return violations;
}

// The bytes a connection handed to its application, in order (recorded runs only).
std::vector<std::uint8_t> received_by(const ConnectionRecord& record) {
  std::vector<std::uint8_t> bytes;
  for (const AppEventRecord& event : record.app_events) {
    if (event.kind == tcp::AppEventKind::data) {
      bytes.insert(bytes.end(), event.data.begin(), event.data.end());
    }
  }
  return bytes;
}

}  // namespace tcpsim::runner
