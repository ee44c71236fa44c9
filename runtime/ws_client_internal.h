// Internal to //runtime:ws_client_transport: helpers shared by its source
// files (ws_client_transport.cc, ws_client_session.cc, ws_client_tls.cc,
// ws_client_auth.cc).
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/ws_client_transport.h"

namespace ocpp::runtime::ws_client_internal {

// SSL_CTX ex_data slot pointing back at the transport that owns the vhost.
int TransportIndex();
// RFC 6125 style host check of a server certificate.
bool CertificateMatchesHost(X509* certificate, const std::string& host);
// "" or what is wrong with the configured CA, certificate and key files.
std::string CheckTlsFiles(const WsClientTransport::Options& options);
// A trust store of `ca_file` plus the PEM certificates of `pems`; null
// (reason in `error`) when one of them cannot be read.
X509_STORE* NewTrustStore(const std::string& ca_file, const std::vector<std::string>& pems,
                          std::string* error);
// An even number of hex digits.
bool IsHex(std::string_view text);
// Overwrites a secret before it is released.
void Wipe(std::string& secret);

// The client SSL_CTX of a wss:// transport: CA file, client certificate of
// profile 3, TLS >= 1.2 with the whitepaper's suites, peer verification
// through `verify` (OpenSSL's verify callback). Null (reason in *error) if a
// file cannot be used.
SSL_CTX* NewClientContext(const WsClientTransport::Options& options,
                          int (*verify)(int preverify_ok, X509_STORE_CTX* store),
                          std::string* error);

// TLS client over memory BIOs: lws moves the ciphertext (raw socket), this
// runs OpenSSL's state machine. lws 4.1.6 cannot start TLS on a RAW client
// connection itself (it creates the SSL before the socket exists).
class TlsClientChannel {
 public:
  // `context` must outlive the channel. `host` gives SNI (not for IP
  // literals) and the name OpenSSL checks the certificate against.
  TlsClientChannel(SSL_CTX* context, const std::string& host);
  ~TlsClientChannel();
  TlsClientChannel(const TlsClientChannel&) = delete;
  TlsClientChannel& operator=(const TlsClientChannel&) = delete;

  // Sends the ClientHello (into output()).
  bool Start();
  // Ciphertext from the server; decrypted application data is appended to
  // *plain. False on a fatal TLS error (an alert may wait in output()).
  bool Receive(const unsigned char* data, std::size_t size, std::string* plain);
  bool handshake_done() const { return handshake_done_; }
  // Application data to encrypt (after the handshake). False on failure.
  bool Send(std::string_view plain);
  // Ciphertext waiting to be written to the socket (taken out).
  std::string TakeOutput();
  const std::string& error() const { return error_; }

 private:
  bool Advance(std::string* plain);
  bool Failed(int result);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // ciphertext from the server (owned by ssl_)
  BIO* out_ = nullptr;  // ciphertext to the server (owned by ssl_)
  bool handshake_done_ = false;
  std::string error_;
};

}  // namespace ocpp::runtime::ws_client_internal
