#include "runtime/timer_queue.h"

#include <algorithm>
#include <utility>

namespace ocpp::runtime {

TimerId TimerQueue::Add(base::Milliseconds delay, std::function<void()> callback) {
  const TimerId id = next_id_++;
  const base::SteadyTime deadline = clock_.Now() + std::max(delay, base::Milliseconds(0));
  by_deadline_.emplace(Key(deadline, id), std::move(callback));
  deadline_of_.emplace(id, deadline);
  return id;
}

void TimerQueue::Cancel(TimerId id) {
  auto it = deadline_of_.find(id);
  if (it == deadline_of_.end()) return;
  by_deadline_.erase(Key(it->second, id));
  deadline_of_.erase(it);
}

std::size_t TimerQueue::RunDue() {
  // Read the clock once: a timer that keeps re-arming itself with a positive
  // delay cannot keep this loop busy even on a real clock.
  const base::SteadyTime now = clock_.Now();
  std::size_t ran = 0;
  while (!by_deadline_.empty()) {
    auto first = by_deadline_.begin();
    if (first->first.first > now) break;
    // Unlink before running, so the callback may cancel or add timers freely.
    std::function<void()> callback = std::move(first->second);
    deadline_of_.erase(first->first.second);
    by_deadline_.erase(first);
    ++ran;
    if (callback) callback();
  }
  return ran;
}

std::optional<base::SteadyTime> TimerQueue::NextDeadline() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first.first;
}

}  // namespace ocpp::runtime
