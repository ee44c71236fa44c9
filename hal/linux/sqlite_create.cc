// SqliteStorage's first start in a data directory: the new database file is
// built complete under a temporary name and renamed into place, and nothing
// is synced until something is stored (FinishOpen).
//
// Built in place, SQLite would give the empty file its first page through a
// rollback journal and then create the write-ahead log and commit the
// schema: seven syncs of files and of the directory, all of them to protect
// an empty database. Built under "<db>.new" with no journal and no syncs,
// then renamed (never over an existing file), it costs none. A power cut
// before FinishOpen leaves no database, an empty file or the complete one,
// and no shutdown marker: the next start begins afresh without a warning
// (a leftover "<db>.new" is removed), and nothing stored was lost because
// nothing was stored. Only a file system that can leave a renamed file with
// garbage pages would make the next start move it aside as damaged.
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "hal/linux/sqlite_recovery.h"
#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal {
namespace {

namespace fs = std::filesystem;

void RemoveBuildFiles(const std::string& building) {
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(building + suffix, ec);
}

}  // namespace

bool SqliteStorage::CreateFile(const std::string& path) {
  std::error_code ec;
  // Only where nothing is: an empty file or a lone write-ahead log is left to
  // the ordinary open, which reports what it means.
  if (fs::exists(fs::symlink_status(path, ec)) ||
      fs::exists(fs::symlink_status(path + "-wal", ec))) {
    return false;
  }
  const std::string building = path + ".new";
  RemoveBuildFiles(building);  // a start interrupted while building
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(building.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    RemoveBuildFiles(building);
    return false;
  }
  base::Status status;
  {
    // The destructor closes `db`; with the journal mode WAL set last, the
    // close leaves one self-contained file (no -wal).
    std::unique_ptr<SqliteStorage> storage(new SqliteStorage(db, building));
    sqlite3_extended_result_codes(db, 1);
    status = storage->Execute("PRAGMA journal_mode = OFF", "build the database");
    if (status.ok()) status = storage->Execute("PRAGMA synchronous = OFF", "build the database");
    if (status.ok()) status = storage->Execute("BEGIN", "build the database");
    if (status.ok()) status = storage->CreateOrCheckSchema();
    if (status.ok()) status = storage->Execute("COMMIT", "build the database");
    if (status.ok()) {
      base::Result<std::string> mode = storage->QueryText("PRAGMA journal_mode = WAL", "set WAL");
      if (!mode.ok()) {
        status = mode.status();
      } else if (*mode != "wal") {
        status = base::Status(base::StatusCode::kUnavailable,
                              "storage: " + building + ": WAL journal not available");
      }
    }
  }
  // Never over a file that appeared meanwhile (another process; one process
  // per data directory is the rule, but losing its file would be worse).
  if (!status.ok() ||
      ::renameat2(AT_FDCWD, building.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    RemoveBuildFiles(building);
    return false;
  }
  return true;
}

base::Result<std::unique_ptr<SqliteStorage>> SqliteStorage::CreateAndOpenFile(
    const std::string& path, const Options& options) {
  const bool created = CreateFile(path);
  base::Result<std::unique_ptr<SqliteStorage>> storage = OpenFile(path, options);
  if (storage.ok() && created) {
    (*storage)->created_schema_ = true;
    (*storage)->file_pending_ = true;
  }
  return storage;
}

base::Status SqliteStorage::FinishOpen() {
  if (file_pending_) {
    // The new file's pages, then its name in the directory.
    base::Status synced = sqlite_recovery::SyncFile(path_);
    if (!synced.ok()) return synced;
    sqlite_recovery::SyncDirectory(path_);
    file_pending_ = false;
    owns_marker_ = true;
  }
  if (marker_pending_) {
    marker_pending_ = false;
    base::Status marked = sqlite_recovery::WriteMarker(path_, /*open=*/true);
    // Open has returned its report: this goes where Open's warnings go
    // without one.
    if (!marked.ok()) {
      std::fprintf(stderr,
                   "storage: error: %s (a lost database or write-ahead log will not be noticed)\n",
                   marked.message().c_str());
    }
  }
  return base::OkStatus();
}

}  // namespace ocpp::hal
