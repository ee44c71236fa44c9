#include "station/reset.h"

namespace ocpp::station {
namespace {

constexpr base::Milliseconds kQueueCheckInterval{100};

}  // namespace

Reset::Reset(StationContext& context, Connectors& connectors, TransactionsView& transactions,
             Outbox& outbox, hal::SystemControl& system_control, Timing timing)
    : context_(context),
      connectors_(connectors),
      transactions_(transactions),
      outbox_(outbox),
      system_control_(system_control),
      timing_(timing) {
  context_.rpc().Handle<v16::Action::kReset>(
      [this](const v16::ResetReq& req) -> runtime::HandlerResult<v16::ResetConf> {
        if (connectors_.reset_pending()) return v16::ResetConf{v16::ResetStatus::kRejected};
        connectors_.set_reset_pending(true);
        const v16::ResetType type = req.type;
        context_.PostAfterReply([this, type] { Begin(type); });
        return v16::ResetConf{v16::ResetStatus::kAccepted};
      });
}

Reset::~Reset() { context_.CancelTimer(&timer_); }

void Reset::Begin(v16::ResetType type) {
  context_.Log(std::string("reset: ") + std::string(v16::ToString(type)));
  transactions_.StopAll(type == v16::ResetType::kHard ? v16::Reason::kHardReset
                                                      : v16::Reason::kSoftReset);
  connectors_.Refresh();
  WaitForQueue(type, context_.clock().Now() + timing_.grace);
}

void Reset::WaitForQueue(v16::ResetType type, base::SteadyTime deadline) {
  // The queued StopTransactions are durable either way; waiting only lets
  // them reach the central system before the reboot (section 5.14).
  timer_ = context_.AddTimer(kQueueCheckInterval, [this, type, deadline] {
    timer_ = 0;
    const bool drained = outbox_.empty() || !context_.rpc().connected();
    if (drained || context_.clock().Now() >= deadline) {
      return RequestReboot(type, static_cast<int>(context_.config().Get(keys::kResetRetries)));
    }
    WaitForQueue(type, deadline);
  });
}

// A reboot that works ends this object; if it is still here after
// reboot_timeout, the reset failed and is retried ResetRetries times.
void Reset::RequestReboot(v16::ResetType type, int retries_left) {
  system_control_.RequestReboot(type == v16::ResetType::kHard ? hal::RebootKind::kHard
                                                              : hal::RebootKind::kSoft);
  timer_ = context_.AddTimer(timing_.reboot_timeout, [this, type, retries_left] {
    timer_ = 0;
    if (retries_left <= 0) {
      context_.Log("reset failed; no retries left (ResetRetries)", LogLevel::kError);
      connectors_.set_reset_pending(false);
      connectors_.Refresh();
      return;
    }
    context_.Log("reset did not happen; retrying", LogLevel::kWarning);
    RequestReboot(type, retries_left - 1);
  });
}

}  // namespace ocpp::station
