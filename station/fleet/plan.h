// The plan a fleet station plays (../shared/docs/station-sim-interface.md,
// "Fleet mode"): idle for an exponentially distributed time, plug in, present
// its card, charge for an exponentially distributed time, stop with the same
// card, unplug; repeat. Every random choice is a pure function of (seed,
// station index), with our own generator and our own exponential draw, so
// the same seed gives the same plan on every machine and standard library.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"

namespace ocpp::station::fleet {

// SplitMix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator
// whose outputs are well mixed even for neighbouring seeds.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  // Uniform in [0, 1), 53 bits.
  double NextUnit();

 private:
  std::uint64_t state_;
};

// One hash step of SplitMix64: the stream seed of a station from the fleet
// seed, its index and a purpose tag (plan, reconnect jitter).
std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose);

// Station ids are the prefix followed by the 6-digit index (FLEET000042);
// the card is the id followed by T (FLEET000042T).
std::string StationId(const std::string& prefix, std::uint64_t index);
std::string CardId(const std::string& prefix, std::uint64_t index);

// The seed of station `index`'s reconnect jitter (WsClientTransport::Options::random_seed).
std::uint64_t ReconnectSeed(std::uint64_t seed, std::uint64_t index);

// When station `index` (0-based within this process) first connects:
// the first connections spread evenly over `ramp_up`.
base::Milliseconds StartOffset(int position, int count, base::Milliseconds ramp_up);

struct PlanOptions {
  double idle_mean_s = 60;
  double charge_mean_s = 120;
};

// One round of the plan.
struct Cycle {
  base::Milliseconds idle{0};    // before plugging in
  base::Milliseconds charge{0};  // from the card to the same card again
};

// The endless sequence of cycles of one station.
class StationPlan {
 public:
  StationPlan(std::uint64_t seed, std::uint64_t index, PlanOptions options);
  Cycle Next();

 private:
  base::Milliseconds Draw(double mean_s);

  SplitMix64 random_;
  PlanOptions options_;
};

}  // namespace ocpp::station::fleet
