// idle_lws_clients: the baseline beside station_fleet in bench/fleet_bench.sh.
// N raw libwebsockets client connections in one process, on one context and
// one client vhost, no project code: each connects to a ws:// URL with the
// "ocpp1.6" subprotocol, sends one BootNotification-like CALL, then holds its
// connection. With --call-interval S each also sends a Heartbeat CALL every S
// seconds (spread evenly over the connections), so that the CPU per CALL of
// the bare transport can be set beside station_fleet's.
//
//   idle_lws_clients --url ws://127.0.0.1:PORT --count N [--ramp-up S]
//                    [--call-interval S]
//
// stdout: one line per second, {"t":..,"connected":..,"answers":..,"closed":..}.
// Stops on SIGTERM/SIGINT (closing nothing: the process measures, it does
// not play a station).
#include <libwebsockets.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kBoot[] =
    "[2,\"b\",\"BootNotification\",{\"chargePointVendor\":\"BareVendor\","
    "\"chargePointModel\":\"BareModel\"}]";
// As runtime/lws_event_loop.cc's protocol: lws allocates this per connection.
constexpr size_t kRxChunkBytes = 16 * 1024;

struct Connection {
  std::string path;
  lws* wsi = nullptr;
  bool established = false;
  bool booted = false;  // the BootNotification went out
  int heartbeats_due = 0;
  unsigned heartbeats_sent = 0;  // the next Heartbeat's message id
};

struct State {
  lws_context* context = nullptr;
  lws_vhost* vhost = nullptr;
  std::string host;
  int port = 0;
  std::vector<Connection> connections;
  int connected = 0;
  long long answers = 0;
  long long closed = 0;
} state;

std::atomic<bool> g_quit{false};
void OnSignal(int) { g_quit = true; }

int Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  auto* c = static_cast<Connection*>(user);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      c->established = true;
      ++state.connected;
      lws_callback_on_writable(wsi);
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      unsigned char buffer[LWS_PRE + sizeof kBoot];
      char* text = reinterpret_cast<char*>(buffer + LWS_PRE);
      if (!c->booted) {
        c->booted = true;
        std::memcpy(text, kBoot, sizeof kBoot);
      } else if (c->heartbeats_due > 0) {
        --c->heartbeats_due;
        std::snprintf(text, sizeof kBoot, "[2,\"h%u\",\"Heartbeat\",{}]", c->heartbeats_sent++);
      } else {
        return 0;
      }
      const size_t length = std::strlen(text);
      if (lws_write(wsi, buffer + LWS_PRE, length, LWS_WRITE_TEXT) < static_cast<int>(length)) {
        return -1;
      }
      if (c->heartbeats_due > 0) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) ++state.answers;
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
      if (c) {
        if (c->established) --state.connected;
        c->established = false;
        c->wsi = nullptr;
      }
      ++state.closed;
      return 0;
    default:
      return 0;
  }
}

const lws_protocols kProtocols[] = {
    {"ocpp1.6", Callback, 0, kRxChunkBytes, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

void Connect(Connection& c) {
  lws_client_connect_info info;
  std::memset(&info, 0, sizeof info);
  info.context = state.context;
  info.vhost = state.vhost;
  info.address = state.host.c_str();
  info.port = state.port;
  info.path = c.path.c_str();
  info.host = state.host.c_str();
  info.origin = state.host.c_str();
  info.protocol = "ocpp1.6";
  info.userdata = &c;
  info.pwsi = &c.wsi;
  if (!lws_client_connect_via_info(&info)) ++state.closed;
}

double Flag(int argc, char** argv, const char* name, double fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atof(argv[i + 1]);
  }
  return fallback;
}

// lws_service sleeps until lws's next event: this timer wakes the loop when
// main's work is due (every 10 ms during the ramp-up, then at the next
// Heartbeat or the next statistics line), so that the baseline's CPU is the
// transport's, not a polling loop's.
lws_sorted_usec_list_t g_tick;
void Tick(lws_sorted_usec_list_t*) {}  // main's loop sets the next one
void WakeAfter(lws_usec_t us) { lws_sul_schedule(state.context, 0, &g_tick, Tick, us); }

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--url") {
      url = argv[i + 1];
    } else if (flag != "--count" && flag != "--ramp-up" && flag != "--call-interval") {
      url.clear();
      break;
    }
  }
  const int count = static_cast<int>(Flag(argc, argv, "--count", 0));
  const double ramp_up_s = Flag(argc, argv, "--ramp-up", 0);
  const double call_interval_s = Flag(argc, argv, "--call-interval", 0);
  const size_t colon = url.rfind(':');
  if (url.rfind("ws://", 0) != 0 || colon == std::string::npos || colon < 5 || count < 1) {
    std::fprintf(stderr,
                 "usage: idle_lws_clients --url ws://HOST:PORT --count N [--ramp-up S] "
                 "[--call-interval S]\n");
    return 2;
  }
  state.host = url.substr(5, colon - 5);
  state.port = std::atoi(url.c_str() + colon + 1);

  // lws sizes its descriptor table from the limit at context creation.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  lws_set_log_level(LLL_ERR, nullptr);
  // One context, one client vhost, OpenSSL initialised as the runtime's
  // context does (a fixed cost, not one per connection).
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.gid = -1;
  info.uid = -1;
  state.context = lws_create_context(&info);
  if (!state.context) return 1;
  info.vhost_name = "idle-clients";
  state.vhost = lws_create_vhost(state.context, &info);
  if (!state.vhost) return 1;

  state.connections.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    char path[32];
    std::snprintf(path, sizeof path, "/BARE%06d", i);
    state.connections[static_cast<size_t>(i)].path = path;
  }
  WakeAfter(10 * LWS_US_PER_MS);
  const auto start = std::chrono::steady_clock::now();
  int started = 0;
  long long heartbeats = 0;  // handed out so far
  double all_started_at = -1;
  double next_line = 1;
  while (!g_quit) {
    lws_service(state.context, 0);
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Connects spread evenly over the ramp-up.
    const int due =
        ramp_up_s > 0 ? std::min(count, static_cast<int>(t / ramp_up_s * count) + 1) : count;
    for (; started < due; ++started) Connect(state.connections[static_cast<size_t>(started)]);
    if (started == count && all_started_at < 0) all_started_at = t;
    // Heartbeats round-robin over the connections: `count` per interval.
    if (call_interval_s > 0 && all_started_at >= 0) {
      const auto target = static_cast<long long>((t - all_started_at) / call_interval_s * count);
      for (; heartbeats < target; ++heartbeats) {
        Connection& c = state.connections[static_cast<size_t>(heartbeats % count)];
        if (c.wsi && c.established) {
          ++c.heartbeats_due;
          lws_callback_on_writable(c.wsi);
        }
      }
    }
    if (t >= next_line) {
      next_line += 1;
      std::printf("{\"t\":%.0f,\"connected\":%d,\"answers\":%lld,\"closed\":%lld}\n", t,
                  state.connected, state.answers, state.closed);
      std::fflush(stdout);
    }
    double wake_at = all_started_at < 0 ? t + 0.010 : next_line;
    if (call_interval_s > 0 && all_started_at >= 0) {
      wake_at = std::min(wake_at, all_started_at + (heartbeats + 1) * call_interval_s / count);
    }
    WakeAfter(std::max<lws_usec_t>(100, static_cast<lws_usec_t>((wake_at - t) * 1e6)));
  }
  std::_Exit(0);
}
