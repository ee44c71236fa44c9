// OCPP-J 1.6 framing (OCPP-J 1.6 section 4): CALL [2, id, action, payload],
// CALLRESULT [3, id, payload], CALLERROR [4, id, code, description, details].
// Parsing works on untrusted text and never throws; writing goes straight
// to a RapidJSON Writer.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "codegen/cpp_support/json_codec.h"
#include "codegen/cpp_support/message_codec.h"

namespace ocpp::runtime {

enum class MessageType { kCall = 2, kCallResult = 3, kCallError = 4 };

// OCPP-J 1.6 section 4.1.4: message ids are at most 36 characters (Unicode
// code points, not bytes).
inline constexpr std::size_t kMaxMessageIdLength = 36;

struct Frame {
  MessageType type = MessageType::kCall;
  std::string_view message_id;
  std::string_view action;                    // CALL only
  const rapidjson::Value* payload = nullptr;  // CALL / CALLRESULT payload, CALLERROR details
  std::string_view error_code;                // CALLERROR only
  std::string_view error_description;         // CALLERROR only
};

enum class FrameStatus {
  kOk,
  kNotJson,          // not parseable: nothing to answer to
  kNotAFrame,        // not an array starting with a numeric type and a string id
  kUnknownType,      // message type other than 2, 3, 4: ignored (OCPP-J 4.1.3)
  kMalformedCall,    // a CALL with a readable id but a wrong shape: answer CALLERROR
  kMalformedResult,  // CALLRESULT/CALLERROR of the wrong shape: log and drop
};

struct ParsedFrame {
  FrameStatus status = FrameStatus::kNotJson;
  Frame frame;  // message_id is set whenever it could be read
  std::string problem;
  // kMalformedCall: the code to answer with (TypeConstraintViolation for a
  // number beyond a double, e.g. 1e400).
  codec::RpcErrorCode call_error = codec::RpcErrorCode::kFormationViolation;
};

// Parses `text` into `doc` (which must outlive the returned views). When
// the text is not valid JSON but starts with a readable message type and id
// ([2, "id", ...), the result is kMalformedCall / kMalformedResult with
// type and message_id set, so the call can still be answered or failed.
ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc);
// Faster: copies `text` into `buffer` and parses it in place, so the DOM
// copies no strings. `doc` and `buffer` must outlive the returned views.
ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc, std::string& buffer);

// Frame writers. The payload is written by the generated encoder, with no
// intermediate DOM.
template <class Message>
std::string WriteCall(std::string_view message_id, std::string_view action, const Message& payload,
                      codec::EncodeOptions options = {}) {
  rapidjson::StringBuffer buffer;
  codec::JsonWriter::Writer writer(buffer);
  codec::JsonWriter json(writer, options);
  json.StartArray();
  json.Integer(2);
  json.String(message_id);
  json.String(action);
  Encode(payload, json);
  json.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

template <class Message>
std::string WriteCallResult(std::string_view message_id, const Message& payload,
                            codec::EncodeOptions options = {}) {
  rapidjson::StringBuffer buffer;
  codec::JsonWriter::Writer writer(buffer);
  codec::JsonWriter json(writer, options);
  json.StartArray();
  json.Integer(3);
  json.String(message_id);
  Encode(payload, json);
  json.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// CALLERROR with an empty details object, as OCPP-J requires when there are none.
std::string WriteCallError(std::string_view message_id, codec::RpcErrorCode code,
                           std::string_view description);

}  // namespace ocpp::runtime
