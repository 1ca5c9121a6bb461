// The terminal ladder explains itself: drops, holds and discards name their cause, state changes
// cite their rule, and the summary lists every connection's states.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/ladder.hpp"
#include "views/narration.hpp"
#include "views/svg.hpp"
#include "views/text.hpp"
#include "views/words.hpp"

namespace views_ladder_tests {

using namespace tcpsim::runner;
using tcpsim::views::format_ladder;
using tcpsim::views::LadderOptions;

namespace {

// Wide enough that every reason stays on its event's line.
LadderOptions wide() {
  LadderOptions options;
  options.width = 220;
  return options;
}

std::string ladder_of(const std::string& name, LadderOptions options = wide()) {
  const Scenario scenario =
      load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
  return format_ladder(scenario, run_scenario(scenario), options);
}

}  // namespace

TEST_CASE("the flagship ladder shows the held SYN, the phantom connection and the silent client") {
  const std::string ladder = ladder_of("two-way-handshake-stale-syn");
  CHECK(ladder.find("~ #1 held until 3.000000s   (rule 'stale-syn')") != std::string::npos);
  // Each line ends with its rule, as the core's table words it.
  const auto why = [](tcpsim::tcp::Rule rule) {
    return "   (" + std::string(tcpsim::tcp::rule_reason(rule)) + ")\n";
  };
  // A reason too long for the line goes on the row under its event.
  const std::size_t phantom = ladder.find("[web#2] ESTABLISHED\n");
  REQUIRE(phantom != std::string::npos);
  const std::size_t next_row = ladder.find('\n', phantom) + 1;
  CHECK(ladder.substr(next_row, ladder.find('\n', next_row) - next_row + 1)
            .find("(" + std::string(tcpsim::tcp::rule_reason(
                            tcpsim::tcp::Rule::two_way_listen_syn)) +
                  ")\n") != std::string::npos);
  CHECK(ladder.find("[web#2] app: accepted") != std::string::npos);
  CHECK(ladder.find("discards #6 SYN,ACK seq=0 ack=1 win=65535 len=0" +
                    why(tcpsim::tcp::Rule::two_way_no_third_segment)) != std::string::npos);
  // The listener is in LISTEN from its listen; its connections are born in LISTEN.
  CHECK(ladder.find("[web] LISTEN" + why(tcpsim::tcp::Rule::passive_open)) != std::string::npos);
  CHECK(ladder.find("  server web: CLOSED -> LISTEN (listener)\n") != std::string::npos);
  CHECK(ladder.find("  server web#2: LISTEN -> ESTABLISHED") != std::string::npos);
  CHECK(ladder.find("[two-way handshake]") != std::string::npos);
  // Relative numbers, since the ISNs are random here.
  CHECK(ladder.find("seq/ack: relative to each side's ISN") != std::string::npos);
}

TEST_CASE("a lost segment is crossed out with the rule that dropped it") {
  const std::string ladder = ladder_of("lost-final-ack-time-wait");
  CHECK(ladder.find("X #7 lost   (rule 'lose-final-ack')") != std::string::npos);
  CHECK(ladder.find("#8 FIN,ACK seq=1 ack=2 win=65535 len=0 (retransmission)") !=
        std::string::npos);
}

TEST_CASE("absolute numbers when every host has a fixed ISN, and timers can be hidden") {
  LadderOptions options = wide();
  options.absolute_seq = true;
  options.timers = false;
  const std::string ladder = ladder_of("three-way-handshake", options);
  CHECK(ladder.find("#2 SYN,ACK seq=5000 ack=1001 win=65535 len=0") != std::string::npos);
  CHECK(ladder.find("timer until") == std::string::npos);
  CHECK(ladder.find("retransmission timer until") == std::string::npos);
  const std::string with_timers = ladder_of("three-way-handshake");
  CHECK(with_timers.find("[c1] retransmission timer until 1.100000") != std::string::npos);
}

TEST_CASE("the ladder and its narration show control and invisible characters as escapes") {
  Scenario scenario =
      load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lost-final-ack-time-wait.json");
  scenario.description = "clear\x1b[2J screen \xe2\x80\xae reversed";
  RunResult result = run_scenario(scenario);
  // The views word the link's causes from their fields (never from the trace's text).
  for (auto& event : result.trace) {
    if (event.kind == TraceKind::drop) event.link_cause.rule_name = "bell\x07";
  }
  const std::string ladder = format_ladder(scenario, result, wide());
  CHECK(ladder.find("clear\\x1b[2J screen \\u{202E} reversed") != std::string::npos);
  CHECK(ladder.find("(rule 'bell\\x07')") != std::string::npos);
  const std::string explained = tcpsim::views::format_explained_ladder(
      scenario, result, LadderOptions{}, tcpsim::views::Language::english);
  CHECK(explained.find("bell\\x07") != std::string::npos);
  for (const std::string* text : {&ladder, &explained}) {
    CHECK(text->find('\x1b') == std::string::npos);
    CHECK(text->find('\x07') == std::string::npos);
    CHECK(text->find("\xe2\x80\xae") == std::string::npos);
  }
}

TEST_CASE("a scripted host is marked, and what the script sends is marked as injected") {
  const Scenario scenario = load_scenario_text(R"({ "tcpsim": 1, "name": "scripted",
    "description": "A scripted peer answers a connect.",
    "hosts": [{ "name": "client", "tcp": { "isn": 100 } }, { "name": "peer", "stack": "none" }],
    "timeline": [
      { "at": "0s", "host": "client", "action": "connect", "to": "peer", "port": 80,
        "local_port": 4000, "name": "c1" },
      { "at": "50ms", "action": "inject", "from": "peer:80", "to": "client:4000",
        "flags": "SYN,ACK", "seq": 900, "ack": 101 }
    ], "stop_at": "500ms" })",
                                               "scripted.json");
  const std::string ladder = format_ladder(scenario, run_scenario(scenario), wide());
  CHECK(ladder.find("peer 10.0.0.2 [scripted: no TCP]") != std::string::npos);
  // Relative numbers (the default options): the injected SYN-ACK gives the peer's ISN. The
  // host's line says the script made it, the arrow under it carries it.
  CHECK(ladder.find("! inject   (injected by the script)\n") != std::string::npos);
  CHECK(ladder.find(" #2 SYN,ACK seq=0 ack=1 win=65535 len=0 (injected)\n") != std::string::npos);
  CHECK(ladder.find("[c1] ESTABLISHED") != std::string::npos);
  CHECK(ladder.find("! inject from") == std::string::npos);  // its source is peer's address
}

