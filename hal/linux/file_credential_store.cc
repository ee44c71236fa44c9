#include "hal/linux/file_credential_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace ocpp::hal {
namespace {

using base::Status;
using base::StatusCode;

Status Errno(const std::string& what) {
  return Status(StatusCode::kUnavailable, what + ": " + std::strerror(errno));
}

// Names are ours ("charge-point.key"), never paths: no '/' and no dot files.
bool SafeName(std::string_view name) {
  return !name.empty() && name[0] != '.' && name.find('/') == std::string_view::npos &&
         name.size() <= 64;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

base::Result<std::unique_ptr<FileCredentialStore>> FileCredentialStore::Open(
    const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno("cannot create " + directory);
  }
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status(StatusCode::kUnavailable, directory + " is not a directory");
  }
  ::chmod(directory.c_str(), 0700);  // also when an older release made it wider
  return std::unique_ptr<FileCredentialStore>(new FileCredentialStore(directory));
}

std::string FileCredentialStore::PathOf(std::string_view name) const {
  return directory_ + "/" + std::string(name);
}

Status FileCredentialStore::Write(std::string_view name, std::string_view bytes) {
  if (!SafeName(name)) return Status(StatusCode::kInvalidArgument, "bad credential name");
  const std::string path = PathOf(name);
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot write a credential");
  ::fchmod(fd, 0600);  // O_CREAT's mode does not apply to an existing file
  const bool written = WriteAll(fd, bytes) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return Errno("cannot write a credential");
  }
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // the rename itself survives a power cut
    ::close(dir);
  }
  return base::OkStatus();
}

base::Result<std::string> FileCredentialStore::Read(std::string_view name) {
  if (!SafeName(name)) return Status(StatusCode::kInvalidArgument, "bad credential name");
  const int fd = ::open(PathOf(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(StatusCode::kNotFound, "no such credential");
    return Errno("cannot read a credential");
  }
  std::string out;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && out.size() < 256 * 1024) {
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (n < 0) return Errno("cannot read a credential");
  return out;
}

Status FileCredentialStore::Remove(std::string_view name) {
  if (!SafeName(name)) return Status(StatusCode::kInvalidArgument, "bad credential name");
  if (::unlink(PathOf(name).c_str()) != 0 && errno != ENOENT) {
    return Errno("cannot remove a credential");
  }
  return base::OkStatus();
}

}  // namespace ocpp::hal
