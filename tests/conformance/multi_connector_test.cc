// Several connectors working at once (OCPP 1.6 sections 3.2, 4.9, 5.2, 5.11;
// the tag routing of ../shared/docs/station-sim-interface.md "Several
// connectors"), and the defects found by testing from outside that involve
// them: each case names the issue item it guards.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class MultiConnector : public Harness {
 protected:
  void SetUp() override { UseConnectors(2); }

  // The StatusNotifications of connector `c`, in order.
  Strings StatusesOf(int c) const {
    Strings out;
    const std::string prefix = std::to_string(c) + ":";
    for (const auto& s : AllStatuses()) {
      if (s.rfind(prefix, 0) == 0) out.push_back(s.substr(prefix.size()));
    }
    return out;
  }
  // The last StartTransaction/StopTransaction payload for connector `c`.
  int StartedOn(int c) const {
    int n = 0;
    for (const auto& p : Payloads("StartTransaction")) n += p["connectorId"].GetInt() == c;
    return n;
  }
};

TEST_F(MultiConnector, boot_reports_every_connector_and_number_of_connectors) {
  StartStation();
  ASSERT_TRUE(WaitUntil([&] { return AllStatuses().size() >= 3; }));
  EXPECT_EQ(AllStatuses(), (Strings{"0:Available", "1:Available", "2:Available"}));
  EXPECT_EQ(GetConfig("NumberOfConnectors"), "2");
}

TEST_F(MultiConnector, two_concurrent_transactions_each_with_its_own_id) {
  StartStation();
  Do("cp C 2");
  Do("rfid TAG-A");  // the plugged-in connector gets it
  ASSERT_TRUE(WaitForStatus(2, "Charging"));
  Do("cp C 1");
  Do("rfid TAG-B");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(StartedOn(2), 1);
  EXPECT_EQ(StartedOn(1), 1);
  const auto id1 = station().csms_transaction_id(1);
  const auto id2 = station().csms_transaction_id(2);
  ASSERT_TRUE(id1 && id2);
  EXPECT_NE(*id1, *id2);
  Set("MeterValueSampleInterval", "10");
  Advance(Seconds(10));
  ASSERT_TRUE(WaitUntil([&] { return CountCalls("MeterValues") >= 2; }));
  for (const auto& mv : Payloads("MeterValues")) {
    const int c = mv["connectorId"].GetInt();
    EXPECT_EQ(mv["transactionId"].GetInt64(), c == 1 ? *id1 : *id2);
  }
  Do("rfid TAG-A");  // stops connector 2's only
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(LastPayload("StopTransaction")["transactionId"].GetInt64(), *id2);
  ASSERT_TRUE(WaitForStatus(2, "Finishing"));
  EXPECT_EQ(LastStatus(1), "Charging");
  EXPECT_TRUE(station().transaction_active(1));
}

TEST_F(MultiConnector, a_tag_waits_for_whichever_connector_is_plugged_in_first) {
  StartStation();
  Do("rfid TAG-A");
  ASSERT_TRUE(WaitForCall("Authorize"));
  ASSERT_TRUE(WaitForStatus(1, "Preparing")) << "shown on the first free connector";
  Do("cp B 2");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  EXPECT_EQ(StartedOn(2), 1);
  EXPECT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_FALSE(station().transaction_active(1));
}

