// RFC 6455 protocol violations from the central system (5.1, 5.2, 5.4, 5.5,
// 7.4.1): the client must answer each with a close frame carrying 1002 (1007
// for text that is not UTF-8), end the connection once the peer answers the
// close (or after the 5 s close timeout on the clock), report kProtocolError
// and reconnect with the usual back-off. The peer is a raw socket on
// 127.0.0.1 that sends exactly the bytes of each case.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/loop_pump.h"
#include "runtime/testing/raw_ws_peer.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace {

using std::chrono::milliseconds;
using Bytes = std::vector<unsigned char>;

struct Violation {
  const char* name;
  Bytes frames;
  int expected_code = 1002;
};

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

Bytes WithPayload(unsigned char first_byte, size_t length, unsigned char fill) {
  Bytes frame = testing::RawWsPeer::FrameHeader(first_byte, length);
  frame.resize(frame.size() + length, fill);
  return frame;
}

std::vector<Violation> Violations() {
  std::vector<Violation> cases = {
      {"ReservedOpcode3", {0x83, 0x01, 'a'}},
      {"ReservedOpcode7", {0x87, 0x00}},
      {"ReservedControlOpcodeB", {0x8b, 0x00}},
      {"ReservedControlOpcodeF", {0x8f, 0x01, 'a'}},
      {"Rsv1WithoutAnExtension", {0xc1, 0x01, 'a'}},
      {"Rsv2", {0xa1, 0x01, 'a'}},
      {"Rsv3", {0x91, 0x01, 'a'}},
      {"Rsv1OnAPing", {0xc9, 0x00}},
      {"ContinuationWithoutAStartedMessage", {0x80, 0x01, 'a'}},
      {"NonFinalContinuationWithoutAStart", {0x00, 0x01, 'a'}},
      {"NewTextWhileAFragmentedMessageIsOpen", {0x01, 0x01, 'a', 0x81, 0x01, 'b'}},
      {"NewBinaryWhileAFragmentedMessageIsOpen", {0x01, 0x01, 'a', 0x82, 0x01, 'b'}},
      {"PingWithPayloadOver125", WithPayload(0x89, 126, 'p')},
      {"PongWithPayloadOver125", WithPayload(0x8a, 200, 'p')},
      {"FragmentedPing", {0x09, 0x00}},
      {"MaskedTextFromTheServer", {0x81, 0x82, 0x01, 0x02, 0x03, 0x04, 'h' ^ 1, 'i' ^ 2}},
      {"MaskedPingFromTheServer", {0x89, 0x80, 0x01, 0x02, 0x03, 0x04}},
      {"InvalidUtf8Text", {0x81, 0x02, 0xc3, 0x28}, 1007},
      {"InvalidUtf8AcrossFragments", {0x01, 0x01, 0xed, 0x80, 0x02, 0xa0, 0x80}, 1007},
  };
  return cases;
}

// Close frames that break the rules: the peer has closed already, so the
// client hangs up right after its own close frame, without waiting.
std::vector<Violation> BadCloseFrames() {
  return {
      {"CloseWithPayloadOver125", Concat({{0x88, 0x7e, 0x00, 0x7e, 0x03, 0xe8}, Bytes(124, 'r')})},
      {"FragmentedClose", {0x08, 0x02, 0x03, 0xe8}},
      {"CloseWithOneBytePayload", {0x88, 0x01, 0x03}},
      {"CloseCode999", {0x88, 0x02, 0x03, 0xe7}},
      {"CloseCode1004", {0x88, 0x02, 0x03, 0xec}},
      {"CloseCode1005", {0x88, 0x02, 0x03, 0xed}},
      {"CloseCode1006", {0x88, 0x02, 0x03, 0xee}},
      {"CloseCode1015", {0x88, 0x02, 0x03, 0xf7}},
      {"CloseCode2999", {0x88, 0x02, 0x0b, 0xb7}},
      {"CloseCode5000", {0x88, 0x02, 0x13, 0x88}},
      {"CloseCode0", {0x88, 0x02, 0x00, 0x00}},
      {"InvalidUtf8CloseReason", {0x88, 0x04, 0x03, 0xe8, 0xff, 0xfe}, 1007},
  };
}

void PrintTo(const Violation& violation, std::ostream* out) { *out << violation.name; }

class WsProtocolViolationTest : public ::testing::TestWithParam<Violation> {
 protected:
  void SetUp() override {
    loop_ = LwsEventLoop::Create(clock_);
    ASSERT_NE(loop_, nullptr);
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(peer_.port()) + "/ocpp";
    options.charge_point_id = "CP1";
    options.max_message_bytes = 4096;
    options.random_seed = 5;
    std::string error;
    client_ = WsClientTransport::Create(*loop_, options, &error);
    ASSERT_NE(client_, nullptr) << error;
    client_->SetCallbacks({[this] { ++connected_; },
                           [this](std::string_view text) { texts_.emplace_back(text); },
                           [this](DisconnectReason reason) { disconnects_.push_back(reason); }});
    client_->Start();
  }

