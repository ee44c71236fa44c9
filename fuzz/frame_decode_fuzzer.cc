// libFuzzer target: OCPP-J frame parsing plus payload decoding for every
// action. Properties checked on every input:
//  - nothing crashes, leaks or trips a sanitizer;
//  - whatever decodes re-encodes to text that decodes to an equal message,
//    and passes the outgoing-message check (decode and encode agree).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"
#include "runtime/ocpp_frame.h"

namespace {

using ocpp::v16::Action;

template <class Message>
void DecodeAndRoundTrip(const rapidjson::Value& payload) {
  // Milliseconds are kept: the product's default whole-second timestamps
  // would (rightly) not round-trip "12:00:00.5Z".
  ocpp::codec::EncodeOptions exact;
  exact.date_time_precision = ocpp::codec::DateTime::Precision::kMilliseconds;
  for (bool lenient : {false, true}) {
    Message message{};
    if (ocpp::codec::DecodePayload(payload, message, {lenient})) continue;
    const std::string text = ocpp::codec::EncodeJson(message, exact);
    Message again{};
    if (ocpp::codec::DecodeJson(text, again) || !(again == message) ||
        ocpp::codec::CheckMessage(message)) {
      std::abort();  // decode/encode disagree
    }
  }
}

void DecodeAs(Action action, bool response, const rapidjson::Value& payload) {
  ocpp::v16::VisitAction(action, [&](auto traits) {
    using Traits = decltype(traits);
    if (response) {
      DecodeAndRoundTrip<typename Traits::Response>(payload);
    } else {
      DecodeAndRoundTrip<typename Traits::Request>(payload);
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  std::string buffer;
  const ocpp::runtime::ParsedFrame parsed = ocpp::runtime::ParseFrame(text, doc, buffer);
  if (parsed.status != ocpp::runtime::FrameStatus::kOk) return 0;
  const ocpp::runtime::Frame& frame = parsed.frame;
  if (frame.type == ocpp::runtime::MessageType::kCall) {
    if (const auto* info = ocpp::v16::FindAction(frame.action)) {
      DecodeAs(info->action, false, *frame.payload);
    }
  } else if (frame.type == ocpp::runtime::MessageType::kCallResult) {
    // A result's action is known only from the pending call; the message
    // id's first byte picks one so every response decoder gets exercised.
    const auto pick = static_cast<unsigned char>(frame.message_id[0]) % ocpp::v16::kActionCount;
    DecodeAs(static_cast<Action>(pick), true, *frame.payload);
  }
  return 0;
}
