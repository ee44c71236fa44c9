// WsClientTransport's TLS pieces: its SSL_CTX, TLS over memory BIOs, the
// handshake observer that names a failure's reason, the server
// certificate's host check, and the up-front check of the configured files.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

#include "runtime/tls_policy.h"
#include "runtime/ws_client_internal.h"
#include "runtime/ws_client_transport.h"

namespace ocpp::runtime {
namespace ws_client_internal {

// SSL_CTX ex_data slot pointing back at the transport that owns the vhost.
int TransportIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

// RFC 6125 style: SAN dNSName (CN only without DNS SANs), or iPAddress SAN
// for an IP literal. Partial wildcards such as "a*.example.com" never match.
bool CertificateMatchesHost(X509* certificate, const std::string& host) {
  if (!certificate) return false;
  if (IsIpLiteral(host)) return X509_check_ip_asc(certificate, host.c_str(), 0) == 1;
  return X509_check_host(certificate, host.data(), host.size(),
                         X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

// lws only logs when it cannot load these files and then fails every
// handshake; check them up front so a broken configuration is an error at
// Create(). Encrypted keys are refused rather than prompted for on stdin.
std::string CheckTlsFiles(const WsClientTransport::Options& options) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (!context) return "OpenSSL cannot create a context";
  SSL_CTX_set_default_passwd_cb(context, [](char*, int, int, void*) { return 0; });
  std::string problem;
  if (!options.ca_file.empty() &&
      SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) != 1) {
    problem = "cannot load CA certificates from ca_file";
  } else if (options.security_profile == SecurityProfile::kTlsWithClientCertificate) {
    if (SSL_CTX_use_certificate_chain_file(context, options.client_cert_file.c_str()) != 1) {
      problem = "cannot load client_cert_file";
    } else if (SSL_CTX_use_PrivateKey_file(context, options.client_key_file.c_str(),
                                           SSL_FILETYPE_PEM) != 1) {
      problem = "cannot load client_key_file (unencrypted PEM of client_cert_file's key expected)";
    } else if (SSL_CTX_check_private_key(context) != 1) {
      problem = "client_key_file does not belong to client_cert_file";
    }
  }
  SSL_CTX_free(context);
  ERR_clear_error();
  return problem;
}

X509_STORE* NewTrustStore(const std::string& ca_file, const std::vector<std::string>& pems,
                          std::string* error) {
  X509_STORE* store = X509_STORE_new();
  bool ok = store != nullptr;
  if (ok && !ca_file.empty() && X509_STORE_load_file(store, ca_file.c_str()) != 1) {
    *error = "cannot load CA certificates from ca_file";
    ok = false;
  }
  for (const std::string& pem : pems) {
    if (!ok) break;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* certificate = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    // A duplicate of a ca_file certificate is fine (OpenSSL 3 ignores it).
    ok = certificate != nullptr && X509_STORE_add_cert(store, certificate) == 1;
    if (!ok) *error = "a trusted root is not a PEM certificate";
    X509_free(certificate);
    BIO_free(bio);
  }
  ERR_clear_error();
  if (!ok) {
    X509_STORE_free(store);
    return nullptr;
  }
  return store;
}

SSL_CTX* NewClientContext(const WsClientTransport::Options& options,
                          int (*verify)(int preverify_ok, X509_STORE_CTX* store),
                          std::string* error) {
  std::string problem = CheckTlsFiles(options);
  SSL_CTX* context = problem.empty() ? SSL_CTX_new(TLS_client_method()) : nullptr;
  if (context) {
    SSL_CTX_set_default_passwd_cb(context, [](char*, int, int, void*) { return 0; });
    SSL_CTX_set_options(context, kTlsMinimumVersionOptions);
    ApplyTlsPolicy(context);
    const bool ok =
        SSL_CTX_set_cipher_list(context, kTls12CipherList) == 1 &&
        (options.ca_file.empty() ||
         SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) == 1) &&
        (options.security_profile != SecurityProfile::kTlsWithClientCertificate ||
         (SSL_CTX_use_certificate_chain_file(context, options.client_cert_file.c_str()) == 1 &&
          SSL_CTX_use_PrivateKey_file(context, options.client_key_file.c_str(), SSL_FILETYPE_PEM) ==
              1));
    if (!ok) {
      SSL_CTX_free(context);
      context = nullptr;
      problem = "OpenSSL cannot set up the client TLS context";
    } else {
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER, verify);
    }
  } else if (problem.empty()) {
    problem = "OpenSSL cannot create a context";
  }
  ERR_clear_error();
  if (error) *error = problem;
  return context;
}

