// OCPP-J RPC over any text transport: CALL / CALLRESULT / CALLERROR framing,
// one outstanding outgoing CALL at a time with a FIFO behind it, a response
// timeout, typed results, and typed dispatch of incoming CALLs.
//
// The endpoint does not own the connection: its owner forwards
// OnConnected / OnText / OnDisconnected and gives it a send function, so the
// same class serves a charge point's client connection and each connection
// of a central system's server. Everything runs on the EventLoop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"
#include "runtime/event_loop.h"
#include "runtime/json_reserialize.h"
#include "runtime/ocpp_frame.h"

namespace ocpp::runtime {

using v16::Action;
using v16::ActionTraits;
using v16::FeatureProfile;
using v16::RequestTraits;

// What an incoming-CALL handler answers instead of a response.
struct CallError {
  codec::RpcErrorCode code = codec::RpcErrorCode::kGenericError;
  std::string description;
};

// Why an outgoing CALL produced no response.
struct CallFailure {
  enum class Kind {
    kCallError,        // the peer answered CALLERROR (code, description)
    kTimeout,          // no answer within the response timeout
    kConnectionLost,   // the connection dropped while waiting
    kInvalidResponse,  // the CALLRESULT payload violates the schema (code, description)
    kInvalidRequest,   // our own request violates the schema; never sent
    kCancelled,        // dropped by CancelPending()
  };
  Kind kind = Kind::kCallError;
  codec::RpcErrorCode code = codec::RpcErrorCode::kGenericError;
  std::string description;
};
const char* ToString(CallFailure::Kind kind);

// "<pointer>: <message>", or just the message for the payload itself.
inline std::string Describe(const codec::DecodeError& error) {
  return error.pointer.empty() ? error.message : error.pointer + ": " + error.message;
}

template <class Response>
using CallOutcome = std::variant<Response, CallFailure>;

template <class Response>
using HandlerResult = std::variant<Response, CallError>;

enum class Role { kChargePoint, kCentralSystem };

enum class TraceDirection { kSent, kReceived };

class RpcEndpoint {
 public:
  struct Options {
    Role role = Role::kChargePoint;
    // OCPP 1.6 has no key for it; 15 s is the usual PICS value.
    base::Milliseconds response_timeout{15000};
    // Profiles this side implements; a CALL of another profile is answered
    // NotSupported. Empty = all.
    std::set<FeatureProfile> offered_profiles;
    codec::DecodeOptions decode;
    codec::EncodeOptions encode;
    // Seeds the message-id prefix; tests pass a fixed value.
    std::optional<std::uint64_t> id_seed;
    // Configuration keys whose values the trace masks (see MaskSecrets);
    // the station passes {"AuthorizationKey"}.
    std::vector<std::string> secret_configuration_keys;
  };

  // kWarning: a frame was dropped or a call failed because of what the peer
  // sent; kInfo: expected events (e.g. not answering while Rejected).
  enum class LogLevel { kInfo, kWarning };

  using SendFunction = std::function<bool(std::string frame)>;
  using TraceFunction = std::function<void(TraceDirection, std::string_view frame)>;
  using LevelLogFunction = std::function<void(LogLevel, std::string_view line)>;
  // Gets every line, whatever its level.
  using LogFunction = std::function<void(std::string_view line)>;
  // Decides whether a queued CALL may go out now (e.g. only BootNotification
  // before the central system accepted the station).
  using SendGate = std::function<bool(Action)>;

  RpcEndpoint(EventLoop& loop, SendFunction send, Options options);
  ~RpcEndpoint();
  RpcEndpoint(const RpcEndpoint&) = delete;
  RpcEndpoint& operator=(const RpcEndpoint&) = delete;

  void SetTrace(TraceFunction trace) { trace_ = std::move(trace); }
  void SetLog(LevelLogFunction log) { log_ = std::move(log); }
  // Told about every received frame that is no valid OCPP-J message (not
  // JSON, a malformed CALL, CALLRESULT or CALLERROR, an unknown message
  // type): the security whitepaper's InvalidMessages event.
  void SetInvalidMessageObserver(std::function<void(std::string_view why)> observer) {
    on_invalid_ = std::move(observer);
  }
  void SetLog(LogFunction log);
  void SetSendGate(SendGate gate);
  // Decides whether an incoming CALL is answered at all: a station whose
  // BootNotification was Rejected SHALL NOT respond (OCPP 1.6 section 4.2.1).
  using IncomingGate = std::function<bool()>;
  void SetIncomingGate(IncomingGate gate) { incoming_gate_ = std::move(gate); }

  // Connection events from the owner.
  void OnConnected();
  void OnDisconnected();
  void OnText(std::string_view text);
  bool connected() const { return connected_; }

