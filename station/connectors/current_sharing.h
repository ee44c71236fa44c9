// How the connectors share what the station may draw (the supply and any
// ChargePointMaxProfile, OCPP 1.6 section 3.13.2), as a pure function:
// the connectors whose EV draws share the station's current equally, each
// capped by its own limit, and what one cannot use goes to the others
// (water-filling). A connector that may charge but whose EV does not draw
// yet is offered the share it would get if it started now, so the offer
// it sees never has to be cut when it starts. See
// ../shared/docs/station-sim-interface.md, "Several connectors".
#pragma once

#include <vector>

namespace ocpp::station {

struct ShareRequest {
  double cap_amps = 0;   // the connector's own limit, per phase
  bool offered = false;  // energy is allowed here (a transaction may charge)
  bool drawing = false;  // ... and the EV asks for energy (pilot C or D)
};

// Per connector (same order), the current offered, per phase: 0 where
// energy is not allowed. The offers of drawing connectors never sum to more
// than `station_amps`.
std::vector<double> ShareCurrent(double station_amps, const std::vector<ShareRequest>& requests);

}  // namespace ocpp::station
