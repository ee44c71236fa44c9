// station_fleet: many simulated stations in one process, on one event loop,
// for load tests of a central system (../shared/docs/station-sim-interface.md,
// "Fleet mode"; docs/fleet.md). JSON statistics lines on stdout, a progress
// line and the stations' logs on stderr, `quit` on stdin or SIGTERM/SIGINT
// (or --duration) for a graceful stop.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "base/clock.h"
#include "hal/linux/sqlite_storage.h"
#include "hal/sim/data_dir.h"
#include "runtime/lws_event_loop.h"
#include "station/fleet/fleet.h"
#include "station/fleet/fleet_report.h"
#include "station/sim/sim_flags.h"

namespace {

using namespace ocpp;
using namespace ocpp::station::fleet;

// Descriptors one station holds: its socket and SQLite's database and -wal
// files (exclusive locking keeps the WAL index in memory, no -shm; measured
// 3.0: docs/fleet.md). Other files (the meter register, the shutdown
// marker) are opened and closed one at a time.
constexpr rlim_t kFdsPerStation = 3;
constexpr rlim_t kFdsFixed = 64;

[[noreturn]] void Die(const std::string& reason, int code = 2) {
  std::fprintf(stderr, "station_fleet: %s\n", reason.c_str());
  std::exit(code);
}

// Raises the soft open-file limit to the hard one before the loop exists
// (libwebsockets sizes its descriptor table from it at context creation).
void RaiseOpenFileLimit(int stations) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t needed = kFdsFixed + kFdsPerStation * static_cast<rlim_t>(stations);
  // Over the limit the later stations open their databases and then find
  // no descriptor for a socket (10,000 asked with 20,000: 2,509 connected):
  // refuse instead of a degraded run.
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    Die(std::to_string(stations) + " stations need about " + std::to_string(needed) +
            " open files, the limit is " + std::to_string(limit.rlim_cur) +
            " (ulimit -Hn; at most " +
            std::to_string((limit.rlim_cur - kFdsFixed) / kFdsPerStation) + " stations)",
        1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  FleetFlags flags;
  bool help = false;
  std::string error;
  if (!ParseFleetFlags(std::vector<std::string>(argv + 1, argv + argc), &flags, &help, &error)) {
    Die(error);
  }
  if (help) {
    std::fputs(FleetUsage().c_str(), stdout);
    return 0;
  }
  // Fleet defaults under --config: sessions report MeterValues every minute.
  std::map<std::string, std::string> factory = {{"MeterValueSampleInterval", "60"}};
  if (!station::sim::ReadFactoryConfig(flags.config_file, &factory, &error)) Die(error);
  if (!hal::sim::MakeDirectories(flags.data_dir, &error))
    Die("cannot create --data-dir " + error, 1);
  RaiseOpenFileLimit(flags.count);
  // Before any storage opens: 88 KiB less per station (sqlite_storage.h).
  hal::SqliteStorage::StartPageCachesEmpty();

  // Signals are taken by one thread with sigwait, never in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  base::SystemClock clock;
  runtime::LwsEventLoop::Options loop_options;
  const bool debug = flags.log_level == station::LogLevel::kDebug;
  loop_options.log_sink = [debug](runtime::LogLevel level, std::string_view message) {
    if (debug || level == runtime::LogLevel::kError) {
      std::fprintf(stderr, "station_fleet: lws: %.*s\n", static_cast<int>(message.size()),
                   message.data());
    }
  };
  auto loop = runtime::LwsEventLoop::Create(clock, loop_options);
  if (!loop) Die("cannot create the event loop", 1);

  Fleet::Output output;
  output.stats = [](const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  };
  output.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  output.log = [](const std::string& line) {
    std::fprintf(stderr, "station_fleet: %s\n", line.c_str());
  };
  Fleet fleet(*loop, flags, std::move(factory), output);

  std::atomic<bool> quit{false};
  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    quit = true;
    loop->Post([] {});
  });
  signal_thread.detach();
  // stdin: `quit`; anything else is an error line; EOF is not quit.
  std::thread input_thread([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line == "quit") {
        quit = true;
        loop->Post([] {});
      } else if (!line.empty()) {
        std::fprintf(stderr, "error: station_fleet understands only `quit`\n");
      }
    }
  });
  input_thread.detach();

  fleet.Start();
  if (flags.duration_s > 0) {
    loop->AddTimer(base::Milliseconds(static_cast<std::int64_t>(flags.duration_s * 1000)),
                   [&quit] { quit = true; });
  }
  while (!quit) loop->RunOnce(std::chrono::seconds(1));

  // Graceful stop: close frames (1001), bounded by the transports' 5 s close
  // timeout, then state goes.
  fleet.BeginStop();
  const auto deadline = clock.Now() + std::chrono::seconds(8);
  while (!fleet.IsStopped() && clock.Now() < deadline) {
    loop->RunOnce(std::chrono::milliseconds(20));
  }
  // Finish closes the stations' storages; one sync of the file system then
  // makes all of them durable (Durability::kOwnerSyncs).
  std::string reason;
  const int status = fleet.Finish(&reason);
  if (!flags.fsync_every_commit) {
    if (base::Status synced = hal::SqliteStorage::SyncFileSystem(flags.data_dir); !synced.ok()) {
      std::fprintf(stderr, "station_fleet: %s\n", synced.message().c_str());
    }
  }
  if (!flags.report_file.empty()) {
    if (std::string report_error;
        !WriteFleetReport(flags.report_file, flags, fleet, &report_error)) {
      std::fprintf(stderr, "station_fleet: %s\n", report_error.c_str());
    }
  }
  if (status != 0) std::fprintf(stderr, "station_fleet: %s\n", reason.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(status);  // detached threads may still block on stdin
}
