// Transactions and the sessions that lead to them (OCPP 1.6 sections 3.6,
// 4.1, 4.3, 4.8, 5.11, 5.12, 9.1), per connector:
//  * who may start where: an RFID tag presented to the one reader (it stops
//    the transaction it may stop, else it goes to the lowest-numbered
//    connector with an EV plugged in and no transaction, else to the next
//    connector plugged in within ConnectionTimeOut), RemoteStartTransaction
//    with or without connectorId, RemoteStopTransaction by id;
//  * StartTransaction / StopTransaction through the durable outbox, the open
//    transaction persisted per connector, power-loss recovery at boot (a
//    transaction whose StartTransaction never reached the outbox is
//    discarded, never stopped with -1), Finishing kept across reboots;
//  * StopTransactionOnEVSideDisconnect, StopTransactionOnInvalidId,
//    StopTransactionMaxMeterValues, AuthorizeRemoteTxRequests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "generated/ocpp16/registry.h"
#include "station/authorization/authorization.h"
#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/outbox.h"

namespace ocpp::station {

struct Transaction {
  int connector = 0;
  std::int64_t local_id = 0;
  std::string id_tag;
  std::optional<std::string> parent_id_tag;
  std::int64_t meter_start_wh = 0;
  codec::DateTime started;
  bool confirmed = false;                  // StartTransaction.conf Accepted
  bool suspended_evse = false;             // not Accepted and StopTransactionOnInvalidId false
  std::vector<v16::MeterValue> stop_data;  // transactionData for StopTransaction
  // The TxProfile of the RemoteStartTransaction that began it (section
  // 5.16.2); smart charging installs it when the transaction starts.
  std::optional<v16::ChargingProfile> charging_profile;
};

// Reservations as sessions see them (the Reservation profile, section 5.13).
class ReservationGate {
 public:
  virtual ~ReservationGate() = default;
  // May a session of `id_tag` (whose parent is `parent`, when known) use
  // `connector`? Sets `*reservation_id` when it uses it as the holder of a
  // reservation (its StartTransaction carries that id).
  virtual bool MayUse(int connector, const std::string& id_tag,
                      const std::optional<std::string>& parent,
                      std::optional<std::int64_t>* reservation_id) const = 0;
  // A transaction started for reservation `reservation_id`: it ends.
  virtual void Consume(std::int64_t reservation_id) = 0;
};

// What the other modules (availability, reset, metering) may ask and do.
class TransactionsView {
 public:
  virtual ~TransactionsView() = default;
  virtual const Transaction* Active(int connector) const = 0;
  // The central system's transactionId once StartTransaction.conf gave it.
  virtual std::optional<std::int64_t> CsmsTransactionId(int connector) const = 0;
  virtual bool finishing(int connector) const = 0;
  virtual void StopAll(v16::Reason reason) = 0;
  // An idTag waiting for the plug on `connector` is dropped (B1); the
  // caller refreshes the connectors.
  virtual void CancelAuthorization(int connector) = 0;
  // Meter values for StopTransaction.transactionData.
  virtual void AddStopData(int connector, const v16::MeterValue& value) = 0;
  // Persists the reading a power cut would stop the transaction with.
  virtual void PersistReading(int connector, std::optional<codec::DateTime> when) = 0;
  virtual std::int64_t ReadEnergyWh(int connector) = 0;
};

class Transactions final : public TransactionsView {
 public:
  struct Events {
    std::function<void(int connector)> on_started;
    // Before the StopTransaction is built, at `now` (final meter values).
    std::function<void(int connector, codec::DateTime now)> on_stopping;
    // After the stop; `finishing`: the user still has to unplug.
    std::function<void(int connector, bool finishing)> on_stopped;
  };

