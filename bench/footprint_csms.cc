// footprint_csms: the process-level half of bench/footprint.sh. Serves the
// project's central system (tools/csms) on 127.0.0.1 and, one after the
// other:
//   1. runs station_sim through one full charging session via its stdin
//      (boot, plug in, RFID, StartTransaction, 11 kW with 1 s meter values
//      until 3 MeterValues, RFID stop, StopTransaction, unplug), then quits it
//   2. runs bare_lws_client (once plain, once with --ssl-init): connect,
//      one BootNotification answered, then quit
// For each child it prints one line
//   result NAME vmhwm_kib=N session_vmhwm_kib=N ru_maxrss_kib=N seconds=S
// vmhwm_kib is the child's peak RSS (VmHWM in /proc/PID/status), polled
// until it exits, so shutdown is included; session_vmhwm_kib is the value
// read just before "quit". ru_maxrss from wait4() is printed for reference
// only: Linux carries a forked child's pre-exec RSS (this process's pages)
// into it, so for a small child it reports this process rather than the child.
//
//   footprint_csms --station-sim PATH --bare-client PATH --work-dir DIR
#include <fcntl.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/lws_event_loop.h"
#include "tools/cross/exec_wrapper.h"
#include "tools/csms/central_system.h"

namespace {

using namespace ocpp;
using WallClock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "footprint_csms: %s\n", what.c_str());
  std::exit(1);
}

struct Child {
  std::string name;
  pid_t pid = -1;
  int stdin_fd = -1;
  std::string stdout_path;
  std::string stderr_path;
  WallClock::time_point started;
};

