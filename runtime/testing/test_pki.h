// Throwaway certificates for TLS tests, made with the OpenSSL C API at test
// time (nothing checked in, nothing fetched). EC P-256 keys keep it fast.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ocpp::runtime::testing {

// PEM file paths.
struct TestPki {
  std::string ca_cert;          // the CA the charge point trusts
  std::string ca_key;           // its key, for tests that act as the CA
  std::string other_ca_cert;    // an unrelated CA ("wrong CA")
  std::string expired_ca_cert;  // a self-signed CA that expired yesterday
  // Issued by ca_cert for SAN IP 127.0.0.1 and DNS localhost.
  std::string server_cert;
  std::string server_key;
  // Issued by ca_cert, valid, but for DNS wrong.example.com only.
  std::string wrong_host_cert;
  std::string wrong_host_key;
  // Issued by ca_cert for 127.0.0.1, expired yesterday.
  std::string expired_cert;
  std::string expired_key;
  // Client certificate (CN = the charge point id, O = "Test CPO") by ca_cert.
  std::string client_cert;
  std::string client_key;
  // Same subject, issued by other_ca_cert: a server trusting ca_cert refuses it.
  std::string rogue_client_cert;
  std::string rogue_client_key;
};

// Writes everything into `directory`, created (mode 0700) if missing; its
// parent must exist. Empty on failure.
std::optional<TestPki> CreateTestPki(const std::string& directory,
                                     const std::string& client_common_name);

// Base64 of the signature over SHA-256 of `data` with the private key in
// the PEM file `key_path` (ECDSA for this PKI's keys), as a firmware signer
// would make it; empty on failure.
std::string SignBase64(const std::string& key_path, std::string_view data);

// A certificate for the PKCS#10 request `csr_pem`, issued by the CA in
// `ca_cert`/`ca_key` (PEM files), valid from yesterday for `days`; PEM,
// empty on failure. A test central system signing a station's CSR.
std::string SignRequest(const std::string& csr_pem, const std::string& ca_cert,
                        const std::string& ca_key, long days = 30);

// The whole file at `path` (a PEM of this PKI), "" when unreadable.
std::string ReadTextFile(const std::string& path);

// TEST_TMPDIR under bazel test, else /tmp.
std::string TestTempDirectory();

}  // namespace ocpp::runtime::testing
