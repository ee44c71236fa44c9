// The station's connectors as the other modules see them: per connector the
// pilot, faults and meter from the HAL, the facts the other modules decide
// (transaction, availability, ...), and the J1772 binding that turns both
// into contactor, PWM and status (the pure rules of connector_state.h).
// Connector 0 is the station as a whole: its status and its own faults.
//
// Modules change a connector's facts and call Refresh(); Refresh() runs
// the binding for every connector in the same loop turn, so the contactor
// opens at once on A, B, E, F, a stop or a fault.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hal/hardware.h"
#include "station/connectors/connector_state.h"
#include "station/connectors/status_reporter.h"
#include "station/context.h"

namespace ocpp::station {

// Where the current limits in force come from (smart charging); without
// one a connector's limit is its rating and the station's is the supply.
class CurrentLimitSource {
 public:
  virtual ~CurrentLimitSource() = default;
  // The limits in force now, in A per phase, index = connector id: [c] is
  // what connector c may be offered on its own (its rating caps it too),
  // [0] what the whole station may draw (the supply caps it too). Asked at
  // every Refresh().
  virtual std::vector<double> LimitsNow() = 0;
};

// Which connectors are held for reservations (the Reservation profile).
class ReservationSource {
 public:
  virtual ~ReservationSource() = default;
  // `unreserved[c]` is each connector's status as it would be without any
  // reservation ([0]: the station), except that a connector free for a
  // reservation (no session; an EV may be plugged in) is Available. Returns which connectors are
  // held (index = id). Asked at every Refresh(); a reservation whose connector or station became
  // Faulted or Unavailable ends (section 5.13), which the source does later, not inside this call.
  virtual std::vector<bool> Held(const std::vector<v16::ChargePointStatus>& unreserved) = 0;
};

// What the modules other than this one decide about a connector.
struct ConnectorFacts {
  bool operative = true;               // availability
  bool transaction = false;            // transactions: one is running
  bool suspended_evse = false;         // transactions: not Accepted, kept running
  bool finishing = false;              // transactions: stopped, EV still plugged in
  bool authorization_waiting = false;  // transactions: an accepted idTag waits for the plug
};

class Connectors {
 public:
  struct Events {
    // The vehicle side changed (after the connector's facts were updated by
    // nobody yet): before and now.
    std::function<void(int connector, hal::PilotState before, hal::PilotState now)> on_pilot;
    // A connector's (or, with 0, the station's) fault changed.
    std::function<void(int connector, hal::Fault fault)> on_fault;
  };

  Connectors(StationContext& context, hal::Hardware& hardware, StatusReporter& reporter);
  ~Connectors();
  // Starts listening to the hardware; `events` go to the other modules.
  void Attach(Events events);

  int count() const { return static_cast<int>(connectors_.size()) - 1; }
  bool exists(int connector) const { return connector >= 1 && connector <= count(); }

  hal::PilotState pilot(int connector) const { return at(connector).pilot; }
  bool vehicle_connected(int connector) const { return hal::VehicleConnected(pilot(connector)); }
  // The connector's own fault, else the station's when that is not a warning.
  hal::Fault fault(int connector) const;
  v16::ChargePointStatus status(int connector) const { return reporter_.status(connector); }
  // No fault, no pilot error, operative, no reset under way: a session may
  // start here (the status is neither Faulted nor Unavailable).
  bool usable(int connector) const;
  hal::EnergyMeter& meter(int connector);
  int max_current_amps(int connector);
  // What the station may draw from its supply, in A per phase.
  double supply_amps() const;
  const hal::SupplyRating& supply() const { return supply_; }
  // The current the pilot offers now, in A per phase (0: none), as decided
  // by the last Refresh().
  double offered_amps(int connector) const { return at(connector).offered_amps; }

  // Smart charging; null: ratings and supply only. Refresh() asks it.
  void SetCurrentLimits(CurrentLimitSource* source) { limits_ = source; }
  // Reservations; null: none. Refresh() asks it.
  void SetReservations(ReservationSource* source) { reservations_ = source; }

  ConnectorFacts& facts(int connector) { return at(connector).facts; }
  const ConnectorFacts& facts(int connector) const { return at(connector).facts; }
  void set_station_operative(bool operative) { station_operative_ = operative; }
  bool station_operative() const { return station_operative_; }
  void set_reset_pending(bool pending) { reset_pending_ = pending; }
  // No new session may start (a firmware install waits); running ones go on.
  void set_sessions_blocked(bool blocked) { sessions_blocked_ = blocked; }
  // A problem of the station that does not stop charging (storage lost or
  // full): connector 0 reports errorCode OtherError with `info` (at most 50
  // characters) while it is set and the station has no fault of its own.
  void set_station_notice(std::optional<std::string> info) { station_notice_ = std::move(info); }
  bool has_station_notice() const { return station_notice_.has_value(); }
  // The central system contradicted the local list (section 3.5.2):
  // connector 0 reports errorCode LocalListConflict while it is set.
  void set_local_list_conflict(bool conflict) { local_list_conflict_ = conflict; }
  bool reset_pending() const { return reset_pending_; }

  // Recomputes outputs and statuses of every connector and of connector 0.
  void Refresh();

 private:
  struct State {
    hal::PilotState pilot = hal::PilotState::kA;
    hal::Fault fault = hal::Fault::kNoError;
    ConnectorFacts facts;
    double offered_amps = 0;
  };
  const State& at(int connector) const {
    return connectors_.at(static_cast<std::size_t>(connector));
  }
  State& at(int connector) { return connectors_.at(static_cast<std::size_t>(connector)); }
  ConnectorInputs Inputs(int connector) const;
  // The offer of every connector (index = id) for these inputs.
  std::vector<double> Offers(const std::vector<ConnectorInputs>& inputs);
  void OnPilot(int connector, hal::PilotState state);
  void OnFault(int connector, hal::Fault fault);

  StationContext& context_;
  hal::Hardware& hardware_;
  StatusReporter& reporter_;
  Events events_;
  std::vector<State> connectors_;  // index = connector id; [0] is the station
  bool station_operative_ = true;
  bool reset_pending_ = false;
  bool sessions_blocked_ = false;
  bool local_list_conflict_ = false;
  std::optional<std::string> station_notice_;
  hal::SupplyRating supply_;
  CurrentLimitSource* limits_ = nullptr;
  ReservationSource* reservations_ = nullptr;
};

}  // namespace ocpp::station
