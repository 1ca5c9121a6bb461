// The playground's WebAssembly module (docs/views.md, "The playground"): the simulator's own
// loader, runner, trace and views, called from the page's JavaScript through embind. Nothing
// here re-implements a view: the page shows what views/ renders, so the browser sees the bytes
// `tcpsim run` writes. The shipped scenarios are embedded in the module's file system at
// /scenarios (web/CMakeLists.txt).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"
#include "runner/teaching.hpp"
#include "runner/trace_format.hpp"
#include "tcp/knobs.hpp"
#include "tcp/segment.hpp"
#include "views/html.hpp"
#include "views/pcap.hpp"
#include "views/svg.hpp"
#include "views/words.hpp"

namespace tcpsim::web {

using emscripten::val;
using namespace tcpsim::runner;

namespace {

// Where web/CMakeLists.txt embeds scenarios/*.json; a scenario's file label is
// "scenarios/NAME.json", as `tcpsim run scenarios/NAME.json` names it in its messages.
constexpr const char* embedded_directory = "/scenarios";

val strings(const std::vector<std::string>& items) {
  val out = val::array();
  for (const auto& item : items) out.call<void>("push", item);
  return out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A seed as the command line takes it (app/main.cpp): decimal digits, no sign, no leading zero,
// at most 2^64 - 1. Empty: the scenario's own.
bool parse_seed(const std::string& text, std::optional<std::uint64_t>& seed, std::string& error) {
  if (text.empty()) return true;
  const bool digits = std::all_of(text.begin(), text.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || (text.size() > 1 && text[0] == '0')) {
    error = "the seed is a decimal number without sign or leading zeros, got \"" + text + "\"";
    return false;
  }
  std::uint64_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      error = "the seed is at most 18446744073709551615";
      return false;
    }
    value = value * 10 + digit;
  }
  seed = value;
  return true;
}

val location(const SourceLocation& where) {
  val out = val::object();
  out.set("file", where.file);
  out.set("line", where.line);
  out.set("column", where.column);
  out.set("path", where.json_path.empty() ? std::string("$") : where.json_path);
  return out;
}

// The effective value of every teaching knob and of msl on each host (runner/teaching.hpp).
val host_knobs(const Scenario& scenario) {
  val hosts = val::array();
  for (const auto& host : scenario.hosts) {
    val knobs = val::object();
    for (const auto& knob : tcp::knobs()) {
      if (!knob.teaching && knob.name != "msl") continue;
      knobs.set(std::string(knob.name), tcp::knob_value_text(knob, knob.get(host.tcp)));
    }
    val entry = val::object();
    entry.set("name", host.name);
    entry.set("profile", host.profile);
    entry.set("knobs", knobs);
    hosts.call<void>("push", entry);
  }
  return hosts;
}

// For each segment sent, the fault rule's match that selects exactly it: the sender, its exact
// flags and n, its rank among the sender's segments with those flags. The link counts a rule's
// matches over every segment sent, whatever other rules did (sim/link.hpp), so the nth such
// segment of this run is still the one selected when the run is made again with the rule.
val segment_matches(const Scenario& scenario, const RunResult& result, val& step_segment) {
  std::map<std::pair<int, std::uint8_t>, int> sent;
  val segments = val::object();
  for (std::size_t step = 0; step < result.trace.size(); ++step) {
    const TraceEvent& event = result.trace[step];
    const bool known = is_segment_event(event.kind) && event.segment.id != 0;
    step_segment.call<void>("push", known ? static_cast<double>(event.segment.id) : 0.0);
    if (event.kind != TraceKind::send || event.segment.copy || event.host < 0 ||
        static_cast<std::size_t>(event.host) >= scenario.hosts.size()) {
      continue;
    }
    val match = val::object();
    match.set("from", scenario.hosts[static_cast<std::size_t>(event.host)].name);
    match.set("flags", tcp::flags_to_string(event.segment.flags));
    match.set("nth", ++sent[{event.host, event.segment.flags}]);
    val segment = val::object();
    segment.set("match", match);
    segment.set("step", static_cast<int>(step));
    segment.set("time", static_cast<double>(event.time));
    segment.set("label", tcp::flags_to_string(event.segment.flags) +
                             (event.segment.length > 0
                                  ? " len=" + std::to_string(event.segment.length)
                                  : std::string()));
    segments.set(std::to_string(event.segment.id), segment);
  }
  return segments;
}

val connection_records(const Scenario& scenario, const RunResult& result) {
  val out = val::array();
  for (const auto& record : result.connections) {
    val entry = val::object();
    entry.set("name", record.name);
    entry.set("host", scenario.hosts[static_cast<std::size_t>(record.host)].name);
    entry.set("final", std::string(tcp::state_name(record.final_state())));
    std::vector<std::string> states;
    for (const auto state : record.states) states.emplace_back(tcp::state_name(state));
    entry.set("states", strings(states));
    entry.set("listener", record.listener);
    entry.set("failedConnect", record.failed_connect);
    out.call<void>("push", entry);
  }
  return out;
}

}  // namespace

