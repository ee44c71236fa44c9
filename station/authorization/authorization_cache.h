// The Authorization Cache (OCPP 1.6 section 3.5.1): the latest IdTagInfo
// received for each idTag, valid or not, persisted so it survives resets
// and power cuts, with expiry, and eviction of not-valid entries first and
// then the oldest valid ones when full. idTags compare case-insensitively.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "generated/ocpp16/types.h"
#include "hal/storage.h"

namespace ocpp::station {

struct CachedAuthorization {
  v16::AuthorizationStatus status = v16::AuthorizationStatus::kInvalid;
  std::optional<codec::DateTime> expiry;
  std::optional<std::string> parent_id_tag;
  std::int64_t updated_ms = 0;  // wall time of the last update, for eviction
};

class AuthorizationCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 256;

  AuthorizationCache(hal::KeyValueStore& store, std::size_t capacity = kDefaultCapacity);

  // Records what the central system said about `id_tag` (Authorize.conf,
  // StartTransaction.conf, StopTransaction.conf).
  void Update(std::string_view id_tag, const v16::IdTagInfo& info, codec::DateTime now);
  // The entry, with status Expired when its expiryDate has passed.
  std::optional<CachedAuthorization> Lookup(std::string_view id_tag, codec::DateTime now) const;
  void Clear();
  std::size_t size() const { return entries_.size(); }

 private:
  static std::string Normalize(std::string_view id_tag);
  void Persist(const std::string& key, const CachedAuthorization& entry);
  void EvictOne(codec::DateTime now);

  hal::KeyValueStore& store_;
  std::size_t capacity_;
  std::map<std::string, CachedAuthorization> entries_;  // key: upper-cased idTag
};

}  // namespace ocpp::station
