// tcp::FlatMap (tcp/flat_map.hpp) against std::map under a random mix of inserts, increments,
// erases and clears, with keys from a small range so that probe runs collide and wrap.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "tcp/flat_map.hpp"

namespace tcp_flat_map_tests {

using tcpsim::tcp::FlatMap;

TEST_CASE("flat_map_agrees_with_std_map_under_random_operations", "[flat_map]") {
  FlatMap<std::uint64_t, int> map;
  std::map<std::uint64_t, int> model;
  std::uint64_t state = 2024;  // a fixed LCG: the same run everywhere
  auto next_random = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int step = 0; step < 200'000; ++step) {
    // Keys spread over a range that grows and shrinks the table, some far apart.
    const std::uint64_t key = next_random(300) * (next_random(4) == 0 ? 65'537 : 1);
    switch (next_random(10)) {
      case 0:
      case 1:
      case 2: {
        const int value = static_cast<int>(next_random(1000));
        CHECK(map.emplace(key, value) == model.emplace(key, value).second);
        break;
      }
      case 3:
      case 4:
        CHECK(++map[key] == ++model[key]);
        break;
      case 5:
      case 6:
      case 7:
        CHECK(map.erase(key) == (model.erase(key) == 1));
        break;
      case 8: {
        const int* found = map.find(key);
        const auto expected = model.find(key);
        REQUIRE((found != nullptr) == (expected != model.end()));
        if (found != nullptr) CHECK(*found == expected->second);
        break;
      }
      default:
        if (next_random(2000) == 0) {
          map.clear();
          model.clear();
        }
        break;
    }
    REQUIRE(map.size() == model.size());
  }
  for (const auto& [key, value] : model) {
    REQUIRE(map.contains(key));
    CHECK(*map.find(key) == value);
  }
}

}  // namespace tcp_flat_map_tests
