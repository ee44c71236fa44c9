// RpcEndpoint against hostile or sloppy peers: every dropped frame is logged
// at warning level, malformed answers fail the call at once, unreadable
// CALLs are still answered when their id can be read (issues 7 and 8).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/rpc_endpoint.h"
#include "runtime/testing/manual_event_loop.h"

namespace ocpp::runtime {
namespace {

using codec::RpcErrorCode;
using testing::ManualEventLoop;
using namespace ocpp::v16;
using Level = RpcEndpoint::LogLevel;

class RpcFramesTest : public ::testing::Test {
 protected:
  RpcFramesTest() {
    RpcEndpoint::Options options;
    options.id_seed = 1;
    options.secret_configuration_keys = {"AuthorizationKey"};
    rpc_ = std::make_unique<RpcEndpoint>(
        loop_,
        [this](std::string frame) {
          sent_.push_back(std::move(frame));
          return true;
        },
        options);
    rpc_->SetLog([this](Level level, std::string_view line) {
      if (level == Level::kWarning) warnings_.emplace_back(line);
    });
    rpc_->Handle<Action::kClearCache>([](const ClearCacheReq&) -> HandlerResult<ClearCacheConf> {
      return ClearCacheConf{ClearCacheStatus::kAccepted};
    });
    rpc_->Handle<Action::kReset>([](const ResetReq&) -> HandlerResult<ResetConf> {
      return ResetConf{ResetStatus::kAccepted};
    });
    rpc_->OnConnected();
  }

  std::string LastId() {
    rapidjson::Document doc;
    doc.Parse(sent_.back().c_str());
    return doc[1].GetString();
  }

  BootNotificationReq Boot() {
    BootNotificationReq boot;
    boot.charge_point_vendor = *codec::CiString<20>::From("V");
    boot.charge_point_model = *codec::CiString<20>::From("M");
    return boot;
  }

  // Sends one BootNotification and answers it with `frame` (where $ID is
  // replaced by the call's id); the outcome must be there without any time
  // passing.
  CallOutcome<BootNotificationConf> BootAnsweredWith(std::string frame) {
    std::optional<CallOutcome<BootNotificationConf>> outcome;
    rpc_->Call(Boot(), [&](CallOutcome<BootNotificationConf> o) { outcome = std::move(o); });
    frame.replace(frame.find("$ID"), 3, LastId());
    rpc_->OnText(frame);
    EXPECT_TRUE(outcome) << frame << " left the call waiting for the timeout";
    if (!outcome) {
      loop_.AdvanceAndRun(base::Milliseconds(60000));
      return CallFailure{CallFailure::Kind::kTimeout};
    }
    return *outcome;
  }

  ManualEventLoop loop_;
  std::unique_ptr<RpcEndpoint> rpc_;
  std::vector<std::string> sent_;
  std::vector<std::string> warnings_;
};

TEST_F(RpcFramesTest, IntervalWrittenAsFloatIsAccepted) {
  const auto outcome = BootAnsweredWith(
      R"([3,"$ID",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":10.0}])");
  const auto* conf = std::get_if<BootNotificationConf>(&outcome);
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->interval, 10);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(RpcFramesTest, InvalidResponseIsLoggedAtWarning) {
  const auto outcome = BootAnsweredWith(
      R"([3,"$ID",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":10.5}])");
  ASSERT_TRUE(std::holds_alternative<CallFailure>(outcome));
  EXPECT_EQ(std::get<CallFailure>(outcome).kind, CallFailure::Kind::kInvalidResponse);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("BootNotification"), std::string::npos) << warnings_[0];
  EXPECT_NE(warnings_[0].find("/interval"), std::string::npos) << warnings_[0];
}

