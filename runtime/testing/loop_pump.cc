#include "runtime/testing/loop_pump.h"

namespace ocpp::runtime::testing {
namespace {
// Long enough for loopback I/O to be ready, short enough to keep tests fast.
constexpr base::Milliseconds kIoWait(5);
}  // namespace

bool PumpUntil(std::initializer_list<LwsEventLoop*> loops, const std::function<bool()>& done,
               int max_iterations) {
  for (int i = 0; i < max_iterations; ++i) {
    if (done()) return true;
    for (LwsEventLoop* loop : loops) loop->RunOnce(kIoWait);
  }
  return done();
}

bool PumpUntil(LwsEventLoop& loop, const std::function<bool()>& done, int max_iterations) {
  return PumpUntil({&loop}, done, max_iterations);
}

void PumpFor(LwsEventLoop& loop, int iterations) {
  for (int i = 0; i < iterations; ++i) loop.RunOnce(base::Milliseconds(1));
}

}  // namespace ocpp::runtime::testing
