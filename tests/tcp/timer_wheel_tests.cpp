// tcp/timer_wheel: when Linux's timer wheel (kernel/time/timer.c) fires a timer armed for a
// timeout, checked against calc_wheel_index()/calc_index() worked by hand at HZ=250 (4 ms
// jiffies), HZ=1000 and HZ=100.
#include <catch2/catch.hpp>

#include "tcp/timer_wheel.hpp"

namespace tcp_timer_wheel_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;

namespace {

constexpr Duration jiffy = 4 * millisecond;  // HZ=250

// When a timer armed at jiffy `clock` for `timeout` jiffies fires, in jiffies (HZ=250).
Time fires_at_jiffy(std::int64_t clock, std::int64_t timeout) {
  const Time fired = timer_wheel_expiry(TimerWheel::linux_hz250, clock * jiffy,
                                        (clock + timeout) * jiffy);
  REQUIRE(fired % jiffy == 0);
  return fired / jiffy;
}

}  // namespace

TEST_CASE("timer_wheel_none_fires_at_the_deadline", "[timer_wheel]") {
  CHECK(timer_wheel_expiry(TimerWheel::none, 3, 1'234'567'891) == 1'234'567'891);
  CHECK(round_up_to_jiffies(TimerWheel::none, 1'234'567) == 1'234'567);
  CHECK(jiffy_length(TimerWheel::none) == 0);
}

TEST_CASE("timer_wheel_level_0_fires_one_jiffy_after_the_expiry", "[timer_wheel]") {
  // calc_index() at level 0: (expires >> 0) + 1. Deltas 0 .. 62 jiffies are level 0.
  CHECK(fires_at_jiffy(100, 0) == 101);
  CHECK(fires_at_jiffy(100, 10) == 111);  // Linux's 40 ms delayed ACK: 44 ms
  CHECK(fires_at_jiffy(100, 62) == 163);
}

TEST_CASE("timer_wheel_level_1_rounds_up_past_8_jiffies", "[timer_wheel]") {
  // LVL_START(1) = 63: from 63 jiffies ahead the expiry goes up to the next multiple of 8 above.
  CHECK(fires_at_jiffy(0, 63) == 64);
  CHECK(fires_at_jiffy(1, 63) == 72);
  CHECK(fires_at_jiffy(250, 63) == 320);  // the kernel's 0.28 s LAST_ACK retransmission
  CHECK(fires_at_jiffy(0, 250) == 256);   // a 1 s SYN timeout: 1.024 s
  CHECK(fires_at_jiffy(0, 503) == 504);
}

TEST_CASE("timer_wheel_level_2_rounds_up_past_64_jiffies", "[timer_wheel]") {
  // LVL_START(2) = 504.
  CHECK(fires_at_jiffy(0, 504) == 512);
  CHECK(fires_at_jiffy(8, 504) == 576);
  CHECK(fires_at_jiffy(704, 504) == 1216);  // the fourth LAST_ACK retransmission, 3.864 s
  CHECK(fires_at_jiffy(0, 4031) == 4032);
}

TEST_CASE("timer_wheel_level_3_rounds_time_wait_up_by_up_to_2_s", "[timer_wheel]") {
  // 60 s = 15000 jiffies, level 3 (4032 .. 32255), granularity 512 jiffies = 2.048 s.
  CHECK(fires_at_jiffy(0, 15000) == 15360);
  CHECK(fires_at_jiffy(511, 15000) == 15872);
}

TEST_CASE("timer_wheel_rounds_a_part_jiffy_up", "[timer_wheel]") {
  // Armed 1 ns into jiffy 0 for 4 ms: the timeout is 1 jiffy (it fires at jiffy 2, level 0).
  CHECK(timer_wheel_expiry(TimerWheel::linux_hz250, 1, 1 + jiffy) == 2 * jiffy);
  CHECK(round_up_to_jiffies(TimerWheel::linux_hz250, 250 * millisecond) == 252 * millisecond);
  CHECK(round_up_to_jiffies(TimerWheel::linux_hz250, 1 * second) == 1 * second);
}

TEST_CASE("timer_wheel_other_hz", "[timer_wheel]") {
  // HZ=1000: 250 ms is 250 jiffies, level 1: from 0 it fires at 256 ms.
  CHECK(timer_wheel_expiry(TimerWheel::linux_hz1000, 0, 250 * millisecond) == 256 * millisecond);
  // HZ=100: 60 s is 6000 jiffies, level 3 (granularity 512 jiffies): 61.44 s.
  CHECK(timer_wheel_expiry(TimerWheel::linux_hz100, 0, 60 * second) == 61440 * millisecond);
}

TEST_CASE("timer_wheel_far_deadlines_are_cut_and_never_overflow", "[timer_wheel]") {
  // WHEEL_TIMEOUT_CUTOFF (LVL_START(9), about 48 days at HZ=250): longer timeouts are cut to
  // WHEEL_TIMEOUT_MAX and fire then, as in the kernel.
  const Time cut = timer_wheel_expiry(TimerWheel::linux_hz250, 0, 100LL * 24 * 3600 * second);
  CHECK(cut < 100LL * 24 * 3600 * second);
  CHECK(cut > 40LL * 24 * 3600 * second);
  CHECK(timer_wheel_expiry(TimerWheel::linux_hz250, 0, time_never) == time_never);
  CHECK(timer_wheel_expiry(TimerWheel::linux_hz250, time_never - 1, time_never - 1) ==
        time_never);
  CHECK(round_up_to_jiffies(TimerWheel::linux_hz250, time_never - 1) == time_never);
}

}  // namespace tcp_timer_wheel_tests
