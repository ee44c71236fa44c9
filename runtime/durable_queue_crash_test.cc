// Kills a process using the durable queue with SIGKILL at random points,
// restarts it on the same data directory each time, and checks that no
// transaction message was lost, duplicated or reordered and that the database
// is intact. The child and its events file are described in
// runtime/testing/queue_crash_child.cc.
//
// The seed (printed; set QUEUE_CRASH_SEED to replay) fixes the kill delays
// and the child's choices. Where a kill lands also depends on timing, so a
// replay is similar, not identical.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "runtime/durable_queue.h"
#include "tools/cross/exec_wrapper.h"

namespace ocpp::runtime {
namespace {

constexpr int kKills = 50;
constexpr std::uint64_t kDefaultSeed = 20260101;

std::string ChildPath() {
  // QUEUE_CRASH_CHILD overrides (for running the test binary by hand);
  // under `bazel test` the child is the data dependency in the runfiles tree.
  if (const char* path = std::getenv("QUEUE_CRASH_CHILD")) return path;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return std::string(srcdir) + "/" + workspace + "/runtime/testing/queue_crash_child";
  }
  return "runtime/testing/queue_crash_child";
}

struct Spawned {
  pid_t pid = -1;
  int ready_fd = -1;  // readable once the child finished its start-up checks
};

Spawned Spawn(const std::string& child, const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The write end must survive exec.
    const int ready = ::dup(fds[1]);
    std::vector<std::string> all = {child};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--ready_fd=" + std::to_string(ready));
    ocpp::cross::ExecvWrapped(all);
    std::_Exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Waits up to `timeout` for the child to report it is ready.
bool WaitReady(int fd, std::chrono::milliseconds timeout) {
  pollfd poll_fd = {fd, POLLIN, 0};
  if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char byte;
  return ::read(fd, &byte, 1) == 1;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

struct Line {
  char tag = 0;
  std::int64_t n = 0;
  std::string kind;
  std::int64_t local = 0;
  int attempts = 0;
  std::string txid;
  std::int64_t csms = 0;
};

std::vector<Line> ReadEvents(const std::string& path) {
  std::ifstream in(path);
  std::vector<Line> lines;
  std::string text;
  while (std::getline(in, text)) {
    std::istringstream fields(text);
    std::string tag;
    fields >> tag;
    Line line;
    line.tag = tag.empty() ? '?' : tag[0];
    switch (line.tag) {
      case 'E':
        fields >> line.n >> line.kind >> line.local;
        break;
      case 'T':
        fields >> line.n >> line.kind >> line.local >> line.attempts >> line.txid;
        break;
      case 'A':
        fields >> line.n >> line.csms;
        break;
      case 'F':
      case 'O':
      case 'P':
      case 'R':
        fields >> line.n;
        break;
      case 'S':
      case 'D':
        break;
      default:
        ADD_FAILURE() << "malformed events line: '" << text << "'";
        continue;
    }
    if (fields.fail()) ADD_FAILURE() << "malformed events line: '" << text << "'";
    lines.push_back(line);
  }
  return lines;
}

TEST(DurableQueueCrashTest, SurvivesRepeatedSigkill) {
  std::uint64_t seed = kDefaultSeed;
  if (const char* env = std::getenv("QUEUE_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  std::printf("durable_queue_crash_test: seed %llu (set QUEUE_CRASH_SEED to replay)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);

  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp != nullptr ? tmp : "/tmp") + "/queue_crash";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  const std::string data_dir = root + "/data";
  const std::string events = root + "/events.txt";
  const std::string child = ChildPath();
  ASSERT_EQ(::access(child.c_str(), X_OK), 0) << "child binary not found: " << child;
  const std::vector<std::string> args = {"--data_dir=" + data_dir, "--events=" + events,
                                         "--seed=" + std::to_string(seed)};

  const auto started = std::chrono::steady_clock::now();
  int kills_while_starting = 0;
  int kills_while_running = 0;
  for (int round = 0; round < kKills; ++round) {
    Spawned spawned = Spawn(child, args);
    ASSERT_GT(spawned.pid, 0);
    // A quarter of the kills hit start-up (opening, recovery, checks); the
    // rest hit the enqueue/send/acknowledge loop.
    const bool during_start = std::uniform_int_distribution<int>(0, 3)(rng) == 0;
    if (!during_start) {
      const bool ready = WaitReady(spawned.ready_fd, std::chrono::seconds(20));
      if (!ready) {
        // It died (a violation is reported on its stderr) or hangs.
        ::kill(spawned.pid, SIGKILL);
        int status = 0;
        ::waitpid(spawned.pid, &status, 0);
        ::close(spawned.ready_fd);
        FAIL() << "round " << round << ": child did not start: " << DescribeWaitStatus(status);
      }
    }
    // 50 microseconds to 200 milliseconds, log-uniform.
    const double exponent = std::uniform_real_distribution<double>(1.7, 5.3)(rng);
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<std::int64_t>(std::pow(10.0, exponent))));
    ::kill(spawned.pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(spawned.pid, &status, 0), spawned.pid);
    ::close(spawned.ready_fd);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "round " << round << ": child ended by itself: " << DescribeWaitStatus(status)
        << " (its stderr is above)";
    (during_start ? kills_while_starting : kills_while_running)++;
  }

  // A last run without a kill delivers whatever is still queued.
  Spawned drain = Spawn(child, [&] {
    std::vector<std::string> drain_args = args;
    drain_args.push_back("--drain");
    return drain_args;
  }());
  ASSERT_GT(drain.pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(drain.pid, &status, 0), drain.pid);
  ::close(drain.ready_fd);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "drain run: " << DescribeWaitStatus(status) << " (its stderr is above)";

  // --- The delivered stream -------------------------------------------------
  const std::vector<Line> lines = ReadEvents(events);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().tag, 'D') << "the drain run finished";

