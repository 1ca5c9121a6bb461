// The one table of the views' words (views/words.hpp): English and Chinese for every Term, and
// the wording of timers, application events, rules, the link's causes and timeline actions.
// A term missing here, out of order, or without either language does not compile.
#include "views/words.hpp"

#include <array>
#include <map>

#include "runner/trace_format.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

namespace {

using enum Term;

constexpr std::array<TermRow, static_cast<std::size_t>(Term::count)> terms{{
    {parenthesized, "parenthesized", "{0} ({1})", "{0}（{1}）"},
    {colon, "colon", "{0}: {1}", "{0}：{1}"},
    {reason_tag, "reason_tag", "({0})", "（{0}）"},
    {title_with_seed, "title_with_seed", "tcpsim: {0} (seed {1})", "tcpsim：{0}（随机种子 {1}）"},
    {diagram_title, "diagram_title", "tcpsim {0} (seed {1})", "tcpsim {0}（随机种子 {1}）"},
    {page_title, "page_title", "tcpsim: {0}", "tcpsim：{0}"},
    {seed, "seed", "seed {0}", "随机种子 {0}"},
    {seq_absolute, "seq_absolute", "seq/ack: absolute sequence numbers",
     "序号/确认号：绝对值"},
    {seq_relative, "seq_relative", "seq/ack: relative to each side's ISN, as Wireshark shows",
     "序号/确认号：相对于各方的初始序号（ISN），与 Wireshark 的显示相同"},
    {seq_relative_short, "seq_relative_short", "seq/ack: relative to each side's ISN",
     "序号/确认号：相对于各方的初始序号"},
    {time_runs_down, "time_runs_down", "time in seconds, runs down", "时间以秒计，自上而下"},
    {time_column, "time_column", "time (s)", "时间（秒）"},
    {end_of_run, "end_of_run", "end of run", "运行结束"},
    {two_way_handshake, "two_way_handshake", "two-way handshake", "两次握手"},
    {no_time_wait, "no_time_wait", "no TIME_WAIT", "没有 TIME_WAIT"},
    {profile, "profile", "profile {0}", "配置 {0}"},
    {scripted_host, "scripted_host", "scripted: no TCP", "由脚本扮演，没有 TCP"},
    {listener_mark, "listener_mark", " (listener)", "（监听套接字）"},
    {connect_failed_mark, "connect_failed_mark", " (connect failed: no connection was made)",
     "（connect 失败，没有建立连接）"},
    {listen_failed_mark, "listen_failed_mark", " (listen failed: no listener was made)",
     "（listen 失败，没有建立监听套接字）"},
    {lost_in_crash_mark, "lost_in_crash_mark", " (lost in crash)", "（随主机崩溃而丢失）"},
    {believes_lead, "believes_lead", "what each side believes: {0}", "双方各自认为的连接：{0}"},
    {host_connections_one, "host_connections_one", "{0}: 1 connection", "{0} 有 1 个连接"},
    {host_connections_many, "host_connections_many", "{0}: {1} connections",
     "{0} 有 {1} 个连接"},
    {half_open_suffix, "half_open_suffix", " (and {0} half-open, never established)",
     "（另有 {0} 个半连接，始终没有建立）"},
    {summary_separator, "summary_separator", "; ", "；"},
    {expectations_met, "expectations_met", "expectations: {0} of {1} met",
     "预期：{1} 项中满足 {0} 项"},
    {explain_note, "explain_note",
     "explain: under each event, one sentence says what happened and why, citing the rule",
     "说明：每个事件下面有一句话，说明发生了什么、为什么，并引用相应的规则"},
    {arrives, "arrives", "{0} arrives", "{0} 到达"},
    {lost, "lost", "{0} lost", "{0} 丢失"},
    {expires_in_network, "expires_in_network", "{0} expires in the network", "{0} 在网络中过期"},
    {held_until, "held_until", "{0} held until {1}s", "{0} 被扣留到 {1} 秒"},
    {copy_arrives, "copy_arrives", "{0}' copy arrives at {1}s", "{0}' 副本在 {1} 秒到达"},
    {discards, "discards", "discards {0}", "丢弃 {0}"},
    {timer_until, "timer_until", "{0} until {1}", "{0}启动，到 {1} 为止"},
    {timer_off, "timer_off", "{0} off", "{0}关闭"},
    {timer_fires, "timer_fires", "{0} fires", "{0}到期"},
    {timer_rounded_up, "timer_rounded_up", "{0}, rounded up to {1} by timer_wheel",
     "时长 {0}，被 timer_wheel 向上取整为 {1}"},
    {timer_cut, "timer_cut", "{0}, cut to {1} by timer_wheel",
     "时长 {0}，被 timer_wheel 截短为 {1}"},
    {app_prefix, "app_prefix", "app: {0}", "应用：{0}"},
    {bytes, "bytes", "{0} bytes", "{0} 字节"},
    {record_gone, "record_gone", "gone", "记录已删除"},
    {inject, "inject", "inject", "注入"},
    {inject_from, "inject_from", "inject from {0}", "注入，来源 {0}"},
    {injected_by_script, "injected_by_script", "injected by the script", "由脚本注入"},
    {injected_from_spoofed, "injected_from_spoofed",
     "{0} injected by the script from the spoofed address {1}",
     "{0} 由脚本注入，来源是伪造的地址 {1}"},
    {injected_mark, "injected_mark", " (injected)", "（注入）"},
    {retransmission_mark, "retransmission_mark", " (retransmission)", "（重传）"},
    {retx_mark, "retx_mark", " retx", " 重传"},
    {no_flags, "no_flags", "(no flags)", "（无标志位）"},
    {reacting_to, "reacting_to", " (reacting to {0})", "（响应 {0}）"},
    {call_failed, "call_failed", "failed: {0}", "失败：{0}"},
    {refused, "refused", "refused: {0}", "拒绝：{0}"},
    {duplicate_ack, "duplicate_ack", "duplicate ACK", "重复确认"},
    {duplicate_ack_of, "duplicate_ack_of", "duplicate ACK {0} of {1}",
     "第 {0} 个重复确认，共需 {1} 个"},
    {duplicate_ack_past, "duplicate_ack_past", "duplicate ACK {0}, past the threshold of {1}",
     "第 {0} 个重复确认，已超过 {1} 个"},
    {duplicate_ack_counted, "duplicate_ack_counted", "duplicate ACK {0}", "第 {0} 个重复确认"},
    {held_out_of_order, "held_out_of_order", "out of order: held for reassembly",
     "失序的报文段：暂存，等待重组"},
    {fast_retransmit, "fast_retransmit", "fast retransmit", "快重传"},
    {window_probe, "window_probe", "window probe", "零窗口探测"},
    {keepalive_probe, "keepalive_probe", "keepalive probe", "保活探测"},
    {window_update, "window_update", "window update", "窗口更新"},
    {timeout_retransmission, "timeout_retransmission", "timeout retransmission", "超时重传"},
    {handshake_first, "handshake_first", "handshake 1 of {0}", "第一次握手"},
    {handshake_second, "handshake_second", "handshake 2 of {0}", "第二次握手"},
    {handshake_third, "handshake_third", "handshake 3 of 3", "第三次握手"},
    {close_first, "close_first", "close 1 of 4", "第一次挥手"},
    {close_second, "close_second", "close 2 of 4", "第二次挥手"},
    {close_second_and_third, "close_second_and_third", "close 2 and 3 of 4", "第二、三次挥手"},
    {close_third, "close_third", "close 3 of 4", "第三次挥手"},
    {close_fourth, "close_fourth", "close 4 of 4", "第四次挥手"},
    {step_retransmitted, "step_retransmitted", " (retransmitted)", "（重传）"},
    {step_again, "step_again", " (again)", "（再次）"},
    {held_by_network, "held_by_network", "{0} held by the network until {1}",
     "{0} 被网络扣留到 {1}"},
    {duplicated_by_network, "duplicated_by_network",
     "{0} duplicated by the network, the copy {0}' arrives at {1}",
     "{0} 被网络复制，副本 {0}' 在 {1} 到达"},
    {duplicated_copy_expires, "duplicated_copy_expires",
     "{0} duplicated by the network, the copy {0}' expires at {1}",
     "{0} 被网络复制，副本 {0}' 在 {1} 过期"},
    {copy_made_by_network, "copy_made_by_network", "copy made by the network", "网络复制的副本"},
    {a_copy_made_by_network, "a_copy_made_by_network", " (a copy made by the network)",
     "（网络复制的副本）"},
    {sent_held_until, "sent_held_until", " (sent at {0}, held until {1} by {2})",
     "（{0} 发出，因{2}被扣留到 {1}）"},
    {sent_at, "sent_at", ", sent at {0}", "，{0} 发出"},
    {still_in_flight_at_end, "still_in_flight_at_end", " (still in flight when the run ended)",
     "（运行结束时仍在网络中）"},
    {still_in_network_at_end, "still_in_network_at_end", "still in the network at the end",
     "结束时仍在网络中"},
    {lost_because, "lost_because", "{0} lost ({1})", "{0} 丢失（{1}）"},
    {expired_because, "expired_because", "{0} expired in the network ({1})",
     "{0} 在网络中过期（{1}）"},
    {listening_until_end, "listening_until_end", "{0} {1} until the end of the run",
     "{0} 保持 {1} 直到运行结束"},
    {note_held_until, "note_held_until", "held until {0} s", "扣留到 {0} 秒"},
    {note_lost, "note_lost", "lost", "丢失"},
    {note_expired, "note_expired", "expired", "过期"},
    {segments_lost, "segments_lost", "{0} lost ({1} segments)", "{0} 丢失（{1} 个报文段）"},
    {id_separator, "id_separator", ", ", "、"},
    {application_call, "application_call", "application call", "应用程序调用"},
    {the_call_failed, "the_call_failed", "the call failed", "调用失败"},
    {record_deleted, "record_deleted", "record deleted: {0}", "记录删除：{0}"},
    {connection_record_deleted, "connection_record_deleted", "connection record deleted",
     "连接记录（TCB）已删除"},
    {discarded_by_receiver, "discarded_by_receiver", "discarded by the receiving TCP",
     "被接收方 TCP 丢弃"},
    {legend_arrows, "legend_arrows", "arrows", "箭头"},
    {legend_timers, "legend_timers", "timers", "计时器"},
    {legend_states, "legend_states", "states", "状态"},
    {legend_connections, "legend_connections", "connections", "连接"},
    {legend_segment, "legend_segment", "segment (#id flags seq ack win len)",
     "报文段（#编号 标志位 序号 确认号 窗口 长度）"},
    {legend_injected, "legend_injected",
     "injected by the script (from the host's line, or a spoofed address)",
     "由脚本注入（从主机的线出发，或来自伪造的地址）"},
    {legend_held, "legend_held", "held back by the network (stale)", "被网络扣留（滞留的报文段）"},
    {legend_lost, "legend_lost", "lost or expired in the network", "在网络中丢失或过期"},
    {legend_bracket, "legend_bracket", "bracket from set to fire (dot) or cancel (tick)",
     "括线从启动到到期（圆点）或取消（短横）"},
    {legend_host_down, "legend_host_down", "host down (crashed)", "主机宕机（崩溃）"},
    {legend_listener, "legend_listener", ", listener", "，监听套接字"},
    {legend_no_peer, "legend_no_peer", ", no peer", "，没有对方"},
    {more_connections, "more_connections", "and {0} more connections on {1} (see --trace)",
     "{1} 上另有 {0} 个连接（见 --trace）"},
    {beyond_lifelines, "beyond_lifelines", "{0}: beyond {1} lifelines, they share one",
     "{0}：超过 {1} 条生命线的连接共用一条"},
    {tooltip_note, "tooltip_note", "{0}; {1}", "{0}；{1}"},
    {lane_in_state, "lane_in_state", "{0}: {1}", "{0} 处于 {1} 状态"},
    {lane_created, "lane_created", "{0} created", "{0} 已创建"},
    {lane_created_in_listen, "lane_created_in_listen",
     "{0} created in LISTEN, a copy of its listener",
     "{0} 已创建，处于 LISTEN 状态，是其监听套接字的副本"},
    {lane_deleted, "lane_deleted", "{0} deleted", "{0} 的连接记录已删除"},
    {timer_set_for, "timer_set_for", "{0} set at {1} s for {2} (until {3} s)",
     "{0}在 {1} 秒启动，时长 {2}（到 {3} 秒为止）"},
    {timer_then_fires, "timer_then_fires", ", fires", "，到期"},
    {timer_then_cancelled, "timer_then_cancelled", ", cancelled at {0} s", "，在 {0} 秒取消"},
    {timer_then_set_again, "timer_then_set_again", ", set again at {0} s",
     "，在 {0} 秒重新启动"},
    {timer_then_running, "timer_then_running", ", still running when the run ends",
     "，运行结束时仍在计时"},
    {timer_cancelled, "timer_cancelled", "{0} cancelled", "{0}被取消"},
    {segment_sent_at, "segment_sent_at", "{0}, sent at {1} s", "{0}，在 {1} 秒发出"},
    {segment_injected_at, "segment_injected_at", "{0}, injected by the script at {1} s",
     "{0}，由脚本在 {1} 秒注入"},
    {segment_injected_spoofed_at, "segment_injected_spoofed_at",
     "{0}, injected by the script from the spoofed address {1} at {2} s",
     "{0}，由脚本在 {2} 秒注入，来源是伪造的地址 {1}"},
    {segment_arrives_at, "segment_arrives_at", ", arrives at {0} s", "，在 {0} 秒到达"},
    {segment_expired_at, "segment_expired_at", ", expired at {0} s", "，在 {0} 秒过期"},
    {segment_in_network_at_end, "segment_in_network_at_end",
     ", still in the network when the run ends", "，运行结束时仍在网络中"},
}};

constexpr bool complete(const std::array<TermRow, static_cast<std::size_t>(Term::count)>& table) {
  for (std::size_t index = 0; index < table.size(); ++index) {
    if (static_cast<std::size_t>(table[index].term) != index) return false;
    if (table[index].name.empty() || table[index].english.empty() ||
        table[index].chinese.empty()) {
      return false;
    }
  }
  return true;
}
static_assert(complete(terms),
              "views/words.cpp: every Term needs a row, in the enum's order, with its name, "
              "English and Chinese");

struct TimerWords {
  std::string_view english;
  std::string_view chinese;
  std::string_view english_short;
  std::string_view chinese_short;
};

TimerWords timer_words(tcp::TimerKind timer) {
  switch (timer) {
    case tcp::TimerKind::retransmission:
      return {"retransmission timer", "重传计时器", "RTO", "重传"};
    case tcp::TimerKind::time_wait:
      return {"TIME_WAIT (2 MSL) timer", "时间等待计时器（2MSL）", "TIME_WAIT", "2MSL"};
    case tcp::TimerKind::persist: return {"persist timer", "持续计时器", "persist", "持续"};
    case tcp::TimerKind::keepalive: return {"keepalive timer", "保活计时器", "keepalive", "保活"};
    case tcp::TimerKind::delayed_ack:
      return {"delayed-ACK timer", "延迟确认计时器", "delayed ACK", "延迟确认"};
    case tcp::TimerKind::user_timeout:
      return {"user timeout", "用户超时计时器", "user timeout", "用户超时"};
    case tcp::TimerKind::fin_wait_2:
      return {"FIN_WAIT_2 timer", "FIN_WAIT_2 计时器", "FIN_WAIT_2", "FIN_WAIT_2"};
  }
  return {"timer", "计时器", "timer", "计时器"};
}

// RFC 9293 3.10.7.4 processes an arriving segment in numbered steps ("first, check sequence
// number", ...); the trace names the step by its ordinal.
struct Step {
  std::string_view ordinal;
  std::string_view english;
  std::string_view chinese;
};
constexpr std::array<Step, 8> segment_arrives_steps{{
    {"first", "first check: the sequence number", "第一步：检查序号"},
    {"second", "second check: the RST bit", "第二步：检查 RST 位"},
    {"third", "third check: security", "第三步：检查安全性"},
    {"fourth", "fourth check: the SYN bit", "第四步：检查 SYN 位"},
    {"fifth", "fifth check: the ACK field", "第五步：检查 ACK 字段"},
    {"sixth", "sixth check: the URG bit", "第六步：检查 URG 位"},
    {"seventh", "seventh step: the segment text", "第七步：处理报文段数据"},
    {"eighth", "eighth check: the FIN bit", "第八步：检查 FIN 位"},
}};

// The short form of a step ("RFC 9293 3.10.7.4 第五步") for the ladder's reasons.
std::string short_citation_chinese(const std::string& citation) {
  const std::size_t space = citation.rfind(' ');
  if (space != std::string::npos) {
    const std::string_view ordinal = std::string_view(citation).substr(space + 1);
    for (const Step& step : segment_arrives_steps) {
      if (step.ordinal != ordinal) continue;
      return citation.substr(0, space) + " " +
             std::string(step.chinese.substr(0, step.chinese.find("：")));
    }
  }
  return citation;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The Chinese citation of a rule: an RFC's as it is, the others translated.
std::string chinese_citation(tcp::Rule rule) {
  const std::string citation(tcp::rule_text(rule).citation);
  return starts_with(citation, "RFC ") ? short_citation_chinese(citation)
                                       : std::string(tcp::rule_citation_chinese(rule));
}

// The Chinese of a cause that stands alone (not msl_expired or never_delivered).
std::string chinese_simple_link_cause(sim::LinkCauseKind kind, const std::string& rule_name) {
  switch (kind) {
    case sim::LinkCauseKind::none: return {};
    case sim::LinkCauseKind::fault_rule: return "故障规则 '" + rule_name + "'";
    case sim::LinkCauseKind::random_loss: return "链路的随机丢包";
    case sim::LinkCauseKind::queue_full: return "链路队列已满";
    case sim::LinkCauseKind::random_reorder: return "链路的随机乱序";
    case sim::LinkCauseKind::random_duplicate: return "链路的随机复制";
    case sim::LinkCauseKind::msl_expired:
    case sim::LinkCauseKind::never_delivered:
      break;
  }
  return {};  // not reached: the composite kinds are translated by chinese_link_cause
}

// The English of a cause that stands alone, as it follows "because of" or sits in parentheses: a
// noun phrase ("because of the link's full queue").
std::string english_simple_link_cause(sim::LinkCauseKind kind, const std::string& rule_name) {
  switch (kind) {
    case sim::LinkCauseKind::none: return {};
    case sim::LinkCauseKind::fault_rule: return "fault rule '" + rule_name + "'";
    case sim::LinkCauseKind::random_loss: return "the link's random loss";
    case sim::LinkCauseKind::queue_full: return "the link's full queue";
    case sim::LinkCauseKind::random_reorder: return "the link's random reordering";
    case sim::LinkCauseKind::random_duplicate: return "the link's random duplication";
    case sim::LinkCauseKind::msl_expired:
    case sim::LinkCauseKind::never_delivered:
      break;
  }
  return {};  // not reached: the composite kinds read as the trace prints them
}

}  // namespace

bool parse_language(std::string_view code, Language& language_out) {
  if (code == "en") {
    language_out = Language::english;
    return true;
  }
  if (code == "zh") {
    language_out = Language::chinese;
    return true;
  }
  return false;
}

std::span<const TermRow> term_table() { return terms; }

std::string_view term(Term which, Language language) {
  const TermRow& row = terms[static_cast<std::size_t>(which)];
  return language == Language::english ? row.english : row.chinese;
}

std::string fill(std::string_view pattern, std::initializer_list<std::string_view> arguments) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (std::size_t index = 0; index < pattern.size(); ++index) {
    const char c = pattern[index];
    if (c == '{' && index + 2 < pattern.size() && pattern[index + 2] == '}' &&
        pattern[index + 1] >= '0' && pattern[index + 1] <= '9') {
      const auto argument = static_cast<std::size_t>(pattern[index + 1] - '0');
      if (argument < arguments.size()) out += *(arguments.begin() + argument);
      index += 2;
      continue;
    }
    out += c;
  }
  return out;
}

