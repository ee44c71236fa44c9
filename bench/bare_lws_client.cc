// bare_lws_client: the memory and size floor for bench/footprint.sh. A
// minimal raw libwebsockets client with no project code: it connects to a
// ws:// URL offering the "ocpp1.6" subprotocol, sends one
// BootNotification-like CALL, prints the answer on stdout, then idles
// (servicing the connection) until stdin reaches EOF or says "quit".
//
//   bare_lws_client [--ssl-init] ws://127.0.0.1:PORT/CHARGE_POINT_ID
//
// --ssl-init also initialises OpenSSL in lws (as the project's runtime always
// does, wss being a configuration choice there), to tell the cost of TLS
// support from the cost of the rest.
#include <libwebsockets.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const char kBootNotification[] =
    "[2,\"1\",\"BootNotification\",{\"chargePointVendor\":\"BareVendor\","
    "\"chargePointModel\":\"BareModel\"}]";

struct State {
  lws_context* context = nullptr;
  bool established = false;
  bool sent = false;
  bool answered = false;
  bool closed = false;
  std::string rx;
  lws_sorted_usec_list_t tick{};
} state;

int Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      state.established = true;
      lws_callback_on_writable(wsi);
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      if (state.sent) return 0;
      state.sent = true;
      unsigned char buffer[LWS_PRE + sizeof kBootNotification];
      const size_t length = sizeof kBootNotification - 1;
      std::memcpy(buffer + LWS_PRE, kBootNotification, length);
      return lws_write(wsi, buffer + LWS_PRE, length, LWS_WRITE_TEXT) < static_cast<int>(length)
                 ? -1
                 : 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
      state.rx.append(static_cast<const char*>(in), len);
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        std::printf("answered: %s\n", state.rx.c_str());
        std::fflush(stdout);
        state.rx.clear();
        state.answered = true;
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      std::fprintf(stderr, "bare_lws_client: connection failed: %s\n",
                   in ? static_cast<const char*>(in) : "unknown error");
      state.closed = true;
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
      std::fprintf(stderr, "bare_lws_client: connection closed\n");
      state.closed = true;
      return 0;
    default:
      return 0;
  }
}

const lws_protocols kProtocols[] = {
    {"ocpp1.6", Callback, 0, 16 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

// lws_service sleeps until lws's next scheduled event: wake every 100 ms to
// look at stdin.
void Tick(lws_sorted_usec_list_t* sul) {
  lws_sul_schedule(state.context, 0, sul, Tick, 100 * LWS_US_PER_MS);
}

// Reads what stdin has; true on EOF or a "quit" line.
bool StdinSaysQuit(std::string& pending) {
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  while (poll(&fd, 1, 0) > 0) {
    char chunk[256];
    const ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) return true;  // EOF or error
    pending.append(chunk, static_cast<size_t>(n));
    for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
      const std::string line = pending.substr(0, eol);
      pending.erase(0, eol + 1);
      if (line == "quit" || line == "quit\r") return true;
    }
  }
  return false;
}

int Usage() {
  std::fprintf(stderr, "usage: bare_lws_client [--ssl-init] ws://HOST:PORT/PATH\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool ssl_init = false;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ssl-init") == 0) {
      ssl_init = true;
    } else if (url.empty()) {
      url = argv[i];
    } else {
      return Usage();
    }
  }
  // ws://HOST:PORT/PATH, nothing fancier.
  if (url.rfind("ws://", 0) != 0) return Usage();
  const std::string rest = url.substr(5);
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  if (colon == std::string::npos) return Usage();
  const std::string host = authority.substr(0, colon);
  const int port = std::atoi(authority.c_str() + colon + 1);
  if (host.empty() || port <= 0 || port > 65535) return Usage();

  signal(SIGPIPE, SIG_IGN);
  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);
  // One context with one client vhost, made explicitly (so that with
  // --ssl-init the vhost gets its client SSL_CTX the way the runtime's do).
  const unsigned long long options = ssl_init ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.options = options | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.gid = -1;
  info.uid = -1;
  state.context = lws_create_context(&info);
  if (!state.context) {
    std::fprintf(stderr, "bare_lws_client: lws_create_context failed\n");
    return 1;
  }
  lws_context_creation_info vhost_info;
  std::memset(&vhost_info, 0, sizeof vhost_info);
  vhost_info.vhost_name = "bare-client";
  vhost_info.options = options;
  vhost_info.port = CONTEXT_PORT_NO_LISTEN;
  vhost_info.protocols = kProtocols;
  lws_vhost* vhost = lws_create_vhost(state.context, &vhost_info);
  if (!vhost) {
    std::fprintf(stderr, "bare_lws_client: lws_create_vhost failed\n");
    lws_context_destroy(state.context);
    return 1;
  }
  Tick(&state.tick);

  lws_client_connect_info connect;
  std::memset(&connect, 0, sizeof connect);
  connect.context = state.context;
  connect.vhost = vhost;
  connect.address = host.c_str();
  connect.port = port;
  connect.path = path.c_str();
  connect.host = host.c_str();
  connect.origin = host.c_str();
  connect.protocol = "ocpp1.6";
  if (!lws_client_connect_via_info(&connect)) {
    std::fprintf(stderr, "bare_lws_client: cannot connect to %s\n", url.c_str());
    lws_context_destroy(state.context);
    return 1;
  }
  std::string pending;
  int status = 0;
  while (!StdinSaysQuit(pending)) {
    if (state.closed) {
      status = state.answered ? 0 : 1;
      break;
    }
    lws_service(state.context, 0);
  }
  lws_sul_cancel(&state.tick);
  lws_context_destroy(state.context);
  return status;
}
