#include "runtime/durable_queue.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "hal/testing/in_memory_storage.h"

namespace ocpp::runtime {
namespace {

using base::StatusCode;
using Kind = TransactionMessageKind;
using Action = RetryDecision::Action;
using std::chrono::seconds;

// ---------------------------------------------------------------------------
// Payload helpers

std::string StartPayload(int meter_start) {
  return R"({"connectorId":1,"idTag":"04A2B3C4","meterStart":)" + std::to_string(meter_start) +
         R"(,"timestamp":"2026-01-01T12:00:00Z"})";
}

std::string MeterPayload(int value) {
  return R"({"connectorId":1,"transactionId":0,"meterValue":[{"timestamp":"2026-01-01T12:05:00Z",)"
         R"("sampledValue":[{"value":")" +
         std::to_string(value) + R"(","context":"Sample.Periodic"}]}]})";
}

std::string StopPayload(int meter_stop) {
  return R"({"meterStop":)" + std::to_string(meter_stop) +
         R"(,"timestamp":"2026-01-01T13:00:00Z","transactionId":0,"reason":"Local"})";
}

std::optional<std::int64_t> TransactionIdOf(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str());
  EXPECT_FALSE(doc.HasParseError()) << payload;
  if (!doc.IsObject()) return std::nullopt;
  auto it = doc.FindMember("transactionId");
  if (it == doc.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

// The value of a sampled value, to tell MeterValues apart.
std::string MeterValueOf(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str());
  return doc["meterValue"][0]["sampledValue"][0]["value"].GetString();
}

// ---------------------------------------------------------------------------
// Retry policy

TEST(TransactionMessageRetryPolicyTest, SpecExampleThreeAttemptsSixtySeconds) {
  // §3.7.1: send, fail, wait 60 s, resend, fail, wait 120 s, resend, fail, discard.
  TransactionMessageRetryPolicy policy(3, seconds(60));
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 0),
            (RetryDecision{Action::kResend, seconds(60), true, 1}));
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 1),
            (RetryDecision{Action::kResend, seconds(120), true, 2}));
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 2),
            (RetryDecision{Action::kDiscard, seconds(0), true, 3}));
}

TEST(TransactionMessageRetryPolicyTest, ProductConfigurationTwoAttemptsFiveSeconds) {
  TransactionMessageRetryPolicy policy(2, seconds(5));
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 0),
            (RetryDecision{Action::kResend, seconds(5), true, 1}));
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 1),
            (RetryDecision{Action::kDiscard, seconds(0), true, 2}));
  // A count beyond the limit (the key was lowered meanwhile) also discards.
  EXPECT_EQ(policy.Decide(DeliveryFailure::kCallError, 7).action, Action::kDiscard);
}

TEST(TransactionMessageRetryPolicyTest, OutOfRangeValuesAreClamped) {
  TransactionMessageRetryPolicy zero(0, seconds(-5));
  EXPECT_EQ(zero.max_attempts(), 1);
  EXPECT_EQ(zero.retry_interval(), seconds(0));
  EXPECT_EQ(zero.Decide(DeliveryFailure::kCallError, 0).action, Action::kDiscard);
  TransactionMessageRetryPolicy negative(-3, seconds(10));
  EXPECT_EQ(negative.Decide(DeliveryFailure::kCallError, 0).action, Action::kDiscard);
  TransactionMessageRetryPolicy no_wait(4, seconds(0));
  EXPECT_EQ(no_wait.Decide(DeliveryFailure::kCallError, 2),
            (RetryDecision{Action::kResend, seconds(0), true, 3}));
}

TEST(TransactionMessageRetryPolicyTest, TimeoutsAndConnectionLossConsumeNoAttempt) {
  TransactionMessageRetryPolicy policy(2, seconds(30));
  // However many times: never discarded, count unchanged.
  for (int before = 0; before < 2; ++before) {
    EXPECT_EQ(policy.Decide(DeliveryFailure::kTimeout, before),
              (RetryDecision{Action::kResend, seconds(30), false, before}));
    EXPECT_EQ(policy.Decide(DeliveryFailure::kConnectionLost, before),
              (RetryDecision{Action::kResend, seconds(0), false, before}));
  }
}

// ---------------------------------------------------------------------------
// Queue on the in-memory backend

class DurableQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  TransactionMessageQueue::Options MakeOptions() {
    TransactionMessageQueue::Options options;
    options.limits = limits_;
    options.retained_idle_bindings = retained_idle_bindings_;
    options.log = [this](TransactionMessageQueue::LogLevel level, const std::string& line) {
      logged_.push_back(line);
      if (level == TransactionMessageQueue::LogLevel::kError) errors_.push_back(line);
    };
    return options;
  }

  // Simulates a restart: a new queue on the same storage.
  void Reopen() {
    queue_.reset();
    auto queue = TransactionMessageQueue::Open(storage_, storage_, MakeOptions());
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  std::int64_t NewTransaction() {
    auto id = queue_->AllocateLocalTransactionId();
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -100;
  }

  hal::MessageLog::Seq Start(std::int64_t local, int meter = 100) {
    return Must(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(meter), local));
  }
  hal::MessageLog::Seq Meter(std::int64_t local, int value) {
    return Must(queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(value), local));
  }
  hal::MessageLog::Seq Stop(std::int64_t local, int meter = 200) {
    return Must(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(meter), local));
  }
  static hal::MessageLog::Seq Must(const base::Result<hal::MessageLog::Seq>& seq) {
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return seq.ok() ? *seq : 0;
  }

  // "Start", "Meter:<value>", "Stop" per queued message, front first.
  std::vector<std::string> Summary() const {
    std::vector<std::string> summary;
    for (const TransactionMessage& message : queue_->Messages()) {
      switch (message.kind) {
        case Kind::kStart:
          summary.push_back("Start" + std::to_string(message.local_transaction_id));
          break;
        case Kind::kStop:
          summary.push_back("Stop" + std::to_string(message.local_transaction_id));
          break;
        case Kind::kMeterValues:
          summary.push_back("Meter" + std::to_string(message.local_transaction_id) + ":" +
                            MeterValueOf(message.payload));
          break;
      }
    }
    return summary;
  }

  bool LoggedContaining(const std::string& text) const {
    for (const std::string& line : logged_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  hal::testing::InMemoryStorage storage_;
  TransactionMessageQueue::Limits limits_;
  std::size_t retained_idle_bindings_ = 32;
  std::unique_ptr<TransactionMessageQueue> queue_;
  std::vector<std::string> logged_;
  std::vector<std::string> errors_;
};

TEST_F(DurableQueueTest, EmptyQueue) {
  EXPECT_TRUE(queue_->empty());
  EXPECT_FALSE(queue_->Front().has_value());
  EXPECT_EQ(queue_->PopFront().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue_->MarkAttempt().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue_
                ->HandleFailure(DeliveryFailure::kCallError,
                                TransactionMessageRetryPolicy(3, seconds(60)))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(DurableQueueTest, DeliversInEnqueueOrder) {
  const std::int64_t a = NewTransaction();
  const std::int64_t b = NewTransaction();
  Start(a);
  Meter(a, 1);
  Start(b);
  Meter(a, 2);
  Meter(b, 3);
  Stop(a);
  Meter(kNoTransaction, 4);
  Stop(b);
  const std::vector<std::string> expected = {"Start1",   "Meter1:1", "Start2",   "Meter1:2",
                                             "Meter2:3", "Stop1",    "Meter0:4", "Stop2"};
  EXPECT_EQ(Summary(), expected);
  std::vector<std::string> popped;
  hal::MessageLog::Seq last_seq = 0;
  while (auto front = queue_->Front()) {
    EXPECT_GT(front->seq, last_seq);
    last_seq = front->seq;
    if (front->kind == Kind::kStart) {
      ASSERT_TRUE(
          queue_->BindTransactionId(front->local_transaction_id, 1000 + front->local_transaction_id)
              .ok());
    }
    popped.push_back(Summary().front());
    ASSERT_TRUE(queue_->PopFront().ok());
  }
  EXPECT_EQ(popped, expected);
  EXPECT_EQ(*storage_.Count(), 0u);
  EXPECT_EQ(queue_->size_bytes(), 0u);
}

TEST_F(DurableQueueTest, EnqueueIsDurableAndCarriesTheMessage) {
  const std::int64_t tx = NewTransaction();
  const hal::MessageLog::Seq seq = Start(tx, 1234);
  auto front = queue_->Front();
  ASSERT_TRUE(front.has_value());
  EXPECT_EQ(front->seq, seq);
  EXPECT_EQ(front->kind, Kind::kStart);
  EXPECT_EQ(front->action, "StartTransaction");
  EXPECT_EQ(front->payload, StartPayload(1234)) << "a StartTransaction is sent as given";
  EXPECT_EQ(front->local_transaction_id, tx);
  EXPECT_EQ(front->attempts, 0);
  EXPECT_EQ(*storage_.Count(), 1u);
  EXPECT_EQ(*storage_.SizeBytes(), queue_->size_bytes());
}

TEST_F(DurableQueueTest, RejectsInvalidMessages) {
  const std::int64_t tx = NewTransaction();
  auto code = [this](Kind kind, const char* action, const std::string& payload,
                     std::int64_t local) {
    return queue_->Enqueue(kind, action, payload, local).status().code();
  };
  EXPECT_EQ(code(Kind::kStart, "StopTransaction", StartPayload(1), tx),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStart, "StartTransaction", "[1,2]", tx), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStart, "StartTransaction", "{\"a\":", tx), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kMeterValues, "MeterValues", "{\"a\":1} trailing", kNoTransaction),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStop, "StopTransaction", "\"\xff\"", tx), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStart, "StartTransaction", StartPayload(1), kNoTransaction),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStop, "StopTransaction", StopPayload(1), kNoTransaction),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Kind::kStart, "StartTransaction", StartPayload(1), tx + 1),
            StatusCode::kInvalidArgument)
      << "not allocated";
  EXPECT_EQ(code(Kind::kMeterValues, "MeterValues", MeterPayload(1), -4),
            StatusCode::kInvalidArgument);
  std::string huge = R"({"data":")" + std::string(limits_.max_message_bytes, 'x') + "\"}";
  EXPECT_EQ(code(Kind::kMeterValues, "MeterValues", huge, kNoTransaction),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(queue_->empty());

  Start(tx);
  EXPECT_EQ(code(Kind::kStart, "StartTransaction", StartPayload(1), tx),
            StatusCode::kFailedPrecondition)
      << "a second StartTransaction for one transaction";
  EXPECT_EQ(queue_->size(), 1u);
}

