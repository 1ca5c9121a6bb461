#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/scheduler.hpp"

namespace sim_scheduler_tests {

using tcpsim::Time;
using tcpsim::time_never;
using tcpsim::sim::EventHandle;
using tcpsim::sim::Scheduler;

namespace {

// Records (time, argument) of every event that runs.
struct Recorder {
  Scheduler* scheduler = nullptr;
  std::vector<std::pair<Time, std::uint64_t>> runs;

  static void record(void* context, std::uint64_t argument) {
    auto* self = static_cast<Recorder*>(context);
    self->runs.emplace_back(self->scheduler->now(), argument);
  }
  std::vector<std::uint64_t> arguments() const {
    std::vector<std::uint64_t> result;
    for (const auto& run : runs) result.push_back(run.second);
    return result;
  }
};

}  // namespace

TEST_CASE("events run in time order, equal times in insertion order", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  // Interleave 300 events at time 50 with events before and after it.
  std::vector<std::uint64_t> expected_at_50;
  for (std::uint64_t i = 0; i < 300; ++i) {
    scheduler.schedule_at(50, Recorder::record, &recorder, 1000 + i);
    expected_at_50.push_back(1000 + i);
    if (i % 3 == 0) scheduler.schedule_at(100 + static_cast<Time>(i), Recorder::record, &recorder, i);
    if (i % 7 == 0) scheduler.schedule_at(static_cast<Time>(i % 50), Recorder::record, &recorder, i);
  }
  scheduler.run();

  Time previous = 0;
  std::vector<std::uint64_t> seen_at_50;
  for (const auto& [time, argument] : recorder.runs) {
    REQUIRE(time >= previous);
    previous = time;
    if (time == 50) seen_at_50.push_back(argument);
  }
  CHECK(seen_at_50 == expected_at_50);
  CHECK(scheduler.executed() == recorder.runs.size());
  CHECK(scheduler.scheduled() == recorder.runs.size());
}

TEST_CASE("cancel", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};

  SECTION("before it runs, twice, and after it ran") {
    const EventHandle first = scheduler.schedule_at(10, Recorder::record, &recorder, 1);
    const EventHandle second = scheduler.schedule_at(20, Recorder::record, &recorder, 2);
    CHECK(scheduler.is_pending(first));
    scheduler.cancel(first);
    CHECK_FALSE(scheduler.is_pending(first));
    scheduler.cancel(first);  // a second cancel does nothing
    CHECK(scheduler.is_pending(second));
    scheduler.run();
    CHECK(recorder.arguments() == std::vector<std::uint64_t>{2});
    CHECK_FALSE(scheduler.is_pending(second));
    scheduler.cancel(second);  // already fired
    CHECK(scheduler.executed() == 1);
  }

  SECTION("an invalid handle does nothing") {
    scheduler.schedule_at(5, Recorder::record, &recorder, 1);
    scheduler.cancel(EventHandle{});
    scheduler.cancel(EventHandle{12345, 1});
    CHECK_FALSE(scheduler.is_pending(EventHandle{}));
    scheduler.run();
    CHECK(recorder.arguments() == std::vector<std::uint64_t>{1});
  }

  SECTION("a reused slot is not cancelled through an old handle") {
    const EventHandle old_handle = scheduler.schedule_at(10, Recorder::record, &recorder, 1);
    scheduler.run();
    const EventHandle new_handle = scheduler.schedule_at(20, Recorder::record, &recorder, 2);
    REQUIRE(new_handle.slot == old_handle.slot);  // the slot really is reused
    CHECK(new_handle.generation != old_handle.generation);
    scheduler.cancel(old_handle);
    CHECK(scheduler.is_pending(new_handle));
    scheduler.run();
    CHECK(recorder.arguments() == std::vector<std::uint64_t>{1, 2});
  }

  SECTION("a cancelled event leaves the queue at once; its old handle names nothing") {
    const EventHandle cancelled = scheduler.schedule_at(100, Recorder::record, &recorder, 1);
    scheduler.cancel(cancelled);
    CHECK(scheduler.empty());
    CHECK(scheduler.next_time() == time_never);
    const EventHandle other = scheduler.schedule_at(50, Recorder::record, &recorder, 2);
    CHECK_FALSE(scheduler.is_pending(cancelled));  // even when `other` reuses its slot
    scheduler.cancel(cancelled);                   // harmless: cancels nothing
    CHECK(scheduler.is_pending(other));
    scheduler.run();
    CHECK(recorder.arguments() == std::vector<std::uint64_t>{2});
    CHECK(scheduler.now() == 50);  // a cancelled event does not move the clock
  }

