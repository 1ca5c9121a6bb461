// Fuzz target for the TCP endpoint (tcp::Connection). Two connections, A (the one under test)
// and its peer B, joined by a wire of two FIFO queues. The input's first bytes choose a
// configuration and one of the eleven states; A is brought there with real handshakes and closes
// (B plays the peer, every segment really crosses the wire). The rest of the input is a
// sequence of operations: arbitrary segments (any flags, seq, ack, window, MSS, payload length)
// into A or B, delivery / loss / duplication of what is in flight, time passing (due timers fire
// in deadline order), stray timer expiries and user calls (SEND, CLOSE, ABORT, OPEN).
//
// After every call into a connection the invariants below are checked; a violation prints what
// and aborts (libFuzzer records the input; fuzz/regressions/tcp/ keeps it as a ctest).
//   - the state is one of the eleven, and the state_change effects chain from the state before
//     the call to the state after it;
//   - every effect names the connection that produced it;
//   - SND.UNA =< SND.NXT (modulo 2^32, within 2^31);
//   - every transmitted segment carries the connection's ports and addresses; its payload fits
//     the peer's MSS (its SYN's option, else 536) and the peer's window (seq+len =< SND.UNA +
//     SND.WND, or a one-octet probe into a zero window); a segment other than a RST has
//     ISS =< seq =< SND.NXT; a RST has seq SND.NXT,
//     or the arriving segment's ACK, or 0 (RFC 9293 3.10.7.1 answers);
//   - no timer is armed with a deadline before now, and none is left in the past.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <vector>

#include "tcp/connection.hpp"
#include "tcp/types.hpp"

