// OCTT charge-point cases of the Smart Charging profile (TC_056, TC_057,
// TC_058_1, TC_058_2, TC_082, TC_066, TC_067, TC_072, TC_059, TC_060), over
// the wire, plus what the cases imply for the hardware: the J1772 PWM follows
// the limit in force at period boundaries, SuspendedEVSE below 6 A, MeterValues
// with Current.Offered, profiles that survive a power cut.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::ChargingProfileKindType;
using v16::ChargingProfilePurposeType;
using v16::ChargingRateUnitType;

struct Period {
  int start;
  double limit;
};

codec::Decimal Dec(double v) {
  return codec::Decimal::FromTenths(static_cast<std::int64_t>(std::llround(v * 10)));
}

class SmartCharging : public Harness {
 protected:
  // An Absolute profile starting now (the OCTT cases' "current dateTime").
  v16::ChargingProfile Profile(std::int64_t id, ChargingProfilePurposeType purpose, int stack,
                               std::optional<int> duration, const std::vector<Period>& periods,
                               ChargingRateUnitType unit = ChargingRateUnitType::kA) {
    v16::ChargingProfile p;
    p.charging_profile_id = id;
    p.stack_level = stack;
    p.charging_profile_purpose = purpose;
    p.charging_profile_kind = ChargingProfileKindType::kAbsolute;
    p.charging_schedule.start_schedule = station().Now();
    p.charging_schedule.duration = duration;
    p.charging_schedule.charging_rate_unit = unit;
    for (const Period& period : periods) {
      const double limit = unit == ChargingRateUnitType::kW ? period.limit * 1000 : period.limit;
      p.charging_schedule.charging_schedule_period.push_back({period.start, Dec(limit), 3});
    }
    return p;
  }
  // validFrom now, validTo now + 401 s (TC_066, TC_067, TC_072).
  v16::ChargingProfile Bounded(v16::ChargingProfile p) {
    p.valid_from = station().Now();
    p.valid_to = codec::DateTime::FromUnixMillis(station().Now().unix_millis() + 401'000);
    return p;
  }
  // Settled: the limits it changes are applied once its answer is out.
  v16::ChargingProfileStatus SetProfile(int connector, const v16::ChargingProfile& profile) {
    const auto status = CsmsCall(v16::SetChargingProfileReq{connector, profile}).status;
    Settle();
    return status;
  }
  v16::GetCompositeScheduleConf Composite(int connector, int duration,
                                          ChargingRateUnitType unit = ChargingRateUnitType::kA) {
    return CsmsCall(v16::GetCompositeScheduleReq{connector, duration, unit});
  }
  // "offset:limit" of each period.
  static Strings Periods(const v16::GetCompositeScheduleConf& conf) {
    Strings out;
    if (!conf.charging_schedule) return out;
    for (const auto& p : conf.charging_schedule->charging_schedule_period) {
      out.push_back(std::to_string(p.start_period) + ":" + p.limit.ToString());
    }
    return out;
  }
  v16::ClearChargingProfileStatus Clear(v16::ClearChargingProfileReq req) {
    return CsmsCall(req).status;
  }
  // What connector `c`'s pilot offers now, in A (station_sim's `limit_a`).
  double OfferedAmps(int c = 1) {
    return hal::AdvertisedCurrentDeciamps(connector(c).pwm_duty_permille()) / 10.0;
  }
};

TEST_F(SmartCharging, tc056_tx_default_profile) {
  StartStation();
  for (ChargingRateUnitType unit : {ChargingRateUnitType::kA, ChargingRateUnitType::kW}) {
    auto profile =
        Profile(1, ChargingProfilePurposeType::kTxDefaultProfile, 0, 300, {{0, 6}}, unit);
    profile.charging_schedule.start_schedule.reset();  // TC_056 sends none: it starts now
    EXPECT_EQ(SetProfile(1, profile), v16::ChargingProfileStatus::kAccepted);
    const auto conf = Composite(1, 300, unit);
    EXPECT_EQ(conf.status, v16::GetCompositeScheduleStatus::kAccepted);
    EXPECT_EQ(conf.connector_id, 1);
    ASSERT_TRUE(conf.schedule_start.has_value());
    EXPECT_LE(std::llabs(conf.schedule_start->unix_millis() / 1000 - WallSeconds()), 1);
    ASSERT_TRUE(conf.charging_schedule.has_value());
    EXPECT_EQ(conf.charging_schedule->duration, 300);
    EXPECT_EQ(conf.charging_schedule->charging_rate_unit, unit);
    // 6 A (or 6000 W) for 300 s, then the connector's own 32 A.
    EXPECT_EQ(Periods(conf),
              unit == ChargingRateUnitType::kA ? (Strings{"0:6"}) : (Strings{"0:6000"}));
  }
}

TEST_F(SmartCharging, tc057_tx_profile) {
  StartStation();
  const int tx = StartCharging();
  auto profile = Profile(2, ChargingProfilePurposeType::kTxProfile, 0, 300, {{0, 6}});
  profile.transaction_id = tx;
  EXPECT_EQ(SetProfile(1, profile), v16::ChargingProfileStatus::kAccepted);
  const auto conf = Composite(1, 300);
  EXPECT_EQ(conf.status, v16::GetCompositeScheduleStatus::kAccepted);
  EXPECT_EQ(Periods(conf), (Strings{"0:6"}));
  EXPECT_EQ(OfferedAmps(), 6) << "the PWM offers the TxProfile's 6 A at once";
}

TEST_F(SmartCharging, tc058_1_tx_profile_no_transaction) {
  StartStation();
  auto profile = Profile(3, ChargingProfilePurposeType::kTxProfile, 0, 300, {{0, 6}});
  profile.transaction_id = 12345;
  EXPECT_EQ(SetProfile(1, profile), v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:32"})) << "nothing installed";
}

TEST_F(SmartCharging, tc058_2_tx_profile_wrong_transaction_id) {
  StartStation();
  const int tx = StartCharging();
  auto profile = Profile(3, ChargingProfilePurposeType::kTxProfile, 0, 300, {{0, 6}});
  profile.transaction_id = tx + 1;
  EXPECT_EQ(SetProfile(1, profile), v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(OfferedAmps(), 32);
}

// Errata 3.8: a new TxDefaultProfile applies to the running transaction too.
TEST_F(SmartCharging, tc082_tx_default_profile_ongoing_tx) {
  StartStation();
  StartCharging();
  EXPECT_EQ(OfferedAmps(), 32);
  EXPECT_EQ(
      SetProfile(1, Profile(4, ChargingProfilePurposeType::kTxDefaultProfile, 0, 300, {{0, 6}})),
      v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:6"}));
  EXPECT_EQ(OfferedAmps(), 6);
}

TEST_F(SmartCharging, tc066_get_composite_schedule) {
  StartStation();
  const int tx = StartCharging();
  EXPECT_EQ(SetProfile(0, Profile(1, ChargingProfilePurposeType::kChargePointMaxProfile, 0, 86400,
                                  {{0, 10}})),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(SetProfile(1, Bounded(Profile(2, ChargingProfilePurposeType::kTxDefaultProfile, 0, 300,
                                          {{0, 6}, {60, 10}, {120, 8}, {180, 15}, {260, 8}}))),
            v16::ChargingProfileStatus::kAccepted);
  auto tx_profile = Bounded(Profile(3, ChargingProfilePurposeType::kTxProfile, 0, 260,
                                    {{0, 8}, {50, 11}, {140, 16}, {200, 6}, {240, 12}}));
  tx_profile.transaction_id = tx;
  EXPECT_EQ(SetProfile(1, tx_profile), v16::ChargingProfileStatus::kAccepted);
  const auto conf = Composite(1, 400);
  EXPECT_EQ(conf.charging_schedule->duration, 400);
  EXPECT_EQ(Periods(conf), (Strings{"0:8", "50:10", "200:6", "240:10"}));
  // The hardware follows the same schedule.
  EXPECT_EQ(OfferedAmps(), 8);
  Advance(Seconds(50));
  EXPECT_EQ(OfferedAmps(), 10);
  Advance(Seconds(150));
  EXPECT_EQ(OfferedAmps(), 6);
  Advance(Seconds(40));
  EXPECT_EQ(OfferedAmps(), 10);
}

TEST_F(SmartCharging, tc067_clear_charging_profile) {
  StartStation();
  EXPECT_EQ(SetProfile(1, Profile(1, ChargingProfilePurposeType::kTxDefaultProfile, 1, 400,
                                  {{0, 6}, {60, 8}, {200, 10}})),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(SetProfile(1, Bounded(Profile(2, ChargingProfilePurposeType::kTxDefaultProfile, 0, 400,
                                          {{0, 7}, {100, 9}}))),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(SetProfile(0, Bounded(Profile(3, ChargingProfilePurposeType::kChargePointMaxProfile, 0,
                                          86400, {{0, 11}, {200, 12}}))),
            v16::ChargingProfileStatus::kAccepted);
  v16::ClearChargingProfileReq by_id;
  by_id.id = 1;
  EXPECT_EQ(Clear(by_id), v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_EQ(Periods(Composite(1, 350)), (Strings{"0:7", "100:9"}));
  v16::ClearChargingProfileReq by_purpose;
  by_purpose.charging_profile_purpose = ChargingProfilePurposeType::kTxDefaultProfile;
  by_purpose.stack_level = 0;
  EXPECT_EQ(Clear(by_purpose), v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_EQ(Periods(Composite(1, 350)), (Strings{"0:11", "200:12"}));
  EXPECT_EQ(Clear(v16::ClearChargingProfileReq{}), v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_EQ(Periods(Composite(1, 350)), (Strings{"0:32"})) << "the local limit";
  EXPECT_EQ(Clear(v16::ClearChargingProfileReq{}), v16::ClearChargingProfileStatus::kUnknown);
}

TEST_F(SmartCharging, tc072_stacking_charging_profiles) {
  StartStation();
  for (ChargingRateUnitType unit : {ChargingRateUnitType::kA, ChargingRateUnitType::kW}) {
    EXPECT_EQ(SetProfile(1, Bounded(Profile(1, ChargingProfilePurposeType::kTxDefaultProfile, 0,
                                            400, {{0, 6}, {100, 8}, {200, 10}}, unit))),
              v16::ChargingProfileStatus::kAccepted);
    EXPECT_EQ(SetProfile(1, Bounded(Profile(2, ChargingProfilePurposeType::kTxDefaultProfile, 1,
                                            150, {{0, 7}, {100, 9}}, unit))),
              v16::ChargingProfileStatus::kAccepted);
    const auto conf = Composite(1, 350, unit);
    EXPECT_EQ(conf.charging_schedule->charging_rate_unit, unit);
    // In W the simulated connector's own limit shows: 32 A x 230 V on its
    // one phase = 7360 W caps 9, 8 and 10 kW, and equal periods merge.
    EXPECT_EQ(Periods(conf), unit == ChargingRateUnitType::kA
                                 ? (Strings{"0:7", "100:9", "150:8", "200:10"})
                                 : (Strings{"0:7000", "100:7360"}));
  }
}

TEST_F(SmartCharging, tc059_remote_start_with_charging_profile) {
  StartStation();
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  v16::RemoteStartTransactionReq req;
  req.connector_id = 1;
  req.id_tag = *codec::CiString<20>::From("TAG-0001");
  req.charging_profile =
      Profile(5, ChargingProfilePurposeType::kTxProfile, 0, 300, {{0, 10}, {100, 16}});
  req.charging_profile->charging_profile_kind = ChargingProfileKindType::kRelative;
  req.charging_profile->charging_schedule.start_schedule.reset();
  EXPECT_EQ(CsmsCall(req).status, v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  Settle();
  const auto conf = Composite(1, 300);
  EXPECT_EQ(conf.status, v16::GetCompositeScheduleStatus::kAccepted);
  EXPECT_EQ(Periods(conf), (Strings{"0:10", "100:16"}));
  EXPECT_EQ(OfferedAmps(), 10) << "the profile is followed";
  Advance(Seconds(100));
  EXPECT_EQ(OfferedAmps(), 16);
  // It ends with its transaction.
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Settle();
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:32"}));
}

TEST_F(SmartCharging, tc060_remote_start_with_charging_profile_rejected) {
  StartStation();
  v16::RemoteStartTransactionReq req;
  req.connector_id = 1;
  req.id_tag = *codec::CiString<20>::From("TAG-0001");
  req.charging_profile =
      Profile(6, ChargingProfilePurposeType::kTxDefaultProfile, 0, 300, {{0, 6}});
  EXPECT_EQ(CsmsCall(req).status, v16::RemoteStartStopStatus::kRejected);
  Settle();
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
  EXPECT_EQ(LastStatus(1), "Available");
}

// A limit below 6 A offers nothing: SuspendedEVSE, PWM 100 %, no energy;
// Charging again when it rises, and the meter shows it (Current.Offered).
TEST_F(SmartCharging, limit_below_six_amps_suspends_and_resumes) {
  StartStation();
  Set("MeterValuesSampledData", "Energy.Active.Import.Register,Current.Offered,Power.Offered");
  Set("MeterValueSampleInterval", "60");
  StartCharging();
  EXPECT_EQ(SetProfile(0, Profile(7, ChargingProfilePurposeType::kTxDefaultProfile, 0, std::nullopt,
                                  {{0, 16}, {120, 0}, {240, 16}})),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(OfferedAmps(), 16);
  Advance(Seconds(60));
  ASSERT_TRUE(WaitForCall("MeterValues"));
  auto mv = LastPayload("MeterValues");
  const auto& values = mv["meterValue"][0]["sampledValue"];
  ASSERT_EQ(values.Size(), 3u);
  EXPECT_EQ(Str(values[1], "measurand"), "Current.Offered");
  EXPECT_EQ(Str(values[1], "value"), "16");
  EXPECT_EQ(Str(values[2], "measurand"), "Power.Offered");
  EXPECT_EQ(Str(values[2], "value"), "3680");  // 16 A x 230 V x 1 phase
  Advance(Seconds(60));
  ASSERT_TRUE(WaitForStatus(1, "SuspendedEVSE"));
  EXPECT_EQ(connector().pwm_duty_permille(), 1000);
  EXPECT_EQ(connector().ReadPowerActiveImportW(), 0);
  Advance(Seconds(120));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(OfferedAmps(), 16);
}

// Installed profiles are persisted: after a power cut the station boots
// with them (errata 3.37); the TxProfile ended with its transaction.
TEST_F(SmartCharging, profiles_survive_a_power_cut) {
  StartStation();
  const int tx = StartCharging();
  EXPECT_EQ(SetProfile(0, Profile(1, ChargingProfilePurposeType::kChargePointMaxProfile, 0,
                                  std::nullopt, {{0, 20}})),
            v16::ChargingProfileStatus::kAccepted);
  auto tx_profile = Profile(2, ChargingProfilePurposeType::kTxProfile, 0, std::nullopt, {{0, 8}});
  tx_profile.transaction_id = tx;
  EXPECT_EQ(SetProfile(1, tx_profile), v16::ChargingProfileStatus::kAccepted);
  PowerCut();
  StartStation();
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:20"}));
  EXPECT_EQ(Periods(Composite(0, 300)), (Strings{"0:20"})) << "the station as a whole";
}

// A Soft Reset keeps the profiles too; a TxProfile keeps applying while
// the station is offline (the limits are local).
TEST_F(SmartCharging, profiles_survive_a_reset_and_apply_offline) {
  StartStation();
  EXPECT_EQ(SetProfile(0, Profile(1, ChargingProfilePurposeType::kTxDefaultProfile, 0, std::nullopt,
                                  {{0, 16}})),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(CsmsCall(v16::ResetReq{v16::ResetType::kSoft}).status, v16::ResetStatus::kAccepted);
  Advance(Seconds(2));  // the station asks the hardware to reboot
  ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; })) << "no reboot";
  ASSERT_TRUE(WaitForCall("BootNotification", 2));
  Settle();
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:16"}));
  const int tx = StartCharging();
  auto tx_profile =
      Profile(2, ChargingProfilePurposeType::kTxProfile, 0, std::nullopt, {{0, 12}, {120, 8}});
  tx_profile.transaction_id = tx;
  EXPECT_EQ(SetProfile(1, tx_profile), v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(OfferedAmps(), 12);
  GoOffline();
  Advance(Seconds(120));
  EXPECT_EQ(OfferedAmps(), 8) << "the boundary is kept offline";
  ASSERT_TRUE(Restore());
}

// Bad input gets the precise answer and loses nothing installed before.
TEST_F(SmartCharging, bad_profiles_are_refused_and_nothing_is_lost) {
  StartStation();
  EXPECT_EQ(SetProfile(0, Profile(1, ChargingProfilePurposeType::kTxDefaultProfile, 0, std::nullopt,
                                  {{0, 16}})),
            v16::ChargingProfileStatus::kAccepted);
  EXPECT_EQ(
      SetProfile(0, Profile(2, ChargingProfilePurposeType::kTxDefaultProfile, 11, 300, {{0, 6}})),
      v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(
      SetProfile(0, Profile(3, ChargingProfilePurposeType::kTxDefaultProfile, 1, 300, {{10, 6}})),
      v16::ChargingProfileStatus::kRejected)
      << "the first period starts at 0 (errata 3.45)";
  std::optional<runtime::CallOutcome<v16::SetChargingProfileConf>> outcome;
  csms().Call(
      v16::SetChargingProfileReq{
          9, Profile(4, ChargingProfilePurposeType::kTxDefaultProfile, 0, 300, {{0, 6}})},
      [&](auto o) { outcome = std::move(o); });
  ASSERT_TRUE(WaitUntil([&] { return outcome.has_value(); }));
  ASSERT_TRUE(std::holds_alternative<runtime::CallFailure>(*outcome));
  EXPECT_EQ(std::get<runtime::CallFailure>(*outcome).code,
            codec::RpcErrorCode::kPropertyConstraintViolation);
  EXPECT_EQ(Periods(Composite(1, 300)), (Strings{"0:16"}));
}

}  // namespace
}  // namespace ocpp::conformance
