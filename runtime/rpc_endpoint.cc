#include "runtime/rpc_endpoint.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <exception>

namespace ocpp::runtime {

const char* ToString(CallFailure::Kind kind) {
  switch (kind) {
    case CallFailure::Kind::kCallError:
      return "CALLERROR";
    case CallFailure::Kind::kTimeout:
      return "timeout";
    case CallFailure::Kind::kConnectionLost:
      return "connection lost";
    case CallFailure::Kind::kInvalidResponse:
      return "invalid response";
    case CallFailure::Kind::kInvalidRequest:
      return "invalid request";
    case CallFailure::Kind::kCancelled:
      return "cancelled";
  }
  return "?";
}

RpcEndpoint::RpcEndpoint(EventLoop& loop, SendFunction send, Options options)
    : loop_(loop), send_(std::move(send)), options_(std::move(options)) {
  std::uint64_t seed = options_.id_seed ? *options_.id_seed : std::random_device{}();
  std::mt19937_64 rng(seed);
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%08x", static_cast<unsigned>(rng() & 0xffffffffu));
  id_prefix_ = prefix;
}

RpcEndpoint::~RpcEndpoint() {
  *alive_ = false;
  if (outstanding_) loop_.CancelTimer(outstanding_->timer);
}

void RpcEndpoint::SetSendGate(SendGate gate) {
  gate_ = std::move(gate);
  SendNext();
}

void RpcEndpoint::SetLog(LogFunction log) {
  if (!log) return SetLog(LevelLogFunction());
  SetLog([log = std::move(log)](LogLevel, std::string_view line) { log(line); });
}

void RpcEndpoint::Log(LogLevel level, const std::string& line) {
  if (log_) log_(level, line);
}

std::string RpcEndpoint::NextMessageId() {
  // 8 hex digits of boot randomness + a counter: unique across reboots in
  // practice, and at most 8 + 1 + 20 = 29 characters (limit 36).
  return id_prefix_ + "-" + std::to_string(++id_counter_);
}

bool RpcEndpoint::Send(std::string frame) {
  if (trace_) trace_(TraceDirection::kSent, MaskSecrets(frame, options_.secret_configuration_keys));
  return send_(std::move(frame));
}

void RpcEndpoint::OnConnected() {
  connected_ = true;
  SendNext();
}

void RpcEndpoint::OnDisconnected() {
  connected_ = false;
  if (outstanding_) {
    Finish(nullptr, CallFailure{CallFailure::Kind::kConnectionLost,
                                codec::RpcErrorCode::kGenericError, "connection lost"});
  }
}

void RpcEndpoint::Enqueue(Action action, std::string payload, ResultHandler on_result, bool first) {
  PendingCall call{action, std::move(payload), std::move(on_result)};
  if (first) {
    queue_.push_front(std::move(call));
  } else {
    queue_.push_back(std::move(call));
  }
  SendNext();
}

void RpcEndpoint::CancelPending() {
  std::deque<PendingCall> cancelled;
  cancelled.swap(queue_);
  for (PendingCall& call : cancelled) {
    call.on_result(nullptr, CallFailure{CallFailure::Kind::kCancelled,
                                        codec::RpcErrorCode::kGenericError, "cancelled"});
  }
}

void RpcEndpoint::SendNext() {
  if (!connected_ || outstanding_) return;
  // The first queued call the gate lets through (FIFO among the allowed).
  auto it = queue_.begin();
  while (it != queue_.end() && gate_ && !gate_(it->action)) ++it;
  if (it == queue_.end()) return;
  Outstanding out{std::move(*it), NextMessageId(), 0};
  queue_.erase(it);
  const std::string_view name = v16::ToString(out.call.action);
  std::string frame;
  frame.reserve(out.call.payload.size() + name.size() + out.id.size() + 16);
  frame.append("[2,\"").append(out.id).append("\",\"").append(name).append("\",");
  frame.append(out.call.payload).append("]");
  std::weak_ptr<bool> alive = alive_;
  out.timer = loop_.AddTimer(options_.response_timeout, [this, alive, id = out.id] {
    if (alive.expired() || !outstanding_ || outstanding_->id != id) return;
    outstanding_->timer = 0;
    Finish(nullptr, CallFailure{CallFailure::Kind::kTimeout, codec::RpcErrorCode::kGenericError,
                                "no response within the timeout"});
  });
  outstanding_ = std::move(out);
  if (!Send(std::move(frame))) {
    // The transport only refuses when it is not (or no longer) connected,
    // e.g. while closing: so are we until it connects again. Callers that
    // retry while connected() would otherwise recurse without end.
    connected_ = false;
    Finish(nullptr, CallFailure{CallFailure::Kind::kConnectionLost,
                                codec::RpcErrorCode::kGenericError, "send failed"});
  }
}

void RpcEndpoint::Finish(const rapidjson::Value* payload, std::optional<CallFailure> failure) {
  Outstanding done = std::move(*outstanding_);
  outstanding_.reset();
  if (done.timer != 0) loop_.CancelTimer(done.timer);
  std::weak_ptr<bool> alive = alive_;
  done.call.on_result(payload, std::move(failure));
  if (!alive.expired()) SendNext();
}

bool RpcEndpoint::Offers(const v16::ActionInfo& info) const {
  const bool ours_to_receive =
      info.sender == v16::Sender::kBoth ||
      (options_.role == Role::kChargePoint ? info.sender == v16::Sender::kCentralSystem
                                           : info.sender == v16::Sender::kChargePoint);
  return ours_to_receive &&
         (options_.offered_profiles.empty() || options_.offered_profiles.count(info.profile));
}

void RpcEndpoint::OnText(std::string_view text) {
  if (trace_) {
    trace_(TraceDirection::kReceived, MaskSecrets(text, options_.secret_configuration_keys));
  }
  rapidjson::Document doc;
  std::string buffer;
  const ParsedFrame parsed = ParseFrame(text, doc, buffer);
  if (parsed.status != FrameStatus::kOk && on_invalid_) on_invalid_(parsed.problem);
  switch (parsed.status) {
    case FrameStatus::kOk:
      break;
    case FrameStatus::kMalformedCall:
      Log(LogLevel::kWarning, "answered malformed CALL " + std::string(parsed.frame.message_id) +
                                  " with " + std::string(codec::ToString(parsed.call_error)) +
                                  ": " + parsed.problem);
      Send(WriteCallError(parsed.frame.message_id, parsed.call_error, parsed.problem));
      return;
    case FrameStatus::kMalformedResult:
      return FailOutstanding(parsed);
    case FrameStatus::kUnknownType:
      // OCPP-J 4.1.3: a message of unknown type is ignored.
      Log(LogLevel::kWarning, "dropped frame: " + parsed.problem);
      return;
    default:
      Log(LogLevel::kWarning, "dropped frame: " + parsed.problem);
      return;
  }
  const Frame& frame = parsed.frame;
  if (frame.type == MessageType::kCall) return HandleCall(frame);
  if (!outstanding_ || outstanding_->id != frame.message_id) {
    Log(LogLevel::kWarning,
        "dropped answer to unknown message id " + std::string(frame.message_id));
    return;
  }
  if (frame.type == MessageType::kCallResult) return Finish(frame.payload, std::nullopt);
  const auto code = codec::RpcErrorCodeFromString(frame.error_code);
  Finish(nullptr, CallFailure{CallFailure::Kind::kCallError,
                              code.value_or(codec::RpcErrorCode::kGenericError),
                              std::string(frame.error_description)});
}

void RpcEndpoint::FailOutstanding(const ParsedFrame& parsed) {
  const std::string id(parsed.frame.message_id);
  if (!outstanding_ || id.empty() || outstanding_->id != id) {
    Log(LogLevel::kWarning, "dropped frame: " + parsed.problem);
    return;
  }
  // The answer to our call is unusable: fail the call now rather than let
  // it wait for the response timeout.
  Log(LogLevel::kWarning, "malformed answer to " + id + ", failing the call: " + parsed.problem);
  if (parsed.frame.type == MessageType::kCallError) {
    return Finish(nullptr, CallFailure{CallFailure::Kind::kCallError,
                                       codec::RpcErrorCode::kGenericError, parsed.problem});
  }
  Finish(nullptr, CallFailure{CallFailure::Kind::kInvalidResponse,
                              codec::RpcErrorCode::kFormationViolation, parsed.problem});
}

void RpcEndpoint::HandleCall(const Frame& frame) {
  if (incoming_gate_ && !incoming_gate_()) {
    Log(LogLevel::kInfo, "not answering " + std::string(frame.action) + " (not registered)");
    return;
  }
  const v16::ActionInfo* info = v16::FindAction(frame.action);
  if (info == nullptr) {
    Send(WriteCallError(frame.message_id, codec::RpcErrorCode::kNotImplemented,
                        "unknown action " + std::string(frame.action)));
    return;
  }
  auto handler = handlers_.find(info->action);
  if (!Offers(*info) || handler == handlers_.end()) {
    Send(WriteCallError(frame.message_id, codec::RpcErrorCode::kNotSupported,
                        std::string(frame.action) + " is not supported"));
    return;
  }
  std::string answer;
  try {
    answer = handler->second(frame.message_id, *frame.payload);
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning,
        std::string("handler for ") + std::string(frame.action) + " threw: " + e.what());
    answer =
        WriteCallError(frame.message_id, codec::RpcErrorCode::kInternalError, "internal error");
  }
  Send(std::move(answer));
}

}  // namespace ocpp::runtime
