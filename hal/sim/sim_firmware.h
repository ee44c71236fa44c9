// The simulated firmware installer of station_sim, as
// ../shared/docs/station-sim-interface.md ("Firmware images") says: any
// downloaded file installs, except one whose first line is exactly
// `corrupt`; the version it installs is the text after `version=` when the
// first line starts with that, else `sim-` and the first 8 hex digits of the
// file's SHA-256. The installed version is kept in the data directory and is
// what SystemInfo reports after the reboot that activates it.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "hal/firmware.h"

namespace ocpp::hal::sim {

class SimFirmwareInstaller final : public FirmwareInstaller {
 public:
  // `data_dir`: the station's --data-dir (the version file and the download
  // directory live there).
  explicit SimFirmwareInstaller(std::string data_dir);

  std::string DownloadDirectory() override;
  std::optional<std::int64_t> FreeBytes() override;
  base::Result<std::string> Install(const std::string& path) override;

  // Called with the version once an image is installed (station_sim's
  // `firmware` JSON line), before the reboot that activates it.
  void SetInstalledObserver(std::function<void(const std::string& version)> observer) {
    observer_ = std::move(observer);
  }

  // The version installed in `data_dir`, if any image was ever installed.
  static std::optional<std::string> InstalledVersion(const std::string& data_dir);

 private:
  std::string data_dir_;
  std::function<void(const std::string&)> observer_;
};

}  // namespace ocpp::hal::sim
