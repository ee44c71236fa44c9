// The station's own certificate for security profile 3 (security whitepaper
// ed. 2, A02/A03):
//
//  * ExtendedTriggerMessage SignChargePointCertificate makes a new EC P-256
//    key pair and a CSR (O = CpoName, CN = the charge point identity) and
//    sends SignCertificate. The key waits in the credential store; it never
//    leaves the station and never appears in a log. Rejected while CpoName
//    is empty (A02 prerequisite).
//  * CertificateSigned is Rejected, with a SecurityEventNotification
//    InvalidChargePointCertificate (A02.FR.07, OCTT TC_077), when the chain
//    is longer than CertificateSignedMaxChainSize, is no PEM, its leaf does
//    not carry the waiting key, or it does not verify up to an installed
//    CentralSystemRootCertificate at the station's time (A02.FR.06).
//    Otherwise it is Accepted: key and chain become the station's, and the
//    integrator is told, so that a profile 3 connection reconnects with them
//    (OCTT TC_074 step 7).
//  * Renewal (A03): once online, and then daily, a certificate that expires
//    within kRenewBefore makes the station send a new CSR by itself (once
//    per day until a new certificate is installed).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "hal/credential_store.h"
#include "station/context.h"
#include "station/security/certificate_store.h"
#include "station/security/security_events.h"

namespace ocpp::station {

class ChargePointCertificate {
 public:
  // Names in the credential store.
  // The private key followed by the certificate chain, leaf first.
  static constexpr std::string_view kCredentialName = "charge-point.pem";
  static constexpr std::string_view kPendingKeyName = "pending.key";

  struct Hooks {
    std::string identity;  // the CSR's CN
    // A new certificate chain and key are installed (file paths; the same
    // file holds both).
    std::function<void(const std::string& chain_path, const std::string& key_path)> on_installed;
  };

  ChargePointCertificate(StationContext& context, hal::CredentialStore& credentials,
                         const CertificateStore& certificates, SecurityEvents& events, Hooks hooks);
  ~ChargePointCertificate();
  ChargePointCertificate(const ChargePointCertificate&) = delete;
  ChargePointCertificate& operator=(const ChargePointCertificate&) = delete;

  // ExtendedTriggerMessage SignChargePointCertificate: false (Rejected)
  // without CpoName; otherwise the key and CSR are made and SignCertificate
  // sent after the trigger's answer.
  bool RequestSigning();
  // Online: checks whether the installed certificate is due for renewal.
  void OnOnline();

  static constexpr std::int64_t kRenewBeforeS = 30LL * 24 * 3600;

 private:
  void SendRequest();
  void CheckRenewal();
  v16::CertificateSignedStatusEnumType Install(const v16::CertificateSignedReq& request);

  StationContext& context_;
  hal::CredentialStore& credentials_;
  const CertificateStore& certificates_;
  SecurityEvents& events_;
  Hooks hooks_;
  runtime::TimerId renewal_timer_ = 0;
  std::int64_t last_renewal_request_s_ = 0;
};

}  // namespace ocpp::station
