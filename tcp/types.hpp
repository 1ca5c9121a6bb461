// The vocabulary the sans-IO TCP core speaks: its states, its timers, what it tells the
// application, and the ordered list of effects one call produces.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tcp/rules.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"

namespace tcpsim::tcp {

// RFC 9293 section 3.3.2, all eleven states.
enum class State : std::uint8_t {
  closed,
  listen,
  syn_sent,
  syn_received,
  established,
  fin_wait_1,
  fin_wait_2,
  close_wait,
  closing,
  last_ack,
  time_wait,
};
inline constexpr int state_count = 11;
// "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
// "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT" (netstat spelling).
std::string_view state_name(State state);
bool parse_state(std::string_view text, State& state_out);
std::span<const std::string_view> state_names();  // in the enum's order

// Every timer a connection can run. The connection holds one deadline per kind (one place for
// the timers); the driver only arms and disarms what the effects say.
enum class TimerKind : std::uint8_t {
  retransmission,  // RFC 6298: SYN, SYN-ACK, FIN and data
  time_wait,       // RFC 9293 3.10.7.4: 2 MSL
  persist,         // RFC 9293 3.8.6.1: probe a zero window
  keepalive,       // RFC 1122 4.2.3.6: idle time, then probes
  delayed_ack,     // RFC 1122 4.2.3.2: an ACK waits at most this long
  user_timeout,    // RFC 9293 3.8.4 / RFC 5482: give up on unacknowledged data
  fin_wait_2,      // a FIN_WAIT_2 timeout (Linux tcp_fin_timeout; off in the RFC profile)
};
inline constexpr int timer_kind_count = 7;
// "retransmission", "time_wait", "persist", "keepalive", "delayed_ack", "user_timeout",
// "fin_wait_2"
std::string_view timer_name(TimerKind kind);

// What the application is told (RFC 9293 section 3.9.1 "signals" to the user).
enum class AppEventKind : std::uint8_t {
  connected,      // active open reached ESTABLISHED
  accepted,       // a passive open reached ESTABLISHED (a listener produced a connection)
  data,           // bytes delivered, in order (Effect::data)
  end_of_stream,  // the peer's FIN: no more data will arrive ("connection closing")
  closed,         // the connection is fully closed after an orderly close
  reset,          // "connection reset" (RST in a synchronized state, or ABORT by the peer)
  refused,        // "connection refused" (RST in SYN_SENT)
  timed_out,      // retransmission limit reached; Effect::rule says which
  aborted,        // the local application called ABORT
  connect_failed,  // a connect could not be made, so no connection exists (RFC 9293 3.10.1:
                   // OPEN returns an error before any TCB is created); Effect::rule says why
  listen_failed,   // a listen could not be made (its port has a listener); no TCB exists
  // A call TCP refused in the connection's state, with the RFC's error as Effect::rule: the
  // call returned an error and nothing else happened (RFC 9293 3.10.2, 3.10.4).
  send_failed,
  close_failed,
  // A socket option TCP refused on a live connection (Host::configure): a knob that is fixed
  // once the connection exists, such as the MSS its SYN announced.
  configure_failed,
  // RFC 9293 3.8.3 / RFC 1122 4.2.3.5: R1 retransmissions of the same segment went
  // unacknowledged; TCP keeps trying until R2. Once per episode of retransmissions.
  delivery_problem,
};
inline constexpr int app_event_kind_count = 15;
// "connected", "accepted", "data", "end_of_stream", "closed", "reset", "refused",
// "timed_out", "aborted", "connect_failed", "listen_failed", "send_failed", "close_failed",
// "configure_failed", "delivery_problem"
std::string_view app_event_name(AppEventKind kind);
bool parse_app_event(std::string_view text, AppEventKind& kind_out);
std::span<const std::string_view> app_event_names();  // in the enum's order

// A host-local connection number: 1, 2, 3 ... in order of creation, never reused within a
// host's life (a crash does not reset it), so traces can name connections stably.
using ConnectionId = std::uint32_t;
inline constexpr ConnectionId no_connection = 0;

// Why a segment is sent when it is not simply the next data, ACK or control: views print it and
// the runner counts it.
enum class SendPurpose : std::uint8_t {
  normal,
  retransmission,       // RFC 6298 5.4: the retransmission timer expired
  fast_retransmission,  // RFC 5681 3.2: duplicate ACKs
  window_probe,         // RFC 9293 3.8.6.1: the persist timer probes a zero window
  keepalive_probe,      // RFC 1122 4.2.3.6
  window_update,        // RFC 9293 3.8.6.2.2: the application read, the window opens
};

// One thing the core wants done or wants known. Effects come out in the order they happen, and
// the driver must act on them in that order. An effect is small and trivially destructible: the
// packet of a transmit or discard and the bytes of a data event live beside it in the Output
// (Output::packet, Output::data), so that a call's effects cost little to make and to drop.
struct Effect {
  enum class Kind : std::uint8_t {
    transmit,         // send the packet (Output::packet); `purpose` and `rule` say why when not
                      // `normal`; `retransmission` when the connection sent its sequence space
                      // before
    timer_set,        // arm `timer` of `connection` at `deadline` (replaces an armed one);
                      // `rounded_by` says how far the timer wheel moved it
    timer_cancel,     // disarm `timer` of `connection`
    state_change,     // `connection` went from `from` to `to` by `rule`
    app_event,        // tell the application `app_event` (with Output::data for
                      // AppEventKind::data), `rule` says why; `connection` is no_connection for
                      // connect_failed and listen_failed
    discard,          // an arriving segment (Output::packet) was dropped by TCP; `rule` says why
    connection_open,  // a connection was created: `tuple` is its 4-tuple (remote 0.0.0.0:0 for
                      // a listener), `to` the state it is born in (CLOSED; LISTEN for one a
                      // listener spawned), `listener_port` non-zero when a listener spawned
                      // it, `listener` when it is a listener (the TCB of a passive OPEN)
    connection_free,  // the connection's record is deleted (after CLOSED)
  };
  // Effect::slot of an effect with nothing beside it in the Output.
  static constexpr std::uint32_t no_slot = 0xFFFFFFFFU;

