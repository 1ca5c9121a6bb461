// The teaching catalogue (runner/teaching.cpp) against what it names: every scenario exists and
// loads, each pair is a controlled experiment that differs in the named knob, and
// docs/teaching.md mentions every entry, so the document and `tcpsim list --teaching` cannot
// drift apart.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "runner/scenario_loader.hpp"
#include "runner/teaching.hpp"
#include "runner/text_wrap.hpp"
#include "tcp/knobs.hpp"

namespace runner_teaching_tests {

using namespace tcpsim::runner;
using Json = nlohmann::json;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

std::string scenario_file(std::string_view name) {
  return source_dir + "/scenarios/" + std::string(name) + ".json";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs of white space (line breaks included) become one space, so a sentence the document
// wraps over several lines is still found.
std::string collapse_space(const std::string& text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Json read_json(std::string_view name) { return Json::parse(read_text(scenario_file(name))); }

// A host's "tcp" object without one key ({} when the host has none).
Json tcp_without(const Json& host, std::string_view knob) {
  Json tcp = host.contains("tcp") ? host["tcp"] : Json::object();
  tcp.erase(std::string(knob));
  return tcp;
}

Json value_or_null(const Json& object, const char* key) {
  return object.contains(key) ? object[key] : Json();
}

}  // namespace

TEST_CASE("the teaching catalogue names distinct mechanisms and distinct scenario pairs") {
  const auto catalogue = teaching_catalogue();
  REQUIRE(catalogue.size() == 19);
  std::set<std::string_view> mechanisms;
  std::set<std::pair<std::string_view, std::string_view>> pairs;
  for (const auto& entry : catalogue) {
    INFO(entry.mechanism);
    CHECK(mechanisms.insert(entry.mechanism).second);
    CHECK(pairs.insert({entry.with_scenario, entry.without_scenario}).second);
    CHECK(entry.with_scenario != entry.without_scenario);
    CHECK(!entry.protects_against.empty());
    // The seed articles that make the claim; none for the RFC 5961 attacks, which no article
    // discusses (the catalogue then cites the RFCs alone).
    // The setting that turns the mechanism off is spelt with the knob's own key.
    CHECK(entry.turn_off.starts_with("\"" + std::string(entry.knob) + "\": "));
  }
}

TEST_CASE("the catalogue's knobs are the knob table's teaching knobs, both ways") {
  std::set<std::string_view> named;
  for (const auto& entry : teaching_catalogue()) {
    INFO(entry.mechanism << ": " << entry.knob);
    const tcpsim::tcp::Knob* knob = tcpsim::tcp::find_knob(entry.knob);
    REQUIRE(knob != nullptr);
    CHECK(knob->teaching);
    named.insert(entry.knob);
  }
  for (const auto& knob : tcpsim::tcp::knobs()) {
    INFO(knob.name);
    if (knob.teaching) CHECK(named.count(knob.name) == 1);
  }
}

TEST_CASE("every scenario of the teaching catalogue exists in scenarios/ and loads") {
  for (const auto& entry : teaching_catalogue()) {
    for (const auto name : {entry.with_scenario, entry.without_scenario}) {
      INFO(entry.mechanism << ": " << name);
      REQUIRE(std::filesystem::exists(scenario_file(name)));
      Scenario scenario;
      REQUIRE_NOTHROW(scenario = load_scenario_file(scenario_file(name)));
      CHECK(scenario.name == name);
      CHECK(!scenario.expect.empty());
      // Its golden trace is there too: `tcpsim check` (and ctest) compares against it.
      CHECK(std::filesystem::exists(source_dir + "/scenarios/" + std::string(name) +
                                    ".trace.jsonl"));
    }
  }
}

TEST_CASE("each teaching pair differs in the named knob and in no other host knob") {
  for (const auto& entry : teaching_catalogue()) {
    INFO(entry.mechanism << ": " << entry.with_scenario << " vs " << entry.without_scenario);
    const Scenario with = load_scenario_file(scenario_file(entry.with_scenario));
    const Scenario without = load_scenario_file(scenario_file(entry.without_scenario));
    REQUIRE(with.hosts.size() == without.hosts.size());

    // The effective value (profile and defaults applied) differs on at least one host.
    bool differs = false;
    for (std::size_t i = 0; i < with.hosts.size(); ++i) {
      CHECK(with.hosts[i].name == without.hosts[i].name);
      const auto value_with = teaching_knob_value(with.hosts[i].tcp, entry.knob);
      const auto value_without = teaching_knob_value(without.hosts[i].tcp, entry.knob);
      REQUIRE(value_with);
      REQUIRE(value_without);
      if (*value_with != *value_without) differs = true;
    }
    CHECK(differs);

    // And the turned-off setting is the one the scenario without the mechanism uses.
    const Json json_with = read_json(entry.with_scenario);
    const Json json_without = read_json(entry.without_scenario);
    bool uses_setting = false;
    for (const auto& host : json_without["hosts"]) {
      if (!host.contains("tcp") || !host["tcp"].contains(std::string(entry.knob))) continue;
      const std::string setting =
          "\"" + std::string(entry.knob) + "\": " + host["tcp"][std::string(entry.knob)].dump();
      if (setting == entry.turn_off) uses_setting = true;
    }
    CHECK(uses_setting);

    // A controlled experiment: the same link, faults, hosts and profiles, and every other
    // tcp knob as written the same. (Timelines and stop times may differ: each scenario runs
    // as long as its story needs.)
    CHECK(value_or_null(json_with, "link") == value_or_null(json_without, "link"));
    CHECK(value_or_null(json_with, "faults") == value_or_null(json_without, "faults"));
    REQUIRE(json_with["hosts"].size() == json_without["hosts"].size());
    for (std::size_t i = 0; i < json_with["hosts"].size(); ++i) {
      const Json& host_with = json_with["hosts"][i];
      const Json& host_without = json_without["hosts"][i];
      INFO("host " << host_with["name"].dump());
      CHECK(value_or_null(host_with, "name") == value_or_null(host_without, "name"));
      CHECK(value_or_null(host_with, "address") == value_or_null(host_without, "address"));
      CHECK(value_or_null(host_with, "profile") == value_or_null(host_without, "profile"));
      CHECK(tcp_without(host_with, entry.knob) == tcp_without(host_without, entry.knob));
    }
  }
}

TEST_CASE("docs/teaching.md mentions every mechanism, knob, scenario and seed of the catalogue") {
  const std::string doc = collapse_space(read_text(source_dir + "/docs/teaching.md"));
  for (const auto& entry : teaching_catalogue()) {
    INFO(entry.mechanism);
    CHECK(doc.find("## " + std::string(entry.mechanism)) != std::string::npos);
    CHECK(doc.find(collapse_space(std::string(entry.protects_against))) != std::string::npos);
    CHECK(doc.find("`" + std::string(entry.knob) + "`") != std::string::npos);
    CHECK(doc.find("`" + std::string(entry.turn_off) + "`") != std::string::npos);
    if (!entry.seeds.empty()) CHECK(doc.find(std::string(entry.seeds)) != std::string::npos);
    for (const auto name : {entry.with_scenario, entry.without_scenario}) {
      INFO(name);
      CHECK(doc.find("`" + std::string(name) + "`") != std::string::npos);
      CHECK(doc.find("(teaching/" + std::string(name) + ".svg)") != std::string::npos);
      // scripts/teaching-svgs writes the diagram: `tcpsim run scenarios/X.json --svg ...`.
      CHECK(std::filesystem::exists(source_dir + "/docs/teaching/" + std::string(name) + ".svg"));
    }
  }
}

TEST_CASE("list --teaching writes every mechanism with its pair, and fails on a missing one") {
  std::ostringstream out;
  CHECK(write_teaching_catalogue(out, source_dir + "/scenarios"));
  const std::string text = out.str();
  for (const auto& entry : teaching_catalogue()) {
    INFO(entry.mechanism);
    CHECK(text.find(". " + std::string(entry.mechanism) + "\n") != std::string::npos);
    CHECK(text.find(std::string(entry.turn_off)) != std::string::npos);
    CHECK(text.find("with:    " + std::string(entry.with_scenario) + "\n") != std::string::npos);
    CHECK(text.find("without: " + std::string(entry.without_scenario) + "\n") !=
          std::string::npos);
  }
  // Each scenario line is followed by the knob on both hosts, e.g. for the handshake pair.
  CHECK(text.find("handshake: client two-way, server two-way\n") != std::string::npos);
  CHECK(text.find("isn: client 1000, server 7000\n") != std::string::npos);

  std::ostringstream missing;
  CHECK_FALSE(write_teaching_catalogue(missing, source_dir + "/no-such-directory"));
  CHECK(missing.str().find("(not available: ") != std::string::npos);
}

TEST_CASE("teaching knob values are spelt as the scenario format spells them") {
  tcpsim::tcp::TcpConfig config;
  CHECK(teaching_knob_value(config, "handshake") == "three-way");
  CHECK(teaching_knob_value(config, "isn") == "random");
  CHECK(teaching_knob_value(config, "time_wait") == "4min");
  CHECK(teaching_knob_value(config, "keepalive") == "false");
  CHECK(teaching_knob_value(config, "retransmit_fin") == "true");
  config.fixed_isn = 1000;
  config.time_wait = 0;
  config.handshake = tcpsim::tcp::Handshake::two_way;
  CHECK(teaching_knob_value(config, "isn") == "1000");
  CHECK(teaching_knob_value(config, "time_wait") == "0s");
  CHECK(teaching_knob_value(config, "handshake") == "two-way");
  CHECK_FALSE(teaching_knob_value(config, "mss"));
}

TEST_CASE("a scenario's summary is its first sentence") {
  CHECK(scenario_summary("One. Two.") == "One.");
  CHECK(scenario_summary("Only one sentence.") == "Only one sentence.");
  CHECK(scenario_summary("At 1.5 s it ends. Then more.") == "At 1.5 s it ends.");
}

TEST_CASE("a Chinese description's summary ends at its first full stop") {
  CHECK(scenario_summary("三次握手。第二句。") == "三次握手。");
  CHECK(scenario_summary("只有一句") == "只有一句");
}

TEST_CASE("every catalogue entry has its Chinese texts, and list --teaching --lang zh uses them") {
  std::ostringstream out;
  CHECK(write_teaching_catalogue(out, source_dir + "/scenarios", true));
  const std::string text = out.str();
  for (const auto& entry : teaching_catalogue()) {
    INFO(entry.mechanism);
    REQUIRE_FALSE(entry.mechanism_zh.empty());
    REQUIRE_FALSE(entry.protects_against_zh.empty());
    CHECK(text.find(". " + std::string(entry.mechanism_zh) + "\n") != std::string::npos);
    CHECK(text.find("有：    " + std::string(entry.with_scenario) + "\n") != std::string::npos);
    CHECK(text.find("没有：  " + std::string(entry.without_scenario) + "\n") !=
          std::string::npos);
    // The English words of the listing do not leak into the Chinese one.
    CHECK(text.find("Protects against") == std::string::npos);
    CHECK(text.find("with:    ") == std::string::npos);
  }
  // The textbook's words (seed articles 000 to 004).
  for (const char* word : {"三次握手", "已失效的连接请求报文段", "半连接", "第四次挥手", "2MSL"}) {
    INFO(word);
    CHECK(text.find(word) != std::string::npos);
  }
  // The scenarios' Chinese descriptions are shown, not the English ones.
  const Scenario two_way = load_scenario_file(scenario_file("two-way-handshake-stale-syn"));
  REQUIRE_FALSE(two_way.description_zh.empty());
  CHECK(text.find(scenario_summary(two_way.description_zh).substr(0, 12)) != std::string::npos);
}

TEST_CASE("listings wrap Chinese text by display width, breaking between characters") {
  std::ostringstream english;
  tcpsim::runner::write_wrapped(english, "one two three four", 12, "  ");
  CHECK(english.str() == "  one two\n  three four\n");
  std::ostringstream chinese;
  // Each character is two columns wide: four fit in 10 less the prefix's 2; a closing comma
  // never starts a line, so it goes down with the character before it.
  tcpsim::runner::write_wrapped(chinese, "三次握手，第一次握手", 10, "  ");
  CHECK(chinese.str() == "  三次握\n  手，第一\n  次握手\n");
  std::ostringstream mixed;
  tcpsim::runner::write_wrapped(mixed, "收到 SYN 就进入", 12, "");
  CHECK(mixed.str() == "收到 SYN 就\n进入\n");
}

}  // namespace runner_teaching_tests
