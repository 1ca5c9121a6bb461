#include "runner/junit.hpp"

#include <algorithm>

#include "runner/visible_text.hpp"

namespace tcpsim::runner {

namespace {

// Visible text (no control character survives, invalid UTF-8 is escaped), then XML's five.
std::string xml_text(const std::string& text) {
  std::string out;
  for (const char c : visible(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// Several lines: each made visible on its own, joined by newlines.
std::string xml_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (start != 0) out += '\n';
    out += xml_text(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases) {
  std::size_t failures = 0;
  std::size_t errors = 0;
  std::size_t skipped = 0;
  for (const JunitCase& test : cases) {
    failures += test.result == JunitCase::Result::failed;
    errors += test.result == JunitCase::Result::error;
    skipped += test.result == JunitCase::Result::skipped;
  }
  const std::string counts = " tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                             "\" skipped=\"" + std::to_string(skipped) + "\"";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" +
                    xml_text(suite) + "\"" + counts + ">\n  <testsuite name=\"" +
                    xml_text(suite) + "\"" + counts + ">\n";
  for (const JunitCase& test : cases) {
    out += "    <testcase classname=\"" + xml_text(test.classname) + "\" name=\"" +
           xml_text(test.name) + "\"";
    const char* element = test.result == JunitCase::Result::failed  ? "failure"
                          : test.result == JunitCase::Result::error ? "error"
                                                                    : nullptr;
    if (element != nullptr) {
      out += ">\n      <" + std::string(element) + " message=\"" + xml_text(test.message) +
             "\">" + xml_lines(test.details) + "</" + element + ">\n    </testcase>\n";
    } else if (test.result == JunitCase::Result::skipped) {
      out += ">\n      <skipped message=\"" + xml_text(test.message) + "\"/>\n    </testcase>\n";
    } else {
      out += "/>\n";
    }
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace tcpsim::runner
