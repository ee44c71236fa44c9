#include "hal/linux/sqlite_storage.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include "hal/linux/sqlite_recovery.h"
#include "hal/linux/sqlite_schema.h"

namespace ocpp::hal {
namespace {

constexpr const char* kStatementSql[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM kv WHERE key = ?1",
    "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
    "DELETE FROM kv WHERE key = ?1",
    "SELECT key, value FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key",
    "SELECT key, value FROM kv WHERE key >= ?1 ORDER BY key",
    "INSERT INTO message_log (data) VALUES (?1)",
    "SELECT seq, data FROM message_log ORDER BY seq",
    "UPDATE message_log SET data = ?2 WHERE seq = ?1",
    "DELETE FROM message_log WHERE seq = ?1",
    "SELECT COUNT(*) FROM message_log",
    "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM message_log",
};

// Resets a statement and clears its bindings when the scope ends, so a cached
// statement never keeps a read transaction open or holds stale pointers.
class StatementScope {
 public:
  explicit StatementScope(sqlite3_stmt* statement) : statement_(statement) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_;
};

int BindBytes(sqlite3_stmt* statement, int index, std::string_view bytes) {
  // A null data pointer would bind SQL NULL; an empty blob needs a real pointer.
  const char* data = bytes.empty() ? "" : bytes.data();
  return sqlite3_bind_blob64(statement, index, data, bytes.size(), SQLITE_TRANSIENT);
}

std::string ColumnBytes(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  const int size = sqlite3_column_bytes(statement, column);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

base::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return base::StatusCode::kDataLoss;
    case SQLITE_FULL:
      return base::StatusCode::kResourceExhausted;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return base::StatusCode::kInvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_NOLFS:
      return base::StatusCode::kUnavailable;
    default:
      return base::StatusCode::kInternal;
  }
}

// Status messages are one line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// The smallest string greater than every string with prefix `prefix`, or
// nothing when there is none (empty prefix or all bytes 0xff).
std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string successor(prefix);
  while (!successor.empty()) {
    unsigned char last = static_cast<unsigned char>(successor.back());
    if (last != 0xff) {
      successor.back() = static_cast<char>(last + 1);
      return successor;
    }
    successor.pop_back();
  }
  return std::nullopt;
}

base::Status EmptyKeyError() {
  return base::Status(base::StatusCode::kInvalidArgument, "empty storage key");
}

}  // namespace

base::Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::string& data_dir,
                                                                 const Options& options,
                                                                 OpenReport* report) {
  if (data_dir.empty()) {
    return base::Status(base::StatusCode::kInvalidArgument, "storage: empty data directory path");
  }
  if (options.journal == Options::Journal::kRollback &&
      options.durability != Options::Durability::kOwnerSyncs) {
    return base::Status(base::StatusCode::kInvalidArgument,
                        "storage: a rollback journal needs Durability::kOwnerSyncs");
  }
  if (options.small_pages && options.journal != Options::Journal::kRollback) {
    return base::Status(base::StatusCode::kInvalidArgument,
                        "storage: small pages need a rollback journal");
  }
  if (options.file_name.empty() || options.file_name.find('/') != std::string::npos) {
    return base::Status(base::StatusCode::kInvalidArgument,
                        "storage: invalid database file name '" + options.file_name + "'");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return base::Status(
        base::StatusCode::kUnavailable,
        OneLine("storage: cannot create data directory " + data_dir + ": " + ec.message()));
  }
  if (!fs::is_directory(data_dir, ec)) {
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: data directory " + data_dir + " is not a directory");
  }
  if (::access(data_dir.c_str(), W_OK | X_OK) != 0) {
    return base::Status(base::StatusCode::kUnavailable,
                        OneLine("storage: data directory " + data_dir +
                                " is not writable: " + std::strerror(errno)));
  }

  std::string path = data_dir;
  if (path.back() != '/') path += '/';
  path += options.file_name;

  OpenReport local_report;
  OpenReport& out = report != nullptr ? *report : local_report;
  base::Status inspected =
      sqlite_recovery::InspectBeforeOpen(path, options.recover_from_corruption, out);
  const bool existed_before = sqlite_recovery::MarkerExists(path);
  base::Result<std::unique_ptr<SqliteStorage>> storage =
      inspected.ok() ? CreateAndOpenFile(path, options)
                     : base::Result<std::unique_ptr<SqliteStorage>>(inspected);
  if (!storage.ok() && options.recover_from_corruption &&
      sqlite_recovery::IsUnusableFile(storage.status())) {
    base::Status moved = sqlite_recovery::MoveDatabaseAside(path, storage.status().message(), out);
    if (moved.ok()) storage = CreateAndOpenFile(path, options);
  }
  if (storage.ok()) {
    if ((*storage)->created_schema_ && existed_before && !out.started_fresh) {
      out.data_lost = true;
      out.warnings.push_back("storage: " + path +
                             " was empty or missing although this data directory held a database "
                             "before: stored configuration and queued transaction messages are "
                             "lost");
    }
    // The marker says "open" before anything is written (FinishOpen). A
    // database that was there is marked "closed" again at a clean close; a
    // new one only once it was made durable.
    (*storage)->marker_pending_ = true;
    (*storage)->owns_marker_ = !(*storage)->file_pending_;
  }
  if (report == nullptr) {
    for (const std::string& warning : out.warnings) {
      std::fprintf(stderr, "storage: error: %s\n", warning.c_str());
    }
  }
  return storage;
}

