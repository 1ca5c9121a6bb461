// The Mermaid view (--mermaid): a sequenceDiagram GitHub renders. Self-contained checks: golden
// files (tests/views/golden/<scenario>.mmd, TCPSIM_UPDATE_GOLDEN=1 rewrites them) and a line
// grammar that every statement must match, so no text can break Mermaid's parser.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/lost_bursts.hpp"
#include "views/mermaid.hpp"
#include "views/segment_reasons.hpp"

namespace views_mermaid_tests {

using namespace tcpsim;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

struct Run {
  runner::Scenario scenario;
  runner::RunResult result;
};

Run run_file(const std::string& relative_path) {
  Run run;
  run.scenario = runner::load_scenario_file(source_dir + "/" + relative_path);
  run.result = runner::run_scenario(run.scenario);
  return run;
}

std::string mermaid_of(const Run& run, views::Language language = views::Language::english) {
  views::MermaidOptions options;
  options.absolute_seq = runner::scenario_uses_fixed_isns(run.scenario);
  options.language = language;
  return views::format_mermaid(run.scenario, run.result, options);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

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
  for (int line = 1;; ++line) {
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

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Message, note, alias and title text as Mermaid's lexer needs it: once entity codes (#35;) and
// line breaks (<br/>) are taken out, no '#', ';' (both end the text), ':' , '%' (comments),
// '<' '>' (HTML), '{' '}' (directives), '"' or control character is left, and it is not empty.
bool safe_text(const std::string& text) {
  static const std::regex entity("#[0-9]+;");
  static const std::regex line_break("<br/>");
  std::string plain = std::regex_replace(text, entity, "");
  plain = std::regex_replace(plain, line_break, " ");
  if (plain.find_first_not_of(' ') == std::string::npos) return false;
  for (const char c : plain) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (std::string("#;:%<>{}\"&\\`").find(c) != std::string::npos) return false;
  }
  return true;
}

// Checks every line against the statements this view writes; returns the offending lines.
std::vector<std::string> grammar_violations(const std::string& diagram) {
  static const std::regex id_pattern("[A-Za-z][A-Za-z0-9_]*");
  static const std::regex title("    title (.+)");
  static const std::regex comment("    %% [^{}]*");
  static const std::regex participant("    participant ([A-Za-z][A-Za-z0-9_]*) as (.+)");
  static const std::regex message(
      "    ([A-Za-z][A-Za-z0-9_]*)(->>|-x|--\\))([A-Za-z][A-Za-z0-9_]*): (.+)");
  static const std::regex note(
      "    Note over ([A-Za-z][A-Za-z0-9_]*)(,([A-Za-z][A-Za-z0-9_]*))?: (.+)");
  std::vector<std::string> bad;
  const auto lines = lines_of(diagram);
  if (lines.empty() || lines[0] != "sequenceDiagram") bad.push_back("first line: not sequenceDiagram");
  std::set<std::string> participants;
  std::smatch match;
  for (std::size_t index = 1; index < lines.size(); ++index) {
    const std::string& line = lines[index];
    bool ok = false;
    if (std::regex_match(line, match, title)) {
      ok = safe_text(match[1]);
    } else if (std::regex_match(line, match, comment)) {
      ok = true;
    } else if (std::regex_match(line, match, participant)) {
      ok = safe_text(match[2]) && participants.insert(match[1]).second;
    } else if (std::regex_match(line, match, message)) {
      ok = participants.count(match[1]) == 1 && participants.count(match[3]) == 1 &&
           match[1] != match[3] && safe_text(match[4]);
    } else if (std::regex_match(line, match, note)) {
      ok = participants.count(match[1]) == 1 &&
           (!match[3].matched || participants.count(match[3]) == 1) && safe_text(match[4]);
    }
    if (!ok) bad.push_back("line " + std::to_string(index + 1) + ": " + line);
  }
  if (participants.size() != 2) bad.push_back("not exactly two participants");
  return bad;
}

std::size_t count_lines(const std::string& diagram, const std::string& pattern) {
  const std::regex re(pattern);
  std::size_t count = 0;
  for (const auto& line : lines_of(diagram)) count += std::regex_search(line, re) ? 1 : 0;
  return count;
}

std::size_t count_events(const runner::RunResult& result, runner::TraceKind kind) {
  std::size_t count = 0;
  for (const auto& event : result.trace) count += event.kind == kind ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("Mermaid diagrams match their golden files") {
  for (const std::string name : {"three-way-handshake", "lost-final-ack-time-wait",
                                 "two-way-handshake-stale-syn", "simultaneous-open"}) {
    SECTION(name) {
      check_golden("tests/views/golden/" + name + ".mmd",
                   mermaid_of(run_file("scenarios/" + name + ".json")));
    }
  }
}

TEST_CASE("Mermaid marks injected segments, a spoofed source included") {
  const Run run = run_file("tests/views/scenarios/injected-segments.json");
  const std::string diagram = mermaid_of(run);
  check_golden("tests/views/golden/injected-segments.mmd", diagram);
  // Mermaid text escapes '#' and ':'.
  CHECK(diagram.find("#35;4 injected by the script from the spoofed address 10.0.0.9#58;4000") !=
        std::string::npos);
  CHECK(diagram.find("client->>server: #35;4 SYN seq=777 win=65535 len=0 (injected)") !=
        std::string::npos);
  CHECK(diagram.find("#35;7 injected by the script") != std::string::npos);
}

TEST_CASE("every shipped scenario gives a diagram whose every line is a known statement, in "
          "both languages") {
  // Every scenarios/*.json, found as the directory holds them, so that a new scenario is
  // checked without being listed here.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir + "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  for (const std::string& file : files) {
    INFO(file);
    const Run run = run_file("scenarios/" + file);
    const std::string diagram = mermaid_of(run);
    for (const views::Language language : {views::Language::english, views::Language::chinese}) {
      const auto bad = grammar_violations(mermaid_of(run, language));
      std::string list;
      for (const auto& item : bad) list += "\n  " + item;
      INFO((language == views::Language::chinese ? "zh" : "en") << list);
      CHECK(bad.empty());
    }
    // One arrow per delivery, one crossed arrow per expiry and per loss, the losses of a
    // lost burst (views/lost_bursts.hpp) counting once.
    CHECK(count_lines(diagram, "^    [A-Za-z0-9_]+->>") ==
          count_events(run.result, runner::TraceKind::deliver));
    const views::LostBursts bursts(run.result, views::SegmentStory(run.scenario, run.result));
    std::size_t in_bursts = 0;
    for (const views::LostBurst& burst : bursts.all()) in_bursts += burst.drops.size() - 1;
    CHECK(count_lines(diagram, "^    [A-Za-z0-9_]+-x") ==
          count_events(run.result, runner::TraceKind::drop) - in_bursts +
              count_events(run.result, runner::TraceKind::expire));
  }
}

TEST_CASE("names and rules full of Mermaid syntax cannot break the diagram") {
  const Run run = run_file("tests/views/awkward-names.json");
  const std::string diagram = mermaid_of(run);
  const auto bad = grammar_violations(diagram);
  std::string list;
  for (const auto& item : bad) list += "\n  " + item;
  INFO(diagram << list);
  CHECK(bad.empty());
  // "note1" begins with a keyword and "end-point" has a hyphen: both get plain ids, and keep
  // their names in the alias.
  CHECK(diagram.find("    participant host1 as note1 10.0.0.1\n") != std::string::npos);
  CHECK(diagram.find("    participant host2 as end-point 10.0.0.2\n") != std::string::npos);
  // The rule's name survives, escaped.
  CHECK(diagram.find("rule 'a#59;b#35;c#58;d #37;#37;#123;x#125; #60;b#62;#38;amp#59;'") !=
        std::string::npos);
  // The copy that outlived MSL is crossed out; segments on the wire at the end are open arrows.
  CHECK(count_lines(diagram, "^    host1-xhost2: #35;1' SYN .*expired in the network") == 1);
  CHECK(count_lines(diagram, "^    host1--\\)host2: .*still in flight when the run ended") >= 1);
  CHECK(count_lines(diagram, "duplicated by the network") >= 1);
  CHECK(count_lines(diagram, "^    host2->>host1: #35;5' .*a copy made by the network") == 1);
}

TEST_CASE("Mermaid text escaping keeps letters and turns syntax into entity codes") {
  CHECK(views::mermaid_escape("web#1") == "web#35;1");
  CHECK(views::mermaid_escape("a;b:c") == "a#59;b#58;c");
  CHECK(views::mermaid_escape("%%{init}%%") == "#37;#37;#123;init#125;#37;#37;");
  CHECK(views::mermaid_escape("<br/>") == "#60;br/#62;");
  CHECK(views::mermaid_escape("SYN,ACK seq=0 (rule 'x')") == "SYN,ACK seq=0 (rule 'x')");
  CHECK(views::mermaid_escape("连接") == "连接");
  // A control character is shown as text::visible's escape, its backslash as an entity code.
  CHECK(views::mermaid_escape("a\nb") == "a#92;x0ab");
  CHECK(views::mermaid_escape("\u202e") == "#92;u#123;202E#125;");
}

TEST_CASE("the diagram shows holds on the arrow and state changes as notes") {
  const Run run = run_file("scenarios/three-way-handshake-stale-syn.json");
  const std::string diagram = mermaid_of(run);
  CHECK(diagram.find("    participant client as client 10.0.0.1\n") != std::string::npos);
  CHECK(diagram.find("    client->>server: #35;1 SYN seq=0 win=65535 len=0 (sent at 0.1s, held "
                     "until 3s by rule 'stale-syn')\n") != std::string::npos);
  // A state change's note cites its rule.
  CHECK(diagram.find("web#35;2 LISTEN (" +
                     std::string(tcp::rule_text(tcp::Rule::rst_in_syn_received_passive).citation) +
                     ")") != std::string::npos);
  views::MermaidOptions no_timers;
  no_timers.timers = false;
  const std::string quiet = views::format_mermaid(run.scenario, run.result, no_timers);
  CHECK(quiet.find("timer until") == std::string::npos);
  CHECK(quiet.find("timer fires") != std::string::npos);
  CHECK(grammar_violations(quiet).empty());
}

TEST_CASE("a timer's note says when the timer wheel moved its deadline") {
  const Run run = run_file("scenarios/linux-syn-exponential-timeouts.json");
  const std::string diagram = mermaid_of(run);
  CHECK(diagram.find("    Note over client: 0s c1 retransmission timer until 1.024s (1 s, rounded "
                     "up to 1.024 s by timer_wheel)\n") != std::string::npos);
  CHECK(grammar_violations(diagram).empty());
  views::MermaidOptions chinese;
  chinese.language = views::Language::chinese;
  CHECK(views::format_mermaid(run.scenario, run.result, chinese)
            .find("c1 重传计时器启动，到 1.024s 为止（时长 1 s，被 timer_wheel 向上取整为 1.024 s）") !=
        std::string::npos);
}

TEST_CASE("Mermaid: segments lost together are one crossed arrow, a segment lost alone as "
          "before, in both languages") {
  views::MermaidOptions chinese;
  chinese.language = views::Language::chinese;
  // The full queue drops #13 to #68 at 200 ms: one arrow, where the last of them is lost.
  const Run bottleneck = run_file("scenarios/cc-bottleneck-without-congestion-control.json");
  const std::string diagram = mermaid_of(bottleneck);
  CHECK(count_events(bottleneck.result, runner::TraceKind::drop) == 56);
  CHECK(count_lines(diagram, "-x") == 1);
  CHECK(diagram.find("    client-xserver: #35;13\u2013#35;68 lost (56 segments)#58; queue full\n") !=
        std::string::npos);
  CHECK(grammar_violations(diagram).empty());
  const std::string zh = views::format_mermaid(bottleneck.scenario, bottleneck.result, chinese);
  CHECK(count_lines(zh, "-x") == 1);
  CHECK(zh.find("    client-xserver: #35;13\u2013#35;68 丢失（56 个报文段）：链路队列已满\n") !=
        std::string::npos);
  CHECK(grammar_violations(zh).empty());

  // A segment lost alone keeps its label and cause.
  const Run alone = run_file("scenarios/lost-final-ack-time-wait.json");
  CHECK(mermaid_of(alone).find("    client-xserver: #35;7 ACK seq=2 ack=2 win=65535 len=0 lost "
                               "(rule 'lose-final-ack')\n") != std::string::npos);

  // One rule loses #4 and #5 at 300 ms, #6 and #7 at 320 ms: two bursts, two arrows.
  const Run two = run_file("tests/views/two-lost-bursts.json");
  const std::string bursts = mermaid_of(two);
  CHECK(count_lines(bursts, "-x") == 2);
  const std::size_t first =
      bursts.find("    client-xserver: #35;4\u2013#35;5 lost (2 segments)#58; rule 'lose-four'\n");
  const std::size_t second =
      bursts.find("    client-xserver: #35;6\u2013#35;7 lost (2 segments)#58; rule 'lose-four'\n");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(views::format_mermaid(two.scenario, two.result, chinese)
            .find("#35;6\u2013#35;7 丢失（2 个报文段）：故障规则 'lose-four'\n") != std::string::npos);
  CHECK(grammar_violations(bursts).empty());
}

}  // namespace views_mermaid_tests
