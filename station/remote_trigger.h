// The Remote Trigger profile (OCPP 1.6 section 5.17, errata 3.40):
// TriggerMessage makes the station send BootNotification, Heartbeat,
// StatusNotification, MeterValues, DiagnosticsStatusNotification or
// FirmwareStatusNotification now, after the TriggerMessage.conf.
//
//  * connectorId is used where it matters (StatusNotification: 0..N,
//    MeterValues: 1..N; absent means every one of them, one the station does
//    not have is Rejected) and ignored elsewhere.
//  * Until the central system accepted the station only BootNotification
//    can be sent (section 4.2): other triggers are Rejected.
//  * Diagnostics and firmware report Idle: nothing is being uploaded or
//    installed until the Firmware Management profile exists.
#pragma once

#include "station/connectors/status_reporter.h"
#include "station/context.h"
#include "station/metering/metering.h"
#include "station/registration.h"

namespace ocpp::station {

class RemoteTrigger {
 public:
  RemoteTrigger(StationContext& context, int connector_count, Registration& registration,
                StatusReporter& reporter, Metering& metering);

 private:
  v16::TriggerMessageStatus Trigger(const v16::TriggerMessageReq& request);

  StationContext& context_;
  const int connector_count_;
  Registration& registration_;
  StatusReporter& reporter_;
  Metering& metering_;
};

}  // namespace ocpp::station
