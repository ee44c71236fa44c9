// Many full stations on one LwsEventLoop: each member is a ChargePoint with
// its own SqliteStorage (DATA_DIR/ID), its own WsClientTransport and its own
// SimHardware, playing the plan of plan.h; the fleet adds up what they do
// (fleet_stats.h). station_fleet_main.cc owns the process around it
// (flags, signals, stdin, the open-file limit).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "station/fleet/fleet_flags.h"
#include "station/fleet/fleet_stats.h"

namespace ocpp::station::fleet {

class FleetMember;

// One statistics interval, kept for the HTML report.
struct FleetSample {
  double t_s = 0;  // since Start
  FleetTotals totals;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

class Fleet {
 public:
  struct Output {
    std::function<void(const std::string& json_line)> stats;  // stdout
    std::function<void(const std::string& line)> progress;    // stderr, human
    std::function<void(const std::string& line)> log;         // stderr, station logs
  };

  // `factory` is applied to every station on its first start.
  Fleet(runtime::LwsEventLoop& loop, const FleetFlags& flags,
        std::map<std::string, std::string> factory, Output output);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Schedules every station's first boot over --ramp-up and the statistics.
  void Start();
  // Graceful stop: plans end, every station closes its connection with 1001
  // (going away). Pump the loop until IsStopped(), then call Finish().
  void BeginStop();
  bool IsStopped() const;
  // Destroys the stations (state is flushed: SQLite commits as it goes, the
  // meters' registers are written), writes the final statistics line and
  // returns the exit status of the contract; `reason` gets the one-line
  // reason when it is 1.
  int Finish(std::string* reason);

  FleetTotals Totals() const;
  const std::vector<FleetSample>& samples() const { return samples_; }
  const LatencyHistogram& overall_rtt() const { return overall_rtt_; }

  // For the members.
  runtime::LwsEventLoop& loop() { return loop_; }
  const FleetFlags& flags() const { return flags_; }
  const std::map<std::string, std::string>& factory() const { return factory_; }
  void Log(LogLevel level, const std::string& id, std::string_view line);
  void OnConnection(bool connected, bool reconnect);
  void OnCallSent() { ++totals_.calls; }
  void OnCallError() { ++totals_.callerrors; }
  void OnAnswer(const CallTracker::Answer& answer);
  void OnAccepted() { ++totals_.accepted; }
  bool stopping() const { return stopping_; }

 private:
  void StatsTick();
  void Emit(bool final);

  runtime::LwsEventLoop& loop_;
  FleetFlags flags_;
  std::map<std::string, std::string> factory_;
  Output output_;
  std::vector<std::unique_ptr<FleetMember>> members_;
  FleetTotals totals_;
  LatencyHistogram interval_rtt_;
  LatencyHistogram overall_rtt_;
  std::vector<FleetSample> samples_;
  base::SteadyTime started_at_{};
  runtime::TimerId stats_timer_ = 0;
  std::uint64_t last_calls_ = 0;
  bool stopping_ = false;
};

}  // namespace ocpp::station::fleet
