// The stepping HTML page: goldens byte for byte; one self-contained file (no network), the SVG
// inline, the steps as JSON that cannot break out of its <script>, one sentence per step.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "diagram_test_support.hpp"
#include "runner/trace_format.hpp"
#include "views/html.hpp"
#include "views/html_textbook.hpp"
#include "views/text.hpp"
#include "views/narration.hpp"

namespace views_html_tests {

using namespace diagram_test;
using tcpsim::runner::TraceEvent;
using tcpsim::runner::TraceKind;
using tcpsim::views::render_html;
using States = std::vector<std::string>;

namespace {

std::string steps_json(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"tcpsim-steps\">";
  const std::size_t start = page.find(open);
  REQUIRE(start != std::string::npos);
  const std::size_t end = page.find("</script>", start);
  REQUIRE(end != std::string::npos);
  return page.substr(start + open.size(), end - start - open.size());
}

// The JSON object of step `index` (one per line in the page).
std::string step_line(const std::string& json, std::size_t index) {
  std::size_t position = json.find("\"steps\":[\n");
  REQUIRE(position != std::string::npos);
  position += 10;
  for (std::size_t k = 0; k < index; ++k) position = json.find('\n', position) + 1;
  return json.substr(position, json.find('\n', position) - position);
}

// Every connection's state after step `index`, as the page's script computes it: each step's
// change ("s", written only when the step changes the state of its connection "ci") applied in
// order. Reads the fields as the page writes them, "ci" before "s" (a quote inside a string is
// escaped, so `,"s":"` is the field).
States states_after(const std::string& json, std::size_t index,
                   std::size_t connections) {
  States states(connections);
  const std::regex change("\"ci\":(-?[0-9]+),.*,\"s\":\"([^\"]*)\"");
  for (std::size_t step = 0; step <= index; ++step) {
    const std::string line = step_line(json, step);
    std::smatch match;
    if (!std::regex_search(line, match, change)) continue;
    states.at(static_cast<std::size_t>(std::stoi(match[1].str()))) = match[2].str();
  }
  return states;
}

}  // namespace

TEST_CASE("html: golden pages match byte for byte") {
  const char* scenarios[] = {"scenarios/three-way-handshake.json",
                             "scenarios/lost-final-ack-time-wait.json",
                             "scenarios/two-way-handshake-stale-syn.json",
                             "tests/views/scenarios/injected-segments.json"};
  for (const char* file : scenarios) {
    const Run scenario_run = run(file);
    const std::string name = std::filesystem::path(file).stem().string();
    SECTION(name) { check_golden(name + ".html", render_html(scenario_run.scenario, scenario_run.result)); }
  }
}

TEST_CASE("html: one self-contained file: nothing fetched from the network or another file") {
  const Run r = run("scenarios/two-way-handshake-stale-syn.json");
  const std::string page = render_html(r.scenario, r.result);
  const std::regex address("https?://[^\"'\\s<]*");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), address); it != std::sregex_iterator(); ++it) {
    CHECK((*it)[0].str() == "http://www.w3.org/2000/svg");  // the SVG namespace, never fetched
  }
  CHECK(page.find(" src=") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  // A url() may only name something in the page itself (the reveal's clip path: "url(#").
  for (std::size_t at = page.find("url("); at != std::string::npos; at = page.find("url(", at + 1)) {
    CHECK(page.compare(at, 5, "url(#") == 0);
  }
  CHECK(page.find("@font-face") == std::string::npos);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
}

TEST_CASE("html: the page embeds the diagram and one step per trace event") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string page = render_html(r.scenario, r.result);
  const std::string svg = tcpsim::views::render_svg(r.scenario, r.result);
  CHECK(page.find("<div id=\"diagram\">\n" + svg + "</div>") != std::string::npos);
  const std::string json = steps_json(page);
  std::size_t steps = 0;
  for (std::size_t position = 0; (position = json.find("\n{\"t\":", position)) != std::string::npos; ++position) {
    ++steps;
  }
  CHECK(steps == r.result.trace.size());
  // The page's script (views/html_page.js) builds the controls around the diagram, and takes
  // the arrow keys.
  CHECK(page.find("<div id=\"tcpsim-page\">\n<div id=\"diagram\">") != std::string::npos);
  CHECK(page.find("TcpsimPage") != std::string::npos);
  for (const char* id : {"first", "prev", "next", "last", "play", "narration", "states",
                         "position", "reveal", "speed", "textbook", "window", "present"}) {
    CHECK(page.find(std::string("'") + id + "'") != std::string::npos);
  }
  CHECK(page.find("ArrowRight") != std::string::npos);
  CHECK(page.find("ArrowLeft") != std::string::npos);
}