  std::vector<std::int64_t> accepted;  // A lines in order
  std::map<std::int64_t, int> transmissions;
  std::map<std::int64_t, std::int64_t> start_local;  // Start n -> local id
  std::set<std::int64_t> enqueued;
  std::set<std::int64_t> popped;
  std::int64_t last_transmitted = 0;
  std::int64_t last_local = 0;
  int restarts = 0;
  int failures = 0;
  int timeouts = 0;
  int finished_acknowledgements = 0;
  for (const Line& line : lines) {
    switch (line.tag) {
      case 'S':
        ++restarts;
        break;
      case 'E':
        EXPECT_TRUE(enqueued.insert(line.n).second) << "enqueued twice: " << line.n;
        break;
      case 'T': {
        ++transmissions[line.n];
        // In order: never an older message after a newer one.
        EXPECT_GE(line.n, last_transmitted) << "transmitted out of order";
        last_transmitted = line.n;
        if (line.kind == "start") {
          EXPECT_EQ(line.txid, "none");
          auto [it, inserted] = start_local.emplace(line.n, line.local);
          EXPECT_EQ(it->second, line.local) << "a resent StartTransaction changed transaction";
          if (inserted) {
            EXPECT_GT(line.local, last_local) << "local transaction id reused";
            last_local = line.local;
          }
        } else {
          // Never on the wire without the central system's transactionId.
          EXPECT_EQ(line.txid, std::to_string(100000 + line.local))
              << line.kind << " " << line.n << " of local transaction " << line.local;
          const std::int64_t start = line.n - (line.n - 1) % 6;
          auto it = start_local.find(start);
          ASSERT_NE(it, start_local.end()) << "message " << line.n << " sent before its Start";
          EXPECT_EQ(it->second, line.local) << "message " << line.n << " in the wrong transaction";
        }
        break;
      }
      case 'A':
        accepted.push_back(line.n);
        EXPECT_GT(transmissions[line.n], 0) << "accepted without being transmitted: " << line.n;
        break;
      case 'P':
        EXPECT_TRUE(popped.insert(line.n).second) << "removed twice: " << line.n;
        break;
      case 'F':
        ++failures;
        break;
      case 'R':
        ++finished_acknowledgements;
        break;
      case 'O':
        ++timeouts;
        break;
      default:
        break;
    }
  }
  // Exactly once, in order, nothing missing: 1, 2, ..., N.
  ASSERT_FALSE(accepted.empty());
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    ASSERT_EQ(accepted[i], static_cast<std::int64_t>(i) + 1)
        << "the accepted stream must be 1..N without gaps or repeats";
  }
  const std::int64_t total = static_cast<std::int64_t>(accepted.size());
  for (std::int64_t n : enqueued) EXPECT_LE(n, total) << "enqueued but never accepted: " << n;

  int resent = 0;
  for (const auto& [n, count] : transmissions) {
    if (count > 1) ++resent;
  }

  // --- The file ---------------------------------------------------------------
  auto storage = hal::SqliteStorage::Open(data_dir);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_TRUE((*storage)->CheckIntegrity().ok());
  EXPECT_EQ(*(*storage)->Count(), 0u);
  auto queue = TransactionMessageQueue::Open(**storage, **storage);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_TRUE((*queue)->empty());
  EXPECT_TRUE((*storage)->List("txqueue/binding/")->size() <= 32u);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "durable_queue_crash_test: seed %llu: %d kills (%d during start-up), %d starts, "
      "%lld messages accepted exactly once, %d resent after a kill or error, %d removed at "
      "restart after a kill between acceptance and removal, %d CALLERRORs, %d timeouts, "
      "%.1f s\n",
      static_cast<unsigned long long>(seed), kills_while_starting + kills_while_running,
      kills_while_starting, restarts, static_cast<long long>(total), resent,
      finished_acknowledgements, failures, timeouts, seconds);
  // Throughput varies a lot (fsync per commit, sanitizers, a loaded CI
  // machine); 50 kills over even a few dozen messages still mean something.
  EXPECT_GT(total, 25) << "the run did too little work to mean anything";
}

}  // namespace
}  // namespace ocpp::runtime
