// The stored record format of the transaction message queue and the JSON
// edits the queue makes to payloads (see durable_queue_internal.h).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstdlib>

#include "runtime/durable_queue_internal.h"

namespace ocpp::runtime::queue_internal {
namespace {

using base::Result;
using base::Status;
using base::StatusCode;

// Version of the record format below.
constexpr int kRecordVersion = 1;

constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag;

const char* KindTag(TransactionMessageKind kind) {
  switch (kind) {
    case TransactionMessageKind::kStart:
      return "start";
    case TransactionMessageKind::kStop:
      return "stop";
    case TransactionMessageKind::kMeterValues:
      return "meter";
  }
  return "?";
}

std::optional<TransactionMessageKind> KindFromTag(std::string_view tag) {
  for (TransactionMessageKind kind : {TransactionMessageKind::kStart, TransactionMessageKind::kStop,
                                      TransactionMessageKind::kMeterValues}) {
    if (tag == KindTag(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace

// Whether the queue owns the message's "transactionId" property.
bool CarriesTransactionId(const TransactionMessage& message) {
  return message.kind != TransactionMessageKind::kStart &&
         message.local_transaction_id != kNoTransaction;
}

// One stored record: {"v":1,"kind":"stop","action":"StopTransaction",
// "tx":3,"attempts":0,"payload":"{...}"}. The payload is kept as text so it
// is sent byte for byte as stored.
std::string EncodeRecord(const TransactionMessage& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("v");
  writer.Int(kRecordVersion);
  writer.Key("kind");
  writer.String(KindTag(message.kind));
  writer.Key("action");
  writer.String(message.action.data(), static_cast<rapidjson::SizeType>(message.action.size()));
  writer.Key("tx");
  writer.Int64(message.local_transaction_id);
  writer.Key("attempts");
  writer.Int(message.attempts);
  writer.Key("payload");
  writer.String(message.payload.data(), static_cast<rapidjson::SizeType>(message.payload.size()));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<TransactionMessage> DecodeRecord(const hal::MessageLog::Record& record) {
  auto bad = [&record](const std::string& why) {
    return Status(StatusCode::kDataLoss,
                  "queue record " + std::to_string(record.seq) + " is invalid: " + why);
  };
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(record.data.data(), record.data.size());
  if (doc.HasParseError()) return bad(rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) return bad("not an object");
  auto member = [&doc](const char* name) -> const rapidjson::Value* {
    auto it = doc.FindMember(name);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  const rapidjson::Value* version = member("v");
  if (version == nullptr || !version->IsInt() || version->GetInt() != kRecordVersion) {
    return bad("unknown record version");
  }
  const rapidjson::Value* kind = member("kind");
  const rapidjson::Value* action = member("action");
  const rapidjson::Value* tx = member("tx");
  const rapidjson::Value* attempts = member("attempts");
  const rapidjson::Value* payload = member("payload");
  if (kind == nullptr || !kind->IsString() || action == nullptr || !action->IsString() ||
      tx == nullptr || !tx->IsInt64() || attempts == nullptr || !attempts->IsInt() ||
      payload == nullptr || !payload->IsString()) {
    return bad("missing or mistyped field");
  }
  std::optional<TransactionMessageKind> parsed_kind =
      KindFromTag(std::string_view(kind->GetString(), kind->GetStringLength()));
  if (!parsed_kind) return bad("unknown kind");
  TransactionMessage message;
  message.seq = record.seq;
  message.kind = *parsed_kind;
  message.action.assign(action->GetString(), action->GetStringLength());
  message.local_transaction_id = tx->GetInt64();
  message.attempts = attempts->GetInt();
  message.payload.assign(payload->GetString(), payload->GetStringLength());
  if (message.action != ActionName(message.kind) || message.local_transaction_id < 0 ||
      message.attempts < 0) {
    return bad("inconsistent fields");
  }
  return message;
}

// Reads the payload's "transactionId" if it is an integer.
std::optional<std::int64_t> PayloadTransactionId(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto it = doc.FindMember("transactionId");
  if (it == doc.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

// `payload` with its "transactionId" property set to `id` (added at the end
// when missing; duplicates removed). Everything else keeps its order.
Result<std::string> WithTransactionId(std::string_view payload, std::int64_t id) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("payload is not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) {
    return Status(StatusCode::kInvalidArgument, "payload is not a JSON object");
  }
  bool found = false;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd();) {
    if (it->name == "transactionId") {
      if (found) {
        it = doc.EraseMember(it);
        continue;
      }
      it->value.SetInt64(id);
      found = true;
    }
    ++it;
  }
  if (!found) doc.AddMember("transactionId", rapidjson::Value(id), doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status ValidateObject(std::string_view payload) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(payload.data(), payload.size());
  if (doc.HasParseError()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("payload is not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status(StatusCode::kInvalidArgument, "payload is not a JSON object");
  return base::OkStatus();
}

std::string Describe(const TransactionMessage& message) {
  std::string text = message.action + " #" + std::to_string(message.seq);
  if (message.local_transaction_id != kNoTransaction) {
    text += " (local transaction " + std::to_string(message.local_transaction_id) + ")";
  }
  return text;
}

Result<std::int64_t> ParseInt64(const std::string& text) {
  if (text.empty()) return Status(StatusCode::kDataLoss, "empty number");
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0') {
    return Status(StatusCode::kDataLoss, "not a number: '" + text + "'");
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace ocpp::runtime::queue_internal
