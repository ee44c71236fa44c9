#include "codegen/cpp_support/json_codec.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <string>

namespace ocpp::codec {
namespace {

// RFC 6901: '~' -> "~0", '/' -> "~1".
std::string PointerSegment(std::string_view key) {
  std::string out = "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool DecodeContext::Fail(RpcErrorCode code, std::string message) {
  error_.code = code;
  error_.pointer.clear();
  error_.message = std::move(message);
  return false;
}

bool DecodeContext::FailAt(std::string_view key, RpcErrorCode code, std::string message) {
  Fail(code, std::move(message));
  return Prefix(key);
}

bool DecodeContext::Prefix(std::string_view key) {
  error_.pointer.insert(0, PointerSegment(key));
  return false;
}

bool DecodeContext::PrefixIndex(std::size_t index) {
  error_.pointer.insert(0, "/" + std::to_string(index));
  return false;
}

const char* JsonTypeName(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return v.IsInt64() || v.IsUint64() ? "integer" : "number";
  }
  return "value";
}

namespace {
bool WrongType(const char* expected, const rapidjson::Value& v, DecodeContext& ctx) {
  return ctx.Fail(RpcErrorCode::kTypeConstraintViolation,
                  std::string("expected ") + expected + ", got " + JsonTypeName(v));
}
}  // namespace

// A number written with a fraction or exponent (10.0, 1e1) whose double
// value is an integer below 2^53 in magnitude, when the options allow it.
static std::optional<std::int64_t> IntegralDouble(const rapidjson::Value& v,
                                                  const DecodeContext& ctx) {
  if (!v.IsDouble() || !ctx.options().accept_integral_numbers) return std::nullopt;
  const double d = v.GetDouble();
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (!(std::fabs(d) < kExact) || std::trunc(d) != d) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

bool DecodeInteger(const rapidjson::Value& v, std::int32_t& out, DecodeContext& ctx) {
  if (v.IsInt()) {
    out = v.GetInt();
    return true;
  }
  if (const auto integral = IntegralDouble(v, ctx)) {
    if (*integral >= INT32_MIN && *integral <= INT32_MAX) {
      out = static_cast<std::int32_t>(*integral);
      return true;
    }
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "integer does not fit in 32 bits");
  }
  if (v.IsInt64() || v.IsUint64()) {
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "integer does not fit in 32 bits");
  }
  return WrongType("integer", v, ctx);
}

bool DecodeInteger(const rapidjson::Value& v, std::int64_t& out, DecodeContext& ctx) {
  if (v.IsInt64()) {
    out = v.GetInt64();
    return true;
  }
  if (const auto integral = IntegralDouble(v, ctx)) {
    out = *integral;
    return true;
  }
  if (v.IsUint64()) {
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "integer does not fit in 64 bits");
  }
  return WrongType("integer", v, ctx);
}

bool DecodeBoolean(const rapidjson::Value& v, bool& out, DecodeContext& ctx) {
  if (!v.IsBool()) return WrongType("boolean", v, ctx);
  out = v.GetBool();
  return true;
}

bool DecodeNumber(const rapidjson::Value& v, double& out, DecodeContext& ctx) {
  if (!v.IsNumber()) return WrongType("number", v, ctx);
  out = v.GetDouble();
  return true;
}

bool DecodeDecimal(const rapidjson::Value& v, Decimal& out, std::optional<Decimal> multiple_of,
                   DecodeContext& ctx) {
  if (!v.IsNumber()) return WrongType("number", v, ctx);
  std::optional<Decimal> value;
  if (v.IsInt64()) {
    const std::int64_t i = v.GetInt64();
    if (i > INT64_MAX / Decimal::kScale || i < INT64_MIN / Decimal::kScale) {
      return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "number out of range");
    }
    value = Decimal::FromInteger(i);
  } else {
    const double d = v.GetDouble();
    // Fast path: d is exactly some count of millionths r when r / 1e6
    // rounds back to d (below 9e9 doubles are closer than 1e-6 apart, so
    // r is unique and equals what the sender wrote).
    const double scaled = std::nearbyint(d * 1e6);
    if (std::fabs(d) < 9e9 && scaled / 1e6 == d) {
      value = Decimal::FromMillionths(static_cast<std::int64_t>(scaled));
    } else {
      value = Decimal::FromDouble(d);
    }
  }
  if (!value) {
    // Finer than a millionth can never be a multiple of the OCPP steps (0.1).
    return ctx.Fail(multiple_of ? RpcErrorCode::kPropertyConstraintViolation
                                : RpcErrorCode::kTypeConstraintViolation,
                    "number is not representable as an exact decimal");
  }
  if (multiple_of && !value->IsMultipleOf(*multiple_of)) {
    return ctx.Fail(RpcErrorCode::kPropertyConstraintViolation,
                    "number is not a multiple of " + multiple_of->ToString());
  }
  out = *value;
  return true;
}

bool DecodeString(const rapidjson::Value& v, std::string& out, DecodeContext& ctx) {
  if (!v.IsString()) return WrongType("string", v, ctx);
  if (!IsValidUtf8(View(v))) return FailEncoding(ctx);
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}

bool DecodeDateTime(const rapidjson::Value& v, DateTime& out, DecodeContext& ctx) {
  if (!v.IsString()) return WrongType("date-time string", v, ctx);
  const auto parsed = DateTime::Parse(View(v));
  if (!parsed) {
    return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "not an RFC 3339 date-time");
  }
  out = *parsed;
  return true;
}

bool CheckUri(std::string_view text, DecodeContext& ctx) {
  // RFC 3986 absolute URI: scheme ":" then no whitespace or control chars.
  std::size_t colon = text.find(':');
  bool ok = colon != std::string_view::npos && colon > 0 &&
            ((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z'));
  for (std::size_t i = 0; ok && i < colon; ++i) {
    const char c = text[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.';
  }
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    ok = c > 0x20 && c != 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' &&
         c != '`' && c != '{' && c != '|' && c != '}';
  }
  if (!ok) return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "not a URI");
  return true;
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong lead (C0/C1) or > F4
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

bool FailEncoding(DecodeContext& ctx) {
  return ctx.Fail(RpcErrorCode::kTypeConstraintViolation, "string is not valid UTF-8");
}

bool FailLength(std::size_t max_length, DecodeContext& ctx) {
  return ctx.Fail(RpcErrorCode::kPropertyConstraintViolation,
                  "string longer than " + std::to_string(max_length) + " characters");
}

bool CheckMinItems(const rapidjson::Value& array, std::size_t min_items, DecodeContext& ctx) {
  if (array.Size() < min_items) {
    return ctx.Fail(RpcErrorCode::kOccurenceConstraintViolation,
                    "array needs at least " + std::to_string(min_items) + " items");
  }
  return true;
}

bool CheckDecimal(Decimal value, Decimal multiple_of, DecodeContext& ctx) {
  if (value.IsMultipleOf(multiple_of)) return true;
  return ctx.Fail(RpcErrorCode::kPropertyConstraintViolation,
                  "number is not a multiple of " + multiple_of.ToString());
}

bool CheckEnum(bool in_range, DecodeContext& ctx) {
  if (in_range) return true;
  return ctx.Fail(RpcErrorCode::kPropertyConstraintViolation, "enum value out of range");
}

}  // namespace ocpp::codec
