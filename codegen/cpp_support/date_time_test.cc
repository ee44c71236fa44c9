#include "codegen/cpp_support/date_time.h"

#include <gtest/gtest.h>

namespace ocpp::codec {
namespace {

TEST(DateTime, ParsesUtcAndOffsetsToTheSameInstant) {
  auto utc = DateTime::Parse("2026-01-01T12:00:00Z");
  auto plus = DateTime::Parse("2026-01-01T13:30:00+01:30");
  auto minus = DateTime::Parse("2026-01-01T07:00:00-05:00");
  ASSERT_TRUE(utc && plus && minus);
  EXPECT_EQ(utc->unix_millis(), 1767268800000);
  EXPECT_EQ(*utc, *plus);
  EXPECT_EQ(*utc, *minus);
}

TEST(DateTime, KeepsMillisecondsAndTruncatesFinerFractions) {
  EXPECT_EQ(DateTime::Parse("2026-01-01T12:00:00.5Z")->unix_millis() % 1000, 500);
  EXPECT_EQ(DateTime::Parse("2026-01-01T12:00:00.123456Z")->unix_millis() % 1000, 123);
}

TEST(DateTime, WritesWholeSecondUtcByDefault) {
  auto t = DateTime::Parse("2026-03-04T05:06:07.890+02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ToString(), "2026-03-04T03:06:07Z");
  EXPECT_EQ(t->ToString(DateTime::Precision::kMilliseconds), "2026-03-04T03:06:07.890Z");
}

TEST(DateTime, RejectsMalformedAndImpossibleDates) {
  for (const char* bad :
       {"", "2026-01-01", "2026-01-01T12:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T12:00:00.Z", "2026-01-01T12:00:00+1:00",
        "2026-01-01 12:00:00Z", "2026-01-01T12:00:00Zjunk", "x026-01-01T12:00:00Z"}) {
    EXPECT_FALSE(DateTime::Parse(bad).has_value()) << bad;
  }
  EXPECT_TRUE(DateTime::Parse("2024-02-29T00:00:00Z").has_value());
}

TEST(DateTime, RoundTripsThroughText) {
  for (std::int64_t ms : {0LL, 951782400000LL, 4102444799000LL, 1767268800123LL}) {
    auto t = DateTime::FromUnixMillis(ms);
    auto back = DateTime::Parse(t.ToString(DateTime::Precision::kMilliseconds));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->unix_millis(), ms);
  }
}

}  // namespace
}  // namespace ocpp::codec
