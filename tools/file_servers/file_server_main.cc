// file_server: the loopback HTTP and FTP test servers as one process, for
// process-level tests (station_sim downloading firmware, uploading
// diagnostics).
//
//   file_server --root DIR [--user U --password P] [--tls-cert PEM --tls-key PEM]
//               [--slow-chunk-bytes N] [--slow-interval-ms N]
//
// Serves DIR over http and ftp (and https and implicit ftps with the TLS
// files) on 127.0.0.1, ephemeral ports. Once listening it prints one JSON
// line on stdout, e.g.
//   {"http":40001,"ftp":40002,"https":40003,"ftps":40004}
// and runs until SIGTERM or SIGINT, or until its parent process dies.
// --user/--password: the FTP login (default: anonymous, any login accepted).
// See http_server.h for the HTTP paths (/slow/, /stall/, /huge/, ...).
#include <signal.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "tools/file_servers/ftp_server.h"
#include "tools/file_servers/http_server.h"

namespace {

using ocpp::tools::file_servers::FtpServer;
using ocpp::tools::file_servers::FtpServerOptions;
using ocpp::tools::file_servers::HttpServer;
using ocpp::tools::file_servers::HttpServerOptions;
using ocpp::tools::file_servers::TlsFiles;

int Usage(const char* message) {
  std::fprintf(stderr,
               "file_server: %s\nusage: file_server --root DIR [--user U --password P] "
               "[--tls-cert PEM --tls-key PEM] [--slow-chunk-bytes N] [--slow-interval-ms N]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  HttpServerOptions http;
  FtpServerOptions ftp;
  TlsFiles tls;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(("missing value for " + flag).c_str());
    const char* value = argv[++i];
    if (flag == "--root") {
      http.root = ftp.root = value;
    } else if (flag == "--user") {
      ftp.user = value;
    } else if (flag == "--password") {
      ftp.password = value;
    } else if (flag == "--tls-cert") {
      tls.cert_file = value;
    } else if (flag == "--tls-key") {
      tls.key_file = value;
    } else if (flag == "--slow-chunk-bytes") {
      http.slow_chunk_bytes = std::strtoull(value, nullptr, 10);
    } else if (flag == "--slow-interval-ms") {
      http.slow_interval = std::chrono::milliseconds(std::strtoll(value, nullptr, 10));
    } else {
      return Usage(("unknown flag " + flag).c_str());
    }
  }
  if (http.root.empty()) return Usage("--root is required");
  if (tls.cert_file.empty() != tls.key_file.empty())
    return Usage("--tls-cert and --tls-key go together");

  // Signals are taken with sigwait below; server threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);

  std::string error;
  std::unique_ptr<HttpServer> http_server, https_server;
  std::unique_ptr<FtpServer> ftp_server, ftps_server;
  http_server = HttpServer::Start(http, &error);
  if (http_server) ftp_server = FtpServer::Start(ftp, &error);
  if (ftp_server && !tls.cert_file.empty()) {
    http.tls = ftp.tls = tls;
    https_server = HttpServer::Start(http, &error);
    if (https_server) ftps_server = FtpServer::Start(ftp, &error);
    if (!ftps_server) https_server.reset();
  }
  if (!ftp_server || (!tls.cert_file.empty() && !ftps_server)) {
    std::fprintf(stderr, "file_server: %s\n", error.c_str());
    return 1;
  }
  std::string ports = "{\"http\":" + std::to_string(http_server->port()) +
                      ",\"ftp\":" + std::to_string(ftp_server->port());
  if (https_server) {
    ports += ",\"https\":" + std::to_string(https_server->port()) +
             ",\"ftps\":" + std::to_string(ftps_server->port());
  }
  std::printf("%s}\n", ports.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return 0;
}
