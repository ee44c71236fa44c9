#include "codegen/cpp_support/ci_string.h"

namespace ocpp::codec {

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (unsigned char c : utf8) {
    // Continuation bytes (10xxxxxx) do not start a code point.
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace ocpp::codec
