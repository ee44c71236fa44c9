// station_sim's contract (../shared/docs/station-sim-interface.md) as a real
// child process against the project's central system on 127.0.0.1: graceful
// closes (issue 7 defect 3), --data-dir creation (issue 7 defect 6),
// --connectors 2, and factory settings that must not override facts of the
// hardware (issue 8 item 9). Real time: every wait is bounded.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/sim_process.h"

namespace ocpp {
namespace {

using integration::JsonLines;
using integration::Process;
using integration::StationSimPath;
using integration::TempDir;

class StationSimContract : public integration::StationSimTest {
 protected:
  // Started, accepted and told the central system its statuses.
  std::unique_ptr<Process> StartOnline(const std::string& dir, std::vector<std::string> extra = {},
                                       int statuses = 2) {
    auto sim = Start(dir, std::move(extra));
    EXPECT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= statuses; })) << sim->err();
    return sim;
  }

  bool IsDirectory(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  int Lines(const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  std::string ErrorLinesAfter(Process& sim, std::size_t offset) {
    const std::string& err = sim.err();
    return offset < err.size() ? err.substr(offset) : "";
  }
};

// --- Issue 7 defect 3: the WebSocket ends with a close frame (1001) ---------

TEST_F(StationSimContract, QuitClosesTheWebSocketWithGoingAway) {
  auto sim = StartOnline(TempDir("close-quit"));
  ASSERT_TRUE(csms_->peer_close_codes().empty());
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  EXPECT_EQ(sim->Poll(), 0) << sim->err();
  WaitUntil([&] { return !csms_->connected(); }, 2);
  // No close frame (1006 on the server's side) records nothing.
  EXPECT_EQ(csms_->peer_close_codes(), std::vector<std::uint16_t>{1001});
}

TEST_F(StationSimContract, SigtermClosesTheWebSocketWithGoingAway) {
  auto sim = StartOnline(TempDir("close-sigterm"));
  sim->Kill(SIGTERM);
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  EXPECT_EQ(sim->Poll(), 0) << sim->err();
  WaitUntil([&] { return !csms_->connected(); }, 2);
  EXPECT_EQ(csms_->peer_close_codes(), std::vector<std::uint16_t>{1001});
}

TEST_F(StationSimContract, SoftResetClosesWithGoingAwayAndBootsAgain) {
  auto sim = StartOnline(TempDir("close-reset"));
  ASSERT_EQ(Count("BootNotification"), 1);
  auto answer = std::make_shared<std::optional<v16::ResetStatus>>();
  ASSERT_TRUE(csms_->Call(v16::ResetReq{v16::ResetType::kSoft}, [answer](auto outcome) {
    if (auto* conf = std::get_if<v16::ResetConf>(&outcome)) *answer = conf->status;
  }));
  ASSERT_TRUE(WaitUntil([&] { return answer->has_value(); }));
  EXPECT_EQ(**answer, v16::ResetStatus::kAccepted);
  ASSERT_TRUE(WaitUntil([&] { return Count("BootNotification") == 2 && csms_->connected(); }, 20))
      << sim->err();
  EXPECT_EQ(csms_->peer_close_codes(), std::vector<std::uint16_t>{1001});
  EXPECT_EQ(sim->Poll(), -1) << "a reset does not end the process";
  // The reconnected station works: it answers and reports its statuses again.
  ASSERT_TRUE(WaitUntil([&] { return Count("StatusNotification") >= 4; })) << sim->err();
  EXPECT_EQ(GetConfiguration("NumberOfConnectors"), "1");
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  EXPECT_EQ(sim->Poll(), 0);
  WaitUntil([&] { return csms_->peer_close_codes().size() >= 2; }, 2);
  EXPECT_EQ(csms_->peer_close_codes(), (std::vector<std::uint16_t>{1001, 1001}));
}

// --- Issue 7 defect 6: --data-dir is created, or refused in one line --------

TEST_F(StationSimContract, DataDirWithMissingParentsIsCreated) {
  const std::string dir = TempDir("mkdir") + "/a/b/c";
  ASSERT_FALSE(IsDirectory(TempDir("mkdir") + "/a"));
  auto sim = StartOnline(dir);
  EXPECT_TRUE(IsDirectory(dir));
  EXPECT_TRUE(std::ifstream(dir + "/ocpp.sqlite3").good()) << "the station keeps its state there";
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  EXPECT_EQ(sim->Poll(), 0) << sim->err();
  // And it continues from there.
  auto again = StartOnline(dir, {}, 4);
  EXPECT_EQ(Count("BootNotification"), 2);
}

TEST_F(StationSimContract, DataDirThatIsAFileFailsWithOneLineReason) {
  const std::string file = TempDir("file-dir") + "/regular";
  std::ofstream(file) << "not a directory";
  for (const std::string& dir : {file, file + "/below"}) {
    Process sim({StationSimPath(), "--csms", csms_->url(), "--id", "X", "--data-dir", dir});
    ASSERT_TRUE(WaitUntil([&] { return sim.Poll() >= 0; })) << dir;
    EXPECT_NE(sim.Poll(), 0) << dir;
    EXPECT_EQ(Lines(sim.err()), 1) << dir << ": " << sim.err();
    EXPECT_NE(sim.err().find("data-dir"), std::string::npos) << sim.err();
    EXPECT_NE(sim.err().find(file), std::string::npos) << "names the path: " << sim.err();
  }
  EXPECT_EQ(Count("BootNotification"), 0) << "nothing connected";
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "not a directory") << "the file is left alone";
}

// --- --connectors 2 ---------------------------------------------------------

