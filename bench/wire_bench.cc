// wire_bench: the station as a process, measured over the wire. The
// project's central system (tools/csms CentralSystem on 127.0.0.1, its own
// LwsEventLoop on the SystemClock) drives station_sim, a child process
// (--log-level error, a temp --data-dir, HeartbeatInterval 300), and measures:
//   spawn     fork() of station_sim -> its BootNotification CALL arriving at
//             the central system (fresh data dir each time), beside the same
//             for bench/bare_lws_client (plain and --ssl-init), interleaved
//   calls     K GetConfiguration (no keys) and K DataTransfer back to back,
//             one outstanding: round trip at the central system (p50/p99)
//             and the station's CPU per call from /proc (whole batch)
//   sessions  M x: cp C, RemoteStartTransaction (round trip; and until the
//             StartTransaction arrives), RemoteStopTransaction (round trip),
//             cp A; with a GetConfiguration at the same idle point as a
//             like-for-like baseline
//   idle      S seconds: station CPU ms/s, context switches/s
//   memory    Private_Dirty (sum over /proc/PID/smaps) of station_sim after
//             the full run, beside bare_lws_client kept alive after its frame
//   syncs     the measured station_sim runs with bench/libsync_counter.so
//             (LD_PRELOAD, sync_counter.h): its fsync/fdatasync calls before
//             its BootNotification, at boot, per call, per session, idle, and
//             the most in one loop turn during the sessions
// Prints a table and a one-line JSON summary.
//
//   ./run bench wire_bench [-- --calls=2000 --sessions=200 --idle-seconds=60 --repeat=10]
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "bench/latency_stats.h"
#include "bench/wire_bench_report.h"
#include "bench/wire_bench_util.h"
#include "runtime/lws_event_loop.h"
#include "tools/csms/central_system.h"

namespace ocpp::bench {
namespace {

using base::Milliseconds;
using v16::Action;

struct Config {
  int calls = 2000;
  int sessions = 200;
  int idle_seconds = 60;
  int repeat = 10;
  int warmup = 50;  // calls before each batch; sessions: warmup / 10
  std::string station_sim, bare_client, sync_counter;
};

// The quoted field `index` of a frame as our encoders write it.
std::string_view QuotedField(std::string_view frame, int index) {
  std::size_t from = 0;
  for (int i = 0;; ++i) {
    const std::size_t open = frame.find('"', from);
    if (open == std::string_view::npos) return {};
    const std::size_t close = frame.find('"', open + 1);
    if (close == std::string_view::npos) return {};
    if (i == index) return frame.substr(open + 1, close - open - 1);
    from = close + 1;
  }
}

class Bench {
 public:
  explicit Bench(Config config) : config_(std::move(config)) {}
  ~Bench() { Cleanup(); }

  [[noreturn]] void Fail(const std::string& what) {
    std::fprintf(stderr, "wire_bench: %s\n", what.c_str());
    if (!tmp_.empty())
      std::fprintf(stderr, "wire_bench: children's logs kept in %s\n", tmp_.c_str());
    KillChild(station_);
    KillChild(bare_);
    std::exit(1);
  }

