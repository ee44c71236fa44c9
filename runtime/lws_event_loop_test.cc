#include "runtime/lws_event_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;

// Real elapsed time of one call, to check waits are bounded. Only an upper
// bound is asserted: nothing here waits for a timer.
template <typename F>
milliseconds Elapsed(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

TEST(LwsEventLoopTest, TimersFireOnlyWhenTheFakeClockReachesThem) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  int fired = 0;
  loop->AddTimer(milliseconds(1000), [&] { ++fired; });
  for (int i = 0; i < 3; ++i) loop->RunOnce(milliseconds(1));
  EXPECT_EQ(fired, 0);
  clock.Advance(milliseconds(999));
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(fired, 0);
  clock.Advance(milliseconds(1));
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(fired, 1);
}

TEST(LwsEventLoopTest, CancelledTimerNeverFires) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  int fired = 0;
  const TimerId id = loop->AddTimer(milliseconds(10), [&] { ++fired; });
  loop->CancelTimer(id);
  clock.Advance(milliseconds(10));
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(fired, 0);
}

TEST(LwsEventLoopTest, DueTimerMakesRunOnceReturnWithoutWaiting) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  int fired = 0;
  loop->AddTimer(milliseconds(0), [&] { ++fired; });
  // A due timer bounds the wait to zero even though max_wait is long.
  EXPECT_LT(Elapsed([&] { loop->RunOnce(milliseconds(10'000)); }), milliseconds(2000));
  EXPECT_EQ(fired, 1);
}

TEST(LwsEventLoopTest, RunOnceIsBoundedByMaxWait) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  // Nothing to do: returns after about max_wait, not lws's default 23 days.
  EXPECT_LT(Elapsed([&] { loop->RunOnce(milliseconds(20)); }), milliseconds(2000));
}

TEST(LwsEventLoopTest, PostRunsTasksInOrderOnTheLoop) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  std::vector<int> order;
  loop->Post([&] { order.push_back(1); });
  loop->Post([&] { order.push_back(2); });
  EXPECT_TRUE(order.empty());  // not run inline
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(LwsEventLoopTest, PostFromAnotherThreadWakesABlockedLoop) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  std::atomic<bool> ran{false};
  std::thread poster([&] {
    std::this_thread::sleep_for(milliseconds(20));  // let the loop block in poll()
    loop->Post([&] { ran = true; });
  });
  // Without the wake-up this would block for 30 s.
  const auto elapsed = Elapsed([&] {
    for (int i = 0; i < 5 && !ran; ++i) loop->RunOnce(milliseconds(30'000));
  });
  poster.join();
  EXPECT_TRUE(ran);
  EXPECT_LT(elapsed, milliseconds(10'000));
}

TEST(LwsEventLoopTest, QuitFromAnotherThreadStopsRun) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  std::atomic<int> ticks{0};
  std::thread other([&] {
    loop->Post([&] { ++ticks; });
    std::this_thread::sleep_for(milliseconds(20));
    loop->Quit();
  });
  const auto elapsed = Elapsed([&] { loop->Run(); });
  other.join();
  EXPECT_EQ(ticks, 1);
  EXPECT_LT(elapsed, milliseconds(10'000));
}

TEST(LwsEventLoopTest, TasksPostedByTasksRunOnTheNextTurn) {
  base::FakeClock clock;
  auto loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  int second = 0;
  loop->Post([&] { loop->Post([&] { ++second; }); });
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(second, 0);
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(second, 1);
}

TEST(LwsEventLoopTest, LogSinkReceivesLoopMessages) {
  base::FakeClock clock;
  std::vector<std::string> lines;
  LwsEventLoop::Options options;
  options.log_sink = [&](LogLevel, std::string_view text) { lines.emplace_back(text); };
  auto loop = LwsEventLoop::Create(clock, options);
  ASSERT_NE(loop, nullptr);
  loop->Log(LogLevel::kInfo, "hello");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "hello");
}

}  // namespace
}  // namespace ocpp::runtime