namespace {

using namespace tcpsim;
using namespace tcpsim::tcp;

[[noreturn]] void violation(const char* endpoint, const char* what, unsigned long long a = 0,
                            unsigned long long b = 0) {
  std::fprintf(stderr, "tcp_fuzzer: invariant violated on %s: %s (%llu, %llu)\n", endpoint, what, a, b);
  std::abort();
}

// Reads the input front to back; past its end every read gives 0.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return position_ >= size_; }
  std::uint8_t u8() { return position_ < size_ ? data_[position_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16()) | (static_cast<std::uint32_t>(u16()) << 16); }
  std::int8_t s8() { return static_cast<std::int8_t>(u8()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
};

constexpr Address address_a = 0x0A000001;  // 10.0.0.1
constexpr Address address_b = 0x0A000002;  // 10.0.0.2
constexpr Port port_a = 40000;
constexpr Port port_b = 80;
constexpr std::uint16_t default_mss = 536;

struct Peer {
  const char* label;
  Connection connection;
  // The MSS this endpoint must respect: the MSS option of the SYN it synchronized with.
  std::uint16_t peer_mss = default_mss;
};

class Harness {
 public:
  Harness(const TcpConfig& config_a, const TcpConfig& config_b)
      : a_{"A", Connection(1, config_a, {{address_a, port_a}, {address_b, port_b}})},
        b_{"B", Connection(2, config_b, {{address_b, port_b}, {address_a, port_a}})} {}

  Peer& a() { return a_; }
  Peer& b() { return b_; }
  Peer& other(Peer& e) { return &e == &a_ ? b_ : a_; }
  std::deque<Segment>& queue_to(Peer& e) { return &e == &a_ ? to_a_ : to_b_; }
  Time now() const { return now_; }

  // --- Calls into an endpoint, each followed by the invariant check ---
  template <typename Call>
  void call(Peer& e, const Segment* arriving, Call&& body) {
    Output out;
    const State before = e.connection.state();
    body(e.connection, out);
    if (arriving != nullptr && arriving->has(flag::syn) &&
        (before == State::listen || before == State::syn_sent)) {
      const State after = e.connection.state();
      if (after != before && after != State::closed) {
        e.peer_mss = arriving->mss != 0 ? arriving->mss : default_mss;
      }
    }
    if (before == State::closed && e.connection.state() == State::syn_sent) e.peer_mss = default_mss;
    check(e, before, out, arriving);
    for (const Effect& effect : out.effects()) {
      if (effect.kind == Effect::Kind::transmit) queue_to(other(e)).push_back(std::move(out.packet(effect).segment));
    }
  }

  void arrive(Peer& e, const Segment& segment) {
    call(e, &segment, [&](Connection& c, Output& out) { c.segment_arrives(now_, segment, out); });
  }

  // Delivers the oldest segment in flight to `e`; false when there is none.
  bool deliver_one(Peer& e) {
    auto& queue = queue_to(e);
    if (queue.empty()) return false;
    const Segment segment = std::move(queue.front());
    queue.pop_front();
    arrive(e, segment);
    return true;
  }

  // Delivers everything in flight both ways until the wire is quiet (bounded).
  void pump() {
    for (int step = 0; step < 256; ++step) {
      if (!deliver_one(a_) && !deliver_one(b_)) return;
    }
  }

  // Time passes by `delta`; the timers due on the way fire in deadline order (A first on ties).
  void advance(Duration delta) {
    const Time target = now_ + delta;
    for (int fired = 0; fired < 64; ++fired) {
      Peer* next = nullptr;
      TimerKind next_kind = TimerKind::retransmission;
      Time next_deadline = time_never;
      for (Peer* e : {&a_, &b_}) {
        for (int kind = 0; kind < timer_kind_count; ++kind) {
          const Time deadline = e->connection.timer_deadline(static_cast<TimerKind>(kind));
          if (deadline < next_deadline) {
            next = e;
            next_kind = static_cast<TimerKind>(kind);
            next_deadline = deadline;
          }
        }
      }
      if (next == nullptr || next_deadline > target) {
        now_ = target;
        return;
      }
      now_ = next_deadline;
      call(*next, nullptr, [&](Connection& c, Output& out) { c.timer_expired(now_, next_kind, out); });
    }
    // Too many expiries for one step: time stays at the last one fired, so no timer is past.
  }

  void expect_state(Peer& e, State state) {
    if (e.connection.state() != state) {
      violation(e.label, "setup did not reach the intended state", static_cast<unsigned>(state),
                static_cast<unsigned>(e.connection.state()));
    }
  }

 private:
  void check(const Peer& e, State before, const Output& out, const Segment* arriving) const {
    const Connection& c = e.connection;
    const State after = c.state();
    if (static_cast<int>(after) >= state_count) violation(e.label, "illegal state", static_cast<unsigned>(after));
    const SendSequence& snd = c.send_sequence();
    if (!seq_le(snd.una, snd.nxt)) violation(e.label, "SND.UNA > SND.NXT", snd.una, snd.nxt);
    for (int kind = 0; kind < timer_kind_count; ++kind) {
      const Time deadline = c.timer_deadline(static_cast<TimerKind>(kind));
      if (deadline != time_never && deadline < now_) {
        violation(e.label, "a timer is left with a deadline in the past", static_cast<unsigned>(kind),
                  static_cast<unsigned long long>(deadline));
      }
    }
    State chained = before;
    const FourTuple& tuple = c.tuple();
    for (const Effect& effect : out.effects()) {
      if (effect.connection != c.id()) violation(e.label, "effect names another connection", effect.connection, c.id());
      switch (effect.kind) {
        case Effect::Kind::state_change:
          if (effect.from != chained) {
            violation(e.label, "state_change does not start from the current state",
                      static_cast<unsigned>(effect.from), static_cast<unsigned>(chained));
          }
          if (static_cast<int>(effect.to) >= state_count) violation(e.label, "state_change to an illegal state");
          chained = effect.to;
          break;
        case Effect::Kind::timer_set:
          if (effect.deadline < now_) {
            violation(e.label, "timer armed in the past", static_cast<unsigned long long>(effect.deadline),
                      static_cast<unsigned long long>(now_));
          }
          if (static_cast<int>(effect.timer) >= timer_kind_count) violation(e.label, "unknown timer kind");
          break;
        case Effect::Kind::transmit: {
          const Packet& packet = out.packet(effect);
          const Segment& s = packet.segment;
          if (packet.source != tuple.local.address || packet.destination != tuple.remote.address ||
              s.source_port != tuple.local.port || s.destination_port != tuple.remote.port) {
            violation(e.label, "segment with the wrong addresses or ports", s.source_port, s.destination_port);
          }
          const auto length = static_cast<std::uint32_t>(s.payload.size());
          if (length > 0) {
            if (length > e.peer_mss) violation(e.label, "payload larger than the peer's MSS", length, e.peer_mss);
            // Data, new or retransmitted, must fit the window (RFC 9293 3.8.6); the only
            // exception is a one-octet probe into a zero window (RFC 1122 4.2.2.17).
            const bool zero_window_probe = snd.wnd == 0 && length == 1 && s.seq == snd.una;
            if (seq_gt(s.seq + length, snd.una + snd.wnd) && !zero_window_probe) {
              violation(e.label, "payload beyond the peer's window (SND.UNA+SND.WND)", s.seq + length,
                        snd.una + snd.wnd);
            }
          }
          if (s.has(flag::rst)) {
            const bool answers = arriving != nullptr && (s.seq == arriving->ack || s.seq == 0);
            if (s.seq != snd.nxt && !answers) violation(e.label, "RST with an unexpected seq", s.seq, snd.nxt);
          } else if (!seq_between_inclusive(snd.iss, s.seq, snd.nxt)) {
            violation(e.label, "segment seq outside [ISS, SND.NXT]", s.seq, snd.nxt);
          }
          break;
        }
        default:
          break;
      }
    }
    if (chained != after) {
      violation(e.label, "state_change effects do not end at the current state", static_cast<unsigned>(chained),
                static_cast<unsigned>(after));
    }
  }

  Peer a_;
  Peer b_;
  std::deque<Segment> to_a_;
  std::deque<Segment> to_b_;
  Time now_ = 0;
};

// A and B both open; A active or passive. Ends with both ESTABLISHED.
void establish(Harness& h, bool a_active, SeqNum isn_a, SeqNum isn_b) {
  Peer& active = a_active ? h.a() : h.b();
  Peer& passive = a_active ? h.b() : h.a();
  h.call(passive, nullptr, [&](Connection& c, Output& out) { c.open_passive(h.now(), &passive == &h.a() ? isn_a : isn_b, out); });
  h.call(active, nullptr, [&](Connection& c, Output& out) { c.open_active(h.now(), &active == &h.a() ? isn_a : isn_b, out); });
  h.pump();
  h.expect_state(h.a(), State::established);
  h.expect_state(h.b(), State::established);
}

void close(Harness& h, Peer& e) {
  h.call(e, nullptr, [&](Connection& c, Output& out) { c.close(h.now(), out); });
}

// Brings A into `target` with real segments; B is left wherever the peer of that state is.
void reach(Harness& h, State target, std::uint8_t variant, SeqNum isn_a, SeqNum isn_b) {
  Peer& a = h.a();
  Peer& b = h.b();
  const bool a_active = (variant & 1) == 0;
  switch (target) {
    case State::listen:
      h.call(a, nullptr, [&](Connection& c, Output& out) { c.open_passive(h.now(), isn_a, out); });
      break;
    case State::syn_sent:
      // B listens; A's SYN is left in flight.
      h.call(b, nullptr, [&](Connection& c, Output& out) { c.open_passive(h.now(), isn_b, out); });
      h.call(a, nullptr, [&](Connection& c, Output& out) { c.open_active(h.now(), isn_a, out); });
      break;
    case State::syn_received:
      // A listens, B's SYN arrives; the SYN-ACK is left in flight.
      h.call(a, nullptr, [&](Connection& c, Output& out) { c.open_passive(h.now(), isn_a, out); });
      h.call(b, nullptr, [&](Connection& c, Output& out) { c.open_active(h.now(), isn_b, out); });
      h.deliver_one(a);
      break;
    case State::established:
      establish(h, a_active, isn_a, isn_b);
      break;
    case State::fin_wait_1:
      establish(h, a_active, isn_a, isn_b);
      close(h, a);  // the FIN is left in flight
      break;
    case State::fin_wait_2:
      establish(h, a_active, isn_a, isn_b);
      close(h, a);
      h.deliver_one(b);  // B takes the FIN and acknowledges it
      h.deliver_one(a);
      break;
    case State::close_wait:
      establish(h, a_active, isn_a, isn_b);
      close(h, b);
      h.deliver_one(a);  // A's ACK of the FIN is left in flight
      break;
    case State::closing:
      establish(h, a_active, isn_a, isn_b);
      close(h, a);
      close(h, b);
      h.deliver_one(a);  // B's FIN reaches A before B has seen A's FIN
      break;
    case State::last_ack:
      establish(h, a_active, isn_a, isn_b);
      close(h, b);
      h.deliver_one(a);
      close(h, a);
      break;
    case State::time_wait:
      establish(h, a_active, isn_a, isn_b);
      close(h, a);
      h.pump();
      close(h, b);
      h.pump();
      break;
    case State::closed:
      switch ((variant >> 1) % 3) {
        case 0:  // TIME_WAIT expires
          establish(h, a_active, isn_a, isn_b);
          close(h, a);
          h.pump();
          close(h, b);
          h.pump();
          h.expect_state(a, State::time_wait);
          h.advance(a.connection.timer_deadline(TimerKind::time_wait) - h.now());
          break;
        case 1:  // ABORT in ESTABLISHED, the RST left in flight
          establish(h, a_active, isn_a, isn_b);
          h.call(a, nullptr, [&](Connection& c, Output& out) { c.abort(h.now(), out); });
          break;
        default:  // connection refused: B is not open, its RST answers A's SYN
          h.call(a, nullptr, [&](Connection& c, Output& out) { c.open_active(h.now(), isn_a, out); });
          h.pump();
          break;
      }
      break;
  }
  h.expect_state(a, target);
}

// A segment built from the input, aimed at `e`, seq and ack either near the connection's
// sequence variables or anything at all.
Segment make_segment(Input& in, const Connection& c) {
  Segment s;
  s.source_port = c.tuple().remote.port;
  s.destination_port = c.tuple().local.port;
  const std::uint8_t modes = in.u8();
  s.flags = static_cast<std::uint8_t>(in.u8() & 0x3F);
  const ReceiveSequence& rcv = c.receive_sequence();
  const SendSequence& snd = c.send_sequence();
  switch (modes & 3) {
    case 0: s.seq = rcv.nxt + static_cast<SeqNum>(static_cast<std::int32_t>(in.s8())); break;
    case 1: s.seq = rcv.irs + in.u16(); break;
    case 2: s.seq = rcv.nxt + rcv.wnd + static_cast<SeqNum>(static_cast<std::int32_t>(in.s8())); break;
    default: s.seq = in.u32(); break;
  }
  switch ((modes >> 2) & 3) {
    case 0: s.ack = snd.una + static_cast<SeqNum>(static_cast<std::int32_t>(in.s8())); break;
    case 1: s.ack = snd.nxt + static_cast<SeqNum>(static_cast<std::int32_t>(in.s8())); break;
    case 2: s.ack = snd.iss + in.u16(); break;
    default: s.ack = in.u32(); break;
  }
  switch ((modes >> 4) & 3) {
    case 0: s.window = 65535; break;
    case 1: s.window = 0; break;
    case 2: s.window = in.u8(); break;
    default: s.window = in.u16(); break;
  }
  if ((modes & 0x40) != 0) s.mss = in.u16();
  std::size_t length = 0;
  if ((modes & 0x80) != 0) length = in.u16() % 3000;
  s.payload.resize(length);
  for (std::size_t i = 0; i < length; ++i) s.payload[i] = static_cast<std::uint8_t>('a' + i % 26);
  return s;
}

TcpConfig make_config(std::uint8_t bits, std::uint8_t size, bool allow_two_way, bool allow_no_time_wait) {
  TcpConfig config;
  if (allow_two_way && (bits & 0x01) != 0) config.handshake = Handshake::two_way;
  if ((bits & 0x02) != 0) config.mss = static_cast<std::uint16_t>(1 + size % 64);
  if ((bits & 0x04) != 0) config.receive_buffer = static_cast<std::uint16_t>(1 + size * 4);
  if ((bits & 0x08) != 0) config.time_wait = 10 * millisecond;
  if (allow_no_time_wait && (bits & 0x10) != 0) config.time_wait = 0;
  if ((bits & 0x20) != 0) {
    config.rto_initial = 200 * millisecond;
    config.rto_min = 200 * millisecond;
    config.rto_max = 120 * second;
  }
  if ((bits & 0x40) != 0) {
    config.syn_retries = 1;
    config.synack_retries = 1;
    config.data_retries = 2;
  }
  if ((bits & 0x80) != 0) {
    // The data-transfer timers and buffers at small values, so that they all come into play.
    config.delayed_ack = 40 * millisecond;
    config.keepalive = true;
    config.keepalive_idle = 1 * second;
    config.keepalive_interval = 100 * millisecond;
    config.keepalive_probes = 2;
    config.user_timeout = 5 * second;
    config.fin_wait_2_timeout = 3 * second;
    config.nagle = (size & 1) != 0;
    config.send_buffer = 1 + static_cast<std::uint32_t>(size) * 8;
    config.half_duplex_close = (size & 2) != 0;
  }
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const auto target = static_cast<State>(in.u8() % state_count);
  const std::uint8_t variant = in.u8();
  const std::uint8_t config_bits = in.u8();
  const std::uint8_t config_size = in.u8();
  const SeqNum isn_a = in.u32();
  const SeqNum isn_b = in.u32();
  // The teaching variants make some states unreachable by a real exchange; they are used only
  // where the state can still be reached.
  const bool two_way_ok = target != State::syn_received;
  const bool no_time_wait_ok = target != State::time_wait && target != State::closed;
  const TcpConfig config = make_config(config_bits, config_size, two_way_ok, no_time_wait_ok);
  TcpConfig peer_config = make_config(static_cast<std::uint8_t>(config_bits >> 1) | (config_bits & 1),
                                      static_cast<std::uint8_t>(config_size ^ 0x5A), two_way_ok, no_time_wait_ok);
  peer_config.handshake = config.handshake;  // both ends speak the same handshake

  Harness h(config, peer_config);
  reach(h, target, variant, isn_a, isn_b);

  for (int step = 0; step < 4096 && !in.empty(); ++step) {
    const std::uint8_t op = in.u8();
    Peer& e = (op & 0x80) != 0 ? h.b() : h.a();
    switch (op & 0x0F) {
      case 0:
      case 1:
      case 2: {  // an arbitrary segment (A most often)
        const Segment s = make_segment(in, e.connection);
        h.arrive(e, s);
        break;
      }
      case 3:  // the oldest segment in flight to e arrives
        h.deliver_one(e);
        break;
      case 4:  // ... is lost
        if (!h.queue_to(e).empty()) h.queue_to(e).pop_front();
        break;
      case 5:  // ... is duplicated
        if (!h.queue_to(e).empty()) h.queue_to(e).push_back(h.queue_to(e).front());
        break;
      case 6:  // ... is overtaken by the next one
        if (h.queue_to(e).size() >= 2) std::swap(h.queue_to(e)[0], h.queue_to(e)[1]);
        break;
      case 7:
        h.pump();
        break;
      case 8: {  // time passes
        const std::uint8_t amount = in.u8();
        const Duration unit = (amount & 0x80) != 0 ? second : millisecond;
        h.advance(static_cast<Duration>(amount & 0x7F) * unit);
        break;
      }
      case 9: {  // a stray expiry of a timer that may not be due
        const auto kind = static_cast<TimerKind>(in.u8() % timer_kind_count);
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.timer_expired(h.now(), kind, out); });
        break;
      }
      case 10: {  // SEND
        std::vector<std::uint8_t> bytes(in.u16() % 4000);
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>('A' + i % 26);
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.send(h.now(), bytes, out); });
        break;
      }
      case 11:  // CLOSE
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.close(h.now(), out); });
        break;
      case 12: {  // RECEIVE, or a switch of the read mode
        const std::uint8_t how = in.u8();
        if ((how & 1) != 0) {
          h.call(e, nullptr, [&](Connection& c, Output& out) { c.set_automatic_read(h.now(), (how & 2) != 0, out); });
        } else {
          h.call(e, nullptr, [&](Connection& c, Output& out) { c.read(h.now(), static_cast<std::size_t>(how) * 16, out); });
        }
        break;
      }
      case 13:  // ABORT
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.abort(h.now(), out); });
        break;
      case 14: {  // active OPEN (ignored unless CLOSED or LISTEN)
        const SeqNum isn = in.u32();
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.open_active(h.now(), isn, out); });
        break;
      }
      default: {  // passive OPEN (ignored unless CLOSED)
        const SeqNum isn = in.u32();
        h.call(e, nullptr, [&](Connection& c, Output& out) { c.open_passive(h.now(), isn, out); });
        break;
      }
    }
  }
  return 0;
}
