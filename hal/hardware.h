// All hardware of the station (one connector), owned by one backend object.
// The station takes a Hardware& and hands each part only the capability it
// needs (the connector logic gets ControlPilot&, Contactor&, ...).
#pragma once

#include <chrono>

#include "hal/contactor.h"
#include "hal/control_pilot.h"
#include "hal/energy_meter.h"
#include "hal/fault_monitor.h"
#include "hal/rfid_reader.h"
#include "hal/system_info.h"

namespace ocpp::hal {

// How often the station calls Hardware::Poll(). Polling only paces deferred
// notifications and slow sampling; a backend's safety reactions (opening the
// contactor on a pilot error) must not wait for it.
inline constexpr std::chrono::milliseconds kHardwarePollInterval{100};

class Hardware {
 public:
  virtual ~Hardware() = default;

  virtual ControlPilot& control_pilot() = 0;
  virtual Contactor& contactor() = 0;
  virtual EnergyMeter& energy_meter() = 0;
  virtual RfidReader& rfid_reader() = 0;
  virtual FaultMonitor& fault_monitor() = 0;
  virtual SystemInfoProvider& system_info() = 0;
  virtual SystemControl& system_control() = 0;

  // Called from the station's event loop every kHardwarePollInterval: the
  // backend samples inputs and delivers notifications it had to defer (an
  // observer is never called from inside a call into the backend).
  virtual void Poll() = 0;
};

}  // namespace ocpp::hal
