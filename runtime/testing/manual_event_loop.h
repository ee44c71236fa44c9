// An EventLoop for unit tests: nothing happens until the test calls
// RunUntilIdle() or AdvanceAndRun(); time is a FakeClock.
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "runtime/event_loop.h"

namespace ocpp::runtime::testing {

class ManualEventLoop final : public EventLoop {
 public:
  TimerId AddTimer(base::Milliseconds delay, std::function<void()> callback) override {
    const TimerId id = ++next_id_;
    timers_.emplace(std::make_pair(clock_.Now() + delay, id), std::move(callback));
    return id;
  }
  void CancelTimer(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }
  void Post(std::function<void()> task) override { posted_.push_back(std::move(task)); }
  const base::Clock& clock() const override { return clock_; }
  base::FakeClock& fake_clock() { return clock_; }

  // Runs posted tasks and due timers until there is nothing left to do now.
  void RunUntilIdle() {
    for (;;) {
      if (!posted_.empty()) {
        std::vector<std::function<void()>> tasks;
        tasks.swap(posted_);
        for (auto& task : tasks) task();
        continue;
      }
      auto due = timers_.begin();
      if (due == timers_.end() || due->first.first > clock_.Now()) return;
      auto callback = std::move(due->second);
      timers_.erase(due);
      callback();
    }
  }

  // Moves time forward step by step so timers fire at their deadlines.
  void AdvanceAndRun(base::Milliseconds by) {
    const base::SteadyTime end = clock_.Now() + by;
    RunUntilIdle();
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
      const auto next = timers_.begin()->first.first;
      if (next > clock_.Now())
        clock_.Advance(std::chrono::duration_cast<base::Milliseconds>(next - clock_.Now()));
      RunUntilIdle();
    }
    if (end > clock_.Now())
      clock_.Advance(std::chrono::duration_cast<base::Milliseconds>(end - clock_.Now()));
    RunUntilIdle();
  }

  std::size_t pending_timers() const { return timers_.size(); }

 private:
  base::FakeClock clock_;
  TimerId next_id_ = 0;
  std::map<std::pair<base::SteadyTime, TimerId>, std::function<void()>> timers_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace ocpp::runtime::testing
