#include "hal/fault_monitor.h"

#include <iterator>

namespace ocpp::hal {
namespace {

struct FaultName {
  Fault fault;
  const char* name;
};

// In enum order, so ToString can index it.
constexpr FaultName kFaultNames[] = {
    {Fault::kConnectorLockFailure, "ConnectorLockFailure"},
    {Fault::kEVCommunicationError, "EVCommunicationError"},
    {Fault::kGroundFailure, "GroundFailure"},
    {Fault::kHighTemperature, "HighTemperature"},
    {Fault::kInternalError, "InternalError"},
    {Fault::kLocalListConflict, "LocalListConflict"},
    {Fault::kNoError, "NoError"},
    {Fault::kOtherError, "OtherError"},
    {Fault::kOverCurrentFailure, "OverCurrentFailure"},
    {Fault::kOverVoltage, "OverVoltage"},
    {Fault::kPowerMeterFailure, "PowerMeterFailure"},
    {Fault::kPowerSwitchFailure, "PowerSwitchFailure"},
    {Fault::kReaderFailure, "ReaderFailure"},
    {Fault::kResetFailure, "ResetFailure"},
    {Fault::kUnderVoltage, "UnderVoltage"},
    {Fault::kWeakSignal, "WeakSignal"},
};

constexpr bool InEnumOrder() {
  for (std::size_t i = 0; i < std::size(kFaultNames); ++i) {
    if (static_cast<std::size_t>(kFaultNames[i].fault) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kFaultNames must list every Fault in declaration order");

}  // namespace

const char* ToString(Fault fault) {
  const auto index = static_cast<std::size_t>(fault);
  return index < std::size(kFaultNames) ? kFaultNames[index].name : "?";
}

std::optional<Fault> FaultFromString(std::string_view name) {
  for (const FaultName& entry : kFaultNames) {
    if (name == entry.name) return entry.fault;
  }
  return std::nullopt;
}

}  // namespace ocpp::hal
