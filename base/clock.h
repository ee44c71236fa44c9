// Injected time. Timers run on the monotonic clock; OCPP timestamps use the
// wall clock, which the station may set from the central system.
#pragma once

#include <chrono>

namespace ocpp::base {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Milliseconds = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for timers and timeouts.
  virtual SteadyTime Now() const = 0;
  // UTC wall time for message timestamps.
  virtual WallTime WallNow() const = 0;
};

// The only place that reads real time (see tools/lint).
class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override;
  WallTime WallNow() const override;
};

// Test clock: time moves only when the test advances it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime wall_start = WallTime(std::chrono::seconds(1767268800)))
      : wall_(wall_start) {}
  SteadyTime Now() const override { return steady_; }
  WallTime WallNow() const override { return wall_; }
  void Advance(Milliseconds by) {
    steady_ += by;
    wall_ += by;
  }
  void SetWall(WallTime wall) { wall_ = wall; }

 private:
  SteadyTime steady_{std::chrono::hours(1)};
  WallTime wall_;
};

}  // namespace ocpp::base
