// The Smart Charging module over two fake J1772 connectors, fake
// transactions and in-memory storage: the handlers' answers, persistence,
// the PWM that follows the limit in force (timers at period boundaries, no
// polling), SuspendedEVSE below 6 A, sharing a ChargePointMaxProfile, and
// the TxProfile of a RemoteStart.
#include "station/smart_charging/smart_charging.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using hal::PilotState;
using testing::Field;
using testing::ModuleEnv;

constexpr int kDuty16A = 266;
constexpr int kDuty10A = 166;
constexpr int kDuty32A = 533;

int PwmDutyPermilleForTest(int deciamps) {
  return hal::PwmDutyPermilleForCurrentLimitDeciamps(deciamps);
}

std::string Profile(const std::string& purpose, int id, int stack, const std::string& periods,
                    const std::string& extra = "") {
  return R"({"chargingProfileId":)" + std::to_string(id) + R"(,"stackLevel":)" +
         std::to_string(stack) + R"(,"chargingProfilePurpose":")" + purpose +
         R"(","chargingProfileKind":"Relative")" + extra +
         R"(,"chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[)" + periods +
         "]}}";
}

std::string Set(int connector, const std::string& profile) {
  return R"({"connectorId":)" + std::to_string(connector) + R"(,"csChargingProfiles":)" + profile +
         "}";
}

class SmartChargingTest : public ::testing::Test {
 protected:
  SmartChargingTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    connectors_->Attach({});
    env_.GoOnline();
    env_.AutoAnswer("StatusNotification", "{}");
    Build();
  }
  void Build() {
    connectors_->SetCurrentLimits(nullptr);
    smart_.reset();
    smart_ = std::make_unique<SmartCharging>(env_.context(), *connectors_, transactions_);
    connectors_->SetCurrentLimits(smart_.get());
    Refresh();
  }
  void Refresh() {
    connectors_->Refresh();
    env_.Run();
  }
  // A running transaction on `c` with the EV drawing (pilot C).
  void Charge(int c, std::int64_t csms_id) {
    transactions_.Begin(c, 10 + c, env_.context().Now());
    transactions_.csms_ids[c] = csms_id;
    connectors_->facts(c).transaction = true;
    hw_.SetPilot(c, PilotState::kC);
    smart_->OnTransactionStarted(c);
    Refresh();
  }
  void End(int c) {
    transactions_.End(c);
    transactions_.csms_ids.erase(c);
    connectors_->facts(c).transaction = false;
    smart_->OnTransactionStopped(c);
    Refresh();
  }
  std::string Call(const std::string& action, const std::string& payload) {
    std::string answer = env_.CsmsCallPayload(action, payload);
    env_.Run();
    return answer;
  }
  std::string SetProfile(int connector, const std::string& profile) {
    return Field(Call("SetChargingProfile", Set(connector, profile)), "status");
  }
  std::size_t StoredProfiles() { return env_.storage().List("station/charging_profile/")->size(); }
  int Pwm(int c) { return hw_.connector(c).pwm; }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  testing::FakeTransactions transactions_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<SmartCharging> smart_;
};

