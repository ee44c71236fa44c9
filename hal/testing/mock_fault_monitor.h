// GoogleMock double of hal::FaultMonitor (see mock_control_pilot.h for usage).
#pragma once

#include <gmock/gmock.h>

#include <utility>

#include "hal/fault_monitor.h"

namespace ocpp::hal {

class MockFaultMonitor : public FaultMonitor {
 public:
  MOCK_METHOD(Fault, CurrentFault, (), (override));

  void SetFaultObserver(FaultObserver observer) override { observer_ = std::move(observer); }
  bool has_fault_observer() const { return static_cast<bool>(observer_); }
  bool NotifyFault(Fault current) {
    if (!observer_) return false;
    observer_(current);
    return true;
  }

 private:
  FaultObserver observer_;
};

}  // namespace ocpp::hal