  SECTION("reschedule moves a pending event as cancel and schedule would") {
    const EventHandle moved = scheduler.schedule_at(10, Recorder::record, &recorder, 1);
    scheduler.schedule_at(20, Recorder::record, &recorder, 2);
    scheduler.schedule_at(30, Recorder::record, &recorder, 3);
    // To 20: behind the event already queued for 20 (a new sequence number).
    const EventHandle again = scheduler.reschedule(moved, 20, Recorder::record, &recorder, 4);
    CHECK_FALSE(scheduler.is_pending(moved));
    CHECK(scheduler.is_pending(again));
    // A fired or cancelled handle is scheduled anew; time_never only cancels.
    const EventHandle fresh = scheduler.reschedule(EventHandle{}, 25, Recorder::record,
                                                   &recorder, 5);
    CHECK(scheduler.is_pending(fresh));
    const EventHandle gone = scheduler.reschedule(fresh, time_never, Recorder::record,
                                                  &recorder, 6);
    CHECK_FALSE(gone.valid());
    scheduler.run();
    CHECK(recorder.runs == std::vector<std::pair<Time, std::uint64_t>>{{20, 2}, {20, 4}, {30, 3}});
  }

  SECTION("many cancelled far-future events leave the order of the rest alone") {
    std::vector<EventHandle> timers;
    for (std::uint64_t i = 0; i < 1000; ++i) {
      timers.push_back(scheduler.schedule_at(1'000'000 + static_cast<Time>(i), Recorder::record,
                                             &recorder, i));
    }
    for (std::uint64_t i = 0; i < 1000; ++i) {
      if (i % 10 != 0) scheduler.cancel(timers[i]);
    }
    scheduler.run();
    std::vector<std::uint64_t> expected;
    for (std::uint64_t i = 0; i < 1000; i += 10) expected.push_back(i);
    CHECK(recorder.arguments() == expected);
    CHECK(scheduler.empty());
  }
}