TEST_F(DurableQueueTest, BindingWritesTheCsmsIdIntoQueuedMessages) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Meter(tx, 1);
  Stop(tx);
  // Until the CSMS assigns an id, the payload says -1 (never a made-up id).
  std::vector<TransactionMessage> messages = queue_->Messages();
  EXPECT_EQ(TransactionIdOf(messages[0].payload), std::nullopt);
  EXPECT_EQ(TransactionIdOf(messages[1].payload), -1);
  EXPECT_EQ(TransactionIdOf(messages[2].payload), -1);
  EXPECT_FALSE(queue_->BoundTransactionId(tx).has_value());

  ASSERT_TRUE(queue_->BindTransactionId(tx, 4711).ok());
  EXPECT_EQ(queue_->BoundTransactionId(tx), 4711);
  messages = queue_->Messages();
  EXPECT_EQ(messages[0].payload, StartPayload(100));
  EXPECT_EQ(TransactionIdOf(messages[1].payload), 4711);
  EXPECT_EQ(TransactionIdOf(messages[2].payload), 4711);
  // The rest of the payload is unchanged, in order.
  EXPECT_EQ(messages[2].payload,
            R"({"meterStop":200,"timestamp":"2026-01-01T13:00:00Z","transactionId":4711,)"
            R"("reason":"Local"})");
  EXPECT_EQ(MeterValueOf(messages[1].payload), "1");
  // Stored too: a restart sees the rewritten payloads.
  Reopen();
  EXPECT_EQ(TransactionIdOf(queue_->Messages()[2].payload), 4711);
  EXPECT_EQ(queue_->BoundTransactionId(tx), 4711);
  EXPECT_EQ(*storage_.SizeBytes(), queue_->size_bytes());
}

TEST_F(DurableQueueTest, MessagesEnqueuedAfterBindingGetTheCsmsId) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  ASSERT_TRUE(queue_->BindTransactionId(tx, 99).ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  Meter(tx, 5);
  Stop(tx);
  for (const TransactionMessage& message : queue_->Messages()) {
    EXPECT_EQ(TransactionIdOf(message.payload), 99) << message.payload;
  }
}

TEST_F(DurableQueueTest, BindingAddsAMissingTransactionIdAndDropsDuplicates) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  ASSERT_TRUE(
      queue_->Enqueue(Kind::kMeterValues, "MeterValues", R"({"connectorId":1,"meterValue":[]})", tx)
          .ok());
  ASSERT_TRUE(queue_
                  ->Enqueue(Kind::kStop, "StopTransaction",
                            R"({"transactionId":1,"meterStop":5,"transactionId":2})", tx)
                  .ok());
  ASSERT_TRUE(queue_->BindTransactionId(tx, 7).ok());
  const std::vector<TransactionMessage> messages = queue_->Messages();
  EXPECT_EQ(messages[1].payload, R"({"connectorId":1,"meterValue":[],"transactionId":7})");
  EXPECT_EQ(messages[2].payload, R"({"transactionId":7,"meterStop":5})");
}

