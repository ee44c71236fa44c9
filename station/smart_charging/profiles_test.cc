#include "station/smart_charging/profiles.h"

#include <gtest/gtest.h>

#include "station/smart_charging/test_profiles.h"

namespace ocpp::station::smart_charging {
namespace {

using namespace testing;  // NOLINT: builders
using v16::ChargingProfilePurposeType;

const StationFacts kFacts;  // one connector
const SmartChargingLimits kLimits;
const std::vector<ActiveTransaction> kCharging = {{1, 7, kNoon}};

v16::SetChargingProfileReq Request(std::int32_t connector, const InstalledProfile& p) {
  v16::SetChargingProfileReq req;
  req.connector_id = connector;
  req.cs_charging_profiles = p.profile;
  return req;
}

TEST(ValidateSetChargingProfile, Table) {
  const InstalledProfile good = TxDefault(1).Absolute(kNoon).Period(0, 16).Period(60, 10);
  auto edit = [&](auto change) {
    InstalledProfile p = good;
    change(p.profile);
    return p;
  };
  SmartChargingLimits amps_only = kLimits;
  amps_only.allow_power = false;
  struct Row {
    const char* what;
    std::int32_t connector;
    InstalledProfile profile;
    std::vector<ActiveTransaction> transactions;
    Rejection expected;
    SmartChargingLimits limits = kLimits;
  };
  using v16::ChargingProfile;
  const Row rows[] = {
      {"TxDefault on connector 1", 1, good, {}, Rejection::kNone},
      {"TxDefault on connector 0", 0, good, {}, Rejection::kNone},
      {"unknown connector", 2, good, {}, Rejection::kUnknownConnector},
      {"negative connector", -1, good, {}, Rejection::kUnknownConnector},
      {"CPMax on connector 0",
       0,
       MaxProfile(1).Absolute(kNoon).Period(0, 32),
       {},
       Rejection::kNone},
      {"CPMax on connector 1",
       1,
       MaxProfile(1).Absolute(kNoon).Period(0, 32),
       {},
       Rejection::kMaxProfileNotOnConnector0},
      {"TxProfile on connector 0", 0, TxProfile(1).Relative().Period(0, 6), kCharging,
       Rejection::kTxProfileOnConnector0},
      {"TxProfile without transaction",
       1,
       TxProfile(1).Relative().Period(0, 6),
       {},
       Rejection::kNoTransaction},
      {"TxProfile, no transactionId", 1, TxProfile(1).Relative().Period(0, 6), kCharging,
       Rejection::kNone},
      {"TxProfile, its transactionId", 1, TxProfile(1).Transaction(7).Relative().Period(0, 6),
       kCharging, Rejection::kNone},
      {"TxProfile, other transactionId", 1, TxProfile(1).Transaction(8).Relative().Period(0, 6),
       kCharging, Rejection::kWrongTransaction},
      {"TxProfile, transaction id not known yet",
       1,
       TxProfile(1).Transaction(7).Relative().Period(0, 6),
       {{1, std::nullopt, kNoon}},
       Rejection::kWrongTransaction},
      {"transactionId on TxDefault", 1, edit([](ChargingProfile& p) { p.transaction_id = 7; }),
       kCharging, Rejection::kTransactionIdNotTxProfile},
      {"stack level 10",
       1,
       edit([](ChargingProfile& p) { p.stack_level = 10; }),
       {},
       Rejection::kNone},
      {"stack level 11",
       1,
       edit([](ChargingProfile& p) { p.stack_level = 11; }),
       {},
       Rejection::kStackLevel},
      {"stack level -1",
       1,
       edit([](ChargingProfile& p) { p.stack_level = -1; }),
       {},
       Rejection::kStackLevel},
      {"Recurring without startSchedule",
       1,
       edit([](ChargingProfile& p) {
         p.charging_profile_kind = v16::ChargingProfileKindType::kRecurring;
         p.recurrency_kind = v16::RecurrencyKindType::kDaily;
         p.charging_schedule.start_schedule.reset();
       }),
       {},
       Rejection::kRecurringWithoutStart},
      {"Recurring without recurrencyKind",
       1,
       edit([](ChargingProfile& p) {
         p.charging_profile_kind = v16::ChargingProfileKindType::kRecurring;
       }),
       {},
       Rejection::kRecurringWithoutKind},
      {"Recurring, complete", 1, TxDefault(1).Weekly(kNoon).Period(0, 6), {}, Rejection::kNone},
      {"Relative with startSchedule: ignored",
       1,
       edit([](ChargingProfile& p) {
         p.charging_profile_kind = v16::ChargingProfileKindType::kRelative;
       }),
       {},
       Rejection::kNone},
      {"recurrencyKind on Absolute: ignored",
       1,
       edit([](ChargingProfile& p) { p.recurrency_kind = v16::RecurrencyKindType::kDaily; }),
       {},
       Rejection::kNone},
      {"Absolute without startSchedule",
       1,
       edit([](ChargingProfile& p) { p.charging_schedule.start_schedule.reset(); }),
       {},
       Rejection::kNone},
      {"validTo == validFrom",
       1,
       edit([](ChargingProfile& p) {
         p.valid_from = ToDateTime(kNoon);
         p.valid_to = ToDateTime(kNoon);
       }),
       {},
       Rejection::kValidity},
      {"negative duration",
       1,
       edit([](ChargingProfile& p) { p.charging_schedule.duration = -1; }),
       {},
       Rejection::kDuration},
      {"no periods",
       1,
       edit([](ChargingProfile& p) { p.charging_schedule.charging_schedule_period.clear(); }),
       {},
       Rejection::kNoPeriods},
      {"first period not 0",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.charging_schedule_period[0].start_period = 5;
       }),
       {},
       Rejection::kFirstPeriodNotZero},
      {"periods not ascending",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.charging_schedule_period[1].start_period = 0;
       }),
       {},
       Rejection::kPeriodsNotAscending},
      {"negative limit",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.charging_schedule_period[1].limit = codec::Decimal::FromTenths(-1);
       }),
       {},
       Rejection::kNegativeLimit},
      {"limit 0 pauses",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.charging_schedule_period[1].limit = codec::Decimal();
       }),
       {},
       Rejection::kNone},
      {"negative minChargingRate",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.min_charging_rate = codec::Decimal::FromTenths(-1);
       }),
       {},
       Rejection::kNegativeLimit},
      {"numberPhases 4",
       1,
       edit([](ChargingProfile& p) {
         p.charging_schedule.charging_schedule_period[0].number_phases = 4;
       }),
       {},
       Rejection::kNumberPhases},
      {"W not allowed",
       1,
       TxDefault(1).Watts().Absolute(kNoon).Period(0, 6000),
       {},
       Rejection::kUnitNotAllowed,
       amps_only},
  };
  for (const Row& row : rows) {
    const Verdict v = ValidateSetChargingProfile(Request(row.connector, row.profile), row.limits,
                                                 kFacts, row.transactions);
    EXPECT_EQ(v.reason, row.expected) << row.what << ": " << ToString(v.reason);
    EXPECT_EQ(v.accepted(), row.expected == Rejection::kNone) << row.what;
    EXPECT_EQ(v.call_error, row.expected == Rejection::kUnknownConnector) << row.what;
  }
}