  void Init() {
    tmp_ = MakeTempDir("wire_bench");
    if (tmp_.empty()) Fail("cannot create a temp dir");
    runtime::LwsEventLoop::Options loop_options;
    loop_options.log_sink = [](runtime::LogLevel level, std::string_view message) {
      if (level == runtime::LogLevel::kError) {
        std::fprintf(stderr, "wire_bench: lws: %.*s\n", static_cast<int>(message.size()),
                     message.data());
      }
    };
    loop_ = runtime::LwsEventLoop::Create(clock_, loop_options);
    if (!loop_) Fail("cannot create the LwsEventLoop");
    tools::CentralSystem::Options options;
    options.heartbeat_interval = 300;  // BootNotification.conf overrides the key
    std::string error;
    cs_ = tools::CentralSystem::Create(*loop_, options, &error);
    if (!cs_) Fail("central system: " + error);
    // A fresh id for every StartTransaction (the default gives identical
    // requests, which fast sessions produce, the same id).
    cs_->Handle<Action::kStartTransaction>(
        [this](
            const v16::StartTransactionReq&) -> runtime::HandlerResult<v16::StartTransactionConf> {
          v16::StartTransactionConf conf;
          conf.id_tag_info.status = v16::AuthorizationStatus::kAccepted;
          conf.transaction_id = transaction_id_ = next_transaction_id_++;
          return conf;
        });
    cs_->set_trace([this](const tools::CentralSystem::Frame& f) { OnFrame(f); });
    counted_ = !config_.sync_counter.empty() && syncs_.Create(tmp_ + "/sync-counter");
    config_file_ = tmp_ + "/station-config.json";
    std::ofstream out(config_file_);
    out << "{\"HeartbeatInterval\": \"300\"}\n";
    if (!out) Fail("cannot write " + config_file_);
  }

  // --- spawn -> BootNotification ---------------------------------------

  enum class Kind { kStation, kBare, kBareSsl };

  // Spawns one child of `kind` and waits for its BootNotification at the
  // central system; returns the child still running.
  // With `count_syncs`, the child runs with bench/libsync_counter.so.
  // `*boot_cpu_ns`: the child's CPU time when its BootNotification arrived.
  ChildProcess SpawnBooted(Kind kind, const std::string& tag, std::int64_t* spawn_to_boot_ns,
                           std::int64_t* boot_cpu_ns = nullptr, bool count_syncs = false) {
    boot_at_.reset();
    last_status_.clear();
    std::vector<std::string> argv;
    std::string id;
    if (kind == Kind::kStation) {
      id = "WIRE-CP-" + tag;
      argv = {config_.station_sim,   "--csms",   cs_->url(),   "--id",        id,     "--data-dir",
              tmp_ + "/data-" + tag, "--config", config_file_, "--log-level", "error"};
    } else {
      id = "WIRE-BARE-" + tag;
      argv = {config_.bare_client};
      if (kind == Kind::kBareSsl) argv.push_back("--ssl-init");
      argv.push_back(cs_->url() + "/" + id);
    }
    std::vector<std::string> env;
    if (count_syncs) {
      env = {"LD_PRELOAD=" + config_.sync_counter,
             std::string(kSyncCounterEnv) + "=" + tmp_ + "/sync-counter"};
    }
    ChildProcess child;
    std::string error;
    if (!SpawnChild(id, argv, tmp_ + "/" + id + ".out", tmp_ + "/" + id + ".err", &child, &error,
                    env)) {
      Fail(error);
    }
    booting_pid_ = child.pid;
    if (!WaitUntil(
            &child, [&] { return boot_at_.has_value(); }, 20)) {
      const std::string log = child.stderr_path;
      KillChild(child);
      Fail("no BootNotification from " + id + " (log: " + log + ")");
    }
    *spawn_to_boot_ns = ElapsedNs(child.spawned, *boot_at_);
    if (boot_cpu_ns) *boot_cpu_ns = boot_cpu_ns_;
    return child;
  }

  void KillAndDisconnect(ChildProcess& child) {
    KillChild(child);
    if (!WaitUntil(
            nullptr, [&] { return !cs_->connected(); }, 10)) {
      Fail("the central system kept a dead connection");
    }
  }

