#include "station/authorization/authorization.h"

namespace ocpp::station {

// The authorization cache as a source: enabled by AuthorizationCacheEnabled.
class Authorization::CacheSource : public AuthorizationSource {
 public:
  CacheSource(StationContext& context, AuthorizationCache& cache)
      : context_(context), cache_(cache) {}
  std::optional<CachedAuthorization> Find(const std::string& id_tag,
                                          codec::DateTime now) const override {
    if (!context_.config().Get(keys::kAuthorizationCacheEnabled)) return std::nullopt;
    return cache_.Lookup(id_tag, now);
  }

 private:
  StationContext& context_;
  AuthorizationCache& cache_;
};

Authorization::Authorization(StationContext& context, AuthorizationCache& cache)
    : context_(context),
      cache_(cache),
      cache_source_(std::make_unique<CacheSource>(context, cache)) {
  sources_.push_back(cache_source_.get());
  context_.config().Subscribe(keys::kAuthorizationCacheEnabled, [this] {
    if (!context_.config().Get(keys::kAuthorizationCacheEnabled)) cache_.Clear();
  });
  context_.rpc().Handle<v16::Action::kClearCache>(
      [this](const v16::ClearCacheReq&) -> runtime::HandlerResult<v16::ClearCacheConf> {
        cache_.Clear();
        return v16::ClearCacheConf{v16::ClearCacheStatus::kAccepted};
      });
}

void Authorization::AddSourceFirst(AuthorizationSource& source) {
  sources_.insert(sources_.begin(), &source);
}

void Authorization::Learn(const std::string& id_tag, const v16::IdTagInfo& info) {
  const codec::DateTime now = context_.Now();
  // Tags of the local list never go into the cache (section 3.5.3); an
  // answer that contradicts the list is reported (section 3.5.2).
  for (const AuthorizationSource* source : sources_) {
    if (!source->authoritative()) continue;
    if (auto known = source->Find(id_tag, now)) {
      if (known->status != info.status && on_conflict_) on_conflict_(id_tag);
      return;
    }
  }
  if (!context_.config().Get(keys::kAuthorizationCacheEnabled)) return;
  cache_.Update(id_tag, info, now);
}

AuthorizationDecision Authorization::Offline(const std::string& id_tag) const {
  const codec::DateTime now = context_.Now();
  for (const AuthorizationSource* source : sources_) {
    if (auto known = source->Find(id_tag, now)) {
      // Known tags are judged by their stored status, expired ones refused.
      return {context_.config().Get(keys::kLocalAuthorizeOffline) &&
                  known->status == v16::AuthorizationStatus::kAccepted,
              known->parent_id_tag};
    }
  }
  return {context_.config().Get(keys::kAllowOfflineTxForUnknownId), std::nullopt};
}

void Authorization::Authorize(const std::string& id_tag, Done done) {
  if (!context_.online()) return done(Offline(id_tag));
  const codec::DateTime now = context_.Now();
  for (const AuthorizationSource* source : sources_) {
    auto known = source->Find(id_tag, now);
    if (!known) continue;
    if (known->status == v16::AuthorizationStatus::kAccepted) {
      if (context_.config().Get(keys::kLocalPreAuthorize)) {
        return done({true, known->parent_id_tag});  // no waiting for Authorize.conf
      }
      break;
    }
    if (source->authoritative()) return done({false, known->parent_id_tag});
    break;
  }
  v16::AuthorizeReq req;
  req.id_tag = Ci<20>(id_tag);
  context_.rpc().Call(req, context_.Guard([this, id_tag, done = std::move(done)](
                                              runtime::CallOutcome<v16::AuthorizeConf> outcome) {
    if (auto* conf = std::get_if<v16::AuthorizeConf>(&outcome)) {
      Learn(id_tag, conf->id_tag_info);
      std::optional<std::string> parent;
      if (conf->id_tag_info.parent_id_tag) parent = conf->id_tag_info.parent_id_tag->ToString();
      return done({conf->id_tag_info.status == v16::AuthorizationStatus::kAccepted, parent});
    }
    const auto& failure = std::get<runtime::CallFailure>(outcome);
    switch (failure.kind) {
      case runtime::CallFailure::Kind::kTimeout:
      case runtime::CallFailure::Kind::kConnectionLost:
      case runtime::CallFailure::Kind::kCancelled:
        // No answer: decide as if offline (section 3.5.4).
        return done(Offline(id_tag));
      case runtime::CallFailure::Kind::kCallError:
      case runtime::CallFailure::Kind::kInvalidResponse:
      case runtime::CallFailure::Kind::kInvalidRequest:
        // The central system answered, but not with an authorization.
        context_.Log("Authorize of " + id_tag + " failed (" + runtime::ToString(failure.kind) +
                         (failure.description.empty() ? "" : ": " + failure.description) +
                         "): not authorized",
                     LogLevel::kWarning);
        return done({false, std::nullopt});
    }
  }));
}

}  // namespace ocpp::station
