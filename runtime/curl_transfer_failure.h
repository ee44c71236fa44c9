// Internal to CurlFileTransfer: one log line for a failed libcurl transfer,
// and keeping URL passwords out of such lines (libcurl's own messages
// included).
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"

namespace ocpp::runtime::curl_internal {

// What DescribeFailure needs besides libcurl's handle.
struct FailureContext {
  const char* error_buffer = "";  // CURLOPT_ERRORBUFFER
  std::int64_t bytes = 0;         // moved so far
  std::int64_t total = -1;        // announced or file size; -1 = unknown
  std::string local_file;         // the file read (upload) or written (download)
  base::Milliseconds connect_timeout{0};
  std::chrono::seconds stall_timeout{0};
  base::Milliseconds overall_timeout{0};
  std::int64_t max_download_bytes = 0;
  long max_redirects = 0;
};

// "HTTP 404", "connection refused", "timed out (no data for 60 s)", "TLS:
// <libcurl's reason>", "login denied", ... `easy` may be null.
std::string DescribeFailure(CURL* easy, CURLcode code, const FailureContext& context);

// "30 s", or "1500 ms" when not whole seconds.
std::string Duration(base::Milliseconds duration);

// The password of the URL's user info, as written and percent-decoded (when
// that differs); empty when the URL has none.
std::vector<std::string> SecretsOf(const std::string& url);
// `text` with every occurrence of each secret replaced by "***".
std::string Scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace ocpp::runtime::curl_internal