TEST_CASE("html: each step carries its time, its sentence and every connection's state") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string json = steps_json(render_html(r.scenario, r.result));
  const auto& trace = r.result.trace;
  // The first state change of the server's connection: web#1 LISTEN -> SYN_RCVD.
  std::size_t index = 0;
  while (!(trace[index].kind == TraceKind::state && trace[index].host == 1 &&
           trace[index].to == tcpsim::tcp::State::syn_received)) {
    ++index;
  }
  const std::string line = step_line(json, index);
  INFO(line);
  CHECK(line.find("\"t\":\"0.150\"") != std::string::npos);
  CHECK(line.find("\"k\":\"state\"") != std::string::npos);
  CHECK(line.find("\"h\":\"server\",\"c\":\"web#1\"") != std::string::npos);
  // The step carries only its own connection's new state; the page applies the changes.
  // Connections in order of creation: the listener web, c1, web#1.
  CHECK(line.find("\"ci\":2,") != std::string::npos);
  CHECK(line.find(",\"s\":\"SYN_RCVD\",") != std::string::npos);
  const std::size_t connections = r.result.connections.size();
  REQUIRE(connections == 3);
  CHECK(states_after(json, index, connections) == States{"LISTEN", "SYN_SENT", "SYN_RCVD"});
  // A step that changes no state carries none.
  CHECK(step_line(json, index + 1).find("\"s\":") == std::string::npos);
  // The page narrates with the narration view (views/narration.hpp).
  CHECK(line.find("On server, web#1, born in LISTEN as a copy of the listener web, receives #1 "
                  "SYN, so it goes to SYN_RCVD: " +
                  tcpsim::views::rule_sentence(tcpsim::tcp::Rule::listen_syn,
                                               tcpsim::views::Language::english) + ".") !=
        std::string::npos);
  // The listener is in LISTEN from its listen (steps 0 to 2: the action, its record, its
  // passive OPEN) to the end; before a connection exists it has no state; after its record is
  // deleted, "-".
  REQUIRE(trace[2].kind == TraceKind::state);
  CHECK(states_after(json, 2, connections) == States{"LISTEN", "", ""});
  CHECK(states_after(json, 5, connections) == States{"LISTEN", "SYN_SENT", ""});
  CHECK(states_after(json, trace.size() - 1, connections) == States{"LISTEN", "-", "-"});
}

TEST_CASE("html: the step data cannot close its <script>, whatever the text") {
  Run r = run("scenarios/three-way-handshake.json");
  r.scenario.name = "</script><script>alert(1)</script>";
  tcpsim::views::HtmlOptions options;
  options.narrator = [](std::size_t) { return std::string("</script><!-- & \xff \"quoted\""); };
  const std::string page = render_html(r.scenario, r.result, options);
  const std::string json = steps_json(page);
  CHECK(json.find('<') == std::string::npos);
  CHECK(json.find('>') == std::string::npos);
  // The stray byte is shown as an escape (views/text.hpp), whose backslash JSON escapes.
  CHECK(json.find("\\u003c/script\\u003e\\u003c!-- \\u0026 \\\\xff \\\"quoted\\\"") != std::string::npos);
  CHECK(page.find("<script>alert(1)") == std::string::npos);
  // Exactly the page's own two scripts.
  std::size_t scripts = 0;
  for (std::size_t position = 0; (position = page.find("<script", position)) != std::string::npos; ++position) {
    ++scripts;
  }
  CHECK(scripts == 2);
}

TEST_CASE("html: the narrator is pluggable, and the built-in one is used otherwise") {
  const Run r = run("scenarios/three-way-handshake.json");
  tcpsim::views::HtmlOptions options;
  options.narrator = [](std::size_t index) { return "custom sentence " + std::to_string(index); };
  const std::string page = render_html(r.scenario, r.result, options);
  CHECK(page.find("\"n\":\"custom sentence 0\"") != std::string::npos);
  CHECK(page.find("\"n\":\"custom sentence " + std::to_string(r.result.trace.size() - 1) + "\"") !=
        std::string::npos);
  const std::string built_in = render_html(r.scenario, r.result);
  CHECK(built_in.find("custom sentence") == std::string::npos);
  CHECK(built_in.find("On server, the application calls listen on port 80") != std::string::npos);
}

