#include "bench/wire_bench_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace ocpp::bench {

bool SpawnChild(const std::string& name, const std::vector<std::string>& argv,
                const std::string& stdout_path, const std::string& stderr_path, ChildProcess* child,
                std::string* error, const std::vector<std::string>& env) {
  *child = ChildProcess{};
  child->name = name;
  child->stderr_path = stderr_path;
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  // Everything the child needs is prepared before fork().
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* out_path = stdout_path.empty() ? "/dev/null" : stdout_path.c_str();
  child->spawned = BenchClock::now();
  child->pid = fork();
  if (child->pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(in[0]);
    close(in[1]);
    return false;
  }
  if (child->pid == 0) {
    dup2(in[0], STDIN_FILENO);  // dup2 clears O_CLOEXEC on the copy
    const int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (err >= 0) dup2(err, STDERR_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  child->stdin_fd = in[1];
  return true;
}

bool SendLine(const ChildProcess& child, const std::string& line) {
  const std::string text = line + "\n";
  return child.stdin_fd >= 0 &&
         write(child.stdin_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

bool ChildExited(ChildProcess& child, int* status) {
  if (child.pid <= 0) return true;
  if (waitpid(child.pid, status, WNOHANG) == child.pid) {
    child.pid = -1;
    return true;
  }
  return false;
}

void KillChild(ChildProcess& child) {
  if (child.pid > 0) {
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
    child.pid = -1;
  }
  if (child.stdin_fd >= 0) close(child.stdin_fd);
  child.stdin_fd = -1;
}

bool QuitChild(ChildProcess& child, int seconds) {
  if (child.pid <= 0) return false;
  SendLine(child, "quit");
  const auto deadline = BenchClock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (BenchClock::now() < deadline) {
    if (ChildExited(child, &status)) {
      KillChild(child);  // closes the pipe
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  KillChild(child);
  return false;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

// The value after "Key:" in a /proc status-style text, or -1.
std::int64_t StatusField(const std::string& text, const char* key) {
  const std::string needle = std::string("\n") + key + ":";
  const std::size_t at = text.find(needle);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + needle.size(), nullptr, 10);
}

}  // namespace

ProcSample ReadProc(pid_t pid) {
  ProcSample s;
  s.at = BenchClock::now();
  const std::string base = "/proc/" + std::to_string(pid);
  // /proc/PID/stat: "pid (comm) state ..."; comm may hold spaces, so count
  // fields after the last ')'. utime and stime are fields 14 and 15.
  const std::string stat = ReadWholeFile(base + "/stat");
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return s;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  std::int64_t utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::strtoll(field.c_str(), nullptr, 10);
    if (i == 15) {
      stime = std::strtoll(field.c_str(), nullptr, 10);
      break;
    }
  }
  s.cpu_ticks = utime + stime;
  // Context switches and schedstat are per thread: sum over the tasks.
  DIR* dir = opendir((base + "/task").c_str());
  if (!dir) return s;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string task = base + "/task/" + entry->d_name;
    const std::string status = "\n" + ReadWholeFile(task + "/status");
    const std::int64_t vol = StatusField(status, "voluntary_ctxt_switches");
    const std::int64_t invol = StatusField(status, "nonvoluntary_ctxt_switches");
    if (vol >= 0) s.voluntary += vol;
    if (invol >= 0) s.involuntary += invol;
    std::istringstream sched(ReadWholeFile(task + "/schedstat"));
    std::int64_t run_ns = 0, wait_ns = 0, slices = 0;
    if (sched >> run_ns >> wait_ns >> slices) {
      s.run_ns += run_ns;
      s.timeslices += slices;
    }
    ++s.threads;
  }
  closedir(dir);
  s.ok = s.threads > 0;
  return s;
}

double MicrosPerTick() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? 1e6 / ticks : 1e4;
}

long PrivateDirtyKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  if (!in) return -1;
  std::string line;
  long sum = 0;
  bool any = false;
  while (std::getline(in, line)) {
    if (line.rfind("Private_Dirty:", 0) == 0) {
      sum += std::atol(line.c_str() + 14);
      any = true;
    }
  }
  return any ? sum : -1;
}

long VmRssKib(pid_t pid) {
  const std::string status = "\n" + ReadWholeFile("/proc/" + std::to_string(pid) + "/status");
  return static_cast<long>(StatusField(status, "VmRSS"));
}

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) return "";
  return buffer.data();
}

void RemoveTree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR* dir = opendir(path.c_str())) {
      while (dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") RemoveTree(path + "/" + name);
      }
      closedir(dir);
    }
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

std::string FindRunfile(const char* argv0, const std::string& relative) {
  std::vector<std::string> candidates = {relative};
  const std::string runfiles = std::string(argv0) + ".runfiles";
  if (DIR* dir = opendir(runfiles.c_str())) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.')
        candidates.push_back(runfiles + "/" + entry->d_name + "/" + relative);
    }
    closedir(dir);
  }
  for (const auto& path : candidates) {
    if (access(path.c_str(), X_OK) == 0) {
      char resolved[PATH_MAX];
      return realpath(path.c_str(), resolved) ? resolved : path;
    }
  }
  return "";
}

Cost Delta(const ProcSample& a, const ProcSample& b) {
  Cost c;
  c.cpu_us_ticks = (b.cpu_ticks - a.cpu_ticks) * MicrosPerTick();
  c.cpu_us_sched = (b.run_ns - a.run_ns) / 1e3;
  c.wall_s = ElapsedNs(a.at, b.at) / 1e9;
  c.voluntary = b.voluntary - a.voluntary;
  c.involuntary = b.involuntary - a.involuntary;
  c.timeslices = b.timeslices - a.timeslices;
  return c;
}

SyncCounterFile::~SyncCounterFile() {
  if (counters_ != nullptr) munmap(counters_, sizeof(SyncCounters));
}

bool SyncCounterFile::Create(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  void* mapped = MAP_FAILED;
  if (ftruncate(fd, sizeof(SyncCounters)) == 0) {  // zero-filled
    mapped = mmap(nullptr, sizeof(SyncCounters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (mapped == MAP_FAILED) return false;
  counters_ = static_cast<SyncCounters*>(mapped);
  return true;
}

SyncSample SyncCounterFile::Read() const {
  SyncSample s;
  if (counters_ == nullptr) return s;
  s.syncs = counters_->syncs.load();
  s.turns = counters_->turns.load();
  s.max_in_a_turn = counters_->max_syncs_in_a_turn.load();
  for (int i = 0; i < SyncCounters::kBuckets; ++i)
    s.turns_with[i] = counters_->turns_with_syncs[i].load();
  return s;
}

void SyncCounterFile::ResetMax() {
  if (counters_ != nullptr) counters_->max_syncs_in_a_turn.store(0);
}

SyncSample Delta(const SyncSample& a, const SyncSample& b) {
  SyncSample d;
  d.syncs = b.syncs - a.syncs;
  d.turns = b.turns - a.turns;
  d.max_in_a_turn = b.max_in_a_turn;
  for (int i = 0; i < SyncCounters::kBuckets; ++i)
    d.turns_with[i] = b.turns_with[i] - a.turns_with[i];
  return d;
}

double LoadAverage1() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

int CpusOnline() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

}  // namespace ocpp::bench
