#include "runtime/reconnect_backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoffTest, CeilingDoublesFromBaseUpToCap) {
  ReconnectBackoff backoff(milliseconds(2000), milliseconds(60'000), 1);
  std::vector<long> ceilings;
  for (int i = 0; i < 8; ++i) {
    ceilings.push_back(backoff.NextCeiling().count());
    backoff.Next();
  }
  EXPECT_EQ(ceilings, (std::vector<long>{2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000}));
}

TEST(ReconnectBackoffTest, EveryDelayIsWithinZeroAndItsCeiling) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    ReconnectBackoff backoff(milliseconds(2000), milliseconds(60'000), seed);
    for (int i = 0; i < 12; ++i) {
      const milliseconds ceiling = backoff.NextCeiling();
      const milliseconds delay = backoff.Next();
      EXPECT_GE(delay.count(), 0);
      EXPECT_LE(delay, ceiling);
    }
  }
}

TEST(ReconnectBackoffTest, JitterUsesTheWholeRange) {
  // Full jitter: over many draws at the cap, delays cover low and high ends.
  ReconnectBackoff backoff(milliseconds(1000), milliseconds(1000), 7);
  milliseconds low(1000), high(0);
  for (int i = 0; i < 2000; ++i) {
    const milliseconds d = backoff.Next();
    low = std::min(low, d);
    high = std::max(high, d);
  }
  EXPECT_LT(low, milliseconds(50));
  EXPECT_GT(high, milliseconds(950));
}

TEST(ReconnectBackoffTest, SameSeedSameDelaysDifferentSeedDifferentDelays) {
  ReconnectBackoff a(milliseconds(2000), milliseconds(60'000), 42);
  ReconnectBackoff b(milliseconds(2000), milliseconds(60'000), 42);
  ReconnectBackoff c(milliseconds(2000), milliseconds(60'000), 43);
  bool any_difference = false;
  for (int i = 0; i < 10; ++i) {
    const milliseconds da = a.Next();
    EXPECT_EQ(da, b.Next());
    any_difference |= da != c.Next();
  }
  EXPECT_TRUE(any_difference);
}

TEST(ReconnectBackoffTest, ResetStartsOverFromBase) {
  ReconnectBackoff backoff(milliseconds(2000), milliseconds(60'000), 3);
  for (int i = 0; i < 5; ++i) backoff.Next();
  EXPECT_EQ(backoff.attempts(), 5);
  backoff.Reset();
  EXPECT_EQ(backoff.attempts(), 0);
  EXPECT_EQ(backoff.NextCeiling(), milliseconds(2000));
}

TEST(ReconnectBackoffTest, ManyAttemptsNeitherOverflowNorExceedCap) {
  ReconnectBackoff backoff(milliseconds(2000), milliseconds(300'000), 5);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(backoff.Next(), milliseconds(300'000));
  EXPECT_EQ(backoff.NextCeiling(), milliseconds(300'000));
}

TEST(ReconnectBackoffTest, NonsenseParametersAreForcedSane) {
  ReconnectBackoff backoff(milliseconds(0), milliseconds(-5), 1);
  EXPECT_EQ(backoff.NextCeiling(), milliseconds(1));
  EXPECT_LE(backoff.Next(), milliseconds(1));
}

}  // namespace
}  // namespace ocpp::runtime
