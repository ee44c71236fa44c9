// LD_PRELOAD library for bench/wire_bench (see sync_counter.h): counts the
// fsync/fdatasync calls of the process and the syncs between two poll()
// calls, into the file named by $OCPP_SYNC_COUNTER. Without that variable,
// or if the file cannot be mapped, it only passes the calls on.
#include "bench/sync_counter.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

namespace {

using ocpp::bench::kSyncCounterEnv;
using ocpp::bench::SyncCounters;

SyncCounters* counters = nullptr;
// Syncs since this thread last called poll(); only the loop thread polls.
thread_local std::uint64_t syncs_this_turn = 0;

__attribute__((constructor)) void MapCounters() {
  const char* path = std::getenv(kSyncCounterEnv);
  if (path == nullptr) return;
  const int fd = ::open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  void* mapped = ::mmap(nullptr, sizeof(SyncCounters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (mapped != MAP_FAILED) counters = static_cast<SyncCounters*>(mapped);
}

template <class F>
F Next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

void CountSync() {
  if (counters == nullptr) return;
  counters->syncs.fetch_add(1, std::memory_order_relaxed);
  ++syncs_this_turn;
}

void EndTurn() {
  if (counters == nullptr) return;
  counters->turns.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t n = syncs_this_turn;
  if (n == 0) return;
  syncs_this_turn = 0;
  const std::uint64_t bucket = n < SyncCounters::kBuckets ? n - 1 : SyncCounters::kBuckets - 1;
  counters->turns_with_syncs[bucket].fetch_add(1, std::memory_order_relaxed);
  std::uint64_t max = counters->max_syncs_in_a_turn.load(std::memory_order_relaxed);
  while (n > max && !counters->max_syncs_in_a_turn.compare_exchange_weak(max, n)) {
  }
}

}  // namespace

extern "C" {

// Counted once done: a reader sees the syncs that have finished.
int fsync(int fd) {
  static const auto next = Next<int (*)(int)>("fsync");
  const int result = next(fd);
  CountSync();
  return result;
}

int fdatasync(int fd) {
  static const auto next = Next<int (*)(int)>("fdatasync");
  const int result = next(fd);
  CountSync();
  return result;
}

int poll(struct pollfd* fds, nfds_t count, int timeout) {
  static const auto next = Next<int (*)(struct pollfd*, nfds_t, int)>("poll");
  EndTurn();
  return next(fds, count, timeout);
}

// What poll() becomes with _FORTIFY_SOURCE when the array size is known.
int __poll_chk(struct pollfd* fds, nfds_t count, int timeout, size_t fds_size) {
  static const auto next = Next<int (*)(struct pollfd*, nfds_t, int, size_t)>("__poll_chk");
  EndTurn();
  return next(fds, count, timeout, fds_size);
}

}  // extern "C"