  void Connect(int times) {
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return peer_.TryReadRequest(); }));
    peer_.AnswerUpgrade();
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return connected_ == times; }));
  }

  // The client's close frame reaches the peer (the connection is not just
  // dropped, which the peer would see as 1006).
  void ExpectCloseFrame(int code) {
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
      peer_.Poll();
      return peer_.close_code().has_value() || peer_.client_hung_up();
    }));
    ASSERT_TRUE(peer_.close_code().has_value()) << "the client hung up without a close frame";
    EXPECT_EQ(*peer_.close_code(), code);
  }

  void ReconnectAndExchange() {
    peer_.CloseConnection();
    ASSERT_TRUE(client_->reconnect_deadline().has_value());
    clock_.Advance(
        std::chrono::duration_cast<milliseconds>(*client_->reconnect_deadline() - clock_.Now()));
    ASSERT_NO_FATAL_FAILURE(Connect(2));
    ASSERT_TRUE(peer_.WriteRaw({0x81, 0x02, '[', ']'}));
    ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !texts_.empty(); }));
    EXPECT_EQ(texts_.back(), "[]");
  }

  base::FakeClock clock_;
  testing::RawWsPeer peer_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::unique_ptr<WsClientTransport> client_;
  int connected_ = 0;
  std::vector<std::string> texts_;
  std::vector<DisconnectReason> disconnects_;
};

// The peer answers the close: the connection ends at once, no timer needed.
TEST_P(WsProtocolViolationTest, ClosesWithTheCodeAndEndsOnThePeersAnswer) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw(GetParam().frames));
  ASSERT_NO_FATAL_FAILURE(ExpectCloseFrame(GetParam().expected_code));
  testing::PumpFor(*loop_, 10);
  EXPECT_TRUE(disconnects_.empty()) << "ended before the peer answered the close";
  ASSERT_TRUE(peer_.WriteRaw({0x88, 0x02, 0x03, 0xea}));  // the answer: 1002
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  EXPECT_TRUE(texts_.empty());
  ASSERT_NO_FATAL_FAILURE(ReconnectAndExchange());
}

// The peer never answers: the 5 s close timeout (on the clock) ends it.
TEST_P(WsProtocolViolationTest, ClosesWithTheCodeAndTimesOutWithoutAnAnswer) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw(GetParam().frames));
  ASSERT_NO_FATAL_FAILURE(ExpectCloseFrame(GetParam().expected_code));
  clock_.Advance(milliseconds(4999));
  testing::PumpFor(*loop_, 5);
  EXPECT_TRUE(disconnects_.empty());
  clock_.Advance(milliseconds(1));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  ASSERT_NO_FATAL_FAILURE(ReconnectAndExchange());
}

INSTANTIATE_TEST_SUITE_P(Rfc6455, WsProtocolViolationTest, ::testing::ValuesIn(Violations()),
                         [](const ::testing::TestParamInfo<Violation>& info) {
                           return std::string(info.param.name);
                         });

class WsBadCloseFrameTest : public WsProtocolViolationTest {};

TEST_P(WsBadCloseFrameTest, ClosesWithTheCodeAndHangsUp) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw(GetParam().frames));
  ASSERT_NO_FATAL_FAILURE(ExpectCloseFrame(GetParam().expected_code));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
    peer_.Poll();
    return peer_.client_hung_up();
  }));
  ASSERT_NO_FATAL_FAILURE(ReconnectAndExchange());
}

INSTANTIATE_TEST_SUITE_P(Rfc6455, WsBadCloseFrameTest, ::testing::ValuesIn(BadCloseFrames()),
                         [](const ::testing::TestParamInfo<Violation>& info) {
                           return std::string(info.param.name);
                         });

class WsProtocolViolationSingleTest : public WsProtocolViolationTest {};

// A 64-bit length with the most significant bit set: the framing cannot be
// followed past it, so only the close timeout ends the connection.
TEST_F(WsProtocolViolationSingleTest, SixtyFourBitLengthWithTheTopBitSet) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw({0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 'h', 'i'}));
  ASSERT_NO_FATAL_FAILURE(ExpectCloseFrame(1002));
  clock_.Advance(milliseconds(5000));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kProtocolError);
  ASSERT_NO_FATAL_FAILURE(ReconnectAndExchange());
}

// Lenient where RFC 6455 allows it: lengths in a longer encoding than needed,
// control frames between fragments, empty fragments, pings answered.
TEST_F(WsProtocolViolationSingleTest, NonMinimalLengthsAndInterleavedControlFramesAreAccepted) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw({0x81, 0x7e, 0x00, 0x02, 'h', 'i'}));                    // 16-bit 2
  ASSERT_TRUE(peer_.WriteRaw({0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 'y', 'o'}));  // 64-bit 2
  ASSERT_TRUE(
      peer_.WriteRaw({0x01, 0x01, '[', 0x89, 0x01, 'x', 0x00, 0x00, 0x8a, 0x00, 0x80, 0x01, ']'}));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] {
    peer_.Poll();
    return texts_.size() == 3;
  }));
  EXPECT_EQ(texts_, (std::vector<std::string>{"hi", "yo", "[]"}));
  EXPECT_TRUE(disconnects_.empty());
  EXPECT_FALSE(peer_.close_code().has_value());
}

// A close frame with a valid code from the peer is answered with the same
// code and reported as kClosedByPeer, not as a protocol error.
TEST_F(WsProtocolViolationSingleTest, ValidCloseCodesAreEchoed) {
  ASSERT_NO_FATAL_FAILURE(Connect(1));
  ASSERT_TRUE(peer_.WriteRaw({0x88, 0x05, 0x0f, 0xa0, 'b', 'y', 'e'}));  // 4000 "bye"
  ASSERT_NO_FATAL_FAILURE(ExpectCloseFrame(4000));
  ASSERT_TRUE(testing::PumpUntil(*loop_, [&] { return !disconnects_.empty(); }));
  EXPECT_EQ(disconnects_[0], DisconnectReason::kClosedByPeer);
}

}  // namespace
}  // namespace ocpp::runtime
