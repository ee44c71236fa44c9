// GoogleMock doubles of hal::SystemInfoProvider and hal::SystemControl.
#pragma once

#include <gmock/gmock.h>

#include "hal/system_info.h"

namespace ocpp::hal {

class MockSystemInfoProvider : public SystemInfoProvider {
 public:
  MOCK_METHOD(SystemInfo, ReadSystemInfo, (), (override));
};

class MockSystemControl : public SystemControl {
 public:
  MOCK_METHOD(void, RequestReboot, (RebootKind kind), (override));
};

}  // namespace ocpp::hal
