// Registration (OCPP 1.6 sections 4.2, 4.6, 5.x): BootNotification after
// every (re)boot until Accepted, Pending and Rejected with their intervals,
// the station's clock from currentTime, Heartbeat at HeartbeatInterval, and
// what a reconnect without a reboot means (no new BootNotification, OCPP-J
// 5.4). Owns the context's registration state.
#pragma once

#include <functional>

#include "hal/system_info.h"
#include "station/context.h"

namespace ocpp::station {

class Registration {
 public:
  // `boot`: a BootNotification was just Accepted (every status is reported
  // again); otherwise the connection came back after a drop.
  using OnlineHandler = std::function<void(bool boot)>;

  Registration(StationContext& context, hal::SystemInfoProvider& system_info,
               OnlineHandler on_online);
  ~Registration();

  void OnConnected();
  void OnDisconnected();
  bool accepted() const { return context_.registration() == RegistrationState::kAccepted; }

  // TriggerMessage (section 5.17): a BootNotification now (its answer is
  // handled as any other), or a Heartbeat now (the periodic one keeps its
  // schedule).
  void TriggerBootNotification();
  void TriggerHeartbeat();

 private:
  void SendBootNotification();
  void RetryBootIn(base::Milliseconds delay);
  void ScheduleHeartbeat();
  void SendHeartbeat();

  StationContext& context_;
  hal::SystemInfoProvider& system_info_;
  OnlineHandler on_online_;
  bool booted_this_power_cycle_ = false;  // a BootNotification was Accepted
  runtime::TimerId heartbeat_timer_ = 0;
  runtime::TimerId boot_timer_ = 0;
};

}  // namespace ocpp::station
