// libFuzzer target: RedactCredentials / RedactUrl (runtime/file_transfer.h)
// on arbitrary text, as every traced frame and diagnostics log line goes
// through it. Properties: nothing crashes; the output never keeps the
// password of a "scheme://user:password@" it was given; text without "://"
// comes back unchanged; redacting twice changes nothing more.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "runtime/file_transfer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string once = ocpp::runtime::RedactCredentials(text);
  if (text.find("://") == std::string::npos && once != text) std::abort();
  if (ocpp::runtime::RedactCredentials(once) != once) std::abort();
  (void)ocpp::runtime::RedactUrl(text);
  // A known secret inside any of the input's URLs never survives.
  const std::string probe = "ftp://user:Zq9-secret@127.0.0.1/" + text;
  if (ocpp::runtime::RedactCredentials(probe).find("Zq9-secret") != std::string::npos &&
      text.find("Zq9-secret") == std::string::npos) {
    std::abort();
  }
  return 0;
}
