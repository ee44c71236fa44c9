// station_fleet --report FILE.html: one self-contained page (inline SVG, no
// external assets) with connected stations and sessions over time, call
// round-trip percentiles over time, the latency histogram and the errors.
#pragma once

#include <string>

#include "station/fleet/fleet.h"

namespace ocpp::station::fleet {

std::string FleetReportHtml(const FleetFlags& flags, const Fleet& fleet);
bool WriteFleetReport(const std::string& path, const FleetFlags& flags, const Fleet& fleet,
                      std::string* error);

}  // namespace ocpp::station::fleet