  void SpawnTimes(WireBenchResults& r) {
    for (int i = 0; i < config_.repeat; ++i) {
      std::int64_t ns = 0, cpu_ns = 0;
      const Kind kinds[] = {Kind::kStation, Kind::kBare, Kind::kBareSsl};
      Samples* out[] = {&r.spawn_station, &r.spawn_bare, &r.spawn_bare_ssl};
      Samples* cpu[] = {&r.spawn_cpu_station, &r.spawn_cpu_bare, &r.spawn_cpu_bare_ssl};
      for (int k = 0; k < 3; ++k) {
        ChildProcess child = SpawnBooted(kinds[k], "s" + std::to_string(i), &ns, &cpu_ns);
        out[k]->ns.push_back(ns);
        cpu[k]->ns.push_back(cpu_ns);
        KillAndDisconnect(child);
        if (kinds[k] != Kind::kStation) continue;
        // The same data dir again: a reboot after a power cut.
        child = SpawnBooted(Kind::kStation, "s" + std::to_string(i), &ns, &cpu_ns);
        r.spawn_station_restart.ns.push_back(ns);
        r.spawn_cpu_station_restart.ns.push_back(cpu_ns);
        KillAndDisconnect(child);
      }
    }
  }

  // --- the measured session ------------------------------------------------

  // The measured station; counts its syncs when the counter is there.
  void StartStation(WireBenchResults& r) {
    std::int64_t ns = 0;
    station_ = SpawnBooted(Kind::kStation, "main", &ns, nullptr, counted_);
    r.syncs_before_boot = boot_syncs_;
    if (!WaitUntil(
            &station_, [&] { return last_status_ == "Available"; }, 20)) {
      Fail("the station did not become Available");
    }
    Quiesce();
    r.syncs_boot = syncs_.Read();
    r.counted = counted_;
    private_dirty_booted_kib_ = PrivateDirtyKib(station_.pid);
  }
  SyncSample ReadSyncs() const { return syncs_.Read(); }

  // K calls of `request` back to back; the station's cost over the batch.
  template <class Request>
  Cost Batch(const Request& request, const char* name, Samples& rtt) {
    for (int i = 0; i < config_.warmup; ++i) Call(request, name);
    Quiesce();
    const ProcSample before = ReadProc(station_.pid);
    for (int i = 0; i < config_.calls; ++i) rtt.ns.push_back(Call(request, name));
    const ProcSample after = ReadProc(station_.pid);
    if (!before.ok || !after.ok) Fail("cannot read /proc of station_sim");
    cs_->ClearFrames();
    return Delta(before, after);
  }

  struct SessionSamples {
    Samples get_config_idle, remote_start, start_tx, remote_stop;
  };

  // One charging session driven remotely; records when `out` is set.
  void Session(SessionSamples* out) {
    Quiesce();
    const std::int64_t get_ns = Call(v16::GetConfigurationReq{}, "GetConfiguration");
    if (!SendLine(station_, "cp C")) Fail("cannot write to station_sim");
    Await([&] { return last_status_ == "Preparing"; }, "Preparing after cp C");
    Quiesce();
    v16::RemoteStartTransactionReq start;
    start.connector_id = 1;
    start.id_tag = *codec::CiString<20>::From("WIRE-TAG-1");
    const int starts = starts_;
    const auto called = BenchClock::now();
    const auto started = CallFor(start, "RemoteStartTransaction");
    if (started.first.status != v16::RemoteStartStopStatus::kAccepted) {
      Fail("RemoteStartTransaction was not accepted");
    }
    Await([&] { return starts_ == starts + 1; }, "StartTransaction");
    const std::int64_t start_tx_ns = ElapsedNs(called, start_tx_at_);
    Await([&] { return last_status_ == "Charging"; }, "Charging");
    Quiesce();
    v16::RemoteStopTransactionReq stop;
    stop.transaction_id = transaction_id_;
    const int stops = stops_;
    const auto stopped = CallFor(stop, "RemoteStopTransaction");
    if (stopped.first.status != v16::RemoteStartStopStatus::kAccepted) {
      Fail("RemoteStopTransaction was not accepted");
    }
    Await([&] { return stops_ == stops + 1 && last_status_ == "Finishing"; }, "StopTransaction");
    if (!SendLine(station_, "cp A")) Fail("cannot write to station_sim");
    Await([&] { return last_status_ == "Available"; }, "Available after cp A");
    cs_->ClearFrames();
    if (out) {
      out->get_config_idle.ns.push_back(get_ns);
      out->remote_start.ns.push_back(started.second);
      out->start_tx.ns.push_back(start_tx_ns);
      out->remote_stop.ns.push_back(stopped.second);
    }
  }

