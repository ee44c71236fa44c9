#include "station/charge_point.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>

#include "codegen/cpp_support/message_codec.h"

namespace ocpp::station {
namespace {

using runtime::CallFailure;
using runtime::CallOutcome;
using runtime::HandlerResult;
using base::Milliseconds;
using runtime::TransactionMessageKind;
using v16::Action;
using v16::ChargePointStatus;

constexpr std::string_view kTransactionKey = "station/transaction";
constexpr std::string_view kAvailabilityKey = "station/operative/";
constexpr std::string_view kScheduledKey = "station/scheduled_operative";
constexpr std::string_view kFinishingKey = "station/finishing";
constexpr std::string_view kEnergyRegister = "Energy.Active.Import.Register";

// Cuts `text` to N characters so an integrator's over-long string cannot
// make a message invalid.
template <std::size_t N>
codec::CiString<N> Ci(std::string_view text) {
  if (auto value = codec::CiString<N>::From(text)) return *value;
  return *codec::CiString<N>::From(text.substr(0, N));
}

template <std::size_t N>
std::optional<codec::CiString<N>> OptionalCi(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Ci<N>(text);
}

v16::ChargePointErrorCode ToErrorCode(hal::Fault fault) {
  // hal::Fault mirrors ChargePointErrorCode name for name.
  return v16::ChargePointErrorCodeFromString(hal::ToString(fault))
      .value_or(v16::ChargePointErrorCode::kOtherError);
}

}  // namespace

base::Result<std::unique_ptr<ChargePoint>> ChargePoint::Create(Dependencies deps, Options options,
                                                              std::vector<std::string>* warnings) {
  Configuration config = Configuration::Load(deps.store, options.factory_config, warnings);
  std::unique_ptr<ChargePoint> cp(new ChargePoint(deps, std::move(options), std::move(config)));
  runtime::TransactionMessageQueue::Options queue_options;
  ChargePoint* raw = cp.get();
  queue_options.log = [raw](runtime::TransactionMessageQueue::LogLevel, const std::string& line) {
    raw->Log("queue: " + line);
  };
  auto queue = runtime::TransactionMessageQueue::Open(deps.message_log, deps.store, queue_options);
  if (!queue.ok()) return queue.status();
  cp->queue_ = std::move(*queue);
  cp->sender_ = std::make_unique<runtime::TransactionMessageSender>(
      deps.loop, *cp->rpc_, *cp->queue_,
      runtime::TransactionMessageSender::Callbacks{
          [raw](std::int64_t local_id, const v16::StartTransactionConf& conf) {
            raw->OnStartAccepted(local_id, conf);
          },
          [raw](const v16::StopTransactionConf& conf) {
            (void)conf;  // idTagInfo of the stop tag was recorded at stop time if known
          },
          [raw](std::string_view line) { raw->Log("tx: " + std::string(line)); }});
  cp->OnConfigurationChanged("TransactionMessageAttempts");
  // The connection's own settings, as persisted (a key the central system
  // set wins over the one the station was installed with).
  if (cp->options_.callbacks.on_connection_setting) {
    for (const char* key : {"AuthorizationKey", "WebSocketPingInterval"}) {
      const std::string value = cp->config_.GetString(key);
      if (!value.empty()) cp->options_.callbacks.on_connection_setting(key, value);
    }
  }
  cp->RecoverInterruptedTransaction();
  // A ChangeAvailability scheduled before a reboot or power cut whose
  // transaction is over now.
  if (cp->scheduled_operative_ && !cp->tx_ && !cp->finishing_) cp->ApplyScheduledAvailability();
  return cp;
}

ChargePoint::ChargePoint(Dependencies deps, Options options, Configuration config)
    : deps_(deps), options_(std::move(options)), config_(std::move(config)), cache_(deps.store) {
  for (int c = 0; c <= 1; ++c) {
    auto stored = deps_.store.Get(std::string(kAvailabilityKey) + std::to_string(c));
    operative_[c] = !(stored.ok() && *stored == "false");
  }
  if (auto scheduled = deps_.store.Get(kScheduledKey); scheduled.ok()) {
    scheduled_operative_ = *scheduled == "true";
  }
  runtime::RpcEndpoint::Options rpc_options;
  rpc_options.role = runtime::Role::kChargePoint;
  rpc_options.response_timeout = options_.response_timeout;
  // Every profile is "offered" at the RPC level so the few non-Core calls
  // OCTT expects a defined answer to reach their handlers; any action
  // without a handler is answered NotSupported.
  rpc_ = std::make_unique<runtime::RpcEndpoint>(
      deps_.loop, [this](std::string frame) { return deps_.transport.Send(std::move(frame)); },
      rpc_options);
  rpc_->SetTrace([this](runtime::TraceDirection d, std::string_view frame) {
    if (options_.callbacks.on_frame) options_.callbacks.on_frame(d, frame);
  });
  rpc_->SetLog([this](std::string_view line) { Log("rpc: " + std::string(line)); });
  // Nothing but BootNotification before the central system accepted us
  // (section 4.2), and nothing at all while Rejected.
  rpc_->SetSendGate([this](Action action) {
    return registration_ == Registration::kAccepted || action == Action::kBootNotification;
  });
  rpc_->SetIncomingGate([this] { return registration_ != Registration::kRejected; });
  config_.SetChangeObserver([this](std::string_view key) { OnConfigurationChanged(key); });
  RegisterHandlers();

  deps_.transport.SetCallbacks(runtime::Transport::Callbacks{
      [this] { OnConnected(); }, [this](std::string_view text) { rpc_->OnText(text); },
      [this](runtime::DisconnectReason reason) { OnDisconnected(reason); }});
  hal::Hardware& hw = deps_.hardware;
  pilot_ = hw.control_pilot().ReadState();
  fault_ = hw.fault_monitor().CurrentFault();
  // A transaction that ended with the EV connected keeps the connector
  // Finishing across a reboot until the EV is unplugged (TC_015, TC_016).
  if (auto stored = deps_.store.Get(kFinishingKey); stored.ok() && *stored == "true") {
    if (hal::VehicleConnected(pilot_)) {
      finishing_ = true;
    } else {
      (void)deps_.store.Delete(kFinishingKey);
    }
  }
  hw.control_pilot().SetStateObserver(
      [this](hal::PilotState s) { Post([this, s] { OnPilot(s); }); });
  hw.rfid_reader().SetTagObserver(
      [this](const std::string& tag) { Post([this, tag] { OnTag(tag); }); });
  hw.fault_monitor().SetFaultObserver([this](hal::Fault f) { Post([this, f] { OnFault(f); }); });
  hw.contactor().SetFeedbackErrorObserver(
      [this](hal::ContactorError) { Post([this] { OnFault(hal::Fault::kPowerSwitchFailure); }); });
}

ChargePoint::~ChargePoint() {
  *alive_ = false;
  for (runtime::TimerId* timer :
       {&heartbeat_timer_, &boot_timer_, &connection_timer_, &sample_timer_, &aligned_timer_,
        &poll_timer_, &status_timer_[0], &status_timer_[1]}) {
    if (*timer != 0) deps_.loop.CancelTimer(*timer);
  }
  deps_.transport.SetCallbacks({});
  hal::Hardware& hw = deps_.hardware;
  hw.control_pilot().SetStateObserver(nullptr);
  hw.rfid_reader().SetTagObserver(nullptr);
  hw.fault_monitor().SetFaultObserver(nullptr);
  hw.contactor().SetFeedbackErrorObserver(nullptr);
}

void ChargePoint::Post(std::function<void()> task) {
  std::weak_ptr<bool> alive = alive_;
  deps_.loop.Post([alive, task = std::move(task)] {
    if (!alive.expired()) task();
  });
}

void ChargePoint::Log(const std::string& line) {
  if (options_.callbacks.log) options_.callbacks.log(line);
}

codec::DateTime ChargePoint::Now() const {
  return codec::DateTime::FromUnixMillis(
      codec::DateTime::FromSystemTime(deps_.loop.clock().WallNow()).unix_millis() +
      wall_offset_ms_);
}

std::optional<int> ChargePoint::csms_transaction_id() const {
  if (!tx_) return std::nullopt;
  auto bound = queue_->BoundTransactionId(tx_->local_id);
  if (!bound || *bound == runtime::kUnknownTransactionId) return std::nullopt;
  return static_cast<int>(*bound);
}

// ---------------------------------------------------------------------------
// Connection and registration

void ChargePoint::Start() {
  if (started_) return;
  started_ = true;
  for (int c = 0; c <= 1; ++c) status_since_[c] = Now();
  Update();
  // Tell the integrator the initial state too (a display needs it).
  if (options_.callbacks.on_status) {
    for (int c = 0; c <= 1; ++c)
      options_.callbacks.on_status(c, last_status_[c], ToErrorCode(fault_));
  }
  SchedulePoll();
  ScheduleClockAlignedMeterValues();
  deps_.transport.Start();
}

// The HAL is polled so hardware without interrupts (and the simulated
// meter) can report changes.
void ChargePoint::SchedulePoll() {
  std::weak_ptr<bool> alive = alive_;
  poll_timer_ = deps_.loop.AddTimer(options_.poll_interval, [this, alive] {
    if (alive.expired()) return;
    poll_timer_ = 0;
    deps_.hardware.Poll();
    // The register reading a power cut would stop the transaction with is
    // persisted at least every 60 s, samples or not (checklist 1.10).
    if (tx_ && deps_.loop.clock().Now() - last_persisted_ >= std::chrono::seconds(60)) {
      PersistTransaction();
    }
    SchedulePoll();
  });
}

void ChargePoint::Stop() { deps_.transport.Stop(); }

void ChargePoint::OnConnected() {
  Log("connected");
  if (options_.callbacks.on_connection) options_.callbacks.on_connection(true);
  ++connection_epoch_;
  rpc_->OnConnected();
  if (booted_this_power_cycle_) {
    // A reconnect, not a reboot: no new BootNotification (OCPP-J 5.4); send
    // the current status where it changed while offline (section 4.9),
    // then the transaction messages queued meanwhile.
    registration_ = Registration::kAccepted;
    ReportStatusesThenDrainQueue(/*force=*/false);
    ScheduleHeartbeat();
    return;
  }
  SendBootNotification();
}

void ChargePoint::OnDisconnected(runtime::DisconnectReason reason) {
  Log(std::string("disconnected: ") + runtime::ToString(reason));
  if (options_.callbacks.on_connection) options_.callbacks.on_connection(false);
  sender_->SetReady(false);
  rpc_->OnDisconnected();
  rpc_->CancelPending();  // status and heartbeats are re-sent as needed on reconnect
  if (heartbeat_timer_ != 0) deps_.loop.CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  if (boot_timer_ != 0) deps_.loop.CancelTimer(boot_timer_);
  boot_timer_ = 0;
  if (registration_ != Registration::kAccepted) registration_ = Registration::kNone;
}

void ChargePoint::SendBootNotification() {
  const hal::SystemInfo info = deps_.hardware.system_info().ReadSystemInfo();
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
  std::weak_ptr<bool> alive = alive_;
  rpc_->Call(boot, [this, alive](CallOutcome<v16::BootNotificationConf> outcome) {
    if (alive.expired()) return;
    auto retry_in = [this, alive](Milliseconds delay) {
      boot_timer_ = deps_.loop.AddTimer(delay, [this, alive] {
        if (alive.expired()) return;
        boot_timer_ = 0;
        if (rpc_->connected()) SendBootNotification();
      });
    };
    auto* conf = std::get_if<v16::BootNotificationConf>(&outcome);
    if (conf == nullptr) {
      retry_in(Milliseconds(30000));  // no answer: try again, without flooding
      return;
    }
    SyncClock(conf->current_time);
    // interval 0: the station picks a delay that does not flood (section 4.2).
    const Milliseconds wait(conf->interval > 0 ? std::int64_t{conf->interval} * 1000 : 30000);
    switch (conf->status) {
      case v16::RegistrationStatus::kAccepted:
        registration_ = Registration::kAccepted;
        booted_this_power_cycle_ = true;
        if (conf->interval > 0) {
          config_.SetInternal("HeartbeatInterval", std::to_string(conf->interval));
        }
        // Errata 3.22: both connectors, always; then the queue (section 4.2).
        ReportStatusesThenDrainQueue(/*force=*/true);
        ScheduleHeartbeat();
        Update();
        break;
      case v16::RegistrationStatus::kPending:
        registration_ = Registration::kPending;
        retry_in(wait);
        break;
      case v16::RegistrationStatus::kRejected:
        registration_ = Registration::kRejected;
        retry_in(wait);
        break;
    }
  });
}

void ChargePoint::SyncClock(codec::DateTime central_time) {
  const std::int64_t offset =
      central_time.unix_millis() -
      codec::DateTime::FromSystemTime(deps_.loop.clock().WallNow()).unix_millis();
  // currentTime has whole seconds: a difference under a second is its
  // truncation, not a wrong clock. Following it would shift every later
  // timestamp by a fraction of a second, i.e. often to the previous second.
  if (std::llabs(offset - wall_offset_ms_) >= 1000) wall_offset_ms_ = offset;
}

void ChargePoint::ReportStatusesThenDrainQueue(bool force) {
  // The queue waits until every StatusNotification sent here is answered
  // (or failed): the transaction sender would otherwise put its messages
  // ahead of them (checklist 1.1 items 4 and 5).
  const std::uint64_t epoch = connection_epoch_;
  auto remaining = std::make_shared<int>(1);  // 1: held until all are sent
  std::weak_ptr<bool> alive = alive_;
  auto release = [this, alive, epoch, remaining] {
    if (alive.expired() || --*remaining > 0) return;
    if (epoch == connection_epoch_ && rpc_->connected() &&
        registration_ == Registration::kAccepted) {
      sender_->SetReady(true);
    }
  };
  for (int c = 0; c <= 1; ++c) {
    // Not delayed by MinimumStatusDuration (section 2.4 of the checklist).
    if (status_timer_[c] != 0) deps_.loop.CancelTimer(status_timer_[c]);
    status_timer_[c] = 0;
    // What the central system has not acknowledged counts as not sent: a
    // report lost with the connection is sent again.
    if (!force) last_sent_[c] = last_acked_[c];
    if (force || last_sent_[c] != last_status_[c]) {
      ++*remaining;
      SendStatus(c, force ? Now() : status_since_[c], release);
    }
  }
  release();
}

void ChargePoint::ScheduleHeartbeat() {
  if (heartbeat_timer_ != 0) deps_.loop.CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  const std::int64_t interval = config_.GetInt("HeartbeatInterval");
  if (interval <= 0 || registration_ != Registration::kAccepted) return;
  std::weak_ptr<bool> alive = alive_;
  heartbeat_timer_ = deps_.loop.AddTimer(Milliseconds(interval * 1000), [this, alive] {
    if (alive.expired()) return;
    heartbeat_timer_ = 0;
    rpc_->Call(v16::HeartbeatReq{}, [this, alive](CallOutcome<v16::HeartbeatConf> outcome) {
      if (alive.expired()) return;
      if (auto* conf = std::get_if<v16::HeartbeatConf>(&outcome)) SyncClock(conf->current_time);
    });
    ScheduleHeartbeat();
  });
}

// ---------------------------------------------------------------------------
// Central system operations (Core)

void ChargePoint::RegisterHandlers() {
  rpc_->Handle<Action::kChangeAvailability>(
      [this](const v16::ChangeAvailabilityReq& req) -> HandlerResult<v16::ChangeAvailabilityConf> {
        using v16::AvailabilityStatus;
        if (req.connector_id < 0 || req.connector_id > 1) {
          return v16::ChangeAvailabilityConf{AvailabilityStatus::kRejected};
        }
        const bool operative = req.type == v16::AvailabilityType::kOperative;
        const int c = req.connector_id;
        const bool already = operative_[c] == operative && (c == 0 || operative_[0] == operative);
        if (already && !scheduled_operative_) {
          return v16::ChangeAvailabilityConf{AvailabilityStatus::kAccepted};
        }
        if (!operative && tx_) {
          // Takes effect when the transaction ends (C8/D8/E8).
          scheduled_operative_ = false;
          (void)deps_.store.Put(kScheduledKey, "false");
          return v16::ChangeAvailabilityConf{AvailabilityStatus::kScheduled};
        }
        scheduled_operative_.reset();
        (void)deps_.store.Delete(kScheduledKey);
        if (!operative) DropAuthorization();  // the incipient session ends (B -> Unavailable)
        for (int i = c; i <= 1; ++i) {
          if (c == 0 || i == c) {
            operative_[i] = operative;
            (void)deps_.store.Put(std::string(kAvailabilityKey) + std::to_string(i),
                                  operative ? "true" : "false");
          }
        }
        Post([this] { Update(); });
        return v16::ChangeAvailabilityConf{AvailabilityStatus::kAccepted};
      });

  rpc_->Handle<Action::kChangeConfiguration>([this](const v16::ChangeConfigurationReq& req)
                                                 -> HandlerResult<v16::ChangeConfigurationConf> {
    return v16::ChangeConfigurationConf{config_.Change(req.key.view(), req.value.view())};
  });

  rpc_->Handle<Action::kGetConfiguration>(
      [this](const v16::GetConfigurationReq& req) -> HandlerResult<v16::GetConfigurationConf> {
        return config_.Get(req.key);
      });

  rpc_->Handle<Action::kClearCache>(
      [this](const v16::ClearCacheReq&) -> HandlerResult<v16::ClearCacheConf> {
        cache_.Clear();
        return v16::ClearCacheConf{v16::ClearCacheStatus::kAccepted};
      });

  rpc_->Handle<Action::kDataTransfer>(
      [this](const v16::DataTransferReq& req) -> HandlerResult<v16::DataTransferConf> {
        if (options_.callbacks.on_data_transfer) {
          if (auto conf = options_.callbacks.on_data_transfer(req)) return *conf;
        }
        return v16::DataTransferConf{v16::DataTransferStatus::kUnknownVendorId, std::nullopt};
      });

  rpc_->Handle<Action::kUnlockConnector>(
      [](const v16::UnlockConnectorReq&) -> HandlerResult<v16::UnlockConnectorConf> {
        // Fixed cable, no connector lock (errata 3.85).
        return v16::UnlockConnectorConf{v16::UnlockStatus::kNotSupported};
      });

  // Profiles this product does not implement, answered as the spec and
  // OCTT expect (TC_042_1, TC_043_1, TC_048_4, TC_050_4).
  rpc_->Handle<Action::kGetLocalListVersion>(
      [](const v16::GetLocalListVersionReq&) -> HandlerResult<v16::GetLocalListVersionConf> {
        return v16::GetLocalListVersionConf{-1};  // no local list (section 5.10)
      });
  rpc_->Handle<Action::kSendLocalList>(
      [](const v16::SendLocalListReq&) -> HandlerResult<v16::SendLocalListConf> {
        return v16::SendLocalListConf{v16::UpdateStatus::kNotSupported};
      });
  rpc_->Handle<Action::kReserveNow>(
      [](const v16::ReserveNowReq&) -> HandlerResult<v16::ReserveNowConf> {
        return v16::ReserveNowConf{v16::ReservationStatus::kRejected};
      });
  rpc_->Handle<Action::kCancelReservation>(
      [](const v16::CancelReservationReq&) -> HandlerResult<v16::CancelReservationConf> {
        return v16::CancelReservationConf{v16::CancelReservationStatus::kRejected};
      });

  rpc_->Handle<Action::kReset>([this](const v16::ResetReq& req) -> HandlerResult<v16::ResetConf> {
    if (reset_pending_) return v16::ResetConf{v16::ResetStatus::kRejected};
    reset_pending_ = true;
    const v16::ResetType type = req.type;
    Post([this, type] { ScheduleReset(type); });  // after the answer is on its way
    return v16::ResetConf{v16::ResetStatus::kAccepted};
  });

  rpc_->Handle<Action::kRemoteStartTransaction>(
      [this](const v16::RemoteStartTransactionReq& req)
          -> HandlerResult<v16::RemoteStartTransactionConf> {
        using v16::RemoteStartStopStatus;
        const bool connector_ok = !req.connector_id || *req.connector_id == kConnectorId;
        const ChargePointStatus status = last_status_[kConnectorId];
        // Also Rejected while another authorization is pending or checked.
        const bool usable = status != ChargePointStatus::kUnavailable &&
                            status != ChargePointStatus::kFaulted && Usable() && !tx_ &&
                            registration_ == Registration::kAccepted && !authorizing_ &&
                            !session_id_tag_;
        if (!connector_ok || !usable) {
          return v16::RemoteStartTransactionConf{RemoteStartStopStatus::kRejected};
        }
        const std::string id_tag = req.id_tag.ToString();
        Post([this, id_tag] {
          if (config_.GetBool("AuthorizeRemoteTxRequests")) {
            // Like a local tag (section 5.11): the status changes only once
            // the idTag is accepted; a refused one changes nothing.
            authorizing_ = true;
            Authorize(id_tag, [this, id_tag](bool accepted, std::optional<std::string> parent) {
              authorizing_ = false;
              if (accepted) BeginSession(id_tag, parent);
              Update();
            });
          } else {
            BeginSession(id_tag, std::nullopt);
          }
        });
        return v16::RemoteStartTransactionConf{RemoteStartStopStatus::kAccepted};
      });

  rpc_->Handle<Action::kRemoteStopTransaction>(
      [this](const v16::RemoteStopTransactionReq& req)
          -> HandlerResult<v16::RemoteStopTransactionConf> {
        using v16::RemoteStartStopStatus;
        const auto running = csms_transaction_id();
        if (!running || *running != req.transaction_id) {
          return v16::RemoteStopTransactionConf{RemoteStartStopStatus::kRejected};
        }
        Post([this] {
          if (tx_) StopTransaction(v16::Reason::kRemote, std::nullopt);
        });
        return v16::RemoteStopTransactionConf{RemoteStartStopStatus::kAccepted};
      });
}

void ChargePoint::ScheduleReset(v16::ResetType type) {
  Log(std::string("reset: ") + std::string(v16::ToString(type)));
  if (tx_) {
    StopTransaction(
        type == v16::ResetType::kHard ? v16::Reason::kHardReset : v16::Reason::kSoftReset,
        std::nullopt);
  }
  // Give the queued StopTransaction a chance to be delivered before the
  // reboot (section 5.14); it is durable either way.
  std::weak_ptr<bool> alive = alive_;
  const base::SteadyTime deadline = deps_.loop.clock().Now() + options_.reset_grace;
  auto check = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak_check = check;
  *check = [this, alive, type, deadline, weak_check] {
    auto self = weak_check.lock();
    if (alive.expired() || !self) return;
    const bool drained = queue_->empty() || !rpc_->connected();
    if (drained || deps_.loop.clock().Now() >= deadline) {
      RequestReboot(type, static_cast<int>(config_.GetInt("ResetRetries")));
      return;
    }
    deps_.loop.AddTimer(Milliseconds(100), [self] { (*self)(); });
  };
  reset_check_ = check;
  deps_.loop.AddTimer(Milliseconds(100), [check] { (*check)(); });
}

// A reboot that works ends this object; if it is still here after
// kRebootTimeout, the reset failed and is retried ResetRetries times.
void ChargePoint::RequestReboot(v16::ResetType type, int retries_left) {
  deps_.hardware.system_control().RequestReboot(
      type == v16::ResetType::kHard ? hal::RebootKind::kHard : hal::RebootKind::kSoft);
  std::weak_ptr<bool> alive = alive_;
  deps_.loop.AddTimer(options_.reboot_timeout, [this, alive, type, retries_left] {
    if (alive.expired()) return;
    if (retries_left <= 0) {
      Log("reset failed; no retries left (ResetRetries)");
      reset_pending_ = false;
      Update();
      return;
    }
    Log("reset did not happen; retrying");
    RequestReboot(type, retries_left - 1);
  });
}

void ChargePoint::OnConfigurationChanged(std::string_view key) {
  if (key == "HeartbeatInterval") ScheduleHeartbeat();
  if (key == "MeterValueSampleInterval") {
    if (tx_) {  // a new series from now on
      tx_->sample_base = deps_.loop.clock().Now();
      tx_->sample_base_time = Now();
      tx_->samples = 0;
    }
    ScheduleSampledMeterValues();
  }
  if (key == "ClockAlignedDataInterval") ScheduleClockAlignedMeterValues();
  if (key == "TransactionMessageAttempts" || key == "TransactionMessageRetryInterval") {
    if (sender_) {
      sender_->SetRetryPolicy(
          static_cast<int>(config_.GetInt("TransactionMessageAttempts")),
          std::chrono::seconds(config_.GetInt("TransactionMessageRetryInterval")));
    }
  }
  if (key == "AuthorizationCacheEnabled" && !config_.GetBool("AuthorizationCacheEnabled")) {
    cache_.Clear();
  }
  if (key == "AuthorizationKey" || key == "WebSocketPingInterval") {
    const std::string value = config_.GetString(key);
    // Security whitepaper A01.FR.11: the change is logged, the key never is.
    if (key == "AuthorizationKey") Log("security: AuthorizationKey changed");
    if (options_.callbacks.on_connection_setting && !value.empty()) {
      options_.callbacks.on_connection_setting(key, value);
    }
  }
}

// ---------------------------------------------------------------------------
// Hardware events

void ChargePoint::OnPilot(hal::PilotState state) {
  const hal::PilotState before = pilot_;
  pilot_ = state;
  const bool was_connected = hal::VehicleConnected(before);
  const bool connected = hal::VehicleConnected(state);
  if (!was_connected && connected) {
    SetFinishing(false);
    // An authorization waiting for the plug starts now (A2 then B3/B4).
    // Without one the connector is Preparing (EV connected) until a tag
    // or a remote start comes: no ConnectionTimeOut for a plugged EV.
    TryStartTransaction();
  } else if (was_connected && state == hal::PilotState::kA) {
    SetFinishing(false);
    if (tx_ && config_.GetBool("StopTransactionOnEVSideDisconnect")) {
      StopTransaction(v16::Reason::kEVDisconnected, std::nullopt);
      SetFinishing(false);  // fixed cable removed at the EV: straight to Available (C1)
    }
    if (!tx_) DropAuthorization();
    if (!tx_ && scheduled_operative_) ApplyScheduledAvailability();  // F8
  }
  Update();
}

void ChargePoint::OnFault(hal::Fault fault) {
  fault_ = fault;
  if (!IsWarning(fault) && !tx_) DropAuthorization();  // B9: the incipient session ends
  Update();
}

bool ChargePoint::Usable() const {
  return IsWarning(fault_) && pilot_ != hal::PilotState::kE && pilot_ != hal::PilotState::kF &&
         operative_[kConnectorId] && operative_[0] && !reset_pending_;
}

void ChargePoint::OnTag(const std::string& id_tag) {
  if (id_tag.empty() || id_tag.size() > 20) {
    Log("ignored unusable idTag");
    return;
  }
  if (tx_) {
    if (codec::EqualsIgnoreAsciiCase(id_tag, tx_->id_tag)) {
      StopTransaction(v16::Reason::kLocal, id_tag);  // same tag: no Authorize (section 4.1)
      return;
    }
    if (!tx_->parent_id_tag) return;  // no group known: another tag cannot stop it
    const std::string parent = *tx_->parent_id_tag;
    Authorize(id_tag, [this, id_tag, parent](bool accepted, std::optional<std::string> p) {
      if (accepted && p && codec::EqualsIgnoreAsciiCase(*p, parent) && tx_) {
        StopTransaction(v16::Reason::kLocal, id_tag);
      }
    });
    return;
  }
  // A1: no new session while Faulted, Unavailable or resetting (TC_041).
  if (!Usable() || last_status_[kConnectorId] == ChargePointStatus::kUnavailable ||
      last_status_[kConnectorId] == ChargePointStatus::kFaulted) {
    return;
  }
  if (authorizing_) return;  // one card at a time
  if (session_id_tag_) {
    // A5: the same card again before plug-in cancels (B1); another is ignored.
    if (codec::EqualsIgnoreAsciiCase(*session_id_tag_, id_tag)) {
      DropAuthorization();
      Update();
    }
    return;
  }
  // The status changes only once the tag is accepted (Authorize, then
  // Preparing); a refused tag changes nothing (TC_023).
  authorizing_ = true;
  Authorize(id_tag, [this, id_tag](bool accepted, std::optional<std::string> parent) {
    authorizing_ = false;
    if (accepted) {
      BeginSession(id_tag, parent);
    } else {
      Log("idTag " + id_tag + " not authorized");
    }
    Update();
  });
}

// ---------------------------------------------------------------------------
// Authorization

bool ChargePoint::OfflineAuthorization(const std::string& id_tag,
                                       std::optional<std::string>* parent) {
  const auto cached =
      config_.GetBool("AuthorizationCacheEnabled") ? cache_.Lookup(id_tag, Now()) : std::nullopt;
  if (cached) {
    *parent = cached->parent_id_tag;
    // Known tags are judged by their cached status, expired ones rejected.
    return config_.GetBool("LocalAuthorizeOffline") &&
           cached->status == v16::AuthorizationStatus::kAccepted;
  }
  return config_.GetBool("AllowOfflineTxForUnknownId");
}

void ChargePoint::Authorize(const std::string& id_tag, AuthResult done) {
  const bool cache_enabled = config_.GetBool("AuthorizationCacheEnabled");
  if (registration_ != Registration::kAccepted || !rpc_->connected()) {
    std::optional<std::string> parent;
    const bool ok = OfflineAuthorization(id_tag, &parent);
    return done(ok, parent);
  }
  if (config_.GetBool("LocalPreAuthorize") && cache_enabled) {
    if (auto cached = cache_.Lookup(id_tag, Now());
        cached && cached->status == v16::AuthorizationStatus::kAccepted) {
      return done(true, cached->parent_id_tag);  // no waiting for Authorize.conf
    }
  }
  v16::AuthorizeReq req;
  req.id_tag = Ci<20>(id_tag);
  std::weak_ptr<bool> alive = alive_;
  rpc_->Call(
      req, [this, alive, id_tag, done, cache_enabled](CallOutcome<v16::AuthorizeConf> outcome) {
        if (alive.expired()) return;
        if (auto* conf = std::get_if<v16::AuthorizeConf>(&outcome)) {
          if (cache_enabled) cache_.Update(id_tag, conf->id_tag_info, Now());
          std::optional<std::string> parent;
          if (conf->id_tag_info.parent_id_tag) parent = conf->id_tag_info.parent_id_tag->ToString();
          return done(conf->id_tag_info.status == v16::AuthorizationStatus::kAccepted, parent);
        }
        // No answer: decide as if offline (section 3.5.4).
        std::optional<std::string> parent;
        const bool ok = OfflineAuthorization(id_tag, &parent);
        done(ok, parent);
      });
}

void ChargePoint::BeginSession(const std::string& id_tag, std::optional<std::string> parent) {
  if (tx_ || !Usable()) return;
  session_id_tag_ = id_tag;
  session_parent_ = std::move(parent);
  if (hal::VehicleConnected(pilot_)) {
    if (finishing_) {
      // F2: Finishing -> Preparing is reported before the new transaction.
      SetFinishing(false);
      Update();
    }
    TryStartTransaction();
  } else {
    ArmConnectionTimeout();  // waiting for the plug (A2 via idTag)
  }
  Update();
}

void ChargePoint::DropAuthorization() {
  session_id_tag_.reset();
  session_parent_.reset();
  if (connection_timer_ != 0) deps_.loop.CancelTimer(connection_timer_);
  connection_timer_ = 0;
}

void ChargePoint::ArmConnectionTimeout() {
  if (connection_timer_ != 0) deps_.loop.CancelTimer(connection_timer_);
  std::weak_ptr<bool> alive = alive_;
  const std::int64_t seconds = config_.GetInt("ConnectionTimeOut");
  connection_timer_ = deps_.loop.AddTimer(Milliseconds(seconds * 1000), [this, alive] {
    if (alive.expired()) return;
    connection_timer_ = 0;
    if (tx_) return;
    // B1: the cable was not plugged in in time (errata 3.76).
    DropAuthorization();
    Update();
  });
}

// ---------------------------------------------------------------------------
// Transactions

std::int64_t ChargePoint::ReadEnergyWh() {
  return deps_.hardware.energy_meter().ReadEnergyActiveImportWh().value_or(tx_ ? tx_->meter_start_wh
                                                                               : 0);
}

void ChargePoint::Enqueue(TransactionMessageKind kind, const std::string& action,
                          const std::string& payload, std::int64_t local_id) {
  auto seq = queue_->Enqueue(kind, action, payload, local_id);
  if (!seq.ok()) Log("could not queue " + action + ": " + seq.status().message());
  sender_->Kick();
}

void ChargePoint::TryStartTransaction() {
  if (tx_ || !session_id_tag_ || !hal::VehicleConnected(pilot_) || !Usable()) return;
  auto local_id = queue_->AllocateLocalTransactionId();
  if (!local_id.ok()) {
    Log("cannot start a transaction: " + local_id.status().message());
    return;
  }
  if (connection_timer_ != 0) deps_.loop.CancelTimer(connection_timer_);
  connection_timer_ = 0;
  Transaction tx;
  tx.local_id = *local_id;
  tx.id_tag = *session_id_tag_;
  tx.parent_id_tag = session_parent_;
  tx.started = Now();
  tx.meter_start_wh = ReadEnergyWh();
  tx.sample_base = deps_.loop.clock().Now();
  tx.sample_base_time = tx.started;
  tx_ = std::move(tx);
  session_id_tag_.reset();
  session_parent_.reset();
  SetFinishing(false);
  // Persist before the message exists, so a power cut can always stop it.
  PersistTransaction();
  v16::StartTransactionReq start;
  start.connector_id = kConnectorId;
  start.id_tag = Ci<20>(tx_->id_tag);
  start.meter_start = static_cast<std::int32_t>(tx_->meter_start_wh);
  start.timestamp = tx_->started;
  Enqueue(TransactionMessageKind::kStart, "StartTransaction", codec::EncodeJson(start),
          tx_->local_id);
  if (!config_.GetList("StopTxnSampledData").empty()) {
    AddStopData(Sample(v16::ReadingContext::kTransactionBegin,
                       config_.GetList("StopTxnSampledData"), tx_->started));
  }
  ScheduleSampledMeterValues();
  Update();
}

void ChargePoint::OnStartAccepted(std::int64_t local_id, const v16::StartTransactionConf& conf) {
  const std::string& id_tag = tx_ && tx_->local_id == local_id ? tx_->id_tag : std::string();
  if (!id_tag.empty() && config_.GetBool("AuthorizationCacheEnabled")) {
    cache_.Update(id_tag, conf.id_tag_info, Now());
  }
  if (!tx_ || tx_->local_id != local_id) return;  // already stopped
  if (conf.id_tag_info.status == v16::AuthorizationStatus::kAccepted) {
    tx_->confirmed = true;
    if (conf.id_tag_info.parent_id_tag) {
      tx_->parent_id_tag = conf.id_tag_info.parent_id_tag->ToString();
    }
    PersistTransaction();
  } else if (config_.GetBool("StopTransactionOnInvalidId")) {
    StopTransaction(v16::Reason::kDeAuthorized, std::nullopt);
  } else {
    tx_->suspended_evse = true;  // C5: only the energy stops
  }
  Update();
}

void ChargePoint::StopTransaction(v16::Reason reason, std::optional<std::string> id_tag) {
  if (!tx_) return;
  const codec::DateTime now = Now();
  const std::int64_t meter_stop = ReadEnergyWh();
  if (!config_.GetList("StopTxnSampledData").empty()) {
    AddStopData(
        Sample(v16::ReadingContext::kTransactionEnd, config_.GetList("StopTxnSampledData"), now));
  }
  v16::StopTransactionReq stop;
  stop.transaction_id =
      static_cast<std::int32_t>(runtime::kUnknownTransactionId);  // queue binds it
  stop.meter_stop = static_cast<std::int32_t>(meter_stop);
  stop.timestamp = now;
  // idTag is "the identifier which requested to stop" (section 6.49): only
  // when a card stopped it. The reason is always sent, Local too (product).
  if (id_tag) stop.id_tag = Ci<20>(*id_tag);
  stop.reason = reason;
  if (!tx_->stop_data.empty()) stop.transaction_data = tx_->stop_data;
  const std::int64_t local_id = tx_->local_id;
  tx_.reset();
  // Queue first, then forget the transaction: a crash in between sends the
  // stop twice at worst (PowerLoss recovery sees no record only after this).
  Enqueue(TransactionMessageKind::kStop, "StopTransaction", codec::EncodeJson(stop), local_id);
  (void)deps_.store.Delete(kTransactionKey);
  if (sample_timer_ != 0) deps_.loop.CancelTimer(sample_timer_);
  sample_timer_ = 0;
  SetFinishing(hal::VehicleConnected(pilot_));  // user action needed: unplug (C6)
  // A scheduled ChangeAvailability takes effect now when no user action is
  // needed (C8/D8/E8), else once the EV is unplugged (F8).
  if (scheduled_operative_ && !finishing_) ApplyScheduledAvailability();
  Update();
}

void ChargePoint::ApplyScheduledAvailability() {
  const bool operative = *scheduled_operative_;
  scheduled_operative_.reset();
  (void)deps_.store.Delete(kScheduledKey);
  for (int c = 0; c <= 1; ++c) {
    operative_[c] = operative;
    (void)deps_.store.Put(std::string(kAvailabilityKey) + std::to_string(c),
                          operative ? "true" : "false");
  }
}

void ChargePoint::PersistTransaction(std::optional<codec::DateTime> reading_time) {
  if (!tx_) return;
  last_persisted_ = deps_.loop.clock().Now();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("local_id");
  w.Int64(tx_->local_id);
  w.Key("id_tag");
  w.String(tx_->id_tag.c_str());
  w.Key("meter_start");
  w.Int64(tx_->meter_start_wh);
  w.Key("last_meter");
  w.Int64(ReadEnergyWh());
  w.Key("last_time");
  w.Int64(reading_time.value_or(Now()).unix_millis());
  w.EndObject();
  (void)deps_.store.Put(kTransactionKey, buffer.GetString());
}

void ChargePoint::RecoverInterruptedTransaction() {
  auto stored = deps_.store.Get(kTransactionKey);
  if (!stored.ok()) return;
  rapidjson::Document doc;
  doc.Parse(stored->c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("local_id") ||
      !doc["local_id"].IsInt64() || !doc.HasMember("last_meter") || !doc["last_meter"].IsInt64() ||
      !doc.HasMember("last_time") || !doc["last_time"].IsInt64() || !doc.HasMember("id_tag") ||
      !doc["id_tag"].IsString()) {
    Log("discarding an unreadable interrupted-transaction record");
    (void)deps_.store.Delete(kTransactionKey);
    return;
  }
  // No backup power: the transaction ended when the power went (TC_032_2),
  // with the last reading we persisted.
  v16::StopTransactionReq stop;
  stop.transaction_id = static_cast<std::int32_t>(runtime::kUnknownTransactionId);
  stop.meter_stop = static_cast<std::int32_t>(doc["last_meter"].GetInt64());
  stop.timestamp = codec::DateTime::FromUnixMillis(doc["last_time"].GetInt64());
  stop.reason = v16::Reason::kPowerLoss;  // the station stopped it: no idTag
  // The power may have gone between queueing a stop and forgetting the
  // transaction (here or in StopTransaction): then the stop is queued already.
  const std::int64_t local_id = doc["local_id"].GetInt64();
  bool already_stopped = false;
  for (const runtime::TransactionMessage& m : queue_->Messages()) {
    already_stopped |=
        m.kind == TransactionMessageKind::kStop && m.local_transaction_id == local_id;
  }
  if (!already_stopped) {
    Log("stopping the transaction interrupted by a power loss");
    Enqueue(TransactionMessageKind::kStop, "StopTransaction", codec::EncodeJson(stop), local_id);
  }
  (void)deps_.store.Delete(kTransactionKey);
  // The EV is still connected: the user has to unplug (checklist 1.10 item 5).
  SetFinishing(hal::VehicleConnected(pilot_));
}

void ChargePoint::SetFinishing(bool finishing) {
  if (finishing == finishing_) return;
  finishing_ = finishing;
  if (finishing) {
    (void)deps_.store.Put(kFinishingKey, "true");
  } else {
    (void)deps_.store.Delete(kFinishingKey);
  }
}

// ---------------------------------------------------------------------------
// Meter values

v16::MeterValue ChargePoint::Sample(v16::ReadingContext context,
                                    const std::vector<std::string>& measurands,
                                    codec::DateTime when) {
  v16::MeterValue value;
  value.timestamp = when;
  for (const std::string& measurand : measurands) {
    if (measurand != kEnergyRegister) continue;  // the only one this meter offers
    v16::SampledValue sv;
    sv.value = std::to_string(ReadEnergyWh());
    sv.context = context;
    sv.measurand = v16::Measurand::kEnergyActiveImportRegister;
    sv.location = v16::Location::kOutlet;
    sv.unit = v16::UnitOfMeasure::kWh;
    value.sampled_value.push_back(std::move(sv));
  }
  return value;
}

void ChargePoint::AddStopData(const v16::MeterValue& value) {
  if (!tx_ || value.sampled_value.empty()) return;
  tx_->stop_data.push_back(value);
  // StopTransactionMaxMeterValues: drop every other intermediate value,
  // never the first or the last (errata 3.89).
  const auto max = static_cast<std::size_t>(
      std::max<std::int64_t>(2, config_.GetInt("StopTransactionMaxMeterValues")));
  auto& data = tx_->stop_data;
  for (std::size_t i = 1; data.size() > max && i + 1 < data.size(); ++i) {
    data.erase(data.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void ChargePoint::ScheduleSampledMeterValues() {
  if (sample_timer_ != 0) deps_.loop.CancelTimer(sample_timer_);
  sample_timer_ = 0;
  const std::int64_t interval = config_.GetInt("MeterValueSampleInterval");
  if (interval <= 0 || !tx_) return;
  // Sample k is due k intervals after the start of the series, and carries
  // that time exactly: no drift, and evenly spaced timestamps (TC_070).
  const std::int64_t k = tx_->samples + 1;
  const base::SteadyTime due = tx_->sample_base + Milliseconds(k * interval * 1000);
  const base::SteadyTime now = deps_.loop.clock().Now();
  const Milliseconds delay =
      due > now ? std::chrono::duration_cast<Milliseconds>(due - now) : Milliseconds(0);
  std::weak_ptr<bool> alive = alive_;
  sample_timer_ = deps_.loop.AddTimer(delay, [this, alive, k, interval] {
    if (alive.expired()) return;
    sample_timer_ = 0;
    if (!tx_) return;
    tx_->samples = k;
    const codec::DateTime when =
        codec::DateTime::FromUnixMillis(tx_->sample_base_time.unix_millis() + k * interval * 1000);
    v16::MeterValue value = Sample(v16::ReadingContext::kSamplePeriodic,
                                   config_.GetList("MeterValuesSampledData"), when);
    if (!value.sampled_value.empty()) {
      v16::MeterValuesReq req;
      req.connector_id = kConnectorId;
      req.transaction_id = static_cast<std::int32_t>(runtime::kUnknownTransactionId);
      req.meter_value.push_back(value);
      Enqueue(TransactionMessageKind::kMeterValues, "MeterValues", codec::EncodeJson(req),
              tx_->local_id);
    }
    AddStopData(
        Sample(v16::ReadingContext::kSamplePeriodic, config_.GetList("StopTxnSampledData"), when));
    PersistTransaction(when);  // the reading a power cut would stop with
    ScheduleSampledMeterValues();
  });
}

void ChargePoint::ScheduleClockAlignedMeterValues() {
  if (aligned_timer_ != 0) deps_.loop.CancelTimer(aligned_timer_);
  aligned_timer_ = 0;
  const std::int64_t interval = config_.GetInt("ClockAlignedDataInterval");
  if (interval <= 0) return;
  // Intervals start at midnight UTC (section 9.1.5).
  const std::int64_t now_ms = Now().unix_millis();
  const std::int64_t day_ms = 86400000;
  const std::int64_t since_midnight = ((now_ms % day_ms) + day_ms) % day_ms;
  std::int64_t next = (since_midnight / (interval * 1000) + 1) * interval * 1000;
  if (next > day_ms) next = day_ms;
  const std::int64_t boundary_ms = now_ms - since_midnight + next;
  std::weak_ptr<bool> alive = alive_;
  aligned_timer_ =
      deps_.loop.AddTimer(Milliseconds(next - since_midnight), [this, alive, boundary_ms] {
        if (alive.expired()) return;
        aligned_timer_ = 0;
        const codec::DateTime boundary = codec::DateTime::FromUnixMillis(boundary_ms);
        v16::MeterValue value = Sample(v16::ReadingContext::kSampleClock,
                                       config_.GetList("MeterValuesAlignedData"), boundary);
        if (!value.sampled_value.empty()) {
          v16::MeterValuesReq req;
          req.connector_id = kConnectorId;
          req.meter_value.push_back(value);
          if (tx_) {
            req.transaction_id = static_cast<std::int32_t>(runtime::kUnknownTransactionId);
            Enqueue(TransactionMessageKind::kMeterValues, "MeterValues", codec::EncodeJson(req),
                    tx_->local_id);
          } else if (registration_ == Registration::kAccepted && rpc_->connected()) {
            rpc_->Call(req, [](CallOutcome<v16::MeterValuesConf>) {});  // not transaction-related
          }
        }
        AddStopData(Sample(v16::ReadingContext::kSampleClock, config_.GetList("StopTxnAlignedData"),
                           boundary));
        if (tx_) PersistTransaction(boundary);
        ScheduleClockAlignedMeterValues();
      });
}

// ---------------------------------------------------------------------------
// Status and outputs

ConnectorInputs ChargePoint::Inputs() const {
  ConnectorInputs in;
  in.pilot = pilot_;
  in.fault = fault_;
  in.station_operative = operative_[0];
  in.connector_operative = operative_[kConnectorId];
  in.transaction = tx_.has_value();
  in.suspended_evse = tx_ && tx_->suspended_evse;
  in.finishing = finishing_;
  in.authorization_waiting = session_id_tag_.has_value();
  in.reset_pending = reset_pending_;
  return in;
}

void ChargePoint::Update() {
  // Outputs first, in this same loop turn: the contactor is closed only for
  // an authorized transaction with the EV asking for energy (C or D).
  const ConnectorInputs in = Inputs();
  const bool close = ContactorClosed(in);
  hal::Contactor& contactor = deps_.hardware.contactor();
  if (close && !contactor.IsClosed()) contactor.Close();
  if (!close && contactor.IsClosed()) contactor.Open();
  deps_.hardware.control_pilot().SetPwmDutyPermille(PwmDutyPermille(in, options_.max_current_amps));
  const ChargePointStatus status = ConnectorStatus(in);
  const ChargePointStatus station_status = StationStatus(in);
  const ChargePointStatus previous[2] = {last_status_[0], last_status_[1]};
  last_status_[0] = station_status;
  last_status_[kConnectorId] = status;
  for (int c = 0; c <= 1; ++c) {
    if (previous[c] != last_status_[c]) {
      status_since_[c] = Now();
      if (options_.callbacks.on_status) {
        options_.callbacks.on_status(c, last_status_[c], ToErrorCode(fault_));
      }
      ReportStatus(c, false);
    }
  }
}

void ChargePoint::ReportStatus(int connector, bool force) {
  if (!force && last_sent_[connector] == last_status_[connector]) return;
  if (status_timer_[connector] != 0) deps_.loop.CancelTimer(status_timer_[connector]);
  status_timer_[connector] = 0;
  const std::int64_t minimum = config_.GetInt("MinimumStatusDuration");
  if (force) return SendStatus(connector, Now());
  if (minimum <= 0) return SendStatus(connector, status_since_[connector]);
  // Report only states that last MinimumStatusDuration (section 9.1.17).
  std::weak_ptr<bool> alive = alive_;
  status_timer_[connector] =
      deps_.loop.AddTimer(Milliseconds(minimum * 1000), [this, alive, connector] {
        if (alive.expired()) return;
        status_timer_[connector] = 0;
        // Stamped with the time the status began (section 4.9).
        if (last_sent_[connector] != last_status_[connector]) {
          SendStatus(connector, status_since_[connector]);
        }
      });
}

void ChargePoint::SendStatus(int connector, codec::DateTime timestamp, std::function<void()> done) {
  if (registration_ != Registration::kAccepted || !rpc_->connected()) {
    if (done) done();
    return;  // sent on (re)connect
  }
  v16::StatusNotificationReq req;
  req.connector_id = connector;
  req.status = last_status_[connector];
  req.error_code = ToErrorCode(fault_);
  if (connector == kConnectorId &&
      (pilot_ == hal::PilotState::kE || pilot_ == hal::PilotState::kF) &&
      fault_ == hal::Fault::kNoError) {
    req.error_code = v16::ChargePointErrorCode::kOtherError;
    req.info =
        Ci<50>(pilot_ == hal::PilotState::kE ? "Control pilot state E" : "Control pilot state F");
  }
  if (connector == 0 && fault_ != hal::Fault::kInternalError) {
    req.error_code = v16::ChargePointErrorCode::kNoError;  // not a fault of the main controller
  }
  req.timestamp = timestamp;
  last_sent_[connector] = req.status;
  std::weak_ptr<bool> alive = alive_;
  rpc_->Call(req, [this, alive, connector, status = req.status,
                   done = std::move(done)](CallOutcome<v16::StatusNotificationConf> outcome) {
    if (alive.expired()) return;
    if (std::holds_alternative<v16::StatusNotificationConf>(outcome)) {
      last_acked_[connector] = status;
    }
    if (done) done();
  });
}

}  // namespace ocpp::station
