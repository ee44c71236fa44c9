#include "station/remote_trigger.h"

namespace ocpp::station {

using v16::MessageTrigger;
using v16::TriggerMessageStatus;

RemoteTrigger::RemoteTrigger(StationContext& context, int connector_count,
                             Registration& registration, StatusReporter& reporter,
                             Metering& metering, StatusSources sources)
    : context_(context),
      connector_count_(connector_count),
      registration_(registration),
      reporter_(reporter),
      metering_(metering),
      sources_(std::move(sources)) {
  context_.rpc().Handle<v16::Action::kTriggerMessage>(
      [this](const v16::TriggerMessageReq& req) -> runtime::HandlerResult<v16::TriggerMessageConf> {
        return v16::TriggerMessageConf{Trigger(req)};
      });
  context_.rpc().Handle<v16::Action::kExtendedTriggerMessage>(
      [this](const v16::ExtendedTriggerMessageReq& req)
          -> runtime::HandlerResult<v16::ExtendedTriggerMessageConf> {
        return v16::ExtendedTriggerMessageConf{ExtendedTrigger(req)};
      });
}

v16::TriggerMessageStatusEnumType RemoteTrigger::ExtendedTrigger(
    const v16::ExtendedTriggerMessageReq& req) {
  using E = v16::MessageTriggerEnumType;
  using S = v16::TriggerMessageStatusEnumType;
  auto as_status = [](TriggerMessageStatus status) {
    return status == TriggerMessageStatus::kAccepted   ? S::kAccepted
           : status == TriggerMessageStatus::kRejected ? S::kRejected
                                                       : S::kNotImplemented;
  };
  std::optional<MessageTrigger> same;
  switch (req.requested_message) {
    case E::kBootNotification:
      same = MessageTrigger::kBootNotification;
      break;
    case E::kFirmwareStatusNotification:
      same = MessageTrigger::kFirmwareStatusNotification;
      break;
    case E::kHeartbeat:
      same = MessageTrigger::kHeartbeat;
      break;
    case E::kMeterValues:
      same = MessageTrigger::kMeterValues;
      break;
    case E::kStatusNotification:
      same = MessageTrigger::kStatusNotification;
      break;
    case E::kLogStatusNotification:
      if (!sources_.send_log_status) return S::kNotImplemented;
      if (context_.registration() != RegistrationState::kAccepted) return S::kRejected;
      context_.PostAfterReply([this] { sources_.send_log_status(); });
      return S::kAccepted;
    case E::kSignChargePointCertificate:
      if (!sources_.sign_certificate) return S::kNotImplemented;
      if (context_.registration() != RegistrationState::kAccepted) return S::kRejected;
      return sources_.sign_certificate() ? S::kAccepted : S::kRejected;
  }
  return as_status(Trigger(v16::TriggerMessageReq{*same, req.connector_id}));
}

TriggerMessageStatus RemoteTrigger::Trigger(const v16::TriggerMessageReq& req) {
  const std::optional<std::int32_t> connector = req.connector_id;
  const bool per_connector = req.requested_message == MessageTrigger::kStatusNotification ||
                             req.requested_message == MessageTrigger::kMeterValues;
  // Elsewhere the connectorId "is not relevant ... it should be ignored".
  if (per_connector && connector && (*connector < 0 || *connector > connector_count_)) {
    return TriggerMessageStatus::kRejected;
  }
  const bool accepted = context_.registration() == RegistrationState::kAccepted;
  if (!accepted && req.requested_message != MessageTrigger::kBootNotification) {
    return TriggerMessageStatus::kRejected;  // nothing else may be sent yet (4.2)
  }
  // Each message goes after the TriggerMessage.conf (section 5.17).
  switch (req.requested_message) {
    case MessageTrigger::kBootNotification:
      context_.PostAfterReply([this] { registration_.TriggerBootNotification(); });
      break;
    case MessageTrigger::kHeartbeat:
      context_.PostAfterReply([this] { registration_.TriggerHeartbeat(); });
      break;
    case MessageTrigger::kStatusNotification: {
      const int first = connector.value_or(0);
      const int last = connector.value_or(connector_count_);
      context_.PostAfterReply([this, first, last] {
        for (int c = first; c <= last; ++c) reporter_.Resend(c);
      });
      break;
    }
    case MessageTrigger::kMeterValues: {
      // Connector 0 would be a main meter, which this station does not have.
      if (connector == 0) return TriggerMessageStatus::kRejected;
      const int first = connector.value_or(1);
      const int last = connector.value_or(connector_count_);
      context_.PostAfterReply([this, first, last] {
        for (int c = first; c <= last; ++c) metering_.SendTriggered(c);
      });
      break;
    }
    case MessageTrigger::kDiagnosticsStatusNotification:
      context_.PostAfterReply([this] {
        const v16::DiagnosticsStatus status =
            sources_.diagnostics ? sources_.diagnostics() : v16::DiagnosticsStatus::kIdle;
        context_.rpc().Call(v16::DiagnosticsStatusNotificationReq{status},
                            [](runtime::CallOutcome<v16::DiagnosticsStatusNotificationConf>) {});
      });
      break;
    case MessageTrigger::kFirmwareStatusNotification:
      context_.PostAfterReply([this] {
        const v16::FirmwareStatus status =
            sources_.firmware ? sources_.firmware() : v16::FirmwareStatus::kIdle;
        context_.rpc().Call(v16::FirmwareStatusNotificationReq{status},
                            [](runtime::CallOutcome<v16::FirmwareStatusNotificationConf>) {});
      });
      break;
  }
  return TriggerMessageStatus::kAccepted;
}

}  // namespace ocpp::station
