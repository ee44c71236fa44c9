// Security whitepaper L01, OCTT TC_080_CS and TC_081_CS: SignedUpdateFirmware
// with a test PKI made at test time. The ManufacturerRootCertificate is the
// test CA; the firmware is signed (ECDSA, SHA-256) with the key of a
// certificate it issued.
#include <fstream>
#include <sstream>

#include "runtime/testing/test_pki.h"
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::UpdateFirmwareStatusEnumType;

constexpr const char* kImageUrl = "ftp://127.0.0.1/fw/signed-7.0.bin";
constexpr const char* kImage = "version=7.0\nsigned image bytes";

class SignedFirmware : public Harness {
 protected:
  void SetUp() override { SetUpSecurityWithTestPki(&pki_); }
  void InstallManufacturerRoot(const std::string& path) {
    v16::InstallCertificateReq req;
    req.certificate_type = v16::CertificateUseEnumType::kManufacturerRootCertificate;
    req.certificate = *codec::CiString<5500>::From(runtime::testing::ReadTextFile(path));
    ASSERT_EQ(CsmsCall(req).status, v16::InstallCertificateStatusEnumType::kAccepted);
  }
  UpdateFirmwareStatusEnumType Update(const std::string& signature, std::int64_t request_id = 17,
                                      const std::string& certificate_path = "") {
    v16::SignedUpdateFirmwareReq req;
    req.request_id = request_id;
    req.retries = 1;
    req.retry_interval = 10;
    req.firmware.location = *codec::CiString<512>::From(kImageUrl);
    req.firmware.retrieve_date_time = codec::DateTime::FromUnixMillis(WallSeconds() * 1000);
    req.firmware.signing_certificate = *codec::CiString<5500>::From(runtime::testing::ReadTextFile(
        certificate_path.empty() ? pki_.server_cert : certificate_path));
    req.firmware.signature = *codec::CiString<800>::From(signature);
    return CsmsCall(req).status;
  }
  Strings SignedStatuses() const {
    Strings out;
    for (const auto& p : Payloads("SignedFirmwareStatusNotification")) {
      out.push_back(Str(p, "status"));
    }
    return out;
  }
  bool WaitForSigned(const std::string& status) {
    return WaitUntil([&] {
      const Strings s = SignedStatuses();
      return !s.empty() && s.back() == status;
    });
  }
  Strings EventTypes() const {
    Strings out;
    for (const auto& p : Payloads("SecurityEventNotification")) out.push_back(Str(p, "type"));
    return out;
  }

  runtime::testing::TestPki pki_;
};

TEST_F(SignedFirmware, TC_080_CS_secure_firmware_update) {
  StartStation();
  InstallManufacturerRoot(pki_.ca_cert);
  transfers().Serve(kImageUrl, kImage);
  ClearFrames();
  EXPECT_EQ(Update(runtime::testing::SignBase64(pki_.server_key, kImage)),
            UpdateFirmwareStatusEnumType::kAccepted);
  ASSERT_TRUE(WaitForSigned("Installing")) << ::testing::PrintToString(SignedStatuses());
  Advance(Seconds(1));
  ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; }));
  ASSERT_TRUE(WaitForSigned("Installed"));
  EXPECT_EQ(SignedStatuses(),
            (Strings{"Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"}));
  for (const auto& p : Payloads("SignedFirmwareStatusNotification")) EXPECT_EQ(p["requestId"], 17);
  EXPECT_EQ(CountCalls("FirmwareStatusNotification"), 0) << "a signed update reports signed";
  EXPECT_EQ(Str(LastPayload("BootNotification"), "firmwareVersion"), "7.0");
  EXPECT_EQ(LastStatus(1), "Available");
  ASSERT_TRUE(WaitUntil([&] {
    const Strings e = EventTypes();
    return std::find(e.begin(), e.end(), "FirmwareUpdated") != e.end();
  }));
}

