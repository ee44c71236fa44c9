// Internal to //runtime:ws_client_transport: helpers shared by its source
// files (ws_client_transport.cc, ws_client_tls.cc, ws_client_auth.cc).
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "runtime/ws_client_transport.h"

namespace ocpp::runtime::ws_client_internal {

// SSL_CTX ex_data slot pointing back at the transport that owns the vhost.
int TransportIndex();
// RFC 6125 style host check of a server certificate.
bool CertificateMatchesHost(X509* certificate, const std::string& host);
// "" or what is wrong with the configured CA, certificate and key files.
std::string CheckTlsFiles(const WsClientTransport::Options& options);
// An even number of hex digits.
bool IsHex(std::string_view text);
// Overwrites a secret before it is released.
void Wipe(std::string& secret);

}  // namespace ocpp::runtime::ws_client_internal
