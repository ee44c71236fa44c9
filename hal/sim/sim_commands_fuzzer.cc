// libFuzzer target: the simulator's stdin control language. The input is fed
// like stdin (split at '\n') and also as one raw line. Checked on every input:
//  - nothing crashes, leaks or trips a sanitizer;
//  - each line is exactly one of: blank, a command, or one printable
//    "error: ..." line of bounded length;
//  - a parsed command formats to a line that parses back to it;
//  - applying the commands to a SimHardware keeps the meter monotonic.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/clock.h"
#include "hal/sim/sim_commands.h"
#include "hal/sim/sim_hardware.h"

namespace {

using ocpp::hal::sim::ParseCommandLine;
using ocpp::hal::sim::ParsedLine;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckErrorLine(const std::string& error) {
  Check(error.rfind("error: ", 0) == 0);
  Check(error.size() <= 200);
  for (char c : error) Check(c >= 0x20 && c <= 0x7e);
}

ParsedLine ParseAndCheck(std::string_view line) {
  ParsedLine parsed = ParseCommandLine(line);
  if (!parsed.ok()) {
    Check(!parsed.command.has_value());
    CheckErrorLine(parsed.error);
  } else if (parsed.command) {
    const ParsedLine again = ParseCommandLine(ocpp::hal::sim::FormatCommand(*parsed.command));
    Check(again.ok() && again.command == parsed.command);
  }
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseAndCheck(input);

  ocpp::base::FakeClock clock;
  ocpp::hal::sim::SimHardware::Options options;
  options.connectors = 2;
  ocpp::hal::sim::SimHardware hardware(clock, options);
  hardware.sim_connector(1).SetStateObserver([](ocpp::hal::PilotState) {});
  hardware.SetTagObserver([](const std::string& tag) { Check(!tag.empty() && tag.size() <= 20); });
  std::int64_t last_wh = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const ParsedLine parsed = ParseAndCheck(input.substr(start, end - start));
    if (parsed.command && !ocpp::hal::sim::IsQuit(*parsed.command)) {
      const std::string error = ocpp::hal::sim::ApplyCommand(hardware, *parsed.command);
      Check(error.empty() || error.rfind("error: ", 0) == 0);
      // Let the vehicle charge whenever it asks, so energy actually flows.
      if (ocpp::hal::VehicleRequestsEnergy(hardware.sim_connector(1).ReadState())) {
        hardware.sim_connector(1).Close();
      } else {
        hardware.sim_connector(1).Open();
      }
    }
    clock.Advance(std::chrono::minutes(7));
    hardware.Poll();
    const std::int64_t wh = hardware.sim_connector(1).ReadEnergyActiveImportWh().value_or(-1);
    Check(wh >= last_wh);
    last_wh = wh;
    start = end + 1;
  }
  return 0;
}
