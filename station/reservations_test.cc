// The reservation rules over two fake connectors and in-memory storage:
// ReserveNow's answers, who may use a reserved connector (idTag and
// parentIdTag), connector 0 keeping one connector free, replacement by id,
// persistence and expiry across a restart, storage failures.
#include "station/reservations.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using hal::PilotState;
using testing::Field;
using testing::ModuleEnv;

class ReservationsTest : public ::testing::Test {
 protected:
  ReservationsTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    connectors_->Attach({});
    env_.GoOnline();
    env_.AutoAnswer("StatusNotification", "{}");
    Build();
  }
  void Build() {
    connectors_->SetReservations(nullptr);
    reservations_.reset();
    reservations_ = std::make_unique<Reservations>(env_.context(), *connectors_);
    connectors_->SetReservations(reservations_.get());
    Refresh();
  }
  void Refresh() {
    connectors_->Refresh();
    env_.Run();
  }
  std::string Reserve(int connector, std::int64_t id, const std::string& tag,
                      const std::string& parent = "", int seconds = 3600) {
    const std::string expiry =
        codec::DateTime::FromUnixMillis(env_.context().Now().unix_millis() + seconds * 1000)
            .ToString();
    std::string payload = R"({"connectorId":)" + std::to_string(connector) + R"(,"expiryDate":")" +
                          expiry + R"(","idTag":")" + tag + R"(","reservationId":)" +
                          std::to_string(id);
    if (!parent.empty()) payload += R"(,"parentIdTag":")" + parent + R"(")";
    payload += "}";
    std::string status = Field(env_.CsmsCallPayload("ReserveNow", payload), "status");
    env_.Run();
    return status;
  }
  bool MayUse(int c, const std::string& tag, std::optional<std::string> parent = {},
              std::optional<std::int64_t>* id = nullptr) {
    std::optional<std::int64_t> ignored;
    return reservations_->MayUse(c, tag, parent, id ? id : &ignored);
  }
  v16::ChargePointStatus Status(int c) { return connectors_->status(c); }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Reservations> reservations_;
};

TEST_F(ReservationsTest, AReservedConnectorAdmitsItsHolderOnly) {
  EXPECT_EQ(Reserve(1, 5, "HOLDER", "GROUP"), "Accepted");
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kReserved);
  EXPECT_EQ(Status(2), v16::ChargePointStatus::kAvailable);
  std::optional<std::int64_t> id;
  EXPECT_TRUE(MayUse(1, "holder", std::nullopt, &id)) << "idTags compare case-insensitively";
  EXPECT_EQ(id, 5);
  EXPECT_TRUE(MayUse(1, "OTHER", "GROUP")) << "the same parentIdTag";
  EXPECT_TRUE(MayUse(1, "GROUP")) << "the parent itself";
  EXPECT_FALSE(MayUse(1, "OTHER"));
  EXPECT_FALSE(MayUse(1, "OTHER", "ELSE"));
  EXPECT_TRUE(MayUse(2, "OTHER", std::nullopt, &id));
  EXPECT_EQ(id, std::nullopt) << "not a reservation's session";
  hw_.SetPilot(1, PilotState::kB);  // someone plugs in: still Reserved (G2)
  Refresh();
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kReserved);
}

TEST_F(ReservationsTest, ReserveNowAnswersFromTheConnectorsState) {
  EXPECT_EQ(Reserve(3, 1, "T"), "Rejected") << "no connector 3";
  hw_.SetFault(2, hal::Fault::kGroundFailure);
  Refresh();
  EXPECT_EQ(Reserve(2, 1, "T"), "Faulted");
  hw_.SetPilot(1, PilotState::kB);
  Refresh();
  EXPECT_EQ(Reserve(1, 1, "T"), "Occupied");
  hw_.SetPilot(1, PilotState::kA);
  connectors_->facts(1).operative = false;
  Refresh();
  EXPECT_EQ(Reserve(1, 1, "T"), "Unavailable");
  connectors_->facts(1).operative = true;
  Refresh();
  EXPECT_EQ(Reserve(1, 1, "T", "", -5), "Rejected") << "expiryDate has passed";
  EXPECT_EQ(Reserve(1, 1, "T"), "Accepted");
  EXPECT_EQ(Reserve(1, 2, "U"), "Occupied") << "reserved for another";
  EXPECT_EQ(Reserve(0, 3, "U"), "Occupied") << "no free connector left for connector 0";
  hw_.SetFault(0, hal::Fault::kInternalError);
  Refresh();
  EXPECT_EQ(Reserve(0, 3, "U"), "Faulted");
}

