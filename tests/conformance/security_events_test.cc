// Security whitepaper ed. 2, the parts that do not depend on the security
// profile in use (with ChargePoint::Options::security_extension; a plain
// 1.6 central system gets no SecurityEventNotification): critical security events (queued durably,
// sent in order, kept across power cuts), the security log and GetLog (N01) with
// LogStatusNotification, and ExtendedTriggerMessage (F06).
#include <fstream>
#include <iterator>

#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class SecurityEvents : public Harness {
 protected:
  void SetUp() override { security_extension_ = true; }
  Strings EventTypes() const {
    Strings out;
    for (const auto& p : Payloads("SecurityEventNotification")) out.push_back(Str(p, "type"));
    return out;
  }
  Strings LogStatuses() const {
    Strings out;
    for (const auto& p : Payloads("LogStatusNotification")) out.push_back(Str(p, "status"));
    return out;
  }
};

TEST_F(SecurityEvents, startup_and_reboot_are_reported) {
  StartStation();
  ASSERT_TRUE(WaitForCall("SecurityEventNotification"));
  EXPECT_EQ(EventTypes(), Strings{"StartupOfTheDevice"});
  auto startup = LastPayload("SecurityEventNotification");
  EXPECT_EQ(EpochSeconds(startup), WallSeconds());
  ClearFrames();
  EXPECT_EQ(CsmsCall(v16::ResetReq{v16::ResetType::kSoft}).status, v16::ResetStatus::kAccepted);
  Advance(Seconds(2));
  ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return EventTypes().size() == 2; }))
      << ::testing::PrintToString(EventTypes()) << ::testing::PrintToString(Calls());
  // ResetOrReboot was queued before the reboot and goes out after it.
  EXPECT_EQ(EventTypes(), (Strings{"ResetOrReboot", "StartupOfTheDevice"}));
}

// Critical events are queued durably: one that could not be sent (no
// connection) survives a power cut and goes out after the next boot, before
// the new one.
TEST_F(SecurityEvents, critical_events_survive_a_power_cut_while_offline) {
  set_refuse_connections(true);
  StartStation({}, /*wait_for_boot=*/false);
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("SecurityEventNotification"), 0);
  PowerCut();
  set_refuse_connections(false);
  StartStation();
  ASSERT_TRUE(WaitUntil([&] { return EventTypes().size() == 2; }))
      << ::testing::PrintToString(EventTypes());
  EXPECT_EQ(EventTypes(), (Strings{"StartupOfTheDevice", "StartupOfTheDevice"}));
  const auto events = Payloads("SecurityEventNotification");
  EXPECT_LT(EpochSeconds(events.front()), EpochSeconds(events.back()))
      << "stamped when it happened";
}

TEST_F(SecurityEvents, TC_079_CS_get_security_log) {
  StartStation();
  ASSERT_TRUE(WaitForCall("SecurityEventNotification"));
  ClearFrames();
  v16::GetLogReq req;
  req.log_type = v16::LogEnumType::kSecurityLog;
  req.request_id = 42;
  req.log.remote_location = *codec::CiString<512>::From("ftp://user:pw@127.0.0.1/logs/");
  const auto conf = CsmsCall(req);
  EXPECT_EQ(conf.status, v16::LogStatusEnumType::kAccepted);
  ASSERT_TRUE(conf.filename.has_value());
  EXPECT_EQ(conf.filename->view().rfind("security-", 0), 0u);
  ASSERT_TRUE(WaitUntil([&] { return LogStatuses().size() == 2; }));
  EXPECT_EQ(LogStatuses(), (Strings{"Uploading", "Uploaded"}));
  EXPECT_EQ(LastPayload("LogStatusNotification")["requestId"], 42);
  ASSERT_EQ(transfers().uploads.size(), 1u);
  EXPECT_NE(transfers().uploads[0].second.find("StartupOfTheDevice"), std::string::npos);
}

TEST_F(SecurityEvents, get_log_of_an_empty_period_and_a_failed_upload) {
  StartStation();
  v16::GetLogReq req;
  req.log_type = v16::LogEnumType::kDiagnosticsLog;
  req.request_id = 7;
  req.log.remote_location = *codec::CiString<512>::From("ftp://127.0.0.1/nowhere/");
  req.log.oldest_timestamp = codec::DateTime::FromUnixMillis((WallSeconds() + 3600) * 1000);
  auto conf = CsmsCall(req);
  EXPECT_EQ(conf.status, v16::LogStatusEnumType::kAccepted);
  EXPECT_FALSE(conf.filename.has_value()) << "nothing in that period";
  transfers().Fail("ftp://127.0.0.1/nowhere/", "connection refused");
  req.log.oldest_timestamp.reset();
  req.retries = 1;
  ClearFrames();
  conf = CsmsCall(req);
  ASSERT_TRUE(conf.filename.has_value());
  ASSERT_TRUE(WaitUntil([&] { return LogStatuses().size() == 2; }));
  EXPECT_EQ(LogStatuses(), (Strings{"Uploading", "UploadFailure"}));
}

TEST_F(SecurityEvents, extended_trigger_message) {
  StartStation();
  ClearFrames();
  using E = v16::MessageTriggerEnumType;
  using S = v16::TriggerMessageStatusEnumType;
  auto trigger = [&](E message, std::optional<int> connector = {}) {
    const auto status = CsmsCall(v16::ExtendedTriggerMessageReq{message, connector}).status;
    Settle();
    return status;
  };
  EXPECT_EQ(trigger(E::kHeartbeat), S::kAccepted);
  ASSERT_TRUE(WaitForCall("Heartbeat"));
  EXPECT_EQ(trigger(E::kLogStatusNotification), S::kAccepted);
  ASSERT_TRUE(WaitForCall("LogStatusNotification"));
  EXPECT_EQ(Str(LastPayload("LogStatusNotification"), "status"), "Idle");
  EXPECT_EQ(trigger(E::kStatusNotification, 1), S::kAccepted);
  EXPECT_EQ(trigger(E::kMeterValues, connectors() + 1), S::kRejected);
  // Implemented (certificates_test.cc): Rejected while CpoName is empty.
  EXPECT_EQ(trigger(E::kSignChargePointCertificate), S::kRejected);
}

// Frames that are no valid OCPP-J go to the security log as
// InvalidMessages, once per connection (not once per frame).
TEST_F(SecurityEvents, invalid_messages_are_a_security_event) {
  StartStation();
  ASSERT_TRUE(csms().SendRaw("this is not JSON"));
  ASSERT_TRUE(csms().SendRaw(R"([2,"x1","Heartbeat"])"));  // malformed CALL
  ASSERT_TRUE(csms().SendRaw(R"([9,"x2",{}])"));           // unknown message type
  Settle();
  std::ifstream log(data_dir() + "/security/diagnostics.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  const auto first = text.find("InvalidMessages");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("InvalidMessages", first + 1), std::string::npos) << text;
  EXPECT_TRUE(station_connected()) << "nothing closes the connection";
}

class NoSecurityExtension : public Harness {};

// A plain OCPP 1.6 central system never sees whitepaper messages.
TEST_F(NoSecurityExtension, security_events_are_only_logged) {
  StartStation();
  Settle();
  EXPECT_EQ(CountCalls("SecurityEventNotification"), 0);
}

}  // namespace
}  // namespace ocpp::conformance
