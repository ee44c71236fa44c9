#include "tests/conformance/harness.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace ocpp::conformance {

namespace {

// A CALL the station sent: its action and payload, or nothing.
bool ParseCall(const tools::CentralSystem::Frame& frame, rapidjson::Document* doc) {
  if (frame.dir != runtime::TraceDirection::kReceived) return false;
  doc->Parse(frame.text.c_str());
  return !doc->HasParseError() && doc->IsArray() && doc->Size() == 4 && (*doc)[0] == 2 &&
         (*doc)[2].IsString() && (*doc)[3].IsObject();
}

// A StatusNotification or MeterValues of a connector the cases leave idle
// (2 and up).
bool IdleConnectorStatus(const rapidjson::Document& call) {
  const std::string action = call[2].GetString();
  if (action != "StatusNotification" && action != "MeterValues") return false;
  const auto& payload = call[3];
  return payload.HasMember("connectorId") && payload["connectorId"].IsInt() &&
         payload["connectorId"].GetInt() >= 2;
}

}  // namespace

Harness::Harness() {
  // Wall time 2026-01-01T11:59:30Z so clock-aligned boundaries are near.
  clock_.SetWall(base::WallTime(std::chrono::seconds(1767268770)));
  runtime::LwsEventLoop::Options loop_options;
  loop_options.log_sink = [](runtime::LogLevel, std::string_view) {};
  loop_ = runtime::LwsEventLoop::Create(clock_, loop_options);
  std::string error;
  tools::CentralSystem::Options csms_options;
  // F-Offline: upgrades are refused (404) while the network is "down".
  csms_options.accept = [this](const runtime::WsServer::UpgradeRequest& request) {
    if (refuse_connections_) return runtime::WsServer::Verdict::kNotFound;
    // Security profile 1: the central system checks HTTP Basic credentials.
    if (!required_authorization_.empty() && request.authorization != required_authorization_) {
      ++refused_authorizations_;
      return runtime::WsServer::Verdict::kUnauthorized;
    }
    ++accepted_upgrades_;
    return runtime::WsServer::Verdict::kAccept;
  };
  csms_ = tools::CentralSystem::Create(*loop_, csms_options, &error);
  if (!csms_) ADD_FAILURE() << "central system: " << error;
  if (const char* n = std::getenv("OCPP_CONFORMANCE_CONNECTORS")) connectors_ = std::atoi(n);
  hal::sim::SimHardware::Options hw_options;
  hw_options.connectors = std::clamp(connectors_, 1, hal::kMaxConnectors);
  connectors_ = hw_options.connectors;
  hide_idle_connectors_ = connectors_ > 1;
  hardware_ = std::make_unique<hal::sim::SimHardware>(clock_, hw_options);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  data_dir_ = std::string(tmp ? tmp : "/tmp") + "/" + info->name();
  mkdir(data_dir_.c_str(), 0700);
}

Harness::~Harness() {
  cp_.reset();
  transport_.reset();
  storage_.reset();
  csms_.reset();
  loop_.reset();
}

void Harness::UseConnectors(int n) {
  ASSERT_EQ(cp_, nullptr) << "before the station starts";
  hal::sim::SimHardware::Options hw_options;
  hw_options.connectors = std::clamp(n, 1, hal::kMaxConnectors);
  connectors_ = hw_options.connectors;
  hide_idle_connectors_ = false;  // the case drives every connector itself
  hardware_ = std::make_unique<hal::sim::SimHardware>(clock_, hw_options);
}

void Harness::StartStation(std::map<std::string, std::string> factory_config, bool wait_for_boot) {
  factory_config.emplace("ClockAlignedDataInterval", "0");  // unless the test sets it
  factory_config_ = std::move(factory_config);
  CreateStation();
  if (wait_for_boot && cp_) {
    // Registered in this power cycle: a BootNotification was Accepted and
    // both StatusNotifications after it were sent.
    auto booted = [&] {
      if (!cp_->registered()) return false;
      const auto calls = Calls();
      int statuses = 0;
      for (auto it = calls.rbegin(); it != calls.rend() && *it != "BootNotification"; ++it) {
        statuses += *it == "StatusNotification";
      }
      return statuses >= 2;
    };
    ASSERT_TRUE(WaitUntil(booted)) << "station did not register";
    Settle();
  }
}

runtime::WsClientTransport::Options Harness::TransportOptions(int profile) const {
  runtime::WsClientTransport::Options t;
  t.central_system_url = csms_->url();
  t.charge_point_id = "CP-OCTT-1";
  t.max_message_bytes = station::ChargePoint::kMaxIncomingMessageBytes;
  t.random_seed = 1;
  t.reconnect_base = Milliseconds(1000);
  t.reconnect_cap = Milliseconds(4000);
  if (profile == 1) {
    t.security_profile = runtime::SecurityProfile::kBasicAuth;
    t.authorization_key = authorization_key_;
  }
  return t;
}

