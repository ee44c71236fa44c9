// What generated decoders and encoders share: the decode error with its JSON
// pointer and OCPP-J error code, scalar decoders, and the writer wrapper.
//
// Error mapping (one rule per kind of violation, OCPP-J 1.6 section 4.2.3):
//   payload is not a JSON object, or has a property the schema forbids
//                                                   -> FormationViolation
//   a required property is missing, an array is shorter than minItems
//                                                   -> OccurenceConstraintViolation
//   a value has the wrong JSON type, is not an integer where one is needed,
//   does not fit its integer type (32 bits; 64 for ids), or is not a valid
//   date-time / uri
//                                                   -> TypeConstraintViolation
//   a string is longer than maxLength, an enum value is unknown, a number is
//   not a multiple of multipleOf                    -> PropertyConstraintViolation
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/cpp_support/ci_string.h"
#include "codegen/cpp_support/date_time.h"
#include "codegen/cpp_support/decimal.h"
#include "codegen/cpp_support/rpc_error_code.h"

namespace ocpp::codec {

// The parse flags every decoder uses for untrusted text: no recursion, so
// deep nesting cannot exhaust the stack. UTF-8 is not validated by the
// parser but by the decoders, only in the strings they keep (IsValidUtf8);
// keys and enum values are compared with ASCII names instead. Numbers use
// RapidJSON's fast path, which is correctly rounded for the short literals
// that Decimal accepts (at most 6 fraction digits).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

struct DecodeError {
  RpcErrorCode code = RpcErrorCode::kGenericError;
  std::string pointer;  // RFC 6901 JSON pointer into the payload, "" = the payload itself
  std::string message;
};

struct DecodeOptions {
  // Ignore properties the schema does not know instead of rejecting them,
  // for central systems that send extra fields.
  bool lenient_unknown_properties = false;
  // Accept, for an integer property, any JSON number whose value is an exact
  // integer in range: 10.0, 1e1, 1.0E3 (Java and JavaScript stacks write
  // integers like that). The literal is read as an IEEE double first, so
  // only magnitudes below 2^53 qualify (there every integer is exact) and a
  // literal of more than ~15 significant digits counts as the integer it
  // rounds to, as it does for the JavaScript peer that wrote it. Numbers
  // written without fraction or exponent are exact up to 64 bits anyway.
  bool accept_integral_numbers = true;
};

// Collects the first violation. The pointer is built on the way out of the
// failing decoder (Prefix), so a successful decode costs nothing for it.
class DecodeContext {
 public:
  explicit DecodeContext(DecodeOptions options = {}) : options_(options) {}

  bool lenient() const { return options_.lenient_unknown_properties; }
  const DecodeOptions& options() const { return options_; }

  // Records a violation at the current value; always returns false.
  bool Fail(RpcErrorCode code, std::string message);
  // Records a violation at child `key` of the current value; returns false.
  bool FailAt(std::string_view key, RpcErrorCode code, std::string message);
  // Adds the parent's segment in front of the error pointer; returns false.
  bool Prefix(std::string_view key);
  bool PrefixIndex(std::size_t index);

  const DecodeError& error() const { return error_; }
  DecodeError TakeError() { return std::move(error_); }

