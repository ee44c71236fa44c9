// The SqliteStorage file's schema, and the empty database built from it.
// The build runs make_empty_database (a genrule) to embed that empty file
// in SqliteStorage (empty_database.cc): a new data directory gets it as a
// copy of bytes instead of SQLite parsing and executing the schema at
// every first start.
#pragma once

#include <cstddef>
#include <string>

namespace ocpp::hal::sqlite_schema {

// Stored in PRAGMA user_version.
inline constexpr int kVersion = 1;

// Keys and values are BLOBs so that comparison (and therefore List order and
// prefix ranges) is plain byte order, whatever the bytes are.
inline constexpr const char* kCreate = R"sql(
CREATE TABLE kv (
  key BLOB PRIMARY KEY NOT NULL,
  value BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE message_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  data BLOB NOT NULL
);
PRAGMA user_version = 1;
)sql";

// Builds the empty database at `path` (which must not exist): kCreate in one
// transaction, no journal, no syncs, pages of `page_bytes`, WAL mode set in
// its header if `write_ahead_log`; one file. Empty on success, else what
// failed.
std::string BuildEmptyDatabase(const std::string& path, int page_bytes, bool write_ahead_log);

// What BuildEmptyDatabase wrote at build time (empty_database.cc, generated
// by make_empty_database): SQLite's 4 KiB pages and the write-ahead log (the
// firmware's file), and 1 KiB pages with a rollback journal (many storages
// in one process: SqliteStorage::Options::small_pages).
struct EmptyDatabase {
  const unsigned char* bytes;
  std::size_t size;
};
EmptyDatabase EmptyWalDatabase();
inline constexpr int kSmallPageBytes = 1024;
EmptyDatabase EmptySmallPageDatabase();

}  // namespace ocpp::hal::sqlite_schema