std::string fill(Term which, Language language,
                 std::initializer_list<std::string_view> arguments) {
  return fill(term(which, language), arguments);
}

std::string_view timer_word(tcp::TimerKind timer, Language language) {
  const TimerWords words = timer_words(timer);
  return language == Language::english ? words.english : words.chinese;
}

std::string_view timer_short_word(tcp::TimerKind timer, Language language) {
  const TimerWords words = timer_words(timer);
  return language == Language::english ? words.english_short : words.chinese_short;
}

std::string timer_rounding(const runner::TraceEvent& event, Language language) {
  if (event.kind != runner::TraceKind::timer_set || event.rounded_by == 0) return {};
  const Duration fires = event.deadline - event.time;
  return fill(event.rounded_by > 0 ? Term::timer_rounded_up : Term::timer_cut, language,
              {text::duration_in_unit(fires - event.rounded_by), text::duration_in_unit(fires)});
}

std::string_view app_event_word(tcp::AppEventKind kind, Language language) {
  if (language == Language::english) return tcp::app_event_name(kind);
  switch (kind) {
    case tcp::AppEventKind::connected: return "连接已建立";
    case tcp::AppEventKind::accepted: return "接受了新连接";
    case tcp::AppEventKind::data: return "收到数据";
    case tcp::AppEventKind::end_of_stream: return "对方已发送完毕";
    case tcp::AppEventKind::closed: return "连接已关闭";
    case tcp::AppEventKind::reset: return "连接被重置";
    case tcp::AppEventKind::refused: return "连接被拒绝";
    case tcp::AppEventKind::timed_out: return "连接超时";
    case tcp::AppEventKind::aborted: return "连接已中止";
    case tcp::AppEventKind::connect_failed: return "connect 失败";
    case tcp::AppEventKind::listen_failed: return "listen 失败";
    case tcp::AppEventKind::send_failed: return "send 失败";
    case tcp::AppEventKind::close_failed: return "close 失败";
    case tcp::AppEventKind::delivery_problem: return "投递遇到问题";
    case tcp::AppEventKind::configure_failed: return "修改套接字选项失败";
  }
  return tcp::app_event_name(kind);
}

