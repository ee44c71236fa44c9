// WsClientTransport against WsServer over real WebSockets on 127.0.0.1, both
// on one LwsEventLoop with a FakeClock. The loop is pumped only to let
// loopback I/O happen; every timer (back-off, ping, pong, connect timeout)
// fires because the test advanced the clock.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/reconnect_backoff.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"
#include "runtime/ws_server.h"

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;
using ConnectError = WsClientTransport::ConnectError;
using Verdict = WsServer::Verdict;

// Needs encoding three ways: a space, a '/', and UTF-8.
constexpr char kChargePointId[] = "CP 001/\xC3\xA4";
constexpr char kEncodedPath[] = "/ocpp/CP%20001%2F%C3%A4";
constexpr char kAuthorizationKey[] = "Secr3tAuthorizationKey0123456789";
constexpr std::uint64_t kSeed = 20260101;

struct ServerLog {
  std::function<Verdict(const WsServer::UpgradeRequest&)> decide;  // null: accept
  std::vector<WsServer::UpgradeRequest> upgrade_requests;
  std::vector<WsServer::ConnectionId> opened;
  std::vector<std::string> texts;
  std::vector<std::uint16_t> peer_close_codes;
  std::vector<WsServer::ConnectionId> closed;
};

struct ClientLog {
  int connected = 0;
  std::vector<std::string> texts;
  std::vector<DisconnectReason> disconnects;
};

class WsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string directory = testing::TestTempDirectory() + "/ws_transport_test_pki";
    std::optional<testing::TestPki> pki = testing::CreateTestPki(directory, kChargePointId);
    ASSERT_TRUE(pki.has_value()) << "could not create test certificates in " << directory;
    pki_ = new testing::TestPki(std::move(*pki));
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pki_, nullptr);
    LwsEventLoop::Options options;
    options.log_sink = [this](LogLevel, std::string_view text) { logs_.emplace_back(text); };
    loop_ = LwsEventLoop::Create(clock_, options);
    ASSERT_NE(loop_, nullptr);
  }

  WsServer::Options ServerOptions() {
    WsServer::Options options;
    options.endpoint_path = "/ocpp";
    options.accept = [this](const WsServer::UpgradeRequest& request) {
      server_log_.upgrade_requests.push_back(request);
      return server_log_.decide ? server_log_.decide(request) : Verdict::kAccept;
    };
    options.on_open = [this](WsServer::ConnectionId id, const WsServer::UpgradeRequest&) {
      server_log_.opened.push_back(id);
    };
    options.on_text = [this](WsServer::ConnectionId, std::string_view text) {
      server_log_.texts.emplace_back(text);
    };
    options.on_peer_close = [this](WsServer::ConnectionId, std::uint16_t code) {
      server_log_.peer_close_codes.push_back(code);
    };
    options.on_close = [this](WsServer::ConnectionId id) { server_log_.closed.push_back(id); };
    return options;
  }

  WsServer::Options TlsServerOptions(const std::string& cert, const std::string& key) {
    WsServer::Options options = ServerOptions();
    options.cert_file = cert;
    options.key_file = key;
    return options;
  }

  void StartServer(WsServer::Options options) {
    std::string error;
    server_ = WsServer::Create(*loop_, std::move(options), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_GT(server_->port(), 0);
  }

  WsClientTransport::Options ClientOptions(SecurityProfile profile, int port) {
    const bool tls = profile == SecurityProfile::kTlsWithBasicAuth ||
                     profile == SecurityProfile::kTlsWithClientCertificate;
    WsClientTransport::Options options;
    options.central_system_url =
        std::string(tls ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port) + "/ocpp";
    options.charge_point_id = kChargePointId;
    options.security_profile = profile;
    if (profile == SecurityProfile::kBasicAuth || profile == SecurityProfile::kTlsWithBasicAuth) {
      options.authorization_key = kAuthorizationKey;
    }
    if (tls) options.ca_file = pki_->ca_cert;
    if (profile == SecurityProfile::kTlsWithClientCertificate) {
      options.client_cert_file = pki_->client_cert;
      options.client_key_file = pki_->client_key;
    }
    options.random_seed = kSeed;
    return options;
  }
  WsClientTransport::Options ClientOptions(SecurityProfile profile) {
    return ClientOptions(profile, server_ ? server_->port() : 1);
  }

  void StartClient(WsClientTransport::Options options) {
    std::string error;
    client_ = WsClientTransport::Create(*loop_, std::move(options), &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks({
        [this] { ++client_log_.connected; },
        [this](std::string_view text) { client_log_.texts.emplace_back(text); },
        [this](DisconnectReason reason) { client_log_.disconnects.push_back(reason); },
    });
    client_->Start();
  }

  bool Pump(const std::function<bool()>& done) { return testing::PumpUntil(*loop_, done); }
  bool PumpUntilConnected(int times = 1) {
    return Pump([&] {
      return client_log_.connected >= times &&
             server_log_.opened.size() >= static_cast<size_t>(times);
    });
  }
  bool PumpUntilDisconnects(size_t count) {
    return Pump([&] { return client_log_.disconnects.size() >= count; });
  }
  // The connect attempt failed (no connection opened on the server).
  void ExpectConnectFailed(ConnectError::Kind kind) {
    ASSERT_TRUE(PumpUntilDisconnects(1));
    EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kConnectFailed);
    EXPECT_EQ(client_log_.connected, 0);
    EXPECT_TRUE(server_log_.opened.empty());
    EXPECT_EQ(client_->last_connect_error().kind, kind) << client_->last_connect_error().detail;
    EXPECT_FALSE(client_->IsConnected());
    // Retrying is scheduled, never immediate-and-unbounded.
    EXPECT_TRUE(client_->reconnect_deadline().has_value());
  }
  WsServer::ConnectionId only_connection() const { return server_log_.opened.back(); }

  static testing::TestPki* pki_;
  base::FakeClock clock_;
  std::vector<std::string> logs_;
  std::unique_ptr<LwsEventLoop> loop_;
  ServerLog server_log_;
  ClientLog client_log_;
  // Destroyed before the loop (members go in reverse order).
  std::unique_ptr<WsServer> server_;
  std::unique_ptr<WsClientTransport> client_;
};

