// Registration on a fake central system: BootNotification until Accepted,
// Pending/Rejected intervals, the clock, Heartbeat and reconnects.
#include "station/registration.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using testing::Field;
using testing::ModuleEnv;

constexpr char kAccepted60[] =
    R"({"status":"Accepted","currentTime":"2030-01-01T00:00:00Z","interval":60})";

class RegistrationTest : public ::testing::Test {
 protected:
  RegistrationTest()
      : registration_(env_.context(), hw_.hardware().system_info(),
                      [this](bool boot) { online_.push_back(boot); }) {}

  void ConnectAndBoot() {
    env_.Connect();
    registration_.OnConnected();
    env_.Run();
  }
  int Count(const std::string& action) const {
    return static_cast<int>(env_.CallsOf(action).size());
  }

  ModuleEnv env_;
  testing::FakeHardware hw_;
  std::vector<bool> online_;
  Registration registration_;
};

TEST_F(RegistrationTest, AcceptedSyncsTheClockTakesTheIntervalAndHeartbeats) {
  ConnectAndBoot();
  ASSERT_EQ(env_.Actions(), std::vector<std::string>{"BootNotification"});
  const std::string& boot = env_.calls()[0].payload;
  EXPECT_EQ(Field(boot, "chargePointVendor"), "Acme");
  EXPECT_EQ(Field(boot, "chargePointModel"), "Wallbox");
  EXPECT_EQ(Field(boot, "firmwareVersion"), "1.2.3");
  EXPECT_FALSE(testing::HasField(boot, "chargePointSerialNumber")) << "empty: omitted";
  EXPECT_TRUE(online_.empty());

  env_.Reply(kAccepted60);
  EXPECT_EQ(online_, std::vector<bool>{true});
  EXPECT_TRUE(registration_.accepted());
  EXPECT_EQ(env_.context().Now().ToString(), "2030-01-01T00:00:00Z");
  EXPECT_EQ(env_.config().Get(keys::kHeartbeatInterval), 60);

  env_.Run(Milliseconds(59999));
  EXPECT_EQ(Count("Heartbeat"), 0);
  env_.Run(Milliseconds(1));
  ASSERT_EQ(Count("Heartbeat"), 1);
  EXPECT_EQ(env_.calls().back().payload, "{}");
  env_.Reply(R"({"currentTime":"2030-01-01T01:00:00Z"})");
  EXPECT_EQ(env_.context().Now().ToString(), "2030-01-01T01:00:00Z") << "Heartbeat syncs too";
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(Count("Heartbeat"), 2);
}

TEST_F(RegistrationTest, PendingRetriesAfterTheIntervalWithoutHeartbeats) {
  ConnectAndBoot();
  env_.Reply(R"({"status":"Pending","currentTime":"2030-01-01T00:00:00Z","interval":10})");
  EXPECT_EQ(env_.context().registration(), RegistrationState::kPending);
  EXPECT_TRUE(online_.empty());
  EXPECT_EQ(env_.context().Now().ToString(), "2030-01-01T00:00:00Z") << "clock follows Pending";
  env_.Run(Milliseconds(9999));
  EXPECT_EQ(Count("BootNotification"), 1);
  env_.Run(Milliseconds(1));
  EXPECT_EQ(Count("BootNotification"), 2);
  env_.Reply(kAccepted60);
  EXPECT_EQ(online_, std::vector<bool>{true});
  EXPECT_EQ(Count("Heartbeat"), 0);
}

TEST_F(RegistrationTest, RejectedRetriesAfterTheIntervalAndStaysOffline) {
  ConnectAndBoot();
  env_.Reply(R"({"status":"Rejected","currentTime":"2030-01-01T00:00:00Z","interval":20})");
  EXPECT_EQ(env_.context().registration(), RegistrationState::kRejected);
  EXPECT_FALSE(env_.context().online());
  env_.Run(Milliseconds(19999));
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"BootNotification"});
  env_.Run(Milliseconds(1));
  EXPECT_EQ(env_.Actions(), (std::vector<std::string>{"BootNotification", "BootNotification"}));
  EXPECT_TRUE(online_.empty());
}

