#include "hal/sim/data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace ocpp::hal::sim {

bool MakeDirectories(const std::string& path, std::string* error) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = prefix + ": " + std::strerror(errno);
      return false;
    }
    if (slash == std::string::npos) break;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = path + ": not a directory";
    return false;
  }
  return true;
}

std::string MeterRegisterPath(const std::string& data_dir, int connector) {
  return data_dir + "/sim-meter-wh" + (connector == 1 ? "" : "-" + std::to_string(connector));
}

std::int64_t ReadMeterRegister(const std::string& path) {
  std::ifstream in(path);
  long long wh = 0;
  if (in >> wh && wh >= 0) return wh;
  return 0;
}

bool WriteMeterRegister(const std::string& path, std::int64_t wh) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << wh << "\n")) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace ocpp::hal::sim
