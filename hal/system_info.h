// Identity of the station (what BootNotification reports) and the one
// system-level action the OCPP stack needs: rebooting after a Reset.
#pragma once

#include <string>

namespace ocpp::hal {

// Plain strings as the hardware knows them; an empty string means "not
// present" (the station then omits the optional BootNotification field).
// The comments give the OCPP field and its maximum length, which the
// station, not the backend, enforces.
struct SystemInfo {
  std::string vendor;                      // chargePointVendor, CiString20, required
  std::string model;                       // chargePointModel, CiString20, required
  std::string charge_point_serial_number;  // chargePointSerialNumber, CiString25
  std::string charge_box_serial_number;    // chargeBoxSerialNumber, CiString25 (deprecated)
  std::string firmware_version;            // firmwareVersion, CiString50
  std::string iccid;                       // iccid of the modem's SIM, CiString20
  std::string imsi;                        // imsi of the modem's SIM, CiString20
  std::string meter_type;                  // meterType, CiString25
  std::string meter_serial_number;         // meterSerialNumber, CiString25

  friend bool operator==(const SystemInfo& a, const SystemInfo& b);
  friend bool operator!=(const SystemInfo& a, const SystemInfo& b) { return !(a == b); }
};

class SystemInfoProvider {
 public:
  virtual ~SystemInfoProvider() = default;
  // Read at every boot; cheap, never fails (missing parts are empty).
  virtual SystemInfo ReadSystemInfo() = 0;
};

// Mirrors OCPP's ResetType without depending on generated code.
enum class RebootKind {
  kSoft,  // restart the application; hardware state may be kept
  kHard,  // restart everything, as after a power cycle
};

class SystemControl {
 public:
  virtual ~SystemControl() = default;

  // The station calls this once it has finished what a Reset requires
  // (transactions stopped, state flushed). It returns; the reboot happens
  // afterwards, outside the call (on a device the watchdog/PMIC takes over,
  // in the simulator an in-process restart of the station).
  virtual void RequestReboot(RebootKind kind) = 0;
};

}  // namespace ocpp::hal
