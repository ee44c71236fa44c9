#include "runtime/ws_client_transport.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <random>
#include <utility>

#include "codegen/cpp_support/json_codec.h"
#include "runtime/tls_policy.h"
#include "runtime/ws_client_internal.h"

namespace ocpp::runtime {
namespace {

using ws_client_internal::CheckTlsFiles;
using ws_client_internal::IsHex;
using ws_client_internal::TransportIndex;
using ws_client_internal::Wipe;

// lws' own idle keep-alive (ping after 5 min, hang up after 310 s) runs on
// real time; this transport supervises the link itself on the loop's Clock.
const lws_retry_bo_t kNoLwsKeepAlive = {};

// lws' own opcode for close frames (LWS_WRITE_CLOSE, private in lws 4.1's
// headers, which send it for lws_close_reason).
constexpr auto kLwsWriteClose = static_cast<lws_write_protocol>(4);

// How long a close handshake we started may take before we just hang up.
constexpr base::Milliseconds kCloseHandshakeTimeout(5000);

std::string HeaderValue(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<size_t>(length) + 1, '\0');
  const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
  if (copied < 0) return {};
  value.resize(static_cast<size_t>(copied));
  return value;
}

}  // namespace

std::unique_ptr<WsClientTransport> WsClientTransport::Create(LwsEventLoop& loop, Options options,
                                                             std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<WsClientTransport> {
    if (error) *error = why;
    Wipe(options.authorization_key);
    return nullptr;
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
  if (needs_tls && options.ca_file.empty()) return fail("profile needs a ca_file");
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
      backoff_(options_.reconnect_base, options_.reconnect_cap, seed) {
  loop_.AddServiceObserver(this);
}

bool WsClientTransport::CreateVhost() {
  LwsVhostSpec spec;
  spec.name = "ws-client:" + options_.charge_point_id;
  if (url_.secure) {
    spec.client_tls = true;
    spec.client_ca_file = options_.ca_file;
    if (options_.security_profile == SecurityProfile::kTlsWithClientCertificate) {
      spec.client_cert_file = options_.client_cert_file;
      spec.client_key_file = options_.client_key_file;
    }
    spec.ssl_client_options_set = kTlsMinimumVersionOptions;
    spec.cipher_list = kTls12CipherList;
  }
  vhost_ = loop_.CreateVhost(spec, this);
  return vhost_ != nullptr;
}

WsClientTransport::~WsClientTransport() {
  // From here on lws callbacks do not reach this object; the connection, if
  // any, is closed synchronously so that no wsi outlives us.
  destroying_ = true;
  running_ = false;
  loop_.RemoveServiceObserver(this);
  for (TimerId* timer :
       {&retry_timer_, &connect_timer_, &close_timer_, &ping_timer_, &pong_timer_}) {
    CancelTimer(*timer);
  }
  if (wsi_) {
    lws* wsi = wsi_;
    wsi_ = nullptr;
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
  }
  // The vhost (and its SSL_CTX) may outlive us.
  if (client_ssl_context_) SSL_CTX_set_ex_data(client_ssl_context_, TransportIndex(), nullptr);
  loop_.DestroyVhost(vhost_);
  Wipe(options_.authorization_key);
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
      RequestClose(wsi_, close_code);
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
  std::vector<unsigned char> frame(LWS_PRE + text.size());
  std::memcpy(frame.data() + LWS_PRE, text.data(), text.size());
  outgoing_.push_back(std::move(frame));
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
  info.ssl_connection = url_.secure ? LCCSCF_USE_SSL : 0;
  info.path = request_path_.c_str();
  // Host header, TLS SNI and lws' certificate name check all use this; it
  // must be the bare host name (a ":port" would break the latter two).
  info.host = url_.host.c_str();
  info.protocol = kOcpp16Subprotocol;  // Sec-WebSocket-Protocol we offer
  info.local_protocol_name = kOcpp16Subprotocol;
  info.ietf_version_or_minus_one = -1;
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

int WsClientTransport::OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                     size_t len) {
  if (destroying_) {
    if (reason == LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION) return 1;
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
  switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
      // `user` is this vhost's client SSL_CTX.
      ApplyTlsPolicy(static_cast<SSL_CTX*>(user));
      WatchTlsHandshakes(static_cast<SSL_CTX*>(user));
      return 0;
    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
      return OnVerifyServerCertificate(wsi, user, len);
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
      return OnAppendHandshakeHeader(wsi, in, len);
    case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
      return OnFilterPreEstablish(wsi);
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      if (!IsCurrent(wsi)) return -1;
      OnEstablished(wsi);
      return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
      if (!IsCurrent(wsi)) return -1;
      return OnReceive(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
      if (IsCurrent(wsi)) {
        awaiting_pong_ = false;
        CancelTimer(pong_timer_);
      }
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
      if (!IsCurrent(wsi)) return -1;
      return OnWriteable(wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (IsCurrent(wsi)) {
        const auto* bytes = static_cast<const unsigned char*>(in);
        const int code = (bytes && len >= 2) ? (bytes[0] << 8 | bytes[1]) : 1005;
        if (close_sent_) return -1;  // the answer to ours: done, no second close frame
        Log(LogLevel::kInfo, "central system closed the connection, code " + std::to_string(code));
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (IsCurrent(wsi)) {
        const char* text = static_cast<const char*>(in);
        OnConnectionError(wsi, text ? std::string(text, strnlen(text, len ? len : 256)) : "");
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
      if (IsCurrent(wsi)) OnAttemptEnded(pending_reason_.value_or(DisconnectReason::kClosedByPeer));
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      // Safety net: every wsi ends here, whether or not lws said why before.
      if (wsi && wsi == wsi_) {
        OnAttemptEnded(pending_reason_.value_or(state_ == State::kConnecting
                                                    ? DisconnectReason::kConnectFailed
                                                    : DisconnectReason::kClosedByPeer));
      }
      return 0;
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int WsClientTransport::OnFilterPreEstablish(lws* wsi) {
  if (!IsCurrent(wsi)) return -1;
  // lws accepts a 101 without Sec-WebSocket-Protocol; OCPP-J does not
  // (§3.2: such a server closes right after the handshake).
  const std::string selected = HeaderValue(wsi, WSI_TOKEN_PROTOCOL);
  if (selected != kOcpp16Subprotocol) {
    attempt_error_ = {ConnectError::Kind::kSubprotocol, 0,
                      selected.empty() ? "server selected no subprotocol"
                                       : "server selected subprotocol " + selected};
    return -1;
  }
  return 0;
}

void WsClientTransport::OnEstablished(lws* wsi) {
  wsi_ = wsi;
  state_ = State::kConnected;
  CancelTimer(connect_timer_);
  backoff_.Reset();
  last_connect_error_ = ConnectError();
  Log(LogLevel::kInfo, "connected");
  ArmPingTimer();
  if (callbacks_.on_connected) callbacks_.on_connected();
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

int WsClientTransport::OnReceive(lws* wsi, const char* data, size_t len) {
  if (state_ != State::kConnected) return 0;  // closing: ignore late data
  if (lws_is_first_fragment(wsi)) {
    rx_.clear();
    rx_binary_ = lws_frame_is_binary(wsi);
  }
  if (rx_binary_) return 0;  // OCPP-J is text only: binary messages are ignored
  // Refuse as soon as the frame header announces too much, before buffering.
  if (rx_.size() + len + lws_remaining_packet_payload(wsi) > options_.max_message_bytes) {
    Log(LogLevel::kWarning, "incoming message exceeds " +
                                std::to_string(options_.max_message_bytes) +
                                " bytes: closing with 1009");
    rx_.clear();
    return RefuseMessage(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
  }
  if (len > 0) rx_.append(data, len);
  if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
    std::string text;
    text.swap(rx_);
    if (!codec::IsValidUtf8(text)) {
      Log(LogLevel::kWarning, "incoming text is not UTF-8: closing with 1007");
      return RefuseMessage(wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD);
    }
    if (callbacks_.on_text) callbacks_.on_text(text);
  }
  return 0;
}

int WsClientTransport::RefuseMessage(lws* wsi, lws_close_status code) {
  rx_.clear();
  pending_reason_ = DisconnectReason::kProtocolError;
  state_ = State::kClosing;
  CancelTimer(ping_timer_);
  CancelTimer(pong_timer_);
  // The close frame goes out from the writeable callback. Returning -1 from
  // the receive callback would be fatal: lws 4.1 then keeps its rx buffer
  // index at the chunk it just handed over, goes on parsing the rest of the
  // frame while it waits for the close answer, and writes past the buffer.
  RequestClose(wsi, code);
  ArmCloseTimeout(DisconnectReason::kProtocolError);
  return 0;
}

void WsClientTransport::RequestClose(lws* wsi, lws_close_status code) {
  close_requested_ = true;
  close_code_ = code;
  lws_callback_on_writable(wsi);
}

void WsClientTransport::CheckAnnouncedLength() {
  if (state_ != State::kConnected || !wsi_) return;
  // lws hands payload over only per full rx buffer or at the end of a frame;
  // a header announcing 2^63 bytes followed by a trickle would otherwise
  // leave us waiting forever.
  if (lws_remaining_packet_payload(wsi_) <= options_.max_message_bytes) return;
  Log(LogLevel::kWarning, "incoming frame announces more than " +
                              std::to_string(options_.max_message_bytes) +
                              " bytes: closing with 1009");
  RefuseMessage(wsi_, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
}

void WsClientTransport::ArmCloseTimeout(DisconnectReason reason) {
  // lws waits for the peer's close frame on real time; a peer that never
  // sends one is cut off on the loop's clock as well.
  CancelTimer(close_timer_);
  close_timer_ = loop_.AddTimer(kCloseHandshakeTimeout, [this, reason] {
    close_timer_ = 0;
    Abort(reason);
  });
}

int WsClientTransport::OnWriteable(lws* wsi) {
  if (close_requested_) {
    // We write the close frame ourselves and keep reading until the peer
    // answers (or the close timeout). lws 4.1 would hang up right after
    // sending it; with unread data from the peer that is a TCP reset, and
    // the peer loses the close frame.
    close_requested_ = false;
    close_sent_ = true;
    unsigned char frame[LWS_PRE + 2];
    frame[LWS_PRE] = static_cast<unsigned char>(close_code_ >> 8);
    frame[LWS_PRE + 1] = static_cast<unsigned char>(close_code_ & 0xff);
    if (lws_write(wsi, frame + LWS_PRE, 2, kLwsWriteClose) < 2) return -1;
    return 0;
  }
  if (state_ != State::kConnected) return 0;
  if (ping_due_) {
    ping_due_ = false;
    unsigned char ping[LWS_PRE + 1];
    if (lws_write(wsi, ping + LWS_PRE, 0, LWS_WRITE_PING) < 0) return -1;
    if (!outgoing_.empty()) lws_callback_on_writable(wsi);
    return 0;
  }
  if (outgoing_.empty()) return 0;
  std::vector<unsigned char> frame = std::move(outgoing_.front());
  outgoing_.pop_front();
  const size_t length = frame.size() - LWS_PRE;
  // lws buffers what the socket does not take now; less means failure.
  if (lws_write(wsi, frame.data() + LWS_PRE, length, LWS_WRITE_TEXT) < static_cast<int>(length)) {
    return -1;
  }
  if (!outgoing_.empty()) lws_callback_on_writable(wsi);
  return 0;
}

void WsClientTransport::OnConnectionError(lws* wsi, std::string_view detail) {
  if (attempt_error_.kind == ConnectError::Kind::kNone) {
    const unsigned int status = lws_http_client_http_response(wsi);
    if (status > 0 && status != 101) {
      attempt_error_ = {ConnectError::Kind::kHttpStatus, static_cast<int>(status),
                        std::string(detail)};
    } else {
      std::string text(detail);
      if (!tls_failure_.empty()) {
        text = text.empty() ? tls_failure_ : text + " (" + tls_failure_ + ")";
      }
      attempt_error_ = {ConnectError::Kind::kTransport, 0, std::move(text)};
    }
  }
  const DisconnectReason fallback = attempt_error_.kind == ConnectError::Kind::kSubprotocol
                                        ? DisconnectReason::kSubprotocolRefused
                                        : DisconnectReason::kConnectFailed;
  OnAttemptEnded(pending_reason_.value_or(fallback));
}

void WsClientTransport::Abort(DisconnectReason reason) {
  pending_reason_ = reason;
  state_ = State::kClosing;
  CancelTimer(connect_timer_);
  CancelTimer(close_timer_);
  CancelTimer(ping_timer_);
  CancelTimer(pong_timer_);
  if (wsi_) {
    // No close frame: on a dead link it would not arrive anyway. lws closes
    // the socket on its next turn and reports it (CLIENT_CLOSED or
    // CONNECTION_ERROR), which ends the attempt.
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  } else {
    OnAttemptEnded(reason);
  }
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
  close_sent_ = false;
  pending_reason_.reset();
  outgoing_.clear();
  rx_.clear();
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
  if (running_) {
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
