// OCTT charge-point cases of the Remote Trigger profile (TC_054, TC_055),
// plus what section 5.17 says beyond them: the conf goes first, no
// connectorId means every connector, triggered MeterValues carry every
// measurand of MeterValuesSampledData with context Trigger and the
// transaction's id.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::MessageTrigger;
using v16::TriggerMessageStatus;

class RemoteTrigger : public Harness {
 protected:
  TriggerMessageStatus Trigger(MessageTrigger message, std::optional<int> connector = {}) {
    const auto status = CsmsCall(v16::TriggerMessageReq{message, connector}).status;
    Settle();
    return status;
  }
  // Index of the first frame the station sent that starts with `prefix`.
  int SentIndex(const std::string& needle) {
    const auto& frames = csms().frames();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (frames[i].dir == runtime::TraceDirection::kReceived &&
          frames[i].text.find(needle) != std::string::npos) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
};

TEST_F(RemoteTrigger, tc054_trigger_message) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Trigger(MessageTrigger::kMeterValues, 1), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("MeterValues"));
  EXPECT_LT(SentIndex("\"Accepted\""), SentIndex("\"MeterValues\"")) << "the conf goes first";
  auto mv = LastPayload("MeterValues");
  EXPECT_EQ(mv["connectorId"], 1);
  EXPECT_EQ(Str(mv["meterValue"][0]["sampledValue"][0], "context"), "Trigger");

  EXPECT_EQ(Trigger(MessageTrigger::kHeartbeat), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("Heartbeat"));

  EXPECT_EQ(Trigger(MessageTrigger::kStatusNotification, 1), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StatusNotification"));
  EXPECT_EQ(Statuses(), (Strings{"1:Available"})) << "sent although nothing changed";

  EXPECT_EQ(Trigger(MessageTrigger::kDiagnosticsStatusNotification),
            TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("DiagnosticsStatusNotification"));
  EXPECT_EQ(Str(LastPayload("DiagnosticsStatusNotification"), "status"), "Idle");

  EXPECT_EQ(Trigger(MessageTrigger::kFirmwareStatusNotification), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("FirmwareStatusNotification"));
  EXPECT_EQ(Str(LastPayload("FirmwareStatusNotification"), "status"), "Idle");
}

TEST_F(RemoteTrigger, tc055_trigger_message_rejected) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Trigger(MessageTrigger::kMeterValues, connectors() + 1),
            TriggerMessageStatus::kRejected);
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("MeterValues"), 0) << "nothing is sent";
}

// No connectorId: a StatusNotification for the station and each connector.
TEST_F(RemoteTrigger, status_notification_without_connector_reports_every_connector) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Trigger(MessageTrigger::kStatusNotification), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(
      WaitUntil([&] { return static_cast<int>(AllStatuses().size()) == connectors() + 1; }));
  Strings expected{"0:Available"};
  for (int c = 1; c <= connectors(); ++c) expected.push_back(std::to_string(c) + ":Available");
  EXPECT_EQ(AllStatuses(), expected);
}

// During a transaction: its id, every configured measurand, context Trigger.
TEST_F(RemoteTrigger, meter_values_during_a_transaction) {
  StartStation();
  Set("MeterValuesSampledData", "Energy.Active.Import.Register,Current.Offered");
  const int tx = StartCharging();
  Advance(Seconds(30));
  ClearFrames();
  EXPECT_EQ(Trigger(MessageTrigger::kMeterValues), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("MeterValues"));
  auto mv = LastPayload("MeterValues");
  EXPECT_EQ(mv["transactionId"], tx);
  const auto& values = mv["meterValue"][0]["sampledValue"];
  ASSERT_EQ(values.Size(), 2u);
  EXPECT_EQ(Str(values[0], "measurand"), "Energy.Active.Import.Register");
  EXPECT_EQ(Str(values[0], "context"), "Trigger");
  EXPECT_EQ(Str(values[1], "measurand"), "Current.Offered");
  EXPECT_EQ(Str(values[1], "value"), "32");
  const Strings all = AllCalls();  // Calls() hides the idle connector's
  EXPECT_EQ(std::count(all.begin(), all.end(), "MeterValues"), connectors()) << "one per connector";
}

// MeterValues of connector 0 would be a main meter the station lacks.
TEST_F(RemoteTrigger, meter_values_of_connector_zero_are_rejected) {
  StartStation();
  EXPECT_EQ(Trigger(MessageTrigger::kMeterValues, 0), TriggerMessageStatus::kRejected);
}

// A BootNotification on request (e.g. a central system that answered
// Pending wants the station to try now).
TEST_F(RemoteTrigger, boot_notification_on_request) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Trigger(MessageTrigger::kBootNotification), TriggerMessageStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("BootNotification"));
  EXPECT_TRUE(station().registered());
}

}  // namespace
}  // namespace ocpp::conformance
