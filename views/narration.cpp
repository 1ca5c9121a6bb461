// The narration view: one sentence per trace event, in English or Chinese, saying what happened
// and why. Why one long file (about 1,250 lines): it holds, for every kind of trace event, the
// English sentence and the Chinese one (two parallel switches that must state the same facts)
// and the Chinese phrase of every reason the core cites, kept together so that a change to one
// language is made next to the other. The text helpers it shares are in views/text.hpp.
#include "views/narration.hpp"

#include <array>
#include <map>
#include <tuple>
#include <utility>

#include "views/ladder.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// As the ladder prints times: seconds with microseconds.
std::string format_seconds(Time time) { return text::seconds(time, text::Decimals::six); }

// A duration in seconds with as many decimals as it needs ("1", "0.2", "240").
std::string format_duration_seconds(Duration duration) {
  return text::seconds(duration, text::Decimals::as_needed);
}

// ---------------------------------------------------------------------------------------------
// Reasons: "RFC 9293 3.10.7.4 fifth: ACK of our SYN-ACK in SYN_RCVD" is a citation and an
// explanation.

struct Reason {
  std::string citation;     // "RFC 9293 3.10.7.4 fifth", or empty
  std::string explanation;  // "ACK of our SYN-ACK in SYN_RCVD"
};

bool is_citation(std::string_view text) {
  // "RFC <number> <section>[ <word>]"
  if (!starts_with(text, "RFC ")) return false;
  std::size_t position = 4;
  std::size_t digits = 0;
  while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
    ++position;
    ++digits;
  }
  return digits > 0 && position < text.size() && text[position] == ' ';
}

Reason split_reason(std::string_view text) {
  const std::size_t colon = text.find(": ");
  if (colon != std::string_view::npos && is_citation(text.substr(0, colon))) {
    return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 2))};
  }
  return {{}, std::string(text)};
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

// "RFC 9293 3.10.7.4 fifth" -> "RFC 9293 3.10.7.4 (fifth check: the ACK field)", or in Chinese
// "RFC 9293 3.10.7.4 第五步：检查 ACK 字段". Anything else stays as it is.
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

// ---------------------------------------------------------------------------------------------
// The Chinese phrase table. Keys are the reason literals of tcp/*.cpp, exactly (a unit test
// greps the sources and fails on any literal missing here). Values leave the citation out; it
// is rendered separately, the same way for every reason.

struct Phrase {
  std::string_view english;
  std::string_view chinese;
};