  Kind kind = Kind::transmit;
  TimerKind timer = TimerKind::retransmission;
  State from = State::closed;
  State to = State::closed;
  AppEventKind app_event = AppEventKind::connected;
  SendPurpose purpose = SendPurpose::normal;
  // transmit: the segment repeats sequence space (SYN, data, FIN) this connection sent before.
  bool retransmission = false;
  bool listener = false;  // connection_open
  // transmit of data or a FIN with congestion control on: the sender's cwnd, ssthresh
  // (unlimited_window before a loss) and bytes in flight after this segment (tcp/congestion.hpp).
  bool has_congestion = false;
  // Why (tcp/rules.hpp); Rule::none for a segment that is simply the next one, or a data event.
  Rule rule = Rule::none;
  Port listener_port = 0;
  ConnectionId connection = no_connection;
  // Where the packet (transmit, discard) or the bytes (a data event) are in the Output.
  std::uint32_t slot = no_slot;
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = 0;
  std::uint32_t in_flight = 0;
  FourTuple tuple;
  Time deadline = time_never;
  // timer_set: how far the timer wheel (tcp/timer_wheel.hpp) moved the deadline from the one
  // the connection asked for, `deadline` - requested_deadline(): later by its rounding up,
  // earlier for a timeout cut to the wheel's range; 0 when it did not move it (no wheel).
  Duration rounded_by = 0;

  Time requested_deadline() const { return deadline - rounded_by; }
};
static_assert(sizeof(Effect) <= 64, "an effect stays within a cache line");
static_assert(std::is_trivially_destructible_v<Effect> && std::is_trivially_copyable_v<Effect>);

// The effects of one call, in slots kept across clear(). Appending is a pointer compare and a
// value-initialisation in place, with the growth out of line: std::vector's emplace_back put
// its reallocation path in every builder (about 450 instructions a lifecycle, session 22).
// Copies and moves keep the pointers on their own slots.
class EffectList {
 public:
  EffectList() = default;
  EffectList(const EffectList& other) : slots_(other.slots_) { rebase(other.size()); }
  EffectList& operator=(const EffectList& other) {
    if (this != &other) {
      slots_ = other.slots_;
      rebase(other.size());
    }
    return *this;
  }
  EffectList(EffectList&& other) noexcept
      : slots_(std::move(other.slots_)), end_(other.end_), limit_(other.limit_) {
    other.forget();
  }
  EffectList& operator=(EffectList&& other) noexcept {
    if (this != &other) {
      slots_ = std::move(other.slots_);
      end_ = other.end_;
      limit_ = other.limit_;
      other.forget();
    }
    return *this;
  }

  std::span<const Effect> view() const { return {slots_.data(), size()}; }
  std::size_t size() const {
    return end_ == nullptr ? 0 : static_cast<std::size_t>(end_ - slots_.data());
  }
  Effect& add() {
    if (end_ == limit_) [[unlikely]] grow();
    return *std::construct_at(end_++);
  }
  Effect& back() { return end_[-1]; }
  void clear() { end_ = slots_.data(); }

