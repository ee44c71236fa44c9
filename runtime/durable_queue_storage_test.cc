// The queue on a full SQLite file (the real SQLITE_FULL path, through
// SqliteStorage's max_database_bytes bound): StartTransaction and
// StopTransaction are never lost, MeterValues go first and loudly, and
// persistence resumes once space is freed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "runtime/durable_queue.h"

namespace ocpp::runtime {
namespace {

namespace fs = std::filesystem;
using Kind = TransactionMessageKind;
using LogLevel = TransactionMessageQueue::LogLevel;

std::string StartPayload() {
  return R"({"connectorId":1,"idTag":"TAG","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"})";
}
std::string MeterPayload(int value) {
  // Larger than a page (like MeterValues with many measurands): needs new
  // pages, cannot squeeze into free space of existing ones.
  return R"({"connectorId":1,"transactionId":-1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":")" +
         std::to_string(value) + R"("}]}],"pad":")" + std::string(5000, 'p') + "\"}";
}
std::string StopPayload(int meter) {
  // With transactionData, also larger than a page.
  return R"({"transactionId":-1,"meterStop":)" + std::to_string(meter) +
         R"(,"timestamp":"2026-01-01T01:00:00Z","pad":")" + std::string(5000, 'p') + "\"}";
}

class DurableQueueFullStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/fullq_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    Reopen();
  }

  // A restart: storage and queue opened again from the files.
  void Reopen() {
    queue_.reset();
    storage_.reset();
    hal::SqliteStorage::Options storage_options;
    storage_options.max_database_bytes = 256 * 1024;
    auto storage = hal::SqliteStorage::Open(dir_, storage_options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
    TransactionMessageQueue::Options options;
    options.limits.soft_max_bytes = 8 * 1024 * 1024;  // the disk is the limit here
    options.limits.hard_max_bytes = 8 * 1024 * 1024;
    options.log = [this](LogLevel level, const std::string& line) {
      if (level == LogLevel::kError) errors_.push_back(line);
    };
    options.on_storage_degraded = [this](bool degraded) { degraded_calls_.push_back(degraded); };
    options.write_reserve_at_open = write_reserve_at_open_;
    auto queue = TransactionMessageQueue::Open(*storage_, *storage_, options);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  // Something else fills the disk: key-value writes until nothing fits.
  int FillStorage() {
    int keys = 0;
    for (std::size_t size : {4096u, 512u, 64u, 8u}) {
      while (storage_->Put("filler/" + std::to_string(keys), std::string(size, 'f')).ok()) ++keys;
    }
    return keys;
  }
  void FreeStorage(int keys) {
    for (int i = 0; i < keys; ++i)
      ASSERT_TRUE(storage_->Delete("filler/" + std::to_string(i)).ok());
  }

  bool ErrorContaining(const std::string& text) const {
    for (const std::string& line : errors_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<std::string> Actions() const {
    std::vector<std::string> actions;
    for (const TransactionMessage& message : queue_->Messages()) {
      actions.push_back(message.action + std::to_string(message.local_transaction_id));
    }
    return actions;
  }

  bool write_reserve_at_open_ = true;
  std::string dir_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  std::unique_ptr<TransactionMessageQueue> queue_;
  std::vector<std::string> errors_;
  std::vector<bool> degraded_calls_;
};

TEST_F(DurableQueueFullStorageTest, MeterValuesMakeRoomForTheStop) {
  const std::int64_t tx = *queue_->AllocateLocalTransactionId();
  ASSERT_TRUE(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(), tx).ok());
  // A long session offline fills the file with MeterValues.
  int value = 0;
  while (!ErrorContaining("storage full: dropped MeterValues") && value < 1000) {
    auto seq = queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(++value), tx);
    ASSERT_TRUE(seq.ok() || seq.status().code() == base::StatusCode::kResourceExhausted);
  }
  ASSERT_LT(value, 1000) << "the storage never filled up";
  EXPECT_GT(queue_->dropped_meter_values(), 0u);

  ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(7), tx).ok());
  EXPECT_EQ(queue_->unpersisted_messages(), 0u);
  const std::vector<std::string> before = Actions();
  EXPECT_EQ(before.front(), "StartTransaction1");
  EXPECT_EQ(before.back(), "StopTransaction1");

  Reopen();
  EXPECT_EQ(Actions(), before);
}

