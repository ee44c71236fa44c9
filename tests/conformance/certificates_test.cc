// Security whitepaper ed. 2, certificate management (M03-M05) and OCTT
// TC_075_1_CS, TC_075_2_CS, TC_076_CS, with a test PKI made at test time.
// The central system checks certificateHashData with its own computation,
// as OCTT does: SHA-256 of the DER issuer name and of the issuer key's bits,
// and the serial in hex.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "runtime/testing/test_pki.h"
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::CertificateUseEnumType;
using v16::DeleteCertificateStatusEnumType;
using v16::GetInstalledCertificateStatusEnumType;
using v16::InstallCertificateStatusEnumType;

std::string HexSha256(const unsigned char* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  std::string out;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    out += pair;
  }
  return out;
}

// The central system's own certificateHashData of a self-signed root.
v16::CertificateHashDataType ExpectedHash(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  v16::CertificateHashDataType out;
  if (!cert) return out;
  unsigned char* der = nullptr;
  const int size = i2d_X509_NAME(X509_get_issuer_name(cert), &der);
  out.hash_algorithm = v16::HashAlgorithmEnumType::kSHA256;
  out.issuer_name_hash =
      *codec::CiString<128>::From(HexSha256(der, static_cast<std::size_t>(size)));
  OPENSSL_free(der);
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(cert);
  out.issuer_key_hash =
      *codec::CiString<128>::From(HexSha256(key->data, static_cast<std::size_t>(key->length)));
  char serial[32];
  std::snprintf(serial, sizeof serial, "%lx", ASN1_INTEGER_get(X509_get0_serialNumber(cert)));
  out.serial_number = *codec::CiString<40>::From(serial);
  X509_free(cert);
  return out;
}

// "CN=...,O=..." of a PEM certificate.
std::string SubjectOf(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return "";
  BIO* out = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(out, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<std::size_t>(size));
  BIO_free(out);
  X509_free(cert);
  return text;
}

class Certificates : public Harness {
 protected:
  void SetUp() override { SetUpSecurityWithTestPki(&pki_); }
  InstallCertificateStatusEnumType Install(CertificateUseEnumType type, const std::string& pem) {
    v16::InstallCertificateReq req;
    req.certificate_type = type;
    req.certificate = *codec::CiString<5500>::From(pem);
    return CsmsCall(req).status;
  }
  v16::GetInstalledCertificateIdsConf Ids(CertificateUseEnumType type) {
    return CsmsCall(v16::GetInstalledCertificateIdsReq{type});
  }
  DeleteCertificateStatusEnumType Delete(const v16::CertificateHashDataType& hash) {
    return CsmsCall(v16::DeleteCertificateReq{hash}).status;
  }
  std::string Pem(const std::string& path) { return runtime::testing::ReadTextFile(path); }
  // A02 up to the CSR: CpoName set, the test CA installed as the
  // CentralSystemRootCertificate, SignChargePointCertificate triggered
  // (frames cleared before the trigger) and the SignCertificate received.
  void StartWithCsmsRootAndTriggerCsr() {
    StartStation();
    Set("CpoName", "Test CPO");
    ASSERT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.ca_cert)),
              InstallCertificateStatusEnumType::kAccepted);
    ClearFrames();
    v16::ExtendedTriggerMessageReq trigger;
    trigger.requested_message = v16::MessageTriggerEnumType::kSignChargePointCertificate;
    ASSERT_EQ(CsmsCall(trigger).status, v16::TriggerMessageStatusEnumType::kAccepted);
    ASSERT_TRUE(WaitForCall("SignCertificate"));
  }

  runtime::testing::TestPki pki_;
};

