// Narration (--explain): one sentence per event, in English and Chinese, from the trace alone.
// Golden files: tests/views/golden/<scenario>.explain.txt and .explain.zh.txt; regenerate with
// TCPSIM_UPDATE_GOLDEN=1 and review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/narration.hpp"
#include "views/text.hpp"

namespace views_narration_tests {

using namespace tcpsim;
using tcpsim::views::Language;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

struct Run {
  runner::Scenario scenario;
  runner::RunResult result;
};

Run run_named(const std::string& name) {
  Run run;
  run.scenario = runner::load_scenario_file(source_dir + "/scenarios/" + name + ".json");
  run.result = runner::run_scenario(run.scenario);
  return run;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Compares with the golden file, or rewrites it when TCPSIM_UPDATE_GOLDEN=1.
void check_golden(const std::string& relative_path, const std::string& actual) {
  const std::string path = source_dir + "/" + relative_path;
  const char* update = std::getenv("TCPSIM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::string error;
    REQUIRE(runner::write_file_atomically(path, actual, error));
    WARN("golden written: " << relative_path);
    return;
  }
  const std::string expected = read_text(path);
  if (expected == actual) return;
  std::istringstream expected_lines(expected);
  std::istringstream actual_lines(actual);
  std::string want;
  std::string got;
  int line = 0;
  while (true) {
    ++line;
    const bool more_want = static_cast<bool>(std::getline(expected_lines, want));
    const bool more_got = static_cast<bool>(std::getline(actual_lines, got));
    if (!more_want && !more_got) break;
    if (!more_want || !more_got || want != got) {
      FAIL(relative_path << " differs at line " << line << " (TCPSIM_UPDATE_GOLDEN=1 rewrites it)"
                         << "\n  expected: " << (more_want ? want : "<end of file>")
                         << "\n  actual:   " << (more_got ? got : "<end of file>"));
    }
  }
  FAIL(relative_path << " differs (line endings?)");
}

std::string explained(const Run& run, Language language) {
  views::LadderOptions options;
  options.absolute_seq = runner::scenario_uses_fixed_isns(run.scenario);
  return views::format_explained_ladder(run.scenario, run.result, options, language);
}

runner::TraceEvent event_of(runner::TraceKind kind, int host, tcp::ConnectionId connection) {
  runner::TraceEvent event;
  event.time = 2 * second;
  event.kind = kind;
  event.host = host;
  event.connection = connection;
  event.deadline = 3 * second;
  return event;
}

}  // namespace

TEST_CASE("every rule of the core reads in English and in Chinese, with its citation") {
  for (int value = 1; value <= tcp::rule_count; ++value) {
    const auto rule = static_cast<tcp::Rule>(value);
    const tcp::RuleText& row = tcp::rule_text(rule);
    INFO(row.name);
    const std::string english = views::rule_sentence(rule, Language::english);
    const std::string chinese = views::rule_sentence(rule, Language::chinese);
    CHECK(english.rfind(std::string(row.english), 0) == 0);
    CHECK(chinese.rfind(std::string(row.chinese), 0) == 0);
    CHECK(chinese.find(std::string(row.english)) == std::string::npos);
    switch (row.cited) {
      case tcp::Cited::before:
        // "ACK bit off, per RFC 9293 3.10.7.4 (fifth check: the ACK field)", "ACK 位没有置位（RFC
        // 9293 3.10.7.4 第五步：检查 ACK 字段）"
        CHECK(row.citation.starts_with("RFC "));
        CHECK(english.find(", per RFC ") != std::string::npos);
        CHECK(chinese.find("（RFC ") != std::string::npos);
        break;
      case tcp::Cited::after:
        // As the trace prints it in English; in Chinese with the citation translated.
        CHECK(english == tcp::rule_reason(rule));
        CHECK(chinese.ends_with("）"));
        CHECK(chinese.find(std::string(row.citation)) == std::string::npos);
        break;
      case tcp::Cited::apart:
        CHECK(english == row.english);
        CHECK(chinese == row.chinese);
        break;
    }
  }
  // The citations that are not RFCs are translated.
  CHECK(views::rule_sentence(tcp::Rule::time_wait_disabled, Language::chinese) ==
        "time_wait = 0：TIME_WAIT 被禁用，立即进入 CLOSED（教学变体）");
  CHECK(views::rule_sentence(tcp::Rule::fin_wait_2_timeout, Language::chinese) ==
        "fin_wait_2_timeout：对方一直没有发来 FIN（Linux 的 tcp_fin_timeout）");
  CHECK(views::rule_sentence(tcp::Rule::rst_outside_window, Language::chinese) ==
        "不可接受：RST 落在接收窗口之外（RFC 9293 3.10.7.4 第一步：检查序号）");
  CHECK(views::rule_sentence(tcp::Rule::out_of_order_held, Language::chinese) ==
        "失序的报文段：暂存等待重组，立即发出重复确认（RFC 5681 4.2）");
}

TEST_CASE("narration words every link cause from its fields") {
  using sim::LinkCause;
  using sim::LinkCauseKind;
  const auto cause_of = [](LinkCauseKind kind) {
    LinkCause cause;
    cause.kind = kind;
    cause.rule_name = "stale-syn";
    return cause;
  };
  const auto both = [](const LinkCause& cause) {
    return std::pair{views::link_cause(cause, Language::english),
                     views::link_cause(cause, Language::chinese)};
  };
  using Pair = std::pair<std::string, std::string>;
  CHECK(both(cause_of(LinkCauseKind::fault_rule)) ==
        Pair{"fault rule 'stale-syn'", "故障规则 'stale-syn'"});
  CHECK(both(cause_of(LinkCauseKind::random_loss)) ==
        Pair{"the link's random loss", "链路的随机丢包"});
  CHECK(both(cause_of(LinkCauseKind::queue_full)) ==
        Pair{"the link's full queue", "链路队列已满"});
  CHECK(both(cause_of(LinkCauseKind::random_reorder)) ==
        Pair{"the link's random reordering", "链路的随机乱序"});
  CHECK(both(cause_of(LinkCauseKind::random_duplicate)) ==
        Pair{"the link's random duplication", "链路的随机复制"});

  LinkCause expired = cause_of(LinkCauseKind::msl_expired);
  expired.rule_name = "old";
  expired.earlier = LinkCauseKind::fault_rule;
  expired.held = 3 * minute;
  expired.msl = 2 * minute;
  CHECK(both(expired) ==
        Pair{"exceeded MSL (held 3min, longer than msl 2min) after rule 'old'",
             "在网络中滞留超过 MSL（滞留 3min，超过 msl 2min），起因是故障规则 'old'"});
  expired.earlier = LinkCauseKind::random_reorder;
  CHECK(views::chinese_link_cause(expired) ==
        "在网络中滞留超过 MSL（滞留 3min，超过 msl 2min），起因是链路的随机乱序");
  expired.earlier = LinkCauseKind::none;
  CHECK(views::chinese_link_cause(expired) == "在网络中滞留超过 MSL（滞留 3min，超过 msl 2min）");

  // What has no Chinese wording yet is quoted from the trace.
  expired.beyond_representable_time = true;
  CHECK(both(expired) ==
        Pair{"exceeded MSL (its arrival lies past the end of representable time, msl 2min)",
             "“exceeded MSL (its arrival lies past the end of representable time, msl 2min)”"});
  const LinkCause never = cause_of(LinkCauseKind::never_delivered);
  CHECK(both(never) ==
        Pair{"never delivered: its arrival lies past the end of representable time",
             "“never delivered: its arrival lies past the end of representable time”"});
}

TEST_CASE("narration pins a few English and Chinese sentences") {
  const Run run = run_named("three-way-handshake-stale-syn");
  const auto english = views::narrate_run(run.scenario, run.result, Language::english,
                                          views::default_narration_options(run.scenario));
  const auto chinese = views::narrate_run(run.scenario, run.result, Language::chinese,
                                          views::default_narration_options(run.scenario));
  REQUIRE(english.size() == run.result.trace.size());
  auto find_state = [&](tcp::State from, tcp::State to, const std::string& connection) {
    for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
      const auto& event = run.result.trace[index];
      if (event.kind == runner::TraceKind::state && event.from == from && event.to == to &&
          runner::ConnectionNames(run.result)(event.host, event.connection) == connection) {
        return index;
      }
    }
    FAIL("no such state change");
    return std::size_t{0};
  };
  const std::size_t back_to_listen =
      find_state(tcp::State::syn_received, tcp::State::listen, "web#2");
  CHECK(english[back_to_listen] ==
        "On server, web#2 is in SYN_RCVD and receives #8 RST, so it goes to LISTEN: RST in "
        "SYN_RCVD from a passive OPEN, back to LISTEN, per RFC 9293 3.10.7.4 (second check: the "
        "RST bit).");
  CHECK(chinese[back_to_listen] ==
        "server 上的连接 web#2 处于 SYN_RCVD，收到 #8 RST，于是进入 LISTEN：由被动打开产生的连接"
        "在 SYN_RCVD 状态收到 RST，回到 LISTEN（RFC 9293 3.10.7.4 第二步：检查 RST 位）。");

