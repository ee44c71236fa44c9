#include "station/outbox.h"

namespace ocpp::station {

namespace {

// While storage refuses writes, persisting is retried this often (and at
// every enqueue and acknowledgement).
constexpr base::Milliseconds kPersistRetryInterval{30000};

LogLevel ToLogLevel(runtime::TransactionMessageQueue::LogLevel level) {
  switch (level) {
    case runtime::TransactionMessageQueue::LogLevel::kInfo:
      return LogLevel::kInfo;
    case runtime::TransactionMessageQueue::LogLevel::kWarning:
      return LogLevel::kWarning;
    case runtime::TransactionMessageQueue::LogLevel::kError:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

}  // namespace

base::Result<std::unique_ptr<Outbox>> Outbox::Open(StationContext& context,
                                                   hal::MessageLog& message_log,
                                                   std::function<void(bool)> on_degraded) {
  std::unique_ptr<Outbox> outbox(new Outbox(context));
  outbox->on_degraded_ = std::move(on_degraded);
  Outbox* self = outbox.get();
  runtime::TransactionMessageQueue::Options options;
  options.log = [&context](runtime::TransactionMessageQueue::LogLevel level,
                           const std::string& line) {
    context.Log("queue: " + line, ToLogLevel(level));
  };
  options.on_storage_degraded = [self](bool degraded) { self->OnDegraded(degraded); };
  // Not before the BootNotification: see FinishStartupAfterIo().
  options.write_reserve_at_open = false;
  auto queue = runtime::TransactionMessageQueue::Open(message_log, context.store(), options);
  if (!queue.ok()) return queue.status();
  outbox->queue_ = std::move(*queue);
  Outbox* raw = outbox.get();
  outbox->sender_ = std::make_unique<runtime::TransactionMessageSender>(
      context.loop(), context.rpc(), *outbox->queue_,
      runtime::TransactionMessageSender::Callbacks{
          [raw](std::int64_t local_id, const v16::StartTransactionConf& conf) {
            if (raw->start_accepted_) raw->start_accepted_(local_id, conf);
          },
          [](const v16::StopTransactionConf&) {},
          [&context](std::string_view line) { context.Log("tx: " + std::string(line)); }});
  raw->ApplyRetryPolicy();
  context.config().Subscribe(keys::kTransactionMessageAttempts, [raw] { raw->ApplyRetryPolicy(); });
  context.config().Subscribe(keys::kTransactionMessageRetryInterval,
                             [raw] { raw->ApplyRetryPolicy(); });
  return outbox;
}

Outbox::~Outbox() { context_.CancelTimer(&persist_timer_); }

void Outbox::FinishStartupAfterIo() {
  if (startup_finished_) return;
  startup_finished_ = true;
  // A failure is reported through OnDegraded.
  context_.PostAfterReply([this] { (void)queue_->RetryPersist(); });
}

void Outbox::OnDegraded(bool degraded) {
  context_.Log(degraded ? "storage full: transaction messages are kept in memory until space "
                          "allows (a power cut now would lose them)"
                        : "storage usable again: every transaction message is durable",
               degraded ? LogLevel::kError : LogLevel::kInfo);
  context_.CancelTimer(&persist_timer_);
  if (degraded) {
    persist_timer_ = context_.AddTimer(kPersistRetryInterval, [this] {
      persist_timer_ = 0;
      (void)queue_->RetryPersist();  // a change is reported through OnDegraded
      if (queue_->storage_degraded() && persist_timer_ == 0) OnDegraded(true);
    });
  }
  if (on_degraded_) on_degraded_(degraded);
}

void Outbox::ApplyRetryPolicy() {
  sender_->SetRetryPolicy(
      static_cast<int>(context_.config().Get(keys::kTransactionMessageAttempts)),
      std::chrono::seconds(context_.config().Get(keys::kTransactionMessageRetryInterval)));
}

bool Outbox::EnqueueText(runtime::TransactionMessageKind kind, const char* action,
                         const std::string& payload, std::int64_t local_id) {
  auto seq = queue_->Enqueue(kind, action, payload, local_id);
  if (!seq.ok()) {
    context_.Log(std::string("could not queue ") + action + ": " + seq.status().message(),
                 LogLevel::kError);
  }
  sender_->Kick();
  return seq.ok();
}

bool Outbox::Knows(std::int64_t local_id) const {
  if (queue_->BoundTransactionId(local_id)) return true;
  for (const runtime::TransactionMessage& m : queue_->Messages()) {
    if (m.local_transaction_id == local_id) return true;
  }
  return false;
}

bool Outbox::HasQueuedStop(std::int64_t local_id) const {
  for (const runtime::TransactionMessage& m : queue_->Messages()) {
    if (m.kind == runtime::TransactionMessageKind::kStop && m.local_transaction_id == local_id) {
      return true;
    }
  }
  return false;
}

}  // namespace ocpp::station
