// Unit tests of the charge point's behaviour: fake transport, manual loop
// with a fake clock, simulated hardware, in-memory storage. The conformance
// suite (tests/conformance) repeats the OCTT cases over real WebSockets.
#include "station/charge_point.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <deque>
#include <map>

#include "hal/sim/sim_hardware.h"
#include "hal/testing/in_memory_storage.h"
#include "runtime/testing/manual_event_loop.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using hal::PilotState;

class FakeTransport final : public runtime::Transport {
 public:
  void SetCallbacks(Callbacks callbacks) override { callbacks_ = std::move(callbacks); }
  void Start() override { started_ = true; }
  void Stop() override { Drop(); }
  bool Send(std::string text) override {
    if (!connected_) return false;
    sent_.push_back(std::move(text));
    return true;
  }
  bool IsConnected() const override { return connected_; }

  void Connect() {
    connected_ = true;
    if (callbacks_.on_connected) callbacks_.on_connected();
  }
  void Drop() {
    if (!connected_) return;
    connected_ = false;
    if (callbacks_.on_disconnected)
      callbacks_.on_disconnected(runtime::DisconnectReason::kClosedByPeer);
  }
  // A first attempt that never connected.
  void FailAttempt() {
    if (callbacks_.on_disconnected)
      callbacks_.on_disconnected(runtime::DisconnectReason::kConnectFailed);
  }
  void Receive(const std::string& text) {
    if (callbacks_.on_text) callbacks_.on_text(text);
  }
  std::deque<std::string>& sent() { return sent_; }

 private:
  Callbacks callbacks_;
  bool started_ = false;
  bool connected_ = false;
  std::deque<std::string> sent_;
};

struct Call {
  std::string id, action, payload;
};

class ChargePointTest : public ::testing::Test {
 protected:
  ChargePointTest() : hardware_(loop_.clock()) {
    answers_["BootNotification"] = [this](const std::string&) {
      return R"({"status":"Accepted","currentTime":"2026-01-01T12:00:00Z","interval":30})";
    };
    answers_["Heartbeat"] = [](const std::string&) {
      return std::string(R"({"currentTime":"2026-01-01T12:00:00Z"})");
    };
    answers_["Authorize"] = [](const std::string&) {
      return std::string(R"({"idTagInfo":{"status":"Accepted"}})");
    };
    answers_["StartTransaction"] = [](const std::string&) {
      return std::string(R"({"idTagInfo":{"status":"Accepted"},"transactionId":42})");
    };
  }

  void Boot(std::map<std::string, std::string> config = {}) {
    ChargePoint::Options options;
    options.factory_config = std::move(config);
    options.reset_grace = Milliseconds(1000);
    std::vector<std::string> warnings;
    auto cp = ChargePoint::Create(
        ChargePoint::Dependencies{loop_, transport_, hardware_, storage_, storage_}, options,
        &warnings);
    ASSERT_TRUE(cp.ok()) << cp.status().message();
    cp_ = std::move(*cp);
    cp_->Start();
  }

  // Runs the loop and answers every CALL the station sent, like a CSMS.
  void Run(Milliseconds advance = Milliseconds(0)) {
    for (int round = 0; round < 100; ++round) {
      loop_.RunUntilIdle();
      if (transport_.sent().empty()) break;
      while (!transport_.sent().empty()) {
        const std::string frame = transport_.sent().front();
        transport_.sent().pop_front();
        rapidjson::Document doc;
        doc.Parse(frame.c_str());
        ASSERT_FALSE(doc.HasParseError()) << frame;
        if (doc[0] != 2) {
          answers_to_csms_.push_back(frame);
          continue;
        }
        Call call{doc[1].GetString(), doc[2].GetString(),
                  frame.substr(frame.find('{'), frame.size() - frame.find('{') - 1)};
        calls_.push_back(call);
        if (hold_answers_) continue;
        auto it = answers_.find(call.action);
        const std::string payload = it == answers_.end() ? "{}" : it->second(call.payload);
        transport_.Receive("[3,\"" + call.id + "\"," + payload + "]");
      }
    }
    if (advance.count() > 0) {
      loop_.AdvanceAndRun(advance);
      Run();
    }
  }

