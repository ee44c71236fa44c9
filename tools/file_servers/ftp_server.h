// A minimal loopback FTP server for transfer tests, enough for libcurl: on
// 127.0.0.1 with an ephemeral port, passive mode only (EPSV, PASV), binary
// type. Commands: USER, PASS, PWD, CWD, CDUP, TYPE, EPSV, PASV, SIZE, RETR,
// STOR, NOOP, SYST, FEAT, QUIT; with TLS also PBSZ and PROT.
//
// With `tls` it is an implicit FTPS server (what curl means by ftps://): the
// control connection is TLS from the first byte, and data connections are
// TLS after "PROT P".
//
// Login: with an empty `user` any USER/PASS is accepted (anonymous);
// otherwise only `user` with `password`, everything else gets "530 Login
// incorrect". The root is both the download source and the upload target.
//
// Test tool: it reads from localhost only and trusts it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/file_servers/loopback_server.h"

namespace ocpp::tools::file_servers {

struct FtpServerOptions {
  std::string root;
  std::string user;  // empty: anonymous, any login accepted
  std::string password;
  std::optional<TlsFiles> tls;  // set: implicit FTPS
};

class FtpServer {
 public:
  // Null (with *error, if given) when it cannot listen or load the TLS files.
  static std::unique_ptr<FtpServer> Start(FtpServerOptions options, std::string* error = nullptr);
  ~FtpServer();  // stops: every connection closed, every thread joined
  FtpServer(const FtpServer&) = delete;
  FtpServer& operator=(const FtpServer&) = delete;

  int port() const { return server_.port(); }
  // "ftp://[user:password@]127.0.0.1:<port>/" + path (ftps with TLS), with
  // the configured credentials unless `with_login` is false.
  std::string Url(std::string_view path = "", bool with_login = true) const;
  // Commands received so far ("RETR fw.bin"; PASS arguments as "***").
  std::vector<std::string> Commands() const;

 private:
  class Session;
  explicit FtpServer(FtpServerOptions options);

  const FtpServerOptions options_;
  SslContext tls_{nullptr, SSL_CTX_free};
  mutable std::mutex mutex_;
  std::vector<std::string> commands_;
  LoopbackServer server_;  // last: stops (joins its threads) first
};

}  // namespace ocpp::tools::file_servers
