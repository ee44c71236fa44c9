// What bench/wire_bench measured, and its table and JSON line.
#pragma once

#include <cstdint>

#include "bench/latency_stats.h"
#include "bench/wire_bench_util.h"

namespace ocpp::bench {

struct WireBenchResults {
  int cpus = 0, calls = 0, sessions = 0, repeat = 0;
  double load_before = 0, load_after = 0, seconds = 0;
  // spawn -> BootNotification: wall time, and the child's CPU (schedstat)
  // when it arrived.
  Samples spawn_station, spawn_bare, spawn_bare_ssl;
  Samples spawn_cpu_station, spawn_cpu_bare, spawn_cpu_bare_ssl;
  // station_sim again on the data dir the first start left (killed with
  // SIGKILL after its BootNotification): a reboot, the common case.
  Samples spawn_station_restart, spawn_cpu_station_restart;
  // Round trips at the central system.
  Samples get_config, data_transfer, get_config_idle, remote_start, start_tx, remote_stop;
  Cost get_cost, dt_cost, session_cost, idle;
  int idle_frames = 0;
  long pd_station = 0, pd_station_booted = 0, pd_bare = 0, pd_bare_ssl = 0;
  // fsync + fdatasync calls of the measured station_sim (sync_counter.h);
  // `counted` false when bench/libsync_counter.so was not found.
  bool counted = false;
  SyncSample syncs_before_boot;  // spawn -> its BootNotification arriving
  SyncSample syncs_boot;         // spawn -> Available and quiet
  SyncSample syncs_calls;        // both back-to-back batches
  SyncSample syncs_sessions;     // all measured sessions (max per turn among them)
  SyncSample syncs_idle;
};

void PrintWireBench(const WireBenchResults& r);

}  // namespace ocpp::bench
