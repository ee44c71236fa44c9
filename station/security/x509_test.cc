#include "station/security/x509.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "runtime/testing/test_pki.h"

namespace ocpp::station::x509 {
namespace {

using v16::HashAlgorithmEnumType;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// OCTT's side of certificateHashData, computed another way: digests of the
// DER issuer name and of the issuer key's BIT STRING contents.
std::string Sha256Hex(const unsigned char* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

class X509Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = runtime::testing::CreateTestPki(runtime::testing::TestTempDirectory(), "CP-1");
    ASSERT_TRUE(pki.has_value());
    pki_ = *pki;
  }
  Certificate Load(const std::string& path) {
    auto certificate = Certificate::FromPem(runtime::testing::ReadTextFile(path));
    EXPECT_TRUE(certificate.ok()) << certificate.status().message();
    return *certificate;
  }
  runtime::testing::TestPki pki_;
};

TEST_F(X509Test, ARootIsASelfSignedCaValidNow) {
  const Certificate root = Load(pki_.ca_cert);
  EXPECT_TRUE(root.IsCa());
  EXPECT_TRUE(root.IsSelfSigned());
  EXPECT_TRUE(root.ValidAt(NowSeconds()));
  EXPECT_FALSE(root.ValidAt(NowSeconds() + 365LL * 24 * 3600));
  EXPECT_EQ(root.Subject(), "CN=Test Root CA,O=Test CSMS Operator");
  EXPECT_EQ(root.Fingerprint().size(), 64u);
}

TEST_F(X509Test, ALeafIsNoCaAndKnowsItsIssuer) {
  const Certificate root = Load(pki_.ca_cert);
  const Certificate other = Load(pki_.other_ca_cert);
  const Certificate server = Load(pki_.server_cert);
  EXPECT_FALSE(server.IsCa());
  EXPECT_FALSE(server.IsSelfSigned());
  EXPECT_TRUE(server.IsIssuedBy(root));
  EXPECT_FALSE(server.IsIssuedBy(other));
  EXPECT_FALSE(root.IsIssuedBy(other));
}

TEST_F(X509Test, AnExpiredCaIsNotValidNow) {
  const Certificate expired = Load(pki_.expired_ca_cert);
  EXPECT_TRUE(expired.IsCa());
  EXPECT_FALSE(expired.ValidAt(NowSeconds()));
  EXPECT_TRUE(expired.ValidAt(NowSeconds() - 10LL * 24 * 3600));
}

TEST_F(X509Test, HashDataIsTheOcspCertIdOfTheIssuer) {
  const Certificate root = Load(pki_.ca_cert);
  const Certificate server = Load(pki_.server_cert);
  auto hash = server.Hash(HashAlgorithmEnumType::kSHA256, root);
  ASSERT_TRUE(hash.ok());

  unsigned char* der = nullptr;
  const int der_size = i2d_X509_NAME(X509_get_issuer_name(server.get()), &der);
  ASSERT_GT(der_size, 0);
  EXPECT_EQ(hash->issuer_name_hash, Sha256Hex(der, static_cast<std::size_t>(der_size)));
  OPENSSL_free(der);
  const ASN1_BIT_STRING* key_bits = X509_get0_pubkey_bitstr(root.get());
  EXPECT_EQ(hash->issuer_key_hash,
            Sha256Hex(key_bits->data, static_cast<std::size_t>(key_bits->length)));
  char serial[32];
  std::snprintf(serial, sizeof serial, "%lx",
                ASN1_INTEGER_get(X509_get0_serialNumber(server.get())));
  EXPECT_EQ(hash->serial_number, serial);

  auto sha512 = server.Hash(HashAlgorithmEnumType::kSHA512, root);
  ASSERT_TRUE(sha512.ok());
  EXPECT_EQ(sha512->issuer_name_hash.size(), 128u);
  EXPECT_EQ(sha512->ToMessage().issuer_name_hash.view(), sha512->issuer_name_hash);
}

TEST_F(X509Test, MatchingIgnoresCaseAndLeadingZerosButNotTheAlgorithm) {
  const Certificate root = Load(pki_.ca_cert);
  auto hash = root.Hash(HashAlgorithmEnumType::kSHA256, root);
  ASSERT_TRUE(hash.ok());
  v16::CertificateHashDataType named = hash->ToMessage();
  EXPECT_TRUE(hash->Matches(named));
  std::string upper = hash->issuer_key_hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  named.issuer_key_hash = *codec::CiString<128>::From(upper);
  named.serial_number = *codec::CiString<40>::From("000" + hash->serial_number);
  EXPECT_TRUE(hash->Matches(named));
  named.hash_algorithm = HashAlgorithmEnumType::kSHA384;
  EXPECT_FALSE(hash->Matches(named));
  named = hash->ToMessage();
  named.serial_number = *codec::CiString<40>::From(hash->serial_number + "0");
  EXPECT_FALSE(hash->Matches(named));
}

TEST_F(X509Test, HostileTextGivesAReasonNotACertificate) {
  const std::string root = runtime::testing::ReadTextFile(pki_.ca_cert);
  const std::string server = runtime::testing::ReadTextFile(pki_.server_cert);
  for (const std::string& text :
       {std::string(), std::string("   \n"), std::string("garbage"),
        root.substr(0, root.size() / 2), root + "trailing garbage", root + server,
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        std::string(70000, 'A')}) {
    auto parsed = Certificate::FromPem(text);
    EXPECT_FALSE(parsed.ok()) << text.substr(0, 40);
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.status().message().empty());
    }
  }
  EXPECT_TRUE(Certificate::FromPem("\n" + root + "\n\n").ok());
}