bool app_event_needs_reason(tcp::AppEventKind kind) {
  switch (kind) {
    case tcp::AppEventKind::timed_out:
    case tcp::AppEventKind::reset:
    case tcp::AppEventKind::refused:
    case tcp::AppEventKind::connect_failed:
    case tcp::AppEventKind::listen_failed:
    case tcp::AppEventKind::send_failed:
    case tcp::AppEventKind::close_failed:
    case tcp::AppEventKind::delivery_problem:
    case tcp::AppEventKind::configure_failed:
      return true;
    case tcp::AppEventKind::connected:
    case tcp::AppEventKind::accepted:
    case tcp::AppEventKind::data:
    case tcp::AppEventKind::end_of_stream:
    case tcp::AppEventKind::closed:
    case tcp::AppEventKind::aborted:
      return false;
  }
  return false;
}

std::string render_citation(const std::string& citation, Language language) {
  const std::size_t space = citation.rfind(' ');
  if (space != std::string::npos) {
    const std::string_view ordinal = std::string_view(citation).substr(space + 1);
    for (const Step& step : segment_arrives_steps) {
      if (step.ordinal != ordinal) continue;
      const std::string section = citation.substr(0, space);
      if (language == Language::english) return section + " (" + std::string(step.english) + ")";
      return section + " " + std::string(step.chinese);
    }
  }
  return citation;
}

