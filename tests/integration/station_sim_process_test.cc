// station_sim as a real child process (the contract in
// ../shared/docs/station-sim-interface.md): flags, stdin commands, JSON lines
// on stdout, exit codes, and power cuts by SIGKILL, against the project's
// central system on 127.0.0.1. Real time: waits are bounded I/O waits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "tools/csms/central_system.h"

namespace ocpp {
namespace {

using Clock = std::chrono::steady_clock;

std::string StationSimPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE") +
         "/station/station_sim";
}

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  mkdir(dir.c_str(), 0700);
  return dir;
}

class Process {
 public:
  explicit Process(const std::vector<std::string>& args) {
    int in[2], out[2], err[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
    fcntl(stdout_, F_SETFL, O_NONBLOCK);
    fcntl(stderr_, F_SETFL, O_NONBLOCK);
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {stdin_, stdout_, stderr_}) close(fd);
  }
  void Send(const std::string& line) {
    const std::string text = line + "\n";
    ASSERT_EQ(write(stdin_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void Kill(int sig) { kill(pid_, sig); }
  // Exit status, or -1 while running.
  int Poll() {
    Drain();
    if (exited_) return status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      Drain();
    }
    return exited_ ? status_ : -1;
  }
  void Drain() {
    char buffer[4096];
    ssize_t n;
    while ((n = read(stdout_, buffer, sizeof buffer)) > 0) out_.append(buffer, n);
    while ((n = read(stderr_, buffer, sizeof buffer)) > 0) err_.append(buffer, n);
  }
  std::vector<std::string> StdoutLines() {
    Drain();
    std::vector<std::string> lines;
    std::size_t start = 0, end;
    while ((end = out_.find('\n', start)) != std::string::npos) {
      lines.push_back(out_.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }
  const std::string& err() {
    Drain();
    return err_;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  bool exited_ = false;
  int status_ = -1;
  std::string out_, err_;
};

class StationSimProcess : public ::testing::Test {
 protected:
  StationSimProcess() {
    loop_ = runtime::LwsEventLoop::Create(clock_);
    std::string error;
    csms_ = tools::CentralSystem::Create(*loop_, {}, &error);
    EXPECT_NE(csms_, nullptr) << error;
  }
  ~StationSimProcess() override {
    csms_.reset();
    loop_.reset();
  }
  std::unique_ptr<Process> Start(const std::string& data_dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {StationSimPath(), "--csms",     csms_->url(), "--id",
                                     "SIM-1",          "--data-dir", data_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(args);
  }
  // Pumps the central system's loop until `done` or `seconds` pass.
  bool WaitUntil(const std::function<bool()>& done, int seconds = 10) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      if (done()) return true;
      loop_->RunOnce(std::chrono::milliseconds(10));
    }
    return done();
  }
  int Count(const std::string& action) {
    int n = 0;
    for (const auto& a : csms_->ReceivedCalls()) n += a == action;
    return n;
  }
  rapidjson::Document Last(const std::string& action) {
    rapidjson::Document doc;
    auto payloads = csms_->ReceivedPayloads(action);
    doc.Parse(payloads.empty() ? "null" : payloads.back().c_str());
    return doc;
  }

  base::SystemClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> csms_;
};

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
