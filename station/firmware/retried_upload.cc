#include "station/firmware/retried_upload.h"

#include <cstdio>

namespace ocpp::station {

void RetriedUpload::Start(std::string path, std::string url, int attempts, std::int64_t interval_s,
                          std::function<void(Event)> report) {
  Cancel();
  path_ = std::move(path);
  url_ = std::move(url);
  attempts_left_ = attempts;
  interval_s_ = interval_s;
  report_ = std::move(report);
  context_.PostAfterReply([this] { Attempt(); });
}

void RetriedUpload::Cancel() {
  if (upload_) transfer_.Cancel(*upload_);
  upload_.reset();
  context_.CancelTimer(&timer_);
}

void RetriedUpload::Attempt() {
  report_(Event::kUploading);
  upload_ =
      transfer_.Upload(path_, url_, context_.Guard([this](const runtime::TransferResult& result) {
        upload_.reset();
        if (result.ok) {
          std::remove(path_.c_str());
          return report_(Event::kUploaded);
        }
        context_.Log("upload to " + runtime::RedactUrl(url_) + " failed: " + result.error,
                     LogLevel::kWarning);
        report_(Event::kFailed);
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

}  // namespace ocpp::station
