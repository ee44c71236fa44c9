#include "station/fleet/fleet_member.h"

#include "hal/sim/data_dir.h"
#include "station/fleet/fleet.h"

namespace ocpp::station::fleet {

namespace {

// How long a station waits for the close handshake at a Reset before it
// reboots anyway (the transport gives up after 5 s itself).
constexpr int kRebootCloseChecks = 120;
constexpr base::Milliseconds kRebootCloseCheck{50};
// From the stopping card to unplugging.
constexpr base::Milliseconds kUnplugDelay{1000};
// A plan step that falls into a reboot is tried again this much later.
constexpr base::Milliseconds kRetryStep{1000};

// Enough for the station's transactions (a key or a queue record: a few
// B-tree pages); SQLite's default would let each station cache up to 2 MB,
// read once and kept (about 190 KiB each after a first boot).
constexpr int kCachePages = 4;

// No syncs while the fleet runs, unless --fsync every-commit: one thread
// serves every station, and each station's fsync would stall all the others
// (a first boot is about 15). main syncs the data dir once at the stop.
// Without syncs, a rollback journal and small pages: 47 KiB less heap per
// station than the firmware's write-ahead log (the log's index alone is 32).
hal::SqliteStorage::Options StorageOptions(const FleetFlags& flags) {
  using Options = hal::SqliteStorage::Options;
  Options options;
  options.cache_pages = kCachePages;
  if (flags.fsync_every_commit) {
    options.durability = Options::Durability::kEveryCommit;
    return options;
  }
  options.durability = Options::Durability::kOwnerSyncs;
  options.journal = Options::Journal::kRollback;
  options.small_pages = true;  // a station's records are small
  return options;
}

}  // namespace

FleetMember::FleetMember(Fleet& fleet, std::uint64_t index)
    : fleet_(fleet),
      index_(index),
      id_(StationId(fleet.flags().id_prefix, index)),
      card_(CardId(fleet.flags().id_prefix, index)),
      data_dir_(fleet.flags().data_dir + "/" + id_),
      plan_(fleet.flags().seed, index,
            PlanOptions{fleet.flags().idle_mean_s, fleet.flags().charge_mean_s}),
      alive_(std::make_shared<FleetMember*>(this)) {}

FleetMember::~FleetMember() {
  CancelTimer();
  Teardown();
}

void FleetMember::Boot() {
  const FleetFlags& flags = fleet_.flags();
  hal::SqliteStorage::OpenReport report;
  auto storage = hal::SqliteStorage::Open(data_dir_, StorageOptions(flags), &report);
  if (!storage.ok()) {
    fleet_.Log(LogLevel::kError, id_, "unusable data dir: " + storage.status().message());
    return;
  }
  storage_ = std::move(*storage);
  if (!hardware_) {
    hal::sim::SimHardware::Options hw;
    hw.connectors = 1;
    hw.power_draw_w = flags.power_w;
    hw.initial_energy_wh.push_back(
        hal::sim::ReadMeterRegister(hal::sim::MeterRegisterPath(data_dir_, 1)));
    hw.system_info.charge_point_serial_number = id_.substr(0, 25);
    hardware_ = std::make_unique<hal::sim::SimHardware>(fleet_.loop().clock(), hw);
    hardware_->sim_connector(1).SetRegisterPersistence(
        [path = hal::sim::MeterRegisterPath(data_dir_, 1)](std::int64_t wh) {
          return hal::sim::WriteMeterRegister(path, wh);
        });
    std::weak_ptr<FleetMember*> weak = alive_;
    runtime::LwsEventLoop& loop = fleet_.loop();
    hardware_->SetPoster([weak, &loop](std::function<void()> task) {
      loop.Post([weak, task = std::move(task)] {
        if (weak.lock()) task();
      });
    });
    hardware_->SetRebootHandler([weak, &loop](hal::RebootKind) {
      loop.Post([weak] {
        if (auto self = weak.lock()) (*self)->Reboot();
      });
    });
  }

  runtime::WsClientTransport::Options t;
  t.central_system_url = flags.csms;
  t.charge_point_id = id_;
  t.max_message_bytes = ChargePoint::kMaxIncomingMessageBytes;
  t.random_seed = ReconnectSeed(flags.seed, index_);
  const bool tls = flags.csms.rfind("wss://", 0) == 0;
  if (!flags.password.empty()) {
    t.security_profile =
        tls ? runtime::SecurityProfile::kTlsWithBasicAuth : runtime::SecurityProfile::kBasicAuth;
    t.authorization_key = flags.password;
  } else if (tls) {
    t.security_profile = runtime::SecurityProfile::kTlsWithBasicAuth;
  }
  t.ca_file = flags.ca_file;
  std::string error;
  transport_ = runtime::WsClientTransport::Create(fleet_.loop(), t, &error);
  if (!transport_) {
    fleet_.Log(LogLevel::kError, id_, "cannot create the transport: " + error);
    Teardown();
    return;
  }

  ChargePoint::Options options;
  options.factory_config = fleet_.factory();
  options.storage_problems = report.warnings;
  options.callbacks.log_at_level = [this](LogLevel level, std::string_view line) {
    fleet_.Log(level, id_, line);
  };
  options.callbacks.on_frame = [this](runtime::TraceDirection dir, std::string_view frame) {
    OnFrame(dir, frame);
  };
  options.callbacks.on_connection = [this](bool connected) {
    if (connected == connected_) return;
    connected_ = connected;
    fleet_.OnConnection(connected, connected && ever_connected_);
    if (connected) ever_connected_ = true;
    if (!connected) calls_.Clear();
  };
  options.callbacks.set_authorization_key = [this](std::string key) {
    return transport_->SetAuthorizationKey(std::move(key));
  };
  options.callbacks.set_ping_interval = [this](std::chrono::seconds interval) {
    return transport_->SetPingInterval(interval);
  };
  ChargePoint::Dependencies deps{fleet_.loop(), *transport_, *hardware_,
                                 *storage_,     *storage_,   storage_.get()};
  std::vector<std::string> warnings;
  auto cp = ChargePoint::Create(deps, options, &warnings);
  for (const auto& w : warnings) fleet_.Log(LogLevel::kWarning, id_, "--config: " + w);
  if (!cp.ok()) {
    fleet_.Log(LogLevel::kError, id_, "cannot start the station: " + cp.status().message());
    Teardown();
    return;
  }
  cp_ = std::move(*cp);
  if (phase_ == Phase::kOff) phase_ = Phase::kWaitingForAcceptance;
  cp_->Start();
}

void FleetMember::OnFrame(runtime::TraceDirection dir, std::string_view frame) {
  const FrameHead head = ParseFrameHead(frame);
  const auto now = fleet_.loop().clock().Now();
  if (dir == runtime::TraceDirection::kSent) {
    if (head.type == 2) {
      fleet_.OnCallSent();
      calls_.OnCallSent(head.id, head.action, now);
    } else if (head.type == 4) {
      fleet_.OnCallError();  // the station refused a CALL of the central system
    }
    return;
  }
  if (head.type != 3 && head.type != 4) return;
  const CallTracker::Answer answer = calls_.OnAnswer(head.id, head.type == 4, now);
  if (!answer.matched) return;
  fleet_.OnAnswer(answer);
  if (answer.action == CallTracker::Action::kBootNotification && !answer.error) {
    // The ChargePoint handles the answer after this trace: look afterwards.
    std::weak_ptr<FleetMember*> weak = alive_;
    fleet_.loop().Post([weak] {
      if (auto self = weak.lock()) (*self)->CheckAccepted();
    });
  }
}

void FleetMember::CheckAccepted() {
  if (!cp_ || !cp_->registered()) return;
  if (!accepted_) {
    accepted_ = true;
    fleet_.OnAccepted();
  }
  if (phase_ == Phase::kWaitingForAcceptance && !fleet_.stopping()) StartIdle();
}

void FleetMember::StartIdle() {
  cycle_ = plan_.Next();
  phase_ = Phase::kIdle;
  SetTimer(cycle_.idle, &FleetMember::PlugIn);
}

// Plug in (pilot C: the EV asks for energy) and present the card.
void FleetMember::PlugIn() {
  phase_ = Phase::kCharging;
  hal::sim::SimConnector& connector = hardware_->sim_connector(1);
  connector.SetPowerDrawW(fleet_.flags().power_w);
  connector.SetPilotState(hal::PilotState::kC);
  hardware_->PresentTag(card_);
  SetTimer(cycle_.charge, &FleetMember::StopCharging);
}

// The same card again ends the transaction; without one (the start was
// refused) there is nothing to stop.
void FleetMember::StopCharging() {
  phase_ = Phase::kUnplugging;
  if (cp_->transaction_active(1)) hardware_->PresentTag(card_);
  SetTimer(kUnplugDelay, &FleetMember::Unplug);
}

void FleetMember::Unplug() {
  hardware_->sim_connector(1).SetPilotState(hal::PilotState::kA);
  StartIdle();
}

void FleetMember::SetTimer(base::Milliseconds delay, void (FleetMember::*step)()) {
  CancelTimer();
  timer_ = fleet_.loop().AddTimer(delay, [this, step] {
    timer_ = 0;
    if (!cp_) return SetTimer(kRetryStep, step);  // rebooting: the plan waits
    (this->*step)();
  });
}

void FleetMember::CancelTimer() {
  if (timer_ != 0) fleet_.loop().CancelTimer(timer_);
  timer_ = 0;
}

// A Reset (or a firmware install) asked for a reboot: close, reload from the
// data dir, boot again; the plan goes on from where it was.
void FleetMember::Reboot() {
  if (rebooting_ || fleet_.stopping()) return;
  rebooting_ = true;
  fleet_.Log(LogLevel::kInfo, id_, "reboot");
  ReleaseChargePoint();
  if (transport_) transport_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
  AwaitRebootClose(kRebootCloseChecks);
}

void FleetMember::AwaitRebootClose(int attempts_left) {
  if (transport_ && !transport_->IsStopped() && attempts_left > 0 && !fleet_.stopping()) {
    std::weak_ptr<FleetMember*> weak = alive_;
    fleet_.loop().AddTimer(kRebootCloseCheck, [weak, attempts_left] {
      if (auto self = weak.lock()) (*self)->AwaitRebootClose(attempts_left - 1);
    });
    return;
  }
  rebooting_ = false;
  if (fleet_.stopping()) return;
  Teardown();
  Boot();
}

// The charge point goes before the transport closes (its state is already
// stored): while a closing transport refuses Send(), a queued transaction
// message would otherwise be retried at once, over and over, on the stack
// (TransactionMessageSender::Kick <-> RpcEndpoint::SendNext, see docs/fleet.md).
void FleetMember::BeginStop() {
  CancelTimer();
  phase_ = Phase::kStopped;
  ReleaseChargePoint();
  if (transport_) transport_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
}

void FleetMember::ReleaseChargePoint() {
  if (connected_) {
    connected_ = false;
    fleet_.OnConnection(false, false);
  }
  calls_.Clear();
  cp_.reset();
}

bool FleetMember::IsStopped() const { return !transport_ || transport_->IsStopped(); }

void FleetMember::Destroy() {
  CancelTimer();
  if (hardware_) (void)hardware_->sim_connector(1).ReadEnergyActiveImportWh();  // persists it
  Teardown();
}

void FleetMember::Teardown() {
  ReleaseChargePoint();
  transport_.reset();
  storage_.reset();
}

}  // namespace ocpp::station::fleet
