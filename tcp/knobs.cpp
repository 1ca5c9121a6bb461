#include "tcp/knobs.hpp"

#include <array>

namespace tcpsim::tcp {

namespace {

using knob_detail::get;
using knob_detail::set;

constexpr std::array<std::string_view, 2> handshake_choices{"three-way", "two-way"};
// In the order of enum class Handshake: a choice is held as its index.
static_assert(static_cast<int>(Handshake::three_way) == 0);
static_assert(static_cast<int>(Handshake::two_way) == 1);

// In the order of enum class IsnPolicy: a word is held as its index.
constexpr std::array<std::string_view, 3> isn_words{"random", "clock", "rfc6528"};
static_assert(static_cast<int>(IsnPolicy::random) == 0);
static_assert(static_cast<int>(IsnPolicy::clock) == 1);
static_assert(static_cast<int>(IsnPolicy::rfc6528) == 2);

// In the order of enum class CongestionAlgorithm: a choice is held as its index.
constexpr std::array<std::string_view, 3> congestion_choices{"newreno", "cubic", "none"};
static_assert(static_cast<int>(CongestionAlgorithm::newreno) == 0);
static_assert(static_cast<int>(CongestionAlgorithm::cubic) == 1);
static_assert(static_cast<int>(CongestionAlgorithm::none) == 2);

// In the order of enum class RtoFormula: a choice is held as its index.
constexpr std::array<std::string_view, 2> rto_formula_choices{"rfc6298", "linux"};
static_assert(static_cast<int>(RtoFormula::rfc6298) == 0);
static_assert(static_cast<int>(RtoFormula::linux_kernel) == 1);

// In the order of enum class TimerWheel: a choice is held as its index.
constexpr std::array<std::string_view, 4> timer_wheel_choices{"none", "linux-hz100", "linux-hz250",
                                                              "linux-hz1000"};
static_assert(static_cast<int>(TimerWheel::none) == 0);
static_assert(static_cast<int>(TimerWheel::linux_hz100) == 1);
static_assert(static_cast<int>(TimerWheel::linux_hz250) == 2);
static_assert(static_cast<int>(TimerWheel::linux_hz1000) == 3);

// In the order of enum class BacklogFull.
constexpr std::array<std::string_view, 2> backlog_full_choices{"drop", "reset"};
static_assert(static_cast<int>(BacklogFull::drop) == 0);
static_assert(static_cast<int>(BacklogFull::reset) == 1);

// In the order of enum class MissingTimestamp.
constexpr std::array<std::string_view, 2> timestamp_missing_choices{"drop", "accept"};
static_assert(static_cast<int>(MissingTimestamp::drop) == 0);
static_assert(static_cast<int>(MissingTimestamp::accept) == 1);

constexpr std::int64_t u32_max = 4294967295;

// In the order of enum class OptionLayout: a choice is held as its index.
constexpr std::array<std::string_view, 2> option_layout_choices{"linux", "freebsd"};
static_assert(static_cast<int>(OptionLayout::linux_order) == 0);
static_assert(static_cast<int>(OptionLayout::freebsd_order) == 1);

// `window_scaling` is a shift count (0 .. 14) or the word "off" (window_scaling_off).
constexpr std::array<std::string_view, 1> window_scaling_words{"off"};
constexpr Duration positive = 1 * nanosecond;  // a duration's min: "greater than 0"

// Constructors by type, so that each row names only what its type needs.
struct Access {
  KnobValue (*get)(const TcpConfig&);
  void (*set)(TcpConfig&, KnobValue);
};
template <auto member>
constexpr Access access{get<member>, set<member>};

// `isn` is two members: a fixed ISN (a number), or none and the policy (a word).
KnobValue get_isn(const TcpConfig& config) {
  if (config.fixed_isn) return {static_cast<std::int64_t>(*config.fixed_isn), false};
  return {static_cast<std::int64_t>(config.isn_policy), true};
}
void set_isn(TcpConfig& config, KnobValue value) {
  if (value.is_word) {
    config.fixed_isn.reset();
    config.isn_policy = static_cast<IsnPolicy>(value.number);
  } else {
    config.fixed_isn = static_cast<std::uint32_t>(value.number);
  }
}
constexpr Access isn_access{get_isn, set_isn};

KnobValue get_window_scaling(const TcpConfig& config) {
  if (config.window_scaling == window_scaling_off) return {0, true};
  return {config.window_scaling, false};
}
void set_window_scaling(TcpConfig& config, KnobValue value) {
  config.window_scaling = value.is_word ? window_scaling_off : static_cast<int>(value.number);
}
constexpr Access window_scaling_access{get_window_scaling, set_window_scaling};

constexpr std::int64_t no_max = no_knob_max;

constexpr Knob make_knob(std::string_view name, KnobType type, std::int64_t min, std::int64_t max,
                         Access access, std::string_view doc) {
  Knob knob;
  knob.name = name;
  knob.type = type;
  knob.min = min;
  knob.max = max;
  knob.doc = doc;
  knob.get = access.get;
  knob.set = access.set;
  return knob;
}
constexpr Knob duration_knob(std::string_view name, Duration min, Duration max,
                             std::string_view max_reason, Access access, std::string_view doc) {
  Knob knob = make_knob(name, KnobType::duration, min, max, access, doc);
  knob.max_reason = max_reason;
  return knob;
}
constexpr Knob integer_knob(std::string_view name, std::int64_t min, std::int64_t max,
                            Access access, std::string_view doc) {
  return make_knob(name, KnobType::integer, min, max, access, doc);
}
constexpr Knob boolean_knob(std::string_view name, Access access, std::string_view doc) {
  return make_knob(name, KnobType::boolean, 0, 1, access, doc);
}
constexpr Knob choice_knob(std::string_view name, std::span<const std::string_view> choices,
                           Access access, std::string_view doc) {
  Knob knob = make_knob(name, KnobType::choice, 0, static_cast<std::int64_t>(choices.size()) - 1,
                        access, doc);
  knob.choices = choices;
  return knob;
}
constexpr Knob integer_or_word_knob(std::string_view name, std::int64_t min, std::int64_t max,
                                    std::span<const std::string_view> words, Access access,
                                    std::string_view doc) {
  Knob knob = make_knob(name, KnobType::integer_or_word, min, max, access, doc);
  knob.words = words;
  return knob;
}
constexpr Knob teaching(Knob knob) {
  knob.teaching = true;
  return knob;
}
constexpr Knob live(Knob knob) {
  knob.live = true;
  return knob;
}

constexpr std::array knob_table{
    teaching(choice_knob("handshake", handshake_choices, access<&TcpConfig::handshake>,
                         "the opening handshake (RFC 9293 3.5); `\"two-way\"` sends no third "
                         "segment (teaching variant)")),
    duration_knob("msl", 0, no_max, "", access<&TcpConfig::msl>,
                  "the host's idea of the maximum segment lifetime (RFC 9293 3.4.1)"),
    teaching(duration_knob("time_wait", 0, no_max, "", access<&TcpConfig::time_wait>,
                           "how long TIME_WAIT lasts (RFC 9293 3.10.7.4: 2 MSL); `\"0s\"` turns "
                           "TIME_WAIT off (teaching variant)")),
    teaching(integer_or_word_knob("isn", 0, u32_max, isn_words, isn_access,
                                  "a fixed initial sequence number for every connection, or how "
                                  "each is chosen (RFC 9293 3.4.1): `\"random\"` draws it from "
                                  "the seeded generator, `\"clock\"` reads RFC 793's 4 us "
                                  "clock, `\"rfc6528\"` adds to the clock a keyed hash of the "
                                  "4-tuple (RFC 6528, the key from the seed)")),
    duration_knob("rto_initial", positive, no_max, "", access<&TcpConfig::rto_initial>,
                  "the retransmission timeout before any RTT sample (RFC 6298 2.1)"),
    duration_knob("rto_min", positive, no_max, "", access<&TcpConfig::rto_min>,
                  "the least retransmission timeout (RFC 6298 2.4), at most `rto_max`"),
    duration_knob("rto_max", positive, no_max, "", access<&TcpConfig::rto_max>,
                  "the greatest retransmission timeout (RFC 6298 2.5)"),
    choice_knob("rto_formula", rto_formula_choices, access<&TcpConfig::rto_formula>,
                "how the RTO follows the RTT: `\"rfc6298\"` is max(`rto_min`, SRTT + 4 RTTVAR) "
                "(RFC 6298 2.2-2.4); `\"linux\"` is SRTT + max(4 RTTVAR, `rto_min`) with "
                "Linux's estimator (tcp_rtt_estimator(), __tcp_set_rto() in "
                "net/ipv4/tcp_input.c): RTTVAR's term is the largest of the last round trip and "
                "decays slowly, and a falling RTT moves it with gain 1/32"),
    choice_knob("timer_wheel", timer_wheel_choices, access<&TcpConfig::timer_wheel>,
                "when a timer fires: `\"none\"` at its deadline; `\"linux-hz250\"` (and "
                "`\"linux-hz100\"`, `\"linux-hz1000\"`) as Linux's timer_list timers do, in "
                "jiffies of 1/HZ s from time 0, placed in kernel/time/timer.c's wheel, whose "
                "levels round the expiry up past their granularity (a 250 ms RTO fires after "
                "256 to 284 ms at HZ=250, a 60 s TIME_WAIT after 60 to 62 s); the RTO is held "
                "in whole jiffies"),
    integer_knob("syn_retries", 0, 100, access<&TcpConfig::syn_retries>,
                 "SYN retransmissions before giving up (Linux tcp_syn_retries); with "
                 "`syn_linear_timeouts` N, at most `syn_retries` + N, and no longer than "
                 "`syn_retries` retransmissions last with the RTO doubling (Linux's "
                 "tcp_write_timeout() and tcp_model_timeout())"),
    integer_knob("syn_linear_timeouts", 0, 100, access<&TcpConfig::syn_linear_timeouts>,
                 "SYN_SENT's first N retransmission timeouts keep the RTO instead of doubling "
                 "it (Linux 6.5+ tcp_syn_linear_timeouts; RFC 6298 5.5 doubles at once)"),
    integer_knob("synack_retries", 0, 100, access<&TcpConfig::synack_retries>,
                 "SYN-ACK retransmissions before giving up (Linux tcp_synack_retries)"),
    integer_knob("data_retries", 0, 100, access<&TcpConfig::data_retries>,
                 "retransmissions of data or a FIN before giving up (Linux tcp_retries2)"),
    integer_knob("r1_retries", 0, 100, access<&TcpConfig::r1_retries>,
                 "retransmissions of the same data or FIN after which the application is told "
                 "`delivery_problem`, once, while TCP keeps trying until `data_retries` (RFC "
                 "9293 3.8.3, RFC 1122 4.2.3.5 R1); 0 turns the notice off"),
    integer_knob("mss", 1, 65535, access<&TcpConfig::mss>,
                 "our MSS, sent in the MSS option of SYN and SYN-ACK (RFC 9293 3.7.1)"),
    live(integer_knob("send_buffer", 1, 64 * 1024 * 1024, access<&TcpConfig::send_buffer>,
                      "the bytes a `send` has handed to TCP and that are not yet acknowledged (at "
                      "most 64 MiB)")),
    live(integer_knob("receive_buffer", 0, 16 * 1024 * 1024, access<&TcpConfig::receive_buffer>,
                      "bytes received and not yet read, and out-of-order bytes (at most 16 "
                      "MiB); the window advertised is its free space (RFC 9293 3.8.6), at most "
                      "65535, or 65535 << the shift once window scaling is negotiated")),
    integer_or_word_knob("window_scaling", 0, max_window_scale, window_scaling_words,
                         window_scaling_access,
                         "the shift count sent in the Window Scale option of SYN and SYN-ACK "
                         "(RFC 7323 2), `\"off\"` for none; windows are scaled only when both "
                         "sides sent it, never on a SYN"),
    teaching(boolean_knob("timestamps", access<&TcpConfig::timestamps>,
                          "the Timestamps option (RFC 7323 3), used once both SYNs carry it: "
                          "RTT measurement from TSecr (RFC 7323 4) and PAWS (RFC 7323 5); TSval "
                          "is a 1 ms clock")),
    boolean_knob("timestamp_offset", access<&TcpConfig::timestamp_offset>,
                 "TSval is the 1 ms clock plus an offset per pair of addresses, a keyed hash "
                 "(SipHash-2-4, the key from the seed) of the local and remote address, as "
                 "Linux's secure_tcp_ts_off() (tcp_timestamps = 1): the clock does not tell the "
                 "host's uptime (RFC 7323 7), and still grows across incarnations of a 4-tuple"),
    choice_knob("timestamp_missing", timestamp_missing_choices,
                access<&TcpConfig::timestamp_missing>,
                "a segment without the Timestamps option (a RST aside) on a connection that "
                "negotiated them: `\"drop\"` it silently (RFC 7323 3.2's SHOULD) or "
                "`\"accept\"` it, as Linux does"),
    boolean_knob("sack", access<&TcpConfig::sack>,
                 "SACK-permitted on the SYN and, once both sides sent it, SACK blocks on our "
                 "ACKs of out-of-order data (RFC 2018)"),
    boolean_knob("dsack", access<&TcpConfig::dsack>,
                 "with SACK in use, the ACK answering a duplicate segment reports the duplicate "
                 "data in its first SACK block, below the ACK or inside the second block (D-SACK, "
                 "RFC 2883); the sender takes no action on one"),
    choice_knob("option_layout", option_layout_choices, access<&TcpConfig::option_layout>,
                "the order and padding of the options on the wire: Linux's "
                "tcp_options_write() (`<mss,sackOK,TS,nop,wscale>`) or FreeBSD's "
                "tcp_addoptions() (`<mss,nop,wscale,sackOK,TS>`, EOL padding)"),
    live(boolean_knob("nagle", access<&TcpConfig::nagle>,
                      "Nagle's algorithm (RFC 9293 3.7.4); `false` is TCP_NODELAY")),
    live(duration_knob("delayed_ack", 0, 500 * millisecond,
                       "RFC 1122 4.2.3.2 delays an ACK at most 0.5 s (\"0\" turns delayed ACK off)",
                       access<&TcpConfig::delayed_ack>,
                       "delayed ACK (RFC 1122 4.2.3.2, RFC 9293 3.8.6.3); `\"0\"` turns it off")),
    integer_knob("duplicate_ack_threshold", 0, 100, access<&TcpConfig::duplicate_ack_threshold>,
                 "duplicate ACKs that trigger a fast retransmit (RFC 5681 3.2); 0 turns fast "
                 "retransmit off"),
    teaching(choice_knob("congestion_control", congestion_choices,
                         access<&TcpConfig::congestion_control>,
                         "congestion control (RFC 9293 3.8.2): `\"newreno\"` is RFC 5681 with "
                         "RFC 6582's partial ACKs and RFC 3042's limited transmit, `\"cubic\"` "
                         "is RFC 9438, `\"none\"` sends what the peer's window allows "
                         "(teaching variant)")),
    integer_knob("initial_window", 0, 1000, access<&TcpConfig::initial_window>,
                 "the initial congestion window in segments (RFC 6928); 0 is RFC 5681 3.1's "
                 "2 to 4 segments by the MSS"),
    live(teaching(boolean_knob("keepalive", access<&TcpConfig::keepalive>,
                               "keepalive probes on an idle connection (RFC 1122 4.2.3.6)"))),
    live(duration_knob("keepalive_idle", positive, no_max, "", access<&TcpConfig::keepalive_idle>,
                       "idle time before the first keepalive probe")),
    live(duration_knob("keepalive_interval", positive, no_max, "",
                       access<&TcpConfig::keepalive_interval>, "time between keepalive probes")),
    live(integer_knob("keepalive_probes", 1, 1000, access<&TcpConfig::keepalive_probes>,
                      "unanswered keepalive probes before the connection is dropped "
                      "(`timed_out`)")),
    live(duration_knob("user_timeout", 0, no_max, "", access<&TcpConfig::user_timeout>,
                       "how long data may stay unacknowledged before the connection gives up "
                       "(RFC 9293 3.8.4, RFC 5482); `\"0\"` turns it off")),
    duration_knob("fin_wait_2_timeout", 0, no_max, "", access<&TcpConfig::fin_wait_2_timeout>,
                  "how long FIN_WAIT_2 waits for the peer's FIN (not in the RFCs: Linux "
                  "tcp_fin_timeout); `\"0\"` turns it off"),
    teaching(boolean_knob("retransmit_syn_ack", access<&TcpConfig::retransmit_syn_ack>,
                          "retransmit a lost SYN-ACK (RFC 9293 3.8.1); `false` is a teaching "
                          "variant")),
    teaching(boolean_knob("retransmit_fin", access<&TcpConfig::retransmit_fin>,
                          "retransmit a lost FIN (RFC 9293 3.8.1); `false` is a teaching "
                          "variant")),
    teaching(boolean_knob("reset_unexpected_segments",
                          access<&TcpConfig::reset_unexpected_segments>,
                          "answer a segment no connection wants with a RST (RFC 9293 "
                          "3.10.7.1-4); `false` drops it silently (teaching variant)")),
    teaching(boolean_knob("half_duplex_close", access<&TcpConfig::half_duplex_close>,
                          "RFC 1122 4.2.2.13 half-duplex close: data unread at or arriving after "
                          "CLOSE draws a RST (teaching variant)")),
    teaching(boolean_knob("rfc1337", access<&TcpConfig::rfc1337>,
                          "RFC 1337: TIME_WAIT ignores a RST instead of closing early (Linux "
                          "net.ipv4.tcp_rfc1337; off as in Linux's default)")),
    teaching(boolean_knob("rfc5961", access<&TcpConfig::rfc5961>,
                          "RFC 5961 (RFC 9293 3.10.7.4): challenge ACKs for an in-window RST not "
                          "at RCV.NXT and for a SYN, and ACKs below SND.UNA - MAX.SND.WND "
                          "dropped; `false` is RFC 793's behaviour, where an in-window RST or SYN "
                          "resets the connection")),
    teaching(boolean_knob("time_wait_accepts_syn", access<&TcpConfig::time_wait_accepts_syn>,
                          "a SYN above the final RCV.NXT reopens a 4-tuple in TIME_WAIT: the old "
                          "connection closes and the port's listener takes the SYN (RFC 1122 "
                          "4.2.2.13); with timestamps, so does a SYN with a newer TSval (RFC "
                          "6191)")),
    boolean_knob("receive_buffer_rounded_to_mss",
                 access<&TcpConfig::receive_buffer_rounded_to_mss>,
                 "the receive buffer is rounded up to a multiple of the MSS once the peer's MSS "
                 "is known, and the acceptability test uses its whole free space, beyond the "
                 "65535 advertised (FreeBSD's tcp_mss() and tcp_input(); not Linux)"),
    boolean_knob("fin_on_every_segment", access<&TcpConfig::fin_on_every_segment>,
                 "while our FIN is unacknowledged, the ACKs we owe carry it again at its "
                 "sequence number (FreeBSD's tcp_output(); not Linux, nor RFC 9293 3.10.7.4)"),
    boolean_knob("time_wait_drops_segments_without_ack",
                 access<&TcpConfig::time_wait_drops_segments_without_ack>,
                 "TIME_WAIT drops a segment without ACK (a RST or SYN aside) before the sequence "
                 "number check (FreeBSD's tcp_twcheck(); RFC 9293 3.10.7.4 checks the sequence "
                 "number first)"),
    boolean_knob("time_wait_acknowledges_segments",
                 access<&TcpConfig::time_wait_acknowledges_segments>,
                 "TIME_WAIT acknowledges every acceptable segment but a duplicate ACK at "
                 "RCV.NXT (FreeBSD's tcp_twcheck(); not Linux, nor RFC 9293 3.10.7.4)"),
    boolean_knob("listen_drops_syn_ack", access<&TcpConfig::listen_drops_syn_ack>,
                 "a SYN-ACK reaching a listener is dropped silently (FreeBSD's tcp_input() and "
                 "syncache_badack()); RFC 9293 3.10.7.2 and Linux answer with a RST"),
    boolean_knob("drop_syn_fin", access<&TcpConfig::drop_syn_fin>,
                 "a SYN-FIN reaching a listener or SYN_SENT is dropped silently (FreeBSD's "
                 "net.inet.tcp.drop_synfin in tcp_input(), default off; Linux's "
                 "tcp_rcv_state_process() drops it in LISTEN only)"),
    choice_knob("backlog_full", backlog_full_choices, access<&TcpConfig::backlog_full>,
                "what a listener with a full backlog does with a SYN (without `syn_cookies`): "
                "`\"drop\"` it silently, as Linux does, or `\"reset\"`: answer with a RST, as "
                "Windows does"),
    teaching(boolean_knob("syn_cookies", access<&TcpConfig::syn_cookies>,
                          "SYN cookies (RFC 4987 3.6): with the backlog full, a SYN is answered "
                          "with a SYN-ACK whose ISN encodes the MSS and a 64 s counter under a "
                          "keyed hash, and nothing is kept; the ACK returning it makes the "
                          "connection")),
};

// Linux's values (net.ipv4.* and include/net/tcp.h) where they differ from RFC 9293's.
constexpr std::array linux_settings{
    KnobSetting{"time_wait", {60 * second}, "TCP_TIMEWAIT_LEN, whatever `msl` says"},
    KnobSetting{"rto_min", {200 * millisecond}, "TCP_RTO_MIN"},
    KnobSetting{"rto_max", {120 * second}, "TCP_RTO_MAX"},
    KnobSetting{"rto_formula", {1}, "tcp_rtt_estimator(), __tcp_set_rto()"},
    KnobSetting{"syn_linear_timeouts", {4}, "tcp_syn_linear_timeouts (Linux 6.5+)"},
    KnobSetting{"timer_wheel", {2}, "CONFIG_HZ=250, kernel/time/timer.c"},
    KnobSetting{"fin_wait_2_timeout", {60 * second}, "tcp_fin_timeout"},
    KnobSetting{"time_wait_accepts_syn", {1}, "tcp_timewait_state_process"},
    KnobSetting{"congestion_control", {1}, "tcp_congestion_control = cubic"},
    KnobSetting{"initial_window", {10}, "TCP_INIT_CWND (RFC 6928)"},
    KnobSetting{"window_scaling", {7}, "tcp_rmem's 6 MiB maximum gives wscale 7"},
    KnobSetting{"timestamps", {1}, "tcp_timestamps"},
    KnobSetting{"timestamp_offset", {1}, "tcp_timestamps = 1: secure_tcp_ts_off()"},
    KnobSetting{"timestamp_missing", {1}, "tcp_validate_incoming()"},
    KnobSetting{"sack", {1}, "tcp_sack"},
    KnobSetting{"dsack", {1}, "tcp_dsack"},
    KnobSetting{"syn_cookies", {1}, "tcp_syncookies = 1: once the backlog overflows"},
};

// FreeBSD's choices (sys/netinet/tcp_*.c) where they differ from RFC 9293's; drop_syn_fin
// stays off, as net.inet.tcp.drop_synfin's default.
constexpr std::array freebsd_settings{
    KnobSetting{"msl", {30 * second}, "net.inet.tcp.msl; TIME_WAIT is 2 MSL"},
    KnobSetting{"rfc1337", {1}, "tcp_twcheck() drops every RST"},
    KnobSetting{"receive_buffer_rounded_to_mss", {1}, "tcp_mss()"},
    KnobSetting{"fin_on_every_segment", {1}, "tcp_output()"},
    KnobSetting{"time_wait_drops_segments_without_ack", {1}, "tcp_twcheck()"},
    KnobSetting{"time_wait_acknowledges_segments", {1}, "tcp_twcheck()"},
    KnobSetting{"listen_drops_syn_ack", {1}, "tcp_input(), syncache_badack()"},
    KnobSetting{"window_scaling", {6}, "kern.ipc.maxsockbuf 2 MiB gives wscale 6"},
    KnobSetting{"timestamps", {1}, "net.inet.tcp.rfc1323"},
    KnobSetting{"sack", {1}, "net.inet.tcp.sack.enable"},
    KnobSetting{"option_layout", {1}, "tcp_addoptions()"},
};

constexpr std::array profile_table{
    Profile{"rfc9293", "the RFCs' values (RFC 9293, RFC 6298, RFC 1122); retry limits from Linux",
            {}, true},
    Profile{"linux",
            "Linux 6.18's defaults: its TIME_WAIT (and its reopening by a new SYN), RTO bounds "
            "and formula, linear SYN timeouts, FIN_WAIT_2 timeout, options (window scale 7, "
            "timestamps with an offset per address pair, segments without them accepted, SACK, "
            "D-SACK), CUBIC and an initial window of 10 segments, SYN cookies and "
            "ephemeral ports (ip_local_port_range 32768-60999)",
            linux_settings,
            false, 32768, 60999},
    Profile{"freebsd",
            "FreeBSD's MSL, receive buffer rounded to the MSS, FIN on every segment, TIME_WAIT "
            "(RFC 1337, what it drops and acknowledges), SYN-ACK to a listener and options "
            "(window scale 6, timestamps, SACK, in FreeBSD's layout)",
            freebsd_settings, true},
};

}  // namespace

std::span<const Knob> knobs() { return knob_table; }

const Knob* find_knob(std::string_view name) {
  for (const Knob& knob : knob_table)
    if (knob.name == name) return &knob;
  return nullptr;
}

std::string knob_value_text(const Knob& knob, KnobValue value) {
  switch (knob.type) {
    case KnobType::duration: return format_duration(value.number);
    case KnobType::integer: return std::to_string(value.number);
    case KnobType::boolean: return value.number != 0 ? "true" : "false";
    case KnobType::choice: {
      const auto index = static_cast<std::size_t>(value.number);
      return index < knob.choices.size() ? std::string(knob.choices[index]) : "?";
    }
    case KnobType::integer_or_word: {
      if (!value.is_word) return std::to_string(value.number);
      const auto index = static_cast<std::size_t>(value.number);
      return index < knob.words.size() ? std::string(knob.words[index]) : "?";
    }
  }
  return "?";
}

std::span<const Profile> profiles() { return profile_table; }

const Profile* find_profile(std::string_view name) {
  for (const Profile& profile : profile_table)
    if (profile.name == name) return &profile;
  return nullptr;
}

const KnobSetting* find_setting(const Profile& profile, std::string_view knob) {
  for (const KnobSetting& setting : profile.settings)
    if (setting.knob == knob) return &setting;
  return nullptr;
}

TcpConfig profile_config(const Profile& profile) {
  TcpConfig config;
  for (const KnobSetting& setting : profile.settings)
    if (const Knob* knob = find_knob(setting.knob)) knob->set(config, setting.value);
  // RFC 9293 3.10.7.4: TIME_WAIT lasts 2 MSL, the profile's MSL (freebsd: 30 s, so 60 s).
  if (profile.time_wait_is_two_msl && find_setting(profile, "time_wait") == nullptr)
    config.time_wait = 2 * config.msl;
  return config;
}

}  // namespace tcpsim::tcp
