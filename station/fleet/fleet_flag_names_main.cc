// fleet_flag_names: what station_fleet accepts, for checks of command lines
// written elsewhere (deploy/kubernetes's manifest test).
//
//   fleet_flag_names                 every flag, one per line
//   fleet_flag_names --check ARG...  parses ARG... exactly as station_fleet
//                                    does: exit 0, or 1 and the reason
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "station/fleet/fleet_flags.h"

int main(int argc, char** argv) {
  using namespace ocpp::station::fleet;
  if (argc > 1 && std::strcmp(argv[1], "--check") == 0) {
    FleetFlags flags;
    bool help = false;
    std::string error;
    if (!ParseFleetFlags(std::vector<std::string>(argv + 2, argv + argc), &flags, &help, &error)) {
      std::fprintf(stderr, "fleet_flag_names: %s\n", error.c_str());
      return 1;
    }
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "usage: fleet_flag_names [--check ARG...]\n");
    return 2;
  }
  for (const auto& name : FleetFlagNames()) std::printf("%s\n", name.c_str());
  return 0;
}