constexpr Phrase core_phrases[] = {
    // RFC 9293 3.10.1 OPEN
    {"RFC 9293 3.10.1: active OPEN, SYN sent", "主动打开，发送 SYN"},
    {"RFC 9293 3.10.1: active OPEN in LISTEN, SYN sent", "在 LISTEN 状态下执行主动打开，发送 SYN"},
    {"RFC 9293 3.10.1: passive OPEN", "被动打开，开始监听"},
    // RFC 9293 3.10.4 CLOSE
    {"RFC 9293 3.10.4: CLOSE in CLOSE_WAIT, FIN follows the queued data",
     "在 CLOSE_WAIT 状态下调用 CLOSE，排队的数据发完后发送 FIN"},
    {"RFC 9293 3.10.4: CLOSE in ESTABLISHED, FIN follows the queued data",
     "在 ESTABLISHED 状态下调用 CLOSE，排队的数据发完后发送 FIN"},
    {"RFC 9293 3.10.4: CLOSE in LISTEN deletes the TCB", "在 LISTEN 状态下调用 CLOSE，删除 TCB"},
    {"RFC 9293 3.10.4: CLOSE in SYN_RCVD with nothing queued, FIN sent",
     "在 SYN_RCVD 状态下调用 CLOSE，没有待发送的数据，发送 FIN"},
    {"RFC 9293 3.10.4: CLOSE in SYN_SENT deletes the TCB", "在 SYN_SENT 状态下调用 CLOSE，删除 TCB"},
    {"RFC 9293 3.10.4: CLOSE in SYN_SENT deletes the TCB, queued SENDs fail (error: closing)",
     "在 SYN_SENT 状态下调用 CLOSE，删除 TCB，排队中的 SEND 失败（error: closing）"},
    {"RFC 1122 4.2.2.13: CLOSE with unread data on a half-duplex close, RST sent",
     "半双工关闭时仍有未读数据就调用 CLOSE，发送 RST"},
    {"RFC 1122 4.2.2.13: data arrived after CLOSE on a half-duplex close, RST sent",
     "半双工关闭后又收到数据，发送 RST 表示数据丢失"},
    {"reset_unexpected_segments = false: CLOSED, dropped silently (teaching variant)",
     "reset_unexpected_segments = false：CLOSED 状态下静默丢弃（教学变体）"},
    {"reset_unexpected_segments = false: an ACK in LISTEN is dropped silently (teaching variant)",
     "reset_unexpected_segments = false：LISTEN 状态下的 ACK 被静默丢弃（教学变体）"},
    {"reset_unexpected_segments = false: an ACK that does not acknowledge our SYN is dropped silently (teaching variant)",
     "reset_unexpected_segments = false：不确认我方 SYN 的 ACK 被静默丢弃（教学变体）"},
    {"reset_unexpected_segments = false: an unacceptable ACK in SYN_RCVD is dropped silently (teaching variant)",
     "reset_unexpected_segments = false：SYN_RCVD 状态下不可接受的 ACK 被静默丢弃（教学变体）"},
    {"reset_unexpected_segments = false: no connection, dropped silently (teaching variant)",
     "reset_unexpected_segments = false：没有对应的连接，静默丢弃（教学变体）"},
    {"RFC 5681 3.2: fast retransmit after duplicate ACKs", "收到重复 ACK 后快速重传"},
    {"retransmit_syn_ack = false: the SYN-ACK was never sent again; gave up after synack_retries timeouts (teaching variant)",
     "retransmit_syn_ack = false：SYN-ACK 从未重传，超时 synack_retries 次后放弃（教学变体）"},
    {"retransmit_fin = false: the FIN was never sent again; gave up after data_retries timeouts (teaching variant)",
     "retransmit_fin = false：FIN 从未重传，超时 data_retries 次后放弃（教学变体）"},
    {"RFC 5681 4.2: out of order, held for reassembly, duplicate ACK at once",
     "乱序到达，暂存待重组，立即发送重复 ACK"},
    {"out of order and beyond the receive window", "乱序且超出接收窗口"},
    {"RFC 9293 3.8.6.2.2: the application read, the window opens", "应用读取了数据，窗口打开"},
    {"RFC 9293 3.8.6.1: zero window, the persist timer sends a one-octet probe",
     "零窗口，持续定时器发送一个字节的探测报文"},
    {"RFC 1122 4.2.3.6: idle connection, keepalive probe", "连接空闲，发送保活探测报文"},
    {"RFC 6298 5.4: the retransmission timer expired", "重传定时器超时"},
    {"RFC 1122 4.2.3.6: keepalive probes unanswered, the peer is dead",
     "保活探测无人应答，判定对端已失效"},
    {"RFC 9293 3.8.4 (RFC 5482): user timeout, data unacknowledged too long",
     "用户超时：数据太久没有得到确认"},
    {"fin_wait_2_timeout: no FIN from the peer (Linux tcp_fin_timeout)",
     "fin_wait_2_timeout：对端一直没有发来 FIN（Linux 的 tcp_fin_timeout）"},
    {"RFC 9293 3.10.4: CLOSE queued in SYN_RCVD takes effect in ESTABLISHED",
     "在 SYN_RCVD 状态下排队的 CLOSE 在进入 ESTABLISHED 后生效"},
    // RFC 9293 3.10.5 ABORT
    {"RFC 9293 3.10.5: ABORT before synchronization, no RST", "在同步之前调用 ABORT，不发送 RST"},
    {"RFC 9293 3.10.5: ABORT while closing, no RST", "在关闭过程中调用 ABORT，不发送 RST"},
    {"RFC 9293 3.10.5: ABORT, RST sent", "调用 ABORT，发送 RST"},
    // RFC 9293 3.10.7.1 CLOSED
    {"RFC 9293 3.10.7.1: CLOSED, an arriving RST is discarded",
     "处于 CLOSED 状态，到达的 RST 被丢弃"},
    {"RFC 9293 3.10.7.1: CLOSED, segment answered with RST", "处于 CLOSED 状态，用 RST 回复该报文段"},
    {"RFC 9293 3.10.7.1: no connection, an arriving RST is discarded",
     "没有对应的连接，到达的 RST 被丢弃"},
    {"RFC 9293 3.10.7.1: no connection, answered with RST", "没有对应的连接，用 RST 回复"},
    // RFC 9293 3.10.7.2 LISTEN
    {"RFC 9293 3.10.7.2: ACK in LISTEN draws a RST", "LISTEN 状态收到 ACK，回复 RST"},
    {"RFC 9293 3.10.7.2: RST in LISTEN is ignored", "LISTEN 状态收到 RST，忽略它"},
    {"RFC 9293 3.10.7.2: SYN in LISTEN, SYN-ACK sent", "LISTEN 状态收到 SYN，发送 SYN-ACK"},
    {"RFC 9293 3.10.7.2: neither RST, ACK nor SYN in LISTEN",
     "LISTEN 状态收到的报文段既没有 RST、ACK，也没有 SYN"},
    // RFC 9293 3.10.7.3 SYN_SENT
    {"RFC 9293 3.10.7.3: ACK does not acknowledge our SYN, RST sent",
     "ACK 没有确认我们的 SYN，发送 RST"},
    {"RFC 9293 3.10.7.3: RST acknowledging our SYN, connection refused",
     "RST 确认了我们的 SYN，连接被拒绝"},
    {"RFC 9293 3.10.7.3: RST with an unacceptable ACK in SYN_SENT",
     "SYN_SENT 状态收到 ACK 不可接受的 RST"},
    {"RFC 9293 3.10.7.3: RST without ACK in SYN_SENT is dropped",
     "SYN_SENT 状态收到不带 ACK 的 RST，将其丢弃"},
    {"RFC 9293 3.10.7.3: SYN without ACK in SYN_SENT, simultaneous open, SYN-ACK sent",
     "SYN_SENT 状态收到不带 ACK 的 SYN，即同时打开，发送 SYN-ACK"},
    {"RFC 9293 3.10.7.3: SYN-ACK acknowledges our SYN", "SYN-ACK 确认了我们的 SYN"},
    {"RFC 9293 3.10.7.3: neither SYN nor RST in SYN_SENT",
     "SYN_SENT 状态收到的报文段既没有 SYN 也没有 RST"},
    // RFC 9293 3.10.7.4, other states, by step
    {"RFC 9293 3.10.7.4 second: RST at RCV.NXT, connection reset",
     "RST 的序号正好等于 RCV.NXT，连接被重置"},
    {"RFC 9293 3.10.7.4 second: RST in CLOSING or LAST_ACK, CLOSED",
     "在 CLOSING 或 LAST_ACK 状态收到 RST，进入 CLOSED"},
    {"RFC 9293 3.10.7.4 second: RST in SYN_RCVD from a passive OPEN, back to LISTEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 RST，回到 LISTEN"},
    {"RFC 9293 3.10.7.4 second: RST in SYN_RCVD from an active OPEN, connection refused",
     "由主动打开产生的连接在 SYN_RCVD 状态收到 RST，连接被拒绝"},
    {"RFC 9293 3.10.7.4 second: RST in TIME_WAIT, CLOSED", "在 TIME_WAIT 状态收到 RST，进入 CLOSED"},
    {"RFC 9293 3.10.7.4 fourth: SYN in SYN_RCVD from a passive OPEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 SYN"},
    {"RFC 9293 3.10.7.4 fourth: SYN in SYN_RCVD from a passive OPEN, back to LISTEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 SYN，回到 LISTEN"},
    {"RFC 9293 3.10.7.4 fourth: SYN in a synchronized state, challenge ACK sent",
     "在已同步状态收到 SYN，回复挑战 ACK（challenge ACK）"},
    {"RFC 9293 3.10.7.4 fifth: ACK bit off", "ACK 位没有置位"},
    {"RFC 9293 3.10.7.4 fifth: ACK for data not yet sent, ACK sent",
     "ACK 确认了尚未发送的数据，回复 ACK"},
    {"RFC 9293 3.10.7.4 fifth: ACK of our SYN-ACK in SYN_RCVD",
     "在 SYN_RCVD 状态收到对我们 SYN-ACK 的 ACK"},
    {"RFC 9293 3.10.7.4 fifth: CLOSING and our FIN not acknowledged, ignored",
     "处于 CLOSING 状态而我们的 FIN 尚未被确认，忽略"},
    {"RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in CLOSING",
     "在 CLOSING 状态，我们的 FIN 得到确认"},
    {"RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in FIN_WAIT_1",
     "在 FIN_WAIT_1 状态，我们的 FIN 得到确认"},
    {"RFC 9293 3.10.7.4 fifth: our FIN is acknowledged in LAST_ACK",
     "在 LAST_ACK 状态，我们的 FIN 得到确认"},
    {"RFC 9293 3.10.7.4 fifth: unacceptable ACK in SYN_RCVD, RST sent",
     "在 SYN_RCVD 状态收到不可接受的 ACK，发送 RST"},
    {"RFC 9293 3.10.7.4 seventh: text after the peer's FIN is ignored",
     "对端 FIN 之后的数据被忽略"},
    {"RFC 9293 3.10.7.4 eighth: FIN in FIN_WAIT_1 before our FIN is acknowledged",
     "在 FIN_WAIT_1 状态、我们的 FIN 被确认之前收到 FIN"},
    {"RFC 9293 3.10.7.4 eighth: FIN received in ESTABLISHED", "在 ESTABLISHED 状态收到 FIN"},
    {"RFC 9293 3.10.7.4 eighth: FIN received in FIN_WAIT_2", "在 FIN_WAIT_2 状态收到 FIN"},
    {"RFC 9293 3.10.7.4 eighth: FIN that acknowledges our FIN in FIN_WAIT_1",
     "在 FIN_WAIT_1 状态收到的 FIN 同时确认了我们的 FIN"},
    {"RFC 9293 3.10.7.4 eighth: the peer's FIN, connection closing",
     "收到对端的 FIN，连接正在关闭"},
    {"RFC 9293 3.10.7.4: the 2 MSL TIME_WAIT timeout expired", "TIME_WAIT 的 2 MSL 超时已到"},
    {"not acceptable: RST outside the receive window (RFC 9293 3.10.7.4 first)",
     "不可接受：RST 落在接收窗口之外（RFC 9293 3.10.7.4 第一步：检查序号）"},
    {"not acceptable: outside the receive window, ACK sent",
     "不可接受：报文段落在接收窗口之外，回复 ACK"},
    {"not acceptable: the receive window is zero, ACK sent", "不可接受：接收窗口为零，回复 ACK"},
    {"out of order: beyond RCV.NXT, no reassembly yet, ACK sent",
     "乱序：报文段超出 RCV.NXT，目前还不做重组，回复 ACK"},
    {"RFC 5961 3.2: RST in the window but not at RCV.NXT, challenge ACK sent",
     "RST 落在接收窗口内但不等于 RCV.NXT，回复挑战 ACK（challenge ACK）"},
    // RFC 9293 3.8.3: retransmission limits
    {"RFC 9293 3.8.3: SYN retransmitted syn_retries times without answer",
     "SYN 已重传 syn_retries 次，仍没有应答"},
    {"RFC 9293 3.8.3: SYN-ACK retransmitted synack_retries times without answer",
     "SYN-ACK 已重传 synack_retries 次，仍没有应答"},
    {"RFC 9293 3.8.3: data or FIN retransmitted data_retries times without acknowledgment",
     "数据或 FIN 已重传 data_retries 次，仍未被确认"},
    // The host, and the teaching variants
    {"connect refused locally: host is down", "本地拒绝了 connect：主机已停机"},
    {"connect refused locally: no free ephemeral port", "本地拒绝了 connect：没有空闲的临时端口"},
    {"connect refused locally: the 4-tuple is in use", "本地拒绝了 connect：该四元组已被占用"},
    {"host is down", "主机已停机"},
    {"not addressed to this host", "目的地址不是本主机"},
    {"listen backlog full: SYN dropped (as Linux does)",
     "监听队列（backlog）已满，丢弃 SYN（与 Linux 的做法相同）"},
    {"time_wait = 0: TIME_WAIT is disabled, CLOSED at once (teaching variant)",
     "time_wait = 0：TIME_WAIT 被禁用，立即进入 CLOSED（教学变体）"},
    {"two-way handshake: SYN answered with SYN-ACK, ESTABLISHED without a third segment",
     "两次握手：用 SYN-ACK 回复 SYN，不等第三个报文段就进入 ESTABLISHED"},
    {"two-way handshake: no third segment, not even a RST",
     "两次握手：不发送第三个报文段，连 RST 也不发"},
    // The runner
    {"lost in crash", "在主机崩溃中丢失"},
};

