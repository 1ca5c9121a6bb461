// JUnit XML, the report format CI systems read (Jenkins, GitLab, GitHub Actions' test
// reporters): one <testsuite> of <testcase>s, each passed, failed (<failure>), in error
// (<error>: it could not run) or skipped. `tcpsim check --junit` and `tcpsim sweep --junit`
// write it whole or not at all (runner/output_file.hpp). No times: the report of a run is the
// same bytes every time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tcpsim::runner {

struct JunitCase {
  enum class Result : std::uint8_t { passed, failed, error, skipped } result = Result::passed;
  std::string classname;  // the scenario's file or name
  std::string name;       // the case: a scenario, or a sweep's seed and parameters
  std::string message;    // failed, error: the first problem, one line
  std::string details;    // failed, error: every problem, a line each
};

// The document: <testsuites> holding one <testsuite name=suite>. Text is escaped for XML 1.0,
// whose documents cannot hold most control characters even as references: those are written
// as visible escapes (\x1b), as every message of tcpsim is.
std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases);

}  // namespace tcpsim::runner
