// The SVG ladder diagram: goldens byte for byte, and the properties a reader relies on (arrows
// from the send row to the arrival row, losses as crosses with their reason, states on the
// lifelines, timers as brackets, connections told apart, integer coordinates only).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "diagram_test_support.hpp"
#include "runner/trace_format.hpp"
#include "views/svg.hpp"

namespace views_svg_tests {

using namespace diagram_test;
using tcpsim::runner::TraceKind;
using tcpsim::views::render_svg;

namespace {

// The diagram's words (views/svg.hpp, views/text.hpp).
std::string svg_seconds(tcpsim::Time time) {
  return tcpsim::views::text::seconds(time, tcpsim::views::diagram_decimals);
}
std::string svg_label(const tcpsim::runner::TraceSegment& segment, bool absolute) {
  using tcpsim::views::Language;
  return tcpsim::views::text::segment_label(
      segment, tcpsim::views::diagram_label_style(absolute, true, Language::english));
}

// The index of the first trace event of `kind` for which `predicate` holds.
template <typename Predicate>
std::size_t find_step(const Run& run, TraceKind kind, Predicate predicate) {
  for (std::size_t index = 0; index < run.result.trace.size(); ++index) {
    const auto& event = run.result.trace[index];
    if (event.kind == kind && predicate(event)) return index;
  }
  FAIL("no such trace event");
  return 0;
}

std::size_t find_step(const Run& run, TraceKind kind) {
  return find_step(run, kind, [](const auto&) { return true; });
}

// The <line> inside an element.
std::string first_line(const std::string& element) {
  const std::size_t open = element.find("<line ");
  REQUIRE(open != std::string::npos);
  return element.substr(open, element.find('>', open) - open + 1);
}

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() == ".json") {
      files.push_back("scenarios/" + entry.path().filename().string());
    }
  }
  files.push_back("tests/views/scenarios/link-faults.json");
  std::sort(files.begin(), files.end());
  return files;
}

// Every tooltip (<title>) of a diagram, as the file writes it (XML-escaped); the diagram's own
// title, the scenario's name, left out.
std::vector<std::string> tooltips(const std::string& svg) {
  std::vector<std::string> out;
  for (std::size_t at = svg.find("<title>"); at != std::string::npos;
       at = svg.find("<title>", at + 1)) {
    const std::size_t end = svg.find("</title>", at);
    REQUIRE(end != std::string::npos);
    out.push_back(svg.substr(at + 7, end - at - 7));
  }
  return out;
}

bool has_tooltip(const std::vector<std::string>& all, const std::string& text) {
  return std::find(all.begin(), all.end(), text) != all.end();
}

// A run cut while its SYN is still on the link and its timer still running.
constexpr const char* in_flight_at_end = R"({ "tcpsim": 1, "name": "in-flight",
  "description": "A SYN still on the link when the run stops.", "link": { "delay": "1s" },
  "hosts": [{ "name": "client" }, { "name": "server" }],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" }],
  "stop_at": "500ms" })";

}  // namespace

TEST_CASE("svg: golden diagrams match byte for byte") {
  const char* scenarios[] = {"scenarios/three-way-handshake.json",
                             "scenarios/lost-final-ack-time-wait.json",
                             "scenarios/two-way-handshake-stale-syn.json",
                             "scenarios/simultaneous-open.json",
                             "tests/views/scenarios/link-faults.json",
                             "tests/views/scenarios/injected-segments.json"};
  for (const char* file : scenarios) {
    const Run scenario_run = run(file);
    const std::string name = std::filesystem::path(file).stem().string();
    SECTION(name) { check_golden(name + ".svg", render_svg(scenario_run.scenario, scenario_run.result)); }
  }
}

TEST_CASE("svg: an arrow slants from the sender's send row to the receiver's arrival row") {
  const Run r = run("scenarios/three-way-handshake.json");
  const std::string svg = render_svg(r.scenario, r.result);
  const std::size_t send = find_step(r, TraceKind::send);
  const std::size_t deliver = find_step(r, TraceKind::deliver);
  const auto& sent = r.result.trace[send];
  const auto& arrived = r.result.trace[deliver];
  REQUIRE(sent.segment.id == arrived.segment.id);
  const int send_row = row_of(svg, svg_seconds(sent.time));
  const int arrival_row = row_of(svg, svg_seconds(arrived.time));
  REQUIRE(arrival_row > send_row);

  const auto arrow = elements_of_step(svg, send);
  REQUIRE_FALSE(arrow.empty());
  const std::string body = first_line(arrow[0]);
  CHECK(int_attribute(body, "y1") == send_row);
  // The line stops at the arrowhead, whose tip is on the arrival row, at the server's side.
  const auto head = tags_of_step(svg, deliver);
  REQUIRE(head.size() == 1);
  REQUIRE(head[0].rfind("<polygon", 0) == 0);
  const std::string points = *attribute(head[0], "points");
  const int tip_x = std::stoi(points.substr(0, points.find(',')));
  const int tip_y = std::stoi(points.substr(points.find(',') + 1));
  CHECK(tip_y == arrival_row);
  CHECK(tip_x > int_attribute(body, "x1"));
  // Its label names the segment (this scenario fixes the ISNs: absolute numbers).
  CHECK(svg.find(">#1 SYN seq=1000 win=65535 len=0</text>") != std::string::npos);
}

TEST_CASE("svg: time runs down, linear within a busy stretch, with a marked break over idle gaps") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string svg = render_svg(r.scenario, r.result);
  // 0.100 -> 0.150 -> 0.200: equal steps of time, equal steps down.
  const int a = row_of(svg, "0.100");
  const int b = row_of(svg, "0.150");
  const int c = row_of(svg, "0.200");
  CHECK(b - a == c - b);
  CHECK(b > a);
  // TIME_WAIT's 240 s are a break stating how long it was, far shorter than 240 s at that scale.
  CHECK(svg.find(">+239.95 s</text>") != std::string::npos);
  const int before = row_of(svg, "2.600");
  const int after = row_of(svg, "242.550");
  CHECK(after - before < 10 * (b - a));
  CHECK(svg.find("<g class=\"breaks\">") != std::string::npos);
}