TEST(ValidateSetChargingProfile, ChargingScheduleMaxPeriods) {
  auto b = TxDefault(1).Absolute(kNoon);
  for (int i = 0; i < 48; ++i) b.Period(i * 60, 10);
  EXPECT_TRUE(ValidateSetChargingProfile(Request(1, b), kLimits, kFacts, {}).accepted());
  b.Period(48 * 60, 10);
  EXPECT_EQ(ValidateSetChargingProfile(Request(1, b), kLimits, kFacts, {}).reason,
            Rejection::kTooManyPeriods);
}

std::vector<std::int64_t> Ids(const std::vector<InstalledProfile>& set) {
  std::vector<std::int64_t> ids;
  for (const auto& p : set) ids.push_back(p.profile.charging_profile_id);
  return ids;
}

TEST(InstallProfile, ReplacesSameIdAndSameSlot) {
  std::vector<InstalledProfile> set;
  for (const InstalledProfile& p :
       {TxDefault(1).Stack(0).Absolute(kNoon).Period(0, 6).Build(),
        TxDefault(2).Stack(1).Absolute(kNoon).Period(0, 6).Build(),
        TxDefault(3).Stack(1).Connector(0).Absolute(kNoon).Period(0, 6).Build(),
        MaxProfile(4).Stack(1).Absolute(kNoon).Period(0, 6).Build()}) {
    set = InstallProfile(set, p, kLimits, kNoon).profiles;
  }
  EXPECT_EQ(Ids(set), (std::vector<std::int64_t>{1, 2, 3, 4}));
  // Same id, other slot: the old one goes.
  InstallResult r =
      InstallProfile(set, TxDefault(1).Stack(5).Absolute(kNoon).Period(0, 8), kLimits, kNoon);
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{2, 3, 4, 1}));
  EXPECT_EQ(r.replaced_ids, (std::vector<std::int64_t>{1}));
  // Same purpose + stack level + connector, new id: replaced; connector 0's stays.
  r = InstallProfile(set, TxDefault(9).Stack(1).Absolute(kNoon).Period(0, 8), kLimits, kNoon);
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{1, 3, 4, 9}));
  EXPECT_EQ(r.replaced_ids, (std::vector<std::int64_t>{2}));
  // Both at once.
  r = InstallProfile(set, TxDefault(1).Stack(1).Absolute(kNoon).Period(0, 8), kLimits, kNoon);
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{3, 4, 1}));
  EXPECT_EQ(r.replaced_ids, (std::vector<std::int64_t>{1, 2}));
}

