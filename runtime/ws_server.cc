#include "runtime/ws_server.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "runtime/tls_policy.h"

namespace ocpp::runtime {
namespace {

constexpr char kRefuserProtocol[] = "ocpp1.6-refuser";
constexpr size_t kMaxRawRequestBytes = 8 * 1024;

lws_protocols kRefuserProtocols[] = {
    {kRefuserProtocol, &LwsEventLoop::Dispatch, 0, 0, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

std::string HeaderValue(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<size_t>(length) + 1, '\0');
  const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
  if (copied < 0) return {};
  value.resize(static_cast<size_t>(copied));
  return value;
}

std::string ChargePointId(const std::string& path, const std::string& endpoint_path) {
  if (endpoint_path.empty()) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }
  std::string prefix = endpoint_path;
  if (prefix.back() != '/') prefix.push_back('/');
  if (path.compare(0, prefix.size(), prefix) != 0) return {};
  return path.substr(prefix.size());
}

// The CN of a verified client certificate, as UTF-8 (lws' own accessor
// returns OpenSSL's escaped one-line form).
std::string ClientCertificateCommonName(lws* wsi) {
  SSL* ssl = lws_get_ssl(wsi);
  if (!ssl) return {};
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (!certificate) return {};
  X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (length < 0) return {};
  std::string name(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

// Writes a complete HTTP response refusing the upgrade (the ws handshake has
// not been answered yet, so the connection is still plain HTTP/1.1).
bool WriteHttpRefusal(lws* wsi, WsServer::Verdict verdict) {
  std::string head = verdict == WsServer::Verdict::kUnauthorized
                         ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"OCPP\"\r\n"
                         : "HTTP/1.1 404 Not Found\r\n";
  head += "Content-Length: 0\r\nConnection: close\r\n\r\n";
  std::vector<unsigned char> buffer(LWS_PRE + head.size());
  std::memcpy(buffer.data() + LWS_PRE, head.data(), head.size());
  return lws_write(wsi, buffer.data() + LWS_PRE, head.size(), LWS_WRITE_HTTP_HEADERS) ==
         static_cast<int>(head.size());
}

// Sec-WebSocket-Accept for `key` (RFC 6455 §4.2.2).
std::string WebSocketAccept(const std::string& key) {
  const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

// Value of header `name` (lower case) in a raw HTTP request head.
std::string RawHeader(const std::string& head, const std::string& name) {
  size_t line_start = head.find("\r\n");
  while (line_start != std::string::npos) {
    line_start += 2;
    const size_t line_end = head.find("\r\n", line_start);
    if (line_end == std::string::npos || line_end == line_start) break;
    const std::string line = head.substr(line_start, line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string field = line.substr(0, colon);
      std::transform(field.begin(), field.end(), field.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (field == name) {
        size_t begin = colon + 1;
        while (begin < line.size() && line[begin] == ' ') ++begin;
        return line.substr(begin);
      }
    }
    line_start = line_end;
  }
  return {};
}

}  // namespace

std::unique_ptr<WsServer> WsServer::Create(LwsEventLoop& loop, Options options,
                                           std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<WsServer> {
    if (error) *error = why;
    return nullptr;
  };
  const bool tls = !options.cert_file.empty();
  if (tls && options.key_file.empty()) return fail("cert_file needs key_file");
  if (!tls && !options.client_ca_file.empty()) return fail("client_ca_file needs TLS");
  if (tls && options.refuse_subprotocol) return fail("refuse_subprotocol is ws only");
  if (options.port < 0 || options.port > 65535) return fail("port out of range");
  if (options.max_message_bytes == 0) return fail("max_message_bytes must be positive");

  std::unique_ptr<WsServer> server(new WsServer(loop, std::move(options)));
  const Options& o = server->options_;
  LwsVhostSpec spec;
  spec.name = "ws-server";
  spec.port = o.port;
  spec.listen_address = o.listen_address;
  spec.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_VALIDATE_UTF8;
  if (o.refuse_subprotocol) {
    // A raw listener: lws' own ws server always echoes the subprotocol.
    spec.options |= LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
    spec.protocols = kRefuserProtocols;
    spec.listen_accept_role = "raw-skt";
    spec.listen_accept_protocol = kRefuserProtocol;
  }
  if (tls) {
    spec.server_cert_file = o.cert_file;
    spec.server_key_file = o.key_file;
    spec.ssl_options_set = kTlsMinimumVersionOptions;
    spec.cipher_list = kTls12CipherList;
    if (!o.client_ca_file.empty()) {
      spec.server_ca_file = o.client_ca_file;
      spec.options |= LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
    }
  }
  server->vhost_ = loop.CreateVhost(spec, server.get());
  if (!server->vhost_) return fail("cannot listen (port in use, or bad certificate/key files)");
  server->port_ = lws_get_vhost_listen_port(server->vhost_);
  return server;
}

WsServer::WsServer(LwsEventLoop& loop, Options options)
    : loop_(loop), options_(std::move(options)) {}

WsServer::~WsServer() {
  // No callback may reach this object from here on; then close what is open,
  // synchronously, so no lws connection outlives the server.
  shutting_down_ = true;
  std::vector<lws*> open;
  for (auto& [id, connection] : connections_) open.push_back(connection.wsi);
  for (auto& [wsi, request] : pending_) open.push_back(wsi);
  for (auto& [wsi, peer] : raw_peers_) open.push_back(wsi);
  for (lws* wsi : open) lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
  loop_.DestroyVhost(vhost_);
}

bool WsServer::Send(ConnectionId id, std::string text) { return Enqueue(id, text, LWS_WRITE_TEXT); }

bool WsServer::SendFragmented(ConnectionId id, const std::vector<std::string>& fragments) {
  Connection* connection = Find(id);
  if (!connection || fragments.empty()) return false;
  for (size_t i = 0; i < fragments.size(); ++i) {
    const int mode = lws_write_ws_flags(LWS_WRITE_TEXT, i == 0, i + 1 == fragments.size());
    Enqueue(id, fragments[i], mode);
  }
  return true;
}

bool WsServer::SendBinary(ConnectionId id, std::string bytes) {
  return Enqueue(id, bytes, LWS_WRITE_BINARY);
}

bool WsServer::Enqueue(ConnectionId id, std::string_view payload, int write_mode) {
  Connection* connection = Find(id);
  if (!connection) return false;
  OutFrame frame;
  frame.buffer.resize(LWS_PRE + payload.size());
  std::memcpy(frame.buffer.data() + LWS_PRE, payload.data(), payload.size());
  frame.write_mode = write_mode;
  connection->out.push_back(std::move(frame));
  lws_callback_on_writable(connection->wsi);
  return true;
}

bool WsServer::Close(ConnectionId id, std::uint16_t code) {
  Connection* connection = Find(id);
  if (!connection) return false;
  connection->closing = true;
  connection->close_code = code;
  lws_callback_on_writable(connection->wsi);
  return true;
}

bool WsServer::Drop(ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection) return false;
  connection->closing = true;
  // SO_LINGER 0: close() sends a reset instead of a FIN.
  const linger hard_reset{1, 0};
  setsockopt(lws_get_socket_fd(connection->wsi), SOL_SOCKET, SO_LINGER, &hard_reset,
             sizeof(hard_reset));
  lws_set_timeout(connection->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  return true;
}

bool WsServer::StopReading(ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection) return false;
  lws_rx_flow_control(connection->wsi, 0);
  return true;
}

WsServer::Connection* WsServer::Find(ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.closing) return nullptr;
  return &it->second;
}

WsServer::Connection* WsServer::FindByWsi(lws* wsi) {
  auto it = id_of_wsi_.find(wsi);
  if (it == id_of_wsi_.end()) return nullptr;
  auto connection = connections_.find(it->second);
  return connection == connections_.end() ? nullptr : &connection->second;
}

int WsServer::OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                            size_t len) {
  if (shutting_down_) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
      // `user` is this vhost's server SSL_CTX.
      ApplyTlsPolicy(static_cast<SSL_CTX*>(user));
      return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      return OnFilter(wsi);
    case LWS_CALLBACK_ESTABLISHED: {
      auto pending = pending_.find(wsi);
      if (pending == pending_.end()) return -1;
      UpgradeRequest request = std::move(pending->second);
      pending_.erase(pending);
      const ConnectionId id = next_id_++;
      Connection& connection = connections_[id];
      connection.id = id;
      connection.wsi = wsi;
      id_of_wsi_[wsi] = id;
      if (options_.on_open) options_.on_open(id, request);
      return 0;
    }
    case LWS_CALLBACK_RECEIVE:
      return OnReceive(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
      return OnWriteable(wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
      Connection* connection = FindByWsi(wsi);
      if (connection && options_.on_peer_close) {
        const auto* bytes = static_cast<const unsigned char*>(in);
        const std::uint16_t code = (bytes && len >= 2) ? (bytes[0] << 8 | bytes[1]) : 1005;
        options_.on_peer_close(connection->id, code);
      }
      return 0;
    }
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_RAW_CLOSE:
    case LWS_CALLBACK_WSI_DESTROY:
      OnGone(wsi);
      break;
    case LWS_CALLBACK_RAW_ADOPT:
      raw_peers_[wsi];
      return 0;
    case LWS_CALLBACK_RAW_RX:
      return OnRawRx(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_RAW_WRITEABLE:
      return OnRawWriteable(wsi);
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int WsServer::OnFilter(lws* wsi) {
  UpgradeRequest request;
  request.path = HeaderValue(wsi, WSI_TOKEN_GET_URI);
  request.charge_point_id = ChargePointId(request.path, options_.endpoint_path);
  request.authorization = HeaderValue(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  request.client_certificate_common_name = ClientCertificateCommonName(wsi);
  const Verdict verdict = options_.accept ? options_.accept(request) : Verdict::kAccept;
  if (verdict != Verdict::kAccept) {
    Log(LogLevel::kInfo, std::string("refusing upgrade for ") + request.path + " with HTTP " +
                             (verdict == Verdict::kUnauthorized ? "401" : "404"));
    WriteHttpRefusal(wsi, verdict);
    return -1;
  }
  pending_[wsi] = std::move(request);
  return 0;
}

int WsServer::OnReceive(lws* wsi, const char* data, size_t len) {
  Connection* connection = FindByWsi(wsi);
  if (!connection) return -1;
  if (lws_is_first_fragment(wsi)) {
    connection->rx.clear();
    connection->rx_binary = lws_frame_is_binary(wsi);
  }
  if (connection->rx_binary) return 0;  // OCPP-J is text only
  if (connection->rx.size() + len + lws_remaining_packet_payload(wsi) >
      options_.max_message_bytes) {
    lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nullptr, 0);
    return -1;
  }
  if (len > 0) connection->rx.append(data, len);
  if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
    std::string text;
    text.swap(connection->rx);
    const ConnectionId id = connection->id;
    if (options_.on_text) options_.on_text(id, text);
  }
  return 0;
}

int WsServer::OnWriteable(lws* wsi) {
  Connection* connection = FindByWsi(wsi);
  if (!connection) return -1;
  if (!connection->out.empty()) {
    OutFrame& frame = connection->out.front();
    const size_t length = frame.buffer.size() - LWS_PRE;
    const int written = lws_write(wsi, frame.buffer.data() + LWS_PRE, length,
                                  static_cast<lws_write_protocol>(frame.write_mode));
    connection->out.pop_front();
    if (written < static_cast<int>(length)) return -1;
    if (!connection->out.empty() || connection->closing) lws_callback_on_writable(wsi);
    return 0;
  }
  if (connection->closing) {
    lws_close_reason(wsi, static_cast<lws_close_status>(connection->close_code), nullptr, 0);
    return -1;
  }
  return 0;
}

void WsServer::OnGone(lws* wsi) {
  pending_.erase(wsi);
  raw_peers_.erase(wsi);
  auto it = id_of_wsi_.find(wsi);
  if (it == id_of_wsi_.end()) return;
  const ConnectionId id = it->second;
  id_of_wsi_.erase(it);
  connections_.erase(id);
  if (options_.on_close) options_.on_close(id);
}

int WsServer::OnRawRx(lws* wsi, const char* data, size_t len) {
  auto it = raw_peers_.find(wsi);
  if (it == raw_peers_.end()) return -1;
  RawPeer& peer = it->second;
  if (peer.sent) return 0;
  peer.request.append(data, len);
  if (peer.request.size() > kMaxRawRequestBytes) return -1;
  if (peer.request.find("\r\n\r\n") == std::string::npos) return 0;
  const std::string key = RawHeader(peer.request, "sec-websocket-key");
  if (key.empty()) return -1;
  // The handshake completes without Sec-WebSocket-Protocol; a close frame
  // (1000, unmasked as from a server) follows immediately.
  peer.response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      WebSocketAccept(key) + "\r\n\r\n" + std::string("\x88\x02\x03\xe8", 4);
  lws_callback_on_writable(wsi);
  return 0;
}

int WsServer::OnRawWriteable(lws* wsi) {
  auto it = raw_peers_.find(wsi);
  if (it == raw_peers_.end()) return -1;
  RawPeer& peer = it->second;
  if (peer.response.empty()) return 0;
  if (peer.sent) return -1;  // lws only asks again once the response is flushed
  std::vector<unsigned char> buffer(LWS_PRE + peer.response.size());
  std::memcpy(buffer.data() + LWS_PRE, peer.response.data(), peer.response.size());
  if (lws_write(wsi, buffer.data() + LWS_PRE, peer.response.size(), LWS_WRITE_RAW) < 0) return -1;
  peer.sent = true;
  lws_callback_on_writable(wsi);
  return 0;
}

void WsServer::Log(LogLevel level, const std::string& message) const {
  loop_.Log(level, "ws-server: " + message);
}

}  // namespace ocpp::runtime
