#include "station/connectors/connector_state.h"

#include <gtest/gtest.h>

namespace ocpp::station {
namespace {

using hal::Fault;
using hal::PilotState;
using v16::ChargePointStatus;

ConnectorInputs Charging() {
  ConnectorInputs in;
  in.pilot = PilotState::kC;
  in.transaction = true;
  return in;
}

TEST(ConnectorState, StatusTable) {
  struct Row {
    const char* what;
    ConnectorInputs in;
    ChargePointStatus expected;
  };
  ConnectorInputs idle;
  ConnectorInputs plugged = idle;
  plugged.pilot = PilotState::kB;
  ConnectorInputs waiting = idle;
  waiting.authorization_waiting = true;
  ConnectorInputs finishing = plugged;
  finishing.finishing = true;
  ConnectorInputs ev_paused = Charging();
  ev_paused.pilot = PilotState::kB;
  ConnectorInputs ventilation = Charging();
  ventilation.pilot = PilotState::kD;
  ConnectorInputs invalid = Charging();
  invalid.suspended_evse = true;
  ConnectorInputs both_suspend = invalid;
  both_suspend.pilot = PilotState::kB;
  ConnectorInputs inoperative = idle;
  inoperative.connector_operative = false;
  ConnectorInputs station_off = plugged;
  station_off.station_operative = false;
  ConnectorInputs fault = Charging();
  fault.fault = Fault::kGroundFailure;
  ConnectorInputs warning = Charging();
  warning.fault = Fault::kWeakSignal;
  ConnectorInputs pilot_e = idle;
  pilot_e.pilot = PilotState::kE;
  const Row rows[] = {
      {"idle", idle, ChargePointStatus::kAvailable},
      {"EV plugged, no tag", plugged, ChargePointStatus::kPreparing},
      {"tag accepted, no plug", waiting, ChargePointStatus::kPreparing},
      {"stopped, still plugged", finishing, ChargePointStatus::kFinishing},
      {"charging", Charging(), ChargePointStatus::kCharging},
      {"state D charges like C", ventilation, ChargePointStatus::kCharging},
      {"EV paused (B)", ev_paused, ChargePointStatus::kSuspendedEV},
      {"StartTransaction not accepted", invalid, ChargePointStatus::kSuspendedEVSE},
      {"both suspend: EVSE wins", both_suspend, ChargePointStatus::kSuspendedEVSE},
      {"inoperative", inoperative, ChargePointStatus::kUnavailable},
      // Connector 0's flag alone does not make a connector Unavailable: a
      // change of connector 0 sets every connector's own flag as well.
      {"only the station inoperative", station_off, ChargePointStatus::kPreparing},
      {"fault", fault, ChargePointStatus::kFaulted},
      {"warning keeps charging", warning, ChargePointStatus::kCharging},
      {"pilot E", pilot_e, ChargePointStatus::kFaulted},
  };
  for (const Row& row : rows) EXPECT_EQ(ConnectorStatus(row.in), row.expected) << row.what;
}

TEST(ConnectorState, ContactorClosesOnlyForAnAuthorizedTransactionInCOrD) {
  for (PilotState pilot : {PilotState::kA, PilotState::kB, PilotState::kC, PilotState::kD,
                           PilotState::kE, PilotState::kF}) {
    ConnectorInputs in = Charging();
    in.pilot = pilot;
    EXPECT_EQ(ContactorClosed(in), pilot == PilotState::kC || pilot == PilotState::kD)
        << hal::ToString(pilot);
    in.transaction = false;
    EXPECT_FALSE(ContactorClosed(in)) << "no transaction, " << hal::ToString(pilot);
  }
  ConnectorInputs in = Charging();
  for (auto spoil : {+[](ConnectorInputs& i) { i.suspended_evse = true; },
                     +[](ConnectorInputs& i) { i.connector_operative = false; },
                     +[](ConnectorInputs& i) { i.fault = Fault::kOverCurrentFailure; },
                     +[](ConnectorInputs& i) { i.reset_pending = true; }}) {
    ConnectorInputs spoiled = in;
    spoil(spoiled);
    EXPECT_FALSE(ContactorClosed(spoiled));
    EXPECT_EQ(PwmDutyPermille(spoiled, 320), 1000) << "100 %: no charging allowed";
  }
  EXPECT_EQ(PwmDutyPermille(in, 320), 533) << "32 A";
  EXPECT_EQ(PwmDutyPermille(in, 160), 266) << "16 A";
  EXPECT_EQ(PwmDutyPermille(in, 59), 1000) << "below 6 A";
}

// A limit below 6 A: the pilot offers nothing and a charging EV is
// SuspendedEVSE; the contactor stays as it is (the EV stops drawing at
// 100 %), so charging resumes without switching it when the limit rises.
TEST(ConnectorState, LimitBelowSixAmpsSuspendsByTheEvse) {
  ConnectorInputs in = Charging();
  in.limit_below_minimum = true;
  EXPECT_EQ(ConnectorStatus(in), ChargePointStatus::kSuspendedEVSE);
  EXPECT_EQ(PwmDutyPermille(in, 320), 1000);
  EXPECT_TRUE(ContactorClosed(in));
  in.pilot = PilotState::kB;  // both sides suspend: the EVSE's takes precedence
  EXPECT_EQ(ConnectorStatus(in), ChargePointStatus::kSuspendedEVSE);
  in.pilot = PilotState::kC;
  in.limit_below_minimum = false;
  EXPECT_EQ(ConnectorStatus(in), ChargePointStatus::kCharging);
}

TEST(ConnectorState, ConnectorZeroFaultsOnlyForItsOwnFault) {
  // A connector's GroundFailure is not connector 0's: it is passed nothing
  // but the station's own fault monitor.
  EXPECT_EQ(StationStatus(true, Fault::kNoError), ChargePointStatus::kAvailable);
  EXPECT_EQ(StationStatus(true, Fault::kWeakSignal), ChargePointStatus::kAvailable);
  EXPECT_EQ(StationStatus(true, Fault::kInternalError), ChargePointStatus::kFaulted);
  EXPECT_EQ(StationStatus(false, Fault::kInternalError), ChargePointStatus::kUnavailable);
  EXPECT_EQ(StationStatus(false, Fault::kNoError), ChargePointStatus::kUnavailable);
}

}  // namespace
}  // namespace ocpp::station
