#include "station/testing/module_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ocpp::station::testing {
namespace {

const rapidjson::Value* Find(const rapidjson::Value& root, const std::string& path) {
  const rapidjson::Value* value = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    const std::string name = path.substr(start, dot - start);
    if (!value->IsObject() || !value->HasMember(name.c_str())) return nullptr;
    value = &(*value)[name.c_str()];
    start = dot + 1;
  }
  return value;
}

}  // namespace

rapidjson::Document ParseJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return doc;
}

std::string Field(const std::string& json, const std::string& path) {
  rapidjson::Document doc = ParseJson(json);
  const rapidjson::Value* value = Find(doc, path);
  if (value == nullptr) return "";
  if (value->IsString()) return value->GetString();
  if (value->IsInt64()) return std::to_string(value->GetInt64());
  if (value->IsBool()) return value->GetBool() ? "true" : "false";
  if (value->IsDouble()) return std::to_string(value->GetDouble());
  return "<not a scalar>";
}

bool HasField(const std::string& json, const std::string& path) {
  rapidjson::Document doc = ParseJson(json);
  return Find(doc, path) != nullptr;
}

ModuleEnv::ModuleEnv(std::map<std::string, std::string> factory_config) {
  std::vector<std::string> warnings;
  config_ =
      std::make_unique<Configuration>(Configuration::Load(storage_, factory_config, &warnings));
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  runtime::RpcEndpoint::Options options;
  options.role = runtime::Role::kChargePoint;
  options.id_seed = 1;  // stable message ids
  rpc_ = std::make_unique<runtime::RpcEndpoint>(
      loop_, [this](std::string frame) { return Send(std::move(frame)); }, options);
  context_ = std::make_unique<StationContext>(
      loop_, *rpc_, *config_, storage_,
      [this](LogLevel, std::string_view line) { log_.emplace_back(line); });
  // The gates of ChargePoint::Wire (section 4.2).
  rpc_->SetSendGate([this](v16::Action action) {
    return context_->registration() == RegistrationState::kAccepted ||
           action == v16::Action::kBootNotification;
  });
  rpc_->SetIncomingGate(
      [this] { return context_->registration() != RegistrationState::kRejected; });
}

ModuleEnv::~ModuleEnv() = default;

bool ModuleEnv::Send(std::string frame) {
  if (!connected_) return false;
  rapidjson::Document doc = ParseJson(frame);
  if (doc.IsArray() && doc[0].GetInt() == 2) {
    const std::size_t brace = frame.find('{');
    SentCall call{doc[1].GetString(), doc[2].GetString(),
                  frame.substr(brace, frame.size() - brace - 1)};
    outstanding_ = call.id;
    calls_.push_back(std::move(call));
  } else {
    answers_to_csms_.push_back(std::move(frame));
  }
  return true;
}

void ModuleEnv::Connect() {
  connected_ = true;
  rpc_->OnConnected();
}

void ModuleEnv::Disconnect() {
  connected_ = false;
  outstanding_.clear();
  rpc_->OnDisconnected();
  rpc_->CancelPending();
}

void ModuleEnv::GoOnline() {
  context_->set_registration(RegistrationState::kAccepted);
  Connect();
}

void ModuleEnv::AutoAnswer(const std::string& action, std::string payload) {
  answers_[action] = [payload](const SentCall&) { return payload; };
}

void ModuleEnv::AutoAnswer(const std::string& action,
                           std::function<std::string(const SentCall&)> answer) {
  answers_[action] = std::move(answer);
}

void ModuleEnv::Run(base::Milliseconds advance) {
  for (int round = 0; round < 1000; ++round) {
    loop_.RunUntilIdle();
    if (outstanding_.empty() || calls_.empty()) break;
    auto it = answers_.find(calls_.back().action);
    if (it == answers_.end()) break;
    Reply(it->second(calls_.back()));
  }
  if (advance.count() > 0) {
    loop_.AdvanceAndRun(advance);
    Run();
  }
}

void ModuleEnv::Reply(const std::string& payload) {
  ASSERT_FALSE(outstanding_.empty()) << "no CALL to answer";
  const std::string id = outstanding_;
  outstanding_.clear();
  rpc_->OnText("[3,\"" + id + "\"," + payload + "]");
  Run();
}

void ModuleEnv::ReplyError(const std::string& code, const std::string& description) {
  ASSERT_FALSE(outstanding_.empty()) << "no CALL to answer";
  const std::string id = outstanding_;
  outstanding_.clear();
  rpc_->OnText("[4,\"" + id + "\",\"" + code + "\",\"" + description + "\",{}]");
  Run();
}

std::string ModuleEnv::CsmsCall(const std::string& action, const std::string& payload) {
  answers_to_csms_.clear();
  rpc_->OnText("[2,\"cs-" + std::to_string(++csms_ids_) + "\",\"" + action + "\"," + payload + "]");
  Run();
  return answers_to_csms_.empty() ? "" : answers_to_csms_.front();
}

