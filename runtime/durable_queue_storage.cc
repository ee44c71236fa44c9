// TransactionMessageQueue: making room (the soft limits, a full storage),
// the storage reserve, and the messages held in memory while the storage
// refuses writes (see "Storage faults" in durable_queue.h).
#include <algorithm>
#include <map>
#include <utility>

#include "runtime/durable_queue.h"
#include "runtime/durable_queue_internal.h"

namespace ocpp::runtime {

using base::Result;
using base::Status;
using base::StatusCode;
using queue_internal::Describe;
using queue_internal::EncodeRecord;

std::optional<std::size_t> TransactionMessageQueue::PickVictim(const TransactionMessage& incoming,
                                                               bool intermediate_only) const {
  // Index 0 is never a candidate: it may be on the wire right now.
  std::optional<std::size_t> any_meter;
  // First and last queued MeterValues per local transaction (the incoming
  // MeterValues, if any, is the last of its transaction).
  std::map<std::int64_t, std::pair<std::size_t, std::size_t>> bounds;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const TransactionMessage& message = entries_[i].message;
    if (message.kind != TransactionMessageKind::kMeterValues) continue;
    auto [it, inserted] = bounds.try_emplace(message.local_transaction_id, i, i);
    if (!inserted) it->second.second = i;
    if (i > 0 && !any_meter) any_meter = i;
  }
  const std::size_t incoming_index = entries_.size();
  if (incoming.kind == TransactionMessageKind::kMeterValues) {
    auto [it, inserted] =
        bounds.try_emplace(incoming.local_transaction_id, incoming_index, incoming_index);
    if (!inserted) it->second.second = incoming_index;
  }
  for (std::size_t i = 1; i < entries_.size(); ++i) {
    const TransactionMessage& message = entries_[i].message;
    if (message.kind != TransactionMessageKind::kMeterValues) continue;
    const auto& [first, last] = bounds[message.local_transaction_id];
    if (i != first && i != last) return i;  // oldest intermediate
  }
  if (intermediate_only) return std::nullopt;
  return any_meter;  // oldest first/last one, if nothing else is left
}

void TransactionMessageQueue::MakeRoom(std::uint64_t bytes, const TransactionMessage& incoming) {
  const Limits& limits = options_.limits;
  while (entries_.size() + 1 > limits.soft_max_entries || bytes_ + bytes > limits.soft_max_bytes) {
    std::optional<std::size_t> victim = PickVictim(incoming);
    if (!victim) return;
    const std::string what = Describe(entries_[*victim].message);
    Status status = RemoveEntry(*victim);
    if (!status.ok()) {
      Log(LogLevel::kError, "could not drop " + what + " to make room: " + status.ToString());
      return;
    }
    ++dropped_meter_values_;
    Log(LogLevel::kWarning, "queue full: dropped " + what);
  }
}

Status TransactionMessageQueue::RemoveEntry(std::size_t index) {
  Entry& entry = entries_[index];
  if (entry.record_seq != 0) {
    Status status = log_.Remove(entry.record_seq);
    if (!status.ok()) return status;
  }
  bytes_ -= entry.record_bytes;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
  return base::OkStatus();
}

std::string TransactionMessageQueue::ReserveKey() const { return options_.key_prefix + "reserve"; }

hal::MessageLog::Seq TransactionMessageQueue::NextSeq(hal::MessageLog::Seq record_seq) {
  last_seq_ = std::max(record_seq, last_seq_ + 1);
  return last_seq_;
}

std::size_t TransactionMessageQueue::unpersisted_messages() const {
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [](const Entry& entry) { return entry.record_seq == 0; }));
}

void TransactionMessageQueue::UpdateDegraded() {
  const bool degraded = unpersisted_messages() > 0 ||
                        (options_.storage_reserve_bytes > 0 && !reserve_held_ && !reserve_pending_);
  if (degraded == degraded_) return;
  degraded_ = degraded;
  if (degraded) {
    Log(LogLevel::kError, "storage degraded: " + std::to_string(unpersisted_messages()) +
                              " message(s) only in memory, reserve " +
                              (reserve_held_ ? "kept" : "used up"));
  } else {
    Log(LogLevel::kWarning, "storage recovered: every queued message is persisted");
  }
  if (options_.on_storage_degraded) options_.on_storage_degraded(degraded);
}

void TransactionMessageQueue::ReleaseReserve(const std::string& why) {
  if (kv_.Delete(ReserveKey()).ok()) {
    reserve_held_ = false;
    Log(LogLevel::kError, "storage full: released the storage reserve for " + why);
  }
}

Status TransactionMessageQueue::WriteWithReserve(const std::function<Status()>& write) {
  Status status = write();
  if (status.code() == StatusCode::kResourceExhausted && reserve_held_) {
    ReleaseReserve("a transaction id");
    status = write();
  }
  UpdateDegraded();
  return status;
}

Result<hal::MessageLog::Seq> TransactionMessageQueue::AppendMakingRoom(
    const std::string& record, const TransactionMessage& message) {
  const bool meter = message.kind == TransactionMessageKind::kMeterValues;
  Result<hal::MessageLog::Seq> seq = log_.Append(record);
  while (!seq.ok() && seq.status().code() == StatusCode::kResourceExhausted) {
    // MeterValues go first: for a MeterValues only older intermediate ones,
    // for a StartTransaction/StopTransaction any but the front one.
    std::optional<std::size_t> victim = PickVictim(message, /*intermediate_only=*/meter);
    if (victim && entries_[*victim].record_seq != 0) {
      const std::string what = Describe(entries_[*victim].message);
      if (!RemoveEntry(*victim).ok()) break;
      ++dropped_meter_values_;
      Log(LogLevel::kError, "storage full: dropped " + what + " to store " + message.action);
    } else if (!meter && reserve_held_) {
      ReleaseReserve(message.action);
      if (reserve_held_) break;
    } else {
      break;
    }
    seq = log_.Append(record);
  }
  return seq;
}

Status TransactionMessageQueue::PersistPending() {
  for (auto it = unpersisted_bindings_.begin(); it != unpersisted_bindings_.end();) {
    auto binding = bindings_.find(*it);
    if (binding != bindings_.end()) {
      Status status = kv_.Put(BindingKey(*it), std::to_string(binding->second));
      if (!status.ok()) {
        UpdateDegraded();
        return status;
      }
    }
    it = unpersisted_bindings_.erase(it);
  }
  for (Entry& entry : entries_) {
    if (entry.record_seq != 0) continue;
    const std::string record = EncodeRecord(entry.message);
    Result<hal::MessageLog::Seq> seq = AppendMakingRoom(record, entry.message);
    if (!seq.ok()) {
      UpdateDegraded();
      return seq.status();
    }
    entry.record_seq = *seq;
    bytes_ = bytes_ - entry.record_bytes + record.size();
    entry.record_bytes = record.size();
    Log(LogLevel::kWarning, "persisted " + Describe(entry.message) + " held in memory");
  }
  if (options_.storage_reserve_bytes > 0 && !reserve_held_) {
    reserve_held_ = kv_.Put(ReserveKey(), std::string(options_.storage_reserve_bytes, '\0')).ok();
    reserve_pending_ = false;
  }
  UpdateDegraded();
  return base::OkStatus();
}

Status TransactionMessageQueue::RetryPersist() { return PersistPending(); }

}  // namespace ocpp::runtime