  std::vector<std::string> Actions() const {
    std::vector<std::string> out;
    for (const Call& c : calls_) out.push_back(c.action);
    return out;
  }
  std::vector<std::string> Statuses() const {
    std::vector<std::string> out;
    for (const Call& c : calls_) {
      if (c.action != "StatusNotification") continue;
      rapidjson::Document doc;
      doc.Parse(c.payload.c_str());
      out.push_back(std::to_string(doc["connectorId"].GetInt()) + ":" + doc["status"].GetString());
    }
    return out;
  }
  const Call* Last(const std::string& action) const {
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
      if (it->action == action) return &*it;
    }
    return nullptr;
  }
  // CALL from the CSMS; returns the station's answer.
  std::string CsmsCall(const std::string& action, const std::string& payload) {
    answers_to_csms_.clear();
    transport_.Receive("[2,\"cs-" + std::to_string(++csms_ids_) + "\",\"" + action + "\"," +
                       payload + "]");
    Run();
    return answers_to_csms_.empty() ? "" : answers_to_csms_.front();
  }
  void Pilot(PilotState s) {
    hardware_.sim_connector(1).SetPilotState(s);
    Run();
  }
  void Tag(const std::string& tag) {
    hardware_.PresentTag(tag);
    Run();
  }

  runtime::testing::ManualEventLoop loop_;
  hal::testing::InMemoryStorage storage_;
  hal::sim::SimHardware hardware_;
  FakeTransport transport_;
  std::unique_ptr<ChargePoint> cp_;
  std::map<std::string, std::function<std::string(const std::string&)>> answers_;
  std::vector<Call> calls_;
  std::vector<std::string> answers_to_csms_;
  bool hold_answers_ = false;
  int csms_ids_ = 0;
};

TEST_F(ChargePointTest, BootsThenReportsBothConnectorsAndHeartbeats) {
  Boot();
  transport_.Connect();
  Run();
  EXPECT_EQ(Actions(), (std::vector<std::string>{"BootNotification", "StatusNotification",
                                                 "StatusNotification"}));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"0:Available", "1:Available"}));
  Run(Milliseconds(30000));
  EXPECT_EQ(Actions().back(), "Heartbeat");
  EXPECT_TRUE(cp_->registered());
}

// Start-up storage work the BootNotification does not need: the queue's
// storage reserve is written after it is handed to the transport (or after
// a first attempt that failed), not at Create.
TEST_F(ChargePointTest, TheStorageReserveIsWrittenAfterTheBootNotification) {
  Boot();
  loop_.RunUntilIdle();
  EXPECT_FALSE(storage_.Get("txqueue/reserve").ok()) << "not before the connection";
  transport_.Connect();
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_NE(transport_.sent().front().find("BootNotification"), std::string::npos);
  EXPECT_FALSE(storage_.Get("txqueue/reserve").ok()) << "not before the loop's next I/O";
  Run();
  ASSERT_TRUE(storage_.Get("txqueue/reserve").ok());
  EXPECT_EQ(storage_.Get("txqueue/reserve")->size(), 64u * 1024);
}

TEST_F(ChargePointTest, TheStorageReserveIsWrittenAfterAFailedFirstAttempt) {
  Boot();
  loop_.RunUntilIdle();
  transport_.FailAttempt();
  loop_.RunUntilIdle();
  EXPECT_TRUE(storage_.Get("txqueue/reserve").ok());
}

TEST_F(ChargePointTest, NothingButBootNotificationBeforeAcceptedAndRetryAfterPending) {
  answers_["BootNotification"] = [](const std::string&) {
    return std::string(
        R"({"status":"Pending","currentTime":"2026-01-01T12:00:00Z","interval":10})");
  };
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kB);
  EXPECT_EQ(Actions(), (std::vector<std::string>{"BootNotification"}));
  // CSMS calls during Pending are answered.
  EXPECT_NE(CsmsCall("GetConfiguration", R"({"key":["HeartbeatInterval"]})").find("\"30\""),
            std::string::npos);
  EXPECT_NE(CsmsCall("RemoteStartTransaction", R"({"idTag":"T"})").find("Rejected"),
            std::string::npos);
  answers_["BootNotification"] = [](const std::string&) {
    return std::string(
        R"({"status":"Accepted","currentTime":"2026-01-01T12:00:00Z","interval":30})");
  };
  Run(Milliseconds(10000));
  EXPECT_EQ(Actions()[1], "BootNotification");
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"0:Available", "1:Preparing"}));
}

