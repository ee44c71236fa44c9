// CurlFileTransfer against the loopback servers of //tools/file_servers: real
// sockets on 127.0.0.1, the production event loop, results through Post.
#include "runtime/curl_file_transfer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "runtime/testing/test_pki.h"
#include "tools/file_servers/ftp_server.h"
#include "tools/file_servers/http_server.h"

namespace ocpp::runtime {
namespace {

using tools::file_servers::FtpServer;
using tools::file_servers::FtpServerOptions;
using tools::file_servers::HttpServer;
using tools::file_servers::HttpServerOptions;
using tools::file_servers::TlsFiles;

constexpr char kUser[] = "station";
constexpr char kPassword[] = "s3cret-Pw";  // must never show in a log line or an error

std::string Bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

bool Exists(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0;
}

long long SizeOf(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 ? status.st_size : -1;
}

// A port on 127.0.0.1 that nobody listens on (bound, so nobody else gets it).
class UnusedPort {
 public:
  UnusedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~UnusedPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class CurlFileTransferTest : public ::testing::Test {
 protected:
  CurlFileTransferTest() {
    loop_ = LwsEventLoop::Create(clock_);
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::TestTempDirectory() + "/" + test->name();
    root_ = dir_ + "/served";
    mkdir(dir_.c_str(), 0755);
    mkdir(root_.c_str(), 0755);
    mkdir((root_ + "/uploads").c_str(), 0755);
    options_.log = [this](std::string_view line) { log_.emplace_back(line); };
  }

  ~CurlFileTransferTest() override {
    transfer_.reset();
    std::string everything;
    for (const std::string& line : log_) everything += line + "\n";
    for (const TransferResult& result : results_) everything += result.error + "\n";
    EXPECT_EQ(everything.find(kPassword), std::string::npos) << everything;
  }

  CurlFileTransfer& transfer() {
    if (!transfer_) transfer_ = std::make_unique<CurlFileTransfer>(*loop_, options_);
    return *transfer_;
  }

  std::unique_ptr<HttpServer> StartHttp(std::optional<TlsFiles> tls = std::nullopt) {
    HttpServerOptions options;
    options.root = root_;
    options.tls = std::move(tls);
    auto server = HttpServer::Start(options);
    EXPECT_TRUE(server);
    return server;
  }

  std::unique_ptr<FtpServer> StartFtp(std::optional<TlsFiles> tls = std::nullopt) {
    FtpServerOptions options;
    options.root = root_;
    options.user = kUser;
    options.password = kPassword;
    options.tls = std::move(tls);
    auto server = FtpServer::Start(options);
    EXPECT_TRUE(server);
    return server;
  }

  // Pumps the loop (real time) until `done` or `limit` passes.
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_->RunOnce(base::Milliseconds(20));
    }
    return true;
  }

  FileTransfer::Done Collect(std::optional<TransferResult>* into) {
    return [this, into](const TransferResult& result) {
      EXPECT_FALSE(into->has_value()) << "done called twice";
      *into = result;
      results_.push_back(result);
    };
  }

  TransferResult Download(const std::string& url, const std::string& path) {
    std::optional<TransferResult> result;
    transfer().Download(url, path, Collect(&result));
    EXPECT_TRUE(RunUntil([&] { return result.has_value(); })) << url;
    return result.value_or(TransferResult{false, "no result", 0});
  }

  TransferResult Upload(const std::string& path, const std::string& url) {
    std::optional<TransferResult> result;
    transfer().Upload(path, url, Collect(&result));
    EXPECT_TRUE(RunUntil([&] { return result.has_value(); })) << url;
    return result.value_or(TransferResult{false, "no result", 0});
  }

