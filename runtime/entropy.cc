#include "runtime/entropy.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace ocpp::runtime {
namespace {

std::mutex pool_mutex;
unsigned char pool[256];
std::size_t pool_left = 0;

void Fill(unsigned char* out, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
}

std::uint32_t Rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

}  // namespace

void SecureRandomBytes(unsigned char* out, std::size_t size) {
  if (size > sizeof(pool)) return Fill(out, size);
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (pool_left < size) {
    Fill(pool, sizeof(pool));
    pool_left = sizeof(pool);
  }
  // Taken from the end and wiped: a byte is never handed out twice.
  std::memcpy(out, pool + pool_left - size, size);
  std::memset(pool + pool_left - size, 0, size);
  pool_left -= size;
}

std::array<std::uint8_t, 20> Sha1(std::string_view data) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  const std::uint64_t bit_length = static_cast<std::uint64_t>(data.size()) * 8;
  // Message, 0x80, zeros, 64-bit big-endian length: whole 64-byte blocks.
  std::size_t total = data.size() + 9;
  total += (64 - total % 64) % 64;
  auto byte_at = [&](std::size_t i) -> std::uint8_t {
    if (i < data.size()) return static_cast<std::uint8_t>(data[i]);
    if (i == data.size()) return 0x80;
    if (i >= total - 8) return static_cast<std::uint8_t>(bit_length >> (8 * (total - 1 - i)));
    return 0;
  };
  for (std::size_t block = 0; block < total; block += 64) {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t) {
      w[t] = static_cast<std::uint32_t>(byte_at(block + 4 * t)) << 24 |
             static_cast<std::uint32_t>(byte_at(block + 4 * t + 1)) << 16 |
             static_cast<std::uint32_t>(byte_at(block + 4 * t + 2)) << 8 |
             static_cast<std::uint32_t>(byte_at(block + 4 * t + 3));
    }
    for (int t = 16; t < 80; ++t) w[t] = Rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
      std::uint32_t f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      const std::uint32_t temp = Rotl(a, 5) + f + e + k + w[t];
      e = d;
      d = c;
      c = Rotl(b, 30);
      b = a;
      a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<std::uint8_t, 20> digest{};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * j));
  }
  return digest;
}

}  // namespace ocpp::runtime
