// Stopping the transport is an RFC 6455 closing handshake: the server gets a
// close frame with the code we chose, and the owner can pump the loop until
// the connection has really ended (what station_sim does on reset, quit and
// SIGTERM) without waiting forever for a server that does not answer.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/raw_ws_peer.h"
#include "runtime/ws_client_transport.h"
#include "runtime/ws_server.h"

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;

class WsGracefulCloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = LwsEventLoop::Create(clock_);
    ASSERT_NE(loop_, nullptr);
  }

  void StartServer() {
    WsServer::Options options;
    options.endpoint_path = "/ocpp";
    options.on_open = [this](WsServer::ConnectionId id, const WsServer::UpgradeRequest&) {
      opened_.push_back(id);
    };
    options.on_peer_close = [this](WsServer::ConnectionId, std::uint16_t code) {
      peer_close_codes_.push_back(code);
    };
    options.on_close = [this](WsServer::ConnectionId id) { closed_.push_back(id); };
    std::string error;
    server_ = WsServer::Create(*loop_, options, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  void StartClient(int port) {
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(port) + "/ocpp";
    options.charge_point_id = "CP1";
    options.random_seed = 3;
    std::string error;
    client_ = WsClientTransport::Create(*loop_, options, &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks({[this] { ++connected_; }, nullptr,
                           [this](DisconnectReason reason) { disconnects_.push_back(reason); }});
    client_->Start();
  }

  base::FakeClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::unique_ptr<WsServer> server_;
  std::unique_ptr<WsClientTransport> client_;
  std::vector<WsServer::ConnectionId> opened_;
  std::vector<WsServer::ConnectionId> closed_;
  std::vector<std::uint16_t> peer_close_codes_;
  int connected_ = 0;
  std::vector<DisconnectReason> disconnects_;
};

TEST_F(WsGracefulCloseTest, GoingAwayReachesTheServerBeforeTheClientIsStopped) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(StartClient(server_->port()));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1 && !opened_.empty(); }));
  client_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
  EXPECT_FALSE(client_->IsStopped());  // the close frame is not out yet
  // What an exiting owner does: pump until stopped. The server answers, so
  // no clock advance is needed.
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return client_->IsStopped(); }));
  ASSERT_EQ(peer_close_codes_.size(), 1u);
  EXPECT_EQ(peer_close_codes_[0], 1001);
  ASSERT_EQ(disconnects_.size(), 1u);
  EXPECT_EQ(disconnects_[0], DisconnectReason::kClosedLocally);
  EXPECT_FALSE(client_->reconnect_deadline().has_value());
  // Destroying the stopped client now costs the server nothing more.
  client_.reset();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !closed_.empty(); }));
  EXPECT_EQ(peer_close_codes_.size(), 1u);
}

TEST_F(WsGracefulCloseTest, StopWaitsForTheServersCloseFrame) {
  // A raw peer: the client must keep the TCP connection until the answer.
  testing::RawWsPeer peer;
  ASSERT_NO_FATAL_FAILURE(StartClient(peer.port()));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer.TryReadRequest(); }));
  peer.AnswerUpgrade();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1; }));
  client_->Stop();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
    peer.Poll();
    return peer.close_code().has_value();
  }));
  EXPECT_EQ(*peer.close_code(), 1000);
  testing::PumpFor(*loop_, 20);
  peer.Poll();
  EXPECT_FALSE(peer.client_hung_up());
  EXPECT_FALSE(client_->IsStopped());
  ASSERT_TRUE(peer.WriteRaw({0x88, 0x02, 0x03, 0xe8}));  // the server's answer
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return client_->IsStopped(); }));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
    peer.Poll();
    return peer.client_hung_up();
  }));
  EXPECT_EQ(disconnects_, std::vector<DisconnectReason>{DisconnectReason::kClosedLocally});
}

TEST_F(WsGracefulCloseTest, ServerThatNeverAnswersIsCutOffByTheCloseTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(StartClient(server_->port()));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1 && !opened_.empty(); }));
  ASSERT_TRUE(server_->StopReading(opened_.back()));
  client_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
  testing::PumpFor(*loop_, 20);
  EXPECT_FALSE(client_->IsStopped());
  clock_.Advance(milliseconds(5000));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return client_->IsStopped(); }));
  EXPECT_EQ(disconnects_, std::vector<DisconnectReason>{DisconnectReason::kClosedLocally});
}

}  // namespace
}  // namespace ocpp::runtime
