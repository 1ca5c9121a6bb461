// The shell commands and code blocks of a packetdrill script that tcpsim understands
// (packetdrill/interpreter.cpp runs them): FreeBSD's `sysctl -w` and the knobs its variables map
// to, `sockstat ... | grep -c STATE | grep N` probes, `tcpdrop -s STATE`, and the state
// assertion %{ assert tcpi_state == TCP_STATE }%.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::packetdrill {

// `assert tcpi_state == TCP_ESTABLISHED` (Linux's names) or `TCPI_ESTABLISHED` (FreeBSD's).
struct StateAssertion {
  tcp::State state = tcp::State::closed;
  std::string text;
};
std::optional<StateAssertion> parse_state_assertion(const std::string& code);

// `sockstat ... [-p PORT] ... | grep -c STATE | grep N`: the number of sockets in STATE.
struct SockstatProbe {
  std::optional<tcp::Port> port;
  tcp::State state = tcp::State::closed;
  int count = 0;
};
std::optional<SockstatProbe> parse_sockstat(const std::string& command);

// `tcpdrop -s STATE`: drop every connection in STATE (FreeBSD's tcpdrop(8)).
std::optional<tcp::State> parse_tcpdrop(const std::string& command);

// `sysctl -w NAME=VALUE ...`: the settings, in order.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_sysctl(
    const std::string& command);

// One of the commands above.
bool command_understood(const std::string& command);

// A FreeBSD sysctl and the tcpsim knob it sets, or none: then it is ignored with a note.
struct SysctlMapping {
  std::string_view sysctl;
  std::string_view knob;  // "" for none
  std::string_view note;  // why there is none, or what the mapping means
};
const SysctlMapping* find_sysctl(std::string_view name);

}  // namespace tcpsim::packetdrill