TEST_CASE("html: same run, same bytes") {
  const Run a = run("scenarios/simultaneous-open.json");
  const Run b = run("scenarios/simultaneous-open.json");
  CHECK(render_html(a.scenario, a.result) == render_html(b.scenario, b.result));
}

namespace {

// The page's data, parsed just enough for the tests: the object of segment `key` in "segs",
// and the value of a string field in a JSON object's text.
std::string segment_entry(const std::string& json, const std::string& key) {
  const std::string open = "\"" + key + "\":{";
  const std::size_t start = json.find(open, json.find("\"segs\":{"));
  REQUIRE(start != std::string::npos);
  return json.substr(start + open.size() - 1,
                     json.find('}', start) - start - open.size() + 2);
}
std::string field(const std::string& object, const std::string& key) {
  const std::regex pattern("\"" + key + "\":\"((?:[^\"\\\\]|\\\\.)*)\"");
  std::smatch match;
  if (!std::regex_search(object, match, pattern)) return "(none)";
  return match[1].str();
}

}  // namespace

TEST_CASE("html: --lang zh gives the page its lang attribute, the data its language and the "
          "narration in Chinese") {
  const Run r = run("scenarios/three-way-handshake.json");
  tcpsim::views::HtmlOptions options;
  options.language = tcpsim::views::Language::chinese;
  const std::string page = render_html(r.scenario, r.result, options);
  CHECK(page.find("<html lang=\"zh-CN\">") != std::string::npos);
  const std::string json = steps_json(page);
  CHECK(json.rfind("{\"lang\":\"zh\",", 0) == 0);
  const auto chinese = tcpsim::views::narrate_run(r.scenario, r.result,
                                                  tcpsim::views::Language::chinese, {});
  CHECK(step_line(json, 0).find(field(step_line(json, 0), "n")) != std::string::npos);
  CHECK(field(step_line(json, 0), "n") == chinese[0]);
  const std::string english = render_html(r.scenario, r.result);
  CHECK(english.find("<html lang=\"en\">") != std::string::npos);
  CHECK(steps_json(english).rfind("{\"lang\":\"en\",", 0) == 0);
  // The interface's words are the page script's, in both languages (views/html_page.js).
  CHECK(page.find("下一步") != std::string::npos);
  CHECK(page.find("演示模式") != std::string::npos);
}

TEST_CASE("html: textbook labels are the seed articles': SYN=1 seq=x, the handshake and the "
          "close numbered") {
  const Run r = run("scenarios/four-way-close.json");
  using tcpsim::views::Language;
  const auto zh = tcpsim::views::textbook_labels(r.scenario, r.result, Language::chinese, false);
  const auto en = tcpsim::views::textbook_labels(r.scenario, r.result, Language::english, false);
  REQUIRE(zh.size() == 7);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"第一次握手", "SYN=1 seq=x"},
      {"第二次握手", "SYN=1 ACK=1 seq=y ack=x+1"},
      {"第三次握手", "ACK=1 seq=x+1 ack=y+1"},
      {"第一次挥手", "FIN=1 ACK=1 seq=u ack=y+1"},
      {"第二次挥手", "ACK=1 seq=v ack=u+1"},
      {"第三次挥手", "FIN=1 ACK=1 seq=w ack=u+1"},
      {"第四次挥手", "ACK=1 seq=u+1 ack=w+1"}};
  for (std::size_t id = 1; id <= 7; ++id) {
    INFO("segment #" << id);
    CHECK(zh.at(id).ordinal == expected[id - 1].first);
    CHECK(zh.at(id).fields == expected[id - 1].second);
    CHECK(en.at(id).fields == expected[id - 1].second);
  }
  CHECK(en.at(1).ordinal == "handshake 1 of 3");
  CHECK(en.at(7).ordinal == "close 4 of 4");

  // The lost final ACK: the FIN again, the ACK again; data counts from the letters.
  const Run lost = run("scenarios/lost-final-ack-time-wait.json");
  const auto again = tcpsim::views::textbook_labels(lost.scenario, lost.result,
                                                    Language::chinese, false);
  CHECK(again.at(8).ordinal == "第三次挥手（重传）");
  CHECK(again.at(9).ordinal == "第四次挥手（再次）");
  const Run data = run("scenarios/data-fast-retransmit.json");
  const auto counted = tcpsim::views::textbook_labels(data.scenario, data.result,
                                                      Language::english, false);
  CHECK(counted.at(5).fields == "ACK=1 seq=x+101 ack=y+1 len=100");
  CHECK(counted.at(16).fields == "ACK=1 seq=y+1 ack=x+601");
  CHECK(counted.at(5).ordinal.empty());

  // Two streams: the second one's letters have primes; two-way: no third handshake.
  const Run stale = run("scenarios/two-way-handshake-stale-syn.json");
  const auto two = tcpsim::views::textbook_labels(stale.scenario, stale.result,
                                                  Language::chinese, false);
  CHECK(two.at(2).fields == "SYN=1 seq=x′");
  CHECK(two.at(3).fields == "SYN=1 ACK=1 seq=y′ ack=x′+1");
  CHECK(two.at(4).ordinal.empty());
  CHECK(two.at(6).ordinal == "第二次握手");
  CHECK(two.at(6).fields == "SYN=1 ACK=1 seq=y ack=x+1");

  // A simultaneous open or close is not numbered.
  for (const char* file : {"scenarios/simultaneous-open.json",
                           "scenarios/simultaneous-close.json"}) {
    INFO(file);
    const Run both = run(file);
    const auto labels = tcpsim::views::textbook_labels(both.scenario, both.result,
                                                       Language::chinese, false);
    for (const auto& [id, label] : labels) {
      INFO("segment #" << id);
      CHECK(label.ordinal.find("挥手") == std::string::npos);
      if (std::string(file).find("open") != std::string::npos) CHECK(label.ordinal.empty());
    }
  }
}

