// Parts of WsClientTransport that need no connection: the Basic credentials
// and the validation of its options.
#include "runtime/ws_client_transport.h"

#include <gtest/gtest.h>

#include <string>

#include "runtime/lws_event_loop.h"

namespace ocpp::runtime {
namespace {

TEST(BasicAuthorizationValueTest, WhitepaperEdition2UsesTheKeyAsGiven) {
  // Base64("AL1000:0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF")
  EXPECT_EQ(WsClientTransport::BasicAuthorizationValue(
                "AL1000", "0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF", /*key_is_hex=*/false),
            "Basic QUwxMDAwOjAwMDEwMjAzMDQwNTA2MDdGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkY=");
}

TEST(BasicAuthorizationValueTest, LegacyHexReadingMatchesTheOcppJ16Example) {
  // OCPP-J 1.6 §6.2.2, verbatim.
  EXPECT_EQ(WsClientTransport::BasicAuthorizationValue(
                "AL1000", "0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF", /*key_is_hex=*/true),
            "Basic QUwxMDAwOgABAgMEBQYH////////////////");
  EXPECT_EQ(WsClientTransport::BasicAuthorizationValue("AL1000", "0g", true), "");
  EXPECT_EQ(WsClientTransport::BasicAuthorizationValue("AL1000", "abc", true), "");
}

TEST(BasicAuthorizationValueTest, EncodesUtf8IdentitiesAsBytes) {
  // Base64("\xC3\xA4:k") = "w6Q6aw=="
  EXPECT_EQ(WsClientTransport::BasicAuthorizationValue("\xC3\xA4", "k", false), "Basic w6Q6aw==");
}

class WsClientOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = LwsEventLoop::Create(clock_);
    ASSERT_NE(loop_, nullptr);
  }
  static WsClientTransport::Options Valid() {
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:9/ocpp";
    options.charge_point_id = "CP1";
    return options;
  }
  // Create() refuses `options`; returns its reason.
  std::string Refusal(const WsClientTransport::Options& options) {
    std::string error;
    EXPECT_EQ(WsClientTransport::Create(*loop_, options, &error), nullptr);
    EXPECT_FALSE(error.empty());
    return error;
  }

  base::FakeClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
};

TEST_F(WsClientOptionsTest, ValidOptionsCreateAnIdleTransport) {
  std::string error;
  auto transport = WsClientTransport::Create(*loop_, Valid(), &error);
  ASSERT_NE(transport, nullptr) << error;
  EXPECT_FALSE(transport->IsConnected());
  EXPECT_FALSE(transport->Send("x"));
  EXPECT_FALSE(transport->reconnect_deadline().has_value());
  EXPECT_EQ(transport->request_path(), "/ocpp/CP1");
}

TEST_F(WsClientOptionsTest, ConnectionSettingsAreValidated) {
  auto transport = WsClientTransport::Create(*loop_, Valid());
  ASSERT_NE(transport, nullptr);
  EXPECT_TRUE(transport->SetPingInterval(std::chrono::seconds(30)));
  EXPECT_TRUE(transport->SetPingInterval(std::chrono::seconds(0)));
  EXPECT_FALSE(transport->SetPingInterval(std::chrono::seconds(-1)));
  EXPECT_TRUE(transport->SetAuthorizationKey("0123456789abcdef"));
  EXPECT_FALSE(transport->SetAuthorizationKey(""));
}

TEST_F(WsClientOptionsTest, SchemeMustMatchTheSecurityProfile) {
  WsClientTransport::Options options = Valid();
  options.central_system_url = "wss://127.0.0.1:9/ocpp";
  Refusal(options);  // profile 0 over wss
  options.security_profile = SecurityProfile::kBasicAuth;
  options.authorization_key = "0123456789abcdef";
  Refusal(options);  // profile 1 over wss
  options = Valid();
  options.security_profile = SecurityProfile::kTlsWithBasicAuth;
  options.authorization_key = "0123456789abcdef";
  options.ca_file = "/nonexistent";
  Refusal(options);  // profile 2 over ws
}

TEST_F(WsClientOptionsTest, ProfilesNeedTheirCredentials) {
  WsClientTransport::Options basic = Valid();
  basic.security_profile = SecurityProfile::kBasicAuth;
  Refusal(basic);  // no key
  basic.authorization_key = "0123456789abcdef";
  basic.charge_point_id = "CP:1";
  Refusal(basic);  // ':' cannot be a Basic user name
  basic.charge_point_id = "CP1";
  basic.authorization_key_is_hex = true;
  basic.authorization_key = "not hex at all!!";
  Refusal(basic);

  WsClientTransport::Options tls = Valid();
  tls.central_system_url = "wss://127.0.0.1:9/ocpp";
  tls.security_profile = SecurityProfile::kTlsWithBasicAuth;
  tls.authorization_key = "0123456789abcdef";
  // No CA file is fine: the installed roots (SetTrustedRoots) are the trust.
  tls.ca_file = "/nonexistent/ca.pem";
  Refusal(tls);  // CA file cannot be loaded

  WsClientTransport::Options mutual = Valid();
  mutual.central_system_url = "wss://127.0.0.1:9/ocpp";
  mutual.security_profile = SecurityProfile::kTlsWithClientCertificate;
  mutual.ca_file = "/nonexistent/ca.pem";
  Refusal(mutual);  // no client certificate
}

TEST_F(WsClientOptionsTest, RefusesNonsense) {
  WsClientTransport::Options options = Valid();
  options.central_system_url = "http://127.0.0.1/ocpp";
  Refusal(options);
  options = Valid();
  options.charge_point_id.clear();
  Refusal(options);
  options = Valid();
  options.security_profile = static_cast<SecurityProfile>(4);
  Refusal(options);
  options = Valid();
  options.reconnect_cap = options.reconnect_base - base::Milliseconds(1);
  Refusal(options);
  options = Valid();
  options.pong_timeout = base::Milliseconds(0);
  Refusal(options);
  options = Valid();
  options.ping_interval = base::Milliseconds(-1);
  Refusal(options);
  options = Valid();
  options.max_message_bytes = 0;
  Refusal(options);
  options = Valid();
  options.connect_timeout = base::Milliseconds(0);
  Refusal(options);
}

}  // namespace
}  // namespace ocpp::runtime
