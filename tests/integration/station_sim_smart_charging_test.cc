// Smart charging through station_sim's contract (../shared/docs/
// station-sim-interface.md: `pilot` lines, the simulated EV's draw,
// --supply-current, --phases, --voltage, several connectors) as a real child
// process against the project's central system on 127.0.0.1.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/sim_process.h"

namespace ocpp {
namespace {

using integration::JsonLines;
using integration::Process;
using integration::TempDir;

class StationSimSmartCharging : public integration::StationSimTest {
 protected:
  // A ChargePointMaxProfile (connector 0) or a TxDefaultProfile of `amps`.
  v16::ChargingProfileStatus Limit(int connector, v16::ChargingProfilePurposeType purpose, int id,
                                   double amps) {
    v16::ChargingProfile p;
    p.charging_profile_id = id;
    p.charging_profile_purpose = purpose;
    p.charging_profile_kind = v16::ChargingProfileKindType::kRelative;
    p.charging_schedule.charging_rate_unit = v16::ChargingRateUnitType::kA;
    p.charging_schedule.charging_schedule_period.push_back(
        {0, codec::Decimal::FromTenths(std::llround(amps * 10)), std::nullopt});
    return CallSync(v16::SetChargingProfileReq{connector, p}).status;
  }
  // The last `pilot` line's limit_a of `connector`; -1 if none yet.
  double PilotLimit(Process& sim, int connector) {
    double limit = -1;
    for (const auto& line : JsonLines(sim)) {
      if (std::string(line["event"].GetString()) != "pilot") continue;
      if (line["connector"].GetInt() != connector) continue;
      limit = line["limit_a"].GetDouble();
      EXPECT_TRUE(line.HasMember("duty_pct"));
    }
    return limit;
  }
  bool WaitForPilot(Process& sim, int connector, double amps) {
    return WaitUntil([&] { return PilotLimit(sim, connector) == amps; });
  }
  bool WaitForStatus(int connector, const std::string& status) {
    return WaitUntil([&] {
      auto all = All("StatusNotification");
      for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if ((*it)["connectorId"].GetInt() == connector) {
          return std::string((*it)["status"].GetString()) == status;
        }
      }
      return false;
    });
  }
  std::unique_ptr<Process> StartOnline(std::vector<std::string> extra, int statuses) {
    auto sim = Start(TempDir("sc"), std::move(extra));
    EXPECT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= statuses; })) << sim->err();
    return sim;
  }
};

// Two connectors on a 32 A supply: one charging alone gets 32 A, two share
// 16 + 16, a ChargePointMaxProfile of 20 A makes it 10 + 10, and a 0 A
// TxDefaultProfile on connector 2 suspends it (SuspendedEVSE, limit 0,
// duty 100 %) and leaves connector 1 the station's 20 A.
TEST_F(StationSimSmartCharging, ConnectorsShareTheSupplyAndTheStationProfile) {
  auto sim = StartOnline({"--connectors", "2", "--supply-current", "32"}, 3);
  sim->Send("cp C 1");
  sim->Send("rfid TAG-ONE");
  ASSERT_TRUE(WaitForStatus(1, "Charging")) << sim->err();
  ASSERT_TRUE(WaitForPilot(*sim, 1, 32)) << "alone: the whole supply";
  sim->Send("cp C 2");
  sim->Send("rfid TAG-TWO");
  ASSERT_TRUE(WaitForStatus(2, "Charging")) << sim->err();
  ASSERT_TRUE(WaitForPilot(*sim, 1, 16));
  ASSERT_TRUE(WaitForPilot(*sim, 2, 16));

  EXPECT_EQ(Limit(0, v16::ChargingProfilePurposeType::kChargePointMaxProfile, 1, 20),
            v16::ChargingProfileStatus::kAccepted);
  ASSERT_TRUE(WaitForPilot(*sim, 1, 10));
  ASSERT_TRUE(WaitForPilot(*sim, 2, 10));

  EXPECT_EQ(Limit(2, v16::ChargingProfilePurposeType::kTxDefaultProfile, 2, 0),
            v16::ChargingProfileStatus::kAccepted);
  ASSERT_TRUE(WaitForPilot(*sim, 2, 0));
  ASSERT_TRUE(WaitForStatus(2, "SuspendedEVSE"));
  ASSERT_TRUE(WaitForPilot(*sim, 1, 20));
  bool full_duty = false;
  for (const auto& line : JsonLines(*sim)) {
    if (std::string(line["event"].GetString()) == "pilot" && line["connector"].GetInt() == 2 &&
        line["limit_a"].GetDouble() == 0) {
      full_duty = line["duty_pct"].GetDouble() == 100;
    }
  }
  EXPECT_TRUE(full_duty) << "limit 0 is duty 100 %";

  // Cleared again: connector 2 charges once more.
  EXPECT_EQ(
      CallSync(v16::ClearChargingProfileReq{2, std::nullopt, std::nullopt, std::nullopt}).status,
      v16::ClearChargingProfileStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(2, "Charging"));
  ASSERT_TRUE(WaitForPilot(*sim, 2, 10));
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
}

// The simulated EV draws min(power, limit x voltage x phases): 11 kW asked
// on 3 phases at 230 V under a 10 A profile is 6900 W, as MeterValues show.
TEST_F(StationSimSmartCharging, TheEvDrawsWhatTheLimitAllows) {
  auto sim = StartOnline({"--phases", "3", "--voltage", "230", "--max-current", "16"}, 2);
  EXPECT_NE(GetConfiguration("SupportedFeatureProfiles").find("SmartCharging"), std::string::npos);
  ASSERT_EQ(CallSync(v16::ChangeConfigurationReq{
                         *codec::CiString<50>::From("MeterValuesSampledData"),
                         *codec::CiString<500>::From("Power.Active.Import,Current.Offered")})
                .status,
            v16::ConfigurationStatus::kAccepted);
  ASSERT_EQ(
      CallSync(v16::ChangeConfigurationReq{*codec::CiString<50>::From("MeterValueSampleInterval"),
                                           *codec::CiString<500>::From("1")})
          .status,
      v16::ConfigurationStatus::kAccepted);
  sim->Send("power 11000");
  sim->Send("cp C");
  sim->Send("rfid TAG-ONE");
  ASSERT_TRUE(WaitForStatus(1, "Charging")) << sim->err();
  ASSERT_TRUE(WaitForPilot(*sim, 1, 16)) << "--max-current caps the offer";
  EXPECT_EQ(Limit(0, v16::ChargingProfilePurposeType::kTxDefaultProfile, 3, 10),
            v16::ChargingProfileStatus::kAccepted);
  ASSERT_TRUE(WaitForPilot(*sim, 1, 10));
  const int before = Count("MeterValues");
  ASSERT_TRUE(WaitUntil([&] { return Count("MeterValues") >= before + 2; })) << sim->err();
  const auto mv = Last("MeterValues");
  const auto& values = mv["meterValue"][0]["sampledValue"];
  ASSERT_EQ(values.Size(), 2u);
  EXPECT_EQ(std::string(values[0]["value"].GetString()), "6900");  // 10 A x 230 V x 3
  EXPECT_EQ(std::string(values[1]["measurand"].GetString()), "Current.Offered");
  EXPECT_EQ(std::string(values[1]["value"].GetString()), "10");
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
}

}  // namespace
}  // namespace ocpp
