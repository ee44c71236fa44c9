#include "station/security/charge_point_certificate.h"

#include "station/config/config_keys.h"

namespace ocpp::station {

ChargePointCertificate::ChargePointCertificate(StationContext& context,
                                               hal::CredentialStore& credentials,
                                               const CertificateStore& certificates,
                                               SecurityEvents& events, Hooks hooks)
    : context_(context),
      credentials_(credentials),
      certificates_(certificates),
      events_(events),
      hooks_(std::move(hooks)) {
  context_.rpc().Handle<v16::Action::kCertificateSigned>(
      [this](const v16::CertificateSignedReq& req)
          -> runtime::HandlerResult<v16::CertificateSignedConf> {
        return v16::CertificateSignedConf{Install(req)};
      });
}

ChargePointCertificate::~ChargePointCertificate() { context_.CancelTimer(&renewal_timer_); }

void ChargePointCertificate::OnOnline() {
  CheckRenewal();
  if (renewal_timer_ == 0) {
    renewal_timer_ = context_.AddTimer(base::Milliseconds(24LL * 3600 * 1000), [this] {
      renewal_timer_ = 0;
      if (context_.online()) OnOnline();
    });
  }
}

void ChargePointCertificate::CheckRenewal() {
  auto stored = credentials_.Read(kCredentialName);
  if (!stored.ok()) return;  // no certificate of our own yet
  auto chain = x509::Certificate::ChainFromPem(*stored, 8);
  if (!chain.ok()) {
    context_.Log("the stored charge point certificate is unreadable", LogLevel::kError);
    return;
  }
  const std::int64_t now = context_.Now().unix_millis() / 1000;
  const std::int64_t left = chain->front().not_after() - now;
  if (left > kRenewBeforeS) return;
  if (last_renewal_request_s_ != 0 && now - last_renewal_request_s_ < 24 * 3600) return;
  if (context_.config().Get(keys::kCpoName).empty()) {
    context_.Log("the charge point certificate expires in " + std::to_string(left / 86400) +
                     " days, but CpoName is not set: no renewal",
                 LogLevel::kWarning);
    return;
  }
  last_renewal_request_s_ = now;
  context_.Log("the charge point certificate expires in " + std::to_string(left / 86400) +
               " days: renewing it (A03)");
  SendRequest();
}

bool ChargePointCertificate::RequestSigning() {
  if (context_.config().Get(keys::kCpoName).empty()) {
    context_.Log("SignChargePointCertificate: CpoName is not set", LogLevel::kWarning);
    return false;
  }
  context_.PostAfterReply([this] { SendRequest(); });
  return true;
}

void ChargePointCertificate::SendRequest() {
  auto made = x509::GenerateKeyAndRequest(context_.config().Get(keys::kCpoName), hooks_.identity);
  if (!made.ok()) {
    context_.Log("no certificate signing request: " + made.status().message(), LogLevel::kError);
    return;
  }
  // A later request replaces a key still waiting: only the newest CSR's
  // certificate will match.
  const base::Status stored = credentials_.Write(kPendingKeyName, made->private_key_pem);
  if (!stored.ok()) {
    context_.Log("no certificate signing request: " + stored.message(), LogLevel::kError);
    return;
  }
  v16::SignCertificateReq req;
  if (!req.csr.Assign(made->csr_pem)) {
    context_.Log("the certificate signing request is too long", LogLevel::kError);
    return;
  }
  context_.Log("sending a certificate signing request for " + hooks_.identity);
  context_.rpc().Call(
      req, context_.Guard([this](runtime::CallOutcome<v16::SignCertificateConf> outcome) {
        const auto* conf = std::get_if<v16::SignCertificateConf>(&outcome);
        if (!conf || conf->status != v16::GenericStatusEnumType::kAccepted) {
          context_.Log("the central system did not accept the signing request", LogLevel::kWarning);
        }
      }));
}

v16::CertificateSignedStatusEnumType ChargePointCertificate::Install(
    const v16::CertificateSignedReq& request) {
  using S = v16::CertificateSignedStatusEnumType;
  const std::string_view pem = request.certificate_chain.view();
  auto refuse = [&](const std::string& why) {
    context_.Log("CertificateSigned rejected: " + why, LogLevel::kWarning);
    // After the conf (A02.FR.07, TC_077).
    context_.PostAfterReply(
        [this, why] { events_.Report("InvalidChargePointCertificate", why, /*notify=*/true); });
    return S::kRejected;
  };
  const auto max = context_.config().Get(keys::kCertificateSignedMaxChainSize);
  if (static_cast<std::int64_t>(pem.size()) > max) {
    return refuse("longer than CertificateSignedMaxChainSize");
  }
  auto chain = x509::Certificate::ChainFromPem(pem, 8);
  if (!chain.ok()) return refuse(chain.status().message());
  auto key = credentials_.Read(kPendingKeyName);
  if (!key.ok()) return refuse("no signing request is waiting for it");
  if (!x509::CertificateMatchesKey(chain->front(), *key)) {
    return refuse("the certificate is not for the station's key");
  }
  const base::Status verified = x509::VerifyChain(
      *chain, certificates_.Installed(v16::CertificateUseEnumType::kCentralSystemRootCertificate),
      context_.Now().unix_millis() / 1000);
  if (!verified.ok()) return refuse(verified.message());
  // Key and chain in one file, replaced in one step: a power cut never
  // leaves a certificate with another key (TLS libraries read both from it).
  const base::Status stored = credentials_.Write(kCredentialName, *key + std::string(pem));
  if (!stored.ok()) {
    context_.Log("CertificateSigned not stored: " + stored.message(), LogLevel::kError);
    return S::kRejected;
  }
  credentials_.Remove(kPendingKeyName).IgnoreError();
  context_.Log("installed the charge point certificate " + chain->front().Subject());
  events_.Report("ReconfigurationOfSecurityParameters", "ChargePointCertificate");
  context_.PostAfterReply([this] {
    if (hooks_.on_installed) {
      const std::string path = credentials_.PathOf(kCredentialName);
      hooks_.on_installed(path, path);
    }
  });
  return S::kAccepted;
}

}  // namespace ocpp::station
