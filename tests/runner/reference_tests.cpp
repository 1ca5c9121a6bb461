// The generated documentation (runner/reference.hpp): the shipped docs agree with the tables,
// and a change on either side is caught, so the knob table, the schema and the document cannot
// drift apart. (The ctest docs:generated runs the same check through tcpsim_generate_docs.)
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "runner/invariants.hpp"
#include "runner/reference.hpp"
#include "runner/vocabulary.hpp"
#include "tcp/knobs.hpp"
#include "tcp/types.hpp"

namespace runner_reference_tests {

using namespace tcpsim::runner;

namespace {

const std::string source_dir = TCPSIM_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("docs/scenario-format.md and the schema are what the tables generate", "[reference]") {
  const std::string doc = read_text(source_dir + "/docs/scenario-format.md");
  const std::string schema = read_text(source_dir + "/docs/scenario.schema.json");
  CHECK(regenerate_format_doc(doc) == doc);
  CHECK(regenerate_schema(schema) == schema);
  CHECK(schema_disagreements(schema).empty());
  // Every knob, action, expectation key and counter is in the document.
  for (const auto& knob : tcpsim::tcp::knobs())
    CHECK(doc.find("| `" + std::string(knob.name) + "` |") != std::string::npos);
  for (const auto& action : actions())
    CHECK(doc.find("| `" + std::string(action.name) + "` |") != std::string::npos);
  for (const auto& key : expectation_keys())
    CHECK(doc.find("| `" + std::string(key.name) + "` |") != std::string::npos);
}

TEST_CASE("the invariants expectation key names every invariant explore checks", "[reference]") {
  // runner/invariants.cpp names them once; the key's description (runner/vocabulary.cpp) is
  // prose, so it is checked here, and the schema's enum is generated from the same table.
  const ExpectationKey* invariants_key = nullptr;
  for (const auto& key : expectation_keys()) {
    if (std::string(key.name) == "invariants") invariants_key = &key;
  }
  REQUIRE(invariants_key != nullptr);
  const std::string description(invariants_key->doc);
  for (const Invariant invariant : all_invariants()) {
    const std::string quoted = "`" + std::string(invariant_name(invariant)) + "`";
    CHECK((description.find(quoted) != std::string::npos) ==
          (invariant != Invariant::expectations));
  }
  const std::string schema = read_text(source_dir + "/docs/scenario.schema.json");
  const std::string stale = replaced(schema, "\"ack_storm\", \"window\"", "\"ack_storm\"");
  CHECK(regenerate_schema(stale) == schema);
  CHECK(invariant_names_text("or") == "delivery, progress, ack_storm, window or expectations");
  CHECK(invariant_names_text("and", false) == "delivery, progress, ack_storm and window");
}

TEST_CASE("a stale generated region or schema part is rewritten", "[reference]") {
  const std::string doc = read_text(source_dir + "/docs/scenario-format.md");
  const std::string stale_doc = replaced(doc, "| `nagle` | `true` or `false`", "| `nagle` | yes");
  CHECK(regenerate_format_doc(stale_doc) == doc);
  const std::string stale_states = replaced(doc, "`CLOSED`, `LISTEN`", "`CLOSED`");
  CHECK(regenerate_format_doc(stale_states) == doc);

  const std::string schema = read_text(source_dir + "/docs/scenario.schema.json");
  const std::string stale_enum = replaced(schema, R"("three-way", "two-way")", R"("three-way")");
  CHECK(regenerate_schema(stale_enum) == schema);
  const std::string missing_knob = replaced(schema, R"("nagle": {)", R"("nagel": {)");
  CHECK(regenerate_schema(missing_knob) == schema);
  const std::string stale_pattern = replaced(schema, "|window_probes", "");
  CHECK(regenerate_schema(stale_pattern) == schema);
}

TEST_CASE("the generator refuses documents without their regions", "[reference]") {
  const std::string doc = read_text(source_dir + "/docs/scenario-format.md");
  CHECK_THROWS_AS(regenerate_format_doc(replaced(doc, "<!-- /generated actions -->", "")),
                  GenerateError);
  CHECK_THROWS_AS(regenerate_format_doc(replaced(doc, "<!-- generated counters -->", "")),
                  GenerateError);
  CHECK_THROWS_AS(regenerate_format_doc(doc + "<!-- generated bogus --><!-- /generated bogus -->"),
                  GenerateError);
  CHECK_THROWS_AS(regenerate_schema("{"), GenerateError);
  CHECK_THROWS_AS(regenerate_schema(R"({"$defs": {}})"), GenerateError);
}

TEST_CASE("the schema's hand-written parts are checked against the tables", "[reference]") {
  const std::string schema = read_text(source_dir + "/docs/scenario.schema.json");
  // An expectation key the loader does not know.
  const auto extra_key = schema_disagreements(
      replaced(schema, R"("never": { "type": "array")", R"("nevermore": { "type": "array")"));
  CHECK(extra_key.size() == 1);
  // An action branch that forgets a key the loader accepts.
  const auto missing_key = schema_disagreements(
      replaced(schema, R"("local_port": { "$ref": "#/$defs/port" },)", ""));
  REQUIRE(missing_key.size() == 1);
  CHECK(missing_key[0].find("\"connect\"") != std::string::npos);
}

TEST_CASE("list --knobs prints every knob with its defaults and teaching mark", "[reference]") {
  std::ostringstream out;
  write_knob_listing(out);
  const std::string text = out.str();
  for (const auto& knob : tcpsim::tcp::knobs()) {
    INFO(knob.name);
    const std::size_t at = text.find("\n" + std::string(knob.name) + " ");
    REQUIRE(at != std::string::npos);
    // The entry's head: up to its documentation line, indented by four spaces.
    const std::string doc_start = "\n    " + std::string(knob.doc.substr(0, 8));
    const std::size_t doc_at = text.find(doc_start, at);
    REQUIRE(doc_at != std::string::npos);
    const std::string head = text.substr(at + 1, doc_at - at - 1);
    CHECK(head.ends_with("teaching") == knob.teaching);
  }
  CHECK(text.find("time_wait                  duration                    2 x msl    1min       "
                  "2 x msl    teaching\n") != std::string::npos);
  CHECK(text.find("rto_min                    duration > 0                1s         200ms      "
                  "1s\n") != std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
}

TEST_CASE("the vocabulary tables cover their enums once each", "[reference]") {
  std::set<int> kinds;
  for (const auto& action : actions()) {
    INFO(action.name);
    CHECK(kinds.insert(static_cast<int>(action.kind)).second);
    CHECK(find_action(action.name) == &action);
    CHECK(action_name(action.kind) == action.name);
  }
  CHECK(kinds.size() == 12);  // every ActionKind
  std::set<int> seen;
  for (const auto& info : counters()) {
    INFO(info.name);
    CHECK(seen.insert(static_cast<int>(info.counter)).second);
    CHECK(&counter_info(info.counter) == &info);
  }
  CHECK(seen.size() == static_cast<std::size_t>(Counter::link_delayed) + 1);
  CHECK(counter_name("server", Counter::retransmissions) == "server.retransmissions");
  CHECK(link_counter_name(Counter::link_expired) == "link.expired");
}

}  // namespace runner_reference_tests