  // `*syncs`: the syncs of the measured sessions (not the warm-up ones).
  Cost Sessions(SessionSamples& out, SyncSample* syncs) {
    for (int i = 0; i < std::max(1, config_.warmup / 10); ++i) Session(nullptr);
    const SyncSample syncs_before = syncs_.Read();
    syncs_.ResetMax();
    const ProcSample before = ReadProc(station_.pid);
    for (int i = 0; i < config_.sessions; ++i) Session(&out);
    const ProcSample after = ReadProc(station_.pid);
    *syncs = Delta(syncs_before, syncs_.Read());
    return Delta(before, after);
  }

  // The station left alone; the central system keeps serving.
  Cost Idle(int* frames) {
    Quiesce();
    cs_->ClearFrames();
    const ProcSample before = ReadProc(station_.pid);
    const auto end = before.at + std::chrono::seconds(config_.idle_seconds);
    while (BenchClock::now() < end) {
      loop_->RunOnce(Milliseconds(100));
      int status = 0;
      if (ChildExited(station_, &status)) Fail("station_sim exited while idle");
    }
    const ProcSample after = ReadProc(station_.pid);
    *frames = static_cast<int>(cs_->frames().size());
    return Delta(before, after);
  }

  long StationPrivateDirty() { return PrivateDirtyKib(station_.pid); }
  long private_dirty_booted_kib() const { return private_dirty_booted_kib_; }

  void QuitStation() {
    if (!QuitChild(station_, 15))
      std::fprintf(stderr, "wire_bench: station_sim did not quit cleanly\n");
    WaitUntil(
        nullptr, [&] { return !cs_->connected(); }, 10);
  }

  // Private_Dirty of the bare client after its answered BootNotification.
  long BarePrivateDirty(bool ssl_init) {
    std::int64_t ns = 0;
    bare_ = SpawnBooted(ssl_init ? Kind::kBareSsl : Kind::kBare, ssl_init ? "pd-ssl" : "pd", &ns);
    const std::string out = tmp_ + "/" + bare_.name + ".out";
    if (!WaitUntil(
            &bare_, [&] { return ReadWholeFile(out).find("answered:") != std::string::npos; },
            10)) {
      Fail("bare_lws_client printed no answer");
    }
    const long kib = PrivateDirtyKib(bare_.pid);
    QuitChild(bare_, 5);
    WaitUntil(
        nullptr, [&] { return !cs_->connected(); }, 10);
    return kib;
  }

  void Cleanup() {
    KillChild(station_);
    KillChild(bare_);
    cs_.reset();
    loop_.reset();
    if (!tmp_.empty()) RemoveTree(tmp_);
    tmp_.clear();
  }

 private:
  void OnFrame(const tools::CentralSystem::Frame& f) {
    if (f.dir != runtime::TraceDirection::kReceived || f.text.rfind("[2,", 0) != 0) return;
    const auto now = BenchClock::now();
    const std::string_view action = QuotedField(f.text, 1);
    if (action == "BootNotification") {
      if (!boot_at_) {
        boot_at_ = now;
        boot_cpu_ns_ = ReadProc(booting_pid_).run_ns;
        boot_syncs_ = syncs_.Read();
      }
    } else if (action == "StartTransaction") {
      ++starts_;
      start_tx_at_ = now;
    } else if (action == "StopTransaction") {
      ++stops_;
    } else if (action == "StatusNotification") {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(f.text.c_str());
      if (!doc.HasParseError() && doc.IsArray() && doc.Size() == 4 && doc[3].IsObject()) {
        const auto& p = doc[3];
        if (p.HasMember("connectorId") && p["connectorId"] == 1 && p.HasMember("status") &&
            p["status"].IsString()) {
          last_status_ = p["status"].GetString();
        }
      }
    }
  }