TEST_CASE("svg: a lost segment stops mid-way with a cross and the reason") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string svg = render_svg(r.scenario, r.result);
  const std::size_t drop = find_step(r, TraceKind::drop);
  const auto elements = elements_of_step(svg, drop);
  REQUIRE(elements.size() == 2);  // the cross and its reason
  CHECK(elements[0].find("class=\"cross\"") != std::string::npos);
  CHECK(text_of(elements[1]) == "lost: rule 'lose-final-ack'");
  // The dropped arrow ends between the hosts, not at the receiver.
  std::size_t send = 0;
  for (std::size_t index = 0; index < drop; ++index) {
    if (r.result.trace[index].kind == TraceKind::send &&
        r.result.trace[index].segment.id == r.result.trace[drop].segment.id) {
      send = index;
    }
  }
  const std::string body = first_line(elements_of_step(svg, send)[0]);
  const int x1 = int_attribute(body, "x1");
  const int x2 = int_attribute(body, "x2");
  const std::regex hosts("<text x=\"(\\d+)\" y=\"\\d+\" class=\"host\"");
  std::vector<int> host_x;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), hosts); it != std::sregex_iterator(); ++it) {
    host_x.push_back(std::stoi((*it)[1].str()));
  }
  REQUIRE(host_x.size() == 2);
  CHECK(x2 > host_x[0] + 40);
  CHECK(x2 < host_x[1] - 40);
  CHECK(x1 <= host_x[0] + 6);
  CHECK(svg.find("lost or expired in the network") != std::string::npos);  // legend
}

TEST_CASE("svg: an expired segment is a cross too, and copies and held segments look different") {
  const Run r = run("tests/views/scenarios/link-faults.json");
  const std::string svg = render_svg(r.scenario, r.result);
  const std::size_t expire = find_step(r, TraceKind::expire);
  const auto cross = elements_of_step(svg, expire);
  REQUIRE(cross.size() == 2);
  CHECK(cross[0].find("class=\"cross\"") != std::string::npos);
  CHECK(text_of(cross[1]).rfind("expired: ", 0) == 0);

  const std::size_t duplicate = find_step(r, TraceKind::duplicate);
  const auto copy = elements_of_step(svg, duplicate);
  REQUIRE_FALSE(copy.empty());
  CHECK(copy[0].find("class=\"seg copy\"") != std::string::npos);
  CHECK(copy[0].find("stroke-dasharray=\"9 5\"") != std::string::npos);
  CHECK(svg.find("copy made by the network (rule &#39;copy-syn&#39;)") != std::string::npos);

  const std::size_t delay = find_step(r, TraceKind::delay);
  std::size_t send = 0;
  for (std::size_t index = 0; index < delay; ++index) {
    if (r.result.trace[index].kind == TraceKind::send &&
        r.result.trace[index].segment.id == r.result.trace[delay].segment.id) {
      send = index;
    }
  }
  const auto held = elements_of_step(svg, send);
  CHECK(held[0].find("class=\"seg held\"") != std::string::npos);
  CHECK(held[0].find("stroke=\"#b45309\"") != std::string::npos);
  CHECK(text_of(elements_of_step(svg, delay)[0]) == "held until 1.700 s (rule 'slow-ack')");
  // The legend explains each style that appears.
  CHECK(svg.find(">copy made by the network</text>") != std::string::npos);
  CHECK(svg.find(">held back by the network (stale)</text>") != std::string::npos);
  // Fixed ISNs: absolute numbers, as the terminal ladder shows them.
  CHECK(svg.find(">#1 SYN seq=1000 win=65535 len=0</text>") != std::string::npos);
  CHECK(svg.find("seq/ack: absolute sequence numbers") != std::string::npos);
}

TEST_CASE("svg: a segment the receiving TCP discards is marked at its arrival with the reason") {
  const Run r = run("scenarios/two-way-handshake-stale-syn.json");
  const std::string svg = render_svg(r.scenario, r.result);
  const std::size_t discard = find_step(r, TraceKind::discard);
  const auto elements = elements_of_step(svg, discard);
  REQUIRE(elements.size() == 2);
  CHECK(elements[0].find("class=\"discarded\"") != std::string::npos);
  // The mark's tooltip gives the discard's rule as the trace words it.
  const std::string reason(tcpsim::tcp::rule_reason(r.result.trace[discard].rule));
  REQUIRE(r.result.trace[discard].rule == tcpsim::tcp::Rule::two_way_no_third_segment);
  CHECK(elements[0].find("<title>discarded by the receiving TCP: " + reason + "</title>") !=
        std::string::npos);
  // The label wraps the same words over rows beside the lifeline.
  const auto without_spaces = [](std::string text) {
    std::erase(text, ' ');
    return text;
  };
  const std::string label = text_of(elements[1]);
  REQUIRE(label.find("discards #6: ") != std::string::npos);
  CHECK(without_spaces(label.substr(label.find("discards #6: "))) ==
        without_spaces("discards #6: " + reason));
  // The mark sits on the arrival row.
  const int row = row_of(svg, svg_seconds(r.result.trace[discard].time));
  CHECK(elements[0].find("cy=\"" + std::to_string(row) + "\"") != std::string::npos);
}

TEST_CASE("svg: every state a connection enters is written on its side, and its lifeline is "
          "filled in that state's colour") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string svg = render_svg(r.scenario, r.result);
  for (std::size_t index = 0; index < r.result.trace.size(); ++index) {
    const auto& event = r.result.trace[index];
    if (event.kind != TraceKind::state) continue;
    const auto elements = elements_of_step(svg, index);
    REQUIRE(elements.size() == 1);
    CHECK(text_of(elements[0]).find(std::string(tcpsim::tcp::state_name(event.to))) !=
          std::string::npos);
    // Left host's notes end at its lifeline (text-anchor end), the right host's start there.
    CHECK(elements[0].find(event.host == 0 ? "text-anchor=\"end\"" : "text-anchor=\"start\"") !=
          std::string::npos);
  }
  CHECK(svg.find("<title>c1: TIME_WAIT</title>") != std::string::npos);
  CHECK(svg.find("fill=\"" + std::string(tcpsim::views::state_fill_colour(tcpsim::tcp::State::time_wait)) +
                 "\" stroke") != std::string::npos);
}

