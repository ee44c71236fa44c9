#include "runtime/durable_queue.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace ocpp::runtime {
namespace {

using base::Result;
using base::Status;
using base::StatusCode;

// Version of the record format below.
constexpr int kRecordVersion = 1;

constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag;

const char* KindTag(TransactionMessageKind kind) {
  switch (kind) {
    case TransactionMessageKind::kStart:
      return "start";
    case TransactionMessageKind::kStop:
      return "stop";
    case TransactionMessageKind::kMeterValues:
      return "meter";
  }
  return "?";
}

std::optional<TransactionMessageKind> KindFromTag(std::string_view tag) {
  for (TransactionMessageKind kind : {TransactionMessageKind::kStart, TransactionMessageKind::kStop,
                                      TransactionMessageKind::kMeterValues}) {
    if (tag == KindTag(kind)) return kind;
  }
  return std::nullopt;
}

// Whether the queue owns the message's "transactionId" property.
bool CarriesTransactionId(const TransactionMessage& message) {
  return message.kind != TransactionMessageKind::kStart &&
         message.local_transaction_id != kNoTransaction;
}

// One stored record: {"v":1,"kind":"stop","action":"StopTransaction",
// "tx":3,"attempts":0,"payload":"{...}"}. The payload is kept as text so it
// is sent byte for byte as stored.
std::string EncodeRecord(const TransactionMessage& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("v");
  writer.Int(kRecordVersion);
  writer.Key("kind");
  writer.String(KindTag(message.kind));
  writer.Key("action");
  writer.String(message.action.data(), static_cast<rapidjson::SizeType>(message.action.size()));
  writer.Key("tx");
  writer.Int64(message.local_transaction_id);
  writer.Key("attempts");
  writer.Int(message.attempts);
  writer.Key("payload");
  writer.String(message.payload.data(), static_cast<rapidjson::SizeType>(message.payload.size()));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<TransactionMessage> DecodeRecord(const hal::MessageLog::Record& record) {
  auto bad = [&record](const std::string& why) {
    return Status(StatusCode::kDataLoss,
                  "queue record " + std::to_string(record.seq) + " is invalid: " + why);
  };
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(record.data.data(), record.data.size());
  if (doc.HasParseError()) return bad(rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) return bad("not an object");
  auto member = [&doc](const char* name) -> const rapidjson::Value* {
    auto it = doc.FindMember(name);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  const rapidjson::Value* version = member("v");
  if (version == nullptr || !version->IsInt() || version->GetInt() != kRecordVersion) {
    return bad("unknown record version");
  }
  const rapidjson::Value* kind = member("kind");
  const rapidjson::Value* action = member("action");
  const rapidjson::Value* tx = member("tx");
  const rapidjson::Value* attempts = member("attempts");
  const rapidjson::Value* payload = member("payload");
  if (kind == nullptr || !kind->IsString() || action == nullptr || !action->IsString() ||
      tx == nullptr || !tx->IsInt64() || attempts == nullptr || !attempts->IsInt() ||
      payload == nullptr || !payload->IsString()) {
    return bad("missing or mistyped field");
  }
  std::optional<TransactionMessageKind> parsed_kind =
      KindFromTag(std::string_view(kind->GetString(), kind->GetStringLength()));
  if (!parsed_kind) return bad("unknown kind");
  TransactionMessage message;
  message.seq = record.seq;
  message.kind = *parsed_kind;
  message.action.assign(action->GetString(), action->GetStringLength());
  message.local_transaction_id = tx->GetInt64();
  message.attempts = attempts->GetInt();
  message.payload.assign(payload->GetString(), payload->GetStringLength());
  if (message.action != ActionName(message.kind) || message.local_transaction_id < 0 ||
      message.attempts < 0) {
    return bad("inconsistent fields");
  }
  return message;
}

// Reads the payload's "transactionId" if it is an integer.
std::optional<std::int64_t> PayloadTransactionId(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto it = doc.FindMember("transactionId");
  if (it == doc.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

// `payload` with its "transactionId" property set to `id` (added at the end
// when missing; duplicates removed). Everything else keeps its order.
Result<std::string> WithTransactionId(std::string_view payload, std::int64_t id) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("payload is not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) {
    return Status(StatusCode::kInvalidArgument, "payload is not a JSON object");
  }
  bool found = false;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd();) {
    if (it->name == "transactionId") {
      if (found) {
        it = doc.EraseMember(it);
        continue;
      }
      it->value.SetInt64(id);
      found = true;
    }
    ++it;
  }
  if (!found) doc.AddMember("transactionId", rapidjson::Value(id), doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status ValidateObject(std::string_view payload) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("payload is not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status(StatusCode::kInvalidArgument, "payload is not a JSON object");
  return base::OkStatus();
}

std::string Describe(const TransactionMessage& message) {
  std::string text = message.action + " #" + std::to_string(message.seq);
  if (message.local_transaction_id != kNoTransaction) {
    text += " (local transaction " + std::to_string(message.local_transaction_id) + ")";
  }
  return text;
}

Result<std::int64_t> ParseInt64(const std::string& text) {
  if (text.empty()) return Status(StatusCode::kDataLoss, "empty number");
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0') {
    return Status(StatusCode::kDataLoss, "not a number: '" + text + "'");
  }
  return static_cast<std::int64_t>(value);
}

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
    entries_.push_back(Entry{std::move(message).value(), record.data.size()});
    bytes_ += record.data.size();
  }
  for (const auto& binding : bindings_) {
    next_local_id_ = std::max(next_local_id_, binding.first + 1);
  }
  status = RepairPayloads();
  if (!status.ok()) return status;
  PruneIdleBindings();
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
    Status status = log_.Update(message.seq, record);
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
  Status status = kv_.Put(CounterKey(), std::to_string(id + 1));
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
    Status status = BindUnknown(
        local_transaction_id,
        std::string(action) + " enqueued without a binding or a queued StartTransaction");
    if (!status.ok()) return status;
  }
  Result<hal::MessageLog::Seq> seq = log_.Append(record);
  if (!seq.ok()) return seq.status();
  message.seq = *seq;
  entries_.push_back(Entry{std::move(message), record.size()});
  bytes_ += record.size();
  return *seq;
}

std::optional<std::size_t> TransactionMessageQueue::PickVictim(
    const TransactionMessage& incoming) const {
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
  Status status = log_.Remove(entry.message.seq);
  if (!status.ok()) return status;
  bytes_ -= entry.record_bytes;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
  return base::OkStatus();
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
  Status status = log_.Update(updated.seq, record);
  if (!status.ok()) return status;
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
  Status status = kv_.Put(BindingKey(local_transaction_id), std::to_string(kUnknownTransactionId));
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
  Status status = kv_.Put(BindingKey(local_transaction_id), std::to_string(csms_transaction_id));
  if (!status.ok()) return status;
  bindings_[local_transaction_id] = csms_transaction_id;

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
    Status updated = log_.Update(message.seq, record);
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