TEST_CASE("html: every diagram label is the page's label of its segment with its window, and "
          "every segment has its window and its textbook form") {
  for (const char* file : {"scenarios/lost-final-ack-time-wait.json",
                           "scenarios/data-slow-reader-zero-window.json",
                           "tests/views/scenarios/link-faults.json",
                           "tests/views/scenarios/injected-segments.json"}) {
    INFO(file);
    const Run r = run(file);
    const std::string page = render_html(r.scenario, r.result);
    const std::string json = steps_json(page);
    const std::regex label("<text [^>]*class=\"seglabel\"[^>]*data-step=\"([0-9]+)\">([^<]*)<");
    std::size_t labels = 0;
    for (auto it = std::sregex_iterator(page.begin(), page.end(), label);
         it != std::sregex_iterator(); ++it) {
      ++labels;
      const std::string line = step_line(json, std::stoul((*it)[1].str()));
      const std::string key = field(line, "g");
      REQUIRE(key != "(none)");
      const std::string entry = segment_entry(json, key);
      INFO(entry);
      std::smatch window;
      REQUIRE(std::regex_search(entry, window, std::regex("\"w\":([0-9]+)")));
      // The diagram is drawn with the window on every segment, the page's default, as its
      // script composes the label (views/html_page.js, labelText): "l", the window, "len", "x".
      // With the window switched off the script leaves it out, so "l" must not carry it.
      const std::string composed = field(entry, "l") + " win=" + window[1].str() +
                                   field(entry, "len") + field(entry, "x");
      CHECK(tcpsim::views::text::xml_escape(composed) == (*it)[2].str());
      CHECK(field(entry, "l").find(" win=") == std::string::npos);
      CHECK(field(entry, "tb") != "(none)");
    }
    CHECK(labels > 0);
  }
}

TEST_CASE("html: autoplay pauses a beat per step and one more per one-way delay, idle gaps "
          "compressed to 4 beats and said") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const auto pauses = tcpsim::views::autoplay_pauses(r.scenario, r.result);
  REQUIRE(pauses.size() == r.result.trace.size());
  const auto& trace = r.result.trace;
  bool idle = false;
  for (std::size_t step = 0; step < trace.size(); ++step) {
    INFO("step " << step);
    CHECK(pauses[step] >= 10);
    CHECK(pauses[step] <= 40);
    if (step > 0 && trace[step].time == trace[step - 1].time) CHECK(pauses[step] == 10);
    // The link's delay is 50 ms: a one-way trip is one beat more.
    if (step > 0 && trace[step].time - trace[step - 1].time == 50 * tcpsim::millisecond) {
      CHECK(pauses[step] == 20);
    }
    if (step > 0 && trace[step].time - trace[step - 1].time > 200 * tcpsim::millisecond) {
      CHECK(pauses[step] == 40);
      const std::string line = step_line(steps_json(render_html(r.scenario, r.result)), step);
      CHECK(field(line, "i") != "(none)");
      idle = true;
    }
  }
  CHECK(idle);  // TIME_WAIT's 2 MSL
}