base::Result<std::unique_ptr<SqliteStorage>> SqliteStorage::OpenFile(const std::string& path,
                                                                     const Options& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);  // a no-op for nullptr
    return base::Status(CodeFor(rc), OneLine("storage: cannot open " + path + ": " + message));
  }
  // Until the file proved usable, closing must not checkpoint a -wal into it:
  // the files are kept as found for diagnostics.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // From here on the destructor owns `db`.
  std::unique_ptr<SqliteStorage> storage(new SqliteStorage(db, path));
  base::Status status = storage->Initialize(options);
  if (!status.ok()) return status;
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  return storage;
}

SqliteStorage::~SqliteStorage() {
  for (sqlite3_stmt*& statement : statements_) {
    sqlite3_finalize(statement);  // a no-op for nullptr
    statement = nullptr;
  }
  // Closing the last connection checkpoints the WAL into the main file.
  const int rc = sqlite3_close(db_);
  // Best effort: a missing "closed" only risks a false warning at the next Open.
  if (rc == SQLITE_OK && (owns_marker_ || (owner_syncs_ && marker_pending_))) {
    sqlite_recovery::WriteMarker(path_, /*open=*/false, /*sync=*/!owner_syncs_).IgnoreError();
  }
}

base::Status SqliteStorage::Initialize(const Options& options) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);

  // One process per data directory (the rule above), held for the
  // connection's life: SQLite then keeps the write-ahead log's index in
  // memory (no -shm file) and takes its file locks once, not at every
  // transaction (2 to 6 fcntl calls each; 165 at a first start). A second
  // process gets SQLITE_BUSY at Open after busy_timeout_ms.
  base::Status locked = Execute("PRAGMA locking_mode = EXCLUSIVE", "take the file");
  if (!locked.ok()) return locked;
  owner_syncs_ = options.durability == Options::Durability::kOwnerSyncs;
  const bool rollback = options.journal == Options::Journal::kRollback;
  // The first statement that reads the file: a file that is not a database
  // fails here with SQLITE_NOTADB. A hot rollback journal left by a killed
  // process is rolled back here, in either mode.
  const char* wanted = rollback ? "persist" : "wal";
  base::Result<std::string> mode =
      QueryText(rollback ? "PRAGMA journal_mode = PERSIST" : "PRAGMA journal_mode = WAL",
                "set the journal mode");
  if (!mode.ok()) return mode.status();
  if (*mode != wanted) {
    return base::Status(base::StatusCode::kUnavailable, "storage: " + path_ + ": journal mode '" +
                                                            wanted + "' not available (mode '" +
                                                            *mode + "')");
  }
  base::Status status = owner_syncs_ ? Execute("PRAGMA synchronous = OFF", "set synchronous=OFF")
                                     : Execute("PRAGMA synchronous = FULL", "set synchronous=FULL");
  if (!status.ok()) return status;
  if (options.cache_pages > 0) {
    const std::string sql = "PRAGMA cache_size = " + std::to_string(options.cache_pages);
    status = Execute(sql.c_str(), "set the page cache size");
    if (!status.ok()) return status;
  }

  base::Result<std::string> check = QueryText("PRAGMA quick_check(1)", "check the file");
  if (!check.ok()) return check.status();
  if (*check != "ok") {
    return base::Status(base::StatusCode::kDataLoss,
                        OneLine("storage: " + path_ + " is corrupt: " + check.value()));
  }

  status = Execute("BEGIN IMMEDIATE", "read schema version");
  if (!status.ok()) return status;
  status = CreateOrCheckSchema();
  if (status.ok()) {
    status = Execute("COMMIT", "create schema");
  }
  if (!status.ok()) {
    if (sqlite3_get_autocommit(db_) == 0) Execute("ROLLBACK", "create schema").IgnoreError();
    return status;
  }

  if (options.max_database_bytes > 0) {
    base::Result<std::string> page_size = QueryText("PRAGMA page_size", "read page size");
    if (!page_size.ok()) return page_size.status();
    const std::uint64_t page_bytes = std::strtoull(page_size->c_str(), nullptr, 10);
    if (page_bytes == 0)
      return base::Status(base::StatusCode::kInternal, "storage: page size is 0");
    std::uint64_t pages = options.max_database_bytes / page_bytes;
    if (pages < 2) pages = 2;
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    status = Execute(sql.c_str(), "limit the database size");
    if (!status.ok()) return status;
  }
  if (options.schedule_checkpoint && !rollback) {
    schedule_checkpoint_ = options.schedule_checkpoint;
    status = Execute("PRAGMA wal_autocheckpoint = 0", "take over checkpoints");
    if (!status.ok()) return status;
    sqlite3_wal_hook(db_, &SqliteStorage::OnWalCommit, this);
  }
  return PrepareStatements();
}

