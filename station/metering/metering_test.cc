// Metering with a fake TransactionsView and the real outbox over a fake
// central system: sampled values per connector with each transaction's id,
// clock-aligned values for every connector, StopTxnSampledData.
#include "station/metering/metering.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using testing::Field;
using testing::ModuleEnv;

class MeteringTest : public ::testing::Test {
 protected:
  MeteringTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    outbox_ = std::move(*Outbox::Open(env_.context(), env_.storage(), nullptr));
    metering_ = std::make_unique<Metering>(env_.context(), *connectors_, transactions_, *outbox_);
    // transactionId = 100 * connector + 1.
    env_.AutoAnswer("StartTransaction", [](const testing::SentCall& call) {
      return R"({"idTagInfo":{"status":"Accepted"},"transactionId":)" +
             std::to_string(100 * std::stoi(Field(call.payload, "connectorId")) + 1) + "}";
    });
    env_.AutoAnswer("MeterValues", "{}");
    env_.GoOnline();
    outbox_->SetReady(true);
  }
  // A transaction on `c` whose StartTransaction the central system accepted.
  void Begin(int c) {
    const std::int64_t local_id = *outbox_->AllocateLocalTransactionId();
    v16::StartTransactionReq start;
    start.connector_id = c;
    start.id_tag = Ci<20>("TAG");
    start.timestamp = env_.context().Now();
    outbox_->Enqueue(start, local_id);
    transactions_.Begin(c, local_id, env_.context().Now());
    metering_->OnTransactionStarted(c);
    env_.Run();
  }
  void Set(const std::string& key, const std::string& value) {
    ASSERT_EQ(env_.config().Change(key, value), v16::ConfigurationStatus::kAccepted) << key;
  }
  // "connectorId/transactionId/value/context/timestamp" of each MeterValues.
  std::vector<std::string> Meters() const {
    std::vector<std::string> out;
    for (const auto& call : env_.CallsOf("MeterValues")) {
      rapidjson::Document doc = testing::ParseJson(call.payload);
      const auto& mv = doc["meterValue"][0];
      const auto& sv = mv["sampledValue"][0];
      out.push_back(Field(call.payload, "connectorId") + "/" +
                    Field(call.payload, "transactionId") + "/" + sv["value"].GetString() + "/" +
                    sv["context"].GetString() + "/" + mv["timestamp"].GetString());
    }
    return out;
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  testing::FakeTransactions transactions_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Metering> metering_;
};

TEST_F(MeteringTest, SampledValuesPerConnectorCarryTheirTransactionsId) {
  Set("MeterValueSampleInterval", "10");
  transactions_.energy_wh[1] = 1000;
  transactions_.energy_wh[2] = 2000;
  Begin(1);  // 12:00:00
  env_.Run(Milliseconds(5000));
  Begin(2);  // 12:00:05
  env_.Run(Milliseconds(5000));
  EXPECT_EQ(Meters(), std::vector<std::string>{"1/101/1000/Sample.Periodic/2026-01-01T12:00:10Z"});
  env_.Run(Milliseconds(5000));
  EXPECT_EQ(Meters(),
            (std::vector<std::string>{"1/101/1000/Sample.Periodic/2026-01-01T12:00:10Z",
                                      "2/201/2000/Sample.Periodic/2026-01-01T12:00:15Z"}));
  EXPECT_EQ(transactions_.persisted.size(), 2u) << "each sample is the power-loss reading";
}

TEST_F(MeteringTest, ClockAlignedValuesForEveryConnector) {
  Set("ClockAlignedDataInterval", "60");
  metering_->Start();
  transactions_.energy_wh[1] = 1000;
  transactions_.energy_wh[2] = 2000;
  Begin(1);
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(Meters(), (std::vector<std::string>{"1/101/1000/Sample.Clock/2026-01-01T12:01:00Z",
                                                "2//2000/Sample.Clock/2026-01-01T12:01:00Z"}))
      << "connector 2 has no transaction: no transactionId";
  ASSERT_EQ(transactions_.persisted.size(), 1u);
  EXPECT_EQ(transactions_.persisted[0].first, 1);
}

TEST_F(MeteringTest, StopTxnSampledDataBeginsAndEndsTheTransaction) {
  Set("StopTxnSampledData", "Energy.Active.Import.Register");
  Set("MeterValueSampleInterval", "10");
  transactions_.energy_wh[1] = 1000;
  Begin(1);
  transactions_.energy_wh[1] = 1200;
  env_.Run(Milliseconds(10000));
  transactions_.energy_wh[1] = 1300;
  metering_->OnTransactionStopping(1, env_.context().Now());
  transactions_.End(1);
  env_.Run(Milliseconds(30000));
  EXPECT_EQ(Meters().size(), 1u) << "the series ended with the transaction";
  const auto& data = transactions_.stop_data[1];
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].sampled_value.at(0).context, v16::ReadingContext::kTransactionBegin);
  EXPECT_EQ(data[0].sampled_value.at(0).value, "1000");
  EXPECT_EQ(data[1].sampled_value.at(0).context, v16::ReadingContext::kSamplePeriodic);
  EXPECT_EQ(data[1].sampled_value.at(0).value, "1200");
  EXPECT_EQ(data[2].sampled_value.at(0).context, v16::ReadingContext::kTransactionEnd);
  EXPECT_EQ(data[2].sampled_value.at(0).value, "1300");
  EXPECT_EQ(data[2].timestamp.ToString(), "2026-01-01T12:00:10Z");
}

}  // namespace
}  // namespace ocpp::station
