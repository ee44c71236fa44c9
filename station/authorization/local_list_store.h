// The Local Authorization List's content (OCPP 1.6 sections 3.5.2, 5.15,
// errata 3.52) in a KeyValueStore, with the rules of SendLocalList:
//
//  * Full replaces the whole list; Differential adds, replaces or (an entry
//    without idTagInfo) removes entries, and needs a listVersion higher than
//    the current one (else VersionMismatch).
//  * Failed when the request has more entries than SendLocalListMaxLength or
//    the resulting list would have more than LocalAuthListMaxLength, or the
//    store refuses the write.
//  * Several entries for one idTag in one request: applied in order, so the
//    last one wins (a later entry without idTagInfo removes the tag).
//  * The version is 0 exactly when the list is empty (section 5.10), whatever
//    listVersion the update that emptied it carried; a list with entries
//    needs listVersion >= 1 (errata 3.52), else VersionMismatch.
//  * Every accepted update is one KeyValueStore::Commit of its entries and
//    the version: a crash leaves the old list or the new one. A refused
//    update changes nothing.
//
// Memory: only the version and the size are kept in memory; a lookup is one
// store Get of the tag's key. Records: local_list_records.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generated/ocpp16/send_local_list.h"
#include "hal/storage.h"
#include "station/authorization/local_list_records.h"

namespace ocpp::station {

class LocalListStore {
 public:
  struct Limits {
    std::int64_t max_entries = 10000;         // LocalAuthListMaxLength
    std::int64_t max_request_entries = 1000;  // SendLocalListMaxLength
  };
  struct Outcome {
    v16::UpdateStatus status = v16::UpdateStatus::kFailed;
    std::string reason;  // why it was refused; empty when Accepted
  };

  // Reads the version record (one Get). A damaged one empties the list, so
  // that the central system sees version 0 and sends a Full update; each
  // problem met is added to `problems` (may be null).
  explicit LocalListStore(hal::KeyValueStore& store, std::vector<std::string>* problems = nullptr);

  std::int64_t version() const { return meta_.version; }
  std::int64_t size() const { return meta_.size; }

  // The entry for `id_tag` (case-insensitive), as stored: one store Get.
  // An entry that cannot be read back is reported as Invalid (a tag the
  // list has is never let in on a damaged record) and sets `*damaged`.
  std::optional<local_list::Entry> Find(std::string_view id_tag, bool* damaged = nullptr) const;

  // SendLocalList.req: applies it or leaves everything unchanged.
  Outcome Apply(const v16::SendLocalListReq& request, const Limits& limits);

 private:
  hal::KeyValueStore& store_;
  local_list::Meta meta_;
};

}  // namespace ocpp::station
