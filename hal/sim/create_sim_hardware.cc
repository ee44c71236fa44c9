// The simulator as the //hal:backend implementation of the facade.
#include <memory>

#include "hal/create_hardware.h"
#include "hal/sim/sim_hardware.h"

namespace ocpp::hal {

std::unique_ptr<Hardware> CreateHardware(const base::Clock& clock) {
  return std::make_unique<sim::SimHardware>(clock);
}

}  // namespace ocpp::hal
