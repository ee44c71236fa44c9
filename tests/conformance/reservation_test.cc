// OCTT charge-point cases of the Reservation profile (TC_046_1, TC_046_2,
// TC_047, TC_048_1-3, TC_049, TC_050_1-3, TC_051, TC_052, TC_053), plus
// reservations across a power cut and replacing a reservation by its id.
// The cases' "SetConnectorUnavailable for all unused connectors" makes
// connector 2 (of the 2-connector run) Unavailable where they ask for it.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::ReservationStatus;

class ReservationCases : public Harness {
 protected:
  v16::ReserveNowReq Reservation(int connector, std::int64_t id,
                                 const std::string& tag = "TAG-0001", int seconds = 3600) {
    v16::ReserveNowReq req;
    req.connector_id = connector;
    req.expiry_date = codec::DateTime::FromUnixMillis((WallSeconds() + seconds) * 1000);
    req.id_tag = *codec::CiString<20>::From(tag);
    req.reservation_id = id;
    return req;
  }
  ReservationStatus Reserve(const v16::ReserveNowReq& req) { return CsmsCall(req).status; }
  v16::CancelReservationStatus Cancel(std::int64_t id) {
    return CsmsCall(v16::CancelReservationReq{id}).status;
  }
  v16::AvailabilityStatus ChangeAvailability(int connector, v16::AvailabilityType type) {
    return CsmsCall(v16::ChangeAvailabilityReq{connector, type}).status;
  }
  // "SetConnectorUnavailable for all unused connectors".
  void OtherConnectorsUnavailable() {
    for (int c = 2; c <= connectors(); ++c) {
      EXPECT_EQ(ChangeAvailability(c, v16::AvailabilityType::kInoperative),
                v16::AvailabilityStatus::kAccepted);
    }
    Settle();
  }
  std::optional<std::int64_t> StartReservationId() {
    auto start = LastPayload("StartTransaction");
    if (!Has(start, "reservationId")) return std::nullopt;
    return start["reservationId"].GetInt64();
  }
};