Child Spawn(const std::string& name, const std::vector<std::string>& argv,
            const std::string& work_dir) {
  Child child;
  child.name = name;
  child.stdout_path = work_dir + "/" + name + ".out";
  child.stderr_path = work_dir + "/" + name + ".err";
  int in[2];
  if (pipe(in) != 0) Die("pipe: " + std::string(std::strerror(errno)));
  child.started = WallClock::now();
  child.pid = fork();
  if (child.pid < 0) Die("fork: " + std::string(std::strerror(errno)));
  if (child.pid == 0) {
    dup2(in[0], STDIN_FILENO);
    close(in[0]);
    close(in[1]);
    const int out = open(child.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(child.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (err >= 0) dup2(err, STDERR_FILENO);
    // $CROSS_EXEC_WRAPPER: an ARM child under qemu-user (footprint.sh arm64).
    ocpp::cross::ExecvWrapped(argv);
    std::perror("footprint_csms: exec");
    _exit(127);
  }
  close(in[0]);
  child.stdin_fd = in[1];
  return child;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// VmHWM of a live process in KiB, 0 if unreadable.
long VmHwmKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

class Driver {
 public:
  Driver(runtime::LwsEventLoop& loop, tools::CentralSystem& cs) : loop_(loop), cs_(cs) {}

  // Pumps the central system until `done`; dies after `seconds` or if the
  // (still running) child exits early.
  void WaitFor(const Child& child, const std::string& what, const std::function<bool()>& done,
               int seconds) {
    const auto deadline = WallClock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      if (WallClock::now() > deadline) {
        Kill(child);
        Die("timed out waiting for " + what + " from " + child.name +
            "; its log: " + child.stderr_path);
      }
      loop_.RunOnce(std::chrono::milliseconds(20));
      int status = 0;
      if (waitpid(child.pid, &status, WNOHANG) == child.pid) {
        Die(child.name + " exited early (status " + std::to_string(status) +
            "); its log: " + child.stderr_path);
      }
    }
  }

  // The same for a child already reaped.
  void WaitForCsms(const std::string& what, const std::function<bool()>& done, int seconds) {
    const auto deadline = WallClock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      if (WallClock::now() > deadline) Die("timed out waiting for " + what);
      loop_.RunOnce(std::chrono::milliseconds(20));
    }
  }

  void Send(const Child& child, const std::string& line) {
    const std::string text = line + "\n";
    if (write(child.stdin_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      Die("cannot write to " + child.name + ": " + std::strerror(errno));
    }
  }

  // Reads VmHWM, sends quit, closes stdin and reaps the child (reading
  // VmHWM until it is gone); prints the result line.
  void Finish(Child& child) {
    const long session_hwm = VmHwmKib(child.pid);
    long hwm = session_hwm;
    Send(child, "quit");
    close(child.stdin_fd);
    const auto deadline = WallClock::now() + std::chrono::seconds(10);
    int status = 0;
    rusage usage{};
    for (;;) {
      hwm = std::max(hwm, VmHwmKib(child.pid));  // 0 once it is a zombie
      const pid_t done = wait4(child.pid, &status, WNOHANG, &usage);
      if (done == child.pid) break;
      if (done < 0) Die("wait4: " + std::string(std::strerror(errno)));
      if (WallClock::now() > deadline) {
        Kill(child);
        Die(child.name + " did not exit after quit; its log: " + child.stderr_path);
      }
      loop_.RunOnce(std::chrono::milliseconds(2));
    }
    if (hwm == 0) Die("could not read VmHWM of " + child.name);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Die(child.name + " exited with status " + std::to_string(status) +
          "; its log: " + child.stderr_path);
    }
    const double seconds = std::chrono::duration<double>(WallClock::now() - child.started).count();
    std::printf("result %s vmhwm_kib=%ld session_vmhwm_kib=%ld ru_maxrss_kib=%ld seconds=%.1f\n",
                child.name.c_str(), hwm, session_hwm, usage.ru_maxrss, seconds);
    std::fflush(stdout);
  }

  int Count(const char* action) const {
    int n = 0;
    for (const auto& a : cs_.ReceivedCalls()) n += a == action;
    return n;
  }

  std::string LastStatus() const {
    auto payloads = cs_.ReceivedPayloads("StatusNotification");
    for (auto it = payloads.rbegin(); it != payloads.rend(); ++it) {
      rapidjson::Document doc;
      doc.Parse(it->c_str());
      if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("connectorId") &&
          doc["connectorId"] == 1) {
        return doc["status"].GetString();
      }
    }
    return "";
  }

 private:
  static void Kill(const Child& child) {
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
  }

  runtime::LwsEventLoop& loop_;
  tools::CentralSystem& cs_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string station_sim, bare_client, work_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--station-sim") {
      station_sim = argv[i + 1];
    } else if (flag == "--bare-client") {
      bare_client = argv[i + 1];
    } else if (flag == "--work-dir") {
      work_dir = argv[i + 1];
    } else {
      Die("unknown flag " + flag);
    }
  }
  if (station_sim.empty() || bare_client.empty() || work_dir.empty() || argc % 2 == 0) {
    std::fprintf(stderr,
                 "usage: footprint_csms --station-sim PATH --bare-client PATH --work-dir DIR\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  base::SystemClock clock;
  runtime::LwsEventLoop::Options loop_options;
  loop_options.log_sink = [](runtime::LogLevel level, std::string_view message) {
    if (level == runtime::LogLevel::kError) {
      std::fprintf(stderr, "footprint_csms: lws: %.*s\n", static_cast<int>(message.size()),
                   message.data());
    }
  };
  auto loop = runtime::LwsEventLoop::Create(clock, loop_options);
  if (!loop) Die("cannot create the event loop");
  std::string error;
  auto cs = tools::CentralSystem::Create(*loop, {}, &error);
  if (!cs) Die("cannot start the central system: " + error);
  Driver driver(*loop, *cs);

  // 1. station_sim, one full session.
  const std::string config = work_dir + "/station-config.json";
  {
    std::ofstream out(config);
    out << "{\"MeterValueSampleInterval\": \"1\"}\n";
    if (!out) Die("cannot write " + config);
  }
  Child station = Spawn("station_sim",
                        {station_sim, "--csms", cs->url(), "--id", "FOOTPRINT-CP-1", "--data-dir",
                         work_dir + "/station-data", "--config", config, "--log-level", "warn"},
                        work_dir);
  driver.WaitFor(
      station, "boot", [&] { return driver.LastStatus() == "Available"; }, 20);
  driver.Send(station, "cp B");
  driver.WaitFor(
      station, "Preparing", [&] { return driver.LastStatus() == "Preparing"; }, 10);
  driver.Send(station, "rfid FOOTPRINT-TAG");
  driver.WaitFor(
      station, "StartTransaction", [&] { return driver.Count("StartTransaction") == 1; }, 10);
  driver.Send(station, "power 11000");
  driver.Send(station, "cp C");
  driver.WaitFor(
      station, "Charging", [&] { return driver.LastStatus() == "Charging"; }, 10);
  driver.WaitFor(
      station, "3 MeterValues", [&] { return driver.Count("MeterValues") >= 3; }, 15);
  driver.Send(station, "rfid FOOTPRINT-TAG");
  driver.WaitFor(
      station, "StopTransaction", [&] { return driver.Count("StopTransaction") == 1; }, 10);
  driver.WaitFor(
      station, "Finishing", [&] { return driver.LastStatus() == "Finishing"; }, 10);
  driver.Send(station, "cp A");
  driver.WaitFor(
      station, "Available", [&] { return driver.LastStatus() == "Available"; }, 10);
  const int station_frames = static_cast<int>(cs->frames().size());
  driver.Finish(station);
  std::printf("session station_sim frames=%d\n", station_frames);
  driver.WaitForCsms(
      "the station's disconnect", [&] { return !cs->connected(); }, 10);

  // 2. The bare client, plain and with OpenSSL initialised.
  for (const bool ssl_init : {false, true}) {
    cs->ClearFrames();
    const std::string name = ssl_init ? "bare_lws_client_ssl_init" : "bare_lws_client";
    std::vector<std::string> args = {bare_client};
    if (ssl_init) args.push_back("--ssl-init");
    args.push_back(cs->url() + "/BARE-CP-1");
    Child bare = Spawn(name, args, work_dir);
    driver.WaitFor(
        bare, "an answered BootNotification",
        [&] { return ReadFile(bare.stdout_path).find("answered:") != std::string::npos; }, 10);
    driver.Finish(bare);
    driver.WaitForCsms(
        "the bare client's disconnect", [&] { return !cs->connected(); }, 10);
  }
  cs.reset();
  loop.reset();
  return 0;
}
