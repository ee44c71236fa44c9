// SqliteStorage's first start in a data directory (and the schema check of every Open): the empty
// database file is written under a temporary name from bytes built at build time (sqlite_schema.h)
// and renamed into place, and nothing is synced until something is stored (FinishOpen).
//
// Built in place, SQLite would give the empty file its first page through a
// rollback journal and then create the write-ahead log and commit the
// schema: seven syncs of files and of the directory, all of them to protect
// an empty database, and the schema parsed and executed at every first
// start. Copied under "<db>.new" and renamed (never over an existing file),
// it costs one write and no sync. A power cut before FinishOpen leaves no
// database, an empty file or the complete one, and no shutdown marker: the
// next start begins afresh without a warning (a leftover "<db>.new" is
// removed), and nothing stored was lost because nothing was stored. Only a
// file system that can leave a renamed file with garbage pages would make
// the next start move it aside as damaged.
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "hal/linux/sqlite_recovery.h"
#include "hal/linux/sqlite_schema.h"
#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal {
namespace {

namespace fs = std::filesystem;

void RemoveBuildFiles(const std::string& building) {
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(building + suffix, ec);
}

}  // namespace

bool SqliteStorage::CreateFile(const std::string& path, const Options& options) {
  std::error_code ec;
  // Only where nothing is: an empty file or a lone write-ahead log is left to
  // the ordinary open, which reports what it means.
  if (fs::exists(fs::symlink_status(path, ec)) ||
      fs::exists(fs::symlink_status(path + "-wal", ec))) {
    return false;
  }
  const std::string building = path + ".new";
  RemoveBuildFiles(building);  // a start interrupted while building
  const int fd = ::open(building.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const sqlite_schema::EmptyDatabase empty = options.small_pages
                                                 ? sqlite_schema::EmptySmallPageDatabase()
                                                 : sqlite_schema::EmptyWalDatabase();
  const unsigned char* bytes = empty.bytes;
  std::size_t left = empty.size;
  while (left > 0) {
    const ssize_t written = ::write(fd, bytes, left);
    if (written <= 0) break;
    bytes += written;
    left -= static_cast<std::size_t>(written);
  }
  const bool complete = ::close(fd) == 0 && left == 0;
  // Never over a file that appeared meanwhile (another process; one process
  // per data directory is the rule, but losing its file would be worse).
  if (!complete ||
      ::renameat2(AT_FDCWD, building.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    RemoveBuildFiles(building);
    return false;
  }
  return true;
}

base::Result<std::unique_ptr<SqliteStorage>> SqliteStorage::CreateAndOpenFile(
    const std::string& path, const Options& options) {
  const bool created = CreateFile(path, options);
  base::Result<std::unique_ptr<SqliteStorage>> storage = OpenFile(path, options);
  if (storage.ok() && created) {
    (*storage)->created_schema_ = true;
    (*storage)->file_pending_ = true;
  }
  return storage;
}

base::Status SqliteStorage::FinishOpen() {
  if (owner_syncs_) return base::OkStatus();  // the owner syncs; the marker says "closed" at close
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

// Runs inside the write transaction Initialize opened, so two processes
// opening a new file at once cannot both create the schema.
base::Status SqliteStorage::CreateOrCheckSchema() {
  base::Result<std::string> version_text = QueryText("PRAGMA user_version", "read schema version");
  if (!version_text.ok()) return version_text.status();
  const int version = std::atoi(version_text->c_str());
  if (version == sqlite_schema::kVersion) return base::OkStatus();
  if (version > sqlite_schema::kVersion) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        "storage: " + path_ + " has schema version " + std::to_string(version) +
                            ", newer than this software's " +
                            std::to_string(sqlite_schema::kVersion));
  }
  if (version != 0) {
    return base::Status(
        base::StatusCode::kDataLoss,
        "storage: " + path_ + " has an invalid schema version " + std::to_string(version));
  }
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sqlite_schema::kCreate, nullptr, nullptr, &error);
  sqlite3_free(error);  // Error reads the same text from the connection
  if (rc == SQLITE_OK) {
    created_schema_ = true;
    return base::OkStatus();
  }
  if ((rc & 0xff) == SQLITE_ERROR) {
    // E.g. "table kv already exists": some other application's database.
    // (Error's text is one line: it names the file and SQLite's reason.)
    return base::Status(base::StatusCode::kFailedPrecondition,
                        Error(rc, "not an OCPP storage file").message());
  }
  return Error(rc, "create schema");
}

}  // namespace ocpp::hal