TlsClientChannel::TlsClientChannel(SSL_CTX* context, const std::string& host) {
  ssl_ = SSL_new(context);
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (!ssl_ || !in_ || !out_) return;
  BIO_set_mem_eof_return(in_, -1);  // empty means "wait for more", not EOF
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_connect_state(ssl_);
  SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>("\x08http/1.1"), 9);
  unsigned char address[sizeof(in6_addr)];
  const bool ip = inet_pton(AF_INET, host.c_str(), address) == 1 ||
                  inet_pton(AF_INET6, host.c_str(), address) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
}

TlsClientChannel::~TlsClientChannel() {
  if (ssl_) {
    SSL_free(ssl_);  // frees the BIOs it owns
  } else {
    BIO_free(in_);
    BIO_free(out_);
  }
}

bool TlsClientChannel::Failed(int result) {
  const int code = SSL_get_error(ssl_, result);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return false;
  const unsigned long error = ERR_peek_last_error();
  const char* reason = error ? ERR_reason_error_string(error) : nullptr;
  error_ = code == SSL_ERROR_ZERO_RETURN ? "TLS closed by the server"
                                         : std::string("TLS: ") + (reason ? reason : "failure");
  ERR_clear_error();
  return true;
}

bool TlsClientChannel::Start() {
  if (!ssl_ || !in_ || !out_) {
    error_ = "OpenSSL cannot create the connection";
    return false;
  }
  return Advance(nullptr);
}

bool TlsClientChannel::Advance(std::string* plain) {
  if (!handshake_done_) {
    const int result = SSL_do_handshake(ssl_);
    if (result != 1) return !Failed(result);
    handshake_done_ = true;
  }
  if (!plain) return true;
  char buffer[16 * 1024];
  for (;;) {
    const int n = SSL_read(ssl_, buffer, sizeof(buffer));
    if (n <= 0) return !Failed(n);
    plain->append(buffer, static_cast<size_t>(n));
  }
}

bool TlsClientChannel::Receive(const unsigned char* data, std::size_t size, std::string* plain) {
  if (!error_.empty()) return false;
  if (size > 0 && BIO_write(in_, data, static_cast<int>(size)) != static_cast<int>(size)) {
    error_ = "TLS: out of memory";
    return false;
  }
  return Advance(plain);
}

bool TlsClientChannel::Send(std::string_view plain) {
  if (!error_.empty() || !handshake_done_) return false;
  if (plain.empty()) return true;
  // Memory BIOs take everything: a short write is a failure.
  const int n = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
  if (n == static_cast<int>(plain.size())) return true;
  Failed(n);
  if (error_.empty()) error_ = "TLS: write failed";
  return false;
}

std::string TlsClientChannel::TakeOutput() {
  std::string bytes(static_cast<size_t>(BIO_ctrl_pending(out_)), '\0');
  if (!bytes.empty()) {
    const int n = BIO_read(out_, bytes.data(), static_cast<int>(bytes.size()));
    bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  return bytes;
}

}  // namespace ws_client_internal

using ws_client_internal::CertificateMatchesHost;
using ws_client_internal::TransportIndex;

std::string WsClientTransport::SecurityFailure() const {
  const ConnectError& e = last_connect_error_;
  switch (e.kind) {
    case ConnectError::Kind::kServerCertificate:
      return "InvalidCentralSystemCertificate";
    case ConnectError::Kind::kHttpStatus:
      return e.http_status == 401 ? "FailedToAuthenticateAtCentralSystem" : "";
    case ConnectError::Kind::kTransport:
      // OpenSSL's reasons as OnTlsInfo noted them (ws_tls_failure_log_test).
      if (e.detail.find("protocol version") != std::string::npos ||
          e.detail.find("unsupported protocol") != std::string::npos) {
        return "InvalidTLSVersion";
      }
      if (e.detail.find("handshake failure") != std::string::npos ||
          e.detail.find("no shared cipher") != std::string::npos ||
          e.detail.find("no cipher") != std::string::npos) {
        return "InvalidTLSCipherSuite";
      }
      return "";
    default:
      return "";
  }
}

