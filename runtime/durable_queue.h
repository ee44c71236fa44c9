// The durable queue of transaction-related messages (OCPP 1.6 ed. 2 §3.7:
// StartTransaction.req, StopTransaction.req and transaction MeterValues.req).
//
// Every transaction-related message goes through this queue, online or not:
// the station enqueues it (durable before Enqueue returns, so before it can
// be on the wire), the sender transmits Front() when connected and the
// previous CALL is answered, and removes it with PopFront() only after the
// CALLRESULT. Delivery is at-least-once and strictly in enqueue order (§3.7
// "chronological order", "new transaction-related messages SHALL wait until
// the queue has been emptied"). A process kill at any point leaves the
// queue exactly as last persisted: order, attempt counts, transaction id
// bindings and the local transaction id counter (checked by
// //runtime:durable_queue_crash_test). A power cut does too as far as the
// storage backend keeps its contract (hal/storage.h: a write that returned is
// on stable storage).
//
// Transaction ids. A transaction gets a station-local id from
// AllocateLocalTransactionId() (1, 2, 3, ...; persisted, never reused). The
// station enqueues its StartTransaction and every StopTransaction/MeterValues
// with that local id. For those, the queue owns the payload's "transactionId"
// property: it holds the CSMS transactionId once BindTransactionId() recorded
// it (call it when StartTransaction.conf arrives, before PopFront()), and a
// -1 placeholder until then. Front() never returns a message of an unbound
// transaction: the queue is FIFO and a StartTransaction must be the first
// message of its transaction, so while it is unbound its messages are behind
// its StartTransaction. When the StartTransaction leaves the queue without a
// CSMS id (discarded after repeated CALLERRORs, or acknowledged without
// BindTransactionId), the queue binds the transaction to -1, as errata v4.0
// §3.18 requires: "the Charge Point SHALL send any Transaction related
// messages for this transaction to the Central System with a transactionId =
// -1". A local id of 0 (kNoTransaction) means "not tied to a local
// transaction": the payload is sent as given.
//
// Retries (§3.7.1, §9.1.31-32): see TransactionMessageRetryPolicy below and
// HandleFailure().
//
// Bounded storage: see Limits. Full storage (a full disk, a size bound): see
// "Storage faults" at Options. Not thread-safe; use it from the event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "hal/storage.h"

namespace ocpp::runtime {

enum class TransactionMessageKind {
  kStart,        // "StartTransaction"
  kStop,         // "StopTransaction"
  kMeterValues,  // "MeterValues"
};

// The OCPP action name of `kind`.
const char* ActionName(TransactionMessageKind kind);

// A local transaction id of 0: the message belongs to no local transaction.
inline constexpr std::int64_t kNoTransaction = 0;
// The transactionId sent when the CSMS never delivered one (errata v4 §3.18).
inline constexpr std::int64_t kUnknownTransactionId = -1;

struct TransactionMessage {
  hal::MessageLog::Seq seq = 0;  // position in the queue; unique, increasing
  TransactionMessageKind kind = TransactionMessageKind::kMeterValues;
  std::string action;   // "StartTransaction", "StopTransaction" or "MeterValues"
  std::string payload;  // the CALL payload, JSON object text, ready to send
  std::int64_t local_transaction_id = kNoTransaction;
  // Failures to process (CALLERROR) reported for this message so far.
  int attempts = 0;
};

// How a transmission of a transaction-related message failed.
enum class DeliveryFailure {
  // The CSMS answered with a CALLERROR: a "failure to process the message"
  // (OCPP-J errata §3.2). Consumes one of TransactionMessageAttempts.
  kCallError,
  // No answer within the message timeout. Not a failure to process (§4.7,
  // §4.8, §4.10: failing to respond "will only cause the Charge Point to try
  // the same message again"); does not consume an attempt.
  kTimeout,
  // Not connected, or the connection dropped while waiting. Does not consume
  // an attempt (§3.7: offline the CP MUST queue the message).
  kConnectionLost,
};

struct RetryDecision {
  enum class Action {
    kResend,   // send the same message again after `delay`
    kDiscard,  // give up on it and continue with the next message
  };
  Action action = Action::kResend;
  base::Milliseconds delay{0};
  // Whether the failure counted against TransactionMessageAttempts.
  bool attempt_consumed = false;
  // Failures to process counted for the message, including this one.
  int attempts = 0;

