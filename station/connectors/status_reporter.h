// StatusNotification for connector 0 (the station) and every connector
// (OCPP 1.6 sections 4.9, 9.1.17): each change of status or error (a warning
// too) is reported once, stamped with
// the time the status began, after MinimumStatusDuration when that is set;
// after a reboot every status is reported (errata 3.22); after a reconnect
// those that changed or whose report the central system never acknowledged.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "generated/ocpp16/types.h"
#include "station/context.h"

namespace ocpp::station {

struct ReportedStatus {
  v16::ChargePointStatus status = v16::ChargePointStatus::kAvailable;
  v16::ChargePointErrorCode error_code = v16::ChargePointErrorCode::kNoError;
  std::optional<std::string> info;

  friend bool operator==(const ReportedStatus& a, const ReportedStatus& b) {
    return a.status == b.status && a.error_code == b.error_code && a.info == b.info;
  }
  friend bool operator!=(const ReportedStatus& a, const ReportedStatus& b) { return !(a == b); }
};

class StatusReporter {
 public:
  using Display =
      std::function<void(int connector, v16::ChargePointStatus, v16::ChargePointErrorCode)>;

  // Connectors 0..connector_count. `display` sees every change at once.
  StatusReporter(StationContext& context, int connector_count, Display display);
  ~StatusReporter();

  // The status of `connector` is now `status` (reported if it changed).
  void Set(int connector, const ReportedStatus& status);
  v16::ChargePointStatus status(int connector) const;

  // After BootNotification Accepted (`boot`: every connector) or a
  // reconnect (what changed or was not acknowledged); `done` runs when each
  // of these reports was answered or failed (the transaction queue waits
  // for it: checklist 1.1 items 4 and 5).
  void ReportAll(bool boot, std::function<void()> done);
  // Tells the integrator the initial state (a display needs it).
  void ShowAll();
  // TriggerMessage(StatusNotification): the current status of `connector`
  // now, changed or not, stamped now (section 5.17: current information).
  void Resend(int connector);

 private:
  struct Entry {
    ReportedStatus current;
    codec::DateTime since;
    std::optional<ReportedStatus> sent;
    std::optional<ReportedStatus> acked;  // answered by the central system
    runtime::TimerId timer = 0;
  };
  void Report(int connector);
  void Send(int connector, codec::DateTime timestamp, std::function<void()> done = {});

  StationContext& context_;
  Display display_;
  std::vector<Entry> entries_;  // index = connector id
  std::uint64_t epoch_ = 0;     // counts ReportAll calls
};

}  // namespace ocpp::station
