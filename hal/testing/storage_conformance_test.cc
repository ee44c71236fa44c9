// The KeyValueStore / MessageLog contract from hal/storage.h, checked against
// every backend: the SQLite backend on real files in TEST_TMPDIR and the
// in-memory test double (which other tests rely on behaving the same).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "hal/storage.h"
#include "hal/testing/in_memory_storage.h"

namespace ocpp::hal {
namespace {

using KvPairs = std::vector<std::pair<std::string, std::string>>;

// A backend under test. Reopen() simulates a restart: for SQLite the object is
// destroyed and the file opened again.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual KeyValueStore& kv() = 0;
  virtual MessageLog& log() = 0;
  virtual void Reopen() = 0;
};

class InMemoryBackend final : public Backend {
 public:
  KeyValueStore& kv() override { return storage_; }
  MessageLog& log() override { return storage_; }
  void Reopen() override {}

 private:
  testing::InMemoryStorage storage_;
};

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::remove_all(dir_);
    Open();
  }
  KeyValueStore& kv() override { return *storage_; }
  MessageLog& log() override { return *storage_; }
  void Reopen() override {
    storage_.reset();
    Open();
  }

 private:
  void Open() {
    auto storage = SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
  }

  std::string dir_;
  std::unique_ptr<SqliteStorage> storage_;
};

struct BackendParam {
  std::string name;
  std::function<std::unique_ptr<Backend>(const std::string& test_name)> make;
};

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp != nullptr ? tmp : "/tmp") + "/conformance_" + name;
}

class StorageConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->name());
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    backend_ = GetParam().make(name);
  }

  KeyValueStore& kv() { return backend_->kv(); }
  MessageLog& log() { return backend_->log(); }
  void Reopen() { backend_->Reopen(); }

  std::vector<MessageLog::Record> All() {
    auto records = log().ReadAll();
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    return records.ok() ? *records : std::vector<MessageLog::Record>{};
  }

  std::unique_ptr<Backend> backend_;
};

TEST_P(StorageConformanceTest, GetMissingKeyIsNotFound) {
  auto value = kv().Get("missing");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), base::StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, PutGetOverwriteDelete) {
  ASSERT_TRUE(kv().Put("a", "1").ok());
  EXPECT_EQ(*kv().Get("a"), "1");
  ASSERT_TRUE(kv().Put("a", "2").ok());
  EXPECT_EQ(*kv().Get("a"), "2");
  ASSERT_TRUE(kv().Delete("a").ok());
  EXPECT_EQ(kv().Get("a").status().code(), base::StatusCode::kNotFound);
  EXPECT_TRUE(kv().Delete("a").ok()) << "deleting a missing key is OK";
}

