// GoogleMock double of hal::EnergyMeter.
//
//   EXPECT_CALL(meter, ReadEnergyActiveImportWh()).WillOnce(testing::Return(1234));
//   EXPECT_CALL(meter, ReadPowerActiveImportW()).WillOnce(testing::Return(std::nullopt));
#pragma once

#include <gmock/gmock.h>

#include <cstdint>
#include <optional>

#include "hal/energy_meter.h"

namespace ocpp::hal {

class MockEnergyMeter : public EnergyMeter {
 public:
  MOCK_METHOD(std::optional<std::int64_t>, ReadEnergyActiveImportWh, (), (override));
  MOCK_METHOD(std::optional<std::int32_t>, ReadPowerActiveImportW, (), (override));
  MOCK_METHOD(std::optional<std::int32_t>, ReadCurrentImportDeciamps, (), (override));
};

}  // namespace ocpp::hal
