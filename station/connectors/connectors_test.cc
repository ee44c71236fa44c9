// Connectors over two fake J1772 connectors: the contactor and PWM follow
// the facts and the pilot in the same turn, faults of a connector and of the
// station (connector 0), and the statuses they report.
#include "station/connectors/connectors.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using hal::Fault;
using hal::PilotState;
using testing::ModuleEnv;

class ConnectorsTest : public ::testing::Test {
 protected:
  ConnectorsTest()
      : hw_(2),
        reporter_(env_.context(), 2, nullptr),
        connectors_(env_.context(), hw_.hardware(), reporter_) {
    connectors_.Attach(Connectors::Events{
        [this](int c, PilotState before, PilotState now) {
          pilots_.push_back(std::to_string(c) + ":" + hal::ToString(before) + hal::ToString(now));
        },
        [this](int c, Fault f) { faults_.push_back(std::to_string(c) + ":" + hal::ToString(f)); }});
    env_.GoOnline();
    env_.AutoAnswer("StatusNotification", "{}");
    connectors_.Refresh();
    reporter_.ReportAll(true, [] {});
    env_.Run();
    env_.ClearCalls();
  }
  void Refresh() {
    connectors_.Refresh();
    env_.Run();
  }
  void Pilot(int c, PilotState s) {
    hw_.SetPilot(c, s);
    env_.Run();
  }
  void SetFault(int c, Fault f) {
    hw_.SetFault(c, f);
    env_.Run();
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  StatusReporter reporter_;
  Connectors connectors_;
  std::vector<std::string> pilots_, faults_;
};

TEST_F(ConnectorsTest, ContactorClosesOnlyForATransactionWithPilotCOrD) {
  EXPECT_EQ(hw_.connector(1).pwm, 1000) << "no charging allowed without a transaction";
  Pilot(1, PilotState::kC);
  EXPECT_FALSE(hw_.connector(1).closed) << "C without a transaction";
  EXPECT_EQ(pilots_, std::vector<std::string>{"1:AC"});

  connectors_.facts(1).transaction = true;
  Refresh();
  EXPECT_TRUE(hw_.connector(1).closed);
  EXPECT_EQ(hw_.connector(1).pwm, 533) << "32 A";
  EXPECT_FALSE(hw_.connector(2).closed) << "the other connector is not touched";
  EXPECT_EQ(hw_.connector(2).pwm, 1000);

  Pilot(1, PilotState::kB);
  EXPECT_FALSE(hw_.connector(1).closed) << "the EV stopped asking";
  EXPECT_EQ(hw_.connector(1).pwm, 533);
  Pilot(1, PilotState::kD);
  EXPECT_TRUE(hw_.connector(1).closed) << "D charges like C";

  connectors_.facts(1).suspended_evse = true;
  Refresh();
  EXPECT_FALSE(hw_.connector(1).closed);
  EXPECT_EQ(hw_.connector(1).pwm, 1000);
  connectors_.facts(1).suspended_evse = false;
  Refresh();
  EXPECT_EQ(hw_.connector(1).closes, 3) << "C, D, and after SuspendedEVSE";
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"1:Preparing", "1:Charging", "1:SuspendedEV", "1:Charging",
                                      "1:SuspendedEVSE", "1:Charging"}));
}

TEST_F(ConnectorsTest, AConnectorFaultOpensItsContactorAndLeavesConnectorZeroAvailable) {
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  connectors_.facts(1).transaction = true;
  connectors_.facts(2).transaction = true;
  Refresh();
  env_.ClearCalls();
  SetFault(2, Fault::kGroundFailure);
  EXPECT_FALSE(hw_.connector(2).closed);
  EXPECT_EQ(hw_.connector(2).pwm, 1000);
  EXPECT_TRUE(hw_.connector(1).closed) << "connector 1 keeps charging";
  EXPECT_EQ(faults_, std::vector<std::string>{"2:GroundFailure"});
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"2:Faulted:GroundFailure"});
  EXPECT_EQ(reporter_.status(0), v16::ChargePointStatus::kAvailable) << "TC_041";
  EXPECT_FALSE(connectors_.usable(2));
  EXPECT_TRUE(connectors_.usable(1));

  SetFault(2, Fault::kNoError);
  EXPECT_TRUE(hw_.connector(2).closed);
  EXPECT_EQ(env_.Statuses().back(), "2:Charging");
}

TEST_F(ConnectorsTest, AStationFaultFaultsEveryConnectorAndConnectorZero) {
  Pilot(1, PilotState::kC);
  connectors_.facts(1).transaction = true;
  Refresh();
  env_.ClearCalls();
  SetFault(0, Fault::kHighTemperature);
  EXPECT_FALSE(hw_.connector(1).closed);
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"0:Faulted:HighTemperature", "1:Faulted:HighTemperature",
                                      "2:Faulted:HighTemperature"}));
  EXPECT_EQ(connectors_.fault(2), Fault::kHighTemperature);
  EXPECT_FALSE(connectors_.usable(1));
  EXPECT_FALSE(connectors_.usable(2));
  env_.ClearCalls();
  SetFault(0, Fault::kNoError);
  EXPECT_TRUE(hw_.connector(1).closed);
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"0:Available", "1:Charging", "2:Available"}));
}

TEST_F(ConnectorsTest, AStationWarningChangesNoConnector) {
  SetFault(0, Fault::kWeakSignal);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"0:Available:WeakSignal"});
  EXPECT_TRUE(connectors_.usable(1));
}

TEST_F(ConnectorsTest, PwmFollowsEachConnectorsMaximumCurrent) {
  hw_.hardware().mock_connector(2).max_current = 16;
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  connectors_.facts(1).transaction = true;
  connectors_.facts(2).transaction = true;
  Refresh();
  EXPECT_EQ(hw_.connector(1).pwm, 533) << "32 A";
  EXPECT_EQ(hw_.connector(2).pwm, 266) << "16 A";
  EXPECT_EQ(connectors_.max_current_amps(2), 16);
}

TEST_F(ConnectorsTest, PilotErrorsFaultTheConnectorWithOtherError) {
  Pilot(1, PilotState::kE);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Faulted:OtherError"});
  EXPECT_EQ(testing::Field(env_.calls()[0].payload, "info"), "Control pilot state E");
  EXPECT_FALSE(connectors_.usable(1));
}

TEST_F(ConnectorsTest, AContactorFeedbackErrorIsAPowerSwitchFailure) {
  hw_.hardware().mock_connector(1).mock_contactor.NotifyFeedbackError(hal::ContactorError::kWelded);
  env_.Run();
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Faulted:PowerSwitchFailure"});
}

TEST_F(ConnectorsTest, UnavailableAndResetMakeConnectorsUnusable) {
  connectors_.facts(2).operative = false;
  Refresh();
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"2:Unavailable"});
  EXPECT_FALSE(connectors_.usable(2));
  connectors_.set_reset_pending(true);
  EXPECT_FALSE(connectors_.usable(1));
  EXPECT_FALSE(connectors_.exists(3));
  EXPECT_FALSE(connectors_.usable(3));
}

}  // namespace
}  // namespace ocpp::station
