// The Local Auth List Management profile (OCPP 1.6 sections 3.5.2, 3.5.3,
// 5.10, 5.15, 9.2): SendLocalList and GetLocalListVersion, and the list as
// the first, authoritative source of the authorization chain
// (Authorization::AddSourceFirst): a tag in the list is decided by the
// list's status, expiryDate included, ahead of the cache; Blocked, Expired
// and Invalid refuse even online. Behaviour and decisions:
// docs/local-auth-list.md.
//
//  * LocalAuthListEnabled false: the list knows no tag and
//    GetLocalListVersion answers -1 (OCTT TC_042_1); the stored list is kept
//    (only SendLocalList changes it, section 3.5.2) and updates are still
//    applied, so it is back as it was once enabled again.
//  * LocalAuthListMaxLength / SendLocalListMaxLength bound every update.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "station/authorization/authorization.h"
#include "station/authorization/local_list_store.h"
#include "station/context.h"

namespace ocpp::station {

class LocalAuthList : public AuthorizationSource {
 public:
  // Opens the stored list and registers the two handlers.
  explicit LocalAuthList(StationContext& context);

  // AuthorizationSource: nothing while disabled; Expired past expiryDate.
  std::optional<CachedAuthorization> Find(const std::string& id_tag,
                                          codec::DateTime now) const override;
  bool authoritative() const override { return true; }

  bool enabled() const;
  // What GetLocalListVersion answers: the version (0 when empty), -1 while
  // LocalAuthListEnabled is false.
  std::int64_t reported_version() const;
  const LocalListStore& list() const { return store_; }
  // Called after every accepted SendLocalList (a reported conflict is
  // resolved by the central system's new list).
  void SetUpdatedObserver(std::function<void()> observer) { on_updated_ = std::move(observer); }

 private:
  v16::SendLocalListConf Update(const v16::SendLocalListReq& request);

  StationContext& context_;
  LocalListStore store_;
  std::function<void()> on_updated_;
};

}  // namespace ocpp::station
