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

std::string RedactCredentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;  // text[0, done) is in `out`
  for (std::size_t scheme = text.find("://"); scheme != std::string_view::npos;
       scheme = text.find("://", scheme + 3)) {
    const std::size_t authority = scheme + 3;
    // The authority ends at a path, query, fragment, quote, space or escape.
    std::size_t end = text.find_first_of("/?#\"' \\\t\r\n<>", authority);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view host_part = text.substr(authority, end - authority);
    const std::size_t at = host_part.rfind('@');
    if (at == std::string_view::npos) continue;
    const std::size_t colon = host_part.substr(0, at).find(':');
    if (colon == std::string_view::npos) continue;
    out.append(text.substr(done, authority + colon + 1 - done));
    out += "***";
    done = authority + at;
    scheme = done;  // continue after the credentials
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace ocpp::runtime
