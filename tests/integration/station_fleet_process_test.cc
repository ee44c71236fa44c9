// station_fleet as a child process against the project's central system
// (tools/csms in multi_station mode, in this test process): the contract of
// ../shared/docs/station-sim-interface.md, "Fleet mode".
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/integration/sim_process.h"
#include "tools/cross/exec_wrapper.h"

namespace ocpp::integration {
namespace {

std::string StationFleetPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE") +
         "/station/fleet/station_fleet";
}

class StationFleetTest : public ::testing::Test {
 protected:
  StationFleetTest() {
    // lws sizes its descriptor table from this limit when the loop is created.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    loop_ = runtime::LwsEventLoop::Create(clock_);
    tools::CentralSystem::Options options;
    options.multi_station = true;
    std::string error;
    csms_ = tools::CentralSystem::Create(*loop_, options, &error);
    EXPECT_NE(csms_, nullptr) << error;
  }
  ~StationFleetTest() override {
    csms_.reset();
    loop_.reset();
  }

  std::unique_ptr<Process> Start(const std::string& data_dir, std::vector<std::string> extra) {
    std::vector<std::string> args = {StationFleetPath(), "--csms", csms_->url(), "--data-dir",
                                     data_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(args);
  }

  // Pumps the central system until `done` or `seconds` pass.
  bool WaitUntil(const std::function<bool()>& done, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      loop_->RunOnce(std::chrono::milliseconds(20));
    }
    return done();
  }

  base::SystemClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> csms_;
};

const rapidjson::Value* Final(const std::vector<rapidjson::Document>& lines) {
  for (const auto& line : lines) {
    if (line.HasMember("final") && line["final"].GetBool()) return &line;
  }
  return nullptr;
}

TEST_F(StationFleetTest, TwoHundredStationsRunSessionsAndStopCleanly) {
  if (cross::UnderEmulation()) {
    // Test binary, central system and 200 stations all in qemu-user: the
    // boots take most of the 8 s, so too few sessions fit (docs/cross.md).
    GTEST_SKIP() << "fixed 8 s load window, too short under emulation";
  }
  const std::string dir = TempDir("fleet200");
  const std::string config = dir + "-config.json";
  std::ofstream(config) << R"({"MeterValueSampleInterval": "1"})";
  auto fleet = Start(dir, {"--count", "200", "--idle-mean", "1", "--charge-mean", "2", "--ramp-up",
                           "2", "--duration", "8", "--stats-interval", "1", "--seed", "7",
                           "--config", config, "--log-level", "error"});
  ASSERT_TRUE(WaitUntil([&] { return fleet->Poll() != -1; }, 40)) << fleet->err();
  EXPECT_EQ(fleet->Poll(), 0) << fleet->err();

  const auto lines = JsonLines(*fleet);
  ASSERT_GE(lines.size(), 5u) << "one line per second and the final one";
  const rapidjson::Value* final = Final(lines);
  ASSERT_NE(final, nullptr);
  EXPECT_EQ(&lines.back(), final) << "the final line is the last";
  const rapidjson::Value& f = *final;
  EXPECT_STREQ(f["event"].GetString(), "fleet");
  EXPECT_EQ(f["stations"].GetInt(), 200);
  EXPECT_EQ(f["accepted"].GetInt(), 200);
  EXPECT_EQ(f["connected"].GetInt(), 0) << "every station closed";
  EXPECT_EQ(f["callerrors"].GetInt(), 0);
  EXPECT_EQ(f["timeouts"].GetInt(), 0);
  const int started = f["sessions_started"].GetInt();
  const int completed = f["sessions_completed"].GetInt();
  EXPECT_GT(started, 200) << "idle mean 1 s, charge mean 2 s over about 8 s";
  EXPECT_GT(completed, 100);
  EXPECT_LE(completed, started);
  EXPECT_GT(f["calls"].GetInt(), 200 * 3) << "boot, status, authorize, start, ...";
  EXPECT_GT(f["rtt_ms"]["p50"].GetDouble(), 0);
  EXPECT_LE(f["rtt_ms"]["p50"].GetDouble(), f["rtt_ms"]["p99"].GetDouble());
  EXPECT_LE(f["rtt_ms"]["p99"].GetDouble(), f["rtt_ms"]["max"].GetDouble());
  EXPECT_FALSE(lines.front().HasMember("final"));
  // The counters only grow; some interval saw every station connected.
  bool all_connected = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_GE(lines[i]["calls"].GetInt(), lines[i - 1]["calls"].GetInt());
    EXPECT_GE(lines[i]["sessions_started"].GetInt(), lines[i - 1]["sessions_started"].GetInt());
    all_connected |= lines[i]["connected"].GetInt() == 200;
  }
  EXPECT_TRUE(all_connected);
  // What the central system saw agrees.
  const auto seen = csms_->fleet_stats();
  EXPECT_EQ(seen.boot_notifications, 200u);
  EXPECT_GE(seen.transactions_started, static_cast<std::uint64_t>(started));
  EXPECT_GE(seen.transactions_stopped, static_cast<std::uint64_t>(completed));
  EXPECT_GE(seen.calls_received, static_cast<std::uint64_t>(f["calls"].GetInt()) - 200);
  EXPECT_NE(fleet->err().find("station_fleet: final"), std::string::npos) << "progress line";

