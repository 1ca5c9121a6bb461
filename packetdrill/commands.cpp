#include "packetdrill/commands.hpp"

#include <map>
#include <regex>

namespace tcpsim::packetdrill {

namespace {

// The state names of TCP_INFO: Linux's, and FreeBSD's where they differ.
std::optional<tcp::State> tcpi_state_name(const std::string& name) {
  static const std::map<std::string, tcp::State> names{
      {"ESTABLISHED", tcp::State::established}, {"SYN_SENT", tcp::State::syn_sent},
      {"SYN_RECV", tcp::State::syn_received},   {"SYN_RECEIVED", tcp::State::syn_received},
      {"FIN_WAIT1", tcp::State::fin_wait_1},    {"FIN_WAIT_1", tcp::State::fin_wait_1},
      {"FIN_WAIT2", tcp::State::fin_wait_2},    {"FIN_WAIT_2", tcp::State::fin_wait_2},
      {"TIME_WAIT", tcp::State::time_wait},     {"CLOSE", tcp::State::closed},
      {"CLOSED", tcp::State::closed},           {"CLOSE_WAIT", tcp::State::close_wait},
      {"LAST_ACK", tcp::State::last_ack},       {"LISTEN", tcp::State::listen},
      {"CLOSING", tcp::State::closing}};
  const auto found = names.find(name);
  if (found == names.end()) return std::nullopt;
  return found->second;
}

}  // namespace

std::optional<StateAssertion> parse_state_assertion(const std::string& code) {
  static const std::regex pattern(R"(^assert\s+tcpi_state\s*==\s*TCPI?_([A-Z0-9_]+)\s*$)");
  std::smatch match;
  if (!std::regex_match(code, match, pattern)) return std::nullopt;
  const auto state = tcpi_state_name(match[1].str());
  if (!state) return std::nullopt;
  return StateAssertion{*state, code};
}

std::optional<SockstatProbe> parse_sockstat(const std::string& command) {
  static const std::regex pattern(R"(^\s*sockstat\s+([^|]*)\|(?:\s*grep\s+packetdril\s*\|)?)"
                                  R"(\s*grep\s+-c\s+([A-Z_0-9]+)\s*\|\s*grep\s+([0-9]{1,9})\s*$)");
  std::smatch match;
  if (!std::regex_match(command, match, pattern)) return std::nullopt;
  SockstatProbe probe;
  tcp::State state;
  if (!tcp::parse_state(match[2].str(), state)) return std::nullopt;
  probe.state = state;
  probe.count = std::stoi(match[3].str());
  static const std::regex port_pattern(R"(-p\s+([0-9]{1,5})\b)");
  const std::string arguments = match[1].str();
  std::smatch port;
  if (std::regex_search(arguments, port, port_pattern)) {
    const int number = std::stoi(port[1].str());
    if (number > 65535) return std::nullopt;
    probe.port = static_cast<tcp::Port>(number);
  }
  return probe;
}

std::optional<tcp::State> parse_tcpdrop(const std::string& command) {
  static const std::regex pattern(R"(^\s*tcpdrop\s+-s\s+([A-Z_0-9]+)\s*$)");
  std::smatch match;
  tcp::State state;
  if (!std::regex_match(command, match, pattern) || !tcp::parse_state(match[1].str(), state)) {
    return std::nullopt;
  }
  return state;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_sysctl(
    const std::string& command) {
  static const std::regex pattern(R"(^\s*sysctl\s+(-w\s+)?(.*)$)");
  std::smatch match;
  if (!std::regex_match(command, match, pattern)) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> settings;
  static const std::regex setting(R"(([A-Za-z0-9_.]+)=(\S+))");
  const std::string rest = match[2].str();
  for (auto it = std::sregex_iterator(rest.begin(), rest.end(), setting);
       it != std::sregex_iterator(); ++it) {
    settings.emplace_back((*it)[1].str(), (*it)[2].str());
  }
  if (settings.empty()) return std::nullopt;
  return settings;
}

bool command_understood(const std::string& command) {
  return parse_sysctl(command) || parse_sockstat(command) || parse_tcpdrop(command);
}

namespace {

constexpr SysctlMapping sysctl_mappings[] = {
    {"net.inet.tcp.recvspace", "receive_buffer", ""},
    {"net.inet.tcp.sendspace", "send_buffer", ""},
    {"net.inet.tcp.rexmit_initial", "rto_initial", "milliseconds"},
    {"net.inet.tcp.insecure_rst", "rfc5961",
     "1 is RFC 793's RST handling, rfc5961 off (the knob covers RST, SYN and the ACK check)"},
    {"net.inet.tcp.insecure_syn", "rfc5961",
     "1 is RFC 793's SYN handling, rfc5961 off (the knob covers RST, SYN and the ACK check)"},
    {"net.inet.tcp.rfc1323", "timestamps",
     "1 turns timestamps on (RFC 7323 3); window scaling is the knob window_scaling (the "
     "freebsd profile's shift is 6)"},
    {"net.inet.tcp.sack.enable", "sack", ""},
    {"net.inet.tcp.ecn.enable", "", "ECN is not modelled by the core"},
    {"net.inet.tcp.blackhole", "", "tcpsim answers every unexpected segment with a RST "
                                   "(reset_unexpected_segments)"},
    {"kern.ipc.maxsockbuf", "", "no socket buffer limit beyond the buffer knobs"},
    {"net.inet.tcp.hostcache.purgenow", "", "tcpsim keeps no host cache"},
    {"net.inet.tcp.drop_synfin", "drop_syn_fin", ""},
};

}  // namespace

const SysctlMapping* find_sysctl(std::string_view name) {
  for (const SysctlMapping& mapping : sysctl_mappings)
    if (mapping.sysctl == name) return &mapping;
  return nullptr;
}

}  // namespace tcpsim::packetdrill
