// When a TCP timer fires: at its exact deadline, or as Linux's timer wheel fires it. Linux's TCP
// timers (retransmission, delayed ACK, keepalive, TIME_WAIT, FIN_WAIT_2) are timer_list timers:
// they count jiffies (CONFIG_HZ ticks) and sit in the hierarchical wheel of
// kernel/time/timer.c, whose outer levels round a deadline up to their granularity so that a
// timer never fires early. A 250 ms RTO at HZ=250 fires 256 to 284 ms after it is armed, a 60 s
// TIME_WAIT 60 to 62 s after. Pure integer arithmetic on the virtual clock, jiffy 0 at time 0.
#pragma once

#include <cstdint>

#include "tcp/time.hpp"

namespace tcpsim::tcp {

enum class TimerWheel : std::uint8_t {
  none,          // a timer fires at its deadline (the RFCs' abstract timers)
  linux_hz100,   // Linux with CONFIG_HZ=100: 10 ms jiffies, a wheel of 8 levels
  linux_hz250,   // CONFIG_HZ=250 (Debian's and Fedora's kernels): 4 ms jiffies, 9 levels
  linux_hz1000,  // CONFIG_HZ=1000: 1 ms jiffies, 9 levels
};

// The length of a jiffy (0 for TimerWheel::none).
Duration jiffy_length(TimerWheel wheel);

// usecs_to_jiffies() as a duration: `duration` rounded up to whole jiffies (unchanged for none).
Duration round_up_to_jiffies(TimerWheel wheel, Duration duration);

// When a timer armed at `now` for `deadline` fires: `deadline` itself for none (and for
// time_never); otherwise the kernel's mod_timer(timer, jiffies + timeout) with timeout the
// remaining time rounded up to jiffies, placed by calc_wheel_index(): the level chosen by how
// far ahead the expiry is, and the expiry rounded up past the level's granularity
// (calc_index(): (expires >> shift) + 1 << shift); the timer runs at the start of that jiffy.
// `now` <= `deadline`; the result is >= `deadline` (time_never where it would overflow), except
// that a timeout past the wheel's range (WHEEL_TIMEOUT_CUTOFF, about 48 days at HZ=250) is cut
// to WHEEL_TIMEOUT_MAX, as the kernel cuts it.
Time timer_wheel_expiry(TimerWheel wheel, Time now, Time deadline);

}  // namespace tcpsim::tcp
