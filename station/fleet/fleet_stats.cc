#include "station/fleet/fleet_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ocpp::station::fleet {

namespace {
constexpr std::uint64_t kMaxMicros = (std::uint64_t{1} << 38) - 1;
constexpr int kSub = 1 << LatencyHistogram::kSubBits;

int HighestBit(std::uint64_t v) { return 63 - __builtin_clzll(v); }
}  // namespace

int LatencyHistogram::BucketOf(std::uint64_t micros) {
  const std::uint64_t v = std::min(micros, kMaxMicros);
  if (v < 2 * kSub) return static_cast<int>(v);
  const int shift = HighestBit(v) - kSubBits;
  return (shift + 1) * kSub + static_cast<int>((v >> shift) - kSub);
}

std::uint64_t LatencyHistogram::BucketLow(int bucket) {
  if (bucket < 2 * kSub) return static_cast<std::uint64_t>(bucket);
  const int shift = bucket / kSub - 1;
  return static_cast<std::uint64_t>(bucket % kSub + kSub) << shift;
}

std::uint64_t LatencyHistogram::BucketWidth(int bucket) {
  if (bucket < 2 * kSub) return 1;
  return std::uint64_t{1} << (bucket / kSub - 1);
}

void LatencyHistogram::Record(std::uint64_t micros) {
  ++counts_[BucketOf(micros)];
  ++count_;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::min(max_, BucketLow(i) + (BucketWidth(i) - 1) / 2);
    }
  }
  return max_;
}

namespace {
void SkipSpace(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
}
bool Expect(std::string_view s, std::size_t& i, char c) {
  SkipSpace(s, i);
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}
// A JSON string without escapes (ids and action names never need them).
bool String(std::string_view s, std::size_t& i, std::string_view* out) {
  if (!Expect(s, i, '"')) return false;
  const std::size_t start = i;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\') return false;
    ++i;
  }
  if (i >= s.size()) return false;
  *out = s.substr(start, i - start);
  ++i;
  return true;
}
}  // namespace

FrameHead ParseFrameHead(std::string_view frame) {
  FrameHead head;
  std::size_t i = 0;
  if (!Expect(frame, i, '[')) return head;
  SkipSpace(frame, i);
  if (i >= frame.size() || frame[i] < '2' || frame[i] > '4') return head;
  const int type = frame[i++] - '0';
  std::string_view id;
  if (!Expect(frame, i, ',') || !String(frame, i, &id)) return head;
  if (type == 2 && (!Expect(frame, i, ',') || !String(frame, i, &head.action))) return head;
  head.type = type;
  head.id = id;
  return head;
}

void CallTracker::OnCallSent(std::string_view id, std::string_view action, base::SteadyTime now) {
  Action kind = Action::kOther;
  if (action == "BootNotification") kind = Action::kBootNotification;
  if (action == "StartTransaction") kind = Action::kStartTransaction;
  if (action == "StopTransaction") kind = Action::kStopTransaction;
  for (auto& p : pending_) {
    if (p.id == id) {  // the same message again (a retry): measure from the last send
      p.sent = now;
      p.action = kind;
      return;
    }
  }
  pending_.push_back(Pending{std::string(id), kind, now});
}

CallTracker::Answer CallTracker::OnAnswer(std::string_view id, bool error, base::SteadyTime now) {
  Answer answer;
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->id != id) continue;
    answer.matched = true;
    answer.error = error;
    answer.action = it->action;
    const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - it->sent);
    answer.rtt_us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rtt.count()));
    pending_.erase(it);
    break;
  }
  if (pending_.empty()) pending_.shrink_to_fit();
  return answer;
}

int CallTracker::Expire(base::SteadyTime cutoff) {
  const auto before = pending_.size();
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [cutoff](const Pending& p) { return p.sent < cutoff; }),
                 pending_.end());
  return static_cast<int>(before - pending_.size());
}

std::string IsoTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string StatsJson(const std::string& ts, const FleetTotals& t, const LatencyHistogram& rtt,
                      bool final) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  char line[640];
  std::snprintf(
      line, sizeof line,
      "{\"ts\":\"%s\",\"event\":\"fleet\",\"stations\":%d,\"connected\":%d,"
      "\"accepted\":%d,\"sessions_started\":%llu,\"sessions_completed\":%llu,"
      "\"calls\":%llu,\"callerrors\":%llu,\"timeouts\":%llu,\"reconnects\":%llu,"
      "\"rtt_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}%s}",
      ts.c_str(), t.stations, t.connected, t.accepted,
      static_cast<unsigned long long>(t.sessions_started),
      static_cast<unsigned long long>(t.sessions_completed),
      static_cast<unsigned long long>(t.calls), static_cast<unsigned long long>(t.callerrors),
      static_cast<unsigned long long>(t.timeouts), static_cast<unsigned long long>(t.reconnects),
      ms(rtt.Quantile(0.5)), ms(rtt.Quantile(0.99)), ms(rtt.max()), final ? ",\"final\":true" : "");
  return line;
}

}  // namespace ocpp::station::fleet
