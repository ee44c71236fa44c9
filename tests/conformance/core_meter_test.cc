// OCTT charge-point cases of the Core profile: sampled and clock-aligned
// MeterValues during a transaction (TC_070, TC_071).
// Steps: docs/core-behaviour-checklist.md (sections 1.7 and 4).
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class CoreMeter : public Harness {
 protected:
  // Checks one MeterValues.req of the transaction and returns the register
  // value and the timestamp of its single meterValue.
  void CheckMeterValues(const rapidjson::Document& mv, int tx, const std::string& context,
                        std::int64_t* timestamp, std::int64_t* wh) {
    EXPECT_EQ(mv["connectorId"], 1);
    ASSERT_TRUE(Has(mv, "transactionId"));
    EXPECT_EQ(mv["transactionId"], tx);
    ASSERT_EQ(mv["meterValue"].Size(), 1u);
    const auto& value = mv["meterValue"][0];
    *timestamp = EpochSeconds(value);
    // One sampledValue per measurand of the key: only the register.
    ASSERT_EQ(value["sampledValue"].Size(), 1u);
    const auto& sv = value["sampledValue"][0];
    EXPECT_EQ(Str(sv, "context"), context);
    EXPECT_TRUE(!Has(sv, "measurand") || Str(sv, "measurand") == "Energy.Active.Import.Register");
    EXPECT_TRUE(!Has(sv, "format") || Str(sv, "format") == "Raw");
    EXPECT_NE(Str(sv, "location"), "EV");
    EXPECT_EQ(Str(sv, "unit"), "Wh");
    *wh = std::stoll(Str(sv, "value"));
  }
};

TEST_F(CoreMeter, tc070_sampled_meter_values) {
  StartStation();
  Set("MeterValueSampleInterval", "10");
  Set("ClockAlignedDataInterval", "0");
  EXPECT_EQ(GetConfig("MeterValuesSampledData"), "Energy.Active.Import.Register");
  const int tx = StartCharging();
  auto start = LastPayload("StartTransaction");
  const std::int64_t tx_start = EpochSeconds(start);
  std::int64_t previous_wh = start["meterStart"].GetInt();
  // Each sample arrives at txStart + k*10 s.
  for (int k = 1; k <= 3; ++k) {
    Advance(Seconds(9));
    EXPECT_EQ(CountCalls("MeterValues"), k - 1);
    Advance(Seconds(1));
    ASSERT_TRUE(WaitForCall("MeterValues", k));
  }
  const auto values = Payloads("MeterValues");
  ASSERT_EQ(values.size(), 3u);
  for (std::size_t k = 0; k < values.size(); ++k) {
    std::int64_t timestamp = 0, wh = 0;
    CheckMeterValues(values[k], tx, "Sample.Periodic", &timestamp, &wh);
    EXPECT_EQ(timestamp, tx_start + 10 * static_cast<std::int64_t>(k + 1)) << "sample " << k + 1;
    EXPECT_EQ(wh - previous_wh, 20) << "7.2 kW for 10 s";
    previous_wh = wh;
  }
}

TEST_F(CoreMeter, tc071_clock_aligned_meter_values) {
  StartStation();
  Set("MeterValueSampleInterval", "0");
  Set("ClockAlignedDataInterval", "20");
  EXPECT_EQ(GetConfig("MeterValuesAlignedData"), "Energy.Active.Import.Register");
  const int tx = StartCharging();
  const int meter_start = LastPayload("StartTransaction")["meterStart"].GetInt();
  ClearFrames();
  // The wall clock starts at 11:59:30Z: boundaries at :40, :00, :20.
  Advance(Seconds(9));
  EXPECT_EQ(CountCalls("MeterValues"), 0);
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForCall("MeterValues", 1));
  Advance(Seconds(40));
  ASSERT_TRUE(WaitForCall("MeterValues", 3));
  const auto values = Payloads("MeterValues");
  ASSERT_EQ(values.size(), 3u);
  std::int64_t previous = 0;
  std::int64_t previous_wh = meter_start;
  for (std::size_t k = 0; k < values.size(); ++k) {
    std::int64_t timestamp = 0, wh = 0;
    CheckMeterValues(values[k], tx, "Sample.Clock", &timestamp, &wh);
    EXPECT_EQ(timestamp % 20, 0) << "on a boundary";
    if (k > 0) {
      EXPECT_EQ(timestamp - previous, 20);
    }
    EXPECT_GE(wh, previous_wh);
    previous = timestamp;
    previous_wh = wh;
  }
  EXPECT_EQ(EpochSeconds(values[0]["meterValue"][0]), 1767268780) << "11:59:40Z";
}

}  // namespace
}  // namespace ocpp::conformance
