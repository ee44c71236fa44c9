// Damaged, emptied and vanished database files on disk: Open never refuses
// to start because of them, never loses stored state silently, and keeps the
// damaged files for diagnostics.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "hal/linux/sqlite_schema.h"
#include "hal/linux/sqlite_storage.h"

namespace ocpp::hal {
namespace {

namespace fs = std::filesystem;
using OpenReport = SqliteStorage::OpenReport;

class SqliteRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/recovery_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  std::string db_path() const { return dir_ + "/ocpp.sqlite3"; }
  std::string wal_path() const { return db_path() + "-wal"; }

  // A database with some state, closed cleanly (everything in the main file).
  void CreateDatabase(int records = 300) {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    for (int i = 0; i < records; ++i) {
      ASSERT_TRUE((*storage)->Append(std::string(1000, static_cast<char>('a' + i % 26))).ok());
      ASSERT_TRUE((*storage)->Put("key" + std::to_string(i), std::string(100, 'v')).ok());
    }
  }

  // The files as a power cut would leave them: the storage is open, its last
  // writes are only in the -wal. Copies db, -wal and marker to `crash_dir`.
  void CrashImage(const std::string& crash_dir) {
    CreateDatabase(20);
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok());
    ASSERT_TRUE((*storage)->Put("latest", "only in the wal").ok());
    ASSERT_TRUE((*storage)->Append("queued stop").ok());
    fs::create_directories(crash_dir);
    for (const char* suffix : {"", "-wal", ".state"}) {
      fs::copy_file(db_path() + suffix, crash_dir + "/ocpp.sqlite3" + suffix);
    }
    ASSERT_GT(fs::file_size(crash_dir + "/ocpp.sqlite3-wal"), 0u);
  }

  // Opens with a report and checks what every recovery must give: a usable,
  // empty-or-not storage, one-line warnings naming the file.
  std::unique_ptr<SqliteStorage> OpenReporting(const std::string& dir, OpenReport& report) {
    auto storage = SqliteStorage::Open(dir, SqliteStorage::Options(), &report);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    if (!storage.ok()) return nullptr;
    for (const std::string& warning : report.warnings) {
      EXPECT_EQ(warning.find('\n'), std::string::npos) << warning;
      std::cout << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ": "
                << warning << "\n";
    }
    EXPECT_TRUE((*storage)->CheckIntegrity().ok());
    EXPECT_TRUE((*storage)->Put("after", "recovery").ok());
    return std::move(storage).value();
  }

  // The damaged database was replaced by an empty one and kept aside.
  void ExpectStartedFresh(const OpenReport& report, SqliteStorage& storage) {
    EXPECT_TRUE(report.started_fresh);
    EXPECT_TRUE(report.data_lost);
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find(db_path()), std::string::npos) << report.warnings[0];
    ASSERT_FALSE(report.moved_aside.empty());
    for (const std::string& path : report.moved_aside) EXPECT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(*storage.Count(), 0u);
    EXPECT_EQ(storage.List("key")->size(), 0u);
  }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  static std::string ReadFirstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
  }
  // The shutdown marker's state; "" when there is none.
  std::string Marker() const { return ReadFirstLine(db_path() + ".state"); }

  std::string dir_;
};

TEST_F(SqliteRecoveryTest, CleanReopenAndCrashImageReportNothing) {
  CreateDatabase(5);
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_FALSE(report.data_lost);
  EXPECT_EQ(*storage->Count(), 5u);
  storage.reset();

  // After a power cut the -wal is replayed: nothing lost, nothing to say.
  const std::string crash_dir = dir_ + "/crash";
  CrashImage(crash_dir);
  OpenReport crash_report;
  auto crashed = OpenReporting(crash_dir, crash_report);
  ASSERT_TRUE(crashed);
  EXPECT_TRUE(crash_report.warnings.empty());
  EXPECT_EQ(*crashed->Get("latest"), "only in the wal");
}

TEST_F(SqliteRecoveryTest, TruncatedDatabaseIsMovedAside) {
  CreateDatabase();
  fs::resize_file(db_path(), fs::file_size(db_path()) / 2 + 100);
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
}

TEST_F(SqliteRecoveryTest, TruncatedHeaderIsMovedAside) {
  CreateDatabase();
  fs::resize_file(db_path(), 50);
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
}

