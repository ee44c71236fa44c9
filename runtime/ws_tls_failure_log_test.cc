// A TLS handshake that fails for the protocol version or the cipher suites
// (not the certificate) is logged with OpenSSL's reason, so the operator sees
// why, not just "ConnectFailed". The server is a bare OpenSSL socket server
// on 127.0.0.1 that offers only what the test wants.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/raw_ws_peer.h"
#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace {

using testing::ListenOnLoopback;

class TlsOnlyServer {
 public:
  // `configure` restricts the context (versions, ciphers).
  TlsOnlyServer(const testing::TestPki& pki, void (*configure)(SSL_CTX*)) {
    context_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_security_level(context_, 0);  // let it offer TLS 1.1 at all
    SSL_CTX_use_certificate_chain_file(context_, pki.server_cert.c_str());
    SSL_CTX_use_PrivateKey_file(context_, pki.server_key.c_str(), SSL_FILETYPE_PEM);
    configure(context_);
    listener_ = ListenOnLoopback(&port_);
  }
  ~TlsOnlyServer() {
    if (ssl_) SSL_free(ssl_);
    if (connection_ >= 0) close(connection_);
    close(listener_);
    SSL_CTX_free(context_);
  }
  int port() const { return port_; }
  // Advances the server side of the handshake (between loop turns).
  void Poll() {
    if (connection_ < 0) {
      connection_ = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      if (connection_ < 0) return;
      ssl_ = SSL_new(context_);
      SSL_set_fd(ssl_, connection_);
    }
    if (!failed_ && SSL_accept(ssl_) <= 0) {
      const int error = SSL_get_error(ssl_, -1);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) failed_ = true;
    }
  }

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  int listener_ = -1;
  int connection_ = -1;
  int port_ = 0;
  bool failed_ = false;
};

class WsTlsFailureLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string directory = testing::TestTempDirectory() + "/ws_tls_failure_log_pki";
    std::optional<testing::TestPki> pki = testing::CreateTestPki(directory, "CP1");
    ASSERT_TRUE(pki.has_value());
    pki_ = new testing::TestPki(std::move(*pki));
  }
  static void TearDownTestSuite() { delete pki_; }

  // Connects once; returns the logged failure line.
  std::string FailedConnectLog(TlsOnlyServer& server) {
    LwsEventLoop::Options loop_options;
    loop_options.log_sink = [this](LogLevel, std::string_view text) { logs_.emplace_back(text); };
    std::unique_ptr<LwsEventLoop> loop = LwsEventLoop::Create(clock_, loop_options);
    WsClientTransport::Options options;
    options.central_system_url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/ocpp";
    options.charge_point_id = "CP1";
    options.security_profile = SecurityProfile::kTlsWithBasicAuth;
    options.authorization_key = "0123456789abcdef";
    options.ca_file = pki_->ca_cert;
    options.random_seed = 1;
    std::string error;
    auto client = WsClientTransport::Create(*loop, options, &error);
    EXPECT_NE(client, nullptr) << error;
    if (!client) return {};
    int failures = 0;
    client->SetCallbacks({nullptr, nullptr, [&](DisconnectReason) { ++failures; }});
    client->Start();
    EXPECT_TRUE(testing::PumpUntil(*loop, [&] {
      server.Poll();
      return failures > 0;
    }));
    EXPECT_EQ(client->last_connect_error().kind, WsClientTransport::ConnectError::Kind::kTransport);
    security_failure_ = client->SecurityFailure();
    client.reset();
    for (const std::string& line : logs_) {
      if (line.find("connection failed") != std::string::npos) return line;
    }
    return {};
  }

  static testing::TestPki* pki_;
  base::FakeClock clock_;
  std::vector<std::string> logs_;
  std::string security_failure_;  // the whitepaper's event type for it
};

testing::TestPki* WsTlsFailureLogTest::pki_ = nullptr;

TEST_F(WsTlsFailureLogTest, ServerOfferingOnlyTls11IsLoggedAsAProtocolVersionFailure) {
  TlsOnlyServer server(*pki_, [](SSL_CTX* context) {
    SSL_CTX_set_min_proto_version(context, TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(context, TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0");
  });
  const std::string line = FailedConnectLog(server);
  EXPECT_NE(line.find("protocol version"), std::string::npos) << line;
  EXPECT_EQ(security_failure_, "InvalidTLSVersion");
}

TEST_F(WsTlsFailureLogTest, NoSharedCipherIsLoggedAsAHandshakeFailure) {
  TlsOnlyServer server(*pki_, [](SSL_CTX* context) {
    SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(context, "AES128-SHA");  // CBC: not in the whitepaper list
  });
  const std::string line = FailedConnectLog(server);
  EXPECT_NE(line.find("handshake failure"), std::string::npos) << line;
  EXPECT_EQ(security_failure_, "InvalidTLSCipherSuite");
}

}  // namespace
}  // namespace ocpp::runtime
