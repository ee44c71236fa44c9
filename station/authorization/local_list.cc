#include "station/authorization/local_list.h"

#include <vector>

namespace ocpp::station {
namespace {

LocalListStore OpenList(StationContext& context) {
  std::vector<std::string> problems;
  LocalListStore store(context.store(), &problems);
  for (const std::string& problem : problems) context.Log(problem, LogLevel::kError);
  return store;
}

}  // namespace

LocalAuthList::LocalAuthList(StationContext& context)
    : context_(context), store_(OpenList(context)) {
  context_.rpc().Handle<v16::Action::kGetLocalListVersion>(
      [this](const v16::GetLocalListVersionReq&)
          -> runtime::HandlerResult<v16::GetLocalListVersionConf> {
        return v16::GetLocalListVersionConf{reported_version()};
      });
  context_.rpc().Handle<v16::Action::kSendLocalList>(
      [this](const v16::SendLocalListReq& request)
          -> runtime::HandlerResult<v16::SendLocalListConf> { return Update(request); });
}

bool LocalAuthList::enabled() const { return context_.config().Get(keys::kLocalAuthListEnabled); }

std::int64_t LocalAuthList::reported_version() const {
  return enabled() ? store_.version() : -1;  // -1: "no local list" (section 5.10)
}

v16::SendLocalListConf LocalAuthList::Update(const v16::SendLocalListReq& request) {
  LocalListStore::Limits limits;
  limits.max_entries = context_.config().Get(keys::kLocalAuthListMaxLength);
  limits.max_request_entries = context_.config().Get(keys::kSendLocalListMaxLength);
  const std::int64_t before = store_.version();
  const LocalListStore::Outcome outcome = store_.Apply(request, limits);
  const std::string what =
      std::string(request.update_type == v16::UpdateType::kFull ? "Full" : "Differential") +
      " SendLocalList v" + std::to_string(request.list_version);
  if (outcome.status == v16::UpdateStatus::kAccepted) {
    context_.Log("local list: " + what + " applied: version " + std::to_string(before) + " -> " +
                 std::to_string(store_.version()) + ", " + std::to_string(store_.size()) +
                 " entries");
    if (on_updated_) context_.PostAfterReply(on_updated_);
  } else {
    context_.Log("local list: " + what + " refused (" + std::string(v16::ToString(outcome.status)) +
                     "): " + outcome.reason,
                 LogLevel::kWarning);
  }
  return v16::SendLocalListConf{outcome.status};
}

std::optional<CachedAuthorization> LocalAuthList::Find(const std::string& id_tag,
                                                       codec::DateTime now) const {
  if (!enabled()) return std::nullopt;
  bool damaged = false;
  auto entry = store_.Find(id_tag, &damaged);
  if (damaged) {
    context_.Log("local list: the entry of " + id_tag + " is unreadable; treated as Invalid",
                 LogLevel::kError);
  }
  if (!entry) return std::nullopt;
  CachedAuthorization known;
  known.status = entry->status;
  known.expiry = entry->expiry;
  known.parent_id_tag = entry->parent_id_tag;
  if (known.expiry && *known.expiry < now && known.status == v16::AuthorizationStatus::kAccepted) {
    known.status = v16::AuthorizationStatus::kExpired;  // section 3.5.4
  }
  return known;
}

}  // namespace ocpp::station