TEST_F(RpcFramesTest, MalformedAnswersFailTheCallAtOnce) {
  auto error = BootAnsweredWith(R"([4,"$ID","GenericError","no details"])");
  ASSERT_TRUE(std::holds_alternative<CallFailure>(error));
  EXPECT_EQ(std::get<CallFailure>(error).kind, CallFailure::Kind::kCallError);
  auto result = BootAnsweredWith(R"([3,"$ID"])");
  ASSERT_TRUE(std::holds_alternative<CallFailure>(result));
  EXPECT_EQ(std::get<CallFailure>(result).kind, CallFailure::Kind::kInvalidResponse);
  auto unparseable = BootAnsweredWith(R"([3,"$ID",{"interval":1e400}])");
  ASSERT_TRUE(std::holds_alternative<CallFailure>(unparseable));
  EXPECT_EQ(std::get<CallFailure>(unparseable).kind, CallFailure::Kind::kInvalidResponse);
  EXPECT_EQ(warnings_.size(), 3u);
  EXPECT_EQ(rpc_->pending_calls(), 0u);
}

TEST_F(RpcFramesTest, EveryDroppedFrameIsLoggedAtWarning) {
  for (const char* frame :
       {"not json", "", "[]", R"({"a":1})", R"([7,"c1",{}])", R"([3,"nobody",{}])",
        R"([4,"nobody","GenericError","",{}])", R"([4,"nobody","GenericError"])",
        R"([3,"0123456789012345678901234567890123456",{}])", "[2,\"\xff\",\"Reset\",{}]"}) {
    warnings_.clear();
    sent_.clear();
    rpc_->OnText(frame);
    EXPECT_TRUE(sent_.empty()) << frame;
    EXPECT_EQ(warnings_.size(), 1u) << frame;
  }
}

TEST_F(RpcFramesTest, OldStyleLogGetsEveryLine) {
  std::vector<std::string> lines;
  rpc_->SetLog([&](std::string_view line) { lines.emplace_back(line); });
  rpc_->OnText("not json");
  EXPECT_EQ(lines.size(), 1u);
}

TEST_F(RpcFramesTest, UnreadableCallsAreAnsweredWhenTheIdCanBeRead) {
  rpc_->OnText(R"([2,"n1","Reset",{"type":"Hard","x":1e400}])");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], R"([4,"n1","TypeConstraintViolation","number out of range",{}])");
  rpc_->OnText(R"([2,"n2","Reset",{"type":)");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1], R"([4,"n2","FormationViolation","not valid JSON",{}])");
  EXPECT_EQ(warnings_.size(), 2u);
}

TEST_F(RpcFramesTest, NullPayloadMeansNoPayload) {
  rpc_->OnText(R"([2,"z1","ClearCache",null])");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], R"([3,"z1",{"status":"Accepted"}])");
  rpc_->OnText(R"([2,"z2","Reset",null])");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1],
            R"([4,"z2","OccurenceConstraintViolation","/type: required property missing",{}])");
}

TEST_F(RpcFramesTest, MessageIdsOf36NonAsciiCharactersAreAnswered) {
  std::string id;
  for (int i = 0; i < 36; ++i) id += "\xe2\x82\xac";  // U+20AC, 3 bytes each
  rpc_->OnText("[2,\"" + id + "\",\"ClearCache\",{}]");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], "[3,\"" + id + "\",{\"status\":\"Accepted\"}]");
}

TEST_F(RpcFramesTest, DeeplyNestedFramesAreTracedWithoutRecursion) {
  std::vector<std::string> trace;
  rpc_->SetTrace([&](TraceDirection, std::string_view f) { trace.emplace_back(f); });
  const std::string deep = R"([2,"d1","DataTransfer",{"vendorId":"AuthorizationKey","data":)" +
                           std::string(1000000, '[') + std::string(1000000, ']') + "}]";
  rpc_->OnText(deep);
  ASSERT_EQ(trace.size(), 2u);  // received, and our answer
  EXPECT_EQ(trace[0].size(), deep.size());
}

}  // namespace
}  // namespace ocpp::runtime
