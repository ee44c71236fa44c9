#include "runtime/durable_queue.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

#include "runtime/durable_queue_internal.h"

namespace ocpp::runtime {
namespace {

using base::Result;
using base::Status;
using base::StatusCode;
using queue_internal::CarriesTransactionId;
using queue_internal::DecodeRecord;
using queue_internal::Describe;
using queue_internal::EncodeRecord;
using queue_internal::ParseInt64;
using queue_internal::PayloadTransactionId;
using queue_internal::ValidateObject;
using queue_internal::WithTransactionId;

}  // namespace

const char* ActionName(TransactionMessageKind kind) {
  switch (kind) {
    case TransactionMessageKind::kStart:
      return "StartTransaction";
    case TransactionMessageKind::kStop:
      return "StopTransaction";
    case TransactionMessageKind::kMeterValues:
      return "MeterValues";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// TransactionMessageRetryPolicy

TransactionMessageRetryPolicy::TransactionMessageRetryPolicy(
    int transaction_message_attempts, std::chrono::seconds transaction_message_retry_interval)
    : max_attempts_(std::max(1, transaction_message_attempts)),
      retry_interval_(std::max(std::chrono::seconds(0), transaction_message_retry_interval)) {}

RetryDecision TransactionMessageRetryPolicy::Decide(DeliveryFailure failure,
                                                    int attempts_before) const {
  RetryDecision decision;
  attempts_before = std::max(0, attempts_before);
  switch (failure) {
    case DeliveryFailure::kCallError: {
      const int attempts = attempts_before + 1;
      decision.attempt_consumed = true;
      decision.attempts = attempts;
      if (attempts >= max_attempts_) {
        decision.action = RetryDecision::Action::kDiscard;
      } else {
        decision.action = RetryDecision::Action::kResend;
        // "wait ... TransactionMessageRetryInterval, multiplied by the number
        // of preceding transmissions of this same message" (§3.7.1).
        decision.delay = std::chrono::duration_cast<base::Milliseconds>(retry_interval_ * attempts);
      }
      break;
    }
    case DeliveryFailure::kTimeout:
      decision.action = RetryDecision::Action::kResend;
      decision.delay = std::chrono::duration_cast<base::Milliseconds>(retry_interval_);
      decision.attempts = attempts_before;
      break;
    case DeliveryFailure::kConnectionLost:
      decision.action = RetryDecision::Action::kResend;
      decision.attempts = attempts_before;
      break;
  }
  return decision;
}

// ---------------------------------------------------------------------------
// TransactionMessageQueue

TransactionMessageQueue::TransactionMessageQueue(hal::MessageLog& log, hal::KeyValueStore& kv,
                                                 Options options)
    : log_(log), kv_(kv), options_(std::move(options)) {}

Result<std::unique_ptr<TransactionMessageQueue>> TransactionMessageQueue::Open(
    hal::MessageLog& log, hal::KeyValueStore& kv, Options options) {
  const Limits& limits = options.limits;
  if (limits.soft_max_entries == 0 || limits.soft_max_bytes == 0 ||
      limits.hard_max_entries < limits.soft_max_entries ||
      limits.hard_max_bytes < limits.soft_max_bytes || limits.max_message_bytes == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "queue limits must be positive and hard limits at least the soft ones");
  }
  if (options.key_prefix.empty()) {
    return Status(StatusCode::kInvalidArgument, "queue key prefix must not be empty");
  }
  std::unique_ptr<TransactionMessageQueue> queue(
      new TransactionMessageQueue(log, kv, std::move(options)));
  Status status = queue->Load();
  if (!status.ok()) return status;
  return queue;
}

std::string TransactionMessageQueue::BindingKey(std::int64_t local_transaction_id) const {
  // Zero-padded so that List() returns bindings in local id order.
  char digits[24];
  std::snprintf(digits, sizeof(digits), "%020" PRId64, local_transaction_id);
  return options_.key_prefix + "binding/" + digits;
}

std::string TransactionMessageQueue::CounterKey() const {
  return options_.key_prefix + "next_local_id";
}

void TransactionMessageQueue::Log(LogLevel level, const std::string& line) const {
  if (options_.log) {
    options_.log(level, line);
    return;
  }
  const char* tag = level == LogLevel::kError     ? "error"
                    : level == LogLevel::kWarning ? "warning"
                                                  : "info";
  std::fprintf(stderr, "txqueue: %s: %s\n", tag, line.c_str());
}

Status TransactionMessageQueue::Load() {
  Status status = LoadBindings();
  if (!status.ok()) return status;

  Result<std::string> counter = kv_.Get(CounterKey());
  if (counter.ok()) {
    Result<std::int64_t> value = ParseInt64(*counter);
    if (!value.ok() || *value < 1) {
      return Status(StatusCode::kDataLoss,
                    "queue: invalid " + CounterKey() + " '" + *counter + "'");
    }
    next_local_id_ = *value;
  } else if (counter.status().code() != StatusCode::kNotFound) {
    return counter.status();
  }

  Result<std::vector<hal::MessageLog::Record>> records = log_.ReadAll();
  if (!records.ok()) return records.status();
  for (const hal::MessageLog::Record& record : *records) {
    Result<TransactionMessage> message = DecodeRecord(record);
    if (!message.ok()) {
      // Cannot be sent, but keep the bytes for a post-mortem.
      const std::string key = options_.key_prefix + "quarantine/" + std::to_string(record.seq);
      Status moved = kv_.Put(key, record.data);
      if (moved.ok()) moved = log_.Remove(record.seq);
      Log(LogLevel::kError,
          message.status().message() +
              (moved.ok() ? "; moved to " + key : "; left in the log: " + moved.ToString()));
      continue;
    }
    next_local_id_ = std::max(next_local_id_, message->local_transaction_id + 1);
    last_seq_ = std::max(last_seq_, record.seq);
    entries_.push_back(Entry{std::move(message).value(), record.data.size(), record.seq});
    bytes_ += record.data.size();
  }
  for (const auto& binding : bindings_) {
    next_local_id_ = std::max(next_local_id_, binding.first + 1);
  }
  status = RepairPayloads();
  if (!status.ok()) return status;
  PruneIdleBindings();
  if (options_.storage_reserve_bytes > 0) {
    Result<std::string> reserve = kv_.Get(ReserveKey());
    reserve_held_ = reserve.ok() && reserve->size() >= options_.storage_reserve_bytes;
    if (options_.write_reserve_at_open) {
      // A full disk must not keep the station from starting: degraded instead.
      PersistPending().IgnoreError();
    } else {
      reserve_pending_ = !reserve_held_;
    }
  }
  return base::OkStatus();
}

Status TransactionMessageQueue::LoadBindings() {
  const std::string prefix = options_.key_prefix + "binding/";
  auto listed = kv_.List(prefix);
  if (!listed.ok()) return listed.status();
  for (const auto& [key, value] : *listed) {
    Result<std::int64_t> local = ParseInt64(key.substr(prefix.size()));
    Result<std::int64_t> csms = ParseInt64(value);
    if (!local.ok() || !csms.ok() || *local <= 0) {
      return Status(StatusCode::kDataLoss, "queue: invalid binding " + key + " = '" + value + "'");
    }
    bindings_[*local] = *csms;
  }
  return base::OkStatus();
}

// A crash in the middle of BindTransactionId leaves the binding stored but
// some payloads not yet rewritten: finish the job. A message whose
// transaction is unbound and has no StartTransaction ahead of it (its Start
// was removed by something other than this queue) gets -1, like one whose
// Start was discarded.
Status TransactionMessageQueue::RepairPayloads() {
  std::set<std::int64_t> starts_seen;
  for (Entry& entry : entries_) {
    TransactionMessage& message = entry.message;
    if (message.kind == TransactionMessageKind::kStart) {
      starts_seen.insert(message.local_transaction_id);
    }
    if (!CarriesTransactionId(message)) continue;
    auto binding = bindings_.find(message.local_transaction_id);
    if (binding == bindings_.end()) {
      if (starts_seen.count(message.local_transaction_id) != 0) continue;
      Status status = BindUnknown(message.local_transaction_id,
                                  Describe(message) + " has no StartTransaction ahead of it");
      if (!status.ok()) return status;
      binding = bindings_.find(message.local_transaction_id);
    }
    if (PayloadTransactionId(message.payload) == binding->second) continue;
    Result<std::string> payload = WithTransactionId(message.payload, binding->second);
    if (!payload.ok()) return payload.status();
    TransactionMessage updated = message;
    updated.payload = std::move(payload).value();
    const std::string record = EncodeRecord(updated);
    Status status = log_.Update(entry.record_seq, record);
    if (!status.ok()) return status;
    bytes_ = bytes_ - entry.record_bytes + record.size();
    entry.record_bytes = record.size();
    message = std::move(updated);
    Log(LogLevel::kInfo, "wrote transactionId " + std::to_string(binding->second) + " into " +
                             Describe(message) + " after a restart");
  }
  return base::OkStatus();
}

void TransactionMessageQueue::PruneIdleBindings() {
  std::set<std::int64_t> referenced;
  for (const Entry& entry : entries_) referenced.insert(entry.message.local_transaction_id);
  std::vector<std::int64_t> idle;  // oldest first
  for (const auto& binding : bindings_) {
    if (referenced.count(binding.first) == 0) idle.push_back(binding.first);
  }
  if (idle.size() <= options_.retained_idle_bindings) return;
  idle.resize(idle.size() - options_.retained_idle_bindings);  // keep the newest
  for (std::int64_t local : idle) {
    // On failure the binding stays; harmless, tried again at the next Open.
    if (kv_.Delete(BindingKey(local)).ok()) bindings_.erase(local);
  }
}

Result<std::int64_t> TransactionMessageQueue::AllocateLocalTransactionId() {
  const std::int64_t id = next_local_id_;
  // A session that starts must be able to stop: the reserve serves it too.
  Status status = WriteWithReserve([&] { return kv_.Put(CounterKey(), std::to_string(id + 1)); });
  if (!status.ok()) return status;
  next_local_id_ = id + 1;
  return id;
}

bool TransactionMessageQueue::HasQueuedStart(std::int64_t local_transaction_id) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    return entry.message.kind == TransactionMessageKind::kStart &&
           entry.message.local_transaction_id == local_transaction_id;
  });
}

