// The views' words (views/words.hpp): one table, English and Chinese, that every view reads;
// no view writes Chinese of its own but the narration, whose sentences are its own.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/trace_format.hpp"
#include "views/ladder.hpp"
#include "views/mermaid.hpp"
#include "views/narration.hpp"
#include "views/svg.hpp"
#include "views/text.hpp"
#include "views/words.hpp"

namespace views_words_tests {

using namespace tcpsim;
using views::Language;
using views::Term;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

bool has_chinese(std::string_view text) {
  std::size_t position = 0;
  while (position < text.size()) {
    char32_t code = 0;
    const std::size_t length = views::text::utf8_sequence(text, position, code);
    position += length == 0 ? 1 : length;
    if (code >= 0x2E80) return true;  // CJK, and the fullwidth forms of its punctuation
  }
  return false;
}

// The string literals of a C++ source file, comments and character literals left out.
std::vector<std::string> string_literals(const std::string& source) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < source.size()) {
    if (source.compare(at, 2, "//") == 0) {
      at = source.find('\n', at);
      if (at == std::string::npos) break;
      continue;
    }
    if (source.compare(at, 2, "/*") == 0) {
      at = source.find("*/", at);
      if (at == std::string::npos) break;
      at += 2;
      continue;
    }
    const char c = source[at];
    // A digit separator (1'000'000) is no character literal.
    const bool separator = c == '\'' && at > 0 && source[at - 1] >= '0' && source[at - 1] <= '9';
    if ((c == '\'' && !separator) || c == '"') {
      const char quote = c;
      std::string literal;
      ++at;
      while (at < source.size() && source[at] != quote) {
        if (source[at] == '\\') literal += source[at++];
        if (at < source.size()) literal += source[at++];
      }
      ++at;
      if (quote == '"') out.push_back(literal);
      continue;
    }
    ++at;
  }
  return out;
}

}  // namespace

TEST_CASE("every term has its name, English and Chinese, in the enum's order") {
  const auto table = views::term_table();
  REQUIRE(table.size() == static_cast<std::size_t>(Term::count));
  std::set<std::string_view> names;
  for (std::size_t index = 0; index < table.size(); ++index) {
    const views::TermRow& row = table[index];
    INFO(row.name);
    CHECK(static_cast<std::size_t>(row.term) == index);
    CHECK(names.insert(row.name).second);
    CHECK(views::term(row.term, Language::english) == row.english);
    CHECK(views::term(row.term, Language::chinese) == row.chinese);
    CHECK_FALSE(has_chinese(row.english));
    // The Chinese differs from the English, except where both are symbols or quotes.
    const bool symbols_only = row.english.find_first_of("abcdefghijklmnopqrstuvwxyz") ==
                              std::string_view::npos;
    if (!symbols_only) CHECK(row.english != row.chinese);
    // The Chinese fills no argument the English lacks (it may need fewer: 第一次握手 says
    // nothing of "of 3").
    for (const char* argument : {"{0}", "{1}", "{2}"}) {
      if (row.chinese.find(argument) != std::string_view::npos) {
        CHECK(row.english.find(argument) != std::string_view::npos);
      }
    }
  }
}

TEST_CASE("fill puts the arguments where each language wants them") {
  CHECK(views::fill("{1} of {0}", {"a", "b"}) == "b of a");
  CHECK(views::fill("{0}{0}", {"x"}) == "xx");
  CHECK(views::fill("no {3} here", {"a"}) == "no  here");
  CHECK(views::fill(Term::duplicate_ack_of, Language::english, {"2", "3"}) ==
        "duplicate ACK 2 of 3");
  CHECK(views::fill(Term::duplicate_ack_of, Language::chinese, {"2", "3"}) ==
        "第 2 个重复确认，共需 3 个");
  CHECK(views::fill(Term::expectations_met, Language::chinese, {"4", "5"}) ==
        "预期：5 项中满足 4 项");
}

TEST_CASE("timers, application events and rules read in both languages") {
  for (int kind = 0; kind < tcp::timer_kind_count; ++kind) {
    const auto timer = static_cast<tcp::TimerKind>(kind);
    CHECK_FALSE(views::timer_word(timer, Language::english).empty());
    CHECK(has_chinese(views::timer_word(timer, Language::chinese)));
    CHECK_FALSE(views::timer_short_word(timer, Language::chinese).empty());
  }
  // The textbook's words: 计时器, not 定时器; 时间等待计时器 for TIME_WAIT's 2MSL.
  CHECK(views::timer_word(tcp::TimerKind::keepalive, Language::chinese) == "保活计时器");
  CHECK(views::timer_word(tcp::TimerKind::retransmission, Language::chinese) == "重传计时器");
  CHECK(views::timer_word(tcp::TimerKind::time_wait, Language::chinese) ==
        "时间等待计时器（2MSL）");
  for (int kind = 0; kind < tcp::app_event_kind_count; ++kind) {
    const auto event = static_cast<tcp::AppEventKind>(kind);
    // English keeps the API's names, which scenario files use.
    CHECK(views::app_event_word(event, Language::english) == tcp::app_event_name(event));
    CHECK(views::app_event_word(event, Language::chinese) != tcp::app_event_name(event));
  }
  CHECK(views::rule_reason(tcp::Rule::passive_open, Language::english) ==
        "RFC 9293 3.10.1: passive OPEN");
  CHECK(views::rule_reason(tcp::Rule::passive_open, Language::chinese) ==
        "RFC 9293 3.10.1：被动打开，开始监听");
  CHECK(views::rule_reason(tcp::Rule::syn_received_ack, Language::chinese) ==
        "RFC 9293 3.10.7.4 第五步：在 SYN_RCVD 状态收到对我们 SYN-ACK 的确认（第三次握手）");
  CHECK(views::rule_reason(tcp::Rule::time_wait_disabled, Language::chinese) ==
        "time_wait = 0：TIME_WAIT 被禁用，立即进入 CLOSED（教学变体）");
  CHECK(views::rule_short(tcp::Rule::rst_in_syn_received_passive, Language::chinese) ==
        "RFC 9293 3.10.7.4 第二步");
}

