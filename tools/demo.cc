// ./run demo: a central system from this project on 127.0.0.1 and the
// station simulator as a child process play one charging session (boot,
// plug in, RFID, charge with meter values, stop, unplug) and print the OCPP
// message sequence. `--csms URL` instead runs the simulator against the given
// central system, with stdin passed through for manual control.
#include <fcntl.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "tools/csms/central_system.h"

namespace {

using namespace ocpp;
using Clock = std::chrono::steady_clock;

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
};

Child Spawn(const std::vector<std::string>& argv, const std::string& stdout_path,
            const std::string& stderr_path) {
  int in[2];
  if (pipe(in) != 0) {
    std::perror("demo: pipe");
    std::exit(1);
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("demo: fork");
    std::exit(1);
  }
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    close(in[1]);
    const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (err >= 0) dup2(err, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::perror("demo: exec station_sim");
    _exit(127);
  }
  close(in[0]);
  return Child{pid, in[1]};
}

std::string Summarize(const std::string& frame, std::map<std::string, std::string>& pending,
                      bool from_station) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(frame.c_str());
  if (doc.HasParseError() || !doc.IsArray() || doc.Size() < 3) return frame;
  const std::string id = doc[1].IsString() ? doc[1].GetString() : "?";
  const std::size_t payload_at = frame.find('{');
  const std::string payload = payload_at == std::string::npos
                                  ? ""
                                  : frame.substr(payload_at, frame.size() - payload_at - 1);
  const char* arrow = from_station ? "CP -> CS" : "CS -> CP";
  std::string name;
  if (doc[0] == 2 && doc[2].IsString()) {
    name = doc[2].GetString();
    pending[id] = name;
  } else {
    name = pending.count(id) ? pending[id] + (doc[0] == 3 ? ".conf" : " CALLERROR") : "?";
    pending.erase(id);
  }
  std::string line = std::string("  ") + arrow + "  " + name;
  line.resize(std::max<std::size_t>(line.size(), 44), ' ');
  return line + " " + payload;
}

}  // namespace

