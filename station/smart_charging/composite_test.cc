#include "station/smart_charging/composite.h"

#include <gtest/gtest.h>

#include "station/smart_charging/test_profiles.h"

namespace ocpp::station::smart_charging {
namespace {

using namespace testing;  // NOLINT: builders
using v16::ChargingRateUnitType;

const StationFacts kFacts;  // 230 V, 3 phases, 32 A, one connector

std::vector<CompositePeriod> Composite(const std::vector<InstalledProfile>& set,
                                       const std::vector<ActiveTransaction>& txs,
                                       std::int32_t connector, UnixSeconds start,
                                       std::int32_t duration,
                                       ChargingRateUnitType unit = ChargingRateUnitType::kA,
                                       const StationFacts& facts = kFacts) {
  auto schedule = ComputeCompositeSchedule(set, txs, facts, {connector, start, duration, unit});
  EXPECT_TRUE(schedule.has_value());
  return schedule ? schedule->periods : std::vector<CompositePeriod>{};
}

TEST(Composite, NoProfileIsTheLocalLimit) {
  EXPECT_EQ(Composite({}, {}, 1, kNoon, 3600), Periods({{0, 32}}));
  EXPECT_EQ(Composite({}, {}, 1, kNoon, 3600, ChargingRateUnitType::kW), Periods({{0, 22080}}));
}

TEST(Composite, StackingHigherLevelWinsWhereItCoversLowerShowsThroughGaps) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Stack(0).Absolute(kNoon).Period(0, 16),
      // Level 2 covers 600..1200 only (validity window), level 1 covers 0..300.
      TxDefault(2)
          .Stack(2)
          .Absolute(kNoon)
          .ValidFrom(kNoon + 600)
          .ValidTo(kNoon + 1200)
          .Period(0, 10),
      TxDefault(3).Stack(1).Absolute(kNoon).Duration(300).Period(0, 20).Period(100, 8),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 3600),
            Periods({{0, 20}, {100, 8}, {300, 16}, {600, 10}, {1200, 16}}));
}

TEST(Composite, HighestStackWithoutDurationNeverFallsBack) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Stack(0).Absolute(kNoon).Period(0, 6),
      TxDefault(2).Stack(5).Absolute(kNoon).Period(0, 16),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 86400), Periods({{0, 16}}));
}

TEST(Composite, GapWithoutAnyProfileIsTheLocalLimit) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon + 100).Duration(100).Period(0, 6),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 400), Periods({{0, 32}, {100, 6}, {200, 32}}));
}

TEST(Composite, PeriodsBeyondDurationAreNotExecuted) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon).Duration(150).Period(0, 6).Period(100, 7).Period(200, 8),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 400), Periods({{0, 6}, {100, 7}, {150, 32}}));
}

TEST(Composite, AdjacentPeriodsWithTheSameLimitAreMerged) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon).Period(0, 6).Period(100, 6).Period(200, 40),
      MaxProfile(2).Absolute(kNoon).Period(0, 20).Period(250, 32),
  };
  // 200..250: min(40, 20, 32) = 20; 250..: min(40, 32, 32) = 32.
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 400), Periods({{0, 6}, {200, 20}, {250, 32}}));
}

TEST(Composite, DailyRecurringAcrossMidnight) {
  // 22:00 - 06:00 every day at 10 A, nothing else (duration 8 h).
  std::vector<InstalledProfile> set = {
      TxDefault(1)
          .Daily(kMidnight + 22 * 3600)
          .Duration(8 * 3600)
          .Period(0, 10)
          .Period(4 * 3600, 12),
  };
  // From 2026-01-01 20:00 for 36 h.
  EXPECT_EQ(Composite(set, {}, 1, kMidnight + 20 * 3600, 36 * 3600), Periods({{0, 32},
                                                                              {2 * 3600, 10},
                                                                              {6 * 3600, 12},
                                                                              {10 * 3600, 32},
                                                                              {26 * 3600, 10},
                                                                              {30 * 3600, 12},
                                                                              {34 * 3600, 32}}));
}

