// Process helpers for bench/wire_bench.cc: spawning a child with a stdin
// pipe, killing and reaping it, and reading its CPU time, context switches
// and private dirty memory from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/latency_stats.h"
#include "bench/sync_counter.h"

namespace ocpp::bench {

struct ChildProcess {
  std::string name;
  pid_t pid = -1;
  int stdin_fd = -1;  // write end of the child's stdin pipe
  std::string stderr_path;
  BenchClock::time_point spawned;  // just before fork()
};

// fork + execve with this process's environment plus `env` ("NAME=value");
// stdout goes to `stdout_path` (or /dev/null when empty), stderr to
// `stderr_path`. Returns false (with `error`) if fork or the pipe failed; an
// exec failure shows as the child exiting with status 127.
bool SpawnChild(const std::string& name, const std::vector<std::string>& argv,
                const std::string& stdout_path, const std::string& stderr_path, ChildProcess* child,
                std::string* error, const std::vector<std::string>& env = {});
// Writes `line` + "\n" to the child's stdin.
bool SendLine(const ChildProcess& child, const std::string& line);
// True if the child has exited (and reaps it).
bool ChildExited(ChildProcess& child, int* status);
// SIGKILL, reap, close the pipe. Safe to call twice.
void KillChild(ChildProcess& child);
// "quit" on stdin, then waits up to `seconds` for the exit (SIGKILL after).
// True if it exited by itself with status 0.
bool QuitChild(ChildProcess& child, int seconds);

// A snapshot of a process's counters from /proc.
struct ProcSample {
  bool ok = false;
  std::int64_t cpu_ticks = 0;    // utime + stime from /proc/PID/stat (all threads)
  std::int64_t run_ns = 0;       // sum over /proc/PID/task/*/schedstat field 1 (on-CPU ns)
  std::int64_t timeslices = 0;   // sum over /proc/PID/task/*/schedstat field 3 (times scheduled in)
  std::int64_t voluntary = 0;    // sum over tasks of voluntary_ctxt_switches
  std::int64_t involuntary = 0;  // sum over tasks of nonvoluntary_ctxt_switches
  int threads = 0;
  BenchClock::time_point at;
};
ProcSample ReadProc(pid_t pid);

// What a batch of measured work cost a process (b - a).
struct Cost {
  double cpu_us_ticks = 0;  // utime+stime delta (10 ms resolution)
  double cpu_us_sched = 0;  // schedstat on-CPU delta, all threads (ns resolution)
  double wall_s = 0;
  std::int64_t voluntary = 0, involuntary = 0, timeslices = 0;
};
Cost Delta(const ProcSample& a, const ProcSample& b);
// Microseconds per clock tick (sysconf(_SC_CLK_TCK)).
double MicrosPerTick();

// Sum of Private_Dirty over /proc/PID/smaps, KiB; -1 if unreadable.
long PrivateDirtyKib(pid_t pid);
// VmRSS from /proc/PID/status, KiB; -1 if unreadable.
long VmRssKib(pid_t pid);

// The whole file; empty if unreadable.
std::string ReadWholeFile(const std::string& path);

// Creates a fresh directory under $TMPDIR (or /tmp); removes it recursively.
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);

// Finds a data dependency: `relative` under the working directory (bazel
// run) or under ARGV0.runfiles/WORKSPACE/; empty if neither is executable.
std::string FindRunfile(const char* argv0, const std::string& relative);

// Load average (1 min) and the number of CPUs online, for the report.
double LoadAverage1();
int CpusOnline();

}  // namespace ocpp::bench