std::string rule_reason(tcp::Rule rule, Language language) {
  if (rule == tcp::Rule::none) return {};
  if (language == Language::english) return std::string(tcp::rule_reason(rule));
  const tcp::RuleText& row = tcp::rule_text(rule);
  switch (row.cited) {
    case tcp::Cited::before: return chinese_citation(rule) + "：" + std::string(row.chinese);
    case tcp::Cited::after: return std::string(row.chinese) + "（" + chinese_citation(rule) + "）";
    case tcp::Cited::apart: break;
  }
  return std::string(row.chinese);
}

std::string rule_short(tcp::Rule rule, Language language) {
  const tcp::RuleText& row = tcp::rule_text(rule);
  if (row.cited == tcp::Cited::before) {
    return language == Language::english ? std::string(row.citation) : chinese_citation(rule);
  }
  return rule_reason(rule, language);
}

std::string rule_sentence(tcp::Rule rule, Language language) {
  const tcp::RuleText& row = tcp::rule_text(rule);
  const std::string citation(row.citation);
  if (language == Language::english) {
    if (row.cited == tcp::Cited::before) {
      return std::string(row.english) + ", per " + render_citation(citation, language);
    }
    return std::string(tcp::rule_reason(rule));
  }
  std::string out(row.chinese);
  if (row.cited == tcp::Cited::apart) return out;
  const std::string cited = starts_with(citation, "RFC ")
                                ? render_citation(citation, language)
                                : std::string(tcp::rule_citation_chinese(rule));
  return out + "（" + cited + "）";
}

