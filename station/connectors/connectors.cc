#include "station/connectors/connectors.h"

#include <algorithm>

#include "station/connectors/current_sharing.h"

namespace ocpp::station {
namespace {

// J1772 / IEC 61851-1: no PWM current below 6 A.
constexpr int kMinimumOfferDeciamps = 60;

v16::ChargePointErrorCode ToErrorCode(hal::Fault fault) {
  // hal::Fault mirrors ChargePointErrorCode name for name.
  return v16::ChargePointErrorCodeFromString(hal::ToString(fault))
      .value_or(v16::ChargePointErrorCode::kOtherError);
}

}  // namespace

Connectors::Connectors(StationContext& context, hal::Hardware& hardware, StatusReporter& reporter)
    : context_(context),
      hardware_(hardware),
      reporter_(reporter),
      connectors_(static_cast<std::size_t>(hardware.connector_count()) + 1),
      supply_(hardware.supply()) {
  connectors_[0].fault = hardware_.station_fault_monitor().CurrentFault();
  for (int c = 1; c <= count(); ++c) {
    hal::ConnectorHardware& hw = hardware_.connector(c);
    at(c).pilot = hw.control_pilot().ReadState();
    at(c).fault = hw.fault_monitor().CurrentFault();
  }
}

Connectors::~Connectors() {
  hardware_.station_fault_monitor().SetFaultObserver(nullptr);
  for (int c = 1; c <= count(); ++c) {
    hal::ConnectorHardware& hw = hardware_.connector(c);
    hw.control_pilot().SetStateObserver(nullptr);
    hw.fault_monitor().SetFaultObserver(nullptr);
    hw.contactor().SetFeedbackErrorObserver(nullptr);
  }
}

void Connectors::Attach(Events events) {
  events_ = std::move(events);
  // Re-posted onto the loop: a backend may call observers from any thread.
  hardware_.station_fault_monitor().SetFaultObserver(
      [this](hal::Fault f) { context_.Post([this, f] { OnFault(0, f); }); });
  for (int c = 1; c <= count(); ++c) {
    hal::ConnectorHardware& hw = hardware_.connector(c);
    hw.control_pilot().SetStateObserver(
        [this, c](hal::PilotState s) { context_.Post([this, c, s] { OnPilot(c, s); }); });
    hw.fault_monitor().SetFaultObserver(
        [this, c](hal::Fault f) { context_.Post([this, c, f] { OnFault(c, f); }); });
    hw.contactor().SetFeedbackErrorObserver([this, c](hal::ContactorError) {
      context_.Post([this, c] { OnFault(c, hal::Fault::kPowerSwitchFailure); });
    });
  }
}

hal::Fault Connectors::fault(int connector) const {
  const hal::Fault own = at(connector).fault;
  if (connector == 0 || own != hal::Fault::kNoError) return own;
  const hal::Fault station = connectors_[0].fault;
  return IsWarning(station) ? own : station;
}

bool Connectors::usable(int connector) const {
  if (!exists(connector)) return false;
  const hal::PilotState p = pilot(connector);
  return IsWarning(fault(connector)) && p != hal::PilotState::kE && p != hal::PilotState::kF &&
         facts(connector).operative && station_operative_ && !reset_pending_ && !sessions_blocked_;
}

hal::EnergyMeter& Connectors::meter(int connector) {
  return hardware_.connector(connector).energy_meter();
}

int Connectors::max_current_amps(int connector) {
  return hardware_.connector(connector).max_current_amps();
}

double Connectors::supply_amps() const {
  if (supply_.supply_current_amps > 0) return supply_.supply_current_amps;
  double sum = 0;
  for (int c = 1; c <= count(); ++c) sum += hardware_.connector(c).max_current_amps();
  return sum;
}

std::vector<double> Connectors::Offers(const std::vector<ConnectorInputs>& inputs) {
  std::vector<double> limits;
  if (limits_) limits = limits_->LimitsNow();
  auto limit = [&limits](int c, double rating) {
    const auto i = static_cast<std::size_t>(c);
    return i < limits.size() ? std::min(rating, limits[i]) : rating;
  };
  std::vector<ShareRequest> requests(inputs.size());
  for (int c = 1; c <= count(); ++c) {
    const ConnectorInputs& in = inputs[static_cast<std::size_t>(c)];
    requests[static_cast<std::size_t>(c)] =
        ShareRequest{limit(c, hardware_.connector(c).max_current_amps()), EnergyAllowed(in),
                     hal::VehicleRequestsEnergy(in.pilot)};
  }
  return ShareCurrent(limit(0, supply_amps()), requests);
}

ConnectorInputs Connectors::Inputs(int connector) const {
  const State& s = at(connector);
  ConnectorInputs in;
  in.pilot = s.pilot;
  in.fault = fault(connector);
  in.station_operative = station_operative_;
  in.connector_operative = s.facts.operative;
  in.transaction = s.facts.transaction;
  in.suspended_evse = s.facts.suspended_evse;
  in.finishing = s.facts.finishing;
  in.authorization_waiting = s.facts.authorization_waiting;
  in.reset_pending = reset_pending_;
  return in;
}

void Connectors::Refresh() {
  ReportedStatus station;
  station.status = StationStatus(station_operative_, connectors_[0].fault);
  // Connector 0 first (the station, then its connectors); it reports only the station's own faults.
  station.error_code = ToErrorCode(connectors_[0].fault);
  if (station_notice_ && connectors_[0].fault == hal::Fault::kNoError) {
    station.error_code = v16::ChargePointErrorCode::kOtherError;
    station.info = station_notice_;
  } else if (local_list_conflict_ && connectors_[0].fault == hal::Fault::kNoError) {
    station.error_code = v16::ChargePointErrorCode::kLocalListConflict;  // a warning
  }
  reporter_.Set(0, station);
  std::vector<ConnectorInputs> inputs(connectors_.size());
  for (int c = 1; c <= count(); ++c) inputs[static_cast<std::size_t>(c)] = Inputs(c);
  if (reservations_) {
    std::vector<v16::ChargePointStatus> unreserved(connectors_.size(), station.status);
    for (int c = 1; c <= count(); ++c) {
      // Free for a reservation (no session, operative, no fault; an EV may be
      // plugged in): reported as Available here, whatever the pilot says.
      ConnectorInputs probe = inputs[static_cast<std::size_t>(c)];
      probe.reserved = true;
      unreserved[static_cast<std::size_t>(c)] =
          ConnectorStatus(probe) == v16::ChargePointStatus::kReserved
              ? v16::ChargePointStatus::kAvailable
              : ConnectorStatus(inputs[static_cast<std::size_t>(c)]);
    }
    const std::vector<bool> held = reservations_->Held(unreserved);
    for (int c = 1; c <= count() && static_cast<std::size_t>(c) < held.size(); ++c) {
      inputs[static_cast<std::size_t>(c)].reserved = held[static_cast<std::size_t>(c)];
    }
  }
  const std::vector<double> offers = Offers(inputs);
  for (int c = 1; c <= count(); ++c) {
    ConnectorInputs& in = inputs[static_cast<std::size_t>(c)];
    // Deciamps, rounded down: never offer more than the limit.
    const int offered_deciamps = static_cast<int>(offers[static_cast<std::size_t>(c)] * 10 + 1e-6);
    in.limit_below_minimum = EnergyAllowed(in) && offered_deciamps < kMinimumOfferDeciamps;
    at(c).offered_amps = EnergyAllowed(in) && !in.limit_below_minimum ? offered_deciamps / 10.0 : 0;
    // Outputs first, in this same loop turn: the contactor is closed only
    // for an authorized transaction with the EV asking for energy.
    hal::ConnectorHardware& hw = hardware_.connector(c);
    const bool close = ContactorClosed(in);
    if (close && !hw.contactor().IsClosed()) hw.contactor().Close();
    if (!close && hw.contactor().IsClosed()) hw.contactor().Open();
    hw.control_pilot().SetPwmDutyPermille(PwmDutyPermille(in, offered_deciamps));
    ReportedStatus status;
    status.status = ConnectorStatus(in);
    status.error_code = ToErrorCode(in.fault);
    if ((in.pilot == hal::PilotState::kE || in.pilot == hal::PilotState::kF) &&
        in.fault == hal::Fault::kNoError) {
      status.error_code = v16::ChargePointErrorCode::kOtherError;
      status.info =
          in.pilot == hal::PilotState::kE ? "Control pilot state E" : "Control pilot state F";
    }
    reporter_.Set(c, status);
  }
}

void Connectors::OnPilot(int connector, hal::PilotState state) {
  const hal::PilotState before = at(connector).pilot;
  if (before == state) return;
  at(connector).pilot = state;
  if (events_.on_pilot) events_.on_pilot(connector, before, state);
  Refresh();
}

void Connectors::OnFault(int connector, hal::Fault fault) {
  at(connector).fault = fault;
  if (events_.on_fault) events_.on_fault(connector, fault);
  Refresh();
}

}  // namespace ocpp::station
