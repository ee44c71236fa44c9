#include "station/smart_charging/profiles.h"

#include <algorithm>

namespace ocpp::station::smart_charging {
namespace {

using v16::ChargingProfile;
using v16::ChargingProfileKindType;
using v16::ChargingProfilePurposeType;
using v16::ChargingProfileStatus;

Verdict Reject(Rejection reason) {
  return Verdict{ChargingProfileStatus::kRejected, reason, false};
}

}  // namespace

std::string_view ToString(Rejection reason) {
  switch (reason) {
    case Rejection::kNone:
      return "none";
    case Rejection::kUnknownConnector:
      return "unknown connectorId";
    case Rejection::kMaxProfileNotOnConnector0:
      return "ChargePointMaxProfile only on connector 0";
    case Rejection::kTxProfileOnConnector0:
      return "TxProfile not on connector 0";
    case Rejection::kNoTransaction:
      return "TxProfile without a transaction on the connector";
    case Rejection::kWrongTransaction:
      return "transactionId is not the running transaction";
    case Rejection::kTransactionIdNotTxProfile:
      return "transactionId only with TxProfile";
    case Rejection::kNotTxProfile:
      return "RemoteStartTransaction profile must be TxProfile";
    case Rejection::kTransactionIdInRemoteStart:
      return "RemoteStartTransaction profile has a transactionId";
    case Rejection::kStackLevel:
      return "stackLevel out of range";
    case Rejection::kRecurringWithoutStart:
      return "Recurring without startSchedule";
    case Rejection::kRecurringWithoutKind:
      return "Recurring without recurrencyKind";
    case Rejection::kValidity:
      return "validTo not after validFrom";
    case Rejection::kDuration:
      return "negative duration";
    case Rejection::kNoPeriods:
      return "no chargingSchedulePeriod";
    case Rejection::kTooManyPeriods:
      return "more periods than ChargingScheduleMaxPeriods";
    case Rejection::kFirstPeriodNotZero:
      return "first startPeriod is not 0";
    case Rejection::kPeriodsNotAscending:
      return "startPeriod not strictly increasing";
    case Rejection::kNegativeLimit:
      return "negative limit or minChargingRate";
    case Rejection::kNumberPhases:
      return "numberPhases not 1..3";
    case Rejection::kUnitNotAllowed:
      return "chargingRateUnit not allowed";
    case Rejection::kTooManyProfiles:
      return "MaxChargingProfilesInstalled reached";
  }
  return "?";
}

Verdict ValidateChargingProfile(const ChargingProfile& p, const SmartChargingLimits& limits) {
  if (p.stack_level < 0 || p.stack_level > limits.max_stack_level) {
    return Reject(Rejection::kStackLevel);
  }
  if (p.transaction_id && p.charging_profile_purpose != ChargingProfilePurposeType::kTxProfile) {
    return Reject(Rejection::kTransactionIdNotTxProfile);
  }
  const v16::ChargingSchedule& s = p.charging_schedule;
  if (p.charging_profile_kind == ChargingProfileKindType::kRecurring) {
    if (!s.start_schedule) return Reject(Rejection::kRecurringWithoutStart);
    if (!p.recurrency_kind) return Reject(Rejection::kRecurringWithoutKind);
  }
  // Lenient on purpose: recurrencyKind on a non-Recurring profile (errata
  // 3.56) and startSchedule on a Relative one are ignored, not rejected.
  if (p.valid_from && p.valid_to && !(*p.valid_from < *p.valid_to)) {
    return Reject(Rejection::kValidity);
  }
  if (s.duration && *s.duration < 0) return Reject(Rejection::kDuration);
  const bool unit_ok = s.charging_rate_unit == v16::ChargingRateUnitType::kA ? limits.allow_current
                                                                             : limits.allow_power;
  if (!unit_ok) return Reject(Rejection::kUnitNotAllowed);
  const auto& periods = s.charging_schedule_period;
  if (periods.empty()) return Reject(Rejection::kNoPeriods);
  if (static_cast<int>(periods.size()) > limits.max_periods) {
    return Reject(Rejection::kTooManyPeriods);
  }
  if (periods.front().start_period != 0) return Reject(Rejection::kFirstPeriodNotZero);
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (i > 0 && periods[i].start_period <= periods[i - 1].start_period) {
      return Reject(Rejection::kPeriodsNotAscending);
    }
    if (periods[i].limit < codec::Decimal()) return Reject(Rejection::kNegativeLimit);
    if (periods[i].number_phases &&
        (*periods[i].number_phases < 1 || *periods[i].number_phases > 3)) {
      return Reject(Rejection::kNumberPhases);
    }
  }
  if (s.min_charging_rate && *s.min_charging_rate < codec::Decimal()) {
    return Reject(Rejection::kNegativeLimit);
  }
  return Verdict{};
}

