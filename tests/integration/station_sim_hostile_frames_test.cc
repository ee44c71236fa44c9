// Issue 8, items 1-5, at process level: station_sim as a child process
// against a raw "central system" on 127.0.0.1 that sends, after a normal
// boot, frames no WebSocket library would produce. Every case ends with the
// station alive, closing with the RFC 6455 code where the frame breaks the
// WebSocket layer, reconnecting, and answering the next CALL; RPC-level
// cases get their precise OCPP answer on the same connection. CI runs this
// on the ordinary and the ASan + UBSan build; docs/integrating.md section 2
// has the `-c opt` command.
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/testing/raw_ws_peer.h"
#include "tests/integration/sim_process.h"

namespace ocpp::integration {
namespace {

using runtime::testing::RawWsPeer;
using Bytes = std::vector<unsigned char>;

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes TextFrame(const std::string& text) {
  return Concat(RawWsPeer::FrameHeader(0x81, text.size()), Bytes(text.begin(), text.end()));
}

class StationSimHostileFrames : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    station_ = std::make_unique<Process>(std::vector<std::string>{
        StationSimPath(), "--csms", "ws://127.0.0.1:" + std::to_string(peer_.port()) + "/ocpp",
        "--id", "SIM-1", "--data-dir", TempDir("hostile-" + name)});
    ASSERT_TRUE(AcceptConnection()) << station_->err();
    ASSERT_TRUE(WaitFor([&] { return booted_; })) << "no BootNotification";
  }

  void TearDown() override {
    if (station_->Poll() < 0) station_->Kill(SIGTERM);
  }

