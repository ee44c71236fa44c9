#include "tests/integration/sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "tools/cross/exec_wrapper.h"

namespace ocpp::integration {

std::string StationSimPath() {
  // Another build of the simulator, e.g. an older release to see a test fail:
  // bazel test --test_env=STATION_SIM=/abs/path/station_sim ...
  if (const char* other = std::getenv("STATION_SIM"); other && *other) return other;
  return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE") +
         "/station/station_sim";
}

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  mkdir(dir.c_str(), 0700);
  return dir;
}

Process::Process(const std::vector<std::string>& args) {
  // Send() to a process that already exited fails the test instead of
  // killing it.
  signal(SIGPIPE, SIG_IGN);
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
    cross::ExecvWrapped(args);
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

Process::~Process() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (int fd : {stdin_, stdout_, stderr_}) close(fd);
}

void Process::Send(const std::string& line) {
  const std::string text = line + "\n";
  ASSERT_EQ(write(stdin_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

void Process::Kill(int sig) {
  if (!exited_) kill(pid_, sig);
}

int Process::Poll() {
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

void Process::Drain() {
  char buffer[4096];
  ssize_t n;
  while ((n = read(stdout_, buffer, sizeof buffer)) > 0) out_.append(buffer, n);
  while ((n = read(stderr_, buffer, sizeof buffer)) > 0) err_.append(buffer, n);
}

std::vector<std::string> Process::StdoutLines() {
  Drain();
  std::vector<std::string> lines;
  std::size_t start = 0, end;
  while ((end = out_.find('\n', start)) != std::string::npos) {
    lines.push_back(out_.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

const std::string& Process::err() {
  Drain();
  return err_;
}

std::vector<rapidjson::Document> JsonLines(Process& process) {
  std::vector<rapidjson::Document> docs;
  for (const std::string& line : process.StdoutLines()) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    EXPECT_TRUE(!doc.HasParseError() && doc.IsObject()) << line;
    if (!doc.HasParseError() && doc.IsObject()) docs.push_back(std::move(doc));
  }
  return docs;
}

StationSimTest::StationSimTest() {
  loop_ = runtime::LwsEventLoop::Create(clock_);
  std::string error;
  csms_ = tools::CentralSystem::Create(*loop_, {}, &error);
  EXPECT_NE(csms_, nullptr) << error;
}

StationSimTest::~StationSimTest() {
  csms_.reset();
  loop_.reset();
}

std::unique_ptr<Process> StationSimTest::Start(const std::string& data_dir,
                                               std::vector<std::string> extra) {
  std::vector<std::string> args = {StationSimPath(), "--csms",     csms_->url(), "--id",
                                   "SIM-1",          "--data-dir", data_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(args);
}

bool StationSimTest::WaitUntil(const std::function<bool()>& done, int seconds) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (done()) return true;
    loop_->RunOnce(std::chrono::milliseconds(10));
  }
  return done();
}

void StationSimTest::Pump(int ms) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) loop_->RunOnce(std::chrono::milliseconds(10));
}

int StationSimTest::Count(const std::string& action) {
  int n = 0;
  for (const auto& a : csms_->ReceivedCalls()) n += a == action;
  return n;
}

rapidjson::Document StationSimTest::Last(const std::string& action) {
  rapidjson::Document doc;
  auto payloads = csms_->ReceivedPayloads(action);
  doc.Parse(payloads.empty() ? "null" : payloads.back().c_str());
  return doc;
}

std::vector<rapidjson::Document> StationSimTest::All(const std::string& action) {
  std::vector<rapidjson::Document> docs;
  for (const std::string& payload : csms_->ReceivedPayloads(action)) {
    docs.emplace_back();
    docs.back().Parse(payload.c_str());
  }
  return docs;
}

std::string StationSimTest::GetConfiguration(const std::string& key) {
  v16::GetConfigurationReq get;
  get.key.emplace().push_back(*codec::CiString<50>::From(key));
  // Shared: the answer may come after this function gave up waiting.
  auto outcome = std::make_shared<std::optional<runtime::CallOutcome<v16::GetConfigurationConf>>>();
  if (!csms_->Call(get, [outcome](auto result) { *outcome = std::move(result); })) {
    ADD_FAILURE() << "GetConfiguration " << key << ": station not connected";
    return "";
  }
  if (!WaitUntil([&] { return outcome->has_value(); })) {
    ADD_FAILURE() << "GetConfiguration " << key << ": no answer";
    return "";
  }
  const auto* conf = std::get_if<v16::GetConfigurationConf>(&**outcome);
  if (conf && conf->configuration_key) {
    for (const auto& kv : *conf->configuration_key) {
      if (kv.key.view() == key) return kv.value ? kv.value->ToString() : "";
    }
  }
  ADD_FAILURE() << "GetConfiguration " << key << ": not in the answer";
  return "";
}

}  // namespace ocpp::integration