Verdict ValidateSetChargingProfile(const v16::SetChargingProfileReq& request,
                                   const SmartChargingLimits& limits, const StationFacts& facts,
                                   const std::vector<ActiveTransaction>& transactions) {
  const std::int32_t connector = request.connector_id;
  if (connector < 0 || connector > facts.number_of_connectors) {
    return Verdict{ChargingProfileStatus::kRejected, Rejection::kUnknownConnector, true};
  }
  const ChargingProfile& p = request.cs_charging_profiles;
  switch (p.charging_profile_purpose) {
    case ChargingProfilePurposeType::kChargePointMaxProfile:
      if (connector != 0) return Reject(Rejection::kMaxProfileNotOnConnector0);
      break;
    case ChargingProfilePurposeType::kTxDefaultProfile:
      break;
    case ChargingProfilePurposeType::kTxProfile: {
      if (connector == 0) return Reject(Rejection::kTxProfileOnConnector0);
      const auto tx =
          std::find_if(transactions.begin(), transactions.end(),
                       [&](const ActiveTransaction& t) { return t.connector_id == connector; });
      if (tx == transactions.end()) return Reject(Rejection::kNoTransaction);
      // A transactionId must name the running transaction; while its id is
      // not known yet (started offline) no id can match.
      if (p.transaction_id && tx->transaction_id != p.transaction_id) {
        return Reject(Rejection::kWrongTransaction);
      }
      break;
    }
  }
  return ValidateChargingProfile(p, limits);
}

Verdict ValidateRemoteStartProfile(const ChargingProfile& profile,
                                   const SmartChargingLimits& limits) {
  if (profile.charging_profile_purpose != ChargingProfilePurposeType::kTxProfile) {
    return Reject(Rejection::kNotTxProfile);
  }
  if (profile.transaction_id) return Reject(Rejection::kTransactionIdInRemoteStart);
  return ValidateChargingProfile(profile, limits);
}

InstallResult InstallProfile(const std::vector<InstalledProfile>& installed,
                             const InstalledProfile& incoming, const SmartChargingLimits& limits,
                             UnixSeconds now) {
  InstallResult result;
  const ChargingProfile& p = incoming.profile;
  for (const InstalledProfile& old : installed) {
    const bool same_id = old.profile.charging_profile_id == p.charging_profile_id;
    const bool same_slot = old.connector_id == incoming.connector_id &&
                           old.profile.charging_profile_purpose == p.charging_profile_purpose &&
                           old.profile.stack_level == p.stack_level;
    if (same_id || same_slot) {
      result.replaced_ids.push_back(old.profile.charging_profile_id);
    } else {
      result.profiles.push_back(old);
    }
  }
  if (static_cast<int>(result.profiles.size()) >= limits.max_installed) {
    return InstallResult{Reject(Rejection::kTooManyProfiles), installed, {}};
  }
  result.profiles.push_back(incoming);
  v16::ChargingSchedule& s = result.profiles.back().profile.charging_schedule;
  if (p.charging_profile_kind == ChargingProfileKindType::kAbsolute && !s.start_schedule) {
    s.start_schedule = ToDateTime(now);
  }
  return result;
}

bool MatchesClear(const InstalledProfile& ip, const v16::ClearChargingProfileReq& r) {
  if (r.id) return ip.profile.charging_profile_id == *r.id;
  return (!r.connector_id || ip.connector_id == *r.connector_id) &&
         (!r.charging_profile_purpose ||
          ip.profile.charging_profile_purpose == *r.charging_profile_purpose) &&
         (!r.stack_level || ip.profile.stack_level == *r.stack_level);
}

ClearResult ClearProfiles(const std::vector<InstalledProfile>& installed,
                          const v16::ClearChargingProfileReq& request) {
  ClearResult result;
  for (const InstalledProfile& ip : installed) {
    if (MatchesClear(ip, request)) {
      result.cleared_ids.push_back(ip.profile.charging_profile_id);
    } else {
      result.profiles.push_back(ip);
    }
  }
  result.status = result.cleared_ids.empty() ? v16::ClearChargingProfileStatus::kUnknown
                                             : v16::ClearChargingProfileStatus::kAccepted;
  return result;
}

std::vector<InstalledProfile> RemoveTxProfiles(const std::vector<InstalledProfile>& installed,
                                               std::int32_t connector_id) {
  std::vector<InstalledProfile> out;
  for (const InstalledProfile& ip : installed) {
    if (ip.connector_id == connector_id &&
        ip.profile.charging_profile_purpose == ChargingProfilePurposeType::kTxProfile) {
      continue;
    }
    out.push_back(ip);
  }
  return out;
}

}  // namespace ocpp::station::smart_charging
