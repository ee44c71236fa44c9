// X.509 pieces of the security whitepaper's certificate management (M03-M05,
// A02/A03): certificates from PEM text the central system sends, their
// validity, who issued them, and the certificateHashData that names an
// installed certificate. Everything here treats its input as hostile: any
// text gives a certificate or a one-line reason, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "generated/ocpp16/types.h"

typedef struct x509_st X509;

namespace ocpp::station::x509 {

// certificateHashData (whitepaper 4.x, as OCSP's CertID, RFC 6960 4.1.1):
// the hash of the issuer's DER name, the hash of the issuer's public key
// bits, and the serial number in hexadecimal without leading zeros. Hashes
// and serial are lower-case hex.
struct HashData {
  v16::HashAlgorithmEnumType algorithm = v16::HashAlgorithmEnumType::kSHA256;
  std::string issuer_name_hash;
  std::string issuer_key_hash;
  std::string serial_number;

  v16::CertificateHashDataType ToMessage() const;
  // The certificate `other` names: the same algorithm and values, hex
  // compared without regard to case, the serial without leading zeros.
  bool Matches(const v16::CertificateHashDataType& other) const;
};

class Certificate {
 public:
  // Exactly one PEM certificate (whitespace around it is fine).
  static base::Result<Certificate> FromPem(std::string_view pem);
  // One or more concatenated PEM certificates, at most `max_certificates`,
  // in the order given (CertificateSigned: leaf first).
  static base::Result<std::vector<Certificate>> ChainFromPem(std::string_view pem,
                                                             std::size_t max_certificates);

  X509* get() const { return cert_.get(); }
  std::string ToPem() const;
  // "CN=...,O=..." (RFC 2253), for logs.
  std::string Subject() const;
  // A CA certificate: basicConstraints CA:TRUE, or a self-signed v1 root.
  bool IsCa() const;
  // Issued by itself: names match and its own key verifies the signature.
  bool IsSelfSigned() const { return IsIssuedBy(*this); }
  // `issuer`'s subject is this certificate's issuer and its key verifies
  // this certificate's signature.
  bool IsIssuedBy(const Certificate& issuer) const;
  // notBefore <= unix_seconds <= notAfter.
  bool ValidAt(std::int64_t unix_seconds) const;
  std::int64_t not_before() const;  // unix seconds
  std::int64_t not_after() const;   // unix seconds
  // `issuer` is the certificate that issued this one (itself for a root).
  base::Result<HashData> Hash(v16::HashAlgorithmEnumType algorithm,
                              const Certificate& issuer) const;
  // SHA-256 of the DER encoding, lower-case hex: a stable storage name.
  std::string Fingerprint() const;

 private:
  explicit Certificate(std::shared_ptr<X509> cert) : cert_(std::move(cert)) {}
  std::shared_ptr<X509> cert_;
};

// `chain` (leaf first, intermediates after it) verifies up to one of
// `roots` at `unix_seconds`; otherwise the reason.
base::Status VerifyChain(const std::vector<Certificate>& chain,
                         const std::vector<Certificate>& roots, std::int64_t unix_seconds);

// The file's signature: `signature_base64` is an RSA or ECDSA signature over
// SHA-256 of the bytes of the file at `path`, made with `signer`'s key.
base::Status VerifyFileSignature(const std::string& path, std::string_view signature_base64,
                                 const Certificate& signer);

// A new EC P-256 key pair and a PKCS#10 request for it (A02.FR.02/03):
// subject O = `organization` (CpoName), CN = `common_name` (the charge point
// identity), signed with the key. Both PEM.
struct KeyAndRequest {
  std::string private_key_pem;
  std::string csr_pem;
};
base::Result<KeyAndRequest> GenerateKeyAndRequest(std::string_view organization,
                                                  std::string_view common_name);

// The certificate carries the public key of `private_key_pem`.
bool CertificateMatchesKey(const Certificate& certificate, std::string_view private_key_pem);

// Lower-case hex of `bytes`.
std::string Hex(const unsigned char* bytes, std::size_t size);

}  // namespace ocpp::station::x509
