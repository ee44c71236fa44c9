// The trigger rules on fakes: what may be triggered before the central
// system accepted the station, connectors that do not exist, connector 0 for
// MeterValues, and every message going out after the TriggerMessage.conf.
#include "station/remote_trigger.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using testing::Field;
using testing::ModuleEnv;

class RemoteTriggerTest : public ::testing::Test {
 protected:
  RemoteTriggerTest() : hw_(2), reporter_(env_.context(), 2, nullptr) {
    EXPECT_CALL(hw_.hardware().mock_info, ReadSystemInfo())
        .WillRepeatedly(::testing::Return(hal::SystemInfo{}));
    connectors_ = std::make_unique<Connectors>(env_.context(), hw_.hardware(), reporter_);
    outbox_ = std::move(*Outbox::Open(env_.context(), env_.storage(), nullptr));
    metering_ = std::make_unique<Metering>(env_.context(), *connectors_, transactions_, *outbox_);
    registration_ =
        std::make_unique<Registration>(env_.context(), hw_.hardware().mock_info, [](bool) {});
    trigger_ =
        std::make_unique<RemoteTrigger>(env_.context(), 2, *registration_, reporter_, *metering_);
    for (const char* action : {"StatusNotification", "MeterValues", "Heartbeat",
                               "DiagnosticsStatusNotification", "FirmwareStatusNotification"}) {
      env_.AutoAnswer(action, "{}");
    }
  }
  std::string Trigger(const std::string& payload) {
    env_.ClearCalls();
    const std::string status = Field(env_.CsmsCallPayload("TriggerMessage", payload), "status");
    env_.Run();
    return status;
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  testing::FakeTransactions transactions_;
  StatusReporter reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Metering> metering_;
  std::unique_ptr<Registration> registration_;
  std::unique_ptr<RemoteTrigger> trigger_;
};

TEST_F(RemoteTriggerTest, BeforeAcceptanceOnlyBootNotification) {
  env_.Connect();  // connected, not registered
  EXPECT_EQ(Trigger(R"({"requestedMessage":"Heartbeat"})"), "Rejected");
  EXPECT_EQ(Trigger(R"({"requestedMessage":"StatusNotification"})"), "Rejected");
  EXPECT_TRUE(env_.calls().empty());
  EXPECT_EQ(Trigger(R"({"requestedMessage":"BootNotification"})"), "Accepted");
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"BootNotification"});
}

TEST_F(RemoteTriggerTest, ConnectorsThatDoNotExistAreRejected) {
  env_.GoOnline();
  EXPECT_EQ(Trigger(R"({"requestedMessage":"StatusNotification","connectorId":3})"), "Rejected");
  EXPECT_EQ(Trigger(R"({"requestedMessage":"MeterValues","connectorId":0})"), "Rejected");
  EXPECT_TRUE(env_.calls().empty());
  // Not relevant to a Heartbeat: ignored, the Heartbeat is sent (5.17).
  EXPECT_EQ(Trigger(R"({"requestedMessage":"Heartbeat","connectorId":9})"), "Accepted");
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"Heartbeat"});
}

TEST_F(RemoteTriggerTest, EachMessageGoesOutForTheConnectorsItConcerns) {
  env_.GoOnline();
  EXPECT_EQ(Trigger(R"({"requestedMessage":"StatusNotification"})"), "Accepted");
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"0:Available", "1:Available", "2:Available"}));
  EXPECT_EQ(Trigger(R"({"requestedMessage":"StatusNotification","connectorId":2})"), "Accepted");
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"2:Available"});
  EXPECT_EQ(Trigger(R"({"requestedMessage":"MeterValues"})"), "Accepted");
  EXPECT_EQ(env_.Actions(), (std::vector<std::string>{"MeterValues", "MeterValues"}));
  EXPECT_EQ(Field(env_.calls()[0].payload, "connectorId"), "1");
  EXPECT_EQ(Trigger(R"({"requestedMessage":"Heartbeat","connectorId":1})"), "Accepted")
      << "the connector is ignored where it does not matter";
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"Heartbeat"});
  EXPECT_EQ(Trigger(R"({"requestedMessage":"FirmwareStatusNotification"})"), "Accepted");
  EXPECT_EQ(Field(env_.calls()[0].payload, "status"), "Idle");
}

}  // namespace
}  // namespace ocpp::station
