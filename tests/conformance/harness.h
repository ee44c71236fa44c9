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
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hal/linux/file_credential_store.h"
#include "hal/linux/file_diagnostics_log.h"
#include "hal/linux/sqlite_storage.h"
#include "hal/sim/sim_commands.h"
#include "hal/sim/sim_firmware.h"
#include "hal/sim/sim_hardware.h"
#include "runtime/lws_event_loop.h"
#include "runtime/testing/fake_file_transfer.h"
#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"
#include "tools/csms/central_system.h"

namespace ocpp::conformance {

using base::Milliseconds;
using v16::Action;

inline Milliseconds Seconds(int s) { return Milliseconds(std::int64_t{s} * 1000); }

using Strings = std::vector<std::string>;

// The string member `name` of a JSON object; "" when absent or not a string.
inline std::string Str(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}
inline bool Has(const rapidjson::Value& object, const char* name) {
  return object.IsObject() && object.HasMember(name);
}
// Seconds since the epoch of an OCPP timestamp member; -1 if unusable.
inline std::int64_t EpochSeconds(const rapidjson::Value& object, const char* name = "timestamp") {
  auto parsed = codec::DateTime::Parse(Str(object, name));
  return parsed ? parsed->unix_millis() / 1000 : -1;
}

class Harness : public ::testing::Test {
 protected:
  Harness();
  ~Harness() override;

  // Creates (or, after PowerCut, re-creates) the station on the same data
  // directory and waits until it is registered (a new BootNotification
  // Accepted and both boot StatusNotifications). ClockAlignedDataInterval
  // is 0 unless `factory_config` says otherwise, so that idle clock-aligned
  // MeterValues do not interleave (checklist section 0, harness defaults).
  void StartStation(std::map<std::string, std::string> factory_config = {},
                    bool wait_for_boot = true);
  // For the security cases, before StartStation: the security extension on,
  // a test PKI made beside the data dir into `pki`, and the wall clock at
  // the real date (the test certificates are valid around it).
  void SetUpSecurityWithTestPki(runtime::testing::TestPki* pki);
  // Power cut: the station's objects vanish with no shutdown at all.
  void PowerCut();
  // In-process reboots (Reset): like station_sim, a reboot request from the
  // station (SimHardware::SetRebootHandler) closes the connection with a
  // close frame, destroys the station and creates it again on the same data
  // directory. Done by WaitUntil/Advance between loop turns, never inside a
  // loop callback. The number of reboots done so far:
  int reboots() const { return reboots_; }

  // Network loss (F-Offline): the central system cuts the connection with
  // no close frame and refuses upgrades (HTTP 404) until Restore().
  void GoOffline();
  // F-Restore: upgrades are accepted again; moves the fake clock to the
  // transport's next reconnect attempt (back-off) until it is connected.
  // False if it does not reconnect within `limit`.
  bool Restore(Milliseconds limit = Seconds(60));
  bool station_connected() const { return transport_ && transport_->IsConnected(); }

  // Pumps I/O until `done` (no fake time passes). False on timeout.
  bool WaitUntil(const std::function<bool()>& done, int iterations = 400);
  // Moves the fake clock forward by `by`, firing every timer on its deadline
  // and letting the I/O each causes complete.
  void Advance(Milliseconds by);
  // Pumps I/O until the wire has been quiet for a few loop turns (a CALL
  // and its answer can take several), so a following Advance() does not
  // jump past an answer still on its way.
  void Settle();

  // Hardware, as the simulator's stdin commands would.
  void Do(const std::string& command_line);

  // The station has connectors() connectors: 1, or what the environment
  // variable OCPP_CONFORMANCE_CONNECTORS says (the suite runs for 1 and 2).
  // The cases drive connector 1; the others stay idle, and their
  // StatusNotifications are left out of Calls() and Statuses() (AllCalls()
  // and AllStatuses() have them), so every case checks that a second
  // connector changes nothing for the first.
  int connectors() const { return connectors_; }
  // Before the first StartStation: a station with `n` connectors whatever
  // the environment says (the multi-connector cases).
  void UseConnectors(int n);