TEST_CASE("svg: timers are brackets from set to fire or cancel") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  const std::string svg = render_svg(r.scenario, r.result);
  int sets = 0;
  for (std::size_t index = 0; index < r.result.trace.size(); ++index) {
    const auto& event = r.result.trace[index];
    if (event.kind == TraceKind::timer_set) {
      ++sets;
      const auto bracket = elements_of_step(svg, index);
      REQUIRE_FALSE(bracket.empty());
      CHECK(bracket[0].rfind("<g class=\"timer\"", 0) == 0);
      // Its vertical line runs from the set row down.
      const std::regex vertical("<line x1=\"(\\d+)\" y1=\"(\\d+)\" x2=\"(\\d+)\" y2=\"(\\d+)\"");
      std::smatch match;
      const std::string second_line = bracket[0].substr(bracket[0].find("<line", bracket[0].find("<line") + 1));
      REQUIRE(std::regex_search(second_line, match, vertical));
      CHECK(match[1] == match[3]);
      CHECK(std::stoi(match[4]) > std::stoi(match[2]));
      CHECK(std::stoi(match[2]) == row_of(svg, svg_seconds(event.time)));
    }
    if (event.kind == TraceKind::timer_fire) {
      const auto tags = tags_of_step(svg, index);
      REQUIRE(tags.size() == 2);  // the dot on the bracket and the sentence beside the lifeline
      CHECK(tags[0].rfind("<circle", 0) == 0);
    }
    if (event.kind == TraceKind::timer_cancel) {
      CHECK(tags_of_step(svg, index).size() == 1);
    }
  }
  CHECK(sets >= 5);
  CHECK(svg.find(">TIME_WAIT 240 s</text>") != std::string::npos);
  CHECK(svg.find(">RTO 2 s</text>") != std::string::npos);  // the backed-off retransmission
}

TEST_CASE("svg: connections on one host are told apart by lane and colour, named in a legend") {
  const Run several = run("scenarios/two-way-handshake-stale-syn.json");
  const std::string svg = render_svg(several.scenario, several.result);
  CHECK(svg.find(">connections</text>") != std::string::npos);
  CHECK(svg.find("second-attempt (client) \xe2\x86\x94 web#1 (server)") != std::string::npos);
  CHECK(svg.find(">web#2 (server), no peer</text>") != std::string::npos);
  // The server's two connections overlap in time: two lanes, two colours.
  const std::regex lane("<g class=\"lane\" data-connection=\"(web#[12])\">\\n<rect x=\"(\\d+)\"[^>]*stroke=\"(#[0-9a-f]+)\"");
  std::map<std::string, std::pair<int, std::string>> lanes;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), lane); it != std::sregex_iterator(); ++it) {
    lanes[(*it)[1].str()] = {std::stoi((*it)[2].str()), (*it)[3].str()};
  }
  REQUIRE(lanes.size() == 2);
  CHECK(lanes["web#1"].first != lanes["web#2"].first);
  CHECK(lanes["web#1"].second != lanes["web#2"].second);
  // Notes name the connection when a host has several.
  CHECK(svg.find(">web#2</tspan> ESTABLISHED</text>") != std::string::npos);

  // A listener has a lane of its own, LISTEN from its listen on: its host has several.
  const Run listening = run("scenarios/three-way-handshake.json");
  const std::string with_listener = render_svg(listening.scenario, listening.result);
  CHECK(with_listener.find(">web (server), listener</text>") != std::string::npos);
  CHECK(with_listener.find("<g class=\"lane\" data-connection=\"web\">") != std::string::npos);

  const Run one = run("scenarios/simultaneous-open.json");
  const std::string plain = render_svg(one.scenario, one.result);
  CHECK(plain.find(">connections</text>") == std::string::npos);
}

TEST_CASE("svg: coordinates and sizes are integers and the text is fixed, nothing is formatted "
          "from floating point") {
  for (const auto& file : shipped_scenarios()) {
    const Run r = run(file);
    const std::string svg = render_svg(r.scenario, r.result);
    INFO(file);
    const std::regex numeric(
        "\\s(x|y|x1|y1|x2|y2|cx|cy|r|rx|dy|width|height|points|viewBox|transform|stroke-width|"
        "stroke-dasharray)=\"([^\"]*)\"");
    int count = 0;
    std::string first_fractional;  // the first attribute with a '.' or an exponent (1e5)
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), numeric); it != std::sregex_iterator(); ++it) {
      const std::string value = (*it)[2].str();
      ++count;
      bool fractional = value.find('.') != std::string::npos;
      for (std::size_t i = 1; i < value.size() && !fractional; ++i) {
        fractional = (value[i] == 'e' || value[i] == 'E') && value[i - 1] >= '0' && value[i - 1] <= '9';
      }
      if (fractional && first_fractional.empty()) first_fractional = (*it)[0].str();
    }
    CHECK(first_fractional == "");
    CHECK(count > 100);
    const std::string style = svg.substr(svg.find("<style>"), svg.find("</style>") - svg.find("<style>"));
    CHECK_FALSE(std::regex_search(style, std::regex("\\d\\.\\d")));
  }
}

TEST_CASE("svg: every trace event has an element, ids are unique, and the file is well formed") {
  for (const auto& file : shipped_scenarios()) {
    const Run r = run(file);
    const std::string svg = render_svg(r.scenario, r.result);
    INFO(file);
    for (std::size_t index = 0; index < r.result.trace.size(); ++index) {
      INFO("event " << index << " " << tcpsim::runner::trace_kind_name(r.result.trace[index].kind));
      CHECK_FALSE(tags_of_step(svg, index).empty());
      CHECK(svg.find(" id=\"ev-" + std::to_string(index) + "\"") != std::string::npos);
    }
    std::set<std::string> ids;
    const std::regex id(" id=\"([^\"]+)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), id); it != std::sregex_iterator(); ++it) {
      CHECK(ids.insert((*it)[1].str()).second);
    }
    std::string problem;
    CHECK(tags_balanced(svg, problem));
    INFO(problem);
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.size() > 1000);
    // Same run, same bytes.
    CHECK(render_svg(r.scenario, r.result) == svg);
  }
}

