// libFuzzer target: ReserializeJson, the echo of received frames (station_sim
// JSON lines). Properties: no crash at any nesting depth; what it accepts
// comes out as JSON it accepts again, unchanged (compact output is a fixed
// point); a failure leaves the outer writer untouched.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "runtime/json_reserialize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto copy = ocpp::runtime::ReserializeJson(text);
  if (copy) {
    const auto again = ocpp::runtime::ReserializeJson(*copy);
    if (!again || *again != *copy) std::abort();
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  if (ocpp::runtime::ReserializeJson(text, writer) != copy.has_value()) std::abort();
  writer.EndArray();
  if (!writer.IsComplete()) std::abort();
  const std::string expected = copy ? "[" + *copy + "]" : "[]";
  if (expected != buffer.GetString()) std::abort();
  return 0;
}