std::string chinese_link_cause(const sim::LinkCause& cause) {
  switch (cause.kind) {
    case sim::LinkCauseKind::msl_expired: {
      // The end of representable time has no Chinese wording yet: quote the trace.
      if (cause.beyond_representable_time) break;
      std::string out = "在网络中滞留超过 MSL（滞留 " + sim::link_duration_text(cause.held) +
                        "，超过 msl " + sim::link_duration_text(cause.msl) + "）";
      if (cause.earlier != sim::LinkCauseKind::none) {
        out += "，起因是" + chinese_simple_link_cause(cause.earlier, cause.rule_name);
      }
      return out;
    }
    case sim::LinkCauseKind::never_delivered:
      break;
    case sim::LinkCauseKind::none:
    case sim::LinkCauseKind::fault_rule:
    case sim::LinkCauseKind::random_loss:
    case sim::LinkCauseKind::queue_full:
    case sim::LinkCauseKind::random_reorder:
    case sim::LinkCauseKind::random_duplicate:
      return chinese_simple_link_cause(cause.kind, cause.rule_name);
  }
  return "“" + sim::link_cause_text(cause) + "”";
}

std::string link_cause(const sim::LinkCause& cause, Language language) {
  if (language == Language::chinese) return chinese_link_cause(cause);
  switch (cause.kind) {
    case sim::LinkCauseKind::msl_expired:
    case sim::LinkCauseKind::never_delivered:
      return sim::link_cause_text(cause);  // "exceeded MSL (...)" reads well after "it"
    case sim::LinkCauseKind::none:
    case sim::LinkCauseKind::fault_rule:
    case sim::LinkCauseKind::random_loss:
    case sim::LinkCauseKind::queue_full:
    case sim::LinkCauseKind::random_reorder:
    case sim::LinkCauseKind::random_duplicate:
      break;
  }
  return english_simple_link_cause(cause.kind, cause.rule_name);
}