TEST_P(StorageConformanceTest, EmptyKeyIsRejected) {
  EXPECT_EQ(kv().Put("", "x").code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(kv().Get("").status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(kv().Delete("").code(), base::StatusCode::kInvalidArgument);
}

TEST_P(StorageConformanceTest, ValuesAreBinarySafe) {
  const std::string binary("a\0b\xff\n", 5);
  ASSERT_TRUE(kv().Put("bin", binary).ok());
  ASSERT_TRUE(kv().Put("empty", "").ok());
  Reopen();
  EXPECT_EQ(*kv().Get("bin"), binary);
  auto empty = kv().Get("empty");
  ASSERT_TRUE(empty.ok()) << "an empty value is a value, not a missing key";
  EXPECT_EQ(*empty, "");
}

TEST_P(StorageConformanceTest, ListByPrefixIsSortedAndExact) {
  for (const char* key : {"tx/2", "tx/10", "tx/1", "txa", "tw", "ty", "tx%", "tx_"}) {
    ASSERT_TRUE(kv().Put(key, std::string("v") + key).ok());
  }
  auto listed = kv().List("tx/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (KvPairs{{"tx/1", "vtx/1"}, {"tx/10", "vtx/10"}, {"tx/2", "vtx/2"}}));
  // SQL LIKE wildcards in a prefix are plain characters.
  EXPECT_EQ(*kv().List("tx%"), (KvPairs{{"tx%", "vtx%"}}));
  EXPECT_EQ(*kv().List("tx_"), (KvPairs{{"tx_", "vtx_"}}));
  EXPECT_EQ(kv().List("")->size(), 8u);
  EXPECT_TRUE(kv().List("zzz")->empty());
}

TEST_P(StorageConformanceTest, ListPrefixEndingInHighBytes) {
  const std::string high("k\xff", 2);
  const std::string higher("k\xff\xff", 3);
  ASSERT_TRUE(kv().Put(high, "1").ok());
  ASSERT_TRUE(kv().Put(higher, "2").ok());
  ASSERT_TRUE(kv().Put("l", "3").ok());
  EXPECT_EQ(*kv().List(high), (KvPairs{{high, "1"}, {higher, "2"}}));
  EXPECT_EQ(*kv().List(std::string("\xff", 1)), KvPairs{});
}

TEST_P(StorageConformanceTest, CommitAppliesWritesInOrder) {
  ASSERT_TRUE(kv().Put("old", "x").ok());
  std::vector<KeyValueStore::Write> batch = {
      {"a", std::string("1")}, {"a", std::nullopt},   {"b", std::nullopt},
      {"b", std::string("2")}, {"old", std::nullopt}, {"c", std::string("3")},
  };
  ASSERT_TRUE(kv().Commit(batch).ok());
  Reopen();
  EXPECT_EQ(*kv().List(""), (KvPairs{{"b", "2"}, {"c", "3"}}));
}

TEST_P(StorageConformanceTest, CommitWithAnInvalidWriteChangesNothing) {
  std::vector<KeyValueStore::Write> batch = {{"a", std::string("1")}, {"", std::string("2")}};
  EXPECT_EQ(kv().Commit(batch).code(), base::StatusCode::kInvalidArgument);
  EXPECT_TRUE(kv().List("")->empty());
  EXPECT_TRUE(kv().Commit({}).ok());
}

TEST_P(StorageConformanceTest, KeyValuesSurviveReopen) {
  ASSERT_TRUE(kv().Put("config/HeartbeatInterval", "30").ok());
  Reopen();
  EXPECT_EQ(*kv().Get("config/HeartbeatInterval"), "30");
}

TEST_P(StorageConformanceTest, AppendAssignsIncreasingSequenceNumbers) {
  auto first = log().Append("one");
  auto second = log().Append("two");
  auto third = log().Append("");
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_EQ(*first, 1u);
  EXPECT_LT(*first, *second);
  EXPECT_LT(*second, *third);
  EXPECT_EQ(All(),
            (std::vector<MessageLog::Record>{{*first, "one"}, {*second, "two"}, {*third, ""}}));
  EXPECT_EQ(*log().Count(), 3u);
  EXPECT_EQ(*log().SizeBytes(), 6u);
}

TEST_P(StorageConformanceTest, UpdateKeepsPositionAndRemoveDeletes) {
  const auto a = *log().Append("a");
  const auto b = *log().Append("b");
  const auto c = *log().Append("c");
  ASSERT_TRUE(log().Update(a, "a-updated-and-longer").ok());
  ASSERT_TRUE(log().Remove(b).ok());
  EXPECT_EQ(All(), (std::vector<MessageLog::Record>{{a, "a-updated-and-longer"}, {c, "c"}}));
  EXPECT_EQ(*log().SizeBytes(), 21u);
  EXPECT_EQ(log().Update(b, "x").code(), base::StatusCode::kNotFound);
  EXPECT_EQ(log().Remove(b).code(), base::StatusCode::kNotFound);
  EXPECT_EQ(log().Remove(0).code(), base::StatusCode::kNotFound);
  EXPECT_EQ(log().Update(~0ull, "x").code(), base::StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, SequenceNumbersAreNeverReused) {
  const auto a = *log().Append("a");
  const auto b = *log().Append("b");
  ASSERT_TRUE(log().Remove(b).ok());
  ASSERT_TRUE(log().Remove(a).ok());
  Reopen();
  auto c = log().Append("c");
  ASSERT_TRUE(c.ok());
  EXPECT_GT(*c, b);
  EXPECT_EQ(*log().Count(), 1u);
}

TEST_P(StorageConformanceTest, LogSurvivesReopen) {
  std::vector<MessageLog::Record> expected;
  for (int i = 0; i < 50; ++i) {
    std::string data = "record-" + std::to_string(i) + std::string(static_cast<size_t>(i), 'x');
    auto seq = log().Append(data);
    ASSERT_TRUE(seq.ok());
    expected.push_back({*seq, data});
  }
  ASSERT_TRUE(log().Remove(expected[10].seq).ok());
  expected.erase(expected.begin() + 10);
  ASSERT_TRUE(log().Update(expected[0].seq, "changed").ok());
  expected[0].data = "changed";
  Reopen();
  EXPECT_EQ(All(), expected);
  EXPECT_EQ(*log().Count(), expected.size());
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StorageConformanceTest,
    ::testing::Values(BackendParam{"InMemory",
                                   [](const std::string&) -> std::unique_ptr<Backend> {
                                     return std::make_unique<InMemoryBackend>();
                                   }},
                      BackendParam{"Sqlite",
                                   [](const std::string& test_name) -> std::unique_ptr<Backend> {
                                     return std::make_unique<SqliteBackend>(TestDir(test_name));
                                   }}),
    [](const ::testing::TestParamInfo<BackendParam>& info) { return info.param.name; });

}  // namespace
}  // namespace ocpp::hal
