#include "hal/control_pilot.h"

#include <algorithm>

namespace ocpp::hal {

const char* ToString(PilotState state) {
  switch (state) {
    case PilotState::kA:
      return "A";
    case PilotState::kB:
      return "B";
    case PilotState::kC:
      return "C";
    case PilotState::kD:
      return "D";
    case PilotState::kE:
      return "E";
    case PilotState::kF:
      return "F";
  }
  return "?";
}

bool VehicleConnected(PilotState state) {
  return state == PilotState::kB || state == PilotState::kC || state == PilotState::kD;
}

bool VehicleRequestsEnergy(PilotState state) {
  return state == PilotState::kC || state == PilotState::kD;
}

int PwmDutyPermilleForCurrentLimitDeciamps(int limit_deciamps) {
  constexpr int kMinDeciamps = 60;
  constexpr int kKneeDeciamps = 510;
  constexpr int kMaxDeciamps = 800;
  if (limit_deciamps < kMinDeciamps) return 1000;
  const int deciamps = std::min(limit_deciamps, kMaxDeciamps);
  // duty % = A / 0.6  ->  permille = deciamps * 10 / 6.
  if (deciamps <= kKneeDeciamps) return deciamps * 10 / 6;
  // duty % = A / 2.5 + 64  ->  permille = deciamps * 4 / 10 + 640.
  return deciamps * 4 / 10 + 640;
}

int CurrentLimitDeciampsForDutyPermille(int duty_permille) {
  if (duty_permille < 80) return 0;                         // < 3 %, digital (3..7 %), 7..8 %
  if (duty_permille < 100) return 60;                       // 8..10 %: 6 A
  if (duty_permille <= 850) return duty_permille * 6 / 10;  // A = duty % * 0.6
  if (duty_permille <= 960) return (duty_permille * 5 - 3200) / 2;  // A = (duty % - 64) * 2.5
  if (duty_permille <= 970) return 800;
  return 0;  // > 97 %: no charging allowed
}

int AdvertisedCurrentDeciamps(int duty_permille) {
  const int decoded = CurrentLimitDeciampsForDutyPermille(duty_permille);
  if (decoded == 0 || duty_permille < 100 || duty_permille > 960) return decoded;
  // The encoder rounded down; the nearest deciamp undoes that.
  if (duty_permille <= 850) return (duty_permille * 6 + 5) / 10;
  return (duty_permille * 25 - 16000 + 5) / 10;
}

}  // namespace ocpp::hal
