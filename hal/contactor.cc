#include "hal/contactor.h"

namespace ocpp::hal {

const char* ToString(ContactorError error) {
  switch (error) {
    case ContactorError::kWelded:
      return "Welded";
    case ContactorError::kFailedToClose:
      return "FailedToClose";
  }
  return "?";
}

}  // namespace ocpp::hal