TEST_F(DurableQueueTest, BindingTouchesOnlyItsTransaction) {
  const std::int64_t a = NewTransaction();
  const std::int64_t b = NewTransaction();
  Start(a);
  Start(b);
  Meter(a, 1);
  Meter(b, 2);
  Meter(kNoTransaction, 3);
  Stop(b);
  Stop(a);
  ASSERT_TRUE(queue_->BindTransactionId(b, 22).ok());
  std::vector<std::optional<std::int64_t>> ids;
  for (const TransactionMessage& message : queue_->Messages()) {
    ids.push_back(TransactionIdOf(message.payload));
  }
  // The MeterValues without a local transaction keep the payload's own value.
  EXPECT_EQ(ids, (std::vector<std::optional<std::int64_t>>{std::nullopt, std::nullopt, -1, 22, 0,
                                                           22, -1}));
}

TEST_F(DurableQueueTest, MeterValuesWithoutTransactionAreSentAsGiven) {
  const std::string payload = R"({"connectorId":0,"transactionId":55,"meterValue":[]})";
  ASSERT_TRUE(queue_->Enqueue(Kind::kMeterValues, "MeterValues", payload, kNoTransaction).ok());
  EXPECT_EQ(queue_->Front()->payload, payload);
}

TEST_F(DurableQueueTest, RebindingReplacesTheId) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Stop(tx);
  ASSERT_TRUE(queue_->BindTransactionId(tx, 10).ok());
  ASSERT_TRUE(queue_->BindTransactionId(tx, 11).ok());
  EXPECT_EQ(TransactionIdOf(queue_->Messages()[1].payload), 11);
  EXPECT_TRUE(LoggedContaining("rebound from transactionId 10 to 11"));
  EXPECT_EQ(queue_->BindTransactionId(tx + 1, 5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->BindTransactionId(0, 5).code(), StatusCode::kInvalidArgument);
}

TEST_F(DurableQueueTest, UnboundMessagesOnlyReachTheFrontWithMinusOne) {
  // A StartTransaction acknowledged without a transactionId (a broken
  // StartTransaction.conf): its messages go out with -1 (errata v4 §3.18).
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Meter(tx, 1);
  Stop(tx);
  EXPECT_EQ(queue_->Front()->kind, Kind::kStart) << "the Start is ahead of its messages";
  ASSERT_TRUE(queue_->PopFront().ok());
  EXPECT_TRUE(LoggedContaining("acknowledged without a transactionId"));
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
  while (auto front = queue_->Front()) {
    EXPECT_EQ(TransactionIdOf(front->payload), kUnknownTransactionId);
    ASSERT_TRUE(queue_->PopFront().ok());
  }
}

TEST_F(DurableQueueTest, DiscardedStartLeavesItsMessagesWithMinusOne) {
  const TransactionMessageRetryPolicy policy(2, seconds(5));
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Stop(tx);
  auto first = queue_->HandleFailure(DeliveryFailure::kCallError, policy);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (RetryDecision{Action::kResend, seconds(5), true, 1}));
  EXPECT_EQ(queue_->Front()->attempts, 1);
  auto second = queue_->HandleFailure(DeliveryFailure::kCallError, policy);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->action, Action::kDiscard);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("discarded StartTransaction"), std::string::npos) << errors_[0];
  EXPECT_TRUE(LoggedContaining("gets transactionId -1"));
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
  auto front = queue_->Front();
  ASSERT_TRUE(front.has_value());
  EXPECT_EQ(front->kind, Kind::kStop);
  EXPECT_EQ(TransactionIdOf(front->payload), kUnknownTransactionId);
  Reopen();
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
}

TEST_F(DurableQueueTest, UnboundStartStaysQueuedIfItsMinusOneBindingCannotBeStored) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Stop(tx);
  storage_.FailNextWrites(1);
  EXPECT_FALSE(queue_->PopFront().ok());
  EXPECT_EQ(queue_->Front()->kind, Kind::kStart);
  EXPECT_FALSE(queue_->BoundTransactionId(tx).has_value());
  // The real id can still arrive with a resent StartTransaction.
  ASSERT_TRUE(queue_->BindTransactionId(tx, 12).ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  EXPECT_EQ(TransactionIdOf(queue_->Front()->payload), 12);
}

