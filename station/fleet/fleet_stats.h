// What station_fleet measures: call round trips (a CALL a station sent to
// its CALLRESULT or CALLERROR), counted per station from the frames the
// ChargePoint reports (Callbacks::on_frame), in a bounded histogram; and the
// JSON statistics line of the contract (../shared/docs/station-sim-interface.md,
// "Fleet mode").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace ocpp::station::fleet {

// Log-linear histogram of microsecond values (HdrHistogram's layout with 32
// sub-buckets per power of two): exact below 64 us, else within 1/32
// (about 3 %); values from 0 to 2^38 us (76 h), larger ones are clamped.
// 8.7 KB whatever the number of samples.
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kBuckets = (38 - kSubBits + 1) * (1 << kSubBits);

  void Record(std::uint64_t micros);
  void Merge(const LatencyHistogram& other);
  void Reset() { *this = LatencyHistogram(); }
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  // The value at quantile q (0..1): the middle of its bucket, never above
  // max(); 0 when empty.
  std::uint64_t Quantile(double q) const;

  std::uint64_t BucketCount(int bucket) const { return counts_[bucket]; }
  static int BucketOf(std::uint64_t micros);
  static std::uint64_t BucketLow(int bucket);
  static std::uint64_t BucketWidth(int bucket);

 private:
  std::array<std::uint32_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

// The head of an OCPP-J frame: [type, "id", "Action", ...] (the action for
// CALLs only). Tolerates whitespace; type 0 when it is not a frame.
struct FrameHead {
  int type = 0;  // 2 CALL, 3 CALLRESULT, 4 CALLERROR
  std::string_view id;
  std::string_view action;
};
FrameHead ParseFrameHead(std::string_view frame);

// The CALLs one station has sent and not yet seen answered. A station has
// at most a few in flight (OCPP-J: one at a time, plus retries), so this is
// a small vector, not a map.
class CallTracker {
 public:
  enum class Action : std::uint8_t {
    kOther,
    kBootNotification,
    kStartTransaction,
    kStopTransaction
  };
  struct Answer {
    bool matched = false;  // a CALLRESULT or CALLERROR to one of our CALLs
    bool error = false;    // CALLERROR
    Action action = Action::kOther;
    std::uint64_t rtt_us = 0;
  };

  // A CALL the station sent.
  void OnCallSent(std::string_view id, std::string_view action, base::SteadyTime now);
  // A CALLRESULT (error false) or CALLERROR the station received.
  Answer OnAnswer(std::string_view id, bool error, base::SteadyTime now);
  // Forgets CALLs sent before `cutoff` (unanswered in time); returns how many.
  int Expire(base::SteadyTime cutoff);
  // The connection ended: what was in flight will not be answered.
  void Clear() { pending_.clear(); }
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    std::string id;
    Action action;
    base::SteadyTime sent;
  };
  std::vector<Pending> pending_;
};

struct FleetTotals {
  int stations = 0;
  int connected = 0;
  int accepted = 0;
  std::uint64_t sessions_started = 0;
  std::uint64_t sessions_completed = 0;
  std::uint64_t calls = 0;
  std::uint64_t callerrors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t reconnects = 0;
};

// "2026-01-01T12:00:00Z" (UTC, whole seconds) for a system time.
std::string IsoTimestamp(std::chrono::system_clock::time_point time);

// One line of the contract, without the newline:
// {"ts":...,"event":"fleet","stations":N,...,"rtt_ms":{"p50":..,"p99":..,"max":..}}
// and ,"final":true on the last one.
std::string StatsJson(const std::string& ts, const FleetTotals& totals, const LatencyHistogram& rtt,
                      bool final);

}  // namespace ocpp::station::fleet
