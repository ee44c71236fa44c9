// station_sim: the station firmware with the simulated HAL, driven through
// the interface in docs/station-sim.md (copied from the shared contract):
// command-line flags, control commands on stdin, JSON lines on stdout,
// human-readable logs on stderr.
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "base/clock.h"
#include "hal/linux/file_diagnostics_log.h"
#include "hal/linux/sqlite_storage.h"
#include "hal/sim/sim_commands.h"
#include "hal/sim/sim_firmware.h"
#include "hal/sim/sim_hardware.h"
#include "runtime/curl_file_transfer.h"
#include "runtime/json_reserialize.h"
#include "runtime/lws_event_loop.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"

namespace {

using namespace ocpp;

enum class Level { kError, kWarn, kInfo, kDebug };

[[noreturn]] void Die(const std::string& reason, int code = 2) {
  std::fprintf(stderr, "station_sim: %s\n", reason.c_str());
  std::exit(code);
}

struct Flags {
  std::string csms;
  std::string id;
  std::string data_dir;
  std::string config_file;
  std::string password;
  std::string ca_file;
  std::string cert;
  std::string key;
  std::string csms_tls;  // used once SecurityProfile 2/3 is supported
  Level level = Level::kInfo;
  int connectors = 1;
  int max_current_a = 32;
  int phases = 1;
  int voltage_v = 230;
  int supply_current_a = 0;  // 0: connectors x max current
};

// A whole number from `min` to `max`, or Die() naming the flag.
int ParseIntFlag(const std::string& flag, const std::string& value, int min, int max) {
  int result = 0;
  std::size_t used = 0;
  try {
    result = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || result < min || result > max) {
    Die(flag + " must be a whole number from " + std::to_string(min) + " to " +
        std::to_string(max));
  }
  return result;
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  std::map<std::string, std::string*> strings = {
      {"--csms", &flags.csms},         {"--id", &flags.id},
      {"--data-dir", &flags.data_dir}, {"--config", &flags.config_file},
      {"--password", &flags.password}, {"--ca-file", &flags.ca_file},
      {"--cert", &flags.cert},         {"--key", &flags.key},
      {"--csms-tls", &flags.csms_tls}};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: station_sim --csms URL --id CHARGE_POINT_ID --data-dir DIR [--config FILE]\n"
          "       [--password PW] [--ca-file PEM] [--cert PEM --key PEM] [--log-level LEVEL]\n"
          "       [--connectors N] [--max-current A] [--phases 1|3] [--voltage V]\n"
          "       [--supply-current A] [--csms-tls URL]\n");
      std::exit(0);
    }
    static const std::map<std::string, std::pair<int, int>> kNumbers = {
        {"--connectors", {1, 8}},
        {"--max-current", {6, 80}},
        {"--phases", {1, 3}},
        {"--voltage", {100, 480}},
        {"--supply-current", {6, 8 * 80}}};
    const bool known = strings.count(arg) || arg == "--log-level" || kNumbers.count(arg);
    if (!known) Die("unknown flag " + arg);
    if (!inline_value) {
      if (i + 1 >= argc) Die("flag " + arg + " needs a value");
      value = argv[++i];
    }
    if (auto number = kNumbers.find(arg); number != kNumbers.end()) {
      const int v = ParseIntFlag(arg, value, number->second.first, number->second.second);
      if (arg == "--connectors") flags.connectors = v;
      if (arg == "--max-current") flags.max_current_a = v;
      if (arg == "--phases") {
        if (v == 2) Die("--phases must be 1 or 3");
        flags.phases = v;
      }
      if (arg == "--voltage") flags.voltage_v = v;
      if (arg == "--supply-current") flags.supply_current_a = v;
    } else if (arg == "--log-level") {
      if (value == "error")
        flags.level = Level::kError;
      else if (value == "warn")
        flags.level = Level::kWarn;
      else if (value == "info")
        flags.level = Level::kInfo;
      else if (value == "debug")
        flags.level = Level::kDebug;
      else
        Die("--log-level must be error, warn, info or debug");
    } else {
      *strings[arg] = value;
    }
  }
  if (flags.csms.empty()) Die("--csms URL is required");
  if (flags.id.empty()) Die("--id CHARGE_POINT_ID is required");
  if (flags.data_dir.empty()) Die("--data-dir DIR is required");
  if (flags.csms.rfind("ws://", 0) != 0 && flags.csms.rfind("wss://", 0) != 0) {
    Die("--csms must be a ws:// or wss:// URL");
  }
  if (flags.cert.empty() != flags.key.empty()) Die("--cert and --key go together");
  return flags;
}