  friend bool operator==(const RetryDecision& a, const RetryDecision& b) {
    return a.action == b.action && a.delay == b.delay && a.attempt_consumed == b.attempt_consumed &&
           a.attempts == b.attempts;
  }
};

// The retry rule of §3.7.1 as a pure function of the two configuration keys.
//
//  * After the n-th CALLERROR for a message (n < TransactionMessageAttempts),
//    resend it after TransactionMessageRetryInterval x n seconds ("multiplied
//    by the number of preceding transmissions"). Spec example, 3 and 60 s:
//    send, CALLERROR, wait 60 s, resend, CALLERROR, wait 120 s, resend,
//    CALLERROR, discard.
//  * After the TransactionMessageAttempts-th CALLERROR, discard it ("SHOULD
//    discard the message and continue with the next"). This holds for
//    StopTransaction too: §3.7.1 permits skipping any transaction-related
//    message "if and only if the Central System repeatedly reports a failure
//    to process", and keeping a message the CSMS rejects forever would block
//    every later one.
//  * A timeout or a lost connection is not a failure to process: resend,
//    without consuming an attempt (after one retry interval for a timeout, as
//    soon as the connection is back for a lost connection).
//
// Attempts below 1 count as 1 (the message is always sent once); a negative
// interval counts as 0.
class TransactionMessageRetryPolicy {
 public:
  TransactionMessageRetryPolicy(int transaction_message_attempts,
                                std::chrono::seconds transaction_message_retry_interval);

  // `attempts_before`: failures to process already counted for the message.
  RetryDecision Decide(DeliveryFailure failure, int attempts_before) const;

  int max_attempts() const { return max_attempts_; }
  std::chrono::seconds retry_interval() const { return retry_interval_; }

 private:
  int max_attempts_;
  std::chrono::seconds retry_interval_;
};

class TransactionMessageQueue {
 public:
  // Capacity. Sizes are of the stored records (payload plus a little
  // bookkeeping). When an Enqueue would exceed a soft limit, the queue first
  // makes room by dropping MeterValues, oldest first: first intermediate ones
  // (neither the first nor the last queued MeterValues of their transaction,
  // counting the message being enqueued), then, if that is not enough, any
  // MeterValues. It never drops a StartTransaction or StopTransaction, and
  // never the front message (it may be in flight). If there is still no room:
  // a MeterValues is refused (kResourceExhausted: it is dropped), while a
  // StartTransaction or StopTransaction is accepted beyond the soft limits up
  // to the hard limits, and refused with kResourceExhausted only beyond those
  // (then the station must not start new transactions). Every drop is logged.
  struct Limits {
    std::size_t soft_max_entries = 1000;
    std::uint64_t soft_max_bytes = 1024 * 1024;
    std::size_t hard_max_entries = 1200;
    std::uint64_t hard_max_bytes = 1536 * 1024;
    // Larger messages are refused with kInvalidArgument.
    std::size_t max_message_bytes = 64 * 1024;
  };

  enum class LogLevel { kInfo, kWarning, kError };
  using LogFunction = std::function<void(LogLevel level, const std::string& line)>;

  struct Options {
    Limits limits;
    // Keys of the KeyValueStore this queue owns: "<prefix>next_local_id",
    // "<prefix>binding/<local id>", "<prefix>quarantine/<seq>".
    std::string key_prefix = "txqueue/";
    // Bindings not referenced by a queued message are kept for the most
    // recent local transactions (the station may still enqueue messages of a
    // running transaction); older ones are removed at Open.
    std::size_t retained_idle_bindings = 32;
    // Where drops, repairs and other notable events are reported; stderr if empty.
    LogFunction log;

