// The energy meter of one connector, in the units OCPP reports
// (Energy.Active.Import.Register in Wh, Power.Active.Import in W,
// Current.Import in A).
//
//   std::optional<std::int64_t> start_wh = meter.ReadEnergyActiveImportWh();
//   if (!start_wh) return hal::Fault::kPowerMeterFailure;
#pragma once

#include <cstdint>
#include <optional>

namespace ocpp::hal {

// Every read returns std::nullopt when the meter cannot be read right now
// (bus timeout, bad checksum, meter absent): the station decides whether that
// is a PowerMeterFailure, rather than the backend inventing a value.
class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;

  // The meter's import register in Wh: never decreases, and survives a
  // station reboot or power cut (it is the meter's own register, not a count
  // since boot), so meterStart/meterStop can be taken from it directly.
  virtual std::optional<std::int64_t> ReadEnergyActiveImportWh() = 0;

  // Active power flowing to the vehicle now, in W (>= 0).
  virtual std::optional<std::int32_t> ReadPowerActiveImportW() = 0;

  // RMS current to the vehicle now, in deciamps (0.1 A); not every meter
  // measures it, the default says "not available".
  virtual std::optional<std::int32_t> ReadCurrentImportDeciamps() { return std::nullopt; }
};

}  // namespace ocpp::hal
