// Value types shared by the smart-charging decisions (OCPP 1.6 section 3.13):
// the station facts the composite schedule needs, an installed profile, the
// running transactions, and the composite schedule itself. Every time is UTC
// unix seconds; see docs/smart-charging.md for the semantics.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "codegen/cpp_support/date_time.h"
#include "codegen/cpp_support/decimal.h"
#include "generated/ocpp16/types.h"

namespace ocpp::station::smart_charging {

// Seconds since the Unix epoch, UTC. Profiles' dateTimes are floored to
// whole seconds (the product sends no milliseconds either).
using UnixSeconds = std::int64_t;

UnixSeconds ToUnixSeconds(codec::DateTime t);
codec::DateTime ToDateTime(UnixSeconds t);

// What the station knows about its own supply; fixed for a product.
struct StationFacts {
  // The set voltage of the area (230 or 110 V), never a measured one
  // (section 7.12, errata 3.68): W -> A is W / (nominal_voltage * phases).
  double nominal_voltage = 230.0;
  // Phases the station is wired for (1 or 3). A period without numberPhases
  // uses this (the spec's default of 3 when the station does not know);
  // more phases than this are capped to it (errata 3.34).
  int phases = 3;
  // The local limit per phase of one connector (cable, relay, breaker), in A.
  // With no profile in force the composite is this (OCTT TC_067 step 12).
  double connector_max_current = 32.0;
  // Connectors 1..number_of_connectors exist; 0 is the station.
  int number_of_connectors = 1;
};

// The smart-charging configuration keys (section 9.4), product values.
struct SmartChargingLimits {
  int max_stack_level = 10;   // ChargeProfileMaxStackLevel
  int max_periods = 48;       // ChargingScheduleMaxPeriods
  int max_installed = 32;     // MaxChargingProfilesInstalled
  bool allow_current = true;  // ChargingScheduleAllowedChargingRateUnit has Current
  bool allow_power = true;    // ... has Power
};

// A profile as installed by SetChargingProfile.req (or RemoteStart).
struct InstalledProfile {
  std::int32_t connector_id = 0;
  v16::ChargingProfile profile;
};
bool operator==(const InstalledProfile& a, const InstalledProfile& b);

// A transaction running on a connector. `transaction_id` is empty until
// StartTransaction.conf gave one (a transaction started offline).
struct ActiveTransaction {
  std::int32_t connector_id = 1;
  std::optional<std::int64_t> transaction_id;
  UnixSeconds start = 0;  // Relative profiles count from here
};

// One period of a composite schedule.
struct CompositePeriod {
  std::int32_t start_offset_s = 0;  // from CompositeSchedule::start
  codec::Decimal limit;             // in CompositeSchedule::unit, one decimal, rounded down
  std::optional<std::int32_t> number_phases;
};
bool operator==(const CompositePeriod& a, const CompositePeriod& b);

struct CompositeSchedule {
  std::int32_t connector_id = 0;
  UnixSeconds start = 0;
  std::int32_t duration_s = 0;
  v16::ChargingRateUnitType unit = v16::ChargingRateUnitType::kA;
  // Sorted by start_offset_s, the first at 0, adjacent periods differ.
  std::vector<CompositePeriod> periods;
};

}  // namespace ocpp::station::smart_charging