Result<hal::MessageLog::Seq> TransactionMessageQueue::Enqueue(TransactionMessageKind kind,
                                                              std::string_view action,
                                                              std::string_view payload,
                                                              std::int64_t local_transaction_id) {
  if (action != ActionName(kind)) {
    return Status(StatusCode::kInvalidArgument,
                  "action '" + std::string(action) + "' does not match kind " + ActionName(kind));
  }
  if (local_transaction_id < 0 || local_transaction_id >= next_local_id_) {
    return Status(StatusCode::kInvalidArgument, "local transaction id " +
                                                    std::to_string(local_transaction_id) +
                                                    " was not allocated by this queue");
  }
  if (kind != TransactionMessageKind::kMeterValues && local_transaction_id == kNoTransaction) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(ActionName(kind)) + " needs a local transaction id");
  }
  if (kind == TransactionMessageKind::kStart) {
    const bool used = bindings_.count(local_transaction_id) != 0 ||
                      std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
                        return entry.message.local_transaction_id == local_transaction_id;
                      });
    if (used) {
      return Status(StatusCode::kFailedPrecondition,
                    "StartTransaction must be the first message of local transaction " +
                        std::to_string(local_transaction_id));
    }
  }

  bool bind_unknown = false;
  TransactionMessage message;
  message.kind = kind;
  message.action = std::string(action);
  message.local_transaction_id = local_transaction_id;
  if (CarriesTransactionId(message)) {
    auto binding = bindings_.find(local_transaction_id);
    // Unbound: -1 is a placeholder while the StartTransaction is queued ahead
    // (BindTransactionId replaces it before this message can reach the front).
    const std::int64_t id = binding != bindings_.end() ? binding->second : kUnknownTransactionId;
    Result<std::string> rewritten = WithTransactionId(payload, id);
    if (!rewritten.ok()) return rewritten.status();
    // No StartTransaction will ever bind it (a caller error).
    bind_unknown = binding == bindings_.end() && !HasQueuedStart(local_transaction_id);
    message.payload = std::move(rewritten).value();
  } else {
    Status valid = ValidateObject(payload);
    if (!valid.ok()) return valid;
    message.payload = std::string(payload);
  }

  const std::string record = EncodeRecord(message);
  const Limits& limits = options_.limits;
  if (record.size() > limits.max_message_bytes) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(action) + " of " + std::to_string(record.size()) +
                      " bytes exceeds the limit of " + std::to_string(limits.max_message_bytes));
  }

  MakeRoom(record.size(), message);
  const bool over_soft = entries_.size() + 1 > limits.soft_max_entries ||
                         bytes_ + record.size() > limits.soft_max_bytes;
  const bool over_hard = entries_.size() + 1 > limits.hard_max_entries ||
                         bytes_ + record.size() > limits.hard_max_bytes;
  if (over_soft && kind == TransactionMessageKind::kMeterValues) {
    ++dropped_meter_values_;
    Log(LogLevel::kWarning, "queue full (" + std::to_string(entries_.size()) + " messages, " +
                                std::to_string(bytes_) + " bytes): dropping new MeterValues");
    return Status(StatusCode::kResourceExhausted, "transaction message queue is full");
  }
  if (over_hard) {
    Log(LogLevel::kError, "queue at its hard limit (" + std::to_string(entries_.size()) +
                              " messages, " + std::to_string(bytes_) + " bytes): refusing " +
                              std::string(action));
    return Status(StatusCode::kResourceExhausted, "transaction message queue is at its hard limit");
  }

  if (bind_unknown) {
    const std::string why =
        std::string(action) + " enqueued without a binding or a queued StartTransaction";
    if (Status status = BindUnknown(local_transaction_id, why); !status.ok()) {
      // Not stored: Open binds it to -1 again (the same outcome).
      bindings_[local_transaction_id] = kUnknownTransactionId;
      Log(LogLevel::kError, "could not store the -1 binding of local transaction " +
                                std::to_string(local_transaction_id) + ": " + status.ToString());
    }
  }
  // Messages held in memory go first, so that the stored order stays the
  // queue order; while any remains, this one waits in memory behind it.
  PersistPending().IgnoreError();
  Entry entry{std::move(message), record.size(), 0};
  Status failure;
  if (unpersisted_messages() == 0) {
    Result<hal::MessageLog::Seq> appended = AppendMakingRoom(record, entry.message);
    if (appended.ok()) {
      entry.record_seq = *appended;
    } else {
      failure = appended.status();
    }
  } else {
    failure = Status(StatusCode::kResourceExhausted, "earlier messages are not persisted yet");
  }
  if (entry.record_seq == 0) {
    if (kind == TransactionMessageKind::kMeterValues) {
      ++dropped_meter_values_;
      Log(LogLevel::kError, "storage refused MeterValues (local transaction " +
                                std::to_string(local_transaction_id) +
                                "), dropped: " + failure.ToString());
      UpdateDegraded();
      return failure;
    }
    Log(LogLevel::kError, "storage refused " + std::string(action) + " (local transaction " +
                              std::to_string(local_transaction_id) +
                              "): kept in memory, sent in order and persisted when the storage "
                              "accepts writes again (lost if the station restarts first): " +
                              failure.ToString());
  }
  entry.message.seq = NextSeq(entry.record_seq);
  const hal::MessageLog::Seq seq = entry.message.seq;
  entries_.push_back(std::move(entry));
  bytes_ += record.size();
  UpdateDegraded();
  return seq;
}