testing::TestPki* WsTransportTest::pki_ = nullptr;

TEST_F(WsTransportTest, ExchangesTextBothWaysOverWs) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  EXPECT_FALSE(client_->Send("too early"));  // not connected yet: nothing queued
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_TRUE(client_->IsConnected());

  EXPECT_TRUE(client_->Send(R"([2,"1","Heartbeat",{}])"));
  EXPECT_TRUE(client_->Send(R"([2,"2","Heartbeat",{}])"));
  ASSERT_TRUE(Pump([&] { return server_log_.texts.size() == 2; }));
  EXPECT_EQ(server_log_.texts[0], R"([2,"1","Heartbeat",{}])");
  EXPECT_EQ(server_log_.texts[1], R"([2,"2","Heartbeat",{}])");

  ASSERT_TRUE(server_->Send(only_connection(), R"([3,"1",{"currentTime":"x"}])"));
  ASSERT_TRUE(Pump([&] { return client_log_.texts.size() == 1; }));
  EXPECT_EQ(client_log_.texts[0], R"([3,"1",{"currentTime":"x"}])");
  EXPECT_TRUE(client_log_.disconnects.empty());
}

TEST_F(WsTransportTest, RequestPathCarriesThePercentEncodedIdentity) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  EXPECT_EQ(client_->request_path(), kEncodedPath);
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_EQ(server_log_.upgrade_requests.size(), 1u);
  // lws decodes the path; the identity survives the round trip intact,
  // including its '/', which only works if it was sent as %2F.
  EXPECT_EQ(server_log_.upgrade_requests[0].path, std::string("/ocpp/") + kChargePointId);
  EXPECT_EQ(server_log_.upgrade_requests[0].charge_point_id, kChargePointId);
  EXPECT_TRUE(server_log_.upgrade_requests[0].authorization.empty());  // profile 0
}

