#include "runtime/entropy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ocpp::runtime {
namespace {

std::string Hex(const std::array<std::uint8_t, 20>& d) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// FIPS 180 / RFC 3174 test vectors, and lengths around the block boundary.
TEST(Sha1, KnownVectors) {
  EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Hex(Sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Hex(Sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(Hex(Sha1(std::string(55, 'x'))), "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
  EXPECT_EQ(Hex(Sha1(std::string(56, 'x'))), "901305367c259952f4e7af8323f480d59f81335b");
  EXPECT_EQ(Hex(Sha1(std::string(64, 'x'))), "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
}

TEST(SecureRandomBytes, FillsAndDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    unsigned char key[16] = {};
    SecureRandomBytes(key, sizeof key);
    EXPECT_TRUE(seen.insert(std::string(reinterpret_cast<char*>(key), sizeof key)).second);
  }
  unsigned char big[1000] = {};
  SecureRandomBytes(big, sizeof big);  // larger than the pool
  int zeros = 0;
  for (unsigned char c : big) zeros += c == 0;
  EXPECT_LT(zeros, 20);
}

}  // namespace
}  // namespace ocpp::runtime