base::Status SqliteStorage::PrepareStatements() {
  static_assert(sizeof(kStatementSql) / sizeof(kStatementSql[0]) == kStatementCount,
                "one SQL text per StatementId");
  for (int id = 0; id < kStatementCount; ++id) {
    const int rc = sqlite3_prepare_v3(db_, kStatementSql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                      &statements_[id], nullptr);
    // A file whose tables do not match the schema fails here ("no such table").
    if (rc != SQLITE_OK) {
      base::Status error = Error(rc, "prepare statements");
      return base::Status(base::StatusCode::kDataLoss, error.message());
    }
  }
  return base::OkStatus();
}

base::Status SqliteStorage::Error(int rc, const char* what) const {
  // sqlite3_errmsg describes the most recent failure on this connection, which
  // is `rc` as long as callers report errors right away.
  const char* detail = sqlite3_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return base::Status(CodeFor(rc), OneLine("storage: " + path_ + ": " + what + ": " + detail));
}

base::Result<std::string> SqliteStorage::QueryText(const char* sql, const char* what) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr);
  if (rc != SQLITE_OK) {
    base::Status error = Error(rc, what);
    sqlite3_finalize(statement);
    return error;
  }
  std::string text;
  rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(statement, 0);
    if (value != nullptr) text = reinterpret_cast<const char*>(value);
    // Drain the remaining rows, if any (e.g. pragmas that report several).
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
  }
  if (rc != SQLITE_DONE) {
    base::Status error = Error(rc, what);
    sqlite3_finalize(statement);
    return error;
  }
  sqlite3_finalize(statement);
  return text;
}

base::Status SqliteStorage::Execute(const char* sql, const char* what) {
  base::Result<std::string> result = QueryText(sql, what);
  return result.ok() ? base::OkStatus() : result.status();
}

base::Status SqliteStorage::StepDone(StatementId id, const char* what) {
  const int rc = sqlite3_step(statements_[id]);
  return rc == SQLITE_DONE ? base::OkStatus() : Error(rc, what);
}