TEST(Composite, DailyRecurringLongerThanADayIsCutAtTheRecurrence) {
  // Errata 3.43/3.44: duration and periods beyond 24 h are not executed.
  std::vector<InstalledProfile> set = {
      TxDefault(1)
          .Daily(kMidnight)
          .Duration(2 * 86400)
          .Period(0, 10)
          .Period(20 * 3600, 12)
          .Period(30 * 3600, 6),
  };
  EXPECT_EQ(Composite(set, {}, 1, kMidnight + 19 * 3600, 10 * 3600),
            Periods({{0, 10}, {3600, 12}, {5 * 3600, 10}}));
}

TEST(Composite, RecurringDoesNotActBeforeItsStartSchedule) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Daily(kMidnight + 86400).Duration(3600).Period(0, 10),
  };
  EXPECT_EQ(Composite(set, {}, 1, kMidnight, 2 * 86400),
            Periods({{0, 32}, {86400, 10}, {86400 + 3600, 32}}));
}

TEST(Composite, WeeklyRecurringAcrossTheWeekBoundary) {
  // Weekly from Sunday 2026-01-04 20:00 for 10 h: Sun 20:00 -> Mon 06:00.
  const UnixSeconds sunday = kMidnight + 3 * 86400;
  std::vector<InstalledProfile> set = {
      TxDefault(1).Weekly(sunday + 20 * 3600).Duration(10 * 3600).Period(0, 8),
  };
  // Asked on the next Sunday 18:00 for 14 h.
  const UnixSeconds next_sunday = sunday + 7 * 86400;
  EXPECT_EQ(Composite(set, {}, 1, next_sunday + 18 * 3600, 14 * 3600),
            Periods({{0, 32}, {2 * 3600, 8}, {12 * 3600, 32}}));
  // And inside an occurrence that started a week earlier than the window.
  EXPECT_EQ(Composite(set, {}, 1, next_sunday + 86400 + 5 * 3600, 7200),
            Periods({{0, 8}, {3600, 32}}));
}

TEST(Composite, RelativeCountsFromTransactionStart) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Relative().Duration(3600).Period(0, 6).Period(1800, 16),
  };
  const std::vector<ActiveTransaction> txs = {{1, 42, kNoon - 600}};
  EXPECT_EQ(Composite(set, txs, 1, kNoon, 7200), Periods({{0, 6}, {1200, 16}, {3000, 32}}));
  // Without a transaction: as if one started at the request.
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 7200), Periods({{0, 6}, {1800, 16}, {3600, 32}}));
}

TEST(Composite, ValidityWindowsCutProfiles) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon - 86400).ValidFrom(kNoon + 60).ValidTo(kNoon + 120).Period(0, 6),
      TxDefault(2).Stack(1).Absolute(kNoon).ValidTo(kNoon).Period(0, 1),  // already over
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 300), Periods({{0, 32}, {60, 6}, {120, 32}}));
}

TEST(Composite, WattsToAmpsWithNumberPhases) {
  // 11040 W on 3 phases = 16 A; 3680 W on 1 phase = 16 A; 6900 W without
  // numberPhases = 3 phases = 10 A.
  std::vector<InstalledProfile> set = {
      TxDefault(1)
          .Watts()
          .Absolute(kNoon)
          .Period(0, 11040, 3)
          .Period(100, 3680, 1)
          .Period(200, 6900),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 300),
            std::vector<CompositePeriod>({{0, Dec(16), 3}, {100, Dec(16), 1}, {200, Dec(10), 3}}));
  EXPECT_EQ(
      Composite(set, {}, 1, kNoon, 300, ChargingRateUnitType::kW),
      std::vector<CompositePeriod>({{0, Dec(11040), 3}, {100, Dec(3680), 1}, {200, Dec(6900), 3}}));
}

TEST(Composite, SinglePhaseStationCapsNumberPhases) {
  StationFacts one_phase;
  one_phase.phases = 1;
  // Errata 3.34: 16 A "on 3 phases" is 16 A on the one phase; 7360 W is
  // 7360 W on one phase (32 A), not recomputed for 3.
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon).Period(0, 16, 3),
      MaxProfile(2).Watts().Absolute(kNoon).Period(0, 7360, 3),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 60, ChargingRateUnitType::kA, one_phase),
            std::vector<CompositePeriod>({{0, Dec(16), 1}}));
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 60, ChargingRateUnitType::kW, one_phase),
            std::vector<CompositePeriod>({{0, Dec(3680), 1}}));
}