const Phrase* find_core_phrase(std::string_view english) {
  for (const Phrase& phrase : core_phrases) {
    if (phrase.english == english) return &phrase;
  }
  return nullptr;
}

// The link's causes (sim/link.cpp) are built at run time: translate them by their shape.
std::optional<std::string> chinese_link_cause(std::string_view cause) {
  if (cause == "random loss") return std::string("链路的随机丢包");
  if (cause == "queue full") return std::string("链路队列已满");
  if (cause == "random reorder") return std::string("链路的随机乱序");
  if (cause == "random duplicate") return std::string("链路的随机复制");
  if (starts_with(cause, "rule '") && cause.size() > 7 && cause.back() == '\'') {
    return "故障规则 " + std::string(cause.substr(5));
  }
  // "exceeded MSL (held X, longer than msl Y)[ after CAUSE]"
  constexpr std::string_view exceeded = "exceeded MSL (held ";
  constexpr std::string_view longer = ", longer than msl ";
  if (starts_with(cause, exceeded)) {
    const std::size_t comma = cause.find(longer);
    const std::size_t close = cause.find(')', exceeded.size());
    if (comma != std::string_view::npos && close != std::string_view::npos && comma < close) {
      std::string out = "在网络中滞留超过 MSL（滞留 " +
                        std::string(cause.substr(exceeded.size(), comma - exceeded.size())) +
                        "，超过 msl " +
                        std::string(cause.substr(comma + longer.size(),
                                                 close - comma - longer.size())) +
                        "）";
      const std::string_view rest = cause.substr(close + 1);
      if (starts_with(rest, " after ")) {
        const std::string_view earlier = rest.substr(7);
        const auto translated = chinese_link_cause(earlier);
        out += "，起因是" + (translated ? *translated : "“" + std::string(earlier) + "”");
      } else if (!rest.empty()) {
        return std::nullopt;
      }
      return out;
    }
  }
  return std::nullopt;
}

std::string cite_zh(const Reason& reason) {
  return reason.citation.empty() ? std::string()
                                 : "（" + render_citation(reason.citation, Language::chinese) + "）";
}

}  // namespace

std::optional<std::string> chinese_reason(std::string_view reason) {
  if (const Phrase* phrase = find_core_phrase(reason)) {
    return std::string(phrase->chinese) + cite_zh(split_reason(reason));
  }
  return chinese_link_cause(reason);
}