  bool Logged(std::string_view text) const {
    for (const std::string& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  base::SystemClock clock_;
  std::unique_ptr<LwsEventLoop> loop_;
  std::string dir_, root_;
  CurlFileTransfer::Options options_;
  std::unique_ptr<CurlFileTransfer> transfer_;
  std::vector<std::string> log_;
  std::vector<TransferResult> results_;
};

TEST_F(CurlFileTransferTest, HttpDownloadIsByteExact) {
  const std::string image = Bytes(5 << 20, 1);
  WriteFile(root_ + "/fw.bin", image);
  auto server = StartHttp();
  const std::string path = dir_ + "/fw.bin";
  const TransferResult result = Download(server->Url("fw.bin"), path);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.bytes, static_cast<std::int64_t>(image.size()));
  EXPECT_TRUE(ReadFile(path) == image);
  EXPECT_FALSE(Exists(path + ".part"));
  EXPECT_TRUE(Logged("download " + server->Url("fw.bin") + " to " + path + ": started"));
  EXPECT_TRUE(Logged(": 50% (2.5 of 5.0 MiB)")) << ::testing::PrintToString(log_);
  EXPECT_TRUE(Logged(": done, 5242880 bytes in "));
}

TEST_F(CurlFileTransferTest, FtpDownloadWithLoginIsByteExact) {
  const std::string image = Bytes(3 << 20, 2);
  WriteFile(root_ + "/uploads/fw.bin", image);
  auto server = StartFtp();
  const std::string path = dir_ + "/fw.bin";
  const TransferResult result = Download(server->Url("uploads/fw.bin"), path);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(path) == image);
  const std::vector<std::string> commands = server->Commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "USER station"), commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "RETR fw.bin"), commands.end());
  EXPECT_TRUE(Logged("ftp://station:***@127.0.0.1:"));
}

