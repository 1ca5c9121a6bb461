// `tcpsim sweep`: every (scenario, parameter values, seed) of this shard, on a Boost.Asio
// thread_pool of --jobs threads. The pool lives here, at the edge: each case is one
// single-threaded run (runner/sweep.hpp), and the lines are sorted before they are written, so
// the output does not depend on which thread finished first.
#include <unistd.h>

// Boost 1.74's Asio detects std::invoke_result on MSVC only, and otherwise uses std::result_of,
// which C++20 removed (libc++ 14 has none): tell it the standard library has invoke_result (as
// views/realtime.cpp does).
#ifndef BOOST_ASIO_HAS_STD_INVOKE_RESULT
#define BOOST_ASIO_HAS_STD_INVOKE_RESULT 1
#endif
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>

#include "app/commands.hpp"
#include "runner/junit.hpp"
#include "runner/output_file.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/trace_format.hpp"
#include "runner/visible_text.hpp"

namespace tcpsim::app {

using namespace tcpsim::runner;

namespace {

// "fnv1a64:0123456789abcdef" of the file's bytes: the scenario as it was run.
bool file_hash(const std::string& path, std::string& hash) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  hash = std::string("fnv1a64:") + hex;
  return true;
}

// "\rsweep: 1234/10000 runs, 2 failed" on a terminal's stderr, at most ten times a second;
// nothing when stderr is a file or a pipe (CI logs stay clean).
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), shown_(isatty(STDERR_FILENO) == 1) {}
  void done(bool passed) {
    if (!shown_) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    failed_ += passed ? 0 : 1;
    const auto now = std::chrono::steady_clock::now();
    if (done_ != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::cerr << "\rsweep: " << done_ << "/" << total_ << " runs, " << failed_ << " failed"
              << (done_ == total_ ? "\n" : "") << std::flush;
  }

 private:
  std::size_t total_;
  bool shown_;
  std::mutex mutex_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

std::string case_name(const SweepVariant& variant, std::uint64_t seed) {
  std::string name = "seed " + std::to_string(seed);
  for (const auto& [knob_name, value] : variant.settings) {
    const tcp::Knob* knob = tcp::find_knob(knob_name);
    name += " " + knob_name + "=" + (knob != nullptr ? tcp::knob_value_text(*knob, value) : "");
  }
  return name;
}

}  // namespace

