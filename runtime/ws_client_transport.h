// The charge point's connection to the central system: OCPP-J 1.6 over
// libwebsockets + OpenSSL, with the security profiles of the OCPP 1.6
// security whitepaper edition 2, reconnecting with exponential back-off and
// full jitter, and WebSocket ping/pong supervision. Every timer runs on the
// LwsEventLoop's Clock.
//
// lws provides the socket, TLS (with the certificate checks below) and the
// event loop as a RAW client connection; the WebSocket layer is our own
// (ws_handshake.h, ws_frame_parser.h), so that every RFC 6455 violation of
// the server is answered with a close frame (1002/1007/1009) instead of a
// dropped TCP connection, and masked server frames are refused.
//
// Use it on the loop thread only. Callbacks run there too; they may call
// Send/Stop/Start but must not destroy the transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/reconnect_backoff.h"
#include "runtime/transport.h"
#include "runtime/ws_frame_parser.h"
#include "runtime/ws_handshake.h"
#include "runtime/ws_url.h"

namespace ocpp::runtime {

namespace ws_client_internal {
class TlsClientChannel;
}  // namespace ws_client_internal

// Whitepaper ed. 2 §2.1; 0 is plain OCPP-J 1.6 without a security profile.
enum class SecurityProfile : int {
  kUnsecured = 0,                 // ws://, no authentication
  kBasicAuth = 1,                 // ws://, HTTP Basic
  kTlsWithBasicAuth = 2,          // wss:// (server certificate checked), HTTP Basic
  kTlsWithClientCertificate = 3,  // wss:// (server certificate checked), client certificate
};

class WsClientTransport final : public Transport, private LwsHandler {
 public:
  struct Options {
    // The OCPP-J endpoint URL; '/' and the percent-encoded charge point id are
    // appended to its path (OCPP-J 1.6 §3.1.1).
    std::string central_system_url;
    std::string charge_point_id;
    SecurityProfile security_profile = SecurityProfile::kUnsecured;
    // Profiles 1 and 2: the AuthorizationKey, the Basic password. Never logged.
    std::string authorization_key;
    // How the key becomes the password. Whitepaper ed. 2 (2.3 remark 7, A00.FR.205,
    // §7.2): Base64(<ChargePointId>:<AuthorizationKey>) with the configured
    // string as is; that is the default. The older OCPP-J 1.6 §6.2.2 example
    // hex-decodes the key into 20 raw bytes; set this for central systems that
    // still expect that.
    bool authorization_key_is_hex = false;
    // Profiles 2 and 3: PEM file of the CA(s) the server certificate may
    // chain to, besides the roots of SetTrustedRoots (empty: those only).
    // The host name of the URL must match the certificate.
    std::string ca_file;
    // Profile 3: PEM client certificate (chain) and its private key.
    std::string client_cert_file;
    std::string client_key_file;

