// CALL -> CALLRESULT round trips over a real loopback WebSocket between two
// instances of the project's runtime, against a bare libwebsockets floor
// measured in the same run on the same bytes:
//   runtime  a charge-point RpcEndpoint over WsClientTransport and a
//            central-system RpcEndpoint over WsServer, both on one
//            LwsEventLoop (SystemClock): encode + schema check, framing,
//            message ids, response timer, decode + validate on both sides,
//            typed handler, typed result
//   bare     a minimal raw lws client and server (own lws_context, own
//            lws_protocols callbacks, no project code) on one thread: the
//            client sends the runtime's recorded CALL text, the server
//            answers with the runtime's recorded CALLRESULT text, so both
//            directions carry exactly the same byte counts
//   rpc-only the same two RpcEndpoints with their send functions wired into
//            each other (no socket): not a floor, a breakdown of where the
//            runtime's extra time goes (RPC layer + codecs vs. the rest)
// Calls are sequential (one outstanding), all on 127.0.0.1, one thread.
// Reports p50/p99 latency, calls/s and CPU microseconds per call (getrusage
// user+sys of the whole process, both ends included), then the ratios
// runtime/bare. The stacks are measured in alternating blocks so drift
// (frequency scaling, other load) hits both alike.
//
//   bazel run -c opt //bench:rpc_bench [-- --calls=20000 --warmup=2000 --blocks=5]
#include <libwebsockets.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/latency_stats.h"
#include "bench/sample_messages.h"
#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"
#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "runtime/rpc_endpoint.h"
#include "runtime/ws_client_transport.h"
#include "runtime/ws_server.h"

namespace ocpp::bench {
namespace {

using base::Milliseconds;

// Every wait is bounded: a round trip needs ~4 loop turns; a turn waits at
// most 100 ms, so a lost message fails the run after a few seconds.
constexpr int kMaxTurnsPerCall = 50;
constexpr int kMaxTurnsToConnect = 500;
constexpr std::size_t kRxBufferBytes = 16 * 1024;  // the runtime's rx chunk

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "rpc_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------
// The project's runtime: both roles on one LwsEventLoop.

class RuntimeStack {
 public:
  RuntimeStack() = default;
  RuntimeStack(const RuntimeStack&) = delete;
  RuntimeStack& operator=(const RuntimeStack&) = delete;

  ~RuntimeStack() {
    client_rpc_.reset();
    if (transport_) transport_->Stop();
    for (int i = 0; i < 50 && server_ && server_->connection_count() > 0; ++i) {
      loop_->RunOnce(Milliseconds(10));
    }
    transport_.reset();
    server_rpc_.reset();
    server_.reset();
    loop_.reset();
  }

  void Init() {
    runtime::LwsEventLoop::Options loop_options;
    loop_options.log_sink = [](runtime::LogLevel level, std::string_view message) {
      if (level == runtime::LogLevel::kError) {
        std::fprintf(stderr, "rpc_bench: runtime: %.*s\n", static_cast<int>(message.size()),
                     message.data());
      }
    };
    loop_ = runtime::LwsEventLoop::Create(clock_, loop_options);
    if (!loop_) Fail("cannot create the LwsEventLoop");

    runtime::WsServer::Options server;
    server.listen_address = "127.0.0.1";
    server.on_open = [this](runtime::WsServer::ConnectionId id,
                            const runtime::WsServer::UpgradeRequest&) {
      runtime::RpcEndpoint::Options options;
      options.role = runtime::Role::kCentralSystem;
      options.id_seed = 2;
      server_rpc_ = std::make_unique<runtime::RpcEndpoint>(
          *loop_, [this, id](std::string text) { return server_->Send(id, std::move(text)); },
          options);
      InstallCentralSystemHandlers(*server_rpc_);
      server_rpc_->OnConnected();
    };
    server.on_text = [this](runtime::WsServer::ConnectionId, std::string_view text) {
      if (server_rpc_) server_rpc_->OnText(text);
    };
    server.on_close = [this](runtime::WsServer::ConnectionId) {
      if (server_rpc_) server_rpc_->OnDisconnected();
    };
    std::string error;
    server_ = runtime::WsServer::Create(*loop_, server, &error);
    if (!server_) Fail("runtime WsServer: " + error);

    runtime::WsClientTransport::Options t;
    t.central_system_url = "ws://127.0.0.1:" + std::to_string(server_->port());
    t.charge_point_id = "BENCH-CP-1";
    t.random_seed = 1;
    transport_ = runtime::WsClientTransport::Create(*loop_, t, &error);
    if (!transport_) Fail("runtime WsClientTransport: " + error);
    runtime::RpcEndpoint::Options options;
    options.role = runtime::Role::kChargePoint;
    options.id_seed = 1;
    client_rpc_ = std::make_unique<runtime::RpcEndpoint>(
        *loop_, [this](std::string text) { return transport_->Send(std::move(text)); }, options);
    transport_->SetCallbacks(
        runtime::Transport::Callbacks{[this] { client_rpc_->OnConnected(); },
                                      [this](std::string_view text) { client_rpc_->OnText(text); },
                                      [this](runtime::DisconnectReason) {
                                        if (client_rpc_) client_rpc_->OnDisconnected();
                                      }});
    transport_->Start();
    for (int i = 0; i < kMaxTurnsToConnect && !(transport_->IsConnected() && server_rpc_); ++i) {
      loop_->RunOnce(Milliseconds(10));
    }
    if (!transport_->IsConnected() || !server_rpc_) Fail("runtime client did not connect");
  }

