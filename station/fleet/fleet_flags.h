// station_fleet's command line (../shared/docs/station-sim-interface.md,
// "Fleet mode"), parsed without exiting so that tests can check it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "station/context.h"

namespace ocpp::station::fleet {

struct FleetFlags {
  std::string csms;
  int count = 0;
  std::string id_prefix = "FLEET";
  std::int64_t first = 0;
  std::string data_dir;
  double ramp_up_s = 0;
  double duration_s = 0;  // 0: until quit or a signal
  double idle_mean_s = 60;
  double charge_mean_s = 120;
  int power_w = 7200;
  std::uint64_t seed = 1;
  double stats_interval_s = 5;
  std::string config_file;
  std::string password;
  std::string ca_file;
  LogLevel log_level = LogLevel::kWarning;
  std::string report_file;          // --report FILE.html
  bool fsync_every_commit = false;  // --fsync every-commit|at-exit (fleet_member.cc)
};

// Every flag station_fleet accepts (deploy/kubernetes checks its manifest against it).
const std::vector<std::string>& FleetFlagNames();
std::string FleetUsage();

// False with a one-line reason in `error`; `help` set for --help.
bool ParseFleetFlags(const std::vector<std::string>& args, FleetFlags* flags, bool* help,
                     std::string* error);

}  // namespace ocpp::station::fleet
