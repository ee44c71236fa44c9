// OCTT charge-point cases of the Core profile: boot and charging sessions.
// Each test follows the steps of the case in docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class Core : public Harness {};

TEST_F(Core, tc001_cold_boot) {
  StartStation();
  EXPECT_EQ(Calls(), (Strings{"BootNotification", "StatusNotification", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"0:Available", "1:Available"}));
  auto boot = LastPayload("BootNotification");
  EXPECT_TRUE(boot.HasMember("chargePointVendor"));
  EXPECT_TRUE(boot.HasMember("chargePointModel"));
  // Heartbeat at the interval from BootNotification.conf (30 s).
  Advance(Seconds(29));
  EXPECT_EQ(CountCalls("Heartbeat"), 0);
  Advance(Seconds(1));
  EXPECT_TRUE(WaitForCall("Heartbeat", 1));
  Advance(Seconds(30));
  EXPECT_TRUE(WaitForCall("Heartbeat", 2));
}

// TC_001 as the checklist gives it: Rejected first (interval 10), then
// Accepted with interval 10.
TEST_F(Core, tc001_cold_boot_rejected_first) {
  RejectBoot(v16::RegistrationStatus::kRejected, 10);
  StartStation({}, /*wait_for_boot=*/false);
  ASSERT_TRUE(WaitForCall("BootNotification"));
  Settle();
  // While Rejected the station answers no CALL (section 4.2) ...
  bool answered = false;
  csms().Call(v16::GetConfigurationReq{},
              [&](runtime::CallOutcome<v16::GetConfigurationConf>) { answered = true; });
  // ... and sends nothing for the interval.
  Advance(Seconds(9));
  EXPECT_FALSE(answered);
  EXPECT_EQ(Calls(), (Strings{"BootNotification"}));
  RejectBoot(v16::RegistrationStatus::kAccepted, 10);
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForCall("BootNotification", 2));
  ASSERT_TRUE(WaitForCall("StatusNotification", 2));
  EXPECT_EQ(Statuses(), (Strings{"0:Available", "1:Available"}));
  Advance(Seconds(10));
  EXPECT_TRUE(WaitForCall("Heartbeat", 1));
  Advance(Seconds(10));
  EXPECT_TRUE(WaitForCall("Heartbeat", 2));
}

TEST_F(Core, tc002_cold_boot_pending) {
  RejectBoot(v16::RegistrationStatus::kPending, 10);
  StartStation({}, /*wait_for_boot=*/false);
  ASSERT_TRUE(WaitForCall("BootNotification"));
  Settle();
  // During Pending the central system may configure the station.
  v16::GetConfigurationReq get;
  auto conf = CsmsCall(get);
  ASSERT_TRUE(conf.configuration_key);
  v16::ChangeConfigurationReq change{*codec::CiString<50>::From("HeartbeatInterval"),
                                     *codec::CiString<500>::From("20")};
  EXPECT_EQ(CsmsCall(change).status, v16::ConfigurationStatus::kAccepted);
  EXPECT_EQ(Calls(), (Strings{"BootNotification"})) << "nothing else before Accepted";
  RejectBoot(v16::RegistrationStatus::kAccepted, 20);
  Advance(Seconds(10));
  ASSERT_TRUE(WaitForCall("BootNotification", 2));
  ASSERT_TRUE(WaitForCall("StatusNotification", 2));
  Advance(Seconds(20));
  EXPECT_TRUE(WaitForCall("Heartbeat", 1));
}

TEST_F(Core, tc003_regular_session_plugin_first) {
  StartStation();
  ClearFrames();
  Do("cp B");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_TRUE(connector().contactor_commanded_closed());
  Advance(Seconds(60));
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_FALSE(connector().contactor_commanded_closed());
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "Authorize", "StartTransaction",
                                    "StatusNotification", "StatusNotification", "StopTransaction",
                                    "StatusNotification", "StatusNotification"}));
  auto start = LastPayload("StartTransaction");
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(std::string(start["idTag"].GetString()), "TAG-0001");
  EXPECT_EQ(stop["transactionId"], 1);
  EXPECT_EQ(stop["meterStop"].GetInt() - start["meterStart"].GetInt(), 120) << "7.2 kW for 60 s";
}

TEST_F(Core, tc004_1_regular_session_identification_first) {
  StartStation();
  ClearFrames();
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  ASSERT_TRUE(WaitForCall("Authorize"));
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  // Authorize.conf Accepted, then Preparing (checklist 1.4).
  EXPECT_EQ(Calls(),
            (Strings{"Authorize", "StatusNotification", "StartTransaction", "StatusNotification"}));
}

TEST_F(Core, tc004_2_identification_first_connection_timeout) {
  StartStation();
  ClearFrames();
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Advance(Seconds(59));
  EXPECT_EQ(LastStatus(1), "Preparing");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  Do("cp C");
  Settle();
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
}

TEST_F(Core, tc068_stop_with_same_idtag) {
  StartStation();
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ClearFrames();
  // Another card, no parentIdTag known: no Authorize, no stop (rule A4);
  // with a free second connector it is authorized for that one instead.
  const Strings authorize = connectors() == 1 ? Strings{} : Strings{"Authorize"};
  Do("rfid TAG-0002");
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), authorize);
  EXPECT_TRUE(station().transaction_active());
  Do("rfid tag-0001");  // case-insensitive: the same card
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_EQ(CountCalls("Authorize"), static_cast<int>(authorize.size()))
      << "no Authorize for the starting idTag";
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(stop["transactionId"], 1);
  EXPECT_EQ(Str(stop, "reason"), "Local");
  EXPECT_EQ(Str(stop, "idTag"), "tag-0001") << "the card that stopped it";
  Strings expected = authorize;
  expected.insert(expected.end(), {"StopTransaction", "StatusNotification"});
  EXPECT_EQ(CallsExcept(), expected);
}

TEST_F(Core, tc069_stop_with_same_parent_idtag) {
  csms().Handle<Action::kAuthorize>(
      [](const v16::AuthorizeReq&) -> runtime::HandlerResult<v16::AuthorizeConf> {
        v16::AuthorizeConf conf;
        conf.id_tag_info.status = v16::AuthorizationStatus::kAccepted;
        conf.id_tag_info.parent_id_tag = *codec::CiString<20>::From("FLEET-1");
        return conf;
      });
  StartStation();
  Do("cp C");
  Do("rfid DRIVER-A");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ClearFrames();
  Do("rfid DRIVER-B");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(Calls().front(), "Authorize");
  EXPECT_EQ(std::string(LastPayload("StopTransaction")["idTag"].GetString()), "DRIVER-B");
}

TEST_F(Core, tc005_2_ev_disconnect_stop_tx_no_unlock) {
  StartStation();
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ClearFrames();
  Do("cp A");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(std::string(LastPayload("StopTransaction")["reason"].GetString()), "EVDisconnected");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_FALSE(connector().contactor_commanded_closed());
  v16::UnlockConnectorReq unlock{1};
  EXPECT_EQ(CsmsCall(unlock).status, v16::UnlockStatus::kNotSupported);
}

TEST_F(Core, tc005_3_ev_disconnect_keep_tx) {
  StartStation({{"StopTransactionOnEVSideDisconnect", "false"}});
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  ClearFrames();
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "SuspendedEV"));
  EXPECT_EQ(CountCalls("StopTransaction"), 0);
  EXPECT_FALSE(connector().contactor_commanded_closed());
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_TRUE(station().transaction_active());
}

}  // namespace
}  // namespace ocpp::conformance
