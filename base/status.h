// Error reporting across hal/ and runtime/ interfaces: no exceptions cross an
// interface boundary, every fallible call returns a Status or a Result<T>.
//
//   base::Result<std::string> value = store.Get("config/HeartbeatInterval");
//   if (!value.ok()) return value.status();
//   Use(*value);
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ocpp::base {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed something that can never work
  kNotFound,            // the key / sequence number does not exist
  kFailedPrecondition,  // the object is not in a state that allows the call
  kResourceExhausted,   // a capacity limit (entries, bytes, disk) is reached
  kUnavailable,         // the storage cannot be used right now (I/O, busy, permissions)
  kDataLoss,            // stored data is corrupt
  kInternal,            // a bug or an unexpected library error
};

const char* ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // One line, no trailing newline.
  const std::string& message() const { return message_; }
  // "NOT_FOUND: no such key" / "OK".
  std::string ToString() const;

  // Explicitly drops a status the caller has decided not to act on.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }
  friend bool operator!=(const Status& a, const Status& b) { return !(a == b); }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// A value or the error that prevented computing it. Accessing the value of a
// failed Result is a programming error (checked with assert in debug builds,
// undefined otherwise), so always test ok() first.
template <typename T>
class [[nodiscard]] Result {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): implicit like absl::StatusOr.
  Result(T value) : value_(std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok()) {
      status_ =
          Status(StatusCode::kInternal, "Result constructed from an OK status without a value");
    }
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;  // OK exactly when value_ holds a value
  std::optional<T> value_;
};

}  // namespace ocpp::base
