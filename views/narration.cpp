// The narration view: one sentence per trace event, in English or Chinese, saying what happened
// and why; the text helpers it shares with the other views (times, escaping, labels, terminal
// width and wrapping) are in views/text.hpp.
// Why one long file (about 1,050 lines): it is one sentence builder per trace event kind, each
// written twice (English and Chinese, as written Chinese rather than word-for-word), and the
// two languages are kept side by side so a change to one is seen next to the other.
#include "views/narration.hpp"

#include <array>
#include <map>
#include <tuple>
#include <utility>

#include "views/ladder.hpp"
#include "views/lost_bursts.hpp"
#include "views/segment_reasons.hpp"
#include "views/text.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// ---------------------------------------------------------------------------------------------
// Small text helpers

// As the ladder prints times: seconds with microseconds.
std::string format_seconds(Time time) { return text::seconds(time, text::Decimals::six); }

// A duration in seconds with as many decimals as it needs ("1", "0.2", "240").
std::string format_duration_seconds(Duration duration) {
  return text::seconds(duration, text::Decimals::as_needed);
}

std::string timer_label(tcp::TimerKind timer, Language language) {
  return std::string(timer_word(timer, language));
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
                : "到期时已过 2MSL，连接即可删除";
    case tcp::TimerKind::persist:
      return en ? "then it probes the peer's zero window" : "到期后探测对方的零窗口";
    case tcp::TimerKind::keepalive:
      return en ? "then it checks whether the idle peer is still there"
                : "到期后探测空闲的对方是否还在";
    case tcp::TimerKind::delayed_ack:
      return en ? "then it sends the ACK it is holding back" : "到期后发送暂缓的 ACK";
    case tcp::TimerKind::user_timeout:
      return en ? "then it gives up if data is still unacknowledged"
                : "到期时若数据仍未被确认，就放弃连接";
    case tcp::TimerKind::fin_wait_2:
      return en ? "then it stops waiting for the peer's FIN" : "到期后不再等待对方的 FIN";
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
      return en ? "2 MSL have passed" : "2MSL 已经过去";
    case tcp::TimerKind::persist:
      return en ? "time to probe the zero window" : "该探测零窗口了";
    case tcp::TimerKind::keepalive:
      return en ? "the connection has been idle too long" : "连接空闲太久";
    case tcp::TimerKind::delayed_ack:
      return en ? "the held-back ACK is due" : "暂缓的 ACK 该发送了";
    case tcp::TimerKind::user_timeout:
      return en ? "data stayed unacknowledged too long" : "数据太久没有得到确认";
    case tcp::TimerKind::fin_wait_2:
      return en ? "the peer's FIN did not come in time" : "对方的 FIN 没有按时到来";
  }
  return {};
}

// "“连接已建立”（connected）": the notice in Chinese with the name the scenario files use.
std::string app_notice(tcp::AppEventKind kind) {
  return "“" + std::string(app_event_word(kind, Language::chinese)) + "”（" +
         std::string(tcp::app_event_name(kind)) + "）";
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
                : "对方已关闭它的发送方向，不会再有数据到达";
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
    case tcp::AppEventKind::connect_failed:
      return en ? "its connect fails, so no connection exists"
                : "它的 connect 调用失败，因此连接并不存在";
    case tcp::AppEventKind::listen_failed:
      return en ? "its listen fails, so no listener exists"
                : "它的 listen 调用失败，因此监听套接字并不存在";
    case tcp::AppEventKind::send_failed:
      return en ? "TCP refuses the send, taking no byte of it"
                : "TCP 拒绝了这次发送，一个字节也没有接收";
    case tcp::AppEventKind::close_failed:
      return en ? "TCP refuses the close, the connection is closing already"
                : "TCP 拒绝了这次关闭，连接已经在关闭中";
    case tcp::AppEventKind::configure_failed:
      return en ? "TCP refuses the socket option, fixed once the connection exists"
                : "TCP 拒绝了这个套接字选项：连接存在后它不能再修改";
    case tcp::AppEventKind::delivery_problem:
      return en ? "the same segment went unacknowledged through R1 retransmissions, and TCP "
                  "keeps trying"
                : "同一报文段重传 R1 次仍未被确认，TCP 继续重试";
  }
  return {};
}

// A timeline action in Chinese, from its fields (runner::ActionCause): what the application
// calls.
std::string chinese_call(const runner::ActionCause& action) {
  const std::string& name = action.name;
  switch (action.kind) {
    case runner::ActionKind::listen:
      return "在端口 " + std::to_string(action.port) + " 上监听，监听名为 " + name + "（backlog " +
             std::to_string(action.backlog) + "）";
    case runner::ActionKind::connect:
      return "向 " + tcp::address_to_string(action.address) + ":" + std::to_string(action.port) +
             " 发起连接（connect）" + (name.empty() ? std::string() : "，连接名为 " + name);
    case runner::ActionKind::send:
      return "在连接 " + name + " 上发送 " + std::to_string(action.bytes) + " 字节数据";
    case runner::ActionKind::close: return "关闭连接 " + name + "（CLOSE）";
    case runner::ActionKind::abort: return "中止连接 " + name + "（ABORT）";
    case runner::ActionKind::read:
      return action.read_bytes ? "读取连接 " + name + " 上最多 " +
                                     std::to_string(*action.read_bytes) + " 字节数据"
                               : "读取连接 " + name + " 上缓冲的全部数据";
    case runner::ActionKind::stop_reading:
      return "暂停读取连接 " + name + "，数据留在接收缓冲区";
    case runner::ActionKind::resume_reading:
      return "恢复读取连接 " + name + "，缓冲的数据全部读出";
    case runner::ActionKind::crash: return "让主机崩溃";
    case runner::ActionKind::reboot: return "让主机重启";
    case runner::ActionKind::inject: return "注入一个报文段";
    case runner::ActionKind::configure: return "修改连接 " + name + " 的套接字选项";
  }
  return runner::action_call_name(action.kind);
}