TEST_F(WsTransportTest, ServerThatDoesNotSelectOcpp16IsRefused) {
  WsServer::Options options = ServerOptions();
  options.refuse_subprotocol = true;
  StartServer(options);
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kSubprotocolRefused);
  EXPECT_EQ(client_log_.connected, 0);
  EXPECT_EQ(client_->last_connect_error().kind, ConnectError::Kind::kSubprotocol);
  EXPECT_TRUE(client_->reconnect_deadline().has_value());
}

TEST_F(WsTransportTest, BasicAuthIsSentAsTheWhitepaperSays) {
  const std::string expected = WsClientTransport::BasicAuthorizationValue(
      kChargePointId, kAuthorizationKey, /*key_is_hex=*/false);
  server_log_.decide = [&](const WsServer::UpgradeRequest& request) {
    return request.authorization == expected ? Verdict::kAccept : Verdict::kUnauthorized;
  };
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kBasicAuth));
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_EQ(server_log_.upgrade_requests[0].authorization, expected);
}

TEST_F(WsTransportTest, UnauthorizedIsAConnectFailureAndARetryIsScheduled) {
  server_log_.decide = [](const WsServer::UpgradeRequest&) { return Verdict::kUnauthorized; };
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kBasicAuth));
  ExpectConnectFailed(ConnectError::Kind::kHttpStatus);
  EXPECT_EQ(client_->last_connect_error().http_status, 401);

  // The retry happens when the clock reaches the deadline.
  clock_.Advance(
      std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  ASSERT_TRUE(PumpUntilDisconnects(2));
  EXPECT_EQ(server_log_.upgrade_requests.size(), 2u);
  EXPECT_EQ(client_log_.disconnects[1], DisconnectReason::kConnectFailed);
}

TEST_F(WsTransportTest, UnknownChargePointIsAConnectFailure) {
  server_log_.decide = [](const WsServer::UpgradeRequest&) { return Verdict::kNotFound; };
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ExpectConnectFailed(ConnectError::Kind::kHttpStatus);
  EXPECT_EQ(client_->last_connect_error().http_status, 404);
}

TEST_F(WsTransportTest, NothingListeningIsAConnectFailure) {
  // A port that was free a moment ago and has no listener now.
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  close(probe);
  StartClient(ClientOptions(SecurityProfile::kUnsecured, ntohs(address.sin_port)));
  ExpectConnectFailed(ConnectError::Kind::kTransport);
}

