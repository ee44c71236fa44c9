#include "station/charge_point.h"

#include "station/authorization/authorization.h"
#include "station/authorization/authorization_cache.h"
#include "station/authorization/local_list.h"
#include "station/availability.h"
#include "station/connectors/connectors.h"
#include "station/connectors/status_reporter.h"
#include "station/context.h"
#include "station/core_services.h"
#include "station/firmware/diagnostics.h"
#include "station/firmware/firmware_update.h"
#include "station/metering/metering.h"
#include "station/outbox.h"
#include "station/registration.h"
#include "station/remote_trigger.h"
#include "station/reservations.h"
#include "station/reset.h"
#include "station/security/certificate_store.h"
#include "station/security/charge_point_certificate.h"
#include "station/security/log_upload.h"
#include "station/security/security_events.h"
#include "station/security/security_profile.h"
#include "station/smart_charging/smart_charging.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

// The hardware's reboot, preceded by the ResetOrReboot security event.
class ReportingSystemControl final : public hal::SystemControl {
 public:
  ReportingSystemControl(hal::SystemControl& inner, SecurityEvents& events)
      : inner_(inner), events_(events) {}
  void RequestReboot(hal::RebootKind kind) override {
    events_.Report("ResetOrReboot", kind == hal::RebootKind::kHard ? "hard" : "soft");
    // Sent before the reboot when possible (else it goes after it).
    events_.WhenDelivered(base::Milliseconds(5000), [this, kind] { inner_.RequestReboot(kind); });
  }

 private:
  hal::SystemControl& inner_;
  SecurityEvents& events_;
};

base::Result<std::unique_ptr<ChargePoint>> ChargePoint::Create(Dependencies deps, Options options,
                                                               std::vector<std::string>* warnings) {
  // Everything Create stores (configuration, queue, recovery) is one group.
  hal::ScopedWriteGroup group(deps.write_grouping);
  // NumberOfConnectors is what the hardware has, whatever was configured.
  const std::map<std::string, std::string> facts = {
      {std::string(keys::kNumberOfConnectors.name),
       std::to_string(deps.hardware.connector_count())},
      {std::string(keys::kSupportedFeatureProfiles.name), FeatureProfiles(deps)}};
  Configuration config = Configuration::Load(deps.store, options.factory_config, facts, warnings);
  std::unique_ptr<ChargePoint> cp(new ChargePoint(deps, std::move(options), std::move(config)));
  ChargePoint* raw = cp.get();
  auto outbox = Outbox::Open(*cp->context_, deps.message_log,
                             [raw](bool degraded) { raw->OnStorageDegraded(degraded); });
  if (!outbox.ok()) return outbox.status();
  cp->outbox_ = std::move(*outbox);
  cp->Wire();
  return cp;
}

std::string ChargePoint::FeatureProfiles(const Dependencies& deps) {
  const bool firmware = deps.file_transfer && deps.firmware_installer && deps.diagnostics_log;
  return std::string("Core,") + (firmware ? "FirmwareManagement," : "") +
         "LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger";
}

ChargePoint::ChargePoint(Dependencies deps, Options options, Configuration config)
    : deps_(deps), options_(std::move(options)), config_(std::move(config)) {
  runtime::RpcEndpoint::Options rpc_options;
  rpc_options.role = runtime::Role::kChargePoint;
  rpc_options.response_timeout = options_.response_timeout;
  // Masked wherever a frame is traced (the trace callback, station_sim's
  // JSON lines): the runtime knows no configuration key itself.
  rpc_options.secret_configuration_keys = {std::string(keys::kAuthorizationKey.name)};
  // Every profile is "offered" at the RPC level so the few non-Core calls
  // OCTT expects a defined answer to reach their handlers; any action
  // without a handler is answered NotSupported.
  rpc_ = std::make_unique<runtime::RpcEndpoint>(
      deps_.loop, [this](std::string frame) { return deps_.transport.Send(std::move(frame)); },
      rpc_options);
  context_ = std::make_unique<StationContext>(
      deps_.loop, *rpc_, config_, deps_.store,
      [this](LogLevel level, std::string_view line) {
        // Kept on storage for GetDiagnostics.
        if (deps_.diagnostics_log && context_) {
          deps_.diagnostics_log->Append(context_->Now().unix_millis(), line);
        }
        if (options_.callbacks.log_at_level) {
          options_.callbacks.log_at_level(level, line);
        } else if (options_.callbacks.log) {
          options_.callbacks.log(line);
        }
      },
      deps_.write_grouping);
  cache_ = std::make_unique<AuthorizationCache>(deps_.store);
}

