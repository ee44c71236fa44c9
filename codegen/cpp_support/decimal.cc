#include "codegen/cpp_support/decimal.h"

#include <rapidjson/internal/dtoa.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace ocpp::codec {

std::optional<Decimal> Decimal::Parse(std::string_view s) {
  std::size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) negative = s[pos++] == '-';
  // Collect significant digits and the decimal exponent exactly.
  __int128 mantissa = 0;
  int exponent = 0;
  bool any_digit = false;
  bool in_fraction = false;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa < (static_cast<__int128>(1) << 100)) {
        mantissa = mantissa * 10 + (c - '0');
        if (in_fraction) --exponent;
      } else if (!in_fraction) {
        ++exponent;  // too many digits to matter: the value is out of range anyway
      } else if (c != '0') {
        return std::nullopt;
      }
    } else if (c == '.' && !in_fraction) {
      in_fraction = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    bool exp_negative = false;
    if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) exp_negative = s[pos++] == '-';
    int e = 0;
    bool exp_digit = false;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
      exp_digit = true;
      if (e < 10000) e = e * 10 + (s[pos] - '0');
    }
    if (!exp_digit) return std::nullopt;
    exponent += exp_negative ? -e : e;
  }
  if (pos != s.size()) return std::nullopt;
  // Scale to millionths.
  exponent += kFractionDigits;
  while (exponent < 0) {
    if (mantissa % 10 != 0) return std::nullopt;  // finer than a millionth
    mantissa /= 10;
    ++exponent;
  }
  const __int128 limit = std::numeric_limits<std::int64_t>::max();
  for (; exponent > 0; --exponent) {
    if (mantissa == 0) break;
    mantissa *= 10;
    if (mantissa > limit) return std::nullopt;
  }
  if (mantissa > limit) return std::nullopt;
  const auto value = static_cast<std::int64_t>(mantissa);
  return Decimal(negative ? -value : value);
}

std::optional<Decimal> Decimal::FromDouble(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  char buffer[32];
  char* end = rapidjson::internal::dtoa(value, buffer);
  return Parse(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

std::size_t Decimal::Format(char* out) const {
  // Work on the magnitude as unsigned so INT64_MIN formats too.
  unsigned long long magnitude =
      v_ < 0 ? 0ULL - static_cast<unsigned long long>(v_) : static_cast<unsigned long long>(v_);
  unsigned long long integer = magnitude / kScale;
  unsigned long long fraction = magnitude % kScale;
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + integer % 10);
    integer /= 10;
  } while (integer != 0);
  std::size_t len = 0;
  if (v_ < 0) out[len++] = '-';
  while (n > 0) out[len++] = digits[--n];
  if (fraction != 0) {
    char frac[kFractionDigits];
    for (int i = kFractionDigits - 1; i >= 0; --i) {
      frac[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    int last = kFractionDigits - 1;
    while (frac[last] == '0') --last;
    out[len++] = '.';
    std::memcpy(out + len, frac, static_cast<std::size_t>(last + 1));
    len += static_cast<std::size_t>(last + 1);
  }
  out[len] = '\0';
  return len;
}

std::string Decimal::ToString() const {
  char buffer[40];
  return std::string(buffer, Format(buffer));
}

}  // namespace ocpp::codec
