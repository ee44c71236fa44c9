// The server side of OCPP-J on the same runtime: a small central-system
// endpoint for tests, the demo and benchmarks. It accepts WebSocket upgrades
// offering "ocpp1.6", lets a hook answer 401/404 from the request path and
// Authorization header, and hands over whole text messages per connection.
//
// Test-only behaviours are explicit: refusing the subprotocol, dropping a
// connection without a close frame, and no longer reading a connection (so
// pings go unanswered, as on a half-open link).
//
// Loop thread only, like every lws object. Pings from clients are answered by
// lws itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/lws_event_loop.h"

namespace ocpp::runtime {

class WsServer final : private LwsHandler {
 public:
  using ConnectionId = std::uint64_t;

  // What the central system sees of an upgrade request before answering it.
  struct UpgradeRequest {
    // Request path without query. lws percent-decodes it before anybody
    // sees it: "/ocpp/CP%20001" arrives as "/ocpp/CP 001".
    std::string path;
    // The identity: what follows endpoint_path + '/', or the last segment
    // when no endpoint_path is set. Empty when the path is not under it.
    std::string charge_point_id;
    std::string authorization;                   // raw Authorization header value, empty if absent
    std::string client_certificate_common_name;  // wss with client certificates only
  };

  enum class Verdict {
    kAccept,
    kUnauthorized,  // HTTP 401 with WWW-Authenticate: Basic
    kNotFound,      // HTTP 404 (unknown charge point, OCPP-J 1.6 §3.2)
  };

  struct Options {
    std::string listen_address = "127.0.0.1";
    // 0 = any free port, see port(). Two servers on one loop must not share
    // a port: lws would make them one listener (name-based vhosts).
    int port = 0;
    // The OCPP-J endpoint path, e.g. "/ocpp". Lets identities contain '/'
    // (sent as %2F, decoded by lws).
    std::string endpoint_path;
    // wss when cert_file is set.
    std::string cert_file;
    std::string key_file;
    // Non-empty: the TLS handshake requires a client certificate issued by
    // this CA (security profile 3).
    std::string client_ca_file;
    // Completes the handshake without Sec-WebSocket-Protocol and closes right
    // away, as OCPP-J 1.6 §3.2 asks of a server that does not speak the
    // offered subprotocol. ws only; accept and on_open are not called.
    bool refuse_subprotocol = false;
    // Longer messages from a client are answered with close code 1009.
    std::size_t max_message_bytes = 1024 * 1024;

    std::function<Verdict(const UpgradeRequest& request)> accept;  // null: accept all
    std::function<void(ConnectionId id, const UpgradeRequest& request)> on_open;
    std::function<void(ConnectionId id, std::string_view text)> on_text;
    // The client sent a close frame (code 1005 when it carried none).
    std::function<void(ConnectionId id, std::uint16_t code)> on_peer_close;
    std::function<void(ConnectionId id)> on_close;
  };

  // Null (with the reason in `error`) when the listener cannot be set up:
  // port in use, unreadable certificate or key, inconsistent options.
  static std::unique_ptr<WsServer> Create(LwsEventLoop& loop, Options options,
                                          std::string* error = nullptr);
  ~WsServer() override;
  WsServer(const WsServer&) = delete;
  WsServer& operator=(const WsServer&) = delete;

  int port() const { return port_; }
  std::size_t connection_count() const { return connections_.size(); }

  // All return false for an unknown or closing connection.
  bool Send(ConnectionId id, std::string text);
  // One text message sent as a sequence of frames (tests of reassembly).
  bool SendFragmented(ConnectionId id, const std::vector<std::string>& fragments);
  bool SendBinary(ConnectionId id, std::string bytes);
  // Close frame with `code`, then the TCP close.
  bool Close(ConnectionId id, std::uint16_t code = 1000);
  // Abrupt close (TCP reset, no close frame): a network drop as the client sees it.
  bool Drop(ConnectionId id);
  // Stops reading the connection: the client's pings and texts stay unread.
  bool StopReading(ConnectionId id);

 private:
  struct OutFrame {
    std::vector<unsigned char> buffer;  // LWS_PRE bytes of headroom, then the payload
    int write_mode = 0;                 // lws_write_protocol flags
  };
  struct Connection {
    ConnectionId id = 0;
    lws* wsi = nullptr;
    std::deque<OutFrame> out;
    bool closing = false;
    std::uint16_t close_code = 1000;
    std::string rx;
    bool rx_binary = false;
  };
  // A raw TCP peer in refuse_subprotocol mode.
  struct RawPeer {
    std::string request;
    std::string response;
    bool sent = false;
  };

  WsServer(LwsEventLoop& loop, Options options);
  int OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                    size_t len) override;
  int OnFilter(lws* wsi);
  int OnReceive(lws* wsi, const char* data, size_t len);
  int OnWriteable(lws* wsi);
  void OnGone(lws* wsi);
  int OnRawRx(lws* wsi, const char* data, size_t len);
  int OnRawWriteable(lws* wsi);
  bool Enqueue(ConnectionId id, std::string_view payload, int write_mode);
  Connection* Find(ConnectionId id);
  Connection* FindByWsi(lws* wsi);
  void Log(LogLevel level, const std::string& message) const;

  LwsEventLoop& loop_;
  Options options_;
  lws_vhost* vhost_ = nullptr;
  int port_ = 0;
  bool shutting_down_ = false;
  ConnectionId next_id_ = 1;
  std::map<ConnectionId, Connection> connections_;
  std::unordered_map<lws*, ConnectionId> id_of_wsi_;
  // Between the accepted upgrade and ESTABLISHED.
  std::unordered_map<lws*, UpgradeRequest> pending_;
  std::unordered_map<lws*, RawPeer> raw_peers_;
};

}  // namespace ocpp::runtime
