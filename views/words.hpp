// The words of every view, in English and in Chinese: one table (views/words.cpp) that the
// ladder, the explained ladder, the SVG diagram, Mermaid and the narration all read, so that a
// label is written once and `--lang zh` changes every view alike. A term missing a language
// does not compile. The core's rules have their own table (tcp/rules.cpp), read through
// rule_reason and rule_sentence here; the link's causes are worded by link_cause.
//
// The Chinese follows the textbook the project starts from (../shared/seeds/, Xie Xiren's
// 《计算机网络》): 三次握手, 四次挥手, 序号/确认号, 重传计时器, 保活计时器, 快重传, 重复确认, 失序,
// 半关闭, 半连接. State names, flags and RFC citations stay as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"
#include "runner/trace.hpp"
#include "sim/link_cause.hpp"
#include "tcp/rules.hpp"
#include "tcp/types.hpp"

namespace tcpsim::views {

enum class Language : std::uint8_t { english, chinese };

// "en" or "zh"; false for anything else.
bool parse_language(std::string_view code, Language& language_out);

// Every fixed piece of text a view writes. {0}, {1} are filled by fill().
enum class Term : std::uint16_t {
  // Punctuation that differs between the languages
  parenthesized,            // "{0} ({1})"
  colon,                    // "{0}: {1}"
  reason_tag,               // "({0})": a reason beside an event
  // Headers and footers
  title_with_seed,          // "tcpsim: {0} (seed {1})"
  diagram_title,            // "tcpsim {0} (seed {1})"
  page_title,               // "tcpsim: {0}": the HTML page's own <title>
  seed,                     // "seed {0}"
  seq_absolute,             // "seq/ack: absolute sequence numbers"
  seq_relative,             // "... relative to each side's ISN, as Wireshark shows"
  seq_relative_short,       // "seq/ack: relative to each side's ISN"
  time_runs_down,           // "time in seconds, runs down"
  time_column,              // "time (s)"
  end_of_run,               // "end of run"
  two_way_handshake,        // a host's teaching variant
  no_time_wait,
  profile,                  // "profile {0}"
  scripted_host,            // "scripted: no TCP"
  listener_mark,            // "(listener)"
  connect_failed_mark,
  listen_failed_mark,
  lost_in_crash_mark,
  // The run's summary: what each side believes
  believes_lead,            // "what each side believes: {0}"
  host_connections_one,     // "{0}: 1 connection"
  host_connections_many,    // "{0}: {1} connections"
  half_open_suffix,         // ", {0} half-open"
  summary_separator,        // "; "
  expectations_met,         // "expectations: {0} of {1} met"
  explain_note,             // the header line --explain adds
  // Event lines
  arrives,                  // "{0} arrives"
  lost,                     // "{0} lost"
  expires_in_network,       // "{0} expires in the network"
  held_until,               // "{0} held until {1}s"
  copy_arrives,             // "{0}' copy arrives at {1}s"
  discards,                 // "discards {0}"
  timer_until,              // "{0} until {1}"
  timer_off,                // "{0} off"
  timer_fires,              // "{0} fires"
  timer_rounded_up,         // "{0}, rounded up to {1} by timer_wheel"
  timer_cut,                // "{0}, cut to {1} by timer_wheel"
  app_prefix,               // "app: {0}"
  bytes,                    // "{0} bytes"
  record_gone,              // "gone"
  inject,                   // "inject"
  inject_from,              // "inject from {0}"
  injected_by_script,       // "injected by the script"
  injected_from_spoofed,    // "#{0} injected by the script from the spoofed address {1}"
  injected_mark,            // " (injected)"
  retransmission_mark,      // " (retransmission)"
  retx_mark,                // " retx": the diagram's short mark
  no_flags,                 // "(no flags)"
  reacting_to,              // " (reacting to {0})": a reactive action's trigger
  call_failed,              // "failed: {0}"
  refused,                  // "refused: {0}"
  // Why a segment was sent, or what its arrival meant (views/segment_reasons.hpp)
  duplicate_ack,            // "duplicate ACK"
  duplicate_ack_of,         // "duplicate ACK {0} of {1}"
  duplicate_ack_past,       // "duplicate ACK {0} (past the threshold of {1})"
  duplicate_ack_counted,    // "duplicate ACK {0}" (fast retransmit off)
  held_out_of_order,        // "out of order: held for reassembly"
  fast_retransmit,
  window_probe,
  keepalive_probe,
  window_update,
  timeout_retransmission,
  // The textbook's numbering of the handshake and the close ({0}: 3, or 2 for a two-way one)
  handshake_first,
  handshake_second,
  handshake_third,
  close_first,
  close_second,
  close_second_and_third,
  close_third,
  close_fourth,
  step_retransmitted,       // " (retransmitted)": a step numbered before, sent again
  step_again,               // " (again)": a step's ACK repeated
  // The link (Mermaid, SVG)
  held_by_network,          // "{0} held by the network until {1}"
  duplicated_by_network,    // "{0} duplicated by the network, the copy {0}' arrives at {1}"
  duplicated_copy_expires,  // "... the copy {0}' expires at {1}"
  copy_made_by_network,     // "copy made by the network"
  a_copy_made_by_network,   // "(a copy made by the network)"
  sent_held_until,          // "(sent at {0}, held until {1} by {2})"
  sent_at,                  // ", sent at {0}"
  still_in_flight_at_end,   // "(still in flight when the run ended)"
  still_in_network_at_end,  // "still in the network at the end"
  lost_because,             // "lost ({0})"
  expired_because,          // "expired in the network ({0})"
  listening_until_end,      // "{0} {1} until the end of the run"
  // SVG
  note_held_until,          // "held until {0} s"
  note_lost,                // "lost"
  note_expired,             // "expired"
  segments_lost,            // "{0} lost ({1} segments)": one label for drops on one line
  id_separator,             // ", " between the id ranges of such a label
  application_call,
  the_call_failed,
  record_deleted,           // "record deleted: {0}"
  connection_record_deleted,
  discarded_by_receiver,    // "discarded by the receiving TCP"
  legend_arrows,
  legend_timers,
  legend_states,
  legend_connections,
  legend_segment,
  legend_injected,
  legend_held,
  legend_lost,
  legend_bracket,
  legend_host_down,
  legend_listener,          // ", listener"
  legend_no_peer,           // ", no peer"
  more_connections,         // "and {0} more connections on {1} (see --trace)"
  beyond_lifelines,         // "{0}: beyond {1} lifelines, they share one"
  // SVG tooltips (<title>); times in seconds, durations with their unit
  tooltip_note,             // "{0}; {1}": a tooltip, then the link's note
  lane_in_state,            // "{0}: {1}": a connection's lifeline in a state
  lane_created,             // "{0} created"
  lane_created_in_listen,   // "{0} created in LISTEN, a copy of its listener"
  lane_deleted,             // "{0} deleted"
  timer_set_for,            // "{0} set at {1} s for {2} (until {3} s)"
  timer_then_fires,         // ", fires"
  timer_then_cancelled,     // ", cancelled at {0} s"
  timer_then_set_again,     // ", set again at {0} s"
  timer_then_running,       // ", still running when the run ends"
  timer_cancelled,          // "{0} cancelled"
  segment_sent_at,          // "{0}, sent at {1} s"
  segment_injected_at,      // "{0}, injected by the script at {1} s"
  segment_injected_spoofed_at,  // "{0}, injected by the script from the spoofed address {1} at
                                // {2} s"
  segment_arrives_at,       // ", arrives at {0} s"
  segment_expired_at,       // ", expired at {0} s"
  segment_in_network_at_end,  // ", still in the network when the run ends"
  count,
};

struct TermRow {
  Term term;
  std::string_view name;     // the enum value's name
  std::string_view english;
  std::string_view chinese;
};
// Every row, in the enum's order (the tests and the docs read them).
std::span<const TermRow> term_table();
std::string_view term(Term term, Language language);
// A term with {0}, {1}, ... replaced by the arguments, in the order each language needs.
std::string fill(std::string_view pattern, std::initializer_list<std::string_view> arguments);
std::string fill(Term term, Language language, std::initializer_list<std::string_view> arguments);

// "retransmission timer" / "重传计时器"; short: "RTO" / "重传" (the diagram's brackets).
std::string_view timer_word(tcp::TimerKind timer, Language language);
std::string_view timer_short_word(tcp::TimerKind timer, Language language);
// A timer_set the timer wheel moved (runner::TraceEvent::rounded_by), as the ladder and
// Mermaid write it beside the event: the timeout asked for and the one the timer will take,
// "200 ms, rounded up to 204 ms by timer_wheel" ("cut to" for a timeout past the wheel's
// range); "" when the wheel did not move it.
std::string timer_rounding(const runner::TraceEvent& event, Language language);
// "connected" / "连接已建立"; English keeps the API's names, which the scenario files use.
std::string_view app_event_word(tcp::AppEventKind kind, Language language);

// Whether the ladder and Mermaid give an application event its reason: the endings and
// failures that need explaining; routine events repeat the state change's reason beside them.
bool app_event_needs_reason(tcp::AppEventKind kind);

// A rule as the ladder and the diagrams show it beside an event. English: as the trace prints
// it ("RFC 9293 3.10.1: passive OPEN"); Chinese: "RFC 9293 3.10.1：被动打开，开始监听".
std::string rule_reason(tcp::Rule rule, Language language);
// A rule in short: its citation when the trace puts it first ("RFC 9293 3.10.7.4 second"),
// else the whole reason (Mermaid's notes).
std::string rule_short(tcp::Rule rule, Language language);
// A rule as a sentence ends with it, after a colon. English: "ACK of our SYN-ACK in SYN_RCVD,
// per RFC 9293 3.10.7.4 (fifth check: the ACK field)" (a rule the trace cites after its text,
// or not at all, reads as the trace prints it); Chinese: the table's text with its citation,
// "在 SYN_RCVD 状态收到对我们 SYN-ACK 的 ACK（RFC 9293 3.10.7.4 第五步：检查 ACK 字段）".
std::string rule_sentence(tcp::Rule rule, Language language);
// "RFC 9293 3.10.7.4 fifth" -> "RFC 9293 3.10.7.4 (fifth check: the ACK field)", or in Chinese
// "RFC 9293 3.10.7.4 第五步：检查 ACK 字段". Anything else stays as it is.
std::string render_citation(const std::string& citation, Language language);

// A link cause (sim/link_cause.hpp). English as the trace prints it when `as_trace`
// ("rule 'x'"), else as narration words it ("fault rule 'NAME'", "the link's random loss");
// Chinese: "故障规则 'NAME'", "链路的随机丢包", "在网络中滞留超过 MSL（...）"; what has no Chinese
// wording yet is quoted from the trace.
std::string link_cause(const sim::LinkCause& cause, Language language);
std::string link_cause_label(const sim::LinkCause& cause, Language language);
std::string chinese_link_cause(const sim::LinkCause& cause);

// A timeline action in words, as the ladder and the diagrams write it after "> ". English is
// the trace's text (runner::action_text); Chinese "在端口 80 上监听，名为 web（backlog 128）".
std::string action_words(const runner::ActionCause& action, std::string_view host,
                         Language language);
// A failed action: English the trace's text, Chinese the call and why it failed.
std::string failure_words(const runner::ActionCause& action, std::string_view host,
                          Language language);

// What the views call a host: its "label" when it has one (any Unicode), else its name.
std::string host_display_name(const runner::HostSpec& host);
// The scenario's description in the language: "description_zh" for Chinese when the file has
// one, else the English "description".
const std::string& scenario_description(const runner::Scenario& scenario, Language language);
// A host's teaching variants, profile and scripting, each as a term, in order.
std::vector<std::string> host_tags(const runner::HostSpec& host, Language language);

// The run's summary, what each side believes: "client: 1 connection; server: 2 connections".
// A connection counts once it reached ESTABLISHED (listeners never count); one that stopped in
// SYN_RCVD without reaching it is a half-open connection (半连接).
std::string connection_summary(const runner::Scenario& scenario, const runner::RunResult& result,
                               Language language);

}  // namespace tcpsim::views
