#include "runner/teaching.hpp"

#include <array>
#include <filesystem>

#include "runner/scenario_loader.hpp"
#include "runner/text_wrap.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::runner {

namespace {

constexpr std::array<TeachingEntry, 19> catalogue{{
    {"three-way handshake",
     "an old duplicate SYN opening a connection nobody asked for: with two messages the server "
     "is ESTABLISHED on any SYN, counts a phantom connection the client never made, and waits "
     "on it",
     "handshake", R"("handshake": "two-way")", "three-way-handshake-stale-syn",
     "two-way-handshake-stale-syn", "000, 001, 003, 004", "RFC 9293 3.5, figure 8",
     "三次握手",
     "已失效的连接请求报文段打开一个谁也没有请求的连接：若只握手两次，"
     "服务器收到任何 SYN 就进入 ESTABLISHED，多出一个客户端从未建"
     "立的连接，并一直等着它"},
    {"RST on stale SYN-ACK",
     "a phantom half-open connection lingering on the server: the RST that answers a SYN-ACK "
     "nobody asked for frees it at once, where silence leaves it in SYN_RCVD, retransmitting, "
     "for a minute",
     "reset_unexpected_segments", R"("reset_unexpected_segments": false)",
     "three-way-handshake-stale-syn", "three-way-handshake-stale-syn-no-rst", "001",
     "RFC 9293 3.5, figure 8; 3.10.7.1",
     "对失效 SYN-ACK 回复 RST",
     "服务器上残留的半连接：客户端用 RST 回答它没有请求过的 SYN-ACK，"
     "服务器立即释放这个半连接；若客户端不作声，服务器就停在 SYN_RCVD，"
     "重传一分钟"},
    {"SYN-ACK retransmission",
     "a lost SYN-ACK: the client's retried SYNs only draw bare ACKs from the half-open server, "
     "so without it the handshake never completes",
     "retransmit_syn_ack", R"("retransmit_syn_ack": false)", "lost-syn-ack-retransmitted",
     "lost-syn-ack-not-retransmitted", "001, 003", "RFC 9293 3.8.1, 3.10.7.4",
     "重传 SYN-ACK",
     "丢失的 SYN-ACK（第二次握手）：客户端重传的 SYN 只换来处于半连接"
     "的服务器的纯 ACK，服务器不重传 SYN-ACK，握手就永远完成不了"},
    {"SYN cookies",
     "a SYN flood: every SYN from a spoofed source holds a TCB in SYN_RCVD and a place in the "
     "backlog for a minute of SYN-ACK retransmissions, so a few SYNs a second keep the backlog "
     "full and real clients out; SYN cookies answer once the backlog is full without keeping "
     "anything",
     "syn_cookies", R"("syn_cookies": false)", "syn-flood-syn-cookies", "syn-flood-fills-backlog",
     "001", "RFC 4987 2, 3.6",
     "SYN cookie",
     "SYN 洪泛攻击：每个来自伪造源地址的 SYN 都在 SYN_RCVD 中占用一个 TCB 和"
     "监听队列（backlog）中的一个位置，SYN-ACK 要重传一分钟，所以每秒几个 SYN "
     "就能让队列一直满着，把真正的客户端挡在外面；SYN cookie 在队列满时照样应答，"
     "却什么也不保存"},
    {"keepalive",
     "a peer that crashed or vanished while the connection was idle: without probes the "
     "server holds the dead connection for ever",
     "keepalive", R"("keepalive": false)", "keepalive-detects-crashed-client",
     "crashed-client-held-without-keepalive", "001", "RFC 1122 4.2.3.6",
     "保活计时器",
     "连接空闲时对端崩溃或消失：没有保活探测，服务器就永远占着这个已经死掉的连接"},
    {"challenge ACK for a RST",
     "a blind RST attack: with RFC 793's check any RST in the 65535-byte window resets the "
     "connection, so a forged one needs only a rough guess; RFC 5961 resets only at RCV.NXT and "
     "answers the rest with a challenge ACK that the real peer ignores",
     "rfc5961", R"("rfc5961": false)", "blind-rst-challenge-ack", "blind-rst-resets", "",
     "RFC 5961 3; RFC 9293 3.10.7.4 second; RFC 793 3.4",
     "对 RST 的挑战 ACK",
     "盲 RST 攻击：按 RFC 793 的检查，落在 65535 字节窗口内的"
     "任何 RST 都会复位连接，伪造者只需大致猜中序号；RFC 5961 只在序"
     "号恰为 RCV.NXT 时复位，其余的用挑战 ACK 回答，"
     "真正的对端会忽略它"},
    {"challenge ACK for a SYN",
     "a blind SYN attack: with RFC 793's check a SYN in the window is answered with a RST that "
     "resets both ends; RFC 5961 answers any SYN in a synchronized state with a challenge ACK",
     "rfc5961", R"("rfc5961": false)", "blind-syn-challenge-ack", "blind-syn-resets", "",
     "RFC 5961 4; RFC 9293 3.10.7.4 fourth; RFC 793 3.9",
     "对 SYN 的挑战 ACK",
     "盲 SYN 攻击：按 RFC 793 的检查，窗口内的 SYN 会被回以 R"
     "ST，两端一起复位；RFC 5961 对同步状态下的任何 SYN 都只回一个"
     "挑战 ACK"},
    {"ACK acceptability check",
     "blind data injection: with RFC 793's check an ACK far below SND.UNA is only a duplicate, "
     "so forged data needs only the right sequence number; RFC 5961 drops a segment whose ACK "
     "is below SND.UNA - MAX.SND.WND",
     "rfc5961", R"("rfc5961": false)", "blind-data-ack-check", "blind-data-accepted", "",
     "RFC 5961 5; RFC 9293 3.10.7.4 fifth",
     "确认号可接受性检查",
     "盲数据注入：按 RFC 793 的检查，确认号远低于 SND.UNA 只算重"
     "复 ACK，伪造的数据只需序号正确；RFC 5961 丢弃确认号低于 SND"
     ".UNA - MAX.SND.WND 的报文段"},
    {"half-close",
     "losing the reply that follows a close: after sending its FIN a side still receives "
     "everything the peer has left to send",
     "half_duplex_close", R"("half_duplex_close": true)", "half-close",
     "half-duplex-close-reply-lost", "000, 001, 003", "RFC 9293 3.6; RFC 1122 4.2.2.13",
     "半关闭",
     "关闭之后对方的回复丢失：一方发出 FIN 之后仍然接收对方还要发送的全部数据"},
    {"FIN retransmission",
     "a lost FIN: the peer would never learn that the stream ended, and stays ESTABLISHED "
     "while the closer gives up",
     "retransmit_fin", R"("retransmit_fin": false)", "lost-fin-retransmitted",
     "lost-fin-not-retransmitted", "000, 002, 003", "RFC 9293 3.8.1",
     "重传 FIN",
     "丢失的 FIN：对方永远不知道数据流已经结束，一直停在 ESTABLISHE"
     "D，而主动关闭的一方最终放弃"},
    {"congestion control",
     "congestion collapse at a bottleneck: a sender that fills the peer's whole window at once "
     "overflows the router's queue, loses many segments of every window and waits for timeouts, "
     "so little of what it sends is delivered; slow start and fast recovery keep the queue "
     "short",
     "congestion_control", R"("congestion_control": "none")",
     "cc-bottleneck-with-congestion-control", "cc-bottleneck-without-congestion-control", "",
     "RFC 9293 3.8.2; RFC 5681 3; RFC 896",
     "拥塞控制",
     "瓶颈处的拥塞崩溃：发送方一下子发满对方的整个窗口，路由器队列溢出，每个窗口都丢失许多报文段，"
     "只能等待超时重传，发出去的数据很少能送达；慢开始和快恢复让队列保持短小"},
    {"TIME_WAIT",
     "a lost final ACK: the closer is still there to acknowledge the peer's retransmitted "
     "FIN, instead of answering it with a RST that turns an orderly close into a reset",
     "time_wait", R"("time_wait": "0s")", "lost-final-ack-time-wait",
     "lost-final-ack-no-time-wait", "000, 001, 002, 003", "RFC 9293 3.6, 3.10.7.4",
     "TIME_WAIT",
     "丢失的最后一个 ACK（第四次挥手）：主动关闭方还在，能确认对方重传的 FI"
     "N，而不是用 RST 回答它，把正常的四次挥手变成一次复位"},
    {"2 MSL length",
     "old duplicate segments of a previous connection on the same 4-tuple: after 2 MSL every "
     "one has died in the network, while a shorter wait lets one be taken as new data",
     "time_wait", R"("time_wait": "10s")", "old-duplicate-data-time-wait",
     "old-duplicate-data-short-time-wait", "001, 002", "RFC 9293 3.4.1, 3.6",
     "2MSL 的长度",
     "同一四元组上旧连接的旧重复报文段：等待 2MSL 之后它们都已在网络中消失，"
     "等得更短，旧报文段就可能被当作新数据接收"},
    {"ISN choice",
     "old duplicates when a 4-tuple is reused early: with random ISNs an old segment falls in "
     "the new window only with a probability of about window / 2^32, with the same ISN it "
     "lands exactly at RCV.NXT",
     "isn", R"("isn": 1000)", "old-duplicate-data-no-time-wait-random-isn",
     "old-duplicate-data-no-time-wait", "001, 004", "RFC 9293 3.4.1; RFC 6528",
     "初始序号的选择",
     "过早重用四元组时的旧重复报文段：初始序号随机时，旧报文段落入新窗口的概率只有"
     "约 窗口 / 2^32；初始序号相同时，它恰好落在 RCV.NXT"},
    {"PAWS",
     "old duplicates from a previous incarnation (or a wrapped sequence space) landing in the "
     "window: with timestamps the old segment's TSval is older than the connection's TS.Recent "
     "and it is dropped, where without them it is taken as new data",
     "timestamps", R"("timestamps": false)", "old-duplicate-data-paws",
     "old-duplicate-data-no-time-wait", "", "RFC 7323 5; RFC 6191",
     "PAWS（防止序号回绕）",
     "来自上一个连接化身（或回绕的序号空间）的旧重复报文段落入窗口：启用时间戳时，旧报文段的 "
     "TSval 早于连接的 TS.Recent，它被丢弃；没有时间戳时，它被当作新数据接收"},
    {"segments without timestamps dropped",
     "a blind injection on a connection with timestamps: a forged segment with the right "
     "sequence numbers but no Timestamps option is dropped, where taking it hands the forger's "
     "bytes to the application and the real sender's data is discarded as a duplicate",
     "timestamp_missing", R"("timestamp_missing": "accept")", "timestamps-missing-dropped",
     "timestamps-missing-accepted", "", "RFC 7323 3.2",
     "丢弃不带时间戳的报文段",
     "对启用了时间戳的连接的盲注入：伪造的报文段序号和确认号都对，却不带时间戳选项，"
     "它被丢弃；若接收它，伪造者的字节被交给应用程序，真正发送方的数据反而被当作重复"
     "报文段丢弃"},
    {"TIME_WAIT ignores RST",
     "TIME_WAIT assassination: a RST that closes TIME_WAIT early frees the 4-tuple at once, a "
     "reconnect takes the old sequence space, and an old duplicate still in the network is "
     "accepted as new data",
     "rfc1337", R"("rfc1337": false)", "time-wait-assassination-ignored",
     "time-wait-assassinated", "001, 002", "RFC 1337; RFC 9293 3.10.7.4 second",
     "TIME_WAIT 忽略 RST",
     "TIME_WAIT 暗杀：RST 提前结束 TIME_WAIT，"
     "四元组立即被释放，重新连接沿用旧的序号空间，网络中仍在的旧重复报文段被当作新"
     "数据接收"},
    {"TIME_WAIT reopening",
     "a reconnect from the same port stalling on the peer's TIME_WAIT: without it the new SYN "
     "draws the old connection's ACK, the client's answering RST ends TIME_WAIT early, and the "
     "connection comes only with the SYN retransmitted a second later",
     "time_wait_accepts_syn", R"("time_wait_accepts_syn": false)", "time-wait-reopened-by-syn",
     "time-wait-syn-challenge-ack", "001, 003", "RFC 1122 4.2.2.13; RFC 9293 3.10.7.4",
     "TIME_WAIT 被新 SYN 重新打开",
     "从同一端口重新连接时被对方的 TIME_WAIT 卡住：没有这一机制，"
     "新的 SYN 换来旧连接的 ACK，客户端回答的 RST 提前结束 TIME"
     "_WAIT，连接要等一秒后重传的 SYN 才能建立"},
    {"ISN clock",
     "a new incarnation of a 4-tuple starting below the old one: with ISNs from the 4 us clock "
     "each starts above the last, as TIME_WAIT reopening requires, while a random ISN falls "
     "below half the time and the reconnect is turned away",
     "isn", R"("isn": "random")", "time-wait-reopened-by-syn",
     "time-wait-reopen-refused-random-isn", "001", "RFC 793 3.3; RFC 9293 3.4.1; RFC 6528",
     "初始序号时钟",
     "四元组的新化身从旧化身之下开始：初始序号取自 4 微秒时钟时，"
     "每个新连接都从旧连接之上开始，正如重新打开 TIME_WAIT 所要求的；"
     "随机初始序号有一半的机会落在下面，重新连接就被拒绝"},
}};

constexpr std::size_t width = 96;  // the catalogue's lines, indent included, stay within this
constexpr std::string_view indent = "            ";

// One scenario of a pair: its name, the knob's value on each host, its summary.
bool write_scenario(std::ostream& out, std::string_view role, std::string_view name,
                    std::string_view knob, const std::string& directory, bool chinese) {
  const std::string file =
      (std::filesystem::path(directory) / (std::string(name) + ".json")).generic_string();
  out << "   " << role << name << "\n";
  try {
    const Scenario scenario = load_scenario_file(file);
    std::string values(knob);
    values += ":";
    for (std::size_t i = 0; i < scenario.hosts.size(); ++i) {
      values += (i == 0 ? " " : ", ") + scenario.hosts[i].name + " " +
                teaching_knob_value(scenario.hosts[i].tcp, knob).value_or("?");
    }
    out << indent << values << "\n";
    const std::string& description = chinese && !scenario.description_zh.empty()
                                          ? scenario.description_zh
                                          : scenario.description;
    write_wrapped(out, scenario_summary(description), width, indent);
    return true;
  } catch (const ScenarioError& error) {
    out << indent << (chinese ? "（无法读取：" : "(not available: ") << error.what()
        << (chinese ? "）\n" : ")\n");
    return false;
  }
}

}  // namespace