TEST_F(DurableQueueTest, RebindingFromMinusOneRewritesAgain) {
  // A crash after the -1 binding of a discarded Start but before its removal
  // resends the Start; its conf then brings the real id.
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Meter(tx, 1);
  storage_.FailNextWrites(1, /*after=*/1);  // the binding is stored, the removal fails
  EXPECT_FALSE(
      queue_
          ->HandleFailure(DeliveryFailure::kCallError, TransactionMessageRetryPolicy(1, seconds(0)))
          .ok());
  Reopen();
  EXPECT_EQ(queue_->Front()->kind, Kind::kStart);
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
  ASSERT_TRUE(queue_->BindTransactionId(tx, 64).ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  EXPECT_EQ(TransactionIdOf(queue_->Front()->payload), 64);
}

TEST_F(DurableQueueTest, OpenBindsMessagesWhoseStartVanishedToMinusOne) {
  const std::int64_t tx = NewTransaction();
  const hal::MessageLog::Seq start = Start(tx);
  Stop(tx);
  storage_.raw_log().erase(start);  // e.g. removed by an older software version
  Reopen();
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
  EXPECT_EQ(TransactionIdOf(queue_->Front()->payload), kUnknownTransactionId);
  EXPECT_TRUE(LoggedContaining("has no StartTransaction ahead of it"));
}

TEST_F(DurableQueueTest, StopWithoutStartOrBindingIsSentWithMinusOne) {
  const std::int64_t tx = NewTransaction();
  Stop(tx);
  EXPECT_EQ(TransactionIdOf(queue_->Front()->payload), kUnknownTransactionId);
  EXPECT_EQ(queue_->BoundTransactionId(tx), kUnknownTransactionId);
  EXPECT_TRUE(LoggedContaining("enqueued without a binding or a queued StartTransaction"));
}

TEST_F(DurableQueueTest, CallErrorsConsumeAttemptsThenTheMessageIsDiscarded) {
  const TransactionMessageRetryPolicy policy(3, seconds(60));
  const std::int64_t tx = NewTransaction();
  Start(tx);
  ASSERT_TRUE(queue_->BindTransactionId(tx, 1).ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  Stop(tx);
  Meter(kNoTransaction, 9);

  // A timeout and a lost connection change nothing.
  auto timeout = queue_->HandleFailure(DeliveryFailure::kTimeout, policy);
  ASSERT_TRUE(timeout.ok());
  EXPECT_EQ(*timeout, (RetryDecision{Action::kResend, seconds(60), false, 0}));
  auto lost = queue_->HandleFailure(DeliveryFailure::kConnectionLost, policy);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->delay, seconds(0));
  EXPECT_EQ(queue_->Front()->attempts, 0);

  EXPECT_EQ(queue_->HandleFailure(DeliveryFailure::kCallError, policy)->delay, seconds(60));
  Reopen();  // the count is persisted
  EXPECT_EQ(queue_->Front()->attempts, 1);
  EXPECT_EQ(queue_->HandleFailure(DeliveryFailure::kCallError, policy)->delay, seconds(120));
  EXPECT_EQ(queue_->Front()->attempts, 2);
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(queue_->HandleFailure(DeliveryFailure::kCallError, policy)->action, Action::kDiscard);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("discarded StopTransaction"), std::string::npos) << errors_[0];
  EXPECT_NE(errors_[0].find("after 3 failures"), std::string::npos) << errors_[0];
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Meter0:9"}));
  EXPECT_FALSE(queue_->BoundTransactionId(tx).has_value()) << "binding released with its Stop";
  Reopen();
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Meter0:9"}));
}

TEST_F(DurableQueueTest, MarkAttemptCountsAndPersists) {
  Meter(kNoTransaction, 1);
  EXPECT_EQ(*queue_->MarkAttempt(), 1);
  EXPECT_EQ(*queue_->MarkAttempt(), 2);
  Reopen();
  EXPECT_EQ(queue_->Front()->attempts, 2);
}

TEST_F(DurableQueueTest, BindingIsReleasedWhenTheStopIsAcknowledged) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Stop(tx);
  ASSERT_TRUE(queue_->BindTransactionId(tx, 8).ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  EXPECT_EQ(queue_->BoundTransactionId(tx), 8) << "the Stop is still queued";
  ASSERT_TRUE(queue_->PopFront().ok());
  EXPECT_FALSE(queue_->BoundTransactionId(tx).has_value());
  EXPECT_TRUE(storage_.List("txqueue/binding/")->empty());
}

