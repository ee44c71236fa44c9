// OCTT charge-point cases of the Core profile: UnlockConnector on a station
// with a fixed cable (TC_017_2, TC_018_2, TC_031). There is no connector
// lock: every UnlockConnector answers NotSupported (errata v4.0 3.85) and
// never stops a transaction. Steps: docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class CoreUnlock : public Harness {
 protected:
  v16::UnlockStatus Unlock(int connector) {
    return CsmsCall(v16::UnlockConnectorReq{connector}).status;
  }
};

TEST_F(CoreUnlock, tc017_2_unlock_no_session_fixed_cable) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Unlock(1), v16::UnlockStatus::kNotSupported);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{});
  EXPECT_EQ(station().connector_status(), v16::ChargePointStatus::kAvailable);
}

TEST_F(CoreUnlock, tc018_2_unlock_with_session_fixed_cable) {
  StartStation();
  StartCharging();
  ClearFrames();
  EXPECT_EQ(Unlock(1), v16::UnlockStatus::kNotSupported);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{}) << "no StopTransaction, no StatusNotification";
  EXPECT_TRUE(station().transaction_active());
  EXPECT_TRUE(connector().contactor_commanded_closed());
  EXPECT_EQ(station().connector_status(), v16::ChargePointStatus::kCharging);
}

TEST_F(CoreUnlock, tc031_unlock_unknown_connector) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(Unlock(2), v16::UnlockStatus::kNotSupported);
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), Strings{});
}

}  // namespace
}  // namespace ocpp::conformance
