#include "station/fleet/plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ocpp::station::fleet {

namespace {
constexpr std::uint64_t kPlanPurpose = 0x706c616e;       // "plan"
constexpr std::uint64_t kReconnectPurpose = 0x6a697474;  // "jitt"
// Longest single phase: a draw from the exponential tail is capped at 50
// means, so a station never sits out a whole load test by accident.
constexpr double kMaxMeans = 50;
}  // namespace

std::uint64_t SplitMix64::Next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose) {
  SplitMix64 a(seed ^ (purpose * 0x9e3779b97f4a7c15ULL));
  SplitMix64 b(a.Next() + index);
  return b.Next();
}

std::string StationId(const std::string& prefix, std::uint64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(index));
  return prefix + digits;
}

std::string CardId(const std::string& prefix, std::uint64_t index) {
  return StationId(prefix, index) + "T";
}

std::uint64_t ReconnectSeed(std::uint64_t seed, std::uint64_t index) {
  return DeriveSeed(seed, index, kReconnectPurpose);
}

base::Milliseconds StartOffset(int position, int count, base::Milliseconds ramp_up) {
  if (count <= 0 || ramp_up.count() <= 0) return base::Milliseconds(0);
  return base::Milliseconds(ramp_up.count() * position / count);
}

StationPlan::StationPlan(std::uint64_t seed, std::uint64_t index, PlanOptions options)
    : random_(DeriveSeed(seed, index, kPlanPurpose)), options_(options) {}

Cycle StationPlan::Next() {
  Cycle cycle;
  cycle.idle = Draw(options_.idle_mean_s);
  cycle.charge = Draw(options_.charge_mean_s);
  return cycle;
}

// Inverse transform: -mean * ln(1 - u), u in [0, 1).
base::Milliseconds StationPlan::Draw(double mean_s) {
  const double s = std::min(-mean_s * std::log1p(-random_.NextUnit()), kMaxMeans * mean_s);
  return base::Milliseconds(static_cast<std::int64_t>(std::llround(s * 1000)));
}

}  // namespace ocpp::station::fleet
