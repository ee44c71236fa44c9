// Helpers for process-level tests of station_sim (the contract in
// ../shared/docs/station-sim-interface.md): the simulator as a real child
// process with pipes on stdin/stdout/stderr, and a fixture that runs the
// project's central system on 127.0.0.1 and pumps its loop in bounded,
// real-time waits.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "tools/csms/central_system.h"

namespace ocpp::integration {

// The station_sim binary in the test's runfiles ($STATION_SIM if set).
std::string StationSimPath();
// TEST_TMPDIR/name, created if missing.
std::string TempDir(const std::string& name);

class Process {
 public:
  explicit Process(const std::vector<std::string>& args);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void Send(const std::string& line);
  void Kill(int sig);
  // Exit status (128 + signal when killed), or -1 while running.
  int Poll();
  void Drain();
  std::vector<std::string> StdoutLines();
  const std::string& err();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  bool exited_ = false;
  int status_ = -1;
  std::string out_, err_;
};

class StationSimTest : public ::testing::Test {
 protected:
  using Clock = std::chrono::steady_clock;

  StationSimTest();
  ~StationSimTest() override;

  // station_sim --csms <ours> --id SIM-1 --data-dir DIR, then `extra`.
  std::unique_ptr<Process> Start(const std::string& data_dir, std::vector<std::string> extra = {});
  // Pumps the central system's loop until `done` or `seconds` pass.
  bool WaitUntil(const std::function<bool()>& done, int seconds = 10);
  // Pumps the loop for `ms` milliseconds.
  void Pump(int ms);
  // CALLs of `action` the station sent.
  int Count(const std::string& action);
  // Payload of the last CALL of `action` (null when none).
  rapidjson::Document Last(const std::string& action);
  // Payloads of every CALL of `action`, parsed.
  std::vector<rapidjson::Document> All(const std::string& action);
  // Value of configuration key `key` from GetConfiguration, or "" (with a
  // test failure) when the station does not answer with it.
  std::string GetConfiguration(const std::string& key);
  // Sends a CALL from the central system and waits for its answer; a
  // CALLERROR or no answer fails the test (and gives a default Response).
  template <class Request>
  auto CallSync(const Request& request) {
    using Response = typename v16::RequestTraits<Request>::Response;
    auto outcome = std::make_shared<std::optional<runtime::CallOutcome<Response>>>();
    EXPECT_TRUE(csms_->Call(request, [outcome](auto result) { *outcome = std::move(result); }));
    EXPECT_TRUE(WaitUntil([&] { return outcome->has_value(); })) << "no answer";
    const auto* response = outcome->has_value() ? std::get_if<Response>(&**outcome) : nullptr;
    EXPECT_NE(response, nullptr) << "CALLERROR";
    return response ? *response : Response{};
  }

  base::SystemClock clock_;
  std::unique_ptr<runtime::LwsEventLoop> loop_;
  std::unique_ptr<tools::CentralSystem> csms_;
};

// The JSON lines of stdout, parsed (lines that are no JSON object fail the test).
std::vector<rapidjson::Document> JsonLines(Process& process);

}  // namespace ocpp::integration
