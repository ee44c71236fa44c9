#include "tests/codec/runfiles.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ocpp::testing {

std::string RunfilePath(const std::string& workspace_relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return workspace_relative;
  return std::string(srcdir) + "/" + workspace + "/" + workspace_relative;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::string> OracleDir() {
  struct stat st {};
  if (const char* dir = std::getenv("OCPP16_ORACLE_DIR")) {
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return std::string(dir);
    return std::nullopt;
  }
  // schemas/core/Authorize.json in the runfiles is a symlink into the source tree.
  char resolved[PATH_MAX];
  if (realpath(RunfilePath("schemas/core/Authorize.json").c_str(), resolved) == nullptr) {
    return std::nullopt;
  }
  std::string root(resolved);
  for (int i = 0; i < 3; ++i) root = root.substr(0, root.rfind('/'));
  const std::string oracle = root + "/../shared/ocpp16";
  if (stat((oracle + "/schemas").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return oracle;
  return std::nullopt;
}

}  // namespace ocpp::testing