base::Status SqliteStorage::InTransaction(const char* what,
                                          const std::function<base::Status()>& body) {
  base::Status status;
  {
    StatementScope scope(statements_[kBegin]);
    status = StepDone(kBegin, what);
  }
  if (!status.ok()) return status;
  const sqlite3_int64 changes_before = sqlite3_total_changes64(db_);
  status = body();
  // A write that changed no row (a Delete of a missing key) leaves the WAL
  // as it was: its commit syncs nothing, and needs nothing of FinishOpen.
  const bool wrote = sqlite3_total_changes64(db_) != changes_before;
  // Outside a group this commit is synced: Open's pending steps go first.
  if (status.ok() && wrote && group_depth_ == 0 && !owner_syncs_) status = FinishOpen();
  if (status.ok()) {
    StatementScope scope(statements_[kCommit]);
    status = StepDone(kCommit, what);
  }
  if (status.ok() && wrote) {
    // Outside a group synchronous=FULL synced this commit; inside one the
    // group's end syncs it.
    if (group_depth_ > 0) {
      group_dirty_ = true;
    } else if (!owner_syncs_) {
      ++syncs_;
    }
  }
  if (!status.ok() && sqlite3_get_autocommit(db_) == 0) {
    // Still inside the transaction (a failed statement or a failed COMMIT):
    // undo everything so nothing of the failed write is visible.
    StatementScope scope(statements_[kRollback]);
    StepDone(kRollback, what).IgnoreError();
  }
  return status;
}

base::Result<std::string> SqliteStorage::Get(std::string_view key) {
  if (key.empty()) return EmptyKeyError();
  sqlite3_stmt* statement = statements_[kKvGet];
  StatementScope scope(statement);
  int rc = BindBytes(statement, 1, key);
  if (rc != SQLITE_OK) return Error(rc, "get");
  rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) return ColumnBytes(statement, 0);
  if (rc == SQLITE_DONE) {
    return base::Status(base::StatusCode::kNotFound,
                        "storage: no value for key '" + std::string(key) + "'");
  }
  return Error(rc, "get");
}

base::Status SqliteStorage::PutLocked(std::string_view key, std::string_view value) {
  sqlite3_stmt* statement = statements_[kKvPut];
  StatementScope scope(statement);
  int rc = BindBytes(statement, 1, key);
  if (rc == SQLITE_OK) rc = BindBytes(statement, 2, value);
  if (rc != SQLITE_OK) return Error(rc, "put");
  return StepDone(kKvPut, "put");
}

base::Status SqliteStorage::DeleteLocked(std::string_view key) {
  sqlite3_stmt* statement = statements_[kKvDelete];
  StatementScope scope(statement);
  const int rc = BindBytes(statement, 1, key);
  if (rc != SQLITE_OK) return Error(rc, "delete");
  return StepDone(kKvDelete, "delete");
}

base::Status SqliteStorage::Put(std::string_view key, std::string_view value) {
  if (key.empty()) return EmptyKeyError();
  return InTransaction("put", [&] { return PutLocked(key, value); });
}

base::Status SqliteStorage::Delete(std::string_view key) {
  if (key.empty()) return EmptyKeyError();
  return InTransaction("delete", [&] { return DeleteLocked(key); });
}

base::Result<std::vector<std::pair<std::string, std::string>>> SqliteStorage::List(
    std::string_view prefix) {
  const std::optional<std::string> end = PrefixSuccessor(prefix);
  sqlite3_stmt* statement = statements_[end ? kKvListRange : kKvListFrom];
  StatementScope scope(statement);
  int rc = BindBytes(statement, 1, prefix);
  if (rc == SQLITE_OK && end) rc = BindBytes(statement, 2, *end);
  if (rc != SQLITE_OK) return Error(rc, "list");
  std::vector<std::pair<std::string, std::string>> entries;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    entries.emplace_back(ColumnBytes(statement, 0), ColumnBytes(statement, 1));
  }
  if (rc != SQLITE_DONE) return Error(rc, "list");
  return entries;
}

