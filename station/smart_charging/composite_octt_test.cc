// The OCTT 1.6 Smart Charging cases (test case document FINAL 2024-04,
// section 2.22) replayed on the pure functions: the tool's memory states
// installed through InstallProfile, its requests validated, and its
// expected GetCompositeSchedule.conf periods checked. "x" is the time
// between the profiles' start and the GetCompositeSchedule.req.
#include <gtest/gtest.h>

#include "station/smart_charging/composite.h"
#include "station/smart_charging/profiles.h"
#include "station/smart_charging/test_profiles.h"

namespace ocpp::station::smart_charging {
namespace {

using namespace testing;  // NOLINT: builders
using v16::ChargingRateUnitType;

constexpr UnixSeconds kS = kNoon;  // the profiles' startSchedule / validFrom
const StationFacts kFacts;         // 230 V, 3 phases, 32 A, one connector
const SmartChargingLimits kLimits;

std::vector<InstalledProfile> Install(std::vector<InstalledProfile> profiles) {
  std::vector<InstalledProfile> set;
  for (const InstalledProfile& p : profiles) {
    InstallResult r = InstallProfile(set, p, kLimits, kS);
    EXPECT_TRUE(r.verdict.accepted()) << ToString(r.verdict.reason);
    set = r.profiles;
  }
  return set;
}

std::vector<CompositePeriod> Composite(const std::vector<InstalledProfile>& set,
                                       const std::vector<ActiveTransaction>& txs, UnixSeconds start,
                                       std::int32_t duration,
                                       ChargingRateUnitType unit = ChargingRateUnitType::kA) {
  auto schedule = ComputeCompositeSchedule(set, txs, kFacts, {1, start, duration, unit});
  EXPECT_TRUE(schedule.has_value());
  if (!schedule) return {};
  EXPECT_EQ(schedule->duration_s, duration);
  EXPECT_EQ(schedule->unit, unit);
  return schedule->periods;
}

// TC_066_CS Get Composite Schedule: ChargePointMaxProfile 10, TxDefaultProfile
// and TxProfile on the charging connector; the TxProfile overrules the
// TxDefaultProfile for the whole transaction, also after its own duration.
std::vector<InstalledProfile> Tc066(double scale) {
  auto max = MaxProfile(1).Absolute(kS).Duration(86400).Period(0, 10 * scale, 3);
  auto def = TxDefault(2).Absolute(kS).ValidFrom(kS).ValidTo(kS + 401).Duration(300);
  auto tx = TxProfile(3).Absolute(kS).ValidFrom(kS).ValidTo(kS + 401).Duration(260);
  const int def_starts[] = {0, 60, 120, 180, 260};
  const double def_limits[] = {6, 10, 8, 15, 8};
  const int tx_starts[] = {0, 50, 140, 200, 240};
  const double tx_limits[] = {8, 11, 16, 6, 12};
  for (int i = 0; i < 5; ++i) {
    def.Period(def_starts[i], def_limits[i] * scale, 3);
    tx.Period(tx_starts[i], tx_limits[i] * scale, 3);
  }
  if (scale > 1) {
    max.Watts();
    def.Watts();
    tx.Watts();
  }
  return Install({max, def, tx});
}

const std::vector<ActiveTransaction> kCharging = {{1, 1, kS - 60}};

TEST(OcttComposite, Tc066GetCompositeScheduleAmps) {
  for (int x : {0, 7}) {
    EXPECT_EQ(Composite(Tc066(1), kCharging, kS + x, 400),
              Periods({{0, 8}, {50 - x, 10}, {200 - x, 6}, {240 - x, 10}}))
        << "x=" << x;
  }
}

TEST(OcttComposite, Tc066GetCompositeScheduleWatts) {
  EXPECT_EQ(Composite(Tc066(1000), kCharging, kS + 7, 400, ChargingRateUnitType::kW),
            Periods({{0, 8000}, {43, 10000}, {193, 6000}, {233, 10000}}));
}

// TC_072_CS Stacking Charging Profiles: stack level 1 (150 s) over level 0 (400 s).
TEST(OcttComposite, Tc072Stacking) {
  auto set = Install({TxDefault(1)
                          .Stack(0)
                          .Absolute(kS)
                          .ValidFrom(kS)
                          .ValidTo(kS + 401)
                          .Duration(400)
                          .Period(0, 6, 3)
                          .Period(100, 8, 3)
                          .Period(200, 10, 3),
                      TxDefault(2)
                          .Stack(1)
                          .Absolute(kS)
                          .ValidFrom(kS)
                          .ValidTo(kS + 401)
                          .Duration(150)
                          .Period(0, 7, 3)
                          .Period(100, 9, 3)});
  for (int x : {0, 5}) {
    EXPECT_EQ(Composite(set, {}, kS + x, 350),
              Periods({{0, 7}, {100 - x, 9}, {150 - x, 8}, {200 - x, 10}}))
        << "x=" << x;
  }
}

// TC_067_CS Clear Charging Profile: clear by id, by purpose + stackLevel, all.
TEST(OcttComposite, Tc067ClearChargingProfile) {
  auto set = Install(
      {TxDefault(1).Stack(1).Absolute(kS).Duration(400).Period(0, 6, 3).Period(60, 8, 3).Period(
           200, 10, 3),
       TxDefault(2)
           .Stack(0)
           .Absolute(kS)
           .ValidFrom(kS)
           .ValidTo(kS + 401)
           .Duration(400)
           .Period(0, 7, 3)
           .Period(100, 9, 3),
       MaxProfile(3)
           .Absolute(kS)
           .ValidFrom(kS)
           .ValidTo(kS + 401)
           .Duration(86400)
           .Period(0, 11, 3)
           .Period(200, 12, 3)});
  const int x = 3;
  v16::ClearChargingProfileReq by_id;
  by_id.id = 1;
  ClearResult r = ClearProfiles(set, by_id);
  EXPECT_EQ(r.status, v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_EQ(Composite(r.profiles, {}, kS + x, 350), Periods({{0, 7}, {100 - x, 9}}));

  v16::ClearChargingProfileReq by_slot;
  by_slot.charging_profile_purpose = v16::ChargingProfilePurposeType::kTxDefaultProfile;
  by_slot.stack_level = 0;
  r = ClearProfiles(r.profiles, by_slot);
  EXPECT_EQ(r.status, v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_EQ(Composite(r.profiles, {}, kS + x, 350), Periods({{0, 11}, {200 - x, 12}}));

  r = ClearProfiles(r.profiles, v16::ClearChargingProfileReq{});
  EXPECT_EQ(r.status, v16::ClearChargingProfileStatus::kAccepted);
  EXPECT_TRUE(r.profiles.empty());
  // "startPeriod 0, limit <the local limit of the Charging Station>".
  EXPECT_EQ(Composite(r.profiles, {}, kS + x, 350), Periods({{0, 32}}));
}

v16::SetChargingProfileReq Request(std::int32_t connector, const InstalledProfile& p) {
  v16::SetChargingProfileReq req;
  req.connector_id = connector;
  req.cs_charging_profiles = p.profile;
  return req;
}

// TC_056_CS / TC_082_CS: a TxDefaultProfile (Absolute, no startSchedule:
// it starts when installed), limit 6 A or 6000 W, with or without a
// transaction running.
TEST(OcttComposite, Tc056AndTc082TxDefaultProfile) {
  for (bool watts : {false, true}) {
    for (const auto& txs : {std::vector<ActiveTransaction>{}, kCharging}) {
      auto profile = TxDefault(1).Stack(0).Duration(300).Period(0, watts ? 6000 : 6, 3).Build();
      profile.profile.charging_profile_kind = v16::ChargingProfileKindType::kAbsolute;
      if (watts) profile.profile.charging_schedule.charging_rate_unit = ChargingRateUnitType::kW;
      const Verdict v = ValidateSetChargingProfile(Request(1, profile), kLimits, kFacts, txs);
      ASSERT_TRUE(v.accepted()) << ToString(v.reason);
      auto set = Install({profile});
      const auto unit = watts ? ChargingRateUnitType::kW : ChargingRateUnitType::kA;
      EXPECT_EQ(Composite(set, txs, kS, 300, unit), Periods({{0, watts ? 6000.0 : 6.0}}));
      // Asked 10 s later, the profile's end shows as a return to the local limit.
      EXPECT_EQ(Composite(set, txs, kS + 10, 300, unit),
                Periods({{0, watts ? 6000.0 : 6.0}, {290, watts ? 22080.0 : 32.0}}));
    }
  }
}

// TC_057_CS: a TxProfile for the running transaction.
TEST(OcttComposite, Tc057TxProfile) {
  auto profile = TxProfile(5).Transaction(1).Stack(0).Absolute(kS).Duration(300).Period(0, 6, 3);
  ASSERT_TRUE(
      ValidateSetChargingProfile(Request(1, profile), kLimits, kFacts, kCharging).accepted());
  EXPECT_EQ(Composite(Install({profile}), kCharging, kS, 300), Periods({{0, 6}}));
}

// TC_058_1_CS / TC_058_2_CS: TxProfile without a transaction, or for another one.
TEST(OcttComposite, Tc058TxProfileRejected) {
  auto profile = TxProfile(5).Transaction(1).Absolute(kS).Period(0, 6);
  Verdict v = ValidateSetChargingProfile(Request(1, profile), kLimits, kFacts, {});
  EXPECT_EQ(v.status, v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(v.reason, Rejection::kNoTransaction);
  EXPECT_FALSE(v.call_error);
  auto other = TxProfile(5).Transaction(2).Absolute(kS).Period(0, 6);
  v = ValidateSetChargingProfile(Request(1, other), kLimits, kFacts, kCharging);
  EXPECT_EQ(v.status, v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(v.reason, Rejection::kWrongTransaction);
}

// TC_059_CS: RemoteStartTransaction with a TxProfile (no transactionId); it
// applies once the transaction runs, whatever id the CSMS then assigns.
TEST(OcttComposite, Tc059RemoteStartWithChargingProfile) {
  auto profile = TxProfile(9).Relative().Duration(600).Period(0, 10, 3).Period(300, 16, 3);
  ASSERT_TRUE(ValidateRemoteStartProfile(profile.Build().profile, kLimits).accepted());
  auto set = Install({profile});
  const std::vector<ActiveTransaction> started = {{1, 77, kS}};
  EXPECT_EQ(Composite(set, started, kS + 20, 900), Periods({{0, 10}, {280, 16}, {580, 32}}));
  // Before StartTransaction.conf the id is unknown: the profile applies too.
  const std::vector<ActiveTransaction> offline = {{1, std::nullopt, kS}};
  EXPECT_EQ(Composite(set, offline, kS + 20, 100), Periods({{0, 10}}));
}

// TC_060_CS: a RemoteStartTransaction profile that is not a TxProfile.
TEST(OcttComposite, Tc060RemoteStartWithoutTxProfileRejected) {
  auto profile = TxDefault(9).Relative().Period(0, 10);
  EXPECT_EQ(ValidateRemoteStartProfile(profile.Build().profile, kLimits).reason,
            Rejection::kNotTxProfile);
  auto with_id = TxProfile(9).Transaction(3).Relative().Period(0, 10);
  EXPECT_EQ(ValidateRemoteStartProfile(with_id.Build().profile, kLimits).reason,
            Rejection::kTransactionIdInRemoteStart);
}

// The conf the station sends for TC_066 (W).
TEST(OcttComposite, Tc066Conf) {
  auto schedule = ComputeCompositeSchedule(Tc066(1000), kCharging, kFacts,
                                           {1, kS + 7, 400, ChargingRateUnitType::kW});
  const v16::GetCompositeScheduleConf conf = ToGetCompositeScheduleConf(schedule);
  EXPECT_EQ(conf.status, v16::GetCompositeScheduleStatus::kAccepted);
  EXPECT_EQ(conf.connector_id, 1);
  EXPECT_EQ(conf.schedule_start, ToDateTime(kS + 7));
  ASSERT_TRUE(conf.charging_schedule);
  EXPECT_EQ(conf.charging_schedule->duration, 400);
  EXPECT_FALSE(conf.charging_schedule->start_schedule);  // errata 3.57
  EXPECT_EQ(conf.charging_schedule->charging_rate_unit, ChargingRateUnitType::kW);
  ASSERT_EQ(conf.charging_schedule->charging_schedule_period.size(), 4u);
  EXPECT_EQ(conf.charging_schedule->charging_schedule_period[2].start_period, 193);
  EXPECT_EQ(conf.charging_schedule->charging_schedule_period[2].limit.ToString(), "6000");
  EXPECT_TRUE(ToGetCompositeScheduleConf(schedule, true).charging_schedule->start_schedule);
  const auto rejected = ToGetCompositeScheduleConf(std::nullopt);
  EXPECT_EQ(rejected.status, v16::GetCompositeScheduleStatus::kRejected);
  EXPECT_FALSE(rejected.charging_schedule);
}

}  // namespace
}  // namespace ocpp::station::smart_charging