TEST_F(WsTransportTest, HandshakeThatNeverCompletesTimesOutOnTheClock) {
  // Accepts TCP (in the kernel backlog) but never answers the upgrade.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(silent, 4), 0);
  socklen_t length = sizeof(address);
  getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);

  WsClientTransport::Options options =
      ClientOptions(SecurityProfile::kUnsecured, ntohs(address.sin_port));
  options.connect_timeout = milliseconds(10'000);
  StartClient(options);
  testing::PumpFor(*loop_, 20);
  EXPECT_TRUE(client_log_.disconnects.empty());
  clock_.Advance(milliseconds(9'999));
  testing::PumpFor(*loop_, 5);
  EXPECT_TRUE(client_log_.disconnects.empty());
  clock_.Advance(milliseconds(1));
  ExpectConnectFailed(ConnectError::Kind::kTimeout);
  close(silent);
}

TEST_F(WsTransportTest, ExchangesTextOverTlsWithBasicAuth) {
  StartServer(TlsServerOptions(pki_->server_cert, pki_->server_key));
  StartClient(ClientOptions(SecurityProfile::kTlsWithBasicAuth));
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_FALSE(server_log_.upgrade_requests[0].authorization.empty());
  ASSERT_TRUE(client_->Send("over tls"));
  ASSERT_TRUE(server_->Send(only_connection(), "and back"));
  ASSERT_TRUE(Pump([&] { return !server_log_.texts.empty() && !client_log_.texts.empty(); }));
  EXPECT_EQ(server_log_.texts[0], "over tls");
  EXPECT_EQ(client_log_.texts[0], "and back");
}

TEST_F(WsTransportTest, ServerCertificateFromAnUntrustedCaIsRefused) {
  StartServer(TlsServerOptions(pki_->server_cert, pki_->server_key));
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kTlsWithBasicAuth);
  options.ca_file = pki_->other_ca_cert;
  StartClient(options);
  ExpectConnectFailed(ConnectError::Kind::kServerCertificate);
  EXPECT_TRUE(server_log_.upgrade_requests.empty());  // no password went out
}

TEST_F(WsTransportTest, ServerCertificateForAnotherHostIsRefused) {
  StartServer(TlsServerOptions(pki_->wrong_host_cert, pki_->wrong_host_key));
  StartClient(ClientOptions(SecurityProfile::kTlsWithBasicAuth));
  ExpectConnectFailed(ConnectError::Kind::kServerCertificate);
  EXPECT_TRUE(server_log_.upgrade_requests.empty());
}

TEST_F(WsTransportTest, ExpiredServerCertificateIsRefused) {
  StartServer(TlsServerOptions(pki_->expired_cert, pki_->expired_key));
  StartClient(ClientOptions(SecurityProfile::kTlsWithBasicAuth));
  ExpectConnectFailed(ConnectError::Kind::kServerCertificate);
  EXPECT_TRUE(server_log_.upgrade_requests.empty());
}

TEST_F(WsTransportTest, ClientCertificateAuthenticatesTheChargePoint) {
  WsServer::Options options = TlsServerOptions(pki_->server_cert, pki_->server_key);
  options.client_ca_file = pki_->ca_cert;
  StartServer(options);
  StartClient(ClientOptions(SecurityProfile::kTlsWithClientCertificate));
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_EQ(server_log_.upgrade_requests[0].client_certificate_common_name, kChargePointId);
  EXPECT_TRUE(server_log_.upgrade_requests[0].authorization.empty());  // profile 3: no Basic
}

TEST_F(WsTransportTest, ServerRequiringClientCertificatesRefusesAClientWithout) {
  WsServer::Options options = TlsServerOptions(pki_->server_cert, pki_->server_key);
  options.client_ca_file = pki_->ca_cert;
  StartServer(options);
  StartClient(ClientOptions(SecurityProfile::kTlsWithBasicAuth));  // no client certificate
  ExpectConnectFailed(ConnectError::Kind::kTransport);
  EXPECT_TRUE(server_log_.upgrade_requests.empty());
}

TEST_F(WsTransportTest, ServerRefusesAClientCertificateFromAnotherCa) {
  WsServer::Options options = TlsServerOptions(pki_->server_cert, pki_->server_key);
  options.client_ca_file = pki_->ca_cert;
  StartServer(options);
  WsClientTransport::Options client = ClientOptions(SecurityProfile::kTlsWithClientCertificate);
  client.client_cert_file = pki_->rogue_client_cert;
  client.client_key_file = pki_->rogue_client_key;
  StartClient(client);
  ExpectConnectFailed(ConnectError::Kind::kTransport);
  EXPECT_TRUE(server_log_.upgrade_requests.empty());
}

TEST_F(WsTransportTest, ServerDropInTheMiddleReconnectsAfterTheBackOff) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->Drop(only_connection()));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kClosedByPeer);
  EXPECT_FALSE(client_->IsConnected());
  EXPECT_FALSE(client_->Send("lost"));

  // First retry after a working connection: uniform in [0, base].
  ReconnectBackoff expected(milliseconds(2000), milliseconds(60'000), kSeed);
  const milliseconds delay = expected.Next();
  ASSERT_TRUE(client_->reconnect_deadline().has_value());
  EXPECT_EQ(*client_->reconnect_deadline(), clock_.Now() + delay);
  clock_.Advance(delay);
  ASSERT_TRUE(PumpUntilConnected(2));
  EXPECT_EQ(server_log_.opened.size(), 2u);
  EXPECT_FALSE(client_->reconnect_deadline().has_value());
}

TEST_F(WsTransportTest, ServerCloseFrameIsClosedByPeerAndReconnects) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->Close(only_connection(), 1001));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kClosedByPeer);
  EXPECT_TRUE(client_->reconnect_deadline().has_value());
}

