#include "tests/conformance/harness.h"

#include <sys/stat.h>

#include <cstdlib>

namespace ocpp::conformance {

Harness::Harness() {
  // Wall time 2026-01-01T11:59:30Z so clock-aligned boundaries are near.
  clock_.SetWall(runtime::WallTime(std::chrono::seconds(1767268770)));
  runtime::LwsEventLoop::Options loop_options;
  loop_options.log_sink = [](runtime::LogLevel, std::string_view) {};
  loop_ = runtime::LwsEventLoop::Create(clock_, loop_options);
  std::string error;
  csms_ = tools::CentralSystem::Create(*loop_, {}, &error);
  if (!csms_) ADD_FAILURE() << "central system: " << error;
  hardware_ = std::make_unique<hal::sim::SimHardware>(clock_);
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

void Harness::StartStation(std::map<std::string, std::string> factory_config, bool wait_for_boot) {
  auto storage = hal::SqliteStorage::Open(data_dir_);
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  storage_ = std::move(*storage);
  runtime::WsClientTransport::Options t;
  t.central_system_url = csms_->url();
  t.charge_point_id = "CP-OCTT-1";
  t.random_seed = 1;
  t.reconnect_base = Milliseconds(1000);
  t.reconnect_cap = Milliseconds(4000);
  std::string error;
  transport_ = runtime::WsClientTransport::Create(*loop_, t, &error);
  ASSERT_NE(transport_, nullptr) << error;
  station::ChargePoint::Options options;
  options.factory_config = std::move(factory_config);
  options.poll_interval = Seconds(1);  // fewer fake-clock steps; events are pushed anyway
  std::vector<std::string> warnings;
  auto cp = station::ChargePoint::Create(
      station::ChargePoint::Dependencies{*loop_, *transport_, *hardware_, *storage_, *storage_},
      options, &warnings);
  ASSERT_TRUE(cp.ok()) << cp.status().message();
  cp_ = std::move(*cp);
  cp_->Start();
  if (wait_for_boot) {
    ASSERT_TRUE(WaitUntil([&] {
      return cp_->registered() && CountCalls("StatusNotification") >= 2;
    })) << "station did not register";
    Settle();
  }
}

void Harness::PowerCut() {
  cp_.reset();
  transport_.reset();
  storage_.reset();
  WaitUntil([&] { return !csms_->connected(); });
}

bool Harness::WaitUntil(const std::function<bool()>& done, int iterations) {
  for (int i = 0; i < iterations; ++i) {
    if (done()) return true;
    loop_->RunOnce(Milliseconds(2));
  }
  return done();
}

void Harness::Advance(Milliseconds by) {
  const runtime::SteadyTime end = clock_.Now() + by;
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
  hal::sim::ApplyCommand(*hardware_, *parsed.command);
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
  rapidjson::Document doc;
  auto payloads = csms_->ReceivedPayloads(action);
  doc.Parse(payloads.empty() ? "null" : payloads.back().c_str());
  return doc;
}

std::vector<std::string> Harness::Statuses() const {
  std::vector<std::string> out;
  for (const auto& p : csms_->ReceivedPayloads("StatusNotification")) {
    rapidjson::Document doc;
    doc.Parse(p.c_str());
    out.push_back(std::to_string(doc["connectorId"].GetInt()) + ":" + doc["status"].GetString());
  }
  return out;
}

std::string Harness::LastStatus(int connector) const {
  const std::string prefix = std::to_string(connector) + ":";
  auto all = Statuses();
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

}  // namespace ocpp::conformance