  // Pumps the loop until `done`, for at most `seconds`; false on timeout or
  // if `child` (when given) exits.
  bool WaitUntil(ChildProcess* child, const std::function<bool()>& done, double seconds) {
    const auto deadline =
        BenchClock::now() + std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6));
    while (!done()) {
      if (BenchClock::now() > deadline) return false;
      loop_->RunOnce(Milliseconds(10));
      int status = 0;
      if (child && ChildExited(*child, &status)) {
        Fail(child->name + " exited (status " + std::to_string(status) +
             "; log: " + child->stderr_path + ")");
      }
    }
    return true;
  }

  void Await(const std::function<bool()>& done, const std::string& what) {
    if (!WaitUntil(&station_, done, 10)) Fail("timed out waiting for " + what);
  }

  // Lets exchanges in flight finish: three 1 ms turns in a row without a
  // frame at the central system (bounded at ~2 s).
  void Quiesce() {
    std::size_t frames = cs_->frames().size();
    int quiet = 0;
    for (int turn = 0; turn < 2000 && quiet < 3; ++turn) {
      loop_->RunOnce(Milliseconds(1));
      const std::size_t now = cs_->frames().size();
      quiet = now == frames ? quiet + 1 : 0;
      frames = now;
    }
  }

  // A CALL to the station; fails the run unless answered with a CALLRESULT
  // within 10 s. Returns the response and the round trip in ns.
  template <class Request>
  std::pair<typename v16::RequestTraits<Request>::Response, std::int64_t> CallFor(
      const Request& request, const char* name) {
    using Response = typename v16::RequestTraits<Request>::Response;
    std::optional<runtime::CallOutcome<Response>> outcome;
    BenchClock::time_point answered_at;
    const auto called_at = BenchClock::now();
    if (!cs_->Call(request, [&](runtime::CallOutcome<Response> o) {
          answered_at = BenchClock::now();
          outcome = std::move(o);
        })) {
      Fail("the station is not connected");
    }
    Await([&] { return outcome.has_value(); }, std::string("the answer to ") + name);
    auto* response = std::get_if<Response>(&*outcome);
    if (!response) {
      Fail(std::string(name) + ": " + std::get<runtime::CallFailure>(*outcome).description);
    }
    return {std::move(*response), ElapsedNs(called_at, answered_at)};
  }

  template <class Request>
  std::int64_t Call(const Request& request, const char* name) {
    return CallFor(request, name).second;
  }

  Config config_;
  std::string tmp_, config_file_;
  base::SystemClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> cs_;
  ChildProcess station_, bare_;
  long private_dirty_booted_kib_ = -1;
  SyncCounterFile syncs_;
  bool counted_ = false;
  pid_t booting_pid_ = -1;
  std::int64_t boot_cpu_ns_ = 0;
  SyncSample boot_syncs_;
  // Seen by the trace.
  std::optional<BenchClock::time_point> boot_at_;
  std::string last_status_;  // connector 1
  int starts_ = 0, stops_ = 0;
  BenchClock::time_point start_tx_at_;
  std::int64_t next_transaction_id_ = 1, transaction_id_ = 0;
};