std::string ModuleEnv::CsmsCallPayload(const std::string& action, const std::string& payload) {
  const std::string answer = CsmsCall(action, payload);
  if (answer.empty()) return "";
  rapidjson::Document doc = ParseJson(answer);
  if (doc[0].GetInt() == 4) return doc[2].GetString();
  const std::size_t brace = answer.find('{');
  return answer.substr(brace, answer.size() - brace - 1);
}

std::vector<std::string> ModuleEnv::Actions() const {
  std::vector<std::string> out;
  for (const SentCall& c : calls_) out.push_back(c.action);
  return out;
}

std::vector<SentCall> ModuleEnv::CallsOf(const std::string& action) const {
  std::vector<SentCall> out;
  for (const SentCall& c : calls_) {
    if (c.action == action) out.push_back(c);
  }
  return out;
}

const SentCall* ModuleEnv::Last(const std::string& action) const {
  for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
    if (it->action == action) return &*it;
  }
  return nullptr;
}

std::vector<std::string> ModuleEnv::Statuses() const {
  std::vector<std::string> out;
  for (const SentCall& c : CallsOf("StatusNotification")) {
    std::string s = Field(c.payload, "connectorId") + ":" + Field(c.payload, "status");
    const std::string error = Field(c.payload, "errorCode");
    if (error != "NoError") s += ":" + error;
    out.push_back(s);
  }
  return out;
}

FakeHardware::FakeHardware(int connectors)
    : mock_(connectors), connectors_(static_cast<std::size_t>(connectors)) {
  using ::testing::Return;
  for (int c = 1; c <= connectors; ++c) {
    hal::MockConnectorHardware& hw = mock_.mock_connector(c);
    EXPECT_CALL(hw.mock_pilot, ReadState()).WillRepeatedly([this, c] {
      return connector(c).pilot;
    });
    EXPECT_CALL(hw.mock_pilot, SetPwmDutyPermille(::testing::_))
        .WillRepeatedly([this, c](int duty) { connector(c).pwm = duty; });
    EXPECT_CALL(hw.mock_contactor, Close()).WillRepeatedly([this, c] {
      connector(c).closed = true;
      ++connector(c).closes;
    });
    EXPECT_CALL(hw.mock_contactor, Open()).WillRepeatedly([this, c] {
      connector(c).closed = false;
    });
    EXPECT_CALL(hw.mock_contactor, IsClosed()).WillRepeatedly([this, c] {
      return connector(c).closed;
    });
    EXPECT_CALL(hw.mock_faults, CurrentFault()).WillRepeatedly([this, c] {
      return connector(c).fault;
    });
    EXPECT_CALL(hw.mock_meter, ReadEnergyActiveImportWh()).WillRepeatedly([this, c] {
      return connector(c).energy_wh;
    });
    EXPECT_CALL(hw.mock_meter, ReadPowerActiveImportW())
        .WillRepeatedly(Return(std::optional<std::int32_t>(0)));
    EXPECT_CALL(hw.mock_meter, ReadCurrentImportDeciamps())
        .WillRepeatedly(Return(std::optional<std::int32_t>()));
  }
  EXPECT_CALL(mock_.mock_station_faults, CurrentFault()).WillRepeatedly([this] {
    return station_fault;
  });
  hal::SystemInfo info;
  info.vendor = "Acme";
  info.model = "Wallbox";
  info.firmware_version = "1.2.3";
  EXPECT_CALL(mock_.mock_info, ReadSystemInfo()).WillRepeatedly(Return(info));
  EXPECT_CALL(mock_.mock_control, RequestReboot(::testing::_))
      .WillRepeatedly([this](hal::RebootKind kind) { reboots.push_back(kind); });
  EXPECT_CALL(mock_, Poll()).Times(::testing::AnyNumber());
}

void FakeHardware::SetPilot(int c, hal::PilotState state) {
  connector(c).pilot = state;
  mock_.mock_connector(c).mock_pilot.NotifyStateChange(state);
}

void FakeHardware::SetFault(int c, hal::Fault fault) {
  if (c == 0) {
    station_fault = fault;
    mock_.mock_station_faults.NotifyFault(fault);
    return;
  }
  connector(c).fault = fault;
  mock_.mock_connector(c).mock_faults.NotifyFault(fault);
}

Transaction& FakeTransactions::Begin(int connector, std::int64_t local_id, codec::DateTime started,
                                     const std::string& id_tag) {
  Transaction tx;
  tx.connector = connector;
  tx.local_id = local_id;
  tx.id_tag = id_tag;
  tx.started = started;
  return active_[connector] = tx;
}

const Transaction* FakeTransactions::Active(int connector) const {
  auto it = active_.find(connector);
  return it == active_.end() ? nullptr : &it->second;
}

void FakeTransactions::set_finishing(int connector, bool value) {
  if (value) {
    finishing_.insert(connector);
  } else {
    finishing_.erase(connector);
  }
}

void FakeTransactions::StopAll(v16::Reason reason) {
  stop_all.push_back(reason);
  if (on_stop_all) on_stop_all(reason);
}

}  // namespace ocpp::station::testing