TEST(Composite, MixedUnitsTakeTheMinimumPerPhase) {
  // CPMax 10 A on 3 phases, TxProfile 16 A on 1 phase: 10 A on 1 phase = 2300 W.
  std::vector<InstalledProfile> set = {
      MaxProfile(1).Absolute(kNoon).Period(0, 10, 3),
      TxProfile(2).Absolute(kNoon).Period(0, 16, 1),
  };
  const std::vector<ActiveTransaction> txs = {{1, 7, kNoon}};
  EXPECT_EQ(Composite(set, txs, 1, kNoon, 60, ChargingRateUnitType::kW),
            std::vector<CompositePeriod>({{0, Dec(2300), 1}}));
}

TEST(Composite, WattsRoundDownToOneDecimal) {
  std::vector<InstalledProfile> set = {TxDefault(1).Watts().Absolute(kNoon).Period(0, 10000)};
  // 10000 / 690 = 14.4927... A, reported as 14.4 (never above the limit).
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 60), Periods({{0, 14.4}}));
}

TEST(Composite, BelowMinChargingRateIsZero) {
  std::vector<InstalledProfile> set = {
      TxProfile(1).Absolute(kNoon).MinRate(8).Period(0, 16).Period(100, 6).Period(200, 10),
      MaxProfile(2).Absolute(kNoon).Period(0, 32).Period(250, 7),
  };
  const std::vector<ActiveTransaction> txs = {{1, 7, kNoon}};
  EXPECT_EQ(Composite(set, txs, 1, kNoon, 300), Periods({{0, 16}, {100, 0}, {200, 10}, {250, 0}}));
}

TEST(Composite, TxProfileOverrulesTxDefaultOnlyForItsTransaction) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon).Period(0, 6),
      TxProfile(2).Transaction(7).Absolute(kNoon).Duration(100).Period(0, 20),
  };
  const std::vector<ActiveTransaction> tx7 = {{1, 7, kNoon}};
  const std::vector<ActiveTransaction> tx8 = {{1, 8, kNoon}};
  // After the TxProfile's duration the TxDefaultProfile does not come back
  // (3.13.1 "in case no profile of purpose TxProfile is provided"; OCTT TC_066).
  EXPECT_EQ(Composite(set, tx7, 1, kNoon, 200), Periods({{0, 20}, {100, 32}}));
  EXPECT_EQ(Composite(set, tx8, 1, kNoon, 200), Periods({{0, 6}}));
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 200), Periods({{0, 6}}));
}

TEST(Composite, ConnectorTxDefaultReplacesConnectorZerosAtItsStackLevel) {
  StationFacts two;
  two.number_of_connectors = 2;
  std::vector<InstalledProfile> set = {
      TxDefault(1).Connector(0).Stack(0).Absolute(kNoon).Period(0, 6),
      TxDefault(2).Connector(0).Stack(3).Absolute(kNoon + 100).Duration(100).Period(0, 4),
      TxDefault(3).Connector(2).Stack(0).Absolute(kNoon).Period(0, 20),
  };
  EXPECT_EQ(Composite(set, {}, 1, kNoon, 300, ChargingRateUnitType::kA, two),
            Periods({{0, 6}, {100, 4}, {200, 6}}));
  EXPECT_EQ(Composite(set, {}, 2, kNoon, 300, ChargingRateUnitType::kA, two),
            Periods({{0, 20}, {100, 4}, {200, 20}}));
}

TEST(Composite, ConnectorZeroIsWhatTheStationMayDraw) {
  StationFacts two;
  two.number_of_connectors = 2;
  std::vector<InstalledProfile> set = {
      MaxProfile(1).Absolute(kNoon).Period(0, 40).Period(100, 50),
      TxProfile(2).Connector(1).Absolute(kNoon).Period(0, 10),
      TxDefault(3).Connector(2).Absolute(kNoon).Period(0, 16).Period(200, 6).MinRate(8),
  };
  const std::vector<ActiveTransaction> txs = {{1, 7, kNoon}};
  // min(CPMax, 10 + 16) = 26; from 200 connector 2 is below its minimum: 10.
  EXPECT_EQ(Composite(set, txs, 0, kNoon, 300, ChargingRateUnitType::kA, two),
            Periods({{0, 26}, {200, 10}}));
  // Without Tx limits: two connectors at 32 A, capped by CPMax 40 / 50.
  EXPECT_EQ(Composite({set[0]}, {}, 0, kNoon, 300, ChargingRateUnitType::kA, two),
            Periods({{0, 40}, {100, 50}}));
}