TEST_F(WsTransportTest, BackOffDelaysFollowTheFormulaOnTheClock) {
  server_log_.decide = [](const WsServer::UpgradeRequest&) { return Verdict::kUnauthorized; };
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kBasicAuth);
  options.reconnect_base = milliseconds(2000);
  options.reconnect_cap = milliseconds(16'000);
  StartClient(options);
  ASSERT_TRUE(PumpUntilDisconnects(1));

  ReconnectBackoff expected(milliseconds(2000), milliseconds(16'000), kSeed);
  for (size_t attempt = 1; attempt <= 7; ++attempt) {
    SCOPED_TRACE("after failed attempt " + std::to_string(attempt));
    const milliseconds ceiling = expected.NextCeiling();
    const milliseconds delay = expected.Next();
    EXPECT_LE(delay, ceiling);
    ASSERT_TRUE(client_->reconnect_deadline().has_value());
    EXPECT_EQ(*client_->reconnect_deadline(), clock_.Now() + delay);
    EXPECT_EQ(client_->reconnect_attempts(), static_cast<int>(attempt));
    if (delay.count() > 0) {
      clock_.Advance(delay - milliseconds(1));
      testing::PumpFor(*loop_, 5);
      EXPECT_EQ(server_log_.upgrade_requests.size(), attempt) << "retried before the deadline";
      clock_.Advance(milliseconds(1));
    }
    ASSERT_TRUE(PumpUntilDisconnects(attempt + 1));
    EXPECT_EQ(server_log_.upgrade_requests.size(), attempt + 1);
  }

  // A successful connection starts the back-off over from the base.
  server_log_.decide = nullptr;
  const milliseconds delay = expected.Next();
  clock_.Advance(delay);
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_EQ(client_->reconnect_attempts(), 0);
  ASSERT_TRUE(server_->Drop(only_connection()));
  ASSERT_TRUE(PumpUntilDisconnects(9));
  expected.Reset();
  EXPECT_EQ(*client_->reconnect_deadline(), clock_.Now() + expected.Next());
}

TEST_F(WsTransportTest, MissingPongDropsTheConnectionAndReconnects) {
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kUnsecured);
  options.ping_interval = milliseconds(1000);
  options.pong_timeout = milliseconds(500);
  StartClient(options);
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->StopReading(only_connection()));  // the link goes silent

  clock_.Advance(milliseconds(1000));
  testing::PumpFor(*loop_, 5);
  EXPECT_TRUE(client_->awaiting_pong());
  clock_.Advance(milliseconds(499));
  testing::PumpFor(*loop_, 5);
  EXPECT_TRUE(client_log_.disconnects.empty());
  clock_.Advance(milliseconds(1));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kPongTimeout);

  ASSERT_TRUE(client_->reconnect_deadline().has_value());
  clock_.Advance(
      std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  ASSERT_TRUE(PumpUntilConnected(2));
}

TEST_F(WsTransportTest, AnsweredPingsKeepTheConnection) {
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kUnsecured);
  options.ping_interval = milliseconds(1000);
  options.pong_timeout = milliseconds(500);
  StartClient(options);
  ASSERT_TRUE(PumpUntilConnected());
  for (int round = 0; round < 5; ++round) {
    clock_.Advance(milliseconds(1000));
    loop_->RunOnce(milliseconds(0));  // the ping timer fires
    EXPECT_TRUE(client_->awaiting_pong());
    ASSERT_TRUE(Pump([&] { return !client_->awaiting_pong(); })) << "no pong in round " << round;
  }
  clock_.Advance(milliseconds(600));
  testing::PumpFor(*loop_, 5);
  EXPECT_TRUE(client_->IsConnected());
  EXPECT_TRUE(client_log_.disconnects.empty());
}