TEST_CASE("svg: options: absolute numbers, no timer brackets, an id prefix") {
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  CHECK(render_svg(r.scenario, r.result).find(">#1 SYN seq=0 win=65535 len=0<") !=
        std::string::npos);
  tcpsim::views::SvgOptions options;
  options.absolute_seq = true;
  options.timers = false;
  options.id_prefix = "d1-";
  const std::string svg = render_svg(r.scenario, r.result, options);
  CHECK(svg.find(">#1 SYN seq=0 win=65535 len=0<") == std::string::npos);
  CHECK(svg.find("seq/ack: absolute sequence numbers") != std::string::npos);
  // Only the timers that fire keep their bracket (their firing is an event that matters).
  auto brackets = [](const std::string& text) {
    std::size_t count = 0;
    for (std::size_t position = 0; (position = text.find("<g class=\"timer\"", position)) != std::string::npos; ++position) {
      ++count;
    }
    return count;
  };
  std::size_t fired = 0;
  for (const auto& event : r.result.trace) fired += event.kind == TraceKind::timer_fire ? 1 : 0;
  CHECK(brackets(svg) == fired);
  CHECK(brackets(render_svg(r.scenario, r.result)) > fired);
  CHECK(svg.find(" id=\"d1-ev-0\"") != std::string::npos);
  CHECK(svg.find(" id=\"ev-0\"") == std::string::npos);
}

TEST_CASE("svg: text from the scenario is escaped and made valid UTF-8") {
  Run r = run("scenarios/three-way-handshake.json");
  r.scenario.name = "a <b> & \"c\" \xff\x01 end";
  r.scenario.description = "</svg><script>alert(1)</script>";
  const std::string svg = render_svg(r.scenario, r.result);
  // A byte that starts no UTF-8 character and a control character are shown as escapes
  // (views/text.hpp), as every view shows them.
  CHECK(svg.find("a &lt;b&gt; &amp; &quot;c&quot; \\xff\\x01 end") != std::string::npos);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find('\xff') == std::string::npos);
  CHECK(svg.find('\x01') == std::string::npos);
  std::string problem;
  CHECK(tags_balanced(svg, problem));
}

TEST_CASE("svg: a run with no events, or with events the views do not know, still renders") {
  Run r = run("scenarios/three-way-handshake.json");
  tcpsim::runner::RunResult empty;
  empty.end_time = 0;
  const std::string nothing = render_svg(r.scenario, empty);
  std::string problem;
  CHECK(tags_balanced(nothing, problem));
  CHECK(nothing.find(">end of run</text>") != std::string::npos);

  // Events out of the usual order: an arrival without a send, a cancel without a set, a
  // connection nobody opened.
  tcpsim::runner::RunResult odd;
  odd.end_time = 5 * tcpsim::second;
  tcpsim::runner::TraceEvent event;
  event.kind = TraceKind::deliver;
  event.host = 1;
  event.segment.id = 42;
  event.time = tcpsim::second;
  odd.trace.push_back(event);
  event.kind = TraceKind::timer_cancel;
  event.connection = 9;
  event.time = 2 * tcpsim::second;
  odd.trace.push_back(event);
  event.kind = TraceKind::state;
  event.to = tcpsim::tcp::State::established;
  odd.trace.push_back(event);
  event.kind = TraceKind::discard;
  event.segment.id = 0;
  odd.trace.push_back(event);
  const std::string svg = render_svg(r.scenario, odd);
  CHECK(tags_balanced(svg, problem));
  CHECK(svg.find("data-step=\"2\"") != std::string::npos);
}

TEST_CASE("svg: format_seconds and segment_label") {
  CHECK(svg_seconds(0) == "0.000");
  CHECK(svg_seconds(150 * tcpsim::millisecond) == "0.150");
  CHECK(svg_seconds(242 * tcpsim::second + 550 * tcpsim::millisecond) == "242.550");
  CHECK(svg_seconds(1500 * tcpsim::microsecond) == "0.001500");
  CHECK(svg_seconds(3 * tcpsim::second + 1) == "3.000000001");
  tcpsim::runner::TraceSegment segment;
  segment.id = 8;
  segment.flags = tcpsim::tcp::flag::fin | tcpsim::tcp::flag::ack;
  segment.seq = 1000;
  segment.ack = 2000;
  segment.relative_seq = 1;
  segment.relative_ack = 2;
  segment.has_relative_seq = segment.has_relative_ack = true;
  segment.window = 100;
  segment.retransmission = true;
  CHECK(svg_label(segment, false) == "#8 FIN,ACK seq=1 ack=2 win=100 len=0 retx");
  CHECK(svg_label(segment, true) == "#8 FIN,ACK seq=1000 ack=2000 win=100 len=0 retx");
  // The one-argument style is a sentence's (the HTML page's steps): a zero window only.
  CHECK(tcpsim::views::text::segment_label(segment, tcpsim::views::diagram_label_style(false)) ==
        "#8 FIN,ACK seq=1 ack=2 len=0 retx");
  segment.copy = true;
  segment.window = 0;
  CHECK(svg_label(segment, false) == "#8' FIN,ACK seq=1 ack=2 win=0 len=0 retx");
}

TEST_CASE("svg: a crashed host's lifeline is dotted red until it reboots, and what is alive at "
          "the end reaches the end line") {
  const Run r = run("scenarios/lost-handshake-ack-server-gives-up.json");
  const std::string svg = render_svg(r.scenario, r.result);
  CHECK(svg.find(">host down (crashed)</text>") != std::string::npos);
  const int crash_row = row_of(svg, "0.300");
  CHECK(svg.find("y1=\"" + std::to_string(crash_row) + "\" x2=") != std::string::npos);
  CHECK(svg.find("stroke=\"#f87171\" stroke-width=\"2\" stroke-dasharray=\"2 4\"/>") !=
        std::string::npos);

  const Run open = run("scenarios/two-way-handshake-stale-syn.json");
  const std::string alive = render_svg(open.scenario, open.result);
  // The run ends at 10 s with web#2 still ESTABLISHED: its lane runs down to the end row.
  const int end_row = row_of(alive, "10.000");
  const std::regex lane("<g class=\"lane\" data-connection=\"web#2\">\\n(?:<[^\\n]*\\n)*?<rect x=\"\\d+\" y=\"(\\d+)\" width=\"\\d+\" height=\"(\\d+)\"");
  std::smatch match;
  REQUIRE(std::regex_search(alive, match, lane));
  CHECK(std::stoi(match[1].str()) + std::stoi(match[2].str()) == end_row);
}

