// Simulated station hardware for the host build (//station:station_sim) and
// integration tests: N J1772 connectors (SimConnector: pilot, contactor,
// meter, faults), one RFID reader, the station's own fault monitor, identity
// and reboot control, all driven by an injected base::Clock and by the
// simulation controls below (which the stdin commands of sim_commands.h map
// onto).
//
//   base::FakeClock clock;
//   hal::sim::SimHardware hw(clock);
//   hal::sim::SimConnector& c1 = hw.sim_connector(1);
//   c1.SetPilotState(hal::PilotState::kC);
//   c1.contactor().Close();
//   clock.Advance(std::chrono::hours(1));
//   *c1.ReadEnergyActiveImportWh();  // 7200
//
// Each meter integrates its vehicle's power draw into the import register
// while, and only while, the contactor's feedback is closed and the pilot is
// C or D. Like a real EV, the vehicle draws no more than the pilot's PWM
// advertises: min(power draw, advertised A x nominal voltage x phases), and
// nothing while the duty cycle allows no charging (100 %, the default until
// the station sets one). Integration is exact: energy is kept in W*ns (the clock's
// resolution), so any pattern of reads and state changes yields exactly
// floor(sum(power_w * seconds) / 3600) Wh, with the sub-Wh remainder carried.
//
// Not thread-safe: call it from the station's event loop (the stdin reader
// posts commands onto the loop). Outlives in-process station restarts like
// real hardware does; the restarted station registers its observers again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hal/hardware.h"