TEST_F(DurableQueueTest, RestartRestoresOrderAttemptsBindingsAndCounter) {
  const std::int64_t a = NewTransaction();
  const std::int64_t b = NewTransaction();
  Start(a);
  Meter(a, 1);
  Start(b);
  Stop(a);
  Meter(b, 2);
  ASSERT_TRUE(queue_->MarkAttempt().ok());
  ASSERT_TRUE(queue_->BindTransactionId(a, 500).ok());
  const std::vector<TransactionMessage> before = queue_->Messages();
  const std::uint64_t bytes = queue_->size_bytes();

  Reopen();
  const std::vector<TransactionMessage> after = queue_->Messages();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].seq, before[i].seq);
    EXPECT_EQ(after[i].kind, before[i].kind);
    EXPECT_EQ(after[i].action, before[i].action);
    EXPECT_EQ(after[i].payload, before[i].payload);
    EXPECT_EQ(after[i].local_transaction_id, before[i].local_transaction_id);
    EXPECT_EQ(after[i].attempts, before[i].attempts);
  }
  EXPECT_EQ(queue_->size_bytes(), bytes);
  EXPECT_EQ(queue_->BoundTransactionId(a), 500);
  EXPECT_FALSE(queue_->BoundTransactionId(b).has_value());
  EXPECT_EQ(*queue_->AllocateLocalTransactionId(), 3) << "ids are never reused";
}

TEST_F(DurableQueueTest, CounterSurvivesRestartWithEmptyQueue) {
  EXPECT_EQ(NewTransaction(), 1);
  EXPECT_EQ(NewTransaction(), 2);
  Reopen();
  EXPECT_EQ(NewTransaction(), 3);
}

TEST_F(DurableQueueTest, LostCounterIsRecoveredFromQueuedMessages) {
  NewTransaction();
  const std::int64_t tx = NewTransaction();
  Start(tx);
  storage_.raw_kv().erase("txqueue/next_local_id");
  Reopen();
  EXPECT_EQ(NewTransaction(), tx + 1);
}

TEST_F(DurableQueueTest, RestartFinishesAnInterruptedBinding) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Meter(tx, 1);
  Stop(tx);
  // The binding is stored, then every payload rewrite fails (a crash would
  // leave the same state).
  storage_.FailNextWrites(2, /*after=*/1);
  EXPECT_FALSE(queue_->BindTransactionId(tx, 31).ok());
  // Memory already carries the id.
  EXPECT_EQ(TransactionIdOf(queue_->Messages()[2].payload), 31);
  // Storage does not yet.
  EXPECT_NE(storage_.raw_log().rbegin()->second.find("\\\"transactionId\\\":-1"), std::string::npos)
      << storage_.raw_log().rbegin()->second;

  Reopen();
  EXPECT_TRUE(LoggedContaining("after a restart"));
  for (const auto& [seq, record] : storage_.raw_log()) {
    EXPECT_EQ(record.find("\\\"transactionId\\\":-1"), std::string::npos) << record;
  }
  EXPECT_EQ(TransactionIdOf(queue_->Messages()[1].payload), 31);
  EXPECT_EQ(TransactionIdOf(queue_->Messages()[2].payload), 31);
  EXPECT_EQ(*storage_.SizeBytes(), queue_->size_bytes());
}

TEST_F(DurableQueueTest, FailedWritesLeaveTheQueueUnchanged) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  const std::vector<std::string> before = Summary();

  // A MeterValues the storage refuses is dropped (a Stop would be kept in
  // memory: durable_queue_storage_test).
  storage_.FailNextWrites(1);
  EXPECT_EQ(queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(1), tx).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(Summary(), before);

  storage_.FailNextWrites(1);
  EXPECT_FALSE(queue_->MarkAttempt().ok());
  EXPECT_EQ(queue_->Front()->attempts, 0);

  storage_.FailNextWrites(1);
  EXPECT_FALSE(queue_->PopFront().ok());
  EXPECT_EQ(Summary(), before);

  storage_.FailNextWrites(1);
  EXPECT_FALSE(queue_->BindTransactionId(tx, 3).ok());
  EXPECT_FALSE(queue_->BoundTransactionId(tx).has_value());

  storage_.FailNextWrites(1);
  EXPECT_FALSE(queue_->AllocateLocalTransactionId().ok());
  EXPECT_EQ(NewTransaction(), tx + 1) << "a failed allocation hands out nothing";

  storage_.FailNextWrites(1);
  EXPECT_FALSE(
      queue_
          ->HandleFailure(DeliveryFailure::kCallError, TransactionMessageRetryPolicy(3, seconds(1)))
          .ok());
  EXPECT_EQ(queue_->Front()->attempts, 0);

  Reopen();
  EXPECT_EQ(Summary(), before);
  EXPECT_EQ(queue_->Front()->attempts, 0);
}

TEST_F(DurableQueueTest, UnreadableRecordIsQuarantined) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  const hal::MessageLog::Seq bad = *storage_.Append("{not json");
  Stop(tx);
  Reopen();
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Stop1"}));
  EXPECT_EQ(*storage_.Get("txqueue/quarantine/" + std::to_string(bad)), "{not json");
  EXPECT_EQ(*storage_.Count(), 2u);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("moved to txqueue/quarantine/"), std::string::npos) << errors_[0];
}

