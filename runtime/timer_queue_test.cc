#include "runtime/timer_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;

TEST(TimerQueueTest, NothingRunsBeforeTheDeadline) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  int fired = 0;
  timers.Add(milliseconds(100), [&] { ++fired; });
  EXPECT_EQ(timers.RunDue(), 0u);
  clock.Advance(milliseconds(99));
  EXPECT_EQ(timers.RunDue(), 0u);
  EXPECT_EQ(fired, 0);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(timers.RunDue(), 1u);
  EXPECT_EQ(fired, 1);
  // A fired timer is gone.
  clock.Advance(milliseconds(1000));
  EXPECT_EQ(timers.RunDue(), 0u);
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(timers.empty());
}

TEST(TimerQueueTest, RunsInDeadlineOrderAndTiesInInsertionOrder) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  std::vector<std::string> order;
  timers.Add(milliseconds(30), [&] { order.push_back("c"); });
  timers.Add(milliseconds(10), [&] { order.push_back("a1"); });
  timers.Add(milliseconds(20), [&] { order.push_back("b"); });
  timers.Add(milliseconds(10), [&] { order.push_back("a2"); });
  clock.Advance(milliseconds(30));
  EXPECT_EQ(timers.RunDue(), 4u);
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "a2", "b", "c"}));
}

TEST(TimerQueueTest, CancelPreventsFiringAndIgnoresUnknownIds) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  int fired = 0;
  const TimerId id = timers.Add(milliseconds(5), [&] { ++fired; });
  EXPECT_NE(id, 0u);
  timers.Cancel(id);
  timers.Cancel(id);       // twice
  timers.Cancel(0);        // never issued
  timers.Cancel(id + 77);  // unknown
  clock.Advance(milliseconds(10));
  EXPECT_EQ(timers.RunDue(), 0u);
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(timers.NextDeadline().has_value());
}

TEST(TimerQueueTest, NextDeadlineIsTheEarliestPending) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  const base::SteadyTime start = clock.Now();
  const TimerId late = timers.Add(milliseconds(50), [] {});
  const TimerId early = timers.Add(milliseconds(20), [] {});
  ASSERT_TRUE(timers.NextDeadline().has_value());
  EXPECT_EQ(*timers.NextDeadline(), start + milliseconds(20));
  timers.Cancel(early);
  EXPECT_EQ(*timers.NextDeadline(), start + milliseconds(50));
  timers.Cancel(late);
  EXPECT_FALSE(timers.NextDeadline().has_value());
}

TEST(TimerQueueTest, NegativeDelayIsDueImmediately) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  int fired = 0;
  timers.Add(milliseconds(-5), [&] { ++fired; });
  EXPECT_EQ(*timers.NextDeadline(), clock.Now());
  EXPECT_EQ(timers.RunDue(), 1u);
  EXPECT_EQ(fired, 1);
}

TEST(TimerQueueTest, DueTimersAddedByCallbacksRunInTheSamePass) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  std::vector<std::string> order;
  timers.Add(milliseconds(10), [&] {
    order.push_back("first");
    timers.Add(milliseconds(0), [&] { order.push_back("added-due"); });
    timers.Add(milliseconds(1), [&] { order.push_back("added-later"); });
  });
  clock.Advance(milliseconds(10));
  EXPECT_EQ(timers.RunDue(), 2u);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "added-due"}));
  clock.Advance(milliseconds(1));
  EXPECT_EQ(timers.RunDue(), 1u);
  EXPECT_EQ(order.back(), "added-later");
}

TEST(TimerQueueTest, CallbackMayCancelAnotherDueTimer) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  int second_fired = 0;
  TimerId second = 0;
  timers.Add(milliseconds(1), [&] { timers.Cancel(second); });
  second = timers.Add(milliseconds(1), [&] { ++second_fired; });
  clock.Advance(milliseconds(1));
  EXPECT_EQ(timers.RunDue(), 1u);
  EXPECT_EQ(second_fired, 0);
}

TEST(TimerQueueTest, PeriodicReArmFiresOncePerPeriod) {
  base::FakeClock clock;
  TimerQueue timers(clock);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    timers.Add(milliseconds(100), tick);
  };
  timers.Add(milliseconds(100), tick);
  for (int i = 0; i < 5; ++i) {
    clock.Advance(milliseconds(100));
    timers.RunDue();
  }
  EXPECT_EQ(ticks, 5);
}

}  // namespace
}  // namespace ocpp::runtime
