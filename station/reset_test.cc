// Reset with a fake TransactionsView and fake hardware: every transaction
// stopped with the reset's reason, the outbox given time, then the reboot,
// retried ResetRetries times.
#include "station/reset.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using hal::RebootKind;
using testing::ModuleEnv;

class ResetTest : public ::testing::Test {
 protected:
  ResetTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    connectors_->Attach({});
    outbox_ = std::move(*Outbox::Open(env_.context(), env_.storage(), nullptr));
    reset_ = std::make_unique<station::Reset>(
        env_.context(), *connectors_, transactions_, *outbox_, hw_.hardware().system_control(),
        station::Reset::Timing{Milliseconds(1000), Milliseconds(60000)});
    env_.GoOnline();
    outbox_->SetReady(true);
  }
  // What the transactions module does on StopAll: a StopTransaction per
  // transaction goes into the outbox.
  void QueueStopsOnStopAll() {
    transactions_.on_stop_all = [this](v16::Reason reason) {
      const std::int64_t local_id = *outbox_->AllocateLocalTransactionId();
      v16::StartTransactionReq start;
      start.connector_id = 1;
      start.id_tag = Ci<20>("TAG");
      start.timestamp = env_.context().Now();
      outbox_->Enqueue(start, local_id);
      v16::StopTransactionReq stop;
      stop.transaction_id = -1;
      stop.meter_stop = 10;
      stop.timestamp = env_.context().Now();
      stop.reason = reason;
      outbox_->Enqueue(stop, local_id);
    };
  }
  std::string ResetCall(const char* type) {
    return env_.CsmsCallPayload("Reset", std::string(R"({"type":")") + type + "\"}");
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  testing::FakeTransactions transactions_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<station::Reset> reset_;
};

TEST_F(ResetTest, SoftResetStopsEverythingWaitsForTheOutboxThenReboots) {
  QueueStopsOnStopAll();
  env_.AutoAnswer("StatusNotification", "{}");
  EXPECT_EQ(ResetCall("Soft"), R"({"status":"Accepted"})");
  EXPECT_EQ(transactions_.stop_all, std::vector<v16::Reason>{v16::Reason::kSoftReset});
  EXPECT_TRUE(connectors_->reset_pending());
  ASSERT_EQ(env_.Last("StartTransaction") != nullptr, true);
  env_.Run(Milliseconds(500));
  EXPECT_TRUE(hw_.reboots.empty()) << "the StopTransaction is still queued";
  env_.Reply(R"({"idTagInfo":{"status":"Accepted"},"transactionId":9})");
  ASSERT_NE(env_.Last("StopTransaction"), nullptr);
  EXPECT_EQ(testing::Field(env_.Last("StopTransaction")->payload, "transactionId"), "9");
  EXPECT_EQ(testing::Field(env_.Last("StopTransaction")->payload, "reason"), "SoftReset");
  env_.Run(Milliseconds(100));
  EXPECT_TRUE(hw_.reboots.empty());
  env_.Reply("{}");
  env_.Run(Milliseconds(100));
  EXPECT_EQ(hw_.reboots, std::vector<RebootKind>{RebootKind::kSoft});
}

TEST_F(ResetTest, HardResetRebootsAfterTheGraceEvenIfTheQueueIsStuck) {
  QueueStopsOnStopAll();
  EXPECT_EQ(ResetCall("Hard"), R"({"status":"Accepted"})");
  EXPECT_EQ(transactions_.stop_all, std::vector<v16::Reason>{v16::Reason::kHardReset});
  env_.Run(Milliseconds(900));
  EXPECT_TRUE(hw_.reboots.empty());
  env_.Run(Milliseconds(200));
  EXPECT_EQ(hw_.reboots, std::vector<RebootKind>{RebootKind::kHard});
}

TEST_F(ResetTest, OfflineTheRebootDoesNotWaitForTheQueue) {
  QueueStopsOnStopAll();
  EXPECT_EQ(ResetCall("Soft"), R"({"status":"Accepted"})");
  env_.Disconnect();
  env_.Run(Milliseconds(100));
  EXPECT_EQ(hw_.reboots.size(), 1u);
}

TEST_F(ResetTest, AFailedRebootIsRetriedResetRetriesTimes) {
  ASSERT_EQ(env_.config().Change("ResetRetries", "2"), v16::ConfigurationStatus::kAccepted);
  env_.AutoAnswer("StatusNotification", "{}");
  EXPECT_EQ(ResetCall("Hard"), R"({"status":"Accepted"})");
  env_.Run(Milliseconds(100));
  EXPECT_EQ(hw_.reboots.size(), 1u) << "empty outbox: at the first check";
  EXPECT_EQ(ResetCall("Soft"), R"({"status":"Rejected"})") << "one reset at a time";
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(hw_.reboots.size(), 2u);
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(hw_.reboots.size(), 3u);
  env_.Run(Milliseconds(180000));
  EXPECT_EQ(hw_.reboots,
            (std::vector<RebootKind>{RebootKind::kHard, RebootKind::kHard, RebootKind::kHard}));
  EXPECT_FALSE(connectors_->reset_pending()) << "gave up: the station is usable again";
  EXPECT_EQ(ResetCall("Soft"), R"({"status":"Accepted"})");
}

TEST_F(ResetTest, ResetPendingStopsEnergy) {
  hw_.SetPilot(1, hal::PilotState::kC);
  env_.Run();
  connectors_->facts(1).transaction = true;
  connectors_->Refresh();
  ASSERT_TRUE(hw_.connector(1).closed);
  EXPECT_EQ(ResetCall("Soft"), R"({"status":"Accepted"})");
  EXPECT_FALSE(hw_.connector(1).closed);
}

}  // namespace
}  // namespace ocpp::station