TEST_CASE("svg: segments lost at one instant for one reason share one label, each still "
          "findable, and lost for different reasons they stop one below the other") {
  // The client sends the server's whole window at 200 ms and the queue drops #13 to #68.
  const Run r = run("scenarios/cc-bottleneck-without-congestion-control.json");
  std::vector<std::size_t> drops;
  for (std::size_t index = 0; index < r.result.trace.size(); ++index) {
    if (r.result.trace[index].kind == TraceKind::drop) drops.push_back(index);
  }
  REQUIRE(drops.size() == 56);
  REQUIRE(r.result.trace[drops.front()].segment.id == 13);
  REQUIRE(r.result.trace[drops.back()].segment.id == 68);
  REQUIRE(r.result.trace[drops.front()].time == 200 * tcpsim::millisecond);
  REQUIRE(r.result.trace[drops.back()].time == 200 * tcpsim::millisecond);
  const std::string svg = render_svg(r.scenario, r.result);
  const std::regex burst(
      "<text [^>]*class=\"seglabel burst\"[^>]*>(<title>[^<]*</title>)([^<]*)<");
  std::smatch match;
  REQUIRE(std::regex_search(svg, match, burst));
  CHECK(match[2].str() == "#13\xe2\x80\x93#68 lost (56 segments)");
  CHECK(std::distance(std::sregex_iterator(svg.begin(), svg.end(), burst),
                      std::sregex_iterator()) == 1);
  // The summary appears at the last loss (as the ladder writes it), not at #13's sending, when
  // the HTML page would say 56 segments were lost before #14 to #68 were sent.
  const auto label_at = static_cast<std::size_t>(match.position(0));
  const std::string label_tag = svg.substr(label_at, svg.find('>', label_at) - label_at + 1);
  CHECK(attribute(label_tag, "data-step") == std::to_string(drops.back()));
  // The tooltip lists each segment as its own label would; none of them is a label of its own.
  const std::string tooltip = match[1].str();
  for (const std::size_t drop : drops) {
    const std::string label = svg_label(r.result.trace[drop].segment, true);
    INFO(label);
    const bool listed = tooltip.find("\n" + label + "\n") != std::string::npos ||
                        tooltip.find("\n" + label + "</title>") != std::string::npos;
    CHECK(listed);
    CHECK(svg.find(">" + label + "</text>") == std::string::npos);
    // Each keeps its cross, the loss's own step, on the one line they share.
    const auto cross = elements_of_step(svg, drop);
    REQUIRE_FALSE(cross.empty());
    CHECK(cross[0].find("class=\"cross\"") != std::string::npos);
    CHECK(first_line(cross[0]) == first_line(elements_of_step(svg, drops.front())[0]));
  }
  // The reason beside the cross is written once.
  std::size_t reasons = 0;
  for (std::size_t at = 0; (at = svg.find(">lost: queue full</text>", at)) != std::string::npos;
       ++at) {
    ++reasons;
  }
  CHECK(reasons == 1);
  tcpsim::views::SvgOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  CHECK(render_svg(r.scenario, r.result, chinese)
            .find(">#13\xe2\x80\x93#68 丢失（56 个报文段）</text>") != std::string::npos);

  // Of the four lost at 300 ms, #6 made a window probe (so the trace says here): other words
  // under its label, a label of its own, and the others' ids as ranges.
  Run gap = run("scenarios/cc-timeout-collapses-cwnd.json");
  for (auto& event : gap.result.trace) {
    if (event.kind == TraceKind::send && event.segment.id == 6) {
      event.rule = tcpsim::tcp::Rule::window_probe;
    }
  }
  const std::string probed = render_svg(gap.scenario, gap.result);
  CHECK(probed.find(">#4\xe2\x80\x93#5, #7 lost (3 segments)</text>") != std::string::npos);
  CHECK(probed.find(">#6 ACK seq=2001 ack=1 win=65535 len=1000</text>") != std::string::npos);
  CHECK(probed.find(">window probe</text>") != std::string::npos);
  CHECK(render_svg(gap.scenario, gap.result, chinese)
            .find(">#4\xe2\x80\x93#5、#7 丢失（3 个报文段）</text>") != std::string::npos);

  // #13 and #16 lost at one instant by two rules: two labels, two crosses, one above the other.
  const Run two = run("scenarios/cc-newreno-partial-ack.json");
  const std::string rules = render_svg(two.scenario, two.result);
  std::vector<int> cross_y;
  for (std::size_t index = 0; index < two.result.trace.size(); ++index) {
    if (two.result.trace[index].kind != TraceKind::drop) continue;
    const auto elements = elements_of_step(rules, index);
    REQUIRE(elements.size() == 2);  // the cross and its reason
    CHECK(rules.find(">" + svg_label(two.result.trace[index].segment, true) + "</text>") !=
          std::string::npos);
    cross_y.push_back(int_attribute(first_line(elements[0]), "y1") + 6);  // the cross's middle
  }
  REQUIRE(cross_y.size() == 2);
  CHECK(cross_y[0] == row_of(rules, "0.400") + 34);
  CHECK(cross_y[1] == cross_y[0] + 36);
  CHECK(rules.find("class=\"seglabel burst\"") == std::string::npos);
}

