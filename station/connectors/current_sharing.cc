#include "station/connectors/current_sharing.h"

#include <algorithm>
#include <cstddef>

namespace ocpp::station {
namespace {

// Water-filling of `total` over `caps`: equal shares, each at most its cap,
// what a capped one leaves over goes to the rest.
std::vector<double> Fill(double total, const std::vector<double>& caps) {
  std::vector<std::size_t> order(caps.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return caps[a] < caps[b] || (caps[a] == caps[b] && a < b);
  });
  std::vector<double> shares(caps.size(), 0.0);
  double left = std::max(0.0, total);
  std::size_t remaining = order.size();
  for (std::size_t i : order) {
    const double share = std::min(std::max(0.0, caps[i]), left / static_cast<double>(remaining));
    shares[i] = share;
    left -= share;
    --remaining;
  }
  return shares;
}

}  // namespace

std::vector<double> ShareCurrent(double station_amps, const std::vector<ShareRequest>& requests) {
  std::vector<double> caps;
  std::vector<std::size_t> drawing;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].offered && requests[i].drawing) {
      drawing.push_back(i);
      caps.push_back(requests[i].cap_amps);
    }
  }
  std::vector<double> offers(requests.size(), 0.0);
  const std::vector<double> shares = Fill(station_amps, caps);
  for (std::size_t k = 0; k < drawing.size(); ++k) offers[drawing[k]] = shares[k];
  // One that may start: its share were it drawing with the others.
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!requests[i].offered || requests[i].drawing) continue;
    std::vector<double> with = caps;
    with.push_back(requests[i].cap_amps);
    offers[i] = Fill(station_amps, with).back();
  }
  return offers;
}

}  // namespace ocpp::station
