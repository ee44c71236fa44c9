#include "codegen/cpp_support/decimal.h"

#include <gtest/gtest.h>

namespace ocpp::codec {
namespace {

TEST(Decimal, ParsesLiteralsExactly) {
  EXPECT_EQ(Decimal::Parse("16.1")->millionths(), 16100000);
  EXPECT_EQ(Decimal::Parse("-0.5")->millionths(), -500000);
  EXPECT_EQ(Decimal::Parse("1.5e1")->millionths(), 15000000);
  EXPECT_EQ(Decimal::Parse("32")->millionths(), 32000000);
  EXPECT_FALSE(Decimal::Parse("0.0000001").has_value());
  EXPECT_FALSE(Decimal::Parse("1e30").has_value());
  EXPECT_FALSE(Decimal::Parse("abc").has_value());
}

// Digits beyond what 64 bits hold: exact when they cancel, refused otherwise
// (the same on 32-bit ARM, which has no __int128).
TEST(Decimal, ParsesLongLiteralsExactly) {
  EXPECT_EQ(Decimal::Parse("1.000000000000000000000000000000")->millionths(), 1000000);
  EXPECT_EQ(Decimal::Parse("100000000000000000000000000000000000e-35")->millionths(), 1000000);
  EXPECT_EQ(Decimal::Parse("0.000000000000000000000000012e25")->millionths(), 120000);
  EXPECT_EQ(Decimal::Parse("9223372036854.775807")->millionths(), INT64_MAX);
  EXPECT_EQ(Decimal::Parse("-9223372036854.775807")->millionths(), -INT64_MAX);
  EXPECT_FALSE(Decimal::Parse("9223372036854.775808").has_value());
  EXPECT_FALSE(Decimal::Parse("12345678901234567890123").has_value());
  EXPECT_FALSE(Decimal::Parse("1234567.8901234567890123456789e-10").has_value());
  EXPECT_EQ(Decimal::Parse("0000000000000000000000000000000000000.5")->millionths(), 500000);
  EXPECT_EQ(Decimal::Parse("0e99999")->millionths(), 0);
}

TEST(Decimal, RecoversTheWrittenValueFromADouble) {
  // 16.1 is not exact in binary; the shortest round-trip literal is.
  EXPECT_EQ(Decimal::FromDouble(16.1)->millionths(), 16100000);
  // 0.1 + 0.2 is 0.30000000000000004: finer than a millionth, so not exact.
  EXPECT_FALSE(Decimal::FromDouble(0.1 + 0.2).has_value());
}

TEST(Decimal, ChecksMultipleOfExactly) {
  const Decimal tenth = Decimal::FromTenths(1);
  EXPECT_TRUE(Decimal::FromDouble(16.1)->IsMultipleOf(tenth));
  EXPECT_TRUE(Decimal::FromDouble(-7.0)->IsMultipleOf(tenth));
  EXPECT_FALSE(Decimal::FromDouble(16.15)->IsMultipleOf(tenth));
}

TEST(Decimal, FormatsShortest) {
  EXPECT_EQ(Decimal::FromTenths(161).ToString(), "16.1");
  EXPECT_EQ(Decimal::FromTenths(-5).ToString(), "-0.5");
  EXPECT_EQ(Decimal::FromInteger(0).ToString(), "0");
  EXPECT_EQ(Decimal::FromMillionths(1).ToString(), "0.000001");
  EXPECT_EQ(Decimal::FromMillionths(INT64_MIN).ToString(), "-9223372036854.775808");
}

}  // namespace
}  // namespace ocpp::codec

#include "codegen/cpp_support/json_codec.h"

namespace ocpp::codec {
namespace {

TEST(DecodeDecimal, AgreesWithTheExactSlowPath) {
  const Decimal tenth = Decimal::FromTenths(1);
  for (double d : {0.0, 0.1, 16.1, 32.5, 6.7, -0.3, 1e-6, 123456.7, 8999999999.9, 1e12 + 0.5,
                   0.1 + 0.2, 16.15, 1.0 / 3}) {
    rapidjson::Value v(d);
    Decimal fast;
    DecodeContext ctx;
    const bool ok = DecodeDecimal(v, fast, std::nullopt, ctx);
    const auto slow = Decimal::FromDouble(d);
    ASSERT_EQ(ok, slow.has_value()) << d;
    if (ok) {
      EXPECT_EQ(fast, *slow) << d;
    }
    DecodeContext ctx2;
    Decimal stepped;
    EXPECT_EQ(DecodeDecimal(v, stepped, tenth, ctx2), slow && slow->IsMultipleOf(tenth)) << d;
  }
}

}  // namespace
}  // namespace ocpp::codec
