// OCTT charge-point cases of the Core profile: Reset without and with a
// transaction (TC_013, TC_014, TC_015, TC_016). The station reboots
// in-process: SimHardware hands the reboot request to the harness, which
// closes the connection and creates the station again on the same data
// directory, like station_sim. Steps: docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::ResetType;

class CoreReset : public Harness {
 protected:
  v16::AvailabilityStatus ChangeAvailability(int connector, v16::AvailabilityType type) {
    return CsmsCall(v16::ChangeAvailabilityReq{connector, type}).status;
  }
  v16::ResetStatus Reset(ResetType type) { return CsmsCall(v16::ResetReq{type}).status; }

  // TC_013 / TC_014: the availability set before the reset survives it.
  void ResetWithoutTransaction(ResetType type) {
    StartStation();
    ClearFrames();
    EXPECT_EQ(ChangeAvailability(1, v16::AvailabilityType::kInoperative),
              v16::AvailabilityStatus::kAccepted);
    ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
    EXPECT_EQ(Reset(type), v16::ResetStatus::kAccepted);
    Advance(Seconds(2));  // the station asks the hardware to reboot
    ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; })) << "no reboot";
    ASSERT_TRUE(WaitForCall("BootNotification"));
    ASSERT_TRUE(WaitForCall("StatusNotification", 3));
    Settle();
    EXPECT_EQ(Statuses(), (Strings{"1:Unavailable", "0:Available", "1:Unavailable"}));
    EXPECT_EQ(ChangeAvailability(1, v16::AvailabilityType::kOperative),
              v16::AvailabilityStatus::kAccepted);
    ASSERT_TRUE(WaitForStatus(1, "Available"));
    EXPECT_EQ(CallsExcept(),
              (Strings{"StatusNotification", "BootNotification", "StatusNotification",
                       "StatusNotification", "StatusNotification"}));
    EXPECT_EQ(Statuses().back(), "1:Available");
    EXPECT_EQ(reboots(), 1);
  }

  // TC_015 / TC_016: the transaction is stopped (reason HardReset or
  // SoftReset, no idTag) before the reboot, and the connector reports
  // Finishing before and after it (the EV is still connected).
  void ResetWithTransaction(ResetType type, const std::string& reason) {
    StartStation();
    const int tx = StartCharging();
    Advance(Seconds(10));
    ClearFrames();
    EXPECT_EQ(Reset(type), v16::ResetStatus::kAccepted);
    ASSERT_TRUE(WaitForCall("StopTransaction"));
    auto stop = LastPayload("StopTransaction");
    EXPECT_EQ(stop["transactionId"], tx);
    EXPECT_EQ(Str(stop, "reason"), reason);
    EXPECT_FALSE(Has(stop, "idTag"));
    ASSERT_TRUE(WaitForStatus(1, "Finishing"));
    EXPECT_FALSE(connector().contactor_commanded_closed());
    Advance(Seconds(2));
    ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; })) << "no reboot";
    ASSERT_TRUE(WaitForCall("BootNotification"));
    ASSERT_TRUE(WaitForCall("StatusNotification", 3));
    Settle();
    EXPECT_EQ(CallsExcept(), (Strings{"StopTransaction", "StatusNotification", "BootNotification",
                                      "StatusNotification", "StatusNotification"}));
    EXPECT_EQ(Statuses(), (Strings{"1:Finishing", "0:Available", "1:Finishing"}));
    EXPECT_FALSE(station().transaction_active());
    EXPECT_FALSE(connector().contactor_commanded_closed());
    Do("cp A");
    ASSERT_TRUE(WaitForStatus(1, "Available"));
    EXPECT_EQ(CountCalls("StopTransaction"), 1);
  }

  // Variant of TC_015 / TC_016: the StopTransaction.conf never arrives
  // (the connection drops while it is outstanding). The stop stays queued
  // and the same StopTransaction is sent again after the reboot (5.14).
  void ResetWithTransactionStopUnanswered(ResetType type, const std::string& reason) {
    StartStation();
    const int tx = StartCharging();
    ClearFrames();
    bool dropped = false;
    csms().Handle<v16::Action::kStopTransaction>(
        [&](const v16::StopTransactionReq&) -> runtime::HandlerResult<v16::StopTransactionConf> {
          if (!dropped) {
            dropped = true;
            set_refuse_connections(true);
            csms().Drop();  // the answer below is never delivered
          }
          return v16::StopTransactionConf{};
        });
    EXPECT_EQ(Reset(type), v16::ResetStatus::kAccepted);
    ASSERT_TRUE(WaitForCall("StopTransaction"));
    ASSERT_TRUE(WaitUntil([&] { return dropped && !station_connected(); }));
    Advance(Seconds(2));
    ASSERT_TRUE(WaitUntil([&] { return reboots() == 1; })) << "no reboot";
    ASSERT_TRUE(Restore());
    ASSERT_TRUE(WaitForCall("StopTransaction", 2));
    Settle();
    EXPECT_EQ(CallsExcept(), (Strings{"StopTransaction", "BootNotification", "StatusNotification",
                                      "StatusNotification", "StopTransaction"}));
    EXPECT_EQ(Statuses(), (Strings{"0:Available", "1:Finishing"}));
    const auto stops = csms().ReceivedPayloads("StopTransaction");
    ASSERT_EQ(stops.size(), 2u);
    EXPECT_EQ(stops[0], stops[1]) << "the same message, resent";
    auto stop = LastPayload("StopTransaction");
    EXPECT_EQ(stop["transactionId"], tx);
    EXPECT_EQ(Str(stop, "reason"), reason);
  }
};

TEST_F(CoreReset, tc013_hard_reset_without_tx) { ResetWithoutTransaction(ResetType::kHard); }

TEST_F(CoreReset, tc014_soft_reset_without_tx) { ResetWithoutTransaction(ResetType::kSoft); }

TEST_F(CoreReset, tc015_hard_reset_with_tx) { ResetWithTransaction(ResetType::kHard, "HardReset"); }

TEST_F(CoreReset, tc015_hard_reset_with_tx_stop_unanswered) {
  ResetWithTransactionStopUnanswered(ResetType::kHard, "HardReset");
}

TEST_F(CoreReset, tc016_soft_reset_with_tx) { ResetWithTransaction(ResetType::kSoft, "SoftReset"); }

TEST_F(CoreReset, tc016_soft_reset_with_tx_stop_unanswered) {
  ResetWithTransactionStopUnanswered(ResetType::kSoft, "SoftReset");
}

}  // namespace
}  // namespace ocpp::conformance
