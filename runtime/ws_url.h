// The OCPP-J connection URL (OCPP-J 1.6 §3.1.1): the central system's ws:// or
// wss:// endpoint with '/' and the percent-encoded charge point identity
// appended to its path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ocpp::runtime {

struct WsUrl {
  bool secure = false;  // wss
  std::string host;     // without brackets for IPv6 literals
  int port = 0;         // 80 / 443 when the URL has none
  std::string path;     // starts with '/'
  std::string query;    // without '?', usually empty
};

// Accepts ws:// and wss:// URLs with a host, optional port, path and query.
// Rejects anything else (other schemes, user info, fragments, bad ports) and
// says why in `error`.
std::optional<WsUrl> ParseWsUrl(std::string_view url, std::string* error = nullptr);

// Percent-encodes everything except RFC 3986 unreserved characters, so any
// identity (spaces, '/', '%', UTF-8) stays one path segment.
std::string PercentEncodePathSegment(std::string_view text);

// Decodes %XX escapes; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// The request target for `url` and `charge_point_id`: path + '/' + encoded id
// (+ '?' + query). A trailing '/' on the endpoint path is not doubled.
std::string ConnectionRequestPath(const WsUrl& url, std::string_view charge_point_id);

}  // namespace ocpp::runtime
