// Finding test data: files in the runfiles tree, and the OCA oracle in
// ../shared/ocpp16 beside the real workspace (when it exists).
#pragma once

#include <optional>
#include <string>

namespace ocpp::testing {

// Path of a workspace-relative data file in this test's runfiles.
std::string RunfilePath(const std::string& workspace_relative);

// Reads a whole file; nullopt when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path);

// ../shared/ocpp16 next to the source workspace, found through the runfile
// symlinks (or $OCPP16_ORACLE_DIR); nullopt when absent.
std::optional<std::string> OracleDir();

}  // namespace ocpp::testing