TEST_F(ChargePointTest, PlugInFirstSessionWithLocalStop) {
  Boot();
  transport_.Connect();
  Run();
  calls_.clear();
  Pilot(PilotState::kB);
  Tag("TAG1");
  EXPECT_FALSE(hardware_.sim_connector(1).contactor_commanded_closed()) << "state B: no energy";
  Pilot(PilotState::kC);
  EXPECT_TRUE(hardware_.sim_connector(1).contactor_commanded_closed());
  EXPECT_EQ(hardware_.sim_connector(1).pwm_duty_permille(), 533) << "32 A advertised";
  Tag("tag1");  // same card, other case: stops, no Authorize
  EXPECT_FALSE(hardware_.sim_connector(1).contactor_commanded_closed());
  Pilot(PilotState::kA);
  EXPECT_EQ(Actions(),
            (std::vector<std::string>{"StatusNotification", "Authorize", "StartTransaction",
                                      "StatusNotification", "StatusNotification", "StopTransaction",
                                      "StatusNotification", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"1:Preparing", "1:SuspendedEV", "1:Charging",
                                                  "1:Finishing", "1:Available"}));
  EXPECT_NE(Last("StopTransaction")->payload.find("\"transactionId\":42"), std::string::npos);
  EXPECT_NE(Last("StopTransaction")->payload.find("\"reason\":\"Local\""), std::string::npos)
      << "always sent";
  EXPECT_NE(Last("StopTransaction")->payload.find("\"idTag\":\"tag1\""), std::string::npos)
      << "the card that stopped it";
}

TEST_F(ChargePointTest, ContactorOpensInTheSameTurnOnUnplugAndFault) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  ASSERT_TRUE(hardware_.sim_connector(1).contactor_commanded_closed());
  hardware_.sim_connector(1).SetFault(hal::Fault::kGroundFailure);
  loop_.RunUntilIdle();
  EXPECT_FALSE(hardware_.sim_connector(1).contactor_commanded_closed());
  EXPECT_EQ(hardware_.sim_connector(1).pwm_duty_permille(), 1000);
  hardware_.sim_connector(1).SetFault(hal::Fault::kNoError);
  loop_.RunUntilIdle();
  EXPECT_TRUE(hardware_.sim_connector(1).contactor_commanded_closed());
  hardware_.sim_connector(1).SetPilotState(PilotState::kA);
  loop_.RunUntilIdle();
  EXPECT_FALSE(hardware_.sim_connector(1).contactor_commanded_closed());
  Run();
  EXPECT_NE(Last("StopTransaction")->payload.find("EVDisconnected"), std::string::npos);
}

TEST_F(ChargePointTest, PowerLossStopsTheInterruptedTransactionAtBoot) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  ASSERT_TRUE(cp_->transaction_active());
  // Power cut: the objects vanish without any shutdown.
  cp_.reset();
  transport_.Drop();
  calls_.clear();
  Boot();
  transport_.Connect();
  Run();
  ASSERT_NE(Last("StopTransaction"), nullptr);
  EXPECT_NE(Last("StopTransaction")->payload.find("PowerLoss"), std::string::npos);
  EXPECT_NE(Last("StopTransaction")->payload.find("\"transactionId\":42"), std::string::npos);
  EXPECT_EQ(Actions().front(), "BootNotification");
}

TEST_F(ChargePointTest, PowerCutBetweenQueueingTheStopAndForgettingTheTransactionStopsOnce) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  const std::string record = storage_.Get("station/transaction/1").value();
  transport_.Drop();
  Tag("TAG1");  // stopped offline: the StopTransaction waits in the queue
  ASSERT_FALSE(cp_->transaction_active());
  // The power goes after the stop was queued but before the record went
  // (written under the single-connector releases' key: it is migrated).
  ASSERT_TRUE(storage_.Put("station/transaction", record).ok());
  cp_.reset();
  calls_.clear();
  Boot();
  transport_.Connect();
  Run();
  int stops = 0;
  for (const Call& c : calls_) stops += c.action == "StopTransaction";
  EXPECT_EQ(stops, 1);
  EXPECT_NE(Last("StopTransaction")->payload.find("\"reason\":\"Local\""), std::string::npos);
}

