#include "base/clock.h"

namespace ocpp::base {

SteadyTime SystemClock::Now() const { return std::chrono::steady_clock::now(); }
WallTime SystemClock::WallNow() const { return std::chrono::system_clock::now(); }

}  // namespace ocpp::base
