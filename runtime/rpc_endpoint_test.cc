#include "runtime/rpc_endpoint.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "runtime/testing/manual_event_loop.h"

namespace ocpp::runtime {
namespace {

using codec::RpcErrorCode;
using testing::ManualEventLoop;
using namespace ocpp::v16;

class RpcEndpointTest : public ::testing::Test {
 protected:
  RpcEndpointTest() { Make(RpcEndpoint::Options{}); }

  void Make(RpcEndpoint::Options options) {
    options.id_seed = 1;
    rpc_ = std::make_unique<RpcEndpoint>(
        loop_,
        [this](std::string frame) {
          if (!link_up_) return false;
          sent_.push_back(std::move(frame));
          return true;
        },
        options);
    rpc_->SetLog([this](std::string_view line) { log_.emplace_back(line); });
  }

  // Id of the last CALL sent.
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

  ManualEventLoop loop_;
  std::unique_ptr<RpcEndpoint> rpc_;
  std::vector<std::string> sent_;
  std::vector<std::string> log_;
  bool link_up_ = true;
};

TEST_F(RpcEndpointTest, CallDeliversTheTypedResult) {
  rpc_->OnConnected();
  std::optional<CallOutcome<BootNotificationConf>> outcome;
  rpc_->Call(Boot(), [&](CallOutcome<BootNotificationConf> o) { outcome = std::move(o); });
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_NE(sent_[0].find("\"BootNotification\",{\"chargePointVendor\":\"V\""), std::string::npos);
  rpc_->OnText("[3,\"" + LastId() +
               "\",{\"status\":\"Accepted\",\"currentTime\":\"2026-01-01T12:00:00Z\","
               "\"interval\":30}]");
  ASSERT_TRUE(outcome);
  auto* conf = std::get_if<BootNotificationConf>(&*outcome);
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->status, RegistrationStatus::kAccepted);
  EXPECT_EQ(conf->interval, 30);
}

TEST_F(RpcEndpointTest, OnlyOneCallIsOutstandingAndTheRestWaitInOrder) {
  rpc_->OnConnected();
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    rpc_->Call(HeartbeatReq{}, [&order, i](CallOutcome<HeartbeatConf>) { order.push_back(i); });
  }
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(rpc_->pending_calls(), 3u);
  for (int i = 0; i < 3; ++i) {
    rpc_->OnText("[3,\"" + LastId() + "\",{\"currentTime\":\"2026-01-01T12:00:00Z\"}]");
  }
  EXPECT_EQ(sent_.size(), 3u);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  // Ids are unique and at most 36 characters.
  std::set<std::string> ids;
  for (const auto& frame : sent_) {
    rapidjson::Document doc;
    doc.Parse(frame.c_str());
    ids.insert(doc[1].GetString());
    EXPECT_LE(doc[1].GetStringLength(), 36u);
  }
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(RpcEndpointTest, NothingIsSentWhileDisconnected) {
  std::optional<CallOutcome<HeartbeatConf>> outcome;
  rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> o) { outcome = std::move(o); });
  EXPECT_TRUE(sent_.empty());
  rpc_->OnConnected();
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(RpcEndpointTest, TimesOutOnTheFakeClock) {
  RpcEndpoint::Options options;
  options.response_timeout = base::Milliseconds(2000);
  Make(options);
  rpc_->OnConnected();
  std::optional<CallOutcome<HeartbeatConf>> outcome;
  rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> o) { outcome = std::move(o); });
  rpc_->Call(HeartbeatReq{}, [](CallOutcome<HeartbeatConf>) {});
  loop_.AdvanceAndRun(base::Milliseconds(1999));
  EXPECT_FALSE(outcome);
  loop_.AdvanceAndRun(base::Milliseconds(1));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(std::get<CallFailure>(*outcome).kind, CallFailure::Kind::kTimeout);
  EXPECT_EQ(sent_.size(), 2u) << "the next call goes out after the timeout";
  // A late answer to the timed-out call is dropped, not matched to the next.
  rapidjson::Document first;
  first.Parse(sent_[0].c_str());
  rpc_->OnText(std::string("[3,\"") + first[1].GetString() +
               "\",{\"currentTime\":\"2026-01-01T12:00:00Z\"}]");
  EXPECT_EQ(rpc_->pending_calls(), 1u);
}

TEST_F(RpcEndpointTest, DropInTheMiddleOfACallFailsItWithConnectionLost) {
  rpc_->OnConnected();
  std::optional<CallOutcome<HeartbeatConf>> outcome;
  rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> o) { outcome = std::move(o); });
  rpc_->OnDisconnected();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(std::get<CallFailure>(*outcome).kind, CallFailure::Kind::kConnectionLost);
}

