// DateTime: an OCPP dateTime (RFC 3339 / JSON Schema "date-time") held as
// milliseconds since the Unix epoch, UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocpp::codec {

class DateTime {
 public:
  constexpr DateTime() = default;
  static constexpr DateTime FromUnixMillis(std::int64_t ms) { return DateTime(ms); }
  static DateTime FromSystemTime(std::chrono::system_clock::time_point t) {
    return DateTime(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  }

  // Accepts RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`,
  // 'T'/'Z' in either case. Fractions beyond milliseconds are truncated.
  // nullopt for anything else, including impossible dates (2026-02-30).
  static std::optional<DateTime> Parse(std::string_view text);

  enum class Precision { kSeconds, kMilliseconds };
  // Always UTC with a `Z`; whole seconds by default (the product sends no
  // milliseconds), e.g. 2026-01-01T12:00:00Z. Writes at most 24 chars + NUL.
  std::size_t Format(char* out, Precision precision = Precision::kSeconds) const;
  std::string ToString(Precision precision = Precision::kSeconds) const;

  constexpr std::int64_t unix_millis() const { return ms_; }
  std::chrono::system_clock::time_point ToSystemTime() const {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_));
  }

  friend constexpr bool operator==(DateTime a, DateTime b) { return a.ms_ == b.ms_; }
  friend constexpr bool operator!=(DateTime a, DateTime b) { return a.ms_ != b.ms_; }
  friend constexpr bool operator<(DateTime a, DateTime b) { return a.ms_ < b.ms_; }

 private:
  constexpr explicit DateTime(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 0;
};

}  // namespace ocpp::codec