std::optional<TransactionMessage> TransactionMessageQueue::Front() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.front().message;
}

Result<int> TransactionMessageQueue::MarkAttempt() {
  if (entries_.empty()) return Status(StatusCode::kFailedPrecondition, "queue is empty");
  Entry& front = entries_.front();
  TransactionMessage updated = front.message;
  ++updated.attempts;
  const std::string record = EncodeRecord(updated);
  if (front.record_seq != 0) {
    Status status = log_.Update(front.record_seq, record);
    if (!status.ok()) return status;
  }
  bytes_ = bytes_ - front.record_bytes + record.size();
  front.record_bytes = record.size();
  front.message = std::move(updated);
  return front.message.attempts;
}

void TransactionMessageQueue::ForgetBindingIfDone(std::int64_t local_transaction_id) {
  if (bindings_.count(local_transaction_id) == 0) return;
  for (const Entry& entry : entries_) {
    if (entry.message.local_transaction_id == local_transaction_id) return;
  }
  Status status = kv_.Delete(BindingKey(local_transaction_id));
  if (!status.ok()) {
    // Harmless: an idle binding, pruned at a later Open.
    Log(LogLevel::kWarning, "could not remove the binding of local transaction " +
                                std::to_string(local_transaction_id) + ": " + status.ToString());
    return;
  }
  bindings_.erase(local_transaction_id);
}

