// The names a scenario file uses besides the TCP knobs (tcp/knobs.hpp) and the state and event
// names (tcp/types.hpp): the timeline's actions with their keys, the expectation keys, and the
// counters. One table each, read by the loader, the simulation (counters) and the generator of
// docs/scenario.schema.json and docs/scenario-format.md (runner/reference.hpp), whose agreement
// a ctest checks (scripts/generate-docs regenerates them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "runner/scenario.hpp"

namespace tcpsim::runner {

struct ActionInfo {
  std::string_view name;  // the "action" value: "stop_reading"
  ActionKind kind;
  // allowed besides "at", "action" (and "host"), and reaction_keys()
  std::span<const std::string_view> keys;
  std::string_view doc;                    // the keys for people, Markdown
  // The action is a host's call and names it ("host", required). An inject names no host: it
  // comes from the script, addressed by its own keys.
  bool on_host = true;
};

// The keys every action takes besides "at", "action", "host" (an action on a host) and its own:
// "on" with "after" (a reactive action, instead of "at") and "id", listed after its own keys.
std::span<const std::string_view> reaction_keys();
// The key that makes a timed action a generator ("repeat", docs/scenario-format.md,
// "Generators"): every action's schema branch allows it.
std::string_view generator_key();

// In the order the loader lists them ("expected one of ...").
std::span<const ActionInfo> actions();
const ActionInfo* find_action(std::string_view name);
std::string_view action_name(ActionKind kind);

struct ExpectationKey {
  std::string_view name;  // a key of "expect": "final_states"
  std::string_view doc;   // Markdown
};
std::span<const ExpectationKey> expectation_keys();

// What `expect.counts` can name. A host counter is "<host>.<name>", a link counter
// "link.<name>"; two rows stand for families: "<event>" (one per application event) and
// "sent.<FLAG>" (one per flag).
enum class Counter : std::uint8_t {
  event,  // "<host>.<event>": application events of that kind
  sent,
  sent_flag,
  retransmissions,
  fast_retransmissions,
  window_probes,
  keepalive_probes,
  discarded,
  connections,
  bytes_received,
  injected,
  link_dropped,
  link_expired,
  link_duplicated,
  link_delayed,
};

struct CounterInfo {
  Counter counter;
  bool link;              // "link.<name>", else "<host>.<name>"
  std::string_view name;  // "retransmissions", "<event>", "sent.<FLAG>", "dropped"
  std::string_view doc;   // Markdown
};

// In the order documented and listed in the loader's message for an unknown counter.
std::span<const CounterInfo> counters();
const CounterInfo& counter_info(Counter counter);
// "client.retransmissions", "link.dropped" (not for the two families).
std::string counter_name(std::string_view host, Counter counter);
std::string link_counter_name(Counter counter);

}  // namespace tcpsim::runner
