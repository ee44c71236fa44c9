// StatusReporter on a fake central system: one report per change,
// MinimumStatusDuration, the boot and reconnect reports and their `done`.
#include "station/connectors/status_reporter.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using testing::Field;
using testing::ModuleEnv;
using v16::ChargePointErrorCode;
using v16::ChargePointStatus;

ReportedStatus S(ChargePointStatus status,
                 ChargePointErrorCode error = ChargePointErrorCode::kNoError) {
  ReportedStatus s;
  s.status = status;
  s.error_code = error;
  return s;
}

class StatusReporterTest : public ::testing::Test {
 protected:
  StatusReporterTest()
      : reporter_(env_.context(), 2, [this](int c, ChargePointStatus s, ChargePointErrorCode) {
          shown_.push_back(std::to_string(c) + ":" + std::string(v16::ToString(s)));
        }) {}

  // Online with every status reported and acknowledged.
  void Boot() {
    env_.GoOnline();
    env_.AutoAnswer("StatusNotification", "{}");
    reporter_.ReportAll(true, [] {});
    env_.Run();
    env_.ClearCalls();
  }
  std::string Timestamp(std::size_t i) const { return Field(env_.calls()[i].payload, "timestamp"); }

  ModuleEnv env_;
  std::vector<std::string> shown_;
  StatusReporter reporter_;
};

TEST_F(StatusReporterTest, AChangeIsReportedOnce) {
  Boot();
  reporter_.Set(1, S(ChargePointStatus::kCharging));
  reporter_.Set(1, S(ChargePointStatus::kCharging));
  env_.Run();
  ASSERT_EQ(env_.Statuses(), std::vector<std::string>{"1:Charging"});
  const std::string& payload = env_.calls()[0].payload;
  EXPECT_EQ(Field(payload, "connectorId"), "1");
  EXPECT_EQ(Field(payload, "errorCode"), "NoError");
  EXPECT_EQ(Field(payload, "timestamp"), env_.context().Now().ToString());
  EXPECT_EQ(reporter_.status(1), ChargePointStatus::kCharging);
  EXPECT_EQ(shown_.back(), "1:Charging");
}

TEST_F(StatusReporterTest, MinimumStatusDurationSuppressesShortStatesAndStampsTheStart) {
  Boot();
  ASSERT_EQ(env_.config().Change("MinimumStatusDuration", "5"),
            v16::ConfigurationStatus::kAccepted);
  reporter_.Set(1, S(ChargePointStatus::kPreparing));
  env_.Run(Milliseconds(2000));
  reporter_.Set(1, S(ChargePointStatus::kAvailable));  // back before 5 s: nothing to say
  env_.Run(Milliseconds(10000));
  EXPECT_TRUE(env_.calls().empty());
  EXPECT_EQ(shown_, (std::vector<std::string>{"1:Preparing", "1:Available"}))
      << "the display sees every change";

  const std::string began = env_.context().Now().ToString();
  reporter_.Set(1, S(ChargePointStatus::kPreparing));
  env_.Run(Milliseconds(4999));
  EXPECT_TRUE(env_.calls().empty());
  env_.Run(Milliseconds(1));
  ASSERT_EQ(env_.Statuses(), std::vector<std::string>{"1:Preparing"});
  EXPECT_EQ(Timestamp(0), began) << "stamped with the time the status began (section 4.9)";
}

TEST_F(StatusReporterTest, BootReportsEveryConnectorAndDoneWaitsForAllAnswers) {
  env_.GoOnline();
  reporter_.Set(2, S(ChargePointStatus::kFaulted, ChargePointErrorCode::kGroundFailure));
  env_.Run();
  env_.Reply("{}");
  env_.ClearCalls();
  int done = 0;
  reporter_.ReportAll(true, [&] { ++done; });
  env_.Run();
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"0:Available"}) << "one CALL at a time";
  env_.Reply("{}");
  env_.Reply("{}");
  EXPECT_EQ(done, 0);
  env_.Reply("{}");
  EXPECT_EQ(done, 1);
  EXPECT_EQ(env_.Statuses(),
            (std::vector<std::string>{"0:Available", "1:Available", "2:Faulted:GroundFailure"}));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(Timestamp(i), env_.context().Now().ToString());
}

TEST_F(StatusReporterTest, ReconnectResendsWhatWasNotAcknowledged) {
  Boot();
  env_.StopAutoAnswer("StatusNotification");
  reporter_.Set(1, S(ChargePointStatus::kCharging));
  env_.Run();
  ASSERT_EQ(env_.Statuses(), std::vector<std::string>{"1:Charging"});
  const std::string charging_since = Timestamp(0);
  env_.Disconnect();  // the report is lost with the connection
  env_.Run(Milliseconds(3000));
  reporter_.Set(2, S(ChargePointStatus::kPreparing));  // offline: nothing is sent
  env_.Run();
  EXPECT_EQ(env_.calls().size(), 1u);
  const std::string preparing_since = env_.context().Now().ToString();
  env_.Run(Milliseconds(3000));

  env_.ClearCalls();
  env_.Connect();
  int done = 0;
  reporter_.ReportAll(false, [&] { ++done; });
  env_.Run();
  env_.Reply("{}");
  EXPECT_EQ(done, 0);
  env_.Reply("{}");
  EXPECT_EQ(done, 1);
  EXPECT_EQ(env_.Statuses(), (std::vector<std::string>{"1:Charging", "2:Preparing"}))
      << "connector 0 was acknowledged and did not change";
  EXPECT_EQ(Timestamp(0), charging_since);
  EXPECT_EQ(Timestamp(1), preparing_since);
}

TEST_F(StatusReporterTest, ReconnectWithNothingToReportRunsDoneAtOnce) {
  Boot();
  int done = 0;
  reporter_.ReportAll(false, [&] { ++done; });
  env_.Run();
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(StatusReporterTest, OfflineSetSendsNothingButDisplays) {
  reporter_.Set(1, S(ChargePointStatus::kPreparing));
  env_.Run(Milliseconds(60000));
  EXPECT_TRUE(env_.calls().empty());
  EXPECT_EQ(shown_, std::vector<std::string>{"1:Preparing"});
  EXPECT_EQ(reporter_.status(1), ChargePointStatus::kPreparing);
}

TEST_F(StatusReporterTest, AnErrorCodeChangeAloneIsReported) {
  Boot();
  reporter_.Set(0, S(ChargePointStatus::kAvailable, ChargePointErrorCode::kOtherError));
  env_.Run();
  EXPECT_EQ(env_.Statuses(), std::vector<std::string>{"0:Available:OtherError"});
}

}  // namespace
}  // namespace ocpp::station