 private:
  void rebase(std::size_t used) {
    end_ = slots_.data() + used;
    limit_ = slots_.data() + slots_.size();
  }
  // A moved-from list is empty, with no slots.
  void forget() {
    slots_.clear();
    slots_.shrink_to_fit();
    end_ = nullptr;
    limit_ = nullptr;
  }
  // Doubles the slots, keeping the effects made so far.
  [[gnu::noinline]] void grow();

  std::vector<Effect> slots_;
  Effect* end_ = nullptr;    // one past this call's last effect
  Effect* limit_ = nullptr;  // one past the last slot
};

// The effects of one call into the core, appended in order by the builders below, with the
// packets and data bytes they name. The caller clears it. The packet and byte slots are kept
// across clear() (their vectors keep their capacity), and payload vectors the driver has done
// with come back through give_payload() for the core's next data segment (take_payload), so a
// steady exchange allocates nothing per segment.
class Output {
 public:
  // False: data events (AppEventKind::data) come without their bytes, for a driver that reads
  // none (the runner's unrecorded runs); nothing else changes. The caller sets it.
  bool data_wanted = true;
  // False: a connection's application events (data too) are not appended at all, for a driver
  // that neither records nor reacts to them; a failed connect or listen (no_connection) still
  // is. Nothing else changes: the core decides nothing from its own effects.
  bool app_events_wanted = true;

  // ---- What the core appended (the driver reads) ----
  std::span<const Effect> effects() const { return effects_.view(); }
  // The packet of a transmit or discard effect; the driver may move from it.
  const Packet& packet(const Effect& effect) const { return packets_[effect.slot]; }
  Packet& packet(const Effect& effect) { return packets_[effect.slot]; }
  // The bytes of a data event (empty when data_wanted is false, and for any other effect).
  std::span<const std::uint8_t> data(const Effect& effect) const {
    if (effect.kind != Effect::Kind::app_event || effect.slot == Effect::no_slot) return {};
    return data_[effect.slot];
  }
  void clear() {
    effects_.clear();
    packet_count_ = 0;
    data_count_ = 0;
  }
  // Appends `other`'s effects with their packets and bytes (a test's log of many calls).
  void append(const Output& other);

  // ---- Builders (the core) ----
  // A transmit effect of `segment` from `source` to `destination`. The segment's payload should
  // come from take_payload().
  void transmit(ConnectionId connection, Address source, Address destination, Segment&& segment,
                SendPurpose purpose, bool retransmission, Rule rule) {
    Effect& effect = add(Effect::Kind::transmit, connection, rule);
    effect.purpose = purpose;
    effect.retransmission = retransmission;
    Packet& packet = add_packet(effect);
    packet.source = source;
    packet.destination = destination;
    packet.segment = std::move(segment);
  }
  // A transmit built in place, so that no Segment is built by value and moved here: the core
  // writes every field of next_packet() (Connection::start_segment), then transmit_built()
  // adds the effect that sends it. Between the two, effects may be added (a timer_cancel
  // before the transmit keeps its place) but no packet.
  Packet& next_packet() {
    if (packet_count_ == packets_.size()) [[unlikely]] add_packet_slot();
    return packets_[packet_count_];
  }
  void transmit_built(ConnectionId connection, SendPurpose purpose, bool retransmission,
                      Rule rule) {
    Effect& effect = add(Effect::Kind::transmit, connection, rule);
    effect.purpose = purpose;
    effect.retransmission = retransmission;
    effect.slot = static_cast<std::uint32_t>(packet_count_++);
  }
  // The sender's congestion figures, on the transmit effect just added.
  void congestion(std::uint32_t cwnd, std::uint32_t ssthresh, std::uint32_t in_flight) {
    Effect& effect = effects_.back();
    effect.has_congestion = true;
    effect.cwnd = cwnd;
    effect.ssthresh = ssthresh;
    effect.in_flight = in_flight;
  }
  // A discard effect: `segment`, from `source` to `destination`, was dropped.
  void discard(ConnectionId connection, Address source, Address destination,
               const Segment& segment, Rule rule) {
    Packet& packet = add_packet(add(Effect::Kind::discard, connection, rule));
    packet.source = source;
    packet.destination = destination;
    packet.segment = segment;  // a copy into a reused slot keeps its payload's capacity
  }
  void timer_set(ConnectionId connection, TimerKind timer, Time deadline) {
    Effect& effect = add(Effect::Kind::timer_set, connection, Rule::none);
    effect.timer = timer;
    effect.deadline = deadline;
  }
  // A timer_set whose deadline the timer wheel moved from `requested` to `deadline`.
  void timer_set(ConnectionId connection, TimerKind timer, Time deadline, Time requested) {
    Effect& effect = add(Effect::Kind::timer_set, connection, Rule::none);
    effect.timer = timer;
    effect.deadline = deadline;
    effect.rounded_by = deadline - requested;
  }
  void timer_cancel(ConnectionId connection, TimerKind timer) {
    add(Effect::Kind::timer_cancel, connection, Rule::none).timer = timer;
  }
  void state_change(ConnectionId connection, State from, State to, Rule rule) {
    Effect& effect = add(Effect::Kind::state_change, connection, rule);
    effect.from = from;
    effect.to = to;
  }
  // Any event but data; `connection` no_connection for a connect or listen that failed.
  void app_event(ConnectionId connection, AppEventKind kind, Rule rule) {
    if (!app_events_wanted && connection != no_connection) return;
    add(Effect::Kind::app_event, connection, rule).app_event = kind;
  }
  // A data event. Its bytes go into the (empty) vector returned; nullptr when data_wanted is
  // false, and the event comes without them (or when app_events_wanted is false, and it does
  // not come).
  std::vector<std::uint8_t>* data_event(ConnectionId connection);
  void connection_open(ConnectionId connection, const FourTuple& tuple, State born,
                       Port listener_port, bool listener) {
    Effect& effect = add(Effect::Kind::connection_open, connection, Rule::none);
    effect.tuple = tuple;
    effect.to = born;
    effect.listener_port = listener_port;
    effect.listener = listener;
  }
  void connection_free(ConnectionId connection, const FourTuple& tuple) {
    add(Effect::Kind::connection_free, connection, Rule::none).tuple = tuple;
  }