std::string link_cause_label(const sim::LinkCause& cause, Language language) {
  return language == Language::english ? sim::link_cause_text(cause) : chinese_link_cause(cause);
}

std::string action_words(const runner::ActionCause& action, std::string_view host,
                         Language language) {
  if (language == Language::english) return runner::action_text(action, host);
  const std::string& name = action.name;
  switch (action.outcome) {
    case runner::ActionOutcome::called: break;
    case runner::ActionOutcome::write_waits:
      return "发送缓冲区接收了 " + std::to_string(action.bytes) + " 字节，其余 " +
             std::to_string(action.waiting) + " 字节等待空间（阻塞的写操作）";
    default: return failure_words(action, host, language);
  }
  switch (action.kind) {
    case runner::ActionKind::listen:
      return "在端口 " + std::to_string(action.port) + " 上监听，名为 " + name + "（backlog " +
             std::to_string(action.backlog) + "）";
    case runner::ActionKind::connect:
      return "connect 到 " + tcp::address_to_string(action.address) + ":" +
             std::to_string(action.port) + (name.empty() ? std::string() : "，连接名为 " + name);
    case runner::ActionKind::send:
      return "在 " + name + " 上发送 " + std::to_string(action.bytes) + " 字节";
    case runner::ActionKind::close: return "关闭 " + name + "（CLOSE）";
    case runner::ActionKind::abort: return "中止 " + name + "（ABORT）";
    case runner::ActionKind::configure: return "修改 " + name + " 的套接字选项（setsockopt）";
    case runner::ActionKind::read:
      return action.read_bytes ? "从 " + name + " 读取至多 " +
                                     std::to_string(*action.read_bytes) + " 字节"
                               : "从 " + name + " 读取缓冲的全部数据";
    case runner::ActionKind::stop_reading: return "暂停读取 " + name + "，数据留在接收缓存";
    case runner::ActionKind::resume_reading: return "恢复读取 " + name + "，读出缓冲的全部数据";
    case runner::ActionKind::crash: return "崩溃：所有 TCP 状态丢失，主机宕机";
    case runner::ActionKind::reboot: return "重启：主机恢复运行，没有任何连接";
    case runner::ActionKind::inject: return "注入一个报文段";
  }
  return runner::action_call_name(action.kind);
}