// Builds the modules in dependency order and connects their events.
void ChargePoint::Wire() {
  StationContext& ctx = *context_;
  rpc_->SetTrace([this](runtime::TraceDirection d, std::string_view masked) {
    // Passwords in file-transfer URLs are never traced nor logged.
    const std::string frame = masked.find("://") == std::string_view::npos
                                  ? std::string(masked)
                                  : runtime::RedactCredentials(masked);
    if (options_.callbacks.on_frame) options_.callbacks.on_frame(d, frame);
    // The frames (secrets masked) are what diagnostics are most often for.
    if (deps_.diagnostics_log) {
      deps_.diagnostics_log->Append(
          context_->Now().unix_millis(),
          std::string(d == runtime::TraceDirection::kSent ? "tx " : "rx ") + frame);
    }
  });
  // Every frame the runtime drops comes with its reason at warning level.
  rpc_->SetLog([this](runtime::RpcEndpoint::LogLevel level, std::string_view line) {
    context_->Log("rpc: " + std::string(line), level == runtime::RpcEndpoint::LogLevel::kWarning
                                                   ? LogLevel::kWarning
                                                   : LogLevel::kInfo);
  });
  // Security whitepaper: frames that are no valid OCPP-J, once per connection.
  rpc_->SetInvalidMessageObserver([this](std::string_view why) {
    if (invalid_message_reported_ || !security_) return;
    invalid_message_reported_ = true;
    security_->Report("InvalidMessages", why);
  });
  // Nothing but BootNotification before the central system accepted us
  // (section 4.2), and nothing at all while Rejected.
  rpc_->SetSendGate([this](v16::Action action) {
    return context_->registration() == RegistrationState::kAccepted ||
           action == v16::Action::kBootNotification;
  });
  rpc_->SetIncomingGate(
      [this] { return context_->registration() != RegistrationState::kRejected; });

  reporter_ = std::make_unique<StatusReporter>(ctx, deps_.hardware.connector_count(),
                                               options_.callbacks.on_status);
  connectors_ = std::make_unique<Connectors>(ctx, deps_.hardware, *reporter_);
  registration_ = std::make_unique<Registration>(ctx, deps_.hardware.system_info(),
                                                 [this](bool boot) { OnOnline(boot); });
  authorization_ = std::make_unique<Authorization>(ctx, *cache_);
  local_list_ = std::make_unique<LocalAuthList>(ctx);
  authorization_->AddSourceFirst(*local_list_);
  // Section 3.5.2: a conflict is told on connector 0 until a new list comes.
  authorization_->SetConflictObserver([this](const std::string& id_tag) {
    context_->Log("local list conflict: the central system's answer for " + id_tag +
                      " differs from the local list",
                  LogLevel::kWarning);
    connectors_->set_local_list_conflict(true);
    connectors_->Refresh();
  });
  local_list_->SetUpdatedObserver([this] {
    connectors_->set_local_list_conflict(false);
    connectors_->Refresh();
  });
  transactions_ = std::make_unique<Transactions>(ctx, *connectors_, *authorization_, *outbox_);
  metering_ = std::make_unique<Metering>(ctx, *connectors_, *transactions_, *outbox_);
  availability_ = std::make_unique<Availability>(ctx, *connectors_, *transactions_);
  security_ =
      std::make_unique<SecurityEvents>(ctx, deps_.security_log, options_.security_extension);
  system_control_ =
      std::make_unique<ReportingSystemControl>(deps_.hardware.system_control(), *security_);
  ctx.SetClockObserver([this](std::int64_t shift_ms) {
    security_->Report("SettingSystemTime", "shifted by " + std::to_string(shift_ms / 1000) +
                                               " s to the central system's");
  });
  config_.Subscribe(keys::kAuthorizationKey, [this] {
    security_->Report("ReconfigurationOfSecurityParameters", "AuthorizationKey");
  });
  certificates_ = std::make_unique<CertificateStore>(
      ctx, *security_, CertificateStore::Hooks{options_.callbacks.set_trusted_roots, [this] {
                                                 // Profiles 2 and 3 verify the server against them.
                                                 return config_.Get(keys::kSecurityProfile) >= 2;
                                               }});
  const auto& profiles = options_.callbacks.security_profiles;
  profile_switch_ = std::make_unique<SecurityProfileSwitch>(
      ctx, *certificates_, *security_,
      SecurityProfileSwitch::Hooks{profiles.available, profiles.factory_trust_anchors,
                                   profiles.switch_to});
  if (deps_.credentials) {
    own_certificate_ = std::make_unique<ChargePointCertificate>(
        ctx, *deps_.credentials, *certificates_, *security_,
        ChargePointCertificate::Hooks{options_.charge_point_identity,
                                      options_.callbacks.set_client_certificate});
  }
  reset_ = std::make_unique<Reset>(ctx, *connectors_, *transactions_, *outbox_, *system_control_,
                                   Reset::Timing{options_.reset_grace, options_.reboot_timeout});
  smart_charging_ = std::make_unique<SmartCharging>(ctx, *connectors_, *transactions_);
  connectors_->SetCurrentLimits(smart_charging_.get());
  transactions_->SetRemoteStartProfileCheck([this](const v16::ChargingProfile& profile) {
    return smart_charging_->AcceptsRemoteStartProfile(profile);
  });
  reservations_ = std::make_unique<Reservations>(ctx, *connectors_);
  connectors_->SetReservations(reservations_.get());
  transactions_->SetReservationGate(reservations_.get());
  if (deps_.file_transfer && deps_.firmware_installer && deps_.diagnostics_log) {
    firmware_ = std::make_unique<FirmwareUpdate>(ctx, *connectors_, *transactions_,
                                                 deps_.hardware.system_info(), *system_control_,
                                                 *deps_.firmware_installer, *deps_.file_transfer);
    firmware_->SetUpdatedObserver(
        [this](const std::string& version) { security_->Report("FirmwareUpdated", version); });
    firmware_->EnableSignedUpdates(FirmwareUpdate::SignedUpdates{
        [this] {
          return certificates_->Installed(
              v16::CertificateUseEnumType::kManufacturerRootCertificate);
        },
        [this](std::string_view type, std::string_view info) {
          security_->Report(type, info, /*notify=*/true);  // L01.FR.02, L01.FR.03
        }});
    log_upload_ = std::make_unique<LogUpload>(ctx, deps_.diagnostics_log, deps_.security_log,
                                              *deps_.file_transfer,
                                              deps_.firmware_installer->DownloadDirectory());
    diagnostics_ = std::make_unique<Diagnostics>(ctx, *deps_.diagnostics_log, *deps_.file_transfer,
                                                 deps_.firmware_installer->DownloadDirectory());
  }
  remote_trigger_ = std::make_unique<RemoteTrigger>(
      ctx, connectors_->count(), *registration_, *reporter_, *metering_,
      RemoteTrigger::StatusSources{
          [this] { return firmware_ ? firmware_->CurrentStatus() : v16::FirmwareStatus::kIdle; },
          [this] {
            return diagnostics_ ? diagnostics_->CurrentStatus() : v16::DiagnosticsStatus::kIdle;
          },
          log_upload_ ? std::function<void()>([this] { log_upload_->SendCurrentStatus(); })
                      : std::function<void()>(),
          own_certificate_
              ? std::function<bool()>([this] { return own_certificate_->RequestSigning(); })
              : std::function<bool()>()});
  RegisterCoreServices(ctx, options_.callbacks.on_data_transfer,
                       ConnectionSettings{options_.callbacks.set_authorization_key,
                                          options_.callbacks.set_ping_interval});

  transactions_->SetEvents(Transactions::Events{
      [this](int c) {
        smart_charging_->OnTransactionStarted(c);
        metering_->OnTransactionStarted(c);
      },
      [this](int c, codec::DateTime now) { metering_->OnTransactionStopping(c, now); },
      [this](int c, bool finishing) {
        smart_charging_->OnTransactionStopped(c);
        availability_->OnTransactionStopped(c, finishing);
        if (firmware_) firmware_->OnTransactionStopped();
      }});
  connectors_->Attach(
      Connectors::Events{[this](int c, hal::PilotState before, hal::PilotState now) {
                           transactions_->OnPilot(c, before, now);
                           availability_->OnPilot(c, now);
                         },
                         [this](int c, hal::Fault) { transactions_->OnFault(c); }});
  deps_.hardware.rfid_reader().SetTagObserver([this](const std::string& tag) {
    context_->Post([this, tag] { transactions_->OnTag(tag); });
  });
  // Each frame and connection event is one write group.
  deps_.transport.SetCallbacks(
      runtime::Transport::Callbacks{[this] {
                                      hal::ScopedWriteGroup group(deps_.write_grouping);
                                      OnConnected();
                                    },
                                    [this](std::string_view text) {
                                      hal::ScopedWriteGroup group(deps_.write_grouping);
                                      rpc_->OnText(text);
                                    },
                                    [this](runtime::DisconnectReason reason) {
                                      hal::ScopedWriteGroup group(deps_.write_grouping);
                                      OnDisconnected(reason);
                                    }});

  for (const std::string& problem : options_.storage_problems) {
    context_->Log("storage: " + problem, LogLevel::kError);
  }
  if (!options_.storage_problems.empty()) {
    storage_lost_notice_ = true;
    connectors_->set_station_notice("Storage recovered: stored state lost");
  }
  transactions_->Recover();
  // A ChangeAvailability scheduled before a reboot or power cut whose
  // transaction is over now.
  availability_->ApplyDue();
}

