// The production FileTransfer (runtime/file_transfer.h) on libcurl.
//
// Transfers run on one worker thread that owns a libcurl multi handle, so
// the event loop never blocks (not on DNS, TLS, a slow server or fsync); each
// result is handed back with EventLoop::Post and `done` runs on the loop.
// Download, Upload, Cancel and the destructor are called on the loop thread.
//
// Schemes: http, https, ftp, ftps (implicit TLS, curl's meaning of ftps://),
// sftp; anything else fails at once (the `done` still comes through Post).
// libcurl is restricted to the URL's own scheme; http(s) redirects are
// followed (at most 5) to http or https only, from https to https only.
// Uploads: http(s) PUT, ftp(s) STOR, sftp; never redirected. A URL ending
// in '/' gets the file's name appended.
//
// Downloads stream into `path` + ".part", which is fsynced and renamed to
// `path` once complete. A download first removes an old `path`, so `path`
// exists afterwards only if this download succeeded; a failed or cancelled
// download removes its ".part". When the server announces the size (HTTP
// Content-Length, FTP SIZE), the free space of the target's file system is
// checked (statvfs) before the data comes: "no space" fails it at once.
//
// Failures are one line each: "HTTP 404", "connection refused", "timed out
// (no data for 60 s)", "TLS: <curl's reason>", "login denied", "file not
// found", "no space (...)", ... Passwords in URLs never reach the log or
// an error (RedactUrl, and curl's own messages are scrubbed).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "runtime/event_loop.h"
#include "runtime/file_transfer.h"

namespace ocpp::runtime {

class CurlFileTransfer final : public FileTransfer {
 public:
  struct Options {
    // TCP connect (and TLS handshake) of each connection.
    base::Milliseconds connect_timeout{30'000};
    // A transfer during which no byte moves for this long fails ("timed out
    // (no data for N s)"); also bounds every FTP/SFTP server reply. Whole
    // seconds (libcurl's CURLOPT_LOW_SPEED_TIME), at least 1.
    std::chrono::seconds stall_timeout{60};
    // The whole transfer; 0 = no cap. The default lets 100 MB through a
    // 64 kbit/s link.
    base::Milliseconds overall_timeout{std::chrono::hours(4)};
    // https/ftps: PEM file of the CAs to trust; empty = the system trust
    // store (Debian: /etc/ssl/certs/ca-certificates.crt).
    std::string ca_file;
    // Verify the server's certificate and host name (https/ftps) and its
    // host key (sftp). Leave it on outside a lab.
    bool verify = true;
    // sftp: OpenSSH known_hosts file with the servers' host keys. With
    // `verify` on and none set, sftp transfers are refused (libcurl would
    // otherwise accept any host key).
    std::string ssh_known_hosts;
    // Proxy URL; empty = none (the environment's http_proxy etc. are ignored).
    std::string proxy;
    // Downloads larger than this fail ("too large"); 0 = no limit.
    std::int64_t max_download_bytes = 0;
    // Progress lines: every 10 % of a known size, else every this many bytes.
    std::int64_t progress_step_bytes = 8 << 20;
    // Start, progress, end and failure of every transfer, one line each;
    // runs on the loop (never after destruction). Null: no log.
    std::function<void(std::string_view line)> log;
  };

  CurlFileTransfer(EventLoop& loop, Options options);
  explicit CurlFileTransfer(EventLoop& loop) : CurlFileTransfer(loop, Options()) {}
  // Stops every transfer (their ".part" files removed, no `done` called)
  // and joins the worker.
  ~CurlFileTransfer() override;
  CurlFileTransfer(const CurlFileTransfer&) = delete;
  CurlFileTransfer& operator=(const CurlFileTransfer&) = delete;

  TransferId Download(const std::string& url, const std::string& path, Done done) override;
  TransferId Upload(const std::string& path, const std::string& url, Done done) override;
  // The worker drops the transfer and its ".part" promptly, before it
  // starts anything asked for after this call (a new download to the same
  // path is safe). A download that completed just before may keep its file.
  void Cancel(TransferId id) override;

 private:
  class Worker;  // the thread, libcurl and the transfers (curl_file_transfer.cc)
  // What the loop thread owns. Tasks the worker posts hold it, so they are
  // harmless once the transfer object is gone (alive == false).
  struct LoopSide {
    bool alive = true;
    std::map<TransferId, Done> pending;  // `done` of every transfer under way
    std::function<void(std::string_view)> log;
  };

  TransferId Start(bool upload, const std::string& url, const std::string& path, Done done);

  EventLoop& loop_;
  Options options_;
  std::shared_ptr<LoopSide> loop_side_;
  TransferId next_id_ = 0;
  // Made on the first transfer: libcurl (and the OpenSSL state it sets up)
  // and the thread cost nothing in a station that never transfers a file
  // (start-up time, private memory).
  std::unique_ptr<Worker> worker_;
};

}  // namespace ocpp::runtime
