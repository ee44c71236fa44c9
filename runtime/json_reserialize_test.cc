#include "runtime/json_reserialize.h"

#include <gtest/gtest.h>

#include <string>

namespace ocpp::runtime {
namespace {

const std::vector<std::string> kSecrets = {"AuthorizationKey"};

std::string Deep(std::size_t depth, std::string_view inner) {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(ReserializeJson, CopiesCompactlyKeepingNumbersAsWritten) {
  EXPECT_EQ(ReserializeJson(R"( [2, "a", {"x": 10.0, "y": 1e300, "z": "\u00fc"}] )"),
            R"([2,"a",{"x":10.0,"y":1e300,"z":"ü"}])");
  // RapidJSON refuses numbers beyond a double even when keeping them as text.
  EXPECT_FALSE(ReserializeJson("[1e400]"));
}

TEST(ReserializeJson, RefusesWhatIsNotJson) {
  for (std::string_view bad : {"", "[", "[1]x", "{\"a\":}", "\"\xff\""}) {
    EXPECT_FALSE(ReserializeJson(bad)) << bad;
  }
  EXPECT_FALSE(ReserializeJson(std::string_view("[1]\0", 4)));
  // Found by the fuzzer: a lone surrogate escape would come out as invalid UTF-8.
  EXPECT_FALSE(ReserializeJson(R"(["a\uDDA3b"])"));
  EXPECT_FALSE(ReserializeJson(R"({"\uD800":1})"));
}

TEST(ReserializeJson, AFailureLeavesTheOuterWriterUsable) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("frame");
  EXPECT_FALSE(ReserializeJson("[[[", w));
  EXPECT_TRUE(ReserializeJson("[1, 2]", w));
  w.EndObject();
  EXPECT_STREQ(buffer.GetString(), R"({"frame":[1,2]})");
}

TEST(ReserializeJson, AnyDepthIsSafe) {
  // A million levels would overflow any stack in a recursive writer.
  const std::string deep = Deep(1000000, "1");
  const auto copy = ReserializeJson(deep);
  ASSERT_TRUE(copy);
  EXPECT_TRUE(*copy == deep);
  EXPECT_FALSE(ReserializeJson(std::string(1000000, '[')));
}

TEST(MaskSecrets, MasksTheValueOfASecretKeyWhereverItIs) {
  EXPECT_EQ(MaskSecrets(R"([2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3"}])",
                        kSecrets),
            R"([2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"***"}])");
  // Key after value, other case, escaped spelling, a structured value.
  EXPECT_EQ(MaskSecrets(R"([2,"1","X",{"value":"s3","key":"authorizationkey"}])", kSecrets),
            R"([2,"1","X",{"value":"***","key":"authorizationkey"}])");
  EXPECT_EQ(MaskSecrets(R"([2,"1","X",{"key":"\u0041uthorizationKey","value":"s3"}])", kSecrets),
            R"([2,"1","X",{"key":"AuthorizationKey","value":"***"}])");
  EXPECT_EQ(
      MaskSecrets(R"([2,"1","X",{"key":"AuthorizationKey","value":{"a":[{"b":"s3"}]}}])", kSecrets),
      R"([2,"1","X",{"key":"AuthorizationKey","value":"***"}])");
  // GetConfiguration.conf: only the secret entry.
  EXPECT_EQ(MaskSecrets(R"([3,"1",{"configurationKey":[{"key":"A","readonly":false,"value":"1"},)"
                        R"({"key":"AuthorizationKey","readonly":false,"value":"s3"}]}])",
                        kSecrets),
            R"([3,"1",{"configurationKey":[{"key":"A","readonly":false,"value":"1"},)"
            R"({"key":"AuthorizationKey","readonly":false,"value":"***"}]}])");
}

TEST(MaskSecrets, LeavesOtherFramesAlone) {
  const std::string frame =
      R"([2, "1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "5"}])";
  EXPECT_EQ(MaskSecrets(frame, kSecrets), frame);
  const std::string mention = R"([2,"1","DataTransfer",{"vendorId":"AuthorizationKey"}])";
  EXPECT_EQ(MaskSecrets(mention, kSecrets), mention);
  // The runtime knows no key by itself.
  const std::string secret =
      R"([2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s"}])";
  EXPECT_EQ(MaskSecrets(secret, {}), secret);
  EXPECT_EQ(MaskSecrets(R"([2,"1","X",{"key":"Pin","value":"1234"}])", {"Pin"}),
            R"([2,"1","X",{"key":"Pin","value":"***"}])");
}

TEST(MaskSecrets, UnparseableFramesThatMayHoldASecretAreWithheld) {
  EXPECT_EQ(MaskSecrets(R"([2,"1","X",{"key":"AuthorizationKey","value":"s3")", kSecrets),
            "[\"<unparseable frame withheld>\"]");
  EXPECT_EQ(MaskSecrets("not json", kSecrets), "not json");
  EXPECT_EQ(MaskSecrets(R"([2,"\uDFFF",{"key":"AuthorizationKey","value":"s"}])", kSecrets),
            "[\"<unparseable frame withheld>\"]");
}

TEST(MaskSecrets, AnyDepthIsSafe) {
  const std::string deep = Deep(1000000, R"({"key":"AuthorizationKey","value":"s3"})");
  const std::string masked = MaskSecrets(deep, kSecrets);
  EXPECT_TRUE(masked == Deep(1000000, R"({"key":"AuthorizationKey","value":"***"})"));
  EXPECT_EQ(MaskSecrets(std::string(1000000, '[') + "\"AuthorizationKey\"", kSecrets),
            "[\"<unparseable frame withheld>\"]");
}

// Found by mask_secrets_fuzzer: a secret object inside a masked value, or
// an object naming a secret twice, shifted the marks of every later object,
// so a later secret's value went out unmasked.
TEST(MaskSecrets, ARepeatedKeyDoesNotUnmaskLaterSecrets) {
  const std::vector<std::string> kSecrets = {"AuthorizationKey", "SecurityPin"};
  EXPECT_EQ(MaskSecrets(R"([{"key":"AuthorizationKey","key":"AuthorizationKey","value":"a"},)"
                        R"({"key":"SecurityPin","value":"b"}])",
                        kSecrets),
            R"([{"key":"AuthorizationKey","key":"AuthorizationKey","value":"***"},)"
            R"({"key":"SecurityPin","value":"***"}])");
  EXPECT_EQ(MaskSecrets(R"([{"key":"AuthorizationKey","key":"SecurityPin","value":"a"},)"
                        R"({"x":1},{"key":"SecurityPin","value":"b"}])",
                        kSecrets),
            R"([{"key":"AuthorizationKey","key":"SecurityPin","value":"***"},)"
            R"({"x":1},{"key":"SecurityPin","value":"***"}])");
  // A secret inside a masked value, then another secret.
  EXPECT_EQ(
      MaskSecrets(R"([{"key":"SecurityPin","value":[{"key":"AuthorizationKey","value":"a"}]},)"
                  R"({"key":"SecurityPin","value":"b"}])",
                  kSecrets),
      R"([{"key":"SecurityPin","value":"***"},{"key":"SecurityPin","value":"***"}])");
  // The outer object names its secret after an inner one did.
  EXPECT_EQ(MaskSecrets(R"([{"value":{"key":"SecurityPin","value":"b"},"key":"AuthorizationKey"},)"
                        R"({"key":"SecurityPin","value":"c"}])",
                        kSecrets),
            R"([{"value":"***","key":"AuthorizationKey"},{"key":"SecurityPin","value":"***"}])");
}

}  // namespace
}  // namespace ocpp::runtime