TEST_CASE("run_until runs events up to and including the limit", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  scheduler.schedule_at(10, Recorder::record, &recorder, 1);
  scheduler.schedule_at(20, Recorder::record, &recorder, 2);
  scheduler.schedule_at(21, Recorder::record, &recorder, 3);

  scheduler.run_until(20);
  CHECK(recorder.arguments() == std::vector<std::uint64_t>{1, 2});
  CHECK(scheduler.now() == 20);
  CHECK(scheduler.next_time() == 21);

  scheduler.run_until(15);  // an earlier limit neither runs anything nor moves time back
  CHECK(scheduler.now() == 20);
  CHECK(recorder.runs.size() == 2);

  scheduler.run_until(1000);
  CHECK(recorder.arguments() == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(scheduler.now() == 1000);  // the clock advances to the limit even with nothing to run

  scheduler.run_until(time_never);  // terminates on an empty queue
  CHECK(scheduler.now() == time_never);
}

TEST_CASE("schedule clamps past times to now", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  scheduler.run_until(100);
  scheduler.schedule_at(40, Recorder::record, &recorder, 1);
  scheduler.schedule_after(-5, Recorder::record, &recorder, 2);
  scheduler.run();
  CHECK(recorder.runs == std::vector<std::pair<Time, std::uint64_t>>{{100, 1}, {100, 2}});
}

namespace {

// A callback that schedules more work and cancels an event, as a TCP driver does.
struct Chain {
  Scheduler* scheduler = nullptr;
  Recorder* recorder = nullptr;
  EventHandle victim;

  static void step(void* context, std::uint64_t argument) {
    auto* self = static_cast<Chain*>(context);
    Recorder::record(self->recorder, argument);
    if (argument == 1) {
      // Same time: runs after the events already queued for now.
      self->scheduler->schedule_after(0, Chain::step, self, 10);
      self->scheduler->schedule_after(5, Chain::step, self, 11);
      self->scheduler->cancel(self->victim);
    }
  }
};

}  // namespace

TEST_CASE("callbacks may schedule and cancel", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  Chain chain{&scheduler, &recorder, {}};
  scheduler.schedule_at(10, Chain::step, &chain, 1);
  scheduler.schedule_at(10, Chain::step, &chain, 2);
  chain.victim = scheduler.schedule_at(12, Chain::step, &chain, 3);
  scheduler.schedule_at(15, Chain::step, &chain, 4);

  CHECK(scheduler.run() == 5);
  CHECK(recorder.runs ==
        std::vector<std::pair<Time, std::uint64_t>>{{10, 1}, {10, 2}, {10, 10}, {15, 4}, {15, 11}});
  CHECK(scheduler.executed() == 5);
  CHECK(scheduler.scheduled() == 6);
}

TEST_CASE("run stops after max_events and run_one reports an empty queue", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  for (std::uint64_t i = 0; i < 10; ++i) {
    scheduler.schedule_at(static_cast<Time>(i), Recorder::record, &recorder, i);
  }
  CHECK(scheduler.run(4) == 4);
  CHECK(scheduler.executed() == 4);
  CHECK(scheduler.now() == 3);
  CHECK(scheduler.run() == 6);
  CHECK_FALSE(scheduler.run_one());
  CHECK(scheduler.empty());
  CHECK(scheduler.next_time() == time_never);
}

TEST_CASE("next_time skips cancelled events", "[scheduler]") {
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  const EventHandle early = scheduler.schedule_at(5, Recorder::record, &recorder, 1);
  scheduler.schedule_at(9, Recorder::record, &recorder, 2);
  CHECK(scheduler.next_time() == 5);
  scheduler.cancel(early);
  CHECK(scheduler.next_time() == 9);
  CHECK_FALSE(scheduler.empty());
  scheduler.run();
  CHECK(scheduler.executed() == 1);
}

TEST_CASE("slots are reused: the table stops growing after warm-up", "[scheduler]") {
  // Not a direct allocation count, but a steady cycle must keep handing out the same few slots.
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  std::uint32_t highest_slot = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 4; ++i) {
      const EventHandle handle =
          scheduler.schedule_after(1 + i, Recorder::record, &recorder, static_cast<std::uint64_t>(i));
      highest_slot = std::max(highest_slot, handle.slot);
    }
    scheduler.run();
  }
  CHECK(highest_slot < 4);
  CHECK(recorder.runs.size() == 4000);
}

TEST_CASE("an event at time_never never runs", "[scheduler][time]") {
  // docs/design.md, "Time": a deadline past the end of representable time is time_never.
  Scheduler scheduler;
  Recorder recorder{&scheduler, {}};
  scheduler.run_until(3'600'000'000'000);
  const EventHandle never = scheduler.schedule_at(time_never, Recorder::record, &recorder, 1);
  CHECK_FALSE(never.valid());
  const EventHandle after = scheduler.schedule_after(time_never, Recorder::record, &recorder, 2);
  CHECK_FALSE(after.valid());
  scheduler.schedule_after(5, Recorder::record, &recorder, 3);
  CHECK(scheduler.next_time() == 3'600'000'000'005);
  CHECK(scheduler.run() == 1);
  CHECK(recorder.arguments() == std::vector<std::uint64_t>{3});
  CHECK(scheduler.empty());
  CHECK(scheduler.next_time() == time_never);
}

