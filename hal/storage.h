// Persistent storage the runtime and the station build on. Two small
// capability interfaces; the backend (SQLite on Linux, in-memory for tests,
// flash on a microcontroller) is chosen by the build, never by #ifdef:
//
//   KeyValueStore  configuration, authorization cache, transaction state,
//                  counters: string keys to string values.
//   MessageLog     an append-only ordered log of small records; the durable
//                  transaction-message queue (runtime/durable_queue.h) runs on it.
//
// Durability contract for every backend: a write that returned OK survives a
// process kill and a power cut, and a write is all-or-nothing (a crash leaves
// the old or the new state, never a torn one). Calls are not thread-safe
// unless a backend says otherwise; the stack calls them from its event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ocpp::hal {

class KeyValueStore {
 public:
  // One write of an atomic batch: a Put when `value` is set, a Delete otherwise.
  struct Write {
    std::string key;
    std::optional<std::string> value;
  };

  virtual ~KeyValueStore() = default;

  // kNotFound when the key does not exist.
  virtual base::Result<std::string> Get(std::string_view key) = 0;
  // Durable when it returns OK. Keys must be non-empty.
  virtual base::Status Put(std::string_view key, std::string_view value) = 0;
  // Durable when it returns OK; deleting a missing key is OK.
  virtual base::Status Delete(std::string_view key) = 0;
  // Every key starting with `prefix` (all keys for ""), sorted by key bytes.
  virtual base::Result<std::vector<std::pair<std::string, std::string>>> List(
      std::string_view prefix) = 0;
  // Applies all writes, in order, as one atomic durable step: after a crash
  // either all of them are visible or none is.
  virtual base::Status Commit(const std::vector<Write>& writes) = 0;
};

class MessageLog {
 public:
  // Sequence numbers start at 1, grow strictly with every Append and are never
  // reused, not even after the newest record was removed and the log reopened.
  using Seq = std::uint64_t;

  struct Record {
    Seq seq = 0;
    std::string data;

    friend bool operator==(const Record& a, const Record& b) {
      return a.seq == b.seq && a.data == b.data;
    }
  };

  virtual ~MessageLog() = default;

  // Adds `data` after every existing record; durable when it returns.
  virtual base::Result<Seq> Append(std::string_view data) = 0;
  // Every record, oldest first.
  virtual base::Result<std::vector<Record>> ReadAll() = 0;
  // Replaces the data of record `seq` in place (its position is kept);
  // kNotFound if there is no such record. Durable when it returns.
  virtual base::Status Update(Seq seq, std::string_view data) = 0;
  // Removes record `seq`; kNotFound if there is no such record. Durable when
  // it returns.
  virtual base::Status Remove(Seq seq) = 0;
  // Number of records.
  virtual base::Result<std::uint64_t> Count() = 0;
  // Sum of the data sizes of all records (not the backend's file size).
  virtual base::Result<std::uint64_t> SizeBytes() = 0;
};

// Storage that can make the writes of one event durable together: between
// BeginGroup() and the matching EndGroup() every write is applied and visible
// at once and reports its errors at once (a full disk included), and it
// survives a crash of the process, but it is on stable storage (survives a
// power cut) only once the outermost EndGroup() returned OK: one sync for
// the whole group instead of one per write. Groups nest. Whoever sends what
// a group wrote (a queued message) sends it after the group ended.
class WriteGrouping {
 public:
  virtual ~WriteGrouping() = default;
  virtual void BeginGroup() = 0;
  virtual base::Status EndGroup() = 0;
};

// Opens a group for the life of the scope (no-op with no grouping).
class ScopedWriteGroup {
 public:
  explicit ScopedWriteGroup(WriteGrouping* grouping) : grouping_(grouping) {
    if (grouping_ != nullptr) grouping_->BeginGroup();
  }
  ~ScopedWriteGroup() {
    if (grouping_ != nullptr) grouping_->EndGroup().IgnoreError();  // the backend logs it
  }
  ScopedWriteGroup(const ScopedWriteGroup&) = delete;
  ScopedWriteGroup& operator=(const ScopedWriteGroup&) = delete;

 private:
  WriteGrouping* grouping_;
};

}  // namespace ocpp::hal
