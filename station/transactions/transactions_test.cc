// Transactions and sessions on two fake connectors with the real
// connectors, authorization and outbox modules over a fake central system:
// tag routing, concurrent transactions, remote start/stop, power-loss
// recovery.
#include "station/transactions/transactions.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using hal::PilotState;
using testing::Field;
using testing::ModuleEnv;

class TransactionsTest : public ::testing::Test {
 protected:
  TransactionsTest() : hw_(2), reporter_(env_.context(), 2, nullptr), cache_(env_.storage()) {
    // Tags starting with G belong to the group "GROUP".
    env_.AutoAnswer("Authorize", [](const testing::SentCall& call) {
      return Field(call.payload, "idTag")[0] == 'G'
                 ? std::string(R"({"idTagInfo":{"status":"Accepted","parentIdTag":"GROUP"}})")
                 : std::string(R"({"idTagInfo":{"status":"Accepted"}})");
    });
    // transactionId = 100 * connector + 1.
    env_.AutoAnswer("StartTransaction", [](const testing::SentCall& call) {
      return R"({"idTagInfo":{"status":"Accepted"},"transactionId":)" +
             std::to_string(100 * std::stoi(Field(call.payload, "connectorId")) + 1) + "}";
    });
    env_.AutoAnswer("StopTransaction", "{}");
    env_.AutoAnswer("StatusNotification", "{}");
    Create();
  }
  ~TransactionsTest() override { Destroy(); }

  // Builds the modules on the same storage, as at boot.
  void Create() {
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    authorization_ = std::make_unique<Authorization>(env_.context(), cache_);
    outbox_ = std::move(*Outbox::Open(env_.context(), env_.storage(), nullptr));
    transactions_ =
        std::make_unique<Transactions>(env_.context(), *connectors_, *authorization_, *outbox_);
    connectors_->Attach(
        Connectors::Events{[this](int c, PilotState before, PilotState now) {
                             transactions_->OnPilot(c, before, now);
                           },
                           [this](int c, hal::Fault) { transactions_->OnFault(c); }});
    hw_.hardware().mock_reader.SetTagObserver([this](const std::string& tag) {
      env_.context().Post([this, tag] { transactions_->OnTag(tag); });
    });
  }
  // A power cut: the objects go without any shutdown.
  void Destroy() {
    hw_.hardware().mock_reader.SetTagObserver(nullptr);
    transactions_.reset();
    outbox_.reset();
    authorization_.reset();
    connectors_.reset();
  }
  // Boot statuses first, then the outbox (checklist 1.1); `keep`: keep the
  // captured CALLs.
  void Online(bool keep = false) {
    env_.GoOnline();
    reporter_.ReportAll(true, [this] { outbox_->SetReady(true); });
    env_.Run();
    if (!keep) env_.ClearCalls();
  }
  void Pilot(int c, PilotState s) {
    hw_.SetPilot(c, s);
    env_.Run();
  }
  void Tag(const std::string& tag) {
    hw_.PresentTag(tag);
    env_.Run();
  }
  std::string Remote(const std::string& action, const std::string& payload) {
    return Field(env_.CsmsCallPayload(action, payload), "status");
  }
  // "connectorId/idTag" of each StartTransaction, "transactionId/reason/idTag"
  // of each StopTransaction.
  std::vector<std::string> Starts() const {
    std::vector<std::string> out;
    for (const auto& c : env_.CallsOf("StartTransaction"))
      out.push_back(Field(c.payload, "connectorId") + "/" + Field(c.payload, "idTag"));
    return out;
  }
  std::vector<std::string> Stops() const {
    std::vector<std::string> out;
    for (const auto& c : env_.CallsOf("StopTransaction")) {
      out.push_back(Field(c.payload, "transactionId") + "/" + Field(c.payload, "reason") + "/" +
                    Field(c.payload, "idTag"));
    }
    return out;
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  StatusReporter reporter_;
  AuthorizationCache cache_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Authorization> authorization_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Transactions> transactions_;
};

TEST_F(TransactionsTest, ATagGoesToTheLowestPluggedConnectorWithoutTransaction) {
  Online();
  Pilot(2, PilotState::kC);
  Tag("T1");
  EXPECT_EQ(Starts(), std::vector<std::string>{"2/T1"}) << "connector 1 has no EV";
  Pilot(1, PilotState::kC);
  Tag("T2");
  EXPECT_EQ(Starts(), (std::vector<std::string>{"2/T1", "1/T2"}));
  EXPECT_TRUE(hw_.connector(1).closed);
  EXPECT_TRUE(hw_.connector(2).closed);
  EXPECT_EQ(transactions_->CsmsTransactionId(1), 101);
  EXPECT_EQ(transactions_->CsmsTransactionId(2), 201);
}

TEST_F(TransactionsTest, ATagStopsItsOwnTransactionWithItsOwnId) {
  Online();
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  Tag("T1");
  Tag("T2");
  ASSERT_EQ(Starts(), (std::vector<std::string>{"1/T1", "2/T2"}));
  Tag("t2");  // other case, same card: no Authorize
  EXPECT_EQ(env_.CallsOf("Authorize").size(), 2u);
  EXPECT_EQ(Stops(), std::vector<std::string>{"201/Local/t2"});
  EXPECT_NE(transactions_->Active(1), nullptr);
  EXPECT_FALSE(hw_.connector(2).closed);
  Tag("T1");
  EXPECT_EQ(Stops(), (std::vector<std::string>{"201/Local/t2", "101/Local/T1"}));
}

TEST_F(TransactionsTest, ATagOfTheSameGroupStopsTheTransaction) {
  Online();
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  Tag("G1");
  ASSERT_EQ(Starts(), std::vector<std::string>{"1/G1"});
  Tag("G2");  // Authorize says parentIdTag GROUP, like G1's
  EXPECT_EQ(Stops(), std::vector<std::string>{"101/Local/G2"});
  EXPECT_EQ(Starts().size(), 1u) << "not a new transaction on connector 2";
}

TEST_F(TransactionsTest, ATagBeforeAnyPlugFloatsToTheConnectorPluggedInFirst) {
  Online();
  Tag("T1");
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Preparing"}) << "shown on the first";
  Pilot(2, PilotState::kC);
  EXPECT_EQ(Starts(), std::vector<std::string>{"2/T1"});
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"1:Preparing", "1:Available", "2:Charging"}));
}

