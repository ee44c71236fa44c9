// Security profile switching (security whitepaper ed. 2, A05; configuration
// key SecurityProfile, 7.6):
//
//  * ChangeConfiguration SecurityProfile is Rejected unless the value is
//    higher than the current one (A05.FR.01), the AuthorizationKey is set
//    for 1 and 2 (A05.FR.02), a CentralSystemRootCertificate valid now is
//    installed (or the integrator has factory trust anchors) for 2 and 3
//    (A05.FR.03), and the integrator can connect with the profile: an
//    endpoint for it and, for 3, a client certificate (A05.FR.04).
//  * Accepted: persisted before the answer; once the answer is on the
//    socket the integrator reconnects with the new profile (A05.FR.06/07).
//  * The new profile is on trial until a connection with it succeeds. After
//    kFailedAttempts failed attempts in a row the station falls back to the
//    previous profile (A05.FR.08): the key goes back, an error is logged
//    and a ReconfigurationOfSecurityParameters event recorded. The previous
//    profile is persisted during the trial, so a reboot keeps the fallback.
//  * A new AuthorizationKey in profile 1 or 2 reconnects with it at once,
//    after the ChangeConfiguration.conf (A01, OCTT TC_073).
#pragma once

#include <functional>
#include <optional>

#include "station/context.h"
#include "station/security/certificate_store.h"
#include "station/security/security_events.h"

namespace ocpp::station {

class SecurityProfileSwitch {
 public:
  static constexpr int kFailedAttempts = 3;

  struct Hooks {
    // The transport can connect with `profile` (endpoint, client
    // certificate). Null: no profile but the current one.
    std::function<bool(int profile)> available;
    // Trust anchors outside the certificate store (a factory CA file).
    bool factory_trust_anchors = false;
    // Reconnect with `profile` (after an accepted change; on a fallback).
    std::function<void(int profile)> switch_to;
  };

  SecurityProfileSwitch(StationContext& context, const CertificateStore& certificates,
                        SecurityEvents& events, Hooks hooks);
  SecurityProfileSwitch(const SecurityProfileSwitch&) = delete;
  SecurityProfileSwitch& operator=(const SecurityProfileSwitch&) = delete;

  // From the transport: a connection is up; an attempt failed or a
  // connection ended (`locally`: we closed it, e.g. to switch).
  void OnConnected();
  void OnDisconnected(bool locally);

  // The profile a trial would fall back to, if one is on trial.
  std::optional<int> fallback() const { return fallback_; }

 private:
  bool Acceptable(std::string_view value) const;
  void BeginTrial(int previous, int next);
  void FallBack();
  void PersistFallback();

  StationContext& context_;
  const CertificateStore& certificates_;
  SecurityEvents& events_;
  Hooks hooks_;
  int current_;                  // the value the key holds
  std::optional<int> fallback_;  // previous profile while the new one is on trial
  int failures_ = 0;
  bool falling_back_ = false;  // the key change is ours, not a new trial
};

}  // namespace ocpp::station
