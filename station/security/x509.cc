#include "station/security/x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace ocpp::station::x509 {
namespace {

using base::Status;
using base::StatusCode;

const EVP_MD* Digest(v16::HashAlgorithmEnumType algorithm) {
  switch (algorithm) {
    case v16::HashAlgorithmEnumType::kSHA256:
      return EVP_sha256();
    case v16::HashAlgorithmEnumType::kSHA384:
      return EVP_sha384();
    case v16::HashAlgorithmEnumType::kSHA512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string WithoutLeadingZeros(std::string_view hex) {
  std::string lower = Lower(hex);
  const std::size_t first = lower.find_first_not_of('0');
  return first == std::string::npos ? "0" : lower.substr(first);
}

bool OnlyWhitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

Status Invalid(std::string message) {
  ERR_clear_error();
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// 0 when the time cannot be read.
std::int64_t UnixSeconds(const ASN1_TIME* time) {
  struct tm parsed = {};
  if (ASN1_TIME_to_tm(time, &parsed) != 1) {
    ERR_clear_error();
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&parsed));
}

std::shared_ptr<X509> Own(X509* cert) { return std::shared_ptr<X509>(cert, X509_free); }

// Reads PEM certificates until the text ends; anything but whitespace
// between or after them is an error, so that garbage never passes as a
// certificate with a trailer.
base::Result<std::vector<std::shared_ptr<X509>>> ReadAll(std::string_view pem,
                                                         std::size_t max_certificates) {
  if (pem.size() > 64 * 1024) return Invalid("certificate text too long");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Invalid("out of memory");
  std::vector<std::shared_ptr<X509>> out;
  while (true) {
    char* data = nullptr;
    long remaining = BIO_get_mem_data(bio.get(), &data);
    if (remaining <= 0 || OnlyWhitespace(std::string_view(data, remaining))) break;
    if (out.size() == max_certificates) return Invalid("more certificates than allowed");
    X509* cert = PEM_read_bio_X509(
        bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
    if (!cert) return Invalid("not a PEM certificate");
    out.push_back(Own(cert));
  }
  if (out.empty()) return Invalid("no certificate");
  ERR_clear_error();
  return out;
}

}  // namespace

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

v16::CertificateHashDataType HashData::ToMessage() const {
  v16::CertificateHashDataType out;
  out.hash_algorithm = algorithm;
  // SHA-512 in hex is 128 characters, the field's limit; a serial is at
  // most 20 octets (RFC 5280 4.1.2.2), 40 hex digits.
  out.issuer_name_hash = *codec::CiString<128>::From(issuer_name_hash.substr(0, 128));
  out.issuer_key_hash = *codec::CiString<128>::From(issuer_key_hash.substr(0, 128));
  out.serial_number = *codec::CiString<40>::From(serial_number.substr(0, 40));
  return out;
}

bool HashData::Matches(const v16::CertificateHashDataType& other) const {
  return other.hash_algorithm == algorithm &&
         Lower(other.issuer_name_hash.view()) == issuer_name_hash &&
         Lower(other.issuer_key_hash.view()) == issuer_key_hash &&
         WithoutLeadingZeros(other.serial_number.view()) == serial_number;
}

base::Result<Certificate> Certificate::FromPem(std::string_view pem) {
  auto all = ReadAll(pem, 1);
  if (!all.ok()) return all.status();
  return Certificate(all->front());
}

base::Result<std::vector<Certificate>> Certificate::ChainFromPem(std::string_view pem,
                                                                 std::size_t max_certificates) {
  auto all = ReadAll(pem, max_certificates);
  if (!all.ok()) return all.status();
  std::vector<Certificate> out;
  for (auto& cert : *all) out.push_back(Certificate(std::move(cert)));
  return out;
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) return "";
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(std::max(size, 0L)));
}

std::string Certificate::Subject() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_RFC2253) < 0) {
    return "?";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  std::string out(data, static_cast<std::size_t>(std::max(size, 0L)));
  // For a log line: printable ASCII only, bounded.
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out.substr(0, 200);
}

bool Certificate::IsCa() const {
  // X509_check_ca: 1 for basicConstraints CA:TRUE, 3 for a self-signed v1
  // root; 4 and 5 (Netscape types, keyUsage certSign only) do not count.
  const int ca = X509_check_ca(cert_.get());
  ERR_clear_error();
  return ca == 1 || ca == 3;
}

bool Certificate::IsIssuedBy(const Certificate& issuer) const {
  if (X509_check_issued(issuer.get(), cert_.get()) != X509_V_OK) {
    ERR_clear_error();
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  const bool verified = key && X509_verify(cert_.get(), key) == 1;
  ERR_clear_error();
  return verified;
}

bool Certificate::ValidAt(std::int64_t unix_seconds) const {
  std::time_t when = static_cast<std::time_t>(unix_seconds);
  // X509_cmp_time: -1 when the certificate's time is before `when`, 1 after,
  // 0 when it cannot be read (invalid).
  const int starts = X509_cmp_time(X509_get0_notBefore(cert_.get()), &when);
  const int ends = X509_cmp_time(X509_get0_notAfter(cert_.get()), &when);
  ERR_clear_error();
  return starts == -1 && ends == 1;
}

std::int64_t Certificate::not_before() const {
  return UnixSeconds(X509_get0_notBefore(cert_.get()));
}

std::int64_t Certificate::not_after() const { return UnixSeconds(X509_get0_notAfter(cert_.get())); }

base::Result<HashData> Certificate::Hash(v16::HashAlgorithmEnumType algorithm,
                                         const Certificate& issuer) const {
  const EVP_MD* md = Digest(algorithm);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HashData out;
  out.algorithm = algorithm;
  if (X509_NAME_digest(X509_get_issuer_name(cert_.get()), md, digest, &size) != 1) {
    return Invalid("cannot hash the issuer name");
  }
  out.issuer_name_hash = Hex(digest, size);
  if (X509_pubkey_digest(issuer.get(), md, digest, &size) != 1) {
    return Invalid("cannot hash the issuer key");
  }
  out.issuer_key_hash = Hex(digest, size);
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr);
  char* hex = serial ? BN_bn2hex(serial) : nullptr;
  if (!hex) {
    BN_free(serial);
    return Invalid("cannot read the serial number");
  }
  out.serial_number = WithoutLeadingZeros(hex);
  OPENSSL_free(hex);
  BN_free(serial);
  ERR_clear_error();
  return out;
}

