// What the decoders accept beyond the letter of the schemas (issue 7
// defects 4 and 5, issue 8 item 5): integers written as 10.0, ids beyond 32
// bits, and a null payload.
#include <gtest/gtest.h>

#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"

namespace ocpp::v16 {
namespace {

using codec::DecodeJson;
using codec::DecodeOptions;
using codec::RpcErrorCode;

TEST(LenientDecode, IntegralNumbersAreIntegers) {
  for (const char* interval : {"10.0", "1e1", "1.0E1", "100e-1"}) {
    BootNotificationConf conf;
    const std::string json = std::string(R"({"status":"Accepted","currentTime":)") +
                             R"("2026-01-01T00:00:00Z","interval":)" + interval + "}";
    const auto error = DecodeJson(json, conf);
    ASSERT_FALSE(error) << interval << ": " << error->message;
    EXPECT_EQ(conf.interval, 10) << interval;
  }
}

TEST(LenientDecode, IntegralNumbersCanBeTurnedOff) {
  DecodeOptions strict;
  strict.accept_integral_numbers = false;
  BootNotificationConf conf;
  const auto error =
      DecodeJson(R"({"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":10.0})",
                 conf, strict);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, RpcErrorCode::kTypeConstraintViolation);
  EXPECT_EQ(error->pointer, "/interval");
}

TEST(LenientDecode, FractionsAndOutOfRangeStayErrors) {
  for (const char* interval : {"10.5", "3e9", "-3e9", "1e300", "9007199254740992.0"}) {
    BootNotificationConf conf;
    const std::string json = std::string(R"({"status":"Accepted","currentTime":)") +
                             R"("2026-01-01T00:00:00Z","interval":)" + interval + "}";
    const auto error = DecodeJson(json, conf);
    ASSERT_TRUE(error) << interval;
    EXPECT_EQ(error->code, RpcErrorCode::kTypeConstraintViolation) << interval;
  }
  StartTransactionConf conf;
  const auto error =
      DecodeJson(R"({"idTagInfo":{"status":"Accepted"},"transactionId":9007199254740992.0})", conf);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->pointer, "/transactionId");
}

TEST(LenientDecode, TransactionIdsBeyond32Bits) {
  for (std::int64_t id : {std::int64_t{2147483648}, std::int64_t{9007199254740993},
                          std::int64_t{INT64_MAX}, std::int64_t{-2147483649}}) {
    StartTransactionConf conf;
    const auto error = DecodeJson(
        R"({"idTagInfo":{"status":"Accepted"},"transactionId":)" + std::to_string(id) + "}", conf);
    ASSERT_FALSE(error) << id << ": " << error->message;
    EXPECT_EQ(conf.transaction_id, id);
    StopTransactionReq stop;
    stop.transaction_id = id;
    EXPECT_NE(codec::EncodeJson(stop).find("\"transactionId\":" + std::to_string(id)),
              std::string::npos);
  }
  StartTransactionConf conf;
  const auto error = DecodeJson(
      R"({"idTagInfo":{"status":"Accepted"},"transactionId":9223372036854775808})", conf);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, RpcErrorCode::kTypeConstraintViolation);
}

TEST(LenientDecode, EveryIdFieldIs64Bit) {
  static_assert(std::is_same_v<decltype(StartTransactionConf::transaction_id), std::int64_t>);
  static_assert(std::is_same_v<decltype(ReserveNowReq::reservation_id), std::int64_t>);
  static_assert(std::is_same_v<decltype(SendLocalListReq::list_version), std::int64_t>);
  static_assert(std::is_same_v<decltype(GetLocalListVersionConf::list_version), std::int64_t>);
  static_assert(std::is_same_v<decltype(ChargingProfile::charging_profile_id), std::int64_t>);
  static_assert(std::is_same_v<decltype(ClearChargingProfileReq::id), std::optional<std::int64_t>>);
  static_assert(std::is_same_v<decltype(GetLogReq::request_id), std::int64_t>);
  static_assert(std::is_same_v<decltype(BootNotificationConf::interval), std::int32_t>);
  static_assert(std::is_same_v<decltype(StatusNotificationReq::connector_id), std::int32_t>);
}

TEST(LenientDecode, NullPayloadIsEmptyObject) {
  HeartbeatReq heartbeat;
  EXPECT_FALSE(DecodeJson("null", heartbeat));
  ClearCacheReq clear;
  EXPECT_FALSE(DecodeJson("null", clear));
  // With required properties, the first missing one is named.
  ResetReq reset;
  const auto error = DecodeJson("null", reset);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, RpcErrorCode::kOccurenceConstraintViolation);
  EXPECT_EQ(error->pointer, "/type");
}

}  // namespace
}  // namespace ocpp::v16