  // Records the frames the client sends and receives (for the bare floor).
  void RecordFrames(bool on) {
    if (!on) return client_rpc_->SetTrace({});
    client_rpc_->SetTrace([this](runtime::TraceDirection dir, std::string_view frame) {
      (dir == runtime::TraceDirection::kSent ? last_call_ : last_result_) = std::string(frame);
    });
  }
  const std::string& last_call() const { return last_call_; }
  runtime::LwsEventLoop& loop() { return *loop_; }
  const std::string& last_result() const { return last_result_; }

  // One sequential CALL; true when its typed CALLRESULT arrived.
  template <class Request>
  bool RoundTrip(const Request& request) {
    using Response = typename v16::RequestTraits<Request>::Response;
    bool done = false;
    bool ok = false;
    client_rpc_->Call(request, [&](runtime::CallOutcome<Response> outcome) {
      done = true;
      ok = std::holds_alternative<Response>(outcome);
    });
    for (int turn = 0; !done && turn < kMaxTurnsPerCall; ++turn) loop_->RunOnce(Milliseconds(100));
    return ok;
  }

 private:
  void InstallCentralSystemHandlers(runtime::RpcEndpoint& rpc) {
    // What tools/csms answers, without its frame recording.
    rpc.Handle<v16::Action::kHeartbeat>(
        [this](const v16::HeartbeatReq&) -> runtime::HandlerResult<v16::HeartbeatConf> {
          return v16::HeartbeatConf{codec::DateTime::FromSystemTime(clock_.WallNow())};
        });
    rpc.Handle<v16::Action::kMeterValues>(
        [](const v16::MeterValuesReq&) -> runtime::HandlerResult<v16::MeterValuesConf> {
          return v16::MeterValuesConf{};
        });
  }

  base::SystemClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<runtime::WsServer> server_;
  std::unique_ptr<runtime::RpcEndpoint> server_rpc_;
  std::unique_ptr<runtime::WsClientTransport> transport_;
  std::unique_ptr<runtime::RpcEndpoint> client_rpc_;
  std::string last_call_;
  std::string last_result_;
};

// ---------------------------------------------------------------------------
// The floor: raw libwebsockets, one context, a server vhost and a client
// vhost with their own callbacks. No project code below this line until
// the measurement harness.

struct BareState {
  lws_context* context = nullptr;
  lws* client = nullptr;
  lws* server = nullptr;  // the accepted connection
  bool client_established = false;
  bool client_failed = false;
  bool client_send_pending = false;
  bool server_reply_pending = false;
  bool answered = false;
  std::string request;                   // bytes the client sends
  std::string reply;                     // bytes the server answers
  std::vector<unsigned char> client_tx;  // LWS_PRE headroom + payload
  std::vector<unsigned char> server_tx;
  lws_sorted_usec_list_t tick{};
};

BareState* bare = nullptr;  // the one instance; lws callbacks reach it here

bool WholeMessage(lws* wsi) {
  return lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
}

// Copies `payload` behind the headroom and writes it as one text frame
// (client frames are masked in place, so the copy is needed every time).
int WriteText(lws* wsi, std::vector<unsigned char>& buffer, const std::string& payload) {
  std::memcpy(buffer.data() + LWS_PRE, payload.data(), payload.size());
  const int written = lws_write(wsi, buffer.data() + LWS_PRE, payload.size(), LWS_WRITE_TEXT);
  return written < static_cast<int>(payload.size()) ? -1 : 0;
}

int BareServerCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
      bare->server = wsi;
      return 0;
    case LWS_CALLBACK_RECEIVE:
      if (WholeMessage(wsi)) {
        bare->server_reply_pending = true;
        lws_callback_on_writable(wsi);
      }
      return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (!bare->server_reply_pending) return 0;
      bare->server_reply_pending = false;
      return WriteText(wsi, bare->server_tx, bare->reply);
    case LWS_CALLBACK_CLOSED:
      if (bare->server == wsi) bare->server = nullptr;
      return 0;
    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

int BareClientCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      bare->client_established = true;
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      std::fprintf(stderr, "rpc_bench: bare client: %s\n",
                   in ? static_cast<const char*>(in) : "connection error");
      bare->client_failed = true;
      bare->client = nullptr;
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
      if (!bare->client_send_pending) return 0;
      bare->client_send_pending = false;
      return WriteText(wsi, bare->client_tx, bare->request);
    case LWS_CALLBACK_CLIENT_RECEIVE:
      if (WholeMessage(wsi)) bare->answered = true;
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
      bare->client_established = false;
      bare->client = nullptr;
      return 0;
    default:
      return 0;
  }
}