void Harness::CreateStation() {
  auto storage = hal::SqliteStorage::Open(data_dir_);
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  storage_ = std::move(*storage);
  // As station_sim: the stored SecurityProfile and AuthorizationKey pick
  // the connection (profiles 0 and 1: the harness has no TLS endpoint).
  const auto factory_key = factory_config_.find("AuthorizationKey");
  authorization_key_ = station::Configuration::ReadStored(*storage_, "AuthorizationKey")
                           .value_or(factory_key != factory_config_.end() ? factory_key->second
                                                                          : basic_auth_password_);
  const auto stored_profile = station::Configuration::ReadStored(*storage_, "SecurityProfile");
  const int profile =
      stored_profile ? std::stoi(*stored_profile) : (basic_auth_password_.empty() ? 0 : 1);
  runtime::WsClientTransport::Options t = TransportOptions(profile);
  std::string error;
  transport_ = runtime::WsClientTransport::Create(*loop_, t, &error);
  ASSERT_NE(transport_, nullptr) << error;
  station::ChargePoint::Options options;
  options.factory_config = factory_config_;
  // As station_sim with --password: profile 1 with that key from the start.
  if (!basic_auth_password_.empty()) {
    options.factory_config.emplace("SecurityProfile", "1");
    options.factory_config.emplace("AuthorizationKey", basic_auth_password_);
  }
  options.security_extension = security_extension_;
  // As station_sim: connection settings go to the transport.
  options.callbacks.set_authorization_key = [this](std::string key) {
    authorization_key_ = key;
    return transport_->SetAuthorizationKey(std::move(key));
  };
  options.callbacks.security_profiles.available = [](int profile) { return profile <= 1; };
  options.callbacks.security_profiles.switch_to = [this](int profile) {
    profile_switches_.push_back(profile);
    std::string error;
    EXPECT_TRUE(transport_->Reconfigure(TransportOptions(profile), &error)) << error;
  };
  options.callbacks.set_ping_interval = [this](std::chrono::seconds interval) {
    return transport_->SetPingInterval(interval);
  };
  options.charge_point_identity = "CP-OCTT-1";
  options.callbacks.set_client_certificate = [this](const std::string& chain,
                                                    const std::string& key) {
    client_certificate_ = {chain, key};
  };
  options.callbacks.set_trusted_roots = [this](const std::vector<std::string>& pems) {
    trusted_roots_ = pems;
    EXPECT_TRUE(transport_->SetTrustedRoots(pems));
  };
  if (!transfers_) transfers_ = std::make_unique<runtime::testing::FakeFileTransfer>(*loop_);
  installer_ = std::make_unique<hal::sim::SimFirmwareInstaller>(data_dir_);
  diagnostics_log_.reset();
  diagnostics_log_ = std::make_unique<hal::FileDiagnosticsLog>(data_dir_ + "/diagnostics");
  security_log_.reset();
  security_log_ = std::make_unique<hal::FileDiagnosticsLog>(data_dir_ + "/security");
  // As station_sim: the version the last reboot activated.
  hardware_->SetFirmwareVersion(
      hal::sim::SimFirmwareInstaller::InstalledVersion(data_dir_).value_or(
          hal::sim::DefaultSimSystemInfo().firmware_version));
  std::vector<std::string> warnings;
  station::ChargePoint::Dependencies deps{*loop_,    *transport_, *hardware_,
                                          *storage_, *storage_,   storage_.get()};
  deps.file_transfer = transfers_.get();
  deps.firmware_installer = installer_.get();
  deps.diagnostics_log = diagnostics_log_.get();
  deps.security_log = security_log_.get();
  auto credentials = hal::FileCredentialStore::Open(data_dir_ + "/credentials");
  ASSERT_TRUE(credentials.ok()) << credentials.status().message();
  credentials_ = std::move(*credentials);
  deps.credentials = credentials_.get();
  auto cp = station::ChargePoint::Create(deps, options, &warnings);
  ASSERT_TRUE(cp.ok()) << cp.status().message();
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  cp_ = std::move(*cp);
  // Runs inside SimHardware::Poll(), i.e. inside a loop callback: only note
  // the request; WaitUntil does the reboot between loop turns.
  hardware_->SetRebootHandler([this](hal::RebootKind) { reboot_requested_ = true; });
  // Deferred hardware notifications are posted: no polling, as station_sim.
  hardware_->SetPoster([this](std::function<void()> task) { loop_->Post(std::move(task)); });
  cp_->Start();
}

