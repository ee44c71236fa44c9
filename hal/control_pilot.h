// SAE J1772 control pilot, as the EVSE sees it: the EVSE drives a +/-12 V
// 1 kHz square wave whose duty cycle advertises the current the vehicle may
// draw, and reads the vehicle's resistor network back as a pilot state.
//
//   pilot.SetStateObserver([&](hal::PilotState s) { connector.OnPilot(s); });
//   pilot.SetPwmDutyPermille(hal::PwmDutyPermilleForCurrentLimitDeciamps(320));  // 32 A
#pragma once

#include <functional>

namespace ocpp::hal {

// Pilot states as measured by the EVSE (positive pilot voltage level).
enum class PilotState {
  kA,  // +12 V: no vehicle connected
  kB,  // +9 V: vehicle connected, not ready to accept energy
  kC,  // +6 V: vehicle connected, ready, requests energy
  kD,  // +3 V: as C, but the vehicle requires ventilation
  kE,  // 0 V: pilot shorted to earth / EVSE or vehicle error
  kF,  // -12 V: EVSE not available (driven by the EVSE itself)
};

// "A" .. "F", for logs.
const char* ToString(PilotState state);

// B, C or D: a vehicle is plugged in. E and F say nothing reliable about the
// vehicle (the pilot is shorted or the EVSE holds it at -12 V), so they count
// as "not connected"; the station treats E as a fault anyway.
bool VehicleConnected(PilotState state);

// C or D: the vehicle asks for energy (closing the contactor is allowed).
bool VehicleRequestsEnergy(PilotState state);

// Pilot duty cycle in permille that advertises a current limit (SAE J1772,
// IEC 61851-1 Annex A):
//   limit < 6 A           -> 1000 (100 %: oscillator off, constant +12 V,
//                            "no charging allowed"; the vehicle must not draw)
//   6 A <= limit <= 51 A  -> limit / 0.6 %            (6 A = 100, 32 A = 533, 51 A = 850)
//   51 A < limit <= 80 A  -> limit / 2.5 + 64 %       (80 A = 960)
//   limit > 80 A          -> clamped to 80 A (960)
// Results are rounded down, so the current the vehicle decodes never exceeds
// `limit_deciamps`. Note the standard's two formulas do not meet at 51 A:
// limits just above 51 A encode to less than 85 %, which a vehicle decodes
// with the first formula as a slightly lower current (the safe direction).
int PwmDutyPermilleForCurrentLimitDeciamps(int limit_deciamps);

// What a vehicle decodes from a duty cycle, in deciamps, rounded down
// (SAE J1772-2017 table 5 / IEC 61851-1 table A.8):
//   < 3 % or 7 %..8 % or > 97 %   -> 0 (no charging allowed)
//   3 %..7 %                      -> 0 (digital communication required; no
//                                      PWM current advertised)
//   8 % <= duty < 10 %            -> 60 (6 A)
//   10 %..85 %                    -> duty * 0.6 A
//   85 % < duty <= 96 %           -> (duty - 64) * 2.5 A
//   96 % < duty <= 97 %           -> 800 (80 A)
int CurrentLimitDeciampsForDutyPermille(int duty_permille);

// The limit a duty cycle from PwmDutyPermilleForCurrentLimitDeciamps stands
// for, to the nearest deciamp: the EVSE's side, for logs and simulators
// (the vehicle decodes with CurrentLimitDeciampsForDutyPermille, rounding
// down). 0 when the duty allows no charging.
int AdvertisedCurrentDeciamps(int duty_permille);

// The pilot signal of one connector.
//
// Observers (here and in every hal interface) run on the thread that drives
// the backend, which is the station's event loop, and are never called from
// inside a call the station makes into the same object; setting a new
// observer replaces the previous one, an empty std::function removes it.
class ControlPilot {
 public:
  using StateObserver = std::function<void(PilotState new_state)>;

  virtual ~ControlPilot() = default;

  // The state measured now.
  virtual PilotState ReadState() = 0;

  // Sets the oscillator's duty cycle: 1000 = constant +12 V (no PWM, no
  // charging allowed), 0 = constant -12 V (state F, EVSE not available),
  // anything in between = 1 kHz PWM. Values outside 0..1000 are clamped.
  virtual void SetPwmDutyPermille(int duty_permille) = 0;

  // Called once per change of ReadState(), with the new state.
  virtual void SetStateObserver(StateObserver observer) = 0;
};

}  // namespace ocpp::hal