TEST_F(ReservationCases, tc046_1_reserve_connector_local_start) {
  StartStation();
  OtherConnectorsUnavailable();
  ClearFrames();
  EXPECT_EQ(Reserve(Reservation(1, 11)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  // Another card: not on the reserved connector.
  Do("rfid TAG-OTHER");
  Settle();
  EXPECT_EQ(LastStatus(1), "Reserved");
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0001");
  EXPECT_EQ(StartReservationId(), 11);
  EXPECT_EQ(Statuses(), (Strings{"1:Reserved", "1:Preparing", "1:Charging"}));
  EXPECT_EQ(Cancel(11), v16::CancelReservationStatus::kRejected) << "it ended with the start";
}

TEST_F(ReservationCases, tc046_2_reserve_connector_remote_start) {
  StartStation();
  EXPECT_EQ(Reserve(Reservation(1, 12)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  EXPECT_EQ(RemoteStart("TAG-OTHER"), v16::RemoteStartStopStatus::kRejected)
      << "someone else's remote start on the reserved connector";
  // Plugging in is not the reservation's identity (G2): still Reserved.
  Do("cp C");
  Settle();
  EXPECT_EQ(LastStatus(1), "Reserved");
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0001");
  EXPECT_EQ(StartReservationId(), 12);
}

TEST_F(ReservationCases, tc047_reservation_expires) {
  StartStation();
  OtherConnectorsUnavailable();
  ClearFrames();
  EXPECT_EQ(Reserve(Reservation(1, 13, "TAG-0001", 60)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  Advance(Seconds(59));
  EXPECT_EQ(LastStatus(1), "Reserved");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  // Another tag may charge now, without a reservationId.
  StartCharging("TAG-0002");
  EXPECT_EQ(StartReservationId(), std::nullopt);
}

TEST_F(ReservationCases, tc048_1_reserve_connector_faulted) {
  StartStation();
  Do("fault GroundFailure");
  ASSERT_TRUE(WaitForStatus(1, "Faulted"));
  EXPECT_EQ(Reserve(Reservation(1, 14)), ReservationStatus::kFaulted);
  Do("fault NoError");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
}

TEST_F(ReservationCases, tc048_2_reserve_connector_occupied) {
  StartStation();
  Do("cp B");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(Reserve(Reservation(1, 15)), ReservationStatus::kOccupied);
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(Reserve(Reservation(1, 15)), ReservationStatus::kAccepted);
  EXPECT_EQ(Reserve(Reservation(1, 16, "TAG-0002")), ReservationStatus::kOccupied)
      << "already reserved";
}

TEST_F(ReservationCases, tc048_3_reserve_connector_unavailable) {
  StartStation();
  EXPECT_EQ(ChangeAvailability(1, v16::AvailabilityType::kInoperative),
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
  EXPECT_EQ(Reserve(Reservation(1, 17)), ReservationStatus::kUnavailable);
}

TEST_F(ReservationCases, tc049_reserve_charge_point_transaction) {
  StartStation();
  OtherConnectorsUnavailable();
  ClearFrames();
  EXPECT_EQ(GetConfig("ReserveConnectorZeroSupported"), "true");
  EXPECT_EQ(Reserve(Reservation(0, 18)), ReservationStatus::kAccepted);
  // The one connector left is kept for the holder.
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  Do("rfid TAG-OTHER");
  Do("cp C");
  Settle();
  EXPECT_EQ(LastStatus(1), "Reserved") << "neither another card nor the plug starts";
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(StartReservationId(), 18);
}

TEST_F(ReservationCases, tc050_1_reserve_charge_point_faulted) {
  StartStation();
  Do("fault InternalError 0");
  ASSERT_TRUE(WaitForStatus(0, "Faulted"));
  EXPECT_EQ(Reserve(Reservation(0, 19)), ReservationStatus::kFaulted);
}

TEST_F(ReservationCases, tc050_2_reserve_charge_point_occupied) {
  StartStation();
  for (int c = 1; c <= connectors(); ++c) Do("cp B " + std::to_string(c));
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Settle();
  EXPECT_EQ(Reserve(Reservation(0, 20)), ReservationStatus::kOccupied);
}

TEST_F(ReservationCases, tc050_3_reserve_charge_point_unavailable) {
  StartStation();
  EXPECT_EQ(ChangeAvailability(0, v16::AvailabilityType::kInoperative),
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(0, "Unavailable"));
  EXPECT_EQ(Reserve(Reservation(0, 21)), ReservationStatus::kUnavailable);
}

TEST_F(ReservationCases, tc051_cancel_reservation) {
  StartStation();
  EXPECT_EQ(Reserve(Reservation(1, 22)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  EXPECT_EQ(Cancel(22), v16::CancelReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  StartCharging("TAG-0002");
  EXPECT_EQ(StartReservationId(), std::nullopt);
}

TEST_F(ReservationCases, tc052_cancel_reservation_rejected) {
  StartStation();
  EXPECT_EQ(Reserve(Reservation(1, 23)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  EXPECT_EQ(Cancel(24), v16::CancelReservationStatus::kRejected);
  Settle();
  EXPECT_EQ(LastStatus(1), "Reserved") << "no reservation was cancelled";
}

TEST_F(ReservationCases, tc053_reserved_connector_parent_idtag) {
  csms().Handle<Action::kAuthorize>(
      [](const v16::AuthorizeReq&) -> runtime::HandlerResult<v16::AuthorizeConf> {
        v16::AuthorizeConf conf;
        conf.id_tag_info.status = v16::AuthorizationStatus::kAccepted;
        conf.id_tag_info.parent_id_tag = *codec::CiString<20>::From("FLEET-1");
        return conf;
      });
  StartStation();
  OtherConnectorsUnavailable();
  auto req = Reservation(1, 25, "TAG-0001");
  req.parent_id_tag = *codec::CiString<20>::From("FLEET-1");
  EXPECT_EQ(Reserve(req), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  Do("rfid TAG-0002");  // another card of the same group
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0002");
  EXPECT_EQ(StartReservationId(), 25);
}

// Reservations are persisted: a power cut keeps them, and they still
// expire on time; ReserveNow with the same id replaces the old one.
TEST_F(ReservationCases, reservations_survive_a_power_cut_and_are_replaced_by_id) {
  StartStation();
  EXPECT_EQ(Reserve(Reservation(1, 26, "TAG-0001", 600)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  PowerCut();
  StartStation();
  EXPECT_EQ(LastStatus(1), "Reserved");
  // The same id, another tag: replaced (the connector is "reserved" by it).
  EXPECT_EQ(Reserve(Reservation(1, 26, "TAG-0003", 600)), ReservationStatus::kAccepted);
  Settle();
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kRejected);
  Advance(Seconds(600));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(Cancel(26), v16::CancelReservationStatus::kRejected) << "expired";
}

// A reservation ends when its connector becomes Unavailable (section 5.13).
TEST_F(ReservationCases, reservation_ends_when_its_connector_becomes_unavailable) {
  StartStation();
  EXPECT_EQ(Reserve(Reservation(1, 27)), ReservationStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Reserved"));
  EXPECT_EQ(ChangeAvailability(1, v16::AvailabilityType::kInoperative),
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
  EXPECT_EQ(ChangeAvailability(1, v16::AvailabilityType::kOperative),
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(Cancel(27), v16::CancelReservationStatus::kRejected);
}

}  // namespace
}  // namespace ocpp::conformance
