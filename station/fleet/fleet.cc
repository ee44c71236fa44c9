#include "station/fleet/fleet.h"

#include <cmath>
#include <cstdio>

#include "station/fleet/fleet_member.h"

namespace ocpp::station::fleet {

namespace {

// ChargePoint::Options::response_timeout: a CALL unanswered this long is a
// response timeout.
const base::Milliseconds kResponseTimeout = ChargePoint::Options().response_timeout;

base::Milliseconds Seconds(double s) {
  return base::Milliseconds(static_cast<std::int64_t>(std::llround(s * 1000)));
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

}  // namespace

Fleet::Fleet(runtime::LwsEventLoop& loop, const FleetFlags& flags,
             std::map<std::string, std::string> factory, Output output)
    : loop_(loop), flags_(flags), factory_(std::move(factory)), output_(std::move(output)) {
  totals_.stations = flags_.count;
}

Fleet::~Fleet() {
  if (stats_timer_ != 0) loop_.CancelTimer(stats_timer_);
  members_.clear();
}

void Fleet::Start() {
  started_at_ = loop_.clock().Now();
  members_.reserve(static_cast<std::size_t>(flags_.count));
  const base::Milliseconds ramp_up = Seconds(flags_.ramp_up_s);
  for (int position = 0; position < flags_.count; ++position) {
    members_.push_back(
        std::make_unique<FleetMember>(*this, static_cast<std::uint64_t>(flags_.first + position)));
    FleetMember* member = members_.back().get();
    loop_.AddTimer(StartOffset(position, flags_.count, ramp_up), [this, member] {
      if (!stopping_) member->Boot();
    });
  }
  stats_timer_ = loop_.AddTimer(Seconds(flags_.stats_interval_s), [this] { StatsTick(); });
}

void Fleet::Log(LogLevel level, const std::string& id, std::string_view line) {
  if (level < flags_.log_level || !output_.log) return;
  output_.log(id + ": " + LevelName(level) + ": " + std::string(line));
}

void Fleet::OnConnection(bool connected, bool reconnect) {
  totals_.connected += connected ? 1 : -1;
  if (reconnect) ++totals_.reconnects;
}

void Fleet::OnAnswer(const CallTracker::Answer& answer) {
  interval_rtt_.Record(answer.rtt_us);
  overall_rtt_.Record(answer.rtt_us);
  if (answer.error) {
    ++totals_.callerrors;
    return;
  }
  if (answer.action == CallTracker::Action::kStartTransaction) ++totals_.sessions_started;
  if (answer.action == CallTracker::Action::kStopTransaction) ++totals_.sessions_completed;
}

FleetTotals Fleet::Totals() const { return totals_; }

void Fleet::StatsTick() {
  stats_timer_ = 0;
  Emit(false);
  if (!stopping_) {
    stats_timer_ = loop_.AddTimer(Seconds(flags_.stats_interval_s), [this] { StatsTick(); });
  }
}

void Fleet::Emit(bool final) {
  const auto now = loop_.clock().Now();
  for (auto& member : members_) totals_.timeouts += member->ExpireCalls(now - kResponseTimeout);
  const LatencyHistogram& rtt = final ? overall_rtt_ : interval_rtt_;
  if (output_.stats) {
    output_.stats(StatsJson(IsoTimestamp(loop_.clock().WallNow()), totals_, rtt, final));
  }
  FleetSample sample;
  sample.t_s = std::chrono::duration<double>(now - started_at_).count();
  sample.totals = totals_;
  sample.p50_ms = rtt.Quantile(0.5) / 1000.0;
  sample.p99_ms = rtt.Quantile(0.99) / 1000.0;
  sample.max_ms = rtt.max() / 1000.0;
  const double interval_s = samples_.empty() ? sample.t_s : sample.t_s - samples_.back().t_s;
  const double rate =
      interval_s > 0 ? static_cast<double>(totals_.calls - last_calls_) / interval_s : 0;
  last_calls_ = totals_.calls;
  if (!final) samples_.push_back(sample);
  if (output_.progress) {
    char line[320];
    std::snprintf(line, sizeof line,
                  "station_fleet: %s%6.0fs connected %d/%d accepted %d sessions %llu/%llu "
                  "calls %llu (%.0f/s) rtt p50 %.1f p99 %.1f max %.1f ms errors %llu "
                  "timeouts %llu reconnects %llu",
                  final ? "final " : "", sample.t_s, totals_.connected, totals_.stations,
                  totals_.accepted, static_cast<unsigned long long>(totals_.sessions_started),
                  static_cast<unsigned long long>(totals_.sessions_completed),
                  static_cast<unsigned long long>(totals_.calls), rate, sample.p50_ms,
                  sample.p99_ms, sample.max_ms, static_cast<unsigned long long>(totals_.callerrors),
                  static_cast<unsigned long long>(totals_.timeouts),
                  static_cast<unsigned long long>(totals_.reconnects));
    output_.progress(line);
  }
  interval_rtt_.Reset();
}

void Fleet::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  if (stats_timer_ != 0) loop_.CancelTimer(stats_timer_);
  stats_timer_ = 0;
  // What is unanswered for longer than the response timeout counts before
  // the stations let go of their calls.
  const auto now = loop_.clock().Now();
  for (auto& member : members_) totals_.timeouts += member->ExpireCalls(now - kResponseTimeout);
  for (auto& member : members_) member->BeginStop();
}

bool Fleet::IsStopped() const {
  for (const auto& member : members_) {
    if (!member->IsStopped()) return false;
  }
  return true;
}

int Fleet::Finish(std::string* reason) {
  for (auto& member : members_) member->Destroy();
  Emit(true);
  if (totals_.accepted < totals_.stations) {
    *reason = std::to_string(totals_.stations - totals_.accepted) + " of " +
              std::to_string(totals_.stations) + " stations were never accepted";
  } else if (totals_.callerrors > 0) {
    *reason = std::to_string(totals_.callerrors) + " CALLERROR(s)";
  } else if (totals_.timeouts > 0) {
    *reason = std::to_string(totals_.timeouts) + " response timeout(s)";
  } else {
    return 0;
  }
  return 1;
}

}  // namespace ocpp::station::fleet
