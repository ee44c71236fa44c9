#include "runtime/ws_handshake.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <utility>

#include "runtime/entropy.h"

namespace ocpp::runtime {
namespace {

std::string Base64(const unsigned char* data, std::size_t size) {
  std::string encoded(4 * ((size + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), data,
                                     static_cast<int>(size));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// `value` is a comma-separated list with `token` in it (any case).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Printable for a log line: control bytes and non-ASCII as '?', cut short.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte >= 0x20 && byte < 0x7f ? c : '?');
  }
  if (text.size() > 60) out += "...";
  return out;
}

}  // namespace

std::string NewWebSocketKey() {
  unsigned char nonce[16];
  SecureRandomBytes(nonce, sizeof(nonce));  // the kernel's CSPRNG: no OpenSSL set-up
  return Base64(nonce, sizeof(nonce));
}

std::string WebSocketAcceptFor(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  const std::array<std::uint8_t, 20> digest = Sha1(input);
  return Base64(digest.data(), digest.size());
}

std::string BuildUpgradeRequest(const WsUpgradeRequest& request) {
  std::string host =
      request.host.find(':') != std::string::npos ? "[" + request.host + "]" : request.host;
  if (request.port != (request.secure ? 443 : 80)) host += ":" + std::to_string(request.port);
  std::string text = "GET " + request.path + " HTTP/1.1\r\n";
  text += "Host: " + host + "\r\n";
  text += "Upgrade: websocket\r\n";
  text += "Connection: Upgrade\r\n";
  text += "Sec-WebSocket-Key: " + request.key + "\r\n";
  text += "Sec-WebSocket-Version: 13\r\n";
  text += "Sec-WebSocket-Protocol: " + request.subprotocol + "\r\n";
  if (!request.authorization.empty()) {
    text += "Authorization: " + request.authorization + "\r\n";
  }
  text += "\r\n";
  return text;
}

WsHandshakeParser::WsHandshakeParser(std::string_view key, std::string subprotocol,
                                     std::size_t max_header_bytes)
    : expected_accept_(WebSocketAcceptFor(key)),
      subprotocol_(std::move(subprotocol)),
      max_header_bytes_(max_header_bytes) {}

WsHandshakeParser::Result WsHandshakeParser::Fail(Failure failure, std::string detail) {
  failure_ = failure;
  detail_ = std::move(detail);
  result_ = Result::kFailed;
  return result_;
}

WsHandshakeParser::Result WsHandshakeParser::Feed(std::string_view bytes, std::size_t* consumed) {
  std::size_t at = 0;
  while (result_ == Result::kIncomplete && at < bytes.size()) {
    const char c = bytes[at++];
    if (++header_bytes_ > max_header_bytes_) {
      Fail(Failure::kTooLarge,
           "upgrade response header over " + std::to_string(max_header_bytes_) + " bytes");
      break;
    }
    if (c != '\n') {
      line_.push_back(c);
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    std::string line;
    line.swap(line_);
    OnLine(line);
  }
  if (consumed) *consumed = at;
  return result_;
}

WsHandshakeParser::Result WsHandshakeParser::OnLine(std::string_view line) {
  if (!status_seen_) return OnStatusLine(line);
  if (line.empty()) return OnEndOfHeaders();
  return OnHeaderLine(line);
}

WsHandshakeParser::Result WsHandshakeParser::OnStatusLine(std::string_view line) {
  // "HTTP/1.1 101 Switching Protocols"; the reason phrase may be empty.
  status_seen_ = true;
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ')) {
    return Fail(Failure::kMalformed, "not an HTTP/1.x status line: " + Printable(line));
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      return Fail(Failure::kMalformed, "not an HTTP/1.x status line: " + Printable(line));
    }
    status = status * 10 + (line[i] - '0');
  }
  status_ = status;
  if (status != 101) {
    return Fail(Failure::kHttpStatus, "server answered the upgrade with HTTP " +
                                          std::to_string(status) + Printable(line.substr(12)));
  }
  return result_;
}

WsHandshakeParser::Result WsHandshakeParser::OnHeaderLine(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || line[0] == ' ' || line[0] == '\t') {
    // No name, or an obsolete folded continuation line (RFC 7230 3.2.4).
    return Fail(Failure::kMalformed, "unreadable header line: " + Printable(line));
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = Trim(line.substr(colon + 1));
  if (EqualsIgnoreCase(name, "Upgrade")) {
    upgrade_websocket_ = upgrade_websocket_ || HasToken(value, "websocket");
  } else if (EqualsIgnoreCase(name, "Connection")) {
    connection_upgrade_ = connection_upgrade_ || HasToken(value, "upgrade");
  } else if (EqualsIgnoreCase(name, "Sec-WebSocket-Accept")) {
    ++accept_headers_;
    accept_matches_ = value == expected_accept_;
  } else if (EqualsIgnoreCase(name, "Sec-WebSocket-Protocol")) {
    ++protocol_headers_;
    protocol_ = std::string(value);
  } else if (EqualsIgnoreCase(name, "Sec-WebSocket-Extensions")) {
    extensions_ = extensions_ || !value.empty();
  }
  return result_;
}

WsHandshakeParser::Result WsHandshakeParser::OnEndOfHeaders() {
  if (!upgrade_websocket_ || !connection_upgrade_) {
    return Fail(Failure::kNotUpgrade, "101 without Upgrade: websocket and Connection: Upgrade");
  }
  if (accept_headers_ != 1 || !accept_matches_) {
    return Fail(Failure::kBadAccept, "Sec-WebSocket-Accept missing or wrong");
  }
  if (extensions_) return Fail(Failure::kExtension, "server selected an extension not offered");
  if (protocol_headers_ != 1 || protocol_ != subprotocol_) {
    return Fail(Failure::kSubprotocol, protocol_headers_ == 0
                                           ? "server selected no subprotocol"
                                           : "server selected subprotocol " + Printable(protocol_));
  }
  result_ = Result::kAccepted;
  return result_;
}

}  // namespace ocpp::runtime
