// SQLite-specific behaviour: the data directory, unusable and corrupt files,
// the size bound. The shared KeyValueStore/MessageLog contract is tested in
// //hal/testing:storage_conformance_test.
#include "hal/linux/sqlite_storage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace ocpp::hal {
namespace {

namespace fs = std::filesystem;

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/sqlite_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  std::string db_path() const { return dir_ + "/ocpp.sqlite3"; }

  // Runs SQL on the file directly, bypassing SqliteStorage.
  void RawSql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  static void ExpectOneLine(const base::Status& status) {
    EXPECT_FALSE(status.message().empty());
    EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  }

  // Open as it was before recovery existed: unusable files fail Open.
  base::Result<std::unique_ptr<SqliteStorage>> OpenWithoutRecovery() {
    SqliteStorage::Options options;
    options.recover_from_corruption = false;
    return SqliteStorage::Open(dir_, options);
  }

  std::string dir_;
};

TEST_F(SqliteStorageTest, CreatesMissingDataDirectory) {
  const std::string nested = dir_ + "/a/b/c";
  auto storage = SqliteStorage::Open(nested);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_TRUE(fs::exists(nested + "/ocpp.sqlite3"));
  EXPECT_EQ((*storage)->path(), nested + "/ocpp.sqlite3");
}

TEST_F(SqliteStorageTest, UsesWalJournal) {
  {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    ASSERT_TRUE((*storage)->Put("k", "v").ok());
    // While open, commits go to the write-ahead log next to the file.
    EXPECT_TRUE(fs::exists(db_path() + "-wal"));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST_F(SqliteStorageTest, RejectsBadArguments) {
  EXPECT_EQ(SqliteStorage::Open("").status().code(), base::StatusCode::kInvalidArgument);
  SqliteStorage::Options options;
  options.file_name = "sub/ocpp.sqlite3";
  EXPECT_EQ(SqliteStorage::Open(dir_, options).status().code(), base::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStorageTest, DataDirectoryThatIsAFileGivesAnError) {
  const std::string file = dir_ + "/plain_file";
  std::ofstream(file) << "not a directory";
  auto storage = SqliteStorage::Open(file);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kUnavailable);
  EXPECT_NE(storage.status().message().find(file), std::string::npos);
  ExpectOneLine(storage.status());
  std::cout << "file as directory: " << storage.status().ToString() << "\n";

  // A directory below a regular file cannot be created.
  auto below = SqliteStorage::Open(file + "/data");
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.status().code(), base::StatusCode::kUnavailable);
  ExpectOneLine(below.status());
}

// Opens `dir` as an unprivileged user: root ignores directory permissions, so
// when the test runs as root the attempt is made from a child process that
// dropped to uid/gid 65534 ("nobody"). Nothing when that is impossible (a
// sandbox whose user namespace maps only root).
std::optional<base::Status> OpenAsUnprivilegedUser(const std::string& dir) {
  if (::geteuid() != 0) return SqliteStorage::Open(dir).status();
  int fds[2];
  if (::pipe(fds) != 0) return base::Status(base::StatusCode::kInternal, "pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string report = "setuid failed";
    int code = -1;
    if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
      base::Status status = SqliteStorage::Open(dir).status();
      code = static_cast<int>(status.code());
      report = status.message();
    }
    report = std::to_string(code) + " " + report;
    if (::write(fds[1], report.data(), report.size()) < 0) ::_exit(2);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) report.append(buffer, n);
  ::close(fds[0]);
  int wait_status = 0;
  ::waitpid(pid, &wait_status, 0);
  const size_t space = report.find(' ');
  const int code = std::atoi(report.substr(0, space).c_str());
  if (code < 0 || space == std::string::npos) return std::nullopt;
  return base::Status(static_cast<base::StatusCode>(code), report.substr(space + 1));
}

TEST_F(SqliteStorageTest, ReadOnlyDataDirectoryGivesAnError) {
  const std::string read_only = dir_ + "/read_only";
  fs::create_directories(read_only);
  ASSERT_EQ(::chmod(read_only.c_str(), 0555), 0);
  std::optional<base::Status> result = OpenAsUnprivilegedUser(read_only);
  ::chmod(read_only.c_str(), 0755);
  if (!result) GTEST_SKIP() << "running as root and cannot switch to an unprivileged user";
  const base::Status& status = *result;
  EXPECT_EQ(status.code(), base::StatusCode::kUnavailable) << status.ToString();
  ExpectOneLine(status);
  std::cout << "read-only directory: " << status.ToString() << "\n";
}

TEST_F(SqliteStorageTest, DatabasePathThatIsADirectoryGivesAnError) {
  fs::create_directories(db_path());
  auto storage = OpenWithoutRecovery();
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kUnavailable);
  ExpectOneLine(storage.status());
}

