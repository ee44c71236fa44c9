#include "hal/fault_monitor.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ocpp::hal {
namespace {

// The OCPP 1.6 ChargePointErrorCode enumeration (section 7.6), verbatim.
constexpr const char* kChargePointErrorCodes[] = {
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure",     "HighTemperature",
    "InternalError",        "LocalListConflict",    "NoError",           "OtherError",
    "OverCurrentFailure",   "OverVoltage",          "PowerMeterFailure", "PowerSwitchFailure",
    "ReaderFailure",        "ResetFailure",         "UnderVoltage",      "WeakSignal",
};

TEST(FaultTest, NamesAreExactlyTheOcppErrorCodes) {
  std::set<std::string> seen;
  for (const char* name : kChargePointErrorCodes) {
    const std::optional<Fault> fault = FaultFromString(name);
    ASSERT_TRUE(fault.has_value()) << name;
    EXPECT_STREQ(ToString(*fault), name);
    seen.insert(ToString(*fault));
  }
  EXPECT_EQ(seen.size(), 16u);
  // Every enumerator maps to one of the names.
  for (int i = 0; i <= static_cast<int>(Fault::kWeakSignal); ++i) {
    EXPECT_EQ(seen.count(ToString(static_cast<Fault>(i))), 1u) << i;
  }
}

TEST(FaultTest, FromStringIsExact) {
  EXPECT_EQ(FaultFromString("NoError"), Fault::kNoError);
  EXPECT_EQ(FaultFromString("EVCommunicationError"), Fault::kEVCommunicationError);
  EXPECT_FALSE(FaultFromString("noerror").has_value());
  EXPECT_FALSE(FaultFromString("NoError ").has_value());
  EXPECT_FALSE(FaultFromString("").has_value());
  EXPECT_FALSE(FaultFromString(std::string_view("NoError\0", 8)).has_value());
  EXPECT_FALSE(FaultFromString("Mode3Error").has_value());  // an OCPP 2.x-only code
}

}  // namespace
}  // namespace ocpp::hal
