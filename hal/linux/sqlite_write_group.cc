// SqliteStorage's write groups (group commit): inside a group each write
// commits at once without syncing; the group's end syncs the WAL once.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal {

void SqliteStorage::BeginGroup() {
  if (group_depth_++ > 0) return;
  group_dirty_ = false;
  // Commits write the WAL without syncing it; EndGroup syncs it once.
  Execute("PRAGMA synchronous = NORMAL", "begin a write group").IgnoreError();
}

base::Status SqliteStorage::EndGroup() {
  if (group_depth_ == 0) return base::OkStatus();
  if (--group_depth_ > 0) return base::OkStatus();
  base::Status status = Execute("PRAGMA synchronous = FULL", "end a write group");
  if (!group_dirty_) return status;
  group_dirty_ = false;
  // One fdatasync of the write-ahead log makes every commit of the group
  // durable (they are all in it, in order).
  const std::string wal = path_ + "-wal";
  const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fdatasync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: cannot sync " + wal + ": " + std::strerror(error));
  }
  ::close(fd);
  ++syncs_;
  return status;
}

}  // namespace ocpp::hal
