#include "station/registration.h"

namespace ocpp::station {
namespace {

template <std::size_t N>
std::optional<codec::CiString<N>> OptionalCi(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Ci<N>(text);
}

// Without an interval from the central system: retry without flooding.
constexpr base::Milliseconds kDefaultBootRetry{30000};

}  // namespace

Registration::Registration(StationContext& context, hal::SystemInfoProvider& system_info,
                           OnlineHandler on_online)
    : context_(context), system_info_(system_info), on_online_(std::move(on_online)) {
  context_.config().Subscribe(keys::kHeartbeatInterval, [this] { ScheduleHeartbeat(); });
}

Registration::~Registration() {
  context_.CancelTimer(&heartbeat_timer_);
  context_.CancelTimer(&boot_timer_);
}

void Registration::OnConnected() {
  if (booted_this_power_cycle_) {
    // A reconnect, not a reboot: no new BootNotification (OCPP-J 5.4).
    context_.set_registration(RegistrationState::kAccepted);
    on_online_(/*boot=*/false);
    ScheduleHeartbeat();
    return;
  }
  SendBootNotification();
}

void Registration::OnDisconnected() {
  context_.CancelTimer(&heartbeat_timer_);
  context_.CancelTimer(&boot_timer_);
  if (context_.registration() != RegistrationState::kAccepted) {
    context_.set_registration(RegistrationState::kNone);
  }
}

void Registration::SendBootNotification() {
  const hal::SystemInfo info = system_info_.ReadSystemInfo();
  v16::BootNotificationReq boot;
  boot.charge_point_vendor = Ci<20>(info.vendor);
  boot.charge_point_model = Ci<20>(info.model);
  boot.charge_point_serial_number = OptionalCi<25>(info.charge_point_serial_number);
  boot.charge_box_serial_number = OptionalCi<25>(info.charge_box_serial_number);
  boot.firmware_version = OptionalCi<50>(info.firmware_version);
  boot.iccid = OptionalCi<20>(info.iccid);
  boot.imsi = OptionalCi<20>(info.imsi);
  boot.meter_type = OptionalCi<25>(info.meter_type);
  boot.meter_serial_number = OptionalCi<25>(info.meter_serial_number);
  context_.rpc().Call(
      boot, context_.Guard([this](runtime::CallOutcome<v16::BootNotificationConf> outcome) {
        auto* conf = std::get_if<v16::BootNotificationConf>(&outcome);
        if (conf == nullptr) {
          // No answer, or an error answer: not registered either way.
          const auto& failure = std::get<runtime::CallFailure>(outcome);
          context_.Log(std::string("BootNotification failed: ") + runtime::ToString(failure.kind) +
                           (failure.description.empty() ? "" : ": " + failure.description),
                       LogLevel::kWarning);
          return RetryBootIn(kDefaultBootRetry);
        }
        context_.SyncClock(conf->current_time);
        // interval 0: the station picks a delay that does not flood (section 4.2).
        const base::Milliseconds wait =
            conf->interval > 0 ? base::Milliseconds(std::int64_t{conf->interval} * 1000)
                               : kDefaultBootRetry;
        switch (conf->status) {
          case v16::RegistrationStatus::kAccepted:
            context_.set_registration(RegistrationState::kAccepted);
            booted_this_power_cycle_ = true;
            if (conf->interval > 0) {
              context_.config().SetInternal(keys::kHeartbeatInterval,
                                            std::to_string(conf->interval));
            }
            on_online_(/*boot=*/true);
            ScheduleHeartbeat();
            break;
          case v16::RegistrationStatus::kPending:
            context_.set_registration(RegistrationState::kPending);
            RetryBootIn(wait);
            break;
          case v16::RegistrationStatus::kRejected:
            context_.set_registration(RegistrationState::kRejected);
            RetryBootIn(wait);
            break;
        }
      }));
}

void Registration::RetryBootIn(base::Milliseconds delay) {
  context_.CancelTimer(&boot_timer_);
  boot_timer_ = context_.AddTimer(delay, [this] {
    boot_timer_ = 0;
    if (context_.rpc().connected()) SendBootNotification();
  });
}

void Registration::ScheduleHeartbeat() {
  context_.CancelTimer(&heartbeat_timer_);
  const std::int64_t interval = context_.config().Get(keys::kHeartbeatInterval);
  if (interval <= 0 || !accepted()) return;
  heartbeat_timer_ = context_.AddTimer(base::Milliseconds(interval * 1000), [this] {
    heartbeat_timer_ = 0;
    SendHeartbeat();
    ScheduleHeartbeat();
  });
}

void Registration::SendHeartbeat() {
  context_.rpc().Call(v16::HeartbeatReq{},
                      context_.Guard([this](runtime::CallOutcome<v16::HeartbeatConf> outcome) {
                        if (auto* conf = std::get_if<v16::HeartbeatConf>(&outcome)) {
                          context_.SyncClock(conf->current_time);
                        }
                      }));
}

void Registration::TriggerBootNotification() {
  context_.CancelTimer(&boot_timer_);  // this one replaces a scheduled retry
  SendBootNotification();
}

void Registration::TriggerHeartbeat() { SendHeartbeat(); }

}  // namespace ocpp::station