  // Central system side.
  tools::CentralSystem& csms() { return *csms_; }
  // Every recorded payload of `action` sent by the station, oldest first.
  std::vector<rapidjson::Document> Payloads(const std::string& action) const;
  std::vector<std::string> Calls() const { return FilteredCalls(false); }
  std::vector<std::string> AllCalls() const { return FilteredCalls(true); }
  int CountCalls(const std::string& action) const;
  // Calls() without the periodic ones (Heartbeat, MeterValues by default).
  std::vector<std::string> CallsExcept(std::initializer_list<std::string_view> ignored = {
                                           "Heartbeat", "MeterValues"}) const;
  bool WaitForCall(const std::string& action, int count = 1);
  rapidjson::Document LastPayload(const std::string& action) const;
  // "connector:status" of every StatusNotification, in order.
  std::vector<std::string> Statuses() const { return FilteredStatuses(false); }
  std::vector<std::string> AllStatuses() const { return FilteredStatuses(true); }
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

  // "SET k=v" of the checklist: ChangeConfiguration, expecting Accepted.
  void Set(const std::string& key, const std::string& value);
  // GetConfiguration of one key: its value, or "<unknown>".
  std::string GetConfig(const std::string& key);
  v16::RemoteStartStopStatus RemoteStart(const std::string& id_tag,
                                         std::optional<int> connector = 1);
  v16::RemoteStartStopStatus RemoteStop(std::int64_t transaction_id);
  // F-Charging (checklist section 3): GetConfiguration of
  // AuthorizeRemoteTxRequests, plug in (cp C), RemoteStartTransaction,
  // StartTransaction, Charging. Returns the transactionId.
  int StartCharging(const std::string& id_tag = "TAG-0001");
  // F-IdTagCached(tag): SET AuthorizationCacheEnabled=true, F-Charging with
  // `tag`, stop with the same tag, unplug.
  void CacheIdTag(const std::string& id_tag);

  station::ChargePoint& station() { return *cp_; }
  // Firmware Management's file transfers: scripted (Serve, Fail, hold);
  // they survive reboots, as a file server would.
  runtime::testing::FakeFileTransfer& transfers() { return *transfers_; }
  hal::sim::SimHardware& hardware() { return *hardware_; }
  hal::sim::SimConnector& connector(int id = 1) { return hardware_->sim_connector(id); }
  base::FakeClock& clock() { return clock_; }
  // The fake wall clock, in seconds since the epoch (the central system's
  // time; the station sets its clock from it).
  std::int64_t WallSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch())
        .count();
  }
  // Refuse (404) or accept WebSocket upgrades, without touching a connection.
  void set_refuse_connections(bool refuse) { refuse_connections_ = refuse; }
  std::string data_dir() const { return data_dir_; }

  // Security profile 1: the station's initial AuthorizationKey, and the
  // Authorization header the central system insists on ("" = none).
  std::string basic_auth_password_;
  // ChargePoint::Options::security_extension (SecurityEventNotification).
  bool security_extension_ = false;
  std::string required_authorization_;
  // What the station last handed the transport as installed roots (PEM).
  std::vector<std::string> trusted_roots_;
  // What the station handed over as its new certificate (chain, key paths).
  std::optional<std::pair<std::string, std::string>> client_certificate_;
  // Every security profile the station switched the transport to.
  std::vector<int> profile_switches_;
  int refused_authorizations_ = 0;
  int accepted_upgrades_ = 0;  // WebSocket upgrades the central system accepted

 private:
  base::FakeClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> csms_;
  std::unique_ptr<hal::sim::SimHardware> hardware_;
  std::unique_ptr<hal::SqliteStorage> storage_;
  std::unique_ptr<runtime::WsClientTransport> transport_;
  std::unique_ptr<runtime::testing::FakeFileTransfer> transfers_;
  std::unique_ptr<hal::sim::SimFirmwareInstaller> installer_;
  std::unique_ptr<hal::FileDiagnosticsLog> diagnostics_log_;
  std::unique_ptr<hal::FileDiagnosticsLog> security_log_;
  std::unique_ptr<hal::FileCredentialStore> credentials_;
  std::unique_ptr<station::ChargePoint> cp_;
  std::string data_dir_;
  std::map<std::string, std::string> factory_config_;
  bool refuse_connections_ = false;
  std::string authorization_key_;  // the station's, as the transport has it
  bool reboot_requested_ = false;
  int reboots_ = 0;

  void Reboot();
  void CreateStation();
  runtime::WsClientTransport::Options TransportOptions(int profile) const;
  std::vector<std::string> FilteredCalls(bool all) const;
  std::vector<std::string> FilteredStatuses(bool all) const;
  int connectors_ = 1;
  // The environment added idle connectors: their frames are left out.
  bool hide_idle_connectors_ = false;
};

}  // namespace ocpp::conformance