TEST(Composite, UnknownConnectorOrNegativeDurationIsRejected) {
  EXPECT_FALSE(ComputeCompositeSchedule({}, {}, kFacts, {2, kNoon, 60}));
  EXPECT_FALSE(ComputeCompositeSchedule({}, {}, kFacts, {-1, kNoon, 60}));
  EXPECT_FALSE(ComputeCompositeSchedule({}, {}, kFacts, {1, kNoon, -1}));
  auto zero = ComputeCompositeSchedule({}, {}, kFacts, {1, kNoon, 0});
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->periods, Periods({{0, 32}}));
}

TEST(Composite, LimitAtAndNextChangeAgreeWithTheSchedule) {
  std::vector<InstalledProfile> set = {
      MaxProfile(1).Daily(kMidnight).Period(0, 20).Period(8 * 3600, 10).Period(20 * 3600, 20),
      TxProfile(2).Relative().Duration(7200).Period(0, 16).Period(3600, 32),
  };
  const std::vector<ActiveTransaction> txs = {{1, 7, kMidnight + 7 * 3600}};
  const UnixSeconds t = kMidnight + 7 * 3600 + 60;
  EXPECT_DOUBLE_EQ(LimitAmpsAt(set, txs, kFacts, 1, t), 16);
  EXPECT_EQ(NextChangeAfter(set, txs, kFacts, 1, t), kMidnight + 8 * 3600);
  EXPECT_DOUBLE_EQ(LimitAmpsAt(set, txs, kFacts, 1, kMidnight + 8 * 3600), 10);
  EXPECT_DOUBLE_EQ(LimitAmpsAt(set, txs, kFacts, 1, kMidnight + 8 * 3600 - 1), 16);
  // 08:00 -> 10 A until 20:00 (the TxProfile's 32 A at 08:00 is capped).
  EXPECT_EQ(NextChangeAfter(set, txs, kFacts, 1, kMidnight + 8 * 3600), kMidnight + 20 * 3600);
  // 20:00 -> 20 A until the next day's 08:00, across midnight.
  EXPECT_EQ(NextChangeAfter(set, txs, kFacts, 1, kMidnight + 20 * 3600),
            kMidnight + 86400 + 8 * 3600);
  const LimitInForce limit = LimitAt(set, txs, kFacts, 1, t);
  EXPECT_EQ(limit.phases, 3);
}

TEST(Composite, NextChangeFindsAFarValidFromAndNothingWhenConstant) {
  std::vector<InstalledProfile> set = {
      TxDefault(1).Absolute(kNoon).ValidFrom(kNoon + 30 * 86400).Period(0, 6),
  };
  EXPECT_EQ(NextChangeAfter(set, {}, kFacts, 1, kNoon), kNoon + 30 * 86400);
  EXPECT_EQ(NextChangeAfter(set, {}, kFacts, 1, kNoon + 30 * 86400), std::nullopt);
  EXPECT_EQ(NextChangeAfter(set, {}, kFacts, 1, kNoon, 86400), std::nullopt);  // beyond horizon
  EXPECT_EQ(NextChangeAfter({}, {}, kFacts, 1, kNoon), std::nullopt);
}

TEST(Composite, MillisecondsAreFlooredToSeconds) {
  InstalledProfile p = TxDefault(1).Absolute(kNoon).Duration(100).Period(0, 6);
  p.profile.charging_schedule.start_schedule = codec::DateTime::FromUnixMillis(kNoon * 1000 + 999);
  EXPECT_EQ(Composite({p}, {}, 1, kNoon, 200), Periods({{0, 6}, {100, 32}}));
  EXPECT_EQ(ToUnixSeconds(codec::DateTime::FromUnixMillis(-1)), -1);
}

}  // namespace
}  // namespace ocpp::station::smart_charging
