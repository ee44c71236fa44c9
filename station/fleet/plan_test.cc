#include "station/fleet/plan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace ocpp::station::fleet {
namespace {

std::vector<Cycle> Cycles(std::uint64_t seed, std::uint64_t index, int n,
                          PlanOptions options = {60, 120}) {
  StationPlan plan(seed, index, options);
  std::vector<Cycle> cycles;
  for (int i = 0; i < n; ++i) cycles.push_back(plan.Next());
  return cycles;
}

bool Same(const std::vector<Cycle>& a, const std::vector<Cycle>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].idle != b[i].idle || a[i].charge != b[i].charge) return false;
  }
  return true;
}

TEST(StationPlanTest, SameSeedAndIndexGiveTheSamePlan) {
  EXPECT_TRUE(Same(Cycles(7, 42, 50), Cycles(7, 42, 50)));
}

TEST(StationPlanTest, SeedAndIndexChangeThePlan) {
  EXPECT_FALSE(Same(Cycles(7, 42, 5), Cycles(8, 42, 5)));
  EXPECT_FALSE(Same(Cycles(7, 42, 5), Cycles(7, 43, 5)));
}

// The values themselves are fixed: our own generator and draw, no
// implementation-defined std:: distribution, so a plan is the same on
// every machine (a change here changes every recorded load test).
TEST(StationPlanTest, PlanIsPinned) {
  const auto cycles = Cycles(1, 0, 2);
  SplitMix64 check(DeriveSeed(1, 0, 0x706c616e));
  const double u = check.NextUnit();
  EXPECT_EQ(cycles[0].idle.count(), std::llround(-60 * std::log1p(-u) * 1000));
  SplitMix64 reference(0);
  EXPECT_EQ(reference.Next(), 0xe220a8397b1dcdafULL);  // SplitMix64's published first output
}

TEST(StationPlanTest, DrawsAreExponentialWithTheMean) {
  StationPlan plan(3, 9, PlanOptions{10, 20});
  double idle = 0, charge = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Cycle c = plan.Next();
    ASSERT_GE(c.idle.count(), 0);
    ASSERT_LE(c.idle.count(), 10 * 50 * 1000);
    idle += c.idle.count() / 1000.0;
    charge += c.charge.count() / 1000.0;
  }
  EXPECT_NEAR(idle / n, 10, 0.4);
  EXPECT_NEAR(charge / n, 20, 0.8);
}

TEST(StationPlanTest, IdsCardsAndReconnectSeeds) {
  EXPECT_EQ(StationId("FLEET", 42), "FLEET000042");
  EXPECT_EQ(CardId("FLEET", 42), "FLEET000042T");
  EXPECT_EQ(StationId("P", 999999), "P999999");
  std::set<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < 1000; ++i) seeds.insert(ReconnectSeed(5, i));
  EXPECT_EQ(seeds.size(), 1000u) << "every station gets its own jitter";
  EXPECT_EQ(ReconnectSeed(5, 3), ReconnectSeed(5, 3));
}

TEST(StationPlanTest, StartOffsetsSpreadOverTheRampUp) {
  const base::Milliseconds ramp(10000);
  EXPECT_EQ(StartOffset(0, 4, ramp).count(), 0);
  EXPECT_EQ(StartOffset(1, 4, ramp).count(), 2500);
  EXPECT_EQ(StartOffset(3, 4, ramp).count(), 7500);
  EXPECT_EQ(StartOffset(3, 4, base::Milliseconds(0)).count(), 0);
}

}  // namespace
}  // namespace ocpp::station::fleet
