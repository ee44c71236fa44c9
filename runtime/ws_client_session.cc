// WsClientTransport's WebSocket layer on the raw lws connection: the lws
// callbacks, the opening handshake, frames in (WsFrameParser) and out
// (masked, written on the writeable callback), and the closing handshake.

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "runtime/entropy.h"
#include "runtime/ws_client_internal.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace {

using ws_client_internal::TlsClientChannel;
using ws_client_internal::Wipe;

void RandomMaskKey(unsigned char key[4]) {
  // RFC 6455 5.3: unpredictable, from a strong source of entropy.
  SecureRandomBytes(key, 4);  // the kernel's CSPRNG, buffered: no OpenSSL for ws://
}

}  // namespace

int WsClientTransport::OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                     size_t len) {
  if (destroying_) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_RAW_CONNECTED:
      // TCP is up: TLS (wss) or the upgrade is next.
      if (!IsCurrent(wsi)) return -1;
      return OnRawConnected(wsi);
    case LWS_CALLBACK_RAW_RX:
      if (!IsCurrent(wsi)) return -1;
      return OnRawReceive(static_cast<const unsigned char*>(in), len);
    case LWS_CALLBACK_RAW_WRITEABLE:
      if (!IsCurrent(wsi)) return -1;
      return OnWriteable(wsi);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (IsCurrent(wsi)) {
        const char* text = static_cast<const char*>(in);
        OnConnectionError(wsi, text ? std::string(text, strnlen(text, len ? len : 256)) : "");
      }
      return 0;
    case LWS_CALLBACK_RAW_CLOSE:
      if (IsCurrent(wsi)) {
        if (state_ == State::kConnecting && attempt_error_.kind == ConnectError::Kind::kNone) {
          attempt_error_ = {ConnectError::Kind::kTransport, 0,
                            "connection closed before the upgrade completed"};
        }
        OnAttemptEnded(pending_reason_.value_or(state_ == State::kConnecting
                                                    ? DisconnectReason::kConnectFailed
                                                    : DisconnectReason::kClosedByPeer));
      }
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

int WsClientTransport::OnRawConnected(lws* wsi) {
  wsi_ = wsi;
  if (!client_ssl_context_) {
    StartUpgrade();
  } else {
    tls_ = std::make_unique<TlsClientChannel>(client_ssl_context_, url_.host);
    if (!tls_->Start()) return OnTlsFailure();
    tls_output_ += tls_->TakeOutput();  // the ClientHello
  }
  // The socket is writeable now: the request (or ClientHello) goes at once.
  return OnWriteable(wsi);
}

void WsClientTransport::StartUpgrade() {
  const std::string key = NewWebSocketKey();
  handshake_request_ = UpgradeRequest(key);
  handshake_.emplace(key, kOcpp16Subprotocol);
  lws_callback_on_writable(wsi_);
}

int WsClientTransport::OnTlsFailure() {
  // The alert OpenSSL prepared tells the server why.
  if (wsi_) WriteRaw(wsi_, tls_output_ + tls_->TakeOutput());
  tls_output_.clear();
  if (state_ == State::kConnecting) {
    if (attempt_error_.kind == ConnectError::Kind::kNone) {
      std::string detail = tls_->error();
      if (!tls_failure_.empty()) detail += " (" + tls_failure_ + ")";
      attempt_error_ = {ConnectError::Kind::kTransport, 0, std::move(detail)};
    }
    return AbortNow(DisconnectReason::kConnectFailed);
  }
  Log(LogLevel::kWarning, "connection lost: " + tls_->error());
  return AbortNow(pending_reason_.value_or(DisconnectReason::kClosedByPeer));
}

int WsClientTransport::OnRawReceive(const unsigned char* data, size_t len) {
  if (!tls_) return OnPlaintext(data, len);
  if (state_ != State::kConnecting && state_ != State::kConnected && state_ != State::kClosing) {
    return 0;
  }
  std::string plain;
  if (!tls_->Receive(data, len, &plain)) return OnTlsFailure();
  tls_output_ += tls_->TakeOutput();
  if (state_ == State::kConnecting) {
    if (!handshake_ && handshake_request_.empty() && tls_->handshake_done()) StartUpgrade();
    // Handshake records and the upgrade request go at once.
    if (OnWriteable(wsi_) < 0) return -1;
  } else if (!tls_output_.empty()) {
    lws_callback_on_writable(wsi_);
  }
  if (plain.empty()) return 0;
  return OnPlaintext(reinterpret_cast<const unsigned char*>(plain.data()), plain.size());
}

int WsClientTransport::OnPlaintext(const unsigned char* data, size_t len) {
  if (handshake_) return OnHandshakeBytes(data, len);
  if (parser_) return OnFrameBytes(data, len);
  return 0;  // aborted: whatever still arrives is of no interest
}

int WsClientTransport::OnHandshakeBytes(const unsigned char* data, size_t len) {
  if (state_ != State::kConnecting) return 0;
  size_t consumed = 0;
  const WsHandshakeParser::Result result =
      handshake_->Feed(std::string_view(reinterpret_cast<const char*>(data), len), &consumed);
  if (result == WsHandshakeParser::Result::kIncomplete) return 0;
  if (result == WsHandshakeParser::Result::kFailed) {
    DisconnectReason reason = DisconnectReason::kConnectFailed;
    switch (handshake_->failure()) {
      case WsHandshakeParser::Failure::kHttpStatus:
        attempt_error_ = {ConnectError::Kind::kHttpStatus, handshake_->http_status(),
                          handshake_->detail()};
        break;
      case WsHandshakeParser::Failure::kSubprotocol:
        // OCPP-J §3.2: such a server closes right after the handshake anyway.
        attempt_error_ = {ConnectError::Kind::kSubprotocol, 0, handshake_->detail()};
        reason = DisconnectReason::kSubprotocolRefused;
        break;
      default:
        attempt_error_ = {ConnectError::Kind::kTransport, 0,
                          "invalid upgrade response: " + handshake_->detail()};
        break;
    }
    handshake_.reset();
    return AbortNow(reason);
  }
  handshake_.reset();
  parser_.emplace(options_.max_message_bytes);
  OnEstablished();
  // What came with the end of the header block is the first frame data.
  if (consumed < len && parser_) return OnFrameBytes(data + consumed, len - consumed);
  return 0;
}

void WsClientTransport::OnEstablished() {
  state_ = State::kConnected;
  CancelTimer(connect_timer_);
  backoff_.Reset();
  last_connect_error_ = ConnectError();
  Log(LogLevel::kInfo, "connected");
  ArmPingTimer();
  if (callbacks_.on_connected) callbacks_.on_connected();
}

int WsClientTransport::OnFrameBytes(const unsigned char* data, size_t len) {
  if (!parser_ || (state_ != State::kConnected && state_ != State::kClosing)) return 0;
  events_.clear();
  parser_->Feed(data, len, &events_);
  std::vector<WsFrameParser::Event> events;
  events.swap(events_);
  for (WsFrameParser::Event& event : events) {
    // A callback may have stopped or aborted the connection.
    if (!parser_ || !wsi_) return 0;
    OnFrameEvent(event);
  }
  if (!parser_ || !wsi_ || !parser_->close_frame_seen()) return 0;
  // The peer has closed. Once our close frame is out too, we are done.
  if (close_sent_) return -1;
  if (close_requested_) hang_up_after_close_ = true;
  return 0;
}

void WsClientTransport::OnFrameEvent(WsFrameParser::Event& event) {
  using Kind = WsFrameParser::Event::Kind;
  switch (event.kind) {
    case Kind::kText:
      if (state_ == State::kConnected && callbacks_.on_text) callbacks_.on_text(event.payload);
      return;
    case Kind::kBinary:
      // OCPP-J is text only: binary messages are ignored.
      Log(LogLevel::kDebug, "ignored a binary message of " + std::to_string(event.size) + " bytes");
      return;
    case Kind::kPing:
      if (state_ != State::kConnected) return;
      pong_payload_ = std::move(event.payload);  // only the latest is answered (5.5.3)
      lws_callback_on_writable(wsi_);
      return;
    case Kind::kPong:
      awaiting_pong_ = false;
      CancelTimer(pong_timer_);
      return;
    case Kind::kClose:
      if (close_requested_ || close_sent_) return;  // the answer to ours
      Log(LogLevel::kInfo,
          "central system closed the connection, code " + std::to_string(event.code));
      // Answer with the same code (none if it sent none), then hang up.
      state_ = State::kClosing;
      pending_reason_ = DisconnectReason::kClosedByPeer;
      CancelTimer(ping_timer_);
      CancelTimer(pong_timer_);
      outgoing_.clear();
      ArmCloseTimeout(DisconnectReason::kClosedByPeer);
      RequestClose(event.code == kWsCloseNoStatus ? 0 : event.code);
      return;
    case Kind::kError:
      if (state_ != State::kConnected) return;  // already closing: the timeout ends it
      Log(LogLevel::kWarning, event.payload + ": closing with " + std::to_string(event.code));
      RefuseMessage(event.code, event.payload);
      return;
  }
}

void WsClientTransport::RefuseMessage(std::uint16_t code, const std::string& reason) {
  pending_reason_ = DisconnectReason::kProtocolError;
  state_ = State::kClosing;
  CancelTimer(ping_timer_);
  CancelTimer(pong_timer_);
  outgoing_.clear();
  RequestClose(code, reason);
  ArmCloseTimeout(DisconnectReason::kProtocolError);
}

void WsClientTransport::RequestClose(std::uint16_t code, std::string_view reason) {
  close_requested_ = true;
  close_payload_ = code == 0 ? std::string() : ClosePayload(code, reason);
  if (wsi_) lws_callback_on_writable(wsi_);
}

bool WsClientTransport::WriteBytes(lws* wsi, const std::string& bytes) {
  if (!tls_) return WriteRaw(wsi, bytes);
  if (!tls_->Send(bytes)) return false;
  return WriteRaw(wsi, tls_->TakeOutput());
}

bool WsClientTransport::WriteRaw(lws* wsi, const std::string& bytes) {
  if (bytes.empty()) return true;
  // lws buffers what the socket does not take now (and drains it before the
  // next writeable callback); less than everything means failure.
  std::string buffer(LWS_PRE, '\0');
  buffer += bytes;
  auto* start = reinterpret_cast<unsigned char*>(buffer.data()) + LWS_PRE;
  const int written = lws_write(wsi, start, bytes.size(), LWS_WRITE_RAW);
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return written >= 0 && static_cast<size_t>(written) >= bytes.size();
}

int WsClientTransport::OnWriteable(lws* wsi) {
  if (!tls_output_.empty()) {
    // TLS handshake records (and whatever OpenSSL had to say) go first.
    std::string bytes;
    bytes.swap(tls_output_);
    if (!WriteRaw(wsi, bytes)) return -1;
    if (!tls_ || !tls_->handshake_done()) return 0;
  }
  if (tls_ && !tls_->handshake_done()) return 0;
  if (!handshake_request_.empty()) {
    const bool ok = WriteBytes(wsi, handshake_request_);
    Wipe(handshake_request_);
    return ok ? 0 : -1;
  }
  // Our close frame has left lws' buffers: the closing handshake is over.
  if (hang_up_pending_) return -1;
  unsigned char key[4];
  if (close_requested_ && draining_before_close_ && !outgoing_.empty()) {
    RandomMaskKey(key);
    const bool ok = WriteBytes(wsi, EncodeClientFrame(WsOpcode::kText, outgoing_.front(), key));
    outgoing_.pop_front();
    lws_callback_on_writable(wsi);  // the rest, then the close frame
    return ok ? 0 : -1;
  }
  if (close_requested_) {
    // We keep reading until the peer answers (or the close timeout), so the
    // peer gets the close frame and not a TCP reset.
    close_requested_ = false;
    draining_before_close_ = false;
    outgoing_.clear();  // nothing goes after a close frame
    close_sent_ = true;
    RandomMaskKey(key);
    if (!WriteBytes(wsi, EncodeClientFrame(WsOpcode::kClose, close_payload_, key))) return -1;
    if (hang_up_after_close_) {
      hang_up_pending_ = true;
      lws_callback_on_writable(wsi);
    }
    return 0;
  }
  if (state_ != State::kConnected) return 0;
  std::string frame;
  if (pong_payload_) {
    RandomMaskKey(key);
    frame = EncodeClientFrame(WsOpcode::kPong, *pong_payload_, key);
    pong_payload_.reset();
  } else if (ping_due_) {
    ping_due_ = false;
    RandomMaskKey(key);
    frame = EncodeClientFrame(WsOpcode::kPing, "", key);
  } else if (!outgoing_.empty()) {
    RandomMaskKey(key);
    frame = EncodeClientFrame(WsOpcode::kText, outgoing_.front(), key);
    outgoing_.pop_front();
  } else {
    return 0;
  }
  if (!WriteBytes(wsi, frame)) return -1;
  if (pong_payload_ || ping_due_ || !outgoing_.empty()) lws_callback_on_writable(wsi);
  return 0;
}

}  // namespace ocpp::runtime
