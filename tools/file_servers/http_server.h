// A loopback HTTP/1.1 (or HTTPS) file server for transfer tests, on
// 127.0.0.1 with an ephemeral port. Every answer closes the connection.
//
//   GET/HEAD /<path>          the file root/<path> with Content-Length, or 404
//   PUT /<path>               stores the body (Content-Length or chunked) as
//                             root/<path> (201; 409 if its directory is missing);
//                             answers "Expect: 100-continue"
//   GET /slow/<path>          the file, options.slow_chunk_bytes every
//                             options.slow_interval
//   GET /stall/<path>         the headers (Content-Length of the file), then
//                             nothing until the client hangs up
//   GET /huge/<path>          announces a 1 EiB Content-Length, then stalls
//   GET /redirect/<rest>      302 to "/<rest>", or to <rest> itself when it
//                             holds "://" (/redirect/file:///etc/passwd)
//   ANY /status/<code>/...    answers <code> with no body, reads nothing
//
// Test tool: it reads from localhost only and trusts it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/file_servers/loopback_server.h"

namespace ocpp::tools::file_servers {

struct HttpServerOptions {
  std::string root;             // served and written directory
  std::optional<TlsFiles> tls;  // set: https
  std::size_t slow_chunk_bytes = 16 * 1024;
  std::chrono::milliseconds slow_interval{20};
};

class HttpServer {
 public:
  // Null (with *error, if given) when it cannot listen or load the TLS files.
  static std::unique_ptr<HttpServer> Start(HttpServerOptions options, std::string* error = nullptr);
  ~HttpServer();  // stops: every connection closed, every thread joined
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return server_.port(); }
  // "http://127.0.0.1:<port>/" + path (https with TLS); `path` without
  // its leading '/'.
  std::string Url(std::string_view path = "") const;
  // Request lines received so far ("GET /fw.bin"), oldest first.
  std::vector<std::string> Requests() const;

 private:
  explicit HttpServer(HttpServerOptions options);
  void Serve(Stream& stream);

  const HttpServerOptions options_;
  SslContext tls_{nullptr, SSL_CTX_free};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  LoopbackServer server_;  // last: stops (joins its threads) first
};

}  // namespace ocpp::tools::file_servers
