#include "runner/expectations.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>

#include "runner/trace_format.hpp"

namespace tcpsim::runner {
namespace {

std::string state_list(const std::vector<tcp::State>& states) {
  std::string out = "[";
  for (std::size_t index = 0; index < states.size(); ++index) {
    if (index > 0) out += ", ";
    out += std::string(tcp::state_name(states[index]));
  }
  return out + "]";
}

std::string bytes_text(std::span<const std::uint8_t> data) {
  std::string out = "\"";
  for (unsigned char c : data) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
      out += buffer;
    }
  }
  return out + "\"";
}

std::string seconds(Time time) { return format_duration(time); }

std::string describe_sent(const Scenario& scenario, const TraceEvent& event) {
  const TraceSegment& segment = event.segment;
  std::string out = scenario.hosts[static_cast<std::size_t>(event.host)].name + " " +
                    (segment.flags == 0 ? std::string("(no flags)")
                                        : tcp::flags_to_string(segment.flags));
  out += " seq=" + std::to_string(segment.has_relative_seq ? segment.relative_seq
                                                           : std::int64_t{segment.seq});
  if ((segment.flags & tcp::flag::ack) != 0) {
    out += " ack=" + std::to_string(segment.has_relative_ack ? segment.relative_ack
                                                             : std::int64_t{segment.ack});
  }
  out += " len=" + std::to_string(segment.length) + " at " + seconds(event.time);
  return out;
}

std::string describe_expected(const Scenario& scenario, const ExpectedSegment& expected) {
  std::string out = scenario.hosts[static_cast<std::size_t>(expected.from)].name + " " +
                    (expected.flags == 0 ? std::string("(no flags)")
                                         : tcp::flags_to_string(expected.flags));
  if (expected.seq) out += " seq=" + std::to_string(*expected.seq);
  if (expected.ack) out += " ack=" + std::to_string(*expected.ack);
  if (expected.length) out += " len=" + std::to_string(*expected.length);
  if (expected.at) out += " at " + seconds(*expected.at);
  return out;
}

bool segment_matches(const ExpectedSegment& expected, const TraceEvent& event) {
  const TraceSegment& segment = event.segment;
  if (event.host != expected.from || segment.flags != expected.flags) return false;
  const std::int64_t seq =
      segment.has_relative_seq ? segment.relative_seq : std::int64_t{segment.seq};
  const std::int64_t ack =
      segment.has_relative_ack ? segment.relative_ack : std::int64_t{segment.ack};
  if (expected.seq && *expected.seq != seq) return false;
  if (expected.ack && *expected.ack != ack) return false;
  if (expected.length && *expected.length != segment.length) return false;
  if (expected.at && *expected.at != event.time) return false;
  return true;
}

void check_segments(const Scenario& scenario, const RunResult& result,
                    std::vector<ExpectationFailure>& failures) {
  const auto& expected = *scenario.expect.segments;
  std::vector<const TraceEvent*> sent;
  for (const TraceEvent& event : result.trace) {
    if (event.kind == TraceKind::send) sent.push_back(&event);
  }
  const std::size_t common = std::min(expected.size(), sent.size());
  for (std::size_t index = 0; index < common; ++index) {
    if (!segment_matches(expected[index], *sent[index])) {
      failures.push_back({expected[index].where,
                          "segment " + std::to_string(index + 1) + ": expected " +
                              describe_expected(scenario, expected[index]) + ", got " +
                              describe_sent(scenario, *sent[index])});
      return;
    }
  }
  if (sent.size() > expected.size()) {
    failures.push_back({scenario.expect.segments_where,
                        "expected " + std::to_string(expected.size()) + " segments, " +
                            std::to_string(sent.size()) + " were sent; the first extra one is " +
                            describe_sent(scenario, *sent[expected.size()])});
  } else if (sent.size() < expected.size()) {
    failures.push_back({expected[sent.size()].where,
                        "expected " + std::to_string(expected.size()) + " segments, only " +
                            std::to_string(sent.size()) + " were sent; missing " +
                            describe_expected(scenario, expected[sent.size()])});
  }
}

