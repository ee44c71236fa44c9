// Test helper: drives LwsEventLoops until something has happened on the
// sockets. Each turn waits for I/O readiness only (a few ms at most); timers
// never fire from here unless the test advanced the FakeClock.
#pragma once

#include <functional>
#include <initializer_list>

#include "runtime/lws_event_loop.h"

namespace ocpp::runtime::testing {

// Pumps every loop once per iteration until `done` holds or `max_iterations`
// turns passed. Returns done().
bool PumpUntil(std::initializer_list<LwsEventLoop*> loops, const std::function<bool()>& done,
               int max_iterations = 2000);
bool PumpUntil(LwsEventLoop& loop, const std::function<bool()>& done, int max_iterations = 2000);
// Pumps a fixed number of turns (to show that something does NOT happen).
void PumpFor(LwsEventLoop& loop, int iterations);

}  // namespace ocpp::runtime::testing