Status TransactionMessageQueue::BindUnknown(std::int64_t local_transaction_id,
                                            const std::string& why) {
  Status status = WriteWithReserve([&] {
    return kv_.Put(BindingKey(local_transaction_id), std::to_string(kUnknownTransactionId));
  });
  if (!status.ok()) return status;
  bindings_[local_transaction_id] = kUnknownTransactionId;
  Log(LogLevel::kWarning, "local transaction " + std::to_string(local_transaction_id) +
                              " gets transactionId -1 (errata v4 3.18): " + why);
  return base::OkStatus();
}

Status TransactionMessageQueue::PopFront() {
  if (entries_.empty()) return Status(StatusCode::kFailedPrecondition, "queue is empty");
  const TransactionMessage front = entries_.front().message;
  if (front.kind == TransactionMessageKind::kStart &&
      bindings_.count(front.local_transaction_id) == 0) {
    // Stored before the removal: a crash in between resends the Start.
    Status status = BindUnknown(front.local_transaction_id,
                                Describe(front) + " acknowledged without a transactionId");
    if (!status.ok()) return status;
  }
  Status status = RemoveEntry(0);
  if (!status.ok()) return status;
  if (front.kind == TransactionMessageKind::kStop) ForgetBindingIfDone(front.local_transaction_id);
  // The removal may have freed the space messages held in memory need.
  PersistPending().IgnoreError();
  return base::OkStatus();
}

