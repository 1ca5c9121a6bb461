// tcp::PortUsers (tcp/port_users.hpp) against std::map under a random mix of adds, removes and
// clears, over ports that share pages and ports at both ends of the 16-bit range.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "tcp/port_users.hpp"

namespace tcp_port_users_tests {

using tcpsim::tcp::Port;
using tcpsim::tcp::PortUsers;

TEST_CASE("port_users_agree_with_std_map_under_random_operations", "[port_users]") {
  PortUsers users;
  std::map<Port, std::uint32_t> model;
  std::uint64_t state = 2026;  // a fixed LCG: the same run everywhere
  auto next_random = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  const Port corners[] = {0, 1, 255, 256, 32768, 60999, 65535};
  for (int step = 0; step < 100'000; ++step) {
    const Port port = next_random(8) == 0 ? corners[next_random(7)]
                                          : static_cast<Port>(49152 + next_random(600));
    switch (next_random(9)) {
      case 0:
      case 1:
      case 2:
      case 3:
        users.add(port);
        ++model[port];
        break;
      case 4:
      case 5:
      case 6:
      case 7:
        users.remove(port);
        if (auto found = model.find(port); found != model.end() && found->second > 0) {
          --found->second;
        }
        break;
      default:
        if (next_random(500) == 0) {
          users.clear();
          model.clear();
        }
        break;
    }
    const auto expected = model.count(port) != 0 ? model[port] : 0U;
    REQUIRE(users.count(port) == expected);
    REQUIRE(users.used(port) == (expected != 0));
  }
  for (const auto& [port, count] : model) CHECK(users.count(port) == count);
}

TEST_CASE("port_users_a_port_never_added_has_no_users_and_removing_it_changes_nothing",
          "[port_users]") {
  PortUsers users;
  CHECK_FALSE(users.used(80));
  users.remove(80);
  CHECK(users.count(80) == 0);
  users.add(80);
  users.add(80);
  users.remove(81);  // same page, another port
  CHECK(users.count(80) == 2);
  CHECK(users.count(81) == 0);
  users.remove(80);
  users.remove(80);
  users.remove(80);  // none stays none
  CHECK_FALSE(users.used(80));
}

}  // namespace tcp_port_users_tests
