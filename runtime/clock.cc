#include "runtime/clock.h"

namespace ocpp::runtime {

SteadyTime SystemClock::Now() const { return std::chrono::steady_clock::now(); }
WallTime SystemClock::WallNow() const { return std::chrono::system_clock::now(); }

}  // namespace ocpp::runtime
