// station_sim: the station firmware with the simulated HAL, driven through
// the interface in docs/station-sim.md (copied from the shared contract):
// command-line flags, control commands on stdin, JSON lines on stdout,
// human-readable logs on stderr.
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "base/clock.h"
#include "hal/linux/file_credential_store.h"
#include "hal/linux/file_diagnostics_log.h"
#include "hal/linux/sqlite_storage.h"
#include "hal/sim/data_dir.h"
#include "hal/sim/sim_commands.h"
#include "hal/sim/sim_firmware.h"
#include "hal/sim/sim_hardware.h"
#include "runtime/curl_file_transfer.h"
#include "runtime/json_reserialize.h"
#include "runtime/lws_event_loop.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"
#include "station/config/config_keys.h"
#include "station/security/charge_point_certificate.h"
#include "station/sim/sim_connection.h"
#include "station/sim/sim_flags.h"

namespace {

using namespace ocpp;

using station::sim::Die;
using station::sim::Flags;
using station::sim::Level;
using station::sim::ParseFlags;
using station::sim::ReadFactoryConfig;

// The current a duty cycle offers, to 0.1 A (the J1772 formulas; the
// nearest tenth, since the duty itself was rounded down from the limit).
Level ToLevel(station::LogLevel level) {
  switch (level) {
    case station::LogLevel::kDebug:
      return Level::kDebug;
    case station::LogLevel::kInfo:
      return Level::kInfo;
    case station::LogLevel::kWarning:
      return Level::kWarn;
    case station::LogLevel::kError:
      return Level::kError;
  }
  return Level::kError;
}

// One JSON object per line on stdout; stdout is shared with nothing else.
class EventWriter {
 public:
  void Write(const std::string& ts,
             const std::function<void(rapidjson::Writer<rapidjson::StringBuffer>&)>& body) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("ts");
    w.String(ts.c_str());
    body(w);
    w.EndObject();
    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(buffer.GetString(), 1, buffer.GetSize(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

 private:
  std::mutex mutex_;
};

// The simulated firmware: storage, transport and charge point, rebuilt on
// every in-process reboot from the same data directory.
class Station {
 public:
  Station(const Flags& flags, std::map<std::string, std::string> factory,
          runtime::LwsEventLoop& loop, hal::sim::SimHardware& hardware, EventWriter& out)
      : flags_(flags), factory_(std::move(factory)), loop_(loop), hardware_(hardware), out_(out) {}

  void Log(Level level, const std::string& line) {
    if (level > flags_.level) return;
    static const char* kNames[] = {"error", "warn", "info", "debug"};
    std::fprintf(stderr, "station_sim: %s: %s\n", kNames[static_cast<int>(level)], line.c_str());
  }

  std::string Timestamp() const {
    return (cp_ ? cp_->Now() : codec::DateTime::FromSystemTime(loop_.clock().WallNow())).ToString();
  }

  // Returns false with `error` set when the station cannot run.
  station::sim::ConnectionFlags Connection() const {
    return station::sim::ConnectionFlags{flags_.csms,     flags_.csms_tls, flags_.id,
                                         flags_.password, flags_.ca_file,  flags_.cert,
                                         flags_.key};
  }

  // The first connection attempt since Boot has its outcome (the
  // BootNotification is written, or the attempt failed).
  bool FirstAttemptDone() const { return storage_finished_; }

  bool Boot(std::string* error) {
    // A damaged database is moved aside and the station starts afresh
    // (bricking a station in the field is worse); the report says what was lost.
    hal::SqliteStorage::OpenReport report;
    hal::SqliteStorage::Options storage_options;
    // Checkpoints in a loop turn of their own, not inside a write's.
    storage_options.schedule_checkpoint = [this](std::function<void()> task) {
      loop_.PostAfterIo(std::move(task));
    };
    auto storage = hal::SqliteStorage::Open(flags_.data_dir, storage_options, &report);
    if (!storage.ok()) {
      *error = "unusable --data-dir: " + storage.status().message();
      return false;
    }
    storage_ = std::move(*storage);
    storage_finished_ = false;
    // The stored SecurityProfile picks the connection (sim interface,
    // "Security profiles"); a first start takes the one the flags imply.
    connection_ = Connection();
    // A station certificate from CertificateSigned wins over --cert/--key.
    if (auto credentials = hal::FileCredentialStore::Open(flags_.data_dir + "/credentials");
        credentials.ok()) {
      credentials_ = std::move(*credentials);
      if (credentials_->Read(station::ChargePointCertificate::kCredentialName).ok()) {
        connection_.cert = connection_.key =
            credentials_->PathOf(station::ChargePointCertificate::kCredentialName);
      }
    } else {
      Log(Level::kError, credentials.status().message());
    }
    const station::sim::ConnectionFlags& connection = connection_;
    auto stored_profile =
        station::Configuration::ReadStored(*storage_, station::keys::kSecurityProfile.name);
    int profile = station::sim::ImpliedSecurityProfile(connection);
    if (stored_profile && stored_profile->size() == 1 && (*stored_profile)[0] >= '0' &&
        (*stored_profile)[0] <= '3') {
      profile = (*stored_profile)[0] - '0';
    }
    if (!station::sim::ProfileAvailable(connection, profile)) {
      Log(Level::kError, "SecurityProfile " + std::to_string(profile) +
                             " has no endpoint in the flags; using the flags' profile");
      profile = station::sim::ImpliedSecurityProfile(connection);
    }
    authorization_key_ =
        station::Configuration::ReadStored(*storage_, station::keys::kAuthorizationKey.name)
            .value_or(flags_.password);
    profile_ = profile;
    runtime::WsClientTransport::Options t =
        station::sim::TransportOptionsFor(connection, profile, authorization_key_);
    t.max_message_bytes = station::ChargePoint::kMaxIncomingMessageBytes;
    std::string transport_error;
    transport_ = runtime::WsClientTransport::Create(loop_, t, &transport_error);
    if (!transport_) {
      *error = transport_error;
      return false;
    }
    station::ChargePoint::Options options;
    options.factory_config = factory_;
    // --config wins; otherwise the flags say what the station starts with.
    options.factory_config.emplace(
        station::keys::kSecurityProfile.name,
        std::to_string(station::sim::ImpliedSecurityProfile(connection)));
    if (flags_.password.size() >= 16 && flags_.password.size() <= 40) {
      options.factory_config.emplace(station::keys::kAuthorizationKey.name, flags_.password);
    }
    options.storage_problems = report.warnings;
    // A central system reached with a security profile speaks the whitepaper.
    options.security_extension = t.security_profile != runtime::SecurityProfile::kUnsecured;
    if (report.started_fresh) {
      options.storage_problems.push_back(
          "started with fresh storage and the factory configuration");
    }
    options.callbacks.log_at_level = [this](station::LogLevel level, std::string_view line) {
      Log(ToLevel(level), std::string(line));
    };
    options.callbacks.on_frame = [this](runtime::TraceDirection dir, std::string_view frame) {
      out_.Write(Timestamp(), [&](auto& w) {
        w.Key("event");
        w.String("ocpp");
        w.Key("dir");
        w.String(dir == runtime::TraceDirection::kSent ? "tx" : "rx");
        // Re-serialised iteratively (a hostile frame may nest 32,000 deep);
        // what is not JSON is echoed as text.
        if (auto json = runtime::ReserializeJson(frame)) {
          w.Key("frame");
          w.RawValue(json->data(), json->size(), rapidjson::kObjectType);
        } else {
          w.Key("frame_text");
          w.String(frame.data(), static_cast<rapidjson::SizeType>(frame.size()));
        }
      });
    };
    options.callbacks.on_status = [this](int connector, v16::ChargePointStatus status,
                                         v16::ChargePointErrorCode error) {
      out_.Write(Timestamp(), [&](auto& w) {
        w.Key("event");
        w.String("connector");
        w.Key("connector");
        w.Int(connector);
        w.Key("status");
        w.String(std::string(v16::ToString(status)).c_str());
        w.Key("errorCode");
        w.String(std::string(v16::ToString(error)).c_str());
      });
    };
    options.callbacks.on_connection = [this](bool connected) {
      out_.Write(Timestamp(), [&](auto& w) {
        w.Key("event");
        w.String("connection");
        w.Key("state");
        w.String(connected ? "connected" : "disconnected");
      });
      // The storage's start-up syncs once the BootNotification is written
      // (or the first attempt failed), not before it.
      if (!storage_finished_) {
        storage_finished_ = true;
        loop_.PostAfterIo([this] {
          if (!storage_) return;
          base::Status finished = storage_->FinishOpen();
          if (!finished.ok()) Log(Level::kError, finished.message());
        });
      }
    };
    options.callbacks.set_authorization_key = [this](std::string key) {
      authorization_key_ = key;  // for a later change of security profile
      return transport_->SetAuthorizationKey(std::move(key));
    };
    options.callbacks.security_profiles.available = [this](int next) {
      return station::sim::ProfileAvailable(connection_, next);
    };
    options.charge_point_identity = flags_.id;
    options.callbacks.set_client_certificate = [this](const std::string& chain,
                                                      const std::string& key) {
      connection_.cert = chain;
      connection_.key = key;
      // A02/TC_074: a profile 3 connection reconnects with the new certificate.
      if (profile_ == 3) switch_profile_(3);
    };
    options.callbacks.security_profiles.factory_trust_anchors = !flags_.ca_file.empty();
    switch_profile_ = [this](int next) {
      profile_ = next;
      runtime::WsClientTransport::Options t =
          station::sim::TransportOptionsFor(connection_, next, authorization_key_);
      t.max_message_bytes = station::ChargePoint::kMaxIncomingMessageBytes;
      std::string why;
      if (!transport_->Reconfigure(std::move(t), &why)) {
        Log(Level::kError, "cannot use SecurityProfile " + std::to_string(next) + ": " + why);
      }
    };
    options.callbacks.security_profiles.switch_to = [this](int next) { switch_profile_(next); };
    options.callbacks.set_ping_interval = [this](std::chrono::seconds interval) {
      return transport_->SetPingInterval(interval);
    };
    options.callbacks.set_trusted_roots = [this](const std::vector<std::string>& pems) {
      if (!transport_->SetTrustedRoots(pems)) Log(Level::kError, "installed roots not usable");
    };
    BootFirmwareManagement();
    station::ChargePoint::Dependencies deps{loop_,     *transport_, hardware_,
                                            *storage_, *storage_,   storage_.get()};
    deps.file_transfer = transfer_.get();
    deps.firmware_installer = installer_.get();
    deps.diagnostics_log = diagnostics_log_.get();
    deps.security_log = security_log_.get();
    deps.credentials = credentials_.get();
    std::vector<std::string> warnings;
    auto cp = station::ChargePoint::Create(deps, options, &warnings);
    for (const auto& w : warnings) Log(Level::kWarn, "--config: " + w);
    if (!cp.ok()) {
      *error = "cannot start the station: " + cp.status().message();
      return false;
    }
    cp_ = std::move(*cp);
    cp_->Start();
    return true;
  }

  // Reset, quit and SIGTERM: the RFC 6455 closing handshake (1001 "going
  // away"), waited for (the transport gives up after 5 s), then state goes.
  void Shutdown() {
    if (transport_) {
      transport_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
      for (int i = 0; i < 400 && !transport_->IsStopped(); ++i) {
        loop_.RunOnce(std::chrono::milliseconds(20));
      }
    }
    cp_.reset();
    transfer_.reset();
    transport_.reset();
    storage_.reset();
  }

 private:
  // Firmware Management: real transfers (libcurl), the contract's simulated
  // installer, the rotating diagnostics log; the version the last reboot
  // activated is what BootNotification reports.
  void BootFirmwareManagement() {
    runtime::CurlFileTransfer::Options transfer_options;
    transfer_options.ca_file = flags_.ca_file;  // empty: the system trust store
    transfer_options.log = [this](std::string_view line) {
      Log(Level::kInfo, "transfer: " + std::string(line));
    };
    transfer_ = std::make_unique<runtime::CurlFileTransfer>(loop_, transfer_options);
    installer_ = std::make_unique<hal::sim::SimFirmwareInstaller>(flags_.data_dir);
    installer_->SetInstalledObserver([this](const std::string& version) {
      out_.Write(Timestamp(), [&](auto& w) {
        w.Key("event");
        w.String("firmware");
        w.Key("version");
        w.String(version.c_str());
      });
    });
    diagnostics_log_.reset();
    diagnostics_log_ = std::make_unique<hal::FileDiagnosticsLog>(flags_.data_dir + "/diagnostics");
    security_log_.reset();
    security_log_ = std::make_unique<hal::FileDiagnosticsLog>(flags_.data_dir + "/security");
    hardware_.SetFirmwareVersion(hal::sim::SimFirmwareInstaller::InstalledVersion(flags_.data_dir)
                                     .value_or(hal::sim::DefaultSimSystemInfo().firmware_version));
  }

  const Flags& flags_;
  std::map<std::string, std::string> factory_;
  runtime::LwsEventLoop& loop_;
  hal::sim::SimHardware& hardware_;
  EventWriter& out_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  bool storage_finished_ = false;  // FinishOpen is queued or done
  std::unique_ptr<runtime::WsClientTransport> transport_;
  std::string authorization_key_;
  station::sim::ConnectionFlags connection_;  // the flags, and a signed station certificate
  int profile_ = 0;                           // the security profile in use
  std::function<void(int profile)> switch_profile_;
  std::unique_ptr<hal::FileCredentialStore>
      credentials_;  // the transport's, for a change of security profile
  std::unique_ptr<runtime::CurlFileTransfer> transfer_;
  std::unique_ptr<hal::sim::SimFirmwareInstaller> installer_;
  std::unique_ptr<hal::FileDiagnosticsLog> diagnostics_log_;
  std::unique_ptr<hal::FileDiagnosticsLog> security_log_;
  std::unique_ptr<station::ChargePoint> cp_;
};

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::map<std::string, std::string> factory;
  if (std::string error; !ReadFactoryConfig(flags.config_file, &factory, &error)) Die(error);
  if (std::string error; !hal::sim::MakeDirectories(flags.data_dir, &error)) {
    Die("cannot create --data-dir " + error, 1);
  }
  // Signals are taken by one thread with sigwait, never in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Pages are allocated as SQLite reads them, not 20 at once (88 KiB,
  // written to at the first read, before the BootNotification).
  hal::SqliteStorage::StartPageCachesEmpty();

  base::SystemClock clock;
  runtime::LwsEventLoop::Options loop_options;
  loop_options.log_sink = [&flags](runtime::LogLevel level, std::string_view message) {
    if (flags.level == Level::kDebug || level == runtime::LogLevel::kError) {
      std::fprintf(stderr, "station_sim: lws: %.*s\n", static_cast<int>(message.size()),
                   message.data());
    }
  };
  auto loop = runtime::LwsEventLoop::Create(clock, loop_options);
  if (!loop) Die("cannot create the event loop", 1);
  // The simulated meters' registers are hardware state: like real meters
  // they survive power cuts, so they are kept in files beside the station's
  // data, each written before the meter reports a new value.
  hal::sim::SimHardware::Options hw_options;
  hw_options.connectors = flags.connectors;
  hw_options.max_current_a = flags.max_current_a;
  hw_options.nominal_voltage_v = flags.voltage_v;
  hw_options.phases = flags.phases;
  hw_options.supply_current_a = flags.supply_current_a;
  for (int c = 1; c <= flags.connectors; ++c) {
    hw_options.initial_energy_wh.push_back(
        hal::sim::ReadMeterRegister(hal::sim::MeterRegisterPath(flags.data_dir, c)));
  }
  hal::sim::SimHardware hardware(clock, hw_options);
  for (int c = 1; c <= flags.connectors; ++c) {
    hardware.sim_connector(c).SetRegisterPersistence(
        [path = hal::sim::MeterRegisterPath(flags.data_dir, c)](std::int64_t wh) {
          return hal::sim::WriteMeterRegister(path, wh);
        });
  }
  EventWriter out;
  Station station(flags, factory, *loop, hardware, out);
  // `pilot` lines: every change of a connector's PWM advertisement.
  for (int c = 1; c <= flags.connectors; ++c) {
    hardware.sim_connector(c).SetPwmObserver([&station, &out, c](int duty_permille) {
      out.Write(station.Timestamp(), [&](auto& w) {
        w.Key("event");
        w.String("pilot");
        w.Key("connector");
        w.Int(c);
        w.Key("duty_pct");
        w.Double(duty_permille / 10.0);
        w.Key("limit_a");
        w.Double(hal::AdvertisedCurrentDeciamps(duty_permille) / 10.0);
      });
    });
  }
  std::atomic<bool> quit{false};
  // Deferred hardware notifications reach the loop as tasks: no polling.
  hardware.SetPoster([&loop](std::function<void()> task) { loop->Post(std::move(task)); });
  hardware.SetRebootHandler([&](hal::RebootKind kind) {
    // In-process reboot: close, reload from --data-dir, boot again.
    loop->Post([&, kind] {
      station.Log(Level::kInfo, kind == hal::RebootKind::kHard ? "hard reset" : "soft reset");
      station.Shutdown();
      std::string error;
      if (!station.Boot(&error)) {
        std::fprintf(stderr, "station_sim: %s\n", error.c_str());
        quit = true;
      }
    });
  });
  std::string error;
  if (!station.Boot(&error)) Die(error, 1);
  // The BootNotification goes out before the threads that take signals and
  // stdin exist (creating them is work at the most watched moment of a
  // start): they start once the first attempt has its outcome, at most
  // 200 ms in. Until then signals stay pending (blocked) and commands wait
  // in the pipe.
  const auto threads_due = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (!station.FirstAttemptDone() && std::chrono::steady_clock::now() < threads_due) {
    loop->RunOnce(std::chrono::milliseconds(20));
  }

  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    quit = true;
    loop->Post([] {});
  });
  signal_thread.detach();
  // stdin: one command per line; EOF is not quit.
  std::thread input_thread([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.size() > hal::sim::kMaxCommandLineBytes) {
        std::fprintf(stderr, "error: line longer than %zu bytes\n", hal::sim::kMaxCommandLineBytes);
        continue;
      }
      loop->Post([&, line] {
        const hal::sim::ParsedLine parsed = hal::sim::ParseCommandLine(line);
        if (!parsed.ok()) {
          std::fprintf(stderr, "%s\n", parsed.error.c_str());
          return;
        }
        if (!parsed.command) return;
        if (hal::sim::IsQuit(*parsed.command)) {
          quit = true;
          return;
        }
        const std::string applied = hal::sim::ApplyCommand(hardware, *parsed.command);
        if (!applied.empty()) std::fprintf(stderr, "%s\n", applied.c_str());
      });
    }
  });
  input_thread.detach();

  // Idle, the loop sleeps until a timer, a socket, a command or a signal
  // (each of those posts a task, which wakes it).
  while (!quit) loop->RunOnce(std::chrono::seconds(60));
  for (int c = 1; c <= flags.connectors; ++c) {
    (void)hardware.sim_connector(c).ReadEnergyActiveImportWh();  // persists the register
  }
  station.Shutdown();
  std::fflush(stdout);
  std::_Exit(0);  // detached threads may still block on stdin
}
