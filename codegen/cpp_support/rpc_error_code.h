// OCPP-J 1.6 CALLERROR codes (OCPP-J 1.6 section 4.2.3), with the 1.6
// spellings, including "OccurenceConstraintViolation" as the spec writes it.
#pragma once

#include <optional>
#include <string_view>

namespace ocpp::codec {

enum class RpcErrorCode {
  kNotImplemented,
  kNotSupported,
  kInternalError,
  kProtocolError,
  kSecurityError,
  kFormationViolation,
  kPropertyConstraintViolation,
  kOccurenceConstraintViolation,
  kTypeConstraintViolation,
  kGenericError,
};

std::string_view ToString(RpcErrorCode code);
std::optional<RpcErrorCode> RpcErrorCodeFromString(std::string_view text);

}  // namespace ocpp::codec