TEST_F(WsTransportTest, NoPingsWhenTheIntervalIsZero) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));  // ping_interval 0
  ASSERT_TRUE(PumpUntilConnected());
  server_->StopReading(only_connection());
  clock_.Advance(milliseconds(3'600'000));
  testing::PumpFor(*loop_, 5);
  EXPECT_FALSE(client_->awaiting_pong());
  EXPECT_TRUE(client_->IsConnected());
}

TEST_F(WsTransportTest, PingIntervalChangesApplyWhileConnected) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));  // no pings at first
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(client_->SetPingInterval(milliseconds(2000)));
  clock_.Advance(milliseconds(1999));
  loop_->RunOnce(milliseconds(0));
  EXPECT_FALSE(client_->awaiting_pong());
  clock_.Advance(milliseconds(1));
  loop_->RunOnce(milliseconds(0));
  EXPECT_TRUE(client_->awaiting_pong());
  ASSERT_TRUE(Pump([&] { return !client_->awaiting_pong(); }));

  ASSERT_TRUE(client_->SetPingInterval(milliseconds(0)));
  clock_.Advance(milliseconds(3'600'000));
  loop_->RunOnce(milliseconds(0));
  EXPECT_FALSE(client_->awaiting_pong());
  EXPECT_FALSE(client_->SetPingInterval(milliseconds(-1)));
  EXPECT_TRUE(client_->IsConnected());
}

TEST_F(WsTransportTest, NewAuthorizationKeyIsUsedFromTheNextAttempt) {
  const std::string new_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const std::string new_header =
      WsClientTransport::BasicAuthorizationValue(kChargePointId, new_key, false);
  server_log_.decide = [&](const WsServer::UpgradeRequest& request) {
    return request.authorization == new_header ? Verdict::kAccept : Verdict::kUnauthorized;
  };
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kBasicAuth));  // old key
  ExpectConnectFailed(ConnectError::Kind::kHttpStatus);
  EXPECT_FALSE(client_->SetAuthorizationKey(""));
  ASSERT_TRUE(client_->SetAuthorizationKey(new_key));
  clock_.Advance(
      std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  ASSERT_TRUE(PumpUntilConnected());
  EXPECT_EQ(server_log_.upgrade_requests.back().authorization, new_header);
}

TEST_F(WsTransportTest, FragmentedMessagesAreReassembled) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->SendFragmented(
      only_connection(),
      {R"([2,"7",)", R"("Reset",)", "", "{\"k\":\"\xC3", "\xA4\"}]"}));  // splits one character
  // A large single message arrives in several lws reads.
  const std::string large(60'000, 'x');
  ASSERT_TRUE(server_->Send(only_connection(), large));
  ASSERT_TRUE(Pump([&] { return client_log_.texts.size() == 2; }));
  EXPECT_EQ(client_log_.texts[0], "[2,\"7\",\"Reset\",{\"k\":\"\xC3\xA4\"}]");
  EXPECT_EQ(client_log_.texts[1], large);
  EXPECT_TRUE(client_->IsConnected());
}

TEST_F(WsTransportTest, OversizedMessageIsRefusedWith1009AndReconnects) {
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kUnsecured);
  options.max_message_bytes = 1000;
  StartClient(options);
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->Send(only_connection(), std::string(1000, 'a')));  // exactly the limit
  ASSERT_TRUE(Pump([&] { return client_log_.texts.size() == 1; }));
  ASSERT_TRUE(server_->Send(only_connection(), std::string(1001, 'b')));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kProtocolError);
  ASSERT_TRUE(Pump([&] { return !server_log_.peer_close_codes.empty(); }));
  EXPECT_EQ(server_log_.peer_close_codes[0], 1009);
  EXPECT_EQ(client_log_.texts.size(), 1u);
  EXPECT_TRUE(client_->reconnect_deadline().has_value());
}

TEST_F(WsTransportTest, OversizedFragmentedMessageIsRefused) {
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kUnsecured);
  options.max_message_bytes = 1000;
  StartClient(options);
  ASSERT_TRUE(PumpUntilConnected());
  // Each fragment is small; together they are too much.
  ASSERT_TRUE(
      server_->SendFragmented(only_connection(), {std::string(600, 'a'), std::string(600, 'b')}));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kProtocolError);
  EXPECT_TRUE(client_log_.texts.empty());
}

