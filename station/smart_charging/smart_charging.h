// The Smart Charging feature module (OCPP 1.6 sections 3.13, 5.5, 5.7,
// 5.16): SetChargingProfile, ClearChargingProfile, GetCompositeSchedule and
// the TxProfile of a RemoteStartTransaction; the installed profiles,
// persisted one key each so they survive Reset and power cuts; and the
// limits in force, which the connectors turn into the J1772 PWM offer.
//
// The decisions themselves are the pure functions of composite.h and
// profiles.h. This module owns the profile set and the one timer: it fires
// at the next instant any connector's limit changes (no polling), and every
// Connectors::Refresh() asks LimitsNow(), which re-arms it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/smart_charging/composite.h"
#include "station/smart_charging/profiles.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

class SmartCharging final : public CurrentLimitSource {
 public:
  // Loads the persisted profiles (dropping TxProfiles: no transaction
  // survives a reboot) and registers the handlers. Attach it with
  // Connectors::SetCurrentLimits.
  SmartCharging(StationContext& context, Connectors& connectors, TransactionsView& transactions);
  ~SmartCharging() override;
  SmartCharging(const SmartCharging&) = delete;
  SmartCharging& operator=(const SmartCharging&) = delete;

  // RemoteStartTransaction.req's chargingProfile: TxProfile only (5.16.2).
  bool AcceptsRemoteStartProfile(const v16::ChargingProfile& profile) const;
  // Transactions' events: a RemoteStart's profile is installed when its
  // transaction starts; the TxProfiles of a connector go when it ends.
  void OnTransactionStarted(int connector);
  void OnTransactionStopped(int connector);

  // CurrentLimitSource.
  std::vector<double> LimitsNow() override;

  const std::vector<smart_charging::InstalledProfile>& profiles() const { return profiles_; }
  const smart_charging::StationFacts& facts() const { return facts_; }

 private:
  void RegisterHandlers();
  void Load();
  smart_charging::SmartChargingLimits Limits() const;
  std::vector<smart_charging::ActiveTransaction> RunningTransactions() const;
  smart_charging::UnixSeconds NowSeconds() const;
  // Makes `next` the installed set: removes `removed` ids and writes
  // `added` in one atomic commit. False (nothing changed) if storage failed.
  bool Replace(std::vector<smart_charging::InstalledProfile> next,
               const std::vector<std::int64_t>& removed,
               const std::optional<smart_charging::InstalledProfile>& added);
  // The limits changed: the connectors re-evaluate after the answer is out.
  void RefreshAfterReply();
  void ArmTimer(smart_charging::UnixSeconds now,
                const std::vector<smart_charging::ActiveTransaction>& transactions);

  StationContext& context_;
  Connectors& connectors_;
  TransactionsView& transactions_;
  smart_charging::StationFacts facts_;
  std::vector<smart_charging::InstalledProfile> profiles_;
  runtime::TimerId timer_ = 0;
  std::optional<smart_charging::UnixSeconds> timer_due_;  // wall second it fires at
};

}  // namespace ocpp::station
