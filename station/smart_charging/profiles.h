// The pure decisions around the installed-profile set: is a
// SetChargingProfile.req (or a RemoteStartTransaction.req's profile)
// acceptable, how does installing one replace others, what does a
// ClearChargingProfile.req remove, and what goes when a transaction ends.
// Semantics and spec citations: docs/smart-charging.md.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "generated/ocpp16/clear_charging_profile.h"
#include "generated/ocpp16/set_charging_profile.h"
#include "generated/ocpp16/types.h"
#include "station/smart_charging/types.h"

namespace ocpp::station::smart_charging {

enum class Rejection : std::uint8_t {
  kNone,
  kUnknownConnector,            // connectorId < 0 or > NumberOfConnectors (errata 3.39: CALLERROR)
  kMaxProfileNotOnConnector0,   // ChargePointMaxProfile only at connector 0 (3.13.1)
  kTxProfileOnConnector0,       // TxProfile only at connectorId > 0 (3.13.1)
  kNoTransaction,               // TxProfile without a transaction there (3.13.1, TC_058_1)
  kWrongTransaction,            // transactionId is not the running one's (TC_058_2)
  kTransactionIdNotTxProfile,   // transactionId only with TxProfile (7.8)
  kNotTxProfile,                // RemoteStartTransaction needs TxProfile (5.16.2, TC_060)
  kTransactionIdInRemoteStart,  // ... and no transactionId (errata 3.41)
  kStackLevel,                  // < 0 or > ChargeProfileMaxStackLevel
  kRecurringWithoutStart,       // Recurring needs startSchedule
  kRecurringWithoutKind,        // Recurring needs recurrencyKind
  kValidity,                    // validTo not after validFrom
  kDuration,                    // negative duration
  kNoPeriods,
  kTooManyPeriods,       // > ChargingScheduleMaxPeriods
  kFirstPeriodNotZero,   // errata 3.45
  kPeriodsNotAscending,  // startPeriod strictly increasing (7.14)
  kNegativeLimit,
  kNumberPhases,     // numberPhases outside 1..3
  kUnitNotAllowed,   // ChargingScheduleAllowedChargingRateUnit
  kTooManyProfiles,  // MaxChargingProfilesInstalled
};
std::string_view ToString(Rejection reason);

struct Verdict {
  v16::ChargingProfileStatus status = v16::ChargingProfileStatus::kAccepted;
  Rejection reason = Rejection::kNone;
  // The station answers a CALLERROR PropertyConstraintViolation instead of
  // a SetChargingProfile.conf (errata 3.39: invalid connectorId).
  bool call_error = false;

  bool accepted() const { return status == v16::ChargingProfileStatus::kAccepted; }
};

// The rules of the profile alone (no transaction, no connector).
Verdict ValidateChargingProfile(const v16::ChargingProfile& profile,
                                const SmartChargingLimits& limits);

// SetChargingProfile.req: ValidateChargingProfile plus the purpose /
// connector / transaction rules. `transactions` are the running ones.
Verdict ValidateSetChargingProfile(const v16::SetChargingProfileReq& request,
                                   const SmartChargingLimits& limits, const StationFacts& facts,
                                   const std::vector<ActiveTransaction>& transactions);

// The chargingProfile of a RemoteStartTransaction.req (5.16.2).
Verdict ValidateRemoteStartProfile(const v16::ChargingProfile& profile,
                                   const SmartChargingLimits& limits);

struct InstallResult {
  Verdict verdict;
  std::vector<InstalledProfile> profiles;  // the new set (unchanged when rejected)
  std::vector<std::int64_t> replaced_ids;  // chargingProfileIds that were replaced
};

// Installs a validated profile: it replaces one with the same
// chargingProfileId, and one with the same purpose and stackLevel on the
// same connector (5.16.3, 5.16.4, 3.13.2); Rejected (kTooManyProfiles) when
// the set would then exceed MaxChargingProfilesInstalled. An Absolute profile
// without startSchedule gets `now` as its startSchedule.
InstallResult InstallProfile(const std::vector<InstalledProfile>& installed,
                             const InstalledProfile& incoming, const SmartChargingLimits& limits,
                             UnixSeconds now);

struct ClearResult {
  v16::ClearChargingProfileStatus status = v16::ClearChargingProfileStatus::kUnknown;
  std::vector<InstalledProfile> profiles;  // what remains
  std::vector<std::int64_t> cleared_ids;
};

// ClearChargingProfile.req (5.5, errata 3.25/3.26): no field clears all; an
// id clears that profile and ignores the other fields; otherwise every
// profile matching all given fields (logical AND). Accepted when something
// was cleared, Unknown otherwise.
bool MatchesClear(const InstalledProfile& profile, const v16::ClearChargingProfileReq& request);
ClearResult ClearProfiles(const std::vector<InstalledProfile>& installed,
                          const v16::ClearChargingProfileReq& request);

// A transaction ended on `connector_id`: its TxProfiles cease to be valid
// (7.10). Returns the remaining set.
std::vector<InstalledProfile> RemoveTxProfiles(const std::vector<InstalledProfile>& installed,
                                               std::int32_t connector_id);

}  // namespace ocpp::station::smart_charging