TEST_F(SqliteRecoveryTest, GarbageFileIsMovedAside) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    for (int i = 0; i < 1000; ++i) out << "this is not a database ";
  }
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
  // The bytes are kept as they were.
  EXPECT_EQ(fs::file_size(report.moved_aside.back()), 23u * 1000u);
}

TEST_F(SqliteRecoveryTest, DamagedPagesAreMovedAside) {
  CreateDatabase();
  {
    std::fstream file(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(6 * 4096);
    const std::string junk(20 * 4096, '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
}

TEST_F(SqliteRecoveryTest, DirectoryInPlaceOfTheDatabaseIsMovedAside) {
  fs::create_directories(db_path() + "/inside");
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
  EXPECT_TRUE(fs::is_directory(report.moved_aside.back() + "/inside"));
}

TEST_F(SqliteRecoveryTest, NewerSchemaIsMovedAsideNotDeleted) {
  CreateDatabase(3);
  // A firmware downgrade: the newer file is kept for the newer firmware.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  ExpectStartedFresh(report, *storage);
}

TEST_F(SqliteRecoveryTest, WithoutRecoveryOpenStillFails) {
  { std::ofstream(db_path(), std::ios::binary) << std::string(8192, 'g'); }
  SqliteStorage::Options options;
  options.recover_from_corruption = false;
  OpenReport report;
  auto storage = SqliteStorage::Open(dir_, options, &report);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kDataLoss);
  EXPECT_TRUE(report.moved_aside.empty());
  EXPECT_EQ(fs::file_size(db_path()), 8192u);
}

TEST_F(SqliteRecoveryTest, ZeroByteDatabaseWhereOneExistedIsReported) {
  CreateDatabase(5);
  fs::resize_file(db_path(), 0);
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.data_lost);
  EXPECT_FALSE(report.started_fresh);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("empty or missing"), std::string::npos);
  EXPECT_EQ(*storage->Count(), 0u);
}

TEST_F(SqliteRecoveryTest, DeletedDatabaseWhereOneExistedIsReported) {
  CreateDatabase(5);
  fs::remove(db_path());
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.data_lost);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("empty or missing"), std::string::npos);
}

TEST_F(SqliteRecoveryTest, FirstStartReportsNothing) {
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_FALSE(report.data_lost);
}

// Open syncs nothing: a new file is made durable and the marker set to
// "open" by FinishOpen or by the first write, before its sync.
TEST_F(SqliteRecoveryTest, FirstStartMarksNothingUntilSomethingIsStored) {
  {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok());
    EXPECT_EQ(Marker(), "") << "no marker before anything is stored";
    EXPECT_FALSE(fs::exists(db_path() + ".new"));
    ASSERT_TRUE((*storage)->Put("k", "v").ok());
    EXPECT_EQ(Marker(), "open");
  }
  EXPECT_EQ(Marker(), "closed");

  // In a group: the group's end does it.
  fs::remove_all(dir_);
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok());
  {
    ScopedWriteGroup group(storage->get());
    ASSERT_TRUE((*storage)->Put("k", "v").ok());
    EXPECT_EQ(Marker(), "");
  }
  EXPECT_EQ(Marker(), "open");
}

TEST_F(SqliteRecoveryTest, FirstStartClosedWithoutWritesLeavesNoMarker) {
  ASSERT_TRUE(SqliteStorage::Open(dir_).ok());
  EXPECT_EQ(Marker(), "");
  OpenReport report;
  auto storage = OpenReporting(dir_, report);  // writes
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(Marker(), "open");
}

TEST_F(SqliteRecoveryTest, FinishOpenMarksAnExistingDatabaseOpen) {
  CreateDatabase(1);
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok());
  EXPECT_EQ(Marker(), "closed");
  ASSERT_TRUE((*storage)->FinishOpen().ok());
  EXPECT_EQ(Marker(), "open");
  storage->reset();
  EXPECT_EQ(Marker(), "closed");
}