TEST_F(SignedFirmware, TC_081_CS_secure_firmware_update_invalid_signature) {
  StartStation();
  InstallManufacturerRoot(pki_.ca_cert);
  transfers().Serve(kImageUrl, kImage);
  ClearFrames();
  // Signed by the right key, but over other bytes.
  EXPECT_EQ(Update(runtime::testing::SignBase64(pki_.server_key, "other bytes")),
            UpdateFirmwareStatusEnumType::kAccepted);
  ASSERT_TRUE(WaitForSigned("InvalidSignature")) << ::testing::PrintToString(SignedStatuses());
  ASSERT_TRUE(WaitUntil([&] { return !EventTypes().empty(); }));
  EXPECT_EQ(EventTypes(), Strings{"InvalidFirmwareSignature"});
  Advance(Seconds(30));
  EXPECT_EQ(SignedStatuses(), (Strings{"Downloading", "Downloaded", "InvalidSignature"}));
  EXPECT_EQ(reboots(), 0) << "nothing is installed";
  EXPECT_EQ(station().connector_status(1), v16::ChargePointStatus::kAvailable);
}

// L01.FR.02: a signing certificate that does not chain to an installed
// ManufacturerRootCertificate is refused before anything is downloaded.
TEST_F(SignedFirmware, an_untrusted_signing_certificate_is_refused) {
  StartStation();
  InstallManufacturerRoot(pki_.other_ca_cert);  // not the signer's CA
  transfers().Serve(kImageUrl, kImage);
  ClearFrames();
  EXPECT_EQ(Update(runtime::testing::SignBase64(pki_.server_key, kImage)),
            UpdateFirmwareStatusEnumType::kInvalidCertificate);
  ASSERT_TRUE(WaitUntil([&] { return !EventTypes().empty(); }));
  EXPECT_EQ(EventTypes(), Strings{"InvalidFirmwareSigningCertificate"});
  EXPECT_EQ(Update(runtime::testing::SignBase64(pki_.server_key, kImage), 18, pki_.expired_cert),
            UpdateFirmwareStatusEnumType::kInvalidCertificate);
  Advance(Seconds(30));
  EXPECT_TRUE(transfers().downloads.empty());
  EXPECT_TRUE(SignedStatuses().empty());
}

TEST_F(SignedFirmware, a_new_request_replaces_the_one_under_way) {
  StartStation();
  InstallManufacturerRoot(pki_.ca_cert);
  transfers().Serve(kImageUrl, kImage);
  transfers().set_hold(true);  // the first download hangs
  const std::string signature = runtime::testing::SignBase64(pki_.server_key, kImage);
  EXPECT_EQ(Update(signature, 1), UpdateFirmwareStatusEnumType::kAccepted);
  ASSERT_TRUE(WaitForSigned("Downloading"));
  EXPECT_EQ(Update(signature, 2), UpdateFirmwareStatusEnumType::kAcceptedCanceled);
  transfers().set_hold(false);
  transfers().ReleaseAll();  // the cancelled first download never completes
  ASSERT_TRUE(WaitForSigned("Installing")) << ::testing::PrintToString(SignedStatuses());
  EXPECT_EQ(LastPayload("SignedFirmwareStatusNotification")["requestId"], 2);
  EXPECT_EQ(SignedStatuses(), (Strings{"Downloading", "Downloading", "Downloaded",
                                       "SignatureVerified", "Installing"}));
}

// The signed update's request is persisted like UpdateFirmware's: after a
// power cut during the download its outcome is still a signed
// notification with the requestId.
TEST_F(SignedFirmware, a_power_cut_during_the_download_is_reported_signed) {
  StartStation();
  InstallManufacturerRoot(pki_.ca_cert);
  transfers().Serve(kImageUrl, kImage);
  transfers().set_hold(true);
  EXPECT_EQ(Update(runtime::testing::SignBase64(pki_.server_key, kImage), 33),
            UpdateFirmwareStatusEnumType::kAccepted);
  ASSERT_TRUE(WaitForSigned("Downloading"));
  PowerCut();
  transfers().set_hold(false);
  ClearFrames();
  StartStation();
  ASSERT_TRUE(WaitForSigned("DownloadFailed")) << ::testing::PrintToString(SignedStatuses());
  EXPECT_EQ(LastPayload("SignedFirmwareStatusNotification")["requestId"], 33);
  EXPECT_EQ(CountCalls("FirmwareStatusNotification"), 0);
}

}  // namespace
}  // namespace ocpp::conformance
