#include "codegen/cpp_support/ci_string.h"

#include <gtest/gtest.h>

namespace ocpp::codec {
namespace {

TEST(CiString, RejectsOverLongValueAndKeepsOldOne) {
  CiString<5> s;
  ASSERT_TRUE(s.Assign("abcde"));
  EXPECT_FALSE(s.Assign("abcdef"));
  EXPECT_EQ(s.view(), "abcde");
  EXPECT_FALSE(CiString<5>::From("toolong").has_value());
}

TEST(CiString, CountsCodePointsNotBytes) {
  // "äöü" is 6 bytes but 3 characters, as JSON Schema's maxLength counts.
  EXPECT_TRUE(CiString<3>::From("\xC3\xA4\xC3\xB6\xC3\xBC").has_value());
  EXPECT_FALSE(CiString<2>::From("\xC3\xA4\xC3\xB6\xC3\xBC").has_value());
}

TEST(CiString, ComparesCaseInsensitively) {
  EXPECT_EQ(*CiString<20>::From("AbCd1234"), *CiString<20>::From("aBcD1234"));
  EXPECT_NE(*CiString<20>::From("AbCd1234"), *CiString<20>::From("aBcD1235"));
  EXPECT_TRUE(*CiString<20>::From("TAG") == "tag");
}

}  // namespace
}  // namespace ocpp::codec
