// libFuzzer target: charging profiles from the central system through the
// whole smart-charging path. The input is a JSON array of
// SetChargingProfile.req payloads; each is decoded (leniently, as the
// station does), validated against the product's limits and installed; then
// composite schedules (A and W, connectors 0..2, windows from 0 s to a
// week), LimitAt and NextChangeAfter are computed at instants spread over
// the schedules. Properties: nothing crashes or trips a sanitizer (no
// integer overflow in the time arithmetic), periods start at 0, ascend and
// stay inside the window, limits are never negative, NextChangeAfter lies
// ahead, and the installed set never exceeds MaxChargingProfilesInstalled.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/cpp_support/message_codec.h"
#include "station/smart_charging/composite.h"
#include "station/smart_charging/profiles.h"

namespace {

using namespace ocpp::station::smart_charging;

constexpr UnixSeconds kNow = 1767268800;  // 2026-01-01T12:00:00Z

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckComposite(const std::vector<InstalledProfile>& profiles,
                    const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
                    const CompositeRequest& request) {
  const auto schedule = ComputeCompositeSchedule(profiles, transactions, facts, request);
  if (!schedule) return;
  Check(!schedule->periods.empty() && schedule->periods.front().start_offset_s == 0);
  for (std::size_t i = 0; i < schedule->periods.size(); ++i) {
    const CompositePeriod& p = schedule->periods[i];
    Check(p.limit.ToDouble() >= 0);
    Check(p.start_offset_s <= std::max(0, request.duration_s));
    if (i > 0) Check(p.start_offset_s > schedule->periods[i - 1].start_offset_s);
  }
  (void)ToGetCompositeScheduleConf(schedule);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) return 0;

  StationFacts facts;
  facts.number_of_connectors = 2;
  facts.phases = (size % 2) ? 1 : 3;
  SmartChargingLimits limits;
  const std::vector<ActiveTransaction> transactions = {{1, 501, kNow - 600},
                                                       {2, std::nullopt, kNow}};
  std::vector<InstalledProfile> installed;
  for (const auto& item : doc.GetArray()) {
    ocpp::v16::SetChargingProfileReq req;
    ocpp::codec::DecodeOptions lenient;
    lenient.lenient_unknown_properties = true;
    lenient.accept_integral_numbers = true;
    if (ocpp::codec::DecodePayload(item, req, lenient)) continue;
    const Verdict verdict = ValidateSetChargingProfile(req, limits, facts, transactions);
    (void)ValidateRemoteStartProfile(req.cs_charging_profiles, limits);
    if (!verdict.accepted()) continue;
    InstallResult result =
        InstallProfile(installed, {req.connector_id, req.cs_charging_profiles}, limits, kNow);
    if (result.verdict.accepted()) installed = std::move(result.profiles);
    Check(static_cast<int>(installed.size()) <= limits.max_installed);
  }
  for (std::int32_t connector = 0; connector <= 2; ++connector) {
    for (std::int32_t duration : {0, 1, 3600, 86400, 7 * 86400}) {
      for (auto unit : {ocpp::v16::ChargingRateUnitType::kA, ocpp::v16::ChargingRateUnitType::kW}) {
        CheckComposite(installed, transactions, facts, {connector, kNow, duration, unit});
      }
    }
    for (UnixSeconds t : {kNow - 86400, kNow, kNow + 59, kNow + 3600, kNow + 8 * 86400}) {
      const LimitInForce limit = LimitAt(installed, transactions, facts, connector, t);
      Check(limit.amps >= 0);
      const auto next = NextChangeAfter(installed, transactions, facts, connector, t, 86400);
      Check(!next || *next > t);
    }
  }
  ocpp::v16::ClearChargingProfileReq clear_all;
  Check(ClearProfiles(installed, clear_all).profiles.empty());
  (void)RemoveTxProfiles(installed, 1);
  return 0;
}
