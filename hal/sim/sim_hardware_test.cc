#include "hal/sim/sim_hardware.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"

namespace ocpp::hal::sim {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

std::int64_t EnergyWh(SimHardware& hw) {
  return hw.sim_connector(1).ReadEnergyActiveImportWh().value();
}

// The pilot's highest advertisement (80 A): 18.4 kW on the default one
// phase at 230 V, so the default 7200 W and most test draws are not capped.
constexpr int kDuty80A = 960;

// Puts the simulator into "charging": 80 A offered, vehicle in C, contactor closed.
void StartCharging(SimHardware& hw) {
  hw.sim_connector(1).SetPwmDutyPermille(kDuty80A);
  hw.sim_connector(1).SetPilotState(PilotState::kC);
  hw.sim_connector(1).Close();
}

// A supply whose offer never caps kMaxPowerDrawW (80 A x 480 V x 3 = 115 kW).
SimHardware::Options UncappedSupply() {
  SimHardware::Options options;
  options.nominal_voltage_v = 480;
  options.phases = 3;
  return options;
}

TEST(SimHardwareTest, StartsIdle) {
  base::FakeClock clock;
  SimHardware hw(clock);
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kA);
  EXPECT_EQ(hw.sim_connector(1).pwm_duty_permille(), 1000);
  EXPECT_FALSE(hw.sim_connector(1).IsClosed());
  EXPECT_EQ(hw.sim_connector(1).CurrentFault(), Fault::kNoError);
  EXPECT_EQ(hw.sim_connector(1).ReadEnergyActiveImportWh(), 0);
  EXPECT_EQ(hw.sim_connector(1).ReadPowerActiveImportW(), 0);
  EXPECT_EQ(hw.sim_connector(1).ReadCurrentImportDeciamps(), 0);
  EXPECT_EQ(hw.sim_connector(1).power_draw_w(), kDefaultPowerDrawW);
  EXPECT_EQ(hw.ReadSystemInfo(), DefaultSimSystemInfo());
  EXPECT_EQ(&hw.connector(1).control_pilot(), static_cast<ControlPilot*>(&hw.sim_connector(1)));
}

TEST(SimHardwareTest, OptionsSeedRegisterPowerAndIdentity) {
  base::FakeClock clock;
  SimHardware::Options options;
  options.initial_energy_wh = {123456};
  options.power_draw_w = 3600;
  options.system_info.vendor = "Acme";
  SimHardware hw(clock, options);
  EXPECT_EQ(EnergyWh(hw), 123456);
  EXPECT_EQ(hw.ReadSystemInfo().vendor, "Acme");
  StartCharging(hw);
  clock.Advance(hours(2));
  EXPECT_EQ(EnergyWh(hw), 123456 + 7200);
}

TEST(SimHardwareTest, OneHourAtDefaultPowerIs7200Wh) {
  base::FakeClock clock;
  SimHardware hw(clock);
  StartCharging(hw);
  EXPECT_TRUE(hw.sim_connector(1).delivering());
  EXPECT_EQ(hw.sim_connector(1).ReadPowerActiveImportW(), 7200);
  EXPECT_EQ(hw.sim_connector(1).ReadCurrentImportDeciamps(), 313);  // 7200 W / 230 V = 31.3 A
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 3600);
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 7200);
}

// Energy flows only with the contactor's feedback closed and the pilot in C
// or D.
TEST(SimHardwareTest, EnergyOnlyWhileClosedAndVehicleRequests) {
  for (PilotState state : {PilotState::kA, PilotState::kB, PilotState::kC, PilotState::kD,
                           PilotState::kE, PilotState::kF}) {
    for (bool close : {false, true}) {
      base::FakeClock clock;
      SimHardware hw(clock);
      hw.sim_connector(1).SetPwmDutyPermille(kDuty80A);
      hw.sim_connector(1).SetPilotState(state);
      if (close) hw.sim_connector(1).Close();
      clock.Advance(hours(1));
      const bool expect_energy = close && VehicleRequestsEnergy(state);
      EXPECT_EQ(EnergyWh(hw), expect_energy ? 7200 : 0)
          << "pilot " << ToString(state) << (close ? " closed" : " open");
      EXPECT_EQ(hw.sim_connector(1).ReadPowerActiveImportW(), expect_energy ? 7200 : 0);
    }
  }
}