TEST_F(DurableQueueFullStorageTest, StopsSurviveAFullDiskAndArePersistedOnceSpaceIsFreed) {
  const std::int64_t tx = *queue_->AllocateLocalTransactionId();
  ASSERT_TRUE(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(), tx).ok());
  ASSERT_TRUE(queue_->BindTransactionId(tx, 500).ok());
  std::vector<std::int64_t> ids;  // sessions that start while the disk is full
  for (int i = 0; i < 40; ++i) ids.push_back(*queue_->AllocateLocalTransactionId());
  const int filler = FillStorage();
  ASSERT_GT(filler, 0);
  EXPECT_FALSE(queue_->storage_degraded());

  // The first MeterValues of the transaction has nothing to make room with.
  auto meter = queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(1), tx);
  EXPECT_EQ(meter.status().code(), base::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ErrorContaining("MeterValues (local transaction 1), dropped"));

  // The Stop goes into the reserve.
  ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(7), tx).ok());
  EXPECT_TRUE(ErrorContaining("released the storage reserve for StopTransaction"));
  EXPECT_EQ(queue_->unpersisted_messages(), 0u);
  EXPECT_TRUE(queue_->storage_degraded()) << "the reserve is used up";

  // More sessions once the reserve is gone: kept in memory, in order.
  std::vector<std::int64_t> more;
  for (std::size_t i = 0; i < ids.size() && queue_->unpersisted_messages() == 0; ++i) {
    const std::int64_t next = ids[i];
    more.push_back(next);
    auto started = queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(), next);
    ASSERT_TRUE(started.ok()) << started.status().ToString() << " " << next;
    ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(9), next).ok());
  }
  ASSERT_GT(queue_->unpersisted_messages(), 0u) << "the reserve never ran out";
  EXPECT_TRUE(ErrorContaining("kept in memory"));
  const std::vector<std::string> before = Actions();
  ASSERT_EQ(before.size(), 2 + 2 * more.size());
  EXPECT_EQ(before.back(), "StopTransaction" + std::to_string(more.back()));

  // Space comes back: everything is persisted, the reserve restored.
  FreeStorage(filler);
  ASSERT_TRUE(queue_->RetryPersist().ok());
  EXPECT_EQ(queue_->unpersisted_messages(), 0u);
  EXPECT_FALSE(queue_->storage_degraded());
  EXPECT_EQ(degraded_calls_, (std::vector<bool>{true, false}));
  EXPECT_EQ(Actions(), before);

  Reopen();
  EXPECT_EQ(Actions(), before);
  EXPECT_FALSE(queue_->storage_degraded());
}

// write_reserve_at_open = false: Open writes nothing, the missing reserve is
// not "used up", and the first write that needs room finds it written.
TEST_F(DurableQueueFullStorageTest, AReserveLeftForLaterIsWrittenByTheNextWrite) {
  fs::remove_all(dir_);
  write_reserve_at_open_ = false;
  Reopen();
  const std::uint64_t syncs = storage_->syncs();
  EXPECT_EQ(storage_->Get("txqueue/reserve").status().code(), base::StatusCode::kNotFound);
  EXPECT_FALSE(queue_->storage_degraded());
  const std::int64_t tx = *queue_->AllocateLocalTransactionId();
  ASSERT_TRUE(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(), tx).ok());
  EXPECT_EQ(storage_->Get("txqueue/reserve")->size(), 64u * 1024);
  EXPECT_EQ(storage_->syncs(), syncs + 3) << "id, reserve, message: no extra write";

  // Opened again on a full disk: the reserve is there and serves the Stop.
  const int filler = FillStorage();
  Reopen();
  EXPECT_FALSE(queue_->storage_degraded());
  ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(7), tx).ok());
  EXPECT_TRUE(ErrorContaining("released the storage reserve for StopTransaction"));
  EXPECT_EQ(queue_->unpersisted_messages(), 0u);
  FreeStorage(filler);
}

// Left for later on a full disk: the first attempt fails and says so.
TEST_F(DurableQueueFullStorageTest, AReserveLeftForLaterThatDoesNotFitIsReported) {
  ASSERT_TRUE(storage_->Delete("txqueue/reserve").ok());
  const int filler = FillStorage();
  write_reserve_at_open_ = false;
  Reopen();
  EXPECT_FALSE(queue_->storage_degraded()) << "not tried yet";
  EXPECT_TRUE(degraded_calls_.empty());
  queue_->RetryPersist().IgnoreError();
  EXPECT_TRUE(queue_->storage_degraded());
  EXPECT_EQ(degraded_calls_, (std::vector<bool>{true}));
  FreeStorage(filler);
}

TEST_F(DurableQueueFullStorageTest, DeliveringFreesSpaceForMessagesHeldInMemory) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(*queue_->AllocateLocalTransactionId());
  std::vector<std::int64_t> txs;
  const int filler = FillStorage();
  ASSERT_GT(filler, 0);
  // Sessions on a full disk until some are only in memory.
  for (std::size_t i = 0; i < ids.size() && queue_->unpersisted_messages() == 0; ++i) {
    txs.push_back(ids[i]);
    ASSERT_TRUE(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(), txs.back()).ok());
    ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(3), txs.back()).ok());
  }
  ASSERT_GT(queue_->unpersisted_messages(), 0u);
  const std::size_t total = queue_->size();
  // The central system acknowledges them one by one; each removal frees
  // room for what waits in memory.
  std::size_t delivered = 0;
  while (queue_->unpersisted_messages() > 0 && !queue_->empty()) {
    const TransactionMessage front = *queue_->Front();
    if (front.kind == Kind::kStart) {
      // Rewriting stored payloads may fail on the full disk; the binding
      // stands (Open finishes the rewrite), which is what the sender checks.
      queue_->BindTransactionId(front.local_transaction_id, 100).IgnoreError();
      ASSERT_EQ(queue_->BoundTransactionId(front.local_transaction_id), 100);
    }
    ASSERT_TRUE(queue_->PopFront().ok());
    ++delivered;
  }
  EXPECT_EQ(queue_->unpersisted_messages(), 0u);
  EXPECT_LT(delivered, total);
  const std::vector<std::string> left = Actions();
  Reopen();
  EXPECT_EQ(Actions(), left);
  FreeStorage(filler);
}

}  // namespace
}  // namespace ocpp::runtime
