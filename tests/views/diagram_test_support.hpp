// Shared by the SVG and HTML view tests: running a scenario, golden files, and reading the
// diagram's elements back (by data-step, by class) without an XML library.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/simulation.hpp"

namespace diagram_test {

struct Run {
  tcpsim::runner::Scenario scenario;
  tcpsim::runner::RunResult result;
};

inline std::string source_path(const std::string& relative) {
  return std::string(TCPSIM_SOURCE_DIR) + "/" + relative;
}

inline Run run(const std::string& relative) {
  Run out;
  out.scenario = tcpsim::runner::load_scenario_file(source_path(relative));
  out.result = tcpsim::runner::run_scenario(out.scenario);
  REQUIRE_FALSE(out.result.error);
  return out;
}

inline Run run_text(const std::string& json) {
  Run out;
  out.scenario = tcpsim::runner::load_scenario_text(json, "inline.json");
  out.result = tcpsim::runner::run_scenario(out.scenario);
  REQUIRE_FALSE(out.result.error);
  return out;
}

inline std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Compares with tests/views/golden/<name>; TCPSIM_UPDATE_GOLDEN=1 rewrites the file instead.
// On a difference, says which line differs first, with both versions.
inline void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = source_path("tests/views/golden/" + name);
  const char* update = std::getenv("TCPSIM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::string error;
    REQUIRE(tcpsim::runner::write_file_atomically(path, actual, error));
    WARN("golden written: " << path);
    return;
  }
  bool ok = false;
  const std::string expected = read_file(path, ok);
  INFO("golden file " << path << " (regenerate: TCPSIM_UPDATE_GOLDEN=1 ctest -R views: ; then "
                                 "review the diff)");
  REQUIRE(ok);
  if (expected == actual) return;
  std::istringstream a(expected);
  std::istringstream b(actual);
  std::string line_a;
  std::string line_b;
  int number = 0;
  while (true) {
    ++number;
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) break;
    if (!more_a) line_a = "<end of file>";
    if (!more_b) line_b = "<end of file>";
    if (line_a != line_b || !more_a || !more_b) {
      FAIL("first difference at line " << number << "\n  golden: " << line_a
                                       << "\n  now:    " << line_b);
    }
  }
  FAIL("the files differ (line endings?)");
}

// The opening tags of every element carrying data-step="step".
inline std::vector<std::string> tags_of_step(const std::string& svg, std::size_t step) {
  std::vector<std::string> tags;
  const std::string needle = " data-step=\"" + std::to_string(step) + "\"";
  std::size_t position = 0;
  while ((position = svg.find(needle, position)) != std::string::npos) {
    const std::size_t open = svg.rfind('<', position);
    const std::size_t close = svg.find('>', position);
    tags.push_back(svg.substr(open, close - open + 1));
    position = close;
  }
  return tags;
}

// The whole element (opening tag to its closing tag) that starts at the tag found at `open`.
inline std::string element_at(const std::string& svg, std::size_t open) {
  const std::size_t name_end = svg.find_first_of(" >/", open + 1);
  const std::string name = svg.substr(open + 1, name_end - open - 1);
  const std::size_t tag_end = svg.find('>', open);
  if (svg[tag_end - 1] == '/') return svg.substr(open, tag_end - open + 1);
  int depth = 0;
  std::size_t position = open;
  while (position < svg.size()) {
    const std::size_t next_open = svg.find("<" + name, position + 1);
    const std::size_t next_close = svg.find("</" + name + ">", position + 1);
    if (next_close == std::string::npos) break;
    if (next_open != std::string::npos && next_open < next_close) {
      const std::size_t end = svg.find('>', next_open);
      if (svg[end - 1] != '/') ++depth;
      position = next_open;
      continue;
    }
    if (depth == 0) return svg.substr(open, next_close + name.size() + 3 - open);
    --depth;
    position = next_close;
  }
  return svg.substr(open);
}

// Every element (whole) whose opening tag has data-step="step".
inline std::vector<std::string> elements_of_step(const std::string& svg, std::size_t step) {
  std::vector<std::string> out;
  const std::string needle = " data-step=\"" + std::to_string(step) + "\"";
  std::size_t position = 0;
  while ((position = svg.find(needle, position)) != std::string::npos) {
    const std::size_t open = svg.rfind('<', position);
    out.push_back(element_at(svg, open));
    position = svg.find('>', position);
  }
  return out;
}

inline std::optional<std::string> attribute(const std::string& tag, const std::string& name) {
  const std::regex pattern("\\s" + name + "=\"([^\"]*)\"");
  std::smatch match;
  if (!std::regex_search(tag, match, pattern)) return std::nullopt;
  return match[1].str();
}

inline int int_attribute(const std::string& tag, const std::string& name) {
  const auto value = attribute(tag, name);
  REQUIRE(value);
  return std::stoi(*value);
}

// Text content with tags removed and the five XML entities decoded.
inline std::string text_of(const std::string& element) {
  std::string out;
  bool in_tag = false;
  for (const char c : element) {
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    else if (!in_tag) out += c;
  }
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    std::size_t position = 0;
    while ((position = out.find(entity, position)) != std::string::npos) {
      out.replace(position, std::string(entity).size(), plain);
      position += 1;
    }
  }
  return out;
}

// The y of the time axis row labelled `seconds` ("0.150"): the label's baseline is 4 below.
inline int row_of(const std::string& svg, const std::string& seconds) {
  const std::regex pattern("<text x=\"\\d+\" y=\"(\\d+)\" class=\"time\" text-anchor=\"end\">" +
                           std::regex_replace(seconds, std::regex("\\."), "\\.") + "</text>");
  std::smatch match;
  REQUIRE(std::regex_search(svg, match, pattern));
  return std::stoi(match[1].str()) - 4;
}

// Tags nest properly (a cheap well-formedness check: no XML library in the project).
inline bool tags_balanced(const std::string& text, std::string& problem) {
  std::vector<std::string> stack;
  std::size_t position = 0;
  while ((position = text.find('<', position)) != std::string::npos) {
    const std::size_t end = text.find('>', position);
    if (end == std::string::npos) {
      problem = "unterminated tag";
      return false;
    }
    const std::string tag = text.substr(position + 1, end - position - 1);
    position = end;
    if (tag.empty() || tag[0] == '!' || tag[0] == '?') continue;
    if (tag.back() == '/') continue;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        problem = "</" + name + "> closes " + (stack.empty() ? "nothing" : "<" + stack.back() + ">");
        return false;
      }
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n"));
    stack.push_back(name);
  }
  if (!stack.empty()) {
    problem = "<" + stack.back() + "> is never closed";
    return false;
  }
  return true;
}

}  // namespace diagram_test
