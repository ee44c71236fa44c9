// libFuzzer target: the RPC dispatcher of a charge point fed arbitrary
// frames, with handlers for every action it receives and an outgoing CALL
// in flight. Properties: no crash; every answer is a well-formed CALLRESULT
// or CALLERROR that echoes the id; the endpoint stays usable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/rpc_endpoint.h"
#include "runtime/testing/manual_event_loop.h"

namespace {

using namespace ocpp;
using runtime::HandlerResult;

template <v16::Action A>
void HandleWithDefault(runtime::RpcEndpoint& rpc) {
  using Traits = v16::ActionTraits<A>;
  rpc.Handle<A>([](const typename Traits::Request&) -> HandlerResult<typename Traits::Response> {
    return typename Traits::Response{};
  });
}

// We only ever answer with [3, id, {...}] or [4, id, code, text, {}]; the id
// is echoed even when the peer's is over-long, so check shape, not length.
void CheckAnswer(const std::string& frame) {
  rapidjson::Document doc;
  doc.Parse(frame.c_str(), frame.size());
  const bool result = !doc.HasParseError() && doc.IsArray() && doc.Size() == 3 && doc[0] == 3 &&
                      doc[1].IsString() && doc[2].IsObject();
  const bool error = !doc.HasParseError() && doc.IsArray() && doc.Size() == 5 && doc[0] == 4 &&
                     doc[1].IsString() && doc[2].IsString() && doc[3].IsString() &&
                     doc[4].IsObject();
  if (!result && !error) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  runtime::testing::ManualEventLoop loop;
  std::vector<std::string> sent;
  runtime::RpcEndpoint::Options options;
  options.id_seed = 7;
  options.secret_configuration_keys = {"AuthorizationKey"};
  runtime::RpcEndpoint rpc(
      loop,
      [&](std::string frame) {
        sent.push_back(std::move(frame));
        return true;
      },
      options);
  for (const v16::ActionInfo& info : v16::kActions) {
    v16::VisitAction(info.action, [&](auto traits) {
      constexpr v16::Action kAction = decltype(traits)::kAction;
      if (v16::GetActionInfo(kAction).sender != v16::Sender::kChargePoint) {
        HandleWithDefault<kAction>(rpc);
      }
    });
  }
  // The trace re-serialises what it masks: must survive any input too.
  rpc.SetTrace([](runtime::TraceDirection, std::string_view) {});
  rpc.OnConnected();
  rpc.Call(v16::HeartbeatReq{}, [](runtime::CallOutcome<v16::HeartbeatConf>) {});
  sent.clear();
  // Several frames per input, separated by newlines.
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    rpc.OnText(input.substr(0, end));
    for (const std::string& frame : sent) CheckAnswer(frame);
    sent.clear();
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  loop.AdvanceAndRun(base::Milliseconds(60000));
  return 0;
}
