// A hal::Hardware made of the per-capability mocks, each a StrictMock, for
// tests of code that takes the whole Hardware&:
//
//   hal::MockHardware hw;
//   EXPECT_CALL(hw.mock_pilot, ReadState()).WillRepeatedly(Return(hal::PilotState::kA));
//   Station station(hw, ...);
#pragma once

#include <gmock/gmock.h>

#include "hal/hardware.h"
#include "hal/testing/mock_contactor.h"
#include "hal/testing/mock_control_pilot.h"
#include "hal/testing/mock_energy_meter.h"
#include "hal/testing/mock_fault_monitor.h"
#include "hal/testing/mock_rfid_reader.h"
#include "hal/testing/mock_system_info.h"

namespace ocpp::hal {

class MockHardware : public Hardware {
 public:
  ControlPilot& control_pilot() override { return mock_pilot; }
  Contactor& contactor() override { return mock_contactor; }
  EnergyMeter& energy_meter() override { return mock_meter; }
  RfidReader& rfid_reader() override { return mock_reader; }
  FaultMonitor& fault_monitor() override { return mock_faults; }
  SystemInfoProvider& system_info() override { return mock_info; }
  SystemControl& system_control() override { return mock_control; }
  MOCK_METHOD(void, Poll, (), (override));

  testing::StrictMock<MockControlPilot> mock_pilot;
  testing::StrictMock<MockContactor> mock_contactor;
  testing::StrictMock<MockEnergyMeter> mock_meter;
  MockRfidReader mock_reader;
  testing::StrictMock<MockFaultMonitor> mock_faults;
  testing::StrictMock<MockSystemInfoProvider> mock_info;
  testing::StrictMock<MockSystemControl> mock_control;
};

}  // namespace ocpp::hal
