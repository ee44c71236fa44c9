#include "station/authorization/local_list_store.h"

#include <map>
#include <utility>

namespace ocpp::station {

using local_list::Entry;
using local_list::Meta;

namespace {

LocalListStore::Outcome Refuse(v16::UpdateStatus status, std::string reason) {
  return LocalListStore::Outcome{status, std::move(reason)};
}

}  // namespace

LocalListStore::LocalListStore(hal::KeyValueStore& store, std::vector<std::string>* problems)
    : store_(store) {
  auto stored = store_.Get(local_list::kMetaKey);
  if (!stored.ok() && stored.status().code() == base::StatusCode::kNotFound) return;  // no list
  if (stored.ok()) {
    if (auto meta = local_list::DecodeMeta(*stored)) {
      meta_ = *meta;
      return;
    }
  }
  // Unreadable: the version of what is stored is unknown, so nothing of it
  // can be trusted. Start empty (version 0).
  if (problems) {
    problems->push_back("local authorization list: version record unreadable (" +
                        (stored.ok() ? "'" + *stored + "'" : stored.status().ToString()) +
                        "); the list is cleared");
  }
  std::vector<hal::KeyValueStore::Write> writes;
  if (auto entries = store_.List(local_list::kEntryPrefix); entries.ok()) {
    for (const auto& entry : *entries) writes.push_back({entry.first, std::nullopt});
  }
  writes.push_back({std::string(local_list::kMetaKey), local_list::EncodeMeta(Meta{})});
  if (base::Status status = store_.Commit(writes); !status.ok() && problems) {
    problems->push_back("local authorization list: clearing failed: " + status.ToString());
  }
}

std::optional<Entry> LocalListStore::Find(std::string_view id_tag, bool* damaged) const {
  if (damaged) *damaged = false;
  if (meta_.size == 0) return std::nullopt;  // no store access for an empty list
  auto stored = store_.Get(local_list::EntryKey(id_tag));
  if (!stored.ok()) return std::nullopt;
  if (auto entry = local_list::DecodeEntry(*stored)) return entry;
  if (damaged) *damaged = true;
  return Entry{v16::AuthorizationStatus::kInvalid, std::nullopt, std::nullopt};
}

LocalListStore::Outcome LocalListStore::Apply(const v16::SendLocalListReq& request,
                                              const Limits& limits) {
  static const std::vector<v16::AuthorizationData> kNone;
  const auto& items = request.local_authorization_list ? *request.local_authorization_list : kNone;
  const auto count = static_cast<std::int64_t>(items.size());
  if (count > limits.max_request_entries) {
    return Refuse(v16::UpdateStatus::kFailed, std::to_string(count) +
                                                  " entries, SendLocalListMaxLength is " +
                                                  std::to_string(limits.max_request_entries));
  }
  const bool full = request.update_type == v16::UpdateType::kFull;
  if (!full && request.list_version <= meta_.version) {
    return Refuse(v16::UpdateStatus::kVersionMismatch,
                  "differential listVersion " + std::to_string(request.list_version) +
                      " is not above the current " + std::to_string(meta_.version));
  }

  // The request's effect per key, later entries winning; nullopt = absent.
  std::map<std::string, std::optional<Entry>> changes;
  for (const v16::AuthorizationData& item : items) {
    auto& change = changes[local_list::EntryKey(item.id_tag.view())];
    change.reset();
    if (item.id_tag_info) change = local_list::EntryFromIdTagInfo(*item.id_tag_info);
  }

  std::vector<hal::KeyValueStore::Write> writes;
  std::int64_t size = 0;
  if (full) {
    auto existing = store_.List(local_list::kEntryPrefix);
    if (!existing.ok()) {
      return Refuse(v16::UpdateStatus::kFailed,
                    "reading the list: " + existing.status().ToString());
    }
    writes.reserve(existing->size() + changes.size() + 1);
    for (auto& [key, value] : *existing) {
      auto it = changes.find(key);
      if (it == changes.end() || !it->second) writes.push_back({std::move(key), std::nullopt});
    }
    // The old values are not needed: free them before encoding the new ones.
    std::vector<std::pair<std::string, std::string>>().swap(*existing);
    for (const auto& [key, entry] : changes) {
      if (!entry) continue;
      writes.push_back({key, local_list::EncodeEntry(*entry)});
      ++size;
    }
  } else {
    size = meta_.size;
    for (const auto& [key, entry] : changes) {
      auto stored = store_.Get(key);
      if (!stored.ok() && stored.status().code() != base::StatusCode::kNotFound) {
        return Refuse(v16::UpdateStatus::kFailed,
                      "reading the list: " + stored.status().ToString());
      }
      const bool present = stored.ok();
      if (entry) {
        writes.push_back({key, local_list::EncodeEntry(*entry)});
        if (!present) ++size;
      } else if (present) {
        writes.push_back({key, std::nullopt});
        --size;
      }
    }
  }
  if (size > limits.max_entries) {
    return Refuse(v16::UpdateStatus::kFailed, "the list would have " + std::to_string(size) +
                                                  " entries, LocalAuthListMaxLength is " +
                                                  std::to_string(limits.max_entries));
  }
  if (size > 0 && request.list_version < 1) {
    return Refuse(v16::UpdateStatus::kVersionMismatch,
                  "listVersion " + std::to_string(request.list_version) +
                      " for a list with entries (errata 3.52: never 0 or -1)");
  }
  const Meta meta{size == 0 ? 0 : request.list_version, size};
  writes.push_back({std::string(local_list::kMetaKey), local_list::EncodeMeta(meta)});
  if (base::Status status = store_.Commit(writes); !status.ok()) {
    return Refuse(v16::UpdateStatus::kFailed, "storing the list: " + status.ToString());
  }
  meta_ = meta;
  return Outcome{v16::UpdateStatus::kAccepted, ""};
}

}  // namespace ocpp::station