Result<RetryDecision> TransactionMessageQueue::HandleFailure(
    DeliveryFailure failure, const TransactionMessageRetryPolicy& policy) {
  if (entries_.empty()) return Status(StatusCode::kFailedPrecondition, "queue is empty");
  const TransactionMessage front = entries_.front().message;
  RetryDecision decision = policy.Decide(failure, front.attempts);
  if (decision.action == RetryDecision::Action::kDiscard) {
    // The attempt count is not stored first: a crash before the removal
    // costs at most one extra transmission.
    const std::string what = Describe(front) + " after " + std::to_string(decision.attempts) +
                             " failures to process (TransactionMessageAttempts " +
                             std::to_string(policy.max_attempts()) + ")";
    if (front.kind == TransactionMessageKind::kStart &&
        bindings_.count(front.local_transaction_id) == 0) {
      // Stored before the removal: a crash in between resends the Start.
      Status status = BindUnknown(front.local_transaction_id, "discarded " + what);
      if (!status.ok()) return status;
    }
    Status status = RemoveEntry(0);
    if (!status.ok()) return status;
    Log(LogLevel::kError, "discarded " + what);
    if (front.kind == TransactionMessageKind::kStop) {
      ForgetBindingIfDone(front.local_transaction_id);
    }
    PersistPending().IgnoreError();
    return decision;
  }
  if (decision.attempt_consumed) {
    Result<int> attempts = MarkAttempt();
    if (!attempts.ok()) return attempts.status();
  }
  return decision;
}