TEST(InstallProfile, RemoteStartTxProfileIsReplacedByTheSameStackLevel) {
  // Errata 3.42: the RemoteStart profile (no transactionId) is replaced by a
  // SetChargingProfile for the transaction at the same stack level.
  auto set =
      InstallProfile({}, TxProfile(1).Stack(2).Relative().Period(0, 6), kLimits, kNoon).profiles;
  auto r = InstallProfile(set, TxProfile(2).Transaction(7).Stack(2).Relative().Period(0, 8),
                          kLimits, kNoon);
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{2}));
  r = InstallProfile(set, TxProfile(3).Transaction(7).Stack(3).Relative().Period(0, 8), kLimits,
                     kNoon);
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{1, 3}));
}

TEST(InstallProfile, MaxChargingProfilesInstalled) {
  SmartChargingLimits two = kLimits;
  two.max_installed = 2;
  std::vector<InstalledProfile> set;
  set = InstallProfile(set, TxDefault(1).Stack(0).Relative().Period(0, 6), two, kNoon).profiles;
  set = InstallProfile(set, TxDefault(2).Stack(1).Relative().Period(0, 6), two, kNoon).profiles;
  InstallResult r = InstallProfile(set, TxDefault(3).Stack(2).Relative().Period(0, 6), two, kNoon);
  EXPECT_EQ(r.verdict.reason, Rejection::kTooManyProfiles);
  EXPECT_EQ(r.verdict.status, v16::ChargingProfileStatus::kRejected);
  EXPECT_EQ(r.profiles, set);
  // A replacement does not count twice.
  r = InstallProfile(set, TxDefault(3).Stack(1).Relative().Period(0, 6), two, kNoon);
  EXPECT_TRUE(r.verdict.accepted());
  EXPECT_EQ(Ids(r.profiles), (std::vector<std::int64_t>{1, 3}));
}

