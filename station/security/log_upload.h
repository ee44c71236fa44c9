// GetLog (security whitepaper ed. 2, N01): the diagnostics log or the
// security log, lines in oldestTimestamp..latestTimestamp, collected into a
// file whose name GetLog.conf gives and uploaded with retries over
// runtime::FileTransfer; LogStatusNotification Uploading, then Uploaded or
// UploadFailure, with the requestId, per attempt. A new GetLog cancels the
// upload under way (AcceptedCanceled). No lines: Accepted without a
// filename, nothing uploaded. A log the station does not keep: Rejected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hal/firmware.h"
#include "runtime/file_transfer.h"
#include "station/context.h"
#include "station/firmware/retried_upload.h"

namespace ocpp::station {

class LogUpload {
 public:
  static constexpr int kDefaultAttempts = 3;
  static constexpr std::int64_t kDefaultRetryIntervalS = 60;

  // Either log may be null (not kept). `directory`: where the file is made.
  LogUpload(StationContext& context, hal::DiagnosticsLog* diagnostics_log,
            hal::DiagnosticsLog* security_log, runtime::FileTransfer& transfer,
            std::string directory);
  ~LogUpload();
  LogUpload(const LogUpload&) = delete;
  LogUpload& operator=(const LogUpload&) = delete;

  // ExtendedTriggerMessage(LogStatusNotification): Uploading with the
  // requestId while an upload is under way, else Idle.
  void SendCurrentStatus();

 private:
  v16::GetLogConf Request(const v16::GetLogReq& req);
  void Notify(v16::UploadLogStatusEnumType status);

  StationContext& context_;
  hal::DiagnosticsLog* diagnostics_log_;
  hal::DiagnosticsLog* security_log_;
  const std::string directory_;
  std::string path_;
  std::int64_t request_id_ = 0;
  RetriedUpload upload_;
};

}  // namespace ocpp::station
