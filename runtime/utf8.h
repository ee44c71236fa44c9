// UTF-8 validation (RFC 3629): WebSocket text must be valid UTF-8 (RFC 6455
// §8.1) and lws checks it on the server side only.
#pragma once

#include <string_view>

namespace ocpp::runtime {

// False for truncated sequences, overlong forms, surrogates (U+D800..DFFF)
// and code points above U+10FFFF.
bool IsValidUtf8(std::string_view text);

}  // namespace ocpp::runtime
