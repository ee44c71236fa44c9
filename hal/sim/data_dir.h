// The files station_sim and station_fleet keep in a station's data dir next
// to its database: the simulated meter's register, one file per connector.
// Both use the same names, so station_sim can take over a fleet station's
// data dir and its meter keeps counting up.
#pragma once

#include <cstdint>
#include <string>

namespace ocpp::hal::sim {

// mkdir -p with mode 0700. False with "<path>: <reason>" in `error` when a
// component cannot be created or `path` ends up not being a directory.
bool MakeDirectories(const std::string& path, std::string* error);

// `data_dir`/sim-meter-wh for connector 1 (the name of the single-connector
// releases), `data_dir`/sim-meter-wh-N for connector N.
std::string MeterRegisterPath(const std::string& data_dir, int connector);

// The register in Wh; 0 when the file is missing, unreadable or negative
// (a fresh meter).
std::int64_t ReadMeterRegister(const std::string& path);

// Write-then-rename, so a kill leaves the old or the new value, never half.
bool WriteMeterRegister(const std::string& path, std::int64_t wh);

}  // namespace ocpp::hal::sim