    // Storage faults. When the storage refuses a write (kResourceExhausted
    // for a full disk, or any other error), Enqueue makes room by dropping
    // intermediate MeterValues (for a StartTransaction or StopTransaction:
    // any MeterValues but the front one), then, for a StartTransaction or
    // StopTransaction only, releases the reserve below. If the write still
    // fails, a MeterValues is dropped (kResourceExhausted) while a
    // StartTransaction or StopTransaction is kept in memory: Enqueue returns
    // OK, Front() delivers it in order, and it is persisted, in order, as
    // soon as the storage accepts writes again (tried at every Enqueue,
    // after every PopFront and by RetryPersist()). Messages behind one that
    // is only in memory wait in memory too, so the stored order never
    // changes; a restart before they are persisted loses them. Every drop
    // and every message kept only in memory is logged at kError.
    //
    // Bytes kept in `kv` under "<prefix>reserve" for StartTransaction,
    // StopTransaction and transactionId bindings when the storage is full;
    // written at Open and again once everything is persisted. 0: no reserve.
    std::size_t storage_reserve_bytes = 64 * 1024;
    // false: Open does not write a missing reserve; the next RetryPersist(),
    // Enqueue() or PopFront() does (before its own write, in the same write
    // group if there is one). Until that first attempt the missing reserve
    // does not count as used up (storage_degraded() stays false). For start-up
    // work that can wait, e.g. until a station's BootNotification is sent.
    bool write_reserve_at_open = true;
    // Called when storage_degraded() changes (e.g. to tell the CSMS).
    std::function<void(bool degraded)> on_storage_degraded;
  };

  // Loads the queue persisted in `log` and `kv` (which must outlive the
  // queue), repairing what a crash may have left half done: messages of a
  // bound transaction whose payload was not yet rewritten are rewritten; a
  // record that cannot be parsed is moved out of the log to
  // "<prefix>quarantine/<seq>" and logged.
  static base::Result<std::unique_ptr<TransactionMessageQueue>> Open(hal::MessageLog& log,
                                                                     hal::KeyValueStore& kv,
                                                                     Options options);
  static base::Result<std::unique_ptr<TransactionMessageQueue>> Open(hal::MessageLog& log,
                                                                     hal::KeyValueStore& kv) {
    return Open(log, kv, Options());
  }

  TransactionMessageQueue(const TransactionMessageQueue&) = delete;
  TransactionMessageQueue& operator=(const TransactionMessageQueue&) = delete;

  // A new local transaction id (persisted before it is returned).
  base::Result<std::int64_t> AllocateLocalTransactionId();

  // Appends a message; it is durable when this returns OK. `action` must be
  // ActionName(kind) and `payload` a JSON object. `local_transaction_id`: the
  // id from AllocateLocalTransactionId() (required for StartTransaction and
  // StopTransaction, optional for MeterValues), or kNoTransaction. A
  // StartTransaction must be the first message of its local transaction.
  // Returns the message's sequence number.
  base::Result<hal::MessageLog::Seq> Enqueue(TransactionMessageKind kind, std::string_view action,
                                             std::string_view payload,
                                             std::int64_t local_transaction_id);

  // The oldest message, the only one that may be transmitted; nothing when
  // the queue is empty.
  std::optional<TransactionMessage> Front() const;

  // Counts one failure to process for the front message (persisted); returns
  // the new count. HandleFailure() does this and applies the retry rule.
  base::Result<int> MarkAttempt();

  // Removes the front message after its CALLRESULT (persisted). For a
  // StartTransaction, call BindTransactionId() first: popping an unbound
  // StartTransaction binds its transaction to -1.
  base::Status PopFront();

  // Applies `policy` to a failed transmission of the front message: counts
  // the attempt (kCallError) and, when the policy says so, discards the
  // message (logged; a discarded unbound StartTransaction binds its
  // transaction to -1). The caller waits `delay` before sending Front() again.
  base::Result<RetryDecision> HandleFailure(DeliveryFailure failure,
                                            const TransactionMessageRetryPolicy& policy);

  // Records that local transaction `local_transaction_id` has CSMS
  // transactionId `csms_transaction_id` (persisted first), then writes it into
  // every queued StopTransaction/MeterValues of that transaction. Binding
  // again replaces the id (e.g. a StartTransaction resent after a crash got a
  // new one). A full storage does not fail it: the binding is held in memory
  // (storage_degraded()) and stored once space allows. If rewriting a stored message fails, the
  // error is returned but the binding stands: the in-memory queue already carries the new id and
  // Open() finishes the rewrite after a restart.
  base::Status BindTransactionId(std::int64_t local_transaction_id,
                                 std::int64_t csms_transaction_id);