// A failed call in Chinese: the call, then why it failed.
std::pair<std::string, std::string> chinese_failure(const runner::ActionCause& action,
                                                    const std::string& host) {
  const std::string call(runner::action_call_name(action.kind));
  const std::string& name = action.name;
  // The call as the English names it: with its connection when TCP refused it.
  const auto call_on_connection = [&] {
    switch (action.kind) {
      case runner::ActionKind::close: return "关闭连接 " + name + "（CLOSE）";
      case runner::ActionKind::abort: return "中止连接 " + name + "（ABORT）";
      case runner::ActionKind::send: return "在连接 " + name + " 上发送数据";
      default: return call + " " + name;
    }
  };
  switch (action.outcome) {
    case runner::ActionOutcome::port_in_use:
      return {"在端口 " + std::to_string(action.port) + " 上监听", "端口已被占用"};
    case runner::ActionOutcome::no_connection:
      return {call, host + " 上没有名为 " + name + " 的已打开连接"};
    case runner::ActionOutcome::not_accepted_yet:
      return {call_on_connection(),
              "连接尚未被接受（监听套接字产生的连接要到 ESTABLISHED 才交给应用程序）"};
    case runner::ActionOutcome::refused_by_tcp:
      return {call_on_connection(), "TCP 在连接当前的状态下拒绝了这个调用（RFC 9293 3.10）"};
    case runner::ActionOutcome::run_error:
      return {call, "运行因错误而停止，调用未执行"};
    case runner::ActionOutcome::called:
    case runner::ActionOutcome::write_waits:
      break;
  }
  return {chinese_call(action), "调用失败"};
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
        names_(result),
        story_(scenario, result) {
    for (const auto& record : result.connections) {
      if (record.id != tcp::no_connection) records_[{record.host, record.id}] = &record;
    }
  }

  // The sentence for trace[index], from what apply() has seen of trace[0 .. index - 1].
  std::string narrate(std::size_t index) const {
    const TraceEvent& event = result_.trace[index];
    // Names, reasons and fault rules come from the scenario: shown through text::visible.
    std::string sentence = en() ? english(index, event) : chinese(index, event);
    const std::string more = afterword(index, event);
    if (!more.empty()) sentence += (en() ? " " : "") + more;
    return text::visible(sentence);
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
      case TraceKind::inject:
        if (!event.segment.copy) {
          sent_at_[event.segment.id] = event.time;
          sent_by_[event.segment.id] = {event.host, event.connection};
        }
        break;
      case TraceKind::delay:
        held_by_[event.segment.id] = event.link_cause;
        break;
      case TraceKind::state:
        states_[{event.host, event.connection}] = event.to;
        break;
      case TraceKind::open:
        if (const auto* record = record_of(event.host, event.connection)) {
          if (record->listener) {
            listeners_[{event.host, record->tuple.local.port}] = event.connection;
          } else {
            live_[tuple_key(event.host, record->tuple)] = event.connection;
          }
          // Born in CLOSED, or in LISTEN as a copy of its listener.
          states_[{event.host, event.connection}] =
              record->states.empty() ? tcp::State::closed : record->states.front();
          if (event.listener != tcp::no_connection) {
            copy_of_[{event.host, event.connection}] = event.listener;
          }
        }
        break;
      case TraceKind::free:
        if (const auto* record = record_of(event.host, event.connection)) {
          if (record->listener) {
            const auto found = listeners_.find({event.host, record->tuple.local.port});
            if (found != listeners_.end() && found->second == event.connection) {
              listeners_.erase(found);
            }
            break;
          }
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

  // How long a timer_set's timer runs: "0.2s" / "0.2 秒"; when the timer wheel moved its
  // deadline, the timeout asked for and what the wheel made of it, "0.2s (rounded up to 0.204s
  // by timer_wheel)" / "0.2 秒（被 timer_wheel 向上取整为 0.204 秒）" (or "cut to", 截短为).
  std::string timer_duration(const TraceEvent& event) const {
    const Duration fires = event.deadline - event.time;
    const std::string asked = format_duration_seconds(fires - event.rounded_by);
    if (event.rounded_by == 0) return asked + (en() ? "s" : " 秒");
    const std::string made = format_duration_seconds(fires);
    if (en()) {
      return asked + "s (" + (event.rounded_by > 0 ? "rounded up" : "cut") + " to " + made +
             "s by timer_wheel)";
    }
    return asked + " 秒（被 timer_wheel " + (event.rounded_by > 0 ? "向上取整为 " : "截短为 ") +
           made + " 秒）";
  }

  const runner::ConnectionRecord* record_of(int host, tcp::ConnectionId id) const {
    const auto found = records_.find({host, id});
    return found == records_.end() ? nullptr : found->second;
  }
  static TupleKey tuple_key(int host, const tcp::FourTuple& tuple) {
    return {host, tuple.local.address, tuple.local.port, tuple.remote.address, tuple.remote.port};
  }

  // A host with "stack": "none": no TCP, the script plays it.
  bool scripted(int host) const {
    return host >= 0 && static_cast<std::size_t>(host) < scenario_.hosts.size() &&
           scenario_.hosts[static_cast<std::size_t>(host)].scripted;
  }
  std::string host_name(int host) const {
    if (host < 0 || static_cast<std::size_t>(host) >= scenario_.hosts.size()) {
      return en() ? "the network" : "网络";
    }
    return host_display_name(scenario_.hosts[static_cast<std::size_t>(host)]);
  }
  std::string connection_name(int host, tcp::ConnectionId id) const { return names_(host, id); }
  bool is_listener(int host, tcp::ConnectionId id) const {
    const auto* record = record_of(host, id);
    return record != nullptr && record->listener;
  }
  // The subject of a sentence: "the listener web", or the connection's name.
  std::string subject(int host, tcp::ConnectionId id) const {
    return is_listener(host, id) ? (en() ? "the listener " : "监听套接字 ") + connection_name(host, id)
                                 : connection_name(host, id);
  }
  // The listener whose copy a connection is, born in LISTEN, or no_connection.
  tcp::ConnectionId listener_of(int host, tcp::ConnectionId id) const {
    const auto found = copy_of_.find({host, id});
    return found == copy_of_.end() ? tcp::no_connection : found->second;
  }
  // The listener on the port an arriving segment is for, or no_connection.
  tcp::ConnectionId listener_for(const TraceEvent& arrival) const {
    const auto found = listeners_.find({arrival.host, arrival.segment.destination_port});
    return found == listeners_.end() ? tcp::no_connection : found->second;
  }
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
    style.injected = en() ? " (injected by the script)" : "（由脚本注入）";
    style.window = false;
    style.zero_window = false;
    return text::segment_label(segment, style);
  }
  // The inject event's sentence says "injected by the script" itself: its segment unmarked.
  std::string injected_segment_text(const TraceEvent& event) const {
    TraceSegment segment = event.segment;
    segment.injected = false;
    return segment_text(segment);
  }
  // A duplicate event shows the copy; its sentence names the original it was made from.
  static TraceSegment original_of(const TraceEvent& event) {
    TraceSegment original = event.segment;
    original.copy = false;
    return original;
  }
  // The link discards a copy that would arrive after MSL; its duplicate event says so.
  static bool outlives_msl(const TraceEvent& event) {
    return event.link_cause.kind == sim::LinkCauseKind::msl_expired;
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

  // A number as the segment's label shows it (relative unless absolute).
  std::int64_t shown_seq(const TraceSegment& segment) const {
    return !options_.absolute_seq && segment.has_relative_seq
               ? segment.relative_seq
               : static_cast<std::int64_t>(segment.seq);
  }

  // A segment a connection sends, in the textbook's words: the handshake and the close
  // numbered (第一次握手, 第三次挥手), the fields the textbook names (SYN=1, 序号, 确认号), and why
  // when the core gave a rule (快重传, 零窗口探测, 保活探测).
  std::string chinese_send(std::size_t index, const TraceEvent& event,
                           const std::string& connection, const std::string& state) const {
    const TraceSegment& segment = event.segment;
    const SegmentReasons& reasons = story_.at(index);
    const std::string host = host_name(event.host);
    const std::string verb = segment.retransmission ? "重传" : "发出";
    const std::string who = host + " 的连接 " + connection + "（" + state + "）";
    const std::string label = segment_text(segment);
    const std::string seq = std::to_string(shown_seq(segment));
    const std::string ack = ack_value(segment);
    const std::string why = event.rule == tcp::Rule::none
                                ? std::string()
                                : "；规则：" + rule_sentence(event.rule, language_);
    const bool data = segment.length > 0;
    const std::string carried = data ? "，同时携带 " + std::to_string(segment.length) + " 字节数据"
                                     : std::string();
    switch (reasons.handshake) {
      case HandshakeStep::first:
        return "第一次握手：" + who + verb + "连接请求报文段 " + label + "（SYN=1，初始序号 seq=" +
               seq + "）" + why + "。SYN 报文段不携带数据，但要消耗一个序号。";
      case HandshakeStep::second: {
        std::string out = "第二次握手：" + who + "同意建立连接，" + verb + "确认报文段 " + label +
                          "（SYN=1，ACK=1，初始序号 seq=" + seq + "，确认号 ack=" + ack +
                          "，即对方的初始序号加 1）" + why + "。";
        if (reasons.two_way_handshake) out += "这是两次握手：没有第三次握手，连接到此就算建立。";
        return out;
      }
      case HandshakeStep::third:
        return "第三次握手：" + who + verb + "确认报文段 " + label + "（ACK=1，确认号 ack=" + ack +
               "）" + carried + why + "。" +
               (data ? std::string() : "这个 ACK 不携带数据，不消耗序号。");
      case HandshakeStep::none:
        break;
    }
    switch (reasons.close) {
      case CloseStep::first:
        return "第一次挥手：" + who + verb + "连接释放报文段 " + label + "（FIN=1，序号 seq=" +
               seq + "）" + carried + "，表示本方的数据已经发送完毕" + why +
               "。FIN 报文段即使不携带数据，也要消耗一个序号。";
      case CloseStep::second:
        return "第二次挥手：" + who + verb + "确认报文段 " + label + "（ACK=1，确认号 ack=" + ack +
               "）" + carried + why + "，确认对方的 FIN。从此 " + host_name(1 - event.host) + " 到 " +
               host + " 这一方向的连接释放了。";
      case CloseStep::second_and_third:
        return "第二、三次挥手合在一个报文段里：" + who + verb + " " + label +
               "（FIN=1，ACK=1，确认号 ack=" + ack + "）" + carried + why +
               "，既确认对方的 FIN，又发出自己的 FIN。";
      case CloseStep::third:
        return "第三次挥手：" + who + verb + "连接释放报文段 " + label + "（FIN=1，序号 seq=" +
               seq + "，确认号 ack=" + ack + "）" + carried + why + "，等待对方的最后确认。";
      case CloseStep::fourth: {
        std::string out = "第四次挥手：" + who + verb + "确认报文段 " + label + "（ACK=1，确认号 ack=" +
                          ack + "）" + why + "，确认对方的 FIN。";
        return out;
      }
      case CloseStep::none:
        break;
    }
    std::string purpose;
    const bool syn = (segment.flags & tcp::flag::syn) != 0;
    const bool fin = (segment.flags & tcp::flag::fin) != 0;
    const bool rst = (segment.flags & tcp::flag::rst) != 0;
    const bool has_ack = (segment.flags & tcp::flag::ack) != 0;
    if (rst) {
      purpose = "，要求对方复位（重置）连接";
    } else if (event.rule == tcp::Rule::keepalive_probe) {
      purpose = "：这是保活探测报文段，看空闲的对方是否还在";
    } else if (event.rule == tcp::Rule::out_of_order_held) {
      purpose = "，这是一个重复确认：确认号仍为 ack=" + ack;
    } else if (event.rule == tcp::Rule::window_probe) {
      purpose = "：这是零窗口探测报文段，只携带 1 个字节，看对方的窗口是否已经打开";
    } else if (data) {
      const std::int64_t last = shown_seq(segment) + segment.length - 1;
      purpose = "，携带 " + std::to_string(segment.length) + " 字节数据（序号 " + seq + " 到 " +
                std::to_string(last) + "）" + (fin ? "和 FIN：本方不再发送数据" : "");
    } else if (syn) {
      purpose = has_ack ? "，用自己的 SYN 回应对方的 SYN，并确认它" : "，请求建立连接";
    } else if (fin) {
      purpose = "，带 FIN：本方不再发送数据";
    } else if (has_ack) {
      purpose = "，这是一个确认报文段：确认号 ack=" + ack + "，即期望收到的下一个字节的序号";
    }
    const std::string word = send_rule_word(event.rule, language_);
    if (!word.empty() && (purpose + why).find(word) == std::string::npos) {
      purpose += "（" + word + "）";
    }
    return who + verb + " " + label + purpose + why + "。";
  }

  // A second sentence for what a trace event means beyond itself: what the receiver made of a
  // segment (a duplicate ACK counted toward fast retransmit, data held out of order, a stale
  // connection request), and what a state means (a half-open connection, half-close, 2MSL).
  std::string afterword(std::size_t index, const TraceEvent& event) const {
    const bool english_text = en();
    if (event.kind == TraceKind::deliver) {
      const SegmentReasons& reasons = story_.at(index);
      const tcp::ConnectionId owner_id = owner(event);
      const std::string who = owner_id != tcp::no_connection
                                  ? connection_name(event.host, owner_id)
                                  : host_name(event.host);
      std::string out;
      if (reasons.stale_syn) {
        const auto sender = sent_by_.find(event.segment.id);
        const std::string sender_name =
            sender == sent_by_.end() ? std::string()
                                     : connection_name(sender->second.first, sender->second.second);
        const std::string sender_state =
            sender == sent_by_.end() ? std::string()
                                     : state_text(sender->second.first, sender->second.second);
        out += english_text
                   ? "It is a stale connection request: " + sender_name +
                         ", which sent it, no longer waits for an answer (it is " + sender_state +
                         ")."
                   : "这是一个已失效的连接请求报文段：发出它的 " + sender_name +
                         " 早已不再等待回答（处于 " + sender_state + "），它却在网络中滞留到现在才到达。";
      }
      const auto then = [&](const std::string& sentence) {
        out += (english_text && !out.empty() ? " " : "") + sentence;
      };
      if (reasons.held_out_of_order) {
        const std::string held(term(Term::held_out_of_order, language_));
        then(english_text ? "For " + who + " it is " + held +
                                ": data before it is missing, and a duplicate ACK goes back at "
                                "once."
                          : "对 " + who + " 来说，这是" + held +
                                "（前面的数据还没有到），并立即发出重复确认。");
      }
      if (reasons.duplicate_ack > 0) {
        const std::string n = std::to_string(reasons.duplicate_ack);
        const std::string of = std::to_string(reasons.duplicate_ack_threshold);
        const int threshold = reasons.duplicate_ack_threshold;
        const std::string counted =
            threshold == 0 ? fill(Term::duplicate_ack_counted, language_, {n})
            : reasons.duplicate_ack <= threshold
                ? fill(Term::duplicate_ack_of, language_, {n, of})
                : fill(Term::duplicate_ack_past, language_, {n, of});
        if (english_text) {
          std::string sentence = "For " + who + " it is " + counted;
          if (threshold == 0) {
            sentence += " (fast retransmit is off).";
          } else if (reasons.duplicate_ack < threshold) {
            sentence += ": after " + of + " in a row it fast-retransmits.";
          } else if (reasons.duplicate_ack == threshold) {
            sentence += ": it fast-retransmits the missing segment now, before its "
                        "retransmission timer would.";
          } else {
            sentence += ": it has fast-retransmitted already.";
          }
          then(sentence);
        } else {
          std::string sentence = "这是 " + who + " 收到的" + counted;
          if (threshold == 0) {
            sentence += "（快重传已关闭）。";
          } else if (reasons.duplicate_ack < threshold) {
            sentence += "：一连收到 " + of + " 个重复确认就要快重传。";
          } else if (reasons.duplicate_ack == threshold) {
            sentence += "：立即快重传对方缺少的报文段，不必等重传计时器到期。";
          } else {
            sentence += "：快重传已经做过了。";
          }
          then(sentence);
        }
      }
      return out;
    }
    if (event.kind == TraceKind::state) {
      const bool passive_syn_received =
          event.to == tcp::State::syn_received && event.from == tcp::State::listen &&
          event.host >= 0 &&
          scenario_.hosts[static_cast<std::size_t>(event.host)].tcp.handshake !=
              tcp::Handshake::two_way;
      if (passive_syn_received) {
        return english_text ? "It is a half-open connection until the handshake's third segment "
                              "arrives."
                            : "这时它还只是一个半连接，要等第三次握手的 ACK 到达才算建立。";
      }
      switch (event.to) {
        case tcp::State::close_wait:
          return english_text
                     ? "The connection is half-closed: the peer sends no more data, this side "
                       "still may, until its application closes too."
                     : "连接进入半关闭状态：对方已经没有数据要发送，本方若还有数据仍可发送，等本方的应用程序"
                       "也关闭后再发出自己的 FIN。";
        case tcp::State::fin_wait_2:
          return english_text
                     ? "Half-closed: it sends no more, and waits for the peer's FIN, still "
                       "receiving the peer's data."
                     : "这一方向的连接已经释放（半关闭）：它等待对方的连接释放报文段（FIN），其间仍要接收对方"
                       "发来的数据。";
        case tcp::State::time_wait:
          return english_text
                     ? "It waits 2 MSL before CLOSED, so that a lost final ACK can be sent again "
                       "and old segments die out in the network."
                     : "它要等待 2MSL 才能进入 CLOSED：若最后的 ACK 丢失，还能再确认对方重传的 FIN；"
                       "本连接的旧报文段也都会从网络中消失。";
        default:
          break;
      }
    }
    return {};
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
        const runner::ActionCause& action = event.action;
        switch (action.kind) {
          case runner::ActionKind::crash:
            return "On " + host + ", the host crashes: all TCP state is lost, the host is down.";
          case runner::ActionKind::reboot:
            return "On " + host + ", the host reboots: the host is up again with no connections.";
          default:
            break;
        }
        if (action.outcome == runner::ActionOutcome::write_waits) {
          return "On " + host + ", the send buffer of " + action.name + " takes " +
                 std::to_string(action.bytes) + " bytes of the write; " +
                 std::to_string(action.waiting) + " wait for room, as a blocking write would.";
        }
        return "On " + host + ", the application calls " + runner::action_text(action, host) +
               ".";
      }
      case TraceKind::action_failed:
        return "On " + host + ", the application's call fails: " +
               runner::action_text(event.action, host) + ".";
      case TraceKind::send: {
        std::string purpose = send_purpose(event.segment);
        if (event.rule == tcp::Rule::keepalive_probe) {
          purpose = "a keepalive probe: is the idle peer still there?";
        } else if (event.rule == tcp::Rule::window_probe) {
          purpose = "a zero-window probe of one octet: has the peer's window opened?";
        } else if (event.rule == tcp::Rule::out_of_order_held) {
          purpose = "a duplicate ACK: still ack=" + ack_value(event.segment);
        }
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
        const SegmentReasons& reasons = story_.at(index);
        std::string step = handshake_step_words(reasons.handshake, reasons.two_way_handshake,
                                                language_);
        if (step.empty()) step = close_step_words(reasons.close, language_);
        std::string out = "On " + host + ", " + connection + " (" + state + ")" + verb +
                          segment_text(event.segment) + (purpose.empty() ? "" : ", " + purpose);
        // Its place in the handshake or the close, and the short word of its rule when the
        // sentence does not say it otherwise.
        std::string aside = step;
        const std::string rule =
            event.rule == tcp::Rule::none ? std::string() : rule_sentence(event.rule, language_);
        const std::string word = send_rule_word(event.rule, language_);
        if (!word.empty() && out.find(word) == std::string::npos &&
            rule.find(word) == std::string::npos) {
          aside += (aside.empty() ? "" : "; ") + word;
        }
        if (!aside.empty()) out += " (" + aside + ")";
        if (!rule.empty()) out += "; rule: " + rule;
        return out + ".";
      }
      case TraceKind::inject: {
        const std::string spoofed = text::spoofed_source(scenario_, event);
        return "Injected by the script: " + injected_segment_text(event) + " goes from " +
               (spoofed.empty() ? host : "the spoofed address " + spoofed) + " toward " +
               host_name(1 - event.host) + ".";
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
        if (scripted(event.host)) return out + ", which has no TCP: the script plays it.";
        const tcp::ConnectionId owner_id = owner(event);
        if (owner_id != tcp::no_connection) {
          return out + ", where " + connection_name(event.host, owner_id) + " is in " +
                 state_text(event.host, owner_id) + ".";
        }
        switch (unowned_fate(index)) {
          case Unowned::listener: {
            const tcp::ConnectionId listener = listener_for(event);
            if (listener != tcp::no_connection) {
              return out + ": no connection has its 4-tuple yet, so the listener " +
                     connection_name(event.host, listener) + " (" +
                     state_text(event.host, listener) + ") on port " +
                     std::to_string(event.segment.destination_port) + " takes it.";
            }
            return out + ": no connection has its 4-tuple yet, so the listener on port " +
                   std::to_string(event.segment.destination_port) + " takes it.";
          }
          case Unowned::discarded:
          case Unowned::unknown:
            break;
        }
        return out + ", where no connection has its 4-tuple.";
      }
      case TraceKind::drop:
        return "The network loses " + segment_text(event.segment) + " from " + host +
               ", because of " + link_cause(event.link_cause, language_) + ".";
      case TraceKind::expire: {
        const bool exceeded = event.link_cause.kind == sim::LinkCauseKind::msl_expired;
        return "The network discards " + segment_text(event.segment) + " from " + host +
               (exceeded ? " because it " : ": ") + link_cause(event.link_cause, language_) + ".";
      }
      case TraceKind::delay:
        return "The network holds " + segment_text(event.segment) + " from " + host +
               " back until " + format_seconds(event.deadline) + "s (" +
               link_cause(event.link_cause, language_) +
               ") instead of delivering it after the usual " +
               "delay.";
      case TraceKind::duplicate: {
        const std::string copy = "#" + std::to_string(event.segment.id) + "'";
        const std::string original = "The network duplicates " + segment_text(original_of(event)) +
                                     " from " + host;
        if (outlives_msl(event)) {
          return original + ", but the copy " + copy + " would outlive MSL: it is discarded at " +
                 format_seconds(event.deadline) + "s because it " +
                 link_cause(event.link_cause, language_) + ".";
        }
        return original + ": the copy " + copy + " arrives at " + format_seconds(event.deadline) +
               "s (" + link_cause(event.link_cause, language_) + ").";
      }
      case TraceKind::discard: {
        const std::string reason = rule_sentence(event.rule, language_);
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
        const std::string reason = event.rule == tcp::Rule::none
                                       ? std::string()
                                       : ": " + rule_sentence(event.rule, language_);
        const std::string who = subject(event.host, event.connection);
        const tcp::ConnectionId listener = listener_of(event.host, event.connection);
        switch (trigger_of(event)) {
          case Trigger::segment:
            if (listener != tcp::no_connection && event.from == tcp::State::listen) {
              // Its first change: it was born for this SYN, a copy of its listener.
              return "On " + host + ", " + who + ", born in LISTEN as a copy of the listener " +
                     connection_name(event.host, listener) + ", receives " +
                     segment_short(result_.trace[stimulus_].segment) + ", so it goes to " + to +
                     reason + ".";
            }
            return "On " + host + ", " + who + " is in " + from + " and receives " +
                   segment_short(result_.trace[stimulus_].segment) + ", so it goes to " + to +
                   reason + ".";
          case Trigger::timer:
            return "On " + host + ", " + who + " is in " + from + " and its " +
                   timer_label(result_.trace[stimulus_].timer, language_) +
                   " fires, so it goes to " + to + reason + ".";
          case Trigger::action:
            return "On " + host + ", the application's " +
                   runner::action_call_name(result_.trace[stimulus_].action.kind) + " takes " +
                   who + " from " + from + " to " + to + reason + ".";
          case Trigger::none:
            break;
        }
        return "On " + host + ", " + who + " goes from " + from + " to " + to + reason + ".";
      }
      case TraceKind::timer_set:
        return "On " + host + ", " + connection + " (" + state + ") arms its " +
               timer_label(event.timer, language_) + " for " + timer_duration(event) +
               ", until " + format_seconds(event.deadline) + "s: " +
               timer_purpose(event.timer, language_) + ".";
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
        if (!has_connection) {
          // connect_failed: no connection exists; the sentence names the connect, if named.
          const std::string socket = names_.of(event);
          std::string out = "On " + host + ", the application is told '" +
                            std::string(tcp::app_event_name(event.app_event)) + "'" +
                            (socket.empty() ? std::string() : " for " + socket) + ": " +
                            app_meaning(event, language_);
          if (event.rule != tcp::Rule::none) {
            out += "; rule: " + rule_sentence(event.rule, language_);
          }
          return out + ".";
        }
        std::string out = "On " + host + ", the application is told '" +
                          std::string(tcp::app_event_name(event.app_event)) + "' on " +
                          connection + ": " + app_meaning(event, language_);
        if (event.rule != tcp::Rule::none) out += "; rule: " + rule_sentence(event.rule, language_);
        return out + ".";
      }
      case TraceKind::open:
        if (is_listener(event.host, event.connection)) {
          return "On " + host + ", TCP creates the listener " + connection +
                 (event.text.empty() ? std::string() : " for " + event.text) +
                 ", the remote socket left unspecified.";
        }
        if (event.listener != tcp::no_connection) {
          return "On " + host + ", the listener " + connection_name(event.host, event.listener) +
                 " creates connection " + connection +
                 (event.text.empty() ? std::string() : " for " + event.text) +
                 ", born in LISTEN as a copy of the listener.";
        }
        return "On " + host + ", TCP creates connection " + connection +
               (event.text.empty() ? std::string() : " for " + event.text) + ".";
      case TraceKind::free:
        return "On " + host + ", TCP deletes the record (TCB) of " + connection +
               (event.rule == tcp::Rule::none ? std::string()
                                              : ": " + rule_sentence(event.rule, language_)) +
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
    const std::string on_connection =
        host + " 上的" + (is_listener(event.host, event.connection) ? "监听套接字 " : "连接 ") +
        connection;
    switch (event.kind) {
      case TraceKind::action: {
        const runner::ActionCause& action = event.action;
        switch (action.kind) {
          case runner::ActionKind::crash: return host + " 崩溃：所有 TCP 状态丢失，主机停机。";
          case runner::ActionKind::reboot: return host + " 重启：主机重新上线，没有任何连接。";
          default: break;
        }
        if (action.outcome == runner::ActionOutcome::write_waits) {
          return host + " 上连接 " + action.name + " 的发送缓冲区接收了这次写入中的 " +
                 std::to_string(action.bytes) + " 字节，其余 " + std::to_string(action.waiting) +
                 " 字节等待空间，如同阻塞的写操作。";
        }
        return host + " 上的应用程序" + chinese_call(action) + "。";
      }
      case TraceKind::action_failed: {
        const auto [call, reason] = chinese_failure(event.action, host);
        return host + " 上的应用程序调用失败（" + call + "）：" + reason + "。";
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
        return chinese_send(index, event, connection, state);
      }
      case TraceKind::inject: {
        const std::string spoofed = text::spoofed_source(scenario_, event);
        return "由脚本注入：" + injected_segment_text(event) + " 从" +
               (spoofed.empty() ? " " + host : "伪造的地址 " + spoofed) + " 发往 " +
               host_name(1 - event.host) + "。";
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
        if (scripted(event.host)) return out + "，该主机没有 TCP，由脚本扮演。";
        const tcp::ConnectionId owner_id = owner(event);
        if (owner_id != tcp::no_connection) {
          return out + "，此时连接 " + connection_name(event.host, owner_id) + " 处于 " +
                 state_text(event.host, owner_id) + "。";
        }
        if (unowned_fate(index) == Unowned::listener) {
          const tcp::ConnectionId listener = listener_for(event);
          if (listener != tcp::no_connection) {
            return out + "：还没有连接使用它的四元组，于是端口 " +
                   std::to_string(event.segment.destination_port) + " 上的监听套接字 " +
                   connection_name(event.host, listener) + "（" +
                   state_text(event.host, listener) + "）接收了它。";
          }
          return out + "：还没有连接使用它的四元组，于是端口 " +
                 std::to_string(event.segment.destination_port) + " 上的监听套接字接收了它。";
        }
        return out + "，但没有任何连接使用它的四元组。";
      }
      case TraceKind::drop:
        return "网络丢失了 " + host + " 发出的 " + segment_text(event.segment) + "，原因是" +
               link_cause(event.link_cause, language_) + "。";
      case TraceKind::expire:
        return "网络丢弃了 " + host + " 发出的 " + segment_text(event.segment) + "：它" +
               link_cause(event.link_cause, language_) + "。";
      case TraceKind::delay:
        return "网络把 " + host + " 发出的 " + segment_text(event.segment) + " 扣留到 " +
               format_seconds(event.deadline) + " 秒才送达（" +
               link_cause(event.link_cause, language_) + "），而不是按通常的延迟送达。";
      case TraceKind::duplicate: {
        const std::string original = "网络复制了 " + host + " 发出的 " +
                                     segment_text(original_of(event)) + "：副本 #" +
                                     std::to_string(event.segment.id) + "' ";
        if (outlives_msl(event)) {
          return original + "的寿命会超过 MSL，将在 " + format_seconds(event.deadline) +
                 " 秒被丢弃：它" + link_cause(event.link_cause, language_) + "。";
        }
        return original + "将在 " + format_seconds(event.deadline) + " 秒到达（" +
               link_cause(event.link_cause, language_) + "）。";
      }
      case TraceKind::discard: {
        const std::string reason = rule_sentence(event.rule, language_);
        if (event.segment.id == 0) return host + " 的 TCP 拒绝了这个请求：" + reason + "。";
        return host + " 的 TCP 丢弃了 " + segment_text(event.segment) +
               (has_connection ? "（连接 " + connection + " 处于 " + state + "）" : std::string()) +
               "：" + reason + "。";
      }
      case TraceKind::state: {
        const std::string from(tcp::state_name(event.from));
        const std::string to(tcp::state_name(event.to));
        const std::string reason = event.rule == tcp::Rule::none
                                       ? std::string()
                                       : "：" + rule_sentence(event.rule, language_);
        const tcp::ConnectionId listener = listener_of(event.host, event.connection);
        switch (trigger_of(event)) {
          case Trigger::segment:
            if (listener != tcp::no_connection && event.from == tcp::State::listen) {
              return on_connection + " 作为监听套接字 " + connection_name(event.host, listener) +
                     " 的副本诞生，处于 LISTEN，收到 " +
                     segment_short(result_.trace[stimulus_].segment) + "，于是进入 " + to +
                     reason + "。";
            }
            return on_connection + " 处于 " + from + "，收到 " +
                   segment_short(result_.trace[stimulus_].segment) + "，于是进入 " + to + reason +
                   "。";
          case Trigger::timer:
            return on_connection + " 处于 " + from + "，它的" +
                   timer_label(result_.trace[stimulus_].timer, language_) + "到期，于是进入 " +
                   to + reason + "。";
          case Trigger::action:
            return host + " 上的应用程序调用 " +
                   runner::action_call_name(result_.trace[stimulus_].action.kind) + "，使" +
                   (is_listener(event.host, event.connection) ? "监听套接字 " : "连接 ") +
                   connection + " 从 " + from + " 进入 " + to + reason + "。";
          case Trigger::none:
            break;
        }
        return on_connection + " 从 " + from + " 进入 " + to + reason + "。";
      }
      case TraceKind::timer_set:
        return on_connection + "（" + state + "）启动" + timer_label(event.timer, language_) +
               "，时长 " + timer_duration(event) + "，到 " + format_seconds(event.deadline) +
               " 秒为止：" + timer_purpose(event.timer, language_) + "。";
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
        if (!has_connection) {
          const std::string socket = names_.of(event);
          std::string out = host + " 上的应用程序收到" +
                            (socket.empty() ? std::string() : "连接 " + socket + " 的") + "通知" +
                            app_notice(event.app_event) + "：" +
                            app_meaning(event, language_);
          if (event.rule != tcp::Rule::none) out += "；规则：" + rule_sentence(event.rule, language_);
          return out + "。";
        }
        std::string out = host + " 上的应用程序收到连接 " + connection + " 的通知" +
                          app_notice(event.app_event) + "：" +
                          app_meaning(event, language_);
        if (event.rule != tcp::Rule::none) out += "；规则：" + rule_sentence(event.rule, language_);
        return out + "。";
      }
      case TraceKind::open:
        if (is_listener(event.host, event.connection)) {
          return host + " 创建监听套接字 " + connection +
                 (event.text.empty() ? std::string() : "（" + event.text + "）") +
                 "，远端套接字不指定。";
        }
        if (event.listener != tcp::no_connection) {
          return host + " 上的监听套接字 " + connection_name(event.host, event.listener) +
                 " 创建连接 " + connection +
                 (event.text.empty() ? std::string() : "（" + event.text + "）") +
                 "，它作为监听套接字的副本，诞生时就处于 LISTEN。";
        }
        return host + " 创建连接 " + connection +
               (event.text.empty() ? std::string() : "（" + event.text + "）") + "。";
      case TraceKind::free:
        return host + " 删除连接 " + connection + " 的记录（TCB）" +
               (event.rule == tcp::Rule::none ? std::string()
                                              : "：" + rule_sentence(event.rule, language_)) +
               "。";
    }
    return host + "：" + std::string(runner::trace_kind_name(event.kind)) + "。";
  }

  const runner::Scenario& scenario_;
  const runner::RunResult& result_;
  const Language language_;
  const NarrationOptions options_;
  const runner::ConnectionNames names_;
  const SegmentStory story_;
  // Ordered maps: nothing here is iterated into output, but they keep the code free of hashing.
  std::map<std::pair<int, tcp::ConnectionId>, const runner::ConnectionRecord*> records_;
  std::map<std::pair<int, tcp::ConnectionId>, tcp::State> states_;
  std::map<TupleKey, tcp::ConnectionId> live_;
  std::map<std::pair<int, tcp::Port>, tcp::ConnectionId> listeners_;  // (host, port) -> listener
  // A listener's connection -> the listener it is a copy of.
  std::map<std::pair<int, tcp::ConnectionId>, tcp::ConnectionId> copy_of_;
  std::map<std::uint64_t, Time> sent_at_;
  std::map<std::uint64_t, std::pair<int, tcp::ConnectionId>> sent_by_;
  std::map<std::uint64_t, sim::LinkCause> held_by_;  // by segment id: why it was delayed
  std::size_t stimulus_ = static_cast<std::size_t>(-1);
};

}  // namespace

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

