// WsClientTransport against a central system that misbehaves at the byte
// level: a plain non-blocking socket driven from the test, which answers the
// upgrade correctly and then sends frames no WebSocket server may send. The
// client must end the connection (and never crash, which ASan checks).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/raw_ws_peer.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;

std::string WebSocketAccept(const std::string& key) {
  const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[64];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

// One listening socket on 127.0.0.1; everything non-blocking so that the test
// can poll it between loop turns.
using testing::ListenOnLoopback;

class RawCentralSystem {
 public:
  RawCentralSystem() { listener_ = ListenOnLoopback(&port_); }
  ~RawCentralSystem() {
    CloseConnection();
    close(listener_);
  }
  int port() const { return port_; }

  // Accepts and reads the upgrade request. False until it is complete.
  bool TryReadRequest() {
    if (connection_ < 0) {
      connection_ = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      if (connection_ < 0) return false;
    }
    char buffer[4096];
    const ssize_t n = read(connection_, buffer, sizeof(buffer));
    if (n > 0) request_.append(buffer, static_cast<size_t>(n));
    return request_.find("\r\n\r\n") != std::string::npos;
  }
  // A correct 101 answer selecting ocpp1.6.
  void AnswerUpgrade() {
    const std::string marker = "sec-websocket-key: ";
    std::string lower = request_;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t key_at = lower.find(marker) + marker.size();
    const std::string key = request_.substr(key_at, request_.find("\r\n", key_at) - key_at);
    Write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        WebSocketAccept(key) + "\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n");
  }
  void Write(const std::string& bytes) {
    ASSERT_EQ(write(connection_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void WriteRaw(const std::vector<unsigned char>& bytes) {
    Write(std::string(bytes.begin(), bytes.end()));
  }
  void CloseConnection() {
    if (connection_ >= 0) close(connection_);
    connection_ = -1;
    request_.clear();
  }

 private:
  int listener_ = -1;
  int connection_ = -1;
  int port_ = 0;
  std::string request_;
};

class WsHostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = LwsEventLoop::Create(clock_);
    ASSERT_NE(loop_, nullptr);
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(peer_.port()) + "/ocpp";
    options.charge_point_id = "CP1";
    options.max_message_bytes = 4096;
    options.random_seed = 1;
    std::string error;
    client_ = WsClientTransport::Create(*loop_, options, &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks({[this] { ++connected_; },
                           [this](std::string_view text) { texts_.emplace_back(text); },
                           [this](DisconnectReason reason) { disconnects_.push_back(reason); }});
    client_->Start();
  }

  // Completes the upgrade, then lets the client see it.
  void Connect() {
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer_.TryReadRequest(); }));
    peer_.AnswerUpgrade();
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == 1; }));
  }
  // Sends `frame` on an open connection; the client must drop it.
  void ExpectDisconnectAfter(const std::vector<unsigned char>& frame) {
    ASSERT_NO_FATAL_FAILURE(Connect());
    peer_.WriteRaw(frame);
    // The raw peer never answers a close frame: the client gives up waiting
    // for it after 5 s on the clock.
    testing::PumpFor(*loop_, 10);
    clock_.Advance(milliseconds(5000));
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }))
        << "client kept a connection that sent an invalid frame";
    EXPECT_TRUE(texts_.empty());
    EXPECT_TRUE(client_->reconnect_deadline().has_value());
  }

  base::FakeClock clock_;
  RawCentralSystem peer_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::unique_ptr<WsClientTransport> client_;
  int connected_ = 0;
  std::vector<std::string> texts_;
  std::vector<DisconnectReason> disconnects_;
};

TEST_F(WsHostilePeerTest, ValidFramesFromTheRawPeerAreDelivered) {
  ASSERT_NO_FATAL_FAILURE(Connect());
  peer_.WriteRaw({0x81, 0x02, 'h', 'i'});
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !texts_.empty(); }));
  EXPECT_EQ(texts_[0], "hi");
  EXPECT_TRUE(disconnects_.empty());
}

TEST_F(WsHostilePeerTest, GarbageInsteadOfAnHttpAnswer) {
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer_.TryReadRequest(); }));
  static constexpr char kGarbage[] = "\x16\x03\x01 not http at all\r\n\r\n\0\xff";
  peer_.Write(std::string(kGarbage, sizeof(kGarbage) - 1));
  testing::PumpFor(*loop_, 10);
  EXPECT_EQ(connected_, 0);
  // Whether lws gives up at once or waits for more, the connect timeout (on
  // the clock) ends it.
  clock_.Advance(milliseconds(30'000));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(connected_, 0);
  EXPECT_EQ(disconnects_[0], DisconnectReason::kConnectFailed);
}

TEST_F(WsHostilePeerTest, HangUpDuringTheHandshake) {
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer_.TryReadRequest(); }));
  peer_.Write("HTTP/1.1 101 Switching");
  peer_.CloseConnection();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(connected_, 0);
  EXPECT_EQ(disconnects_[0], DisconnectReason::kConnectFailed);
}

TEST_F(WsHostilePeerTest, AnnouncedLengthBeyondTheLimit) {
  // 64-bit length 2^62. lws buffers at most one 16 KiB chunk before handing
  // it over; that chunk is refused because of the announced length.
  std::vector<unsigned char> frame = {0x81, 0x7f, 0x40, 0, 0, 0, 0, 0, 0, 0};
  frame.resize(frame.size() + 20'000, 'x');
  ASSERT_NO_FATAL_FAILURE(ExpectDisconnectAfter(frame));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
}

TEST_F(WsHostilePeerTest, InvalidUtf8Text) {
  ASSERT_NO_FATAL_FAILURE(ExpectDisconnectAfter({0x81, 0x02, 0xc3, 0x28}));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
}

TEST_F(WsHostilePeerTest, ReservedOpcode) { ExpectDisconnectAfter({0x83, 0x01, 'a'}); }

TEST_F(WsHostilePeerTest, ReservedBitsWithoutAnExtension) {
  ExpectDisconnectAfter({0xc1, 0x01, 'a'});
}

TEST_F(WsHostilePeerTest, ContinuationWithoutAStart) { ExpectDisconnectAfter({0x80, 0x01, 'a'}); }

TEST_F(WsHostilePeerTest, OversizedControlFrame) {
  std::vector<unsigned char> ping = {0x89, 0x7e, 0x00, 0x80};
  ping.resize(ping.size() + 128, 'p');
  ExpectDisconnectAfter(ping);
}

TEST_F(WsHostilePeerTest, FragmentedControlFrame) { ExpectDisconnectAfter({0x09, 0x00}); }

TEST_F(WsHostilePeerTest, AbruptCloseInTheMiddleOfAFrame) {
  ASSERT_NO_FATAL_FAILURE(Connect());
  peer_.WriteRaw({0x81, 0x7e, 0x01, 0x00, 'p', 'a', 'r', 't'});  // 256 announced, 4 sent
  peer_.CloseConnection();
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kClosedByPeer);
  EXPECT_TRUE(texts_.empty());
}

}  // namespace
}  // namespace ocpp::runtime