// The marker of an unclean shutdown stays "open" until a clean close, even
// when nothing is written in between.
TEST_F(SqliteRecoveryTest, AnUncleanShutdownStaysMarkedUntilACleanClose) {
  const std::string crash_dir = dir_ + "/crash";
  CrashImage(crash_dir);
  const std::string marker = crash_dir + "/ocpp.sqlite3.state";
  EXPECT_EQ(ReadFirstLine(marker), "open");
  {
    auto storage = SqliteStorage::Open(crash_dir);
    ASSERT_TRUE(storage.ok());
    EXPECT_EQ(ReadFirstLine(marker), "open");
    EXPECT_EQ(*(*storage)->Get("latest"), "only in the wal");
  }
  EXPECT_EQ(ReadFirstLine(marker), "closed");
  EXPECT_FALSE(fs::exists(crash_dir + "/ocpp.sqlite3-wal")) << "checkpointed at the close";
}

// A new data directory gets a copy of the empty database built at build
// time: the same bytes the schema builds now (both templates).
TEST_F(SqliteRecoveryTest, ANewDatabaseIsTheEmptyOneTheSchemaBuilds) {
  const sqlite_schema::EmptyDatabase wal = sqlite_schema::EmptyWalDatabase();
  const std::string image(reinterpret_cast<const char*>(wal.bytes), wal.size);
  const std::string built = dir_ + "/built.sqlite3";
  ASSERT_EQ(sqlite_schema::BuildEmptyDatabase(built, 4096, /*write_ahead_log=*/true), "");
  EXPECT_EQ(ReadAll(built), image);
  ASSERT_TRUE(SqliteStorage::Open(dir_).ok());
  EXPECT_EQ(ReadAll(db_path()), image);

  const sqlite_schema::EmptyDatabase small = sqlite_schema::EmptySmallPageDatabase();
  const std::string small_image(reinterpret_cast<const char*>(small.bytes), small.size);
  const std::string small_built = dir_ + "/small.sqlite3";
  ASSERT_EQ(sqlite_schema::BuildEmptyDatabase(small_built, sqlite_schema::kSmallPageBytes,
                                              /*write_ahead_log=*/false),
            "");
  EXPECT_EQ(ReadAll(small_built), small_image);
  SqliteStorage::Options options;
  options.durability = SqliteStorage::Options::Durability::kOwnerSyncs;
  options.journal = SqliteStorage::Options::Journal::kRollback;
  options.small_pages = true;
  ASSERT_TRUE(SqliteStorage::Open(dir_ + "/small", options).ok());
  EXPECT_EQ(ReadAll(dir_ + "/small/ocpp.sqlite3"), small_image);
}

TEST_F(SqliteRecoveryTest, AnInterruptedFirstStartIsCleanedUp) {
  for (const char* suffix : {".new", ".new-journal", ".new-wal"}) {
    std::ofstream(db_path() + suffix, std::ios::binary) << std::string(5000, '\x11');
  }
  OpenReport report;
  auto storage = OpenReporting(dir_, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.warnings.empty());
  for (const char* suffix : {".new", ".new-journal", ".new-wal"}) {
    EXPECT_FALSE(fs::exists(db_path() + suffix)) << suffix;
  }
}

TEST_F(SqliteRecoveryTest, DeletedWalAfterUncleanShutdownIsReported) {
  const std::string crash_dir = dir_ + "/crash";
  CrashImage(crash_dir);
  fs::remove(crash_dir + "/ocpp.sqlite3-wal");
  OpenReport report;
  auto storage = OpenReporting(crash_dir, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.data_lost);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("-wal is missing"), std::string::npos);
  EXPECT_FALSE(storage->Get("latest").ok());  // what was lost
}

TEST_F(SqliteRecoveryTest, GarbageWalIsReportedAndKept) {
  const std::string crash_dir = dir_ + "/crash";
  CrashImage(crash_dir);
  const std::string wal = crash_dir + "/ocpp.sqlite3-wal";
  const auto size = fs::file_size(wal);
  { std::ofstream(wal, std::ios::binary | std::ios::trunc) << std::string(size, '\x11'); }
  OpenReport report;
  auto storage = OpenReporting(crash_dir, report);
  ASSERT_TRUE(storage);
  EXPECT_TRUE(report.data_lost);
  EXPECT_FALSE(report.started_fresh);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("not a valid write-ahead log"), std::string::npos);
  ASSERT_EQ(report.moved_aside.size(), 1u);
  EXPECT_EQ(fs::file_size(report.moved_aside[0]), size);
  EXPECT_FALSE(storage->Get("latest").ok());
  EXPECT_EQ(*storage->Get("key1"), std::string(100, 'v'));  // the checkpointed state is kept
}

}  // namespace
}  // namespace ocpp::hal
