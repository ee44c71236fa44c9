// Messages over max_message_bytes (RFC 6455 7.4.1: close 1009), in one
// frame of any size, against a real WsServer and a raw-socket peer whose
// frame header alone announces too much. The client must close with 1009,
// reconnect, and never corrupt memory (ASan runs these too).
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

class WsOversizedMessageTest : public ::testing::TestWithParam<size_t> {
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
    std::string error;
    server_ = WsServer::Create(*loop_, options, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  void StartClient(int port) {
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(port) + "/ocpp";
    options.charge_point_id = "CP1";
    options.random_seed = 7;  // default max_message_bytes: 64 KiB
    std::string error;
    client_ = WsClientTransport::Create(*loop_, options, &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks({[this] { ++connected_; },
                           [this](std::string_view text) { texts_.emplace_back(text); },
                           [this](DisconnectReason reason) { disconnects_.push_back(reason); }});
    client_->Start();
  }

  void AdvanceToReconnect() {
    ASSERT_TRUE(client_->reconnect_deadline().has_value());
    clock_.Advance(
        std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
  }

  base::FakeClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::unique_ptr<WsServer> server_;
  std::unique_ptr<WsClientTransport> client_;
  std::vector<WsServer::ConnectionId> opened_;
  std::vector<std::uint16_t> peer_close_codes_;
  int connected_ = 0;
  std::vector<std::string> texts_;
  std::vector<DisconnectReason> disconnects_;
};

// A real lws server: it sees the 1009 only when it is not still sending (lws
// hangs up on a peer close while it has output pending), so 64 KiB + 1.
TEST_F(WsOversizedMessageTest, ServerSeesThe1009AndTheClientReconnects) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(StartClient(server_->port()));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1 && !opened_.empty(); }));
  ASSERT_TRUE(server_->Send(opened_.back(), std::string(64 * 1024 + 1, 'x')));
  ASSERT_TRUE(testing::PumpUntil(
      *loop_, [&] { return !disconnects_.empty() && !peer_close_codes_.empty(); }));
  EXPECT_EQ(peer_close_codes_[0], 1009);
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  EXPECT_TRUE(texts_.empty());

  ASSERT_NO_FATAL_FAILURE(AdvanceToReconnect());
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 2; }));
  ASSERT_TRUE(server_->Send(opened_.back(), "[2,\"1\",\"Reset\",{}]"));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return texts_.size() == 1; }));
}

// A raw peer sends the whole frame and answers the close after it.
TEST_P(WsOversizedMessageTest, SingleFrameIsRefusedWith1009AndTheClientReconnects) {
  testing::RawWsPeer peer;
  ASSERT_NO_FATAL_FAILURE(StartClient(peer.port()));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer.TryReadRequest(); }));
  peer.AnswerUpgrade();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1; }));

  const size_t size = GetParam();
  peer.Queue(testing::RawWsPeer::FrameHeader(0x81, size));
  std::vector<unsigned char> payload(size, '[');  // 200 kB of nesting and more
  peer.Queue(payload);
  ASSERT_TRUE(testing::PumpUntil(
      *loop_,
      [&] {
        peer.Poll();
        return peer.close_code().has_value() && peer.queue_empty();
      },
      20000));
  EXPECT_EQ(*peer.close_code(), 1009);
  peer.Queue({0x88, 0x02, 0x03, 0xf1});  // the answer, after the frame
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
    peer.Poll();
    return !disconnects_.empty();
  }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  EXPECT_TRUE(texts_.empty());

  peer.CloseConnection();
  ASSERT_NO_FATAL_FAILURE(AdvanceToReconnect());
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer.TryReadRequest(); }));
  peer.AnswerUpgrade();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 2; }));
  ASSERT_TRUE(peer.WriteRaw({0x81, 0x02, '[', ']'}));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return texts_.size() == 1; }));
}

INSTANTIATE_TEST_SUITE_P(Sizes, WsOversizedMessageTest,
                         ::testing::Values(64 * 1024 + 1, 200'000, 1024 * 1024, 16 * 1024 * 1024));

TEST(WsOversizedHeaderTest, HeaderAnnouncingTooMuchIsRefusedAtOnce) {
  // 2^63 - 1 announced, a few bytes sent, then nothing: the client must not
  // wait for the payload (with pings off it would wait forever).
  base::FakeClock clock;
  testing::RawWsPeer peer;
  std::unique_ptr<LwsEventLoop> loop = LwsEventLoop::Create(clock);
  ASSERT_NE(loop, nullptr);
  WsClientTransport::Options options;
  options.central_system_url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/ocpp";
  options.charge_point_id = "CP1";
  options.random_seed = 7;
  int connected = 0;
  std::vector<DisconnectReason> disconnects;
  std::unique_ptr<WsClientTransport> client = WsClientTransport::Create(*loop, options);
  ASSERT_NE(client, nullptr);
  client->SetCallbacks({[&] { ++connected; }, nullptr,
                        [&](DisconnectReason reason) { disconnects.push_back(reason); }});
  client->Start();
  ASSERT_TRUE(testing::PumpUntil(*loop, [&] { return peer.TryReadRequest(); }));
  peer.AnswerUpgrade();
  ASSERT_TRUE(testing::PumpUntil(*loop, [&] { return connected == 1; }));

  std::vector<unsigned char> frame = testing::RawWsPeer::FrameHeader(0x81, 0x7fffffffffffffffULL);
  frame.insert(frame.end(), {'[', '2', ','});
  ASSERT_TRUE(peer.WriteRaw(frame));
  ASSERT_TRUE(testing::PumpUntil(*loop, [&] {
    peer.Poll();
    return peer.close_code().has_value();
  })) << "the client kept waiting for 2^63 bytes";
  EXPECT_EQ(*peer.close_code(), 1009);
  // The raw peer never answers the close: cut off after 5 s on the clock.
  clock.Advance(milliseconds(5000));
  ASSERT_TRUE(testing::PumpUntil(*loop, [&] { return !disconnects.empty(); }));
  EXPECT_EQ(disconnects[0], DisconnectReason::kProtocolError);
  EXPECT_TRUE(client->reconnect_deadline().has_value());
}

}  // namespace
}  // namespace ocpp::runtime