 private:
  DecodeOptions options_;
  DecodeError error_;
};

inline std::string_view View(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

const char* JsonTypeName(const rapidjson::Value& v);

bool DecodeInteger(const rapidjson::Value& v, std::int32_t& out, DecodeContext& ctx);
bool DecodeInteger(const rapidjson::Value& v, std::int64_t& out, DecodeContext& ctx);
bool DecodeBoolean(const rapidjson::Value& v, bool& out, DecodeContext& ctx);
bool DecodeNumber(const rapidjson::Value& v, double& out, DecodeContext& ctx);
bool DecodeDecimal(const rapidjson::Value& v, Decimal& out, std::optional<Decimal> multiple_of,
                   DecodeContext& ctx);
bool DecodeString(const rapidjson::Value& v, std::string& out, DecodeContext& ctx);
bool DecodeDateTime(const rapidjson::Value& v, DateTime& out, DecodeContext& ctx);
bool CheckUri(std::string_view text, DecodeContext& ctx);
bool FailLength(std::size_t max_length, DecodeContext& ctx);
bool FailEncoding(DecodeContext& ctx);

template <std::size_t N>
bool DecodeCiString(const rapidjson::Value& v, CiString<N>& out, DecodeContext& ctx) {
  if (!v.IsString()) {
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation,
                    std::string("expected string, got ") + JsonTypeName(v));
  }
  const std::string_view text = View(v);
  if (!IsValidUtf8(text)) return FailEncoding(ctx);
  if (!out.Assign(text)) return FailLength(N, ctx);
  return true;
}

bool CheckMinItems(const rapidjson::Value& array, std::size_t min_items, DecodeContext& ctx);

template <std::size_t N>
bool CheckUri(const CiString<N>& text, DecodeContext& ctx) {
  return CheckUri(text.view(), ctx);
}

inline bool DecodeUri(const rapidjson::Value& v, std::string& out, DecodeContext& ctx) {
  return DecodeString(v, out, ctx) && CheckUri(out, ctx);
}

template <std::size_t N>
bool DecodeUri(const rapidjson::Value& v, CiString<N>& out, DecodeContext& ctx) {
  return DecodeCiString(v, out, ctx) && CheckUri(out.view(), ctx);
}

template <class T, class DecodeItem>
bool DecodeArray(const rapidjson::Value& v, std::vector<T>& out, std::size_t min_items,
                 DecodeContext& ctx, DecodeItem decode_item) {
  if (!v.IsArray()) {
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation,
                    std::string("expected array, got ") + JsonTypeName(v));
  }
  if (!CheckMinItems(v, min_items, ctx)) return false;
  out.resize(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    if (!decode_item(v[i], out[i], ctx)) return ctx.PrefixIndex(i);
  }
  return true;
}

// Checks for outgoing messages: what the C++ types alone cannot rule out.
bool CheckDecimal(Decimal value, Decimal multiple_of, DecodeContext& ctx);
bool CheckEnum(bool in_range, DecodeContext& ctx);

template <class T, class CheckItem>
bool CheckArray(const std::vector<T>& items, std::size_t min_items, DecodeContext& ctx,
                CheckItem check_item) {
  if (items.size() < min_items) {
    return ctx.Fail(RpcErrorCode::kOccurenceConstraintViolation,
                    "array needs at least " + std::to_string(min_items) + " items");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!check_item(items[i], ctx)) return ctx.PrefixIndex(i);
  }
  return true;
}

struct EncodeOptions {
  DateTime::Precision date_time_precision = DateTime::Precision::kSeconds;
};

// Thin wrapper over rapidjson::Writer: encoders write straight to it, no DOM.
class JsonWriter {
 public:
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

  explicit JsonWriter(Writer& writer, EncodeOptions options = {}) : w_(writer), options_(options) {}

  Writer& raw() { return w_; }
  void StartObject() { w_.StartObject(); }
  void EndObject() { w_.EndObject(); }
  void StartArray() { w_.StartArray(); }
  void EndArray() { w_.EndArray(); }
  void Key(std::string_view key) {
    w_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }
  void String(std::string_view s) {
    w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
  template <std::size_t N>
  void String(const CiString<N>& s) {
    String(s.view());
  }
  void Integer(std::int32_t value) { w_.Int(value); }
  void Integer(std::int64_t value) { w_.Int64(value); }
  void Boolean(bool value) { w_.Bool(value); }
  void Number(double value) { w_.Double(value); }
  void Number(Decimal value) {
    char buffer[40];
    const std::size_t n = value.Format(buffer);
    w_.RawValue(buffer, n, rapidjson::kNumberType);
  }
  void Timestamp(DateTime value) {
    char buffer[32];
    const std::size_t n = value.Format(buffer, options_.date_time_precision);
    String(std::string_view(buffer, n));
  }

 private:
  Writer& w_;
  EncodeOptions options_;
};

}  // namespace ocpp::codec