std::string narrate_lost_burst(const runner::Scenario& scenario, const runner::RunResult& result,
                               const LostBurst& burst, Language language) {
  const TraceEvent& event = result.trace[burst.last()];
  const bool known =
      event.host >= 0 && static_cast<std::size_t>(event.host) < scenario.hosts.size();
  const bool english = language == Language::english;
  const std::string host =
      known ? host_display_name(scenario.hosts[static_cast<std::size_t>(event.host)])
            : (english ? "the network" : "网络");
  const std::string count = std::to_string(burst.drops.size());
  const std::string ids = lost_burst_ids(result, burst, language);
  const std::string cause = link_cause(event.link_cause, language);
  return text::visible(english ? "The network loses " + count + " segments from " + host +
                                     " at this one instant, " + ids +
                                     ", all for one cause: " + cause + "."
                               : "网络在同一时刻丢失了 " + host + " 发出的 " + count + " 个报文段 " +
                                     ids + "，原因都是" + cause + "。");
}

std::string explain_header_note(Language language) {
  return std::string(term(Term::explain_note, language));
}

std::string explained_event_block(const std::string& ladder_line, const std::string& sentence) {
  return explained_event_block(ladder_line, sentence, 12, explain_width);
}

std::string explained_event_block(const std::string& ladder_line, const std::string& sentence,
                                  std::size_t indent, std::size_t width) {
  if (ladder_line.empty()) return {};
  const std::string prefix = std::string(indent, ' ') + "| ";
  return ladder_line + text::wrap_text(sentence, prefix, width);
}

std::string format_explained_ladder(const runner::Scenario& scenario,
                                    const runner::RunResult& result,
                                    const LadderOptions& options, Language language) {
  LadderOptions ladder = options;
  ladder.language = language;
  const LadderPrinter printer(scenario, result, ladder);
  NarrationOptions narration;
  narration.absolute_seq = options.absolute_seq;
  Narrator narrator(scenario, result, language, narration);
  const std::size_t width = std::max(options.width, min_ladder_width);
  std::string out = printer.header(explain_header_note(language));
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    const std::string line = printer.event_line(index);
    if (!line.empty()) {
      const LostBurst* burst = printer.lost_burst(index);
      out += explained_event_block(line,
                                   burst != nullptr
                                       ? narrate_lost_burst(scenario, result, *burst, language)
                                       : narrator.narrate(index),
                                   printer.time_width(), width);
    }
    narrator.apply(index);
  }
  return out + printer.footer();
}

}  // namespace tcpsim::views