TEST_F(ChargePointTest, RemoteStartTimesOutAfterConnectionTimeOut) {
  Boot();
  transport_.Connect();
  Run();
  calls_.clear();
  EXPECT_NE(
      CsmsCall("RemoteStartTransaction", R"({"idTag":"R1","connectorId":1})").find("Accepted"),
      std::string::npos);
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"1:Preparing"}));
  Run(Milliseconds(60000));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"1:Preparing", "1:Available"}));
  EXPECT_EQ(Last("StartTransaction"), nullptr);
}

TEST_F(ChargePointTest, ChangeAvailabilityIsScheduledDuringATransactionAndPersists) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  EXPECT_NE(
      CsmsCall("ChangeAvailability", R"({"connectorId":0,"type":"Inoperative"})").find("Scheduled"),
      std::string::npos);
  EXPECT_NE(CsmsCall("RemoteStopTransaction", R"({"transactionId":42})").find("Accepted"),
            std::string::npos);
  // The user still has to unplug (C6), then the change takes effect (F8).
  EXPECT_EQ(Statuses().back(), "1:Finishing");
  Pilot(PilotState::kA);
  EXPECT_EQ(Statuses().back(), "1:Unavailable");
  cp_.reset();
  transport_.Drop();
  calls_.clear();
  Boot();
  transport_.Connect();
  Run();
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"0:Unavailable", "1:Unavailable"}));
}

TEST_F(ChargePointTest, ScheduledUnavailabilityAppliesAtOnceWhenTheEvIsGone) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  EXPECT_NE(
      CsmsCall("ChangeAvailability", R"({"connectorId":1,"type":"Inoperative"})").find("Scheduled"),
      std::string::npos);
  Pilot(PilotState::kA);  // EV side disconnected: the transaction stops, no user action (C8)
  EXPECT_EQ(Statuses().back(), "1:Unavailable");
}

TEST_F(ChargePointTest, StartTransactionRejectedStopsWithDeAuthorized) {
  answers_["StartTransaction"] = [](const std::string&) {
    return std::string(R"({"idTagInfo":{"status":"Invalid"},"transactionId":7})");
  };
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  EXPECT_FALSE(cp_->transaction_active());
  EXPECT_NE(Last("StopTransaction")->payload.find("DeAuthorized"), std::string::npos);
}

TEST_F(ChargePointTest, OfflineTransactionIsDeliveredAfterReconnectWithoutANewBoot) {
  Boot();
  transport_.Connect();
  Run();
  transport_.Drop();
  calls_.clear();
  Pilot(PilotState::kC);
  Tag("UNKNOWN1");  // AllowOfflineTxForUnknownId
  ASSERT_TRUE(cp_->transaction_active());
  Run(Milliseconds(60000));
  Tag("UNKNOWN1");
  EXPECT_TRUE(calls_.empty());
  transport_.Connect();
  Run();
  const auto actions = Actions();
  ASSERT_GE(actions.size(), 2u);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "BootNotification"), 0);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "StartTransaction"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "StopTransaction"), 1);
  EXPECT_NE(Last("StopTransaction")->payload.find("\"transactionId\":42"), std::string::npos);
}

TEST_F(ChargePointTest, ResetStopsTheTransactionAndRequestsAReboot) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  EXPECT_NE(CsmsCall("Reset", R"({"type":"Soft"})").find("Accepted"), std::string::npos);
  Run(Milliseconds(2000));
  EXPECT_NE(Last("StopTransaction")->payload.find("SoftReset"), std::string::npos);
  EXPECT_EQ(hardware_.reboot_requests(), 1);
}

TEST_F(ChargePointTest, AFailedResetIsRetriedResetRetriesTimes) {
  Boot({{"ResetRetries", "2"}});
  transport_.Connect();
  Run();
  // The simulated hardware counts reboot requests but this test does not
  // restart the station: every reboot "fails".
  EXPECT_NE(CsmsCall("Reset", R"({"type":"Hard"})").find("Accepted"), std::string::npos);
  Run(Milliseconds(1000));
  EXPECT_EQ(hardware_.reboot_requests(), 1);
  Run(Milliseconds(60000));
  EXPECT_EQ(hardware_.reboot_requests(), 2);
  Run(Milliseconds(60000));
  EXPECT_EQ(hardware_.reboot_requests(), 3);
  Run(Milliseconds(120000));
  EXPECT_EQ(hardware_.reboot_requests(), 3) << "ResetRetries = 2: three attempts in all";
  EXPECT_NE(CsmsCall("Reset", R"({"type":"Soft"})").find("Accepted"), std::string::npos)
      << "after giving up, a new Reset is possible";
}

