// Entry points for whole messages. Generated code provides, for each message
// type T in its namespace, `bool Decode(const rapidjson::Value&, T&,
// DecodeContext&)`, `void Encode(const T&, JsonWriter&)` and
// `std::optional<DecodeError> Check(const T&)`; these templates find them by ADL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codegen/cpp_support/json_codec.h"

namespace ocpp::codec {

// A `null` payload means "no payload" (OCPP-J 1.6 section 4.2.1) and reads
// as {}: fine for messages without required properties; for the others the
// first missing one is reported (OccurenceConstraintViolation).
template <class T>
std::optional<DecodeError> DecodePayload(const rapidjson::Value& payload, T& out,
                                         DecodeOptions options = {}) {
  if (payload.IsNull()) {
    const rapidjson::Value empty(rapidjson::kObjectType);
    DecodeContext ctx(options);
    if (!Decode(empty, out, ctx)) return ctx.TakeError();
    return std::nullopt;
  }
  if (!payload.IsObject()) {
    return DecodeError{RpcErrorCode::kFormationViolation, "",
                       std::string("payload must be a JSON object, got ") + JsonTypeName(payload)};
  }
  DecodeContext ctx(options);
  if (!Decode(payload, out, ctx)) return ctx.TakeError();
  return std::nullopt;
}

template <class T>
std::optional<DecodeError> DecodeJson(std::string_view text, T& out, DecodeOptions options = {}) {
  // Parsed in place in a reused buffer: the DOM then copies no strings.
  // (The in-place parser stops at NUL, which JSON text never holds.)
  thread_local std::string buffer;
  if (text.find('\0') != std::string_view::npos) {
    return DecodeError{RpcErrorCode::kFormationViolation, "", "payload is not valid JSON"};
  }
  buffer.assign(text.data(), text.size());
  rapidjson::Document doc;
  doc.ParseInsitu<kParseFlags>(&buffer[0]);
  if (doc.HasParseError()) {
    return DecodeError{RpcErrorCode::kFormationViolation, "", "payload is not valid JSON"};
  }
  return DecodePayload(doc, out, options);
}

// The first schema violation an outgoing message holds (an empty array where
// one item is required, a limit that is not a multiple of 0.1, ...).
template <class T>
std::optional<DecodeError> CheckMessage(const T& message) {
  DecodeContext ctx;
  if (!Validate(message, ctx)) return ctx.TakeError();
  return std::nullopt;
}

template <class T>
void EncodeTo(const T& message, rapidjson::StringBuffer& buffer, EncodeOptions options = {}) {
  JsonWriter::Writer writer(buffer);
  JsonWriter json(writer, options);
  Encode(message, json);
}

template <class T>
std::string EncodeJson(const T& message, EncodeOptions options = {}) {
  rapidjson::StringBuffer buffer;
  EncodeTo(message, buffer, options);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ocpp::codec
