// The pure decisions of a J1772 connector: which OCPP status it has, whether
// energy may flow, and what the pilot advertises. Connectors::Refresh() feeds
// them each connector's state after every event, so they are the single
// place where the status table (OCPP 1.6 section 4.9) and the J1772 binding
// are decided.
#pragma once

#include "generated/ocpp16/types.h"
#include "hal/control_pilot.h"
#include "hal/fault_monitor.h"

namespace ocpp::station {

struct ConnectorInputs {
  hal::PilotState pilot = hal::PilotState::kA;
  hal::Fault fault = hal::Fault::kNoError;
  bool station_operative = true;    // connector 0 (the station) is operative
  bool connector_operative = true;  // this connector is operative
  bool transaction = false;
  bool suspended_evse = false;         // StartTransaction.conf not Accepted, tx kept
  bool finishing = false;              // stopped, the user still has to unplug
  bool authorization_waiting = false;  // an accepted idTag waits for the plug
  bool reset_pending = false;
  // The current this connector may offer is below J1772's 6 A minimum (a
  // smart-charging limit or the connectors' share of the supply): the
  // pilot offers nothing and a charging EV is suspended by the EVSE.
  bool limit_below_minimum = false;
  // Held for a reservation (its own, or one of connector 0's): only the
  // holder may start here. Shown as Reserved while no session uses it.
  bool reserved = false;
};

// Faults that leave the connector usable (OCPP 1.6 section 7.6: warnings).
bool IsWarning(hal::Fault fault);

v16::ChargePointStatus ConnectorStatus(const ConnectorInputs& in);

// Connector 0, the main controller: Unavailable when made inoperative,
// Faulted only for a fault of its own (the station's fault monitor).
v16::ChargePointStatus StationStatus(bool station_operative, hal::Fault station_fault);

// Energy may flow: an authorized transaction, operative, no fault, no reset.
bool EnergyAllowed(const ConnectorInputs& in);

// The contactor is closed only when energy is allowed and the EV asks for it
// (state C or D).
bool ContactorClosed(const ConnectorInputs& in);

// The PWM duty: `offered_deciamps` (the connector's limit) while energy is
// allowed, 100 % (no charging allowed) otherwise or below 6 A.
int PwmDutyPermille(const ConnectorInputs& in, int offered_deciamps);

}  // namespace ocpp::station
