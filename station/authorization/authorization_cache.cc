#include "station/authorization/authorization_cache.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

namespace ocpp::station {
namespace {

constexpr std::string_view kPrefix = "authcache/";

bool IsValidStatus(v16::AuthorizationStatus status) {
  return status == v16::AuthorizationStatus::kAccepted;
}

}  // namespace

AuthorizationCache::AuthorizationCache(hal::KeyValueStore& store, std::size_t capacity)
    : store_(store), capacity_(capacity) {
  auto stored = store_.List(kPrefix);
  if (!stored.ok()) return;
  for (const auto& [key, value] : *stored) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(value.c_str());  // storage may be damaged
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status") ||
        !doc["status"].IsString() || !doc.HasMember("updated") || !doc["updated"].IsInt64()) {
      (void)store_.Delete(key);  // unreadable entry: forget it rather than trust it
      continue;
    }
    CachedAuthorization entry;
    auto status = v16::AuthorizationStatusFromString(doc["status"].GetString());
    if (!status) continue;
    entry.status = *status;
    entry.updated_ms = doc["updated"].GetInt64();
    if (doc.HasMember("expiry") && doc["expiry"].IsInt64()) {
      entry.expiry = codec::DateTime::FromUnixMillis(doc["expiry"].GetInt64());
    }
    if (doc.HasMember("parent") && doc["parent"].IsString()) {
      entry.parent_id_tag = doc["parent"].GetString();
    }
    entries_[key.substr(kPrefix.size())] = entry;
  }
}

std::string AuthorizationCache::Normalize(std::string_view id_tag) {
  std::string key(id_tag);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return key;
}

void AuthorizationCache::Persist(const std::string& key, const CachedAuthorization& entry) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("status");
  const auto status = v16::ToString(entry.status);
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
  w.Key("updated");
  w.Int64(entry.updated_ms);
  if (entry.expiry) {
    w.Key("expiry");
    w.Int64(entry.expiry->unix_millis());
  }
  if (entry.parent_id_tag) {
    w.Key("parent");
    w.String(entry.parent_id_tag->c_str());
  }
  w.EndObject();
  (void)store_.Put(std::string(kPrefix) + key, buffer.GetString());
}

void AuthorizationCache::EvictOne(codec::DateTime now) {
  // Not-valid (or expired) entries go first, then the least recently updated.
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const bool invalid =
        !IsValidStatus(it->second.status) || (it->second.expiry && *it->second.expiry < now);
    if (victim == entries_.end()) {
      victim = it;
      continue;
    }
    const bool victim_invalid = !IsValidStatus(victim->second.status) ||
                                (victim->second.expiry && *victim->second.expiry < now);
    if ((invalid && !victim_invalid) ||
        (invalid == victim_invalid && it->second.updated_ms < victim->second.updated_ms)) {
      victim = it;
    }
  }
  if (victim == entries_.end()) return;
  (void)store_.Delete(std::string(kPrefix) + victim->first);
  entries_.erase(victim);
}

void AuthorizationCache::Update(std::string_view id_tag, const v16::IdTagInfo& info,
                                codec::DateTime now) {
  const std::string key = Normalize(id_tag);
  if (!entries_.count(key) && entries_.size() >= capacity_) EvictOne(now);
  CachedAuthorization entry;
  entry.status = info.status;
  entry.expiry = info.expiry_date;
  if (info.parent_id_tag) entry.parent_id_tag = info.parent_id_tag->ToString();
  entry.updated_ms = now.unix_millis();
  entries_[key] = entry;
  Persist(key, entry);
}

std::optional<CachedAuthorization> AuthorizationCache::Lookup(std::string_view id_tag,
                                                              codec::DateTime now) const {
  auto it = entries_.find(Normalize(id_tag));
  if (it == entries_.end()) return std::nullopt;
  CachedAuthorization entry = it->second;
  if (entry.expiry && *entry.expiry < now && entry.status == v16::AuthorizationStatus::kAccepted) {
    entry.status = v16::AuthorizationStatus::kExpired;
  }
  return entry;
}

void AuthorizationCache::Clear() {
  for (const auto& [key, entry] : entries_) (void)store_.Delete(std::string(kPrefix) + key);
  entries_.clear();
}

}  // namespace ocpp::station