int main(int argc, char** argv) {
  std::string station_sim;
  std::string csms;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--station-sim" && i + 1 < argc) {
      station_sim = argv[++i];
    } else if (arg == "--csms" && i + 1 < argc) {
      csms = argv[++i];
    } else {
      std::fprintf(stderr, "demo: unknown argument %s (use --csms URL)\n", arg.c_str());
      return 2;
    }
  }
  if (station_sim.empty()) {
    std::fprintf(stderr, "demo: --station-sim PATH is required\n");
    return 2;
  }
  char dir_template[] = "/tmp/ocpp16-demo-XXXXXX";
  const std::string data_dir = std::string(mkdtemp(dir_template)) + "/station";
  if (!csms.empty()) {
    std::fprintf(stderr,
                 "demo: station DEMO-CP-001 -> %s (data in %s); type commands, e.g. 'cp B'\n",
                 csms.c_str(), data_dir.c_str());
    execl(station_sim.c_str(), station_sim.c_str(), "--csms", csms.c_str(), "--id", "DEMO-CP-001",
          "--data-dir", data_dir.c_str(), static_cast<char*>(nullptr));
    std::perror("demo: exec station_sim");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  base::SystemClock clock;
  auto loop = runtime::LwsEventLoop::Create(clock);
  std::string error;
  tools::CentralSystem::Options cs_options;
  auto cs = tools::CentralSystem::Create(*loop, cs_options, &error);
  if (!cs) {
    std::fprintf(stderr, "demo: cannot start the central system: %s\n", error.c_str());
    return 1;
  }
  std::map<std::string, std::string> pending;
  cs->set_trace([&](const tools::CentralSystem::Frame& f) {
    std::printf("%s\n",
                Summarize(f.text, pending, f.dir == runtime::TraceDirection::kReceived).c_str());
    std::fflush(stdout);
  });
  const std::string config_path = data_dir + ".config.json";
  if (FILE* f = std::fopen(config_path.c_str(), "w")) {
    std::fputs("{\"MeterValueSampleInterval\": \"1\"}\n", f);
    std::fclose(f);
  }
  std::printf("demo: central system on %s; station DEMO-CP-001 (station_sim, data in %s)\n",
              cs->url().c_str(), data_dir.c_str());
  Child child = Spawn({station_sim, "--csms", cs->url(), "--id", "DEMO-CP-001", "--data-dir",
                       data_dir, "--config", config_path},
                      data_dir + ".events.jsonl", data_dir + ".log");

  auto count = [&](const char* action) {
    int n = 0;
    for (const auto& a : cs->ReceivedCalls()) n += a == action;
    return n;
  };
  auto last_status = [&]() -> std::string {
    auto payloads = cs->ReceivedPayloads("StatusNotification");
    for (auto it = payloads.rbegin(); it != payloads.rend(); ++it) {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(it->c_str());
      if (!doc.HasParseError() && doc["connectorId"] == 1) return doc["status"].GetString();
    }
    return "";
  };
  bool ok = true;
  auto wait_for = [&](const std::string& what, const std::function<bool()>& done, int seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      loop->RunOnce(std::chrono::milliseconds(20));
      if (done()) return true;
      int status = 0;
      if (waitpid(child.pid, &status, WNOHANG) == child.pid) {
        std::fprintf(stderr, "demo: station_sim exited early (status %d); log: %s.log\n", status,
                     data_dir.c_str());
        std::exit(1);
      }
    }
    std::fprintf(stderr, "demo: timed out waiting for %s; station log: %s.log\n", what.c_str(),
                 data_dir.c_str());
    ok = false;
    return false;
  };
  auto command = [&](const std::string& line, const char* meaning) {
    std::printf("[station] %-18s (%s)\n", line.c_str(), meaning);
    std::fflush(stdout);
    const std::string text = line + "\n";
    if (write(child.stdin_fd, text.data(), text.size()) < 0) std::perror("demo: write");
  };

  ok = ok && wait_for(
                 "boot", [&] { return last_status() == "Available"; }, 20);
  if (ok) command("cp B", "EV plugged in");
  ok = ok && wait_for(
                 "Preparing", [&] { return last_status() == "Preparing"; }, 10);
  if (ok) command("rfid DEMO-TAG-1", "card presented");
  ok = ok && wait_for(
                 "StartTransaction", [&] { return count("StartTransaction") == 1; }, 10);
  if (ok) command("power 11000", "EV draws 11 kW");
  if (ok) command("cp C", "EV requests energy");
  ok = ok && wait_for(
                 "Charging", [&] { return last_status() == "Charging"; }, 10);
  ok = ok && wait_for(
                 "3 meter values", [&] { return count("MeterValues") >= 3; }, 15);
  if (ok) command("rfid DEMO-TAG-1", "same card: stop");
  ok = ok && wait_for(
                 "StopTransaction", [&] { return count("StopTransaction") == 1; }, 10);
  ok = ok && wait_for(
                 "Finishing", [&] { return last_status() == "Finishing"; }, 10);
  if (ok) command("cp A", "EV unplugged");
  ok = ok && wait_for(
                 "Available", [&] { return last_status() == "Available"; }, 10);
  command("quit", "shut down");
  close(child.stdin_fd);
  int status = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (waitpid(child.pid, &status, WNOHANG) == 0) {
    loop->RunOnce(std::chrono::milliseconds(20));
    if (Clock::now() > deadline) {
      kill(child.pid, SIGKILL);
      waitpid(child.pid, &status, 0);
      ok = false;
    }
  }
  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::printf("demo: %s (%d OCPP frames; station_sim exit %s; events: %s.events.jsonl)\n",
              ok && clean_exit ? "session complete" : "FAILED",
              static_cast<int>(cs->frames().size()), clean_exit ? "0" : "non-zero",
              data_dir.c_str());
  cs.reset();
  loop.reset();
  return ok && clean_exit ? 0 : 1;
}
