#include "runtime/file_transfer.h"

namespace ocpp::runtime {

std::string RedactUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme + 3;
  const std::size_t end = url.find_first_of("/?#", authority);
  const std::string_view host_part = url.substr(
      authority, end == std::string_view::npos ? std::string_view::npos : end - authority);
  const std::size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const std::size_t colon = host_part.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority + colon + 1));
  out += "***";
  out += url.substr(authority + at);
  return out;
}

}  // namespace ocpp::runtime
