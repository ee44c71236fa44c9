// Randomness and SHA-1 for the WebSocket layer without OpenSSL: a ws://
// station never sets up OpenSSL's state (its DRBG and providers cost
// milliseconds of start-up and private memory), only wss:// does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ocpp::runtime {

// Unpredictable bytes from the kernel's CSPRNG (getrandom), as RFC 6455
// asks for nonces and masking keys; buffered, so a frame's mask costs no
// system call. Aborts if the kernel has no entropy to give (nothing is safe
// then). Thread-safe.
void SecureRandomBytes(unsigned char* out, std::size_t size);

// SHA-1 (FIPS 180-4) of `data`: only for Sec-WebSocket-Accept (RFC 6455
// 4.2.2), where it is a checksum, not a security primitive.
std::array<std::uint8_t, 20> Sha1(std::string_view data);

}  // namespace ocpp::runtime
