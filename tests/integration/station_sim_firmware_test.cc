// Firmware Management through station_sim as a child process with real
// transfers (libcurl) from the project's loopback HTTP and FTP servers
// (tools/file_servers) on 127.0.0.1: success over http and ftp, 404, a
// refused connection, a corrupt image, retrieveDate in the future, an update
// during a transaction, SIGKILL during the download and right after the
// install began, and a diagnostics upload. Real time: every wait is bounded.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/testing/test_pki.h"
#include "tests/integration/sim_process.h"
#include "tools/file_servers/ftp_server.h"
#include "tools/file_servers/http_server.h"

namespace ocpp {
namespace {

using integration::JsonLines;
using integration::Process;
using integration::TempDir;
namespace fs = tools::file_servers;

class StationSimFirmware : public integration::StationSimTest {
 protected:
  StationSimFirmware() {
    root_ = TempDir("files");
    ::mkdir(root_.c_str(), 0755);
    ::mkdir((root_ + "/upload").c_str(), 0755);
    fs::HttpServerOptions h;
    h.root = root_;
    h.slow_chunk_bytes = 4096;
    h.slow_interval = std::chrono::milliseconds(50);
    http_ = fs::HttpServer::Start(h);
    fs::FtpServerOptions f;
    f.root = root_;
    f.user = "station";
    f.password = "s3cret-pw";
    ftp_ = fs::FtpServer::Start(f);
  }
  void Put(const std::string& name, const std::string& content) {
    std::ofstream(root_ + "/" + name, std::ios::binary) << content;
  }
  void Update(const std::string& url, int delay_s = 0, int retries = 1, int interval = 1) {
    v16::UpdateFirmwareReq req;
    req.location = url;
    req.retrieve_date = codec::DateTime::FromUnixMillis(
        codec::DateTime::FromSystemTime(clock_.WallNow()).unix_millis() + delay_s * 1000);
    req.retries = retries;
    req.retry_interval = interval;
    CallSync(req);
  }
  std::vector<std::string> Statuses(const char* action = "FirmwareStatusNotification") {
    std::vector<std::string> out;
    for (const auto& p : All(action)) out.push_back(p["status"].GetString());
    return out;
  }
  bool WaitForStatus(const std::string& status, int seconds = 20,
                     const char* action = "FirmwareStatusNotification") {
    return WaitUntil(
        [&] {
          const auto s = Statuses(action);
          return !s.empty() && s.back() == status;
        },
        seconds);
  }
  std::unique_ptr<Process> StartOnline(const std::string& dir, int boots = 1) {
    auto sim = Start(dir);
    EXPECT_TRUE(WaitUntil([&] { return Count("BootNotification") >= boots; }, 15)) << sim->err();
    EXPECT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2 * boots; }, 15));
    return sim;
  }
  void Quit(std::unique_ptr<Process>& sim) {
    sim->Send("quit");
    ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  }
  int FirmwareLines(Process& sim) {
    int n = 0;
    for (const auto& line : JsonLines(sim)) {
      n += std::string(line["event"].GetString()) == "firmware";
    }
    return n;
  }

  std::string root_;
  std::unique_ptr<fs::HttpServer> http_;
  std::unique_ptr<fs::FtpServer> ftp_;
};

TEST_F(StationSimFirmware, UpdateOverHttpInstallsAndReportsAfterTheReboot) {
  Put("fw.bin", "version=2.1.0\nthe image");
  auto sim = StartOnline(TempDir("fw-http"));
  Update(http_->Url("fw.bin"));
  ASSERT_TRUE(WaitForStatus("Installed")) << sim->err();
  EXPECT_EQ(Statuses(),
            (std::vector<std::string>{"Downloading", "Downloaded", "Installing", "Installed"}));
  EXPECT_EQ(Count("BootNotification"), 2) << "rebooted once";
  EXPECT_EQ(std::string(Last("BootNotification")["firmwareVersion"].GetString()), "2.1.0");
  EXPECT_EQ(FirmwareLines(*sim), 1) << "the contract's `firmware` line";
  Quit(sim);
}

TEST_F(StationSimFirmware, UpdateOverFtpWithALogin) {
  Put("fw-ftp.bin", "some image without a version line\n");
  auto sim = StartOnline(TempDir("fw-ftp"));
  Update(ftp_->Url("fw-ftp.bin"));
  ASSERT_TRUE(WaitForStatus("Installed")) << sim->err();
  const std::string version = Last("BootNotification")["firmwareVersion"].GetString();
  EXPECT_EQ(version.rfind("sim-", 0), 0u) << version;
  EXPECT_EQ(sim->err().find("s3cret-pw"), std::string::npos) << "no password in any log";
  for (const auto& line : sim->StdoutLines()) {
    EXPECT_EQ(line.find("s3cret-pw"), std::string::npos) << line;
  }
  Quit(sim);
}