  const std::size_t gave_up = find_state(tcp::State::syn_sent, tcp::State::closed, "first-attempt");
  CHECK(english[gave_up] ==
        "On client, first-attempt is in SYN_SENT and its retransmission timer fires, so it goes "
        "to CLOSED: SYN retransmitted syn_retries times without answer, per RFC 9293 3.8.3.");
  CHECK(chinese[gave_up] ==
        "client 上的连接 first-attempt 处于 SYN_SENT，它的重传计时器到期，于是进入 CLOSED：SYN "
        "已重传 syn_retries 次，仍没有应答（RFC 9293 3.8.3）。");

  // The stale SYN's arrival says where it was and what takes it.
  std::size_t stale_arrival = 0;
  for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
    const auto& event = run.result.trace[index];
    if (event.kind == runner::TraceKind::deliver && event.segment.id == 1) stale_arrival = index;
  }
  CHECK(english[stale_arrival] ==
        "#1 SYN seq=0 len=0, sent at 0.100000s and held back by the network (fault rule "
        "'stale-syn'), arrives at server: no connection has its 4-tuple yet, so the listener web "
        "(LISTEN) on port 80 takes it. It is a stale connection request: first-attempt, which "
        "sent it, no longer waits for an answer (it is CLOSED).");
  // In the textbook's words: 已失效的连接请求报文段.
  CHECK(chinese[stale_arrival] ==
        "#1 SYN seq=0 len=0（0.100000 秒发出，被网络扣留，原因是故障规则 'stale-syn'）到达 "
        "server：还没有连接使用它的四元组，于是端口 80 上的监听套接字 web（LISTEN）接收了它。"
        "这是一个已失效的连接请求报文段：发出它的 first-attempt 早已不再等待回答（处于 "
        "CLOSED），它却在网络中滞留到现在才到达。");
}