namespace {

// A reason as it ends a sentence after a colon: "ACK of our SYN-ACK in SYN_RCVD, per RFC 9293
// 3.10.7.4 (fifth check: the ACK field)"; in Chinese the table's phrase with its citation, or
// for a phrase the table lacks the English rule quoted beside its citation.
std::string render_reason(std::string_view text, Language language) {
  const Reason reason = split_reason(text);
  if (language == Language::english) {
    if (reason.citation.empty()) return reason.explanation;
    return reason.explanation + ", per " + render_citation(reason.citation, language);
  }
  if (auto translated = chinese_reason(text)) return *translated;
  if (reason.citation.empty()) return "原因是“" + reason.explanation + "”";
  return "规则原文为“" + reason.explanation + "”" + cite_zh(reason);
}

// The link's causes in English, as they follow "because of" or sit in parentheses.
std::string english_link_cause(std::string_view cause) {
  if (starts_with(cause, "rule '")) return "fault " + std::string(cause);
  if (cause == "random loss") return "the link's random loss";
  if (cause == "queue full") return "the link's queue is full";
  if (cause == "random reorder") return "the link's random reordering";
  if (cause == "random duplicate") return "the link's random duplication";
  return std::string(cause);
}

std::string link_cause(std::string_view cause, Language language) {
  if (language == Language::english) return english_link_cause(cause);
  if (auto translated = chinese_link_cause(cause)) return *translated;
  return "“" + std::string(cause) + "”";
}

std::string timer_label(tcp::TimerKind timer, Language language) {
  const bool en = language == Language::english;
  switch (timer) {
    case tcp::TimerKind::retransmission: return en ? "retransmission timer" : "重传定时器";
    case tcp::TimerKind::time_wait: return en ? "TIME_WAIT (2 MSL) timer" : "TIME_WAIT（2 MSL）定时器";
    case tcp::TimerKind::persist: return en ? "persist timer" : "持续定时器（persist）";
    case tcp::TimerKind::keepalive: return en ? "keepalive timer" : "保活定时器（keepalive）";
    case tcp::TimerKind::delayed_ack: return en ? "delayed-ACK timer" : "延迟 ACK 定时器";
    case tcp::TimerKind::user_timeout: return en ? "user timeout" : "用户超时定时器（user timeout）";
    case tcp::TimerKind::fin_wait_2: return en ? "FIN_WAIT_2 timer" : "FIN_WAIT_2 定时器";
  }
  return en ? std::string(tcp::timer_name(timer)) + " timer"
            : std::string(tcp::timer_name(timer)) + " 定时器";
}

// What happens when the timer fires, said when it is armed.
std::string timer_purpose(tcp::TimerKind timer, Language language) {
  const bool en = language == Language::english;
  switch (timer) {
    case tcp::TimerKind::retransmission:
      return en ? "if nothing acknowledges what it sent by then, it sends it again"
                : "届时若发出的内容仍未被确认，就重新发送";
    case tcp::TimerKind::time_wait:
      return en ? "when it fires, 2 MSL have passed and the connection can be deleted"
                : "到期时已过 2 MSL，连接即可删除";
    case tcp::TimerKind::persist:
      return en ? "then it probes the peer's zero window" : "到期后探测对端的零窗口";
    case tcp::TimerKind::keepalive:
      return en ? "then it checks whether the idle peer is still there"
                : "到期后探测空闲的对端是否还在";
    case tcp::TimerKind::delayed_ack:
      return en ? "then it sends the ACK it is holding back" : "到期后发送暂缓的 ACK";
    case tcp::TimerKind::user_timeout:
      return en ? "then it gives up if data is still unacknowledged"
                : "到期时若数据仍未被确认，就放弃连接";
    case tcp::TimerKind::fin_wait_2:
      return en ? "then it stops waiting for the peer's FIN" : "到期后不再等待对端的 FIN";
  }
  return {};
}

// What the timer's expiry means.
std::string timer_expiry(tcp::TimerKind timer, Language language) {
  const bool en = language == Language::english;
  switch (timer) {
    case tcp::TimerKind::retransmission:
      return en ? "what it sent was not acknowledged in time" : "发出的内容没有及时得到确认";
    case tcp::TimerKind::time_wait:
      return en ? "2 MSL have passed" : "2 MSL 已经过去";
    case tcp::TimerKind::persist:
      return en ? "time to probe the zero window" : "该探测零窗口了";
    case tcp::TimerKind::keepalive:
      return en ? "the connection has been idle too long" : "连接空闲太久";
    case tcp::TimerKind::delayed_ack:
      return en ? "the held-back ACK is due" : "暂缓的 ACK 该发送了";
    case tcp::TimerKind::user_timeout:
      return en ? "data stayed unacknowledged too long" : "数据太久没有得到确认";
    case tcp::TimerKind::fin_wait_2:
      return en ? "the peer's FIN did not come in time" : "对端的 FIN 没有按时到来";
  }
  return {};
}

std::string app_meaning(const TraceEvent& event, Language language) {
  const bool en = language == Language::english;
  switch (event.app_event) {
    case tcp::AppEventKind::connected:
      return en ? "the active open is complete, the connection is established"
                : "主动打开完成，连接已建立";
    case tcp::AppEventKind::accepted:
      return en ? "the listening socket hands over a new established connection"
                : "监听套接字交出一个新建立的连接";
    case tcp::AppEventKind::data:
      return en ? std::to_string(event.data.size()) + " bytes arrive in order, " +
                      text::quoted_payload(event.data, 32)
                : "按序收到 " + std::to_string(event.data.size()) + " 字节数据 " +
                      text::quoted_payload(event.data, 32);
    case tcp::AppEventKind::end_of_stream:
      return en ? "the peer has closed its direction, no more data will arrive"
                : "对端已关闭它的发送方向，不会再有数据到达";
    case tcp::AppEventKind::closed:
      return en ? "the connection is fully closed" : "连接已完全关闭";
    case tcp::AppEventKind::reset:
      return en ? "the connection was reset" : "连接被重置";
    case tcp::AppEventKind::refused:
      return en ? "the connection was refused" : "连接被拒绝";
    case tcp::AppEventKind::timed_out:
      return en ? "TCP gave up on the connection" : "TCP 放弃了这个连接";
    case tcp::AppEventKind::aborted:
      return en ? "the local application aborted the connection" : "本地应用中止了连接";
  }
  return {};
}

// The Chinese of a timeline action's text (runner/simulation.cpp), by its shape; nullopt for a
// shape it does not know.
std::optional<std::string> chinese_action(std::string_view text) {
  auto number_prefix = [](std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    return n;
  };
  if (starts_with(text, "listen on port ")) {
    std::string_view rest = text.substr(15);
    const std::size_t digits = number_prefix(rest);
    const std::string port(rest.substr(0, digits));
    rest = rest.substr(digits);
    if (rest.empty()) return "在端口 " + port + " 上监听";
    if (starts_with(rest, " as ")) {
      rest = rest.substr(4);
      const std::size_t backlog = rest.rfind(" (backlog ");
      if (backlog != std::string_view::npos && rest.back() == ')') {
        return "在端口 " + port + " 上监听，监听名为 " + std::string(rest.substr(0, backlog)) +
               "（backlog " +
               std::string(rest.substr(backlog + 10, rest.size() - backlog - 11)) + "）";
      }
    }
    return std::nullopt;
  }
  if (starts_with(text, "connect to ")) {
    const std::string_view rest = text.substr(11);
    const std::size_t as = rest.find(" as ");
    if (as == std::string_view::npos) return "向 " + std::string(rest) + " 发起连接（connect）";
    return "向 " + std::string(rest.substr(0, as)) + " 发起连接（connect），连接名为 " +
           std::string(rest.substr(as + 4));
  }
  if (starts_with(text, "send ")) {
    const std::string_view rest = text.substr(5);
    const std::size_t digits = number_prefix(rest);
    constexpr std::string_view bytes_on = " bytes on ";
    if (digits > 0 && rest.substr(digits, bytes_on.size()) == bytes_on) {
      return "在连接 " + std::string(rest.substr(digits + bytes_on.size())) + " 上发送 " +
             std::string(rest.substr(0, digits)) + " 字节数据";
    }
    return std::nullopt;
  }
  if (starts_with(text, "close on ")) return "关闭连接 " + std::string(text.substr(9)) + "（CLOSE）";
  if (starts_with(text, "abort on ")) return "中止连接 " + std::string(text.substr(9)) + "（ABORT）";
  return std::nullopt;
}

// The reason part of a failed call ("listen on port 80: the port is already in use").
std::optional<std::string> chinese_failure(std::string_view reason) {
  if (reason == "the port is already in use") return std::string("端口已被占用");
  if (reason == "the 4-tuple is in use") return std::string("该四元组已被占用");
  if (reason == "refused by TCP in its current state (RFC 9293 3.10)") {
    return std::string("TCP 在连接当前的状态下拒绝了这个调用（RFC 9293 3.10）");
  }
  constexpr std::string_view no_connection = "no open connection named ";
  if (starts_with(reason, no_connection)) {
    const std::string_view rest = reason.substr(no_connection.size());
    const std::size_t on = rest.rfind(" on ");
    if (on != std::string_view::npos) {
      return std::string(rest.substr(on + 4)) + " 上没有名为 " + std::string(rest.substr(0, on)) +
             " 的已打开连接";
    }
  }
  return std::nullopt;
}

// The verb of an action's text: "connect", "close", ... ("" when it has none).
std::string action_verb(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && text[end] >= 'a' && text[end] <= 'z') ++end;
  return std::string(text.substr(0, end));
}

// ---------------------------------------------------------------------------------------------
// The narrator: walks the trace in order, keeping what a sentence needs to know about the past
// (each connection's state, live connections by 4-tuple, each segment's sending and holding)
// and looking ahead only within the handling of one arriving segment.

class Narrator {
 public:
  Narrator(const runner::Scenario& scenario, const runner::RunResult& result, Language language,
           const NarrationOptions& options)
      : scenario_(scenario),
        result_(result),
        language_(language),
        options_(options),
        names_(result) {
    for (const auto& record : result.connections) records_[{record.host, record.id}] = &record;
  }

