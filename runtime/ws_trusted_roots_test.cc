// Roots installed at run time (InstallCertificate of a
// CentralSystemRootCertificate) are trusted from the next TLS handshake on,
// next to ca_file; removing them withdraws the trust.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"
#include "runtime/ws_server.h"

namespace ocpp::runtime {
namespace {

using ConnectError = WsClientTransport::ConnectError;

class WsTrustedRootsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string directory = testing::TestTempDirectory() + "/ws_trusted_roots_pki";
    auto pki = testing::CreateTestPki(directory, "CP1");
    ASSERT_TRUE(pki.has_value());
    pki_ = *pki;
    loop_ = LwsEventLoop::Create(clock_, {});
    ASSERT_NE(loop_, nullptr);
    WsServer::Options server_options;
    server_options.endpoint_path = "/ocpp";
    server_options.cert_file = pki_.server_cert;  // issued by ca_cert
    server_options.key_file = pki_.server_key;
    server_options.on_open = [this](WsServer::ConnectionId id, const WsServer::UpgradeRequest&) {
      ++opened_;
      connection_ = id;
    };
    std::string error;
    server_ = WsServer::Create(*loop_, std::move(server_options), &error);
    ASSERT_NE(server_, nullptr) << error;

    WsClientTransport::Options options;
    options.central_system_url = "wss://127.0.0.1:" + std::to_string(server_->port()) + "/ocpp";
    options.charge_point_id = "CP1";
    options.security_profile = SecurityProfile::kTlsWithBasicAuth;
    options.authorization_key = "0123456789abcdef";
    options.ca_file = pki_.other_ca_cert;  // the factory trusts another CA only
    options.random_seed = 3;
    client_ = WsClientTransport::Create(*loop_, std::move(options), &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks(
        {[this] { ++connected_; }, nullptr, [this](DisconnectReason) { ++disconnects_; }});
  }

  // Waits for the attempt under way to end; true if it connected.
  bool Attempt() {
    const int connected = connected_;
    const int disconnects = disconnects_;
    EXPECT_TRUE(testing::PumpUntil(
        *loop_, [&] { return connected_ > connected || disconnects_ > disconnects; }));
    return connected_ > connected;
  }
  // Moves the clock to the scheduled reconnect.
  void Retry() {
    ASSERT_TRUE(client_->reconnect_deadline().has_value());
    clock_.Advance(std::chrono::duration_cast<base::Milliseconds>(*client_->reconnect_deadline() -
                                                                  clock_.Now()));
  }

  testing::TestPki pki_;
  base::FakeClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::unique_ptr<WsServer> server_;
  std::unique_ptr<WsClientTransport> client_;
  WsServer::ConnectionId connection_{};
  int opened_ = 0;
  int connected_ = 0;
  int disconnects_ = 0;
};

TEST_F(WsTrustedRootsTest, AnInstalledRootIsTrustedFromTheNextHandshake) {
  client_->Start();
  ASSERT_FALSE(Attempt());
  EXPECT_EQ(client_->last_connect_error().kind, ConnectError::Kind::kServerCertificate);
  EXPECT_EQ(client_->SecurityFailure(), "InvalidCentralSystemCertificate");

  ASSERT_TRUE(client_->SetTrustedRoots({testing::ReadTextFile(pki_.ca_cert)}));
  Retry();
  ASSERT_TRUE(Attempt());
  EXPECT_EQ(opened_, 1);
}

TEST_F(WsTrustedRootsTest, RemovingTheRootsWithdrawsTheTrust) {
  ASSERT_TRUE(client_->SetTrustedRoots(
      {testing::ReadTextFile(pki_.expired_ca_cert), testing::ReadTextFile(pki_.ca_cert)}));
  client_->Start();
  ASSERT_TRUE(Attempt());
  ASSERT_TRUE(client_->SetTrustedRoots({}));
  ASSERT_TRUE(server_->Drop(connection_));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return disconnects_ == 1; }));
  Retry();
  EXPECT_FALSE(Attempt());
  EXPECT_EQ(client_->last_connect_error().kind, ConnectError::Kind::kServerCertificate);
  EXPECT_EQ(opened_, 1);
}

TEST_F(WsTrustedRootsTest, TextThatIsNoCertificateChangesNothing) {
  ASSERT_TRUE(client_->SetTrustedRoots({testing::ReadTextFile(pki_.ca_cert)}));
  EXPECT_FALSE(client_->SetTrustedRoots({"-----BEGIN CERTIFICATE-----\nAAAA\n"}));
  EXPECT_FALSE(client_->SetTrustedRoots({testing::ReadTextFile(pki_.ca_cert), "garbage"}));
  client_->Start();
  EXPECT_TRUE(Attempt()) << "the roots set before stay";
}

}  // namespace
}  // namespace ocpp::runtime
