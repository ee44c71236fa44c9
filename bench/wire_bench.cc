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
// Prints a table and a one-line JSON summary.
//
//   ./run bench wire_bench [-- --calls=2000 --sessions=200 --idle-seconds=60 --repeat=10]
#include <rapidjson/document.h>
#include <signal.h>

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
  std::string station_sim, bare_client;
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

// What a batch of measured work cost the station process.
struct Cost {
  double cpu_us_ticks = 0;  // utime+stime delta (10 ms resolution)
  double cpu_us_sched = 0;  // schedstat on-CPU delta, all threads (ns resolution)
  double wall_s = 0;
  std::int64_t voluntary = 0, involuntary = 0, timeslices = 0;
};

Cost Delta(const ProcSample& a, const ProcSample& b) {
  Cost c;
  c.cpu_us_ticks = (b.cpu_ticks - a.cpu_ticks) * MicrosPerTick();
  c.cpu_us_sched = (b.run_ns - a.run_ns) / 1e3;
  c.wall_s = ElapsedNs(a.at, b.at) / 1e9;
  c.voluntary = b.voluntary - a.voluntary;
  c.involuntary = b.involuntary - a.involuntary;
  c.timeslices = b.timeslices - a.timeslices;
  return c;
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
    config_file_ = tmp_ + "/station-config.json";
    std::ofstream out(config_file_);
    out << "{\"HeartbeatInterval\": \"300\"}\n";
    if (!out) Fail("cannot write " + config_file_);
  }

  // --- spawn -> BootNotification ---------------------------------------

  enum class Kind { kStation, kBare, kBareSsl };

  // Spawns one child of `kind` and waits for its BootNotification at the
  // central system; returns the child still running.
  ChildProcess SpawnBooted(Kind kind, const std::string& tag, std::int64_t* spawn_to_boot_ns) {
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
    ChildProcess child;
    std::string error;
    if (!SpawnChild(id, argv, tmp_ + "/" + id + ".out", tmp_ + "/" + id + ".err", &child, &error)) {
      Fail(error);
    }
    if (!WaitUntil(
            &child, [&] { return boot_at_.has_value(); }, 20)) {
      const std::string log = child.stderr_path;
      KillChild(child);
      Fail("no BootNotification from " + id + " (log: " + log + ")");
    }
    *spawn_to_boot_ns = ElapsedNs(child.spawned, *boot_at_);
    return child;
  }

  void KillAndDisconnect(ChildProcess& child) {
    KillChild(child);
    if (!WaitUntil(
            nullptr, [&] { return !cs_->connected(); }, 10)) {
      Fail("the central system kept a dead connection");
    }
  }

  void SpawnTimes(Samples& station, Samples& bare, Samples& bare_ssl) {
    for (int i = 0; i < config_.repeat; ++i) {
      std::int64_t ns = 0;
      const Kind kinds[] = {Kind::kStation, Kind::kBare, Kind::kBareSsl};
      Samples* out[] = {&station, &bare, &bare_ssl};
      for (int k = 0; k < 3; ++k) {
        ChildProcess child = SpawnBooted(kinds[k], "s" + std::to_string(i), &ns);
        out[k]->ns.push_back(ns);
        KillAndDisconnect(child);
      }
    }
  }

  // --- the measured session ------------------------------------------------

  void StartStation() {
    std::int64_t ns = 0;
    station_ = SpawnBooted(Kind::kStation, "main", &ns);
    if (!WaitUntil(
            &station_, [&] { return last_status_ == "Available"; }, 20)) {
      Fail("the station did not become Available");
    }
    Quiesce();
    private_dirty_booted_kib_ = PrivateDirtyKib(station_.pid);
  }

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

  Cost Sessions(SessionSamples& out) {
    for (int i = 0; i < std::max(1, config_.warmup / 10); ++i) Session(nullptr);
    const ProcSample before = ReadProc(station_.pid);
    for (int i = 0; i < config_.sessions; ++i) Session(&out);
    const ProcSample after = ReadProc(station_.pid);
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
      if (!boot_at_) boot_at_ = now;
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
  // Seen by the trace.
  std::optional<BenchClock::time_point> boot_at_;
  std::string last_status_;  // connector 1
  int starts_ = 0, stops_ = 0;
  BenchClock::time_point start_tx_at_;
  std::int64_t next_transaction_id_ = 1, transaction_id_ = 0;
};

void PrintLatency(const char* name, const Samples& s, const char* extra = "") {
  std::printf("  %-34s %7zu %9.1f %9.1f %9.1f%s\n", name, s.count(), s.PercentileUs(50),
              s.PercentileUs(99), s.PercentileUs(100), extra);
}

void PrintCost(const char* name, const Cost& c, int n) {
  std::printf("  %-34s %11.1f %11.1f %9.2f %9.2f\n", name, c.cpu_us_sched / n, c.cpu_us_ticks / n,
              static_cast<double>(c.voluntary) / n, static_cast<double>(c.involuntary) / n);
}

