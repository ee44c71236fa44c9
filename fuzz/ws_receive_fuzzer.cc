// libFuzzer target: the WebSocket receive path of WsClientTransport. Each
// input is raw bytes a "central system" writes after a correct upgrade, over
// a real loopback socket: frame headers, lengths, opcodes, masks, fragments,
// control frames, close frames, garbage. libwebsockets parses them and our
// receive callback reassembles, limits and validates the messages.
// Properties: nothing crashes or trips a sanitizer, and the connection always
// ends when the peer hangs up (the client never gets stuck).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/testing/raw_ws_peer.h"
#include "runtime/ws_client_transport.h"

namespace {

using ocpp::runtime::DisconnectReason;
using ocpp::runtime::LwsEventLoop;
using ocpp::runtime::WsClientTransport;
using ocpp::runtime::testing::RawWsPeer;

// Generous: loopback I/O needs a few turns; a stuck client needs all.
constexpr int kMaxTurns = 5000;

struct Harness {
  Harness() {
    LwsEventLoop::SetLibraryLogSink(nullptr, 0);  // lws' own logs would flood
    LwsEventLoop::Options loop_options;
    // WS_RECEIVE_FUZZER_VERBOSE=1 shows the transport's log (debugging).
    static const bool verbose = std::getenv("WS_RECEIVE_FUZZER_VERBOSE") != nullptr;
    loop_options.log_sink = [](ocpp::runtime::LogLevel, std::string_view text) {
      if (verbose) std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
    };
    loop = LwsEventLoop::Create(clock, loop_options);
    if (!loop) {
      std::fprintf(stderr, "ws_receive_fuzzer: no lws context\n");
      std::abort();
    }
    WsClientTransport::Options options;
    options.central_system_url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/ocpp";
    options.charge_point_id = "FUZZ";
    options.max_message_bytes = 1024;  // small, so the limit paths are reached
    options.reconnect_base = ocpp::base::Milliseconds(1);
    options.reconnect_cap = ocpp::base::Milliseconds(1);
    options.random_seed = 1;
    std::string error;
    client = WsClientTransport::Create(*loop, options, &error);
    if (!client) {
      std::fprintf(stderr, "ws_receive_fuzzer: %s\n", error.c_str());
      std::abort();
    }
    client->SetCallbacks({[this] { ++connects; },
                          [this](std::string_view text) { received_bytes += text.size(); },
                          [this](DisconnectReason) { ++disconnects; }});
    client->Start();
  }

  [[noreturn]] static void Fail(const char* why) {
    std::fprintf(stderr, "ws_receive_fuzzer: %s\n", why);
    std::abort();
  }

  void Turn() {
    loop->RunOnce(ocpp::base::Milliseconds(0));
    peer.Poll();
  }

  // Leaves the client connected to a fresh peer connection.
  void Connect() {
    const int before = connects;
    // The retry timer, and again after each failed attempt. (Advancing on
    // every turn would keep a timer always due, and a loop turn with a due
    // timer only polls lws without servicing sockets.)
    clock.Advance(ocpp::base::Milliseconds(10'000));
    int seen = disconnects;
    bool requested = false;
    for (int i = 0; i < kMaxTurns && !(requested = peer.TryReadRequest()); ++i) {
      Turn();
      if (disconnects != seen) {
        seen = disconnects;
        clock.Advance(ocpp::base::Milliseconds(10'000));
      }
    }
    if (!requested) Fail("the client stopped reconnecting");
    peer.AnswerUpgrade();
    for (int i = 0; i < kMaxTurns && connects == before; ++i) Turn();
    if (connects == before) Fail("a correct upgrade did not connect");
  }

  void RunInput(const std::uint8_t* data, std::size_t size) {
    Connect();
    const int before = disconnects;
    peer.Queue(std::vector<unsigned char>(data, data + size));
    for (int i = 0; i < 16 || !peer.queue_empty(); ++i) {
      Turn();
      if (i > kMaxTurns) break;  // the client stopped reading; it is cut off below
    }
    // Hang up, and let every close timeout pass: the attempt must end.
    peer.CloseConnection();
    clock.Advance(ocpp::base::Milliseconds(10'000));
    for (int i = 0; i < kMaxTurns && disconnects == before; ++i) Turn();
    if (disconnects == before) Fail("the connection did not end after the peer hung up");
  }

  ocpp::base::FakeClock clock;
  RawWsPeer peer;
  std::unique_ptr<LwsEventLoop> loop;
  std::unique_ptr<WsClientTransport> client;
  int connects = 0;
  int disconnects = 0;
  std::size_t received_bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness* harness = new Harness();  // one loop and client for the whole run
  if (size > 256 * 1024) return 0;          // what a socket buffer surely takes
  harness->RunInput(data, size);
  return 0;
}
