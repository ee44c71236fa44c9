// GoogleMock double of hal::ControlPilot. Wrap it in testing::StrictMock
// unless a test deliberately ignores calls.
//
//   testing::StrictMock<hal::MockControlPilot> pilot;
//   EXPECT_CALL(pilot, SetPwmDutyPermille(533));
//   station.Start();             // registers its observer
//   pilot.NotifyStateChange(hal::PilotState::kC);
#pragma once

#include <gmock/gmock.h>

#include <utility>

#include "hal/control_pilot.h"

namespace ocpp::hal {

class MockControlPilot : public ControlPilot {
 public:
  MOCK_METHOD(PilotState, ReadState, (), (override));
  MOCK_METHOD(void, SetPwmDutyPermille, (int duty_permille), (override));

  // Observer registration is recorded, not mocked, so tests need no
  // expectation for it and can fire the observer like the hardware would.
  void SetStateObserver(StateObserver observer) override { observer_ = std::move(observer); }
  bool has_state_observer() const { return static_cast<bool>(observer_); }
  // Calls the registered observer; false when there is none.
  bool NotifyStateChange(PilotState new_state) {
    if (!observer_) return false;
    observer_(new_state);
    return true;
  }

 private:
  StateObserver observer_;
};

}  // namespace ocpp::hal
