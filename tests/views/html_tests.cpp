// The stepping HTML page: goldens byte for byte; one self-contained file (no network), the SVG
// inline, the steps as JSON that cannot break out of its <script>, one sentence per step.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "diagram_test_support.hpp"
#include "runner/trace_format.hpp"
#include "views/html.hpp"
#include "views/narration.hpp"

using namespace diagram_test;
using tcpsim::runner::TraceKind;
using tcpsim::views::describe_step;
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
// order. Reads the fields as the page writes them, "ci" before "s".
States states_after(const std::string& json, std::size_t index,
                   std::size_t connections) {
  States states(connections);
  const std::regex change("\"ci\":(-?[0-9]+),.*\"s\":\"([^\"]*)\"\\},?$");
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
  CHECK(page.find("url(") == std::string::npos);
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
  // Controls: buttons and the arrow keys.
  for (const char* id : {"first", "prev", "next", "last", "narration", "states", "position"}) {
    CHECK(page.find(std::string("id=\"") + id + "\"") != std::string::npos);
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
  CHECK(line.find(",\"s\":\"SYN_RCVD\"},") != std::string::npos);
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

TEST_CASE("html: the narrator is pluggable; the built-in one is used otherwise") {
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

TEST_CASE("html: the built-in narration gives one plain sentence per event, citing the trace's "
          "reason") {
  const Run lost = run("scenarios/lost-final-ack-time-wait.json");
  const Run faults = run("tests/views/scenarios/link-faults.json");
  const Run stale = run("scenarios/two-way-handshake-stale-syn.json");
  auto sentence = [](const Run& r, TraceKind kind) {
    for (std::size_t index = 0; index < r.result.trace.size(); ++index) {
      if (r.result.trace[index].kind == kind) return describe_step(r.scenario, r.result, index, false);
    }
    FAIL("no such event");
    return std::string();
  };
  CHECK(sentence(lost, TraceKind::drop) ==
        "The network loses segment #7 ACK seq=2 ack=2 len=0 (rule 'lose-final-ack').");
  CHECK(sentence(lost, TraceKind::send) == "c1 on client sends segment #1 SYN seq=0 len=0.");
  CHECK(sentence(lost, TraceKind::deliver) == "segment #1 SYN seq=0 len=0 arrives at server.");
  CHECK(sentence(lost, TraceKind::timer_set) ==
        "c1 on client sets its retransmission timer to fire at 1.100 s.");
  CHECK(sentence(lost, TraceKind::timer_fire) == "The retransmission timer of web#1 on server fires.");
  CHECK(sentence(lost, TraceKind::app) ==
        "The application on client is told 'connected' for c1 (RFC 9293 3.10.7.3: SYN-ACK "
        "acknowledges our SYN).");
  CHECK(sentence(faults, TraceKind::duplicate).find("The network duplicates segment #1 SYN seq=1000 "
                                                    "len=0; the copy arrives at 0.440 s") == 0);
  CHECK(sentence(faults, TraceKind::expire).find("older than the maximum segment lifetime") !=
        std::string::npos);
  CHECK(sentence(faults, TraceKind::delay).find("holds segment #7") != std::string::npos);
  CHECK(sentence(stale, TraceKind::discard) ==
        "The TCP of client discards segment #6 SYN,ACK seq=0 ack=1 len=0 (two-way handshake: no "
        "third segment, not even a RST).");
  // Every event of every kind gets a non-empty sentence ending with a full stop.
  for (const Run* r : {&lost, &faults, &stale}) {
    for (std::size_t index = 0; index < r->result.trace.size(); ++index) {
      const std::string text = describe_step(r->scenario, r->result, index, false);
      CHECK_FALSE(text.empty());
      CHECK(text.back() == '.');
    }
  }
  CHECK(describe_step(lost.scenario, lost.result, lost.result.trace.size(), false).empty());
}

TEST_CASE("html: same run, same bytes") {
  const Run a = run("scenarios/simultaneous-open.json");
  const Run b = run("scenarios/simultaneous-open.json");
  CHECK(render_html(a.scenario, a.result) == render_html(b.scenario, b.result));
}