  // Queues a CALL; `done` runs exactly once, on the loop.
  template <class Request>
  void Call(const Request& request,
            std::function<void(CallOutcome<typename RequestTraits<Request>::Response>)> done) {
    using Response = typename RequestTraits<Request>::Response;
    constexpr Action action = RequestTraits<Request>::kAction;
    if (auto violation = codec::CheckMessage(request)) {
      CallFailure failure{CallFailure::Kind::kInvalidRequest, violation->code,
                          Describe(*violation)};
      loop_.Post([done = std::move(done), failure] { done(failure); });
      return;
    }
    auto on_result = [done = std::move(done), this](const rapidjson::Value* payload,
                                                    std::optional<CallFailure> failure) {
      if (failure) return done(std::move(*failure));
      Response response;
      if (auto error = codec::DecodePayload(*payload, response, options_.decode)) {
        Log(LogLevel::kWarning, "invalid " + std::string(ActionTraits<action>::kName) +
                                    " response: " + Describe(*error));
        return done(
            CallFailure{CallFailure::Kind::kInvalidResponse, error->code, Describe(*error)});
      }
      done(std::move(response));
    };
    Enqueue(action, codec::EncodeJson(request, options_.encode), std::move(on_result));
  }

  // A CALL whose payload is already encoded (the durable queue stores
  // payload text). `on_result` gets the raw CALLRESULT payload, or why not.
  using RawResultHandler =
      std::function<void(const rapidjson::Value* payload, std::optional<CallFailure> failure)>;
  // `first`: goes ahead of every queued CALL (the transaction sender uses it
  // so a StopTransaction is not overtaken by the status change it causes).
  void CallPreEncoded(Action action, std::string payload_json, RawResultHandler on_result,
                      bool first = false) {
    Enqueue(action, std::move(payload_json), std::move(on_result), first);
  }

  // Registers the handler for incoming CALLs of action A (replacing any).
  template <Action A>
  void Handle(std::function<HandlerResult<typename ActionTraits<A>::Response>(
                  const typename ActionTraits<A>::Request&)>
                  handler) {
    using Request = typename ActionTraits<A>::Request;
    handlers_[A] = [handler = std::move(handler), this](
                       std::string_view id, const rapidjson::Value& payload) -> std::string {
      Request request;
      if (auto error = codec::DecodePayload(payload, request, options_.decode)) {
        return WriteCallError(id, error->code, Describe(*error));
      }
      auto result = handler(request);
      if (auto* call_error = std::get_if<CallError>(&result)) {
        return WriteCallError(id, call_error->code, call_error->description);
      }
      const auto& response = std::get<0>(result);
      if (auto violation = codec::CheckMessage(response)) {
        Log(LogLevel::kWarning, "handler for " + std::string(ActionTraits<A>::kName) +
                                    " produced an invalid response: " + violation->message);
        return WriteCallError(id, codec::RpcErrorCode::kInternalError, "invalid response");
      }
      return WriteCallResult(id, response, options_.encode);
    };
  }

  // Number of CALLs queued or waiting for their answer.
  std::size_t pending_calls() const { return queue_.size() + (outstanding_ ? 1 : 0); }
  // Fails every queued CALL (not the one in flight) with kCancelled.
  void CancelPending();

 private:
  using ResultHandler =
      std::function<void(const rapidjson::Value* payload, std::optional<CallFailure> failure)>;
  using CallHandler =
      std::function<std::string(std::string_view id, const rapidjson::Value& payload)>;

  struct PendingCall {
    Action action;
    std::string payload;  // encoded JSON object
    ResultHandler on_result;
  };
  struct Outstanding {
    PendingCall call;
    std::string id;
    TimerId timer = 0;
  };

  void Enqueue(Action action, std::string payload, ResultHandler on_result, bool first = false);
  void SendNext();
  void Finish(const rapidjson::Value* payload, std::optional<CallFailure> failure);
  void HandleCall(const Frame& frame);
  bool Send(std::string frame);
  void Log(LogLevel level, const std::string& line);
  void FailOutstanding(const ParsedFrame& parsed);
  std::string NextMessageId();
  bool Offers(const v16::ActionInfo& info) const;

  EventLoop& loop_;
  SendFunction send_;
  Options options_;
  TraceFunction trace_;
  LevelLogFunction log_;
  std::function<void(std::string_view)> on_invalid_;
  SendGate gate_;
  IncomingGate incoming_gate_;
  bool connected_ = false;
  std::deque<PendingCall> queue_;
  std::optional<Outstanding> outstanding_;
  std::map<Action, CallHandler> handlers_;
  std::string id_prefix_;
  std::uint64_t id_counter_ = 0;
  // Guards callbacks that outlive the endpoint (posted tasks, timers).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ocpp::runtime
