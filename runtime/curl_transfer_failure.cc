#include "runtime/curl_transfer_failure.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/curl_api.h"
#include "runtime/file_transfer.h"

namespace ocpp::runtime::curl_internal {
namespace {

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// Reads a number from libcurl (0 when there is no handle).
template <typename T>
T Info(CURL* easy, CURLINFO info) {
  T value = 0;
  if (easy) curl::easy_getinfo(easy, info, &value);
  return value;
}

}  // namespace

std::string Duration(base::Milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

std::vector<std::string> SecretsOf(const std::string& url) {
  const std::string redacted = RedactUrl(url);
  if (redacted == url) return {};
  const std::size_t start = redacted.find(":***@");
  std::string secret = url.substr(start + 1, url.size() - redacted.size() + 3);
  std::vector<std::string> secrets{secret};
  int length = 0;
  if (char* decoded =
          curl::easy_unescape(nullptr, secret.c_str(), static_cast<int>(secret.size()), &length)) {
    if (std::string(decoded, length) != secret) secrets.emplace_back(decoded, length);
    curl::free(decoded);
  }
  return secrets;
}

std::string Scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at; (at = text.find(secret)) != std::string::npos;) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::string DescribeFailure(CURL* easy, CURLcode code, const FailureContext& context) {
  const std::string detail = context.error_buffer && context.error_buffer[0]
                                 ? context.error_buffer
                                 : curl::easy_strerror(code);
  switch (code) {
    case CURLE_HTTP_RETURNED_ERROR:
      return "HTTP " + std::to_string(Info<long>(easy, CURLINFO_RESPONSE_CODE));
    case CURLE_COULDNT_CONNECT: {
      const long number = Info<long>(easy, CURLINFO_OS_ERRNO);
      if (number == ECONNREFUSED) return "connection refused";
      return "cannot connect: " +
             (number ? std::string(std::strerror(static_cast<int>(number))) : detail);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "host not found: " + detail;
    case CURLE_OPERATION_TIMEDOUT: {
      if (detail.find("too slow") == std::string::npos) {
        if (Info<curl_off_t>(easy, CURLINFO_CONNECT_TIME_T) == 0)
          return "timed out connecting (" + Duration(context.connect_timeout) + ")";
        // libcurl's words for CURLOPT_TIMEOUT (the others are the stall
        // check and the FTP/SFTP reply timeout, both the stall timeout).
        if (context.overall_timeout.count() > 0 && detail.rfind("Operation timed out", 0) == 0)
          return "timed out (transfer took more than " + Duration(context.overall_timeout) + ")";
      }
      return "timed out (no data for " +
             std::to_string(std::max<long>(1, context.stall_timeout.count())) + " s)";
    }
    case CURLE_LOGIN_DENIED:
      return "login denied";
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return "file not found";
    case CURLE_REMOTE_ACCESS_DENIED:
      return "access denied: " + detail;
    case CURLE_UPLOAD_FAILED:
      return "upload refused: " + detail;
    case CURLE_REMOTE_DISK_FULL:
      return "server disk full";
    case CURLE_FILESIZE_EXCEEDED:
      return "too large (limit " + std::to_string(context.max_download_bytes) + " bytes)";
    case CURLE_TOO_MANY_REDIRECTS:
      return "too many redirects (more than " + std::to_string(context.max_redirects) + ")";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "unsupported scheme: " + detail;
    case CURLE_GOT_NOTHING:
      return "empty reply from server";
    case CURLE_PARTIAL_FILE:
      if (context.bytes == context.total) return "transfer not confirmed: " + detail;  // FTP 226
      return "connection closed early (" + std::to_string(context.bytes) + " of " +
             std::to_string(context.total) + " bytes)";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "connection lost: " + detail;
    case CURLE_WRITE_ERROR:
      return "cannot write " + context.local_file;
    case CURLE_READ_ERROR:
      return "cannot read " + context.local_file;
    case CURLE_SSH:
      return "SSH: " + detail;
    default:
      return IsTlsError(code) ? "TLS: " + detail : detail;
  }
}

}  // namespace ocpp::runtime::curl_internal