void Harness::SetUpSecurityWithTestPki(runtime::testing::TestPki* pki) {
  security_extension_ = true;
  auto made = runtime::testing::CreateTestPki(data_dir() + "-pki", "CP1");
  ASSERT_TRUE(made.has_value());
  *pki = *made;
  clock_.SetWall(
      std::chrono::time_point_cast<base::WallTime::duration>(std::chrono::system_clock::now()));
}

void Harness::PowerCut() {
  cp_.reset();
  transport_.reset();
  storage_.reset();
  WaitUntil([&] { return !csms_->connected(); });
}

void Harness::Reboot() {
  reboot_requested_ = false;
  ++reboots_;
  // As station_sim: close with a close frame, then reload from the data dir.
  transport_->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
  EXPECT_TRUE(WaitUntil([&] { return transport_->IsStopped(); })) << "closing handshake";
  cp_.reset();
  transport_.reset();
  storage_.reset();
  CreateStation();
}

void Harness::GoOffline() {
  refuse_connections_ = true;
  csms_->Drop();
  EXPECT_TRUE(WaitUntil([&] { return !station_connected() && !csms_->connected(); }))
      << "the station did not notice the connection loss";
}

bool Harness::Restore(Milliseconds limit) {
  refuse_connections_ = false;
  const base::SteadyTime end = clock_.Now() + limit;
  auto connected = [&] { return station_connected() && csms_->connected(); };
  while (!WaitUntil(connected, 50)) {
    if (clock_.Now() >= end) return false;
    // Jump to the next attempt of the back-off (or a little, while an
    // attempt is in progress).
    auto next = transport_->reconnect_deadline();
    Milliseconds step(100);
    if (next && *next > clock_.Now()) {
      step = std::chrono::duration_cast<Milliseconds>(*next - clock_.Now());
    }
    Advance(std::min(step, std::chrono::duration_cast<Milliseconds>(end - clock_.Now())));
  }
  Settle();
  return true;
}

void Harness::Settle() {
  std::size_t frames = csms_->frames().size();
  int quiet = 0;
  for (int i = 0; i < 200 && quiet < 4; ++i) {
    WaitUntil([] { return false; }, 1);
    const std::size_t now = csms_->frames().size();
    quiet = now == frames ? quiet + 1 : 0;
    frames = now;
  }
}

bool Harness::WaitUntil(const std::function<bool()>& done, int iterations) {
  for (int i = 0; i < iterations; ++i) {
    if (reboot_requested_) Reboot();
    if (done()) return true;
    loop_->RunOnce(Milliseconds(2));
  }
  return done();
}

void Harness::Advance(Milliseconds by) {
  const base::SteadyTime end = clock_.Now() + by;
  Settle();
  for (;;) {
    auto next = loop_->NextTimerDeadline();
    if (!next || *next > end) break;
    if (*next > clock_.Now()) {
      clock_.Advance(std::chrono::duration_cast<Milliseconds>(*next - clock_.Now()));
    }
    Settle();
  }
  if (end > clock_.Now())
    clock_.Advance(std::chrono::duration_cast<Milliseconds>(end - clock_.Now()));
  Settle();
}

void Harness::Do(const std::string& line) {
  const auto parsed = hal::sim::ParseCommandLine(line);
  ASSERT_TRUE(parsed.ok() && parsed.command) << line << ": " << parsed.error;
  const std::string error = hal::sim::ApplyCommand(*hardware_, *parsed.command);
  ASSERT_TRUE(error.empty()) << line << ": " << error;
  Settle();
}

std::vector<std::string> Harness::CallsExcept(
    std::initializer_list<std::string_view> ignored) const {
  std::vector<std::string> out;
  for (const auto& a : Calls()) {
    bool skip = false;
    for (auto i : ignored) skip = skip || a == i;
    if (!skip) out.push_back(a);
  }
  return out;
}

int Harness::CountCalls(const std::string& action) const {
  int n = 0;
  for (const auto& a : Calls()) n += a == action;
  return n;
}

bool Harness::WaitForCall(const std::string& action, int count) {
  return WaitUntil([&] { return CountCalls(action) >= count; });
}

rapidjson::Document Harness::LastPayload(const std::string& action) const {
  auto payloads = Payloads(action);
  if (payloads.empty()) {
    rapidjson::Document doc;
    doc.Parse("null");
    return doc;
  }
  return std::move(payloads.back());
}

