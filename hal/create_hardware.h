// Facade: the backend is chosen by the build, not by #ifdef. Depend on
// //hal:create_hardware; the backend behind it is the label_flag
// //hal:backend (default //hal/sim:sim_hardware), e.g.
//   bazel build //station:... --//hal:backend=//hal/some_board:hardware
// Every backend target defines CreateHardware exactly once.
#pragma once

#include <memory>

#include "base/clock.h"
#include "hal/hardware.h"

namespace ocpp::hal {

// Creates the hardware of this build's backend. `clock` must outlive it.
// Backends read their own board configuration; they do not fail here
// (a broken part shows up through FaultMonitor and failed reads).
std::unique_ptr<Hardware> CreateHardware(const base::Clock& clock);

}  // namespace ocpp::hal