  // A fleet station's data dir is a station_sim data dir.
  auto sim = std::make_unique<Process>(
      std::vector<std::string>{StationSimPath(), "--csms", csms_->url(), "--id", "FLEET000007",
                               "--data-dir", dir + "/FLEET000007"});
  EXPECT_TRUE(WaitUntil([&] { return csms_->fleet_stats().boot_notifications == 201; }, 15))
      << sim->err();
  bool connected_event = false;
  EXPECT_TRUE(WaitUntil(
      [&] {
        for (const auto& line : JsonLines(*sim)) {
          connected_event |=
              line.HasMember("event") && std::string(line["event"].GetString()) == "connection";
        }
        return connected_event;
      },
      10));
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() != -1; }, 10));
  EXPECT_EQ(sim->Poll(), 0) << sim->err();
}

TEST_F(StationFleetTest, QuitAndSigtermStopGracefullyWithCloseFrames) {
  for (const bool sigterm : {false, true}) {
    const std::string dir = TempDir(sigterm ? "fleet-term" : "fleet-quit");
    const std::size_t closes_before = csms_->peer_close_codes().size();
    const auto boots_before = csms_->fleet_stats().boot_notifications;
    auto fleet = Start(dir, {"--count", "20", "--first", sigterm ? "100" : "200", "--idle-mean",
                             "60", "--log-level", "error"});
    ASSERT_TRUE(
        WaitUntil([&] { return csms_->fleet_stats().boot_notifications == boots_before + 20; }, 20))
        << fleet->err();
    WaitUntil([&] { return false; }, 1);  // the BootNotification answers arrive
    if (sigterm) {
      fleet->Kill(SIGTERM);
    } else {
      fleet->Send("quit");
    }
    ASSERT_TRUE(WaitUntil([&] { return fleet->Poll() != -1; }, 20));
    EXPECT_EQ(fleet->Poll(), 0) << fleet->err();
    const rapidjson::Value* final = nullptr;
    const auto lines = JsonLines(*fleet);
    final = Final(lines);
    ASSERT_NE(final, nullptr);
    EXPECT_EQ((*final)["accepted"].GetInt(), 20);
    const auto& codes = csms_->peer_close_codes();
    ASSERT_EQ(codes.size() - closes_before, 20u);
    for (std::size_t i = closes_before; i < codes.size(); ++i) EXPECT_EQ(codes[i], 1001);
    struct stat st {};
    EXPECT_EQ(
        stat((dir + (sigterm ? "/FLEET000119" : "/FLEET000219") + "/ocpp.sqlite3").c_str(), &st),
        0);
  }
}

TEST_F(StationFleetTest, BadFlagsAndNeverAcceptedFail) {
  auto bad = Start(TempDir("fleet-bad"), {"--count", "0"});
  ASSERT_TRUE(WaitUntil([&] { return bad->Poll() != -1; }, 10));
  EXPECT_NE(bad->Poll(), 0);
  EXPECT_EQ(bad->err(), "station_fleet: --count must be a whole number from 1 to 100000\n");

  // Every station rejected: exit 1 with the reason.
  csms_->Handle<v16::Action::kBootNotification>(
      [](const v16::BootNotificationReq&) -> runtime::HandlerResult<v16::BootNotificationConf> {
        return v16::BootNotificationConf{
            v16::RegistrationStatus::kRejected,
            codec::DateTime::FromSystemTime(std::chrono::system_clock::time_point()), 60};
      });
  auto rejected =
      Start(TempDir("fleet-rejected"), {"--count", "3", "--duration", "2", "--log-level", "error"});
  ASSERT_TRUE(WaitUntil([&] { return rejected->Poll() != -1; }, 20));
  EXPECT_EQ(rejected->Poll(), 1);
  EXPECT_NE(rejected->err().find("station_fleet: 3 of 3 stations were never accepted\n"),
            std::string::npos)
      << rejected->err();
}

}  // namespace
}  // namespace ocpp::integration
