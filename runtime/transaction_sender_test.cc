#include "runtime/transaction_sender.h"

#include <gtest/gtest.h>

#include "hal/testing/in_memory_storage.h"
#include "runtime/testing/manual_event_loop.h"

namespace ocpp::runtime {
namespace {

using testing::ManualEventLoop;

class TransactionSenderTest : public ::testing::Test {
 protected:
  TransactionSenderTest() {
    RpcEndpoint::Options options;
    options.id_seed = 3;
    options.response_timeout = base::Milliseconds(15000);
    rpc_ = std::make_unique<RpcEndpoint>(
        loop_,
        [this](std::string frame) {
          sent_.push_back(std::move(frame));
          return true;
        },
        options);
    queue_ = std::move(TransactionMessageQueue::Open(storage_, storage_).value());
    TransactionMessageSender::Callbacks callbacks;
    callbacks.on_start_accepted = [this](std::int64_t local, const v16::StartTransactionConf& c) {
      started_.emplace_back(local, c.transaction_id);
    };
    sender_ = std::make_unique<TransactionMessageSender>(loop_, *rpc_, *queue_, callbacks);
    sender_->SetRetryPolicy(2, std::chrono::seconds(5));
  }

  void Answer(const std::string& payload) {
    rapidjson::Document doc;
    doc.Parse(sent_.back().c_str());
    rpc_->OnText(std::string("[3,\"") + doc[1].GetString() + "\"," + payload + "]");
  }
  void AnswerError() {
    rapidjson::Document doc;
    doc.Parse(sent_.back().c_str());
    rpc_->OnText(std::string("[4,\"") + doc[1].GetString() + "\",\"InternalError\",\"\",{}]");
  }

