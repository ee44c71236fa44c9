#include "station/context.h"

#include <cstdlib>

namespace ocpp::station {

StationContext::StationContext(runtime::EventLoop& loop, runtime::RpcEndpoint& rpc,
                               Configuration& config, hal::KeyValueStore& store, LogFunction log,
                               hal::WriteGrouping* grouping)
    : loop_(loop),
      rpc_(rpc),
      config_(config),
      store_(store),
      log_(std::move(log)),
      grouping_(grouping) {}

codec::DateTime StationContext::Now() const {
  return codec::DateTime::FromUnixMillis(
      codec::DateTime::FromSystemTime(loop_.clock().WallNow()).unix_millis() + wall_offset_ms_);
}

void StationContext::SyncClock(codec::DateTime central_time) {
  const std::int64_t offset =
      central_time.unix_millis() -
      codec::DateTime::FromSystemTime(loop_.clock().WallNow()).unix_millis();
  // Following a sub-second difference would shift every later timestamp by
  // a fraction of a second, i.e. often to the previous second.
  if (std::llabs(offset - wall_offset_ms_) >= 1000) {
    const std::int64_t shift = offset - wall_offset_ms_;
    wall_offset_ms_ = offset;
    if (on_clock_set_) on_clock_set_(shift);
  }
}

void StationContext::Log(std::string_view line, LogLevel level) const {
  if (log_) log_(level, line);
}

runtime::TimerId StationContext::AddTimer(base::Milliseconds delay,
                                          std::function<void()> callback) {
  return loop_.AddTimer(delay, Guard(std::move(callback)));
}

void StationContext::CancelTimer(runtime::TimerId* timer) {
  if (*timer != 0) loop_.CancelTimer(*timer);
  *timer = 0;
}

void StationContext::Post(std::function<void()> task) { loop_.Post(Guard(std::move(task))); }

void StationContext::PostAfterReply(std::function<void()> task) {
  loop_.PostAfterIo(Guard(std::move(task)));
}

}  // namespace ocpp::station
