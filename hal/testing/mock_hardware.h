// A hal::Hardware made of the per-capability mocks, each a StrictMock, for
// tests of code that takes the whole Hardware&:
//
//   hal::MockHardware hw;
//   EXPECT_CALL(hw.mock_pilot, ReadState()).WillRepeatedly(Return(hal::PilotState::kA));
//   Station station(hw, ...);
#pragma once

#include <gmock/gmock.h>

#include <vector>

#include "hal/hardware.h"
#include "hal/testing/mock_contactor.h"
#include "hal/testing/mock_control_pilot.h"
#include "hal/testing/mock_energy_meter.h"
#include "hal/testing/mock_fault_monitor.h"
#include "hal/testing/mock_rfid_reader.h"
#include "hal/testing/mock_system_info.h"

namespace ocpp::hal {

// One connector made of StrictMocks.
class MockConnectorHardware : public ConnectorHardware {
 public:
  ControlPilot& control_pilot() override { return mock_pilot; }
  Contactor& contactor() override { return mock_contactor; }
  EnergyMeter& energy_meter() override { return mock_meter; }
  FaultMonitor& fault_monitor() override { return mock_faults; }
  int max_current_amps() const override { return max_current; }

  ::testing::StrictMock<MockControlPilot> mock_pilot;
  ::testing::StrictMock<MockContactor> mock_contactor;
  ::testing::StrictMock<MockEnergyMeter> mock_meter;
  ::testing::StrictMock<MockFaultMonitor> mock_faults;
  int max_current = 32;
};

// `connectors` mocked connectors (1 by default); connector 1's mocks are also
// reachable as mock_pilot, mock_contactor, ... for single-connector tests.
class MockHardware : public Hardware {
 public:
  explicit MockHardware(int connectors = 1) : connectors_(connectors < 1 ? 1 : connectors) {}
  int connector_count() const override { return static_cast<int>(connectors_.size()); }
  ConnectorHardware& connector(int id) override { return mock_connector(id); }
  MockConnectorHardware& mock_connector(int id) {
    return connectors_.at(static_cast<std::size_t>(id - 1));
  }
  RfidReader& rfid_reader() override { return mock_reader; }
  FaultMonitor& station_fault_monitor() override { return mock_station_faults; }
  SystemInfoProvider& system_info() override { return mock_info; }
  SystemControl& system_control() override { return mock_control; }
  SupplyRating supply() const override { return supply_rating; }
  MOCK_METHOD(void, Poll, (), (override));

 private:
  std::vector<MockConnectorHardware> connectors_;

 public:
  ::testing::StrictMock<MockControlPilot>& mock_pilot = connectors_[0].mock_pilot;
  ::testing::StrictMock<MockContactor>& mock_contactor = connectors_[0].mock_contactor;
  ::testing::StrictMock<MockEnergyMeter>& mock_meter = connectors_[0].mock_meter;
  ::testing::StrictMock<MockFaultMonitor>& mock_faults = connectors_[0].mock_faults;
  MockRfidReader mock_reader;
  ::testing::StrictMock<MockFaultMonitor> mock_station_faults;
  ::testing::StrictMock<MockSystemInfoProvider> mock_info;
  ::testing::StrictMock<MockSystemControl> mock_control;
  SupplyRating supply_rating;
};

}  // namespace ocpp::hal
