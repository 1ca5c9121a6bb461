#include "runner/run_summary.hpp"

#include <array>
#include <cstdint>
#include <vector>

#include "tcp/time.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

std::string format_run_summary(const Scenario& scenario, const RunResult& result) {
  std::string text = "run: " + (scenario.name.empty() ? std::string("(unnamed)") : scenario.name) +
                     ", seed " + std::to_string(result.seed) + ", ended at " +
                     format_duration(result.end_time) + " of virtual time\n";
  text += "events: " + std::to_string(result.events_executed) + ", segments sent: " +
          std::to_string(result.segments_sent) + "\n";
  for (std::size_t h = 0; h < scenario.hosts.size(); ++h) {
    std::array<std::uint64_t, tcp::state_count> by_state{};
    std::uint64_t connections = 0;
    std::uint64_t listeners = 0;
    std::uint64_t failed = 0;
    for (const ConnectionRecord& record : result.connections) {
      if (record.host != static_cast<int>(h)) continue;
      if (record.failed_connect || record.failed_listen) {
        ++failed;
      } else if (record.listener) {
        ++listeners;
      } else {
        ++connections;
        ++by_state[static_cast<std::size_t>(record.final_state())];
      }
    }
    text += scenario.hosts[h].name + ": " + std::to_string(connections) +
            (connections == 1 ? " connection" : " connections");
    std::string states;
    for (std::size_t state = 0; state < by_state.size(); ++state) {
      if (by_state[state] == 0) continue;
      states += std::string(states.empty() ? "" : ", ") +
                std::string(tcp::state_name(static_cast<tcp::State>(state))) + " " +
                std::to_string(by_state[state]);
    }
    if (!states.empty()) text += " (final state: " + states + ")";
    if (listeners > 0) text += ", " + std::to_string(listeners) + " listening";
    if (failed > 0) text += ", " + std::to_string(failed) + " failed to open";
    text += "\n";
  }
  if (!result.counters.empty()) {
    text += "counters:";
    for (const auto& [name, value] : result.counters) {
      text += " " + name + "=" + std::to_string(value);
    }
    text += "\n";
  }
  return text;
}

}  // namespace tcpsim::runner
