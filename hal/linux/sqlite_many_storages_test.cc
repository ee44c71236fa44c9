// SqliteStorage's options for many storages in one process (station_fleet):
// Durability::kOwnerSyncs, Options::cache_pages, StartPageCachesEmpty. This
// binary counts its own fsync/fdatasync calls: SQLite is linked in
// statically, so its calls and hal/linux's land in the definitions below.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "hal/linux/sqlite_storage.h"

namespace {
std::atomic<int> g_syncs{0};
}  // namespace

extern "C" int fsync(int fd) {
  ++g_syncs;
  return static_cast<int>(syscall(SYS_fsync, fd));
}

extern "C" int fdatasync(int fd) {
  ++g_syncs;
  return static_cast<int>(syscall(SYS_fdatasync, fd));
}

namespace ocpp::hal {
namespace {

namespace fs = std::filesystem;
using Durability = SqliteStorage::Options::Durability;

SqliteStorage::Options OwnerSyncsOptions() {
  SqliteStorage::Options options;
  options.durability = Durability::kOwnerSyncs;
  return options;
}

// Before any test opens a database (sqlite3_initialize then fixes it).
const bool g_started_empty = SqliteStorage::StartPageCachesEmpty();

class ManyStoragesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/many_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  static SqliteStorage::Options OwnerSyncs() { return OwnerSyncsOptions(); }

  // A station's kind of writes: keys, queue records, a write group.
  static void Write(SqliteStorage& storage, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(storage.Put("key" + std::to_string(i), std::string(200, 'v')).ok());
    }
    storage.BeginGroup();
    ASSERT_TRUE(storage.Append("[2,\"1\",\"StartTransaction\",{}]").ok());
    ASSERT_TRUE(storage.Put("group", "1").ok());
    ASSERT_TRUE(storage.EndGroup().ok());
  }

  std::string dir_;
};

TEST_F(ManyStoragesTest, EveryCommitSyncs) {
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  const int before = g_syncs;
  Write(**storage, 3);
  // The counter sees the syncs the default durability makes.
  EXPECT_GT(g_syncs - before, 3);
}

TEST_F(ManyStoragesTest, OwnerSyncsMeansTheStorageNeverSyncs) {
  const int before = g_syncs;
  {
    auto storage = SqliteStorage::Open(dir_, OwnerSyncs());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    ASSERT_TRUE((*storage)->FinishOpen().ok());
    Write(**storage, 20);
    ASSERT_TRUE((*storage)->Checkpoint().ok());
    Write(**storage, 5);
    EXPECT_EQ((*storage)->syncs(), 0u);
  }  // the closing checkpoint and the marker included
  EXPECT_EQ(g_syncs - before, 0);
  ASSERT_TRUE(SqliteStorage::SyncFileSystem(dir_).ok());

  SqliteStorage::OpenReport report;
  auto reopened = SqliteStorage::Open(dir_, SqliteStorage::Options(), &report);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_EQ((*reopened)->Get("key19").value(), std::string(200, 'v'));
  EXPECT_EQ((*reopened)->Count().value(), 2u);
  EXPECT_TRUE((*reopened)->CheckIntegrity().ok());
  // The new database's shutdown marker says it was closed cleanly.
  std::ifstream marker(dir_ + "/ocpp.sqlite3.state");
  std::string state;
  EXPECT_TRUE(std::getline(marker, state));
  EXPECT_EQ(state, "closed");
}

TEST_F(ManyStoragesTest, SyncFileSystemNamesADirectoryItCannotOpen) {
  const base::Status status = SqliteStorage::SyncFileSystem(dir_ + "/missing");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing"), std::string::npos) << status.message();
}

