#include "runtime/testing/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

namespace ocpp::runtime::testing {
namespace {

constexpr long kDay = 24 * 60 * 60;

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

Key NewKey() { return Key(EVP_EC_gen("P-256")); }

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension) return false;
  const bool ok = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return ok;
}

struct CertSpec {
  std::string common_name;
  std::string organization;
  std::string subject_alt_names;  // e.g. "IP:127.0.0.1,DNS:localhost"; empty = none
  bool is_ca = false;
  bool client = false;  // extendedKeyUsage clientAuth instead of serverAuth
  long not_before_seconds = -kDay;
  long not_after_seconds = 30 * kDay;
};

// Issues a certificate for `key`; self-signed when issuer is null.
Cert Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_seconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!spec.organization.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.organization.c_str()),
                               -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (spec.is_ca) {
    ok &= AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    ok &= AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok &= AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    ok &= AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    ok &= AddExtension(cert.get(), signer, NID_ext_key_usage,
                       spec.client ? "clientAuth" : "serverAuth");
  }
  ok &= AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) ok &= AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (!spec.subject_alt_names.empty()) {
    ok &= AddExtension(cert.get(), signer, NID_subject_alt_name, spec.subject_alt_names.c_str());
  }
  if (!ok) return nullptr;
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool WriteCert(const std::string& path, X509* cert) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return false;
  const bool ok = PEM_write_X509(file, cert) == 1;
  return std::fclose(file) == 0 && ok;
}

bool WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return false;
  const bool ok = PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(file) == 0 && ok;
}

// Makes a key and a certificate, writes both, returns them for signing others.
bool Make(const std::string& directory, const std::string& stem, const CertSpec& spec, X509* issuer,
          EVP_PKEY* issuer_key, std::string* cert_path, std::string* key_path,
          Key* key_out = nullptr, Cert* cert_out = nullptr) {
  Key key = NewKey();
  if (!key) return false;
  Cert cert = Issue(spec, key.get(), issuer, issuer_key);
  if (!cert) return false;
  *cert_path = directory + "/" + stem + ".pem";
  const std::string key_file = directory + "/" + stem + "-key.pem";
  if (!WriteCert(*cert_path, cert.get()) || !WriteKey(key_file, key.get())) return false;
  if (key_path) *key_path = key_file;
  if (key_out) *key_out = std::move(key);
  if (cert_out) *cert_out = std::move(cert);
  return true;
}

}  // namespace

std::optional<TestPki> CreateTestPki(const std::string& directory,
                                     const std::string& client_common_name) {
  if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return std::nullopt;
  TestPki pki;
  Key ca_key, other_key;
  Cert ca, other;
  CertSpec ca_spec{"Test Root CA", "Test CSMS Operator", "", true};
  CertSpec other_spec{"Unrelated Root CA", "Somebody Else", "", true};
  if (!Make(directory, "ca", ca_spec, nullptr, nullptr, &pki.ca_cert, &pki.ca_key, &ca_key, &ca) ||
      !Make(directory, "other-ca", other_spec, nullptr, nullptr, &pki.other_ca_cert, nullptr,
            &other_key, &other)) {
    return std::nullopt;
  }
  CertSpec expired_ca_spec{
      "Expired Root CA", "Test CSMS Operator", "", true, false, -30 * kDay, -kDay};
  if (!Make(directory, "expired-ca", expired_ca_spec, nullptr, nullptr, &pki.expired_ca_cert,
            nullptr)) {
    return std::nullopt;
  }
  CertSpec server{"127.0.0.1", "Test CSMS Operator", "IP:127.0.0.1,DNS:localhost"};
  CertSpec wrong_host{"wrong.example.com", "Test CSMS Operator", "DNS:wrong.example.com"};
  CertSpec expired = server;
  expired.not_before_seconds = -2 * kDay;
  expired.not_after_seconds = -kDay;
  CertSpec client{client_common_name, "Test CPO", ""};
  client.client = true;
  if (!Make(directory, "server", server, ca.get(), ca_key.get(), &pki.server_cert,
            &pki.server_key) ||
      !Make(directory, "wrong-host", wrong_host, ca.get(), ca_key.get(), &pki.wrong_host_cert,
            &pki.wrong_host_key) ||
      !Make(directory, "expired", expired, ca.get(), ca_key.get(), &pki.expired_cert,
            &pki.expired_key) ||
      !Make(directory, "client", client, ca.get(), ca_key.get(), &pki.client_cert,
            &pki.client_key) ||
      !Make(directory, "rogue-client", client, other.get(), other_key.get(), &pki.rogue_client_cert,
            &pki.rogue_client_key)) {
    return std::nullopt;
  }
  return pki;
}

std::string SignBase64(const std::string& key_path, std::string_view data) {
  FILE* file = std::fopen(key_path.c_str(), "r");
  if (!file) return "";
  Key key(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  if (!key) return "";
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t size = 0;
  std::string signature;
  if (md && EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
      EVP_DigestSign(md, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1) {
    signature.resize(size);
    if (EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1) {
      signature.resize(size);
    } else {
      signature.clear();
    }
  }
  EVP_MD_CTX_free(md);
  if (signature.empty()) return "";
  std::string out(4 * ((signature.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(signature.data()),
                                     static_cast<int>(signature.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

std::string SignRequest(const std::string& csr_pem, const std::string& ca_cert_path,
                        const std::string& ca_key_path, long days) {
  BIO* bio = BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()));
  X509_REQ* request = bio ? PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  FILE* file = std::fopen(ca_cert_path.c_str(), "r");
  Cert ca(file ? PEM_read_X509(file, nullptr, nullptr, nullptr) : nullptr);
  if (file) std::fclose(file);
  file = std::fopen(ca_key_path.c_str(), "r");
  Key ca_key(file ? PEM_read_PrivateKey(file, nullptr, nullptr, nullptr) : nullptr);
  if (file) std::fclose(file);
  std::string out;
  if (request && ca && ca_key) {
    static long serial = 1000;
    Cert cert(X509_new());
    EVP_PKEY* key = X509_REQ_get0_pubkey(request);
    bool ok = cert && key && X509_set_version(cert.get(), 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kDay) &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * kDay) &&
              X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(request)) == 1 &&
              X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) == 1 &&
              X509_set_pubkey(cert.get(), key) == 1 &&
              AddExtension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") &&
              AddExtension(cert.get(), ca.get(), NID_ext_key_usage, "clientAuth") &&
              X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0;
    BIO* mem = BIO_new(BIO_s_mem());
    if (ok && mem && PEM_write_bio_X509(mem, cert.get()) == 1) {
      char* data = nullptr;
      const long size = BIO_get_mem_data(mem, &data);
      out.assign(data, static_cast<std::size_t>(size));
    }
    BIO_free(mem);
  }
  X509_REQ_free(request);
  return out;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string TestTempDirectory() {
  const char* directory = std::getenv("TEST_TMPDIR");
  return directory && *directory ? directory : "/tmp";
}

}  // namespace ocpp::runtime::testing