TEST_CASE("svg: no segment label hides another, and each lies between its arrow's ends, in any "
          "shipped scenario, in either language") {
  struct Box {
    int x0, y0, x1, y1;
  };
  static const std::regex label_box(
      R"re(<rect x="(-?[0-9]+)" y="(-?[0-9]+)" width="([0-9]+)" height="([0-9]+)" rx="3" )re"
      R"re(fill="#ffffff"/>)re");
  // A label's box, then its text, which carries its arrow's step; the arrow's line. (A lost
  // burst's summary, class "seglabel burst", carries its last loss's step instead: the regex
  // leaves it out here, and its box is among those checked for overlaps above.)
  static const std::regex label_step(
      R"re(<rect x="-?[0-9]+" y="(-?[0-9]+)" width="[0-9]+" height="([0-9]+)" rx="3" )re"
      R"re(fill="#ffffff"/>\n<text [^>]*class="seglabel" [^>]* data-step="([0-9]+)")re");
  static const std::regex arrow_line(
      R"re(<g class="seg[^"]*"(?: id="[^"]*")? data-step="([0-9]+)"><title>[^<]*</title>\n)re"
      R"re((?:<polygon[^>]*>\n)?<line x1="-?[0-9]+" y1="(-?[0-9]+)" x2="-?[0-9]+" )re"
      R"re(y2="(-?[0-9]+)")re");
  int boxes = 0;
  for (const char* directory : {"scenarios", "tests/views/scenarios"}) {
    for (const auto& entry : std::filesystem::directory_iterator(source_path(directory))) {
      if (entry.path().extension() != ".json") continue;
      const Run r = run(std::string(directory) + "/" + entry.path().filename().string());
      for (const auto language :
           {tcpsim::views::Language::english, tcpsim::views::Language::chinese}) {
        tcpsim::views::SvgOptions options;
        options.language = language;
        const std::string svg = render_svg(r.scenario, r.result, options);
        std::vector<Box> found;
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label_box);
             it != std::sregex_iterator(); ++it) {
          const int x = std::stoi((*it)[1]);
          const int y = std::stoi((*it)[2]);
          found.push_back({x, y, x + std::stoi((*it)[3]), y + std::stoi((*it)[4])});
        }
        boxes += static_cast<int>(found.size());
        std::sort(found.begin(), found.end(),
                  [](const Box& a, const Box& b) { return a.y0 < b.y0; });
        for (std::size_t i = 0; i < found.size(); ++i) {
          for (std::size_t j = i + 1; j < found.size() && found[j].y0 < found[i].y1; ++j) {
            const bool overlap = found[i].x0 < found[j].x1 && found[j].x0 < found[i].x1;
            if (!overlap) continue;
            INFO(entry.path().filename().string() << ": label boxes at y " << found[i].y0
                                                  << " and " << found[j].y0);
            CHECK_FALSE(overlap);
          }
        }
        std::map<std::size_t, std::pair<int, int>> rows;  // by step: the arrow's first and last
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), arrow_line);
             it != std::sregex_iterator(); ++it) {
          rows.emplace(std::stoul((*it)[1]), std::make_pair(std::stoi((*it)[2]),
                                                            std::stoi((*it)[3])));
        }
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label_step);
             it != std::sregex_iterator(); ++it) {
          const auto arrow = rows.find(std::stoul((*it)[3]));
          REQUIRE(arrow != rows.end());
          const int middle = std::stoi((*it)[1]) + std::stoi((*it)[2]) / 2;
          INFO(entry.path().filename().string() << ": label at y " << middle << ", arrow from "
                                                << arrow->second.first << " to "
                                                << arrow->second.second);
          CHECK(middle >= arrow->second.first);
          CHECK(middle <= arrow->second.second);
        }
      }
    }
  }
  CHECK(boxes > 1000);
}

TEST_CASE("svg: cwnd is drawn under the ladder when congestion control limited the sender") {
  const Run limited = run("scenarios/cc-fast-recovery-halves-cwnd.json");
  const std::string svg = render_svg(limited.scenario, limited.result);
  REQUIRE(svg.find("<g class=\"cwnd\">") != std::string::npos);
  CHECK(svg.find("client cwnd") != std::string::npos);
  CHECK(svg.find("client ssthresh") != std::string::npos);  // the loss set it
  CHECK(svg.find("stroke-dasharray=\"6 4\" points=") != std::string::npos);
  // The chart lies below the legend and inside the picture.
  CHECK(svg.find("<g class=\"cwnd\">") > svg.find("class=\"legend\""));
  // Five bytes never fill a window: no chart.
  const Run small = run("scenarios/three-way-handshake-stale-syn.json");
  CHECK(render_svg(small.scenario, small.result).find("class=\"cwnd\"") == std::string::npos);
}

TEST_CASE("svg: a timer's tooltip says when the timer wheel moved its deadline, in both "
          "languages") {
  // linux-syn-exponential-timeouts runs on the linux profile's timer wheel: the SYN's 1 s
  // timer armed at 0 fires at 1.024 s.
  const Run r = run("scenarios/linux-syn-exponential-timeouts.json");
  const std::string english = render_svg(r.scenario, r.result);
  CHECK(english.find("<title>c1: retransmission timer set at 0.000 s for 1.024 s (until 1.024 s), "
                     "fires\n1 s, rounded up to 1.024 s by timer_wheel</title>") !=
        std::string::npos);
  tcpsim::views::SvgOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  CHECK(render_svg(r.scenario, r.result, chinese)
            .find("<title>c1：重传计时器在 0.000 秒启动，时长 1.024 s（到 1.024 秒为止），到期\n"
                  "时长 1 s，被 timer_wheel 向上取整为 1.024 s</title>") != std::string::npos);
  // A timer that fires at its deadline says nothing more.
  const Run exact = run("scenarios/three-way-handshake.json");
  CHECK(render_svg(exact.scenario, exact.result).find("timer_wheel") == std::string::npos);
}

