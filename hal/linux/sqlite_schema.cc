#include "hal/linux/sqlite_schema.h"

#include <sqlite3.h>

namespace ocpp::hal::sqlite_schema {

std::string BuildEmptyDatabase(const std::string& path, int page_bytes, bool write_ahead_log) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return error;
  }
  // WAL set last: the close leaves one self-contained file (no -wal).
  const std::string sql = "PRAGMA page_size = " + std::to_string(page_bytes) +
                          "; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;" +
                          kCreate + "COMMIT;" +
                          (write_ahead_log ? " PRAGMA journal_mode = WAL;" : "");
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string error = rc == SQLITE_OK ? "" : message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  if (sqlite3_close(db) != SQLITE_OK && error.empty()) error = "close failed";
  return error;
}

}  // namespace ocpp::hal::sqlite_schema
