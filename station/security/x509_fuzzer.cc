// libFuzzer target: certificate text from the central system
// (InstallCertificate, later CertificateSigned and SignedUpdateFirmware)
// through every x509 helper. Properties: no crash; what parses re-encodes
// to PEM that parses to the same certificate; hashes are lower-case hex of
// the algorithm's length; subjects are printable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "station/security/x509.h"

namespace {

using ocpp::station::x509::Certificate;

void Check(bool condition) {
  if (!condition) std::abort();
}

void Exercise(const Certificate& certificate, const Certificate& issuer) {
  const auto again = Certificate::FromPem(certificate.ToPem());
  Check(again.ok() && again->Fingerprint() == certificate.Fingerprint());
  for (char c : certificate.Subject()) Check(c >= 0x20 && c <= 0x7e);
  (void)certificate.IsCa();
  (void)certificate.IsIssuedBy(issuer);
  (void)certificate.ValidAt(1767268800);
  (void)certificate.not_before();
  const auto hash = certificate.Hash(ocpp::v16::HashAlgorithmEnumType::kSHA384,
                                     certificate.IsSelfSigned() ? certificate : issuer);
  if (hash.ok()) {
    Check(hash->issuer_name_hash.size() == 96 && hash->issuer_key_hash.size() == 96);
    Check(hash->Matches(hash->ToMessage()) || hash->serial_number.size() > 40 ||
          hash->serial_number[0] == '-');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto one = Certificate::FromPem(text); one.ok()) Exercise(*one, *one);
  if (auto chain = Certificate::ChainFromPem(text, 4); chain.ok()) {
    Check(!chain->empty() && chain->size() <= 4);
    for (std::size_t i = 0; i < chain->size(); ++i) {
      Exercise((*chain)[i], (*chain)[i + 1 < chain->size() ? i + 1 : i]);
    }
  }
  return 0;
}
