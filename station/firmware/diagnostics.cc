#include "station/firmware/diagnostics.h"

#include <algorithm>
#include <cstdio>

namespace ocpp::station {

using v16::DiagnosticsStatus;

Diagnostics::Diagnostics(StationContext& context, hal::DiagnosticsLog& log,
                         runtime::FileTransfer& transfer, std::string directory)
    : context_(context), log_(log), transfer_(transfer), directory_(std::move(directory)) {
  context_.rpc().Handle<v16::Action::kGetDiagnostics>(
      [this](const v16::GetDiagnosticsReq& req) -> runtime::HandlerResult<v16::GetDiagnosticsConf> {
        return Request(req);
      });
}

Diagnostics::~Diagnostics() {
  context_.CancelTimer(&timer_);
  if (upload_) transfer_.Cancel(*upload_);
}

v16::GetDiagnosticsConf Diagnostics::Request(const v16::GetDiagnosticsReq& req) {
  if (upload_) {  // the new request replaces the one under way
    transfer_.Cancel(*upload_);
    upload_.reset();
  }
  context_.CancelTimer(&timer_);
  uploading_ = false;
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
  location_ = req.location;
  attempts_left_ = req.retries ? std::max(1, *req.retries) : kDefaultAttempts;
  interval_s_ = req.retry_interval ? std::max(0, *req.retry_interval) : kDefaultRetryIntervalS;
  context_.Log("GetDiagnostics: " + std::to_string(*lines) + " lines to " +
               runtime::RedactUrl(location_));
  context_.PostAfterReply([this] { Attempt(); });
  return v16::GetDiagnosticsConf{codec::CiString<255>::From(name)};
}

void Diagnostics::Attempt() {
  uploading_ = true;
  Notify(DiagnosticsStatus::kUploading);
  upload_ = transfer_.Upload(
      path_, location_, context_.Guard([this](const runtime::TransferResult& result) {
        upload_.reset();
        uploading_ = false;
        if (result.ok) {
          Notify(DiagnosticsStatus::kUploaded);
          std::remove(path_.c_str());
          return;
        }
        context_.Log("diagnostics upload failed: " + result.error, LogLevel::kWarning);
        Notify(DiagnosticsStatus::kUploadFailed);
        if (--attempts_left_ <= 0) {
          std::remove(path_.c_str());
          return;
        }
        timer_ = context_.AddTimer(base::Milliseconds(interval_s_ * 1000), [this] {
          timer_ = 0;
          Attempt();
        });
      }));
}

void Diagnostics::Notify(DiagnosticsStatus status) {
  if (!context_.online()) return;  // current state is available by TriggerMessage
  context_.rpc().Call(v16::DiagnosticsStatusNotificationReq{status},
                      [](runtime::CallOutcome<v16::DiagnosticsStatusNotificationConf>) {});
}

}  // namespace ocpp::station