std::vector<rapidjson::Document> Harness::Payloads(const std::string& action) const {
  std::vector<rapidjson::Document> out;
  for (const auto& frame : csms_->frames()) {
    rapidjson::Document doc;
    if (!ParseCall(frame, &doc) || action != doc[2].GetString() ||
        (hide_idle_connectors_ && IdleConnectorStatus(doc))) {
      continue;
    }
    out.emplace_back();
    out.back().CopyFrom(doc[3], out.back().GetAllocator());
  }
  return out;
}

std::vector<std::string> Harness::FilteredCalls(bool all) const {
  std::vector<std::string> out;
  for (const auto& frame : csms_->frames()) {
    rapidjson::Document doc;
    if (!ParseCall(frame, &doc) || (!all && hide_idle_connectors_ && IdleConnectorStatus(doc))) {
      continue;
    }
    out.emplace_back(doc[2].GetString());
  }
  return out;
}

std::vector<std::string> Harness::FilteredStatuses(bool all) const {
  std::vector<std::string> out;
  for (const auto& frame : csms_->frames()) {
    rapidjson::Document doc;
    if (!ParseCall(frame, &doc) || std::string(doc[2].GetString()) != "StatusNotification" ||
        (!all && hide_idle_connectors_ && IdleConnectorStatus(doc))) {
      continue;
    }
    const auto& p = doc[3];
    out.push_back(std::to_string(p["connectorId"].GetInt()) + ":" + p["status"].GetString());
  }
  return out;
}

std::string Harness::LastStatus(int connector) const {
  const std::string prefix = std::to_string(connector) + ":";
  auto all = AllStatuses();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->rfind(prefix, 0) == 0) return it->substr(prefix.size());
  }
  return "";
}

bool Harness::WaitForStatus(int connector, const std::string& status) {
  return WaitUntil([&] { return LastStatus(connector) == status; });
}

void Harness::RejectBoot(v16::RegistrationStatus status, int interval) {
  csms_->Handle<Action::kBootNotification>(
      [this, status, interval](
          const v16::BootNotificationReq&) -> runtime::HandlerResult<v16::BootNotificationConf> {
        return v16::BootNotificationConf{status, codec::DateTime::FromSystemTime(clock_.WallNow()),
                                         interval};
      });
}

void Harness::Set(const std::string& key, const std::string& value) {
  v16::ChangeConfigurationReq change{*codec::CiString<50>::From(key),
                                     *codec::CiString<500>::From(value)};
  EXPECT_EQ(CsmsCall(change).status, v16::ConfigurationStatus::kAccepted) << key << "=" << value;
}

std::string Harness::GetConfig(const std::string& key) {
  v16::GetConfigurationReq get;
  get.key.emplace().push_back(*codec::CiString<50>::From(key));
  const auto conf = CsmsCall(get);
  if (conf.configuration_key) {
    for (const auto& kv : *conf.configuration_key) {
      if (kv.key.view() == key) return kv.value ? kv.value->ToString() : "";
    }
  }
  return "<unknown>";
}

v16::RemoteStartStopStatus Harness::RemoteStart(const std::string& id_tag,
                                                std::optional<int> connector) {
  v16::RemoteStartTransactionReq req;
  req.connector_id = connector;
  req.id_tag = *codec::CiString<20>::From(id_tag);
  return CsmsCall(req).status;
}

v16::RemoteStartStopStatus Harness::RemoteStop(std::int64_t transaction_id) {
  return CsmsCall(v16::RemoteStopTransactionReq{transaction_id}).status;
}

int Harness::StartCharging(const std::string& id_tag) {
  EXPECT_NE(GetConfig("AuthorizeRemoteTxRequests"), "<unknown>");
  const int starts = CountCalls("StartTransaction");
  Do("cp C");
  EXPECT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(RemoteStart(id_tag), v16::RemoteStartStopStatus::kAccepted);
  EXPECT_TRUE(WaitForCall("StartTransaction", starts + 1));
  EXPECT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_TRUE(WaitUntil([&] { return station().csms_transaction_id().has_value(); }));
  Settle();  // the StatusNotification.conf reaches the station
  return station().csms_transaction_id().value_or(-1);
}

void Harness::CacheIdTag(const std::string& id_tag) {
  Set("AuthorizationCacheEnabled", "true");
  StartCharging(id_tag);
  const int stops = CountCalls("StopTransaction");
  Do("rfid " + id_tag);
  EXPECT_TRUE(WaitForCall("StopTransaction", stops + 1));
  EXPECT_TRUE(WaitForStatus(1, "Finishing"));
  Do("cp A");
  EXPECT_TRUE(WaitForStatus(1, "Available"));
}

}  // namespace ocpp::conformance
