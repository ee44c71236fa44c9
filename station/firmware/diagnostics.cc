#include "station/firmware/diagnostics.h"

#include <algorithm>
#include <cstdio>

namespace ocpp::station {

using v16::DiagnosticsStatus;

Diagnostics::Diagnostics(StationContext& context, hal::DiagnosticsLog& log,
                         runtime::FileTransfer& transfer, std::string directory)
    : context_(context), log_(log), directory_(std::move(directory)), upload_(context, transfer) {
  context_.rpc().Handle<v16::Action::kGetDiagnostics>(
      [this](const v16::GetDiagnosticsReq& req) -> runtime::HandlerResult<v16::GetDiagnosticsConf> {
        return Request(req);
      });
}

Diagnostics::~Diagnostics() = default;

v16::GetDiagnosticsConf Diagnostics::Request(const v16::GetDiagnosticsReq& req) {
  upload_.Cancel();  // the new request replaces the one under way
  // diagnostics-20260101T120000Z.log: unique per second, sorts by time.
  std::string stamp = context_.Now().ToString();
  stamp.erase(
      std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }),
      stamp.end());
  const std::string name = "diagnostics-" + stamp + ".log";
  path_ = directory_ + "/" + name;
  auto lines = log_.Collect(
      req.start_time ? std::optional(req.start_time->unix_millis()) : std::nullopt,
      req.stop_time ? std::optional(req.stop_time->unix_millis()) : std::nullopt, path_);
  if (!lines.ok() || *lines == 0) {
    context_.Log(lines.ok() ? "GetDiagnostics: no log lines in that period"
                            : "GetDiagnostics: cannot collect the log: " + lines.status().message(),
                 lines.ok() ? LogLevel::kInfo : LogLevel::kError);
    std::remove(path_.c_str());
    return v16::GetDiagnosticsConf{};  // nothing to upload
  }
  context_.Log("GetDiagnostics: " + std::to_string(*lines) + " lines to " +
               runtime::RedactUrl(req.location));
  upload_.Start(path_, req.location, req.retries ? std::max(1, *req.retries) : kDefaultAttempts,
                req.retry_interval ? std::max(0, *req.retry_interval) : kDefaultRetryIntervalS,
                [this](RetriedUpload::Event event) {
                  Notify(event == RetriedUpload::Event::kUploading ? DiagnosticsStatus::kUploading
                         : event == RetriedUpload::Event::kUploaded
                             ? DiagnosticsStatus::kUploaded
                             : DiagnosticsStatus::kUploadFailed);
                });
  return v16::GetDiagnosticsConf{codec::CiString<255>::From(name)};
}

void Diagnostics::Notify(DiagnosticsStatus status) {
  if (!context_.online()) return;  // current state is available by TriggerMessage
  context_.rpc().Call(v16::DiagnosticsStatusNotificationReq{status},
                      [](runtime::CallOutcome<v16::DiagnosticsStatusNotificationConf>) {});
}

}  // namespace ocpp::station
