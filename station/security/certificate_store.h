// The station's certificate store (security whitepaper ed. 2, M03-M05): the
// CentralSystemRootCertificates the TLS connection to the central system
// trusts, and the ManufacturerRootCertificates signed firmware must chain to.
//
//  * InstallCertificate: one PEM CA certificate, valid by the station's
//    clock. Accepted once it is on disk (one store key per certificate);
//    installing an installed one again is Accepted and keeps one copy.
//    Rejected: not a certificate, not a CA, expired or not yet valid
//    (M05.FR.06), or the store holds CertificateStoreMaxLength already
//    (both types count, M05.FR.03). Failed: the storage refused the write.
//    A refused CentralSystemRootCertificate is also a security event
//    InvalidCentralSystemCertificate, sent to the central system (TC_078).
//  * GetInstalledCertificateIds: the SHA-256 certificateHashData of each
//    certificate of the type (M03), NotFound when there is none.
//  * DeleteCertificate: the certificate the hash data names, in any of the
//    three algorithms (M04). Failed for the last CentralSystemRootCertificate
//    while the connection to the central system relies on it (M04.FR.06).
//
// AdditionalRootCertificateCheck is false (read-only), so several
// CentralSystemRootCertificates may be installed side by side.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "station/context.h"
#include "station/security/security_events.h"
#include "station/security/x509.h"

namespace ocpp::station {

class CertificateStore {
 public:
  struct Hooks {
    // At construction and after every change: the installed
    // CentralSystemRootCertificates as PEM (hand them to the transport,
    // WsClientTransport::SetTrustedRoots).
    std::function<void(const std::vector<std::string>& pems)> on_central_system_roots;
    // The connection to the central system is verified against the
    // installed roots now (security profile 2 or 3).
    std::function<bool()> central_system_roots_in_use;
  };

  CertificateStore(StationContext& context, SecurityEvents& events, Hooks hooks);
  CertificateStore(const CertificateStore&) = delete;
  CertificateStore& operator=(const CertificateStore&) = delete;

  // The installed certificates of `type`, in store order.
  std::vector<x509::Certificate> Installed(v16::CertificateUseEnumType type) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    v16::CertificateUseEnumType type;
    x509::Certificate certificate;
    std::string store_key;
  };

  v16::InstallCertificateStatusEnumType Install(const v16::InstallCertificateReq& request);
  v16::GetInstalledCertificateIdsConf List(const v16::GetInstalledCertificateIdsReq& request) const;
  v16::DeleteCertificateStatusEnumType Delete(const v16::DeleteCertificateReq& request);
  // The issuer to hash an entry with: itself when self-signed, else an
  // installed certificate that issued it, else itself (a lone intermediate).
  const x509::Certificate& IssuerOf(const Entry& entry) const;
  void Load();
  void PublishRoots() const;

  StationContext& context_;
  SecurityEvents& events_;
  Hooks hooks_;
  std::vector<Entry> entries_;
};

}  // namespace ocpp::station