TEST_CASE("a host's label and a Chinese description are what the views show") {
  const runner::Scenario scenario = runner::load_scenario_text(R"({ "tcpsim": 1,
    "name": "labels", "description": "English.", "description_zh": "中文说明。",
    "hosts": [{ "name": "client", "label": "客户端" }, { "name": "server" }],
    "timeline": [] })",
                                                               "labels.json");
  CHECK(views::host_display_name(scenario.hosts[0]) == "客户端");
  CHECK(views::host_display_name(scenario.hosts[1]) == "server");
  CHECK(views::scenario_description(scenario, Language::english) == "English.");
  CHECK(views::scenario_description(scenario, Language::chinese) == "中文说明。");
  runner::Scenario english_only = scenario;
  english_only.description_zh.clear();
  CHECK(views::scenario_description(english_only, Language::chinese) == "English.");
}

TEST_CASE("every view names a labelled host by its label, and shows the Chinese description") {
  runner::Scenario scenario =
      runner::load_scenario_file(source_dir + "/scenarios/three-way-handshake.json");
  scenario.hosts[0].label = "客户端";
  scenario.hosts[1].label = "服务器";
  const runner::RunResult result = runner::run_scenario(scenario);
  views::LadderOptions ladder;
  ladder.language = Language::chinese;
  const std::string text = views::format_ladder(scenario, result, ladder);
  CHECK(text.find("客户端 10.0.0.1  <->  服务器 10.0.0.2") != std::string::npos);
  CHECK(text.find("双方各自认为的连接：客户端 有 1 个连接；服务器 有 1 个连接") != std::string::npos);
  CHECK(text.find("三次握手，逐个字段地看") != std::string::npos);  // its description_zh
  CHECK(views::format_ladder(scenario, result, {}).find("The three-way handshake, field by") !=
        std::string::npos);
  views::SvgOptions svg;
  svg.language = Language::chinese;
  const std::string diagram = views::render_svg(scenario, result, svg);
  CHECK(diagram.find("class=\"host\" text-anchor=\"middle\">客户端</text>") != std::string::npos);
  CHECK(diagram.find("三次握手，逐个字段地看") != std::string::npos);
  const std::string mermaid = views::format_mermaid(scenario, result, {});
  CHECK(mermaid.find("participant client as 客户端 10.0.0.1") != std::string::npos);
  const auto sentences = views::narrate_run(scenario, result, Language::chinese,
                                            views::default_narration_options(scenario));
  bool named = false;
  for (const std::string& sentence : sentences) {
    named = named || sentence.rfind("第一次握手：客户端 的连接 c1", 0) == 0;
  }
  CHECK(named);
  // The trace keeps the names.
  CHECK(runner::format_jsonl(scenario, result).find("客户端") == std::string::npos);
}

TEST_CASE("the run's summary says what each side believes") {
  const auto summary = [](const std::string& name, Language language) {
    const runner::Scenario scenario =
        runner::load_scenario_file(source_dir + "/scenarios/" + name + ".json");
    return views::connection_summary(scenario, runner::run_scenario(scenario), language);
  };
  // The two-way lesson in one line.
  CHECK(summary("two-way-handshake-stale-syn", Language::english) ==
        "what each side believes: client: 1 connection; server: 2 connections");
  CHECK(summary("two-way-handshake-stale-syn", Language::chinese) ==
        "双方各自认为的连接：client 有 1 个连接；server 有 2 个连接");
  // The SVG and Mermaid end with the same line.
  {
    const runner::Scenario scenario =
        runner::load_scenario_file(source_dir + "/scenarios/two-way-handshake-stale-syn.json");
    const runner::RunResult result = runner::run_scenario(scenario);
    CHECK(views::render_svg(scenario, result).find(
              ">what each side believes: client: 1 connection; server: 2 connections</text>") !=
          std::string::npos);
    CHECK(views::format_mermaid(scenario, result, {}).find(
              "<br/>what each side believes#58; client#58; 1 connection#59; server#58; 2 "
              "connections\n") != std::string::npos);
  }
  // With three messages both agree; the phantom was only ever half-open.
  CHECK(summary("three-way-handshake-stale-syn", Language::english) ==
        "what each side believes: client: 1 connection; server: 1 connection (and 1 half-open, "
        "never established)");
  CHECK(summary("three-way-handshake-stale-syn", Language::chinese) ==
        "双方各自认为的连接：client 有 1 个连接；server 有 1 个连接（另有 1 个半连接，始终没有建立）");
}

TEST_CASE("no view writes Chinese of its own: the words table and the narration hold it") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir + "/views")) {
    const std::string name = entry.path().filename().string();
    if (name == "words.cpp" || name == "narration.cpp") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    ++files;
    for (const std::string& literal : string_literals(buffer.str())) {
      INFO("views/" << name << ": \"" << literal << "\"");
      CHECK_FALSE(has_chinese(literal));
    }
  }
  CHECK(files > 20);
  // The scanner finds what it looks for.
  CHECK(string_literals("a = \"x\"; // \"y\"\nb = 'z' + 1'000;") == std::vector<std::string>{"x"});
  CHECK(has_chinese("中"));
  CHECK(has_chinese("（"));
  CHECK_FALSE(has_chinese("(e) \u00b7 \u2192"));
}

}  // namespace views_words_tests