TEST_F(WsTransportTest, ServerRefusesOversizedClientMessages) {
  WsServer::Options options = ServerOptions();
  options.max_message_bytes = 100;
  StartServer(options);
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  const WsServer::ConnectionId id = only_connection();
  ASSERT_TRUE(client_->Send(std::string(101, 'z')));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kClosedByPeer);
  EXPECT_TRUE(server_log_.texts.empty());
  ASSERT_TRUE(Pump([&] { return !server_log_.closed.empty(); }));
  // A closed connection takes nothing any more.
  EXPECT_FALSE(server_->Send(id, "x"));
  EXPECT_FALSE(server_->Close(id));
  EXPECT_FALSE(server_->Drop(id));
  EXPECT_FALSE(server_->StopReading(id));
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(WsTransportTest, BinaryMessagesAreIgnored) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->SendBinary(only_connection(), std::string("\x00\x01\x02\xff", 4)));
  ASSERT_TRUE(server_->Send(only_connection(), "text after binary"));
  ASSERT_TRUE(Pump([&] { return !client_log_.texts.empty(); }));
  EXPECT_EQ(client_log_.texts, std::vector<std::string>{"text after binary"});
  EXPECT_TRUE(client_->IsConnected());
}

TEST_F(WsTransportTest, StopSendsACloseFrameAndStopsReconnecting) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  client_->Stop();
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kClosedLocally);
  ASSERT_TRUE(Pump([&] { return !server_log_.closed.empty(); }));
  ASSERT_EQ(server_log_.peer_close_codes.size(), 1u);
  EXPECT_EQ(server_log_.peer_close_codes[0], 1000);
  EXPECT_FALSE(client_->reconnect_deadline().has_value());
  clock_.Advance(milliseconds(3'600'000));
  testing::PumpFor(*loop_, 5);
  EXPECT_EQ(server_log_.upgrade_requests.size(), 1u);

  // Start again: connects again.
  client_->Start();
  ASSERT_TRUE(PumpUntilConnected(2));
}

TEST_F(WsTransportTest, StopWhileWaitingToRetryCancelsTheRetry) {
  server_log_.decide = [](const WsServer::UpgradeRequest&) { return Verdict::kUnauthorized; };
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kBasicAuth));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  client_->Stop();
  EXPECT_FALSE(client_->reconnect_deadline().has_value());
  clock_.Advance(milliseconds(3'600'000));
  testing::PumpFor(*loop_, 5);
  EXPECT_EQ(server_log_.upgrade_requests.size(), 1u);
  EXPECT_EQ(client_log_.disconnects.size(), 1u);
}

TEST_F(WsTransportTest, DestroyingAConnectedTransportClosesTheConnection) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  client_.reset();
  ASSERT_TRUE(Pump([&] { return !server_log_.closed.empty(); }));
  EXPECT_TRUE(client_log_.disconnects.empty());  // no callback into a dead object's owner
}