Status TransactionMessageQueue::BindTransactionId(std::int64_t local_transaction_id,
                                                  std::int64_t csms_transaction_id) {
  if (local_transaction_id <= 0 || local_transaction_id >= next_local_id_) {
    return Status(StatusCode::kInvalidArgument, "local transaction id " +
                                                    std::to_string(local_transaction_id) +
                                                    " was not allocated by this queue");
  }
  auto existing = bindings_.find(local_transaction_id);
  if (existing != bindings_.end() && existing->second != csms_transaction_id) {
    Log(LogLevel::kWarning, "local transaction " + std::to_string(local_transaction_id) +
                                " rebound from transactionId " + std::to_string(existing->second) +
                                " to " + std::to_string(csms_transaction_id));
  }
  Status status = WriteWithReserve([&] {
    return kv_.Put(BindingKey(local_transaction_id), std::to_string(csms_transaction_id));
  });
  if (status.code() == StatusCode::kResourceExhausted) {
    // Refusing it would make the sender resend the StartTransaction, and
    // the CSMS open a second transaction: hold it in memory, store it later.
    unpersisted_bindings_.insert(local_transaction_id);
    Log(LogLevel::kError, "storage full: the transactionId binding of local transaction " +
                              std::to_string(local_transaction_id) +
                              " is kept in memory (a restart before it is stored sends its "
                              "messages with -1)");
  } else if (!status.ok()) {
    return status;
  } else {
    unpersisted_bindings_.erase(local_transaction_id);
  }
  bindings_[local_transaction_id] = csms_transaction_id;
  UpdateDegraded();

  Status first_error;
  for (Entry& entry : entries_) {
    TransactionMessage& message = entry.message;
    if (!CarriesTransactionId(message) || message.local_transaction_id != local_transaction_id) {
      continue;
    }
    Result<std::string> payload = WithTransactionId(message.payload, csms_transaction_id);
    if (!payload.ok()) {
      // Cannot happen: payloads were validated by Enqueue.
      if (first_error.ok()) first_error = payload.status();
      continue;
    }
    message.payload = std::move(payload).value();
    const std::string record = EncodeRecord(message);
    bytes_ = bytes_ - entry.record_bytes + record.size();
    entry.record_bytes = record.size();
    // Memory carries the new id even if this write fails: the stored binding
    // makes Open() produce the same payload.
    if (entry.record_seq == 0) continue;  // stored with the new id later
    Status updated = log_.Update(entry.record_seq, record);
    if (!updated.ok() && first_error.ok()) first_error = updated;
  }
  return first_error;
}

std::optional<std::int64_t> TransactionMessageQueue::BoundTransactionId(
    std::int64_t local_transaction_id) const {
  auto it = bindings_.find(local_transaction_id);
  if (it == bindings_.end()) return std::nullopt;
  return it->second;
}

std::vector<TransactionMessage> TransactionMessageQueue::Messages() const {
  std::vector<TransactionMessage> messages;
  messages.reserve(entries_.size());
  for (const Entry& entry : entries_) messages.push_back(entry.message);
  return messages;
}

}  // namespace ocpp::runtime
