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
  ASSERT_GE(hardware->connector_count(), 1);
  EXPECT_EQ(hardware->connector(1).control_pilot().ReadState(), PilotState::kA);
  EXPECT_FALSE(hardware->connector(1).contactor().IsClosed());
  EXPECT_TRUE(hardware->connector(1).energy_meter().ReadEnergyActiveImportWh().has_value());
  EXPECT_EQ(hardware->connector(1).fault_monitor().CurrentFault(), Fault::kNoError);
  EXPECT_EQ(hardware->station_fault_monitor().CurrentFault(), Fault::kNoError);
  EXPECT_FALSE(hardware->system_info().ReadSystemInfo().vendor.empty());
  hardware->rfid_reader().SetTagObserver(nullptr);
  hardware->Poll();
}

}  // namespace
}  // namespace ocpp::hal
