// Firmware images and the station's diagnostics log: the hardware side of
// the Firmware Management profile (OCPP 1.6 sections 4.4, 4.5, 5.9, 5.19).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ocpp::hal {

// Installs downloaded firmware images. The sim backend follows
// ../shared/docs/station-sim-interface.md ("Firmware images").
class FirmwareInstaller {
 public:
  virtual ~FirmwareInstaller() = default;
  // Where downloads go: a directory the backend owns, with room for an image.
  virtual std::string DownloadDirectory() = 0;
  // Free bytes there (checked before a download), or nullopt if unknown.
  virtual std::optional<std::int64_t> FreeBytes() = 0;
  // Checks and installs the image at `path`. Returns the version the
  // station runs after the reboot that activates it (the caller reboots);
  // an error (corrupt image, wrong target) leaves the running firmware as
  // it was. The running version is SystemInfo::firmware_version.
  virtual base::Result<std::string> Install(const std::string& path) = 0;
};

// The station's own log on storage, for GetDiagnostics: bounded and
// rotating, so that it holds what happened before a reboot or power cut.
class DiagnosticsLog {
 public:
  virtual ~DiagnosticsLog() = default;
  // `unix_ms`: the station's wall clock. Never fails loudly: a log that
  // cannot be written drops the line.
  virtual void Append(std::int64_t unix_ms, std::string_view line) = 0;
  // Writes the lines stamped within [from_ms, to_ms] (a missing bound is
  // open) to a new file at `path`, oldest first; returns how many.
  virtual base::Result<std::size_t> Collect(std::optional<std::int64_t> from_ms,
                                            std::optional<std::int64_t> to_ms,
                                            const std::string& path) = 0;
};

}  // namespace ocpp::hal
