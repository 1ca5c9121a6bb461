#include "views/segment_reasons.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "runner/trace_format.hpp"
#include "tcp/segment.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

bool SegmentReasons::any() const {
  return send_rule != tcp::Rule::none || injected || duplicate_ack > 0 || held_out_of_order ||
         stale_syn;
}

namespace {

bool has(const TraceSegment& segment, std::uint8_t flag) { return (segment.flags & flag) != 0; }

// Sequence comparisons modulo 2^32 (RFC 9293 3.4).
bool seq_less(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }

// The sequence space a segment occupies ends here: SYN and FIN take one number each.
std::uint32_t segment_end(const TraceSegment& segment) {
  return segment.seq + segment.length + (has(segment, tcp::flag::syn) ? 1u : 0u) +
         (has(segment, tcp::flag::fin) ? 1u : 0u);
}

// One direction of a 4-tuple, seen from the host that sends data on it and receives its ACKs.
using StreamKey = std::tuple<int, tcp::Address, tcp::Port, tcp::Address, tcp::Port>;

StreamKey sender_key(int host, const TraceSegment& segment) {
  return {host, segment.source, segment.source_port, segment.destination,
          segment.destination_port};
}
StreamKey receiver_key(int host, const TraceSegment& segment) {
  return {host, segment.destination, segment.destination_port, segment.source,
          segment.source_port};
}

// What the data sender knows, for RFC 5681 2's definition of a duplicate ACK.
struct SenderView {
  bool synchronized = false;  // it has seen an acceptable ACK
  std::uint32_t una = 0;      // the highest acknowledgment received
  std::uint32_t next = 0;     // one past the highest sequence number sent
  bool sent_any = false;
  std::uint16_t window = 0;   // the window of the last ACK that was not old
  bool probe_outstanding = false;
  int duplicates = 0;
};

// A connection pair, both directions: (lower endpoint, higher endpoint).
using PairKey = std::tuple<tcp::Address, tcp::Port, tcp::Address, tcp::Port>;
PairKey pair_key(const TraceSegment& segment) {
  const auto a = std::make_pair(segment.source, segment.source_port);
  const auto b = std::make_pair(segment.destination, segment.destination_port);
  return a < b ? PairKey{a.first, a.second, b.first, b.second}
               : PairKey{b.first, b.second, a.first, a.second};
}

struct Numbering {
  // The handshake: who opened (the SYN's host), and whether the third was sent.
  int opener = -1;
  bool handshake_done = false;
  bool simultaneous_open = false;
  std::vector<std::size_t> handshake_sends;
  // The close: who sent the first FIN, where its FIN ends, and the other's.
  int closer = -1;
  std::uint32_t closer_fin_end = 0;
  std::uint32_t other_fin_end = 0;
  bool other_acked_first = false;
  bool other_fin_sent = false;
  bool simultaneous_close = false;
  bool reset = false;
  std::vector<std::size_t> close_sends;
};

}  // namespace

