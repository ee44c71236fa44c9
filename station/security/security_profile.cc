#include "station/security/security_profile.h"

#include <string>

#include "station/config/config_keys.h"

namespace ocpp::station {
namespace {

constexpr std::string_view kFallbackKey = "station/security/profile_fallback";

std::optional<int> ParseProfile(std::string_view text) {
  if (text.size() != 1 || text[0] < '0' || text[0] > '3') return std::nullopt;
  return text[0] - '0';
}

}  // namespace

SecurityProfileSwitch::SecurityProfileSwitch(StationContext& context,
                                             const CertificateStore& certificates,
                                             SecurityEvents& events, Hooks hooks)
    : context_(context),
      certificates_(certificates),
      events_(events),
      hooks_(std::move(hooks)),
      current_(static_cast<int>(context.config().Get(keys::kSecurityProfile))) {
  if (auto stored = context_.store().Get(kFallbackKey); stored.ok()) {
    const auto previous = ParseProfile(*stored);
    if (previous && *previous < current_) fallback_ = previous;
  }
  context_.config().SetChangeCheck(keys::kSecurityProfile,
                                   [this](std::string_view value) { return Acceptable(value); });
  // A01 / OCTT TC_073: a new password is used at once, not at the next drop.
  context_.config().Subscribe(keys::kAuthorizationKey, [this] {
    if (current_ != 1 && current_ != 2) return;
    context_.PostAfterReply([this] {
      if (hooks_.switch_to) hooks_.switch_to(current_);
    });
  });
  context_.config().Subscribe(keys::kSecurityProfile, [this] {
    const int next = static_cast<int>(context_.config().Get(keys::kSecurityProfile));
    if (next == current_) return;
    const int previous = current_;
    current_ = next;
    if (!falling_back_) BeginTrial(previous, next);
  });
}

bool SecurityProfileSwitch::Acceptable(std::string_view value) const {
  const auto next = ParseProfile(value);
  auto refuse = [&](const std::string& why) {
    context_.Log("SecurityProfile " + std::string(value) + " rejected: " + why, LogLevel::kWarning);
    return false;
  };
  if (!next) return false;
  if (*next <= current_) return refuse("only upgrades (now " + std::to_string(current_) + ")");
  if ((*next == 1 || *next == 2) && context_.config().Get(keys::kAuthorizationKey).empty()) {
    return refuse("no AuthorizationKey");
  }
  if (*next >= 2 && !hooks_.factory_trust_anchors) {
    const std::int64_t now = context_.Now().unix_millis() / 1000;
    bool valid_root = false;
    for (const auto& root :
         certificates_.Installed(v16::CertificateUseEnumType::kCentralSystemRootCertificate)) {
      valid_root |= root.ValidAt(now);
    }
    if (!valid_root) return refuse("no valid CentralSystemRootCertificate installed");
  }
  if (!hooks_.available || !hooks_.available(*next)) {
    return refuse(*next == 3 ? "no endpoint or no client certificate for it"
                             : "no endpoint for it");
  }
  return true;
}

void SecurityProfileSwitch::BeginTrial(int previous, int next) {
  fallback_ = previous;
  failures_ = 0;
  PersistFallback();
  events_.Report("ReconfigurationOfSecurityParameters",
                 "SecurityProfile " + std::to_string(previous) + " -> " + std::to_string(next));
  // After the ChangeConfiguration.conf is on the socket (A05.FR.06).
  context_.PostAfterReply([this, next] {
    if (hooks_.switch_to) hooks_.switch_to(next);
  });
}

void SecurityProfileSwitch::OnConnected() {
  if (!fallback_) return;
  context_.Log("connected with SecurityProfile " + std::to_string(current_) +
               "; the previous profile is no longer used");
  fallback_.reset();
  failures_ = 0;
  PersistFallback();
}

void SecurityProfileSwitch::OnDisconnected(bool locally) {
  if (!fallback_ || locally) return;
  if (++failures_ >= kFailedAttempts) FallBack();
}

void SecurityProfileSwitch::FallBack() {
  const int failed = current_;
  const int previous = *fallback_;
  fallback_.reset();
  failures_ = 0;
  falling_back_ = true;
  const bool restored =
      context_.config().SetInternal(keys::kSecurityProfile, std::to_string(previous));
  falling_back_ = false;
  if (!restored) {
    context_.Log("SecurityProfile fallback could not be stored", LogLevel::kError);
    current_ = previous;
  }
  PersistFallback();
  context_.Log("could not connect with SecurityProfile " + std::to_string(failed) + " (" +
                   std::to_string(kFailedAttempts) + " attempts): back to " +
                   std::to_string(previous) + " (A05.FR.08)",
               LogLevel::kError);
  events_.Report(
      "ReconfigurationOfSecurityParameters",
      "SecurityProfile " + std::to_string(failed) + " failed, back to " + std::to_string(previous));
  // Not from inside the transport's callback that told us.
  context_.Post([this, previous] {
    if (hooks_.switch_to) hooks_.switch_to(previous);
  });
}

void SecurityProfileSwitch::PersistFallback() {
  const base::Status status = fallback_
                                  ? context_.store().Put(kFallbackKey, std::to_string(*fallback_))
                                  : context_.store().Delete(kFallbackKey);
  if (!status.ok()) {
    context_.Log("SecurityProfile fallback not persisted: " + status.message(), LogLevel::kError);
  }
}

}  // namespace ocpp::station
