// Every view tells the whole story: the reasons the trace carries (fast retransmit, window
// probe, keepalive probe, window update, injected segments) and what the views work out from
// it (the n-th duplicate ACK of the threshold, data held out of order, a stale connection
// request, the textbook's numbering of the handshake and the close) appear in the ladder, the
// SVG, Mermaid and the narration, in English and in Chinese; and the Chinese narration uses the
// seed articles' words where they apply.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/ladder.hpp"
#include "views/mermaid.hpp"
#include "views/narration.hpp"
#include "views/segment_reasons.hpp"
#include "views/svg.hpp"

namespace views_segment_reasons_tests {

using namespace tcpsim;
using runner::TraceEvent;
using runner::TraceKind;
using views::Language;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

struct Run {
  runner::Scenario scenario;
  runner::RunResult result;
};

Run run_file(const std::string& path) {
  Run run;
  run.scenario = runner::load_scenario_file(path);
  run.result = runner::run_scenario(run.scenario);
  REQUIRE_FALSE(run.result.error);
  return run;
}

Run run_named(const std::string& name) {
  return run_file(source_dir + "/scenarios/" + name + ".json");
}

// Every scenario the project ships or tests the views with.
std::vector<std::string> all_scenario_files() {
  std::vector<std::string> files;
  for (const char* directory : {"/scenarios", "/tests/views/scenarios", "/tests/pcap/scenarios"}) {
    for (const auto& entry : std::filesystem::directory_iterator(source_dir + directory)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A lossy transfer both ways: enough duplicate ACKs and fast retransmits to test the count.
runner::Scenario lossy_transfer(std::uint64_t seed) {
  return runner::load_scenario_text(R"({ "tcpsim": 1, "name": "lossy", "seed": )" +
                                        std::to_string(seed) + R"(,
    "description": "Data both ways over a lossy, reordering link.",
    "link": { "delay": "20ms", "jitter": "15ms", "loss": 0.08,
              "reorder": { "probability": 0.1, "extra_delay": "30ms" } },
    "hosts": [{ "name": "client", "tcp": { "mss": 200 } }, { "name": "server" }],
    "timeline": [
      { "at": "0s", "host": "server", "action": "listen", "port": 80 },
      { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
        "name": "c1" },
      { "at": "500ms", "host": "client", "action": "send", "connection": "c1", "bytes": 20000 },
      { "at": "500ms", "host": "server", "action": "send", "connection": "server:80#1",
        "bytes": 8000 }
    ], "stop_at": "120s" })",
                                    "lossy.json");
}

// The sends of the core's fast retransmissions, and the arrivals the views count as the
// threshold-th duplicate ACK, agree: each is in the handling of the other.
void check_duplicate_acks_agree(const runner::Scenario& scenario, const runner::RunResult& result,
                                int& fast_retransmits) {
  const views::SegmentStory story(scenario, result);
  const auto& trace = result.trace;
  std::size_t arrival = trace.size();  // the arrival being handled
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const TraceEvent& event = trace[index];
    if (event.kind == TraceKind::deliver || event.kind == TraceKind::action ||
        event.kind == TraceKind::timer_fire) {
      arrival = event.kind == TraceKind::deliver ? index : trace.size();
    }
    if (event.kind == TraceKind::send && event.rule == tcp::Rule::fast_retransmit) {
      ++fast_retransmits;
      INFO(scenario.name << " seed " << result.seed << ": fast retransmit of #"
                         << event.segment.id << " at event " << index);
      REQUIRE(arrival < trace.size());
      const views::SegmentReasons& counted = story.at(arrival);
      CHECK(trace[arrival].host == event.host);
      CHECK(counted.duplicate_ack > 0);
      if (trace[arrival].segment.sack_block_count > 0) {
        // RFC 6675 5: with SACK, DupThresh segments SACKed above the hole (IsLost) start the
        // recovery before DupThresh duplicate ACKs have arrived.
        CHECK(counted.duplicate_ack <= counted.duplicate_ack_threshold);
      } else {
        CHECK(counted.duplicate_ack == counted.duplicate_ack_threshold);
      }
    }
    if (event.kind == TraceKind::deliver) {
      const views::SegmentReasons& counted = story.at(index);
      if (counted.duplicate_ack == 0 || counted.duplicate_ack != counted.duplicate_ack_threshold) {
        continue;
      }
      bool retransmitted = false;
      for (std::size_t next = index + 1; next < trace.size(); ++next) {
        const TraceEvent& later = trace[next];
        if (later.kind == TraceKind::deliver || later.kind == TraceKind::action ||
            later.kind == TraceKind::timer_fire) {
          break;
        }
        retransmitted = retransmitted || (later.kind == TraceKind::send &&
                                          later.host == event.host &&
                                          later.rule == tcp::Rule::fast_retransmit);
      }
      INFO(scenario.name << " seed " << result.seed << ": #" << event.segment.id
                         << " counted duplicate ACK " << counted.duplicate_ack);
      CHECK(retransmitted);
    }
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string narration(const Run& run, Language language);

// Every view of a run, in one language (the narration unwrapped, as sentences).
struct Views {
  std::string ladder, explained, svg, mermaid;
};

Views views_of(const Run& run, Language language) {
  Views out;
  views::LadderOptions ladder;
  ladder.language = language;
  ladder.absolute_seq = runner::scenario_uses_fixed_isns(run.scenario);
  ladder.width = 160;
  out.ladder = views::format_ladder(run.scenario, run.result, ladder);
  out.explained = narration(run, language);
  views::SvgOptions svg;
  svg.language = language;
  out.svg = views::render_svg(run.scenario, run.result, svg);
  views::MermaidOptions mermaid;
  mermaid.language = language;
  out.mermaid = views::format_mermaid(run.scenario, run.result, mermaid);
  return out;
}

// The word appears in the ladder, the SVG, Mermaid and, past the ladder's own lines, the
// narration.
void check_everywhere(const Run& run, Language language, const std::string& word) {
  const Views all = views_of(run, language);
  INFO(run.scenario.name << ": " << word);
  CHECK(contains(all.ladder, word));
  CHECK(contains(all.svg, views::text::xml_escape(word)));
  CHECK(contains(all.mermaid, views::mermaid_escape(word)));
  CHECK(contains(all.explained, word));
}

std::size_t position_of(const std::string& text, const std::string& part, std::size_t from = 0) {
  const std::size_t at = text.find(part, from);
  INFO("looking for " << part);
  CHECK(at != std::string::npos);
  return at == std::string::npos ? from : at;
}

std::string narration(const Run& run, Language language) {
  std::string out;
  for (const std::string& sentence : views::narrate_run(
           run.scenario, run.result, language, views::default_narration_options(run.scenario))) {
    out += sentence + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("the duplicate ACKs the views count reach the threshold where TCP fast-retransmits") {
  int fast_retransmits = 0;
  for (const std::string& file : all_scenario_files()) {
    const Run run = run_file(file);
    check_duplicate_acks_agree(run.scenario, run.result, fast_retransmits);
  }
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const runner::Scenario scenario = lossy_transfer(seed);
    const runner::RunResult result = runner::run_scenario(scenario);
    REQUIRE_FALSE(result.error);
    check_duplicate_acks_agree(scenario, result, fast_retransmits);
  }
  // The check has something to check.
  CHECK(fast_retransmits > 20);
}

TEST_CASE("data-fast-retransmit: each duplicate ACK is counted, in order, of the threshold") {
  const Run run = run_named("data-fast-retransmit");
  const views::SegmentStory story(run.scenario, run.result);
  std::vector<int> counts;
  int held = 0;
  for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
    const auto& reasons = story.at(index);
    if (reasons.duplicate_ack > 0) {
      counts.push_back(reasons.duplicate_ack);
      CHECK(reasons.duplicate_ack_threshold == 3);
    }
    if (reasons.held_out_of_order) ++held;
  }
  CHECK(counts == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(held == 5);  // #5 .. #9 arrive with #4 missing
  for (const Language language : {Language::english, Language::chinese}) {
    const bool en = language == Language::english;
    check_everywhere(run, language, en ? "duplicate ACK 2 of 3" : "第 2 个重复确认，共需 3 个");
    check_everywhere(run, language, en ? "duplicate ACK 3 of 3" : "第 3 个重复确认，共需 3 个");
    check_everywhere(run, language,
                     en ? "out of order: held for reassembly" : "失序的报文段：暂存，等待重组");
  }
  // The fast retransmission itself: its rule in the ladder, the narration and Mermaid's note,
  // and the short word on the SVG's arrow.
  const Views en = views_of(run, Language::english);
  CHECK(contains(en.ladder, "(RFC 5681 3.2: fast retransmit after duplicate ACKs)"));
  CHECK(contains(en.svg, "fast retransmit"));
  CHECK(contains(en.mermaid, "fast retransmit"));
  CHECK(contains(en.explained, "rule: fast retransmit after duplicate ACKs, per RFC 5681 3.2"));
  check_everywhere(run, Language::chinese, "快重传");
}

TEST_CASE("window probes, window updates and keepalive probes are named in every view") {
  const Run zero_window = run_named("data-slow-reader-zero-window");
  const Run keepalive = run_named("keepalive-detects-crashed-client");
  check_everywhere(zero_window, Language::english, "window probe");
  check_everywhere(zero_window, Language::english, "window update");
  check_everywhere(zero_window, Language::chinese, "零窗口探测");
  check_everywhere(zero_window, Language::chinese, "窗口更新");
  check_everywhere(keepalive, Language::english, "keepalive probe");
  check_everywhere(keepalive, Language::chinese, "保活探测");
  // The ladder gives the core's rule beside the probe.
  CHECK(contains(views_of(keepalive, Language::english).ladder,
                 "(RFC 1122 4.2.3.6: idle connection, keepalive probe)"));
}

TEST_CASE("an injected segment is marked in every view") {
  const Run run = run_file(source_dir + "/tests/views/scenarios/injected-segments.json");
  check_everywhere(run, Language::english, "injected");
  check_everywhere(run, Language::chinese, "注入");
}

TEST_CASE("every segment carries its window, and --no-window keeps only a zero window") {
  const Run run = run_named("data-slow-reader-zero-window");
  const Views all = views_of(run, Language::english);
  CHECK(contains(all.ladder, "win=65535 len=0"));
  CHECK(contains(all.svg, "win=65535 len=0"));
  CHECK(contains(all.mermaid, "win=65535 len=0"));
  CHECK(contains(all.ladder, " win=0 len=0"));
  views::LadderOptions ladder;
  ladder.window = false;
  ladder.width = 160;
  const std::string no_window = views::format_ladder(run.scenario, run.result, ladder);
  CHECK_FALSE(contains(no_window, "win=65535"));
  CHECK(contains(no_window, " win=0 len=0"));
  views::SvgOptions svg;
  svg.window = false;
  CHECK_FALSE(contains(views::render_svg(run.scenario, run.result, svg), "win=65535"));
  views::MermaidOptions mermaid;
  mermaid.window = false;
  CHECK_FALSE(contains(views::format_mermaid(run.scenario, run.result, mermaid), "win=65535"));
}

TEST_CASE("the handshake and the close are numbered as the textbook numbers them") {
  const Run handshake = run_named("three-way-handshake");
  const std::string zh = narration(handshake, Language::chinese);
  const std::size_t first =
      position_of(zh, "第一次握手：client 的连接 c1（SYN_SENT）发出连接请求报文段 #1 SYN");
  const std::size_t second =
      position_of(zh, "第二次握手：server 的连接 web#1（SYN_RCVD）同意建立连接", first);
  const std::size_t third =
      position_of(zh, "第三次握手：client 的连接 c1（ESTABLISHED）发出确认报文段 #3 ACK", second);
  CHECK(first < second);
  CHECK(second < third);
  CHECK(contains(zh, "SYN=1，初始序号 seq=1000"));
  CHECK(contains(zh, "确认号 ack=1001，即对方的初始序号加 1"));
  CHECK(contains(zh, "半连接"));
  const std::string en = narration(handshake, Language::english);
  CHECK(contains(en, "(handshake 1 of 3)"));
  CHECK(contains(en, "(handshake 3 of 3)"));

  const Run close = run_named("four-way-close");
  const std::string closing = narration(close, Language::chinese);
  std::size_t at = 0;
  for (const char* step : {"第一次挥手", "第二次挥手", "第三次挥手", "第四次挥手"}) {
    const std::size_t next = position_of(closing, step, at);
    CHECK(next >= at);
    at = next;
  }
  CHECK(contains(closing, "半关闭"));
  CHECK(contains(closing, "2MSL"));
  CHECK(contains(narration(close, Language::english), "(close 4 of 4)"));

  // A two-way handshake has two numbered segments and says there is no third.
  const Run two_way = run_named("two-way-handshake-stale-syn");
  const std::string two = narration(two_way, Language::chinese);
  CHECK(contains(two, "第一次握手"));
  CHECK(contains(two, "第二次握手"));
  CHECK(contains(two, "这是两次握手：没有第三次握手"));
  CHECK_FALSE(contains(two, "第三次握手："));

  // A simultaneous close is not the textbook's four steps: nothing is numbered.
  const std::string simultaneous = narration(run_named("simultaneous-close"), Language::chinese);
  CHECK_FALSE(contains(simultaneous, "次挥手："));
  // The second and third in one segment: the peer's ACK of the FIN carries its own FIN.
  const Run fin_ack = run_named("close-on-end-of-stream");
  CHECK(contains(narration(fin_ack, Language::chinese), "第二、三次挥手合在一个报文段里"));
  CHECK(contains(narration(fin_ack, Language::english), "(close 2 and 3 of 4)"));
}

TEST_CASE("the Chinese narration uses the seed articles' words where they apply") {
  struct Expected {
    const char* scenario;
    std::vector<std::string> words;
  };
  const std::vector<Expected> expected = {
      {"three-way-handshake", {"三次握手", "序号", "确认号", "半连接"}},
      {"two-way-handshake-stale-syn", {"已失效的连接请求报文段", "两次握手"}},
      {"three-way-handshake-stale-syn", {"已失效的连接请求报文段", "半连接"}},
      {"four-way-close", {"四次挥手", "半关闭", "2MSL", "时间等待计时器"}},
      {"half-close", {"半关闭", "第二次挥手"}},
      {"keepalive-detects-crashed-client", {"保活计时器", "保活探测报文段"}},
      {"data-ack-numbers", {"序号 1201 到 1300", "确认号 ack=1301"}},
      {"data-fast-retransmit", {"快重传", "重复确认", "失序的报文段"}},
      {"lost-final-ack-time-wait", {"2MSL", "第四次挥手"}},
  };
  for (const Expected& entry : expected) {
    const std::string text = narration(run_named(entry.scenario), Language::chinese);
    for (const std::string& word : entry.words) {
      INFO(entry.scenario << ": " << word);
      CHECK(contains(text, word));
    }
  }
  // And not the translated-English words they replace.
  for (const char* name : {"three-way-handshake", "four-way-close", "data-fast-retransmit",
                           "keepalive-detects-crashed-client"}) {
    const std::string text = narration(run_named(name), Language::chinese);
    INFO(name);
    CHECK_FALSE(contains(text, "定时器"));  // the textbook says 计时器
    CHECK_FALSE(contains(text, "对端"));    // and 对方
    CHECK_FALSE(contains(text, "乱序到达"));  // and 失序
  }
}

TEST_CASE("a stale SYN is the textbook's stale connection request") {
  for (const char* name : {"two-way-handshake-stale-syn", "three-way-handshake-stale-syn"}) {
    const Run run = run_named(name);
    const views::SegmentStory story(run.scenario, run.result);
    int stale = 0;
    for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
      if (!story.at(index).stale_syn) continue;
      ++stale;
      CHECK(run.result.trace[index].kind == TraceKind::deliver);
      CHECK(run.result.trace[index].segment.id == 1);
    }
    INFO(name);
    CHECK(stale == 1);
  }
  // A SYN that finds its sender still waiting is not stale.
  const Run fresh = run_named("three-way-handshake");
  const views::SegmentStory story(fresh.scenario, fresh.result);
  for (std::size_t index = 0; index < fresh.result.trace.size(); ++index) {
    CHECK_FALSE(story.at(index).stale_syn);
  }
}

}  // namespace views_segment_reasons_tests
