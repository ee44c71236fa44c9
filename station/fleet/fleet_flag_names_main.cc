// Prints every flag station_fleet accepts, one per line.
#include <cstdio>

#include "station/fleet/fleet_flags.h"

int main() {
  for (const auto& name : ocpp::station::fleet::FleetFlagNames()) std::printf("%s\n", name.c_str());
  return 0;
}
