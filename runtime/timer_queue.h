// Deterministic timers on an injected Clock: nothing fires until RunDue() is
// called and the clock says the deadline has passed, so tests drive time with
// FakeClock and never sleep.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/clock.h"
#include "runtime/event_loop.h"

namespace ocpp::runtime {

class TimerQueue {
 public:
  explicit TimerQueue(const base::Clock& clock) : clock_(clock) {}
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Schedules `callback` at clock.Now() + delay (negative delays count as 0).
  // Never returns 0, so callers can use 0 as "no timer".
  TimerId Add(base::Milliseconds delay, std::function<void()> callback);
  // Unknown, fired or already cancelled ids are ignored.
  void Cancel(TimerId id);
  // Runs every timer whose deadline <= clock.Now(), earliest deadline first
  // (equal deadlines in the order they were added). Timers that callbacks add
  // or re-arm and that are already due run in the same call. Returns how many
  // ran.
  std::size_t RunDue();
  std::optional<base::SteadyTime> NextDeadline() const;
  std::size_t size() const { return by_deadline_.size(); }
  bool empty() const { return by_deadline_.empty(); }

 private:
  // The id breaks ties: ids grow, so equal deadlines keep insertion order.
  using Key = std::pair<base::SteadyTime, TimerId>;

  const base::Clock& clock_;
  TimerId next_id_ = 1;
  std::map<Key, std::function<void()>> by_deadline_;
  std::unordered_map<TimerId, base::SteadyTime> deadline_of_;
};

}  // namespace ocpp::runtime
