// SqliteStorage's write groups (group commit): inside a group each write
// commits at once without syncing; the group's end syncs the WAL once. And
// checkpoints in a loop turn of their own (Options::schedule_checkpoint):
// SQLite's automatic one runs inside the commit that takes the log past 1000
// pages, syncing the log and the database file there, and a later write of
// the same group then restarts the log with a synced header: four syncs in
// one turn. Scheduled, the checkpoint's two syncs have a turn to themselves
// (the log's is a no-op: the last group synced it), and the turn of the
// write that restarts the log has two (the header SQLite syncs first, so
// that old frames can never be read as new ones, then the group's own).
// Also what many storages in one process use: Durability::kOwnerSyncs,
// SyncFileSystem, StartPageCachesEmpty and Options::small_pages.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "hal/linux/sqlite_recovery.h"
#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal {

void SqliteStorage::BeginGroup() {
  if (group_depth_++ > 0) return;
  group_dirty_ = false;
  if (owner_syncs_) return;  // synchronous=OFF throughout
  // Commits write the WAL without syncing it; EndGroup syncs it once.
  Execute("PRAGMA synchronous = NORMAL", "begin a write group").IgnoreError();
}

base::Status SqliteStorage::EndGroup() {
  if (group_depth_ == 0) return base::OkStatus();
  if (--group_depth_ > 0) return base::OkStatus();
  if (owner_syncs_) return base::OkStatus();
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

int SqliteStorage::OnWalCommit(void* self, sqlite3*, const char*, int frames) {
  // SQLite's own threshold (wal_autocheckpoint's default).
  constexpr int kCheckpointFrames = 1000;
  auto* storage = static_cast<SqliteStorage*>(self);
  if (frames >= kCheckpointFrames && !storage->checkpoint_scheduled_) {
    storage->checkpoint_scheduled_ = true;
    storage->schedule_checkpoint_([storage, alive = std::weak_ptr<bool>(storage->alive_)] {
      if (!alive.expired()) storage->Checkpoint().IgnoreError();  // retried at the next commit
    });
  }
  return SQLITE_OK;
}

base::Status SqliteStorage::SyncFileSystem(const std::string& data_dir) {
  const int fd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return base::Status(base::StatusCode::kUnavailable, "storage: cannot sync the file system of " +
                                                            data_dir + ": " + std::strerror(error));
  }
  ::close(fd);
  return base::OkStatus();
}

bool SqliteStorage::StartPageCachesEmpty() {
  // SQLITE_CONFIG_PAGECACHE without memory and with 0 lines: no bulk
  // allocation of SQLITE_DEFAULT_PCACHE_INITSZ pages per cache.
  return sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0) == SQLITE_OK;
}

base::Status SqliteStorage::Checkpoint() {
  checkpoint_scheduled_ = false;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return rc == SQLITE_OK ? base::OkStatus() : Error(rc, "checkpoint");
}

}  // namespace ocpp::hal
