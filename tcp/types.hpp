// The vocabulary the sans-IO TCP core speaks: its states, its timers, what it tells the
// application, and the ordered list of effects one call produces.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
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
// the driver must act on them in that order.
struct Effect {
  enum class Kind : std::uint8_t {
    transmit,         // send `packet`; `purpose` and `rule` say why when not `normal`;
                      // `retransmission` when the connection sent its sequence space before
    timer_set,        // arm `timer` of `connection` at `deadline` (replaces an armed one)
    timer_cancel,     // disarm `timer` of `connection`
    state_change,     // `connection` went from `from` to `to` by `rule`
    app_event,        // tell the application `app_event` (with `data` for AppEventKind::data),
                      // `rule` says why; `connection` is no_connection for connect_failed
                      // and listen_failed
    discard,          // an arriving segment was dropped by TCP; `rule` says why
    connection_open,  // a connection was created: `tuple` is its 4-tuple (remote 0.0.0.0:0 for
                      // a listener), `to` the state it is born in (CLOSED; LISTEN for one a
                      // listener spawned), `listener_port` non-zero when a listener spawned
                      // it, `listener` when it is a listener (the TCB of a passive OPEN)
    connection_free,  // the connection's record is deleted (after CLOSED)
  };
  Kind kind = Kind::transmit;
  ConnectionId connection = no_connection;
  Packet packet;  // transmit; for discard, the segment that was dropped
  TimerKind timer = TimerKind::retransmission;
  Time deadline = time_never;
  State from = State::closed;
  State to = State::closed;
  AppEventKind app_event = AppEventKind::connected;
  std::vector<std::uint8_t> data;
  FourTuple tuple;
  Port listener_port = 0;
  SendPurpose purpose = SendPurpose::normal;
  // transmit: the segment repeats sequence space (SYN, data, FIN) this connection sent before.
  bool retransmission = false;
  bool listener = false;  // connection_open
  // transmit of data or a FIN with congestion control on: the sender's cwnd, ssthresh
  // (unlimited_window before a loss) and bytes in flight after this segment (tcp/congestion.hpp).
  bool has_congestion = false;
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = 0;
  std::uint32_t in_flight = 0;
  // Why (tcp/rules.hpp); Rule::none for a segment that is simply the next one, or a data event.
  Rule rule = Rule::none;
};

// The effects of one call into the core, appended in order. The caller clears it.
struct Output {
  std::vector<Effect> effects;
  // False: data events (AppEventKind::data) come without their bytes, for a driver that reads
  // none (the runner's unrecorded runs); nothing else changes. The caller sets it.
  bool data_wanted = true;
  void clear() { effects.clear(); }
};

}  // namespace tcpsim::tcp
