// hal::CredentialStore as files in a directory of their own (0700), each
// written to a temporary file (0600), synced and renamed into place.
#pragma once

#include <memory>
#include <string>

#include "hal/credential_store.h"

namespace ocpp::hal {

class FileCredentialStore final : public CredentialStore {
 public:
  // Creates `directory` (0700) if missing; an error when it cannot.
  static base::Result<std::unique_ptr<FileCredentialStore>> Open(const std::string& directory);

  base::Status Write(std::string_view name, std::string_view bytes) override;
  base::Result<std::string> Read(std::string_view name) override;
  base::Status Remove(std::string_view name) override;
  std::string PathOf(std::string_view name) const override;

 private:
  explicit FileCredentialStore(std::string directory) : directory_(std::move(directory)) {}
  std::string directory_;
};

}  // namespace ocpp::hal