// A kill leaves the writes in the OS's page cache: the next Open finds them.
TEST_F(ManyStoragesTest, AtCloseWritesSurviveAKillOfTheProcess) {
  {
    auto first = SqliteStorage::Open(dir_);  // a database that was closed cleanly
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE((*first)->Put("old", "1").ok());
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto storage = SqliteStorage::Open(dir_, OwnerSyncs());
    if (!storage.ok() || !(*storage)->Put("new", "2").ok() || !(*storage)->Append("queued").ok()) {
      _exit(1);
    }
    _exit(0);  // no destructor: as a kill
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  SqliteStorage::OpenReport report;
  auto reopened = SqliteStorage::Open(dir_, SqliteStorage::Options(), &report);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_EQ((*reopened)->Get("old").value(), "1");
  EXPECT_EQ((*reopened)->Get("new").value(), "2");
  EXPECT_EQ((*reopened)->Count().value(), 1u);
}

// SQLite's own heap for a number of storages after the same writes, with
// `cache_pages` (0: SQLite's default).
std::int64_t HeapOfStorages(const std::string& dir, int cache_pages) {
  const std::int64_t before = sqlite3_memory_used();
  std::vector<std::unique_ptr<SqliteStorage>> storages;
  for (int i = 0; i < 10; ++i) {
    SqliteStorage::Options options = OwnerSyncsOptions();  // fast: no sync per Put
    options.cache_pages = cache_pages;
    auto storage = SqliteStorage::Open(dir + "/" + std::to_string(i), options);
    if (!storage.ok()) return -1;
    for (int k = 0; k < 200; ++k) {
      if (!(*storage)->Put("key" + std::to_string(k), std::string(100, 'v')).ok()) return -1;
    }
    storages.push_back(std::move(*storage));
  }
  return (sqlite3_memory_used() - before) / 10;
}

TEST_F(ManyStoragesTest, CachePagesBoundsEachConnectionsPageCache) {
  const std::int64_t small = HeapOfStorages(dir_ + "/small", 4);
  const std::int64_t standard = HeapOfStorages(dir_ + "/standard", 0);
  ASSERT_GT(small, 0);
  // 200 keys of 100 bytes fill about 10 pages of 4 KiB, and SQLite's default
  // keeps every page read; 4 pages keep about 18 KiB.
  EXPECT_LT(small + 20 * 1024, standard) << small << " vs " << standard;
  std::printf("SQLite heap per storage: %lld bytes with 4 pages, %lld by default\n",
              static_cast<long long>(small), static_cast<long long>(standard));
}

SqliteStorage::Options RollbackOptions(bool small_pages) {
  SqliteStorage::Options options = OwnerSyncsOptions();
  options.cache_pages = 4;
  options.journal = SqliteStorage::Options::Journal::kRollback;
  options.small_pages = small_pages;
  return options;
}

// SQLite's heap per storage after a station's kind of first start.
std::int64_t HeapPerStorage(const std::string& dir, const SqliteStorage::Options& options) {
  const std::int64_t before = sqlite3_memory_used();
  std::vector<std::unique_ptr<SqliteStorage>> storages;
  for (int i = 0; i < 10; ++i) {
    auto storage = SqliteStorage::Open(dir + "/" + std::to_string(i), options);
    if (!storage.ok()) return -1;
    for (int k = 0; k < 60; ++k) {
      if (!(*storage)->Put("key" + std::to_string(k), std::string(40, 'v')).ok()) return -1;
    }
    auto seq = (*storage)->Append(std::string(300, 'm'));
    if (!seq.ok() || !(*storage)->Remove(*seq).ok()) return -1;
    storages.push_back(std::move(*storage));
  }
  return (sqlite3_memory_used() - before) / 10;
}

TEST_F(ManyStoragesTest, RollbackJournalAndSmallPagesShrinkEachConnection) {
  SqliteStorage::Options wal = OwnerSyncsOptions();
  wal.cache_pages = 4;
  const std::int64_t with_wal = HeapPerStorage(dir_ + "/wal", wal);
  const std::int64_t rollback = HeapPerStorage(dir_ + "/rollback", RollbackOptions(false));
  const std::int64_t small_pages = HeapPerStorage(dir_ + "/small", RollbackOptions(true));
  ASSERT_GT(small_pages, 0);
  // No write-ahead log index (32 KiB); a page cache of 1 KiB pages.
  EXPECT_LE(rollback + 30 * 1024, with_wal) << rollback << " vs " << with_wal;
  EXPECT_LE(small_pages + 10 * 1024, rollback) << small_pages << " vs " << rollback;
  std::printf(
      "SQLite heap per storage: %lld bytes with the WAL, %lld with a rollback journal, "
      "%lld with 1 KiB pages too\n",
      static_cast<long long>(with_wal), static_cast<long long>(rollback),
      static_cast<long long>(small_pages));
}

TEST_F(ManyStoragesTest, RollbackJournalNeedsOwnerSyncsAndSmallPagesNeedARollbackJournal) {
  SqliteStorage::Options every_commit = RollbackOptions(false);
  every_commit.durability = Durability::kEveryCommit;
  EXPECT_EQ(SqliteStorage::Open(dir_, every_commit).status().code(),
            base::StatusCode::kInvalidArgument);
  SqliteStorage::Options wal_small = OwnerSyncsOptions();
  wal_small.small_pages = true;
  EXPECT_EQ(SqliteStorage::Open(dir_, wal_small).status().code(),
            base::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir_ + "/ocpp.sqlite3"));
}