namespace ocpp::hal::sim {

inline constexpr std::int32_t kDefaultPowerDrawW = 7200;
// Upper bound of the simulated draw; keeps the W*ns arithmetic far from
// overflow (100 kW is beyond any AC connector: 80 A * 3 * 277 V = 66.5 kW).
inline constexpr std::int32_t kMaxPowerDrawW = 100000;
inline constexpr std::int32_t kNominalVoltageV = 230;
inline constexpr int kDefaultMaxCurrentA = 32;

// The identity a simulated station reports unless told otherwise.
SystemInfo DefaultSimSystemInfo();

// Contactor defects a test can inject.
enum class SimContactorDefect {
  kNone,
  kWelded,     // stays closed once closed: Open() is reported as kWelded
  kStuckOpen,  // never closes: Close() is reported as kFailedToClose
};

class SimHardware;

// One simulated connector. Created by SimHardware.
class SimConnector final : public ConnectorHardware,
                           public ControlPilot,
                           public Contactor,
                           public EnergyMeter,
                           public FaultMonitor {
 public:
  // Makes a register value durable before the meter reports it (a real
  // meter's register never goes back after a power cut). Returns false when
  // it could not: the meter then reports the last durable value.
  using RegisterPersistence = std::function<bool(std::int64_t wh)>;

  SimConnector(const SimConnector&) = delete;
  SimConnector& operator=(const SimConnector&) = delete;

  // ConnectorHardware.
  ControlPilot& control_pilot() override { return *this; }
  Contactor& contactor() override { return *this; }
  EnergyMeter& energy_meter() override { return *this; }
  FaultMonitor& fault_monitor() override { return *this; }
  int max_current_amps() const override { return max_current_a_; }

  // ControlPilot.
  PilotState ReadState() override { return pilot_state_; }
  void SetPwmDutyPermille(int duty_permille) override;
  void SetStateObserver(StateObserver observer) override;

  // Contactor. The simulated feedback follows a command at once unless a
  // defect is injected; errors are reported at the next Poll().
  void Close() override;
  void Open() override;
  bool IsClosed() override { return feedback_closed_; }
  void SetFeedbackErrorObserver(FeedbackErrorObserver observer) override;

  // EnergyMeter; std::nullopt while SetMeterAvailable(false).
  std::optional<std::int64_t> ReadEnergyActiveImportWh() override;
  std::optional<std::int32_t> ReadPowerActiveImportW() override;
  // Per phase: power / (nominal voltage x phases), to the nearest deciamp.
  std::optional<std::int32_t> ReadCurrentImportDeciamps() override;

  // FaultMonitor (this connector's faults).
  Fault CurrentFault() override { return fault_; }
  void SetFaultObserver(FaultObserver observer) override;

  // ---- Simulation controls: the outside world acting on the hardware. ----
  // These fire observers synchronously, once per actual change.

  // The vehicle side of the pilot (cp A..E). kF is accepted for tests of the
  // station's handling of it, although only an EVSE drives F.
  void SetPilotState(PilotState state);
  // What the vehicle would draw while charging, clamped to 0..kMaxPowerDrawW;
  // it draws less when the pilot offers less.
  void SetPowerDrawW(std::int32_t watts);
  // The hardware's self-test result; kNoError clears.
  void SetFault(Fault fault);
  // Takes effect on the next command; kNone also makes the feedback follow
  // the last command at once.
  void SetContactorDefect(SimContactorDefect defect);
  // A meter that stops answering (reads return std::nullopt); energy keeps
  // being counted, as a real meter keeps metering when its bus fails.
  void SetMeterAvailable(bool available);
  void SetRegisterPersistence(RegisterPersistence persistence) {
    persistence_ = std::move(persistence);
  }
  // Called with the new duty cycle whenever the station changes the PWM
  // advertisement (station_sim's `pilot` JSON lines).
  void SetPwmObserver(std::function<void(int duty_permille)> observer) {
    pwm_observer_ = std::move(observer);
  }

  // ---- Introspection for tests and logs. ----
  int id() const { return id_; }
  int pwm_duty_permille() const { return pwm_duty_permille_; }
  bool contactor_commanded_closed() const { return commanded_closed_; }
  std::int32_t power_draw_w() const { return power_draw_w_; }
  // The current the PWM offers now, in deciamps (0: no charging allowed).
  int offered_deciamps() const;
  // What the vehicle draws now: 0 unless delivering(), else the power draw
  // capped by the offered current.
  std::int32_t drawn_w() const;
  // Energy is flowing: feedback closed and the pilot C or D.
  bool delivering() const;

 private:
  friend class SimHardware;
  SimConnector(SimHardware& owner, int id, std::int64_t initial_energy_wh, std::int32_t power_w,
               int max_current_a);

  // Adds the energy delivered since the last call, at the rate in force
  // during that interval. Every state change that affects the rate calls it
  // first.
  void Integrate();

  SimHardware& owner_;
  const int id_;
  const int max_current_a_;

  PilotState pilot_state_ = PilotState::kA;
  int pwm_duty_permille_ = 1000;
  StateObserver pilot_observer_;

  bool commanded_closed_ = false;
  bool feedback_closed_ = false;
  SimContactorDefect contactor_defect_ = SimContactorDefect::kNone;
  FeedbackErrorObserver contactor_observer_;

  std::int32_t power_draw_w_;
  bool meter_available_ = true;
  std::int64_t energy_wh_;
  std::int64_t durable_wh_;                    // last value made durable
  std::int64_t energy_remainder_watt_ns_ = 0;  // < one Wh
  base::SteadyTime integrated_until_;
  RegisterPersistence persistence_;
  std::function<void(int)> pwm_observer_;

  Fault fault_ = Fault::kNoError;
  FaultObserver fault_observer_;
};

class SimHardware final : public Hardware,
                          public RfidReader,
                          public FaultMonitor,
                          public SystemInfoProvider,
                          public SystemControl {
 public:
  struct Options {
    int connectors = 1;  // 1..kMaxConnectors
    // Register values at start, per connector (missing ones start at 0);
    // seed them with the persisted readings so each register stays
    // monotonic across a simulated power cut (kill -9).
    std::vector<std::int64_t> initial_energy_wh;
    std::int32_t power_draw_w = kDefaultPowerDrawW;
    int max_current_a = kDefaultMaxCurrentA;
    // The supply (station_sim --voltage, --phases, --supply-current).
    int nominal_voltage_v = kNominalVoltageV;
    int phases = 1;
    int supply_current_a = 0;  // 0: connectors x max_current_a
    SystemInfo system_info = DefaultSimSystemInfo();
  };

  // `clock` must outlive this object.
  explicit SimHardware(const base::Clock& clock) : SimHardware(clock, Options()) {}
  SimHardware(const base::Clock& clock, Options options);

  SimHardware(const SimHardware&) = delete;
  SimHardware& operator=(const SimHardware&) = delete;

  // Hardware.
  int connector_count() const override { return static_cast<int>(connectors_.size()); }
  ConnectorHardware& connector(int connector_id) override { return sim_connector(connector_id); }
  RfidReader& rfid_reader() override { return *this; }
  FaultMonitor& station_fault_monitor() override { return *this; }
  SystemInfoProvider& system_info() override { return *this; }
  SystemControl& system_control() override { return *this; }
  SupplyRating supply() const override { return supply_; }
  // Integrates the meters up to clock.Now(), then delivers what had to be
  // deferred: contactor feedback errors and reboot requests.
  void Poll() override;

  // 1..connector_count(); anything else is connector 1.
  SimConnector& sim_connector(int connector_id);

  // RfidReader.
  void SetTagObserver(TagObserver observer) override;

  // FaultMonitor: faults of the station as a whole (connector 0).
  Fault CurrentFault() override { return station_fault_; }
  void SetFaultObserver(FaultObserver observer) override;

  // SystemInfoProvider.
  SystemInfo ReadSystemInfo() override { return system_info_; }
  // The version a (simulated) reboot activated; BootNotification reports it.
  void SetFirmwareVersion(std::string version) {
    system_info_.firmware_version = std::move(version);
  }

  // SystemControl: counted, and handed to the reboot handler at the next
  // Poll() (never from inside the station's call).
  void RequestReboot(RebootKind kind) override;

  // ---- Simulation controls. ----
  // Presents a card. Returns false, and notifies nobody, unless `id_tag` is
  // 1..kMaxIdTagLength printable ASCII characters (the RfidReader contract).
  bool PresentTag(const std::string& id_tag);
  // A fault of the station as a whole; kNoError clears.
  void SetStationFault(Fault fault);
  // Receives reboot requests (at Poll(), or posted). station_sim restarts
  // the station in-process here; since the handler runs inside Poll() or a
  // posted task, tearing down the station must be posted to the event loop,
  // not done inline.
  void SetRebootHandler(std::function<void(RebootKind)> handler);
  // Where deferred notifications (contactor feedback errors, reboot
  // requests) go: with a poster (e.g. the event loop's Post) they are
  // delivered without any polling; without one they wait for Poll().
  void SetPoster(std::function<void(std::function<void()>)> poster) { poster_ = std::move(poster); }

  int reboot_requests() const { return reboot_requests_; }
  const base::Clock& clock() const { return clock_; }

 private:
  friend class SimConnector;
  void Defer(std::function<void()> task) {
    if (poster_) return poster_(std::move(task));
    deferred_.push_back(std::move(task));
  }

  const base::Clock& clock_;
  SystemInfo system_info_;
  SupplyRating supply_;
  std::vector<std::unique_ptr<SimConnector>> connectors_;
  TagObserver tag_observer_;
  Fault station_fault_ = Fault::kNoError;
  FaultObserver station_fault_observer_;
  std::function<void(RebootKind)> reboot_handler_;
  int reboot_requests_ = 0;
  // Notifications deferred to the next Poll() (no poster).
  std::vector<std::function<void()>> deferred_;
  std::function<void(std::function<void()>)> poster_;
};

}  // namespace ocpp::hal::sim