  // The sentence for trace[index], from what apply() has seen of trace[0 .. index - 1].
  std::string narrate(std::size_t index) const {
    const TraceEvent& event = result_.trace[index];
    // Names, reasons and fault rules come from the scenario: shown through text::visible.
    return text::visible(en() ? english(index, event) : chinese(index, event));
  }

  void apply(std::size_t index) {
    const TraceEvent& event = result_.trace[index];
    switch (event.kind) {
      case TraceKind::action:
      case TraceKind::timer_fire:
        stimulus_ = index;
        break;
      case TraceKind::deliver:
        stimulus_ = index;
        break;
      case TraceKind::send:
        if (!event.segment.copy) sent_at_[event.segment.id] = event.time;
        break;
      case TraceKind::delay:
        held_by_[event.segment.id] = event.text;
        break;
      case TraceKind::state:
        states_[{event.host, event.connection}] = event.to;
        break;
      case TraceKind::open:
        if (const auto* record = record_of(event.host, event.connection)) {
          live_[tuple_key(event.host, record->tuple)] = event.connection;
        }
        states_[{event.host, event.connection}] = tcp::State::closed;
        break;
      case TraceKind::free:
        if (const auto* record = record_of(event.host, event.connection)) {
          const auto key = tuple_key(event.host, record->tuple);
          const auto found = live_.find(key);
          if (found != live_.end() && found->second == event.connection) live_.erase(found);
        }
        break;
      case TraceKind::action_failed:
      case TraceKind::drop:
      case TraceKind::expire:
      case TraceKind::duplicate:
      case TraceKind::discard:
      case TraceKind::timer_set:
      case TraceKind::timer_cancel:
      case TraceKind::app:
        break;
    }
  }

 private:
  using TupleKey = std::tuple<int, tcp::Address, tcp::Port, tcp::Address, tcp::Port>;

  bool en() const { return language_ == Language::english; }

  const runner::ConnectionRecord* record_of(int host, tcp::ConnectionId id) const {
    const auto found = records_.find({host, id});
    return found == records_.end() ? nullptr : found->second;
  }
  static TupleKey tuple_key(int host, const tcp::FourTuple& tuple) {
    return {host, tuple.local.address, tuple.local.port, tuple.remote.address, tuple.remote.port};
  }

  std::string host_name(int host) const {
    if (host < 0 || static_cast<std::size_t>(host) >= scenario_.hosts.size()) {
      return en() ? "the network" : "网络";
    }
    return scenario_.hosts[static_cast<std::size_t>(host)].name;
  }
  std::string connection_name(int host, tcp::ConnectionId id) const { return names_(host, id); }
  tcp::State state_of(int host, tcp::ConnectionId id) const {
    const auto found = states_.find({host, id});
    return found == states_.end() ? tcp::State::closed : found->second;
  }
  std::string state_text(int host, tcp::ConnectionId id) const {
    return std::string(tcp::state_name(state_of(host, id)));
  }

  // "#3 SYN,ACK seq=0 ack=1 len=0", numbered as the ladder numbers it.
  // The sentence says a retransmission and a closed window in words.
  std::string segment_text(const TraceSegment& segment) const {
    text::SegmentLabelStyle style;
    style.absolute_seq = options_.absolute_seq;
    style.no_flags = en() ? "(no flags)" : "（无标志位）";
    style.retransmission = "";
    style.zero_window = false;
    return text::segment_label(segment, style);
  }
  // A duplicate event shows the copy; its sentence names the original it was made from.
  static TraceSegment original_of(const TraceEvent& event) {
    TraceSegment original = event.segment;
    original.copy = false;
    return original;
  }
  // The link discards a copy that would arrive after MSL; its duplicate event says so.
  static bool outlives_msl(const TraceEvent& event) {
    return starts_with(event.text, "exceeded MSL");
  }

  // "#8 RST": enough to name the segment again.
  static std::string segment_short(const TraceSegment& segment) {
    const std::string flags = tcp::flags_to_string(segment.flags);
    return text::segment_number(segment) + (flags.empty() ? std::string() : " " + flags);
  }

  std::string ack_value(const TraceSegment& segment) const {
    return std::to_string(!options_.absolute_seq && segment.has_relative_ack
                              ? segment.relative_ack
                              : static_cast<std::int64_t>(segment.ack));
  }

  // Why a segment is sent, from its flags.
  std::string send_purpose(const TraceSegment& segment) const {
    const bool syn = (segment.flags & tcp::flag::syn) != 0;
    const bool ack = (segment.flags & tcp::flag::ack) != 0;
    const bool fin = (segment.flags & tcp::flag::fin) != 0;
    const bool rst = (segment.flags & tcp::flag::rst) != 0;
    const std::string bytes = std::to_string(segment.length);
    if (rst) return en() ? "to reset the connection" : "要求重置连接";
    if (syn && ack) {
      return en() ? "answering the peer's SYN with its own SYN and acknowledging it"
                  : "用自己的 SYN 回应对方的 SYN，并确认它";
    }
    if (syn) return en() ? "asking to open a connection" : "请求建立连接";
    const std::uint32_t data = segment.length;
    if (fin && data > 0) {
      return en() ? "carrying the last " + bytes + " bytes and FIN: it will send nothing more"
                  : "携带最后的 " + bytes + " 字节数据和 FIN：本方不再发送数据";
    }
    if (fin) return en() ? "with FIN: it will send nothing more" : "带 FIN：本方不再发送数据";
    if (data > 0) return en() ? "carrying " + bytes + " bytes of data" : "携带 " + bytes + " 字节数据";
    if (ack) {
      return en() ? "an acknowledgment: the next byte it expects is ack=" + ack_value(segment)
                  : "这是一个确认：它期望的下一个序号是 ack=" + ack_value(segment);
    }
    return {};
  }

  bool is_stimulus(TraceKind kind) const {
    return kind == TraceKind::action || kind == TraceKind::deliver ||
           kind == TraceKind::timer_fire;
  }

  // What the host does with an arriving segment that no live connection owns: a listener
  // opens a connection for it (an open event follows), or its TCP discards it.
  enum class Unowned { listener, discarded, unknown };
  Unowned unowned_fate(std::size_t index) const {
    const TraceEvent& arrival = result_.trace[index];
    for (std::size_t next = index + 1; next < result_.trace.size(); ++next) {
      const TraceEvent& event = result_.trace[next];
      if (event.time != arrival.time || is_stimulus(event.kind)) break;
      if (event.host != arrival.host) continue;
      if (event.kind == TraceKind::open) return Unowned::listener;
      if (event.kind == TraceKind::discard && event.segment.id == arrival.segment.id) {
        return Unowned::discarded;
      }
    }
    return Unowned::unknown;
  }

  // The connection that owns an arriving segment: the live one whose 4-tuple it carries.
  tcp::ConnectionId owner(const TraceEvent& arrival) const {
    const TupleKey key{arrival.host, arrival.segment.destination, arrival.segment.destination_port,
                       arrival.segment.source, arrival.segment.source_port};
    const auto found = live_.find(key);
    return found == live_.end() ? tcp::no_connection : found->second;
  }