TEST_F(CurlFileTransferTest, FtpUploadStoresTheFile) {
  const std::string log = Bytes(2 << 20, 3);
  WriteFile(dir_ + "/diag.log", log);
  auto server = StartFtp();
  const TransferResult result = Upload(dir_ + "/diag.log", server->Url("uploads/diag.log"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.bytes, static_cast<std::int64_t>(log.size()));
  EXPECT_TRUE(ReadFile(root_ + "/uploads/diag.log") == log);
}

TEST_F(CurlFileTransferTest, HttpPutUploadStoresTheFile) {
  const std::string log = Bytes(3 << 20, 4);  // large enough for Expect: 100-continue
  WriteFile(dir_ + "/diag.log", log);
  auto server = StartHttp();
  const TransferResult result = Upload(dir_ + "/diag.log", server->Url("uploads/diag.log"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(root_ + "/uploads/diag.log") == log);
  EXPECT_EQ(server->Requests(), std::vector<std::string>{"PUT /uploads/diag.log"});
}

TEST_F(CurlFileTransferTest, UploadToADirectoryUrlAppendsTheFileName) {
  WriteFile(dir_ + "/diagnostics 1.log", "lines");
  auto ftp = StartFtp();
  auto http = StartHttp();
  TransferResult result = Upload(dir_ + "/diagnostics 1.log", ftp->Url("uploads/"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(ReadFile(root_ + "/uploads/diagnostics 1.log"), "lines");
  unlink((root_ + "/uploads/diagnostics 1.log").c_str());
  result = Upload(dir_ + "/diagnostics 1.log", http->Url("uploads/"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(ReadFile(root_ + "/uploads/diagnostics 1.log"), "lines");
  EXPECT_EQ(http->Requests(), std::vector<std::string>{"PUT /uploads/diagnostics%201.log"});
}

TEST_F(CurlFileTransferTest, NotFoundFailsAndLeavesNoFile) {
  auto http = StartHttp();
  auto ftp = StartFtp();
  const std::string path = dir_ + "/fw.bin";
  WriteFile(path, "an older image");
  TransferResult result = Download(http->Url("missing.bin"), path);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "HTTP 404");
  EXPECT_FALSE(Exists(path)) << "a failed download leaves no file";
  EXPECT_FALSE(Exists(path + ".part"));
  result = Download(ftp->Url("missing.bin"), path);
  EXPECT_EQ(result.error, "file not found");
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(Logged(": failed: HTTP 404"));
  result = Upload(dir_ + "/nothing.log", ftp->Url("uploads/"));
  EXPECT_EQ(result.error.rfind("cannot read " + dir_ + "/nothing.log", 0), 0u) << result.error;
  WriteFile(dir_ + "/diag.log", "x");
  result = Upload(dir_ + "/diag.log", http->Url("status/403/x"));
  EXPECT_EQ(result.error, "HTTP 403");
}

TEST_F(CurlFileTransferTest, RefusedConnectionIsReported) {
  UnusedPort unused;
  const std::string port = std::to_string(unused.port());
  const std::string path = dir_ + "/fw.bin";
  EXPECT_EQ(Download("http://127.0.0.1:" + port + "/fw.bin", path).error, "connection refused");
  EXPECT_EQ(
      Download("ftp://u:" + std::string(kPassword) + "@127.0.0.1:" + port + "/fw.bin", path).error,
      "connection refused");
  WriteFile(dir_ + "/diag.log", "x");
  EXPECT_EQ(Upload(dir_ + "/diag.log", "http://127.0.0.1:" + port + "/").error,
            "connection refused");
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(Exists(path + ".part"));
}

TEST_F(CurlFileTransferTest, StallingServerTimesOut) {
  options_.stall_timeout = std::chrono::seconds(1);
  WriteFile(root_ + "/fw.bin", Bytes(1 << 20, 5));
  auto server = StartHttp();
  const std::string path = dir_ + "/fw.bin";
  const TransferResult result = Download(server->Url("stall/fw.bin"), path);
  EXPECT_EQ(result.error, "timed out (no data for 1 s)");
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(Exists(path + ".part"));
}

TEST_F(CurlFileTransferTest, ConnectTimeout) {
  // A listener whose accept queue is full: the kernel drops further SYNs.
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    connect(fillers.back(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
  }
  options_.connect_timeout = base::Milliseconds(300);
  const TransferResult result = Download(
      "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/fw.bin", dir_ + "/fw");
  EXPECT_EQ(result.error, "timed out connecting (300 ms)");
  for (const int fd : fillers) close(fd);
  close(listener);
}

TEST_F(CurlFileTransferTest, OverallCapEndsASlowTransfer) {
  options_.overall_timeout = base::Milliseconds(300);
  WriteFile(root_ + "/fw.bin", Bytes(4 << 20, 6));
  auto server = StartHttp();
  const TransferResult result = Download(server->Url("slow/fw.bin"), dir_ + "/fw.bin");
  EXPECT_EQ(result.error, "timed out (transfer took more than 300 ms)");
}

TEST_F(CurlFileTransferTest, AnnouncedSizeBeyondTheDiskFailsEarly) {
  auto server = StartHttp();
  const std::string path = dir_ + "/fw.bin";
  const TransferResult result = Download(server->Url("huge/fw.bin"), path);
  EXPECT_EQ(result.error.rfind("no space (1099511627776.0 MiB needed, ", 0), 0u) << result.error;
  EXPECT_FALSE(Exists(path + ".part"));
}

TEST_F(CurlFileTransferTest, DownloadLimit) {
  options_.max_download_bytes = 1 << 20;
  WriteFile(root_ + "/fw.bin", Bytes(2 << 20, 7));
  auto http = StartHttp();
  auto ftp = StartFtp();
  EXPECT_EQ(Download(http->Url("fw.bin"), dir_ + "/a").error.rfind("too large", 0), 0u);
  EXPECT_EQ(Download(ftp->Url("fw.bin"), dir_ + "/b").error.rfind("too large", 0), 0u);
  EXPECT_FALSE(Exists(dir_ + "/a.part"));
}

TEST_F(CurlFileTransferTest, RejectedFtpLogin) {
  WriteFile(root_ + "/fw.bin", "x");
  auto server = StartFtp();
  const std::string url = "ftp://station:wrong-" + std::string(kPassword) +
                          "@127.0.0.1:" + std::to_string(server->port()) + "/fw.bin";
  const TransferResult result = Download(url, dir_ + "/fw.bin");
  EXPECT_EQ(result.error, "login denied");
  EXPECT_FALSE(Exists(dir_ + "/fw.bin"));
  EXPECT_TRUE(Logged("ftp://station:***@127.0.0.1:"));
}

TEST_F(CurlFileTransferTest, UnsupportedSchemesAreRefusedAtOnce) {
  const std::string path = dir_ + "/fw.bin";
  for (const std::string url : {"file:///etc/passwd", "gopher://127.0.0.1/x", "scp://h/x",
                                "FILE:///etc/hostname", "/etc/passwd"}) {
    std::optional<TransferResult> result;
    transfer().Download(url, path, Collect(&result));
    EXPECT_FALSE(result) << "done runs on the loop, not inside Download";
    ASSERT_TRUE(RunUntil([&] { return result.has_value(); }));
    EXPECT_FALSE(result->ok);
    EXPECT_TRUE(result->error.rfind("unsupported scheme", 0) == 0 || result->error == "not a URL")
        << result->error;
    EXPECT_FALSE(Exists(path));
  }
  WriteFile(dir_ + "/diag.log", "x");
  EXPECT_EQ(Upload(dir_ + "/diag.log", "file:///tmp/").error.rfind("unsupported scheme", 0), 0u);
}

TEST_F(CurlFileTransferTest, RedirectsAreFollowedToHttpOnly) {
  WriteFile(root_ + "/fw.bin", "image");
  auto server = StartHttp();
  const std::string path = dir_ + "/fw.bin";
  TransferResult result = Download(server->Url("redirect/fw.bin"), path);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(ReadFile(path), "image");
  result = Download(server->Url("redirect/file:///etc/passwd"), path);
  EXPECT_EQ(result.error.rfind("unsupported scheme", 0), 0u) << result.error;
  EXPECT_FALSE(Exists(path));
}

TEST_F(CurlFileTransferTest, CancelMidTransferRemovesThePartAndCallsNothing) {
  WriteFile(root_ + "/fw.bin", Bytes(8 << 20, 8));
  auto server = StartHttp();
  const std::string path = dir_ + "/fw.bin";
  std::optional<TransferResult> result;
  const auto id = transfer().Download(server->Url("slow/fw.bin"), path, Collect(&result));
  ASSERT_TRUE(RunUntil([&] { return SizeOf(path + ".part") > 0; }));
  transfer().Cancel(id);
  transfer().Cancel(id);     // twice: ignored
  transfer().Cancel(12345);  // unknown: ignored
  ASSERT_TRUE(RunUntil([&] { return !Exists(path + ".part"); }));
  EXPECT_TRUE(RunUntil([&] { return Logged(": cancelled"); }));
  EXPECT_FALSE(result) << "no done after Cancel";
  EXPECT_FALSE(Exists(path));

  // The same path again, right away: the worker handles requests in order.
  WriteFile(root_ + "/small.bin", "small");
  const TransferResult again = Download(server->Url("small.bin"), path);
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(ReadFile(path), "small");
  EXPECT_FALSE(result);
}

TEST_F(CurlFileTransferTest, DestroyingMidTransferIsClean) {
  WriteFile(root_ + "/fw.bin", Bytes(8 << 20, 9));
  WriteFile(dir_ + "/diag.log", Bytes(1 << 20, 10));
  auto http = StartHttp();
  auto ftp = StartFtp();
  const std::string path = dir_ + "/fw.bin";
  bool destroyed = false, called_after_destruction = false, download_done = false;
  const auto download = [&](const TransferResult&) { download_done = true; };
  transfer().Download(http->Url("slow/fw.bin"), path, download);  // takes 10 s
  transfer().Download(http->Url("stall/fw.bin"), dir_ + "/other.bin", download);
  // This one may well finish before the destruction; never after it.
  transfer().Upload(dir_ + "/diag.log", ftp->Url("uploads/"),
                    [&](const TransferResult&) { called_after_destruction = destroyed; });
  ASSERT_TRUE(RunUntil([&] { return SizeOf(path + ".part") > 0; }));
  destroyed = true;
  transfer_.reset();  // joins the worker
  EXPECT_FALSE(Exists(path + ".part"));
  EXPECT_FALSE(Exists(dir_ + "/other.bin.part"));
  for (int i = 0; i < 20; ++i) loop_->RunOnce(base::Milliseconds(5));
  EXPECT_FALSE(download_done);
  EXPECT_FALSE(called_after_destruction);
}

class TlsTransferTest : public CurlFileTransferTest {
 protected:
  void SetUp() override {
    pki_ = testing::CreateTestPki(dir_, "CP-1");
    ASSERT_TRUE(pki_);
    options_.ca_file = pki_->ca_cert;
  }
  TlsFiles Server() const { return {pki_->server_cert, pki_->server_key}; }
  std::optional<testing::TestPki> pki_;
};

TEST_F(TlsTransferTest, HttpsDownloadAndUploadWithTheConfiguredCa) {
  const std::string image = Bytes(2 << 20, 11);
  WriteFile(root_ + "/fw.bin", image);
  auto server = StartHttp(Server());
  ASSERT_EQ(server->Url().rfind("https://", 0), 0u);
  TransferResult result = Download(server->Url("fw.bin"), dir_ + "/fw.bin");
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(dir_ + "/fw.bin") == image);
  result = Upload(dir_ + "/fw.bin", server->Url("uploads/"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(root_ + "/uploads/fw.bin") == image);
}

TEST_F(TlsTransferTest, UntrustedOrWrongServerCertificatesAreRefused) {
  WriteFile(root_ + "/fw.bin", "image");
  auto server = StartHttp(Server());
  options_.ca_file = pki_->other_ca_cert;
  TransferResult result = Download(server->Url("fw.bin"), dir_ + "/fw.bin");
  EXPECT_EQ(result.error.rfind("TLS: ", 0), 0u) << result.error;
  EXPECT_FALSE(Exists(dir_ + "/fw.bin"));

  transfer_.reset();
  options_.ca_file.clear();  // the system trust store does not know the test CA
  result = Download(server->Url("fw.bin"), dir_ + "/fw.bin");
  EXPECT_EQ(result.error.rfind("TLS: ", 0), 0u) << result.error;

  transfer_.reset();
  options_.ca_file = pki_->ca_cert;
  auto wrong_host = StartHttp(TlsFiles{pki_->wrong_host_cert, pki_->wrong_host_key});
  result = Download(wrong_host->Url("fw.bin"), dir_ + "/fw.bin");
  EXPECT_EQ(result.error.rfind("TLS: ", 0), 0u) << result.error;

  transfer_.reset();
  options_.verify = false;  // a lab setting: then it goes through
  result = Download(wrong_host->Url("fw.bin"), dir_ + "/fw.bin");
  EXPECT_TRUE(result.ok) << result.error;
}

TEST_F(TlsTransferTest, FtpsDownloadAndUpload) {
  const std::string image = Bytes(2 << 20, 12);
  WriteFile(root_ + "/fw.bin", image);
  auto server = StartFtp(Server());
  ASSERT_EQ(server->Url().rfind("ftps://", 0), 0u);
  TransferResult result = Download(server->Url("fw.bin"), dir_ + "/fw.bin");
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(dir_ + "/fw.bin") == image);
  result = Upload(dir_ + "/fw.bin", server->Url("uploads/"));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(ReadFile(root_ + "/uploads/fw.bin") == image);
  const std::vector<std::string> commands = server->Commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "PROT P"), commands.end())
      << "the data connections are encrypted too";
}

// No SSH server here: the scheme is accepted and failures are reported.
TEST_F(CurlFileTransferTest, SftpIsAcceptedAndARefusedConnectionReported) {
  const std::string path = dir_ + "/fw.bin";
  UnusedPort unused;
  const std::string url = "sftp://station:" + std::string(kPassword) +
                          "@127.0.0.1:" + std::to_string(unused.port()) + "/fw.bin";
  EXPECT_EQ(Download(url, path).error.rfind("sftp needs a known_hosts file", 0), 0u);
  transfer_.reset();
  options_.ssh_known_hosts = dir_ + "/known_hosts";
  WriteFile(options_.ssh_known_hosts, "");
  EXPECT_EQ(Download(url, path).error, "connection refused");
  WriteFile(dir_ + "/diag.log", "x");
  EXPECT_EQ(Upload(dir_ + "/diag.log", url).error, "connection refused");
  EXPECT_FALSE(Exists(path));
}

}  // namespace
}  // namespace ocpp::runtime