std::string Certificate::Fingerprint() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert_.get(), EVP_sha256(), digest, &size) != 1) {
    ERR_clear_error();
    return "";
  }
  return Hex(digest, size);
}

base::Status VerifyChain(const std::vector<Certificate>& chain,
                         const std::vector<Certificate>& roots, std::int64_t unix_seconds) {
  if (chain.empty()) return Invalid("no certificate");
  if (roots.empty()) return Invalid("no ManufacturerRootCertificate installed");
  X509_STORE* store = X509_STORE_new();
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  bool ok = store && untrusted && context;
  for (const Certificate& root : roots) ok = ok && X509_STORE_add_cert(store, root.get()) == 1;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    ok = ok && sk_X509_push(untrusted, chain[i].get()) > 0;
  }
  std::string reason = "cannot set up the verification";
  if (ok && X509_STORE_CTX_init(context, store, chain.front().get(), untrusted) == 1) {
    X509_STORE_CTX_set_time(context, 0, static_cast<time_t>(unix_seconds));
    ok = X509_verify_cert(context) == 1;
    if (!ok) reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(context));
  } else {
    ok = false;
  }
  X509_STORE_CTX_free(context);
  sk_X509_free(untrusted);  // the certificates belong to `chain`
  X509_STORE_free(store);
  ERR_clear_error();
  return ok ? base::OkStatus() : Invalid(reason);
}

base::Status VerifyFileSignature(const std::string& path, std::string_view signature_base64,
                                 const Certificate& signer) {
  // Base64 with or without line breaks; EVP_DecodeUpdate skips whitespace.
  std::string signature(signature_base64.size(), '\0');
  EVP_ENCODE_CTX* decoder = EVP_ENCODE_CTX_new();
  int written = 0;
  int tail = 0;
  const bool decoded =
      decoder != nullptr &&
      EVP_DecodeUpdate(decoder, reinterpret_cast<unsigned char*>(signature.data()), &written,
                       reinterpret_cast<const unsigned char*>(signature_base64.data()),
                       static_cast<int>(signature_base64.size())) >= 0 &&
      EVP_DecodeFinal(decoder, reinterpret_cast<unsigned char*>(signature.data()) + written,
                      &tail) == 1;
  EVP_ENCODE_CTX_free(decoder);
  if (!decoded || written + tail == 0) return Invalid("the signature is not base64");
  signature.resize(static_cast<std::size_t>(written + tail));

  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return Status(StatusCode::kNotFound, "cannot read the firmware file");
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md != nullptr && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr,
                                                  X509_get0_pubkey(signer.get())) == 1;
  unsigned char buffer[16384];
  std::size_t n = 0;
  while (ok && (n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    ok = EVP_DigestVerifyUpdate(md, buffer, n) == 1;
  }
  ok = ok && std::ferror(file) == 0 &&
       EVP_DigestVerifyFinal(md, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size()) == 1;
  std::fclose(file);
  EVP_MD_CTX_free(md);
  ERR_clear_error();
  return ok ? base::OkStatus() : Invalid("the signature does not verify");
}

base::Result<KeyAndRequest> GenerateKeyAndRequest(std::string_view organization,
                                                  std::string_view common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509_REQ* request = X509_REQ_new();
  BioPtr key_out(BIO_new(BIO_s_mem()));
  BioPtr csr_out(BIO_new(BIO_s_mem()));
  bool ok = key && request && key_out && csr_out && X509_REQ_set_version(request, 0) == 1 &&
            X509_REQ_set_pubkey(request, key) == 1;
  X509_NAME* name = request ? X509_REQ_get_subject_name(request) : nullptr;
  const std::string o(organization);
  const std::string cn(common_name);
  ok = ok && name &&
       X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1,
                                  0) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                  0) == 1 &&
       X509_REQ_sign(request, key, EVP_sha256()) > 0 &&
       PEM_write_bio_PrivateKey(key_out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
       PEM_write_bio_X509_REQ(csr_out.get(), request) == 1;
  KeyAndRequest out;
  if (ok) {
    char* data = nullptr;
    long size = BIO_get_mem_data(key_out.get(), &data);
    out.private_key_pem.assign(data, static_cast<std::size_t>(std::max(size, 0L)));
    size = BIO_get_mem_data(csr_out.get(), &data);
    out.csr_pem.assign(data, static_cast<std::size_t>(std::max(size, 0L)));
  }
  X509_REQ_free(request);
  EVP_PKEY_free(key);
  if (!ok) return Invalid("cannot make a key pair and a certificate signing request");
  ERR_clear_error();
  return out;
}

bool CertificateMatchesKey(const Certificate& certificate, std::string_view private_key_pem) {
  BioPtr bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(
                            bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr)
                      : nullptr;
  const bool matches = key && X509_check_private_key(certificate.get(), key) == 1;
  EVP_PKEY_free(key);
  ERR_clear_error();
  return matches;
}

}  // namespace ocpp::station::x509
