// libFuzzer target: MaskSecrets with a secret key set, the trace of every
// received frame. Properties: no crash at any nesting depth; the output is
// the input unchanged, the "withheld" marker, or valid JSON in which masking
// again changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/json_reserialize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> kSecrets = {"AuthorizationKey", "SecurityPin"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string masked = ocpp::runtime::MaskSecrets(text, kSecrets);
  if (masked == text || masked == "[\"<unparseable frame withheld>\"]") return 0;
  if (!ocpp::runtime::ReserializeJson(masked)) std::abort();
  if (ocpp::runtime::MaskSecrets(masked, kSecrets) != masked) std::abort();
  return 0;
}