base::Status SqliteStorage::Commit(const std::vector<Write>& writes) {
  for (const Write& write : writes) {
    if (write.key.empty()) return EmptyKeyError();
  }
  if (writes.empty()) return base::OkStatus();
  return InTransaction("commit", [&] {
    for (const Write& write : writes) {
      base::Status status =
          write.value ? PutLocked(write.key, *write.value) : DeleteLocked(write.key);
      if (!status.ok()) return status;
    }
    return base::OkStatus();
  });
}

base::Result<MessageLog::Seq> SqliteStorage::Append(std::string_view data) {
  Seq seq = 0;
  base::Status status = InTransaction("append", [&] {
    sqlite3_stmt* statement = statements_[kLogAppend];
    StatementScope scope(statement);
    const int rc = BindBytes(statement, 1, data);
    if (rc != SQLITE_OK) return Error(rc, "append");
    base::Status step = StepDone(kLogAppend, "append");
    if (step.ok()) seq = static_cast<Seq>(sqlite3_last_insert_rowid(db_));
    return step;
  });
  if (!status.ok()) return status;
  return seq;
}

base::Result<std::vector<MessageLog::Record>> SqliteStorage::ReadAll() {
  sqlite3_stmt* statement = statements_[kLogReadAll];
  StatementScope scope(statement);
  std::vector<Record> records;
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    Record record;
    record.seq = static_cast<Seq>(sqlite3_column_int64(statement, 0));
    record.data = ColumnBytes(statement, 1);
    records.push_back(std::move(record));
  }
  if (rc != SQLITE_DONE) return Error(rc, "read log");
  return records;
}

base::Status SqliteStorage::Update(Seq seq, std::string_view data) {
  if (seq == 0 || seq > static_cast<Seq>(std::numeric_limits<sqlite3_int64>::max())) {
    return base::Status(base::StatusCode::kNotFound,
                        "storage: no log record " + std::to_string(seq));
  }
  return InTransaction("update", [&] {
    sqlite3_stmt* statement = statements_[kLogUpdate];
    StatementScope scope(statement);
    int rc = sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(seq));
    if (rc == SQLITE_OK) rc = BindBytes(statement, 2, data);
    if (rc != SQLITE_OK) return Error(rc, "update");
    base::Status step = StepDone(kLogUpdate, "update");
    if (step.ok() && sqlite3_changes(db_) == 0) {
      return base::Status(base::StatusCode::kNotFound,
                          "storage: no log record " + std::to_string(seq));
    }
    return step;
  });
}

base::Status SqliteStorage::Remove(Seq seq) {
  if (seq == 0 || seq > static_cast<Seq>(std::numeric_limits<sqlite3_int64>::max())) {
    return base::Status(base::StatusCode::kNotFound,
                        "storage: no log record " + std::to_string(seq));
  }
  return InTransaction("remove", [&] {
    sqlite3_stmt* statement = statements_[kLogRemove];
    StatementScope scope(statement);
    const int rc = sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(seq));
    if (rc != SQLITE_OK) return Error(rc, "remove");
    base::Status step = StepDone(kLogRemove, "remove");
    if (step.ok() && sqlite3_changes(db_) == 0) {
      return base::Status(base::StatusCode::kNotFound,
                          "storage: no log record " + std::to_string(seq));
    }
    return step;
  });
}

base::Result<std::uint64_t> SqliteStorage::Count() {
  sqlite3_stmt* statement = statements_[kLogCount];
  StatementScope scope(statement);
  const int rc = sqlite3_step(statement);
  if (rc != SQLITE_ROW) return Error(rc, "count log");
  return static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
}

base::Result<std::uint64_t> SqliteStorage::SizeBytes() {
  sqlite3_stmt* statement = statements_[kLogSize];
  StatementScope scope(statement);
  const int rc = sqlite3_step(statement);
  if (rc != SQLITE_ROW) return Error(rc, "size of log");
  return static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
}

base::Status SqliteStorage::CheckIntegrity() {
  base::Result<std::string> check = QueryText("PRAGMA integrity_check(1)", "integrity check");
  if (!check.ok()) return check.status();
  if (*check != "ok") {
    return base::Status(base::StatusCode::kDataLoss,
                        OneLine("storage: " + path_ + " is corrupt: " + check.value()));
  }
  return base::OkStatus();
}

}  // namespace ocpp::hal