namespace {

// A model that keeps every pending event in a std::map by (time, sequence) runs the same random
// mix of schedules, cancels and reschedules as the scheduler, from callbacks too, and checks
// that the earliest (time, sequence) runs every time and that next_time() and empty() agree,
// also from inside a callback (while the running event's place in the heap is a hole).
struct Model {
  Scheduler scheduler;
  std::map<std::pair<Time, std::uint64_t>, std::uint64_t> pending;  // -> argument
  std::vector<EventHandle> handles;                  // by argument
  std::vector<std::pair<Time, std::uint64_t>> keys;  // by argument, while pending
  std::vector<std::uint64_t> ran;
  std::uint64_t sequence = 0;
  std::uint64_t state = 12345;  // a fixed LCG: the same run everywhere
  std::uint64_t acts_per_run = 3;
  std::size_t runs_that_act = 20'000;
  std::size_t min_pending = 0;  // a callback that acts schedules up to this many
  std::uint64_t next_random(std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  }
  // A few fixed delays (lanes) and some random ones (the heap), as the simulator has; 0 too.
  Time pick_time() {
    static constexpr Time delays[] = {1'000, 200'000, 1'000'000, 240'000'000, 0};
    const std::uint64_t pick = next_random(7);
    return scheduler.now() + (pick < 5 ? delays[pick] : static_cast<Time>(next_random(5000)));
  }
  void check_next() {
    REQUIRE(scheduler.empty() == pending.empty());
    REQUIRE(scheduler.next_time() == (pending.empty() ? time_never : pending.begin()->first.first));
  }
  void schedule() {
    const Time time = pick_time();
    const std::uint64_t argument = handles.size();
    handles.push_back(scheduler.schedule_at(time, &Model::run, this, argument));
    keys.emplace_back(time, sequence);
    pending[{time, sequence++}] = argument;
  }
  void cancel(std::uint64_t argument) {
    const bool was_pending = scheduler.is_pending(handles[argument]);
    REQUIRE(was_pending == (pending.count(keys[argument]) == 1));
    scheduler.cancel(handles[argument]);
    if (was_pending) pending.erase(keys[argument]);
    REQUIRE_FALSE(scheduler.is_pending(handles[argument]));
  }
  void reschedule(std::uint64_t argument) {
    const bool was_pending = scheduler.is_pending(handles[argument]);
    const Time time = pick_time();
    handles[argument] = scheduler.reschedule(handles[argument], time, &Model::run, this,
                                             argument);
    if (was_pending) pending.erase(keys[argument]);
    keys[argument] = {time, sequence};
    pending[{time, sequence++}] = argument;
  }
  void act() {
    const std::uint64_t what = next_random(10);
    if (what < 6 || handles.empty()) {
      schedule();
    } else if (what < 8) {
      cancel(next_random(handles.size()));
    } else {
      reschedule(next_random(handles.size()));
    }
    check_next();
  }
  static void run(void* context, std::uint64_t argument) {
    auto* self = static_cast<Model*>(context);
    REQUIRE_FALSE(self->pending.empty());
    const auto first = self->pending.begin();
    REQUIRE(first->second == argument);  // the earliest (time, sequence) runs
    REQUIRE(first->first.first == self->scheduler.now());
    self->pending.erase(first);
    self->ran.push_back(argument);
    self->check_next();
    if (self->ran.size() < self->runs_that_act) {
      // 0 to acts_per_run acts: callbacks that schedule nothing leave their hole to the last.
      const std::uint64_t acts = self->next_random(self->acts_per_run + 1);
      for (std::uint64_t i = 0; i < acts; ++i) self->act();
      while (self->pending.size() < self->min_pending) {
        self->schedule();
        self->check_next();
      }
    }
  }
  void run_out() {
    while (!scheduler.empty()) {
      check_next();
      REQUIRE(scheduler.run_one());
    }
    check_next();
    CHECK(pending.empty());
    CHECK(scheduler.executed() == ran.size());
  }
};

}  // namespace

// The lanes (a queue per delay once the heap holds a few entries) must give exactly one heap's
// order.
TEST_CASE("the lanes keep the order of one heap under schedules, cancels and reschedules",
          "[scheduler]") {
  Model model;
  for (int i = 0; i < 3000; ++i) model.act();  // a deep heap: the lanes come into play
  model.run_out();
  CHECK(model.ran.size() > 20'000);
}

// A few pending events at a time, as in a run of one connection: the heap alone, and callbacks
// that schedule into the place of the event that runs, cancel and reschedule around it.
TEST_CASE("a small queue keeps its order under schedules, cancels and reschedules from callbacks",
          "[scheduler]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Model model;
    model.state = seed;
    model.acts_per_run = 2;  // about one act a run, and at least 2 pending: the queue stays small
    model.min_pending = 2;
    model.runs_that_act = 5'000;
    for (int i = 0; i < 3; ++i) model.schedule();
    model.run_out();
    CHECK(model.ran.size() > 5'000);
  }
}

}  // namespace sim_scheduler_tests
