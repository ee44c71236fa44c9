// fleet_csms: the project's central system (CentralSystem, multi_station)
// as a process, for station_fleet's demo and benchmarks:
//
//   fleet_csms [--port P] [--duration S] [--drop-at S] [--heartbeat S]
//
// Prints `listening ws://127.0.0.1:PORT` first, then once a second a JSON
// line {"t":..,"connections":..,"opened":..,"boots":..,"calls":..,
// "started":..,"stopped":..}. --drop-at S cuts every connection at once
// (no close frames) S seconds after the start and prints, once the same
// number is connected again (or at exit), a line
// {"event":"reconnect_storm","dropped":N,"back":M,"p10_s":..,"p50_s":..,
// "p90_s":..,"last_s":..,"per_second":[..]}: when the stations came back.
// Stops on SIGTERM/SIGINT or after --duration.
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "tools/csms/central_system.h"

namespace {

using namespace ocpp;

std::atomic<bool> g_quit{false};
void OnSignal(int) { g_quit = true; }

double Arg(int argc, char** argv, const std::string& name, double fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (name == argv[i]) return std::atof(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a != "--port" && a != "--duration" && a != "--drop-at" && a != "--heartbeat") {
      std::fprintf(stderr, "fleet_csms: unknown flag %s\n", a.c_str());
      return 2;
    }
  }
  // lws sizes its descriptor table from the limit when the loop is created.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  signal(SIGPIPE, SIG_IGN);
  base::SystemClock clock;
  auto loop = runtime::LwsEventLoop::Create(clock);
  if (!loop) return 1;
  tools::CentralSystem::Options options;
  options.port = static_cast<int>(Arg(argc, argv, "--port", 0));
  options.heartbeat_interval = static_cast<int>(Arg(argc, argv, "--heartbeat", 30));
  options.multi_station = true;
  std::string error;
  auto cs = tools::CentralSystem::Create(*loop, options, &error);
  if (!cs) {
    std::fprintf(stderr, "fleet_csms: %s\n", error.c_str());
    return 1;
  }
  std::printf("listening %s\n", cs->url().c_str());
  std::fflush(stdout);

  const double duration = Arg(argc, argv, "--duration", 0);
  const double drop_at = Arg(argc, argv, "--drop-at", 0);
  const auto start = clock.Now();
  auto since = [&](base::SteadyTime t) { return std::chrono::duration<double>(t - start).count(); };
  double next_line = 1;
  std::size_t dropped = 0;
  double dropped_at = 0;
  std::uint64_t opened_at_drop = 0;
  std::vector<double> back;  // seconds after the drop
  bool storm_reported = false;
  auto report_storm = [&] {
    if (dropped == 0 || storm_reported) return;
    storm_reported = true;
    std::sort(back.begin(), back.end());
    auto q = [&](double p) {
      return back.empty()
                 ? 0.0
                 : back[std::min(back.size() - 1, static_cast<std::size_t>(p * back.size()))];
    };
    std::string per_second;
    const int seconds = back.empty() ? 0 : static_cast<int>(back.back()) + 1;
    for (int s = 0; s < seconds; ++s) {
      const auto n =
          std::count_if(back.begin(), back.end(), [s](double t) { return t >= s && t < s + 1; });
      per_second += (s ? "," : "") + std::to_string(n);
    }
    std::printf(
        "{\"event\":\"reconnect_storm\",\"dropped\":%zu,\"back\":%zu,\"p10_s\":%.3f,"
        "\"p50_s\":%.3f,\"p90_s\":%.3f,\"last_s\":%.3f,\"per_second\":[%s]}\n",
        dropped, back.size(), q(0.1), q(0.5), q(0.9), back.empty() ? 0.0 : back.back(),
        per_second.c_str());
    std::fflush(stdout);
  };
  std::uint64_t seen_opened = 0;
  while (!g_quit) {
    loop->RunOnce(std::chrono::milliseconds(50));
    const double t = since(clock.Now());
    const auto stats = cs->fleet_stats();
    if (dropped > 0 && !storm_reported) {
      for (; seen_opened < stats.connections_opened; ++seen_opened) back.push_back(t - dropped_at);
      if (back.size() >= dropped) report_storm();
    }
    if (drop_at > 0 && dropped == 0 && t >= drop_at) {
      opened_at_drop = stats.connections_opened;
      seen_opened = opened_at_drop;
      dropped = cs->DropAll();
      dropped_at = t;
      std::printf("{\"event\":\"drop\",\"t\":%.3f,\"dropped\":%zu}\n", t, dropped);
    }
    if (t >= next_line) {
      next_line += 1;
      std::printf(
          "{\"t\":%.0f,\"connections\":%zu,\"opened\":%llu,\"boots\":%llu,\"calls\":%llu,"
          "\"started\":%llu,\"stopped\":%llu}\n",
          t, stats.connections, static_cast<unsigned long long>(stats.connections_opened),
          static_cast<unsigned long long>(stats.boot_notifications),
          static_cast<unsigned long long>(stats.calls_received),
          static_cast<unsigned long long>(stats.transactions_started),
          static_cast<unsigned long long>(stats.transactions_stopped));
      std::fflush(stdout);
    }
    if (duration > 0 && t >= duration) break;
  }
  report_storm();
  cs.reset();
  return 0;
}