TEST_F(RpcEndpointTest, CallErrorAndInvalidResponsesAreReported) {
  rpc_->OnConnected();
  std::optional<CallOutcome<HeartbeatConf>> a, b;
  rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> o) { a = std::move(o); });
  rpc_->OnText("[4,\"" + LastId() + "\",\"InternalError\",\"boom\",{}]");
  ASSERT_TRUE(a);
  EXPECT_EQ(std::get<CallFailure>(*a).kind, CallFailure::Kind::kCallError);
  EXPECT_EQ(std::get<CallFailure>(*a).code, RpcErrorCode::kInternalError);
  EXPECT_EQ(std::get<CallFailure>(*a).description, "boom");
  rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> o) { b = std::move(o); });
  rpc_->OnText("[3,\"" + LastId() + "\",{\"currentTime\":\"yesterday\"}]");
  ASSERT_TRUE(b);
  EXPECT_EQ(std::get<CallFailure>(*b).kind, CallFailure::Kind::kInvalidResponse);
  EXPECT_EQ(std::get<CallFailure>(*b).code, RpcErrorCode::kTypeConstraintViolation);
}

TEST_F(RpcEndpointTest, InvalidOutgoingRequestIsNeverSent) {
  rpc_->OnConnected();
  SetChargingProfileReq bad;
  bad.cs_charging_profiles.charging_schedule.charging_schedule_period.push_back(
      ChargingSchedulePeriod{0, codec::Decimal::FromMillionths(50000), std::nullopt});
  RpcEndpoint::Options options;
  options.role = Role::kCentralSystem;
  Make(options);
  rpc_->OnConnected();
  std::optional<CallOutcome<SetChargingProfileConf>> outcome;
  rpc_->Call(bad, [&](CallOutcome<SetChargingProfileConf> o) { outcome = std::move(o); });
  loop_.RunUntilIdle();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(std::get<CallFailure>(*outcome).kind, CallFailure::Kind::kInvalidRequest);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RpcEndpointTest, SendGateHoldsBackAllButTheAllowedActions) {
  bool accepted = false;
  rpc_->SetSendGate([&](Action a) { return accepted || a == Action::kBootNotification; });
  rpc_->OnConnected();
  rpc_->Call(HeartbeatReq{}, [](CallOutcome<HeartbeatConf>) {});
  EXPECT_TRUE(sent_.empty());
  rpc_->Call(Boot(), [](CallOutcome<BootNotificationConf>) {});
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_NE(sent_[0].find("BootNotification"), std::string::npos);
  accepted = true;
  rpc_->OnText("[3,\"" + LastId() +
               "\",{\"status\":\"Accepted\",\"currentTime\":\"2026-01-01T12:00:00Z\","
               "\"interval\":30}]");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_NE(sent_[1].find("Heartbeat"), std::string::npos);
}

TEST_F(RpcEndpointTest, IncomingCallsAreDecodedAndDispatchedByAction) {
  rpc_->Handle<Action::kReset>([](const ResetReq& req) -> HandlerResult<ResetConf> {
    return ResetConf{req.type == ResetType::kHard ? ResetStatus::kAccepted
                                                  : ResetStatus::kRejected};
  });
  rpc_->OnConnected();
  rpc_->OnText(R"([2,"a1","Reset",{"type":"Hard"}])");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_.back(), R"([3,"a1",{"status":"Accepted"}])");
}

struct BadInput {
  const char* frame;
  const char* expected;  // exact answer, or "" for no answer
};