void check_app_events(const ExpectedAppEvents& expected, const ConnectionRecord& record,
                      std::vector<ExpectationFailure>& failures) {
  const auto& actual = record.app_events;
  const std::size_t common = std::min(expected.events.size(), actual.size());
  for (std::size_t index = 0; index < common; ++index) {
    const ExpectedAppEvent& want = expected.events[index];
    const AppEventRecord& got = actual[index];
    std::string problem;
    if (want.event != got.kind) {
      problem = "expected " + std::string(tcp::app_event_name(want.event)) + ", got " +
                std::string(tcp::app_event_name(got.kind)) + " at " + seconds(got.time);
    } else if (want.at && *want.at != got.time) {
      problem = "expected " + std::string(tcp::app_event_name(want.event)) + " at " +
                seconds(*want.at) + ", it came at " + seconds(got.time);
    } else if (want.data && *want.data != got.data) {
      problem = "expected data " + bytes_text(*want.data) + ", got " + bytes_text(got.data);
    }
    if (!problem.empty()) {
      failures.push_back({want.where, "app event " + std::to_string(index + 1) + " of " +
                                          expected.connection + ": " + problem});
      return;
    }
  }
  if (actual.size() > expected.events.size()) {
    const AppEventRecord& extra = actual[expected.events.size()];
    failures.push_back({expected.where,
                        expected.connection + ": expected " +
                            std::to_string(expected.events.size()) + " app events, got " +
                            std::to_string(actual.size()) + "; the first extra one is " +
                            std::string(tcp::app_event_name(extra.kind)) + " at " +
                            seconds(extra.time)});
  } else if (actual.size() < expected.events.size()) {
    failures.push_back({expected.events[actual.size()].where,
                        expected.connection + ": expected " +
                            std::to_string(expected.events.size()) + " app events, got " +
                            std::to_string(actual.size()) + "; missing " +
                            std::string(tcp::app_event_name(
                                expected.events[actual.size()].event))});
  }
}

// A window of `data` around `offset` for received-data messages: up to 8 bytes before it and 8
// from it, escaped, with "..." where the data goes on, and "(end of data)" when it stops before
// `offset`.
std::string excerpt(std::span<const std::uint8_t> data, std::size_t offset) {
  constexpr std::size_t before = 8;
  constexpr std::size_t width = 16;
  const std::size_t start = offset > before ? offset - before : 0;
  const std::size_t end = std::min(data.size(), start + width);
  std::string out = start > 0 ? "..." : "";
  out += bytes_text(data.subspan(start, end - start));
  if (end < data.size()) out += "...";
  if (offset >= data.size()) out += " (end of data)";
  return out;
}

void check_received(const ExpectedReceived& expected, const ConnectionRecord& record,
                    std::vector<ExpectationFailure>& failures) {
  std::vector<std::uint8_t> actual;
  for (const AppEventRecord& event : record.app_events) {
    if (event.kind == tcp::AppEventKind::data) actual.insert(actual.end(), event.data.begin(), event.data.end());
  }
  if (expected.length) {
    if (actual.size() != *expected.length) {
      failures.push_back({expected.where, expected.connection + " received " + std::to_string(actual.size()) +
                                              " bytes, expected " + std::to_string(*expected.length)});
    }
    return;
  }
  if (!expected.data || *expected.data == actual) return;
  const std::vector<std::uint8_t>& want = *expected.data;
  const auto difference = std::mismatch(want.begin(), want.end(), actual.begin(), actual.end());
  const auto offset = static_cast<std::size_t>(difference.first - want.begin());
  failures.push_back({expected.where, "the data " + expected.connection + " received differs at byte " +
                                          std::to_string(offset) + " (expected " +
                                          std::to_string(want.size()) + " bytes, received " +
                                          std::to_string(actual.size()) + "): expected " +
                                          excerpt(want, offset) + ", got " + excerpt(actual, offset)});
}

bool host_matches(const std::optional<int>& host, int actual) {
  return !host || *host == actual;
}

void check_never(const Scenario& scenario, const RunResult& result, const ExpectedNever& never,
                 std::vector<ExpectationFailure>& failures) {
  auto connection_matches = [&](const ConnectionRecord& record) {
    return !never.connection || record.name == *never.connection ||
           record.default_name == *never.connection;
  };
  switch (never.kind) {
    case ExpectedNever::Kind::segment:
      for (const TraceEvent& event : result.trace) {
        if (event.kind != TraceKind::send || !host_matches(never.host, event.host)) continue;
        if (never.flags_exact && event.segment.flags != *never.flags_exact) continue;
        if (never.flags_contain &&
            (event.segment.flags & *never.flags_contain) != *never.flags_contain) {
          continue;
        }
        failures.push_back({never.where, "a segment that should never be sent was sent: " +
                                             describe_sent(scenario, event)});
        return;
      }
      return;
    case ExpectedNever::Kind::event:
      for (const ConnectionRecord& record : result.connections) {
        if (!host_matches(never.host, record.host) || !connection_matches(record)) continue;
        for (const AppEventRecord& event : record.app_events) {
          if (event.kind == never.event) {
            failures.push_back({never.where, record.name + " was told " +
                                                 std::string(tcp::app_event_name(event.kind)) +
                                                 " at " + seconds(event.time) +
                                                 ", which should never happen"});
            return;
          }
        }
      }
      return;
    case ExpectedNever::Kind::state:
      for (const ConnectionRecord& record : result.connections) {
        if (!host_matches(never.host, record.host) || !connection_matches(record)) continue;
        for (tcp::State state : record.states) {
          if (state == never.state) {
            failures.push_back({never.where, record.name + " entered " +
                                                 std::string(tcp::state_name(state)) +
                                                 ", which should never happen; its states: " +
                                                 state_list(record.states)});
            return;
          }
        }
      }
      return;
  }
}

}  // namespace

