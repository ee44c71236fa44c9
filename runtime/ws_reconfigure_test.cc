// Reconfigure (SecurityProfile changed, whitepaper A05): the transport leaves
// the current connection and reconnects at once with the new URL, profile and
// credentials; options that cannot work change nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"
#include "runtime/ws_server.h"

namespace ocpp::runtime {
namespace {

constexpr char kKey[] = "0123456789abcdef0123";

class WsReconfigureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string directory = testing::TestTempDirectory() + "/ws_reconfigure_pki";
    auto pki = testing::CreateTestPki(directory, "CP1");
    ASSERT_TRUE(pki.has_value());
    pki_ = *pki;
    loop_ = LwsEventLoop::Create(clock_, {});
    ASSERT_NE(loop_, nullptr);
    plain_ = StartServer(false, &plain_log_);
    tls_ = StartServer(true, &tls_log_);
    ASSERT_TRUE(plain_ && tls_);
    std::string error;
    client_ = WsClientTransport::Create(*loop_, Plain(), &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks(
        {[this] { ++connected_; }, nullptr, [this](DisconnectReason) { ++disconnects_; }});
  }

  struct ServerLog {
    std::vector<std::string> texts;
    std::vector<std::string> authorizations;
    int open = 0;
  };
  std::unique_ptr<WsServer> StartServer(bool tls, ServerLog* log) {
    WsServer::Options options;
    options.endpoint_path = "/ocpp";
    if (tls) {
      options.cert_file = pki_.server_cert;
      options.key_file = pki_.server_key;
    }
    options.accept = [log](const WsServer::UpgradeRequest& request) {
      log->authorizations.push_back(request.authorization);
      return WsServer::Verdict::kAccept;
    };
    options.on_open = [log](WsServer::ConnectionId, const WsServer::UpgradeRequest&) {
      ++log->open;
    };
    options.on_close = [log](WsServer::ConnectionId) { --log->open; };
    options.on_text = [log](WsServer::ConnectionId, std::string_view text) {
      log->texts.emplace_back(text);
    };
    std::string error;
    auto server = WsServer::Create(*loop_, std::move(options), &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }
  WsClientTransport::Options Plain() const {
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(plain_->port()) + "/ocpp";
    options.charge_point_id = "CP1";
    options.random_seed = 5;
    return options;
  }
  WsClientTransport::Options Tls() const {
    WsClientTransport::Options options = Plain();
    options.central_system_url = "wss://127.0.0.1:" + std::to_string(tls_->port()) + "/ocpp";
    options.security_profile = SecurityProfile::kTlsWithBasicAuth;
    options.authorization_key = kKey;
    options.ca_file = pki_.ca_cert;
    return options;
  }
  bool Pump(const std::function<bool()>& done) { return testing::PumpUntil(*loop_, done); }

  testing::TestPki pki_;
  base::FakeClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
  ServerLog plain_log_, tls_log_;
  std::unique_ptr<WsServer> plain_, tls_;
  std::unique_ptr<WsClientTransport> client_;
  int connected_ = 0;
  int disconnects_ = 0;
};

TEST_F(WsReconfigureTest, MovesFromPlainToTlsWithBasicAuthAtOnce) {
  client_->Start();
  ASSERT_TRUE(Pump([&] { return connected_ == 1 && plain_log_.open == 1; }));
  std::string error;
  ASSERT_TRUE(client_->Reconfigure(Tls(), &error)) << error;
  // No clock movement: the new attempt needs no back-off.
  ASSERT_TRUE(Pump([&] { return connected_ == 2 && tls_log_.open == 1; }));
  EXPECT_EQ(disconnects_, 1);
  EXPECT_EQ(plain_log_.open, 0) << "the old connection was closed";
  ASSERT_EQ(tls_log_.authorizations.size(), 1u);
  EXPECT_EQ(tls_log_.authorizations[0],
            WsClientTransport::BasicAuthorizationValue("CP1", kKey, false));
  // And back (the fallback of A05.FR.08).
  ASSERT_TRUE(client_->Reconfigure(Plain(), &error)) << error;
  ASSERT_TRUE(Pump([&] { return connected_ == 3 && plain_log_.open == 1; }));
}

// The answer that caused the switch (ChangeConfiguration.conf) was queued
// just before it: it reaches the server before the close frame.
TEST_F(WsReconfigureTest, FramesQueuedBeforeTheSwitchStillGoOut) {
  client_->Start();
  ASSERT_TRUE(Pump([&] { return connected_ == 1; }));
  ASSERT_TRUE(client_->Send(R"([3,"42",{"status":"Accepted"}])"));
  ASSERT_TRUE(client_->Send("second"));
  std::string error;
  ASSERT_TRUE(client_->Reconfigure(Tls(), &error)) << error;
  EXPECT_FALSE(client_->Send("after the close")) << "nothing after the close frame";
  ASSERT_TRUE(Pump([&] { return connected_ == 2; }));
  EXPECT_EQ(plain_log_.texts,
            (std::vector<std::string>{R"([3,"42",{"status":"Accepted"}])", "second"}));
}

TEST_F(WsReconfigureTest, OptionsThatCannotWorkChangeNothing) {
  client_->Start();
  ASSERT_TRUE(Pump([&] { return connected_ == 1; }));
  WsClientTransport::Options bad = Tls();
  bad.security_profile = SecurityProfile::kBasicAuth;  // wss:// with profile 1
  std::string error;
  EXPECT_FALSE(client_->Reconfigure(bad, &error));
  EXPECT_NE(error.find("needs a ws:// URL"), std::string::npos) << error;
  bad = Tls();
  bad.ca_file = "/nonexistent.pem";
  EXPECT_FALSE(client_->Reconfigure(bad, &error));
  for (int i = 0; i < 20; ++i) loop_->RunOnce(base::Milliseconds(1));
  EXPECT_TRUE(client_->IsConnected());
  EXPECT_EQ(disconnects_, 0);
}

TEST_F(WsReconfigureTest, RootsTrustedWhileOnPlainWsCarryOverToTls) {
  WsClientTransport::Options tls = Tls();
  tls.ca_file = pki_.other_ca_cert;  // the factory CA alone would refuse the server
  std::string error;
  ASSERT_TRUE(client_->SetTrustedRoots({testing::ReadTextFile(pki_.ca_cert)}));
  ASSERT_TRUE(client_->Reconfigure(tls, &error)) << error;
  client_->Start();
  ASSERT_TRUE(Pump([&] { return connected_ == 1 && tls_log_.open == 1; }));
}

}  // namespace
}  // namespace ocpp::runtime