TEST_F(StationSimContract, TwoConnectorsChargeConcurrentlyWithTheirOwnTransactions) {
  auto sim = StartOnline(TempDir("two"), {"--connectors", "2"}, 3);
  // BootNotification first, then a StatusNotification for 0, 1 and 2.
  const auto calls = csms_->ReceivedCalls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), "BootNotification");
  std::set<int> reported;
  for (const auto& status : All("StatusNotification"))
    reported.insert(status["connectorId"].GetInt());
  EXPECT_EQ(reported, (std::set<int>{0, 1, 2}));
  EXPECT_EQ(GetConfiguration("NumberOfConnectors"), "2");

  sim->Send("cp B 2");
  sim->Send("rfid TAG-TWO");
  ASSERT_TRUE(WaitUntil([&] { return Count("StartTransaction") == 1; })) << sim->err();
  EXPECT_EQ(Last("StartTransaction")["connectorId"], 2);
  EXPECT_EQ(std::string(Last("StartTransaction")["idTag"].GetString()), "TAG-TWO");

  sim->Send("cp C 1");
  sim->Send("rfid TAG-ONE");
  ASSERT_TRUE(WaitUntil([&] { return Count("StartTransaction") == 2; })) << sim->err();
  EXPECT_EQ(Last("StartTransaction")["connectorId"], 1);
  EXPECT_EQ(std::string(Last("StartTransaction")["idTag"].GetString()), "TAG-ONE");
  EXPECT_EQ(Count("StopTransaction"), 0) << "both run at the same time";
  // The central system numbered them in order: connector 2 has 1, connector 1 has 2.

  // Stopped in the other order, each with its own tag.
  sim->Send("rfid TAG-ONE");
  ASSERT_TRUE(WaitUntil([&] { return Count("StopTransaction") == 1; })) << sim->err();
  EXPECT_EQ(Last("StopTransaction")["transactionId"], 2);
  sim->Send("rfid TAG-TWO");
  ASSERT_TRUE(WaitUntil([&] { return Count("StopTransaction") == 2; })) << sim->err();
  EXPECT_EQ(Last("StopTransaction")["transactionId"], 1);

  // A connector the station does not have: an error line, nothing else.
  const std::size_t before = sim->err().size();
  sim->Send("cp B 3");
  ASSERT_TRUE(WaitUntil(
      [&] { return ErrorLinesAfter(*sim, before).find("error: ") != std::string::npos; }, 5))
      << sim->err();
  EXPECT_EQ(sim->Poll(), -1) << "still running";
  EXPECT_EQ(GetConfiguration("NumberOfConnectors"), "2") << "and still answering";
  sim->Send("cp A 2");
  ASSERT_TRUE(WaitUntil([&] {
    auto status = Last("StatusNotification");
    return status.IsObject() && status["connectorId"] == 2 &&
           std::string(status["status"].GetString()) == "Available";
  })) << "and still obeying";

  bool connector_two = false;
  for (const auto& line : JsonLines(*sim)) {
    if (std::string(line["event"].GetString()) == "connector" && line["connector"] == 2) {
      connector_two = true;
    }
  }
  EXPECT_TRUE(connector_two) << "JSON connector lines name connector 2";
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
  EXPECT_EQ(sim->Poll(), 0);
}

// --- Issue 8 item 9: factory settings cannot change what the hardware is ----

TEST_F(StationSimContract, ConfiguredNumberOfConnectorsIsIgnoredWithAWarning) {
  const std::string dir = TempDir("noc");
  const std::string config = dir + "/factory.json";
  std::ofstream(config) << R"({"NumberOfConnectors": "5"})";
  auto sim = StartOnline(dir + "/data", {"--config", config});
  EXPECT_EQ(GetConfiguration("NumberOfConnectors"), "1");
  std::set<int> reported;
  for (const auto& status : All("StatusNotification"))
    reported.insert(status["connectorId"].GetInt());
  EXPECT_EQ(reported, (std::set<int>{0, 1}));
  const std::string& err = sim->err();
  const auto at = err.find("NumberOfConnectors");
  ASSERT_NE(at, std::string::npos) << err;
  const std::size_t start = err.rfind('\n', at) == std::string::npos ? 0 : err.rfind('\n', at) + 1;
  const std::string line = err.substr(start, err.find('\n', at) - start);
  EXPECT_NE(line.find("warn"), std::string::npos) << line;
  EXPECT_EQ(sim->Poll(), -1);
  sim->Send("quit");
  ASSERT_TRUE(WaitUntil([&] { return sim->Poll() >= 0; }, 15));
}

// Issue 8 item 3: a --config file nested 100,000 deep is refused with a
// one-line reason, not a stack overflow (the parse is iterative).
TEST_F(StationSimContract, DeeplyNestedConfigFileIsRefusedWithOneLine) {
  const std::string dir = TempDir("deep-config");
  const std::string config = dir + "/factory.json";
  {
    std::ofstream out(config);
    out << "{\"HeartbeatInterval\":" << std::string(100000, '[') << std::string(100000, ']') << "}";
  }
  Process sim({StationSimPath(), "--csms", csms_->url(), "--id", "DEEP", "--data-dir",
               dir + "/data", "--config", config});
  ASSERT_TRUE(WaitUntil([&] { return sim.Poll() >= 0; }));
  EXPECT_EQ(sim.Poll(), 2) << "a flag error, not a signal: " << sim.err();
  EXPECT_EQ(Lines(sim.err()), 1) << sim.err();
  EXPECT_NE(sim.err().find("--config"), std::string::npos) << sim.err();
}

}  // namespace
}  // namespace ocpp