std::size_t count_expectations(const Expectations& expect) {
  return expect.final_states.size() + expect.state_sequences.size() + expect.app_events.size() +
         (expect.segments ? 1 : 0) + expect.received.size() + expect.counts.size() + expect.never.size();
}

std::vector<ExpectationFailure> check_expectations(const Scenario& scenario,
                                                   const RunResult& result) {
  std::vector<ExpectationFailure> failures;
  const Expectations& expect = scenario.expect;
  for (const auto& item : expect.final_states) {
    const ConnectionRecord* record = result.find_connection(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else if (record->final_state() != item.state) {
      failures.push_back({item.where, item.connection + " ended in " +
                                          std::string(tcp::state_name(record->final_state())) +
                                          ", expected " +
                                          std::string(tcp::state_name(item.state)) +
                                          "; its states: " + state_list(record->states)});
    }
  }
  for (const auto& item : expect.state_sequences) {
    const ConnectionRecord* record = result.find_connection(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else if (record->states != item.states) {
      failures.push_back({item.where, item.connection + " went through " +
                                          state_list(record->states) + ", expected " +
                                          state_list(item.states)});
    }
  }
  for (const auto& item : expect.app_events) {
    const ConnectionRecord* record = result.find_connection(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else {
      check_app_events(item, *record, failures);
    }
  }
  if (expect.segments) check_segments(scenario, result, failures);
  for (const auto& item : expect.received) {
    const ConnectionRecord* record = result.find_connection(item.connection);
    if (record == nullptr) {
      failures.push_back({item.where, "connection " + item.connection + " never existed"});
    } else {
      check_received(item, *record, failures);
    }
  }
  for (const auto& item : expect.counts) {
    auto found = result.counters.find(item.counter);
    const std::int64_t actual = found == result.counters.end() ? 0 : found->second;
    if (actual != item.value) {
      failures.push_back({item.where, "count " + item.counter + " is " + std::to_string(actual) +
                                          ", expected " + std::to_string(item.value)});
    }
  }
  for (const auto& item : expect.never) check_never(scenario, result, item, failures);
  return failures;
}

std::optional<std::string> compare_traces(const std::string& expected, const std::string& actual) {
  if (expected == actual) return std::nullopt;
  std::size_t expected_pos = 0;
  std::size_t actual_pos = 0;
  for (std::size_t line_number = 1;; ++line_number) {
    const std::size_t expected_end = expected.find('\n', expected_pos);
    const std::size_t actual_end = actual.find('\n', actual_pos);
    const std::string expected_line =
        expected_pos >= expected.size()
            ? std::string("(end of golden trace)")
            : expected.substr(expected_pos, expected_end == std::string::npos
                                                ? std::string::npos
                                                : expected_end - expected_pos);
    const std::string actual_line =
        actual_pos >= actual.size()
            ? std::string("(end of trace)")
            : actual.substr(actual_pos, actual_end == std::string::npos ? std::string::npos
                                                                         : actual_end - actual_pos);
    if (expected_line != actual_line) {
      return "first divergent event at trace line " + std::to_string(line_number) +
             ":\n    golden: " + expected_line + "\n    actual: " + actual_line;
    }
    if (expected_end == std::string::npos || actual_end == std::string::npos) {
      return "traces differ in their final bytes (line " + std::to_string(line_number) + ")";
    }
    expected_pos = expected_end + 1;
    actual_pos = actual_end + 1;
  }
}

std::string golden_path_for(const std::string& scenario_path) {
  std::string base = scenario_path;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) {
    base.resize(base.size() - 5);
  }
  return base + ".trace.jsonl";
}

bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string& error) {
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (!status_error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    // A device, pipe or terminal (/dev/stdout, /dev/full): renaming a temporary file over it
    // would replace the device itself, so the bytes go to it directly.
    if (std::filesystem::is_directory(status)) {
      error = "cannot write " + path + ": it is a directory";
      return false;
    }
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
    return true;
  }
  const std::string temporary = path + ".tmp-tcpsim";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      out.close();
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace tcpsim::runner
