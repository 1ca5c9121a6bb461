// Text forms: durations, flags, addresses, and the names of states, timers and app events.
#include <catch2/catch.hpp>

#include "tcp/segment.hpp"
#include "tcp/time.hpp"
#include "tcp/types.hpp"

namespace tcp_text_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;

TEST_CASE("format_duration_uses_the_largest_exact_unit", "[text]") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(150 * millisecond) == "150ms");
  CHECK(format_duration(2 * minute) == "2min");
  CHECK(format_duration(3 * hour) == "3h");
  CHECK(format_duration(7 * nanosecond) == "7ns");
  CHECK(format_duration(25 * microsecond) == "25us");
  CHECK(format_duration(-2 * second) == "-2s");
}

TEST_CASE("format_duration_writes_decimals_of_decimal_units", "[text]") {
  CHECK(format_duration(1500 * millisecond) == "1.5s");
  CHECK(format_duration(1'234'567'891) == "1.234567891s");
  CHECK(format_duration(2500 * microsecond) == "2.5ms");
  CHECK(format_duration(1001 * nanosecond) == "1.001us");
}

TEST_CASE("format_duration_never_mixes_units", "[text]") {
  CHECK(format_duration(62 * minute) == "62min");
  CHECK(format_duration(90 * second) == "90s");
  CHECK(format_duration(61 * second + 500 * millisecond) == "61.5s");
}

TEST_CASE("flags_to_string_uses_the_canonical_order", "[text]") {
  CHECK(flags_to_string(flag::ack | flag::syn) == "SYN,ACK");
  CHECK(flags_to_string(flag::urg | flag::ack | flag::psh | flag::rst | flag::fin | flag::syn) ==
        "SYN,FIN,RST,PSH,ACK,URG");
  CHECK(flags_to_string(0).empty());
}

TEST_CASE("parse_flags_accepts_any_order_case_and_separator", "[text]") {
  std::uint8_t flags = 0xFF;
  REQUIRE(parse_flags("ack|syn", flags));
  CHECK(flags == (flag::syn | flag::ack));
  REQUIRE(parse_flags("FIN+Ack", flags));
  CHECK(flags == (flag::fin | flag::ack));
  REQUIRE(parse_flags("", flags));
  CHECK(flags == 0);
  flags = 7;
  CHECK_FALSE(parse_flags("SYN,BOGUS", flags));
  CHECK_FALSE(parse_flags("SYN,,ACK", flags));
  CHECK(flags == 7);
}

TEST_CASE("addresses_round_trip_as_dotted_quads", "[text]") {
  CHECK(address_to_string(0x0A000001) == "10.0.0.1");
  CHECK(address_to_string(0xFFFFFFFF) == "255.255.255.255");
  Address address = 0;
  REQUIRE(parse_address("192.168.1.20", address));
  CHECK(address == 0xC0A80114);
  CHECK_FALSE(parse_address("256.0.0.1", address));
  CHECK_FALSE(parse_address("1.2.3", address));
  CHECK_FALSE(parse_address("1.2.3.4.5", address));
  CHECK_FALSE(parse_address("1..2.3", address));
  CHECK_FALSE(parse_address("1.2.3.4x", address));
  // inet_aton reads "010" as octal 8: a leading zero is refused, and said to be the reason.
  bool leading_zero = false;
  CHECK_FALSE(parse_address("010.0.0.1", address, &leading_zero));
  CHECK(leading_zero);
  CHECK_FALSE(parse_address("10.0.0.01", address, &leading_zero));
  CHECK(leading_zero);
  CHECK_FALSE(parse_address("10.00.0.1", address, &leading_zero));
  CHECK(leading_zero);
  CHECK_FALSE(parse_address("1.2.3", address, &leading_zero));
  CHECK_FALSE(leading_zero);
  REQUIRE(parse_address("10.0.0.100", address, &leading_zero));
  CHECK(address == 0x0A000064);
  CHECK_FALSE(leading_zero);
  REQUIRE(parse_address("0.0.0.0", address));
  CHECK(address == 0);
}

TEST_CASE("state_names_use_netstat_spelling_and_parse_back", "[text]") {
  CHECK(state_name(State::syn_received) == "SYN_RCVD");
  CHECK(state_name(State::time_wait) == "TIME_WAIT");
  for (int i = 0; i < state_count; ++i) {
    State parsed = State::closed;
    REQUIRE(parse_state(state_name(static_cast<State>(i)), parsed));
    CHECK(parsed == static_cast<State>(i));
  }
  State unused = State::closed;
  CHECK_FALSE(parse_state("SYN_RECEIVED", unused));
}

TEST_CASE("timer_and_app_event_names", "[text]") {
  CHECK(timer_name(TimerKind::retransmission) == "retransmission");
  CHECK(timer_name(TimerKind::user_timeout) == "user_timeout");
  CHECK(app_event_name(AppEventKind::end_of_stream) == "end_of_stream");
  for (int i = 0; i < app_event_kind_count; ++i) {
    AppEventKind parsed = AppEventKind::connected;
    REQUIRE(parse_app_event(app_event_name(static_cast<AppEventKind>(i)), parsed));
    CHECK(parsed == static_cast<AppEventKind>(i));
  }
  AppEventKind unused = AppEventKind::connected;
  CHECK_FALSE(parse_app_event("connection_reset", unused));
}

}  // namespace tcp_text_tests
