// Hardware self-monitoring (RCD, temperature, supply voltage, meter and
// reader health, ...) reported in OCPP's own vocabulary, so the station can
// put it straight into StatusNotification.errorCode.
//
//   monitor.SetFaultObserver([&](hal::Fault f) { connector.OnFault(f); });
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace ocpp::hal {

// Exactly the OCPP 1.6 ChargePointErrorCode values; kNoError = no fault.
enum class Fault {
  kConnectorLockFailure,
  kEVCommunicationError,
  kGroundFailure,
  kHighTemperature,
  kInternalError,
  kLocalListConflict,
  kNoError,
  kOtherError,
  kOverCurrentFailure,
  kOverVoltage,
  kPowerMeterFailure,
  kPowerSwitchFailure,
  kReaderFailure,
  kResetFailure,
  kUnderVoltage,
  kWeakSignal,
};

// The OCPP wire name, e.g. "GroundFailure".
const char* ToString(Fault fault);

// The inverse of ToString: exact, case-sensitive OCPP names only.
std::optional<Fault> FaultFromString(std::string_view name);

class FaultMonitor {
 public:
  using FaultObserver = std::function<void(Fault current)>;

  virtual ~FaultMonitor() = default;

  // The fault the hardware reports now; kNoError when healthy. With several
  // simultaneous faults the backend reports the most severe one.
  virtual Fault CurrentFault() = 0;

  // Called once per change of CurrentFault() (kNoError when cleared).
  // Threading as in control_pilot.h.
  virtual void SetFaultObserver(FaultObserver observer) = 0;
};

}  // namespace ocpp::hal