// https and ftps (implicit TLS), trusted through --ca-file.
TEST_F(StationSimFirmware, UpdateOverHttpsAndFtpsWithTheConfiguredCa) {
  const std::string pki_dir = TempDir("pki");
  auto pki = runtime::testing::CreateTestPki(pki_dir, "SIM-1");
  ASSERT_TRUE(pki.has_value());
  fs::HttpServerOptions h;
  h.root = root_;
  h.tls = fs::TlsFiles{pki->server_cert, pki->server_key};
  auto https = fs::HttpServer::Start(h);
  fs::FtpServerOptions f;
  f.root = root_;
  f.tls = fs::TlsFiles{pki->server_cert, pki->server_key};
  auto ftps = fs::FtpServer::Start(f);
  ASSERT_TRUE(https && ftps);
  Put("tls1.bin", "version=7.1\n");
  Put("tls2.bin", "version=7.2\n");
  auto sim = Start(TempDir("fw-tls"), {"--ca-file", pki->ca_cert});
  ASSERT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2; }, 15)) << sim->err();
  ASSERT_EQ(https->Url("tls1.bin").rfind("https://", 0), 0u);
  Update(https->Url("tls1.bin"));
  ASSERT_TRUE(WaitForStatus("Installed")) << sim->err();
  EXPECT_EQ(std::string(Last("BootNotification")["firmwareVersion"].GetString()), "7.1");
  ASSERT_EQ(ftps->Url("tls2.bin").rfind("ftps://", 0), 0u);
  Update(ftps->Url("tls2.bin"));
  ASSERT_TRUE(WaitUntil([&] { return Count("BootNotification") == 3; }, 20)) << sim->err();
  ASSERT_TRUE(WaitForStatus("Installed")) << sim->err();
  EXPECT_EQ(std::string(Last("BootNotification")["firmwareVersion"].GetString()), "7.2");
  Quit(sim);
}

TEST_F(StationSimFirmware, NotFoundRefusedAndCorruptFailCleanly) {
  Put("corrupt.bin", "corrupt\n");
  auto sim = StartOnline(TempDir("fw-fail"));
  Update(http_->Url("missing.bin"), 0, 0);
  ASSERT_TRUE(WaitForStatus("DownloadFailed")) << sim->err();
  Update("http://127.0.0.1:1/fw.bin", 0, 0);  // nobody listens on port 1
  ASSERT_TRUE(WaitUntil([&] { return Statuses().size() == 4; })) << sim->err();
  EXPECT_EQ(Statuses().back(), "DownloadFailed");
  Update(http_->Url("corrupt.bin"));
  ASSERT_TRUE(WaitForStatus("InstallationFailed")) << sim->err();
  EXPECT_EQ(Count("BootNotification"), 1) << "no reboot: the old firmware stays";
  EXPECT_EQ(FirmwareLines(*sim), 0);
  Quit(sim);
}

TEST_F(StationSimFirmware, RetrieveDateInTheFutureAndAnUpdateDuringATransaction) {
  Put("later.bin", "version=3.0\n");
  auto sim = StartOnline(TempDir("fw-later"));
  sim->Send("cp C");
  sim->Send("rfid TAG-1");
  ASSERT_TRUE(WaitUntil([&] { return Count("StartTransaction") == 1; })) << sim->err();
  Update(http_->Url("later.bin"), 2);
  EXPECT_TRUE(http_->Requests().empty()) << "nothing before retrieveDate";
  ASSERT_TRUE(WaitForStatus("Downloaded")) << sim->err();
  Pump(1500);
  EXPECT_EQ(Statuses().back(), "Downloaded") << "the install waits for the transaction";
  sim->Send("rfid TAG-1");
  ASSERT_TRUE(WaitForStatus("Installed")) << sim->err();
  EXPECT_EQ(Count("StopTransaction"), 1);
  Quit(sim);
}

TEST_F(StationSimFirmware, SigkillDuringTheDownloadRetriesAfterTheRestart) {
  Put("big.bin", "version=4.0\n" + std::string(400 * 1024, 'x'));  // ~5 s over /slow/
  const std::string dir = TempDir("fw-kill-dl");
  auto sim = StartOnline(dir);
  Update(http_->Url("slow/big.bin"), 0, 2, 1);
  ASSERT_TRUE(WaitForStatus("Downloading")) << sim->err();
  Pump(500);
  sim->Kill(SIGKILL);
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  sim = StartOnline(dir, 2);
  ASSERT_TRUE(WaitForStatus("Installed", 40)) << sim->err();
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"Downloading", "DownloadFailed", "Downloading",
                                                  "Downloaded", "Installing", "Installed"}));
  Quit(sim);
}

TEST_F(StationSimFirmware, SigkillRightAfterTheInstallBeganNeverInstallsTwice) {
  Put("fw5.bin", "version=5.0\n");
  const std::string dir = TempDir("fw-kill-inst");
  auto sim = StartOnline(dir);
  Update(http_->Url("fw5.bin"));
  ASSERT_TRUE(WaitUntil([&] {
    const auto s = Statuses();
    return std::find(s.begin(), s.end(), "Installing") != s.end();
  })) << sim->err();
  sim->Kill(SIGKILL);
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  const int boots = Count("BootNotification");
  sim = StartOnline(dir, boots + 1);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const auto s = Statuses();
        return !s.empty() && (s.back() == "Installed" || s.back() == "InstallationFailed");
      },
      20))
      << sim->err();
  Pump(1500);
  const auto s = Statuses();
  EXPECT_EQ(std::count(s.begin(), s.end(), "Installed") +
                std::count(s.begin(), s.end(), "InstallationFailed"),
            1)
      << "one outcome";
  EXPECT_EQ(std::count(s.begin(), s.end(), "Downloading"), 1) << "downloaded once";
  Quit(sim);
}

TEST_F(StationSimFirmware, DiagnosticsAreUploadedOverFtp) {
  auto sim = StartOnline(TempDir("diag"));
  v16::GetDiagnosticsReq req;
  req.location = ftp_->Url("upload/");
  const auto conf = CallSync(req);
  ASSERT_TRUE(conf.file_name.has_value());
  ASSERT_TRUE(WaitForStatus("Uploaded", 20, "DiagnosticsStatusNotification")) << sim->err();
  std::ifstream in(root_ + "/upload/" + conf.file_name->ToString());
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_NE(content.str().find("BootNotification"), std::string::npos) << "the frames are in it";
  EXPECT_EQ(content.str().find("s3cret-pw"), std::string::npos) << "redacted";
  Quit(sim);
}

}  // namespace
}  // namespace ocpp
