#include "runtime/ocpp_frame.h"

#include <gtest/gtest.h>

#include "generated/ocpp16/registry.h"

namespace ocpp::runtime {
namespace {

TEST(ParseFrame, ReadsEachMessageType) {
  rapidjson::Document doc;
  auto call = ParseFrame(R"([2,"19223201","BootNotification",{"chargePointVendor":"V"}])", doc);
  ASSERT_EQ(call.status, FrameStatus::kOk);
  EXPECT_EQ(call.frame.type, MessageType::kCall);
  EXPECT_EQ(call.frame.message_id, "19223201");
  EXPECT_EQ(call.frame.action, "BootNotification");
  ASSERT_NE(call.frame.payload, nullptr);
  EXPECT_TRUE(call.frame.payload->IsObject());

  auto result = ParseFrame(R"([3,"19223201",{"status":"Accepted"}])", doc);
  ASSERT_EQ(result.status, FrameStatus::kOk);
  EXPECT_EQ(result.frame.type, MessageType::kCallResult);

  auto error = ParseFrame(R"([4,"1","NotImplemented","no such action",{}])", doc);
  ASSERT_EQ(error.status, FrameStatus::kOk);
  EXPECT_EQ(error.frame.error_code, "NotImplemented");
  EXPECT_EQ(error.frame.error_description, "no such action");
}

TEST(ParseFrame, ClassifiesBrokenInput) {
  rapidjson::Document doc;
  EXPECT_EQ(ParseFrame("", doc).status, FrameStatus::kNotJson);
  EXPECT_EQ(ParseFrame("[2,", doc).status, FrameStatus::kNotJson);
  EXPECT_EQ(ParseFrame("{}", doc).status, FrameStatus::kNotAFrame);
  EXPECT_EQ(ParseFrame("[2]", doc).status, FrameStatus::kNotAFrame);
  EXPECT_EQ(ParseFrame("[\"2\",\"1\",\"Heartbeat\",{}]", doc).status, FrameStatus::kNotAFrame);
  EXPECT_EQ(ParseFrame("[5,\"1\",{}]", doc).status, FrameStatus::kUnknownType);
  EXPECT_EQ(ParseFrame("[2,\"1\",\"Heartbeat\"]", doc).status, FrameStatus::kMalformedCall);
  EXPECT_EQ(ParseFrame("[2,\"1\",7,{}]", doc).status, FrameStatus::kMalformedCall);
  EXPECT_EQ(ParseFrame("[3,\"1\"]", doc).status, FrameStatus::kMalformedResult);
  EXPECT_EQ(ParseFrame("[4,\"1\",\"X\"]", doc).status, FrameStatus::kMalformedResult);
  // An id that is not UTF-8 cannot be echoed in an answer.
  EXPECT_EQ(ParseFrame("[2,\"1\xff\",\"Heartbeat\",{}]", doc).status, FrameStatus::kNotAFrame);
  // Deep nesting does not recurse (iterative parser).
  std::string deep(100000, '[');
  EXPECT_EQ(ParseFrame(deep, doc).status, FrameStatus::kNotJson);
}

TEST(ParseFrame, KeepsTheIdOfAMalformedCallSoItCanBeAnswered) {
  rapidjson::Document doc;
  auto parsed = ParseFrame(R"([2,"abc","Reset"])", doc);
  EXPECT_EQ(parsed.status, FrameStatus::kMalformedCall);
  EXPECT_EQ(parsed.frame.message_id, "abc");
  auto too_long = ParseFrame(R"([2,"0123456789012345678901234567890123456","Reset",{}])", doc);
  EXPECT_EQ(too_long.status, FrameStatus::kMalformedCall);
}

TEST(ParseFrame, ReadsTheHeadOfTextThatIsNotJson) {
  rapidjson::Document doc;
  std::string buffer;
  // 1e400 is valid JSON but beyond a double: answerable, as a type error.
  auto big = ParseFrame(R"([2,"n1","StatusNotification",{"connectorId":1e400}])", doc, buffer);
  EXPECT_EQ(big.status, FrameStatus::kMalformedCall);
  EXPECT_EQ(big.frame.message_id, "n1");
  EXPECT_EQ(big.call_error, codec::RpcErrorCode::kTypeConstraintViolation);
  auto cut = ParseFrame(R"([2,"n2","Reset",{"type":)", doc);
  EXPECT_EQ(cut.status, FrameStatus::kMalformedCall);
  EXPECT_EQ(cut.frame.message_id, "n2");
  EXPECT_EQ(cut.call_error, codec::RpcErrorCode::kFormationViolation);
  auto result = ParseFrame(R"([3,"n3",{"x":1e400}])", doc, buffer);
  EXPECT_EQ(result.status, FrameStatus::kMalformedResult);
  EXPECT_EQ(result.frame.message_id, "n3");
  EXPECT_EQ(result.frame.type, MessageType::kCallResult);
  EXPECT_EQ(ParseFrame(std::string_view("[2,\"n4\",\0]", 9), doc, buffer).frame.message_id, "n4");
  EXPECT_EQ(ParseFrame(R"([2,"n5\u)", doc).status, FrameStatus::kNotJson);
  EXPECT_EQ(ParseFrame(R"(["2","n6",)", doc).status, FrameStatus::kNotJson);
}

TEST(ParseFrame, MessageIdLengthCountsCharactersNotBytes) {
  rapidjson::Document doc;
  std::string id;
  for (int i = 0; i < 36; ++i) id += "\xc3\xa9";  // U+00E9, 2 bytes each
  EXPECT_EQ(ParseFrame("[2,\"" + id + "\",\"Heartbeat\",{}]", doc).status, FrameStatus::kOk);
  EXPECT_EQ(ParseFrame("[2,\"" + id + "x\",\"Heartbeat\",{}]", doc).status,
            FrameStatus::kMalformedCall);
}

TEST(WriteFrames, EncodeTypedPayloadsInPlace) {
  v16::BootNotificationReq boot;
  boot.charge_point_vendor = *codec::CiString<20>::From("Vendor");
  boot.charge_point_model = *codec::CiString<20>::From("Model");
  EXPECT_EQ(
      WriteCall("1", "BootNotification", boot),
      R"([2,"1","BootNotification",{"chargePointVendor":"Vendor","chargePointModel":"Model"}])");
  v16::HeartbeatConf beat;
  beat.current_time = codec::DateTime::FromUnixMillis(1767268800000);
  EXPECT_EQ(WriteCallResult("7", beat), R"([3,"7",{"currentTime":"2026-01-01T12:00:00Z"}])");
  EXPECT_EQ(WriteCallError("7", codec::RpcErrorCode::kOccurenceConstraintViolation, "x"),
            R"([4,"7","OccurenceConstraintViolation","x",{}])");
}

}  // namespace
}  // namespace ocpp::runtime