TEST_F(MultiConnector, remote_start_without_connector_picks_the_plugged_one) {
  StartStation();
  Do("cp B 2");
  ASSERT_TRUE(WaitForStatus(2, "Preparing"));
  EXPECT_EQ(RemoteStart("TAG-R", std::nullopt), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  EXPECT_EQ(StartedOn(2), 1);
  // A connector that does not exist is refused.
  EXPECT_EQ(RemoteStart("TAG-R", 3), v16::RemoteStartStopStatus::kRejected);
  // A remote stop by id ends exactly that transaction.
  ASSERT_TRUE(WaitUntil([&] { return station().csms_transaction_id(2).has_value(); }));
  EXPECT_EQ(RemoteStop(static_cast<int>(*station().csms_transaction_id(2))),
            v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(Str(LastPayload("StopTransaction"), "reason"), "Remote");
}

// Issue 7, defect 1: a scheduled Inoperative for connector 1 takes only
// connector 1 out of service, and Operative brings it back.
TEST_F(MultiConnector, connector_inoperative_then_operative_leaves_connector_zero_alone) {
  StartStation();
  Do("cp C 1");
  Do("rfid TAG-A");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ClearFrames();
  EXPECT_EQ(CsmsCall(v16::ChangeAvailabilityReq{1, v16::AvailabilityType::kInoperative}).status,
            v16::AvailabilityStatus::kScheduled);
  Do("rfid TAG-A");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Do("cp A 1");
  ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
  EXPECT_EQ(StatusesOf(0), Strings{}) << "connector 0 stays Available";
  EXPECT_EQ(StatusesOf(2), Strings{});
  EXPECT_EQ(CsmsCall(v16::ChangeAvailabilityReq{1, v16::AvailabilityType::kOperative}).status,
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  Do("cp C 1");
  Do("rfid TAG-B");
  EXPECT_TRUE(WaitForStatus(1, "Charging")) << "back in service";
}

TEST_F(MultiConnector, station_inoperative_schedules_busy_connectors_only) {
  StartStation();
  Do("cp C 1");
  Do("rfid TAG-A");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CsmsCall(v16::ChangeAvailabilityReq{0, v16::AvailabilityType::kInoperative}).status,
            v16::AvailabilityStatus::kScheduled);
  ASSERT_TRUE(WaitForStatus(2, "Unavailable")) << "the idle connector at once";
  EXPECT_EQ(LastStatus(1), "Charging");
  Do("rfid TAG-A");
  Do("cp A 1");
  ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
  EXPECT_TRUE(WaitForStatus(0, "Unavailable")) << "the station follows the last connector";
}

// Issue 7, defect 2: an Authorize answered with a CALLERROR is a refusal,
// not "offline": no transaction even with AllowOfflineTxForUnknownId=true.
TEST_F(MultiConnector, authorize_callerror_is_not_offline) {
  csms().Handle<Action::kAuthorize>(
      [](const v16::AuthorizeReq&) -> runtime::HandlerResult<v16::AuthorizeConf> {
        return runtime::CallError{codec::RpcErrorCode::kInternalError, "backend down"};
      });
  StartStation();
  EXPECT_EQ(GetConfig("AllowOfflineTxForUnknownId"), "true");
  Do("cp C 1");
  Do("rfid UNKNOWN-1");
  ASSERT_TRUE(WaitForCall("Authorize"));
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
  EXPECT_FALSE(station().transaction_active(1));
  EXPECT_FALSE(connector(1).contactor_commanded_closed());
}

// A station-wide fault (fault CODE 0) makes every connector Faulted.
TEST_F(MultiConnector, station_fault_faults_every_connector) {
  StartStation();
  Do("fault InternalError 0");
  ASSERT_TRUE(WaitForStatus(0, "Faulted"));
  EXPECT_TRUE(WaitForStatus(1, "Faulted"));
  EXPECT_TRUE(WaitForStatus(2, "Faulted"));
  Do("fault NoError 0");
  EXPECT_TRUE(WaitForStatus(2, "Available"));
}

// A connector-0 reservation keeps one connector free for its holder (5.13):
// with two free connectors nothing is Reserved; once someone else takes one,
// the other is Reserved and only the holder starts there.
TEST_F(MultiConnector, connector_zero_reservation_keeps_one_connector_for_the_holder) {
  StartStation();
  v16::ReserveNowReq req;
  req.connector_id = 0;
  req.expiry_date = codec::DateTime::FromUnixMillis((WallSeconds() + 3600) * 1000);
  req.id_tag = *codec::CiString<20>::From("HOLDER");
  req.reservation_id = 77;
  EXPECT_EQ(CsmsCall(req).status, v16::ReservationStatus::kAccepted);
  Settle();
  EXPECT_EQ(StatusesOf(1), (Strings{"Available"}));
  EXPECT_EQ(StatusesOf(2), (Strings{"Available"}));
  Do("cp C 1");
  Do("rfid OTHER-1");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ASSERT_TRUE(WaitForStatus(2, "Reserved"));
  EXPECT_FALSE(Has(LastPayload("StartTransaction"), "reservationId"));
  Do("cp C 2");
  Do("rfid OTHER-2");
  Settle();
  EXPECT_EQ(StatusesOf(2).back(), "Reserved") << "kept for the holder";
  EXPECT_EQ(StartedOn(2), 0);
  Do("rfid HOLDER");
  ASSERT_TRUE(WaitForStatus(2, "Charging"));
  EXPECT_EQ(LastPayload("StartTransaction")["reservationId"], 77);
  EXPECT_EQ(CsmsCall(v16::CancelReservationReq{77}).status, v16::CancelReservationStatus::kRejected)
      << "used";
}

}  // namespace
}  // namespace ocpp::conformance