  // The trigger of a state change, said after "is in STATE": "and receives #8 RST".
  enum class Trigger { segment, timer, action, none };
  Trigger trigger_of(const TraceEvent& event) const {
    if (stimulus_ >= result_.trace.size()) return Trigger::none;
    const TraceEvent& cause = result_.trace[stimulus_];
    if (cause.host != event.host) return Trigger::none;
    switch (cause.kind) {
      case TraceKind::deliver: return Trigger::segment;
      case TraceKind::timer_fire:
        return cause.connection == event.connection ? Trigger::timer : Trigger::none;
      case TraceKind::action: return Trigger::action;
      default: return Trigger::none;
    }
  }

  // --- English ---

  std::string english(std::size_t index, const TraceEvent& event) const {
    const std::string host = host_name(event.host);
    const bool has_connection = event.connection != tcp::no_connection;
    const std::string connection =
        has_connection ? connection_name(event.host, event.connection) : std::string();
    const std::string state = has_connection ? state_text(event.host, event.connection) : "";
    switch (event.kind) {
      case TraceKind::action: {
        const std::string verb = action_verb(event.text);
        if (verb == "crash" || verb == "reboot") {
          const std::string_view rest = std::string_view(event.text).substr(verb.size());
          return "On " + host + (verb == "crash" ? ", the host crashes" : ", the host reboots") +
                 std::string(starts_with(rest, ": ") ? rest : ": " + std::string(rest)) + ".";
        }
        return "On " + host + ", the application calls " + event.text + ".";
      }
      case TraceKind::action_failed:
        return "On " + host + ", the application's call fails: " + event.text + ".";
      case TraceKind::send: {
        const std::string purpose = send_purpose(event.segment);
        const std::string verb = event.segment.retransmission ? " retransmits " : " sends ";
        if (!has_connection) {
          std::string out = "On " + host + ", TCP" + verb + segment_text(event.segment) +
                            " for no connection";
          if (trigger_of(event) == Trigger::segment) {
            out += ": it answers " + segment_short(result_.trace[stimulus_].segment) +
                   ", which no connection owns";
          } else if (!purpose.empty()) {
            out += ", " + purpose;
          }
          return out + ".";
        }
        return "On " + host + ", " + connection + " (" + state + ")" + verb +
               segment_text(event.segment) + (purpose.empty() ? "" : ", " + purpose) + ".";
      }
      case TraceKind::deliver: {
        std::string out = (event.segment.copy ? "The network's copy " : "") +
                          segment_text(event.segment);
        const auto held = held_by_.find(event.segment.id);
        const auto sent = sent_at_.find(event.segment.id);
        if (!event.segment.copy && held != held_by_.end() && sent != sent_at_.end()) {
          out += ", sent at " + format_seconds(sent->second) +
                 "s and held back by the network (" + link_cause(held->second, language_) + "),";
        }
        out += " arrives at " + host;
        const tcp::ConnectionId owner_id = owner(event);
        if (owner_id != tcp::no_connection) {
          return out + ", where " + connection_name(event.host, owner_id) + " is in " +
                 state_text(event.host, owner_id) + ".";
        }
        switch (unowned_fate(index)) {
          case Unowned::listener:
            return out + ": no connection has its 4-tuple yet, so the listener on port " +
                   std::to_string(event.segment.destination_port) + " takes it.";
          case Unowned::discarded:
          case Unowned::unknown:
            break;
        }
        return out + ", where no connection has its 4-tuple.";
      }
      case TraceKind::drop:
        return "The network loses " + segment_text(event.segment) + " from " + host +
               ", because of " + link_cause(event.text, language_) + ".";
      case TraceKind::expire: {
        const std::string cause = link_cause(event.text, language_);
        return "The network discards " + segment_text(event.segment) + " from " + host +
               (starts_with(cause, "exceeded") ? " because it " : ": ") + cause + ".";
      }
      case TraceKind::delay:
        return "The network holds " + segment_text(event.segment) + " from " + host +
               " back until " + format_seconds(event.deadline) + "s (" +
               link_cause(event.text, language_) + ") instead of delivering it after the usual " +
               "delay.";
      case TraceKind::duplicate: {
        const std::string copy = "#" + std::to_string(event.segment.id) + "'";
        const std::string original = "The network duplicates " + segment_text(original_of(event)) +
                                     " from " + host;
        if (outlives_msl(event)) {
          return original + ", but the copy " + copy + " would outlive MSL: it is discarded at " +
                 format_seconds(event.deadline) + "s because it " +
                 link_cause(event.text, language_) + ".";
        }
        return original + ": the copy " + copy + " arrives at " + format_seconds(event.deadline) +
               "s (" + link_cause(event.text, language_) + ").";
      }
      case TraceKind::discard: {
        const std::string reason = render_reason(event.text, language_);
        if (event.segment.id == 0) {
          return "On " + host + ", TCP turns the request down: " + reason + ".";
        }
        return "On " + host + ", TCP discards " + segment_text(event.segment) +
               (has_connection ? " on " + connection + " (" + state + ")" : std::string()) +
               ": " + reason + ".";
      }
      case TraceKind::state: {
        const std::string from(tcp::state_name(event.from));
        const std::string to(tcp::state_name(event.to));
        const std::string reason =
            event.text.empty() ? std::string() : ": " + render_reason(event.text, language_);
        switch (trigger_of(event)) {
          case Trigger::segment:
            return "On " + host + ", " + connection + " is in " + from + " and receives " +
                   segment_short(result_.trace[stimulus_].segment) + ", so it goes to " + to +
                   reason + ".";
          case Trigger::timer:
            return "On " + host + ", " + connection + " is in " + from + " and its " +
                   timer_label(result_.trace[stimulus_].timer, language_) +
                   " fires, so it goes to " + to + reason + ".";
          case Trigger::action:
            return "On " + host + ", the application's " +
                   action_verb(result_.trace[stimulus_].text) + " takes " + connection +
                   " from " + from + " to " + to + reason + ".";
          case Trigger::none:
            break;
        }
        return "On " + host + ", " + connection + " goes from " + from + " to " + to + reason +
               ".";
      }
      case TraceKind::timer_set:
        return "On " + host + ", " + connection + " (" + state + ") arms its " +
               timer_label(event.timer, language_) + " for " +
               format_duration_seconds(event.deadline - event.time) + "s, until " +
               format_seconds(event.deadline) + "s: " + timer_purpose(event.timer, language_) +
               ".";
      case TraceKind::timer_cancel: {
        std::string out = "On " + host + ", " + connection + " (" + state + ") turns off its " +
                          timer_label(event.timer, language_);
        if (trigger_of(event) == Trigger::segment) {
          out += ", as " + segment_short(result_.trace[stimulus_].segment) + " has arrived";
        }
        return out + ".";
      }
      case TraceKind::timer_fire:
        return "On " + host + ", the " + timer_label(event.timer, language_) + " of " +
               connection + " (" + state + ") fires: " + timer_expiry(event.timer, language_) +
               ".";
      case TraceKind::app: {
        std::string out = "On " + host + ", the application is told '" +
                          std::string(tcp::app_event_name(event.app_event)) + "' on " +
                          connection + ": " + app_meaning(event, language_);
        if (!event.text.empty()) out += "; rule: " + render_reason(event.text, language_);
        return out + ".";
      }
      case TraceKind::open:
        return "On " + host + ", TCP creates connection " + connection +
               (event.text.empty() ? std::string() : " for " + event.text) + ".";
      case TraceKind::free:
        return "On " + host + ", TCP deletes the record (TCB) of " + connection +
               (event.text.empty() ? std::string() : ": " + render_reason(event.text, language_)) +
               ".";
    }
    return host + ": " + std::string(runner::trace_kind_name(event.kind)) + ".";
  }