  // ---- Payload vectors, reused ----
  // An empty payload vector for a data segment the core builds: one the driver gave back
  // (with its capacity), else a new one.
  std::vector<std::uint8_t> take_payload() {
    if (spare_payloads_.empty()) return {};
    std::vector<std::uint8_t> payload = std::move(spare_payloads_.back());
    spare_payloads_.pop_back();
    spare_payload_bytes_ -= payload.capacity();
    return payload;
  }
  // A payload the driver has done with (a delivered segment's): kept for take_payload, up to
  // max_spare_payloads of them; beyond that its storage is freed. By reference: most segments
  // carry no payload, and one with no capacity is left as it is (no vector moved per segment).
  void give_payload(std::vector<std::uint8_t>&& spent) {
    if (spent.capacity() == 0) return;
    if (spare_payloads_.size() >= max_spare_payloads) {
      spent = std::vector<std::uint8_t>();
      return;
    }
    spent.clear();
    spare_payload_bytes_ += spent.capacity();
    spare_payloads_.push_back(std::move(spent));
  }
  // The bytes the spare payloads hold, for a driver that accounts for memory.
  std::uint64_t spare_payload_bytes() const { return spare_payload_bytes_; }
  // A thousand connections' segments in flight at once come back together: keeping that many
  // spares lets the next thousand reuse them (-530 instructions a lifecycle). The spares are never
  // more vectors than were once in flight together.
  static constexpr std::size_t max_spare_payloads = 4096;

 private:
  Effect& add(Effect::Kind kind, ConnectionId connection, Rule rule) {
    Effect& effect = effects_.add();
    effect.kind = kind;
    effect.connection = connection;
    effect.rule = rule;
    return effect;
  }
  Packet& add_packet(Effect& effect) {
    if (packet_count_ == packets_.size()) [[unlikely]] add_packet_slot();
    effect.slot = static_cast<std::uint32_t>(packet_count_);
    return packets_[packet_count_++];
  }

  // One more packet slot: out of line, so that the callers' common path makes no call (a call
  // there costs each builder its registers' saving).
  [[gnu::noinline]] void add_packet_slot();
  EffectList effects_;
  // Slots [0, packet_count_) belong to the effects; the rest wait for reuse.
  std::vector<Packet> packets_;
  std::size_t packet_count_ = 0;
  std::vector<std::vector<std::uint8_t>> data_;
  std::size_t data_count_ = 0;
  std::vector<std::vector<std::uint8_t>> spare_payloads_;
  std::uint64_t spare_payload_bytes_ = 0;
};

}  // namespace tcpsim::tcp
