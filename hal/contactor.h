// The contactor (power relay) that switches AC to the vehicle, with an
// auxiliary feedback contact that reports the real position of its poles.
//
//   contactor.SetFeedbackErrorObserver([&](hal::ContactorError e) {
//     connector.Fault(hal::Fault::kPowerSwitchFailure);
//   });
//   if (hal::VehicleRequestsEnergy(pilot.ReadState())) contactor.Close();
#pragma once

#include <functional>

namespace ocpp::hal {

// A mismatch between the commanded position and the feedback contact, found
// once the backend's settle time after a command has passed.
enum class ContactorError {
  kWelded,         // commanded open, feedback still closed: power may still flow
  kFailedToClose,  // commanded closed, feedback still open: no power flows
};

// "Welded" / "FailedToClose", for logs.
const char* ToString(ContactorError error);

class Contactor {
 public:
  using FeedbackErrorObserver = std::function<void(ContactorError error)>;

  virtual ~Contactor() = default;

  // Commands the contactor; return immediately, the poles move afterwards.
  // Repeating the current command is harmless. The station must only close
  // while the vehicle requests energy (VehicleRequestsEnergy) and must open
  // before advertising "no charging allowed" for longer than the vehicle's
  // reaction time (J1772: 3 s).
  virtual void Close() = 0;
  virtual void Open() = 0;

  // The position the feedback contact reports now (not the last command):
  // true when power can flow. After a kWelded error this stays true.
  virtual bool IsClosed() = 0;

  // Called once per command whose feedback does not follow (see
  // ContactorError); nothing is reported when the feedback later recovers,
  // IsClosed() tells. Threading as in control_pilot.h.
  virtual void SetFeedbackErrorObserver(FeedbackErrorObserver observer) = 0;
};

}  // namespace ocpp::hal