TEST_F(SqliteStorageTest, GarbageFileGivesDataLoss) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    for (int i = 0; i < 1000; ++i) out << "this is not a database ";
  }
  auto storage = OpenWithoutRecovery();
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kDataLoss) << storage.status().ToString();
  EXPECT_NE(storage.status().message().find(db_path()), std::string::npos);
  EXPECT_NE(storage.status().message().find("not a database"), std::string::npos)
      << storage.status().message();
  ExpectOneLine(storage.status());
  std::cout << "garbage file: " << storage.status().ToString() << "\n";
}

TEST_F(SqliteStorageTest, DamagedPagesGiveDataLoss) {
  {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok());
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE((*storage)->Append(std::string(1000, static_cast<char>('a' + i % 26))).ok());
      ASSERT_TRUE((*storage)->Put("key" + std::to_string(i), std::string(100, 'v')).ok());
    }
  }  // closing checkpoints everything into the main file
  ASSERT_FALSE(fs::exists(db_path() + "-wal"));
  const auto size = fs::file_size(db_path());
  ASSERT_GT(size, 64u * 4096u);
  {
    // Overwrite everything after the first few pages (schema and table
    // roots) with a pattern: the b-tree pages of both tables are destroyed.
    std::fstream file(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(6 * 4096);
    const std::string junk(size - 6 * 4096, '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto storage = OpenWithoutRecovery();
  if (storage.ok()) {
    // quick_check must have caught it; if it did not, a full check must.
    ADD_FAILURE() << "Open accepted a damaged file";
    EXPECT_EQ((*storage)->CheckIntegrity().code(), base::StatusCode::kDataLoss);
    return;
  }
  EXPECT_EQ(storage.status().code(), base::StatusCode::kDataLoss) << storage.status().ToString();
  ExpectOneLine(storage.status());
  std::cout << "damaged pages: " << storage.status().ToString() << "\n";
}

TEST_F(SqliteStorageTest, NewerSchemaVersionIsRefused) {
  { ASSERT_TRUE(SqliteStorage::Open(dir_).ok()); }
  RawSql("PRAGMA user_version = 99");
  auto storage = OpenWithoutRecovery();
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kFailedPrecondition);
  ExpectOneLine(storage.status());
}

TEST_F(SqliteStorageTest, ForeignDatabaseIsRefused) {
  RawSql("CREATE TABLE kv (something TEXT)");
  auto storage = OpenWithoutRecovery();
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kFailedPrecondition)
      << storage.status().ToString();
  ExpectOneLine(storage.status());
}

TEST_F(SqliteStorageTest, MissingTableIsDataLoss) {
  { ASSERT_TRUE(SqliteStorage::Open(dir_).ok()); }
  RawSql("DROP TABLE message_log");
  auto storage = OpenWithoutRecovery();
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), base::StatusCode::kDataLoss) << storage.status().ToString();
  ExpectOneLine(storage.status());
}

TEST_F(SqliteStorageTest, SizeBoundFailsWritesAtomicallyAndKeepsOldData) {
  SqliteStorage::Options options;
  options.max_database_bytes = 64 * 1024;
  auto storage = SqliteStorage::Open(dir_, options);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  SqliteStorage& db = **storage;
  ASSERT_TRUE(db.Put("keep", "me").ok());
  const auto kept = db.Append("kept record");
  ASSERT_TRUE(kept.ok());

  // One batch far larger than the bound: all or nothing.
  std::vector<KeyValueStore::Write> batch;
  for (int i = 0; i < 40; ++i) {
    batch.push_back({"big" + std::to_string(i), std::string(4096, 'x')});
  }
  batch.push_back({"keep", std::nullopt});
  base::Status status = db.Commit(batch);
  EXPECT_EQ(status.code(), base::StatusCode::kResourceExhausted) << status.ToString();
  ExpectOneLine(status);
  EXPECT_EQ(*db.Get("keep"), "me");
  EXPECT_TRUE(db.List("big")->empty());

  // Appends fail once the file is full, and the log stays readable.
  int appended = 0;
  for (; appended < 100; ++appended) {
    auto seq = db.Append(std::string(2048, 'r'));
    if (!seq.ok()) {
      EXPECT_EQ(seq.status().code(), base::StatusCode::kResourceExhausted);
      break;
    }
  }
  EXPECT_GT(appended, 0);
  EXPECT_LT(appended, 100);
  EXPECT_EQ(*db.Count(), static_cast<std::uint64_t>(appended) + 1);
  EXPECT_TRUE(db.CheckIntegrity().ok());

  // Removing records makes room again.
  auto records = db.ReadAll();
  ASSERT_TRUE(records.ok());
  for (size_t i = 1; i < records->size(); ++i) ASSERT_TRUE(db.Remove((*records)[i].seq).ok());
  EXPECT_TRUE(db.Append(std::string(2048, 'r')).ok());
  EXPECT_EQ(db.ReadAll()->front().data, "kept record");
}