TEST_CASE("svg: with --lang zh every tooltip is in Chinese: states, connections, timers, "
          "segments sent, injected, lost, expired, discarded and still in flight") {
  tcpsim::views::SvgOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  // injected-segments: a spoofed SYN, a forged RST lost by a fault rule, a segment the server's
  // TCP discards, timers cancelled, fired and running at the end; lost-final-ack-time-wait: a
  // lost ACK, TIME_WAIT set again, records deleted; link-faults: held, copied and expired
  // segments; linux-syn-exponential-timeouts: the timer wheel; cc-bottleneck-without-...: a
  // lost burst; and a SYN still in flight.
  std::map<std::string, std::vector<std::string>> titles;
  for (const char* file : {"tests/views/scenarios/injected-segments.json",
                           "scenarios/lost-final-ack-time-wait.json",
                           "tests/views/scenarios/link-faults.json",
                           "scenarios/linux-syn-exponential-timeouts.json",
                           "scenarios/two-way-handshake-stale-syn.json",
                           "scenarios/cc-bottleneck-without-congestion-control.json"}) {
    const Run r = run(file);
    titles[std::filesystem::path(file).stem().string()] =
        tooltips(render_svg(r.scenario, r.result, chinese));
  }
  const Run cut = run_text(in_flight_at_end);
  titles["in-flight"] = tooltips(render_svg(cut.scenario, cut.result, chinese));

  // No English word of the tooltips is left (names, flags, states and options stay as they are).
  for (const auto& [name, all] : titles) {
    REQUIRE(all.size() > 5);
    for (const std::string& title : all) {
      INFO(name << ": " << title);
      for (const char* english :
           {" set at ", " for ", "until", "fires", "cancelled", "set again", "still running",
            "sent at", "arrives at", "injected by", "spoofed", ", lost", "lost:", "expired",
            "still in the network", "discarded by", "created", "deleted", "a copy of its",
            "rounded up"}) {
        CHECK(title.find(english) == std::string::npos);
      }
    }
  }

  const auto& injected = titles["injected-segments"];
  CHECK(has_tooltip(injected, "web 处于 LISTEN 状态"));
  CHECK(has_tooltip(injected, "c1 已创建"));
  CHECK(has_tooltip(injected, "web#1 已创建，处于 LISTEN 状态，是其监听套接字的副本"));
  CHECK(has_tooltip(injected, "#1 SYN seq=1000 win=65535 len=0，在 0.100 秒发出，在 0.120 秒到达"));
  CHECK(has_tooltip(injected, "#4 SYN seq=777 win=65535 len=0，由脚本在 0.300 秒注入，"
                              "来源是伪造的地址 10.0.0.9:4000，在 0.320 秒到达"));
  CHECK(has_tooltip(injected, "#6 RST seq=5001 win=65535 len=0，由脚本在 0.500 秒注入；"
                              "丢失：故障规则 &#39;lose-forged-rst&#39;"));
  CHECK(has_tooltip(injected, "被接收方 TCP 丢弃：目的地址不是本主机"));
  CHECK(has_tooltip(injected,
                    "c1：重传计时器在 0.100 秒启动，时长 1 s（到 1.100 秒为止），在 0.140 秒取消"));
  CHECK(has_tooltip(injected, "c1：重传计时器被取消"));
  CHECK(has_tooltip(injected,
                    "web#2：重传计时器在 0.320 秒启动，时长 1 s（到 1.320 秒为止），到期"));
  CHECK(has_tooltip(injected, "web#2：重传计时器到期"));
  CHECK(has_tooltip(injected, "web#2：重传计时器在 1.320 秒启动，时长 2 s（到 3.320 秒为止），"
                              "运行结束时仍在计时"));

  const auto& time_wait = titles["lost-final-ack-time-wait"];
  CHECK(has_tooltip(time_wait, "c1 的连接记录已删除"));
  CHECK(has_tooltip(time_wait, "c1：时间等待计时器（2MSL）在 1.550 秒启动，时长 240 s"
                               "（到 241.550 秒为止），在 2.550 秒重新启动"));
  CHECK(has_tooltip(time_wait, "#7 ACK seq=2 ack=2 win=65535 len=0，在 1.550 秒发出；"
                               "丢失：故障规则 &#39;lose-final-ack&#39;"));

  const auto& faults = titles["link-faults"];
  CHECK(has_tooltip(faults, "#7 ACK seq=5001 ack=1027 win=65535 len=0，在 1.540 秒发出，"
                            "在 1.700 秒到达；扣留到 1.700 秒（故障规则 &#39;slow-ack&#39;）"));
  CHECK(has_tooltip(faults, "#8 FIN,ACK seq=1027 ack=5001 win=65535 len=0，在 3.000 秒发出，"
                            "在 5.000 秒过期；过期：在网络中滞留超过 MSL（滞留 6s，超过 msl 2s），"
                            "起因是故障规则 &#39;stall-fin&#39;"));

  // The discard's reason is the rule's Chinese, as beside the lifeline.
  const Run stale = run("scenarios/two-way-handshake-stale-syn.json");
  const std::size_t discard = find_step(stale, TraceKind::discard);
  CHECK(has_tooltip(titles["two-way-handshake-stale-syn"],
                    tcpsim::views::text::xml_escape(
                        "被接收方 TCP 丢弃：" +
                        tcpsim::views::rule_reason(stale.result.trace[discard].rule,
                                                   tcpsim::views::Language::chinese))));

  const auto& burst = titles["cc-bottleneck-without-congestion-control"];
  CHECK(std::any_of(burst.begin(), burst.end(), [](const std::string& title) {
    return title.rfind("#13\xe2\x80\x93#68 丢失（56 个报文段）；丢失：链路队列已满\n#13 ", 0) == 0;
  }));

  CHECK(has_tooltip(titles["in-flight"],
                    "#1 SYN seq=0 win=65535 len=0，在 0.100 秒发出，运行结束时仍在网络中"));
  CHECK(has_tooltip(titles["in-flight"], "c1：重传计时器在 0.100 秒启动，时长 1 s"
                                         "（到 1.100 秒为止），运行结束时仍在计时"));
}

TEST_CASE("svg: the English tooltips are as before") {
  const Run r = run("tests/views/scenarios/injected-segments.json");
  const auto english = tooltips(render_svg(r.scenario, r.result));
  CHECK(has_tooltip(english, "web: LISTEN"));
  CHECK(has_tooltip(english, "c1 created"));
  CHECK(has_tooltip(english, "web#1 created in LISTEN, a copy of its listener"));
  CHECK(has_tooltip(english,
                    "#1 SYN seq=1000 win=65535 len=0, sent at 0.100 s, arrives at 0.120 s"));
  CHECK(has_tooltip(english, "#4 SYN seq=777 win=65535 len=0, injected by the script from the "
                             "spoofed address 10.0.0.9:4000 at 0.300 s, arrives at 0.320 s"));
  CHECK(has_tooltip(english, "#6 RST seq=5001 win=65535 len=0, injected by the script at 0.500 s; "
                             "lost: rule &#39;lose-forged-rst&#39;"));
  CHECK(has_tooltip(english, "discarded by the receiving TCP: not addressed to this host"));
  CHECK(has_tooltip(english, "c1: retransmission timer set at 0.100 s for 1 s (until 1.100 s), "
                             "cancelled at 0.140 s"));
  CHECK(has_tooltip(english, "c1: retransmission timer cancelled"));
  CHECK(has_tooltip(english, "web#2: retransmission timer set at 0.320 s for 1 s (until 1.320 s), "
                             "fires"));
  CHECK(has_tooltip(english, "web#2: retransmission timer fires"));
  CHECK(has_tooltip(english, "web#2: retransmission timer set at 1.320 s for 2 s (until 3.320 s), "
                             "still running when the run ends"));
  const Run time_wait = run("scenarios/lost-final-ack-time-wait.json");
  const auto closing = tooltips(render_svg(time_wait.scenario, time_wait.result));
  CHECK(has_tooltip(closing, "c1 deleted"));
  CHECK(has_tooltip(closing, "c1: TIME_WAIT (2 MSL) timer set at 1.550 s for 240 s "
                             "(until 241.550 s), set again at 2.550 s"));
  const Run faults = run("tests/views/scenarios/link-faults.json");
  CHECK(has_tooltip(tooltips(render_svg(faults.scenario, faults.result)),
                    "#8 FIN,ACK seq=1027 ack=5001 win=65535 len=0, sent at 3.000 s, expired at "
                    "5.000 s; expired: exceeded MSL (held 6s, longer than msl 2s) after rule "
                    "&#39;stall-fin&#39;"));
  const Run cut = run_text(in_flight_at_end);
  CHECK(has_tooltip(tooltips(render_svg(cut.scenario, cut.result)),
                    "#1 SYN seq=0 win=65535 len=0, sent at 0.100 s, still in the network when "
                    "the run ends"));
}