int command_sweep(const SweepCommand& options) {
  std::vector<std::string> files;
  collect_scenario_files(options.files, files);
  if (output_is_an_input("sweep", "--out", options.out, files) ||
      output_is_an_input("sweep", "--junit", options.junit, files)) {
    return exit_bad_input;
  }
  std::vector<SweepVariant> variants;
  const auto combinations = parameter_combinations(options.parameters);
  for (const std::string& file : files) {
    if (is_packetdrill_script(file)) {
      std::cerr << "tcpsim sweep: " << shown_path(file)
                << ": packetdrill scripts are not swept (they have no seed to vary)\n";
      return exit_bad_input;
    }
    Scenario scenario;
    std::string hash;
    try {
      scenario = load_scenario_file(file);
    } catch (const ScenarioError& error) {
      std::cerr << error.what() << "\n";
      return exit_bad_input;
    }
    if (!file_hash(file, hash)) {
      std::cerr << "tcpsim sweep: cannot read " << shown_path(file) << "\n";
      return exit_bad_input;
    }
    for (const auto& settings : combinations) {
      SweepVariant variant{scenario, hash, settings};
      apply_knob_settings(variant.scenario, settings);
      variants.push_back(std::move(variant));
    }
  }
  if (variants.empty()) {
    std::cerr << "tcpsim sweep: no scenario files found\n";
    return exit_bad_input;
  }
  // Both outputs are opened before anything runs, and put in place together at the end.
  std::vector<std::unique_ptr<AtomicFile>> outputs;
  AtomicFile* out_file = nullptr;
  AtomicFile* junit_file = nullptr;
  for (const auto& [path, slot] : {std::pair<const std::string*, AtomicFile**>{&options.out,
                                                                               &out_file},
                                   std::pair<const std::string*, AtomicFile**>{&options.junit,
                                                                               &junit_file}}) {
    if (path->empty() || *path == "-") continue;
    outputs.push_back(std::make_unique<AtomicFile>(*path));
    std::string error;
    if (!outputs.back()->open(error)) {
      std::cerr << "tcpsim sweep: " << error << "\n";
      return exit_bad_input;
    }
    *slot = outputs.back().get();
  }

  const std::vector<SweepCase> cases = sweep_cases(variants.size(), options.seeds, options.shard);
  std::vector<SweepOutcome> outcomes(cases.size());
  Progress progress(cases.size());
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto run_case = [&](std::size_t index) {
    try {
      outcomes[index] =
          run_sweep_case(variants[cases[index].variant], cases[index].seed, options.memory_budget);
      progress.done(outcomes[index].passed);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  if (options.jobs <= 1) {
    for (std::size_t index = 0; index < cases.size(); ++index) run_case(index);
  } else {
    boost::asio::thread_pool pool(options.jobs);
    for (std::size_t index = 0; index < cases.size(); ++index) {
      boost::asio::post(pool, [&run_case, index] { run_case(index); });
    }
    pool.join();
  }
  if (failure) std::rethrow_exception(failure);  // out of memory: main() reports it

  // Output order: the lines' bytes (runner/sweep.hpp); the JUnit cases follow it.
  std::vector<std::size_t> order(cases.size());
  for (std::size_t index = 0; index < order.size(); ++index) order[index] = index;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return outcomes[a].line < outcomes[b].line;
  });
  std::ostream& out = out_file != nullptr ? out_file->stream() : std::cout;
  std::size_t passed = 0;
  std::size_t errors = 0;
  std::vector<JunitCase> junit;
  for (const std::size_t index : order) {
    const SweepOutcome& outcome = outcomes[index];
    out << outcome.line << "\n";
    passed += outcome.passed ? 1 : 0;
    errors += outcome.error ? 1 : 0;
    if (junit_file == nullptr) continue;
    const SweepVariant& variant = variants[cases[index].variant];
    JunitCase test;
    test.classname = variant.scenario.name;
    test.name = case_name(variant, cases[index].seed);
    test.result = outcome.error    ? JunitCase::Result::error
                  : outcome.passed ? JunitCase::Result::passed
                                   : JunitCase::Result::failed;
    test.message = outcome.first_failure;
    test.details = outcome.first_failure + "\nreplay: tcpsim run " + variant.scenario.file +
                   " --seed " + std::to_string(cases[index].seed);
    if (!variant.settings.empty()) {
      test.details += " with " + case_name(variant, cases[index].seed).substr(
                                     ("seed " + std::to_string(cases[index].seed) + " ").size()) +
                      " in every host's \"tcp\"";
    }
    junit.push_back(std::move(test));
  }
  if (junit_file != nullptr) junit_file->stream() << junit_xml("tcpsim sweep", junit);
  if (!standard_output_ok()) return exit_bad_input;
  std::vector<AtomicFile*> committed;
  for (const auto& file : outputs) committed.push_back(file.get());
  std::string error;
  if (!commit_together(committed, error)) {
    std::cerr << "tcpsim sweep: " << error << "\n";
    return exit_bad_input;
  }
  const std::size_t failed = cases.size() - passed - errors;
  std::cerr << "sweep: " << cases.size() << " runs (shard " << options.shard.index << "/"
            << options.shard.count << "), " << passed << " passed, " << failed << " failed, "
            << errors << " errors\n";
  if (errors > 0) return exit_bad_input;
  return failed > 0 ? exit_failed : exit_ok;
}

}  // namespace tcpsim::app