// Every scenario embedded, by file name order: name, file label, text, one-line summary.
val shipped_scenarios() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(embedded_directory)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  val out = val::array();
  for (const auto& path : files) {
    const std::string label = "scenarios/" + path.filename().string();
    val entry = val::object();
    entry.set("file", label);
    entry.set("text", read_text(path));
    try {
      const Scenario scenario = load_scenario_file(path.string());
      entry.set("name", scenario.name);
      entry.set("summary", scenario_summary(scenario.description));
      entry.set("description", scenario.description);
      // The Chinese description where the file has one (views show the one of the language).
      const std::string& chinese =
          views::scenario_description(scenario, views::Language::chinese);
      entry.set("summary_zh", scenario_summary(chinese));
      entry.set("description_zh", chinese);
    } catch (const ScenarioError& error) {
      entry.set("name", path.stem().string());
      entry.set("summary", std::string("(invalid: ") + error.what() + ")");
      entry.set("description", std::string());
      entry.set("summary_zh", std::string("(invalid: ") + error.what() + ")");
      entry.set("description_zh", std::string());
    }
    out.call<void>("push", entry);
  }
  return out;
}

// The teaching catalogue (runner/teaching.cpp), in its order.
val teaching_catalogue_entries() {
  val out = val::array();
  for (const auto& entry : teaching_catalogue()) {
    val item = val::object();
    item.set("mechanism", std::string(entry.mechanism));
    item.set("protectsAgainst", std::string(entry.protects_against));
    item.set("mechanismZh", std::string(entry.mechanism_zh));
    item.set("protectsAgainstZh", std::string(entry.protects_against_zh));
    item.set("knob", std::string(entry.knob));
    item.set("turnOff", std::string(entry.turn_off));
    item.set("with", std::string(entry.with_scenario));
    item.set("without", std::string(entry.without_scenario));
    item.set("seeds", std::string(entry.seeds));
    item.set("reference", std::string(entry.reference));
    out.call<void>("push", item);
  }
  return out;
}

// The knobs the playground switches: the teaching variants and msl, from tcp/knobs.cpp.
val playground_knobs() {
  val out = val::array();
  for (const auto& knob : tcp::knobs()) {
    if (!knob.teaching && knob.name != "msl") continue;
    val item = val::object();
    item.set("name", std::string(knob.name));
    const char* type = "integer";
    switch (knob.type) {
      case tcp::KnobType::duration: type = "duration"; break;
      case tcp::KnobType::integer: type = "integer"; break;
      case tcp::KnobType::boolean: type = "boolean"; break;
      case tcp::KnobType::choice: type = "choice"; break;
      case tcp::KnobType::integer_or_word: type = "integer_or_word"; break;
    }
    item.set("type", std::string(type));
    std::vector<std::string> choices(knob.choices.begin(), knob.choices.end());
    item.set("choices", strings(choices));
    std::vector<std::string> words(knob.words.begin(), knob.words.end());
    item.set("words", strings(words));
    item.set("teaching", knob.teaching);
    item.set("doc", std::string(knob.doc));
    out.call<void>("push", item);
  }
  return out;
}

