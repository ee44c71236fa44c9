#include "codegen/cpp_support/decimal.h"

#include <rapidjson/internal/dtoa.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ocpp::codec {

std::optional<Decimal> Decimal::Parse(std::string_view s) {
  std::size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) negative = s[pos++] == '-';
  // Collect the significant digits and the decimal exponent exactly. A value
  // in range has at most 19 significant digits (INT64_MAX millionths), which
  // fit a uint64_t on every target (no __int128 on 32-bit ARM); more than
  // that with a nonzero digit beyond them is out of range or finer than a
  // millionth either way.
  constexpr int kMaxDigits = 19;
  std::uint64_t mantissa = 0;
  int kept = 0;
  int exponent = 0;
  bool any_digit = false;
  bool in_fraction = false;
  bool dropped_nonzero = false;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (kept == 0 && c == '0') {
        if (in_fraction) --exponent;  // a leading zero
      } else if (kept < kMaxDigits) {
        mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
        ++kept;
        if (in_fraction) --exponent;
      } else {
        dropped_nonzero |= c != '0';
        if (!in_fraction) ++exponent;
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
  if (pos != s.size() || dropped_nonzero) return std::nullopt;
  // Scale to millionths.
  exponent += kFractionDigits;
  while (exponent < 0) {
    if (mantissa % 10 != 0) return std::nullopt;  // finer than a millionth
    mantissa /= 10;
    ++exponent;
  }
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (; exponent > 0 && mantissa != 0; --exponent) {
    if (mantissa > kLimit / 10) return std::nullopt;
    mantissa *= 10;
  }
  if (mantissa > kLimit) return std::nullopt;
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