TEST_CASE("svg: a lost segment's tooltip says it was lost once, with its cause, in both languages") {
  // The note ("lost: rule 'x'") says it; the tooltip once read "..., lost; lost: rule 'x'".
  tcpsim::views::SvgOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  std::size_t lost = 0;
  for (const std::string& file : shipped_scenarios()) {
    INFO(file);
    const Run r = run(file);
    for (const std::string& tip : tooltips(render_svg(r.scenario, r.result))) {
      CHECK(tip.find("lost; lost") == std::string::npos);
      if (tip.find("; lost: ") != std::string::npos) ++lost;
    }
    for (const std::string& tip : tooltips(render_svg(r.scenario, r.result, chinese))) {
      CHECK(tip.find("丢失；丢失") == std::string::npos);
    }
  }
  CHECK(lost > 0);
  const Run r = run("scenarios/lost-final-ack-time-wait.json");
  CHECK(has_tooltip(tooltips(render_svg(r.scenario, r.result)),
                    "#7 ACK seq=2 ack=2 win=65535 len=0, sent at 1.550 s; lost: rule "
                    "&#39;lose-final-ack&#39;"));
  CHECK(has_tooltip(tooltips(render_svg(r.scenario, r.result, chinese)),
                    "#7 ACK seq=2 ack=2 win=65535 len=0，在 1.550 秒发出；丢失：故障规则 "
                    "&#39;lose-final-ack&#39;"));
}

TEST_CASE("svg: an injected segment's tooltip says it was injected once, in both languages") {
  // The words say it ("injected by the script at 0.500 s"); the tooltip once also kept the
  // label's mark, "... len=0 (injected), injected by the script at ...".
  tcpsim::views::SvgOptions chinese;
  chinese.language = tcpsim::views::Language::chinese;
  const auto count = [](const std::string& text, const std::string& part) {
    std::size_t found = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
      ++found;
    }
    return found;
  };
  std::vector<std::string> files = shipped_scenarios();
  files.push_back("tests/views/scenarios/injected-segments.json");
  std::size_t injected = 0;
  for (const std::string& file : files) {
    INFO(file);
    const Run r = run(file);
    for (const std::string& tip : tooltips(render_svg(r.scenario, r.result))) {
      INFO(tip);
      // A lost burst's tooltip lists its segments, each with its own label and mark.
      if (tip.find(" lost (") != std::string::npos) continue;
      CHECK(count(tip, "injected") <= 1);
      if (tip.find("injected by the script") != std::string::npos) ++injected;
    }
    for (const std::string& tip : tooltips(render_svg(r.scenario, r.result, chinese))) {
      INFO(tip);
      if (tip.find("丢失（") != std::string::npos) continue;
      CHECK(count(tip, "注入") <= 1);
    }
  }
  CHECK(injected > 0);
  const Run r = run("tests/views/scenarios/injected-segments.json");
  const auto english = tooltips(render_svg(r.scenario, r.result));
  CHECK(has_tooltip(english, "#6 RST seq=5001 win=65535 len=0, injected by the script at 0.500 s; "
                             "lost: rule &#39;lose-forged-rst&#39;"));
  CHECK(has_tooltip(english, "#4 SYN seq=777 win=65535 len=0, injected by the script from the "
                             "spoofed address 10.0.0.9:4000 at 0.300 s, arrives at 0.320 s"));
  const auto zh = tooltips(render_svg(r.scenario, r.result, chinese));
  CHECK(has_tooltip(zh, "#6 RST seq=5001 win=65535 len=0，由脚本在 0.500 秒注入；"
                        "丢失：故障规则 &#39;lose-forged-rst&#39;"));
  CHECK(has_tooltip(zh, "#4 SYN seq=777 win=65535 len=0，由脚本在 0.300 秒注入，"
                        "来源是伪造的地址 10.0.0.9:4000，在 0.320 秒到达"));
  // The arrow's label keeps its mark: the diagram shows it without hovering.
  const std::string drawn = render_svg(r.scenario, r.result);
  CHECK(drawn.find(">#6 RST seq=5001 win=65535 len=0 (injected)</text>") != std::string::npos);
}

TEST_CASE("svg: the note under a segment's label appears at a step, as its label does") {
  // The HTML page hides each [data-step] element until its step: a note under a label
  // ("timeout retransmission", "duplicate ACK 1 of 3") without one stood on the page before
  // its segment was sent. Each note takes the delay's or copy's step, else its segment's.
  std::size_t notes = 0;
  for (const std::string& file : shipped_scenarios()) {
    INFO(file);
    const Run r = run(file);
    const std::string svg = render_svg(r.scenario, r.result);
    std::size_t label_step = std::string::npos;
    std::size_t at = 0;
    while ((at = svg.find("<text ", at)) != std::string::npos) {
      const std::string line = svg.substr(at, svg.find('\n', at) - at);
      at += line.size();
      const std::size_t step_at = line.find(" data-step=\"");
      const std::size_t step =
          step_at == std::string::npos ? std::string::npos
                                       : std::stoul(line.substr(step_at + 12));
      if (line.find("class=\"seglabel") != std::string::npos) {
        label_step = step;
      } else if (line.find("class=\"note\" text-anchor=\"middle\"") != std::string::npos &&
                 label_step != std::string::npos) {
        INFO(line);
        CHECK(step != std::string::npos);
        CHECK(step >= label_step);  // never before its segment's label
        ++notes;
        label_step = std::string::npos;
      } else {
        label_step = std::string::npos;
      }
    }
  }
  CHECK(notes > 100);
}

}  // namespace views_svg_tests