  // The CSMS transactionId bound to a local transaction (-1 when the CSMS
  // never delivered one), if any.
  std::optional<std::int64_t> BoundTransactionId(std::int64_t local_transaction_id) const;

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Bytes of all stored records.
  std::uint64_t size_bytes() const { return bytes_; }
  // Every queued message, front first (for diagnostics and tests).
  std::vector<TransactionMessage> Messages() const;
  // MeterValues dropped or refused for lack of room since Open.
  std::uint64_t dropped_meter_values() const { return dropped_meter_values_; }

  // True while a queued message or a transactionId binding is only in
  // memory, or the storage reserve is used up, after a write the storage refused (see Options). The
  // station reports it (logs it, tells the CSMS once online); it clears by itself once the storage
  // accepts writes again.
  bool storage_degraded() const { return degraded_; }
  // Queued messages that are only in memory (lost by a restart).
  std::size_t unpersisted_messages() const;
  // Tries to persist the messages held in memory and to restore the
  // reserve (e.g. after space was freed); OK when nothing is pending.
  base::Status RetryPersist();

 private:
  struct Entry {
    TransactionMessage message;
    std::uint64_t record_bytes = 0;
    // The record in the log; 0 while the message is only in memory.
    hal::MessageLog::Seq record_seq = 0;
  };

  TransactionMessageQueue(hal::MessageLog& log, hal::KeyValueStore& kv, Options options);

  base::Status Load();
  base::Status LoadBindings();
  base::Status RepairPayloads();
  void PruneIdleBindings();
  std::string BindingKey(std::int64_t local_transaction_id) const;
  std::string CounterKey() const;
  // Removes entries_[index] from the log and from memory.
  base::Status RemoveEntry(std::size_t index);
  // Drops MeterValues until a record of `bytes` fits the soft limits.
  void MakeRoom(std::uint64_t bytes, const TransactionMessage& incoming);
  // Index of the next MeterValues to drop, or nothing. With
  // `intermediate_only`, never the first or last one of a transaction.
  std::optional<std::size_t> PickVictim(const TransactionMessage& incoming,
                                        bool intermediate_only = false) const;
  // Appends `record` for `message`; when the storage refuses it, drops
  // MeterValues and (for a StartTransaction/StopTransaction) releases the
  // reserve, retrying after each.
  base::Result<hal::MessageLog::Seq> AppendMakingRoom(const std::string& record,
                                                      const TransactionMessage& message);
  // Runs a high-priority key-value write; releases the reserve and retries
  // once if the storage is full.
  base::Status WriteWithReserve(const std::function<base::Status()>& write);
  void ReleaseReserve(const std::string& why);
  // Persists the in-memory tail in order, then restores the reserve.
  base::Status PersistPending();
  void UpdateDegraded();
  std::string ReserveKey() const;
  // The seq for a new message: the record's, kept increasing past
  // provisional ones handed to messages held in memory.
  hal::MessageLog::Seq NextSeq(hal::MessageLog::Seq record_seq);
  void ForgetBindingIfDone(std::int64_t local_transaction_id);
  // Binds a transaction that will never get a CSMS id to -1 (stored).
  base::Status BindUnknown(std::int64_t local_transaction_id, const std::string& why);
  bool HasQueuedStart(std::int64_t local_transaction_id) const;
  void Log(LogLevel level, const std::string& line) const;

  hal::MessageLog& log_;
  hal::KeyValueStore& kv_;
  Options options_;
  std::deque<Entry> entries_;
  std::map<std::int64_t, std::int64_t> bindings_;  // local id -> CSMS id
  std::int64_t next_local_id_ = 1;
  std::uint64_t bytes_ = 0;
  std::uint64_t dropped_meter_values_ = 0;
  hal::MessageLog::Seq last_seq_ = 0;
  // Bindings the storage refused for lack of space (stored by PersistPending).
  std::set<std::int64_t> unpersisted_bindings_;
  bool reserve_held_ = false;
  // Not written at Open (write_reserve_at_open false) and not tried since.
  bool reserve_pending_ = false;
  bool degraded_ = false;
};

}  // namespace ocpp::runtime
