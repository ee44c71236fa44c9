// GetDiagnostics (OCPP 1.6 sections 4.4, 5.9): the station's own log lines
// in startTime..stopTime (hal::DiagnosticsLog, kept on storage across
// reboots) collected into a file whose name the GetDiagnostics.conf gives,
// then uploaded with retries, reported by DiagnosticsStatusNotification
// Uploading, then Uploaded or UploadFailed, for each attempt. Nothing to
// collect: no fileName and no upload (section 6.29: fileName is optional).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hal/firmware.h"
#include "runtime/file_transfer.h"
#include "station/context.h"
#include "station/firmware/retried_upload.h"

namespace ocpp::station {

class Diagnostics {
 public:
  static constexpr int kDefaultAttempts = 3;
  static constexpr std::int64_t kDefaultRetryIntervalS = 60;

  // `directory`: where the collected file is written before its upload.
  Diagnostics(StationContext& context, hal::DiagnosticsLog& log, runtime::FileTransfer& transfer,
              std::string directory);
  ~Diagnostics();
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  // For TriggerMessage: Uploading while an upload is under way, else Idle.
  v16::DiagnosticsStatus CurrentStatus() const {
    return upload_.uploading() ? v16::DiagnosticsStatus::kUploading : v16::DiagnosticsStatus::kIdle;
  }

 private:
  v16::GetDiagnosticsConf Request(const v16::GetDiagnosticsReq& req);
  void Notify(v16::DiagnosticsStatus status);

  StationContext& context_;
  hal::DiagnosticsLog& log_;
  const std::string directory_;
  std::string path_;  // the collected file
  RetriedUpload upload_;
};

}  // namespace ocpp::station
