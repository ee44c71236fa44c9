#include "runtime/transaction_sender.h"

#include <string>

namespace ocpp::runtime {

TransactionMessageSender::TransactionMessageSender(EventLoop& loop, RpcEndpoint& rpc,
                                                   TransactionMessageQueue& queue,
                                                   Callbacks callbacks)
    : loop_(loop), rpc_(rpc), queue_(queue), callbacks_(std::move(callbacks)) {}

TransactionMessageSender::~TransactionMessageSender() {
  *alive_ = false;
  if (retry_timer_ != 0) loop_.CancelTimer(retry_timer_);
}

void TransactionMessageSender::Log(const std::string& line) {
  if (callbacks_.log) callbacks_.log(line);
}

void TransactionMessageSender::SetRetryPolicy(int attempts, std::chrono::seconds interval) {
  policy_ = TransactionMessageRetryPolicy(attempts, interval);
}

void TransactionMessageSender::SetReady(bool ready) {
  ready_ = ready;
  if (ready_) Kick();
}

void TransactionMessageSender::Kick() {
  if (!ready_ || in_flight_ || retry_timer_ != 0 || !rpc_.connected()) return;
  const std::optional<TransactionMessage> front = queue_.Front();
  if (!front) return;
  const v16::ActionInfo* info = v16::FindAction(front->action);
  if (info == nullptr) {
    // Cannot happen with messages this stack enqueued; never block the queue on it.
    Log("dropping queued message with unknown action " + front->action);
    (void)queue_.PopFront();
    return Kick();
  }
  in_flight_ = true;
  std::weak_ptr<bool> alive = alive_;
  rpc_.CallPreEncoded(
      info->action, front->payload,
      [this, alive, seq = front->seq](const rapidjson::Value* payload,
                                      std::optional<CallFailure> failure) {
        if (alive.expired()) return;
        OnResult(seq, payload, std::move(failure));
      },
      /*first=*/true);
}

void TransactionMessageSender::OnResult(hal::MessageLog::Seq seq, const rapidjson::Value* payload,
                                        std::optional<CallFailure> failure) {
  in_flight_ = false;
  const std::optional<TransactionMessage> front = queue_.Front();
  if (!front || front->seq != seq) return Kick();  // already handled (cannot happen)
  if (!failure) {
    if (front->kind == TransactionMessageKind::kStart) {
      v16::StartTransactionConf conf;
      if (auto error = codec::DecodePayload(*payload, conf)) {
        failure = CallFailure{CallFailure::Kind::kInvalidResponse, error->code, Describe(*error)};
      } else {
        auto status = queue_.BindTransactionId(front->local_transaction_id, conf.transaction_id);
        // The binding may stand although rewriting a stored message failed
        // (the queue finishes that later): then resending would make the
        // CSMS open a second transaction.
        const bool bound =
            queue_.BoundTransactionId(front->local_transaction_id) == conf.transaction_id;
        if (!status.ok()) Log("transactionId binding: " + status.message());
        if (!bound) {
          Log("could not persist the transactionId binding: " + status.message());
          failure = CallFailure{CallFailure::Kind::kConnectionLost,
                                codec::RpcErrorCode::kInternalError, "storage"};
        } else {
          (void)queue_.PopFront();
          if (callbacks_.on_start_accepted) {
            callbacks_.on_start_accepted(front->local_transaction_id, conf);
          }
          return Kick();
        }
      }
    } else {
      if (front->kind == TransactionMessageKind::kStop && callbacks_.on_stop_accepted) {
        v16::StopTransactionConf conf;
        if (!codec::DecodePayload(*payload, conf)) callbacks_.on_stop_accepted(conf);
      }
      if (auto status = queue_.PopFront(); !status.ok()) {
        Log("could not remove an acknowledged message: " + status.message());
      }
      return Kick();
    }
  }
  // A response that violates the schema is the CSMS failing to process it.
  DeliveryFailure kind = DeliveryFailure::kCallError;
  if (failure->kind == CallFailure::Kind::kTimeout) kind = DeliveryFailure::kTimeout;
  if (failure->kind == CallFailure::Kind::kConnectionLost ||
      failure->kind == CallFailure::Kind::kCancelled) {
    kind = DeliveryFailure::kConnectionLost;
  }
  auto decision = queue_.HandleFailure(kind, policy_);
  if (!decision.ok()) {
    // Storage trouble must not stall delivery: the message stays at the
    // front, resent after one interval.
    Log("could not record a failed delivery: " + decision.status().message());
    decision =
        RetryDecision{RetryDecision::Action::kResend,
                      std::chrono::duration_cast<base::Milliseconds>(policy_.retry_interval()),
                      false, front->attempts};
    if (kind == DeliveryFailure::kConnectionLost) return Kick();
  }
  Log(std::string(front->action) + " not delivered (" + ToString(failure->kind) + ": " +
      failure->description +
      "): " + (decision->action == RetryDecision::Action::kDiscard ? "discarded" : "will resend"));
  if (decision->action == RetryDecision::Action::kDiscard ||
      kind == DeliveryFailure::kConnectionLost) {
    return Kick();  // next message, or the same one once reconnected
  }
  std::weak_ptr<bool> alive = alive_;
  retry_timer_ = loop_.AddTimer(decision->delay, [this, alive] {
    if (alive.expired()) return;
    retry_timer_ = 0;
    Kick();
  });
}

}  // namespace ocpp::runtime