SegmentStory::SegmentStory(const runner::Scenario& scenario, const runner::RunResult& result)
    : reasons_(result.trace.size()) {
  const auto& trace = result.trace;
  const runner::ConnectionIndex records(result);
  const auto record_of = [&](int host, tcp::ConnectionId id) -> const runner::ConnectionRecord* {
    const int index = records(host, id);
    return index < 0 ? nullptr : &result.connections[static_cast<std::size_t>(index)];
  };
  // The duplicate-ACK threshold of a host's connection: the host's, or the connect's or
  // listen's own "tcp" knobs.
  const auto threshold_of = [&](int host, const TraceSegment& arriving) {
    if (host < 0 || static_cast<std::size_t>(host) >= scenario.hosts.size()) return 0;
    int threshold = scenario.hosts[static_cast<std::size_t>(host)].tcp.duplicate_ack_threshold;
    for (const auto& record : result.connections) {
      if (record.host != host || record.listener) continue;
      const auto& tuple = record.tuple;
      if (tuple.local.address != arriving.destination ||
          tuple.local.port != arriving.destination_port ||
          tuple.remote.address != arriving.source || tuple.remote.port != arriving.source_port) {
        continue;
      }
      for (const auto* actions : {&scenario.timeline, &scenario.reactions}) {
        for (const runner::Action& action : *actions) {
          if (action.host != host || !action.tcp) continue;
          const bool own =
              action.kind == runner::ActionKind::connect && action.name == record.name;
          const bool spawned = action.kind == runner::ActionKind::listen &&
                               record.spawned_by_listener &&
                               record.name.rfind(action.name + "#", 0) == 0;
          if (own || spawned) threshold = action.tcp->duplicate_ack_threshold;
        }
      }
    }
    return threshold;
  };

  std::map<StreamKey, SenderView> senders;
  std::map<std::pair<int, tcp::ConnectionId>, tcp::State> states;
  std::map<PairKey, Numbering> pairs;
  // Which host and connection sent each segment (by id), for stale SYNs.
  std::map<std::uint64_t, std::pair<int, tcp::ConnectionId>> sent_by;

  for (std::size_t index = 0; index < trace.size(); ++index) {
    const TraceEvent& event = trace[index];
    SegmentReasons& reasons = reasons_[index];
    const TraceSegment& segment = event.segment;
    switch (event.kind) {
      case TraceKind::state:
        states[{event.host, event.connection}] = event.to;
        break;
      case TraceKind::timer_fire:
        if (event.timer == tcp::TimerKind::retransmission) {
          // RFC 5681 3.2 with RFC 6298 5.4: a timeout starts the duplicate count afresh.
          if (const auto* record = record_of(event.host, event.connection)) {
            const StreamKey key{event.host, record->tuple.local.address, record->tuple.local.port,
                                record->tuple.remote.address, record->tuple.remote.port};
            const auto found = senders.find(key);
            if (found != senders.end()) found->second.duplicates = 0;
          }
        }
        break;
      case TraceKind::send:
      case TraceKind::inject: {
        reasons.send_rule = event.rule;
        reasons.injected = segment.injected;
        if (!segment.copy) sent_by[segment.id] = {event.host, event.connection};
        SenderView& sender = senders[sender_key(event.host, segment)];
        if (has(segment, tcp::flag::syn) && !has(segment, tcp::flag::ack) &&
            !segment.retransmission) {
          sender = SenderView{};  // a new incarnation on this 4-tuple
        }
        const std::uint32_t end = segment_end(segment);
        if (!sender.sent_any || seq_less(sender.next, end)) sender.next = end;
        sender.sent_any = true;
        if (event.rule == tcp::Rule::window_probe) sender.probe_outstanding = true;

        // The textbook's numbering, for segments a TCP sent (not injected ones).
        if (event.kind == TraceKind::inject || has(segment, tcp::flag::rst)) {
          if (has(segment, tcp::flag::rst)) pairs[pair_key(segment)].reset = true;
          break;
        }
        const auto* record = record_of(event.host, event.connection);
        Numbering& pair = pairs[pair_key(segment)];
        const bool syn = has(segment, tcp::flag::syn);
        const bool ack = has(segment, tcp::flag::ack);
        const bool fin = has(segment, tcp::flag::fin);
        const bool passive = record != nullptr && record->spawned_by_listener;
        // The other side's SYN before any SYN-ACK answered the opener's is a simultaneous
        // open (RFC 9293 3.5, figure 7), not a new connection.
        const bool other_side_opening =
            pair.opener >= 0 && pair.opener != event.host && !pair.handshake_done &&
            !pair.reset &&
            std::none_of(pair.handshake_sends.begin(), pair.handshake_sends.end(),
                         [this](std::size_t sent) {
                           return reasons_[sent].handshake == HandshakeStep::second;
                         });
        if (syn && !ack && !segment.retransmission && record != nullptr && !passive &&
            !other_side_opening) {
          pair = Numbering{};  // a new connection on this pair of sockets
          pair.opener = event.host;
        }
        if (syn && !ack && record != nullptr && !passive && pair.opener == event.host) {
          reasons.handshake = HandshakeStep::first;
          pair.handshake_sends.push_back(index);
        } else if (syn && !ack && pair.opener >= 0 && pair.opener != event.host) {
          pair.simultaneous_open = true;
        } else if (syn && ack && pair.opener >= 0 && pair.opener != event.host && passive) {
          reasons.handshake = HandshakeStep::second;
          pair.handshake_sends.push_back(index);
        } else if (!syn && ack && !pair.handshake_done && pair.opener == event.host &&
                   record != nullptr && !passive &&
                   scenario.hosts[static_cast<std::size_t>(event.host)].tcp.handshake !=
                       tcp::Handshake::two_way) {
          const auto& states_seen = record->states;
          bool from_syn_sent = false;
          for (std::size_t s = 0; s + 1 < states_seen.size(); ++s) {
            from_syn_sent = from_syn_sent || (states_seen[s] == tcp::State::syn_sent &&
                                              states_seen[s + 1] == tcp::State::established);
          }
          if (from_syn_sent) {
            reasons.handshake = HandshakeStep::third;
            pair.handshake_sends.push_back(index);
            pair.handshake_done = true;
          }
        }
        if (reasons.handshake != HandshakeStep::none) {
          reasons.two_way_handshake =
              scenario.hosts[static_cast<std::size_t>(event.host)].tcp.handshake ==
              tcp::Handshake::two_way;
        }
        if (pair.reset || pair.simultaneous_close) break;
        // The close.
        if (fin && pair.closer < 0) {
          pair.closer = event.host;
          pair.closer_fin_end = end;
          reasons.close = CloseStep::first;
          pair.close_sends.push_back(index);
        } else if (fin && pair.closer == event.host) {
          reasons.close = CloseStep::first;  // the first FIN again
          pair.close_sends.push_back(index);
        } else if (pair.closer >= 0 && pair.closer != event.host) {
          const bool acks_first = ack && !seq_less(segment.ack, pair.closer_fin_end);
          if (fin && !acks_first) {
            pair.simultaneous_close = true;  // both FINs before either is acknowledged
          } else if (fin && !pair.other_acked_first) {
            reasons.close = CloseStep::second_and_third;
            pair.other_acked_first = true;
            pair.other_fin_sent = true;
            pair.other_fin_end = end;
            pair.close_sends.push_back(index);
          } else if (fin) {
            reasons.close = CloseStep::third;
            pair.other_fin_sent = true;
            pair.other_fin_end = end;
            pair.close_sends.push_back(index);
          } else if (acks_first && !pair.other_acked_first) {
            reasons.close = CloseStep::second;
            pair.other_acked_first = true;
            pair.close_sends.push_back(index);
          }
        }
        if (pair.closer == event.host && !fin && pair.other_fin_sent && ack &&
            !seq_less(segment.ack, pair.other_fin_end)) {
          reasons.close = CloseStep::fourth;
          pair.close_sends.push_back(index);
        }
        if (pair.simultaneous_close) {
          for (const std::size_t sent : pair.close_sends) reasons_[sent].close = CloseStep::none;
          pair.close_sends.clear();
        }
        if (pair.simultaneous_open) {
          for (const std::size_t sent : pair.handshake_sends) {
            reasons_[sent].handshake = HandshakeStep::none;
          }
          pair.handshake_sends.clear();
        }
        break;
      }
      case TraceKind::deliver: {
        const int host = event.host;
        if (host < 0 || static_cast<std::size_t>(host) >= scenario.hosts.size()) break;
        if (scenario.hosts[static_cast<std::size_t>(host)].scripted) break;
        // A connection request whose connection has stopped waiting for its answer.
        if (has(segment, tcp::flag::syn) && !has(segment, tcp::flag::ack)) {
          const auto sender = sent_by.find(segment.id);
          if (sender != sent_by.end() && sender->second.second != tcp::no_connection) {
            const auto state = states.find(sender->second);
            reasons.stale_syn =
                state != states.end() && state->second != tcp::State::syn_sent &&
                state->second != tcp::State::syn_received;
          }
        }
        // What the receiving TCP does with it, in the handling of this arrival: a duplicate ACK
        // for data held out of order, or a discard (an unacceptable segment's ACK field is not
        // processed, RFC 9293 3.10.7.4 first check).
        bool discarded = false;
        for (std::size_t next = index + 1; next < trace.size(); ++next) {
          const TraceEvent& later = trace[next];
          if (later.time != event.time || later.kind == TraceKind::deliver ||
              later.kind == TraceKind::action || later.kind == TraceKind::timer_fire) {
            break;
          }
          if (later.kind == TraceKind::send && later.host == host &&
              later.rule == tcp::Rule::out_of_order_held) {
            reasons.held_out_of_order = true;
          }
          if (later.kind == TraceKind::discard && later.host == host &&
              later.segment.id == segment.id && later.segment.copy == segment.copy) {
            discarded = true;
          }
        }
        if (discarded) break;
        // RFC 5681 2: a duplicate ACK, at the data sender.
        const auto found = senders.find(receiver_key(host, segment));
        if (found == senders.end() || !has(segment, tcp::flag::ack) ||
            has(segment, tcp::flag::rst)) {
          break;
        }
        SenderView& sender = found->second;
        if (!sender.synchronized) {
          sender.synchronized = true;
          sender.una = segment.ack;
          sender.window = segment.window;
          break;
        }
        if (seq_less(sender.una, segment.ack) && !seq_less(sender.next, segment.ack)) {
          sender.una = segment.ack;
          sender.duplicates = 0;
          sender.probe_outstanding = false;
          sender.window = segment.window;
          break;
        }
        if (seq_less(segment.ack, sender.una)) break;  // an old ACK
        const bool duplicate = segment.ack == sender.una && seq_less(sender.una, sender.next) &&
                               segment.length == 0 && !has(segment, tcp::flag::syn) &&
                               !has(segment, tcp::flag::fin) && segment.window == sender.window &&
                               !sender.probe_outstanding;
        sender.window = segment.window;
        if (!duplicate) break;
        reasons.duplicate_ack = ++sender.duplicates;
        reasons.duplicate_ack_threshold = threshold_of(host, segment);
        break;
      }
      default:
        break;
    }
  }
}