bool ParseFlags(int argc, char** argv, Config* config) {
  for (int i = 1; i < argc; ++i) {
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
    std::fprintf(stderr,
                 "usage: wire_bench [--calls=K] [--sessions=M] [--idle-seconds=S] [--repeat=N]\n"
                 "                  [--station-sim=PATH] [--bare-client=PATH]\n");
    return 2;
  }
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
  signal(SIGPIPE, SIG_IGN);
  const double load_before = LoadAverage1();
  const auto began = BenchClock::now();

  Bench bench(config);
  bench.Init();
  Samples spawn_station, spawn_bare, spawn_bare_ssl;
  bench.SpawnTimes(spawn_station, spawn_bare, spawn_bare_ssl);
  bench.StartStation();
  Samples get_config, data_transfer;
  const Cost get_cost =
      bench.Batch(ocpp::v16::GetConfigurationReq{}, "GetConfiguration", get_config);
  ocpp::v16::DataTransferReq dt;
  dt.vendor_id = *ocpp::codec::CiString<255>::From("org.example.wirebench");
  dt.message_id = *ocpp::codec::CiString<50>::From("Echo");
  dt.data = std::string("0123456789abcdef0123456789abcdef");
  const Cost dt_cost = bench.Batch(dt, "DataTransfer", data_transfer);
  Bench::SessionSamples sessions;
  const Cost session_cost = bench.Sessions(sessions);
  int idle_frames = 0;
  const Cost idle = bench.Idle(&idle_frames);
  const long pd_station = bench.StationPrivateDirty();
  const long pd_station_booted = bench.private_dirty_booted_kib();
  bench.QuitStation();
  const long pd_bare = bench.BarePrivateDirty(false);
  const long pd_bare_ssl = bench.BarePrivateDirty(true);
  bench.Cleanup();
  const double load_after = LoadAverage1();
  const double seconds = ElapsedNs(began, BenchClock::now()) / 1e9;

  std::printf(
      "wire_bench: station_sim as a child process against tools/csms on ws://127.0.0.1\n"
      "%d CPUs, load average %.2f before / %.2f after, %.0f s in all\n\n",
      CpusOnline(), load_before, load_after, seconds);
  std::printf("spawn -> BootNotification at the central system (%d runs, fresh data dirs)\n",
              config.repeat);
  std::printf("  %-34s %9s %9s %9s\n", "process", "p50 ms", "p90 ms", "max ms");
  auto spawn_row = [](const char* name, const Samples& s) {
    std::printf("  %-34s %9.2f %9.2f %9.2f\n", name, s.PercentileUs(50) / 1e3,
                s.PercentileUs(90) / 1e3, s.PercentileUs(100) / 1e3);
  };
  spawn_row("station_sim", spawn_station);
  spawn_row("bare_lws_client", spawn_bare);
  spawn_row("bare_lws_client --ssl-init", spawn_bare_ssl);
  std::printf("  ratio station_sim / bare --ssl-init: p50 %.2fx\n\n",
              spawn_station.PercentileUs(50) / spawn_bare_ssl.PercentileUs(50));

  std::printf("round trips at the central system (Call() -> typed CALLRESULT)\n");
  std::printf("  %-34s %7s %9s %9s %9s\n", "request", "n", "p50 us", "p99 us", "max us");
  PrintLatency("GetConfiguration (all keys) [base]", get_config, "  back to back");
  PrintLatency("DataTransfer", data_transfer, "  back to back");
  PrintLatency("GetConfiguration, idle station", sessions.get_config_idle, "  in each session");
  PrintLatency("RemoteStartTransaction (EV in C)", sessions.remote_start);
  PrintLatency("  RemoteStart -> StartTransaction", sessions.start_tx, "  arrives at the csms");
  PrintLatency("RemoteStopTransaction", sessions.remote_stop);
  const double r50 = sessions.remote_start.PercentileUs(50) / get_config.PercentileUs(50);
  const double r99 = sessions.remote_start.PercentileUs(99) / get_config.PercentileUs(99);
  const double r50_idle =
      sessions.remote_start.PercentileUs(50) / sessions.get_config_idle.PercentileUs(50);
  const double r99_idle =
      sessions.remote_start.PercentileUs(99) / sessions.get_config_idle.PercentileUs(99);
  std::printf("  RemoteStart / GetConfiguration back to back: p50 %.2fx, p99 %.2fx\n", r50, r99);
  std::printf("  RemoteStart / GetConfiguration idle station: p50 %.2fx, p99 %.2fx\n\n", r50_idle,
              r99_idle);

  std::printf("station_sim CPU and context switches per call (whole batch / n)\n");
  std::printf("  %-34s %11s %11s %9s %9s\n", "batch", "schedstat us", "stat us", "vol cs",
              "invol cs");
  PrintCost("GetConfiguration", get_cost, config.calls);
  PrintCost("DataTransfer", dt_cost, config.calls);
  PrintCost("session (per session, all of it)", session_cost, config.sessions);
  std::printf("  (stat = utime+stime in %.0f us ticks; schedstat = on-CPU ns, all threads)\n\n",
              MicrosPerTick());

  const double idle_ms_s_ticks = idle.cpu_us_ticks / 1e3 / idle.wall_s;
  const double idle_ms_s_sched = idle.cpu_us_sched / 1e3 / idle.wall_s;
  const double idle_cs_s = (idle.voluntary + idle.involuntary) / idle.wall_s;
  std::printf("idle station, %.1f s (%d frames on the wire meanwhile)\n", idle.wall_s, idle_frames);
  std::printf("  CPU ms/s %.3f (schedstat), %.3f (stat ticks)\n", idle_ms_s_sched, idle_ms_s_ticks);
  std::printf("  context switches/s %.2f (voluntary %.2f, involuntary %.2f); timeslices/s %.2f\n\n",
              idle_cs_s, idle.voluntary / idle.wall_s, idle.involuntary / idle.wall_s,
              idle.timeslices / idle.wall_s);

  std::printf("Private_Dirty (sum over /proc/PID/smaps)\n");
  std::printf("  %-34s %9ld KiB\n", "station_sim after the full run", pd_station);
  std::printf("  %-34s %9ld KiB\n", "station_sim just after boot", pd_station_booted);
  std::printf("  %-34s %9ld KiB\n", "bare_lws_client (1 frame answered)", pd_bare);
  std::printf("  %-34s %9ld KiB\n", "bare_lws_client --ssl-init", pd_bare_ssl);
  std::printf("  ratio station_sim / bare --ssl-init: %.2fx\n\n",
              static_cast<double>(pd_station) / pd_bare_ssl);

  std::printf(
      "{\"bench\":\"wire_bench\",\"cpus\":%d,\"load1\":[%.2f,%.2f],\"calls\":%d,\"sessions\":%d,"
      "\"spawn_to_boot_ms\":{\"station_p50\":%.2f,\"station_p90\":%.2f,\"bare_p50\":%.2f,"
      "\"bare_p90\":%.2f,\"bare_ssl_p50\":%.2f,\"bare_ssl_p90\":%.2f},"
      "\"rtt_us\":{\"get_configuration\":[%.1f,%.1f],\"data_transfer\":[%.1f,%.1f],"
      "\"get_configuration_idle\":[%.1f,%.1f],\"remote_start\":[%.1f,%.1f],"
      "\"remote_start_to_start_tx\":[%.1f,%.1f],\"remote_stop\":[%.1f,%.1f]},"
      "\"remote_start_over_get_configuration\":{\"p50\":%.2f,\"p99\":%.2f,\"idle_p50\":%.2f,"
      "\"idle_p99\":%.2f},\"station_cpu_us_per_call\":{\"get_configuration\":%.1f,"
      "\"data_transfer\":%.1f,\"session\":%.1f},\"idle\":{\"seconds\":%.1f,\"cpu_ms_per_s\":%.3f,"
      "\"ctxt_switches_per_s\":%.2f},\"private_dirty_kib\":{\"station_sim\":%ld,"
      "\"bare_lws_client\":%ld,\"bare_lws_client_ssl_init\":%ld}}\n",
      CpusOnline(), load_before, load_after, config.calls, config.sessions,
      spawn_station.PercentileUs(50) / 1e3, spawn_station.PercentileUs(90) / 1e3,
      spawn_bare.PercentileUs(50) / 1e3, spawn_bare.PercentileUs(90) / 1e3,
      spawn_bare_ssl.PercentileUs(50) / 1e3, spawn_bare_ssl.PercentileUs(90) / 1e3,
      get_config.PercentileUs(50), get_config.PercentileUs(99), data_transfer.PercentileUs(50),
      data_transfer.PercentileUs(99), sessions.get_config_idle.PercentileUs(50),
      sessions.get_config_idle.PercentileUs(99), sessions.remote_start.PercentileUs(50),
      sessions.remote_start.PercentileUs(99), sessions.start_tx.PercentileUs(50),
      sessions.start_tx.PercentileUs(99), sessions.remote_stop.PercentileUs(50),
      sessions.remote_stop.PercentileUs(99), r50, r99, r50_idle, r99_idle,
      get_cost.cpu_us_sched / config.calls, dt_cost.cpu_us_sched / config.calls,
      session_cost.cpu_us_sched / config.sessions, idle.wall_s, idle_ms_s_sched, idle_cs_s,
      pd_station, pd_bare, pd_bare_ssl);
  return 0;
}