TEST_F(SmartChargingTest, ATxDefaultProfileDrivesThePwmAtEveryPeriodBoundary) {
  Charge(1, 501);
  EXPECT_EQ(Pwm(1), kDuty32A) << "no profile: the connector's rating";
  // 16 A now, 10 A after 60 s, 4 A (below J1772's 6 A) after 120 s, 16 A after 180 s.
  EXPECT_EQ(
      SetProfile(0, Profile("TxDefaultProfile", 1, 0,
                            R"({"startPeriod":0,"limit":16},{"startPeriod":60,"limit":10},)"
                            R"({"startPeriod":120,"limit":4},{"startPeriod":180,"limit":16})")),
      "Accepted");
  EXPECT_EQ(Pwm(1), kDuty16A);
  EXPECT_EQ(connectors_->offered_amps(1), 16);
  env_.Run(Milliseconds(59'000));
  EXPECT_EQ(Pwm(1), kDuty16A);
  env_.Run(Milliseconds(1'000));
  EXPECT_EQ(Pwm(1), kDuty10A) << "the timer fires at the boundary";
  env_.Run(Milliseconds(60'000));
  EXPECT_EQ(Pwm(1), 1000) << "below 6 A nothing is offered";
  EXPECT_EQ(connectors_->status(1), v16::ChargePointStatus::kSuspendedEVSE);
  EXPECT_EQ(connectors_->offered_amps(1), 0);
  env_.Run(Milliseconds(60'000));
  EXPECT_EQ(Pwm(1), kDuty16A);
  EXPECT_EQ(connectors_->status(1), v16::ChargePointStatus::kCharging);
  EXPECT_EQ(Pwm(2), 1000) << "no transaction on connector 2";
}

TEST_F(SmartChargingTest, ProfilesSurviveARestartButTxProfilesDoNot) {
  Charge(1, 501);
  EXPECT_EQ(
      SetProfile(0, Profile("ChargePointMaxProfile", 1, 0, R"({"startPeriod":0,"limit":20})")),
      "Accepted");
  EXPECT_EQ(SetProfile(1, Profile("TxProfile", 2, 0, R"({"startPeriod":0,"limit":12})",
                                  R"(,"transactionId":501)")),
            "Accepted");
  EXPECT_EQ(StoredProfiles(), 2u);
  EXPECT_EQ(smart_->profiles().size(), 2u);
  End(1);
  EXPECT_EQ(smart_->profiles().size(), 1u) << "the TxProfile ended with its transaction";
  EXPECT_EQ(StoredProfiles(), 1u);
  Build();  // a reboot over the same storage
  ASSERT_EQ(smart_->profiles().size(), 1u);
  EXPECT_EQ(smart_->profiles()[0].profile.charging_profile_id, 1);
  Charge(2, 502);
  EXPECT_EQ(Pwm(2), PwmDutyPermilleForTest(200));
}

TEST_F(SmartChargingTest, TxProfileNeedsItsRunningTransaction) {
  const std::string tx = Profile("TxProfile", 3, 0, R"({"startPeriod":0,"limit":8})");
  EXPECT_EQ(SetProfile(1, tx), "Rejected") << "TC_058_1: no transaction";
  Charge(1, 501);
  EXPECT_EQ(SetProfile(1, Profile("TxProfile", 3, 0, R"({"startPeriod":0,"limit":8})",
                                  R"(,"transactionId":999)")),
            "Rejected")
      << "TC_058_2: another transaction";
  EXPECT_EQ(SetProfile(0, tx), "Rejected") << "never on connector 0";
  EXPECT_EQ(SetProfile(1, tx), "Accepted");
  EXPECT_EQ(Pwm(1), PwmDutyPermilleForTest(80));
}

TEST_F(SmartChargingTest, BadRequestsChangeNothing) {
  EXPECT_EQ(SetProfile(0, Profile("TxDefaultProfile", 1, 0, R"({"startPeriod":0,"limit":16})")),
            "Accepted");
  EXPECT_EQ(SetProfile(0, Profile("TxDefaultProfile", 2, 11, R"({"startPeriod":0,"limit":6})")),
            "Rejected")
      << "stackLevel above ChargeProfileMaxStackLevel";
  EXPECT_EQ(SetProfile(1, Profile("ChargePointMaxProfile", 3, 0, R"({"startPeriod":0,"limit":6})")),
            "Rejected");
  std::string periods;
  for (int i = 0; i < 49; ++i) {
    periods += (i ? "," : "") + std::string(R"({"startPeriod":)") + std::to_string(i * 60) +
               R"(,"limit":6})";
  }
  EXPECT_EQ(SetProfile(0, Profile("TxDefaultProfile", 4, 1, periods)), "Rejected")
      << "more than ChargingScheduleMaxPeriods";
  EXPECT_EQ(Call("SetChargingProfile",
                 Set(3, Profile("TxDefaultProfile", 5, 0, R"({"startPeriod":0,"limit":6})"))),
            "PropertyConstraintViolation")
      << "no connector 3 (errata 3.39)";
  EXPECT_EQ(Call("SetChargingProfile", R"({"connectorId":0,"csChargingProfiles":{}})"),
            "OccurenceConstraintViolation");
  env_.storage().FailNextWrites(1);
  EXPECT_EQ(SetProfile(0, Profile("TxDefaultProfile", 6, 2, R"({"startPeriod":0,"limit":6})")),
            "Rejected")
      << "not persisted: not installed";
  ASSERT_EQ(smart_->profiles().size(), 1u);
  EXPECT_EQ(smart_->profiles()[0].profile.charging_profile_id, 1);
  EXPECT_EQ(StoredProfiles(), 1u);
}

TEST_F(SmartChargingTest, ClearChargingProfileRemovesFromMemoryAndStorage) {
  SetProfile(0, Profile("TxDefaultProfile", 1, 0, R"({"startPeriod":0,"limit":16})"));
  SetProfile(0, Profile("TxDefaultProfile", 2, 1, R"({"startPeriod":0,"limit":10})"));
  SetProfile(0, Profile("ChargePointMaxProfile", 3, 0, R"({"startPeriod":0,"limit":20})"));
  EXPECT_EQ(Field(Call("ClearChargingProfile", R"({"id":2})"), "status"), "Accepted");
  EXPECT_EQ(Field(Call("ClearChargingProfile", R"({"id":2})"), "status"), "Unknown");
  EXPECT_EQ(StoredProfiles(), 2u);
  EXPECT_EQ(Field(Call("ClearChargingProfile", R"({"chargingProfilePurpose":"TxDefaultProfile"})"),
                  "status"),
            "Accepted");
  EXPECT_EQ(Field(Call("ClearChargingProfile", "{}"), "status"), "Accepted");
  EXPECT_EQ(StoredProfiles(), 0u);
  EXPECT_TRUE(smart_->profiles().empty());
}

TEST_F(SmartChargingTest, GetCompositeScheduleAnswersInTheRequestedUnit) {
  SetProfile(0, Profile("TxDefaultProfile", 1, 0,
                        R"({"startPeriod":0,"limit":16},{"startPeriod":100,"limit":10})"));
  const std::string amps =
      Call("GetCompositeSchedule", R"({"connectorId":1,"duration":300,"chargingRateUnit":"A"})");
  EXPECT_EQ(Field(amps, "status"), "Accepted");
  EXPECT_EQ(Field(amps, "scheduleStart"), "2026-01-01T12:00:00Z");
  EXPECT_EQ(Field(amps, "chargingSchedule.chargingRateUnit"), "A");
  rapidjson::Document doc = testing::ParseJson(amps);
  const auto& periods = doc["chargingSchedule"]["chargingSchedulePeriod"];
  ASSERT_EQ(periods.Size(), 2u);
  EXPECT_EQ(periods[1]["startPeriod"].GetInt(), 100);
  EXPECT_EQ(periods[1]["limit"].GetDouble(), 10.0);
  const std::string watts =
      Call("GetCompositeSchedule", R"({"connectorId":1,"duration":300,"chargingRateUnit":"W"})");
  rapidjson::Document w = testing::ParseJson(watts);
  // The fake station has 3 phases at 230 V.
  EXPECT_EQ(w["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"].GetDouble(), 16 * 230 * 3);
  EXPECT_EQ(Field(Call("GetCompositeSchedule", R"({"connectorId":3,"duration":300})"), "status"),
            "Rejected");
}

// Two charging connectors share a 20 A ChargePointMaxProfile equally; when
// one stops, the other gets all of it (up to its own limit).
TEST_F(SmartChargingTest, ChargingConnectorsShareTheStationLimit) {
  SetProfile(0, Profile("ChargePointMaxProfile", 1, 0, R"({"startPeriod":0,"limit":20})"));
  Charge(1, 501);
  EXPECT_EQ(Pwm(1), PwmDutyPermilleForTest(200));
  Charge(2, 502);
  EXPECT_EQ(Pwm(1), kDuty10A);
  EXPECT_EQ(Pwm(2), kDuty10A);
  hw_.SetPilot(2, PilotState::kB);  // the second EV pauses: the first may take it all
  Refresh();
  EXPECT_EQ(Pwm(1), PwmDutyPermilleForTest(200));
  EXPECT_EQ(Pwm(2), kDuty10A) << "offered what it would get on resuming";
  End(1);
  EXPECT_EQ(Pwm(2), PwmDutyPermilleForTest(200));
}

TEST_F(SmartChargingTest, ARemoteStartsTxProfileAppliesToItsTransactionOnly) {
  const std::string json = Profile("TxProfile", 7, 0, R"({"startPeriod":0,"limit":8})");
  v16::ChargingProfile profile;
  ASSERT_FALSE(codec::DecodeJson(json, profile).has_value());
  EXPECT_TRUE(smart_->AcceptsRemoteStartProfile(profile));
  v16::ChargingProfile not_tx = profile;
  not_tx.charging_profile_purpose = v16::ChargingProfilePurposeType::kTxDefaultProfile;
  EXPECT_FALSE(smart_->AcceptsRemoteStartProfile(not_tx)) << "TC_060";
  transactions_.Begin(1, 11, env_.context().Now()).charging_profile = profile;
  connectors_->facts(1).transaction = true;
  hw_.SetPilot(1, PilotState::kC);
  smart_->OnTransactionStarted(1);
  Refresh();
  EXPECT_EQ(Pwm(1), PwmDutyPermilleForTest(80));
  EXPECT_EQ(StoredProfiles(), 1u);
  End(1);
  EXPECT_TRUE(smart_->profiles().empty());
  EXPECT_EQ(StoredProfiles(), 0u);
}

}  // namespace
}  // namespace ocpp::station
