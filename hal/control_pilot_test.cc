#include "hal/control_pilot.h"

#include <gtest/gtest.h>

namespace ocpp::hal {
namespace {

struct DutyCase {
  int limit_deciamps;
  int duty_permille;
};

class PwmDutyTest : public testing::TestWithParam<DutyCase> {};

TEST_P(PwmDutyTest, EncodesJ1772DutyCycle) {
  EXPECT_EQ(PwmDutyPermilleForCurrentLimitDeciamps(GetParam().limit_deciamps),
            GetParam().duty_permille)
      << "limit " << GetParam().limit_deciamps << " dA";
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, PwmDutyTest,
    testing::Values(
        // Below 6 A: no charging allowed, constant +12 V (100 %).
        DutyCase{-1000, 1000}, DutyCase{-1, 1000}, DutyCase{0, 1000}, DutyCase{59, 1000},
        // 6 A .. 51 A: duty % = A / 0.6, rounded down.
        DutyCase{60, 100}, DutyCase{61, 101}, DutyCase{100, 166}, DutyCase{160, 266},
        DutyCase{320, 533}, DutyCase{509, 848}, DutyCase{510, 850},
        // 51 A .. 80 A: duty % = A / 2.5 + 64.
        DutyCase{511, 844}, DutyCase{525, 850}, DutyCase{526, 850}, DutyCase{527, 850},
        DutyCase{600, 880}, DutyCase{799, 959}, DutyCase{800, 960},
        // Above 80 A: clamped to 80 A.
        DutyCase{801, 960}, DutyCase{1000, 960}, DutyCase{2147483647, 960}));

struct DecodeCase {
  int duty_permille;
  int limit_deciamps;
};

class DutyDecodeTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(DutyDecodeTest, DecodesLikeAVehicle) {
  EXPECT_EQ(CurrentLimitDeciampsForDutyPermille(GetParam().duty_permille),
            GetParam().limit_deciamps)
      << "duty " << GetParam().duty_permille << " permille";
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, DutyDecodeTest,
    testing::Values(DecodeCase{-5, 0}, DecodeCase{0, 0}, DecodeCase{29, 0},
                    DecodeCase{50, 0},  // 5 %: digital communication, no PWM current
                    DecodeCase{79, 0}, DecodeCase{80, 60}, DecodeCase{99, 60}, DecodeCase{100, 60},
                    DecodeCase{533, 319}, DecodeCase{850, 510}, DecodeCase{851, 527},
                    DecodeCase{960, 800}, DecodeCase{961, 800}, DecodeCase{970, 800},
                    DecodeCase{971, 0}, DecodeCase{1000, 0}, DecodeCase{1001, 0},
                    DecodeCase{2147483647, 0}));

// Whatever limit the station advertises, the vehicle never decodes more
// (rounding and the 51 A discontinuity both err on the low side), and never
// much less: within 2 A (the worst case is 52.7 A -> 85 % -> 51 A).
TEST(PwmDutyTest, RoundTripNeverExceedsLimit) {
  for (int limit = 60; limit <= 800; ++limit) {
    const int decoded =
        CurrentLimitDeciampsForDutyPermille(PwmDutyPermilleForCurrentLimitDeciamps(limit));
    EXPECT_LE(decoded, limit) << limit;
    EXPECT_GE(decoded, limit - 20) << limit;
  }
}

TEST(PwmDutyTest, NoChargingBelowSixAmpsDecodesToZero) {
  EXPECT_EQ(CurrentLimitDeciampsForDutyPermille(PwmDutyPermilleForCurrentLimitDeciamps(59)), 0);
}

TEST(PilotStateTest, VehicleConnected) {
  EXPECT_FALSE(VehicleConnected(PilotState::kA));
  EXPECT_TRUE(VehicleConnected(PilotState::kB));
  EXPECT_TRUE(VehicleConnected(PilotState::kC));
  EXPECT_TRUE(VehicleConnected(PilotState::kD));
  EXPECT_FALSE(VehicleConnected(PilotState::kE));
  EXPECT_FALSE(VehicleConnected(PilotState::kF));
}

TEST(PilotStateTest, VehicleRequestsEnergyOnlyInCAndD) {
  EXPECT_FALSE(VehicleRequestsEnergy(PilotState::kA));
  EXPECT_FALSE(VehicleRequestsEnergy(PilotState::kB));
  EXPECT_TRUE(VehicleRequestsEnergy(PilotState::kC));
  EXPECT_TRUE(VehicleRequestsEnergy(PilotState::kD));
  EXPECT_FALSE(VehicleRequestsEnergy(PilotState::kE));
  EXPECT_FALSE(VehicleRequestsEnergy(PilotState::kF));
}

TEST(PilotStateTest, ToString) {
  EXPECT_STREQ(ToString(PilotState::kA), "A");
  EXPECT_STREQ(ToString(PilotState::kC), "C");
  EXPECT_STREQ(ToString(PilotState::kF), "F");
}

TEST(AdvertisedCurrentTest, UndoesTheEncodersRoundingForEveryLimit) {
  for (int deciamps = 60; deciamps <= 800; ++deciamps) {
    const int duty = PwmDutyPermilleForCurrentLimitDeciamps(deciamps);
    const int advertised = AdvertisedCurrentDeciamps(duty);
    // Never above the limit, never below what the vehicle decodes.
    EXPECT_LE(advertised, deciamps);
    EXPECT_GE(advertised, CurrentLimitDeciampsForDutyPermille(duty));
    // Within one encoder step (1/6 A below the knee, 1/4 A above) except
    // just above 51 A, where the standard's two formulas overlap.
    if (deciamps <= 510 || deciamps > 527) {
      EXPECT_NEAR(advertised, deciamps, deciamps <= 510 ? 1 : 2) << deciamps;
    }
  }
  EXPECT_EQ(AdvertisedCurrentDeciamps(PwmDutyPermilleForCurrentLimitDeciamps(320)), 320);
  EXPECT_EQ(AdvertisedCurrentDeciamps(PwmDutyPermilleForCurrentLimitDeciamps(160)), 160);
  EXPECT_EQ(AdvertisedCurrentDeciamps(PwmDutyPermilleForCurrentLimitDeciamps(60)), 60);
  EXPECT_EQ(AdvertisedCurrentDeciamps(1000), 0);
  EXPECT_EQ(AdvertisedCurrentDeciamps(0), 0);
}

}  // namespace
}  // namespace ocpp::hal
