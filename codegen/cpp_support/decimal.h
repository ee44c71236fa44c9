// Decimal: an exact decimal number for OCPP's "decimal" fields (charging
// limits and rates, schema "number" with multipleOf 0.1). Held as an integer
// count of millionths so that 16.1 stays 16.1 and multipleOf checks are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocpp::codec {

class Decimal {
 public:
  static constexpr int kFractionDigits = 6;
  static constexpr std::int64_t kScale = 1000000;

  constexpr Decimal() = default;
  static constexpr Decimal FromMillionths(std::int64_t millionths) { return Decimal(millionths); }
  static constexpr Decimal FromTenths(std::int64_t tenths) { return Decimal(tenths * 100000); }
  static constexpr Decimal FromInteger(std::int64_t value) { return Decimal(value * kScale); }

  // Exact parse of a JSON number literal ("-12", "16.1", "1.5e1"). nullopt
  // when the value needs more than 6 fraction digits or is out of range.
  static std::optional<Decimal> Parse(std::string_view literal);
  // Exact value of the shortest decimal literal that round-trips `value`,
  // i.e. the number as it was written in the JSON text.
  static std::optional<Decimal> FromDouble(double value);

  // True when this is an integer multiple of `step` (step > 0).
  bool IsMultipleOf(Decimal step) const { return step.v_ > 0 && v_ % step.v_ == 0; }

  // Shortest exact literal, e.g. "16.1", "-3", "0.000001".
  std::size_t Format(char* out) const;  // at most 28 chars + NUL
  std::string ToString() const;
  double ToDouble() const { return static_cast<double>(v_) / kScale; }
  constexpr std::int64_t millionths() const { return v_; }

  friend constexpr bool operator==(Decimal a, Decimal b) { return a.v_ == b.v_; }
  friend constexpr bool operator!=(Decimal a, Decimal b) { return a.v_ != b.v_; }
  friend constexpr bool operator<(Decimal a, Decimal b) { return a.v_ < b.v_; }

 private:
  constexpr explicit Decimal(std::int64_t v) : v_(v) {}
  std::int64_t v_ = 0;
};

}  // namespace ocpp::codec
