// Every reason the core can give, as one enum: why a state changed, why an arriving segment was
// discarded, why a segment was sent when it is not simply the next one, why the application is
// told something, why a connection gave up. One table (tcp/rules.cpp) holds, for each rule, its
// citation (the RFC section, or "teaching variant", or Linux), its English text and its Chinese
// text; the trace, the views and the tests read the rule, never a string.
#pragma once

#include <cstdint>
#include <string_view>

namespace tcpsim::tcp {

enum class Rule : std::uint8_t {
  none,  // no reason worth telling (a plain data segment or ACK, a data event)

  // OPEN (RFC 9293 3.10.1)
  active_open,
  active_open_in_listen,
  passive_open,
  // CLOSE (RFC 9293 3.10.4; RFC 1122 4.2.2.13 for the half-duplex close)
  close_in_listen,
  close_in_syn_sent,
  close_in_syn_sent_with_queued_sends,
  close_in_syn_received,
  close_in_established,
  close_in_close_wait,
  queued_close_takes_effect,
  half_duplex_close_with_unread_data,
  half_duplex_data_after_close,
  // ABORT (RFC 9293 3.10.5)
  abort_before_synchronization,
  abort_synchronized,
  abort_while_closing,
  listener_closed_before_accept,
  // SEND and CLOSE refused (RFC 9293 3.10.2, 3.10.4)
  send_remote_socket_unspecified,
  send_connection_closing,
  close_connection_closing,
  // Socket options changed on a live connection (Host::configure)
  configure_knob_fixed,
  receive_buffer_grown,
  // SEGMENT ARRIVES in CLOSED, or for no connection (RFC 9293 3.10.7.1)
  closed_rst_discarded,
  closed_answered_with_reset,
  closed_dropped_silently,
  no_connection_rst_discarded,
  no_connection_answered_with_reset,
  no_connection_dropped_silently,
  // LISTEN (RFC 9293 3.10.7.2)
  listen_rst_ignored,
  listen_ack_answered_with_reset,
  listen_syn_ack_dropped,
  syn_fin_dropped,
  listen_ack_dropped_silently,
  listen_syn,
  listen_other_dropped,
  listen_backlog_full,
  listen_backlog_full_reset,
  syn_cookie_sent,
  syn_cookie_ack,
  two_way_listen_syn,
  two_way_no_third_segment,
  // SYN_SENT (RFC 9293 3.10.7.3)
  syn_sent_rst_with_bad_ack,
  syn_sent_bad_ack_answered_with_reset,
  syn_sent_bad_ack_dropped_silently,
  syn_sent_rst_refused,
  syn_sent_rst_without_ack,
  syn_sent_syn_ack,
  simultaneous_open,
  syn_sent_other_dropped,
  // Synchronized states (RFC 9293 3.10.7.4), by step
  rst_outside_window,
  rst_in_window_challenge,
  rst_in_window_reset,
  unacceptable_zero_window,
  unacceptable_outside_window,
  paws_rejected,
  timestamp_missing_dropped,
  rst_in_syn_received_passive,
  rst_in_syn_received_active,
  rst_connection_reset,
  rst_in_closing_or_last_ack,
  rst_in_time_wait,
  rst_in_time_wait_ignored,
  time_wait_syn_reopens,
  time_wait_syn_reopens_by_timestamp,
  syn_in_syn_received_back_to_listen,
  syn_in_syn_received_discarded,
  syn_challenge_ack,
  syn_in_window_reset,
  syn_outside_window_acknowledged,
  time_wait_segment_without_ack_dropped,
  time_wait_segment_acknowledged,
  ack_bit_off,
  syn_received_bad_ack_answered_with_reset,
  syn_received_bad_ack_dropped_silently,
  syn_received_ack,
  ack_of_unsent_data,
  ack_below_window,
  fin_acknowledged_in_fin_wait_1,
  fin_acknowledged_in_closing,
  fin_unacknowledged_in_closing,
  fin_acknowledged_in_last_ack,
  text_after_fin_ignored,
  out_of_order_held,
  out_of_order_fin_held,
  out_of_order_beyond_window,
  fin_in_established,
  fin_in_fin_wait_1_acknowledging_ours,
  simultaneous_close,
  fin_in_fin_wait_2,
  peer_fin_end_of_stream,
  // Timers, retransmission and probes
  time_wait_expired,
  time_wait_disabled,
  retransmission_timeout,
  fast_retransmit,
  partial_ack_retransmit,
  sack_retransmit,
  sack_retransmit_not_yet_lost,
  sack_rescue_retransmit,
  retransmission_after_timeout,
  window_probe,
  window_update,
  keepalive_probe,
  keepalive_gave_up,
  user_timeout,
  fin_wait_2_timeout,
  syn_retries_exhausted,
  syn_linear_retries_exhausted,
  syn_time_budget_exhausted,
  synack_retries_exhausted,
  data_retries_exhausted,
  r1_retries_reached,
  syn_ack_not_retransmitted_gave_up,
  fin_not_retransmitted_gave_up,
  // The host and the simulated machine
  connect_host_down,
  connect_no_ephemeral_port,
  connect_tuple_in_use,
  connect_local_port_in_use,
  listen_port_in_use,
  listen_host_down,
  host_down,
  not_addressed_to_host,
  lost_in_crash,
};
// The rules with a text: every value but Rule::none.
inline constexpr int rule_count = static_cast<int>(Rule::lost_in_crash);

// How the trace writes a rule's citation beside its English text.
enum class Cited : std::uint8_t {
  before,  // "RFC 9293 3.10.1: active OPEN, SYN sent"
  after,   // "time_wait = 0: TIME_WAIT is disabled, CLOSED at once (teaching variant)"
  apart,   // "not addressed to this host": the trace has never printed this citation
};

struct RuleText {
  Rule rule = Rule::none;
  std::string_view name;      // the enum value's name, "active_open"
  std::string_view citation;  // "RFC 9293 3.10.1", "teaching variant", "Linux ...", "tcpsim model"
  Cited cited = Cited::before;
  std::string_view english;  // without the citation: "active OPEN, SYN sent"
  std::string_view chinese;  // without the citation: "主动打开，发送 SYN"
};

// The table row of `rule` (Rule::none has an empty row).
const RuleText& rule_text(Rule rule);
std::string_view rule_name(Rule rule);
// The reason as the trace prints it: the English text with its citation placed as `cited`
// says ("" for Rule::none).
std::string_view rule_reason(Rule rule);
// The citation in Chinese: an RFC citation is the same in both languages; the others
// ("teaching variant", Linux) are translated.
std::string_view rule_citation_chinese(Rule rule);

}  // namespace tcpsim::tcp