std::string failure_words(const runner::ActionCause& action, std::string_view host,
                          Language language) {
  if (language == Language::english) return runner::action_text(action, host);
  const std::string call(runner::action_call_name(action.kind));
  const std::string& name = action.name;
  const std::string on = call + " " + name;
  switch (action.outcome) {
    case runner::ActionOutcome::port_in_use:
      return "在端口 " + std::to_string(action.port) + " 上监听：端口已被占用";
    case runner::ActionOutcome::no_connection:
      return call + "：" + std::string(host) + " 上没有名为 " + name + " 的已打开连接";
    case runner::ActionOutcome::not_accepted_yet:
      return on + "：连接尚未被接受（监听套接字产生的连接要到 ESTABLISHED、accept() 返回时"
                  "才交给应用程序）";
    case runner::ActionOutcome::refused_by_tcp:
      return on + "：TCP 在连接当前的状态下拒绝了这个调用（RFC 9293 3.10）";
    case runner::ActionOutcome::run_error: return call + "：运行因错误而停止，调用未执行";
    case runner::ActionOutcome::called:
    case runner::ActionOutcome::write_waits:
      break;
  }
  return action_words(action, host, language);
}

std::string host_display_name(const runner::HostSpec& host) {
  return host.label.empty() ? host.name : host.label;
}

