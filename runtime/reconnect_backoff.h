// Reconnect delays: exponential back-off with full jitter. Attempt n waits a
// uniformly random time in [0, min(cap, base * 2^n)]; a successful connection
// resets n to 0. Full jitter spreads a fleet of stations that lost the central
// system at the same moment. The randomness is seeded explicitly so tests can
// predict every delay.
#pragma once

#include <cstdint>
#include <random>

#include "base/clock.h"

namespace ocpp::runtime {

class ReconnectBackoff {
 public:
  // `base` > 0 and `cap` >= `base` are forced if violated.
  ReconnectBackoff(base::Milliseconds base, base::Milliseconds cap, std::uint64_t seed);

  // Upper bound of the next delay: min(cap, base * 2^attempts()).
  base::Milliseconds NextCeiling() const;
  // Draws the next delay and counts the attempt.
  base::Milliseconds Next();
  // After a successful connection.
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  base::Milliseconds base_;
  base::Milliseconds cap_;
  int attempts_ = 0;
  // mt19937_64 is fully specified by the standard, so a seed gives the same
  // delays on every platform (std distributions are not specified that way).
  std::mt19937_64 random_;
};

}  // namespace ocpp::runtime
