// Internals of SqliteStorage::Open that deal with damaged or vanished files:
// checks made before SQLite touches them, moving files aside, and the
// shutdown marker that tells an empty database from a lost one.
#pragma once

#include <string>

#include "base/status.h"
#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal::sqlite_recovery {

// Whether an Open failure means the file itself is unusable (as opposed to
// the directory, permissions, a lock or I/O, which may pass).
bool IsUnusableFile(const base::Status& status);

// Before SQLite opens `path`: a non-regular file in its place is moved aside
// when `recover` (else kUnavailable); a -wal file that SQLite would discard
// as garbage is moved aside; a -wal missing after an unclean shutdown is
// reported.
base::Status InspectBeforeOpen(const std::string& path, bool recover,
                               SqliteStorage::OpenReport& report);

// Moves the database and its -wal aside under one timestamped name, removes
// the -shm, and records it in `report`.
base::Status MoveDatabaseAside(const std::string& path, const std::string& why,
                               SqliteStorage::OpenReport& report);

// fsync of the directory holding `path` (best effort): makes a file
// created or renamed there durable.
void SyncDirectory(const std::string& path);
// fdatasync of the file at `path`.
base::Status SyncFile(const std::string& path);

// Whether a marker exists: the data directory held a database before.
bool MarkerExists(const std::string& path);
// Stores "open" (a session started) or "closed" (clean close), durably
// unless `sync` is false (Durability::kOwnerSyncs: the owner syncs).
base::Status WriteMarker(const std::string& path, bool open, bool sync = true);

}  // namespace ocpp::hal::sqlite_recovery