ChargePoint::~ChargePoint() {
  if (context_) context_->CancelTimer(&poll_timer_);
  deps_.transport.SetCallbacks({});
  deps_.hardware.rfid_reader().SetTagObserver(nullptr);
  // Modules go in reverse order of construction (members below rpc_).
  if (connectors_) connectors_->SetCurrentLimits(nullptr);
  if (connectors_) connectors_->SetReservations(nullptr);
  if (transactions_) transactions_->SetReservationGate(nullptr);
  remote_trigger_.reset();
  log_upload_.reset();
  diagnostics_.reset();
  firmware_.reset();
  reservations_.reset();
  smart_charging_.reset();
  reset_.reset();
  availability_.reset();
  metering_.reset();
  transactions_.reset();
  authorization_.reset();
  local_list_.reset();  // a source of authorization_
  registration_.reset();
  connectors_.reset();
  reporter_.reset();
  outbox_.reset();
}

int ChargePoint::connector_count() const { return connectors_->count(); }

v16::ChargePointStatus ChargePoint::connector_status(int connector) const {
  return reporter_->status(connector);
}

bool ChargePoint::transaction_active(int connector) const {
  return transactions_->Active(connector) != nullptr;
}

std::optional<std::int64_t> ChargePoint::csms_transaction_id(int connector) const {
  return transactions_->CsmsTransactionId(connector);
}