TEST_CASE("the narration says when the timer wheel moved a deadline, in both languages") {
  const Run run = run_named("linux-syn-exponential-timeouts");
  std::size_t first_timer = run.result.trace.size();
  for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
    if (run.result.trace[index].kind == runner::TraceKind::timer_set) {
      first_timer = index;
      break;
    }
  }
  REQUIRE(first_timer < run.result.trace.size());
  CHECK(views::narrate_event(run.scenario, run.result, first_timer, Language::english) ==
        "On client, c1 (SYN_SENT) arms its retransmission timer for 1s (rounded up to 1.024s by "
        "timer_wheel), until 1.024000s: if nothing acknowledges what it sent by then, it sends "
        "it again.");
  CHECK(views::narrate_event(run.scenario, run.result, first_timer, Language::chinese) ==
        "client 上的连接 c1（SYN_SENT）启动重传计时器，时长 1 秒（被 timer_wheel 向上取整为 "
        "1.024 秒），到 1.024000 秒为止：届时若发出的内容仍未被确认，就重新发送。");
  // Cut to the wheel's range, and not moved at all.
  Run changed = run;
  runner::TraceEvent& event = changed.result.trace[first_timer];
  event.rounded_by = -event.deadline;  // 2.048 s asked for, 1.024 s taken
  CHECK(views::narrate_event(changed.scenario, changed.result, first_timer, Language::english)
            .find("for 2.048s (cut to 1.024s by timer_wheel), until 1.024000s") !=
        std::string::npos);
  CHECK(views::narrate_event(changed.scenario, changed.result, first_timer, Language::chinese)
            .find("时长 2.048 秒（被 timer_wheel 截短为 1.024 秒），到 1.024000 秒为止") !=
        std::string::npos);
  event.rounded_by = 0;
  CHECK(views::narrate_event(changed.scenario, changed.result, first_timer, Language::english)
            .find("for 1.024s, until 1.024000s") != std::string::npos);
}