  // --- Chinese ---

  std::string chinese(std::size_t index, const TraceEvent& event) const {
    const std::string host = host_name(event.host);
    const bool has_connection = event.connection != tcp::no_connection;
    const std::string connection =
        has_connection ? connection_name(event.host, event.connection) : std::string();
    const std::string state = has_connection ? state_text(event.host, event.connection) : "";
    const std::string on_connection = host + " 上的连接 " + connection;
    switch (event.kind) {
      case TraceKind::action: {
        const std::string verb = action_verb(event.text);
        if (verb == "crash") return host + " 崩溃：所有 TCP 状态丢失，主机停机。";
        if (verb == "reboot") return host + " 重启：主机重新上线，没有任何连接。";
        if (auto translated = chinese_action(event.text)) {
          return host + " 上的应用程序" + *translated + "。";
        }
        return host + " 上的应用程序执行操作“" + event.text + "”。";
      }
      case TraceKind::action_failed: {
        const std::size_t colon = event.text.rfind(": ");
        if (colon != std::string::npos) {
          const std::string call = event.text.substr(0, colon);
          const auto reason = chinese_failure(std::string_view(event.text).substr(colon + 2));
          const auto call_zh = chinese_action(call);
          if (reason) {
            return host + " 上的应用程序调用失败（" + (call_zh ? *call_zh : call) + "）：" +
                   *reason + "。";
          }
        }
        return host + " 上的应用程序调用失败：“" + event.text + "”。";
      }
      case TraceKind::send: {
        const std::string purpose = send_purpose(event.segment);
        const std::string verb = event.segment.retransmission ? "重传 " : "发送 ";
        if (!has_connection) {
          std::string out = host + " 的 TCP 直接" + verb + segment_text(event.segment) +
                            "（不属于任何连接）";
          if (trigger_of(event) == Trigger::segment) {
            out += "，回应没有连接接收的 " + segment_short(result_.trace[stimulus_].segment);
          } else if (!purpose.empty()) {
            out += "，" + purpose;
          }
          return out + "。";
        }
        return host + " 在连接 " + connection + "（" + state + "）上" + verb +
               segment_text(event.segment) + (purpose.empty() ? "" : "，" + purpose) + "。";
      }
      case TraceKind::deliver: {
        std::string out = (event.segment.copy ? "网络复制出的副本 " : "") +
                          segment_text(event.segment);
        const auto held = held_by_.find(event.segment.id);
        const auto sent = sent_at_.find(event.segment.id);
        if (!event.segment.copy && held != held_by_.end() && sent != sent_at_.end()) {
          out += "（" + format_seconds(sent->second) + " 秒发出，被网络扣留，原因是" +
                 link_cause(held->second, language_) + "）到达 " + host;
        } else {
          out += " 到达 " + host;
        }
        const tcp::ConnectionId owner_id = owner(event);
        if (owner_id != tcp::no_connection) {
          return out + "，此时连接 " + connection_name(event.host, owner_id) + " 处于 " +
                 state_text(event.host, owner_id) + "。";
        }
        if (unowned_fate(index) == Unowned::listener) {
          return out + "：还没有连接使用它的四元组，于是端口 " +
                 std::to_string(event.segment.destination_port) + " 上的监听套接字接收了它。";
        }
        return out + "，但没有任何连接使用它的四元组。";
      }
      case TraceKind::drop:
        return "网络丢失了 " + host + " 发出的 " + segment_text(event.segment) + "，原因是" +
               link_cause(event.text, language_) + "。";
      case TraceKind::expire:
        return "网络丢弃了 " + host + " 发出的 " + segment_text(event.segment) + "：它" +
               link_cause(event.text, language_) + "。";
      case TraceKind::delay:
        return "网络把 " + host + " 发出的 " + segment_text(event.segment) + " 扣留到 " +
               format_seconds(event.deadline) + " 秒才送达（" +
               link_cause(event.text, language_) + "），而不是按通常的延迟送达。";
      case TraceKind::duplicate: {
        const std::string original = "网络复制了 " + host + " 发出的 " +
                                     segment_text(original_of(event)) + "：副本 #" +
                                     std::to_string(event.segment.id) + "' ";
        if (outlives_msl(event)) {
          return original + "的寿命会超过 MSL，将在 " + format_seconds(event.deadline) +
                 " 秒被丢弃：它" + link_cause(event.text, language_) + "。";
        }
        return original + "将在 " + format_seconds(event.deadline) + " 秒到达（" +
               link_cause(event.text, language_) + "）。";
      }
      case TraceKind::discard: {
        const std::string reason = render_reason(event.text, language_);
        if (event.segment.id == 0) return host + " 的 TCP 拒绝了这个请求：" + reason + "。";
        return host + " 的 TCP 丢弃了 " + segment_text(event.segment) +
               (has_connection ? "（连接 " + connection + " 处于 " + state + "）" : std::string()) +
               "：" + reason + "。";
      }
      case TraceKind::state: {
        const std::string from(tcp::state_name(event.from));
        const std::string to(tcp::state_name(event.to));
        const std::string reason =
            event.text.empty() ? std::string() : "：" + render_reason(event.text, language_);
        switch (trigger_of(event)) {
          case Trigger::segment:
            return on_connection + " 处于 " + from + "，收到 " +
                   segment_short(result_.trace[stimulus_].segment) + "，于是进入 " + to + reason +
                   "。";
          case Trigger::timer:
            return on_connection + " 处于 " + from + "，它的" +
                   timer_label(result_.trace[stimulus_].timer, language_) + "到期，于是进入 " +
                   to + reason + "。";
          case Trigger::action:
            return host + " 上的应用程序调用 " + action_verb(result_.trace[stimulus_].text) +
                   "，使连接 " + connection + " 从 " + from + " 进入 " + to + reason + "。";
          case Trigger::none:
            break;
        }
        return on_connection + " 从 " + from + " 进入 " + to + reason + "。";
      }
      case TraceKind::timer_set:
        return on_connection + "（" + state + "）启动" + timer_label(event.timer, language_) +
               "，时长 " + format_duration_seconds(event.deadline - event.time) + " 秒，到 " +
               format_seconds(event.deadline) + " 秒为止：" +
               timer_purpose(event.timer, language_) + "。";
      case TraceKind::timer_cancel: {
        std::string out = on_connection + "（" + state + "）关闭" +
                          timer_label(event.timer, language_);
        if (trigger_of(event) == Trigger::segment) {
          out += "，因为 " + segment_short(result_.trace[stimulus_].segment) + " 已经到达";
        }
        return out + "。";
      }
      case TraceKind::timer_fire:
        return on_connection + "（" + state + "）的" + timer_label(event.timer, language_) +
               "到期：" + timer_expiry(event.timer, language_) + "。";
      case TraceKind::app: {
        std::string out = host + " 上的应用程序收到连接 " + connection + " 的通知“" +
                          std::string(tcp::app_event_name(event.app_event)) + "”：" +
                          app_meaning(event, language_);
        if (!event.text.empty()) out += "；规则：" + render_reason(event.text, language_);
        return out + "。";
      }
      case TraceKind::open:
        return host + " 创建连接 " + connection +
               (event.text.empty() ? std::string() : "（" + event.text + "）") + "。";
      case TraceKind::free:
        return host + " 删除连接 " + connection + " 的记录（TCB）" +
               (event.text.empty() ? std::string() : "：" + render_reason(event.text, language_)) +
               "。";
    }
    return host + "：" + std::string(runner::trace_kind_name(event.kind)) + "。";
  }