bool ChargePoint::registered() const { return registration_->accepted(); }

codec::DateTime ChargePoint::Now() const { return context_->Now(); }

void ChargePoint::Start() {
  if (started_) return;
  started_ = true;
  security_->Report("StartupOfTheDevice");
  connectors_->Refresh();
  reporter_->ShowAll();
  SchedulePoll();
  metering_->Start();
  deps_.transport.Start();
}

void ChargePoint::Stop() { deps_.transport.Stop(); }

// Only for backends that cannot push their events.
void ChargePoint::SchedulePoll() {
  if (options_.poll_interval.count() <= 0) return;
  poll_timer_ = context_->AddTimer(options_.poll_interval, [this] {
    poll_timer_ = 0;
    deps_.hardware.Poll();
    SchedulePoll();
  });
}

void ChargePoint::OnConnected() {
  context_->Log("connected");
  if (options_.callbacks.on_connection) options_.callbacks.on_connection(true);
  rpc_->OnConnected();
  registration_->OnConnected();
  profile_switch_->OnConnected();
  invalid_message_reported_ = false;
  last_security_failure_.clear();
  outbox_->FinishStartupAfterIo();  // once the BootNotification is written
}

void ChargePoint::OnDisconnected(runtime::DisconnectReason reason) {
  context_->Log(std::string("disconnected: ") + runtime::ToString(reason));
  if (options_.callbacks.on_connection) options_.callbacks.on_connection(false);
  outbox_->SetReady(false);
  rpc_->OnDisconnected();
  rpc_->CancelPending();  // status and heartbeats are re-sent as needed on reconnect
  registration_->OnDisconnected();
  profile_switch_->OnDisconnected(reason == runtime::DisconnectReason::kClosedLocally);
  // Why a TLS or authentication attempt failed goes to the security log,
  // once per kind of failure rather than at every retry.
  const std::string failure = reason == runtime::DisconnectReason::kConnectFailed
                                  ? deps_.transport.SecurityFailure()
                                  : std::string();
  if (!failure.empty() && failure != last_security_failure_) security_->Report(failure);
  last_security_failure_ = failure;
  outbox_->FinishStartupAfterIo();  // a first attempt that failed
}

// After BootNotification Accepted or a reconnect: the StatusNotifications
// first, then the transaction queue (section 4.2, errata 3.22).
void ChargePoint::OnOnline(bool boot) {
  reporter_->ReportAll(boot, [this] {
    // After the StatusNotifications: the firmware's unsent statuses and,
    // after an activating reboot, Installed.
    if (firmware_ && context_->online()) firmware_->OnOnline();
    if (security_ && context_->online()) security_->OnOnline();
    if (own_certificate_ && context_->online()) own_certificate_->OnOnline();
    outbox_->SetReady(context_->online());
    // A lost storage is told once: connector 0 goes back to NoError.
    if (storage_lost_notice_ && context_->online()) {
      storage_lost_notice_ = false;
      connectors_->set_station_notice(std::nullopt);
      connectors_->Refresh();
    }
  });
  connectors_->Refresh();
}

// Told to the central system on connector 0 while it lasts.
void ChargePoint::OnStorageDegraded(bool degraded) {
  if (degraded && security_) security_->Report("MemoryExhaustion", "storage full");
  if (!connectors_) return;  // during Create: Wire() reports the state
  storage_lost_notice_ = false;
  connectors_->set_station_notice(
      degraded ? std::optional<std::string>("Storage full: messages at risk") : std::nullopt);
  connectors_->Refresh();
}

}  // namespace ocpp::station