const lws_protocols kBareServerProtocols[] = {
    {"ocpp1.6", BareServerCallback, 0, kRxBufferBytes, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};
const lws_protocols kBareClientProtocols[] = {
    {"ocpp1.6", BareClientCallback, 0, kRxBufferBytes, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

// Keeps lws_service from sleeping longer than 100 ms (lws 4 sleeps until
// its next scheduled event); re-armed from its own callback, so the
// measured turns pay nothing for it.
void BareTick(lws_sorted_usec_list_t* sul) {
  lws_sul_schedule(bare->context, 0, sul, BareTick, 100 * LWS_US_PER_MS);
}

class BareStack {
 public:
  BareStack() { bare = &state_; }
  BareStack(const BareStack&) = delete;
  BareStack& operator=(const BareStack&) = delete;
  ~BareStack() {
    if (state_.context) {
      lws_sul_cancel(&state_.tick);
      lws_context_destroy(state_.context);
    }
    bare = nullptr;
  }

  void Init() {
    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = kBareClientProtocols;
    info.gid = -1;
    info.uid = -1;
    state_.context = lws_create_context(&info);
    if (!state_.context) Fail("bare: lws_create_context failed");

    lws_context_creation_info server;
    std::memset(&server, 0, sizeof server);
    server.vhost_name = "bare-server";
    server.port = 0;  // any free port
    server.iface = "127.0.0.1";
    server.protocols = kBareServerProtocols;
    lws_vhost* server_vhost = lws_create_vhost(state_.context, &server);
    if (!server_vhost) Fail("bare: cannot create the server vhost");
    const int port = lws_get_vhost_listen_port(server_vhost);

    lws_context_creation_info client;
    std::memset(&client, 0, sizeof client);
    client.vhost_name = "bare-client";
    client.port = CONTEXT_PORT_NO_LISTEN;
    client.protocols = kBareClientProtocols;
    lws_vhost* client_vhost = lws_create_vhost(state_.context, &client);
    if (!client_vhost) Fail("bare: cannot create the client vhost");

    BareTick(&state_.tick);
    lws_client_connect_info connect;
    std::memset(&connect, 0, sizeof connect);
    connect.context = state_.context;
    connect.vhost = client_vhost;
    connect.address = "127.0.0.1";
    connect.port = port;
    connect.path = "/BARE-CP-1";
    connect.host = "127.0.0.1";
    connect.origin = "127.0.0.1";
    connect.protocol = "ocpp1.6";
    connect.local_protocol_name = "ocpp1.6";
    connect.pwsi = &state_.client;
    if (!lws_client_connect_via_info(&connect)) Fail("bare: lws_client_connect_via_info failed");
    for (int i = 0; i < kMaxTurnsToConnect && !Ready() && !state_.client_failed; ++i) {
      lws_service(state_.context, 0);
    }
    if (!Ready()) Fail("bare client did not connect");
  }

  void SetMessages(std::string request, std::string reply) {
    state_.request = std::move(request);
    state_.reply = std::move(reply);
    state_.client_tx.assign(LWS_PRE + state_.request.size(), 0);
    state_.server_tx.assign(LWS_PRE + state_.reply.size(), 0);
  }

  bool RoundTrip() {
    state_.answered = false;
    state_.client_send_pending = true;
    lws_callback_on_writable(state_.client);
    for (int turn = 0; !state_.answered && turn < kMaxTurnsPerCall; ++turn) {
      lws_service(state_.context, 0);
    }
    return state_.answered;
  }

 private:
  bool Ready() const { return state_.client_established && state_.server && state_.client; }

  BareState state_;
};

// ---------------------------------------------------------------------------
// For the breakdown: the same two RpcEndpoints with their send functions
// wired straight into each other (no socket, no loop turn), i.e. the cost of
// the RPC layer and codecs alone. Not a floor, just where the time goes.

class DirectPair {
 public:
  // `loop` only holds the response timers (set and cancelled within a call).
  explicit DirectPair(runtime::EventLoop& loop) : loop_(loop) {
    runtime::RpcEndpoint::Options server_options;
    server_options.role = runtime::Role::kCentralSystem;
    server_options.id_seed = 2;
    server_ = std::make_unique<runtime::RpcEndpoint>(
        loop_,
        [this](std::string text) {
          client_->OnText(text);
          return true;
        },
        server_options);
    runtime::RpcEndpoint::Options client_options;
    client_options.role = runtime::Role::kChargePoint;
    client_options.id_seed = 1;
    client_ = std::make_unique<runtime::RpcEndpoint>(
        loop_,
        [this](std::string text) {
          server_->OnText(text);
          return true;
        },
        client_options);
    server_->Handle<v16::Action::kHeartbeat>(
        [this](const v16::HeartbeatReq&) -> runtime::HandlerResult<v16::HeartbeatConf> {
          return v16::HeartbeatConf{codec::DateTime::FromSystemTime(loop_.clock().WallNow())};
        });
    server_->Handle<v16::Action::kMeterValues>(
        [](const v16::MeterValuesReq&) -> runtime::HandlerResult<v16::MeterValuesConf> {
          return v16::MeterValuesConf{};
        });
    server_->OnConnected();
    client_->OnConnected();
  }
  ~DirectPair() {
    client_.reset();
    server_.reset();
  }

  template <class Request>
  bool RoundTrip(const Request& request) {
    using Response = typename v16::RequestTraits<Request>::Response;
    bool ok = false;
    client_->Call(request, [&](runtime::CallOutcome<Response> outcome) {
      ok = std::holds_alternative<Response>(outcome);
    });
    return ok;  // the whole exchange ran synchronously inside Call()
  }

 private:
  runtime::EventLoop& loop_;
  std::unique_ptr<runtime::RpcEndpoint> server_;
  std::unique_ptr<runtime::RpcEndpoint> client_;
};

// ---------------------------------------------------------------------------
// Measurement.

bool Measure(int calls, Samples& samples, const std::function<bool()>& round_trip) {
  const double cpu_start = ProcessCpuMicros();
  const auto wall_start = BenchClock::now();
  for (int i = 0; i < calls; ++i) {
    const auto t0 = BenchClock::now();
    if (!round_trip()) return false;
    samples.ns.push_back(ElapsedNs(t0, BenchClock::now()));
  }
  samples.wall_us += ElapsedNs(wall_start, BenchClock::now()) / 1000.0;
  samples.cpu_us += ProcessCpuMicros() - cpu_start;
  return true;
}

struct Row {
  std::string name;
  std::size_t call_bytes = 0;
  std::size_t result_bytes = 0;
  Samples bare;
  Samples runtime;
  Samples direct;  // RPC layer without I/O
};

struct Config {
  int calls = 20000;
  int warmup = 2000;
  int blocks = 5;
};

template <class Request>
Row RunCase(const std::string& name, const Request& request, RuntimeStack& rt, BareStack& floor,
            DirectPair& direct, const Config& config) {
  Row row;
  row.name = name;
  rt.RecordFrames(true);
  if (!rt.RoundTrip(request)) Fail(name + ": runtime round trip failed");
  rt.RecordFrames(false);
  row.call_bytes = rt.last_call().size();
  row.result_bytes = rt.last_result().size();
  floor.SetMessages(rt.last_call(), rt.last_result());

  auto runtime_trip = [&] { return rt.RoundTrip(request); };
  auto bare_trip = [&] { return floor.RoundTrip(); };
  auto direct_trip = [&] { return direct.RoundTrip(request); };
  Samples ignored;
  if (!Measure(config.warmup, ignored, runtime_trip)) Fail(name + ": runtime warm-up failed");
  if (!Measure(config.warmup, ignored, bare_trip)) Fail(name + ": bare warm-up failed");
  if (!Measure(config.warmup, ignored, direct_trip)) Fail(name + ": direct warm-up failed");
  row.bare.Reserve(config.calls);
  row.runtime.Reserve(config.calls);
  row.direct.Reserve(config.calls);
  for (int block = 0; block < config.blocks; ++block) {
    const int n = config.calls / config.blocks + (block < config.calls % config.blocks ? 1 : 0);
    if (!Measure(n, row.bare, bare_trip)) Fail(name + ": bare round trip failed");
    if (!Measure(n, row.runtime, runtime_trip)) Fail(name + ": runtime round trip failed");
    if (!Measure(n, row.direct, direct_trip)) Fail(name + ": direct round trip failed");
  }
  return row;
}

void PrintTable(const std::vector<Row>& rows, const Config& config) {
  std::printf(
      "rpc_bench: sequential CALL -> CALLRESULT over ws://127.0.0.1, client and server on one\n"
      "thread; %d calls per row after %d warm-up calls, %d alternating blocks\n\n",
      config.calls, config.warmup, config.blocks);
  std::printf("%-14s %-8s %7s %7s %9s %9s %9s %10s %12s\n", "message", "stack", "CALL B", "RES B",
              "p50 us", "p99 us", "mean us", "calls/s", "CPU us/call");
  for (const Row& r : rows) {
    const std::pair<const char*, const Samples*> stacks[] = {
        {"bare", &r.bare}, {"runtime", &r.runtime}, {"rpc-only", &r.direct}};
    for (const auto& [stack, s] : stacks) {
      std::printf("%-14s %-8s %7zu %7zu %9.1f %9.1f %9.1f %10.0f %12.1f\n", r.name.c_str(), stack,
                  r.call_bytes, r.result_bytes, s->PercentileUs(50), s->PercentileUs(99),
                  s->MeanUs(), s->CallsPerSecond(), s->CpuUsPerCall());
    }
  }
  std::printf("\n%-14s %14s %14s %20s\n", "message", "p50 rt/bare", "p99 rt/bare",
              "CPU/call rt/bare");
  for (const Row& r : rows) {
    std::printf("%-14s %13.2fx %13.2fx %19.2fx\n", r.name.c_str(),
                r.runtime.PercentileUs(50) / r.bare.PercentileUs(50),
                r.runtime.PercentileUs(99) / r.bare.PercentileUs(99),
                r.runtime.CpuUsPerCall() / r.bare.CpuUsPerCall());
  }
  std::printf("target (issue): runtime within 1.5x of the bare lws floor\n");
  std::printf("\nwhere the difference goes (p50, us): runtime - bare vs. the RPC layer alone\n");
  for (const Row& r : rows) {
    std::printf("%-14s runtime-bare %6.1f   rpc-only %6.1f   rest (transport, loop) %6.1f\n",
                r.name.c_str(), r.runtime.PercentileUs(50) - r.bare.PercentileUs(50),
                r.direct.PercentileUs(50),
                r.runtime.PercentileUs(50) - r.bare.PercentileUs(50) - r.direct.PercentileUs(50));
  }
}

}  // namespace
}  // namespace ocpp::bench

int main(int argc, char** argv) {
  using namespace ocpp::bench;
  Config config;
  for (int i = 1; i < argc; ++i) {
    const char* v = nullptr;
    bool ok = false;
    if ((v = FlagValue(argv[i], "--calls"))) {
      ok = ParsePositive(v, &config.calls);
    } else if ((v = FlagValue(argv[i], "--warmup"))) {
      ok = ParsePositive(v, &config.warmup);
    } else if ((v = FlagValue(argv[i], "--blocks"))) {
      ok = ParsePositive(v, &config.blocks);
    }
    if (!ok) {
      std::fprintf(stderr, "usage: rpc_bench [--calls=N] [--warmup=N] [--blocks=N]\n");
      return 2;
    }
  }
  if (config.blocks > config.calls) config.blocks = config.calls;
  signal(SIGPIPE, SIG_IGN);
  std::vector<Row> rows;
  {
    RuntimeStack rt;
    rt.Init();
    BareStack floor;
    floor.Init();
    DirectPair direct(rt.loop());
    rows.push_back(RunCase("Heartbeat", ocpp::v16::HeartbeatReq{}, rt, floor, direct, config));
    rows.push_back(RunCase("MeterValues10", MeterValuesWithSamples(10), rt, floor, direct, config));
  }
  PrintTable(rows, config);
  return 0;
}
