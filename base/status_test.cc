#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ocpp::base {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_EQ(status, OkStatus());
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status status(StatusCode::kDataLoss, "file is corrupt");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "file is corrupt");
  EXPECT_EQ(status.ToString(), "DATA_LOSS: file is corrupt");
  EXPECT_NE(status, OkStatus());
}

TEST(StatusTest, EveryCodeHasAName) {
  EXPECT_STREQ(ToString(StatusCode::kInvalidArgument), "INVALID_ARGUMENT");
  EXPECT_STREQ(ToString(StatusCode::kNotFound), "NOT_FOUND");
  EXPECT_STREQ(ToString(StatusCode::kFailedPrecondition), "FAILED_PRECONDITION");
  EXPECT_STREQ(ToString(StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(ToString(StatusCode::kUnavailable), "UNAVAILABLE");
  EXPECT_STREQ(ToString(StatusCode::kInternal), "INTERNAL");
}

TEST(ResultTest, HoldsValue) {
  Result<std::string> result(std::string("value"));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(*result, "value");
  EXPECT_EQ(result->size(), 5u);
  std::string moved = std::move(result).value();
  EXPECT_EQ(moved, "value");
}

TEST(ResultTest, HoldsError) {
  Result<int> result(Status(StatusCode::kNotFound, "missing"));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> result(OkStatus());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> value = std::move(result).value();
  EXPECT_EQ(*value, 7);
}

}  // namespace
}  // namespace ocpp::base
