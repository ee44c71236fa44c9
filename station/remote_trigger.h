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
//  * Diagnostics and firmware report the state of the upload or update
//    under way, Idle when there is none.
//  * ExtendedTriggerMessage (security whitepaper F06) follows the same
//    rules, adds LogStatusNotification (GetLog's state) and
//    SignChargePointCertificate (a new key pair and CSR, when the station
//    has a credential store).
#pragma once

#include <functional>

#include "station/connectors/status_reporter.h"
#include "station/context.h"
#include "station/metering/metering.h"
#include "station/registration.h"

namespace ocpp::station {

class RemoteTrigger {
 public:
  // The current state of the firmware update and of the diagnostics upload
  // (Idle when those modules are absent).
  struct StatusSources {
    std::function<v16::FirmwareStatus()> firmware;
    std::function<v16::DiagnosticsStatus()> diagnostics;
    // ExtendedTriggerMessage(LogStatusNotification): sends the GetLog
    // upload's state; empty: NotImplemented.
    std::function<void()> send_log_status;
    // ExtendedTriggerMessage(SignChargePointCertificate): starts a CSR
    // after the answer; false: Rejected; empty: NotImplemented.
    std::function<bool()> sign_certificate;
  };

  RemoteTrigger(StationContext& context, int connector_count, Registration& registration,
                StatusReporter& reporter, Metering& metering, StatusSources sources = {});

 private:
  v16::TriggerMessageStatus Trigger(const v16::TriggerMessageReq& request);
  v16::TriggerMessageStatusEnumType ExtendedTrigger(const v16::ExtendedTriggerMessageReq& request);

  StationContext& context_;
  const int connector_count_;
  Registration& registration_;
  StatusReporter& reporter_;
  Metering& metering_;
  StatusSources sources_;
};

}  // namespace ocpp::station