const SegmentReasons& SegmentStory::at(std::size_t index) const {
  static const SegmentReasons none;
  return index < reasons_.size() ? reasons_[index] : none;
}

SegmentReasons combined(const SegmentReasons& sent, const SegmentReasons& ended) {
  SegmentReasons out = sent;
  out.duplicate_ack = ended.duplicate_ack;
  out.duplicate_ack_threshold = ended.duplicate_ack_threshold;
  out.held_out_of_order = ended.held_out_of_order;
  out.stale_syn = ended.stale_syn;
  return out;
}

std::string send_rule_word(tcp::Rule rule, Language language) {
  switch (rule) {
    case tcp::Rule::fast_retransmit: return std::string(term(Term::fast_retransmit, language));
    case tcp::Rule::window_probe: return std::string(term(Term::window_probe, language));
    case tcp::Rule::keepalive_probe: return std::string(term(Term::keepalive_probe, language));
    case tcp::Rule::window_update: return std::string(term(Term::window_update, language));
    case tcp::Rule::retransmission_timeout:
      return std::string(term(Term::timeout_retransmission, language));
    case tcp::Rule::out_of_order_held: return std::string(term(Term::duplicate_ack, language));
    default: return {};
  }
}

std::vector<std::string> reason_words(const SegmentReasons& reasons, Language language) {
  std::vector<std::string> out;
  // A duplicate ACK is counted at its arrival when it arrives; said plainly otherwise.
  if (!(reasons.send_rule == tcp::Rule::out_of_order_held && reasons.duplicate_ack > 0)) {
    std::string word = send_rule_word(reasons.send_rule, language);
    if (!word.empty()) out.push_back(std::move(word));
  }
  if (reasons.duplicate_ack > 0) {
    const std::string n = std::to_string(reasons.duplicate_ack);
    const std::string of = std::to_string(reasons.duplicate_ack_threshold);
    if (reasons.duplicate_ack_threshold == 0) {
      out.push_back(fill(Term::duplicate_ack_counted, language, {n}));
    } else if (reasons.duplicate_ack <= reasons.duplicate_ack_threshold) {
      out.push_back(fill(Term::duplicate_ack_of, language, {n, of}));
    } else {
      out.push_back(fill(Term::duplicate_ack_past, language, {n, of}));
    }
  }
  if (reasons.held_out_of_order) out.emplace_back(term(Term::held_out_of_order, language));
  return out;
}

std::string reason_text(const SegmentReasons& reasons, Language language,
                        std::string_view separator) {
  std::string out;
  for (const std::string& word : reason_words(reasons, language)) {
    if (!out.empty()) out += separator;
    out += word;
  }
  return out;
}

std::string handshake_step_words(HandshakeStep step, bool two_way, Language language) {
  const std::string_view of = two_way ? "2" : "3";
  switch (step) {
    case HandshakeStep::none: return {};
    case HandshakeStep::first: return fill(Term::handshake_first, language, {of});
    case HandshakeStep::second: return fill(Term::handshake_second, language, {of});
    case HandshakeStep::third: return fill(Term::handshake_third, language, {of});
  }
  return {};
}

std::string close_step_words(CloseStep step, Language language) {
  switch (step) {
    case CloseStep::none: return {};
    case CloseStep::first: return std::string(term(Term::close_first, language));
    case CloseStep::second: return std::string(term(Term::close_second, language));
    case CloseStep::second_and_third:
      return std::string(term(Term::close_second_and_third, language));
    case CloseStep::third: return std::string(term(Term::close_third, language));
    case CloseStep::fourth: return std::string(term(Term::close_fourth, language));
  }
  return {};
}

}  // namespace tcpsim::views
