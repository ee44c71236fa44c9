// WsClientTransport's TLS pieces: the handshake observer that names a
// failure's reason, the server certificate's host check, and the up-front
// check of the configured files.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <string>

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
  if (SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) != 1) {
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

}  // namespace ws_client_internal

using ws_client_internal::CertificateMatchesHost;
using ws_client_internal::TransportIndex;

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

int WsClientTransport::OnVerifyServerCertificate(lws* wsi, void* store_context,
                                                 size_t preverify_ok) {
  auto* store = static_cast<X509_STORE_CTX*>(store_context);
  if (!IsCurrent(wsi) || !store) return 1;
  if (!preverify_ok) {
    const int error = X509_STORE_CTX_get_error(store);
    attempt_error_ = {ConnectError::Kind::kServerCertificate, 0,
                      std::string("server certificate: ") + X509_verify_cert_error_string(error)};
    return 1;
  }
  // OpenSSL checked the chain (and lws asked it to check the name). Check the
  // name of the leaf here too, so it does not depend on how lws was built.
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
