#include "runtime/ocpp_frame.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ocpp::runtime {
namespace {

std::string_view View(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

ParsedFrame Problem(FrameStatus status, ParsedFrame parsed, std::string problem) {
  parsed.status = status;
  parsed.problem = std::move(problem);
  return parsed;
}

}  // namespace

// Checks the shape of a parsed frame (shared by both ParseFrame overloads).
static ParsedFrame ReadFrame(rapidjson::Document& doc);

ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc) {
  doc.Parse<codec::kParseFlags>(text.data(), text.size());
  return ReadFrame(doc);
}

ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc, std::string& buffer) {
  // The in-place parser stops at a NUL byte; JSON text never holds one.
  if (text.find('\0') != std::string_view::npos) {
    return Problem(FrameStatus::kNotJson, {}, "not valid JSON");
  }
  buffer.assign(text.data(), text.size());
  doc.ParseInsitu<codec::kParseFlags>(&buffer[0]);
  return ReadFrame(doc);
}

static ParsedFrame ReadFrame(rapidjson::Document& doc) {
  ParsedFrame parsed;
  if (doc.HasParseError()) return Problem(FrameStatus::kNotJson, {}, "not valid JSON");
  if (!doc.IsArray() || doc.Size() < 2 || !doc[0].IsInt() || !doc[1].IsString()) {
    return Problem(FrameStatus::kNotAFrame, {}, "not an OCPP-J message array");
  }
  Frame& f = parsed.frame;
  if (!codec::IsValidUtf8(View(doc[1]))) {
    return Problem(FrameStatus::kNotAFrame, {}, "message id is not valid UTF-8");
  }
  f.message_id = View(doc[1]);
  const int type = doc[0].GetInt();
  if (type != 2 && type != 3 && type != 4) {
    return Problem(FrameStatus::kUnknownType, parsed, "unknown message type");
  }
  f.type = static_cast<MessageType>(type);
  if (f.message_id.empty() || f.message_id.size() > kMaxMessageIdLength) {
    // Still answerable: echo the id the peer chose.
    if (f.type == MessageType::kCall) {
      return Problem(FrameStatus::kMalformedCall, parsed, "message id must be 1-36 characters");
    }
    return Problem(FrameStatus::kMalformedResult, parsed, "message id must be 1-36 characters");
  }
  switch (f.type) {
    case MessageType::kCall:
      if (doc.Size() != 4 || !doc[2].IsString()) {
        return Problem(FrameStatus::kMalformedCall, parsed,
                       "CALL must be [2, messageId, action, payload]");
      }
      f.action = View(doc[2]);
      f.payload = &doc[3];
      break;
    case MessageType::kCallResult:
      if (doc.Size() != 3) {
        return Problem(FrameStatus::kMalformedResult, parsed,
                       "CALLRESULT must be [3, messageId, payload]");
      }
      f.payload = &doc[2];
      break;
    case MessageType::kCallError:
      if (doc.Size() != 5 || !doc[2].IsString() || !doc[3].IsString()) {
        return Problem(FrameStatus::kMalformedResult, parsed,
                       "CALLERROR must be [4, messageId, errorCode, errorDescription, details]");
      }
      f.error_code = View(doc[2]);
      f.error_description = View(doc[3]);
      f.payload = &doc[4];
      break;
  }
  parsed.status = FrameStatus::kOk;
  return parsed;
}

std::string WriteCallError(std::string_view message_id, codec::RpcErrorCode code,
                           std::string_view description) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  writer.Int(4);
  writer.String(message_id.data(), static_cast<rapidjson::SizeType>(message_id.size()));
  const std::string_view name = codec::ToString(code);
  writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  writer.String(description.data(), static_cast<rapidjson::SizeType>(description.size()));
  writer.StartObject();
  writer.EndObject();
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ocpp::runtime