TEST(InstallProfile, AbsoluteWithoutStartScheduleStartsWhenInstalled) {
  InstalledProfile p = TxDefault(1).Absolute(kNoon).Period(0, 6);
  p.profile.charging_schedule.start_schedule.reset();
  auto r = InstallProfile({}, p, kLimits, kNoon + 42);
  ASSERT_EQ(r.profiles.size(), 1u);
  EXPECT_EQ(r.profiles[0].profile.charging_schedule.start_schedule, ToDateTime(kNoon + 42));
  // Relative profiles keep no startSchedule.
  r = InstallProfile({}, TxDefault(1).Relative().Period(0, 6), kLimits, kNoon);
  EXPECT_FALSE(r.profiles[0].profile.charging_schedule.start_schedule);
}

std::vector<InstalledProfile> ClearSet() {
  return {TxDefault(1).Connector(1).Stack(0).Relative().Period(0, 6),
          TxDefault(2).Connector(0).Stack(0).Relative().Period(0, 6),
          TxDefault(3).Connector(1).Stack(1).Relative().Period(0, 6),
          MaxProfile(4).Stack(0).Relative().Period(0, 6),
          TxProfile(5).Connector(1).Stack(0).Relative().Period(0, 6)};
}

TEST(ClearProfiles, MatchingPerSection55AndErrata) {
  struct Row {
    const char* what;
    v16::ClearChargingProfileReq request;
    std::vector<std::int64_t> cleared;
  };
  auto req = [](std::optional<std::int32_t> id, std::optional<std::int32_t> connector,
                std::optional<ChargingProfilePurposeType> purpose,
                std::optional<std::int32_t> stack) {
    v16::ClearChargingProfileReq r;
    r.id = id;
    r.connector_id = connector;
    r.charging_profile_purpose = purpose;
    r.stack_level = stack;
    return r;
  };
  const auto kDefault = ChargingProfilePurposeType::kTxDefaultProfile;
  const Row rows[] = {
      {"no field: all", req({}, {}, {}, {}), {1, 2, 3, 4, 5}},
      {"id", req(3, {}, {}, {}), {3}},
      {"id ignores the other fields", req(3, 0, ChargingProfilePurposeType::kTxProfile, 7), {3}},
      {"unknown id", req(99, {}, {}, {}), {}},
      {"connector 1", req({}, 1, {}, {}), {1, 3, 5}},
      {"connector 0", req({}, 0, {}, {}), {2, 4}},
      {"purpose", req({}, {}, kDefault, {}), {1, 2, 3}},
      {"purpose + stack level", req({}, {}, kDefault, 0), {1, 2}},
      {"connector + purpose + stack level", req({}, 1, kDefault, 0), {1}},
      {"stack level", req({}, {}, {}, 1), {3}},
      {"nothing matches", req({}, 0, ChargingProfilePurposeType::kTxProfile, {}), {}},
  };
  for (const Row& row : rows) {
    const ClearResult r = ClearProfiles(ClearSet(), row.request);
    EXPECT_EQ(r.cleared_ids, row.cleared) << row.what;
    EXPECT_EQ(r.profiles.size() + r.cleared_ids.size(), 5u) << row.what;
    EXPECT_EQ(r.status, row.cleared.empty() ? v16::ClearChargingProfileStatus::kUnknown
                                            : v16::ClearChargingProfileStatus::kAccepted)
        << row.what;
  }
  EXPECT_EQ(ClearProfiles({}, req({}, {}, {}, {})).status,
            v16::ClearChargingProfileStatus::kUnknown);
}

TEST(RemoveTxProfiles, OnlyThatConnectorsTxProfiles) {
  std::vector<InstalledProfile> set = ClearSet();
  set.push_back(TxProfile(6).Connector(2).Relative().Period(0, 6));
  EXPECT_EQ(Ids(RemoveTxProfiles(set, 1)), (std::vector<std::int64_t>{1, 2, 3, 4, 6}));
}

TEST(Rejection, EveryReasonHasText) {
  for (int i = 0; i <= static_cast<int>(Rejection::kTooManyProfiles); ++i) {
    EXPECT_NE(ToString(static_cast<Rejection>(i)), "?");
  }
}

}  // namespace
}  // namespace ocpp::station::smart_charging
