#include "station/security/certificate_store.h"

#include "station/config/config_keys.h"

namespace ocpp::station {
namespace {

using v16::CertificateUseEnumType;

constexpr std::string_view kKeyPrefix = "station/certificates/";

std::string_view TypeTag(CertificateUseEnumType type) {
  return type == CertificateUseEnumType::kCentralSystemRootCertificate ? "csms" : "manufacturer";
}

std::optional<CertificateUseEnumType> TypeFromTag(std::string_view tag) {
  if (tag == "csms") return CertificateUseEnumType::kCentralSystemRootCertificate;
  if (tag == "manufacturer") return CertificateUseEnumType::kManufacturerRootCertificate;
  return std::nullopt;
}

}  // namespace

CertificateStore::CertificateStore(StationContext& context, SecurityEvents& events, Hooks hooks)
    : context_(context), events_(events), hooks_(std::move(hooks)) {
  Load();
  context_.rpc().Handle<v16::Action::kInstallCertificate>(
      [this](const v16::InstallCertificateReq& req)
          -> runtime::HandlerResult<v16::InstallCertificateConf> {
        return v16::InstallCertificateConf{Install(req)};
      });
  context_.rpc().Handle<v16::Action::kGetInstalledCertificateIds>(
      [this](const v16::GetInstalledCertificateIdsReq& req)
          -> runtime::HandlerResult<v16::GetInstalledCertificateIdsConf> { return List(req); });
  context_.rpc().Handle<v16::Action::kDeleteCertificate>(
      [this](const v16::DeleteCertificateReq& req)
          -> runtime::HandlerResult<v16::DeleteCertificateConf> {
        return v16::DeleteCertificateConf{Delete(req)};
      });
  PublishRoots();
}

void CertificateStore::Load() {
  auto stored = context_.store().List(kKeyPrefix);
  if (!stored.ok()) {
    context_.Log("certificate store unreadable: " + stored.status().message(), LogLevel::kError);
    return;
  }
  for (const auto& [key, pem] : *stored) {
    const std::string_view rest = std::string_view(key).substr(kKeyPrefix.size());
    const auto type = TypeFromTag(rest.substr(0, rest.find('/')));
    auto certificate = x509::Certificate::FromPem(pem);
    if (!type || !certificate.ok()) {
      // Damaged storage: say so and go on with the others.
      context_.Log("certificate store: ignoring unreadable entry " + key, LogLevel::kError);
      continue;
    }
    entries_.push_back(Entry{*type, std::move(*certificate), key});
  }
}

std::vector<x509::Certificate> CertificateStore::Installed(CertificateUseEnumType type) const {
  std::vector<x509::Certificate> out;
  for (const Entry& entry : entries_) {
    if (entry.type == type) out.push_back(entry.certificate);
  }
  return out;
}

void CertificateStore::PublishRoots() const {
  if (!hooks_.on_central_system_roots) return;
  std::vector<std::string> pems;
  for (const auto& certificate : Installed(CertificateUseEnumType::kCentralSystemRootCertificate)) {
    pems.push_back(certificate.ToPem());
  }
  hooks_.on_central_system_roots(pems);
}

v16::InstallCertificateStatusEnumType CertificateStore::Install(
    const v16::InstallCertificateReq& request) {
  using S = v16::InstallCertificateStatusEnumType;
  const std::string_view type_name = v16::ToString(request.certificate_type);
  auto refuse = [&](const std::string& why) {
    context_.Log("InstallCertificate " + std::string(type_name) + " rejected: " + why,
                 LogLevel::kWarning);
    if (request.certificate_type == CertificateUseEnumType::kCentralSystemRootCertificate) {
      events_.Report("InvalidCentralSystemCertificate", why, /*notify=*/true);
    }
    return S::kRejected;
  };
  auto certificate = x509::Certificate::FromPem(request.certificate.view());
  if (!certificate.ok()) return refuse(certificate.status().message());
  const std::int64_t now = context_.Now().unix_millis() / 1000;
  std::string problem;
  if (!certificate->IsCa()) {
    problem = "not a CA certificate";
  } else if (!certificate->ValidAt(now)) {
    problem = "expired or not yet valid";
  }
  if (!problem.empty()) return refuse(problem + " (" + certificate->Subject() + ")");
  const std::string key = std::string(kKeyPrefix) + std::string(TypeTag(request.certificate_type)) +
                          "/" + certificate->Fingerprint();
  for (const Entry& entry : entries_) {
    if (entry.store_key == key) return S::kAccepted;  // already installed
  }
  const auto max = context_.config().Get(keys::kCertificateStoreMaxLength);
  if (static_cast<std::int64_t>(entries_.size()) >= max) {
    context_.Log("InstallCertificate rejected: the store holds " + std::to_string(max) +
                     " certificates (CertificateStoreMaxLength)",
                 LogLevel::kWarning);
    return S::kRejected;
  }
  const base::Status stored = context_.store().Put(key, certificate->ToPem());
  if (!stored.ok()) {
    context_.Log("InstallCertificate failed: " + stored.message(), LogLevel::kError);
    return S::kFailed;
  }
  entries_.push_back(Entry{request.certificate_type, std::move(*certificate), key});
  context_.Log("installed " + std::string(type_name) + " " + entries_.back().certificate.Subject());
  if (request.certificate_type == CertificateUseEnumType::kCentralSystemRootCertificate) {
    PublishRoots();
  }
  return S::kAccepted;
}

const x509::Certificate& CertificateStore::IssuerOf(const Entry& entry) const {
  if (entry.certificate.IsSelfSigned()) return entry.certificate;
  for (const Entry& other : entries_) {
    if (entry.certificate.IsIssuedBy(other.certificate)) return other.certificate;
  }
  return entry.certificate;
}

v16::GetInstalledCertificateIdsConf CertificateStore::List(
    const v16::GetInstalledCertificateIdsReq& request) const {
  v16::GetInstalledCertificateIdsConf conf;
  std::vector<v16::CertificateHashDataType> hashes;
  for (const Entry& entry : entries_) {
    if (entry.type != request.certificate_type) continue;
    auto hash = entry.certificate.Hash(v16::HashAlgorithmEnumType::kSHA256, IssuerOf(entry));
    if (hash.ok()) hashes.push_back(hash->ToMessage());
  }
  if (hashes.empty()) {
    conf.status = v16::GetInstalledCertificateStatusEnumType::kNotFound;
  } else {
    conf.status = v16::GetInstalledCertificateStatusEnumType::kAccepted;
    conf.certificate_hash_data = std::move(hashes);
  }
  return conf;
}

v16::DeleteCertificateStatusEnumType CertificateStore::Delete(
    const v16::DeleteCertificateReq& request) {
  using S = v16::DeleteCertificateStatusEnumType;
  const v16::CertificateHashDataType& wanted = request.certificate_hash_data;
  // The hash names a certificate, not a type: it may be installed as both.
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    auto hash = entries_[i].certificate.Hash(wanted.hash_algorithm, IssuerOf(entries_[i]));
    if (hash.ok() && hash->Matches(wanted)) matches.push_back(i);
  }
  if (matches.empty()) return S::kNotFound;
  const auto csms = CertificateUseEnumType::kCentralSystemRootCertificate;
  const bool roots_in_use =
      hooks_.central_system_roots_in_use && hooks_.central_system_roots_in_use();
  const std::size_t csms_roots = Installed(csms).size();
  std::vector<hal::KeyValueStore::Write> writes;
  std::vector<std::size_t> removed;
  bool touches_roots = false;
  for (std::size_t i : matches) {
    if (entries_[i].type == csms && csms_roots == 1 && roots_in_use) {
      context_.Log("DeleteCertificate: the last CentralSystemRootCertificate is in use, kept",
                   LogLevel::kWarning);
      continue;
    }
    writes.push_back({entries_[i].store_key, std::nullopt});
    removed.push_back(i);
    touches_roots |= entries_[i].type == csms;
  }
  if (removed.empty()) return S::kFailed;
  const base::Status deleted = context_.store().Commit(writes);
  if (!deleted.ok()) {
    context_.Log("DeleteCertificate failed: " + deleted.message(), LogLevel::kError);
    return S::kFailed;
  }
  for (auto it = removed.rbegin(); it != removed.rend(); ++it) {
    context_.Log("deleted " + std::string(v16::ToString(entries_[*it].type)) + " " +
                 entries_[*it].certificate.Subject());
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  if (touches_roots) PublishRoots();
  return S::kAccepted;
}

}  // namespace ocpp::station
