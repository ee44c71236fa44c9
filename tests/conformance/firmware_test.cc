// OCTT charge-point cases of the Firmware Management profile (TC_044_1,
// TC_044_2, TC_044_3, TC_045_1, TC_045_2) with scripted file transfers
// (the harness's FakeFileTransfer) and station_sim's firmware installer,
// plus what the issue asks beyond them: retries, retrieveDate in the
// future, an update during a transaction, power cuts during the download and
// before the activating reboot, TriggerMessage of the current state.
#include <algorithm>

#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::FirmwareStatus;

constexpr const char* kImageUrl = "ftp://127.0.0.1/fw/2.1.0.bin";

class Firmware : public Harness {
 protected:
  void Update(const std::string& url, int delay_s = 0, std::optional<int> retries = 1,
              std::optional<int> interval = 10) {
    v16::UpdateFirmwareReq req;
    req.location = url;
    req.retrieve_date = codec::DateTime::FromUnixMillis((WallSeconds() + delay_s) * 1000);
    req.retries = retries;
    req.retry_interval = interval;
    CsmsCall(req);
  }
  Strings FirmwareStatuses() const {
    Strings out;
    for (const auto& p : Payloads("FirmwareStatusNotification")) out.push_back(Str(p, "status"));
    return out;
  }
  Strings DiagnosticsStatuses() const {
    Strings out;
    for (const auto& p : Payloads("DiagnosticsStatusNotification")) out.push_back(Str(p, "status"));
    return out;
  }
  bool WaitForFirmware(const std::string& status) {
    return WaitUntil([&] {
      const Strings s = FirmwareStatuses();
      return !s.empty() && s.back() == status;
    });
  }
  // Reboots (Reset-like, in-process) are done by the harness between turns.
  bool WaitForReboot(int count) {
    return WaitUntil([&] { return reboots() == count; });
  }
};

TEST_F(Firmware, tc044_1_firmware_update) {
  StartStation();
  EXPECT_NE(GetConfig("SupportedFeatureProfiles").find("FirmwareManagement"), std::string::npos);
  transfers().Serve(kImageUrl, "version=2.1.0\nimage bytes");
  ClearFrames();
  Update(kImageUrl);
  ASSERT_TRUE(WaitForFirmware("Installing"));
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForReboot(1));
  ASSERT_TRUE(WaitForFirmware("Installed"));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "Downloaded", "Installing", "Installed"}));
  auto boot = LastPayload("BootNotification");
  EXPECT_EQ(Str(boot, "firmwareVersion"), "2.1.0") << "the new image runs";
  EXPECT_EQ(LastStatus(1), "Available");
  // Installed comes after the reboot's BootNotification.
  const Strings calls = Calls();
  const auto boot_at = std::find(calls.begin(), calls.end(), "BootNotification");
  EXPECT_NE(boot_at, calls.end());
  EXPECT_EQ(std::count(boot_at, calls.end(), "FirmwareStatusNotification"), 1);
}

TEST_F(Firmware, tc044_2_firmware_download_failed) {
  StartStation();
  ClearFrames();
  Update("ftp://127.0.0.1:21/download_fail.fwi", 0, 0);  // retries 0: one attempt
  ASSERT_TRUE(WaitForFirmware("DownloadFailed"));
  Advance(Seconds(120));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "DownloadFailed"}));
  EXPECT_EQ(reboots(), 0);
  EXPECT_EQ(station().connector_status(1), v16::ChargePointStatus::kAvailable);
  StartCharging();  // sessions are not blocked by a failed download
}

TEST_F(Firmware, tc044_3_firmware_install_failed) {
  StartStation();
  transfers().Serve(kImageUrl, "corrupt\n");
  ClearFrames();
  Update(kImageUrl);
  ASSERT_TRUE(WaitForFirmware("InstallationFailed"));
  Advance(Seconds(15));
  EXPECT_EQ(FirmwareStatuses(),
            (Strings{"Downloading", "Downloaded", "Installing", "InstallationFailed"}));
  EXPECT_EQ(reboots(), 0) << "the old firmware stays";
  StartCharging();  // and the station is usable again
}

TEST_F(Firmware, download_retries_then_succeeds_at_retrieve_date) {
  StartStation();
  transfers().Fail(kImageUrl, "connection refused");
  ClearFrames();
  Update(kImageUrl, 60, 3, 30);
  Advance(Seconds(59));
  EXPECT_TRUE(FirmwareStatuses().empty()) << "not before retrieveDate";
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForFirmware("DownloadFailed"));
  transfers().StopFailing(kImageUrl);
  transfers().Serve(kImageUrl, "version=3.0\n");
  Advance(Seconds(29));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "DownloadFailed"}));
  Advance(Seconds(1));  // retryInterval later: the second attempt, then the install
  ASSERT_TRUE(WaitForReboot(1));
  ASSERT_TRUE(WaitForFirmware("Installed"));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "DownloadFailed", "Downloading",
                                         "Downloaded", "Installing", "Installed"}));
  EXPECT_EQ(transfers().downloads.size(), 2u);
}

