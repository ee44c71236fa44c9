// Authorization of idTags (OCPP 1.6 sections 3.5, 4.1, 9.1): a chain of local
// sources (the local authorization list, then the authorization cache) and
// the central system.
//
//  * Online: with LocalPreAuthorize, a tag a local source knows as Accepted
//    starts at once; otherwise Authorize.req decides. A CALLERROR or an
//    invalid answer is not an authorization: the tag is refused (only no
//    connection or no answer counts as offline).
//  * Offline (not connected, not accepted, no answer in time): the first
//    local source that knows the tag decides (Accepted needs
//    LocalAuthorizeOffline); an unknown tag is accepted only with
//    AllowOfflineTxForUnknownId (section 3.5.4).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "station/authorization/authorization_cache.h"
#include "station/context.h"

namespace ocpp::station {

struct AuthorizationDecision {
  bool accepted = false;
  std::optional<std::string> parent_id_tag;
};

// A local source of idTag knowledge, consulted in chain order.
class AuthorizationSource {
 public:
  virtual ~AuthorizationSource() = default;
  // What the source knows about `id_tag` now (Expired past its expiry), or
  // nothing. A disabled source knows nothing.
  virtual std::optional<CachedAuthorization> Find(const std::string& id_tag,
                                                  codec::DateTime now) const = 0;
  // Online, a known but not Accepted entry refuses without asking the
  // central system (the local list); otherwise the central system is asked.
  virtual bool authoritative() const { return false; }
};

class Authorization {
 public:
  using Done = std::function<void(AuthorizationDecision)>;

  Authorization(StationContext& context, AuthorizationCache& cache);

  // Inserts a source ahead of the cache (e.g. the local list).
  void AddSourceFirst(AuthorizationSource& source);
  void Authorize(const std::string& id_tag, Done done);
  // What the central system said about a tag in another message
  // (StartTransaction.conf): recorded in the cache, unless an authoritative
  // source (the local list) knows the tag (section 3.5.3).
  void Learn(const std::string& id_tag, const v16::IdTagInfo& info);
  // Called when the central system's answer for a tag contradicts an
  // authoritative source (the local list, section 3.5.2).
  void SetConflictObserver(std::function<void(const std::string& id_tag)> observer) {
    on_conflict_ = std::move(observer);
  }

 private:
  class CacheSource;
  AuthorizationDecision Offline(const std::string& id_tag) const;

  StationContext& context_;
  AuthorizationCache& cache_;
  std::unique_ptr<AuthorizationSource> cache_source_;
  std::vector<AuthorizationSource*> sources_;
  std::function<void(const std::string&)> on_conflict_;
};

}  // namespace ocpp::station
