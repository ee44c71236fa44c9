// What every station module gets: the loop and its clock, the station's
// wall clock ("now", set from the central system), logging, the RPC endpoint
// to register handlers with and send calls through, the configuration, the
// key-value store, and the registration state. Modules keep a reference to
// the one context of their ChargePoint; timers and posted tasks created
// through it are dropped once the ChargePoint is gone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "codegen/cpp_support/date_time.h"
#include "hal/storage.h"
#include "runtime/event_loop.h"
#include "runtime/rpc_endpoint.h"
#include "station/config/configuration.h"

namespace ocpp::station {

enum class RegistrationState { kNone, kPending, kRejected, kAccepted };
enum class LogLevel { kDebug, kInfo, kWarning, kError };

class StationContext {
 public:
  using LogFunction = std::function<void(LogLevel level, std::string_view line)>;

  // `grouping` (may be null): the storage's write groups, opened around
  // every event the station handles so it costs one sync, not one per write.
  StationContext(runtime::EventLoop& loop, runtime::RpcEndpoint& rpc, Configuration& config,
                 hal::KeyValueStore& store, LogFunction log,
                 hal::WriteGrouping* grouping = nullptr);
  StationContext(const StationContext&) = delete;
  StationContext& operator=(const StationContext&) = delete;

  runtime::EventLoop& loop() { return loop_; }
  const base::Clock& clock() const { return loop_.clock(); }
  runtime::RpcEndpoint& rpc() { return rpc_; }
  Configuration& config() { return config_; }
  const Configuration& config() const { return config_; }
  hal::KeyValueStore& store() { return store_; }

  // The station's wall clock: the system clock plus the offset learnt from
  // the central system's currentTime.
  codec::DateTime Now() const;
  // Follows the central system's clock (whole seconds: a difference under a
  // second is truncation, not a wrong clock).
  void SyncClock(codec::DateTime central_time);
  // Told after SyncClock changed the station's clock (SettingSystemTime).
  void SetClockObserver(std::function<void(std::int64_t shift_ms)> observer) {
    on_clock_set_ = std::move(observer);
  }

  RegistrationState registration() const { return registration_; }
  void set_registration(RegistrationState state) { registration_ = state; }
  // Connected and accepted: calls other than BootNotification may go out.
  bool online() const { return registration_ == RegistrationState::kAccepted && rpc_.connected(); }

  void Log(std::string_view line, LogLevel level = LogLevel::kInfo) const;

  // Timers and tasks that never run after the ChargePoint is destroyed.
  runtime::TimerId AddTimer(base::Milliseconds delay, std::function<void()> callback);
  // Cancels `*timer` if set and clears it.
  void CancelTimer(runtime::TimerId* timer);
  void Post(std::function<void()> task);
  // For a handler's consequences: runs once its answer is on the socket, so
  // durable writes (fsync) never delay a CALLRESULT.
  void PostAfterReply(std::function<void()> task);
  // Wraps a callback that may outlive the ChargePoint (a call's result);
  // its writes form one group.
  template <class F>
  auto Guard(F callback) {
    return [alive = std::weak_ptr<bool>(alive_), grouping = grouping_,
            callback = std::move(callback)](auto&&... args) {
      if (alive.expired()) return;
      hal::ScopedWriteGroup group(grouping);
      callback(std::forward<decltype(args)>(args)...);
    };
  }
  hal::WriteGrouping* grouping() const { return grouping_; }

 private:
  runtime::EventLoop& loop_;
  runtime::RpcEndpoint& rpc_;
  Configuration& config_;
  hal::KeyValueStore& store_;
  LogFunction log_;
  hal::WriteGrouping* grouping_;
  RegistrationState registration_ = RegistrationState::kNone;
  std::int64_t wall_offset_ms_ = 0;  // central system time minus local time
  std::function<void(std::int64_t)> on_clock_set_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Cuts `text` to N characters so an integrator's over-long string cannot
// make a message invalid.
template <std::size_t N>
codec::CiString<N> Ci(std::string_view text) {
  if (auto value = codec::CiString<N>::From(text)) return *value;
  return *codec::CiString<N>::From(text.substr(0, N));
}

}  // namespace ocpp::station
