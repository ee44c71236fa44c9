// A plain in-memory KeyValueStore + MessageLog for the station benchmarks,
// so figures are not dominated by the disk (the measured request handlers
// do not touch storage; the transaction cycle between measurements does).
// Same semantics as hal/testing's InMemoryStorage, minus failure injection.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "hal/storage.h"

namespace ocpp::bench {

class MemoryStorage final : public hal::KeyValueStore, public hal::MessageLog {
 public:
  base::Result<std::string> Get(std::string_view key) override {
    auto it = kv_.find(std::string(key));
    if (it == kv_.end()) {
      return base::Status(base::StatusCode::kNotFound, "no value for key '" + std::string(key) + "'");
    }
    return it->second;
  }
  base::Status Put(std::string_view key, std::string_view value) override {
    if (key.empty()) return EmptyKey();
    kv_[std::string(key)] = std::string(value);
    return base::OkStatus();
  }
  base::Status Delete(std::string_view key) override {
    if (key.empty()) return EmptyKey();
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
    for (const Write& write : writes) {
      if (write.value) {
        kv_[write.key] = *write.value;
      } else {
        kv_.erase(write.key);
      }
    }
    return base::OkStatus();
  }

  base::Result<Seq> Append(std::string_view data) override {
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
    it->second = std::string(data);
    return base::OkStatus();
  }
  base::Status Remove(Seq seq) override {
    if (log_.erase(seq) == 0) return NoRecord(seq);
    return base::OkStatus();
  }
  base::Result<std::uint64_t> Count() override { return static_cast<std::uint64_t>(log_.size()); }
  base::Result<std::uint64_t> SizeBytes() override {
    std::uint64_t bytes = 0;
    for (const auto& entry : log_) bytes += entry.second.size();
    return bytes;
  }

 private:
  static base::Status EmptyKey() {
    return base::Status(base::StatusCode::kInvalidArgument, "empty storage key");
  }
  static base::Status NoRecord(Seq seq) {
    return base::Status(base::StatusCode::kNotFound, "no log record " + std::to_string(seq));
  }

  std::map<std::string, std::string> kv_;
  std::map<Seq, std::string> log_;
  Seq last_seq_ = 0;
};

}  // namespace ocpp::bench
