#include "codegen/cpp_support/rpc_error_code.h"

#include <array>
#include <utility>

namespace ocpp::codec {
namespace {

constexpr std::array<std::pair<RpcErrorCode, std::string_view>, 10> kNames{{
    {RpcErrorCode::kNotImplemented, "NotImplemented"},
    {RpcErrorCode::kNotSupported, "NotSupported"},
    {RpcErrorCode::kInternalError, "InternalError"},
    {RpcErrorCode::kProtocolError, "ProtocolError"},
    {RpcErrorCode::kSecurityError, "SecurityError"},
    {RpcErrorCode::kFormationViolation, "FormationViolation"},
    {RpcErrorCode::kPropertyConstraintViolation, "PropertyConstraintViolation"},
    {RpcErrorCode::kOccurenceConstraintViolation, "OccurenceConstraintViolation"},
    {RpcErrorCode::kTypeConstraintViolation, "TypeConstraintViolation"},
    {RpcErrorCode::kGenericError, "GenericError"},
}};

}  // namespace

std::string_view ToString(RpcErrorCode code) {
  for (const auto& [value, name] : kNames) {
    if (value == code) return name;
  }
  return "GenericError";
}

std::optional<RpcErrorCode> RpcErrorCodeFromString(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  // OCPP-J 2.0 fixed the spelling; accept it from peers that send it.
  if (text == "OccurrenceConstraintViolation") return RpcErrorCode::kOccurenceConstraintViolation;
  return std::nullopt;
}

}  // namespace ocpp::codec