// The vehicle draws at most what the pilot offers: A x voltage x phases.
TEST(SimHardwareTest, DrawIsCappedByThePilotsOffer) {
  base::FakeClock clock;
  SimHardware::Options options;
  options.phases = 3;
  options.power_draw_w = 20000;
  SimHardware hw(clock, options);
  SimConnector& c = hw.sim_connector(1);
  EXPECT_EQ(hw.supply().phases, 3);
  EXPECT_EQ(hw.supply().nominal_voltage_v, 230);
  StartCharging(hw);
  EXPECT_EQ(c.ReadPowerActiveImportW(), 20000);  // 80 A x 230 V x 3 = 55.2 kW offered
  c.SetPwmDutyPermille(PwmDutyPermilleForCurrentLimitDeciamps(160));
  EXPECT_EQ(c.offered_deciamps(), 160);
  EXPECT_EQ(c.ReadPowerActiveImportW(), 16 * 230 * 3);  // 11040 W
  EXPECT_EQ(c.ReadCurrentImportDeciamps(), 160);
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 11040);
  c.SetPwmDutyPermille(1000);  // no charging allowed: the EV stops drawing
  EXPECT_EQ(c.offered_deciamps(), 0);
  EXPECT_EQ(c.ReadPowerActiveImportW(), 0);
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 11040);
  c.SetPwmDutyPermille(PwmDutyPermilleForCurrentLimitDeciamps(320));
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 11040 + 10000);
}

TEST(SimHardwareTest, StateChangesSplitTheIntegral) {
  base::FakeClock clock;
  SimHardware hw(clock);
  StartCharging(hw);
  clock.Advance(minutes(30));  // 3600 Wh at 7200 W
  hw.sim_connector(1).SetPowerDrawW(3600);
  clock.Advance(minutes(30));  // 1800 Wh
  hw.sim_connector(1).SetPilotState(PilotState::kB);
  clock.Advance(hours(5));  // vehicle paused: nothing
  hw.sim_connector(1).SetPilotState(PilotState::kD);
  clock.Advance(minutes(10));  // 600 Wh
  hw.sim_connector(1).Open();
  clock.Advance(hours(1));  // contactor open: nothing
  EXPECT_EQ(EnergyWh(hw), 3600 + 1800 + 600);
}

// No reads in between: the register still reflects each change at the time
// it happened, because every change integrates first.
TEST(SimHardwareTest, ChangesWithoutReadsIntegrateAtTheirOwnTime) {
  base::FakeClock clock;
  SimHardware hw(clock);
  StartCharging(hw);
  clock.Advance(minutes(20));
  hw.sim_connector(1).SetPowerDrawW(0);
  clock.Advance(minutes(20));
  hw.sim_connector(1).SetPowerDrawW(10800);
  clock.Advance(minutes(20));
  EXPECT_EQ(EnergyWh(hw), 2400 + 0 + 3600);
}

TEST(SimHardwareTest, SubWattHourRemainderIsCarried) {
  base::FakeClock clock;
  SimHardware hw(clock);
  hw.sim_connector(1).SetPowerDrawW(1);
  StartCharging(hw);
  // 1 W read every second: nothing is lost to rounding.
  for (int second = 1; second < 3600; ++second) {
    clock.Advance(seconds(1));
    ASSERT_EQ(EnergyWh(hw), 0) << second;
  }
  clock.Advance(seconds(1));
  EXPECT_EQ(EnergyWh(hw), 1);
  // 7 W read every 1 ms for an hour: exactly 7 Wh.
  hw.sim_connector(1).SetPowerDrawW(7);
  for (int ms = 0; ms < 3600 * 1000; ++ms) {
    clock.Advance(milliseconds(1));
    hw.Poll();
  }
  EXPECT_EQ(EnergyWh(hw), 8);
}

// Random steps from 1 ms to 10 minutes and random power changes over 90
// days, against an exact reference sum (at most 100 kW x 90 days in ms,
// 7.8e14 W ms: 64 bits suffice, and 32-bit ARM has no __int128).
TEST(SimHardwareTest, LongRandomScheduleMatchesExactIntegral) {
  base::FakeClock clock;
  SimHardware hw(clock, UncappedSupply());
  StartCharging(hw);
  std::mt19937_64 random(20260101);
  std::uniform_int_distribution<std::int64_t> step_ms(1, 600000);
  std::uniform_int_distribution<std::int32_t> power_w(0, kMaxPowerDrawW);
  std::uint64_t watt_ms = 0;
  std::int32_t power = hw.sim_connector(1).power_draw_w();
  std::int64_t elapsed_ms = 0;
  std::int64_t last_wh = 0;
  while (elapsed_ms < std::int64_t{90} * 24 * 3600 * 1000) {
    const std::int64_t step = step_ms(random);
    clock.Advance(milliseconds(step));
    elapsed_ms += step;
    watt_ms += static_cast<std::uint64_t>(power) * static_cast<std::uint64_t>(step);
    if (random() % 4 == 0) {
      power = power_w(random);
      hw.sim_connector(1).SetPowerDrawW(power);
    }
    if (random() % 3 == 0) {
      const std::int64_t wh = EnergyWh(hw);
      ASSERT_GE(wh, last_wh);
      last_wh = wh;
    }
  }
  EXPECT_EQ(EnergyWh(hw), static_cast<std::int64_t>(watt_ms / 3600000));
}