  const runner::Scenario& scenario_;
  const runner::RunResult& result_;
  const Language language_;
  const NarrationOptions options_;
  const runner::ConnectionNames names_;
  // Ordered maps: nothing here is iterated into output, but they keep the code free of hashing.
  std::map<std::pair<int, tcp::ConnectionId>, const runner::ConnectionRecord*> records_;
  std::map<std::pair<int, tcp::ConnectionId>, tcp::State> states_;
  std::map<TupleKey, tcp::ConnectionId> live_;
  std::map<std::uint64_t, Time> sent_at_;
  std::map<std::uint64_t, std::string> held_by_;
  std::size_t stimulus_ = static_cast<std::size_t>(-1);
};

// ---------------------------------------------------------------------------------------------
// UTF-8 and terminal width

// Decodes one code point at `position` and advances it; malformed bytes count as one
// code point each (U+FFFD), so width and wrapping never stall on bad input.
char32_t decode(std::string_view text, std::size_t& position) {
  char32_t code = 0;
  const std::size_t length = text::utf8_sequence(text, position, code);
  position += length == 0 ? 1 : length;
  return length == 0 ? 0xFFFD : code;
}

std::size_t code_point_width(char32_t code) {
  if (code >= 0x0300 && code <= 0x036F) return 0;  // combining marks
  const bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0x303E) ||
                    (code >= 0x3041 && code <= 0x33FF) || (code >= 0x3400 && code <= 0x4DBF) ||
                    (code >= 0x4E00 && code <= 0x9FFF) || (code >= 0xA000 && code <= 0xA4CF) ||
                    (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                    (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                    (code >= 0xFFE0 && code <= 0xFFE6) || (code >= 0x20000 && code <= 0x3FFFD);
  return wide ? 2 : 1;
}

bool is_closing_punctuation(char32_t code) {
  switch (code) {
    case U'，': case U'。': case U'、': case U'：': case U'；': case U'！': case U'？':
    case U'）': case U'」': case U'』': case U'”': case U'’': case U'》':
      return true;
    default:
      return false;
  }
}

bool is_opening_punctuation(char32_t code) {
  switch (code) {
    case U'（': case U'「': case U'『': case U'“': case U'‘': case U'《':
      return true;
    default:
      return false;
  }
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

NarrationOptions default_narration_options(const runner::Scenario& scenario) {
  NarrationOptions options;
  options.absolute_seq = runner::scenario_uses_fixed_isns(scenario);
  return options;
}

std::string narrate_event(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, Language language) {
  return narrate_event(scenario, result, event_index, language,
                       default_narration_options(scenario));
}

std::string narrate_event(const runner::Scenario& scenario, const runner::RunResult& result,
                          std::size_t event_index, Language language,
                          const NarrationOptions& options) {
  if (event_index >= result.trace.size()) return {};
  Narrator narrator(scenario, result, language, options);
  for (std::size_t index = 0; index < event_index; ++index) narrator.apply(index);
  return narrator.narrate(event_index);
}

std::vector<std::string> narrate_run(const runner::Scenario& scenario,
                                     const runner::RunResult& result, Language language,
                                     const NarrationOptions& options) {
  std::vector<std::string> sentences;
  sentences.reserve(result.trace.size());
  Narrator narrator(scenario, result, language, options);
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    sentences.push_back(narrator.narrate(index));
    narrator.apply(index);
  }
  return sentences;
}

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  std::size_t position = 0;
  while (position < utf8.size()) width += code_point_width(decode(utf8, position));
  return width;
}

std::string wrap_text(std::string_view utf8, std::string_view prefix, std::size_t width) {
  // Chunks that never break inside: an ASCII word, or one wide character with the punctuation
  // that must stay beside it. `space_before` is a space that disappears at a line break.
  struct Chunk {
    std::string text;
    std::size_t width = 0;
    bool space_before = false;
  };
  std::vector<Chunk> chunks;
  bool pending_space = false;
  bool glue_next = false;  // the previous chunk ends with opening punctuation
  bool in_word = false;    // the previous chunk is an ASCII word still being read
  std::size_t position = 0;
  while (position < utf8.size()) {
    const std::size_t start = position;
    const char32_t code = decode(utf8, position);
    const std::string_view bytes = utf8.substr(start, position - start);
    if (code == U' ' || code == U'\n' || code == U'\t') {
      pending_space = true;
      in_word = false;
      continue;
    }
    const bool ascii = code < 0x80;
    const bool joins_previous =
        !chunks.empty() && !pending_space &&
        ((ascii && in_word) || glue_next || is_closing_punctuation(code));
    // "RFC 9293" stays on one line, and "3.000000 秒": a citation split after "RFC", or a unit
    // away from its number, reads badly.
    const bool after_rfc = !chunks.empty() && pending_space && ascii && code != U'(' &&
                           chunks.back().text.size() >= 3 &&
                           std::string_view(chunks.back().text).substr(
                               chunks.back().text.size() - 3) == "RFC";
    const bool unit = !chunks.empty() && pending_space && code == U'秒';
    if (after_rfc || unit) {
      chunks.back().text += ' ';
      chunks.back().width += 1;
    }
    if (joins_previous || after_rfc || unit) {
      chunks.back().text += bytes;
      chunks.back().width += code_point_width(code);
    } else {
      chunks.push_back(Chunk{std::string(bytes), code_point_width(code), pending_space});
    }
    pending_space = false;
    in_word = ascii;
    glue_next = is_opening_punctuation(code);
  }

  const std::size_t prefix_width = display_width(prefix);
  const std::size_t room = width > prefix_width + 10 ? width - prefix_width : 10;
  std::string out;
  std::string line;
  std::size_t line_width = 0;
  for (const Chunk& chunk : chunks) {
    const std::size_t gap = (line_width > 0 && chunk.space_before) ? 1 : 0;
    if (line_width > 0 && line_width + gap + chunk.width > room) {
      out += std::string(prefix) + line + "\n";
      line.clear();
      line_width = 0;
    } else if (gap > 0) {
      line += ' ';
      line_width += 1;
    }
    line += chunk.text;
    line_width += chunk.width;
  }
  if (line_width > 0 || out.empty()) out += std::string(prefix) + line + "\n";
  return out;
}

std::string explain_header_note(Language language) {
  return language == Language::english
             ? "explain: under each event, one sentence says what happened and why, citing the "
               "rule"
             : "说明：每个事件下面有一句话，说明发生了什么、为什么，并引用相应的规则";
}

namespace {
constexpr std::string_view narration_prefix = "            | ";
}

std::string explained_event_block(const std::string& ladder_line, const std::string& sentence) {
  if (ladder_line.empty()) return {};
  return ladder_line + wrap_text(sentence, narration_prefix, explain_width);
}

std::string format_explained_ladder(const runner::Scenario& scenario,
                                    const runner::RunResult& result,
                                    const LadderOptions& options, Language language) {
  const LadderPrinter printer(scenario, result, options);
  NarrationOptions narration;
  narration.absolute_seq = options.absolute_seq;
  Narrator narrator(scenario, result, language, narration);
  std::string out = printer.header(explain_header_note(language));
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    const std::string line = printer.event_line(index);
    if (!line.empty()) out += explained_event_block(line, narrator.narrate(index));
    narrator.apply(index);
  }
  return out + printer.footer();
}

}  // namespace tcpsim::views
