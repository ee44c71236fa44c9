#include "bench/wire_bench_report.h"

#include <cstdio>
#include <string>

namespace ocpp::bench {
namespace {

void PrintLatency(const char* name, const Samples& s, const char* extra = "") {
  std::printf("  %-34s %7zu %9.1f %9.1f %9.1f%s\n", name, s.count(), s.PercentileUs(50),
              s.PercentileUs(99), s.PercentileUs(100), extra);
}

void PrintCost(const char* name, const Cost& c, int n) {
  std::printf("  %-34s %11.1f %11.1f %9.2f %9.2f\n", name, c.cpu_us_sched / n, c.cpu_us_ticks / n,
              static_cast<double>(c.voluntary) / n, static_cast<double>(c.involuntary) / n);
}

void PrintSpawn(const WireBenchResults& r) {
  std::printf("spawn -> BootNotification at the central system (%d runs, fresh data dirs)\n",
              r.repeat);
  std::printf("  %-34s %9s %9s %9s %11s\n", "process", "p50 ms", "p90 ms", "max ms", "CPU p50 ms");
  auto row = [](const char* name, const Samples& wall, const Samples& cpu) {
    std::printf("  %-34s %9.2f %9.2f %9.2f %11.2f\n", name, wall.PercentileUs(50) / 1e3,
                wall.PercentileUs(90) / 1e3, wall.PercentileUs(100) / 1e3,
                cpu.PercentileUs(50) / 1e3);
  };
  row("station_sim (first start)", r.spawn_station, r.spawn_cpu_station);
  row("station_sim (restart, same dir)", r.spawn_station_restart, r.spawn_cpu_station_restart);
  row("bare_lws_client", r.spawn_bare, r.spawn_cpu_bare);
  row("bare_lws_client --ssl-init", r.spawn_bare_ssl, r.spawn_cpu_bare_ssl);
  auto ratio = [](const Samples& a, const Samples& b, double p) {
    return a.PercentileUs(p) / b.PercentileUs(p);
  };
  std::printf(
      "  ratio station_sim / bare_lws_client: p50 %.2fx, p90 %.2fx, CPU p50 %.2fx (target 1.5x)\n",
      ratio(r.spawn_station, r.spawn_bare, 50), ratio(r.spawn_station, r.spawn_bare, 90),
      ratio(r.spawn_cpu_station, r.spawn_cpu_bare, 50));
  std::printf(
      "  ratio restarted station_sim / bare_lws_client: p50 %.2fx, p90 %.2fx, CPU p50 %.2fx\n",
      ratio(r.spawn_station_restart, r.spawn_bare, 50),
      ratio(r.spawn_station_restart, r.spawn_bare, 90),
      ratio(r.spawn_cpu_station_restart, r.spawn_cpu_bare, 50));
  std::printf("  ratio station_sim / bare --ssl-init: p50 %.2fx\n",
              ratio(r.spawn_station, r.spawn_bare_ssl, 50));
  std::printf("  (CPU: the child's on-CPU time, schedstat, read when its frame arrived)\n\n");
}

void PrintSyncs(const WireBenchResults& r) {
  if (!r.counted) {
    std::printf("fsync/fdatasync: not counted (bench/libsync_counter.so not found)\n\n");
    return;
  }
  const double n_calls = 2.0 * r.calls;
  std::printf(
      "fsync + fdatasync calls of station_sim (bench/libsync_counter.so, completed ones)\n");
  std::printf("  %-50s %9llu\n", "before its BootNotification arrived",
              static_cast<unsigned long long>(r.syncs_before_boot.syncs));
  std::printf("  %-50s %9llu  (most in one loop turn: %llu)\n", "boot, until Available and quiet",
              static_cast<unsigned long long>(r.syncs_boot.syncs),
              static_cast<unsigned long long>(r.syncs_boot.max_in_a_turn));
  std::printf("  %-50s %9.2f\n", "per call, GetConfiguration and DataTransfer",
              r.syncs_calls.syncs / n_calls);
  std::printf("  %-50s %9.2f\n", "per session (cp C ... Available, all of it)",
              static_cast<double>(r.syncs_sessions.syncs) / r.sessions);
  std::printf("  %-50s %9llu\n", "idle", static_cast<unsigned long long>(r.syncs_idle.syncs));
  const SyncSample& s = r.syncs_sessions;
  std::printf("  loop turns of the sessions (a turn ends at poll()): %llu, with syncs:",
              static_cast<unsigned long long>(s.turns));
  for (int i = 0; i < SyncCounters::kBuckets; ++i) {
    if (s.turns_with[i] == 0) continue;
    std::printf(" %llu with %d%s", static_cast<unsigned long long>(s.turns_with[i]), i + 1,
                i + 1 == SyncCounters::kBuckets ? "+" : "");
  }
  std::printf("; most in one turn: %llu\n\n", static_cast<unsigned long long>(s.max_in_a_turn));
}

void PrintJson(const WireBenchResults& r) {
  const double r50 = r.remote_start.PercentileUs(50) / r.get_config.PercentileUs(50);
  const double r99 = r.remote_start.PercentileUs(99) / r.get_config.PercentileUs(99);
  const double r50_idle = r.remote_start.PercentileUs(50) / r.get_config_idle.PercentileUs(50);
  const double r99_idle = r.remote_start.PercentileUs(99) / r.get_config_idle.PercentileUs(99);
  std::string turns = "[";
  for (int i = 0; i < SyncCounters::kBuckets; ++i) {
    turns += (i ? "," : "") + std::to_string(r.syncs_sessions.turns_with[i]);
  }
  turns += "]";
  std::printf(
      "{\"bench\":\"wire_bench\",\"cpus\":%d,\"load1\":[%.2f,%.2f],\"calls\":%d,\"sessions\":%d,"
      "\"spawn_to_boot_ms\":{\"station_p50\":%.2f,\"station_p90\":%.2f,\"bare_p50\":%.2f,"
      "\"bare_p90\":%.2f,\"bare_ssl_p50\":%.2f,\"bare_ssl_p90\":%.2f,\"station_cpu_p50\":%.2f,"
      "\"bare_cpu_p50\":%.2f,\"restart_p50\":%.2f,\"restart_p90\":%.2f,\"restart_cpu_p50\":%.2f},"
      "\"rtt_us\":{\"get_configuration\":[%.1f,%.1f],\"data_transfer\":[%.1f,%.1f],"
      "\"get_configuration_idle\":[%.1f,%.1f],\"remote_start\":[%.1f,%.1f],"
      "\"remote_start_to_start_tx\":[%.1f,%.1f],\"remote_stop\":[%.1f,%.1f]},"
      "\"remote_start_over_get_configuration\":{\"p50\":%.2f,\"p99\":%.2f,\"idle_p50\":%.2f,"
      "\"idle_p99\":%.2f},\"station_cpu_us_per_call\":{\"get_configuration\":%.1f,"
      "\"data_transfer\":%.1f,\"session\":%.1f},\"idle\":{\"seconds\":%.1f,\"cpu_ms_per_s\":%.3f,"
      "\"ctxt_switches_per_s\":%.2f},\"private_dirty_kib\":{\"station_sim\":%ld,"
      "\"bare_lws_client\":%ld,\"bare_lws_client_ssl_init\":%ld},"
      "\"syncs\":{\"counted\":%s,\"before_boot\":%llu,\"boot\":%llu,\"boot_max_per_turn\":%llu,"
      "\"per_call\":%.3f,"
      "\"per_session\":%.2f,\"idle\":%llu,\"session_turns_with\":%s,\"max_per_turn\":%llu}}\n",
      r.cpus, r.load_before, r.load_after, r.calls, r.sessions,
      r.spawn_station.PercentileUs(50) / 1e3, r.spawn_station.PercentileUs(90) / 1e3,
      r.spawn_bare.PercentileUs(50) / 1e3, r.spawn_bare.PercentileUs(90) / 1e3,
      r.spawn_bare_ssl.PercentileUs(50) / 1e3, r.spawn_bare_ssl.PercentileUs(90) / 1e3,
      r.spawn_cpu_station.PercentileUs(50) / 1e3, r.spawn_cpu_bare.PercentileUs(50) / 1e3,
      r.spawn_station_restart.PercentileUs(50) / 1e3,
      r.spawn_station_restart.PercentileUs(90) / 1e3,
      r.spawn_cpu_station_restart.PercentileUs(50) / 1e3, r.get_config.PercentileUs(50),
      r.get_config.PercentileUs(99), r.data_transfer.PercentileUs(50),
      r.data_transfer.PercentileUs(99), r.get_config_idle.PercentileUs(50),
      r.get_config_idle.PercentileUs(99), r.remote_start.PercentileUs(50),
      r.remote_start.PercentileUs(99), r.start_tx.PercentileUs(50), r.start_tx.PercentileUs(99),
      r.remote_stop.PercentileUs(50), r.remote_stop.PercentileUs(99), r50, r99, r50_idle, r99_idle,
      r.get_cost.cpu_us_sched / r.calls, r.dt_cost.cpu_us_sched / r.calls,
      r.session_cost.cpu_us_sched / r.sessions, r.idle.wall_s,
      r.idle.cpu_us_sched / 1e3 / r.idle.wall_s,
      (r.idle.voluntary + r.idle.involuntary) / r.idle.wall_s, r.pd_station, r.pd_bare,
      r.pd_bare_ssl, r.counted ? "true" : "false",
      static_cast<unsigned long long>(r.syncs_before_boot.syncs),
      static_cast<unsigned long long>(r.syncs_boot.syncs),
      static_cast<unsigned long long>(r.syncs_boot.max_in_a_turn),
      r.syncs_calls.syncs / (2.0 * r.calls),
      static_cast<double>(r.syncs_sessions.syncs) / r.sessions,
      static_cast<unsigned long long>(r.syncs_idle.syncs), turns.c_str(),
      static_cast<unsigned long long>(r.syncs_sessions.max_in_a_turn));
}

}  // namespace

void PrintWireBench(const WireBenchResults& r) {
  std::printf(
      "wire_bench: station_sim as a child process against tools/csms on ws://127.0.0.1\n"
      "%d CPUs, load average %.2f before / %.2f after, %.0f s in all\n\n",
      r.cpus, r.load_before, r.load_after, r.seconds);
  PrintSpawn(r);

  std::printf("round trips at the central system (Call() -> typed CALLRESULT)\n");
  std::printf("  %-34s %7s %9s %9s %9s\n", "request", "n", "p50 us", "p99 us", "max us");
  PrintLatency("GetConfiguration (all keys) [base]", r.get_config, "  back to back");
  PrintLatency("DataTransfer", r.data_transfer, "  back to back");
  PrintLatency("GetConfiguration, idle station", r.get_config_idle, "  in each session");
  PrintLatency("RemoteStartTransaction (EV in C)", r.remote_start);
  PrintLatency("  RemoteStart -> StartTransaction", r.start_tx, "  arrives at the csms");
  PrintLatency("RemoteStopTransaction", r.remote_stop);
  std::printf("  RemoteStart / GetConfiguration back to back: p50 %.2fx, p99 %.2fx\n",
              r.remote_start.PercentileUs(50) / r.get_config.PercentileUs(50),
              r.remote_start.PercentileUs(99) / r.get_config.PercentileUs(99));
  std::printf("  RemoteStart / GetConfiguration idle station: p50 %.2fx, p99 %.2fx\n\n",
              r.remote_start.PercentileUs(50) / r.get_config_idle.PercentileUs(50),
              r.remote_start.PercentileUs(99) / r.get_config_idle.PercentileUs(99));

  std::printf("station_sim CPU and context switches per call (whole batch / n)\n");
  std::printf("  %-34s %11s %11s %9s %9s\n", "batch", "schedstat us", "stat us", "vol cs",
              "invol cs");
  PrintCost("GetConfiguration", r.get_cost, r.calls);
  PrintCost("DataTransfer", r.dt_cost, r.calls);
  PrintCost("session (per session, all of it)", r.session_cost, r.sessions);
  std::printf("  (stat = utime+stime in %.0f us ticks; schedstat = on-CPU ns, all threads)\n\n",
              MicrosPerTick());

  PrintSyncs(r);

  const Cost& idle = r.idle;
  std::printf("idle station, %.1f s (%d frames on the wire meanwhile)\n", idle.wall_s,
              r.idle_frames);
  std::printf("  CPU ms/s %.3f (schedstat), %.3f (stat ticks)\n",
              idle.cpu_us_sched / 1e3 / idle.wall_s, idle.cpu_us_ticks / 1e3 / idle.wall_s);
  std::printf("  context switches/s %.2f (voluntary %.2f, involuntary %.2f); timeslices/s %.2f\n\n",
              (idle.voluntary + idle.involuntary) / idle.wall_s, idle.voluntary / idle.wall_s,
              idle.involuntary / idle.wall_s, idle.timeslices / idle.wall_s);

  std::printf("Private_Dirty (sum over /proc/PID/smaps)\n");
  std::printf("  %-34s %9ld KiB\n", "station_sim after the full run", r.pd_station);
  std::printf("  %-34s %9ld KiB\n", "station_sim just after boot", r.pd_station_booted);
  std::printf("  %-34s %9ld KiB\n", "bare_lws_client (1 frame answered)", r.pd_bare);
  std::printf("  %-34s %9ld KiB\n", "bare_lws_client --ssl-init", r.pd_bare_ssl);
  std::printf("  ratio station_sim / bare --ssl-init: %.2fx\n\n",
              static_cast<double>(r.pd_station) / r.pd_bare_ssl);
  PrintJson(r);
}

}  // namespace ocpp::bench
