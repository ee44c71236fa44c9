// station_sim as a real child process (the contract in
// ../shared/docs/station-sim-interface.md): flags, stdin commands, JSON lines
// on stdout, exit codes, and power cuts by SIGKILL, against the project's
// central system on 127.0.0.1. Real time: waits are bounded I/O waits.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/sim_process.h"

namespace ocpp {
namespace {

using integration::Process;
using integration::StationSimPath;
using integration::TempDir;

using StationSimProcess = integration::StationSimTest;
using Clock = std::chrono::steady_clock;

TEST_F(StationSimProcess, BootsAndWritesTheDocumentedJsonLines) {
  auto sim = Start(TempDir("boot"));
  ASSERT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2; }));
  EXPECT_EQ(csms_->charge_point_id(), "SIM-1");
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  EXPECT_EQ(sim->Poll(), 0);
  bool saw_tx = false, saw_rx = false, saw_connector = false, saw_connection = false;
  for (const std::string& line : sim->StdoutLines()) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    ASSERT_FALSE(doc.HasParseError()) << line;
    ASSERT_TRUE(doc.HasMember("ts") && doc.HasMember("event")) << line;
    const std::string event = doc["event"].GetString();
    if (event == "ocpp") {
      ASSERT_TRUE(doc["frame"].IsArray()) << line;
      saw_tx |= std::string(doc["dir"].GetString()) == "tx";
      saw_rx |= std::string(doc["dir"].GetString()) == "rx";
    }
    if (event == "connector") saw_connector |= doc["connector"] == 1;
    if (event == "connection")
      saw_connection |= std::string(doc["state"].GetString()) == "connected";
  }
  EXPECT_TRUE(saw_tx && saw_rx && saw_connector && saw_connection);
}

TEST_F(StationSimProcess, BadFlagsAndUnusableDataDirExitWithOneLineReason) {
  Process no_flags({StationSimPath()});
  ASSERT_TRUE(WaitUntil([&] { return no_flags.Poll() >= 0; }));
  EXPECT_NE(no_flags.Poll(), 0);
  EXPECT_EQ(std::count(no_flags.err().begin(), no_flags.err().end(), '\n'), 1) << no_flags.err();

  Process bad_flag({StationSimPath(), "--csms", "ws://127.0.0.1:1", "--id", "X", "--data-dir",
                    TempDir("x"), "--bogus", "1"});
  ASSERT_TRUE(WaitUntil([&] { return bad_flag.Poll() >= 0; }));
  EXPECT_NE(bad_flag.Poll(), 0);
  EXPECT_NE(bad_flag.err().find("--bogus"), std::string::npos);

  const std::string file = TempDir("f") + "/not-a-dir";
  std::ofstream(file) << "x";
  Process bad_dir(
      {StationSimPath(), "--csms", "ws://127.0.0.1:1", "--id", "X", "--data-dir", file});
  ASSERT_TRUE(WaitUntil([&] { return bad_dir.Poll() >= 0; }));
  EXPECT_NE(bad_dir.Poll(), 0);
  EXPECT_EQ(std::count(bad_dir.err().begin(), bad_dir.err().end(), '\n'), 1) << bad_dir.err();
}

TEST_F(StationSimProcess, MalformedCommandsAreReportedAndIgnoredAndSigtermExitsCleanly) {
  auto sim = Start(TempDir("stdin"));
  ASSERT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2; }));
  for (const char* bad : {"cp Z", "rfid", "rfid 012345678901234567890123", "power -5", "fault Nope",
                          "launch rockets", "\x01\x02\x03", ""}) {
    sim->Send(bad);
  }
  sim->Send("cp B");
  ASSERT_TRUE(WaitUntil([&] {
    auto p = csms_->ReceivedPayloads("StatusNotification");
    return !p.empty() && p.back().find("Preparing") != std::string::npos;
  }));
  EXPECT_EQ(sim->Poll(), -1) << "still running";
  EXPECT_GE(std::count(sim->err().begin(), sim->err().end(), 'e'), 1);
  EXPECT_NE(sim->err().find("error: "), std::string::npos);
  sim->Kill(SIGTERM);
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  EXPECT_EQ(sim->Poll(), 0);
}

