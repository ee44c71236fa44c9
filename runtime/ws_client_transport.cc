#include "runtime/ws_client_transport.h"

#include <cstring>
#include <random>
#include <utility>

#include "runtime/ws_client_internal.h"

namespace ocpp::runtime {
namespace {

using ws_client_internal::CheckTlsFiles;
using ws_client_internal::IsHex;
using ws_client_internal::Wipe;

// lws' own idle keep-alive (ping after 5 min, hang up after 310 s) runs on
// real time; this transport supervises the link itself on the loop's Clock.
const lws_retry_bo_t kNoLwsKeepAlive = {};

// How long a close handshake we started may take before we just hang up.
constexpr base::Milliseconds kCloseHandshakeTimeout(5000);

}  // namespace

// Create's and Reconfigure's checks: the URL, or nothing with the reason.
std::optional<WsUrl> WsClientTransport::CheckOptions(const Options& options, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<WsUrl> {
    *why = reason;
    return std::nullopt;
  };
  std::string url_error;
  std::optional<WsUrl> url = ParseWsUrl(options.central_system_url, &url_error);
  if (!url) return fail("central_system_url: " + url_error);
  if (options.charge_point_id.empty()) return fail("charge_point_id is empty");

  const int profile = static_cast<int>(options.security_profile);
  if (profile < 0 || profile > 3) return fail("security_profile must be 0..3");
  const bool needs_tls = profile >= 2;
  if (url->secure != needs_tls) {
    return fail("security profile " + std::to_string(profile) + " needs a " +
                (needs_tls ? "wss://" : "ws://") + " URL");
  }
  const bool basic_auth = options.security_profile == SecurityProfile::kBasicAuth ||
                          options.security_profile == SecurityProfile::kTlsWithBasicAuth;
  if (basic_auth) {
    if (options.authorization_key.empty()) return fail("profile needs an authorization_key");
    // RFC 7617: the user-id of Basic authentication cannot contain ':'.
    if (options.charge_point_id.find(':') != std::string::npos) {
      return fail("charge_point_id with ':' cannot be a Basic auth user name");
    }
    if (options.authorization_key_is_hex && !IsHex(options.authorization_key)) {
      return fail("authorization_key is not hexadecimal");
    }
  }
  if (options.security_profile == SecurityProfile::kTlsWithClientCertificate &&
      (options.client_cert_file.empty() || options.client_key_file.empty())) {
    return fail("profile 3 needs client_cert_file and client_key_file");
  }
  if (options.reconnect_base.count() <= 0 || options.reconnect_cap < options.reconnect_base) {
    return fail("need 0 < reconnect_base <= reconnect_cap");
  }
  if (options.connect_timeout.count() <= 0) return fail("connect_timeout must be positive");
  if (options.ping_interval.count() < 0) return fail("ping_interval must not be negative");
  if (options.pong_timeout.count() <= 0) return fail("pong_timeout must be positive");
  if (options.max_message_bytes == 0) return fail("max_message_bytes must be positive");
  if (needs_tls) {
    const std::string problem = CheckTlsFiles(options);
    if (!problem.empty()) return fail(problem);
  }
  return url;
}

std::unique_ptr<WsClientTransport> WsClientTransport::Create(LwsEventLoop& loop, Options options,
                                                             std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<WsClientTransport> {
    if (error) *error = why;
    Wipe(options.authorization_key);
    return nullptr;
  };
  std::string why;
  std::optional<WsUrl> url = CheckOptions(options, &why);
  if (!url) return fail(why);

  std::uint64_t seed = 0;
  if (options.random_seed) {
    seed = *options.random_seed;
  } else {
    std::random_device device;
    seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  std::unique_ptr<WsClientTransport> transport(
      new WsClientTransport(loop, std::move(options), std::move(*url), seed));
  if (!transport->CreateVhost()) return fail("lws could not create the client vhost");
  return transport;
}

WsClientTransport::WsClientTransport(LwsEventLoop& loop, Options options, WsUrl url,
                                     std::uint64_t seed)
    : loop_(loop),
      options_(std::move(options)),
      url_(std::move(url)),
      request_path_(ConnectionRequestPath(url_, options_.charge_point_id)),
      backoff_(options_.reconnect_base, options_.reconnect_cap, seed) {}

bool WsClientTransport::CreateVhost() {
  if (url_.secure) {
    // TLS is ours (over lws' raw socket), so lws sets up no OpenSSL at all.
    std::string error;
    client_ssl_context_ =
        ws_client_internal::NewClientContext(options_, &VerifyServerCertificate, &error);
    if (!client_ssl_context_) {
      Log(LogLevel::kError, error);
      return false;
    }
    WatchTlsHandshakes(client_ssl_context_);
  }
  LwsVhostSpec spec;
  spec.name = "ws-client:" + options_.charge_point_id;
  vhost_ = loop_.CreateVhost(spec, this);
  return vhost_ != nullptr;
}

bool WsClientTransport::Reconfigure(Options options, std::string* error) {
  std::string why;
  std::optional<WsUrl> url = CheckOptions(options, &why);
  SSL_CTX* context = nullptr;
  if (url && url->secure) {
    context = ws_client_internal::NewClientContext(options, &VerifyServerCertificate, &why);
    if (context && !trusted_roots_.empty()) {
      X509_STORE* store = ws_client_internal::NewTrustStore(options.ca_file, trusted_roots_, &why);
      if (store) {
        SSL_CTX_set_cert_store(context, store);
      } else {
        SSL_CTX_free(context);
        context = nullptr;
      }
    }
    if (!context) url.reset();
  }
  if (!url) {
    if (error) *error = why;
    Wipe(options.authorization_key);
    return false;
  }
  // A handshake under way keeps its own reference to the old context.
  if (client_ssl_context_) SSL_CTX_free(client_ssl_context_);
  client_ssl_context_ = nullptr;
  if (context) WatchTlsHandshakes(context);  // sets client_ssl_context_
  Wipe(options_.authorization_key);
  options.ping_interval = options_.ping_interval;  // WebSocketPingInterval stays
  options_ = std::move(options);
  url_ = std::move(*url);
  request_path_ = ConnectionRequestPath(url_, options_.charge_point_id);
  Log(LogLevel::kInfo, "security profile " +
                           std::to_string(static_cast<int>(options_.security_profile)) +
                           " from the next connection");
  if (!running_) return true;
  // Whitepaper A05.FR.06/07: leave the current connection, come back at once.
  reconnect_now_ = true;
  switch (state_) {
    case State::kWaitingToRetry:
      CancelTimer(retry_timer_);
      reconnect_deadline_.reset();
      reconnect_now_ = false;
      ScheduleAttempt(base::Milliseconds(0));
      break;
    case State::kConnecting:
    case State::kConnected:
      Stop(LWS_CLOSE_STATUS_NORMAL);
      running_ = true;  // OnAttemptEnded reconnects
      break;
    case State::kIdle:
    case State::kClosing:
      break;
  }
  return true;
}

WsClientTransport::~WsClientTransport() {
  // From here on lws callbacks do not reach this object; the connection, if
  // any, is closed synchronously so that no wsi outlives us.
  destroying_ = true;
  running_ = false;
  for (TimerId* timer :
       {&retry_timer_, &connect_timer_, &close_timer_, &ping_timer_, &pong_timer_}) {
    CancelTimer(*timer);
  }
  if (wsi_) {
    lws* wsi = wsi_;
    wsi_ = nullptr;
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
  }
  tls_.reset();
  if (client_ssl_context_) SSL_CTX_free(client_ssl_context_);
  loop_.DestroyVhost(vhost_);
  Wipe(options_.authorization_key);
  Wipe(handshake_request_);
}

void WsClientTransport::SetCallbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }

void WsClientTransport::Start() {
  if (running_) return;
  running_ = true;
  // kClosing: the old connection ends first, then OnAttemptEnded schedules
  // the next attempt because running_ is set again.
  if (state_ == State::kIdle) ScheduleAttempt(base::Milliseconds(0));
}

void WsClientTransport::Stop(lws_close_status close_code) {
  const auto code = static_cast<std::uint16_t>(close_code);
  running_ = false;
  switch (state_) {
    case State::kIdle:
      break;
    case State::kWaitingToRetry:
      CancelTimer(retry_timer_);
      reconnect_deadline_.reset();
      state_ = State::kIdle;
      break;
    case State::kConnecting:
      Abort(DisconnectReason::kClosedLocally);
      break;
    case State::kConnected:
      // Close frame from the writeable callback, then we wait for the
      // server's close; a server that never answers is cut off.
      state_ = State::kClosing;
      pending_reason_ = DisconnectReason::kClosedLocally;
      CancelTimer(ping_timer_);
      CancelTimer(pong_timer_);
      ArmCloseTimeout(DisconnectReason::kClosedLocally);
      // What was queued before Stop (e.g. the CALLRESULT of the
      // ChangeConfiguration that made us reconnect) goes out first, then
      // the close frame; nothing after it.
      draining_before_close_ = true;
      RequestClose(code);
      break;
    case State::kClosing:
      break;  // keeps the reason it is closing for
  }
}

bool WsClientTransport::SetPingInterval(base::Milliseconds interval) {
  if (interval.count() < 0) return false;
  options_.ping_interval = interval;
  // Re-arm from now. An unanswered ping keeps its pong deadline.
  CancelTimer(ping_timer_);
  if (state_ == State::kConnected) ArmPingTimer();
  return true;
}

bool WsClientTransport::SetAuthorizationKey(std::string key) {
  const bool valid = !key.empty() && (!options_.authorization_key_is_hex || IsHex(key));
  if (valid) {
    Wipe(options_.authorization_key);
    options_.authorization_key = std::move(key);
  }
  Wipe(key);
  return valid;
}

bool WsClientTransport::Send(std::string text) {
  if (state_ != State::kConnected) return false;
  // Masked when written (a fresh key per frame, RFC 6455 5.3).
  outgoing_.push_back(std::move(text));
  lws_callback_on_writable(wsi_);
  return true;
}

void WsClientTransport::ScheduleAttempt(base::Milliseconds delay) {
  state_ = State::kWaitingToRetry;
  reconnect_deadline_ = loop_.clock().Now() + delay;
  retry_timer_ = loop_.AddTimer(delay, [this] {
    retry_timer_ = 0;
    Connect();
  });
}

void WsClientTransport::Connect() {
  reconnect_deadline_.reset();
  if (!running_) {
    state_ = State::kIdle;
    return;
  }
  attempt_error_ = ConnectError();
  tls_failure_.clear();
  pending_reason_.reset();
  state_ = State::kConnecting;
  connect_timer_ = loop_.AddTimer(options_.connect_timeout, [this] {
    connect_timer_ = 0;
    if (state_ != State::kConnecting) return;
    attempt_error_ = {ConnectError::Kind::kTimeout, 0, "connect timeout"};
    Abort(DisconnectReason::kConnectFailed);
  });

  lws_client_connect_info info;
  std::memset(&info, 0, sizeof(info));
  info.context = loop_.context();
  info.vhost = vhost_;
  info.address = url_.host.c_str();
  info.port = url_.port;
  // A raw socket: TLS (for wss), the upgrade and the frames are ours. lws
  // 4.1.6 cannot do TLS on RAW clients (LCCSCF_USE_SSL makes it start TLS
  // before the socket exists), so ws_client_tls.cc runs OpenSSL over it.
  info.ssl_connection = 0;
  info.method = "RAW";
  info.path = request_path_.c_str();
  info.host = url_.host.c_str();
  // Binds the connection to the "ocpp1.6" protocol of the vhost, whose
  // callback routes to this transport.
  info.local_protocol_name = kOcpp16Subprotocol;
  info.retry_and_idle_policy = &kNoLwsKeepAlive;

  Log(LogLevel::kInfo, std::string("connecting to ") + (url_.secure ? "wss://" : "ws://") +
                           url_.host + ":" + std::to_string(url_.port) + request_path_);
  lws* wsi = lws_client_connect_via_info(&info);
  if (state_ != State::kConnecting) return;  // failed inside, already handled
  if (!wsi) {
    if (attempt_error_.kind == ConnectError::Kind::kNone) {
      attempt_error_ = {ConnectError::Kind::kTransport, 0, "lws could not start the connection"};
    }
    OnAttemptEnded(DisconnectReason::kConnectFailed);
    return;
  }
  wsi_ = wsi;
}

bool WsClientTransport::IsCurrent(lws* wsi) const {
  // A failure can be reported from inside lws_client_connect_via_info, before
  // wsi_ is known; the vhost serves only this transport, so it is ours.
  return wsi && (wsi == wsi_ || (!wsi_ && state_ == State::kConnecting));
}

void WsClientTransport::SendPing() {
  if (state_ != State::kConnected) return;
  ping_due_ = true;
  lws_callback_on_writable(wsi_);
  // The first unanswered ping starts the clock; later ones do not extend it.
  if (!awaiting_pong_) {
    awaiting_pong_ = true;
    pong_timer_ = loop_.AddTimer(options_.pong_timeout, [this] {
      pong_timer_ = 0;
      if (state_ != State::kConnected) return;
      Log(LogLevel::kWarning, "no pong within " + std::to_string(options_.pong_timeout.count()) +
                                  " ms: dropping the connection");
      Abort(DisconnectReason::kPongTimeout);
    });
  }
  ArmPingTimer();
}

void WsClientTransport::ArmPingTimer() {
  if (options_.ping_interval.count() <= 0) return;
  ping_timer_ = loop_.AddTimer(options_.ping_interval, [this] {
    ping_timer_ = 0;
    SendPing();
  });
}

void WsClientTransport::ArmCloseTimeout(DisconnectReason reason) {
  // A peer that never answers our close frame (or never takes our answer
  // to its own) is cut off on the loop's clock.
  CancelTimer(close_timer_);
  close_timer_ = loop_.AddTimer(kCloseHandshakeTimeout, [this, reason] {
    close_timer_ = 0;
    Abort(reason);
  });
}

void WsClientTransport::OnConnectionError(lws* wsi, std::string_view detail) {
  if (attempt_error_.kind == ConnectError::Kind::kNone) {
    std::string text(detail);
    if (!tls_failure_.empty()) {
      text = text.empty() ? tls_failure_ : text + " (" + tls_failure_ + ")";
    }
    attempt_error_ = {ConnectError::Kind::kTransport, 0, std::move(text)};
  }
  const DisconnectReason fallback = attempt_error_.kind == ConnectError::Kind::kSubprotocol
                                        ? DisconnectReason::kSubprotocolRefused
                                        : DisconnectReason::kConnectFailed;
  OnAttemptEnded(pending_reason_.value_or(fallback));
}

void WsClientTransport::Abort(DisconnectReason reason) {
  PrepareAbort(reason);
  if (wsi_) {
    // No close frame: on a dead link it would not arrive anyway. lws closes
    // the socket on its next turn and reports it (RAW_CLOSE or
    // CONNECTION_ERROR), which ends the attempt.
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  } else {
    OnAttemptEnded(reason);
  }
}

int WsClientTransport::AbortNow(DisconnectReason reason) {
  PrepareAbort(reason);
  return -1;  // lws closes the connection and reports RAW_CLOSE
}

void WsClientTransport::PrepareAbort(DisconnectReason reason) {
  pending_reason_ = reason;
  state_ = State::kClosing;
  // Whatever still arrives on this connection is of no interest.
  handshake_.reset();
  parser_.reset();
  CancelTimer(connect_timer_);
  CancelTimer(close_timer_);
  CancelTimer(ping_timer_);
  CancelTimer(pong_timer_);
}

void WsClientTransport::OnAttemptEnded(DisconnectReason reason) {
  wsi_ = nullptr;
  CancelTimer(connect_timer_);
  CancelTimer(close_timer_);
  CancelTimer(ping_timer_);
  CancelTimer(pong_timer_);
  ping_due_ = false;
  awaiting_pong_ = false;
  close_requested_ = false;
  close_payload_.clear();
  close_sent_ = false;
  hang_up_after_close_ = false;
  hang_up_pending_ = false;
  pending_reason_.reset();
  Wipe(handshake_request_);
  tls_.reset();
  tls_output_.clear();
  handshake_.reset();
  parser_.reset();
  pong_payload_.reset();
  outgoing_.clear();
  draining_before_close_ = false;
  if (reason == DisconnectReason::kConnectFailed ||
      reason == DisconnectReason::kSubprotocolRefused) {
    last_connect_error_ = attempt_error_;
    Log(LogLevel::kWarning, std::string("connection failed (") + ToString(reason) +
                                "): " + attempt_error_.detail +
                                (attempt_error_.http_status
                                     ? " [HTTP " + std::to_string(attempt_error_.http_status) + "]"
                                     : std::string()));
  } else {
    Log(LogLevel::kInfo, std::string("disconnected: ") + ToString(reason));
  }
  if (running_ && reconnect_now_) {
    reconnect_now_ = false;
    backoff_.Reset();
    ScheduleAttempt(base::Milliseconds(0));
  } else if (running_) {
    const base::Milliseconds delay = backoff_.Next();
    Log(LogLevel::kInfo, "next attempt in " + std::to_string(delay.count()) + " ms");
    ScheduleAttempt(delay);
  } else {
    state_ = State::kIdle;
  }
  if (callbacks_.on_disconnected) callbacks_.on_disconnected(reason);
}

void WsClientTransport::CancelTimer(TimerId& id) {
  if (id != 0) loop_.CancelTimer(id);
  id = 0;
}

void WsClientTransport::Log(LogLevel level, const std::string& message) const {
  loop_.Log(level, "ws-client[" + options_.charge_point_id + "]: " + message);
}

}  // namespace ocpp::runtime
