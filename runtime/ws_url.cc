#include "runtime/ws_url.h"

#include <cctype>

namespace ocpp::runtime {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

std::optional<WsUrl> Fail(std::string* error, const char* why) {
  if (error) *error = why;
  return std::nullopt;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsHostChar(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; }

}  // namespace

std::optional<WsUrl> ParseWsUrl(std::string_view url, std::string* error) {
  WsUrl result;
  if (StartsWithNoCase(url, "wss://")) {
    result.secure = true;
    url.remove_prefix(6);
  } else if (StartsWithNoCase(url, "ws://")) {
    url.remove_prefix(5);
  } else {
    return Fail(error, "URL must start with ws:// or wss://");
  }
  if (url.find('#') != std::string_view::npos) {
    return Fail(error, "URL must not have a fragment");
  }
  const size_t authority_end = url.find_first_of("/?");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view rest =
      authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Fail(error, "URL must not carry user info; credentials are configured separately");
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(error, "unterminated IPv6 literal");
    result.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Fail(error, "junk after IPv6 literal");
      port_text = after.substr(1);
      if (port_text.empty()) return Fail(error, "empty port");
    }
    for (char c : result.host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return Fail(error, "bad IPv6 literal");
      }
    }
  } else {
    const size_t colon = authority.rfind(':');
    result.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Fail(error, "empty port");
    }
    for (char c : result.host) {
      if (!IsHostChar(static_cast<unsigned char>(c))) return Fail(error, "bad character in host");
    }
  }
  if (result.host.empty()) return Fail(error, "URL has no host");

  if (port_text.empty()) {
    result.port = result.secure ? 443 : 80;
  } else {
    if (port_text.size() > 5) return Fail(error, "port out of range");
    int port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return Fail(error, "port is not a number");
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return Fail(error, "port out of range");
    result.port = port;
  }

  const size_t query_start = rest.find('?');
  std::string_view path = rest.substr(0, query_start);
  if (query_start != std::string_view::npos)
    result.query = std::string(rest.substr(query_start + 1));
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Fail(error, "path must be percent-encoded");
  }
  result.path = path.empty() ? "/" : std::string(path);
  return result;
}

std::string PercentEncodePathSegment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0f]);
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::string ConnectionRequestPath(const WsUrl& url, std::string_view charge_point_id) {
  std::string path = url.path.empty() ? "/" : url.path;
  if (path.back() != '/') path.push_back('/');
  path += PercentEncodePathSegment(charge_point_id);
  if (!url.query.empty()) path += "?" + url.query;
  return path;
}

}  // namespace ocpp::runtime
