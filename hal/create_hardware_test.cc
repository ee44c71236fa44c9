// Links the facade against whichever backend //hal:backend selects (the
// simulator by default) and checks the parts are wired up.
#include "hal/create_hardware.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace ocpp::hal {
namespace {

TEST(CreateHardwareTest, DefaultBackendProvidesEveryCapability) {
  base::FakeClock clock;
  std::unique_ptr<Hardware> hardware = CreateHardware(clock);
  ASSERT_NE(hardware, nullptr);
  EXPECT_EQ(hardware->control_pilot().ReadState(), PilotState::kA);
  EXPECT_FALSE(hardware->contactor().IsClosed());
  EXPECT_TRUE(hardware->energy_meter().ReadEnergyActiveImportWh().has_value());
  EXPECT_EQ(hardware->fault_monitor().CurrentFault(), Fault::kNoError);
  EXPECT_FALSE(hardware->system_info().ReadSystemInfo().vendor.empty());
  hardware->rfid_reader().SetTagObserver(nullptr);
  hardware->Poll();
}

}  // namespace
}  // namespace ocpp::hal
