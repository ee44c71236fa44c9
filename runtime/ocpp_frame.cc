#include "runtime/ocpp_frame.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>

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

// Code points in valid UTF-8: the bytes that do not continue a sequence.
std::size_t CodePoints(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Reads the message type and id at the head of text that failed to parse:
// SAX events up to the second array element, then stops.
class HeadReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, HeadReader> {
 public:
  bool StartArray() { return ++events_ == 1; }
  bool Int(int i) {
    type_ = i;
    return ++events_ == 2;
  }
  bool Uint(unsigned u) { return u <= 4 && Int(static_cast<int>(u)); }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    if (++events_ == 3 && type_) id_ = std::string(str, length);
    return false;  // done either way
  }
  bool Default() { return false; }

  std::optional<int> type_;
  std::optional<std::string> id_;

 private:
  int events_ = 0;
};

// Reads the head of text that is not valid JSON (or holds a NUL byte, which
// the parser would take for the end); `too_big`: a number beyond a double.
ParsedFrame ReadHead(std::string_view text, rapidjson::Document& doc, bool too_big);
// Checks the shape of a parsed frame (shared by both ParseFrame overloads).
ParsedFrame ReadFrame(std::string_view text, rapidjson::Document& doc);

}  // namespace

ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc) {
  if (text.find('\0') != std::string_view::npos) return ReadHead(text, doc, false);
  doc.Parse<codec::kParseFlags>(text.data(), text.size());
  return ReadFrame(text, doc);
}

ParsedFrame ParseFrame(std::string_view text, rapidjson::Document& doc, std::string& buffer) {
  if (text.find('\0') != std::string_view::npos) return ReadHead(text, doc, false);
  buffer.assign(text.data(), text.size());
  doc.ParseInsitu<codec::kParseFlags>(&buffer[0]);
  return ReadFrame(text, doc);
}

namespace {

ParsedFrame ReadHead(std::string_view text, rapidjson::Document& doc, bool too_big) {
  HeadReader head;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  reader.Parse<codec::kParseFlags>(stream, head);
  if (!head.id_ || !codec::IsValidUtf8(*head.id_) || head.id_->empty() ||
      CodePoints(*head.id_) > kMaxMessageIdLength) {
    return Problem(FrameStatus::kNotJson, {}, "not valid JSON");
  }
  // The document owns a copy, so the view outlives this function.
  doc.SetString(head.id_->data(), static_cast<rapidjson::SizeType>(head.id_->size()),
                doc.GetAllocator());
  ParsedFrame parsed;
  parsed.frame.message_id = View(doc);
  const int type = *head.type_;
  if (type != 2 && type != 3 && type != 4) {
    return Problem(FrameStatus::kUnknownType, parsed, "unknown message type");
  }
  parsed.frame.type = static_cast<MessageType>(type);
  if (parsed.frame.type != MessageType::kCall) {
    return Problem(FrameStatus::kMalformedResult, parsed, "not valid JSON");
  }
  if (too_big) {
    parsed.call_error = codec::RpcErrorCode::kTypeConstraintViolation;
    return Problem(FrameStatus::kMalformedCall, parsed, "number out of range");
  }
  return Problem(FrameStatus::kMalformedCall, parsed, "not valid JSON");
}

ParsedFrame ReadFrame(std::string_view text, rapidjson::Document& doc) {
  ParsedFrame parsed;
  if (doc.HasParseError()) {
    return ReadHead(text, doc, doc.GetParseError() == rapidjson::kParseErrorNumberTooBig);
  }
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
  if (f.message_id.empty() || CodePoints(f.message_id) > kMaxMessageIdLength) {
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

}  // namespace

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
