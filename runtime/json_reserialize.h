// Re-serialising untrusted JSON (received frames) for traces, logs and
// echoes without recursion: RapidJSON's iterative parser drives a Writer
// event by event, so no nesting depth can exhaust the stack (a DOM's
// Accept() recurses once per level).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocpp::runtime {

// Appends `text` compactly to `out` as one JSON value. Numbers are copied as
// written (10.0 stays 10.0; beyond a double, e.g. 1e400, RapidJSON refuses
// them); strings must be valid UTF-8. Returns false and writes nothing when
// `text` is not valid JSON.
bool ReserializeJson(std::string_view text, rapidjson::Writer<rapidjson::StringBuffer>& out);
// The same as a string; nullopt when `text` is not valid JSON.
std::optional<std::string> ReserializeJson(std::string_view text);

// Replaces secrets in a frame before it is traced or logged: in every
// object whose "key" is one of `secret_keys` (ASCII case-insensitive, as
// OCPP configuration keys are), the "value" becomes "***" -- so
// ChangeConfiguration.req and GetConfiguration.conf entries alike. A frame
// that mentions no secret key is returned as is; an unparseable one that
// might is withheld.
std::string MaskSecrets(std::string_view frame, const std::vector<std::string>& secret_keys);

}  // namespace ocpp::runtime
