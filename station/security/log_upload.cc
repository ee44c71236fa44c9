#include "station/security/log_upload.h"

#include <algorithm>
#include <cstdio>

namespace ocpp::station {

using v16::UploadLogStatusEnumType;

LogUpload::LogUpload(StationContext& context, hal::DiagnosticsLog* diagnostics_log,
                     hal::DiagnosticsLog* security_log, runtime::FileTransfer& transfer,
                     std::string directory)
    : context_(context),
      diagnostics_log_(diagnostics_log),
      security_log_(security_log),
      directory_(std::move(directory)),
      upload_(context, transfer) {
  context_.rpc().Handle<v16::Action::kGetLog>(
      [this](const v16::GetLogReq& req) -> runtime::HandlerResult<v16::GetLogConf> {
        return Request(req);
      });
}

LogUpload::~LogUpload() = default;

v16::GetLogConf LogUpload::Request(const v16::GetLogReq& req) {
  hal::DiagnosticsLog* log =
      req.log_type == v16::LogEnumType::kSecurityLog ? security_log_ : diagnostics_log_;
  if (log == nullptr) return v16::GetLogConf{v16::LogStatusEnumType::kRejected, std::nullopt};
  const bool cancelled = upload_.active();
  upload_.Cancel();
  const v16::LogStatusEnumType accepted =
      cancelled ? v16::LogStatusEnumType::kAcceptedCanceled : v16::LogStatusEnumType::kAccepted;
  std::string stamp = context_.Now().ToString();
  stamp.erase(
      std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }),
      stamp.end());
  const std::string name =
      std::string(req.log_type == v16::LogEnumType::kSecurityLog ? "security-" : "diagnostics-") +
      stamp + ".log";
  path_ = directory_ + "/" + name;
  auto lines =
      log->Collect(req.log.oldest_timestamp ? std::optional(req.log.oldest_timestamp->unix_millis())
                                            : std::nullopt,
                   req.log.latest_timestamp ? std::optional(req.log.latest_timestamp->unix_millis())
                                            : std::nullopt,
                   path_);
  if (!lines.ok()) {
    context_.Log("GetLog: cannot collect the log: " + lines.status().message(), LogLevel::kError);
    return v16::GetLogConf{v16::LogStatusEnumType::kRejected, std::nullopt};
  }
  if (*lines == 0) {
    std::remove(path_.c_str());
    return v16::GetLogConf{accepted, std::nullopt};  // nothing to upload
  }
  request_id_ = req.request_id;
  upload_.Start(path_, req.log.remote_location.ToString(),
                req.retries ? std::max(1, *req.retries) : kDefaultAttempts,
                req.retry_interval ? std::max(0, *req.retry_interval) : kDefaultRetryIntervalS,
                [this](RetriedUpload::Event event) {
                  Notify(event == RetriedUpload::Event::kUploading
                             ? UploadLogStatusEnumType::kUploading
                         : event == RetriedUpload::Event::kUploaded
                             ? UploadLogStatusEnumType::kUploaded
                             : UploadLogStatusEnumType::kUploadFailure);
                });
  return v16::GetLogConf{accepted, codec::CiString<255>::From(name)};
}

void LogUpload::SendCurrentStatus() {
  if (upload_.uploading()) return Notify(UploadLogStatusEnumType::kUploading);
  context_.rpc().Call(v16::LogStatusNotificationReq{UploadLogStatusEnumType::kIdle, std::nullopt},
                      [](runtime::CallOutcome<v16::LogStatusNotificationConf>) {});
}

void LogUpload::Notify(UploadLogStatusEnumType status) {
  if (!context_.online()) return;
  context_.rpc().Call(v16::LogStatusNotificationReq{status, request_id_},
                      [](runtime::CallOutcome<v16::LogStatusNotificationConf>) {});
}

}  // namespace ocpp::station