TEST_F(ReservationsTest, ConnectorZeroKeepsOneConnectorFree) {
  EXPECT_EQ(Reserve(0, 9, "HOLDER"), "Accepted");
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kAvailable) << "two free for one holder";
  EXPECT_TRUE(MayUse(1, "OTHER"));
  connectors_->facts(1).transaction = true;  // someone else charges on 1
  Refresh();
  EXPECT_EQ(Status(2), v16::ChargePointStatus::kReserved);
  EXPECT_FALSE(MayUse(2, "OTHER"));
  std::optional<std::int64_t> id;
  EXPECT_TRUE(MayUse(2, "HOLDER", std::nullopt, &id));
  EXPECT_EQ(id, 9);
  EXPECT_EQ(Reserve(0, 10, "SECOND"), "Occupied") << "the last one is held already";
}

TEST_F(ReservationsTest, TheSameIdReplacesAndARefusedReplacementKeepsTheOld) {
  EXPECT_EQ(Reserve(1, 4, "FIRST"), "Accepted");
  EXPECT_EQ(Reserve(1, 4, "SECOND"), "Accepted") << "replaced on its own connector";
  EXPECT_FALSE(MayUse(1, "FIRST"));
  EXPECT_TRUE(MayUse(1, "SECOND"));
  hw_.SetPilot(2, PilotState::kB);
  Refresh();
  EXPECT_EQ(Reserve(2, 4, "THIRD"), "Occupied");
  EXPECT_TRUE(MayUse(1, "SECOND")) << "the refused replacement changed nothing";
  ASSERT_EQ(reservations_->active().size(), 1u);
}

TEST_F(ReservationsTest, PersistedAcrossARestartAndExpiredWhileOff) {
  EXPECT_EQ(Reserve(1, 1, "LONG", "", 3600), "Accepted");
  EXPECT_EQ(Reserve(2, 2, "SHORT", "", 60), "Accepted");
  env_.loop().fake_clock().Advance(std::chrono::seconds(120));  // the station was off
  Build();
  ASSERT_EQ(reservations_->active().size(), 1u);
  EXPECT_EQ(reservations_->active().begin()->second.id_tag, "LONG");
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kReserved);
  EXPECT_EQ(Status(2), v16::ChargePointStatus::kAvailable);
  EXPECT_EQ(env_.storage().List("station/reservation/")->size(), 1u);
  env_.Run(Milliseconds(3600'000));
  EXPECT_TRUE(reservations_->active().empty()) << "expired on the timer";
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kAvailable);
}

TEST_F(ReservationsTest, NotPersistedNotAccepted) {
  env_.storage().FailNextWrites(1);
  EXPECT_EQ(Reserve(1, 1, "T"), "Rejected");
  EXPECT_TRUE(reservations_->active().empty());
  EXPECT_EQ(Status(1), v16::ChargePointStatus::kAvailable);
}

TEST_F(ReservationsTest, UsedOrFaultedEndsTheReservation) {
  EXPECT_EQ(Reserve(1, 1, "T"), "Accepted");
  EXPECT_EQ(Reserve(2, 2, "U"), "Accepted");
  reservations_->Consume(1);
  Refresh();
  EXPECT_EQ(reservations_->active().count(1), 0u);
  hw_.SetFault(2, hal::Fault::kGroundFailure);
  Refresh();
  EXPECT_TRUE(reservations_->active().empty());
  EXPECT_TRUE(env_.storage().List("station/reservation/")->empty());
}

}  // namespace
}  // namespace ocpp::station
