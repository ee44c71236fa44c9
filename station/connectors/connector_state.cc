#include "station/connectors/connector_state.h"

namespace ocpp::station {

using v16::ChargePointStatus;

bool IsWarning(hal::Fault fault) {
  return fault == hal::Fault::kNoError || fault == hal::Fault::kEVCommunicationError ||
         fault == hal::Fault::kWeakSignal || fault == hal::Fault::kLocalListConflict;
}

ChargePointStatus ConnectorStatus(const ConnectorInputs& in) {
  if (!IsWarning(in.fault) || in.pilot == hal::PilotState::kE || in.pilot == hal::PilotState::kF) {
    return ChargePointStatus::kFaulted;
  }
  if (in.transaction) {
    // SuspendedEVSE takes precedence when both sides suspend (section 4.9).
    // The limit in force offering nothing suspends too (section 4.9: "e.g.
    // due to a smart charging restriction").
    if (in.suspended_evse || !in.connector_operative || in.limit_below_minimum) {
      return ChargePointStatus::kSuspendedEVSE;
    }
    return hal::VehicleRequestsEnergy(in.pilot) ? ChargePointStatus::kCharging
                                                : ChargePointStatus::kSuspendedEV;
  }
  // A ChangeAvailability of connector 0 sets every connector too, so a
  // connector's own flag decides (a later change of just this connector
  // takes effect: it is not held back by connector 0's).
  if (!in.connector_operative) return ChargePointStatus::kUnavailable;
  if (in.finishing) return ChargePointStatus::kFinishing;
  // Reserved until the holder's authorization waits here (then Preparing);
  // an EV plugged in by someone else does not end it (section 5.13).
  if (in.reserved && !in.authorization_waiting) return ChargePointStatus::kReserved;
  // Preparing: the EV is connected, or an authorization waits for it.
  if (in.authorization_waiting || hal::VehicleConnected(in.pilot)) {
    return ChargePointStatus::kPreparing;
  }
  return ChargePointStatus::kAvailable;
}

ChargePointStatus StationStatus(bool station_operative, hal::Fault station_fault) {
  // A connector fault such as GroundFailure leaves connector 0 Available
  // (checklist 2.3, TC_041): only the station's own faults count here.
  if (!station_operative) return ChargePointStatus::kUnavailable;
  return IsWarning(station_fault) ? ChargePointStatus::kAvailable : ChargePointStatus::kFaulted;
}

bool EnergyAllowed(const ConnectorInputs& in) {
  return in.transaction && !in.suspended_evse && in.connector_operative && IsWarning(in.fault) &&
         !in.reset_pending;
}

bool ContactorClosed(const ConnectorInputs& in) {
  return EnergyAllowed(in) && hal::VehicleRequestsEnergy(in.pilot);
}

int PwmDutyPermille(const ConnectorInputs& in, int offered_deciamps) {
  if (!EnergyAllowed(in) || in.limit_below_minimum) return 1000;
  return hal::PwmDutyPermilleForCurrentLimitDeciamps(offered_deciamps);
}

}  // namespace ocpp::station