bool ParseFlags(int argc, char** argv, Config* config) {
  for (int i = 1; i < argc; ++i) {
    // `./run bench wire_bench -- --calls=...` hands the "--" on.
    if (std::string_view(argv[i]) == "--") continue;
    const char* v = nullptr;
    bool ok = false;
    if ((v = FlagValue(argv[i], "--calls"))) {
      ok = ParsePositive(v, &config->calls);
    } else if ((v = FlagValue(argv[i], "--sessions"))) {
      ok = ParsePositive(v, &config->sessions);
    } else if ((v = FlagValue(argv[i], "--idle-seconds"))) {
      ok = ParsePositive(v, &config->idle_seconds);
    } else if ((v = FlagValue(argv[i], "--repeat"))) {
      ok = ParsePositive(v, &config->repeat);
    } else if ((v = FlagValue(argv[i], "--station-sim"))) {
      config->station_sim = v;
      ok = true;
    } else if ((v = FlagValue(argv[i], "--bare-client"))) {
      config->bare_client = v;
      ok = true;
    } else if ((v = FlagValue(argv[i], "--sync-counter"))) {
      config->sync_counter = v;
      ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace
}  // namespace ocpp::bench

int main(int argc, char** argv) {
  using namespace ocpp::bench;
  Config config;
  if (!ParseFlags(argc, argv, &config)) {
    std::fprintf(
        stderr,
        "usage: wire_bench [--calls=K] [--sessions=M] [--idle-seconds=S] [--repeat=N]\n"
        "                  [--station-sim=PATH] [--bare-client=PATH] [--sync-counter=PATH]\n");
    return 2;
  }
  // A binary that was just built sits in dirty page cache until written
  // back, and /proc/PID/smaps counts its mapped text as Private_Dirty:
  // write it back first so the memory figures are the process's own.
  ::sync();
  if (config.station_sim.empty()) config.station_sim = FindRunfile(argv[0], "station/station_sim");
  if (config.bare_client.empty()) {
    config.bare_client = FindRunfile(argv[0], "bench/bare_lws_client");
  }
  if (config.station_sim.empty() || config.bare_client.empty()) {
    std::fprintf(stderr,
                 "wire_bench: station_sim or bare_lws_client not found; run it with "
                 "`./run bench wire_bench` or pass --station-sim= and --bare-client=\n");
    return 2;
  }
  if (config.sync_counter.empty()) {
    config.sync_counter = FindRunfile(argv[0], "bench/libsync_counter.so");
  }
  signal(SIGPIPE, SIG_IGN);
  WireBenchResults r;
  r.cpus = CpusOnline();
  r.calls = config.calls;
  r.sessions = config.sessions;
  r.repeat = config.repeat;
  r.load_before = LoadAverage1();
  const auto began = BenchClock::now();

  Bench bench(config);
  bench.Init();
  bench.SpawnTimes(r);
  bench.StartStation(r);
  const SyncSample calls_before = bench.ReadSyncs();
  r.get_cost = bench.Batch(ocpp::v16::GetConfigurationReq{}, "GetConfiguration", r.get_config);
  ocpp::v16::DataTransferReq dt;
  dt.vendor_id = *ocpp::codec::CiString<255>::From("org.example.wirebench");
  dt.message_id = *ocpp::codec::CiString<50>::From("Echo");
  dt.data = std::string("0123456789abcdef0123456789abcdef");
  r.dt_cost = bench.Batch(dt, "DataTransfer", r.data_transfer);
  r.syncs_calls = Delta(calls_before, bench.ReadSyncs());
  Bench::SessionSamples sessions;
  r.session_cost = bench.Sessions(sessions, &r.syncs_sessions);
  const SyncSample idle_before = bench.ReadSyncs();
  r.get_config_idle = sessions.get_config_idle;
  r.remote_start = sessions.remote_start;
  r.start_tx = sessions.start_tx;
  r.remote_stop = sessions.remote_stop;
  r.idle = bench.Idle(&r.idle_frames);
  r.syncs_idle = Delta(idle_before, bench.ReadSyncs());
  r.pd_station = bench.StationPrivateDirty();
  r.pd_station_booted = bench.private_dirty_booted_kib();
  bench.QuitStation();
  r.pd_bare = bench.BarePrivateDirty(false);
  r.pd_bare_ssl = bench.BarePrivateDirty(true);
  bench.Cleanup();
  r.load_after = LoadAverage1();
  r.seconds = ElapsedNs(began, BenchClock::now()) / 1e9;
  PrintWireBench(r);
  return 0;
}