namespace {

// Terminal columns of a line (a Chinese character takes two).
std::size_t columns(const std::string& line) { return tcpsim::views::text::display_width(line); }

// The text with its ANSI colour sequences (ESC [ ... m) taken out.
std::string without_colour(const std::string& text) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\x1b' && at + 1 < text.size() && text[at + 1] == '[') {
      at = text.find('m', at);
      if (at == std::string::npos) break;
      continue;
    }
    out += text[at];
  }
  return out;
}

std::vector<std::string> view_scenarios() {
  std::vector<std::string> files;
  for (const char* directory : {"/scenarios", "/tests/views/scenarios"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(TCPSIM_SOURCE_DIR) + directory)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("the ladder fits the width it is given, in both languages, explained or not") {
  int lines_checked = 0;
  for (const std::string& file : view_scenarios()) {
    const Scenario scenario = load_scenario_file(file);
    const RunResult result = run_scenario(scenario);
    for (const std::size_t width : {std::size_t{80}, std::size_t{100}}) {
      for (const auto language :
           {tcpsim::views::Language::english, tcpsim::views::Language::chinese}) {
        LadderOptions options;
        options.width = width;
        options.language = language;
        options.absolute_seq = scenario_uses_fixed_isns(scenario);
        for (const std::string& text :
             {format_ladder(scenario, result, options),
              tcpsim::views::format_explained_ladder(scenario, result, options, language)}) {
          std::istringstream lines(text);
          std::string line;
          while (std::getline(lines, line)) {
            ++lines_checked;
            if (columns(line) <= width) continue;
            INFO(file << " at " << width << " columns: " << line);
            CHECK(columns(line) <= width);
          }
        }
      }
    }
  }
  CHECK(lines_checked > 10000);
}

TEST_CASE("the ladder's reasons move under their event when the line is too narrow") {
  LadderOptions narrow;
  narrow.width = 80;
  const std::string ladder = ladder_of("three-way-handshake-stale-syn", narrow);
  // Beside its event at 220 columns, under it at 80, and said either way.
  CHECK(ladder_of("three-way-handshake-stale-syn").find(
            "[web#1] SYN_RCVD   (RFC 9293 3.10.7.2: SYN in LISTEN, SYN-ACK sent)") !=
        std::string::npos);
  const std::size_t event = ladder.find("[web#1] SYN_RCVD\n");
  REQUIRE(event != std::string::npos);
  const std::size_t next = ladder.find('\n', event) + 1;
  const std::string row = ladder.substr(next, ladder.find('\n', next) - next);
  CHECK(row.find("(RFC 9293 3.10.7.2: SYN in LISTEN, SYN-ACK sent)") != std::string::npos);
  CHECK(row.rfind("          ", 0) == 0);  // no time on a continuation row
}

TEST_CASE("colour only when asked, and nothing but colour") {
  LadderOptions plain = wide();
  LadderOptions coloured = wide();
  coloured.colour = true;
  const std::string without = ladder_of("lost-final-ack-time-wait", plain);
  const std::string with = ladder_of("lost-final-ack-time-wait", coloured);
  CHECK(without.find('\x1b') == std::string::npos);
  CHECK(with.find("\x1b[31mX #7 lost\x1b[0m") != std::string::npos);  // a loss in red
  CHECK(with.find("\x1b[2m(RFC 9293 3.10.1: passive OPEN)\x1b[0m") != std::string::npos);
  CHECK(with.find("\x1b[1m[c1] TIME_WAIT\x1b[0m") != std::string::npos);  // a state in bold
  CHECK(without_colour(with) == without);
}

TEST_CASE("the ladder in Chinese: headers, event names, reasons and the summary") {
  LadderOptions options = wide();
  options.language = tcpsim::views::Language::chinese;
  const std::string ladder = ladder_of("lost-final-ack-time-wait", options);
  for (const char* part :
       {"tcpsim：lost-final-ack-time-wait（随机种子 1）", "为什么要有 TIME_WAIT",
        "序号/确认号：相对于各方的初始序号", "时间（秒）", "X #7 丢失   （故障规则 'lose-final-ack'）",
        "[c1] 应用：连接已建立", "[c1] 重传计时器启动，到 1.100000 为止",
        "（RFC 9293 3.10.7.4 第八步：在 FIN_WAIT_2 状态收到 FIN）", "运行结束",
        "双方各自认为的连接：client 有 1 个连接；server 有 1 个连接"}) {
    INFO(part);
    CHECK(ladder.find(part) != std::string::npos);
  }
  // Nothing of the English ladder's own words is left.
  for (const char* english : {"time (s)", "end of run", "app: ", "timer until", " lost ",
                              "arrives", "what each side believes"}) {
    INFO(english);
    CHECK(ladder.find(english) == std::string::npos);
  }
}

TEST_CASE("the ladder says when the timer wheel moved a deadline, in both languages") {
  // linux-syn-exponential-timeouts runs on the linux profile's timer wheel (HZ=250): the SYN's
  // 1 s timer armed at 0 fires at 1.024 s, the 2 s one armed then at 3.04 s.
  const std::string english = ladder_of("linux-syn-exponential-timeouts");
  CHECK(english.find("[c1] retransmission timer until 1.024000   (1 s, rounded up to 1.024 s by "
                     "timer_wheel)\n") != std::string::npos);
  CHECK(english.find("[c1] retransmission timer until 3.040000   (2 s, rounded up to 2.016 s by "
                     "timer_wheel)\n") != std::string::npos);
  LadderOptions options = wide();
  options.language = tcpsim::views::Language::chinese;
  const std::string chinese = ladder_of("linux-syn-exponential-timeouts", options);
  CHECK(chinese.find("[c1] 重传计时器启动，到 1.024000 为止   （时长 1 s，被 timer_wheel 向上取整为 "
                     "1.024 s）\n") != std::string::npos);
  // A timer that fires at its deadline says nothing more.
  const std::string exact = ladder_of("three-way-handshake");
  CHECK(exact.find("[c1] retransmission timer until 1.100000\n") != std::string::npos);
  CHECK(exact.find("timer_wheel") == std::string::npos);
  // A timeout past the wheel's range is cut to it (tcp/timer_wheel.hpp): said so.
  TraceEvent cut;
  cut.kind = TraceKind::timer_set;
  cut.time = 0;
  cut.deadline = 4'000'000 * tcpsim::second;
  cut.rounded_by = -320'000 * tcpsim::second;
  CHECK(tcpsim::views::timer_rounding(cut, tcpsim::views::Language::english) ==
        "4320000 s, cut to 4000000 s by timer_wheel");
  CHECK(tcpsim::views::timer_rounding(cut, tcpsim::views::Language::chinese) ==
        "时长 4320000 s，被 timer_wheel 截短为 4000000 s");
  cut.rounded_by = 0;
  CHECK(tcpsim::views::timer_rounding(cut, tcpsim::views::Language::english).empty());
}

TEST_CASE("ladder: --cwnd puts the sender's cwnd, ssthresh and flight after its data segments") {
  LadderOptions options = wide();
  CHECK(ladder_of("cc-fast-recovery-halves-cwnd", options).find("cwnd=") == std::string::npos);
  options.cwnd = true;
  const std::string ladder = ladder_of("cc-fast-recovery-halves-cwnd", options);
  // The first window: IW 4000 (RFC 5681 3.1), nothing in flight before it but itself.
  CHECK(ladder.find("cwnd=4000 flight=1000") != std::string::npos);
  // The fast retransmit: ssthresh = FlightSize / 2, cwnd = ssthresh + 3 SMSS.
  CHECK(ladder.find("cwnd=10500 ssthresh=7500 flight=15000") != std::string::npos);
}

namespace {

Scenario scenario_file(const std::string& relative) {
  return load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/" + relative);
}

// The line holding `part`, "" when none does.
std::string line_with(const std::string& text, const std::string& part) {
  const std::size_t at = text.find(part);
  if (at == std::string::npos) return {};
  const std::size_t start = text.rfind('\n', at) + 1;  // npos + 1 is 0
  return text.substr(start, text.find('\n', at) - start);
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("ladder: segments lost together are one line, in both languages, explained too") {
  // The client sends the server's whole window at 200 ms and the full queue drops #13 to #68:
  // one line, where the last of them is lost, after each one's send.
  const Scenario scenario = scenario_file("scenarios/cc-bottleneck-without-congestion-control.json");
  const RunResult result = run_scenario(scenario);
  const std::string ladder = format_ladder(scenario, result, wide());
  const std::string summary = "X #13\u2013#68 lost (56 segments)   (queue full)\n";
  CHECK(occurrences(ladder, summary) == 1);
  CHECK(occurrences(ladder, " X ") == 1);
  for (int id = 13; id <= 68; ++id) {
    INFO("#" << id);
    CHECK(ladder.find("X #" + std::to_string(id) + " lost") == std::string::npos);
    const std::size_t send = ladder.find(" #" + std::to_string(id) + " ACK seq=");
    CHECK(send != std::string::npos);
    CHECK(send < ladder.find(summary));
  }
  LadderOptions chinese = wide();
  chinese.language = tcpsim::views::Language::chinese;
  const std::string zh = format_ladder(scenario, result, chinese);
  CHECK(occurrences(zh, "X #13\u2013#68 丢失（56 个报文段）   （链路队列已满）\n") == 1);
  CHECK(occurrences(zh, " X ") == 1);

  // --explain: the line's sentence is the burst's, and no loss of it has a sentence of its own.
  const std::string explained =
      tcpsim::views::format_explained_ladder(scenario, result, wide(), tcpsim::views::Language::english);
  CHECK(explained.find(summary +
                       "          | The network loses 56 segments from client at this one "
                       "instant, #13\u2013#68, all for one cause: the link's full queue.\n") !=
        std::string::npos);
  CHECK(explained.find("The network loses #") == std::string::npos);
  const std::string explained_zh = tcpsim::views::format_explained_ladder(
      scenario, result, chinese, tcpsim::views::Language::chinese);
  CHECK(explained_zh.find("          | 网络在同一时刻丢失了 client 发出的 56 个报文段 "
                          "#13\u2013#68，原因都是链路队列已满。\n") != std::string::npos);
}

TEST_CASE("ladder: a segment lost alone is written as before, and losses for two causes at one "
          "instant are two lines") {
  LadderOptions chinese = wide();
  chinese.language = tcpsim::views::Language::chinese;
  const std::string alone = ladder_of("lost-final-ack-time-wait");
  CHECK(line_with(alone, "X #7 lost").rfind("1.550000 ", 0) == 0);
  CHECK(alone.find("X #7 lost   (rule 'lose-final-ack')\n") != std::string::npos);
  CHECK(ladder_of("lost-final-ack-time-wait", chinese)
            .find("X #7 丢失   （故障规则 'lose-final-ack'）\n") != std::string::npos);
  // #13 and #16 are lost at 400 ms by two fault rules.
  const std::string two_rules = ladder_of("cc-newreno-partial-ack");
  CHECK(two_rules.find("X #13 lost   (rule 'lose-sixth-segment')\n") != std::string::npos);
  CHECK(two_rules.find("X #16 lost   (rule 'lose-ninth-segment')\n") != std::string::npos);
  CHECK(two_rules.find("segments)") == std::string::npos);
}

TEST_CASE("ladder: lost bursts at two instants stay two lines, grouped as the SVG groups them") {
  // One fault rule loses #4 and #5 at 300 ms, #6 and #7 at 320 ms.
  const Scenario scenario = scenario_file("tests/views/two-lost-bursts.json");
  const RunResult result = run_scenario(scenario);
  LadderOptions options = wide();
  options.absolute_seq = true;
  const std::string ladder = format_ladder(scenario, result, options);
  const std::string first =
      line_with(ladder, "X #4\u2013#5 lost (2 segments)   (rule 'lose-four')");
  const std::string second =
      line_with(ladder, "X #6\u2013#7 lost (2 segments)   (rule 'lose-four')");
  CHECK(first.rfind("0.300000 ", 0) == 0);
  CHECK(second.rfind("0.320000 ", 0) == 0);
  CHECK(occurrences(ladder, " X ") == 2);
  LadderOptions chinese = options;
  chinese.language = tcpsim::views::Language::chinese;
  const std::string zh = format_ladder(scenario, result, chinese);
  CHECK(zh.find("X #4\u2013#5 丢失（2 个报文段）   （故障规则 'lose-four'）\n") != std::string::npos);
  CHECK(zh.find("X #6\u2013#7 丢失（2 个报文段）   （故障规则 'lose-four'）\n") != std::string::npos);
  // The SVG's labels are the same bursts (views/lost_bursts.hpp decides for both).
  const std::string svg = tcpsim::views::render_svg(scenario, result);
  CHECK(svg.find(">#4\u2013#5 lost (2 segments)</text>") != std::string::npos);
  CHECK(svg.find(">#6\u2013#7 lost (2 segments)</text>") != std::string::npos);
  CHECK(occurrences(svg, "class=\"seglabel burst\"") == 2);

  // Of the four lost at 300 ms in cc-timeout-collapses-cwnd, #6 made a window probe (so the
  // trace says here): other reasons, so it is lost alone, and the others' ids read as ranges.
  const Scenario gap_scenario = scenario_file("scenarios/cc-timeout-collapses-cwnd.json");
  RunResult gap = run_scenario(gap_scenario);
  for (auto& event : gap.trace) {
    if (event.kind == TraceKind::send && event.segment.id == 6) {
      event.rule = tcpsim::tcp::Rule::window_probe;
    }
  }
  const std::string probed = format_ladder(gap_scenario, gap, options);
  CHECK(probed.find("X #6 lost   (rule 'lose-first-window')\n") != std::string::npos);
  CHECK(probed.find("X #4\u2013#5, #7 lost (3 segments)   (rule 'lose-first-window')\n") !=
        std::string::npos);
  CHECK(format_ladder(gap_scenario, gap, chinese)
            .find("X #4\u2013#5、#7 丢失（3 个报文段）") != std::string::npos);
  CHECK(tcpsim::views::render_svg(gap_scenario, gap)
            .find(">#4\u2013#5, #7 lost (3 segments)</text>") != std::string::npos);
}

}  // namespace views_ladder_tests
