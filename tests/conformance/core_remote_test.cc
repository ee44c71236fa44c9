// OCTT charge-point cases of the Core profile: remote start and stop
// (TC_010, TC_011_1, TC_011_2, TC_012, TC_026, TC_027, TC_028). Each test
// follows the steps of the case in docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::RemoteStartStopStatus;

class CoreRemote : public Harness {
 protected:
  // Index in csms().frames() of the first frame matching `pred`, or -1.
  int FrameIndex(const std::function<bool(const tools::CentralSystem::Frame&)>& pred) {
    const auto& frames = csms().frames();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (pred(frames[i])) return static_cast<int>(i);
    }
    return -1;
  }
  int CallIndex(const std::string& action) {
    return FrameIndex([&](const tools::CentralSystem::Frame& f) {
      return f.dir == runtime::TraceDirection::kReceived &&
             f.text.find("\"" + action + "\"") != std::string::npos && f.text.rfind("[2,", 0) == 0;
    });
  }
  // The station's CALLRESULT to the central system's first CALL.
  int FirstStationResult() {
    return FrameIndex([](const tools::CentralSystem::Frame& f) {
      return f.dir == runtime::TraceDirection::kReceived && f.text.rfind("[3,", 0) == 0;
    });
  }
};

// F-Charging exactly, with the factory AuthorizeRemoteTxRequests = false:
// no Authorize, StartTransaction right after RemoteStartTransaction.conf.
TEST_F(CoreRemote, tc010_remote_start_cable_first) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(GetConfig("AuthorizeRemoteTxRequests"), "false");
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Preparing", "1:Charging"}));
  EXPECT_LT(FirstStationResult(), CallIndex("StartTransaction"))
      << "RemoteStartTransaction.conf goes before the StartTransaction it causes";
  auto start = LastPayload("StartTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(Str(start, "idTag"), "TAG-0001");
  EXPECT_TRUE(start["meterStart"].IsInt());
  EXPECT_EQ(EpochSeconds(start), WallSeconds());
  EXPECT_FALSE(Has(start, "reservationId"));
  EXPECT_TRUE(connector().contactor_commanded_closed());
  EXPECT_EQ(station().csms_transaction_id(), 1);
}

// The same with AuthorizeRemoteTxRequests = true: Authorize, then the start.
TEST_F(CoreRemote, tc010_remote_start_cable_first_authorize_remote) {
  StartStation();
  Set("AuthorizeRemoteTxRequests", "true");
  ClearFrames();
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "Authorize", "StartTransaction", "StatusNotification"}));
  EXPECT_EQ(Str(LastPayload("Authorize"), "idTag"), "TAG-0001");
  EXPECT_LT(FirstStationResult(), CallIndex("Authorize"));
}

TEST_F(CoreRemote, tc011_1_remote_start_first) {
  StartStation();
  ClearFrames();
  EXPECT_NE(GetConfig("AuthorizeRemoteTxRequests"), "<unknown>");
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(CountCalls("StartTransaction"), 0) << "no EV yet";
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Preparing", "1:Charging"}));
  auto start = LastPayload("StartTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(Str(start, "idTag"), "TAG-0001");
}

// AuthorizeRemoteTxRequests = true: Authorize is accepted before the
// connector goes to Preparing (checklist 1.4: Authorize, then SN).
TEST_F(CoreRemote, tc011_1_remote_start_first_authorize_remote) {
  StartStation();
  Set("AuthorizeRemoteTxRequests", "true");
  ClearFrames();
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"Authorize", "StatusNotification", "StartTransaction", "StatusNotification"}));
}

TEST_F(CoreRemote, tc011_2_remote_start_timeout) {
  StartStation();
  Set("ConnectionTimeOut", "10");
  ClearFrames();
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  const std::int64_t t0 = EpochSeconds(LastPayload("StatusNotification"));
  Advance(Seconds(9));
  EXPECT_EQ(LastStatus(1), "Preparing");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(EpochSeconds(LastPayload("StatusNotification")), t0 + 10);
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "StatusNotification"}));
  // The authorization is gone: plugging in now starts nothing.
  Do("cp C");
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
}

TEST_F(CoreRemote, tc012_remote_stop) {
  StartStation();
  const int tx = StartCharging();
  const int meter_start = LastPayload("StartTransaction")["meterStart"].GetInt();
  Advance(Seconds(10));
  ClearFrames();
  EXPECT_EQ(RemoteStop(tx), RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_FALSE(connector().contactor_commanded_closed());
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(stop["transactionId"], tx);
  EXPECT_EQ(Str(stop, "reason"), "Remote");
  EXPECT_FALSE(Has(stop, "idTag")) << "no tag stopped it";
  EXPECT_EQ(stop["meterStop"].GetInt() - meter_start, 20) << "7.2 kW for 10 s";
  EXPECT_EQ(EpochSeconds(stop), WallSeconds());
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StopTransaction", "StatusNotification", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Finishing", "1:Available"}));
}

TEST_F(CoreRemote, tc026_remote_start_rejected) {
  StartStation();
  Set("LocalPreAuthorize", "false");
  StartCharging();
  ClearFrames();
  EXPECT_EQ(RemoteStart("TAG-0001"), RemoteStartStopStatus::kRejected);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{});
  EXPECT_TRUE(station().transaction_active());
  EXPECT_TRUE(connector().contactor_commanded_closed());
}

TEST_F(CoreRemote, tc027_remote_start_connector_zero) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(RemoteStart("TAG-0001", 0), RemoteStartStopStatus::kRejected);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{});
  // The connector is untouched: a plug-in still only prepares.
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
}

TEST_F(CoreRemote, tc028_remote_stop_rejected) {
  StartStation();
  const int tx = StartCharging();
  ClearFrames();
  EXPECT_EQ(RemoteStop(tx + 1000), RemoteStartStopStatus::kRejected);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{});
  EXPECT_TRUE(station().transaction_active());
  EXPECT_EQ(LastStatus(1), "");  // none since the ClearFrames
}

}  // namespace
}  // namespace ocpp::conformance