  Transactions(StationContext& context, Connectors& connectors, Authorization& authorization,
               Outbox& outbox);
  ~Transactions() override;
  void SetEvents(Events events) { events_ = std::move(events); }
  // Decides whether a RemoteStartTransaction.req's chargingProfile is
  // acceptable (smart charging); a refused one rejects the request. Without
  // a check the profile is ignored (no Smart Charging profile).
  void SetRemoteStartProfileCheck(std::function<bool(const v16::ChargingProfile&)> check) {
    remote_profile_check_ = std::move(check);
  }
  // Reservations decide who may use a reserved connector; null: none.
  void SetReservationGate(ReservationGate* gate) { reservations_ = gate; }

  // At boot: stops transactions a power cut interrupted (reason PowerLoss,
  // the last persisted reading) and restores Finishing.
  void Recover();

  // Hardware events, from Connectors.
  void OnPilot(int connector, hal::PilotState before, hal::PilotState now);
  void OnFault(int connector);
  void OnTag(const std::string& id_tag);

  // TransactionsView.
  const Transaction* Active(int connector) const override;
  std::optional<std::int64_t> CsmsTransactionId(int connector) const override;
  bool finishing(int connector) const override { return at(connector).finishing; }
  void StopAll(v16::Reason reason) override;
  void CancelAuthorization(int connector) override;
  void AddStopData(int connector, const v16::MeterValue& value) override;
  void PersistReading(int connector, std::optional<codec::DateTime> when) override;
  std::int64_t ReadEnergyWh(int connector) override;

 private:
  // An accepted idTag waiting for its transaction on a connector.
  struct Pending {
    std::string id_tag;
    std::optional<std::string> parent_id_tag;
    // Presented before any EV was plugged in: moves to whichever connector
    // is plugged in first (several connectors, one reader).
    bool floating = false;
    std::optional<v16::ChargingProfile> charging_profile;  // RemoteStart's
    std::optional<std::int64_t> reservation_id;            // set by BeginSession for a holder
  };
  struct Slot {
    std::optional<Transaction> tx;
    std::optional<Pending> pending;
    bool remote_authorizing = false;  // Authorize for a RemoteStart under way
    bool finishing = false;
    runtime::TimerId connection_timer = 0;
    runtime::TimerId persist_timer = 0;  // the reading, every 60 s
  };
  Slot& at(int connector) { return slots_.at(static_cast<std::size_t>(connector)); }
  const Slot& at(int connector) const { return slots_.at(static_cast<std::size_t>(connector)); }

  // sessions.cc: who starts where.
  void RegisterHandlers();
  // The connector a new session goes to: an EV plugged in first, else any
  // free one (`require_plugged` false); 0 if none. With `who`, only one its
  // tag may use (reservations).
  int FreeConnector(bool require_plugged, const Pending* who = nullptr) const;
  // Reservations allow `who` on `connector`; sets who's reservation id.
  bool ReservationAllows(int connector, Pending& who) const;
  bool RemoteStartAllowed(int connector) const;
  void AssignSession(const std::string& id_tag, std::optional<std::string> parent);
  void BeginSession(int connector, Pending pending);
  void DropAuthorization(int connector);
  void ArmConnectionTimeout(int connector);

  // transactions.cc: the transaction itself.
  void TryStart(int connector);
  void Stop(int connector, v16::Reason reason, std::optional<std::string> id_tag);
  void OnStartAccepted(std::int64_t local_id, const v16::StartTransactionConf& conf);
  void SetFinishing(int connector, bool finishing);
  void ArmPersistTimer(int connector);
  void RecoverConnector(int connector);
  // Pushes this module's facts to the connectors and refreshes them.
  void Publish();
  void PublishFacts();

  StationContext& context_;
  Connectors& connectors_;
  Authorization& authorization_;
  Outbox& outbox_;
  Events events_;
  std::function<bool(const v16::ChargingProfile&)> remote_profile_check_;
  ReservationGate* reservations_ = nullptr;
  std::vector<Slot> slots_;       // index = connector id; [0] unused
  bool authorizing_tag_ = false;  // an RFID tag is being authorized: one at a time
};

}  // namespace ocpp::station