TEST_F(TransactionsTest, AFloatingTagExpiresAfterConnectionTimeOut) {
  Online();
  Tag("T1");
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(env_.Statuses(), (std::vector<std::string>{"1:Preparing", "1:Available"}));
  Pilot(2, PilotState::kC);
  EXPECT_TRUE(Starts().empty());
}

TEST_F(TransactionsTest, ConcurrentTransactionsStopWithTheirOwnIds) {
  Online();
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  Tag("T1");
  Tag("T2");
  Pilot(1, PilotState::kA);  // StopTransactionOnEVSideDisconnect
  Pilot(2, PilotState::kA);
  EXPECT_EQ(Stops(), (std::vector<std::string>{"101/EVDisconnected/", "201/EVDisconnected/"}));
}

TEST_F(TransactionsTest, RemoteStartWithoutConnectorPrefersAPluggedOne) {
  Online();
  Pilot(2, PilotState::kB);
  EXPECT_EQ(Remote("RemoteStartTransaction", R"({"idTag":"R1"})"), "Accepted");
  EXPECT_EQ(Starts(), std::vector<std::string>{"2/R1"});
  EXPECT_TRUE(env_.CallsOf("Authorize").empty()) << "AuthorizeRemoteTxRequests false";
  env_.ClearCalls();
  EXPECT_EQ(Remote("RemoteStartTransaction", R"({"idTag":"R2"})"), "Accepted");
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"1:Preparing"}) << "else the first free";
  Pilot(1, PilotState::kC);
  EXPECT_EQ(Starts(), std::vector<std::string>{"1/R2"});
}

TEST_F(TransactionsTest, RemoteStartOnAConnector) {
  Online();
  EXPECT_EQ(Remote("RemoteStartTransaction", R"({"idTag":"R1","connectorId":2})"), "Accepted");
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"2:Preparing"});
  EXPECT_EQ(Remote("RemoteStartTransaction", R"({"idTag":"R2","connectorId":3})"), "Rejected");
  EXPECT_EQ(Remote("RemoteStartTransaction", R"({"idTag":"R3","connectorId":2})"), "Rejected")
      << "an authorization already waits there";
  Pilot(2, PilotState::kC);
  EXPECT_EQ(Starts(), std::vector<std::string>{"2/R1"});
}

TEST_F(TransactionsTest, RemoteStopByIdOnConnectorTwo) {
  Online();
  Pilot(1, PilotState::kC);
  Pilot(2, PilotState::kC);
  Tag("T1");
  Tag("T2");
  EXPECT_EQ(Remote("RemoteStopTransaction", R"({"transactionId":999})"), "Rejected");
  EXPECT_EQ(Remote("RemoteStopTransaction", R"({"transactionId":201})"), "Accepted");
  EXPECT_EQ(Stops(), std::vector<std::string>{"201/Remote/"});
  EXPECT_NE(transactions_->Active(1), nullptr);
  EXPECT_EQ(transactions_->Active(2), nullptr);
}

TEST_F(TransactionsTest, RecoverDiscardsARecordWhoseStartWasNeverQueued) {
  // Written before the StartTransaction reached the outbox (local id 77 is
  // unknown to it), then the power went.
  ASSERT_TRUE(env_.storage()
                  .Put("station/transaction/2",
                       R"({"local_id":77,"id_tag":"T1","meter_start":0,"last_meter":5,)"
                       R"("last_time":1767268800000})")
                  .ok());
  transactions_->Recover();
  Online(/*keep=*/true);
  env_.Run(Milliseconds(10000));
  EXPECT_TRUE(env_.CallsOf("StopTransaction").empty()) << "never a StopTransaction with -1";
  EXPECT_FALSE(env_.storage().Get("station/transaction/2").ok());
}

TEST_F(TransactionsTest, RecoverStopsAQueuedTransactionWithPowerLoss) {
  // Offline (AllowOfflineTxForUnknownId): the StartTransaction waits.
  Pilot(2, PilotState::kC);
  hw_.connector(2).energy_wh = 1000;
  Tag("T1");
  ASSERT_NE(transactions_->Active(2), nullptr);
  hw_.connector(2).energy_wh = 1500;
  env_.Run(Milliseconds(60000));  // a timer persists the reading every 60 s
  const std::string persisted_at = env_.context().Now().ToString();
  Destroy();
  hw_.connector(2).energy_wh = 1700;  // not persisted: lost with the power
  Create();
  transactions_->Recover();
  EXPECT_EQ(transactions_->Active(2), nullptr);
  Online(/*keep=*/true);
  EXPECT_EQ(Starts(), std::vector<std::string>{"2/T1"});
  ASSERT_EQ(Stops(), std::vector<std::string>{"201/PowerLoss/"});
  const std::string& stop = env_.Last("StopTransaction")->payload;
  EXPECT_EQ(Field(stop, "meterStop"), "1500");
  EXPECT_EQ(Field(stop, "timestamp"), persisted_at);
  EXPECT_EQ(env_.Statuses().back(), "2:Finishing") << "the EV is still plugged in";
}

}  // namespace
}  // namespace ocpp::station