TEST_F(RegistrationTest, IntervalZeroRetriesAfterThirtySeconds) {
  ConnectAndBoot();
  env_.Reply(R"({"status":"Pending","currentTime":"2030-01-01T00:00:00Z","interval":0})");
  env_.Run(Milliseconds(29999));
  EXPECT_EQ(Count("BootNotification"), 1);
  env_.Run(Milliseconds(1));
  EXPECT_EQ(Count("BootNotification"), 2);
  // Accepted with interval 0 keeps the configured HeartbeatInterval.
  env_.Reply(R"({"status":"Accepted","currentTime":"2030-01-01T00:00:00Z","interval":0})");
  EXPECT_EQ(env_.config().Get(keys::kHeartbeatInterval), 30);
  env_.Run(Milliseconds(30000));
  EXPECT_EQ(Count("Heartbeat"), 1);
}

TEST_F(RegistrationTest, HeartbeatIsRescheduledWhenTheKeyChanges) {
  ConnectAndBoot();
  env_.Reply(kAccepted60);
  env_.Run(Milliseconds(10000));
  ASSERT_EQ(env_.config().Change("HeartbeatInterval", "5"), v16::ConfigurationStatus::kAccepted);
  env_.Run(Milliseconds(4999));
  EXPECT_EQ(Count("Heartbeat"), 0);
  env_.Run(Milliseconds(1));
  EXPECT_EQ(Count("Heartbeat"), 1) << "5 s after the change, not at 60 s";
  env_.Reply(R"({"currentTime":"2030-01-01T00:00:15Z"})");
  env_.Run(Milliseconds(5000));
  EXPECT_EQ(Count("Heartbeat"), 2);
  ASSERT_EQ(env_.config().Change("HeartbeatInterval", "0"), v16::ConfigurationStatus::kAccepted);
  env_.Reply(R"({"currentTime":"2030-01-01T00:00:20Z"})");
  env_.Run(Milliseconds(600000));
  EXPECT_EQ(Count("Heartbeat"), 2) << "0 disables the heartbeat";
}

TEST_F(RegistrationTest, ReconnectWithoutRebootSendsNoBootNotification) {
  ConnectAndBoot();
  env_.Reply(kAccepted60);
  env_.Run(Milliseconds(30000));
  env_.Disconnect();
  registration_.OnDisconnected();
  env_.Run(Milliseconds(120000));
  EXPECT_EQ(Count("Heartbeat"), 0) << "no heartbeat while disconnected";
  env_.ClearCalls();
  env_.Connect();
  registration_.OnConnected();
  env_.Run();
  EXPECT_TRUE(env_.calls().empty()) << "OCPP-J 5.4: no BootNotification on a reconnect";
  EXPECT_EQ(online_, (std::vector<bool>{true, false}));
  EXPECT_TRUE(env_.context().online());
  env_.Run(Milliseconds(60000));
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"Heartbeat"});
}

TEST_F(RegistrationTest, BootNotificationCallErrorIsRetried) {
  ConnectAndBoot();
  env_.ReplyError("InternalError", "busy");
  EXPECT_EQ(env_.context().registration(), RegistrationState::kNone);
  EXPECT_TRUE(online_.empty());
  env_.Run(Milliseconds(29999));
  EXPECT_EQ(Count("BootNotification"), 1);
  env_.Run(Milliseconds(1));
  ASSERT_EQ(Count("BootNotification"), 2);
  env_.Reply(kAccepted60);
  EXPECT_EQ(online_, std::vector<bool>{true});
}

TEST_F(RegistrationTest, ADropWhilePendingBootsAgainOnReconnect) {
  ConnectAndBoot();
  env_.Reply(R"({"status":"Pending","currentTime":"2030-01-01T00:00:00Z","interval":10})");
  env_.Disconnect();
  registration_.OnDisconnected();
  EXPECT_EQ(env_.context().registration(), RegistrationState::kNone);
  env_.Run(Milliseconds(20000));
  EXPECT_EQ(Count("BootNotification"), 1) << "the retry timer went with the connection";
  env_.Connect();
  registration_.OnConnected();
  env_.Run();
  EXPECT_EQ(Count("BootNotification"), 2);
}

// Issue 7, defect 4: a central system that writes integers as floats
// (JavaScript, Java stacks) still registers the station, with its interval.
TEST_F(RegistrationTest, AnIntervalWrittenAsAFloatIsAccepted) {
  ConnectAndBoot();
  env_.Reply(R"({"status":"Accepted","currentTime":"2030-01-01T00:00:00Z","interval":10.0})");
  EXPECT_TRUE(registration_.accepted());
  EXPECT_EQ(online_, std::vector<bool>{true});
  EXPECT_EQ(env_.config().Get(keys::kHeartbeatInterval), 10);
  env_.Run(Milliseconds(10000));
  EXPECT_EQ(Count("Heartbeat"), 1);
}

}  // namespace
}  // namespace ocpp::station
