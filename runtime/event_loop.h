// The single-threaded loop everything in the stack runs on. Timers are
// measured on an injected Clock so tests drive them with FakeClock.
#pragma once

#include <cstdint>
#include <functional>

#include "base/clock.h"

namespace ocpp::runtime {

using TimerId = std::uint64_t;

class EventLoop {
 public:
  virtual ~EventLoop() = default;
  // Runs `callback` on the loop once `delay` has passed on clock().
  virtual TimerId AddTimer(base::Milliseconds delay, std::function<void()> callback) = 0;
  // Cancelling an unknown or already fired timer is a no-op.
  virtual void CancelTimer(TimerId id) = 0;
  // Thread-safe: queues `task` to run on the loop thread soon (hardware and
  // integrator events come in here).
  virtual void Post(std::function<void()> task) = 0;
  // Loop thread only: runs `task` after the loop has next done its I/O, so
  // an answer already handed to a transport is on the socket before the
  // task's (possibly slow, e.g. fsync) work starts. Loops without I/O of
  // their own run it like Post().
  virtual void PostAfterIo(std::function<void()> task) { Post(std::move(task)); }
  virtual const base::Clock& clock() const = 0;
};

}  // namespace ocpp::runtime