  ManualEventLoop loop_;
  hal::testing::InMemoryStorage storage_;
  std::unique_ptr<RpcEndpoint> rpc_;
  std::unique_ptr<TransactionMessageQueue> queue_;
  std::unique_ptr<TransactionMessageSender> sender_;
  std::vector<std::string> sent_;
  std::vector<std::pair<std::int64_t, std::int64_t>> started_;
};

TEST_F(TransactionSenderTest, OfflineTransactionIsDeliveredInOrderWithTheAssignedId) {
  const std::int64_t local = queue_->AllocateLocalTransactionId().value();
  ASSERT_TRUE(
      queue_
          ->Enqueue(
              TransactionMessageKind::kStart, "StartTransaction",
              R"({"connectorId":1,"idTag":"T","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"})",
              local)
          .ok());
  ASSERT_TRUE(queue_
                  ->Enqueue(TransactionMessageKind::kMeterValues, "MeterValues",
                            R"({"connectorId":1,"transactionId":-1,"meterValue":[]})", local)
                  .ok());
  ASSERT_TRUE(
      queue_
          ->Enqueue(TransactionMessageKind::kStop, "StopTransaction",
                    R"({"transactionId":-1,"meterStop":5,"timestamp":"2026-01-01T00:10:00Z"})",
                    local)
          .ok());
  sender_->Kick();
  EXPECT_TRUE(sent_.empty()) << "offline: nothing goes out";
  rpc_->OnConnected();
  sender_->Kick();
  EXPECT_TRUE(sent_.empty()) << "not before BootNotification was accepted";
  sender_->SetReady(true);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_NE(sent_[0].find("StartTransaction"), std::string::npos);
  Answer(R"({"idTagInfo":{"status":"Accepted"},"transactionId":77})");
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(started_[0].second, 77);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_NE(sent_[1].find("\"transactionId\":77"), std::string::npos) << sent_[1];
  Answer("{}");
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_NE(sent_[2].find("StopTransaction"), std::string::npos);
  EXPECT_NE(sent_[2].find("\"transactionId\":77"), std::string::npos) << sent_[2];
  Answer("{}");
  EXPECT_TRUE(queue_->empty());
  for (const auto& frame : sent_) {
    EXPECT_EQ(frame.find("\"transactionId\":-1"), std::string::npos) << frame;
  }
}

TEST_F(TransactionSenderTest, StopTheStorageRefusedIsStillDelivered) {
  const std::int64_t local = queue_->AllocateLocalTransactionId().value();
  ASSERT_TRUE(
      queue_
          ->Enqueue(
              TransactionMessageKind::kStart, "StartTransaction",
              R"({"connectorId":1,"idTag":"T","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"})",
              local)
          .ok());
  rpc_->OnConnected();
  sender_->SetReady(true);
  ASSERT_EQ(sent_.size(), 1u);
  Answer(R"({"idTagInfo":{"status":"Accepted"},"transactionId":77})");

  // From now on every write fails: the Stop lives only in memory.
  storage_.FailNextWrites(1000);
  ASSERT_TRUE(
      queue_
          ->Enqueue(TransactionMessageKind::kStop, "StopTransaction",
                    R"({"transactionId":-1,"meterStop":5,"timestamp":"2026-01-01T00:10:00Z"})",
                    local)
          .ok());
  EXPECT_TRUE(queue_->storage_degraded());
  EXPECT_EQ(queue_->unpersisted_messages(), 1u);
  sender_->Kick();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_NE(sent_[1].find("StopTransaction"), std::string::npos);
  EXPECT_NE(sent_[1].find("\"transactionId\":77"), std::string::npos) << sent_[1];
  Answer("{}");
  EXPECT_TRUE(queue_->empty());
}

// Issue 7 defect 5: ids beyond 32 bits (the schemas put no bound on them)
// reach the queued StopTransaction and MeterValues unchanged.
TEST_F(TransactionSenderTest, TransactionIdsBeyond32BitsAreBoundExactly) {
  rpc_->OnConnected();
  sender_->SetReady(true);
  for (const std::string id : {"2147483648", "9007199254740993"}) {
    sent_.clear();
    const std::int64_t local = queue_->AllocateLocalTransactionId().value();
    ASSERT_TRUE(queue_
                    ->Enqueue(TransactionMessageKind::kStart, "StartTransaction",
                              R"({"connectorId":1,"idTag":"T","meterStart":0,)"
                              R"("timestamp":"2026-01-01T00:00:00Z"})",
                              local)
                    .ok());
    ASSERT_TRUE(queue_
                    ->Enqueue(TransactionMessageKind::kMeterValues, "MeterValues",
                              R"({"connectorId":1,"transactionId":-1,"meterValue":[]})", local)
                    .ok());
    ASSERT_TRUE(queue_
                    ->Enqueue(TransactionMessageKind::kStop, "StopTransaction",
                              R"({"transactionId":-1,"meterStop":5,)"
                              R"("timestamp":"2026-01-01T00:10:00Z"})",
                              local)
                    .ok());
    sender_->Kick();
    ASSERT_EQ(sent_.size(), 1u);
    Answer(R"({"idTagInfo":{"status":"Accepted"},"transactionId":)" + id + "}");
    ASSERT_EQ(sent_.size(), 2u) << "StartTransaction must not be resent";
    EXPECT_NE(sent_[1].find("\"MeterValues\""), std::string::npos);
    EXPECT_NE(sent_[1].find("\"transactionId\":" + id), std::string::npos) << sent_[1];
    Answer("{}");
    ASSERT_EQ(sent_.size(), 3u);
    EXPECT_NE(sent_[2].find("\"StopTransaction\""), std::string::npos);
    EXPECT_NE(sent_[2].find("\"transactionId\":" + id), std::string::npos) << sent_[2];
    Answer("{}");
    EXPECT_TRUE(queue_->empty());
    EXPECT_EQ(started_.back().second, std::stoll(id));
  }
}

TEST_F(TransactionSenderTest, CallErrorsAreRetriedAfterIntervalTimesAttemptThenDiscarded) {
  ASSERT_TRUE(queue_
                  ->Enqueue(TransactionMessageKind::kMeterValues, "MeterValues",
                            R"({"connectorId":1,"meterValue":[]})", kNoTransaction)
                  .ok());
  rpc_->OnConnected();
  sender_->SetReady(true);
  ASSERT_EQ(sent_.size(), 1u);
  AnswerError();
  loop_.AdvanceAndRun(base::Milliseconds(4999));
  EXPECT_EQ(sent_.size(), 1u);
  loop_.AdvanceAndRun(base::Milliseconds(1));
  ASSERT_EQ(sent_.size(), 2u) << "resent after 5 s x 1";
  AnswerError();  // second and last attempt (TransactionMessageAttempts = 2)
  EXPECT_TRUE(queue_->empty()) << "discarded";
}

TEST_F(TransactionSenderTest, ConnectionLossDoesNotConsumeAttempts) {
  ASSERT_TRUE(queue_
                  ->Enqueue(TransactionMessageKind::kMeterValues, "MeterValues",
                            R"({"connectorId":1,"meterValue":[]})", kNoTransaction)
                  .ok());
  rpc_->OnConnected();
  sender_->SetReady(true);
  for (int i = 0; i < 5; ++i) {
    rpc_->OnDisconnected();
    rpc_->OnConnected();
    sender_->Kick();
  }
  EXPECT_EQ(queue_->Front()->attempts, 0);
  EXPECT_EQ(sent_.size(), 6u);
  Answer("{}");
  EXPECT_TRUE(queue_->empty());
}

}  // namespace
}  // namespace ocpp::runtime
