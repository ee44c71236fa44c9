// The composite charging schedule (OCPP 1.6 sections 3.13.2, 3.13.3, 5.7) as
// pure functions of (installed profiles, running transactions, station facts,
// connector, time). The station asks three questions:
//   * GetCompositeSchedule.req: ComputeCompositeSchedule + ToGetCompositeScheduleConf;
//   * what may the EV draw now (J1772 PWM): LimitAt / LimitAmpsAt;
//   * when does that change next (one timer, no polling): NextChangeAfter.
// All three come from the same evaluation, so they always agree.
// Semantics and spec citations: docs/smart-charging.md.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "generated/ocpp16/get_composite_schedule.h"
#include "generated/ocpp16/types.h"
#include "station/smart_charging/types.h"

namespace ocpp::station::smart_charging {

struct CompositeRequest {
  std::int32_t connector_id = 0;  // 0: what the station as a whole may draw
  UnixSeconds start = 0;          // time X of section 5.7: when the request arrived
  std::int32_t duration_s = 0;
  v16::ChargingRateUnitType unit = v16::ChargingRateUnitType::kA;
};

// nullopt when the request cannot be answered (unknown connector, negative
// duration): GetCompositeSchedule.conf Rejected (section 5.7).
std::optional<CompositeSchedule> ComputeCompositeSchedule(
    const std::vector<InstalledProfile>& profiles,
    const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
    const CompositeRequest& request);

// The limit in force at one instant, per phase.
struct LimitInForce {
  double amps = 0;  // 0 means: do not charge (limit 0 or below minChargingRate)
  int phases = 0;
};
LimitInForce LimitAt(const std::vector<InstalledProfile>& profiles,
                     const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
                     std::int32_t connector_id, UnixSeconds t);
double LimitAmpsAt(const std::vector<InstalledProfile>& profiles,
                   const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
                   std::int32_t connector_id, UnixSeconds t);

// The first instant after `t` at which LimitAt(...) differs from LimitAt(t),
// looking at most `horizon_s` ahead; nullopt when nothing changes before
// then (the caller re-asks at t + horizon_s, or when the profiles or
// transactions change). Exact: a timer at the returned second sees the new limit.
inline constexpr std::int32_t kDefaultChangeHorizonS = 400 * 86400;
std::optional<UnixSeconds> NextChangeAfter(const std::vector<InstalledProfile>& profiles,
                                           const std::vector<ActiveTransaction>& transactions,
                                           const StationFacts& facts, std::int32_t connector_id,
                                           UnixSeconds t,
                                           std::int32_t horizon_s = kDefaultChangeHorizonS);

// The composite as a ChargingSchedule: duration, unit, periods. Errata v4
// 3.57: startSchedule is omitted in GetCompositeSchedule.conf unless asked
// for (the top-level scheduleStart carries the start).
v16::ChargingSchedule ToChargingSchedule(const CompositeSchedule& schedule,
                                         bool with_start_schedule = false);
// Accepted with connectorId, scheduleStart and chargingSchedule; Rejected
// (no other field, errata 3.51) for nullopt.
v16::GetCompositeScheduleConf ToGetCompositeScheduleConf(
    const std::optional<CompositeSchedule>& schedule, bool with_start_schedule = false);

}  // namespace ocpp::station::smart_charging
