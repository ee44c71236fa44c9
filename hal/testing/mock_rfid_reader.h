// Test double of hal::RfidReader: it has no calls to mock, only an observer,
// which tests fire with PresentTag().
#pragma once

#include <string>
#include <utility>

#include "hal/rfid_reader.h"

namespace ocpp::hal {

class MockRfidReader : public RfidReader {
 public:
  void SetTagObserver(TagObserver observer) override { observer_ = std::move(observer); }
  bool has_tag_observer() const { return static_cast<bool>(observer_); }
  // Calls the registered observer; false when there is none.
  bool PresentTag(const std::string& id_tag) {
    if (!observer_) return false;
    observer_(id_tag);
    return true;
  }

 private:
  TagObserver observer_;
};

}  // namespace ocpp::hal
