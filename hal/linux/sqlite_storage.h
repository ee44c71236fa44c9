// Linux storage backend: one SQLite database file in a data directory holds
// both the key-value store and the message log.
//
//   auto storage = hal::SqliteStorage::Open("/var/lib/ocpp");
//   if (!storage.ok()) { fprintf(stderr, "%s\n", storage.status().ToString().c_str()); ... }
//   hal::KeyValueStore& kv = **storage;
//   hal::MessageLog& log = **storage;
//
// Durability: WAL journal, synchronous=FULL (every commit is fsync'ed before
// it returns), every write runs in its own IMMEDIATE transaction and
// KeyValueStore::Commit batches run in one; a write group (WriteGrouping)
// syncs once at its end. A process kill or power cut leaves the last
// committed state. Open itself syncs nothing (see FinishOpen). Problems at
// Open (a data directory that cannot be created or written) come back as a
// one-line Status; nothing aborts. A database that cannot be used (not a
// database, corrupt, a directory in its place, a schema from a newer version
// or another application) is moved aside and replaced by an empty one, and a
// database or write-ahead log that vanished or was garbage is noticed: both
// are reported in OpenReport so that no stored state is lost silently (see
// sqlite_recovery.cc). Not thread-safe: use one instance from one thread.
// One instance per data directory: the file stays locked while it is open
// (SQLite's exclusive locking mode) and a second Open fails with
// kUnavailable after busy_timeout_ms.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "hal/storage.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ocpp::hal {

class SqliteStorage final : public KeyValueStore, public MessageLog, public WriteGrouping {
 public:
  struct Options {
    // The database file inside the data directory (plus its -wal file).
    std::string file_name = "ocpp.sqlite3";
    // How long Open waits for a file another instance holds.
    int busy_timeout_ms = 5000;
    // Upper bound for the main database file; 0 = no bound. Writes that would
    // grow the file past it fail with kResourceExhausted and change nothing.
    std::uint64_t max_database_bytes = 0;
    // Move an unusable database aside (kept for diagnostics) and start with
    // an empty one instead of failing Open with kDataLoss/kFailedPrecondition.
    bool recover_from_corruption = true;
    // Where write-ahead log checkpoints run. Empty: SQLite's automatic
    // checkpoint, inside the commit that takes the log past 1000 pages (two
    // more syncs in that write's loop turn, on top of its own). Given, that
    // is off and a due checkpoint is handed to it once, to run in a loop
    // turn of its own (e.g. EventLoop::PostAfterIo); a task that runs after
    // this storage is gone does nothing. See sqlite_write_group.cc.
    std::function<void(std::function<void()>)> schedule_checkpoint;

    // For many storages in one process (station_fleet); the defaults are
    // right for a station on its own hardware.
    //
    // When commits become durable. kEveryCommit: as described at the top.
    // kOwnerSyncs: this storage never syncs (SQLite runs with
    // synchronous=OFF, checkpoints and the closing one included; write
    // groups, FinishOpen and the shutdown marker sync nothing); its owner
    // makes the files durable once they are closed, e.g. SyncFileSystem
    // over the data directories after closing every storage: one sync for
    // all of them. A commit then survives a kill of the process (it is in
    // the OS's page cache) but not a crash of the host before that sync,
    // and a loss by such a crash is not reported at the next Open (the
    // marker never says "open"). One thread serving many storages is not
    // stalled by each one's syncs.
    enum class Durability { kEveryCommit, kOwnerSyncs };
    Durability durability = Durability::kEveryCommit;
    // The connection's page cache, in pages (PRAGMA cache_size); 0 keeps
    // SQLite's (up to 2,000 KiB, filled as pages are read). A few pages
    // suffice for this schema's small transactions: pages not cached are
    // read again from the OS's page cache. See also StartPageCachesEmpty.
    int cache_pages = 0;
    // The journal. kWriteAheadLog: as described at the top. kRollback (only
    // with Durability::kOwnerSyncs): a rollback journal beside the file
    // (journal_mode=PERSIST, kept open: still two descriptors), for many
    // storages in one process: the write-ahead log's index costs each
    // connection 32 KiB of heap, a rollback journal nothing. A file is
    // switched at Open, either way, and keeps its data: a data directory
    // works with both.
    enum class Journal { kWriteAheadLog, kRollback };
    Journal journal = Journal::kWriteAheadLog;
    // With Journal::kRollback: a new file gets 1 KiB pages instead of
    // SQLite's 4 KiB (from a template built with them, no cost at Open); each
    // cached page costs its size, so the page cache's floor is 7 KiB instead
    // of 21. A file keeps the page size it was created with.
    bool small_pages = false;
  };

  // Process-wide, before the first Open (false if SQLite is in use
  // already): page caches start empty instead of allocating 20 pages (88
  // KiB) at a connection's first read, whatever Options::cache_pages says.
  static bool StartPageCachesEmpty();

  // syncfs(2) of the file system holding `data_dir`: everything written
  // there becomes durable (Durability::kOwnerSyncs's sync).
  static base::Status SyncFileSystem(const std::string& data_dir);

  // What Open found wrong with the files and what it did about it.
  struct OpenReport {
    // One line each; the caller must log every one at error level. Empty
    // when the storage opened as it was left.
    std::vector<std::string> warnings;
    // New paths of files moved out of the way (kept for diagnostics).
    std::vector<std::string> moved_aside;
    // The database was unusable and was replaced by an empty one: every
    // stored value is gone (configuration back to factory settings, queued
    // transaction messages lost).
    bool started_fresh = false;
    // Stored state was lost or may have been: started_fresh, an empty or
    // missing database where one existed, a missing or garbage write-ahead log.
    bool data_lost = false;
  };

