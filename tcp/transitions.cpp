// The transition table (tcp/transitions.hpp). The static_asserts below keep it consistent: rows
// grouped by the state they leave, one row per (from, rule), one target state per rule.
#include "tcp/transitions.hpp"

#include <array>
#include <cstdint>

namespace tcpsim::tcp {

namespace {

using enum State;

constexpr std::string_view open_call = "Connection::open_active";
constexpr std::string_view passive = "Connection::open_passive";
constexpr std::string_view close_call = "Connection::close";
constexpr std::string_view abort_call = "Connection::abort";
constexpr std::string_view unaccepted_abort = "Connection::abort_unaccepted";
constexpr std::string_view syn_in_listen = "Connection::accept_syn";
constexpr std::string_view cookie_ack = "Connection::open_from_cookie";
constexpr std::string_view syn_sent_arrival = "Connection::arrive_syn_sent";
constexpr std::string_view synchronized_arrival = "Connection::arrive_synchronized";
constexpr std::string_view reset_step = "Connection::process_reset";
constexpr std::string_view ack_step = "Connection::process_ack";
constexpr std::string_view text_step = "Connection::process_text";
constexpr std::string_view fin_step = "Connection::process_fin";
constexpr std::string_view timers = "Connection::timer_expired";
constexpr std::string_view established_entry = "Connection::enter_established";
constexpr std::string_view time_wait_entry = "Connection::enter_time_wait";

constexpr std::string_view two_way = "handshake = two-way";
constexpr std::string_view syn_cookies = "syn_cookies = true (Linux)";
constexpr std::string_view no_time_wait = "time_wait = 0";
constexpr std::string_view half_duplex = "half_duplex_close = true";
constexpr std::string_view no_syn_ack_retransmission = "retransmit_syn_ack = false";
constexpr std::string_view no_fin_retransmission = "retransmit_fin = false";
constexpr std::string_view linux_fin_wait_2 = "fin_wait_2_timeout > 0 (Linux)";
constexpr std::string_view rfc793_reset = "rfc5961 = false (RFC 793)";
constexpr std::string_view time_wait_reuse = "time_wait_accepts_syn = true (Linux)";
constexpr std::string_view linux_syn_timeouts = "syn_linear_timeouts > 0 (Linux)";

constexpr std::string_view rcv_rst = "rcv RST";
constexpr std::string_view rcv_rst_in_window = "rcv RST in the window";
constexpr std::string_view rcv_syn_in_window = "rcv SYN in the window";
constexpr std::string_view rcv_fin = "rcv FIN";
constexpr std::string_view rcv_ack_of_fin = "rcv ACK of our FIN";
constexpr std::string_view rcv_fin_ack_of_fin = "rcv FIN, ACK of our FIN";
constexpr std::string_view retransmission = "timeout retransmission";
constexpr std::string_view keepalive = "timeout keepalive";
constexpr std::string_view user = "timeout user";

using Row = StateTransition;

constexpr std::array table{
    // CLOSED
    Row{closed, "OPEN active", syn_sent, Rule::active_open, open_call, ""},
    Row{closed, "OPEN passive", listen, Rule::passive_open, passive, ""},
    // LISTEN
    Row{listen, "OPEN active", syn_sent, Rule::active_open_in_listen, open_call, ""},
    Row{listen, "CLOSE", closed, Rule::close_in_listen, close_call, ""},
    Row{listen, "ABORT", closed, Rule::abort_before_synchronization, abort_call, ""},
    Row{listen, "rcv SYN", syn_received, Rule::listen_syn, syn_in_listen, ""},
    Row{listen, "rcv SYN", established, Rule::two_way_listen_syn, syn_in_listen, two_way},
    Row{listen, "rcv ACK of a SYN cookie", established, Rule::syn_cookie_ack, cookie_ack,
        syn_cookies},
    // SYN_SENT
    Row{syn_sent, "CLOSE", closed, Rule::close_in_syn_sent, close_call, ""},
    Row{syn_sent, "CLOSE, SENDs queued", closed, Rule::close_in_syn_sent_with_queued_sends,
        close_call, ""},
    Row{syn_sent, "ABORT", closed, Rule::abort_before_synchronization, abort_call, ""},
    Row{syn_sent, "rcv RST, ACK of our SYN", closed, Rule::syn_sent_rst_refused, syn_sent_arrival,
        ""},
    Row{syn_sent, "rcv SYN-ACK", established, Rule::syn_sent_syn_ack, syn_sent_arrival, ""},
    Row{syn_sent, "rcv SYN", syn_received, Rule::simultaneous_open, syn_sent_arrival, ""},
    Row{syn_sent, retransmission, closed, Rule::syn_retries_exhausted, timers, ""},
    Row{syn_sent, retransmission, closed, Rule::syn_linear_retries_exhausted, timers,
        linux_syn_timeouts},
    Row{syn_sent, retransmission, closed, Rule::syn_time_budget_exhausted, timers,
        linux_syn_timeouts},
    Row{syn_sent, user, closed, Rule::user_timeout, timers, ""},
    // SYN_RCVD
    Row{syn_received, "CLOSE", fin_wait_1, Rule::close_in_syn_received, close_call, ""},
    Row{syn_received, "ABORT", closed, Rule::abort_synchronized, abort_call, ""},
    Row{syn_received, "CLOSE or ABORT of its listener", closed,
        Rule::listener_closed_before_accept, unaccepted_abort, ""},
    Row{syn_received, "rcv RST (passive OPEN)", listen, Rule::rst_in_syn_received_passive,
        reset_step, ""},
    Row{syn_received, "rcv RST (active OPEN)", closed, Rule::rst_in_syn_received_active, reset_step,
        ""},
    Row{syn_received, "rcv SYN (passive OPEN)", listen, Rule::syn_in_syn_received_back_to_listen,
        synchronized_arrival, ""},
    Row{syn_received, "rcv SYN in the window (active OPEN)", closed, Rule::syn_in_window_reset,
        synchronized_arrival, rfc793_reset},
    Row{syn_received, "rcv ACK of our SYN", established, Rule::syn_received_ack, ack_step, ""},
    Row{syn_received, retransmission, closed, Rule::synack_retries_exhausted, timers, ""},
    Row{syn_received, retransmission, closed, Rule::syn_ack_not_retransmitted_gave_up, timers,
        no_syn_ack_retransmission},
    Row{syn_received, user, closed, Rule::user_timeout, timers, ""},
    // ESTABLISHED
    Row{established, "CLOSE", fin_wait_1, Rule::close_in_established, close_call, ""},
    Row{established, "CLOSE queued in SYN_RCVD", fin_wait_1, Rule::queued_close_takes_effect,
        established_entry, ""},
    Row{established, "CLOSE, data unread", closed, Rule::half_duplex_close_with_unread_data,
        close_call, half_duplex},
    Row{established, "ABORT", closed, Rule::abort_synchronized, abort_call, ""},
    Row{established, rcv_rst, closed, Rule::rst_connection_reset, reset_step, ""},
    Row{established, rcv_rst_in_window, closed, Rule::rst_in_window_reset, reset_step,
        rfc793_reset},
    Row{established, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{established, rcv_fin, close_wait, Rule::fin_in_established, fin_step, ""},
    Row{established, retransmission, closed, Rule::data_retries_exhausted, timers, ""},
    Row{established, keepalive, closed, Rule::keepalive_gave_up, timers, ""},
    Row{established, user, closed, Rule::user_timeout, timers, ""},
    // FIN_WAIT_1
    Row{fin_wait_1, "ABORT", closed, Rule::abort_synchronized, abort_call, ""},
    Row{fin_wait_1, rcv_rst, closed, Rule::rst_connection_reset, reset_step, ""},
    Row{fin_wait_1, rcv_rst_in_window, closed, Rule::rst_in_window_reset, reset_step, rfc793_reset},
    Row{fin_wait_1, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{fin_wait_1, rcv_ack_of_fin, fin_wait_2, Rule::fin_acknowledged_in_fin_wait_1, ack_step, ""},
    Row{fin_wait_1, rcv_fin, closing, Rule::simultaneous_close, fin_step, ""},
    Row{fin_wait_1, rcv_fin_ack_of_fin, time_wait, Rule::fin_in_fin_wait_1_acknowledging_ours,
        fin_step, ""},
    Row{fin_wait_1, rcv_fin_ack_of_fin, closed, Rule::time_wait_disabled, time_wait_entry,
        no_time_wait},
    Row{fin_wait_1, "rcv data after CLOSE", closed, Rule::half_duplex_data_after_close, text_step,
        half_duplex},
    Row{fin_wait_1, retransmission, closed, Rule::synack_retries_exhausted, timers, ""},
    Row{fin_wait_1, retransmission, closed, Rule::data_retries_exhausted, timers, ""},
    Row{fin_wait_1, retransmission, closed, Rule::fin_not_retransmitted_gave_up, timers,
        no_fin_retransmission},
    Row{fin_wait_1, user, closed, Rule::user_timeout, timers, ""},
    // FIN_WAIT_2
    Row{fin_wait_2, "ABORT", closed, Rule::abort_synchronized, abort_call, ""},
    Row{fin_wait_2, rcv_rst, closed, Rule::rst_connection_reset, reset_step, ""},
    Row{fin_wait_2, rcv_rst_in_window, closed, Rule::rst_in_window_reset, reset_step, rfc793_reset},
    Row{fin_wait_2, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{fin_wait_2, rcv_fin, time_wait, Rule::fin_in_fin_wait_2, fin_step, ""},
    Row{fin_wait_2, rcv_fin, closed, Rule::time_wait_disabled, time_wait_entry, no_time_wait},
    Row{fin_wait_2, "rcv data after CLOSE", closed, Rule::half_duplex_data_after_close, text_step,
        half_duplex},
    Row{fin_wait_2, keepalive, closed, Rule::keepalive_gave_up, timers, ""},
    Row{fin_wait_2, "timeout FIN_WAIT_2", closed, Rule::fin_wait_2_timeout, timers,
        linux_fin_wait_2},
    // CLOSE_WAIT
    Row{close_wait, "CLOSE", last_ack, Rule::close_in_close_wait, close_call, ""},
    Row{close_wait, "CLOSE, data unread", closed, Rule::half_duplex_close_with_unread_data,
        close_call, half_duplex},
    Row{close_wait, "ABORT", closed, Rule::abort_synchronized, abort_call, ""},
    Row{close_wait, rcv_rst, closed, Rule::rst_connection_reset, reset_step, ""},
    Row{close_wait, rcv_rst_in_window, closed, Rule::rst_in_window_reset, reset_step, rfc793_reset},
    Row{close_wait, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{close_wait, retransmission, closed, Rule::data_retries_exhausted, timers, ""},
    Row{close_wait, keepalive, closed, Rule::keepalive_gave_up, timers, ""},
    Row{close_wait, user, closed, Rule::user_timeout, timers, ""},
    // CLOSING
    Row{closing, "ABORT", closed, Rule::abort_while_closing, abort_call, ""},
    Row{closing, rcv_rst, closed, Rule::rst_in_closing_or_last_ack, reset_step, ""},
    Row{closing, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{closing, rcv_ack_of_fin, time_wait, Rule::fin_acknowledged_in_closing, ack_step, ""},
    Row{closing, rcv_ack_of_fin, closed, Rule::time_wait_disabled, time_wait_entry, no_time_wait},
    // A CLOSE in SYN_RCVD, then a FIN whose ACK acknowledges nothing (a duplicate, RFC 9293
    // 3.10.7.4 fifth): CLOSING with the SYN still unacknowledged, as FIN_WAIT_1 above.
    Row{closing, retransmission, closed, Rule::synack_retries_exhausted, timers, ""},
    Row{closing, retransmission, closed, Rule::data_retries_exhausted, timers, ""},
    Row{closing, retransmission, closed, Rule::fin_not_retransmitted_gave_up, timers,
        no_fin_retransmission},
    Row{closing, user, closed, Rule::user_timeout, timers, ""},
    // LAST_ACK
    Row{last_ack, "ABORT", closed, Rule::abort_while_closing, abort_call, ""},
    Row{last_ack, rcv_rst, closed, Rule::rst_in_closing_or_last_ack, reset_step, ""},
    Row{last_ack, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{last_ack, rcv_ack_of_fin, closed, Rule::fin_acknowledged_in_last_ack, ack_step, ""},
    Row{last_ack, retransmission, closed, Rule::data_retries_exhausted, timers, ""},
    Row{last_ack, retransmission, closed, Rule::fin_not_retransmitted_gave_up, timers,
        no_fin_retransmission},
    Row{last_ack, user, closed, Rule::user_timeout, timers, ""},
    // TIME_WAIT
    Row{time_wait, "ABORT", closed, Rule::abort_while_closing, abort_call, ""},
    Row{time_wait, rcv_rst, closed, Rule::rst_in_time_wait, reset_step, ""},
    Row{time_wait, rcv_syn_in_window, closed, Rule::syn_in_window_reset, synchronized_arrival,
        rfc793_reset},
    Row{time_wait, "rcv SYN above RCV.NXT", closed, Rule::time_wait_syn_reopens,
        synchronized_arrival, time_wait_reuse},
    Row{time_wait, "rcv SYN with a newer TSval", closed, Rule::time_wait_syn_reopens_by_timestamp,
        synchronized_arrival, time_wait_reuse},
    Row{time_wait, "timeout 2MSL", closed, Rule::time_wait_expired, timers, ""},
};

using ByRule = std::array<RuleTransitions, rule_count + 1>;

constexpr bool consistent() {
  ByRule seen{};
  for (std::size_t index = 0; index < table.size(); ++index) {
    const StateTransition& row = table[index];
    if (row.rule == Rule::none || row.event.empty() || row.function.empty()) return false;
    if (index > 0 && row.from < table[index - 1].from) return false;  // grouped by `from`
    RuleTransitions& entry = seen[static_cast<std::size_t>(row.rule)];
    const auto bit = static_cast<std::uint16_t>(1U << static_cast<unsigned>(row.from));
    if ((entry.from_states & bit) != 0) return false;  // one row per (from, rule)
    if (entry.from_states != 0 && entry.to != row.to) return false;  // one target per rule
    entry.from_states = static_cast<std::uint16_t>(entry.from_states | bit);
    entry.to = row.to;
  }
  return true;
}
static_assert(consistent(), "the transition table must be grouped by `from`, with one row per "
                            "(from, rule) and one target state per rule");

}  // namespace

static_assert(state_count <= 16, "a rule's `from` states fit in 16 bits");
static_assert(sizeof(Rule) == 1 && rule_count < 256, "transitions_by_rule covers every Rule value");

// Declared extern in the header (so transition_allowed is inline); derived from the table alone.
constexpr std::array<RuleTransitions, 256> transitions_by_rule = [] {
  std::array<RuleTransitions, 256> built{};
  for (const StateTransition& row : table) {
    RuleTransitions& entry = built[static_cast<std::size_t>(row.rule)];
    entry.to = row.to;
    entry.from_states =
        static_cast<std::uint16_t>(entry.from_states | (1U << static_cast<unsigned>(row.from)));
  }
  return built;
}();

std::span<const StateTransition> transitions() { return table; }

const StateTransition* find_transition(State from, Rule rule) {
  for (const StateTransition& row : table) {
    if (row.from == from && row.rule == rule) return &row;
  }
  return nullptr;
}

}  // namespace tcpsim::tcp