std::string PageSizeOf(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &statement, nullptr);
  std::string size;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    size = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return size;
}

// A data directory moves between the modes both ways (a fleet station's
// directory opened by station_sim and back) and keeps everything.
TEST_F(ManyStoragesTest, ADataDirectorySwitchesBetweenJournalsAndKeepsItsData) {
  {
    auto station = SqliteStorage::Open(dir_);  // WAL, 4 KiB pages
    ASSERT_TRUE(station.ok());
    ASSERT_TRUE((*station)->Put("firmware", "1").ok());
    ASSERT_TRUE((*station)->Append("queued-1").ok());
  }
  EXPECT_EQ(PageSizeOf(dir_ + "/ocpp.sqlite3"), "4096");
  {
    SqliteStorage::OpenReport report;
    auto fleet = SqliteStorage::Open(dir_, RollbackOptions(true), &report);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    EXPECT_EQ((*fleet)->Get("firmware").value(), "1");
    ASSERT_TRUE((*fleet)->Put("fleet", "2").ok());
    ASSERT_TRUE((*fleet)->Append("queued-2").ok());
    EXPECT_TRUE((*fleet)->CheckIntegrity().ok());
  }
  EXPECT_EQ(PageSizeOf(dir_ + "/ocpp.sqlite3"), "4096") << "a file keeps its page size";
  EXPECT_FALSE(fs::exists(dir_ + "/ocpp.sqlite3-wal"));
  SqliteStorage::OpenReport report;
  auto station = SqliteStorage::Open(dir_, SqliteStorage::Options(), &report);
  ASSERT_TRUE(station.ok()) << station.status().ToString();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_EQ((*station)->Get("fleet").value(), "2");
  ASSERT_EQ((*station)->Count().value(), 2u);
  EXPECT_EQ((*station)->ReadAll().value()[1].data, "queued-2");
  ASSERT_TRUE((*station)->Put("after", "3").ok());
  EXPECT_TRUE(fs::exists(dir_ + "/ocpp.sqlite3-wal"));
}

// A process killed inside a transaction leaves a hot rollback journal: the
// next Open, in either mode, rolls it back and keeps what was committed.
TEST_F(ManyStoragesTest, AHotRollbackJournalIsRolledBackAtOpen) {
  for (const bool reopen_with_wal : {false, true}) {
    const std::string dir = dir_ + (reopen_with_wal ? "/wal" : "/rollback");
    {
      auto storage = SqliteStorage::Open(dir, RollbackOptions(true));
      ASSERT_TRUE(storage.ok());
      ASSERT_TRUE((*storage)->Put("committed", "1").ok());
    }
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Half a transaction: a page cache of one page spills the changed
      // pages into the file before the commit, the journal holding the old.
      const std::string file = dir + "/ocpp.sqlite3";
      sqlite3* db = nullptr;
      if (sqlite3_open(file.c_str(), &db) != SQLITE_OK ||
          sqlite3_exec(db,
                       "PRAGMA journal_mode = PERSIST; PRAGMA cache_size = 1; BEGIN; "
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 2000) INSERT INTO kv SELECT CAST(i AS BLOB), "
                       "zeroblob(100) FROM n;",
                       nullptr, nullptr, nullptr) != SQLITE_OK) {
        _exit(1);
      }
      _exit(0);  // no COMMIT, no close: as a kill
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_GT(fs::file_size(dir + "/ocpp.sqlite3-journal"), 0u);

    SqliteStorage::OpenReport report;
    auto reopened = SqliteStorage::Open(
        dir, reopen_with_wal ? SqliteStorage::Options() : RollbackOptions(true), &report);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    EXPECT_EQ((*reopened)->Get("committed").value(), "1");
    EXPECT_EQ((*reopened)->List("").value().size(), 1u) << "the half transaction is gone";
    EXPECT_TRUE((*reopened)->CheckIntegrity().ok());
  }
}

TEST_F(ManyStoragesTest, PageCachesStartEmptyOnlyBeforeSqliteIsInUse) {
  EXPECT_TRUE(g_started_empty);
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok());
  EXPECT_FALSE(SqliteStorage::StartPageCachesEmpty());
}

}  // namespace
}  // namespace ocpp::hal