bool WsClientTransport::SetTrustedRoots(const std::vector<std::string>& pems) {
  // ws:// without roots (the usual start-up): no OpenSSL work at all.
  if (!client_ssl_context_ && pems.empty()) {
    trusted_roots_.clear();
    return true;
  }
  std::string error;
  X509_STORE* store = ws_client_internal::NewTrustStore(
      client_ssl_context_ ? options_.ca_file : std::string(), pems, &error);
  if (!store) {
    Log(LogLevel::kError, "trusted roots not changed: " + error);
    return false;
  }
  trusted_roots_ = pems;  // also for a later Reconfigure to wss://
  if (!client_ssl_context_) {
    X509_STORE_free(store);
    return true;
  }
  // Takes ownership and frees the old store; handshakes verify against the
  // context's store when they run, so the next one uses the new roots.
  SSL_CTX_set_cert_store(client_ssl_context_, store);
  return true;
}

void WsClientTransport::WatchTlsHandshakes(SSL_CTX* context) {
  if (!context || TransportIndex() < 0) return;
  client_ssl_context_ = context;
  SSL_CTX_set_ex_data(context, TransportIndex(), this);
  SSL_CTX_set_info_callback(context, &WsClientTransport::OnTlsInfo);
}

// lws reports a failed handshake without OpenSSL's reason (unless it was the
// certificate); remember the alert and the error so the log names it.
void WsClientTransport::OnTlsInfo(const SSL* ssl, int where, int ret) {
  auto* self =
      static_cast<WsClientTransport*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), TransportIndex()));
  if (!self || self->destroying_ || self->state_ != State::kConnecting) return;
  std::string note;
  if (where & SSL_CB_ALERT) {
    note = std::string("TLS alert ") + ((where & SSL_CB_READ) ? "from server: " : "sent: ") +
           SSL_alert_desc_string_long(ret);
  } else if ((where & SSL_CB_EXIT) && ret <= 0) {
    const unsigned long error = ERR_peek_last_error();
    if (error == 0) return;  // only waiting for the socket
    const char* reason = ERR_reason_error_string(error);
    note = std::string("TLS: ") + (reason ? reason : "handshake failed");
  } else {
    return;
  }
  if (self->tls_failure_.find(note) != std::string::npos) return;
  if (!self->tls_failure_.empty()) self->tls_failure_ += "; ";
  self->tls_failure_ += note;
}

int WsClientTransport::VerifyServerCertificate(int preverify_ok, X509_STORE_CTX* store) {
  SSL* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl ? static_cast<WsClientTransport*>(
                         SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), TransportIndex()))
                   : nullptr;
  if (!self || self->destroying_ || self->state_ != State::kConnecting) return 0;
  // OpenSSL: 1 goes on, 0 fails the handshake.
  return self->OnVerifyServerCertificate(store, preverify_ok) == 0 ? 1 : 0;
}

int WsClientTransport::OnVerifyServerCertificate(X509_STORE_CTX* store, int preverify_ok) {
  if (!store) return 1;
  if (!preverify_ok) {
    const int error = X509_STORE_CTX_get_error(store);
    attempt_error_ = {ConnectError::Kind::kServerCertificate, 0,
                      std::string("server certificate: ") + X509_verify_cert_error_string(error)};
    return 1;
  }
  // OpenSSL checked the chain and the name. Check the name of the leaf here
  // too, with the same rules whatever OpenSSL's defaults are.
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 0;
  if (!CertificateMatchesHost(X509_STORE_CTX_get_current_cert(store), url_.host)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
    attempt_error_ = {ConnectError::Kind::kServerCertificate, 0,
                      "server certificate is not issued for " + url_.host};
    return 1;
  }
  return 0;
}

}  // namespace ocpp::runtime