TEST(SimHardwareTest, TenYearsAtMaxPowerDoesNotOverflow) {
  base::FakeClock clock;
  SimHardware hw(clock, UncappedSupply());
  hw.sim_connector(1).SetPowerDrawW(kMaxPowerDrawW);
  StartCharging(hw);
  clock.Advance(hours(24 * 3650));  // one step
  const std::int64_t expected = std::int64_t{kMaxPowerDrawW} * 24 * 3650;
  EXPECT_EQ(EnergyWh(hw), expected);
  for (int day = 0; day < 3650; ++day) clock.Advance(hours(24));  // daily steps
  EXPECT_EQ(EnergyWh(hw), 2 * expected);
}

TEST(SimHardwareTest, ClockGoingBackCountsNothing) {
  base::FakeClock clock;
  SimHardware hw(clock);
  StartCharging(hw);
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 7200);
  clock.Advance(-minutes(30));
  EXPECT_EQ(EnergyWh(hw), 7200);
  clock.Advance(minutes(30));  // back where it was: still nothing new
  EXPECT_EQ(EnergyWh(hw), 7200);
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 10800);
}

TEST(SimHardwareTest, PowerIsClamped) {
  base::FakeClock clock;
  SimHardware hw(clock);
  hw.sim_connector(1).SetPowerDrawW(-5);
  EXPECT_EQ(hw.sim_connector(1).power_draw_w(), 0);
  hw.sim_connector(1).SetPowerDrawW(kMaxPowerDrawW + 1);
  EXPECT_EQ(hw.sim_connector(1).power_draw_w(), kMaxPowerDrawW);
}

TEST(SimHardwareTest, MeterOutageHidesReadingsButKeepsCounting) {
  base::FakeClock clock;
  SimHardware hw(clock);
  StartCharging(hw);
  hw.sim_connector(1).SetMeterAvailable(false);
  clock.Advance(hours(1));
  EXPECT_EQ(hw.sim_connector(1).ReadEnergyActiveImportWh(), std::nullopt);
  EXPECT_EQ(hw.sim_connector(1).ReadPowerActiveImportW(), std::nullopt);
  EXPECT_EQ(hw.sim_connector(1).ReadCurrentImportDeciamps(), std::nullopt);
  hw.sim_connector(1).SetMeterAvailable(true);
  EXPECT_EQ(hw.sim_connector(1).ReadEnergyActiveImportWh(), 7200);
}

TEST(SimHardwareTest, PilotObserverFiresOncePerChange) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<PilotState> seen;
  hw.sim_connector(1).SetStateObserver([&](PilotState s) { seen.push_back(s); });
  hw.sim_connector(1).SetPilotState(PilotState::kB);
  hw.sim_connector(1).SetPilotState(PilotState::kB);
  hw.sim_connector(1).SetPilotState(PilotState::kC);
  hw.sim_connector(1).SetPilotState(PilotState::kA);
  EXPECT_EQ(seen, (std::vector<PilotState>{PilotState::kB, PilotState::kC, PilotState::kA}));
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kA);
  hw.sim_connector(1).SetStateObserver(nullptr);
  hw.sim_connector(1).SetPilotState(PilotState::kB);  // no observer: nothing to call
  EXPECT_EQ(seen.size(), 3u);
}

TEST(SimHardwareTest, ObserverMayRemoveItself) {
  base::FakeClock clock;
  SimHardware hw(clock);
  int calls = 0;
  hw.sim_connector(1).SetStateObserver([&](PilotState) {
    ++calls;
    hw.sim_connector(1).SetStateObserver(nullptr);
  });
  hw.sim_connector(1).SetPilotState(PilotState::kB);
  hw.sim_connector(1).SetPilotState(PilotState::kC);
  EXPECT_EQ(calls, 1);
}

