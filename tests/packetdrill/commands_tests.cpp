// The commands and code blocks tcpsim understands in a script (packetdrill/commands.hpp).
#include <catch2/catch.hpp>

#include "packetdrill/commands.hpp"

namespace packetdrill_commands_tests {

using namespace tcpsim::packetdrill;
using tcpsim::tcp::State;

TEST_CASE("sockstat probes: the state, the count and the port") {
  const auto probe = parse_sockstat("sockstat -4 -P tcp -p 8080 -s | grep -c SYN_RCVD | grep 0");
  REQUIRE(probe);
  CHECK(probe->state == State::syn_received);
  CHECK(probe->count == 0);
  CHECK(probe->port == std::optional<tcpsim::tcp::Port>(8080));
  const auto any_port =
      parse_sockstat("sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 1");
  REQUIRE(any_port);
  CHECK(any_port->state == State::time_wait);
  CHECK_FALSE(any_port->port);
  CHECK_FALSE(parse_sockstat("sockstat -4 | grep -c BOGUS | grep 1"));
  CHECK_FALSE(parse_sockstat("sockstat -p 99999 | grep -c LISTEN | grep 1"));
  CHECK_FALSE(parse_sockstat("sockstat | grep -c LISTEN | grep 99999999999999999999"));
}

TEST_CASE("sysctl, tcpdrop and the state assertion") {
  const auto settings = parse_sysctl("sysctl -w net.inet.tcp.recvspace=65536 a.b=1");
  REQUIRE(settings);
  REQUIRE(settings->size() == 2);
  CHECK((*settings)[0] == std::make_pair(std::string("net.inet.tcp.recvspace"),
                                         std::string("65536")));
  CHECK(find_sysctl("net.inet.tcp.recvspace")->knob == "receive_buffer");
  CHECK(find_sysctl("net.inet.tcp.sack.enable")->knob == "sack");
  CHECK(find_sysctl("net.inet.tcp.rfc1323")->knob == "timestamps");
  CHECK(find_sysctl("net.inet.tcp.ecn.enable")->knob.empty());
  CHECK_FALSE(find_sysctl("kern.no.such"));
  CHECK(parse_tcpdrop("tcpdrop -s TIME_WAIT") == std::optional<State>(State::time_wait));
  CHECK(parse_state_assertion("assert tcpi_state == TCPI_SYN_RECEIVED")->state ==
        State::syn_received);
  CHECK(parse_state_assertion("assert tcpi_state == TCP_CLOSE")->state == State::closed);
  CHECK_FALSE(parse_state_assertion("assert tcpi_rto == 1000"));
  CHECK(command_understood("sysctl -w x=1"));
  CHECK_FALSE(command_understood("ip link set dev tun0 up"));
}

}  // namespace packetdrill_commands_tests