TEST_CASE("narrate_event gives the same sentence as the whole-run narration") {
  const Run run = run_named("lost-final-ack-time-wait");
  for (const Language language : {Language::english, Language::chinese}) {
    const auto all = views::narrate_run(run.scenario, run.result, language,
                                        views::default_narration_options(run.scenario));
    for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
      CHECK(views::narrate_event(run.scenario, run.result, index, language) == all[index]);
    }
  }
  CHECK(views::narrate_event(run.scenario, run.result, run.result.trace.size(),
                             Language::english)
            .empty());
}

TEST_CASE("actions are narrated from their fields, not from the trace's text") {
  Run run = run_named("three-way-handshake");
  runner::TraceEvent event = event_of(runner::TraceKind::action, 1, tcp::no_connection);
  event.action.kind = runner::ActionKind::listen;
  event.action.port = 8080;
  event.action.name = "api";
  event.action.backlog = 3;
  event.text = "not what the sentence says";
  runner::TraceEvent failed = event;
  failed.kind = runner::TraceKind::action_failed;
  failed.action.outcome = runner::ActionOutcome::port_in_use;
  runner::TraceEvent read = event;
  read.action.kind = runner::ActionKind::read;
  read.action.name = "web#1";
  read.action.read_bytes = 10;
  run.result.trace = {event, failed, read};
  const auto english = views::narrate_run(run.scenario, run.result, Language::english,
                                          views::default_narration_options(run.scenario));
  const auto chinese = views::narrate_run(run.scenario, run.result, Language::chinese,
                                          views::default_narration_options(run.scenario));
  CHECK(english[0] == "On server, the application calls listen on port 8080 as api (backlog 3).");
  CHECK(chinese[0] == "server 上的应用程序在端口 8080 上监听，监听名为 api（backlog 3）。");
  CHECK(english[1] ==
        "On server, the application's call fails: listen on port 8080: the port is already in "
        "use.");
  CHECK(chinese[1] == "server 上的应用程序调用失败（在端口 8080 上监听）：端口已被占用。");
  CHECK(english[2] == "On server, the application calls read up to 10 bytes on web#1.");
  CHECK(chinese[2] == "server 上的应用程序读取连接 web#1 上最多 10 字节数据。");
}

TEST_CASE("every event kind, timer and application event has a sentence in both languages") {
  Run run = run_named("three-way-handshake");
  const tcp::ConnectionId connection = run.result.connections.front().id;
  const int host = run.result.connections.front().host;
  std::vector<runner::TraceEvent> events;
  for (int kind = 0; kind <= static_cast<int>(runner::TraceKind::free); ++kind) {
    runner::TraceEvent event = event_of(static_cast<runner::TraceKind>(kind), host, connection);
    event.segment.id = 1;
    event.text = "something new";
    events.push_back(event);
  }
  for (int timer = 0; timer < tcp::timer_kind_count; ++timer) {
    for (const auto kind : {runner::TraceKind::timer_set, runner::TraceKind::timer_cancel,
                            runner::TraceKind::timer_fire}) {
      runner::TraceEvent event = event_of(kind, host, connection);
      event.timer = static_cast<tcp::TimerKind>(timer);
      events.push_back(event);
    }
  }
  for (int app = 0; app < tcp::app_event_kind_count; ++app) {
    runner::TraceEvent event = event_of(runner::TraceKind::app, host, connection);
    event.app_event = static_cast<tcp::AppEventKind>(app);
    event.data = {'h', 'i'};
    events.push_back(event);
  }
  run.result.trace = events;
  for (const Language language : {Language::english, Language::chinese}) {
    const auto sentences = views::narrate_run(run.scenario, run.result, language,
                                              views::default_narration_options(run.scenario));
    REQUIRE(sentences.size() == events.size());
    for (std::size_t index = 0; index < sentences.size(); ++index) {
      INFO("event " << index << ": " << sentences[index]);
      CHECK(sentences[index].size() > 20);
      const std::string end = language == Language::english ? "." : "。";
      CHECK(sentences[index].compare(sentences[index].size() - end.size(), end.size(), end) == 0);
    }
  }
}

TEST_CASE("the narration language is en or zh, nothing else") {
  Language language = Language::english;
  CHECK(views::parse_language("zh", language));
  CHECK(language == Language::chinese);
  CHECK(views::parse_language("en", language));
  CHECK(language == Language::english);
  CHECK_FALSE(views::parse_language("fr", language));
  CHECK_FALSE(views::parse_language("EN", language));
  CHECK_FALSE(views::parse_language("", language));
}

