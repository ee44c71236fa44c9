// In-memory KeyValueStore + MessageLog for unit tests. "Durable" means: it
// outlives the objects built on it, so a test restarts a component by
// constructing a new one on the same InMemoryStorage. Writes can be made to
// fail on demand to test error paths.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "hal/storage.h"

namespace ocpp::hal::testing {

class InMemoryStorage final : public KeyValueStore, public MessageLog {
 public:
  // KeyValueStore
  base::Result<std::string> Get(std::string_view key) override {
    if (key.empty()) return EmptyKey();
    auto it = kv_.find(std::string(key));
    if (it == kv_.end()) {
      return base::Status(base::StatusCode::kNotFound,
                          "no value for key '" + std::string(key) + "'");
    }
    return it->second;
  }

  base::Status Put(std::string_view key, std::string_view value) override {
    if (key.empty()) return EmptyKey();
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    kv_[std::string(key)] = std::string(value);
    return base::OkStatus();
  }

  base::Status Delete(std::string_view key) override {
    if (key.empty()) return EmptyKey();
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    kv_.erase(std::string(key));
    return base::OkStatus();
  }

  base::Result<std::vector<std::pair<std::string, std::string>>> List(
      std::string_view prefix) override {
    std::vector<std::pair<std::string, std::string>> entries;
    for (auto it = kv_.lower_bound(std::string(prefix));
         it != kv_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix; ++it) {
      entries.emplace_back(it->first, it->second);
    }
    return entries;
  }

  base::Status Commit(const std::vector<Write>& writes) override {
    for (const Write& write : writes) {
      if (write.key.empty()) return EmptyKey();
    }
    if (writes.empty()) return base::OkStatus();
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    for (const Write& write : writes) {
      if (write.value) {
        kv_[write.key] = *write.value;
      } else {
        kv_.erase(write.key);
      }
    }
    return base::OkStatus();
  }

  // MessageLog
  base::Result<Seq> Append(std::string_view data) override {
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    const Seq seq = ++last_seq_;
    log_.emplace(seq, std::string(data));
    return seq;
  }

  base::Result<std::vector<Record>> ReadAll() override {
    std::vector<Record> records;
    records.reserve(log_.size());
    for (const auto& [seq, data] : log_) records.push_back(Record{seq, data});
    return records;
  }

  base::Status Update(Seq seq, std::string_view data) override {
    auto it = log_.find(seq);
    if (it == log_.end()) return NoRecord(seq);
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    it->second = std::string(data);
    return base::OkStatus();
  }

  base::Status Remove(Seq seq) override {
    auto it = log_.find(seq);
    if (it == log_.end()) return NoRecord(seq);
    if (base::Status failure = ConsumeWriteFailure(); !failure.ok()) return failure;
    log_.erase(it);
    return base::OkStatus();
  }

  base::Result<std::uint64_t> Count() override { return static_cast<std::uint64_t>(log_.size()); }

  base::Result<std::uint64_t> SizeBytes() override {
    std::uint64_t bytes = 0;
    for (const auto& entry : log_) bytes += entry.second.size();
    return bytes;
  }

  // Test controls.

  // After `after` more successful writes, the next `count` writes (Put,
  // Delete, Commit, Append, Update, Remove) fail with kUnavailable and change
  // nothing.
  void FailNextWrites(int count, int after = 0) {
    failing_writes_ = count;
    writes_before_failing_ = after;
  }
  // Number of writes that succeeded so far.
  int successful_writes() const { return successful_writes_; }
  // Direct access for tests that plant or inspect raw records.
  std::map<Seq, std::string>& raw_log() { return log_; }
  std::map<std::string, std::string>& raw_kv() { return kv_; }

 private:
  static base::Status EmptyKey() {
    return base::Status(base::StatusCode::kInvalidArgument, "empty storage key");
  }
  static base::Status NoRecord(Seq seq) {
    return base::Status(base::StatusCode::kNotFound, "no log record " + std::to_string(seq));
  }

  base::Status ConsumeWriteFailure() {
    if (writes_before_failing_ > 0) {
      --writes_before_failing_;
    } else if (failing_writes_ > 0) {
      --failing_writes_;
      return base::Status(base::StatusCode::kUnavailable, "injected write failure");
    }
    ++successful_writes_;
    return base::OkStatus();
  }

  std::map<std::string, std::string> kv_;
  std::map<Seq, std::string> log_;
  Seq last_seq_ = 0;
  int failing_writes_ = 0;
  int writes_before_failing_ = 0;
  int successful_writes_ = 0;
};

}  // namespace ocpp::hal::testing
