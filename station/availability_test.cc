// ChangeAvailability per connector on two fake connectors with a fake
// TransactionsView: Accepted vs Scheduled, what connector 0 means, and
// persistence.
#include "station/availability.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using hal::PilotState;
using testing::ModuleEnv;

constexpr char kAccepted[] = R"({"status":"Accepted"})";
constexpr char kScheduled[] = R"({"status":"Scheduled"})";
constexpr char kRejected[] = R"({"status":"Rejected"})";

std::string Change(int connector, const char* type) {
  return R"({"connectorId":)" + std::to_string(connector) + R"(,"type":")" + type + R"("})";
}

class AvailabilityTest : public ::testing::Test {
 protected:
  AvailabilityTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    Create();
    env_.GoOnline();
    env_.AutoAnswer("StatusNotification", "{}");
    reporter_.ReportAll(true, [] {});
    env_.Run();
    env_.ClearCalls();
  }
  // (Re)builds the modules on the same storage, as after a reboot.
  void Create() {
    availability_.reset();
    connectors_.reset();
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    connectors_->Attach({});
    availability_ = std::make_unique<Availability>(env_.context(), *connectors_, transactions_);
    connectors_->Refresh();
    env_.Run();
  }
  std::string Csms(int connector, const char* type) {
    return env_.CsmsCallPayload("ChangeAvailability", Change(connector, type));
  }
  // A charging transaction on `c`, as the transactions module would show it.
  void StartCharging(int c) {
    transactions_.Begin(c, c, env_.context().Now());
    connectors_->facts(c).transaction = true;
    hw_.SetPilot(c, PilotState::kC);
    connectors_->Refresh();
    env_.Run();
  }
  // The transaction ends with the EV gone: no user action needed (C8).
  // (As Transactions does from the pilot event, before the refresh.)
  void EndWithEvGone(int c) {
    transactions_.End(c);
    connectors_->facts(c).transaction = false;
    availability_->OnTransactionStopped(c, /*finishing=*/false);
    hw_.SetPilot(c, PilotState::kA);
    env_.Run();
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  testing::FakeTransactions transactions_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Availability> availability_;
};

// Issue 7 defect 1: the scheduled change of connector 1 made the whole
// station (connector 0) Unavailable when the transaction ended.
TEST_F(AvailabilityTest, AScheduledConnectorChangeAppliesToThatConnectorOnly) {
  StartCharging(1);
  ASSERT_EQ(env_.Statuses().back(), "1:Charging");
  env_.ClearCalls();
  EXPECT_EQ(Csms(1, "Inoperative"), kScheduled);
  EXPECT_TRUE(env_.Statuses().empty()) << "charging continues";
  EXPECT_TRUE(availability_->operative(1));

  EndWithEvGone(1);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Unavailable"});
  EXPECT_FALSE(availability_->operative(1));
  EXPECT_TRUE(availability_->operative(0));
  EXPECT_TRUE(availability_->operative(2));
  EXPECT_EQ(reporter_.status(0), v16::ChargePointStatus::kAvailable);

  env_.ClearCalls();
  EXPECT_EQ(Csms(1, "Operative"), kAccepted);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Available"});
  EXPECT_TRUE(availability_->operative(1));
}

TEST_F(AvailabilityTest, ConnectorZeroMakesIdleConnectorsUnavailableAndSchedulesBusyOnes) {
  StartCharging(2);
  env_.ClearCalls();
  EXPECT_EQ(Csms(0, "Inoperative"), kScheduled);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Unavailable"});
  EXPECT_EQ(transactions_.cancelled, std::vector<int>{1}) << "a waiting idTag is dropped (B1)";
  EXPECT_TRUE(availability_->operative(0)) << "the station follows when connector 2 is done";
  EXPECT_TRUE(availability_->operative(2));

  env_.ClearCalls();
  EndWithEvGone(2);
  EXPECT_EQ(env_.Statuses(), (std::vector<std::string>{"0:Unavailable", "2:Unavailable"}));
  EXPECT_FALSE(availability_->operative(0));

  env_.ClearCalls();
  EXPECT_EQ(Csms(0, "Operative"), kAccepted);
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"0:Available", "1:Available", "2:Available"}));
}

TEST_F(AvailabilityTest, AnIdleConnectorChangesAtOnce) {
  EXPECT_EQ(Csms(2, "Inoperative"), kAccepted);
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"2:Unavailable"});
  EXPECT_EQ(Csms(2, "Inoperative"), kAccepted) << "already so: Accepted again";
  EXPECT_EQ(env_.Statuses().size(), 1u);
}

TEST_F(AvailabilityTest, AnUnknownConnectorIsRejected) {
  EXPECT_EQ(Csms(3, "Inoperative"), kRejected);
  EXPECT_TRUE(env_.Statuses().empty());
}

TEST_F(AvailabilityTest, WithTheEvStillPluggedInTheChangeWaitsForTheUnplug) {
  StartCharging(1);
  EXPECT_EQ(Csms(1, "Inoperative"), kScheduled);
  // Stopped by the user, EV still plugged in (C6): Finishing first.
  transactions_.End(1);
  transactions_.set_finishing(1, true);
  connectors_->facts(1).transaction = false;
  connectors_->facts(1).finishing = true;
  availability_->OnTransactionStopped(1, /*finishing=*/true);
  env_.Run();
  EXPECT_TRUE(availability_->operative(1));
  env_.ClearCalls();
  hw_.SetPilot(1, PilotState::kA);
  transactions_.set_finishing(1, false);
  connectors_->facts(1).finishing = false;
  availability_->OnPilot(1, PilotState::kA);  // F8
  env_.Run();
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Unavailable"});
}

TEST_F(AvailabilityTest, StateAndScheduleSurviveARestart) {
  EXPECT_EQ(Csms(2, "Inoperative"), kAccepted);
  StartCharging(1);
  EXPECT_EQ(Csms(1, "Inoperative"), kScheduled);
  // Power cut; the transaction is over when the station comes back.
  transactions_.End(1);
  hw_.connector(1).pilot = PilotState::kA;
  Create();
  EXPECT_FALSE(availability_->operative(2));
  EXPECT_FALSE(connectors_->facts(2).operative);
  EXPECT_TRUE(availability_->operative(1)) << "not applied before ApplyDue";
  availability_->ApplyDue();
  env_.Run();
  EXPECT_FALSE(availability_->operative(1));
  EXPECT_TRUE(availability_->operative(0));
  EXPECT_EQ(reporter_.status(1), v16::ChargePointStatus::kUnavailable);
  EXPECT_EQ(reporter_.status(2), v16::ChargePointStatus::kUnavailable);
  EXPECT_EQ(reporter_.status(0), v16::ChargePointStatus::kAvailable);
}

}  // namespace
}  // namespace ocpp::station