  // Polls the peer and the station, answering the station's CALLs, until
  // `done`, the deadline, or the station's exit (a failure: it must live).
  bool WaitFor(const std::function<bool()>& done, int seconds = 15) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      peer_.Poll();
      AnswerStationCalls();
      if (station_->Poll() >= 0) {
        ADD_FAILURE() << "station_sim exited with " << station_->Poll() << ": " << station_->err();
        return false;
      }
      if (done()) return true;
      usleep(5000);
    }
    return false;
  }

  // The station's next connection: upgrade answered.
  bool AcceptConnection() {
    peer_.CloseConnection();
    answered_ = 0;
    if (!WaitFor([&] { return peer_.TryReadRequest(); })) return false;
    peer_.AnswerUpgrade();
    return true;
  }

  // BootNotification Accepted; every other CALL answered with an empty
  // payload (valid for StatusNotification, Heartbeat's is filled in), or
  // with what `override_answer_` returns for it.
  void AnswerStationCalls() {
    const auto& texts = peer_.texts();
    for (; answered_ < texts.size(); ++answered_) {
      rapidjson::Document frame;
      frame.Parse(texts[answered_].c_str());
      if (frame.HasParseError() || !frame.IsArray() || frame.Size() != 4 || frame[0] != 2) {
        continue;
      }
      const std::string id = frame[1].GetString();
      const std::string action = frame[2].GetString();
      calls_.push_back(action);
      std::string answer = "[3,\"" + id + "\",{}]";
      if (action == "BootNotification") {
        answer = "[3,\"" + id +
                 R"(",{"status":"Accepted","currentTime":"2026-12-02T12:00:00Z","interval":300}])";
        booted_ = true;
      } else if (action == "Heartbeat") {
        answer = "[3,\"" + id + R"(",{"currentTime":"2026-12-02T12:00:00Z"}])";
      }
      if (override_answer_) {
        if (auto other = override_answer_(action, id)) answer = *other;
      }
      peer_.WriteRaw(TextFrame(answer));
    }
  }

  bool Sent(const std::string& text) {
    for (const auto& t : peer_.texts()) {
      if (t == text) return true;
    }
    return false;
  }
  bool SentStartingWith(const std::string& prefix) {
    for (const auto& t : peer_.texts()) {
      if (t.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  int CallsOf(const std::string& action) {
    int n = 0;
    for (const auto& a : calls_) n += a == action;
    return n;
  }

  // Sends a CALL and waits for exactly `expected` as the station's answer.
  void ExpectAnswer(const std::string& call, const std::string& expected) {
    ASSERT_TRUE(peer_.WriteRaw(TextFrame(call)));
    EXPECT_TRUE(WaitFor([&] { return Sent(expected); }))
        << "sent " << call.substr(0, 80) << ", expected " << expected;
  }

  // After a close: the station is alive, reconnects, and answers a CALL.
  void ExpectReconnectAndService() {
    ASSERT_TRUE(AcceptConnection()) << "no reconnection";
    ExpectAnswer(R"([2,"after","ClearCache",{}])", R"([3,"after",{"status":"Accepted"}])");
  }

  RawWsPeer peer_;
  std::unique_ptr<Process> station_;
  std::size_t answered_ = 0;
  bool booted_ = false;
  std::vector<std::string> calls_;
  std::function<std::optional<std::string>(const std::string&, const std::string&)>
      override_answer_;
};

// Items 1, 2 and 4: frames that break the WebSocket layer.
struct Violation {
  const char* name;
  Bytes bytes;
  int close_code;
};

void PrintTo(const Violation& violation, std::ostream* out) { *out << violation.name; }

class StationSimHostileWebSocket : public StationSimHostileFrames,
                                   public ::testing::WithParamInterface<Violation> {};

TEST_P(StationSimHostileWebSocket, ClosesWithTheCodeReconnectsAndServes) {
  // Queued: the station stops reading the oversized ones half-way.
  peer_.Queue(GetParam().bytes);
  ASSERT_TRUE(WaitFor([&] { return peer_.close_code().has_value() || peer_.client_hung_up(); }));
  EXPECT_EQ(peer_.close_code(), GetParam().close_code);
  ExpectReconnectAndService();
}

Bytes Payload(std::size_t size) { return Bytes(size, 'a'); }

// station_sim takes messages up to ChargePoint::kMaxIncomingMessageBytes
// (a full SendLocalList fits; docs/local-auth-list.md).
constexpr std::size_t kLimit = 256 * 1024;

INSTANTIATE_TEST_SUITE_P(
    Frames, StationSimHostileWebSocket,
    ::testing::Values(
        Violation{"SingleFrameOneByteOverTheLimit",
                  Concat(RawWsPeer::FrameHeader(0x81, kLimit + 1), Payload(kLimit + 1)), 1009},
        Violation{"SingleFrameOf16MiB",
                  Concat(RawWsPeer::FrameHeader(0x81, 16 << 20), Payload(16 << 20)), 1009},
        Violation{"HeaderAnnouncing2To63Minus1", RawWsPeer::FrameHeader(0x81, 0x7fffffffffffffff),
                  1009},
        Violation{"FragmentedMessageOverTheLimit",
                  Concat(Concat(RawWsPeer::FrameHeader(0x01, kLimit / 2), Payload(kLimit / 2)),
                         Concat(RawWsPeer::FrameHeader(0x80, kLimit), Payload(kLimit))),
                  1009},
        Violation{"ReservedOpcode", {0x83, 0x01, 'a'}, 1002},
        Violation{"RsvBitsWithoutAnExtension", {0xc1, 0x01, 'a'}, 1002},
        Violation{"ContinuationWithoutAStart", {0x80, 0x01, 'a'}, 1002},
        Violation{"ControlFrameOver125Bytes",
                  Concat(RawWsPeer::FrameHeader(0x89, 126), Payload(126)), 1002},
        Violation{"FragmentedControlFrame", {0x09, 0x00}, 1002},
        Violation{
            "MaskedFrameFromTheServer", {0x81, 0x81, 0x01, 0x02, 0x03, 0x04, 'a' ^ 0x01}, 1002}),
    [](const auto& info) { return std::string(info.param.name); });

// Item 1: single frames over 64 KiB (the campaign's 65,537 bytes, and a
// SendLocalList-sized 200 kB) are within station_sim's limit: answered on
// the same connection, the heap intact.
TEST_F(StationSimHostileFrames, SingleFramesOver64KiBWithinTheLimitAreAnswered) {
  for (std::size_t size : {std::size_t{65537}, std::size_t{200000}}) {
    const std::string id = "big" + std::to_string(size);
    const std::string head = "[2,\"" + id + R"(","DataTransfer",{"vendorId":"acme","data":")";
    const std::string tail = "\"}]";
    const std::string call = head + std::string(size - head.size() - tail.size(), 'x') + tail;
    ASSERT_EQ(call.size(), size);
    peer_.Queue(TextFrame(call));
    ASSERT_TRUE(WaitFor([&] { return Sent("[3,\"" + id + R"(",{"status":"UnknownVendorId"}])"); }))
        << size << " bytes: no answer";
    ExpectAnswer(R"([2,"after)" + std::to_string(size) + R"(","ClearCache",{}])",
                 R"([3,"after)" + std::to_string(size) + R"(",{"status":"Accepted"}])");
  }
  EXPECT_FALSE(peer_.close_code().has_value());
}

// Item 3: 32,000 nested arrays inside 64 KiB, through station_sim's echo of
// received frames and the trace's secret masking (the frame names
// AuthorizationKey): a CALLERROR, no stack overflow.
TEST_F(StationSimHostileFrames, DeepNestingIsAnsweredWithoutRecursion) {
  const std::string nested = std::string(32000, '[') + std::string(32000, ']');
  for (const auto& [id, head] : std::vector<std::pair<std::string, std::string>>{
           {"deep1", R"(","ChangeConfiguration",{"key":"AuthorizationKey","value":)"},
           {"deep2", R"(","DataTransfer",{"vendorId":"AuthorizationKey","data":)"}}) {
    const std::string call = "[2,\"" + id + head + nested + "}]";
    ASSERT_LT(call.size(), 65536u);
    ASSERT_TRUE(peer_.WriteRaw(TextFrame(call)));
    ASSERT_TRUE(WaitFor([&] { return SentStartingWith("[4,\"" + id + "\","); }))
        << id << ": no CALLERROR";
  }
  ExpectAnswer(R"([2,"after","ClearCache",{}])", R"([3,"after",{"status":"Accepted"}])");
}

// Item 5: a malformed (4-element) CALLERROR fails the station's call at
// once instead of holding its queue until the response timeout (15 s).
TEST_F(StationSimHostileFrames, MalformedCallErrorReleasesTheStationsNextCall) {
  override_answer_ = [](const std::string& action,
                        const std::string& id) -> std::optional<std::string> {
    if (action != "Heartbeat") return std::nullopt;
    return "[4,\"" + id + "\",\"GenericError\"]";
  };
  ExpectAnswer(R"([2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat"}])",
               R"([3,"t1",{"status":"Accepted"}])");
  ASSERT_TRUE(WaitFor([&] { return CallsOf("Heartbeat") == 1; }));
  ExpectAnswer(R"([2,"t2","TriggerMessage",{"requestedMessage":"Heartbeat"}])",
               R"([3,"t2",{"status":"Accepted"}])");
  EXPECT_TRUE(WaitFor([&] { return CallsOf("Heartbeat") == 2; }, 10))
      << "the second Heartbeat waited for the first's response timeout";
}

// Item 5: the CALLs the campaign sent that went unanswered or were refused.
TEST_F(StationSimHostileFrames, UnreadableNullAndNonAsciiCallsGetTheirAnswer) {
  ExpectAnswer(R"([2,"n1","Reset",{"type":"Hard","x":1e400}])",
               R"([4,"n1","TypeConstraintViolation","number out of range",{}])");
  ExpectAnswer(R"([2,"z1","ClearCache",null])", R"([3,"z1",{"status":"Accepted"}])");
  std::string id;
  for (int i = 0; i < 36; ++i) id += "\xe2\x82\xac";  // U+20AC, 3 bytes each
  ExpectAnswer("[2,\"" + id + "\",\"ClearCache\",{}]",
               "[3,\"" + id + "\",{\"status\":\"Accepted\"}]");
  EXPECT_EQ(CallsOf("BootNotification"), 1) << "the station rebooted";
}

}  // namespace
}  // namespace ocpp::integration