TEST_F(RpcEndpointTest, EveryKindOfBadInputGetsThePreciseAnswerOrNone) {
  rpc_->Handle<Action::kReset>([](const ResetReq&) -> HandlerResult<ResetConf> {
    return ResetConf{ResetStatus::kAccepted};
  });
  rpc_->OnConnected();
  const BadInput cases[] = {
      {R"([2,"b1","Reset",{}])",
       R"([4,"b1","OccurenceConstraintViolation","/type: required property missing",{}])"},
      {R"([2,"b2","Reset",{"type":"Warm"}])",
       R"([4,"b2","PropertyConstraintViolation","/type: not a valid ResetType value",{}])"},
      {R"([2,"b3","Reset",{"type":5}])",
       R"([4,"b3","TypeConstraintViolation","/type: expected string, got integer",{}])"},
      {R"([2,"b4","Reset",{"type":"Hard","x":1}])",
       R"([4,"b4","FormationViolation","/x: property not allowed here",{}])"},
      {R"([2,"b5","Reset",[]])",
       R"([4,"b5","FormationViolation","payload must be a JSON object, got array",{}])"},
      {R"([2,"b6","Reset"])",
       R"([4,"b6","FormationViolation","CALL must be [2, messageId, action, payload]",{}])"},
      {R"([2,"b7","FlyToTheMoon",{}])",
       R"([4,"b7","NotImplemented","unknown action FlyToTheMoon",{}])"},
      {R"([2,"b8","BootNotification",{}])",
       R"([4,"b8","NotSupported","BootNotification is not supported",{}])"},
      {R"([2,"b9","UnlockConnector",{"connectorId":1}])",
       R"([4,"b9","NotSupported","UnlockConnector is not supported",{}])"},
      {R"([7,"c1",{}])", ""},
      {R"([3,"nobody",{}])", ""},
      {R"([4,"nobody","GenericError","",{}])", ""},
      {"not json at all", ""},
      {"", ""},
      {"[]", ""},
      {R"({"a":1})", ""},
  };
  for (const BadInput& c : cases) {
    sent_.clear();
    rpc_->OnText(c.frame);
    if (std::string(c.expected).empty()) {
      EXPECT_TRUE(sent_.empty()) << c.frame;
    } else {
      ASSERT_EQ(sent_.size(), 1u) << c.frame;
      EXPECT_EQ(sent_[0], c.expected) << c.frame;
    }
  }
  EXPECT_TRUE(rpc_->connected());
}

TEST_F(RpcEndpointTest, ProfilesNotOfferedAreNotSupported) {
  RpcEndpoint::Options options;
  options.offered_profiles = {FeatureProfile::kCore};
  Make(options);
  rpc_->Handle<Action::kGetLocalListVersion>(
      [](const GetLocalListVersionReq&) -> HandlerResult<GetLocalListVersionConf> {
        return GetLocalListVersionConf{1};
      });
  rpc_->OnConnected();
  rpc_->OnText(R"([2,"p1","GetLocalListVersion",{}])");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_NE(sent_[0].find("NotSupported"), std::string::npos);
}

TEST_F(RpcEndpointTest, ThrowingHandlerBecomesInternalError) {
  rpc_->Handle<Action::kClearCache>([](const ClearCacheReq&) -> HandlerResult<ClearCacheConf> {
    throw std::runtime_error("integrator bug");
  });
  rpc_->OnConnected();
  rpc_->OnText(R"([2,"t1","ClearCache",{}])");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], R"([4,"t1","InternalError","internal error",{}])");
}

TEST_F(RpcEndpointTest, TraceMasksTheAuthorizationKey) {
  RpcEndpoint::Options options;
  options.secret_configuration_keys = {"AuthorizationKey"};
  Make(options);
  std::vector<std::string> trace;
  rpc_->SetTrace([&](TraceDirection, std::string_view f) { trace.emplace_back(f); });
  rpc_->OnConnected();
  rpc_->OnText(
      R"([2,"k1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3cr3tpassw0rd"}])");
  ASSERT_FALSE(trace.empty());
  for (const auto& line : trace) EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
  EXPECT_NE(trace[0].find("***"), std::string::npos);
}

// A transport that refuses to send (it is closing) ends the "connected"
// state: a caller that retries while connected() (the transaction sender's
// Kick) must not recurse forever through send failure -> result -> retry.
// Found by station_fleet at shutdown.
TEST_F(RpcEndpointTest, ARefusedSendMeansDisconnectedAndStopsTheRetryLoop) {
  rpc_->OnConnected();
  link_up_ = false;  // the transport is closing
  int attempts = 0;
  std::function<void()> call;
  call = [&] {
    if (++attempts > 100 || !rpc_->connected()) return;
    rpc_->Call(HeartbeatReq{}, [&](CallOutcome<HeartbeatConf> outcome) {
      EXPECT_EQ(std::get<CallFailure>(outcome).kind, CallFailure::Kind::kConnectionLost);
      call();  // like TransactionMessageSender::Kick after a lost connection
    });
  };
  call();
  EXPECT_EQ(attempts, 2) << "one failed send, then connected() is false";
  EXPECT_FALSE(rpc_->connected());
  link_up_ = true;
  rpc_->OnConnected();  // the transport's next connection
  EXPECT_TRUE(rpc_->connected());
}

}  // namespace
}  // namespace ocpp::runtime
