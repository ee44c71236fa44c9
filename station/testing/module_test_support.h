// Test support for the station's feature modules: everything a module needs
// around it, with nothing real below it.
//
//   ModuleEnv env;                      // loop, clock, storage, config, rpc, context
//   env.GoOnline();                     // connected and Accepted
//   Registration registration(env.context(), ...);
//   env.Reply(R"({"status":"Accepted",...})");   // answers the last CALL
//   EXPECT_EQ(env.Actions(), ...);
//
// FakeHardware turns //hal/testing's StrictMocks into a stateful fake (pilot,
// faults, contactor, PWM, meter, reboots); FakeTransactions is a
// TransactionsView for the modules that only consult transactions.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

// mock_hardware.h first: it says `testing::StrictMock` inside ocpp::hal,
// which in_memory_storage.h's ocpp::hal::testing would otherwise capture.
#include "hal/testing/mock_hardware.h"
// After it, on purpose (see above).
#include "hal/testing/in_memory_storage.h"
#include "runtime/rpc_endpoint.h"
#include "runtime/testing/manual_event_loop.h"
#include "station/config/configuration.h"
#include "station/context.h"
#include "station/transactions/transactions.h"

namespace ocpp::station::testing {

// A CALL the station sent.
struct SentCall {
  std::string id;
  std::string action;
  std::string payload;  // the JSON object, as sent
};

// Parses a payload; fails the test when it is not JSON.
rapidjson::Document ParseJson(const std::string& json);
// A string, integer or boolean member as text ("" when absent), e.g.
// Field(payload, "status") == "Accepted", Field(payload, "idTagInfo.status").
std::string Field(const std::string& json, const std::string& path);
bool HasField(const std::string& json, const std::string& path);

class ModuleEnv {
 public:
  // `factory_config` as in ChargePoint::Options (first start on this storage).
  explicit ModuleEnv(std::map<std::string, std::string> factory_config = {});
  ~ModuleEnv();
  ModuleEnv(const ModuleEnv&) = delete;
  ModuleEnv& operator=(const ModuleEnv&) = delete;

  runtime::testing::ManualEventLoop& loop() { return loop_; }
  hal::testing::InMemoryStorage& storage() { return storage_; }
  Configuration& config() { return *config_; }
  runtime::RpcEndpoint& rpc() { return *rpc_; }
  StationContext& context() { return *context_; }
  std::vector<std::string>& log() { return log_; }

  // The fake transport. Disconnect also cancels queued calls, as the
  // ChargePoint does.
  void Connect();
  void Disconnect();
  bool connected() const { return connected_; }
  // Connected and registration Accepted: StationContext::online().
  void GoOnline();

  // Runs the loop; calls whose action has an auto answer are answered
  // (repeatedly, until nothing is left). Then advances time if asked.
  void Run(base::Milliseconds advance = base::Milliseconds(0));
  // CALLRESULT payloads given to every CALL of `action` during Run().
  void AutoAnswer(const std::string& action, std::string payload);
  void AutoAnswer(const std::string& action, std::function<std::string(const SentCall&)> answer);
  void StopAutoAnswer(const std::string& action) { answers_.erase(action); }

  // Answers the CALL in flight (the last one sent), then runs the loop.
  void Reply(const std::string& payload);
  void ReplyError(const std::string& code, const std::string& description = "");
  bool awaiting_answer() const { return !outstanding_.empty(); }

  // A CALL from the central system; returns the station's answer frame
  // ("" when it did not answer).
  std::string CsmsCall(const std::string& action, const std::string& payload);
  // The answer's payload (CALLRESULT) or error code (CALLERROR).
  std::string CsmsCallPayload(const std::string& action, const std::string& payload);

  const std::vector<SentCall>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }
  std::vector<std::string> Actions() const;
  std::vector<SentCall> CallsOf(const std::string& action) const;
  const SentCall* Last(const std::string& action) const;
  // StatusNotifications as "connector:status" (":errorCode" unless NoError).
  std::vector<std::string> Statuses() const;

 private:
  bool Send(std::string frame);

  runtime::testing::ManualEventLoop loop_;
  hal::testing::InMemoryStorage storage_;
  std::unique_ptr<Configuration> config_;
  std::unique_ptr<runtime::RpcEndpoint> rpc_;
  std::unique_ptr<StationContext> context_;
  std::vector<std::string> log_;
  bool connected_ = false;
  std::vector<SentCall> calls_;
  std::string outstanding_;  // id of the CALL in flight
  std::vector<std::string> answers_to_csms_;
  std::map<std::string, std::function<std::string(const SentCall&)>> answers_;
  int csms_ids_ = 0;
};

// hal::MockHardware whose mocks follow a state the test sets.
class FakeHardware {
 public:
  struct Connector {
    hal::PilotState pilot = hal::PilotState::kA;
    hal::Fault fault = hal::Fault::kNoError;
    bool closed = false;
    int pwm = -1;  // last duty set; -1: never
    std::optional<std::int64_t> energy_wh = 0;
    int closes = 0;  // Close() commands
  };

  explicit FakeHardware(int connectors = 1);
  FakeHardware(const FakeHardware&) = delete;
  FakeHardware& operator=(const FakeHardware&) = delete;

  hal::MockHardware& hardware() { return mock_; }
  Connector& connector(int c) { return connectors_.at(static_cast<std::size_t>(c - 1)); }
  // Change the state and tell the observer, like a backend would.
  void SetPilot(int c, hal::PilotState state);
  void SetFault(int c, hal::Fault fault);  // c = 0: the station's own fault
  void PresentTag(const std::string& tag) { mock_.mock_reader.PresentTag(tag); }
  hal::Fault station_fault = hal::Fault::kNoError;
  std::vector<hal::RebootKind> reboots;

 private:
  hal::MockHardware mock_;
  std::vector<Connector> connectors_;
};

// TransactionsView for availability, reset and metering tests.
class FakeTransactions : public TransactionsView {
 public:
  // Starts a transaction on `connector` (local id, tag, start time).
  Transaction& Begin(int connector, std::int64_t local_id, codec::DateTime started,
                     const std::string& id_tag = "TAG");
  void End(int connector) { active_.erase(connector); }

  const Transaction* Active(int connector) const override;
  std::optional<std::int64_t> CsmsTransactionId(int connector) const override {
    auto it = csms_ids.find(connector);
    if (it == csms_ids.end()) return std::nullopt;
    return it->second;
  }
  bool finishing(int connector) const override { return finishing_.count(connector) > 0; }
  void set_finishing(int connector, bool value);
  void StopAll(v16::Reason reason) override;
  void CancelAuthorization(int connector) override { cancelled.push_back(connector); }
  void AddStopData(int connector, const v16::MeterValue& value) override {
    stop_data[connector].push_back(value);
  }
  void PersistReading(int connector, std::optional<codec::DateTime> when) override {
    persisted.emplace_back(connector, when);
  }
  std::int64_t ReadEnergyWh(int connector) override { return energy_wh[connector]; }

  std::vector<v16::Reason> stop_all;
  std::function<void(v16::Reason)> on_stop_all;
  std::vector<int> cancelled;
  std::map<int, std::vector<v16::MeterValue>> stop_data;
  std::vector<std::pair<int, std::optional<codec::DateTime>>> persisted;
  std::map<int, std::int64_t> energy_wh;
  std::map<int, std::int64_t> csms_ids;  // transactionIds the central system gave

 private:
  std::map<int, Transaction> active_;
  std::set<int> finishing_;
};

}  // namespace ocpp::station::testing
