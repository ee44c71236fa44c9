// What bench/sync_counter.cc (an LD_PRELOAD library) counts in the process
// it is loaded into, in a file that bench/wire_bench maps: the process's
// fsync and fdatasync calls, and how they fall into the turns of its event
// loop. A "turn" ends at each poll() call (the loop waiting for the next
// event); turns that do not wait (no poll) are merged into the next one,
// so "syncs in one turn" can only be over-counted, never under-counted.
//
//   parent: SyncCounterFile f(path); setenv OCPP_SYNC_COUNTER=path in the child
//           f.Read() at any time
//   child:  LD_PRELOAD=libsync_counter.so
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ocpp::bench {

inline constexpr const char* kSyncCounterEnv = "OCPP_SYNC_COUNTER";

struct SyncCounters {
  static constexpr int kBuckets = 8;  // turns with 1, 2, ..., 7, 8+ syncs
  std::atomic<std::uint64_t> syncs;   // fsync + fdatasync calls
  std::atomic<std::uint64_t> turns;   // poll() calls of the loop thread
  std::atomic<std::uint64_t> max_syncs_in_a_turn;
  std::atomic<std::uint64_t> turns_with_syncs[kBuckets];  // [n-1]: turns with n syncs
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "shared between processes");

// A copy of the counters at one moment.
struct SyncSample {
  std::uint64_t syncs = 0, turns = 0, max_in_a_turn = 0;
  std::uint64_t turns_with[SyncCounters::kBuckets] = {};
};

// The parent's side: creates (truncates) the file and maps it.
class SyncCounterFile {
 public:
  SyncCounterFile() = default;
  ~SyncCounterFile();
  SyncCounterFile(const SyncCounterFile&) = delete;
  SyncCounterFile& operator=(const SyncCounterFile&) = delete;
  // Zeroed counters at `path`; false if the file cannot be made.
  bool Create(const std::string& path);
  bool ok() const { return counters_ != nullptr; }
  SyncSample Read() const;
  // Starts max_in_a_turn afresh (for one phase of the run).
  void ResetMax();

 private:
  SyncCounters* counters_ = nullptr;
};

// b - a, field by field (max_in_a_turn: b's, since the last ResetMax).
SyncSample Delta(const SyncSample& a, const SyncSample& b);

}  // namespace ocpp::bench
