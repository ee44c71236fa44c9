// The client side of the RFC 6455 opening handshake (section 4.1), without
// I/O: the HTTP/1.1 upgrade request and an incremental, bounded parser of the
// server's answer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ocpp::runtime {

struct WsUpgradeRequest {
  std::string host;  // without brackets for IPv6 literals
  int port = 0;
  bool secure = false;
  std::string path;  // request target, already percent-encoded
  std::string key;   // Sec-WebSocket-Key
  std::string subprotocol;
  std::string authorization;  // the whole header value, e.g. "Basic ..."; empty = none
};

// A fresh Sec-WebSocket-Key: base64 of 16 random bytes (OpenSSL RAND_bytes).
std::string NewWebSocketKey();
// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string WebSocketAcceptFor(std::string_view key);
// The request bytes, ending with the empty line.
std::string BuildUpgradeRequest(const WsUpgradeRequest& request);

class WsHandshakeParser {
 public:
  enum class Result { kIncomplete, kAccepted, kFailed };
  enum class Failure {
    kNone,
    kMalformed,    // not an HTTP/1.x response, or a header line that cannot be read
    kTooLarge,     // the header block exceeds the limit
    kHttpStatus,   // a status other than 101 (http_status())
    kNotUpgrade,   // 101 without the Upgrade/Connection tokens
    kBadAccept,    // Sec-WebSocket-Accept does not match the key
    kExtension,    // an extension the client did not offer
    kSubprotocol,  // not exactly the subprotocol offered
  };

  // `key` is the Sec-WebSocket-Key sent; `subprotocol` the one offered.
  WsHandshakeParser(std::string_view key, std::string subprotocol,
                    std::size_t max_header_bytes = 8 * 1024);

  // Takes bytes of the response. On kAccepted, *consumed says how many of
  // these bytes belonged to the header block: the rest are the first frame
  // bytes. Nothing is taken after kAccepted or kFailed.
  Result Feed(std::string_view bytes, std::size_t* consumed);

  Failure failure() const { return failure_; }
  int http_status() const { return status_; }
  // One line on what was wrong (for logs and ConnectError::detail).
  const std::string& detail() const { return detail_; }

 private:
  Result Fail(Failure failure, std::string detail);
  // A complete line without its line ending.
  Result OnLine(std::string_view line);
  Result OnStatusLine(std::string_view line);
  Result OnHeaderLine(std::string_view line);
  Result OnEndOfHeaders();

  const std::string expected_accept_;
  const std::string subprotocol_;
  const std::size_t max_header_bytes_;
  Result result_ = Result::kIncomplete;
  Failure failure_ = Failure::kNone;
  std::string detail_;
  std::size_t header_bytes_ = 0;
  std::string line_;
  bool status_seen_ = false;
  int status_ = 0;
  bool upgrade_websocket_ = false;
  bool connection_upgrade_ = false;
  int accept_headers_ = 0;
  bool accept_matches_ = false;
  int protocol_headers_ = 0;
  std::string protocol_;
  bool extensions_ = false;
};

}  // namespace ocpp::runtime
