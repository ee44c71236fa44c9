// Shows how the hal mocks are used and that they behave: expectations on
// calls, observers fired by the test as the hardware would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "hal/testing/mock_contactor.h"
#include "hal/testing/mock_control_pilot.h"
#include "hal/testing/mock_energy_meter.h"
#include "hal/testing/mock_fault_monitor.h"
#include "hal/testing/mock_hardware.h"
#include "hal/testing/mock_rfid_reader.h"
#include "hal/testing/mock_system_info.h"

namespace ocpp::hal {
namespace {

using ::testing::ElementsAre;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

// A toy consumer of the interfaces, standing in for the station's connector
// logic: closes the contactor while the vehicle requests energy.
class ToyConnector {
 public:
  ToyConnector(ControlPilot& pilot, Contactor& contactor) : pilot_(pilot), contactor_(contactor) {
    pilot_.SetStateObserver([this](PilotState state) { OnPilot(state); });
    contactor_.SetFeedbackErrorObserver([this](ContactorError error) { errors.push_back(error); });
  }
  void OnPilot(PilotState state) {
    if (VehicleRequestsEnergy(state)) {
      contactor_.Close();
    } else {
      contactor_.Open();
    }
  }
  std::vector<ContactorError> errors;

 private:
  ControlPilot& pilot_;
  Contactor& contactor_;
};

TEST(MockControlPilotTest, ObserverDrivesCodeUnderTest) {
  StrictMock<MockControlPilot> pilot;
  StrictMock<MockContactor> contactor;
  ToyConnector connector(pilot, contactor);
  ASSERT_TRUE(pilot.has_state_observer());
  ASSERT_TRUE(contactor.has_feedback_error_observer());

  {
    InSequence in_order;
    EXPECT_CALL(contactor, Close());
    EXPECT_CALL(contactor, Open());
  }
  EXPECT_TRUE(pilot.NotifyStateChange(PilotState::kC));
  EXPECT_TRUE(pilot.NotifyStateChange(PilotState::kB));

  EXPECT_TRUE(contactor.NotifyFeedbackError(ContactorError::kWelded));
  EXPECT_THAT(connector.errors, ElementsAre(ContactorError::kWelded));
}

TEST(MockControlPilotTest, CallsAreMocked) {
  StrictMock<MockControlPilot> pilot;
  EXPECT_CALL(pilot, ReadState()).WillOnce(Return(PilotState::kD));
  EXPECT_CALL(pilot, SetPwmDutyPermille(533));
  EXPECT_EQ(pilot.ReadState(), PilotState::kD);
  pilot.SetPwmDutyPermille(PwmDutyPermilleForCurrentLimitDeciamps(320));
}

TEST(MockControlPilotTest, NotifyWithoutObserverReportsFalse) {
  MockControlPilot pilot;
  EXPECT_FALSE(pilot.NotifyStateChange(PilotState::kA));
  pilot.SetStateObserver([](PilotState) {});
  pilot.SetStateObserver(nullptr);  // removes it
  EXPECT_FALSE(pilot.has_state_observer());
}

TEST(MockContactorTest, FeedbackIsMocked) {
  StrictMock<MockContactor> contactor;
  EXPECT_CALL(contactor, IsClosed()).WillOnce(Return(false)).WillOnce(Return(true));
  EXPECT_FALSE(contactor.IsClosed());
  EXPECT_TRUE(contactor.IsClosed());
  EXPECT_FALSE(MockContactor().NotifyFeedbackError(ContactorError::kFailedToClose));
}

TEST(MockEnergyMeterTest, ReadsAndFailures) {
  StrictMock<MockEnergyMeter> meter;
  EXPECT_CALL(meter, ReadEnergyActiveImportWh())
      .WillOnce(Return(1234))
      .WillOnce(Return(std::nullopt));
  EXPECT_CALL(meter, ReadPowerActiveImportW()).WillOnce(Return(7200));
  EXPECT_CALL(meter, ReadCurrentImportDeciamps()).WillOnce(Return(313));
  EXPECT_EQ(meter.ReadEnergyActiveImportWh(), 1234);
  EXPECT_EQ(meter.ReadEnergyActiveImportWh(), std::nullopt);
  EXPECT_EQ(meter.ReadPowerActiveImportW(), 7200);
  EXPECT_EQ(meter.ReadCurrentImportDeciamps(), 313);
}

// A meter that does not implement the optional current read.
class MinimalMeter : public EnergyMeter {
 public:
  std::optional<std::int64_t> ReadEnergyActiveImportWh() override { return 1; }
  std::optional<std::int32_t> ReadPowerActiveImportW() override { return 0; }
};

TEST(EnergyMeterTest, CurrentIsOptionalByDefault) {
  MinimalMeter meter;
  EXPECT_EQ(meter.ReadCurrentImportDeciamps(), std::nullopt);
}

TEST(MockRfidReaderTest, PresentTagReachesObserver) {
  MockRfidReader reader;
  std::vector<std::string> tags;
  EXPECT_FALSE(reader.PresentTag("LOST"));
  reader.SetTagObserver([&](const std::string& tag) { tags.push_back(tag); });
  EXPECT_TRUE(reader.PresentTag("04A2B3C4D5"));
  EXPECT_THAT(tags, ElementsAre("04A2B3C4D5"));
}

TEST(MockFaultMonitorTest, CurrentFaultAndObserver) {
  StrictMock<MockFaultMonitor> monitor;
  EXPECT_CALL(monitor, CurrentFault()).WillOnce(Return(Fault::kGroundFailure));
  EXPECT_EQ(monitor.CurrentFault(), Fault::kGroundFailure);
  std::vector<Fault> seen;
  monitor.SetFaultObserver([&](Fault f) { seen.push_back(f); });
  monitor.NotifyFault(Fault::kHighTemperature);
  monitor.NotifyFault(Fault::kNoError);
  EXPECT_THAT(seen, ElementsAre(Fault::kHighTemperature, Fault::kNoError));
}

TEST(MockSystemTest, InfoAndReboot) {
  StrictMock<MockSystemInfoProvider> info;
  StrictMock<MockSystemControl> control;
  SystemInfo expected;
  expected.vendor = "ExampleVendor";
  expected.model = "AC-1";
  EXPECT_CALL(info, ReadSystemInfo()).WillOnce(Return(expected));
  EXPECT_CALL(control, RequestReboot(RebootKind::kHard));
  EXPECT_EQ(info.ReadSystemInfo(), expected);
  control.RequestReboot(RebootKind::kHard);
}

TEST(MockHardwareTest, AccessorsReturnTheMocks) {
  MockHardware hw;
  EXPECT_EQ(&hw.connector(1).control_pilot(), &hw.mock_pilot);
  EXPECT_EQ(&hw.connector(1).contactor(), &hw.mock_contactor);
  EXPECT_EQ(&hw.connector(1).energy_meter(), &hw.mock_meter);
  EXPECT_EQ(&hw.rfid_reader(), &hw.mock_reader);
  EXPECT_EQ(&hw.connector(1).fault_monitor(), &hw.mock_faults);
  EXPECT_EQ(&hw.station_fault_monitor(), &hw.mock_station_faults);
  EXPECT_EQ(&hw.system_info(), &hw.mock_info);
  EXPECT_EQ(&hw.system_control(), &hw.mock_control);
  EXPECT_CALL(hw, Poll());
  EXPECT_CALL(hw.mock_pilot, ReadState()).WillOnce(Return(PilotState::kB));
  hw.Poll();
  EXPECT_EQ(hw.connector(1).control_pilot().ReadState(), PilotState::kB);
  MockHardware two(2);
  EXPECT_EQ(two.connector_count(), 2);
  EXPECT_EQ(&two.connector(2).contactor(), &two.mock_connector(2).mock_contactor);
}

}  // namespace
}  // namespace ocpp::hal
