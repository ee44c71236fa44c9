#include "station/security/security_events.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>

namespace ocpp::station {
namespace {

constexpr std::string_view kQueueKey = "station/security/events";
// A bound on what waits for the central system: the oldest go first.
constexpr std::size_t kMaxQueued = 200;

}  // namespace

SecurityEvents::SecurityEvents(StationContext& context, hal::DiagnosticsLog* log, bool send)
    : context_(context), log_(log), send_(send) {
  Load();
}

SecurityEvents::~SecurityEvents() { context_.CancelTimer(&delivered_timer_); }

void SecurityEvents::WhenDelivered(base::Milliseconds timeout, std::function<void()> then) {
  if (queue_.empty() || !context_.online()) return then();
  when_delivered_ = std::move(then);
  context_.CancelTimer(&delivered_timer_);
  delivered_timer_ = context_.AddTimer(timeout, [this] {
    delivered_timer_ = 0;
    if (auto then = std::move(when_delivered_)) then();
  });
}

bool SecurityEvents::IsCritical(std::string_view type) {
  static constexpr std::array<std::string_view, 7> kCritical = {
      "FirmwareUpdated",       "SettingSystemTime", "StartupOfTheDevice",      "ResetOrReboot",
      "SecurityLogWasCleared", "MemoryExhaustion",  "TamperDetectionActivated"};
  return std::find(kCritical.begin(), kCritical.end(), type) != kCritical.end();
}

void SecurityEvents::Report(std::string_view type, std::string_view tech_info, bool notify) {
  const std::int64_t now = context_.Now().unix_millis();
  const std::string info(tech_info.substr(0, 255));
  if (log_) log_->Append(now, std::string(type) + (info.empty() ? "" : ": " + info));
  context_.Log("security event " + std::string(type) + (info.empty() ? "" : ": " + info));
  if (!(notify || IsCritical(type)) || !send_) return;  // kept in the security log only
  if (queue_.size() >= kMaxQueued) queue_.pop_front();
  queue_.push_back(Event{std::string(type), now, info});
  Persist();
  Flush();
}

void SecurityEvents::Flush() {
  if (sending_ || queue_.empty() || !context_.online()) return;
  sending_ = true;
  const Event& e = queue_.front();
  v16::SecurityEventNotificationReq req;
  req.type = Ci<50>(e.type);
  req.timestamp = codec::DateTime::FromUnixMillis(e.unix_ms);
  if (!e.tech_info.empty()) req.tech_info = Ci<255>(e.tech_info);
  context_.rpc().Call(
      req, context_.Guard([this](runtime::CallOutcome<v16::SecurityEventNotificationConf> outcome) {
        sending_ = false;
        const auto* failure = std::get_if<runtime::CallFailure>(&outcome);
        // Answered (even with a CALLERROR): delivered. No answer: again later.
        if (failure != nullptr && failure->kind != runtime::CallFailure::Kind::kCallError &&
            failure->kind != runtime::CallFailure::Kind::kInvalidResponse) {
          return;
        }
        if (!queue_.empty()) queue_.pop_front();
        Persist();
        if (queue_.empty() && when_delivered_) {
          context_.CancelTimer(&delivered_timer_);
          auto then = std::move(when_delivered_);
          when_delivered_ = nullptr;
          return then();
        }
        Flush();
      }));
}

void SecurityEvents::Persist() {
  if (queue_.empty()) {
    (void)context_.store().Delete(kQueueKey);
    return;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const Event& e : queue_) {
    w.StartObject();
    w.Key("type");
    w.String(e.type.c_str());
    w.Key("ms");
    w.Int64(e.unix_ms);
    w.Key("info");
    w.String(e.tech_info.c_str());
    w.EndObject();
  }
  w.EndArray();
  const base::Status status = context_.store().Put(kQueueKey, buffer.GetString());
  if (!status.ok()) {
    context_.Log("cannot persist security events: " + status.message(), LogLevel::kError);
  }
}

void SecurityEvents::Load() {
  auto stored = context_.store().Get(kQueueKey);
  if (!stored.ok()) return;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(stored->c_str());
  if (doc.HasParseError() || !doc.IsArray()) {
    context_.Log("discarding unreadable queued security events", LogLevel::kError);
    (void)context_.store().Delete(kQueueKey);
    return;
  }
  for (const auto& item : doc.GetArray()) {
    if (!item.IsObject() || !item.HasMember("type") || !item["type"].IsString() ||
        !item.HasMember("ms") || !item["ms"].IsInt64()) {
      continue;
    }
    Event e;
    e.type = item["type"].GetString();
    e.unix_ms = item["ms"].GetInt64();
    if (item.HasMember("info") && item["info"].IsString()) e.tech_info = item["info"].GetString();
    queue_.push_back(std::move(e));
  }
}

}  // namespace ocpp::station
