// The conformance harness: the station (ChargePoint on the simulated HAL,
// SQLite storage in TEST_TMPDIR, WsClientTransport) and a scripted central
// system (tools/csms, WsServer) talking over a real WebSocket on 127.0.0.1,
// both on one LwsEventLoop whose timers run on a FakeClock. Tests wait for
// I/O by pumping the loop and move time only with Advance().
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "hal/sim/sim_commands.h"
#include "hal/sim/sim_hardware.h"
#include "runtime/clock.h"
#include "runtime/lws_event_loop.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"
#include "tools/csms/central_system.h"

namespace ocpp::conformance {

using runtime::Milliseconds;
using v16::Action;

inline Milliseconds Seconds(int s) { return Milliseconds(std::int64_t{s} * 1000); }

class Harness : public ::testing::Test {
 protected:
  Harness();
  ~Harness() override;

  // Creates (or, after StopStation, re-creates) the station on the same
  // data directory and waits until it is registered.
  void StartStation(std::map<std::string, std::string> factory_config = {},
                    bool wait_for_boot = true);
  // Power cut: the station's objects vanish with no shutdown at all.
  void PowerCut();

  // Pumps I/O until `done` (no fake time passes). False on timeout.
  bool WaitUntil(const std::function<bool()>& done, int iterations = 400);
  // Moves the fake clock forward by `by`, firing every timer on its deadline
  // and letting the I/O each causes complete.
  void Advance(Milliseconds by);
  void Settle() {
    WaitUntil([] { return false; }, 6);
  }

  // Hardware, as the simulator's stdin commands would.
  void Do(const std::string& command_line);

  // Central system side.
  tools::CentralSystem& csms() { return *csms_; }
  std::vector<std::string> Calls() const { return csms_->ReceivedCalls(); }
  int CountCalls(const std::string& action) const;
  // Calls() without the periodic ones (Heartbeat, MeterValues by default).
  std::vector<std::string> CallsExcept(std::initializer_list<std::string_view> ignored = {
                                           "Heartbeat", "MeterValues"}) const;
  bool WaitForCall(const std::string& action, int count = 1);
  rapidjson::Document LastPayload(const std::string& action) const;
  // "connector:status" of every StatusNotification, in order.
  std::vector<std::string> Statuses() const;
  std::string LastStatus(int connector) const;
  bool WaitForStatus(int connector, const std::string& status);
  void ClearFrames() { csms_->ClearFrames(); }
  // Sends a CALL from the central system and waits for the answer.
  template <class Request>
  auto CsmsCall(const Request& request) {
    using Response = typename v16::RequestTraits<Request>::Response;
    std::optional<runtime::CallOutcome<Response>> outcome;
    csms_->Call(request, [&](runtime::CallOutcome<Response> o) { outcome = std::move(o); });
    EXPECT_TRUE(WaitUntil([&] { return outcome.has_value(); })) << "no answer";
    EXPECT_TRUE(outcome && std::holds_alternative<Response>(*outcome)) << "CALLERROR";
    return outcome && std::holds_alternative<Response>(*outcome) ? std::get<Response>(*outcome)
                                                                 : Response{};
  }
  // Answers to the station's next calls of an action, in order.
  void RejectBoot(v16::RegistrationStatus status, int interval);

  station::ChargePoint& station() { return *cp_; }
  hal::sim::SimHardware& hardware() { return *hardware_; }
  runtime::FakeClock& clock() { return clock_; }
  std::string data_dir() const { return data_dir_; }

 private:
  runtime::FakeClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> csms_;
  std::unique_ptr<hal::sim::SimHardware> hardware_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  std::unique_ptr<runtime::WsClientTransport> transport_;
  std::unique_ptr<station::ChargePoint> cp_;
  std::string data_dir_;
  std::map<std::string, std::string> factory_config_;
};

}  // namespace ocpp::conformance
