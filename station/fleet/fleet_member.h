// One station of the fleet: the same parts as station_sim (ChargePoint on
// SqliteStorage in DATA_DIR/ID, WsClientTransport, SimHardware with its
// meter register in DATA_DIR/ID/sim-meter-wh), without Firmware Management,
// driven by its StationPlan instead of stdin. A Reset from the central
// system reboots it in place, as station_sim does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hal/linux/sqlite_storage.h"
#include "hal/sim/sim_hardware.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"
#include "station/fleet/fleet_stats.h"
#include "station/fleet/plan.h"

namespace ocpp::station::fleet {

class Fleet;

class FleetMember {
 public:
  FleetMember(Fleet& fleet, std::uint64_t index);
  ~FleetMember();
  FleetMember(const FleetMember&) = delete;
  FleetMember& operator=(const FleetMember&) = delete;

  // Opens the storage, creates the transport and the charge point, connects.
  void Boot();
  // Ends the plan and closes the connection with 1001 (going away).
  void BeginStop();
  bool IsStopped() const;
  // Writes the meter register and destroys the station (storage last).
  void Destroy();
  // Unanswered CALLs sent before `cutoff`: response timeouts.
  int ExpireCalls(base::SteadyTime cutoff) { return calls_.Expire(cutoff); }
  bool connected() const { return connected_; }
  bool accepted() const { return accepted_; }
  const std::string& id() const { return id_; }

 private:
  enum class Phase { kOff, kWaitingForAcceptance, kIdle, kCharging, kUnplugging, kStopped };

  void OnFrame(runtime::TraceDirection dir, std::string_view frame);
  void CheckAccepted();
  void StartIdle();
  void PlugIn();
  void StopCharging();
  void Unplug();
  void Reboot();
  void AwaitRebootClose(int attempts_left);
  void ReleaseChargePoint();
  void Teardown();
  void SetTimer(base::Milliseconds delay, void (FleetMember::*step)());
  void CancelTimer();

  Fleet& fleet_;
  const std::uint64_t index_;
  const std::string id_;
  const std::string card_;
  const std::string data_dir_;
  StationPlan plan_;
  Cycle cycle_;
  Phase phase_ = Phase::kOff;
  std::unique_ptr<hal::sim::SimHardware> hardware_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  std::unique_ptr<runtime::WsClientTransport> transport_;
  std::unique_ptr<ChargePoint> cp_;
  CallTracker calls_;
  runtime::TimerId timer_ = 0;
  bool connected_ = false;
  bool ever_connected_ = false;
  bool accepted_ = false;
  bool rebooting_ = false;
  // Tasks posted to the loop hold a weak copy: they do nothing once the
  // member is gone.
  std::shared_ptr<FleetMember*> alive_;
};

}  // namespace ocpp::station::fleet