std::span<const TeachingEntry> teaching_catalogue() { return catalogue; }

std::optional<std::string> teaching_knob_value(const tcp::TcpConfig& config,
                                               std::string_view knob) {
  const tcp::Knob* row = tcp::find_knob(knob);
  if (row == nullptr || !row->teaching) return std::nullopt;
  return tcp::knob_value_text(*row, row->get(config));
}

std::string scenario_summary(const std::string& description) {
  std::string summary = description;
  const std::size_t stop = summary.find(". ");
  if (stop != std::string::npos) summary.resize(stop + 1);
  const std::size_t full_stop = summary.find("。");  // a Chinese description's first sentence
  if (full_stop != std::string::npos) summary.resize(full_stop + std::string_view("。").size());
  return summary;
}

bool write_teaching_catalogue(std::ostream& out, const std::string& directory, bool chinese) {
  if (chinese) {
    out << "每种 TCP 机制防范的是什么，关掉它的开关（主机 \"tcp\" 对象里的键），以及两个随附的"
           "场景，\n一个有这一机制，一个没有，对比两者的差别。图和完整的讲解见 "
           "docs/teaching.md。\n";
  } else {
    out << "What each TCP mechanism protects against, the knob that turns it off (a key of a "
           "host's\n\"tcp\" object), and two shipped scenarios that show the difference, one "
           "with it and one\nwithout. Diagrams and the whole story: docs/teaching.md.\n";
  }
  bool ok = true;
  int number = 0;
  for (const auto& entry : catalogue) {
    out << "\n" << ++number << ". " << (chinese ? entry.mechanism_zh : entry.mechanism) << "\n";
    if (chinese) {
      write_wrapped(out, "防范：" + std::string(entry.protects_against_zh) + "。", width, "   ");
      out << "   开关：  " << entry.turn_off << "，即没有这一机制的场景里的设置\n";
      out << "   依据：  "
          << (entry.seeds.empty() ? "" : "种子文章 " + std::string(entry.seeds) + "；")
          << entry.reference << "\n";
    } else {
      write_wrapped(out, "Protects against " + std::string(entry.protects_against) + ".", width,
                    "   ");
      out << "   knob:    " << entry.turn_off << ", as in the scenario without it\n";
      out << "   claims:  "
          << (entry.seeds.empty() ? "" : "seed articles " + std::string(entry.seeds) + "; ")
          << entry.reference << "\n";
    }
    ok = write_scenario(out, chinese ? "有：    " : "with:    ", entry.with_scenario, entry.knob,
                        directory, chinese) &&
         ok;
    ok = write_scenario(out, chinese ? "没有：  " : "without: ", entry.without_scenario,
                        entry.knob, directory, chinese) &&
         ok;
  }
  return ok;
}

}  // namespace tcpsim::runner