TEST_F(Certificates, TC_075_1_CS_install_a_manufacturer_root_certificate) {
  StartStation();
  EXPECT_EQ(Ids(CertificateUseEnumType::kManufacturerRootCertificate).status,
            GetInstalledCertificateStatusEnumType::kNotFound);
  EXPECT_EQ(Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.other_ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  const auto ids = Ids(CertificateUseEnumType::kManufacturerRootCertificate);
  EXPECT_EQ(ids.status, GetInstalledCertificateStatusEnumType::kAccepted);
  ASSERT_TRUE(ids.certificate_hash_data.has_value());
  ASSERT_EQ(ids.certificate_hash_data->size(), 1u);
  EXPECT_EQ(ids.certificate_hash_data->front(), ExpectedHash(Pem(pki_.other_ca_cert)));
  // The other type is unaffected, and the transport trusts no manufacturer root.
  EXPECT_EQ(Ids(CertificateUseEnumType::kCentralSystemRootCertificate).status,
            GetInstalledCertificateStatusEnumType::kNotFound);
  EXPECT_TRUE(trusted_roots_.empty());
}

TEST_F(Certificates, TC_075_2_CS_install_a_central_system_root_certificate) {
  StartStation();
  EXPECT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  const auto ids = Ids(CertificateUseEnumType::kCentralSystemRootCertificate);
  EXPECT_EQ(ids.status, GetInstalledCertificateStatusEnumType::kAccepted);
  ASSERT_TRUE(ids.certificate_hash_data.has_value());
  ASSERT_EQ(ids.certificate_hash_data->size(), 1u);
  EXPECT_EQ(ids.certificate_hash_data->front(), ExpectedHash(Pem(pki_.ca_cert)));
  // The TLS connection trusts it from now on.
  ASSERT_EQ(trusted_roots_.size(), 1u);
  EXPECT_EQ(ExpectedHash(trusted_roots_[0]), ExpectedHash(Pem(pki_.ca_cert)));
}

TEST_F(Certificates, TC_076_CS_delete_a_specific_certificate) {
  StartStation();
  ASSERT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  ASSERT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.other_ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  auto ids = Ids(CertificateUseEnumType::kCentralSystemRootCertificate);
  ASSERT_TRUE(ids.certificate_hash_data.has_value());
  ASSERT_EQ(ids.certificate_hash_data->size(), 2u);
  EXPECT_EQ(Delete(ExpectedHash(Pem(pki_.ca_cert))), DeleteCertificateStatusEnumType::kAccepted);
  ids = Ids(CertificateUseEnumType::kCentralSystemRootCertificate);
  ASSERT_TRUE(ids.certificate_hash_data.has_value());
  ASSERT_EQ(ids.certificate_hash_data->size(), 1u);
  EXPECT_EQ(ids.certificate_hash_data->front(), ExpectedHash(Pem(pki_.other_ca_cert)));
  EXPECT_EQ(trusted_roots_.size(), 1u);
  // M04.FR.04: gone is NotFound.
  EXPECT_EQ(Delete(ExpectedHash(Pem(pki_.ca_cert))), DeleteCertificateStatusEnumType::kNotFound);
}

// An invalid CentralSystemRootCertificate is Rejected and reported with a
// SecurityEventNotification although the event is not a critical one.
TEST_F(Certificates, TC_078_CS_invalid_central_system_certificate_security_event) {
  StartStation();
  ASSERT_TRUE(WaitForCall("SecurityEventNotification"));  // StartupOfTheDevice
  ClearFrames();
  EXPECT_EQ(
      Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.expired_ca_cert)),
      InstallCertificateStatusEnumType::kRejected);
  ASSERT_TRUE(WaitForCall("SecurityEventNotification"));
  EXPECT_EQ(Str(LastPayload("SecurityEventNotification"), "type"),
            "InvalidCentralSystemCertificate");
  // A manufacturer root is no central system certificate: no event.
  ClearFrames();
  EXPECT_EQ(
      Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.expired_ca_cert)),
      InstallCertificateStatusEnumType::kRejected);
  Settle();
  EXPECT_EQ(CountCalls("SecurityEventNotification"), 0);
}