TEST_CASE("display width counts Chinese characters as two columns") {
  CHECK(views::text::display_width("SYN_RCVD") == 8);
  CHECK(views::text::display_width("连接") == 4);
  CHECK(views::text::display_width("（RFC 9293）") == 12);
  CHECK(views::text::display_width("\xff") == 1);  // a malformed byte still counts, never stalls
}

TEST_CASE("wrapping keeps every line within the width, words and citations whole") {
  const std::string chinese =
      "server 上的连接 web#2 处于 SYN_RCVD，收到 #8 RST，于是进入 LISTEN：由被动打开产生的连接在 "
      "SYN_RCVD 状态收到 RST，回到 LISTEN（RFC 9293 3.10.7.4 第二步：检查 RST 位）。";
  for (std::size_t width = 30; width <= 100; width += 7) {
    const std::string wrapped = views::text::wrap_text(chinese, "  | ", width);
    std::istringstream lines(wrapped);
    std::string line;
    std::string joined;
    while (std::getline(lines, line)) {
      INFO("width " << width << ": " << line);
      CHECK(views::text::display_width(line) <= width);
      CHECK(line.rfind("  | ", 0) == 0);
      const std::string body = line.substr(4);
      // No line starts with closing punctuation or splits "RFC 9293".
      CHECK(body.rfind("，", 0) != 0);
      CHECK(body.rfind("。", 0) != 0);
      CHECK(body.rfind("）", 0) != 0);
      CHECK(body.rfind("9293", 0) != 0);
      joined += body;
    }
    // Nothing is lost but spaces at the breaks.
    std::string squeezed = chinese;
    squeezed.erase(std::remove(squeezed.begin(), squeezed.end(), ' '), squeezed.end());
    joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
    CHECK(joined == squeezed);
  }
  CHECK(views::text::wrap_text("short", "> ", 100) == "> short\n");
}

TEST_CASE("explained ladders match their golden files") {
  for (const std::string name : {"three-way-handshake", "lost-final-ack-time-wait",
                                 "two-way-handshake-stale-syn", "simultaneous-open"}) {
    SECTION(name) {
      const Run run = run_named(name);
      check_golden("tests/views/golden/" + name + ".explain.txt",
                   explained(run, Language::english));
      check_golden("tests/views/golden/" + name + ".explain.zh.txt",
                   explained(run, Language::chinese));
    }
  }
}

TEST_CASE("the narration says which segments the script injected, in both languages") {
  Run run;
  run.scenario =
      runner::load_scenario_file(source_dir + "/tests/views/scenarios/injected-segments.json");
  run.result = runner::run_scenario(run.scenario);
  const std::string english = explained(run, Language::english);
  const std::string chinese = explained(run, Language::chinese);
  check_golden("tests/views/golden/injected-segments.explain.txt", english);
  check_golden("tests/views/golden/injected-segments.explain.zh.txt", chinese);
  CHECK(english.find("Injected by the script: #4 SYN seq=777 len=0 goes from the spoofed address") !=
        std::string::npos);
  CHECK(english.find("(injected by the script)") != std::string::npos);  // its later events
  CHECK(chinese.find("由脚本注入：#4 SYN seq=777 len=0 从伪造的地址 10.0.0.9:4000 发往 server。") !=
        std::string::npos);
  CHECK(chinese.find("（由脚本注入）") != std::string::npos);
}

TEST_CASE("the explained ladder is the ladder with indented sentences between its lines") {
  const Run run = run_named("three-way-handshake");
  for (const Language language : {Language::english, Language::chinese}) {
    views::LadderOptions options;
    options.absolute_seq = runner::scenario_uses_fixed_isns(run.scenario);
    options.language = language;
    const std::string ladder = views::format_ladder(run.scenario, run.result, options);
    const std::string prefix =
        std::string(views::LadderPrinter(run.scenario, run.result, options).time_width(), ' ') +
        "| ";
    const std::string text = views::format_explained_ladder(run.scenario, run.result, options,
                                                            language);
    std::istringstream lines(text);
    std::string line;
    std::string without_narration;
    int narration_lines = 0;
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) == 0) {
        ++narration_lines;
        CHECK(views::text::display_width(line) <= options.width);
        continue;
      }
      if (line == views::explain_header_note(language)) continue;
      without_narration += line + "\n";
    }
    CHECK(without_narration == ladder);
    CHECK(narration_lines > 20);
  }
}

}  // namespace views_narration_tests