std::map<std::string, std::string> ReadFactoryConfig(const std::string& path) {
  std::map<std::string, std::string> values;
  if (path.empty()) return values;
  std::ifstream in(path);
  if (!in) Die("cannot read --config " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  // Iterative: a hostile file may nest 100,000 deep.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.str().c_str());
  if (doc.HasParseError() || !doc.IsObject()) Die("--config " + path + " is not a JSON object");
  for (const auto& member : doc.GetObject()) {
    const std::string key = member.name.GetString();
    if (member.value.IsString()) {
      values[key] = member.value.GetString();
    } else if (member.value.IsBool()) {
      values[key] = member.value.GetBool() ? "true" : "false";
    } else if (member.value.IsInt64()) {
      values[key] = std::to_string(member.value.GetInt64());
    } else {
      Die("--config: value of " + key + " must be a string, number or boolean");
    }
  }
  return values;
}

// Connector 1 keeps the file name of the single-connector releases.
std::string MeterFile(const std::string& data_dir, int connector) {
  return data_dir + "/sim-meter-wh" + (connector == 1 ? "" : "-" + std::to_string(connector));
}

// mkdir -p: the contract says the data dir is created if missing.
bool MakeDirectories(const std::string& path, std::string* error) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = prefix + ": " + std::strerror(errno);
      return false;
    }
    if (slash == std::string::npos) break;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = path + ": not a directory";
    return false;
  }
  return true;
}

std::int64_t ReadMeterFile(const std::string& path) {
  std::ifstream in(path);
  long long wh = 0;
  if (in >> wh && wh >= 0) return wh;
  return 0;
}

// Write-then-rename, so a kill leaves the old or the new value, never half.
bool WriteMeterFile(const std::string& path, std::int64_t wh) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << wh << "\n")) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

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
    runtime::WsClientTransport::Options t;
    t.central_system_url = flags_.csms;
    t.charge_point_id = flags_.id;
    t.max_message_bytes = station::ChargePoint::kMaxIncomingMessageBytes;
    const bool tls = flags_.csms.rfind("wss://", 0) == 0;
    if (!flags_.cert.empty()) {
      t.security_profile = runtime::SecurityProfile::kTlsWithClientCertificate;
      t.client_cert_file = flags_.cert;
      t.client_key_file = flags_.key;
    } else if (!flags_.password.empty()) {
      t.security_profile =
          tls ? runtime::SecurityProfile::kTlsWithBasicAuth : runtime::SecurityProfile::kBasicAuth;
      t.authorization_key = flags_.password;
    } else if (tls) {
      t.security_profile = runtime::SecurityProfile::kTlsWithBasicAuth;
    }
    t.ca_file = flags_.ca_file;
    std::string transport_error;
    transport_ = runtime::WsClientTransport::Create(loop_, t, &transport_error);
    if (!transport_) {
      *error = transport_error;
      return false;
    }
    station::ChargePoint::Options options;
    options.factory_config = factory_;
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
      return transport_->SetAuthorizationKey(std::move(key));
    };
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
  std::unique_ptr<runtime::CurlFileTransfer> transfer_;
  std::unique_ptr<hal::sim::SimFirmwareInstaller> installer_;
  std::unique_ptr<hal::FileDiagnosticsLog> diagnostics_log_;
  std::unique_ptr<hal::FileDiagnosticsLog> security_log_;
  std::unique_ptr<station::ChargePoint> cp_;
};

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  auto factory = ReadFactoryConfig(flags.config_file);
  if (std::string error; !MakeDirectories(flags.data_dir, &error)) {
    Die("cannot create --data-dir " + error, 1);
  }
  // Signals are taken by one thread with sigwait, never in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

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
    hw_options.initial_energy_wh.push_back(ReadMeterFile(MeterFile(flags.data_dir, c)));
  }
  hal::sim::SimHardware hardware(clock, hw_options);
  for (int c = 1; c <= flags.connectors; ++c) {
    hardware.sim_connector(c).SetRegisterPersistence(
        [path = MeterFile(flags.data_dir, c)](std::int64_t wh) {
          return WriteMeterFile(path, wh);
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