TEST_F(ChargePointTest, FixedCableOptionalAndMissingProfilesGetDefinedAnswers) {
  Boot();
  transport_.Connect();
  Run();
  EXPECT_NE(CsmsCall("UnlockConnector", R"({"connectorId":1})").find("NotSupported"),
            std::string::npos);
  EXPECT_NE(CsmsCall("GetLocalListVersion", "{}").find(R"({"listVersion":0})"), std::string::npos)
      << "the Local Auth List Management profile is offered: no list yet";
  EXPECT_NE(
      CsmsCall(
          "ReserveNow",
          R"({"connectorId":1,"expiryDate":"2026-01-01T13:00:00Z","idTag":"T","reservationId":1})")
          .find("Accepted"),
      std::string::npos)
      << "the Reservation profile";
  EXPECT_NE(CsmsCall("DataTransfer", R"({"vendorId":"acme"})").find("UnknownVendorId"),
            std::string::npos);
  EXPECT_NE(CsmsCall("TriggerMessage", R"({"requestedMessage":"Heartbeat"})").find("Accepted"),
            std::string::npos)
      << "the Remote Trigger profile";
  EXPECT_NE(
      CsmsCall("UpdateFirmware",
               R"({"location":"ftp://127.0.0.1/f.bin","retrieveDate":"2026-01-01T13:00:00Z"})")
          .find("NotSupported"),
      std::string::npos)
      << "no Firmware Management profile yet";
}

}  // namespace
}  // namespace ocpp::station

namespace ocpp::station {
namespace {

TEST_F(ChargePointTest, TransactionMessageGoesBeforeTheStatusItCauses) {
  Boot({{"MeterValueSampleInterval", "1"}});
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  Run(Milliseconds(3000));
  calls_.clear();
  Tag("TAG1");
  ASSERT_GE(calls_.size(), 2u);
  EXPECT_EQ(calls_[0].action, "StopTransaction");
  EXPECT_EQ(calls_[1].action, "StatusNotification");
}

}  // namespace
}  // namespace ocpp::station

namespace ocpp::station {
namespace {

// Product decision: pilot state D (ventilation requested) charges like C;
// the contactor closes in C or D.
TEST_F(ChargePointTest, PilotDChargesLikeC) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kD);
  Tag("TAG1");
  EXPECT_TRUE(hardware_.sim_connector(1).contactor_commanded_closed());
  EXPECT_EQ(cp_->connector_status(), v16::ChargePointStatus::kCharging);
  Pilot(PilotState::kC);
  EXPECT_TRUE(hardware_.sim_connector(1).contactor_commanded_closed());
  EXPECT_EQ(Statuses().back(), "1:Charging");
}

// A plugged-in EV without an authorization stays Preparing: ConnectionTimeOut
// only ends an authorization that waits for the plug (errata 3.76).
TEST_F(ChargePointTest, PluggedInEvStaysPreparingWithoutTimeout) {
  Boot();
  transport_.Connect();
  Run();
  calls_.clear();
  Pilot(PilotState::kB);
  Run(Milliseconds(120000));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"1:Preparing"}));
  Tag("TAG1");
  EXPECT_TRUE(cp_->transaction_active());
}

// The Finishing state survives a reboot while the EV stays connected, and
// is forgotten when the EV was unplugged meanwhile.
TEST_F(ChargePointTest, FinishingSurvivesARebootWhileTheEvStaysConnected) {
  Boot();
  transport_.Connect();
  Run();
  Pilot(PilotState::kC);
  Tag("TAG1");
  Tag("TAG1");
  ASSERT_EQ(cp_->connector_status(), v16::ChargePointStatus::kFinishing);
  cp_.reset();
  transport_.Drop();
  calls_.clear();
  Boot();
  transport_.Connect();
  Run();
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"0:Available", "1:Finishing"}));
  cp_.reset();
  transport_.Drop();
  hardware_.sim_connector(1).SetPilotState(PilotState::kA);
  calls_.clear();
  Boot();
  transport_.Connect();
  Run();
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"0:Available", "1:Available"}));
}

}  // namespace
}  // namespace ocpp::station