TEST_CASE("html: every step says why, unless its sentence does: the rule or the link's cause") {
  const Run r = run("scenarios/data-fast-retransmit.json");
  const std::string json = steps_json(render_html(r.scenario, r.result));
  const auto& trace = r.result.trace;
  std::size_t fast = 0;
  for (std::size_t step = 0; step < trace.size(); ++step) {
    const TraceEvent& event = trace[step];
    const std::string line = step_line(json, step);
    INFO(line);
    CHECK(line.find("\"p\":") != std::string::npos);
    if (event.kind == TraceKind::send && event.rule == tcpsim::tcp::Rule::fast_retransmit) {
      ++fast;
      const std::string why = tcpsim::views::rule_sentence(event.rule,
                                                           tcpsim::views::Language::english);
      CHECK((field(line, "r") == why || field(line, "n").find(why) != std::string::npos));
    }
    if (event.kind == TraceKind::drop) {
      const std::string why = tcpsim::views::link_cause(event.link_cause,
                                                        tcpsim::views::Language::english);
      CHECK((field(line, "r") == why || field(line, "n").find(why) != std::string::npos));
    }
  }
  CHECK(fast == 1);
}

TEST_CASE("html: a step says when the timer wheel moved its timer's deadline") {
  // The step's sentence is the narration's (docs/views.md, "Timers on the wheel").
  const Run r = run("scenarios/linux-syn-exponential-timeouts.json");
  CHECK(tcpsim::views::html_steps_json(r.scenario, r.result).find(
            "arms its retransmission timer for 1s (rounded up to 1.024s by timer_wheel)") !=
        std::string::npos);
  tcpsim::views::HtmlOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  CHECK(tcpsim::views::html_steps_json(r.scenario, r.result, chinese)
            .find("时长 1 秒（被 timer_wheel 向上取整为 1.024 秒）") != std::string::npos);
}

TEST_CASE("html: the diagram's tooltips follow the page's language") {
  // The page embeds the SVG drawn in the page's language (svg: with --lang zh every tooltip is
  // in Chinese ...).
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  tcpsim::views::HtmlOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  // The page's language is the diagram's: svg.language, left English here, is not read.
  const std::string page = render_html(r.scenario, r.result, chinese);
  CHECK(page.find("<title>#7 ACK seq=2 ack=2 win=65535 len=0，在 1.550 秒发出；丢失：故障规则 "
                  "&#39;lose-final-ack&#39;</title>") != std::string::npos);
  CHECK(page.find("<title>c1 的连接记录已删除</title>") != std::string::npos);
  for (const char* english :
       {"sent at", "arrives at", " set at ", "fires</title>", "deleted</title>"}) {
    INFO(english);
    CHECK(page.find(english) == std::string::npos);
  }
  tcpsim::views::HtmlOptions english_page;
  english_page.svg.language = tcpsim::views::Language::chinese;  // not read either
  const std::string english = render_html(r.scenario, r.result, english_page);
  CHECK(english.find("<title>#7 ACK seq=2 ack=2 win=65535 len=0, sent at 1.550 s; lost: rule "
                     "&#39;lose-final-ack&#39;</title>") != std::string::npos);
  CHECK(english.find("<title>c1 deleted</title>") != std::string::npos);
}

TEST_CASE("html: the page's own title follows the page's language") {
  const Run r = run("scenarios/three-way-handshake.json");
  CHECK(render_html(r.scenario, r.result).find("<title>tcpsim: three-way-handshake</title>") !=
        std::string::npos);
  tcpsim::views::HtmlOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  const std::string page = render_html(r.scenario, r.result, chinese);
  CHECK(page.find("<title>tcpsim：three-way-handshake</title>") != std::string::npos);
  CHECK(page.find("<title>tcpsim: ") == std::string::npos);
  // The scenario's name is escaped inside the translated title.
  tcpsim::runner::Scenario awkward = r.scenario;
  awkward.name = "a<b&c";
  CHECK(render_html(awkward, r.result, chinese).find("<title>tcpsim：a&lt;b&amp;c</title>") !=
        std::string::npos);
}

}  // namespace views_html_tests
