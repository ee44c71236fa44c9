// Builders for charging profiles in tests and benchmarks.
#pragma once

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "station/smart_charging/types.h"

namespace ocpp::station::smart_charging {

// gtest prints periods readably.
inline std::ostream& operator<<(std::ostream& os, const CompositePeriod& p) {
  os << "{" << p.start_offset_s << "s, " << p.limit.ToString();
  if (p.number_phases) os << ", " << *p.number_phases << "ph";
  return os << "}";
}

namespace testing {

// 2026-01-01T12:00:00Z, a Thursday.
inline constexpr UnixSeconds kNoon = 1767268800;
inline constexpr UnixSeconds kMidnight = 1767225600;  // 2026-01-01T00:00:00Z

inline codec::Decimal Dec(double v) {
  return codec::Decimal::FromTenths(static_cast<std::int64_t>(std::llround(v * 10)));
}

class ProfileBuilder {
 public:
  ProfileBuilder(std::int32_t id, v16::ChargingProfilePurposeType purpose) {
    p_.profile.charging_profile_id = id;
    p_.profile.charging_profile_purpose = purpose;
    p_.connector_id = purpose == v16::ChargingProfilePurposeType::kChargePointMaxProfile ? 0 : 1;
    p_.profile.charging_profile_kind = v16::ChargingProfileKindType::kRelative;
    p_.profile.charging_schedule.charging_rate_unit = v16::ChargingRateUnitType::kA;
  }
  ProfileBuilder& Connector(std::int32_t c) {
    p_.connector_id = c;
    return *this;
  }
  ProfileBuilder& Stack(std::int32_t level) {
    p_.profile.stack_level = level;
    return *this;
  }
  ProfileBuilder& Absolute(UnixSeconds start) {
    p_.profile.charging_profile_kind = v16::ChargingProfileKindType::kAbsolute;
    p_.profile.charging_schedule.start_schedule = ToDateTime(start);
    return *this;
  }
  ProfileBuilder& Relative() {
    p_.profile.charging_profile_kind = v16::ChargingProfileKindType::kRelative;
    return *this;
  }
  ProfileBuilder& Daily(UnixSeconds start) {
    return Recurring(v16::RecurrencyKindType::kDaily, start);
  }
  ProfileBuilder& Weekly(UnixSeconds start) {
    return Recurring(v16::RecurrencyKindType::kWeekly, start);
  }
  ProfileBuilder& Duration(std::int32_t s) {
    p_.profile.charging_schedule.duration = s;
    return *this;
  }
  ProfileBuilder& Watts() {
    p_.profile.charging_schedule.charging_rate_unit = v16::ChargingRateUnitType::kW;
    return *this;
  }
  ProfileBuilder& Period(std::int32_t start, double limit,
                         std::optional<std::int32_t> phases = std::nullopt) {
    v16::ChargingSchedulePeriod period;
    period.start_period = start;
    period.limit = Dec(limit);
    period.number_phases = phases;
    p_.profile.charging_schedule.charging_schedule_period.push_back(period);
    return *this;
  }
  ProfileBuilder& ValidFrom(UnixSeconds t) {
    p_.profile.valid_from = ToDateTime(t);
    return *this;
  }
  ProfileBuilder& ValidTo(UnixSeconds t) {
    p_.profile.valid_to = ToDateTime(t);
    return *this;
  }
  ProfileBuilder& MinRate(double v) {
    p_.profile.charging_schedule.min_charging_rate = Dec(v);
    return *this;
  }
  ProfileBuilder& Transaction(std::int32_t id) {
    p_.profile.transaction_id = id;
    return *this;
  }
  InstalledProfile Build() const { return p_; }
  operator InstalledProfile() const { return p_; }  // NOLINT: builder

 private:
  ProfileBuilder& Recurring(v16::RecurrencyKindType kind, UnixSeconds start) {
    p_.profile.charging_profile_kind = v16::ChargingProfileKindType::kRecurring;
    p_.profile.recurrency_kind = kind;
    p_.profile.charging_schedule.start_schedule = ToDateTime(start);
    return *this;
  }
  InstalledProfile p_;
};

inline ProfileBuilder MaxProfile(std::int32_t id) {
  return ProfileBuilder(id, v16::ChargingProfilePurposeType::kChargePointMaxProfile);
}
inline ProfileBuilder TxDefault(std::int32_t id) {
  return ProfileBuilder(id, v16::ChargingProfilePurposeType::kTxDefaultProfile);
}
inline ProfileBuilder TxProfile(std::int32_t id) {
  return ProfileBuilder(id, v16::ChargingProfilePurposeType::kTxProfile);
}

// Expected periods: {offset, limit} with `phases` phases.
struct Expected {
  std::int32_t offset;
  double limit;
};
inline std::vector<CompositePeriod> Periods(std::initializer_list<Expected> list,
                                            std::int32_t phases = 3) {
  std::vector<CompositePeriod> out;
  for (const Expected& e : list) out.push_back(CompositePeriod{e.offset, Dec(e.limit), phases});
  return out;
}

}  // namespace testing
}  // namespace ocpp::station::smart_charging