TEST(SimHardwareTest, PwmDutyIsStoredAndClamped) {
  base::FakeClock clock;
  SimHardware hw(clock);
  hw.sim_connector(1).SetPwmDutyPermille(533);
  EXPECT_EQ(hw.sim_connector(1).pwm_duty_permille(), 533);
  hw.sim_connector(1).SetPwmDutyPermille(-1);
  EXPECT_EQ(hw.sim_connector(1).pwm_duty_permille(), 0);
  hw.sim_connector(1).SetPwmDutyPermille(1001);
  EXPECT_EQ(hw.sim_connector(1).pwm_duty_permille(), 1000);
}

TEST(SimHardwareTest, TagObserverGetsValidTagsOnly) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<std::string> tags;
  EXPECT_TRUE(hw.PresentTag("NOBODY"));  // no observer yet: presented, unseen
  hw.SetTagObserver([&](const std::string& tag) { tags.push_back(tag); });
  EXPECT_TRUE(hw.PresentTag("04A2B3C4"));
  EXPECT_TRUE(hw.PresentTag("04A2B3C4"));  // each presentation counts
  EXPECT_TRUE(hw.PresentTag(std::string(20, 'X')));
  EXPECT_FALSE(hw.PresentTag(""));
  EXPECT_FALSE(hw.PresentTag(std::string(21, 'X')));
  EXPECT_FALSE(hw.PresentTag(std::string("A\0B", 3)));
  EXPECT_FALSE(hw.PresentTag("caf\xc3\xa9"));
  EXPECT_EQ(tags, (std::vector<std::string>{"04A2B3C4", "04A2B3C4", std::string(20, 'X')}));
}

TEST(SimHardwareTest, FaultObserverFiresOncePerChange) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<Fault> seen;
  hw.sim_connector(1).SetFaultObserver([&](Fault f) { seen.push_back(f); });
  hw.sim_connector(1).SetFault(Fault::kNoError);  // no change
  hw.sim_connector(1).SetFault(Fault::kGroundFailure);
  hw.sim_connector(1).SetFault(Fault::kGroundFailure);
  hw.sim_connector(1).SetFault(Fault::kHighTemperature);
  hw.sim_connector(1).SetFault(Fault::kNoError);
  EXPECT_EQ(seen,
            (std::vector<Fault>{Fault::kGroundFailure, Fault::kHighTemperature, Fault::kNoError}));
  EXPECT_EQ(hw.sim_connector(1).CurrentFault(), Fault::kNoError);
}

TEST(SimHardwareTest, HealthyContactorFollowsCommands) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<ContactorError> errors;
  hw.sim_connector(1).SetFeedbackErrorObserver([&](ContactorError e) { errors.push_back(e); });
  hw.sim_connector(1).Close();
  EXPECT_TRUE(hw.sim_connector(1).IsClosed());
  EXPECT_TRUE(hw.sim_connector(1).contactor_commanded_closed());
  hw.sim_connector(1).Close();  // repeating a command is harmless
  hw.sim_connector(1).Open();
  EXPECT_FALSE(hw.sim_connector(1).IsClosed());
  hw.Poll();
  EXPECT_TRUE(errors.empty());
}

TEST(SimHardwareTest, StuckOpenContactorReportsAtNextPoll) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<ContactorError> errors;
  hw.sim_connector(1).SetFeedbackErrorObserver([&](ContactorError e) { errors.push_back(e); });
  hw.sim_connector(1).SetContactorDefect(SimContactorDefect::kStuckOpen);
  StartCharging(hw);
  EXPECT_FALSE(hw.sim_connector(1).IsClosed());
  EXPECT_TRUE(errors.empty()) << "never from inside Close()";
  hw.Poll();
  EXPECT_EQ(errors, std::vector<ContactorError>{ContactorError::kFailedToClose});
  hw.Poll();
  EXPECT_EQ(errors.size(), 1u) << "once per command";
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 0);
  // Repaired: the feedback follows the pending close command.
  hw.sim_connector(1).SetContactorDefect(SimContactorDefect::kNone);
  EXPECT_TRUE(hw.sim_connector(1).IsClosed());
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 7200);
}

TEST(SimHardwareTest, WeldedContactorKeepsDeliveringAndReportsAtNextPoll) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<ContactorError> errors;
  hw.sim_connector(1).SetFeedbackErrorObserver([&](ContactorError e) { errors.push_back(e); });
  hw.sim_connector(1).SetContactorDefect(SimContactorDefect::kWelded);
  StartCharging(hw);
  hw.sim_connector(1).Open();
  EXPECT_TRUE(hw.sim_connector(1).IsClosed());
  EXPECT_FALSE(hw.sim_connector(1).contactor_commanded_closed());
  hw.Poll();
  EXPECT_EQ(errors, std::vector<ContactorError>{ContactorError::kWelded});
  clock.Advance(hours(1));
  EXPECT_EQ(EnergyWh(hw), 7200) << "a welded contactor still conducts";
}

