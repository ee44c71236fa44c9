// One file uploaded with retries (GetDiagnostics, GetLog): each attempt is
// reported as kUploading, then kUploaded or kFailed; after the last attempt
// or a success the file is removed. A new Start() or the destructor cancels
// the upload under way.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "runtime/file_transfer.h"
#include "station/context.h"

namespace ocpp::station {

class RetriedUpload {
 public:
  enum class Event { kUploading, kUploaded, kFailed };

  RetriedUpload(StationContext& context, runtime::FileTransfer& transfer)
      : context_(context), transfer_(transfer) {}
  ~RetriedUpload() { Cancel(); }
  RetriedUpload(const RetriedUpload&) = delete;
  RetriedUpload& operator=(const RetriedUpload&) = delete;

  // Begins after the current handler's answer is on the socket.
  void Start(std::string path, std::string url, int attempts, std::int64_t interval_s,
             std::function<void(Event)> report);
  void Cancel();
  bool uploading() const { return upload_.has_value(); }
  // Uploading or waiting for the next attempt.
  bool active() const { return upload_.has_value() || timer_ != 0; }

 private:
  void Attempt();

  StationContext& context_;
  runtime::FileTransfer& transfer_;
  std::string path_;
  std::string url_;
  int attempts_left_ = 0;
  std::int64_t interval_s_ = 0;
  std::function<void(Event)> report_;
  runtime::TimerId timer_ = 0;
  std::optional<runtime::FileTransfer::TransferId> upload_;
};

}  // namespace ocpp::station
