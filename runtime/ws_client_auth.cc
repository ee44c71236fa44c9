// WsClientTransport's HTTP Basic authentication (security profiles 1 and
// 2): the upgrade request with its Authorization header, built from the
// AuthorizationKey and wiped from memory after use.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <optional>
#include <string>

#include "runtime/ws_client_internal.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace ws_client_internal {

bool IsHex(std::string_view text) {
  if (text.size() % 2 != 0) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void Wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace ws_client_internal

namespace {

using ws_client_internal::Wipe;

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = nibble(hex[i]);
    const int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(high << 4 | low));
  }
  return bytes;
}

}  // namespace

std::string WsClientTransport::BasicAuthorizationValue(std::string_view charge_point_id,
                                                       std::string_view authorization_key,
                                                       bool key_is_hex) {
  std::string credentials(charge_point_id);
  credentials.push_back(':');
  if (key_is_hex) {
    std::optional<std::string> raw = HexDecode(authorization_key);
    if (!raw) {
      Wipe(credentials);
      return {};
    }
    credentials += *raw;
    Wipe(*raw);
  } else {
    credentials.append(authorization_key);
  }
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  Wipe(credentials);
  encoded.resize(static_cast<size_t>(length));
  std::string value = "Basic " + encoded;
  Wipe(encoded);
  return value;
}

std::string WsClientTransport::UpgradeRequest(const std::string& key) const {
  WsUpgradeRequest request;
  request.host = url_.host;
  request.port = url_.port;
  request.secure = url_.secure;
  request.path = request_path_;
  request.key = key;
  request.subprotocol = kOcpp16Subprotocol;
  if (options_.security_profile == SecurityProfile::kBasicAuth ||
      options_.security_profile == SecurityProfile::kTlsWithBasicAuth) {
    request.authorization = BasicAuthorizationValue(
        options_.charge_point_id, options_.authorization_key, options_.authorization_key_is_hex);
  }
  std::string text = BuildUpgradeRequest(request);
  Wipe(request.authorization);
  return text;
}

}  // namespace ocpp::runtime
