// The state transitions a connection may make: the ones RFC 9293 section 3.10 allows, plus the
// teaching variants' and Linux's extra ones, marked as such. Connection::change_state checks
// every change against this table (a change not in it is a programming error), and the table is
// the newcomer's index to the code: `tcpsim list --transitions` prints it, docs/design.md embeds
// it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "tcp/rules.hpp"
#include "tcp/types.hpp"

namespace tcpsim::tcp {

struct StateTransition {
  State from = State::closed;
  std::string_view event;  // what happens: "rcv SYN", "CLOSE", "timeout 2MSL"
  State to = State::closed;
  Rule rule = Rule::none;
  std::string_view function;  // the function that makes the change: "Connection::arrive_listen"
  // "" for RFC behaviour; otherwise the knob setting that enables the row ("time_wait = 0",
  // a teaching variant; "fin_wait_2_timeout > 0", as Linux does).
  std::string_view variant;
};

// Every row, grouped by the state it leaves, in the order of RFC 9293 3.3.2's state list.
std::span<const StateTransition> transitions();

// The row for leaving `from` by `rule`, or nullptr. Each (from, rule) has at most one row, and
// each rule leads to one state only.
const StateTransition* find_transition(State from, Rule rule);

// The table by rule, built from it at compile time (tcp/transitions.cpp): the states a rule
// may leave (one bit per State) and the one state it leads to. Indexed by every value a Rule can
// hold, so a lookup needs no bounds check; a rule of no row leaves no state.
struct RuleTransitions {
  std::uint16_t from_states = 0;
  State to = State::closed;
};
extern const std::array<RuleTransitions, 256> transitions_by_rule;

// Whether (from, to, rule) is a row of the table, in constant time: one load, a bit test and a
// compare, inline, as Connection::change_state checks every change.
inline bool transition_allowed(State from, State to, Rule rule) {
  const RuleTransitions& entry = transitions_by_rule[static_cast<std::uint8_t>(rule)];
  return (entry.from_states >> static_cast<unsigned>(from) & 1U) != 0 && entry.to == to;
}

}  // namespace tcpsim::tcp