  // Creates `data_dir` if it is missing, then opens or creates the database.
  // Damaged files are handled as described above and reported in `*report`;
  // with a null `report` the warnings go to stderr.
  static base::Result<std::unique_ptr<SqliteStorage>> Open(const std::string& data_dir,
                                                           const Options& options,
                                                           OpenReport* report);
  static base::Result<std::unique_ptr<SqliteStorage>> Open(const std::string& data_dir,
                                                           const Options& options) {
    return Open(data_dir, options, nullptr);
  }
  static base::Result<std::unique_ptr<SqliteStorage>> Open(const std::string& data_dir) {
    return Open(data_dir, Options(), nullptr);
  }

  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;
  ~SqliteStorage() override;

  // KeyValueStore
  base::Result<std::string> Get(std::string_view key) override;
  base::Status Put(std::string_view key, std::string_view value) override;
  base::Status Delete(std::string_view key) override;
  base::Result<std::vector<std::pair<std::string, std::string>>> List(
      std::string_view prefix) override;
  base::Status Commit(const std::vector<Write>& writes) override;

  // MessageLog
  base::Result<Seq> Append(std::string_view data) override;
  base::Result<std::vector<Record>> ReadAll() override;
  base::Status Update(Seq seq, std::string_view data) override;
  base::Status Remove(Seq seq) override;
  base::Result<std::uint64_t> Count() override;
  base::Result<std::uint64_t> SizeBytes() override;

  // Full consistency check of the file (SQLite integrity_check); kDataLoss
  // naming the first problem found.
  base::Status CheckIntegrity();

  // The database file.
  const std::string& path() const { return path_; }

  // Open syncs nothing: nothing the station stored can be lost before it
  // writes. What it leaves for later is done here, or by the first write
  // that is synced, before that write's sync: a database file that Open
  // created is synced with its directory entry, and the shutdown marker set
  // to "open" (two syncs each). Call it once start-up is over (e.g. once the
  // BootNotification is sent) so that the first write does not pay for it.
  base::Status FinishOpen();

  // WriteGrouping: inside a group each write commits at once (errors at
  // once) without syncing; EndGroup syncs the write-ahead log once. Counts
  // the syncs this object did (for benchmarks and tests).
  void BeginGroup() override;
  base::Status EndGroup() override;
  // A checkpoint of the write-ahead log now (what schedule_checkpoint runs).
  base::Status Checkpoint();
  std::uint64_t syncs() const { return syncs_; }

 private:
  enum StatementId {
    kBegin,
    kCommit,
    kRollback,
    kKvGet,
    kKvPut,
    kKvDelete,
    kKvListRange,
    kKvListFrom,
    kLogAppend,
    kLogReadAll,
    kLogUpdate,
    kLogRemove,
    kLogCount,
    kLogSize,
    kStatementCount,
  };

  SqliteStorage(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  // One attempt at opening `path` (no recovery).
  static base::Result<std::unique_ptr<SqliteStorage>> OpenFile(const std::string& path,
                                                               const Options& options);
  // Where neither `path` nor its -wal exists, builds the empty database
  // (the template that suits `options`) under a temporary name and renames it into place, unsynced
  // (sqlite_create.cc); true if it did. False: there is a file, or building
  // failed (the ordinary open then meets and reports the problem).
  static bool CreateFile(const std::string& path, const Options& options);
  // CreateFile, then OpenFile.
  static base::Result<std::unique_ptr<SqliteStorage>> CreateAndOpenFile(const std::string& path,
                                                                        const Options& options);

  base::Status Initialize(const Options& options);
  base::Status CreateOrCheckSchema();
  base::Status PrepareStatements();
  // Runs `sql` and returns the first column of its first row ("" if no row).
  base::Result<std::string> QueryText(const char* sql, const char* what);
  base::Status Execute(const char* sql, const char* what);
  // Runs `body` between BEGIN IMMEDIATE and COMMIT; rolls back on failure.
  base::Status InTransaction(const char* what, const std::function<base::Status()>& body);

  base::Status StepDone(StatementId id, const char* what);
  base::Status PutLocked(std::string_view key, std::string_view value);
  base::Status DeleteLocked(std::string_view key);
  // A Status for SQLite result code `rc`, naming the file and the operation.
  base::Status Error(int rc, const char* what) const;

  sqlite3* db_;
  std::string path_;
  int group_depth_ = 0;
  bool group_dirty_ = false;  // a write happened in the open group
  std::uint64_t syncs_ = 0;
  // This Open created the schema: the file was empty or missing.
  bool created_schema_ = false;
  // The shutdown marker (sqlite_recovery.cc) says "open" while this instance
  // holds writes; the destructor marks a clean close.
  bool owns_marker_ = false;
  // FinishOpen's work: the file CreateFile made is not synced yet; the
  // marker does not say "open" yet.
  bool file_pending_ = false;
  bool marker_pending_ = false;
  // Options::schedule_checkpoint, and whether a checkpoint is handed to it.
  std::function<void(std::function<void()>)> schedule_checkpoint_;
  bool checkpoint_scheduled_ = false;
  // Options::durability == kOwnerSyncs.
  bool owner_syncs_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);
  std::array<sqlite3_stmt*, kStatementCount> statements_{};
};

}  // namespace ocpp::hal
