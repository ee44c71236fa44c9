// Reset (OCPP 1.6 section 5.14): Soft and Hard stop every transaction (reason
// SoftReset / HardReset), give the queued StopTransactions a chance to be
// delivered (reset_grace), then ask the hardware to reboot; a reboot that
// does not happen within reboot_timeout is retried ResetRetries times.
#pragma once

#include <memory>

#include "hal/system_info.h"
#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/outbox.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

class Reset {
 public:
  struct Timing {
    base::Milliseconds grace{10000};
    base::Milliseconds reboot_timeout{60000};
  };

  Reset(StationContext& context, Connectors& connectors, TransactionsView& transactions,
        Outbox& outbox, hal::SystemControl& system_control, Timing timing);
  ~Reset();

 private:
  void Begin(v16::ResetType type);
  void WaitForQueue(v16::ResetType type, base::SteadyTime deadline);
  void RequestReboot(v16::ResetType type, int retries_left);

  StationContext& context_;
  Connectors& connectors_;
  TransactionsView& transactions_;
  Outbox& outbox_;
  hal::SystemControl& system_control_;
  Timing timing_;
  runtime::TimerId timer_ = 0;
};

}  // namespace ocpp::station
