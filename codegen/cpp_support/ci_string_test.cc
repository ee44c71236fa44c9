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

#include "codegen/cpp_support/json_codec.h"

namespace ocpp::codec {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x94\x8C"));  // ä € 🔌
}

TEST(Utf8, RejectsMalformedSequences) {
  for (const char* bad : {"\xFF", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "abc\xC3", "\x80", "12345678\xE2\x82"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(Utf8, DecodersRejectInvalidStrings) {
  rapidjson::Value v("\xFF\xFE", 2);
  std::string out;
  DecodeContext ctx;
  EXPECT_FALSE(DecodeString(v, out, ctx));
  EXPECT_EQ(ctx.error().code, RpcErrorCode::kTypeConstraintViolation);
  CiString<10> ci;
  DecodeContext ctx2;
  EXPECT_FALSE(DecodeCiString(v, ci, ctx2));
}

}  // namespace
}  // namespace ocpp::codec
