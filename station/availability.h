// ChangeAvailability (OCPP 1.6 sections 4.9, 5.2): Operative/Inoperative per
// connector, connector 0 meaning the station and every connector. A change
// that would end a running transaction is Scheduled for that connector and
// takes effect when the transaction has ended and no user action is needed
// (C8/D8/E8), else once the EV is unplugged (F8). Persisted, so a reboot or
// power cut keeps both the state and what is scheduled.
#pragma once

#include <optional>
#include <vector>

#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

class Availability {
 public:
  Availability(StationContext& context, Connectors& connectors, TransactionsView& transactions);

  // Applies what was scheduled before a reboot and is due now.
  void ApplyDue();
  void OnTransactionStopped(int connector, bool finishing);
  void OnPilot(int connector, hal::PilotState now);
  bool operative(int connector) const { return operative_.at(static_cast<std::size_t>(connector)); }

 private:
  v16::AvailabilityStatus Change(int connector, bool operative);
  void Set(int connector, bool operative);
  void Schedule(int connector, std::optional<bool> operative);
  // The station (connector 0) follows once no connector waits any more.
  void ApplyStationIfDue();

  StationContext& context_;
  Connectors& connectors_;
  TransactionsView& transactions_;
  std::vector<bool> operative_;                 // index = connector id, 0 = station
  std::vector<std::optional<bool>> scheduled_;  // ChangeAvailability Scheduled
};

}  // namespace ocpp::station