TEST_F(DurableQueueTest, IdleBindingsArePrunedAtOpen) {
  retained_idle_bindings_ = 2;
  for (int i = 0; i < 4; ++i) {
    const std::int64_t tx = NewTransaction();
    ASSERT_TRUE(queue_->BindTransactionId(tx, 100 + tx).ok());
  }
  const std::int64_t queued = NewTransaction();
  Start(queued);
  ASSERT_TRUE(queue_->BindTransactionId(queued, 105).ok());
  Reopen();
  EXPECT_FALSE(queue_->BoundTransactionId(1).has_value());
  EXPECT_FALSE(queue_->BoundTransactionId(2).has_value());
  EXPECT_EQ(queue_->BoundTransactionId(3), 103);
  EXPECT_EQ(queue_->BoundTransactionId(4), 104);
  EXPECT_EQ(queue_->BoundTransactionId(5), 105) << "referenced by a queued message";
  EXPECT_EQ(storage_.List("txqueue/binding/")->size(), 3u);
}

TEST_F(DurableQueueTest, InvalidLimitsAreRejected) {
  TransactionMessageQueue::Options options;
  options.limits.hard_max_entries = options.limits.soft_max_entries - 1;
  EXPECT_EQ(TransactionMessageQueue::Open(storage_, storage_, options).status().code(),
            StatusCode::kInvalidArgument);
  options = TransactionMessageQueue::Options();
  options.limits.soft_max_bytes = 0;
  EXPECT_EQ(TransactionMessageQueue::Open(storage_, storage_, options).status().code(),
            StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Full storage

TEST_F(DurableQueueTest, FullQueueDropsIntermediateMeterValuesOldestFirst) {
  limits_.soft_max_entries = 6;
  limits_.hard_max_entries = 8;
  Reopen();
  const std::int64_t tx = NewTransaction();
  Start(tx);
  for (int i = 1; i <= 5; ++i) Meter(tx, i);
  Meter(tx, 6);  // 7 > 6: one must go; 1 is the first, 6 (new) the last
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Meter1:1", "Meter1:3", "Meter1:4",
                                                 "Meter1:5", "Meter1:6"}));
  Meter(tx, 7);
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Meter1:1", "Meter1:4", "Meter1:5",
                                                 "Meter1:6", "Meter1:7"}));
  Stop(tx);  // a Stop makes room the same way
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Meter1:1", "Meter1:5", "Meter1:6",
                                                 "Meter1:7", "Stop1"}));
  EXPECT_EQ(queue_->dropped_meter_values(), 3u);
  EXPECT_TRUE(LoggedContaining("queue full: dropped MeterValues"));
  Reopen();
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Meter1:1", "Meter1:5", "Meter1:6",
                                                 "Meter1:7", "Stop1"}));
}

TEST_F(DurableQueueTest, FirstAndLastMeterValuesGoOnlyWhenNothingElseCan) {
  limits_.soft_max_entries = 5;
  Reopen();
  const std::int64_t a = NewTransaction();
  const std::int64_t b = NewTransaction();
  Start(a);
  Meter(a, 1);  // first and last of a
  Stop(a);
  Start(b);
  Meter(b, 2);  // first of b
  // b's new value is b's last; 2 becomes... still b's first: nothing is
  // intermediate, so the oldest MeterValues goes.
  Meter(b, 3);
  EXPECT_EQ(Summary(),
            (std::vector<std::string>{"Start1", "Stop1", "Start2", "Meter2:2", "Meter2:3"}));
  Meter(b, 4);  // now 3 is intermediate
  EXPECT_EQ(Summary(),
            (std::vector<std::string>{"Start1", "Stop1", "Start2", "Meter2:2", "Meter2:4"}));
}

TEST_F(DurableQueueTest, StartAndStopAreNeverDroppedAndGoUpToTheHardLimit) {
  limits_.soft_max_entries = 3;
  limits_.hard_max_entries = 5;
  Reopen();
  const std::int64_t a = NewTransaction();
  const std::int64_t b = NewTransaction();
  const std::int64_t c = NewTransaction();
  Start(a);
  Stop(a);
  Start(b);
  EXPECT_EQ(queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(1), b).status().code(),
            StatusCode::kResourceExhausted)
      << "nothing to drop for a new MeterValues";
  EXPECT_EQ(queue_->dropped_meter_values(), 1u);
  Stop(b);   // beyond the soft limit
  Start(c);  // at the hard limit
  EXPECT_EQ(queue_->size(), 5u);
  EXPECT_EQ(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(1), c).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Start1", "Stop1", "Start2", "Stop2", "Start3"}));
  // Room again after an acknowledgement.
  ASSERT_TRUE(queue_->PopFront().ok());
  Stop(c);
  EXPECT_EQ(queue_->size(), 5u);
}

