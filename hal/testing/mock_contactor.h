// GoogleMock double of hal::Contactor (see mock_control_pilot.h for usage).
#pragma once

#include <gmock/gmock.h>

#include <utility>

#include "hal/contactor.h"

namespace ocpp::hal {

class MockContactor : public Contactor {
 public:
  MOCK_METHOD(void, Close, (), (override));
  MOCK_METHOD(void, Open, (), (override));
  MOCK_METHOD(bool, IsClosed, (), (override));

  void SetFeedbackErrorObserver(FeedbackErrorObserver observer) override {
    observer_ = std::move(observer);
  }
  bool has_feedback_error_observer() const { return static_cast<bool>(observer_); }
  bool NotifyFeedbackError(ContactorError error) {
    if (!observer_) return false;
    observer_(error);
    return true;
  }

 private:
  FeedbackErrorObserver observer_;
};

}  // namespace ocpp::hal
