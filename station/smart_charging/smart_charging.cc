#include "station/smart_charging/smart_charging.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "codegen/cpp_support/message_codec.h"

namespace ocpp::station {

using runtime::CallError;
using runtime::HandlerResult;
using smart_charging::ActiveTransaction;
using smart_charging::InstalledProfile;
using smart_charging::UnixSeconds;

namespace {

// One key per profile, by chargingProfileId (unique among installed ones).
constexpr std::string_view kProfilePrefix = "station/charging_profile/";
// With profiles but no change in sight the timer still looks again daily.
constexpr std::int32_t kTimerHorizonS = 86400;

std::string ProfileKey(std::int64_t id) { return std::string(kProfilePrefix) + std::to_string(id); }

// Stored as the SetChargingProfile.req that installs it.
std::string Serialize(const InstalledProfile& installed) {
  return codec::EncodeJson(v16::SetChargingProfileReq{installed.connector_id, installed.profile});
}

}  // namespace

SmartCharging::SmartCharging(StationContext& context, Connectors& connectors,
                             TransactionsView& transactions)
    : context_(context), connectors_(connectors), transactions_(transactions) {
  facts_.number_of_connectors = connectors_.count();
  facts_.nominal_voltage = connectors_.supply().nominal_voltage_v;
  facts_.phases = connectors_.supply().phases;
  double rating = 0;
  for (int c = 1; c <= connectors_.count(); ++c) {
    rating = std::max(rating, static_cast<double>(connectors_.max_current_amps(c)));
  }
  facts_.connector_max_current = rating;
  Load();
  RegisterHandlers();
}

SmartCharging::~SmartCharging() { context_.CancelTimer(&timer_); }

void SmartCharging::Load() {
  auto stored = context_.store().List(kProfilePrefix);
  if (!stored.ok()) {
    context_.Log("cannot read the charging profiles: " + stored.status().message(),
                 LogLevel::kError);
    return;
  }
  std::vector<hal::KeyValueStore::Write> drop;
  for (const auto& [key, value] : *stored) {
    v16::SetChargingProfileReq record;
    const bool readable = !codec::DecodeJson(value, record).has_value();
    // No transaction survives a reboot, so neither do TxProfiles (7.10).
    const bool keep = readable && record.cs_charging_profiles.charging_profile_purpose !=
                                      v16::ChargingProfilePurposeType::kTxProfile;
    if (!readable) context_.Log("discarding an unreadable charging profile", LogLevel::kError);
    if (!keep) {
      drop.push_back({key, std::nullopt});
      continue;
    }
    profiles_.push_back(InstalledProfile{record.connector_id, record.cs_charging_profiles});
  }
  if (!drop.empty()) (void)context_.store().Commit(drop);
}

smart_charging::SmartChargingLimits SmartCharging::Limits() const {
  smart_charging::SmartChargingLimits limits;
  const Configuration& config = context_.config();
  limits.max_stack_level = static_cast<int>(config.Get(keys::kChargeProfileMaxStackLevel));
  limits.max_periods = static_cast<int>(config.Get(keys::kChargingScheduleMaxPeriods));
  limits.max_installed = static_cast<int>(config.Get(keys::kMaxChargingProfilesInstalled));
  const std::vector<std::string> units = config.Get(keys::kChargingScheduleAllowedChargingRateUnit);
  limits.allow_current = std::find(units.begin(), units.end(), "Current") != units.end();
  limits.allow_power = std::find(units.begin(), units.end(), "Power") != units.end();
  return limits;
}

std::vector<ActiveTransaction> SmartCharging::RunningTransactions() const {
  std::vector<ActiveTransaction> running;
  for (int c = 1; c <= connectors_.count(); ++c) {
    const Transaction* tx = transactions_.Active(c);
    if (tx == nullptr) continue;
    running.push_back(ActiveTransaction{c, transactions_.CsmsTransactionId(c),
                                        smart_charging::ToUnixSeconds(tx->started)});
  }
  return running;
}

UnixSeconds SmartCharging::NowSeconds() const {
  const std::int64_t ms = context_.Now().unix_millis();
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

bool SmartCharging::AcceptsRemoteStartProfile(const v16::ChargingProfile& profile) const {
  const smart_charging::Verdict verdict =
      smart_charging::ValidateRemoteStartProfile(profile, Limits());
  if (!verdict.accepted()) {
    context_.Log("RemoteStartTransaction chargingProfile: " +
                 std::string(smart_charging::ToString(verdict.reason)));
  }
  return verdict.accepted();
}

void SmartCharging::RegisterHandlers() {
  runtime::RpcEndpoint& rpc = context_.rpc();
  rpc.Handle<v16::Action::kSetChargingProfile>(
      [this](const v16::SetChargingProfileReq& req) -> HandlerResult<v16::SetChargingProfileConf> {
        const smart_charging::Verdict verdict = smart_charging::ValidateSetChargingProfile(
            req, Limits(), facts_, RunningTransactions());
        const std::string reason(smart_charging::ToString(verdict.reason));
        if (verdict.call_error) {
          return CallError{codec::RpcErrorCode::kPropertyConstraintViolation, reason};
        }
        if (!verdict.accepted()) {
          context_.Log("SetChargingProfile rejected: " + reason);
          return v16::SetChargingProfileConf{verdict.status};
        }
        const InstalledProfile incoming{req.connector_id, req.cs_charging_profiles};
        smart_charging::InstallResult result =
            smart_charging::InstallProfile(profiles_, incoming, Limits(), NowSeconds());
        if (!result.verdict.accepted()) {
          context_.Log("SetChargingProfile rejected: " +
                       std::string(smart_charging::ToString(result.verdict.reason)));
          return v16::SetChargingProfileConf{result.verdict.status};
        }
        // The installed form: InstallProfile may have set startSchedule.
        std::optional<InstalledProfile> added;
        for (const InstalledProfile& p : result.profiles) {
          if (p.profile.charging_profile_id == incoming.profile.charging_profile_id) added = p;
        }
        if (!Replace(std::move(result.profiles), result.replaced_ids, added)) {
          return v16::SetChargingProfileConf{v16::ChargingProfileStatus::kRejected};
        }
        RefreshAfterReply();
        return v16::SetChargingProfileConf{v16::ChargingProfileStatus::kAccepted};
      });

  rpc.Handle<v16::Action::kClearChargingProfile>(
      [this](
          const v16::ClearChargingProfileReq& req) -> HandlerResult<v16::ClearChargingProfileConf> {
        smart_charging::ClearResult result = smart_charging::ClearProfiles(profiles_, req);
        if (result.cleared_ids.empty()) return v16::ClearChargingProfileConf{result.status};
        if (!Replace(std::move(result.profiles), result.cleared_ids, std::nullopt)) {
          return v16::ClearChargingProfileConf{v16::ClearChargingProfileStatus::kUnknown};
        }
        RefreshAfterReply();
        return v16::ClearChargingProfileConf{result.status};
      });

  rpc.Handle<v16::Action::kGetCompositeSchedule>(
      [this](
          const v16::GetCompositeScheduleReq& req) -> HandlerResult<v16::GetCompositeScheduleConf> {
        smart_charging::CompositeRequest request;
        request.connector_id = req.connector_id;
        request.start = NowSeconds();
        request.duration_s = req.duration;
        request.unit = req.charging_rate_unit.value_or(v16::ChargingRateUnitType::kA);
        return smart_charging::ToGetCompositeScheduleConf(smart_charging::ComputeCompositeSchedule(
            profiles_, RunningTransactions(), facts_, request));
      });
}

bool SmartCharging::Replace(std::vector<InstalledProfile> next,
                            const std::vector<std::int64_t>& removed,
                            const std::optional<InstalledProfile>& added) {
  std::vector<hal::KeyValueStore::Write> writes;
  for (std::int64_t id : removed) {
    if (added && added->profile.charging_profile_id == id) continue;  // overwritten below
    writes.push_back({ProfileKey(id), std::nullopt});
  }
  if (added) writes.push_back({ProfileKey(added->profile.charging_profile_id), Serialize(*added)});
  if (!writes.empty()) {
    const base::Status status = context_.store().Commit(writes);
    if (!status.ok()) {
      context_.Log("cannot persist the charging profiles: " + status.message(), LogLevel::kError);
      return false;
    }
  }
  profiles_ = std::move(next);
  return true;
}

void SmartCharging::RefreshAfterReply() {
  context_.PostAfterReply([this] { connectors_.Refresh(); });
}

void SmartCharging::OnTransactionStarted(int connector) {
  const Transaction* tx = transactions_.Active(connector);
  if (tx == nullptr || !tx->charging_profile) return;
  const InstalledProfile incoming{connector, *tx->charging_profile};
  smart_charging::InstallResult result =
      smart_charging::InstallProfile(profiles_, incoming, Limits(), NowSeconds());
  if (!result.verdict.accepted()) {
    context_.Log("RemoteStartTransaction chargingProfile not installed: " +
                     std::string(smart_charging::ToString(result.verdict.reason)),
                 LogLevel::kWarning);
    return;
  }
  std::optional<InstalledProfile> added;
  for (const InstalledProfile& p : result.profiles) {
    if (p.profile.charging_profile_id == incoming.profile.charging_profile_id) added = p;
  }
  Replace(std::move(result.profiles), result.replaced_ids, added);
}

void SmartCharging::OnTransactionStopped(int connector) {
  std::vector<InstalledProfile> remaining = smart_charging::RemoveTxProfiles(profiles_, connector);
  if (remaining.size() == profiles_.size()) return;
  std::vector<std::int64_t> removed;
  for (const InstalledProfile& p : profiles_) {
    const bool kept =
        std::any_of(remaining.begin(), remaining.end(), [&p](const InstalledProfile& r) {
          return r.profile.charging_profile_id == p.profile.charging_profile_id;
        });
    if (!kept) removed.push_back(p.profile.charging_profile_id);
  }
  if (!Replace(std::move(remaining), removed, std::nullopt)) {
    // Not durable, but a TxProfile never outlives its transaction: it is
    // dropped from memory now and from storage at the next start.
    profiles_ = smart_charging::RemoveTxProfiles(profiles_, connector);
  }
}

std::vector<double> SmartCharging::LimitsNow() {
  const UnixSeconds now = NowSeconds();
  const std::vector<ActiveTransaction> running = RunningTransactions();
  std::vector<double> limits(static_cast<std::size_t>(connectors_.count()) + 1);
  for (int c = 0; c <= connectors_.count(); ++c) {
    limits[static_cast<std::size_t>(c)] =
        smart_charging::LimitAmpsAt(profiles_, running, facts_, c, now);
  }
  ArmTimer(now, running);
  return limits;
}

void SmartCharging::ArmTimer(UnixSeconds now, const std::vector<ActiveTransaction>& running) {
  std::optional<UnixSeconds> next;
  if (!profiles_.empty()) {
    for (int c = 0; c <= connectors_.count(); ++c) {
      const auto change =
          smart_charging::NextChangeAfter(profiles_, running, facts_, c, now, kTimerHorizonS);
      if (change && (!next || *change < *next)) next = change;
    }
    if (!next) next = now + kTimerHorizonS;
  }
  if (next == timer_due_ && (timer_ != 0 || !next)) return;
  context_.CancelTimer(&timer_);
  timer_due_ = next;
  if (!next) return;
  // To the wall-clock second of the change; a timer that fires a little
  // early finds the same change still ahead and waits the rest.
  const std::int64_t delay_ms =
      std::max<std::int64_t>(1, *next * 1000 - context_.Now().unix_millis());
  timer_ = context_.AddTimer(base::Milliseconds(delay_ms), [this] {
    timer_ = 0;
    timer_due_.reset();
    connectors_.Refresh();  // asks LimitsNow(), which arms the next one
  });
}

}  // namespace ocpp::station