TEST_F(DurableQueueTest, TheFrontMessageIsNeverDropped) {
  limits_.soft_max_entries = 2;
  Reopen();
  Meter(kNoTransaction, 1);  // front: may be in flight
  Meter(kNoTransaction, 2);
  Meter(kNoTransaction, 3);
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Meter0:1", "Meter0:3"}));
  Meter(kNoTransaction, 4);
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Meter0:1", "Meter0:4"}));

  // With room for one message, only the front stays: the queued MeterValues
  // is dropped and the new one refused.
  limits_.soft_max_entries = 1;
  limits_.hard_max_entries = 1;
  Reopen();
  EXPECT_EQ(queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(5), kNoTransaction)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(Summary(), (std::vector<std::string>{"Meter0:1"}));
}

TEST_F(DurableQueueTest, ByteLimitDropsMeterValues) {
  const std::int64_t tx = NewTransaction();
  Start(tx);
  Meter(tx, 1);
  const std::uint64_t two = queue_->size_bytes();
  limits_.soft_max_bytes = two + 2 * (two / 2) + 10;  // about four messages
  limits_.hard_max_bytes = limits_.soft_max_bytes * 2;
  Reopen();
  for (int i = 2; i <= 10; ++i) Meter(tx, i);
  EXPECT_LE(queue_->size_bytes(), limits_.soft_max_bytes);
  const std::vector<std::string> summary = Summary();
  ASSERT_GE(summary.size(), 3u);
  EXPECT_EQ(summary[0], "Start1");
  EXPECT_EQ(summary[1], "Meter1:1") << "the first value of the transaction is kept";
  EXPECT_EQ(summary.back(), "Meter1:10");
  EXPECT_EQ(*storage_.SizeBytes(), queue_->size_bytes());
}

// ---------------------------------------------------------------------------
// Queue on SQLite files

class DurableQueueSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/queue_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    queue_.reset();
    storage_.reset();
    auto storage = hal::SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
    auto queue = TransactionMessageQueue::Open(*storage_, *storage_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  std::string dir_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  std::unique_ptr<TransactionMessageQueue> queue_;
};

TEST_F(DurableQueueSqliteTest, ReopenAfterCloseRestoresEverything) {
  ASSERT_NO_FATAL_FAILURE(Open());
  const std::int64_t tx = *queue_->AllocateLocalTransactionId();
  ASSERT_TRUE(queue_->Enqueue(Kind::kStart, "StartTransaction", StartPayload(10), tx).ok());
  ASSERT_TRUE(queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(11), tx).ok());
  ASSERT_TRUE(queue_->Enqueue(Kind::kStop, "StopTransaction", StopPayload(12), tx).ok());
  ASSERT_TRUE(queue_->MarkAttempt().ok());
  ASSERT_TRUE(queue_->BindTransactionId(tx, 77).ok());
  const std::vector<TransactionMessage> before = queue_->Messages();

  ASSERT_NO_FATAL_FAILURE(Open());
  const std::vector<TransactionMessage> after = queue_->Messages();
  ASSERT_EQ(after.size(), 3u);
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].seq, before[i].seq);
    EXPECT_EQ(after[i].payload, before[i].payload);
    EXPECT_EQ(after[i].attempts, before[i].attempts);
  }
  EXPECT_EQ(after[0].attempts, 1);
  EXPECT_EQ(TransactionIdOf(after[2].payload), 77);
  EXPECT_EQ(queue_->BoundTransactionId(tx), 77);
  EXPECT_EQ(*queue_->AllocateLocalTransactionId(), tx + 1);

  ASSERT_TRUE(queue_->PopFront().ok());
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_EQ(queue_->size(), 2u);
  EXPECT_EQ(queue_->Front()->kind, Kind::kMeterValues);
  EXPECT_TRUE(storage_->CheckIntegrity().ok());
}

TEST_F(DurableQueueSqliteTest, SequenceNumbersKeepGrowingAcrossReopen) {
  ASSERT_NO_FATAL_FAILURE(Open());
  auto first = queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(1), 0);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(queue_->PopFront().ok());
  ASSERT_NO_FATAL_FAILURE(Open());
  auto second = queue_->Enqueue(Kind::kMeterValues, "MeterValues", MeterPayload(2), 0);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first) << "an acknowledged message's number is never reused";
}

}  // namespace
}  // namespace ocpp::runtime