// Loads `text` as the loader reads a file named `file_label`, runs it with `seed` ("" for the
// scenario's) and returns everything the page shows: the trace (JSON Lines, the bytes of
// `tcpsim run --trace`), the SVG, the pcapng capture, the `--html` page's steps with the
// narration in `lang`, the connections, the expectations' verdict and, for every segment, the
// fault-rule match that selects it. A load error comes back as `error` with its position.
val run_checked(const std::string& text, const std::string& file_label,
                const std::string& seed_text, const std::string& lang,
                const std::string& id_prefix) {
  val out = val::object();
  RunOptions options;
  std::string seed_error;
  if (!parse_seed(seed_text, options.seed, seed_error)) {
    val error = val::object();
    error.set("message", "seed: " + seed_error);
    error.set("text", "seed: " + seed_error);
    out.set("ok", false);
    out.set("error", error);
    return out;
  }
  views::Language language = views::Language::english;
  views::parse_language(lang, language);
  Scenario scenario;
  try {
    scenario = load_scenario_text(text, file_label);
  } catch (const ScenarioError& failure) {
    val error = location(failure.where());
    error.set("message", failure.message());
    error.set("text", std::string(failure.what()));
    out.set("ok", false);
    out.set("error", error);
    return out;
  }
  // As `tcpsim run FILE --trace T --pcap P --svg S` runs it (app/commands.cpp): the trace
  // through a JsonlWriter, the expectations checked as it goes, the trace kept for the views.
  options.keep_trace = true;
  options.keep_payloads = true;
  options.keep_app_data = false;
  JsonlWriter jsonl(scenario);
  ExpectationChecker checker(scenario);
  options.trace_sinks = {&jsonl, &checker};
  const RunResult result = run_scenario(scenario, options);
  out.set("seed", std::to_string(result.seed));
  out.set("name", scenario.name);
  out.set("description", views::scenario_description(scenario, language));
  out.set("hosts", host_knobs(scenario));
  if (result.error) {
    val error = val::object();
    error.set("message", *result.error);
    error.set("text", file_label + ": error: " + *result.error + " (seed " +
                          std::to_string(result.seed) + ")");
    out.set("ok", false);
    out.set("error", error);
    return out;
  }
  jsonl.finish(result);
  out.set("ok", true);
  out.set("trace", jsonl.take_text());
  views::SvgOptions svg;
  svg.id_prefix = id_prefix;
  svg.language = language;  // as `tcpsim run --svg --lang`
  // What each side believes, the run's one-line summary (views/words.hpp).
  out.set("beliefs", views::connection_summary(scenario, result, language));
  out.set("svg", views::render_svg(scenario, result, svg));
  // The --html page's steps (views/html.hpp), whose script the page shares.
  views::HtmlOptions page;
  page.svg = svg;
  page.language = language;
  out.set("steps", views::html_steps_json(scenario, result, page));
  const std::string capture = views::format_pcapng(scenario, result);
  out.set("pcap", val::global("Uint8Array").new_(emscripten::typed_memory_view(
                      capture.size(), reinterpret_cast<const std::uint8_t*>(capture.data()))));
  out.set("connections", connection_records(scenario, result));
  val step_segment = val::array();
  out.set("segments", segment_matches(scenario, result, step_segment));
  out.set("stepSegment", step_segment);
  val failures = val::array();
  for (const auto& failure : checker.finish(result)) {
    val item = location(failure.where);
    item.set("message", failure.message);
    failures.call<void>("push", item);
  }
  out.set("expectations", static_cast<int>(count_expectations(scenario.expect)));
  out.set("failures", failures);
  out.set("endTime", static_cast<double>(result.end_time));
  return out;
}

// run_checked, with anything else thrown (memory the browser would not give) reported as the
// run's error instead of leaving the page with an exception it cannot read.
val run(const std::string& text, const std::string& file_label, const std::string& seed_text,
        const std::string& lang, const std::string& id_prefix) {
  try {
    return run_checked(text, file_label, seed_text, lang, id_prefix);
  } catch (const std::exception& failure) {
    val error = val::object();
    error.set("message", std::string("the run stopped: ") + failure.what());
    error.set("text", file_label + ": error: the run stopped: " + failure.what());
    val out = val::object();
    out.set("ok", false);
    out.set("error", error);
    return out;
  }
}

}  // namespace tcpsim::web

EMSCRIPTEN_BINDINGS(tcpsim) {
  emscripten::function("shippedScenarios", &tcpsim::web::shipped_scenarios);
  emscripten::function("teachingCatalogue", &tcpsim::web::teaching_catalogue_entries);
  emscripten::function("knobs", &tcpsim::web::playground_knobs);
  emscripten::function("run", &tcpsim::web::run);
}
