#include "station/fleet/fleet_stats.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace ocpp::station::fleet {
namespace {

TEST(LatencyHistogramTest, BucketsAreContiguousAndTight) {
  for (std::uint64_t v = 0; v < 5'000'000; v = v < 1000 ? v + 1 : v * 1.01) {
    const int b = LatencyHistogram::BucketOf(v);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    ASSERT_LE(LatencyHistogram::BucketLow(b), v);
    ASSERT_GT(LatencyHistogram::BucketLow(b) + LatencyHistogram::BucketWidth(b), v);
    ASSERT_LE(LatencyHistogram::BucketWidth(b), std::max<std::uint64_t>(1, v / 32));
  }
  for (int b = 1; b < LatencyHistogram::kBuckets; ++b) {
    ASSERT_EQ(LatencyHistogram::BucketLow(b - 1) + LatencyHistogram::BucketWidth(b - 1),
              LatencyHistogram::BucketLow(b));
  }
}

TEST(LatencyHistogramTest, QuantilesWithinThreePercent) {
  LatencyHistogram h;
  EXPECT_EQ(h.Quantile(0.5), 0u);
  for (std::uint64_t v = 1; v <= 10000; ++v) h.Record(v * 100);  // 0.1 ms .. 1 s
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.max(), 1'000'000u);
  EXPECT_NEAR(h.Quantile(0.5), 500'000, 500'000 * 0.03);
  EXPECT_NEAR(h.Quantile(0.99), 990'000, 990'000 * 0.03);
  EXPECT_LE(h.Quantile(1.0), h.max());
  LatencyHistogram other;
  other.Record(5'000'000);
  h.Merge(other);
  EXPECT_EQ(h.max(), 5'000'000u);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  h.Record(std::uint64_t{1} << 60);  // clamped, not out of bounds
  EXPECT_EQ(h.count(), 1u);
}

TEST(FrameHeadTest, ParsesCallsAndAnswers) {
  FrameHead call = ParseFrameHead(R"([2,"19","BootNotification",{"a":1}])");
  EXPECT_EQ(call.type, 2);
  EXPECT_EQ(call.id, "19");
  EXPECT_EQ(call.action, "BootNotification");
  FrameHead result = ParseFrameHead(R"( [ 3 , "19" , {}])");
  EXPECT_EQ(result.type, 3);
  EXPECT_EQ(result.id, "19");
  EXPECT_EQ(ParseFrameHead(R"([4,"7","InternalError","",{}])").type, 4);
  EXPECT_EQ(ParseFrameHead("garbage").type, 0);
  EXPECT_EQ(ParseFrameHead(R"([2,"1)").type, 0);
  EXPECT_EQ(ParseFrameHead(R"([5,"1",{}])").type, 0);
  EXPECT_EQ(ParseFrameHead(R"([3,"a\"b",{}])").type, 0);
}

TEST(CallTrackerTest, MatchesAnswersAndExpires) {
  CallTracker t;
  const base::SteadyTime t0{std::chrono::seconds(100)};
  t.OnCallSent("1", "StartTransaction", t0);
  t.OnCallSent("2", "Heartbeat", t0);
  auto a = t.OnAnswer("1", false, t0 + std::chrono::milliseconds(3));
  EXPECT_TRUE(a.matched);
  EXPECT_EQ(a.action, CallTracker::Action::kStartTransaction);
  EXPECT_EQ(a.rtt_us, 3000u);
  EXPECT_FALSE(t.OnAnswer("1", false, t0).matched) << "answered once";
  EXPECT_FALSE(t.OnAnswer("9", true, t0).matched);
  EXPECT_EQ(t.Expire(t0 + std::chrono::seconds(1)), 1);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(StatsJsonTest, TheContractsLine) {
  FleetTotals totals;
  totals.stations = 1000;
  totals.connected = 999;
  totals.accepted = 1000;
  totals.calls = 15230;
  LatencyHistogram h;
  h.Record(800);
  const std::string line = StatsJson("2026-01-01T12:00:00Z", totals, h, true);
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_STREQ(doc["event"].GetString(), "fleet");
  EXPECT_EQ(doc["stations"].GetInt(), 1000);
  EXPECT_EQ(doc["connected"].GetInt(), 999);
  EXPECT_EQ(doc["calls"].GetInt(), 15230);
  for (const char* key :
       {"sessions_started", "sessions_completed", "callerrors", "timeouts", "reconnects"}) {
    EXPECT_TRUE(doc.HasMember(key)) << key;
  }
  EXPECT_DOUBLE_EQ(doc["rtt_ms"]["p50"].GetDouble(), 0.8);
  EXPECT_DOUBLE_EQ(doc["rtt_ms"]["max"].GetDouble(), 0.8);
  EXPECT_TRUE(doc["final"].GetBool());
  EXPECT_EQ(StatsJson("t", totals, h, false).find("final"), std::string::npos);
  EXPECT_EQ(IsoTimestamp(std::chrono::system_clock::time_point(std::chrono::seconds(1767268800))),
            "2026-01-01T12:00:00Z");
}

}  // namespace
}  // namespace ocpp::station::fleet
