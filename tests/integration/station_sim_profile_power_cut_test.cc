// Power cuts right after the station accepted a ReserveNow or a
// SetChargingProfile: station_sim as a child process against the project's
// central system on 127.0.0.1, killed with SIGKILL as soon as the
// central system has the answer. An Accepted answer is a promise: after the
// restart the reservation (Reserved at boot, the holder's StartTransaction
// carries its id) and the profile (GetCompositeSchedule) are there.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/sim_process.h"

namespace ocpp {
namespace {

using integration::Process;
using integration::TempDir;

class ProfilePowerCut : public integration::StationSimTest {
 protected:
  std::unique_ptr<Process> StartOnline(const std::string& dir, int boots) {
    auto sim = Start(dir);
    EXPECT_TRUE(WaitUntil([&] { return Count("BootNotification") >= boots; }, 15)) << sim->err();
    EXPECT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2 * boots; }, 15));
    return sim;
  }
  void PowerCut(Process& sim) {
    sim.Kill(SIGKILL);
    ASSERT_TRUE(WaitUntil([&] { return sim.Poll() >= 0; }));
  }
  std::string LastStatusOf(int connector) {
    std::string status;
    for (const auto& s : All("StatusNotification")) {
      if (s["connectorId"].GetInt() == connector) status = s["status"].GetString();
    }
    return status;
  }
};

TEST_F(ProfilePowerCut, AnAcceptedReservationSurvivesAPowerCut) {
  const std::string dir = TempDir("reserve-cut");
  auto sim = StartOnline(dir, 1);
  v16::ReserveNowReq req;
  req.connector_id = 1;
  req.expiry_date = codec::DateTime::FromUnixMillis(
      codec::DateTime::FromSystemTime(clock_.WallNow()).unix_millis() + 3'600'000);
  req.id_tag = *codec::CiString<20>::From("HOLDER");
  req.reservation_id = 4242;
  ASSERT_EQ(CallSync(req).status, v16::ReservationStatus::kAccepted);
  PowerCut(*sim);  // at once: the Reserved StatusNotification may not even be out
  sim = StartOnline(dir, 2);
  ASSERT_TRUE(WaitUntil([&] { return LastStatusOf(1) == "Reserved"; })) << sim->err();
  sim->Send("cp C");
  sim->Send("rfid HOLDER");
  ASSERT_TRUE(WaitUntil([&] { return Count("StartTransaction") == 1; }, 15)) << sim->err();
  EXPECT_EQ(Last("StartTransaction")["reservationId"].GetInt64(), 4242);
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
}

TEST_F(ProfilePowerCut, AnAcceptedChargingProfileSurvivesAPowerCut) {
  const std::string dir = TempDir("profile-cut");
  auto sim = StartOnline(dir, 1);
  v16::ChargingProfile p;
  p.charging_profile_id = 7;
  p.charging_profile_purpose = v16::ChargingProfilePurposeType::kChargePointMaxProfile;
  p.charging_profile_kind = v16::ChargingProfileKindType::kRelative;
  p.charging_schedule.charging_rate_unit = v16::ChargingRateUnitType::kA;
  p.charging_schedule.charging_schedule_period.push_back(
      {0, codec::Decimal::FromTenths(125), std::nullopt});
  ASSERT_EQ(CallSync(v16::SetChargingProfileReq{0, p}).status,
            v16::ChargingProfileStatus::kAccepted);
  PowerCut(*sim);
  sim = StartOnline(dir, 2);
  const auto conf = CallSync(v16::GetCompositeScheduleReq{1, 60, v16::ChargingRateUnitType::kA});
  ASSERT_TRUE(conf.charging_schedule.has_value());
  ASSERT_EQ(conf.charging_schedule->charging_schedule_period.size(), 1u);
  EXPECT_EQ(conf.charging_schedule->charging_schedule_period[0].limit.ToString(), "12.5");
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
}

}  // namespace
}  // namespace ocpp
