// The teaching catalogue: for each TCP mechanism the simulator can turn off, what it protects
// against, the knob that turns it off, and the pair of shipped scenarios that shows the
// difference (one with the mechanism, one without). The one source of truth for
// `tcpsim list --teaching` and docs/teaching.md; tests/runner/teaching_tests.cpp checks that the
// scenarios exist, differ in the named knob, and that the document mentions every entry.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "tcp/config.hpp"

namespace tcpsim::runner {

struct TeachingEntry {
  std::string_view mechanism;         // "three-way handshake"
  std::string_view protects_against;  // one sentence, quoted verbatim by docs/teaching.md
  std::string_view knob;              // the key of a host's "tcp" object: "handshake"
  std::string_view turn_off;          // the setting that turns it off: "\"handshake\": \"two-way\""
  std::string_view with_scenario;     // scenarios/<name>.json, the mechanism at work
  std::string_view without_scenario;  // the same story with the knob turned
  std::string_view seeds;             // the seed articles that make the claim: "000, 001, 003"
                                      // ("" when none does: then the RFCs alone)
  std::string_view reference;         // the RFC text: "RFC 9293 3.5, figure 8"
  // The same two texts in Chinese, in the textbook's words (三次握手, 已失效的连接请求报文段,
  // 半连接, 四次挥手, 2MSL, 保活计时器), for `--lang zh` and the playground. A test requires them.
  std::string_view mechanism_zh;
  std::string_view protects_against_zh;
};

// The catalogue, in the order of a connection's life (open, idle, close, reuse).
std::span<const TeachingEntry> teaching_catalogue();

// The value of one teaching knob (tcp/knobs.hpp) in a host's effective configuration, spelt as
// the scenario format spells it ("two-way", "0s", "random", "1000", "false"); nullopt for any
// other key.
std::optional<std::string> teaching_knob_value(const tcp::TcpConfig& config, std::string_view knob);

// A scenario's one-line summary: its description up to the end of the first sentence (what
// `tcpsim list` prints).
std::string scenario_summary(const std::string& description);

// Writes the catalogue for `tcpsim list --teaching`, loading each scenario from
// `directory`/<name>.json for its summary and knob values. Returns false when a scenario is
// missing or invalid (the output says which). `chinese`: in Chinese (`--lang zh`), with the
// scenarios' description_zh.
bool write_teaching_catalogue(std::ostream& out, const std::string& directory,
                              bool chinese = false);

}  // namespace tcpsim::runner