// TC_032_2 at process level: a real power cut (SIGKILL) in the middle of a
// transaction; after the restart the transaction is stopped with PowerLoss
// and nothing is lost or sent twice.
TEST_F(StationSimProcess, PowerCutBySigkillStopsTheTransactionWithPowerLoss) {
  const std::string dir = TempDir("powercut");
  const std::string config = dir + ".json";
  std::ofstream(config) << R"({"MeterValueSampleInterval": 1})";
  auto sim = Start(dir, {"--config", config});
  ASSERT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 2; }));
  sim->Send("cp C");
  sim->Send("rfid POWER-1");
  ASSERT_TRUE(WaitUntil([&] { return Count("StartTransaction") == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return Count("MeterValues") >= 2; }));
  sim->Kill(SIGKILL);
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  const int tx = Last("StartTransaction").IsNull() ? 0 : 1;
  ASSERT_EQ(tx, 1);
  sim = Start(dir, {"--config", config});
  ASSERT_TRUE(WaitUntil([&] { return Count("StopTransaction") == 1; }));
  auto stop = Last("StopTransaction");
  EXPECT_EQ(std::string(stop["reason"].GetString()), "PowerLoss");
  EXPECT_EQ(stop["transactionId"], 1);
  EXPECT_GE(stop["meterStop"].GetInt(), 0);
  EXPECT_EQ(Count("StartTransaction"), 1);
  EXPECT_EQ(Count("BootNotification"), 2);
  WaitUntil([] { return false; }, 1);
  EXPECT_EQ(Count("StopTransaction"), 1) << "delivered exactly once";
}

// Repeated SIGKILLs at random points of sessions: every transaction is
// started once and stopped once on the central system's side.
TEST_F(StationSimProcess, RandomSigkillsLoseAndDuplicateNothing) {
  const std::string dir = TempDir("random");
  const unsigned seed = 20261125;
  std::srand(seed);
  std::printf("seed %u\n", seed);
  for (int round = 0; round < 4; ++round) {
    auto sim = Start(dir);
    ASSERT_TRUE(WaitUntil([&] { return Count("BootNotification") == round + 1; })) << round;
    sim->Send("cp C");
    sim->Send("rfid KILL-" + std::to_string(round));
    const auto delay = std::chrono::milliseconds(std::rand() % 400);
    const auto until = Clock::now() + delay;
    WaitUntil([&] { return Clock::now() >= until; }, 2);
    sim->Kill(SIGKILL);
    ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }));
  }
  auto sim = Start(dir);
  // Delivery is at least once: a message the central system answered just
  // before a kill is sent again, byte for byte. Distinct payloads count.
  auto distinct_stops = [&] {
    auto payloads = csms_->ReceivedPayloads("StopTransaction");
    return std::set<std::string>(payloads.begin(), payloads.end());
  };
  WaitUntil(
      [&] {
        return static_cast<int>(distinct_stops().size()) == csms_->transactions_started() &&
               Count("BootNotification") == 5;
      },
      10);
  WaitUntil([] { return false; }, 1);
  // Every transaction that reached the central system was stopped by
  // exactly one StopTransaction (possibly delivered more than once).
  const auto stops = distinct_stops();
  EXPECT_EQ(static_cast<int>(stops.size()), csms_->transactions_started());
  std::vector<int> stopped;
  for (const auto& p : stops) {
    rapidjson::Document doc;
    doc.Parse(p.c_str());
    stopped.push_back(doc["transactionId"].GetInt());
  }
  std::sort(stopped.begin(), stopped.end());
  EXPECT_EQ(std::adjacent_find(stopped.begin(), stopped.end()), stopped.end())
      << "one stop per transaction";
  sim->Send("quit");
  WaitUntil([&] { return sim->Poll() >= 0; });
}

}  // namespace
}  // namespace ocpp
