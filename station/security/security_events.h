// Security events (security whitepaper ed. 2, appendix 1): every event goes
// to the security log (a hal::DiagnosticsLog of its own, for GetLog
// SecurityLog); the critical ones (FirmwareUpdated, SettingSystemTime,
// StartupOfTheDevice, ResetOrReboot, SecurityLogWasCleared,
// MemoryExhaustion, TamperDetectionActivated) are also sent as
// SecurityEventNotification: queued durably like transaction messages (a
// persisted list, sent in order once online, removed when answered), so
// they survive reconnects and power cuts.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "hal/firmware.h"
#include "station/context.h"

namespace ocpp::station {

class SecurityEvents {
 public:
  // `log` may be null (no security log kept). `send`: the central system
  // takes SecurityEventNotification (otherwise events are only logged).
  SecurityEvents(StationContext& context, hal::DiagnosticsLog* log, bool send);
  ~SecurityEvents();
  SecurityEvents(const SecurityEvents&) = delete;
  SecurityEvents& operator=(const SecurityEvents&) = delete;

  // `type` is the whitepaper's name; `tech_info` at most 255 characters and
  // never a secret. `notify` sends a non-critical event too (OCTT TC_077 and
  // TC_078 expect InvalidChargePointCertificate and
  // InvalidCentralSystemCertificate after a refused certificate).
  void Report(std::string_view type, std::string_view tech_info = "", bool notify = false);
  static bool IsCritical(std::string_view type);
  // Online: queued critical events go out.
  void OnOnline() { Flush(); }
  // Runs `then` once the queue is empty (answered) or `timeout` has passed,
  // whichever is first; at once when offline. Used before a reboot, so
  // ResetOrReboot is not sent twice.
  void WhenDelivered(base::Milliseconds timeout, std::function<void()> then);
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Event {
    std::string type;
    std::int64_t unix_ms = 0;
    std::string tech_info;
  };
  void Persist();
  void Load();
  void Flush();

  StationContext& context_;
  hal::DiagnosticsLog* log_;
  const bool send_;
  std::deque<Event> queue_;
  bool sending_ = false;
  std::function<void()> when_delivered_;
  runtime::TimerId delivered_timer_ = 0;
};

}  // namespace ocpp::station
