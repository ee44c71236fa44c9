// SqliteStorage's write groups (group commit): inside a group each write
// commits at once without syncing; the group's end syncs the WAL once.
#include <string>

#include "hal/linux/sqlite_recovery.h"
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
  // What Open left undone (a new file's sync, the marker) is durable before
  // the first data is.
  if (base::Status finished = FinishOpen(); !finished.ok()) return finished;
  // One fdatasync of the write-ahead log makes every commit of the group
  // durable (they are all in it, in order).
  base::Status synced = sqlite_recovery::SyncFile(path_ + "-wal");
  if (!synced.ok()) return synced;
  ++syncs_;
  return status;
}

}  // namespace ocpp::hal