TEST(SimHardwareTest, RebootRequestReachesHandlerAtNextPoll) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<RebootKind> reboots;
  hw.SetRebootHandler([&](RebootKind kind) { reboots.push_back(kind); });
  hw.RequestReboot(RebootKind::kSoft);
  EXPECT_EQ(hw.reboot_requests(), 1);
  EXPECT_TRUE(reboots.empty()) << "never from inside RequestReboot()";
  hw.Poll();
  EXPECT_EQ(reboots, std::vector<RebootKind>{RebootKind::kSoft});
  hw.RequestReboot(RebootKind::kHard);
  hw.Poll();
  hw.Poll();
  EXPECT_EQ(reboots, (std::vector<RebootKind>{RebootKind::kSoft, RebootKind::kHard}));
}

TEST(SimHardwareTest, WorkDeferredDuringPollRunsAtTheNextPoll) {
  base::FakeClock clock;
  SimHardware hw(clock);
  int reboots = 0;
  hw.SetRebootHandler([&](RebootKind kind) {
    // A station that asks again right away must not make Poll() spin.
    if (++reboots < 3) hw.RequestReboot(kind);
  });
  hw.RequestReboot(RebootKind::kSoft);
  hw.Poll();
  EXPECT_EQ(reboots, 1);
  hw.Poll();
  hw.Poll();
  hw.Poll();
  EXPECT_EQ(reboots, 3);
}

TEST(SimHardwareTest, ConnectorsAreIndependent) {
  base::FakeClock clock;
  SimHardware::Options options;
  options.connectors = 3;
  options.initial_energy_wh = {100, 200};
  SimHardware hw(clock, options);
  ASSERT_EQ(hw.connector_count(), 3);
  EXPECT_EQ(hw.sim_connector(2).id(), 2);
  EXPECT_EQ(hw.sim_connector(3).ReadEnergyActiveImportWh(), 0);
  hw.sim_connector(2).SetPwmDutyPermille(kDuty80A);
  hw.sim_connector(2).SetPilotState(PilotState::kC);
  hw.sim_connector(2).Close();
  hw.sim_connector(2).SetPowerDrawW(3600);
  clock.Advance(hours(1));
  EXPECT_EQ(hw.sim_connector(1).ReadEnergyActiveImportWh(), 100);
  EXPECT_EQ(hw.sim_connector(2).ReadEnergyActiveImportWh(), 200 + 3600);
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kA);
  std::vector<Fault> station_faults;
  hw.SetFaultObserver([&](Fault f) { station_faults.push_back(f); });
  hw.sim_connector(1).SetFault(Fault::kGroundFailure);
  EXPECT_EQ(hw.CurrentFault(), Fault::kNoError);
  hw.SetStationFault(Fault::kInternalError);
  EXPECT_EQ(station_faults, std::vector<Fault>{Fault::kInternalError});
  EXPECT_EQ(hw.sim_connector(3).CurrentFault(), Fault::kNoError);
}

TEST(SimHardwareTest, ConnectorCountIsClamped) {
  base::FakeClock clock;
  SimHardware::Options options;
  options.connectors = 99;
  EXPECT_EQ(SimHardware(clock, options).connector_count(), kMaxConnectors);
  options.connectors = 0;
  EXPECT_EQ(SimHardware(clock, options).connector_count(), 1);
}

// A reading is durable before it is reported, so a restarted meter never
// reports less than anything reported before a power cut.
TEST(SimHardwareTest, RegisterIsDurableBeforeItIsReported) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<std::int64_t> persisted;
  bool storage_works = true;
  hw.sim_connector(1).SetRegisterPersistence([&](std::int64_t wh) {
    if (storage_works) persisted.push_back(wh);
    return storage_works;
  });
  StartCharging(hw);
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 3600);
  EXPECT_EQ(persisted, std::vector<std::int64_t>{3600});
  EXPECT_EQ(EnergyWh(hw), 3600);  // unchanged: nothing more to persist
  EXPECT_EQ(persisted.size(), 1u);
  storage_works = false;
  clock.Advance(minutes(30));
  EXPECT_EQ(EnergyWh(hw), 3600) << "a value that is not durable is not reported";
  storage_works = true;
  EXPECT_EQ(EnergyWh(hw), 7200);
  EXPECT_EQ(persisted.back(), 7200);
}

}  // namespace
}  // namespace ocpp::hal::sim
