// One source of truth for the link's causes: narration (English and Chinese) and Mermaid word
// them from the trace event's fields (sim::LinkCause), never from its printed text. Blanking the
// text of every link event must change none of their output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "views/mermaid.hpp"
#include "views/narration.hpp"

namespace views_link_cause_views_tests {

using namespace tcpsim;
using tcpsim::sim::LinkCause;
using tcpsim::sim::LinkCauseKind;
using tcpsim::views::Language;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

// The random model's causes, which no shipped scenario uses: loss, a full queue, reordering
// (forward held past MSL, so it expires after random reorder; backward within it) and
// duplication.
constexpr const char* random_link_scenario = R"({
  "tcpsim": 1,
  "name": "random-link",
  "description": "A lossy, slow, reordering, duplicating link: the random model's causes.",
  "seed": 11,
  "link": { "delay": "10ms", "msl": "1s", "loss": 0.1, "duplicate": 0.1, "rate": "1Mbps",
            "queue_limit": 2, "reorder": { "probability": 0.1, "extra_delay": "2s" },
            "backward": { "reorder": { "probability": 0.1, "extra_delay": "100ms" } } },
  "hosts": [
    { "name": "client", "address": "10.0.0.1" },
    { "name": "server", "address": "10.0.0.2" }
  ],
  "timeline": [
    { "at": "0s", "host": "server", "action": "listen", "port": 80, "name": "web" },
    { "at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
      "name": "c1" },
    { "at": "500ms", "host": "client", "action": "send", "connection": "c1", "bytes": 40000 }
  ],
  "stop_at": "60s"
})";

struct Run {
  std::string label;
  runner::Scenario scenario;
  runner::RunResult result;
};

std::vector<Run> runs() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir + "/scenarios")) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  paths.push_back(source_dir + "/tests/views/scenarios/link-faults.json");
  std::vector<Run> out;
  for (const std::string& path : paths) {
    Run run{path, runner::load_scenario_file(path), {}};
    run.result = runner::run_scenario(run.scenario);
    out.push_back(std::move(run));
  }
  Run random{"random-link", runner::load_scenario_text(random_link_scenario, "random-link"), {}};
  random.result = runner::run_scenario(random.scenario);
  out.push_back(std::move(random));
  return out;
}

bool is_link_event(runner::TraceKind kind) {
  return kind == runner::TraceKind::drop || kind == runner::TraceKind::expire ||
         kind == runner::TraceKind::delay || kind == runner::TraceKind::duplicate;
}

struct Views {
  std::vector<std::string> english;
  std::vector<std::string> chinese;
  std::string mermaid;
};

Views render(const Run& run, const runner::RunResult& result) {
  const auto options = views::default_narration_options(run.scenario);
  return {views::narrate_run(run.scenario, result, Language::english, options),
          views::narrate_run(run.scenario, result, Language::chinese, options),
          views::format_mermaid(run.scenario, result, views::MermaidOptions{})};
}

}  // namespace

TEST_CASE("views word the link's causes from its fields, not the trace's text",
          "[views][link][cause]") {
  std::set<LinkCauseKind> seen;
  std::set<LinkCauseKind> seen_earlier;
  for (const Run& run : runs()) {
    INFO(run.label);
    runner::RunResult blanked = run.result;
    bool any = false;
    for (runner::TraceEvent& event : blanked.trace) {
      if (!is_link_event(event.kind)) continue;
      // The printed text is the structure rendered, word for word.
      CHECK(event.text == sim::link_cause_text(event.link_cause));
      seen.insert(event.link_cause.kind);
      seen_earlier.insert(event.link_cause.earlier);
      event.text.clear();
      any = true;
    }
    if (!any) continue;
    const Views normal = render(run, run.result);
    const Views blank = render(run, blanked);
    CHECK(blank.english == normal.english);
    CHECK(blank.chinese == normal.chinese);
    CHECK(blank.mermaid == normal.mermaid);
  }
  // The runs exercise every cause a simulation reaches without the end of representable time.
  for (const LinkCauseKind kind :
       {LinkCauseKind::fault_rule, LinkCauseKind::random_loss, LinkCauseKind::queue_full,
        LinkCauseKind::random_reorder, LinkCauseKind::random_duplicate,
        LinkCauseKind::msl_expired}) {
    INFO("cause kind " << static_cast<int>(kind));
    CHECK(seen.count(kind) == 1);
  }
  CHECK(seen_earlier.count(LinkCauseKind::fault_rule) == 1);
  CHECK(seen_earlier.count(LinkCauseKind::random_reorder) == 1);
}

}  // namespace views_link_cause_views_tests
