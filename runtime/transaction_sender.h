// Delivers the durable queue's transaction-related messages through an
// RpcEndpoint: one at a time, in order, only while connected and allowed
// (after BootNotification was accepted), removing each only after its
// CALLRESULT and applying the TransactionMessageAttempts /
// TransactionMessageRetryInterval rule to CALLERRORs (OCPP 1.6 section 3.7).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "generated/ocpp16/registry.h"
#include "runtime/durable_queue.h"
#include "runtime/event_loop.h"
#include "runtime/rpc_endpoint.h"

namespace ocpp::runtime {

class TransactionMessageSender {
 public:
  struct Callbacks {
    // StartTransaction.conf for a local transaction: the CSMS transactionId
    // is already bound in the queue when this runs.
    std::function<void(std::int64_t local_transaction_id, const v16::StartTransactionConf&)>
        on_start_accepted;
    std::function<void(const v16::StopTransactionConf&)> on_stop_accepted;
    std::function<void(std::string_view line)> log;
  };

  TransactionMessageSender(EventLoop& loop, RpcEndpoint& rpc, TransactionMessageQueue& queue,
                           Callbacks callbacks);
  ~TransactionMessageSender();

  // From the configuration keys; takes effect for the next failure.
  void SetRetryPolicy(int transaction_message_attempts, std::chrono::seconds retry_interval);
  // Sending is allowed (connected and BootNotification accepted) or not.
  void SetReady(bool ready);
  // Something was enqueued, or the connection came back: send if possible.
  void Kick();
  bool idle() const { return !in_flight_ && retry_timer_ == 0; }

 private:
  void OnResult(hal::MessageLog::Seq seq, const rapidjson::Value* payload,
                std::optional<CallFailure> failure);
  void Log(const std::string& line);

  EventLoop& loop_;
  RpcEndpoint& rpc_;
  TransactionMessageQueue& queue_;
  Callbacks callbacks_;
  TransactionMessageRetryPolicy policy_{2, std::chrono::seconds(5)};
  bool ready_ = false;
  bool in_flight_ = false;
  TimerId retry_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ocpp::runtime