TEST_F(SqliteStorageTest, ReopenSeesEverythingAndPassesIntegrityCheck) {
  {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok());
    ASSERT_TRUE((*storage)->Put("a", "1").ok());
    ASSERT_TRUE((*storage)->Append("r1").ok());
  }
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_EQ(*(*storage)->Get("a"), "1");
  EXPECT_EQ((*storage)->ReadAll()->at(0).data, "r1");
  EXPECT_TRUE((*storage)->CheckIntegrity().ok());
}

// Group commit: the writes of one group are visible at once, reach the disk
// with one sync at the end, and a group costs one sync however many writes.
TEST_F(SqliteStorageTest, AWriteGroupSyncsOnce) {
  auto storage = SqliteStorage::Open(dir_);
  ASSERT_TRUE(storage.ok());
  SqliteStorage& s = **storage;
  const std::uint64_t before = s.syncs();
  ASSERT_TRUE(s.Put("alone", "1").ok());
  EXPECT_EQ(s.syncs(), before + 1) << "outside a group every write syncs";
  {
    ScopedWriteGroup outer(&s);
    {
      ScopedWriteGroup inner(&s);  // groups nest
      ASSERT_TRUE(s.Put("a", "1").ok());
      ASSERT_TRUE(s.Append("message").ok());
    }
    ASSERT_TRUE(s.Put("b", "2").ok());
    EXPECT_EQ(s.Get("a").value(), "1") << "visible inside the group";
    EXPECT_EQ(s.syncs(), before + 1) << "nothing synced yet";
  }
  EXPECT_EQ(s.syncs(), before + 2) << "one sync for the group";
  { ScopedWriteGroup empty(&s); }
  EXPECT_EQ(s.syncs(), before + 2) << "a group without writes syncs nothing";
  ASSERT_TRUE(s.Delete("missing").ok());
  {
    ScopedWriteGroup group(&s);
    ASSERT_TRUE(s.Delete("missing").ok());
  }
  EXPECT_EQ(s.syncs(), before + 2) << "writes that changed nothing sync nothing";
  // What a group wrote is in the file after it ended (a reopen sees it).
  storage->reset();
  auto again = SqliteStorage::Open(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Get("b").value(), "2");
  EXPECT_EQ((*again)->Count().value(), 1u);
}

// One process (one SqliteStorage) per data directory: the file is held
// for the storage's life; a second Open fails without touching it.
TEST_F(SqliteStorageTest, ASecondOpenOfTheSameFileFailsUntilTheFirstCloses) {
  auto first = SqliteStorage::Open(dir_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Put("k", "v").ok());
  SqliteStorage::Options options;
  options.busy_timeout_ms = 1;
  SqliteStorage::OpenReport report;
  auto second = SqliteStorage::Open(dir_, options, &report);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), base::StatusCode::kUnavailable) << second.status().ToString();
  EXPECT_TRUE(report.moved_aside.empty());
  EXPECT_EQ((*first)->Get("k").value(), "v");
  first->reset();
  auto third = SqliteStorage::Open(dir_, options);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ((*third)->Get("k").value(), "v");
}

// Options::schedule_checkpoint: no checkpoint inside a commit; one task per
// 1000 pages of log, which checkpoints when it runs.
TEST_F(SqliteStorageTest, ScheduledCheckpointsRunWhenTheTaskRuns) {
  std::vector<std::function<void()>> tasks;
  SqliteStorage::Options options;
  options.schedule_checkpoint = [&](std::function<void()> task) { tasks.push_back(task); };
  auto storage = SqliteStorage::Open(dir_, options);
  ASSERT_TRUE(storage.ok());
  const std::string value(3000, 'v');  // a page of log per write
  int writes = 0;
  while (tasks.empty() && writes < 2000)
    ASSERT_TRUE((*storage)->Put(std::to_string(writes++), value).ok());
  ASSERT_EQ(tasks.size(), 1u) << "after " << writes << " writes";
  EXPECT_GE(writes, 100) << "not before the log holds 1000 pages";
  const auto wal_size = fs::file_size(db_path() + "-wal");
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*storage)->Put("more" + std::to_string(i), value).ok());
  EXPECT_EQ(tasks.size(), 1u) << "handed over once";
  EXPECT_GT(fs::file_size(db_path() + "-wal"), wal_size) << "SQLite did not checkpoint";
  tasks[0]();
  // The log is reused from its start after the checkpoint: it stops growing.
  const auto checkpointed = fs::file_size(db_path() + "-wal");
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE((*storage)->Put("after" + std::to_string(i), value).ok());
  EXPECT_EQ(fs::file_size(db_path() + "-wal"), checkpointed);
  EXPECT_TRUE((*storage)->CheckIntegrity().ok());
  EXPECT_EQ((*storage)->Get("after49").value(), value);

  // A task that runs after the storage is gone does nothing.
  while (tasks.size() < 2) ASSERT_TRUE((*storage)->Put(std::to_string(writes++), value).ok());
  storage->reset();
  tasks[1]();
}

}  // namespace
}  // namespace ocpp::hal