TEST_F(WsTransportTest, StopThenStartWhileClosingReconnects) {
  StartServer(ServerOptions());
  StartClient(ClientOptions(SecurityProfile::kUnsecured));
  ASSERT_TRUE(PumpUntilConnected());
  client_->Stop();
  client_->Start();  // the old connection is still closing
  ASSERT_TRUE(PumpUntilDisconnects(1));
  EXPECT_EQ(client_log_.disconnects[0], DisconnectReason::kClosedLocally);
  ASSERT_TRUE(client_->reconnect_deadline().has_value());
  clock_.Advance(
      std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  ASSERT_TRUE(PumpUntilConnected(2));
}

TEST_F(WsTransportTest, LargeMessagesTravelBothWaysIntact) {
  StartServer(ServerOptions());
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kUnsecured);
  options.max_message_bytes = 512 * 1024;
  StartClient(options);
  ASSERT_TRUE(PumpUntilConnected());
  std::string up(300'000, '\0');
  std::string down(400'000, '\0');
  for (size_t i = 0; i < up.size(); ++i) up[i] = static_cast<char>('a' + i % 26);
  for (size_t i = 0; i < down.size(); ++i) down[i] = static_cast<char>('A' + i % 26);
  // More than a socket buffer: lws has to finish the writes over several turns.
  ASSERT_TRUE(client_->Send(up));
  ASSERT_TRUE(client_->Send("after"));
  ASSERT_TRUE(server_->Send(only_connection(), down));
  ASSERT_TRUE(Pump([&] { return server_log_.texts.size() == 2 && client_log_.texts.size() == 1; }));
  EXPECT_TRUE(server_log_.texts[0] == up);
  EXPECT_EQ(server_log_.texts[1], "after");
  EXPECT_TRUE(client_log_.texts[0] == down);
}

TEST_F(WsTransportTest, ClientKeyThatDoesNotMatchItsCertificateIsRefusedAtCreate) {
  WsClientTransport::Options options = ClientOptions(SecurityProfile::kTlsWithClientCertificate, 1);
  options.client_key_file = pki_->rogue_client_key;
  std::string error;
  EXPECT_EQ(WsClientTransport::Create(*loop_, options, &error), nullptr);
  EXPECT_NE(error.find("client_key_file"), std::string::npos) << error;
}

TEST_F(WsTransportTest, ServerCannotListenOnAPortInUse) {
  const int other = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(other, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(other, 4), 0);
  socklen_t length = sizeof(address);
  getsockname(other, reinterpret_cast<sockaddr*>(&address), &length);
  WsServer::Options options = ServerOptions();
  options.port = ntohs(address.sin_port);
  std::string error;
  EXPECT_EQ(WsServer::Create(*loop_, options, &error), nullptr);
  EXPECT_FALSE(error.empty());
  close(other);
}

TEST_F(WsTransportTest, PasswordNeverAppearsInAnyLog) {
  std::vector<std::string> library_lines;
  LwsEventLoop::SetLibraryLogSink(
      [&](LogLevel, std::string_view text) { library_lines.emplace_back(text); },
      (1 << LLL_COUNT) - 1);  // every lws level, debug and parser traces included
  const std::string header = WsClientTransport::BasicAuthorizationValue(
      kChargePointId, kAuthorizationKey, /*key_is_hex=*/false);
  server_log_.decide = [&](const WsServer::UpgradeRequest& request) {
    return request.authorization == header ? Verdict::kAccept : Verdict::kUnauthorized;
  };
  StartServer(TlsServerOptions(pki_->server_cert, pki_->server_key));
  StartClient(ClientOptions(SecurityProfile::kTlsWithBasicAuth));
  ASSERT_TRUE(PumpUntilConnected());
  ASSERT_TRUE(server_->Drop(only_connection()));
  ASSERT_TRUE(PumpUntilDisconnects(1));
  // And a refused attempt, which logs the failure.
  server_log_.decide = [](const WsServer::UpgradeRequest&) { return Verdict::kUnauthorized; };
  clock_.Advance(
      std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  ASSERT_TRUE(PumpUntilDisconnects(2));
  client_.reset();
  LwsEventLoop::SetLibraryLogSink(nullptr);

  ASSERT_EQ(server_log_.upgrade_requests.size(), 2u);
  EXPECT_EQ(server_log_.upgrade_requests[0].authorization, header);  // it was really sent
  EXPECT_FALSE(logs_.empty());
  EXPECT_GT(library_lines.size(), 100u);  // the capture did capture
  const std::string base64 = header.substr(std::string("Basic ").size());
  for (const std::vector<std::string>* lines : {&logs_, &library_lines}) {
    for (const std::string& line : *lines) {
      EXPECT_EQ(line.find(kAuthorizationKey), std::string::npos) << line;
      EXPECT_EQ(line.find(base64), std::string::npos) << line;
      EXPECT_EQ(line.find(base64.substr(0, 16)), std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace ocpp::runtime
