// The TLS settings both ends of the runtime use: TLS 1.2 or newer, no
// compression, and for TLS 1.2 only AEAD suites with the ones the OCPP 1.6
// security whitepaper ed. 2 requires (A00.FR.312, .317-.320).
#pragma once

#include <openssl/ssl.h>

namespace ocpp::runtime {

// SSL_OP_* to set on every SSL_CTX.
inline constexpr long kTlsMinimumVersionOptions = static_cast<long>(
    SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION);

// TLS 1.2 suites (TLS 1.3 keeps OpenSSL's defaults, all AEAD). The first four
// and the two plain-RSA ones are the whitepaper's A00.FR.317/318 list.
inline constexpr char kTls12CipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "AES128-GCM-SHA256:AES256-GCM-SHA384";

// Pins the minimum protocol version on a context lws created (belt and braces
// next to kTlsMinimumVersionOptions).
inline void ApplyTlsPolicy(SSL_CTX* context) {
  if (context) SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

}  // namespace ocpp::runtime