TEST_F(Certificates, installed_certificates_survive_a_power_cut) {
  StartStation();
  ASSERT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  ASSERT_EQ(Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  PowerCut();
  trusted_roots_.clear();
  StartStation();
  EXPECT_EQ(trusted_roots_.size(), 1u) << "handed to the transport at start";
  for (auto type : {CertificateUseEnumType::kCentralSystemRootCertificate,
                    CertificateUseEnumType::kManufacturerRootCertificate}) {
    const auto ids = Ids(type);
    ASSERT_TRUE(ids.certificate_hash_data.has_value());
    EXPECT_EQ(*ids.certificate_hash_data,
              std::vector<v16::CertificateHashDataType>{ExpectedHash(Pem(pki_.ca_cert))});
  }
}

// M05.FR.06: an invalid or incorrect certificate is Rejected.
TEST_F(Certificates, invalid_expired_and_leaf_certificates_are_rejected) {
  StartStation();
  const auto type = CertificateUseEnumType::kCentralSystemRootCertificate;
  EXPECT_EQ(Install(type, "not a certificate"), InstallCertificateStatusEnumType::kRejected);
  EXPECT_EQ(Install(type, Pem(pki_.expired_ca_cert)), InstallCertificateStatusEnumType::kRejected);
  EXPECT_EQ(Install(type, Pem(pki_.server_cert)), InstallCertificateStatusEnumType::kRejected)
      << "a server certificate is no root";
  EXPECT_EQ(Install(type, Pem(pki_.ca_cert) + Pem(pki_.other_ca_cert)),
            InstallCertificateStatusEnumType::kRejected)
      << "one certificate per request";
  EXPECT_EQ(Ids(type).status, GetInstalledCertificateStatusEnumType::kNotFound);
  EXPECT_TRUE(trusted_roots_.empty());
}

// M05.FR.03: the store is bounded by CertificateStoreMaxLength (both types).
TEST_F(Certificates, a_full_store_rejects_and_a_reinstall_keeps_one_copy) {
  StartStation({{"CertificateStoreMaxLength", "1"}});
  EXPECT_EQ(GetConfig("CertificateStoreMaxLength"), "1");
  EXPECT_EQ(Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  EXPECT_EQ(Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  EXPECT_EQ(Install(CertificateUseEnumType::kCentralSystemRootCertificate, Pem(pki_.other_ca_cert)),
            InstallCertificateStatusEnumType::kRejected);
  const auto ids = Ids(CertificateUseEnumType::kManufacturerRootCertificate);
  ASSERT_TRUE(ids.certificate_hash_data.has_value());
  EXPECT_EQ(ids.certificate_hash_data->size(), 1u);
}

// M04.FR.06: the last CentralSystemRootCertificate is not deleted while the
// connection relies on it (security profile 2 or 3); others and
// manufacturer roots are.
TEST_F(Certificates, the_last_central_system_root_in_use_is_not_deleted) {
  StartStation({{"SecurityProfile", "2"}});
  const auto csms = CertificateUseEnumType::kCentralSystemRootCertificate;
  ASSERT_EQ(Install(csms, Pem(pki_.ca_cert)), InstallCertificateStatusEnumType::kAccepted);
  ASSERT_EQ(Install(csms, Pem(pki_.other_ca_cert)), InstallCertificateStatusEnumType::kAccepted);
  EXPECT_EQ(Delete(ExpectedHash(Pem(pki_.other_ca_cert))),
            DeleteCertificateStatusEnumType::kAccepted);
  EXPECT_EQ(Delete(ExpectedHash(Pem(pki_.ca_cert))), DeleteCertificateStatusEnumType::kFailed);
  EXPECT_EQ(Ids(csms).status, GetInstalledCertificateStatusEnumType::kAccepted);
  ASSERT_EQ(Install(CertificateUseEnumType::kManufacturerRootCertificate, Pem(pki_.ca_cert)),
            InstallCertificateStatusEnumType::kAccepted);
  // The same certificate as both types: the deletable one goes.
  EXPECT_EQ(Delete(ExpectedHash(Pem(pki_.ca_cert))), DeleteCertificateStatusEnumType::kAccepted);
  EXPECT_EQ(Ids(CertificateUseEnumType::kManufacturerRootCertificate).status,
            GetInstalledCertificateStatusEnumType::kNotFound);
  EXPECT_EQ(Ids(csms).status, GetInstalledCertificateStatusEnumType::kAccepted);
}

// A02: the station makes a key pair and a CSR, the central system (here the
// test CA) signs it, and CertificateSigned installs it.
TEST_F(Certificates, TC_074_CS_update_charge_point_certificate_by_request) {
  ASSERT_NO_FATAL_FAILURE(StartWithCsmsRootAndTriggerCsr());
  const std::string csr = Str(LastPayload("SignCertificate"), "csr");
  EXPECT_EQ(csr.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0), 0u) << csr;
  const std::string signed_pem = runtime::testing::SignRequest(csr, pki_.ca_cert, pki_.ca_key);
  ASSERT_FALSE(signed_pem.empty());
  // The CSR named the CPO and the station.
  EXPECT_EQ(SubjectOf(signed_pem), "CN=CP-OCTT-1,O=Test CPO");
  v16::CertificateSignedReq certificate;
  certificate.certificate_chain = *codec::CiString<10000>::From(signed_pem);
  EXPECT_EQ(CsmsCall(certificate).status, v16::CertificateSignedStatusEnumType::kAccepted);
  ASSERT_TRUE(WaitUntil([&] { return client_certificate_.has_value(); }));
  // Key and chain for profile 3, owner-only, and the key never on the wire.
  const std::string stored = runtime::testing::ReadTextFile(client_certificate_->first);
  EXPECT_NE(stored.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(stored.find(signed_pem), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat(client_certificate_->first.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const auto& frame : csms().frames()) {
    EXPECT_EQ(frame.text.find("PRIVATE KEY"), std::string::npos) << frame.text;
  }
  // Nor in the station's logs (the diagnostics log has every line and frame).
  for (const char* log : {"/diagnostics/diagnostics.log", "/security/diagnostics.log"}) {
    EXPECT_EQ(runtime::testing::ReadTextFile(data_dir() + log).find("PRIVATE KEY"),
              std::string::npos)
        << log;
  }
}

// A02.FR.07: a certificate that does not verify (another CA, another key)
// is Rejected and reported as InvalidChargePointCertificate.
TEST_F(Certificates, TC_077_CS_invalid_charge_point_certificate_security_event) {
  ASSERT_NO_FATAL_FAILURE(StartWithCsmsRootAndTriggerCsr());
  const std::string csr = Str(LastPayload("SignCertificate"), "csr");
  ClearFrames();
  // Signed by a CA the station does not trust.
  const std::string other_ca_key =
      pki_.other_ca_cert.substr(0, pki_.other_ca_cert.size() - 4) + "-key.pem";
  v16::CertificateSignedReq certificate;
  certificate.certificate_chain = *codec::CiString<10000>::From(
      runtime::testing::SignRequest(csr, pki_.other_ca_cert, other_ca_key));
  EXPECT_EQ(CsmsCall(certificate).status, v16::CertificateSignedStatusEnumType::kRejected);
  ASSERT_TRUE(WaitForCall("SecurityEventNotification"));
  EXPECT_EQ(Str(LastPayload("SecurityEventNotification"), "type"), "InvalidChargePointCertificate");
  // A certificate of the right CA for someone else's key; garbage.
  certificate.certificate_chain = *codec::CiString<10000>::From(Pem(pki_.client_cert));
  EXPECT_EQ(CsmsCall(certificate).status, v16::CertificateSignedStatusEnumType::kRejected);
  certificate.certificate_chain = *codec::CiString<10000>::From("garbage");
  EXPECT_EQ(CsmsCall(certificate).status, v16::CertificateSignedStatusEnumType::kRejected);
  EXPECT_FALSE(client_certificate_.has_value());
}

// A03: a certificate that expires within 30 days is renewed by the station
// itself once online: a new key pair and CSR, without being asked.
TEST_F(Certificates, a_certificate_about_to_expire_is_renewed) {
  ASSERT_NO_FATAL_FAILURE(StartWithCsmsRootAndTriggerCsr());
  const std::string first_csr = Str(LastPayload("SignCertificate"), "csr");
  v16::CertificateSignedReq certificate;
  certificate.certificate_chain = *codec::CiString<10000>::From(
      runtime::testing::SignRequest(first_csr, pki_.ca_cert, pki_.ca_key, /*days=*/10));
  ASSERT_EQ(CsmsCall(certificate).status, v16::CertificateSignedStatusEnumType::kAccepted);
  ClearFrames();
  PowerCut();
  StartStation();
  ASSERT_TRUE(WaitForCall("SignCertificate")) << "renewed without a trigger";
  EXPECT_NE(Str(LastPayload("SignCertificate"), "csr"), first_csr) << "a new key pair";
  // Not again at every reconnect of the same day.
  ClearFrames();
  GoOffline();
  ASSERT_TRUE(Restore());
  Settle();
  EXPECT_EQ(CountCalls("SignCertificate"), 0);
}

TEST_F(Certificates, sign_charge_point_certificate_needs_a_cpo_name) {
  StartStation();
  v16::ExtendedTriggerMessageReq trigger;
  trigger.requested_message = v16::MessageTriggerEnumType::kSignChargePointCertificate;
  EXPECT_EQ(CsmsCall(trigger).status, v16::TriggerMessageStatusEnumType::kRejected);
  Settle();
  EXPECT_EQ(CountCalls("SignCertificate"), 0);
}

TEST_F(Certificates, security_configuration_keys_are_reported) {
  StartStation();
  EXPECT_EQ(GetConfig("CertificateStoreMaxLength"), "20");
  EXPECT_EQ(GetConfig("CertificateSignedMaxChainSize"), "10000");
  EXPECT_EQ(GetConfig("AdditionalRootCertificateCheck"), "false");
  EXPECT_EQ(GetConfig("CpoName"), "");
  Set("CpoName", "Test CPO");
  EXPECT_EQ(GetConfig("CpoName"), "Test CPO");
}

}  // namespace
}  // namespace ocpp::conformance