// The install waits for the running transaction; no new session meanwhile.
TEST_F(Firmware, update_during_a_transaction_installs_after_it) {
  StartStation();
  transfers().Serve(kImageUrl, "version=2.2\n");
  StartCharging();
  ClearFrames();
  Update(kImageUrl);
  ASSERT_TRUE(WaitForFirmware("Downloaded"));
  Advance(Seconds(30));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "Downloaded"})) << "still charging";
  EXPECT_EQ(station().connector_status(1), v16::ChargePointStatus::kCharging);
  Do("rfid TAG-0001");  // the driver stops
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForFirmware("Installing"));
  Do("cp A");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForReboot(1));
  ASSERT_TRUE(WaitForFirmware("Installed"));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
}

// A power cut during the download: that attempt failed, the next one runs.
TEST_F(Firmware, power_cut_during_the_download_reports_it_and_retries) {
  StartStation();
  transfers().Serve(kImageUrl, "version=4.0\n");
  transfers().set_hold(true);  // the download hangs until released
  ClearFrames();
  Update(kImageUrl, 0, 2, 10);
  ASSERT_TRUE(WaitForFirmware("Downloading"));
  PowerCut();
  transfers().set_hold(false);
  StartStation();
  ASSERT_TRUE(WaitForFirmware("DownloadFailed"));
  Advance(Seconds(10));  // the next attempt, then the install
  ASSERT_TRUE(WaitForReboot(1));
  ASSERT_TRUE(WaitForFirmware("Installed"));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "DownloadFailed", "Downloading",
                                         "Downloaded", "Installing", "Installed"}));
}

// A power cut after the install, before the reboot: the boot that follows
// activates the image and reports Installed, once; nothing installs twice.
TEST_F(Firmware, power_cut_before_the_activating_reboot) {
  StartStation();
  transfers().Serve(kImageUrl, "version=5.0\n");
  ClearFrames();
  Update(kImageUrl);
  ASSERT_TRUE(WaitForFirmware("Installing"));
  PowerCut();
  StartStation();
  ASSERT_TRUE(WaitForFirmware("Installed"));
  EXPECT_EQ(Str(LastPayload("BootNotification"), "firmwareVersion"), "5.0");
  Advance(Seconds(30));
  EXPECT_EQ(FirmwareStatuses(), (Strings{"Downloading", "Downloaded", "Installing", "Installed"}));
  EXPECT_EQ(transfers().downloads.size(), 1u);
}

TEST_F(Firmware, trigger_reports_the_update_under_way) {
  StartStation();
  transfers().Serve(kImageUrl, "version=6.0\n");
  transfers().set_hold(true);
  Update(kImageUrl);
  ASSERT_TRUE(WaitForFirmware("Downloading"));
  ClearFrames();
  EXPECT_EQ(CsmsCall(v16::TriggerMessageReq{v16::MessageTrigger::kFirmwareStatusNotification,
                                            std::nullopt})
                .status,
            v16::TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("FirmwareStatusNotification"));
  EXPECT_EQ(FirmwareStatuses(), Strings{"Downloading"});
}

TEST_F(Firmware, tc045_1_get_diagnostics) {
  StartStation();
  StartCharging();  // something to diagnose
  ClearFrames();
  v16::GetDiagnosticsReq req;
  req.location = "ftp://user:secret@127.0.0.1/diagnostics/";
  const auto conf = CsmsCall(req);
  ASSERT_TRUE(conf.file_name.has_value());
  EXPECT_EQ(conf.file_name->view().rfind("diagnostics-", 0), 0u);
  ASSERT_TRUE(WaitUntil([&] { return DiagnosticsStatuses().size() == 2; }));
  EXPECT_EQ(DiagnosticsStatuses(), (Strings{"Uploading", "Uploaded"}));
  ASSERT_EQ(transfers().uploads.size(), 1u);
  EXPECT_EQ(transfers().uploads[0].first, req.location);
  EXPECT_NE(transfers().uploads[0].second.find("StartTransaction"), std::string::npos)
      << "the log holds what happened";
  EXPECT_EQ(transfers().uploads[0].second.find("secret"), std::string::npos)
      << "no password in the log";
}

TEST_F(Firmware, tc045_2_get_diagnostics_upload_failed) {
  StartStation();
  const std::string url = "ftp://127.0.0.1/unreachable/";
  transfers().Fail(url, "connection refused");
  ClearFrames();
  v16::GetDiagnosticsReq req;
  req.location = url;
  req.retries = 2;
  req.retry_interval = 20;
  EXPECT_TRUE(CsmsCall(req).file_name.has_value());
  ASSERT_TRUE(WaitUntil([&] { return DiagnosticsStatuses().size() == 2; }));
  Advance(Seconds(20));
  ASSERT_TRUE(WaitUntil([&] { return DiagnosticsStatuses().size() == 4; }));
  Advance(Seconds(60));
  EXPECT_EQ(DiagnosticsStatuses(),
            (Strings{"Uploading", "UploadFailed", "Uploading", "UploadFailed"}));
}

// A period with nothing in it: no fileName, no upload (section 6.29).
TEST_F(Firmware, get_diagnostics_of_an_empty_period_uploads_nothing) {
  StartStation();
  v16::GetDiagnosticsReq req;
  req.location = "ftp://127.0.0.1/diagnostics/";
  req.start_time = codec::DateTime::FromUnixMillis((WallSeconds() + 3600) * 1000);
  EXPECT_FALSE(CsmsCall(req).file_name.has_value());
  Settle();
  EXPECT_TRUE(transfers().uploads.empty());
  EXPECT_EQ(CountCalls("DiagnosticsStatusNotification"), 0);
}

}  // namespace
}  // namespace ocpp::conformance
