#include "hal/sim/sim_hardware.h"

#include <algorithm>
#include <chrono>
#include <ratio>
#include <utility>

namespace ocpp::hal::sim {
namespace {

using Nanoseconds = std::chrono::nanoseconds;

// Integration needs the clock's ticks to be whole nanoseconds, or converting
// them would round and the meter would drift.
static_assert(std::ratio_divide<base::SteadyTime::period, std::nano>::den == 1,
              "steady clock ticks must be a whole number of nanoseconds");

constexpr std::int64_t kNanosPerHour = std::int64_t{3600} * 1000 * 1000 * 1000;
// W * ns in one Wh; equal to kNanosPerHour (1 W for one hour).
constexpr std::int64_t kWattNanosPerWh = kNanosPerHour;
// Largest product Integrate() forms: below int64's 9.2e18.
static_assert(std::int64_t{kMaxPowerDrawW} * kNanosPerHour + kWattNanosPerWh < INT64_MAX / 2);

bool IsIdTag(const std::string& id_tag) {
  if (id_tag.empty() || id_tag.size() > kMaxIdTagLength) return false;
  return std::all_of(id_tag.begin(), id_tag.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// Calls a copy, so an observer may replace or remove itself safely.
template <typename Observer, typename... Args>
void Notify(const Observer& observer, Args&&... args) {
  if (!observer) return;
  Observer copy = observer;
  copy(std::forward<Args>(args)...);
}

}  // namespace

SystemInfo DefaultSimSystemInfo() {
  SystemInfo info;
  info.vendor = "OcppSim";
  info.model = "SimAC-J1772";
  info.charge_point_serial_number = "SIM-0001";
  info.firmware_version = "sim-1.0";
  info.iccid = "8988247000000000001";  // test-range ICCID, 19 digits
  info.imsi = "001010000000001";       // MCC 001 / MNC 01: test network
  info.meter_type = "SimMeter";
  info.meter_serial_number = "SIM-METER-0001";
  return info;
}

SimHardware::SimHardware(const base::Clock& clock, Options options)
    : clock_(clock), system_info_(std::move(options.system_info)) {
  supply_.nominal_voltage_v = std::clamp(options.nominal_voltage_v, 1, 1000);
  supply_.phases = options.phases >= 3 ? 3 : 1;
  supply_.supply_current_amps = std::max(options.supply_current_a, 0);
  const int count = std::clamp(options.connectors, 1, kMaxConnectors);
  for (int id = 1; id <= count; ++id) {
    const std::size_t index = static_cast<std::size_t>(id - 1);
    const std::int64_t initial =
        index < options.initial_energy_wh.size() ? options.initial_energy_wh[index] : 0;
    connectors_.push_back(std::unique_ptr<SimConnector>(
        new SimConnector(*this, id, initial, options.power_draw_w, options.max_current_a)));
  }
}

SimConnector& SimHardware::sim_connector(int connector_id) {
  if (connector_id < 1 || connector_id > connector_count()) connector_id = 1;
  return *connectors_[static_cast<std::size_t>(connector_id - 1)];
}

void SimHardware::Poll() {
  for (auto& connector : connectors_) connector->Integrate();
  // Observers may defer more work (e.g. request a reboot): that runs at the
  // next Poll(), so one Poll() always terminates.
  std::vector<std::function<void()>> due;
  due.swap(deferred_);
  for (const std::function<void()>& task : due) task();
}

void SimHardware::SetTagObserver(TagObserver observer) { tag_observer_ = std::move(observer); }

void SimHardware::SetFaultObserver(FaultObserver observer) {
  station_fault_observer_ = std::move(observer);
}

void SimHardware::RequestReboot(RebootKind kind) {
  ++reboot_requests_;
  Defer([this, kind] { Notify(reboot_handler_, kind); });
}

bool SimHardware::PresentTag(const std::string& id_tag) {
  if (!IsIdTag(id_tag)) return false;
  Notify(tag_observer_, id_tag);
  return true;
}

void SimHardware::SetStationFault(Fault fault) {
  if (fault == station_fault_) return;
  station_fault_ = fault;
  Notify(station_fault_observer_, fault);
}

void SimHardware::SetRebootHandler(std::function<void(RebootKind)> handler) {
  reboot_handler_ = std::move(handler);
}

// ---------------------------------------------------------------------------
// SimConnector

SimConnector::SimConnector(SimHardware& owner, int id, std::int64_t initial_energy_wh,
                           std::int32_t power_w, int max_current_a)
    : owner_(owner),
      id_(id),
      max_current_a_(max_current_a),
      power_draw_w_(std::clamp(power_w, 0, kMaxPowerDrawW)),
      energy_wh_(std::max<std::int64_t>(initial_energy_wh, 0)),
      durable_wh_(energy_wh_),
      integrated_until_(owner.clock_.Now()) {}

bool SimConnector::delivering() const {
  return feedback_closed_ && VehicleRequestsEnergy(pilot_state_);
}

int SimConnector::offered_deciamps() const { return AdvertisedCurrentDeciamps(pwm_duty_permille_); }

std::int32_t SimConnector::drawn_w() const {
  if (!delivering()) return 0;
  const SupplyRating supply = owner_.supply();
  const std::int64_t offered_w =
      std::int64_t{offered_deciamps()} * supply.nominal_voltage_v * supply.phases / 10;
  return static_cast<std::int32_t>(std::min<std::int64_t>(power_draw_w_, offered_w));
}

void SimConnector::Integrate() {
  const base::SteadyTime now = owner_.clock_.Now();
  // A steady clock never goes back; if a test clock does, count nothing
  // twice and nothing negative.
  if (now <= integrated_until_) return;
  std::int64_t elapsed_ns =
      std::chrono::duration_cast<Nanoseconds>(now - integrated_until_).count();
  integrated_until_ = now;
  const std::int64_t watts = drawn_w();
  if (watts == 0) return;
  // Whole hours give exactly `watts` Wh each; the rest goes through the
  // remainder, which stays below one Wh.
  energy_wh_ += watts * (elapsed_ns / kNanosPerHour);
  elapsed_ns %= kNanosPerHour;
  energy_remainder_watt_ns_ += watts * elapsed_ns;
  energy_wh_ += energy_remainder_watt_ns_ / kWattNanosPerWh;
  energy_remainder_watt_ns_ %= kWattNanosPerWh;
}

void SimConnector::SetPwmDutyPermille(int duty_permille) {
  duty_permille = std::clamp(duty_permille, 0, 1000);
  if (duty_permille == pwm_duty_permille_) return;
  Integrate();  // the draw follows the advertisement from now on
  pwm_duty_permille_ = duty_permille;
  Notify(pwm_observer_, duty_permille);
}

void SimConnector::SetStateObserver(StateObserver observer) {
  pilot_observer_ = std::move(observer);
}

void SimConnector::Close() {
  if (commanded_closed_) return;
  Integrate();
  commanded_closed_ = true;
  if (contactor_defect_ == SimContactorDefect::kStuckOpen) {
    owner_.Defer([this] { Notify(contactor_observer_, ContactorError::kFailedToClose); });
    return;
  }
  feedback_closed_ = true;
}

void SimConnector::Open() {
  if (!commanded_closed_) return;
  Integrate();
  commanded_closed_ = false;
  if (contactor_defect_ == SimContactorDefect::kWelded && feedback_closed_) {
    owner_.Defer([this] { Notify(contactor_observer_, ContactorError::kWelded); });
    return;
  }
  feedback_closed_ = false;
}

void SimConnector::SetFeedbackErrorObserver(FeedbackErrorObserver observer) {
  contactor_observer_ = std::move(observer);
}

std::optional<std::int64_t> SimConnector::ReadEnergyActiveImportWh() {
  Integrate();
  if (!meter_available_) return std::nullopt;
  // Durable before reported: after a power cut the register restarts from
  // at least every value anyone has seen.
  if (energy_wh_ > durable_wh_) {
    if (persistence_ && !persistence_(energy_wh_)) return durable_wh_;
    durable_wh_ = energy_wh_;
  }
  return energy_wh_;
}

std::optional<std::int32_t> SimConnector::ReadPowerActiveImportW() {
  if (!meter_available_) return std::nullopt;
  return drawn_w();
}

std::optional<std::int32_t> SimConnector::ReadCurrentImportDeciamps() {
  if (!meter_available_) return std::nullopt;
  const SupplyRating supply = owner_.supply();
  const std::int32_t volts_x_phases = supply.nominal_voltage_v * supply.phases;
  return (drawn_w() * 10 + volts_x_phases / 2) / volts_x_phases;
}

void SimConnector::SetFaultObserver(FaultObserver observer) {
  fault_observer_ = std::move(observer);
}

void SimConnector::SetPilotState(PilotState state) {
  if (state == pilot_state_) return;
  Integrate();
  pilot_state_ = state;
  Notify(pilot_observer_, state);
}

void SimConnector::SetPowerDrawW(std::int32_t watts) {
  Integrate();
  power_draw_w_ = std::clamp(watts, 0, kMaxPowerDrawW);
}

void SimConnector::SetFault(Fault fault) {
  if (fault == fault_) return;
  fault_ = fault;
  Notify(fault_observer_, fault);
}

void SimConnector::SetContactorDefect(SimContactorDefect defect) {
  contactor_defect_ = defect;
  if (defect == SimContactorDefect::kNone && feedback_closed_ != commanded_closed_) {
    Integrate();
    feedback_closed_ = commanded_closed_;
  }
}

void SimConnector::SetMeterAvailable(bool available) { meter_available_ = available; }

}  // namespace ocpp::hal::sim
