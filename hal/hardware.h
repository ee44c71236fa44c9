// All hardware of the station, owned by one backend object: 1 to
// kMaxConnectors J1772 connectors (each with its own control pilot,
// contactor, energy meter and fault monitor), one RFID reader shared by all
// of them, the station's own fault monitor (connector 0 in OCPP terms), its
// identity and its reboot control. The station hands each module only the
// capability it needs.
#pragma once

#include <chrono>

#include "hal/contactor.h"
#include "hal/control_pilot.h"
#include "hal/energy_meter.h"
#include "hal/fault_monitor.h"
#include "hal/rfid_reader.h"
#include "hal/system_info.h"

namespace ocpp::hal {

inline constexpr int kMaxConnectors = 8;

// A polling interval for backends that cannot push their events (see
// Hardware::Poll). Polling only paces deferred notifications and slow
// sampling; a backend's safety reactions (opening the contactor on a pilot
// error) must not wait for it.
inline constexpr std::chrono::milliseconds kHardwarePollInterval{100};

// One J1772 connector: what is duplicated per outlet.
class ConnectorHardware {
 public:
  virtual ~ConnectorHardware() = default;
  virtual ControlPilot& control_pilot() = 0;
  virtual Contactor& contactor() = 0;
  virtual EnergyMeter& energy_meter() = 0;
  // Faults of this connector (ground failure, overcurrent, ...).
  virtual FaultMonitor& fault_monitor() = 0;
  // The rated current of the connector and its cable, per phase.
  virtual int max_current_amps() const = 0;
};

// The electrical supply of the station; fixed for a product.
struct SupplyRating {
  // The area's set line-to-neutral voltage (230 or 120 V), used to convert
  // between W and A (OCPP 1.6 section 7.12), never a measured value.
  int nominal_voltage_v = 230;
  // Phases the station is wired for and vehicles charge on: 1 or 3.
  int phases = 3;
  // What the supply allows the whole station to draw, in A per phase; the
  // connectors share it. 0: the sum of the connectors' ratings.
  int supply_current_amps = 0;
};

class Hardware {
 public:
  virtual ~Hardware() = default;

  // 1..kMaxConnectors; fixed for the life of the object.
  virtual int connector_count() const = 0;
  // `connector_id` is 1..connector_count().
  virtual ConnectorHardware& connector(int connector_id) = 0;
  virtual RfidReader& rfid_reader() = 0;
  // Faults of the station as a whole (the main controller: connector 0).
  virtual FaultMonitor& station_fault_monitor() = 0;
  virtual SystemInfoProvider& system_info() = 0;
  virtual SystemControl& system_control() = 0;
  virtual SupplyRating supply() const = 0;

  // For backends that cannot push their events: called from the station's
  // event loop every ChargePoint::Options::poll_interval when that is set
  // (e.g. kHardwarePollInterval); the backend samples inputs and delivers
  // notifications it had to defer. A backend that pushes (observers called
  // from its own threads or file descriptors, deferred work posted to the
  // loop) needs no polling, and an idle station then never wakes up.
  virtual void Poll() = 0;
};

}  // namespace ocpp::hal