const std::string& scenario_description(const runner::Scenario& scenario, Language language) {
  if (language == Language::chinese && !scenario.description_zh.empty()) {
    return scenario.description_zh;
  }
  return scenario.description;
}

std::vector<std::string> host_tags(const runner::HostSpec& host, Language language) {
  std::vector<std::string> out;
  if (host.tcp.handshake == tcp::Handshake::two_way) {
    out.emplace_back(term(Term::two_way_handshake, language));
  }
  if (host.tcp.time_wait == 0) out.emplace_back(term(Term::no_time_wait, language));
  if (host.profile != "rfc9293") out.push_back(fill(Term::profile, language, {host.profile}));
  if (host.scripted) out.emplace_back(term(Term::scripted_host, language));
  return out;
}

std::string connection_summary(const runner::Scenario& scenario, const runner::RunResult& result,
                               Language language) {
  std::string parts;
  for (std::size_t host = 0; host < scenario.hosts.size() && host < 2; ++host) {
    if (scenario.hosts[host].scripted) continue;  // no TCP: it believes nothing
    int established = 0;
    int half_open = 0;
    for (const runner::ConnectionRecord& record : result.connections) {
      if (record.host != static_cast<int>(host) || record.listener) continue;
      bool reached = false;
      bool syn_received = false;
      for (const tcp::State state : record.states) {
        reached = reached || state == tcp::State::established;
        syn_received = syn_received || state == tcp::State::syn_received;
      }
      if (reached) ++established;
      else if (syn_received) ++half_open;
    }
    const std::string name = host_display_name(scenario.hosts[host]);
    std::string part = established == 1
                           ? fill(Term::host_connections_one, language, {name})
                           : fill(Term::host_connections_many, language,
                                  {name, std::to_string(established)});
    if (half_open > 0) part += fill(Term::half_open_suffix, language, {std::to_string(half_open)});
    if (!parts.empty()) parts += term(Term::summary_separator, language);
    parts += part;
  }
  return fill(Term::believes_lead, language, {parts});
}

}  // namespace tcpsim::views
