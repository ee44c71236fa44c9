// The Local Authorization List's persisted records (docs/local-auth-list.md):
// one store key per idTag and one for the list's version and size.
//
//   authlist/meta        "<version>|<size>"        e.g. "17|2"
//   authlist/tag/<TAG>   "<status>|<expiry>[|<parent>]"
//                        e.g. "Accepted|" or "Blocked|1767268800000|GROUP-1"
//
// <TAG> is the idTag upper-cased (ASCII), so lookups are case-insensitive
// like the cache's; <expiry> is empty or the expiryDate in Unix
// milliseconds; <parent> (present only when the entry has a parentIdTag) is
// the rest of the value. Pure functions: the decoders read what a damaged
// store may hold and return nullopt for anything that is not a record they
// wrote (fuzzed by local_list_records_fuzzer.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "generated/ocpp16/types.h"

namespace ocpp::station::local_list {

inline constexpr std::string_view kMetaKey = "authlist/meta";
inline constexpr std::string_view kEntryPrefix = "authlist/tag/";

struct Entry {
  v16::AuthorizationStatus status = v16::AuthorizationStatus::kInvalid;
  std::optional<codec::DateTime> expiry;
  std::optional<std::string> parent_id_tag;  // at most 20 characters

  friend bool operator==(const Entry& a, const Entry& b) {
    return a.status == b.status && a.expiry == b.expiry && a.parent_id_tag == b.parent_id_tag;
  }
};

// The list's version and number of entries; version 0 exactly when empty.
struct Meta {
  std::int64_t version = 0;
  std::int64_t size = 0;

  friend bool operator==(const Meta& a, const Meta& b) {
    return a.version == b.version && a.size == b.size;
  }
};

// The idTag as it appears in its key: ASCII letters upper-cased.
std::string NormalizeIdTag(std::string_view id_tag);
std::string EntryKey(std::string_view id_tag);

Entry EntryFromIdTagInfo(const v16::IdTagInfo& info);
std::string EncodeEntry(const Entry& entry);
std::optional<Entry> DecodeEntry(std::string_view value);

std::string EncodeMeta(const Meta& meta);
// nullopt unless both numbers are non-negative and version is 0 iff size is.
std::optional<Meta> DecodeMeta(std::string_view value);

}  // namespace ocpp::station::local_list