TEST_F(X509Test, ChainsAreReadInOrderUpToTheLimit) {
  const std::string text = runtime::testing::ReadTextFile(pki_.server_cert) +
                           runtime::testing::ReadTextFile(pki_.ca_cert);
  auto chain = Certificate::ChainFromPem(text, 2);
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_TRUE((*chain)[0].IsIssuedBy((*chain)[1]));
  EXPECT_FALSE(Certificate::ChainFromPem(text, 1).ok());
  EXPECT_EQ(Certificate::FromPem((*chain)[1].ToPem())->Fingerprint(), (*chain)[1].Fingerprint());
}

TEST_F(X509Test, AChainVerifiesToItsRootOnlyWhileValid) {
  const Certificate root = Load(pki_.ca_cert);
  const Certificate other = Load(pki_.other_ca_cert);
  const Certificate leaf = Load(pki_.server_cert);
  EXPECT_TRUE(VerifyChain({leaf}, {other, root}, NowSeconds()).ok());
  const base::Status wrong_root = VerifyChain({leaf}, {other}, NowSeconds());
  EXPECT_FALSE(wrong_root.ok());
  EXPECT_FALSE(wrong_root.message().empty());
  EXPECT_FALSE(VerifyChain({leaf}, {root}, NowSeconds() + 400LL * 24 * 3600).ok()) << "expired";
  EXPECT_FALSE(VerifyChain({leaf}, {}, NowSeconds()).ok());
  EXPECT_FALSE(VerifyChain({Load(pki_.expired_cert)}, {root}, NowSeconds()).ok());
}

TEST_F(X509Test, AFileSignatureVerifiesWithTheSignersKeyOnly) {
  const std::string path = runtime::testing::TestTempDirectory() + "/x509_test_firmware.bin";
  const std::string image = "version=9.9\nfirmware bytes";
  std::ofstream(path) << image;
  const std::string signature = runtime::testing::SignBase64(pki_.server_key, image);
  ASSERT_FALSE(signature.empty());
  EXPECT_TRUE(VerifyFileSignature(path, signature, Load(pki_.server_cert)).ok());
  EXPECT_FALSE(VerifyFileSignature(path, signature, Load(pki_.client_cert)).ok()) << "another key";
  std::ofstream(path) << image << "tampered";
  EXPECT_FALSE(VerifyFileSignature(path, signature, Load(pki_.server_cert)).ok());
  EXPECT_FALSE(VerifyFileSignature(path, "!!!not base64", Load(pki_.server_cert)).ok());
  EXPECT_FALSE(VerifyFileSignature(path, "", Load(pki_.server_cert)).ok());
  EXPECT_FALSE(VerifyFileSignature(path + ".missing", signature, Load(pki_.server_cert)).ok());
}

}  // namespace
}  // namespace ocpp::station::x509
