// File transfers for Firmware Management (UpdateFirmware downloads,
// GetDiagnostics uploads): the interface the station uses. The production
// implementation is CurlFileTransfer (runtime/curl_file_transfer.h, libcurl);
// tests of the station use a fake.
//
// A transfer never blocks the event loop: it runs elsewhere and `done` runs
// on the loop. Schemes (../shared/docs/station-sim-interface.md, "File
// transfers"): downloads over http, https, ftp, ftps, sftp; uploads over ftp
// and ftps (STOR), sftp, http and https (PUT). Credentials in a URL
// (user:password@) are used but never logged (RedactUrl).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ocpp::runtime {

struct TransferResult {
  bool ok = false;
  // One line for the log when !ok: what failed (HTTP 404, connection
  // refused, timed out, TLS: <reason>, no space, ...), never a password.
  std::string error;
  std::int64_t bytes = 0;  // transferred
};

class FileTransfer {
 public:
  using TransferId = std::uint64_t;
  using Done = std::function<void(const TransferResult&)>;

  virtual ~FileTransfer() = default;

  // Downloads `url` to `path`: streamed to `path` + ".part" (never the
  // whole file in memory), renamed to `path` once complete; a failed
  // download leaves no `path`. `done` runs on the loop.
  virtual TransferId Download(const std::string& url, const std::string& path, Done done) = 0;
  // Uploads the file at `path` to `url`; a URL ending in '/' gets the
  // file's name appended.
  virtual TransferId Upload(const std::string& path, const std::string& url, Done done) = 0;
  // Stops a transfer; its `done` is not called. Unknown ids are ignored.
  virtual void Cancel(TransferId id) = 0;
};

// `url` with any password replaced by "***" (user:***@host), for logs.
std::string RedactUrl(std::string_view url);
// The same for every URL inside a text (a traced frame, a log line):
// "scheme://user:password@" becomes "scheme://user:***@" wherever it occurs.
std::string RedactCredentials(std::string_view text);

}  // namespace ocpp::runtime