    // Reconnect delay of attempt n: uniform in [0, min(cap, base * 2^n)].
    base::Milliseconds reconnect_base{2000};
    base::Milliseconds reconnect_cap{60'000};
    // Seed of the jitter; unset = from std::random_device (a fleet must not
    // share it). Tests set it to predict every delay.
    std::optional<std::uint64_t> random_seed;
    // A connection attempt (TCP + TLS + upgrade) that takes longer fails.
    base::Milliseconds connect_timeout{30'000};
    // WebSocket ping period once connected (WebSocketPingInterval); 0 = off.
    base::Milliseconds ping_interval{0};
    // No pong this long after a ping: the link is dead, drop and reconnect.
    base::Milliseconds pong_timeout{10'000};
    // Longer incoming messages are refused with close code 1009 (text that
    // is not UTF-8 with 1007, any other RFC 6455 violation with 1002),
    // ending the connection with kProtocolError once the peer answers the
    // close or 5 s (on the clock) have passed.
    std::size_t max_message_bytes = 64 * 1024;
  };

  // Why the last connection attempt failed, for status and security events
  // (e.g. InvalidCentralSystemCertificate for kServerCertificate).
  struct ConnectError {
    enum class Kind {
      kNone,
      kTransport,          // TCP or TLS (other than the server certificate)
      kServerCertificate,  // untrusted, expired or issued for another host
      kHttpStatus,         // the server answered the upgrade with http_status
      kSubprotocol,        // the server did not select ocpp1.6
      kTimeout,            // connect_timeout passed
    };
    Kind kind = Kind::kNone;
    int http_status = 0;
    std::string detail;
  };

  // Null (with the reason in `error`) when the options are inconsistent, e.g.
  // a wss:// URL with profile 1 or a missing key file for profile 3.
  static std::unique_ptr<WsClientTransport> Create(LwsEventLoop& loop, Options options,
                                                   std::string* error = nullptr);
  ~WsClientTransport() override;
  WsClientTransport(const WsClientTransport&) = delete;
  WsClientTransport& operator=(const WsClientTransport&) = delete;

  // Transport. Start() connects on the next loop turn. Frames queued by Send()
  // and not yet written when the connection ends are dropped (the RPC layer
  // owns retries).
  void SetCallbacks(Callbacks callbacks) override;
  void Start() override;
  // Stop() closes with 1000; the connection ends when the server answers the
  // close frame or after 5 s on the clock.
  void Stop() override { Stop(LWS_CLOSE_STATUS_NORMAL); }
  // The same with another close code, e.g. LWS_CLOSE_STATUS_GOINGAWAY (1001)
  // when the station resets or shuts down.
  void Stop(lws_close_status close_code);
  // Stopped and the last connection has ended: an owner that is about to
  // exit pumps the loop until this holds, so the close frame is really sent
  // (bounded by the 5 s close timeout, on the loop's clock).
  bool IsStopped() const { return !running_ && state_ == State::kIdle; }
  bool Send(std::string text) override;
  bool IsConnected() const override { return state_ == State::kConnected; }
  std::string SecurityFailure() const override;

  // WebSocketPingInterval changed (ChangeConfiguration): applies at once,
  // counted from now; 0 stops pinging. False (ignored) if negative.
  bool SetPingInterval(base::Milliseconds interval);
  // AuthorizationKey changed (whitepaper A01): used from the next connection
  // attempt on. False (ignored) if empty or, in hex mode, not hex.
  bool SetAuthorizationKey(std::string key);
  // Installed CentralSystemRootCertificates (security whitepaper M05), PEM:
  // trusted besides ca_file from the next TLS handshake on; an empty list
  // leaves ca_file alone. False (nothing changes) when one is not a PEM
  // certificate. Without TLS (ws://) they are kept for a later Reconfigure.
  bool SetTrustedRoots(const std::vector<std::string>& pems);
  // Another URL, security profile or credentials (SecurityProfile changed,
  // whitepaper A05): checked like Create (false with the reason, nothing
  // changes); then a connection that is up or under way is closed (1000)
  // and the next attempt, at once, uses the new options. The trusted roots
  // and the ping interval stay; the reconnect timing of the new set is
  // ignored.
  bool Reconfigure(Options options, std::string* error = nullptr);

  const ConnectError& last_connect_error() const { return last_connect_error_; }
  // When the next attempt is scheduled; empty unless waiting to reconnect.
  std::optional<base::SteadyTime> reconnect_deadline() const { return reconnect_deadline_; }
  // Failed or lost attempts since the last successful connection.
  int reconnect_attempts() const { return backoff_.attempts(); }
  // A ping is unanswered (diagnostics).
  bool awaiting_pong() const { return awaiting_pong_; }
  // The request path sent to the server: endpoint path + '/' + encoded id.
  const std::string& request_path() const { return request_path_; }

  // "Basic <base64(id:password)>", the Authorization header value; empty if
  // `key_is_hex` and the key is not hex.
  static std::string BasicAuthorizationValue(std::string_view charge_point_id,
                                             std::string_view authorization_key, bool key_is_hex);

 private:
  enum class State {
    kIdle,            // not started, or stopped
    kWaitingToRetry,  // a timer will start the next attempt
    kConnecting,      // TCP/TLS/upgrade in progress
    kConnected,
    kClosing,  // going away (Stop, pong timeout, ...); lws reports the end
  };

  WsClientTransport(LwsEventLoop& loop, Options options, WsUrl url, std::uint64_t seed);
  static std::optional<WsUrl> CheckOptions(const Options& options, std::string* why);
  int OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                    size_t len) override;
  // OpenSSL's verify callback; routes to OnVerifyServerCertificate (which
  // answers 0 to accept, 1 to refuse).
  static int VerifyServerCertificate(int preverify_ok, X509_STORE_CTX* store);
  int OnVerifyServerCertificate(X509_STORE_CTX* store, int preverify_ok);
  void WatchTlsHandshakes(SSL_CTX* context);
  static void OnTlsInfo(const SSL* ssl, int where, int ret);
  // ws_client_session.cc: the WebSocket layer on the raw connection.
  int OnRawConnected(lws* wsi);
  // TLS is up (or not used): writes the upgrade request.
  void StartUpgrade();
  // A fatal TLS error: sends the alert, ends the attempt.
  int OnTlsFailure();
  // The upgrade request (with the Authorization header of profiles 1 and 2).
  std::string UpgradeRequest(const std::string& key) const;
  // Returns what the lws callback returns (-1: close the connection now).
  int OnRawReceive(const unsigned char* data, size_t len);
  int OnPlaintext(const unsigned char* data, size_t len);
  int OnHandshakeBytes(const unsigned char* data, size_t len);
  int OnFrameBytes(const unsigned char* data, size_t len);
  void OnFrameEvent(WsFrameParser::Event& event);
  void OnEstablished();
  // Closes with `code` because of what the peer sent (kProtocolError).
  void RefuseMessage(std::uint16_t code, const std::string& reason);
  // Has the writeable callback send a close frame with `code`.
  void RequestClose(std::uint16_t code, std::string_view reason = {});
  int OnWriteable(lws* wsi);
  // Writes bytes (through TLS for wss); false on failure.
  bool WriteBytes(lws* wsi, const std::string& bytes);
  bool WriteRaw(lws* wsi, const std::string& bytes);
  void OnConnectionError(lws* wsi, std::string_view detail);
  void OnAttemptEnded(DisconnectReason reason);

  bool CreateVhost();
  bool IsCurrent(lws* wsi) const;
  void ScheduleAttempt(base::Milliseconds delay);
  void Connect();
  void ArmPingTimer();
  void SendPing();
  // After sending a close frame: Abort(reason) if the peer does not answer.
  void ArmCloseTimeout(DisconnectReason reason);
  // Ends the current connection without a close frame; the attempt ends with
  // `reason` once lws has closed it.
  void Abort(DisconnectReason reason);
  // The same from inside an lws callback of the connection: returns -1 for
  // the callback to return, so lws closes it at once.
  int AbortNow(DisconnectReason reason);
  void PrepareAbort(DisconnectReason reason);
  void CancelTimer(TimerId& id);
  void Log(LogLevel level, const std::string& message) const;

  LwsEventLoop& loop_;
  Options options_;
  WsUrl url_;
  std::string request_path_;
  Callbacks callbacks_;
  ReconnectBackoff backoff_;

  lws_vhost* vhost_ = nullptr;
  lws* wsi_ = nullptr;
  State state_ = State::kIdle;
  bool running_ = false;
  bool destroying_ = false;
  // The reason the current attempt will end with when lws closes it, if it
  // was our decision (Stop, pong timeout, oversized message, ...).
  std::optional<DisconnectReason> pending_reason_;
  ConnectError attempt_error_;
  std::string tls_failure_;                 // OpenSSL's alert/reason in the current attempt
  SSL_CTX* client_ssl_context_ = nullptr;   // ours (wss:// only)
  std::vector<std::string> trusted_roots_;  // SetTrustedRoots, PEM
  bool reconnect_now_ = false;              // Reconfigure: no back-off delay
  bool draining_before_close_ = false;      // Stop: queued frames before the close
  std::unique_ptr<ws_client_internal::TlsClientChannel> tls_;  // the connection's TLS
  std::string tls_output_;                                     // ciphertext not yet handed to lws
  ConnectError last_connect_error_;

  // The current connection's WebSocket layer.
  std::string handshake_request_;               // not yet written; holds the password
  std::optional<WsHandshakeParser> handshake_;  // until the server's 101
  std::optional<WsFrameParser> parser_;         // from the 101 on
  std::vector<WsFrameParser::Event> events_;
  std::deque<std::string> outgoing_;         // encoded text frames
  std::optional<std::string> pong_payload_;  // a ping to answer (the latest)
  bool ping_due_ = false;
  bool awaiting_pong_ = false;
  bool close_requested_ = false;
  std::string close_payload_;
  bool close_sent_ = false;  // our close frame is out; the peer's answer ends it
  // Both closes are exchanged (or the peer's close came first): hang up once
  // our close frame has left lws' buffers.
  bool hang_up_after_close_ = false;
  bool hang_up_pending_ = false;

  TimerId retry_timer_ = 0;
  TimerId connect_timer_ = 0;
  TimerId close_timer_ = 0;
  TimerId ping_timer_ = 0;
  TimerId pong_timer_ = 0;
  std::optional<base::SteadyTime> reconnect_deadline_;
};

}  // namespace ocpp::runtime
