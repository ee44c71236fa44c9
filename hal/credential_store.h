// The station's own private key and certificate (security whitepaper
// A02/A03): kept apart from the configuration database, readable by the
// owner only, each replaced atomically. A key never leaves the station.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ocpp::hal {

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // Durable when it returns OK; owner-only (0600 on Linux).
  virtual base::Status Write(std::string_view name, std::string_view bytes) = 0;
  // kNotFound when there is none.
  virtual base::Result<std::string> Read(std::string_view name) = 0;
  // Removing a missing one is OK.
  virtual base::Status Remove(std::string_view name) = 0;
  // A file path a TLS library can load (the profile 3 client certificate).
  virtual std::string PathOf(std::string_view name) const = 0;
};

}  // namespace ocpp::hal
