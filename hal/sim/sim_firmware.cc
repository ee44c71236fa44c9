#include "hal/sim/sim_firmware.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

namespace ocpp::hal::sim {
namespace {

constexpr const char* kVersionFile = "/sim-firmware-version";
constexpr std::size_t kMaxVersionLength = 50;  // BootNotification firmwareVersion

// SHA-256 of the file in hex, streamed.
std::optional<std::string> Sha256Hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) return std::nullopt;
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

// Written to a temporary file, synced and renamed: a power cut leaves the
// old or the new version, never a torn one.
bool WriteDurably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  return written && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

SimFirmwareInstaller::SimFirmwareInstaller(std::string data_dir) : data_dir_(std::move(data_dir)) {}

std::string SimFirmwareInstaller::DownloadDirectory() {
  const std::string dir = data_dir_ + "/downloads";
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::optional<std::int64_t> SimFirmwareInstaller::FreeBytes() {
  struct statvfs fs {};
  if (::statvfs(data_dir_.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

base::Result<std::string> SimFirmwareInstaller::Install(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status(base::StatusCode::kNotFound, "no image at " + path);
  std::string first_line;
  std::getline(in, first_line);
  if (!first_line.empty() && first_line.back() == '\r') first_line.pop_back();
  if (first_line == "corrupt") {
    return base::Status(base::StatusCode::kInvalidArgument, "the image is corrupt");
  }
  std::string version;
  if (first_line.rfind("version=", 0) == 0) {
    version = first_line.substr(8).substr(0, kMaxVersionLength);
  } else {
    const auto hash = Sha256Hex(path);
    if (!hash) return base::Status(base::StatusCode::kInternal, "cannot read the image");
    version = "sim-" + hash->substr(0, 8);
  }
  if (version.empty()) return base::Status(base::StatusCode::kInvalidArgument, "empty version");
  if (!WriteDurably(data_dir_ + kVersionFile, version)) {
    return base::Status(base::StatusCode::kInternal, "cannot record the installed version");
  }
  if (observer_) observer_(version);
  return version;
}

std::optional<std::string> SimFirmwareInstaller::InstalledVersion(const std::string& data_dir) {
  std::ifstream in(data_dir + kVersionFile);
  std::string version;
  if (!in || !std::getline(in, version) || version.empty()) return std::nullopt;
  return version.substr(0, kMaxVersionLength);
}

}  // namespace ocpp::hal::sim
