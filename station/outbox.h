// The station's outbox for transaction-related messages: the durable queue
// (runtime/durable_queue.h) and the sender that delivers it in order, with
// the retry rule of TransactionMessageAttempts/-RetryInterval (which it
// follows from the configuration itself).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "generated/ocpp16/registry.h"
#include "hal/storage.h"
#include "runtime/durable_queue.h"
#include "runtime/transaction_sender.h"
#include "station/context.h"

namespace ocpp::station {

class Outbox {
 public:
  using StartAccepted =
      std::function<void(std::int64_t local_id, const v16::StartTransactionConf&)>;

  // `on_degraded(true)`: storage refused to persist transaction messages
  // (full disk); they are kept in memory, still sent in order, persisted as
  // soon as space allows. `on_degraded(false)`: everything is durable again.
  static base::Result<std::unique_ptr<Outbox>> Open(StationContext& context,
                                                    hal::MessageLog& message_log,
                                                    std::function<void(bool)> on_degraded);
  ~Outbox();

  base::Result<std::int64_t> AllocateLocalTransactionId() {
    return queue_->AllocateLocalTransactionId();
  }
  // Durable when it returns true; failures are logged.
  template <class Request>
  bool Enqueue(const Request& request, std::int64_t local_id);
  // The CSMS transactionId of a local transaction (-1: never delivered).
  std::optional<std::int64_t> BoundTransactionId(std::int64_t local_id) const {
    return queue_->BoundTransactionId(local_id);
  }
  // A StartTransaction (or any message) of `local_id` is queued or was
  // delivered: the central system knows or will know the transaction.
  bool Knows(std::int64_t local_id) const;
  bool HasQueuedStop(std::int64_t local_id) const;
  bool empty() const { return queue_->empty(); }

  void SetStartAccepted(StartAccepted handler) { start_accepted_ = std::move(handler); }
  // Sending is allowed: connected, accepted, the boot statuses are out.
  void SetReady(bool ready) { sender_->SetReady(ready); }
  // Start-up storage work the BootNotification does not need: the queue's
  // storage reserve (64 KiB and a sync on a new data directory) is written
  // after the loop's next I/O, once. Call it when the first connection
  // attempt has its outcome; an Enqueue before then writes it first anyway.
  void FinishStartupAfterIo();

 private:
  explicit Outbox(StationContext& context) : context_(context) {}
  bool EnqueueText(runtime::TransactionMessageKind kind, const char* action,
                   const std::string& payload, std::int64_t local_id);
  void ApplyRetryPolicy();
  void OnDegraded(bool degraded);

  StationContext& context_;
  std::unique_ptr<runtime::TransactionMessageQueue> queue_;
  std::unique_ptr<runtime::TransactionMessageSender> sender_;
  StartAccepted start_accepted_;
  std::function<void(bool)> on_degraded_;
  runtime::TimerId persist_timer_ = 0;
  bool startup_finished_ = false;
};

template <class Request>
bool Outbox::Enqueue(const Request& request, std::int64_t local_id) {
  constexpr v16::Action action = v16::RequestTraits<Request>::kAction;
  runtime::TransactionMessageKind kind = runtime::TransactionMessageKind::kMeterValues;
  if constexpr (action == v16::Action::kStartTransaction) {
    kind = runtime::TransactionMessageKind::kStart;
  } else if constexpr (action == v16::Action::kStopTransaction) {
    kind = runtime::TransactionMessageKind::kStop;
  } else {
    static_assert(action == v16::Action::kMeterValues, "not a transaction-related message");
  }
  return EnqueueText(kind, runtime::ActionName(kind), codec::EncodeJson(request), local_id);
}

}  // namespace ocpp::station
