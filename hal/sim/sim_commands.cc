#include "hal/sim/sim_commands.h"

#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

namespace ocpp::hal::sim {
namespace {

// Longest part of a token echoed back in an error message.
constexpr std::size_t kMaxQuotedChars = 32;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsPrintable(char c) { return c >= 0x20 && c <= 0x7e; }

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// 'token', shortened to kMaxQuotedChars characters plus "...".
std::string Quote(std::string_view token) {
  std::string quoted = "'";
  quoted += token.substr(0, kMaxQuotedChars);
  if (token.size() > kMaxQuotedChars) quoted += "...";
  quoted += "'";
  return quoted;
}

ParsedLine Error(std::string message) {
  ParsedLine parsed;
  parsed.error = "error: " + std::move(message);
  return parsed;
}

ParsedLine Ok(Command command) {
  ParsedLine parsed;
  parsed.command = std::move(command);
  return parsed;
}

std::vector<std::string_view> Tokenize(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

// The optional connector number after `count` arguments: 1 when absent.
// False (with `error` set) when it is not a digit from `min` to kMaxConnectors.
bool ParseConnector(const std::vector<std::string_view>& args, std::size_t count, int min,
                    const char* verb, int* connector, std::string* error) {
  *connector = 1;
  if (args.size() <= count) return true;
  const std::string_view token = args[count];
  if (args.size() > count + 1 || token.size() != 1 || token[0] < '0' + min ||
      token[0] > '0' + kMaxConnectors) {
    *error = std::string(verb) + ": connector must be a number from " + std::to_string(min) +
             " to " + std::to_string(kMaxConnectors) + ", got " + Quote(token);
    return false;
  }
  *connector = token[0] - '0';
  return true;
}

ParsedLine ParsePilot(const std::vector<std::string_view>& args) {
  constexpr const char* kExpected = "cp expects one pilot state A, B, C, D or E";
  if (args.empty() || args.size() > 2) return Error(kExpected);
  int n = 1;
  std::string error;
  if (!ParseConnector(args, 1, 1, "cp", &n, &error)) return Error(error);
  if (args[0].size() == 1) {
    switch (ToLower(args[0][0])) {
      case 'a':
        return Ok(SetPilotCommand{PilotState::kA, n});
      case 'b':
        return Ok(SetPilotCommand{PilotState::kB, n});
      case 'c':
        return Ok(SetPilotCommand{PilotState::kC, n});
      case 'd':
        return Ok(SetPilotCommand{PilotState::kD, n});
      case 'e':
        return Ok(SetPilotCommand{PilotState::kE, n});
      case 'f':
        return Error("cp F is driven by the EVSE, not the vehicle; use A, B, C, D or E");
      default:
        break;
    }
  }
  return Error(std::string(kExpected) + ", got " + Quote(args[0]));
}

ParsedLine ParseTag(const std::vector<std::string_view>& args) {
  if (args.empty()) return Error("rfid expects an idTag");
  if (args.size() > 1) return Error("rfid expects one idTag without blanks");
  if (args[0].size() > kMaxIdTagLength) {
    return Error("rfid idTag is " + std::to_string(args[0].size()) + " characters, at most " +
                 std::to_string(kMaxIdTagLength) + " (CiString20)");
  }
  return Ok(PresentTagCommand{std::string(args[0])});
}

ParsedLine ParsePower(const std::vector<std::string_view>& args) {
  const std::string expected =
      "power expects watts as an integer from 0 to " + std::to_string(kMaxPowerDrawW);
  if (args.empty() || args.size() > 2) return Error(expected);
  int n = 1;
  std::string error;
  if (!ParseConnector(args, 1, 1, "power", &n, &error)) return Error(error);
  std::int64_t watts = 0;
  for (char c : args[0]) {
    if (c < '0' || c > '9') return Error(expected + ", got " + Quote(args[0]));
    watts = watts * 10 + (c - '0');
    // Stops before overflow however many digits follow.
    if (watts > kMaxPowerDrawW) return Error(expected + ", got " + Quote(args[0]));
  }
  return Ok(SetPowerCommand{static_cast<std::int32_t>(watts), n});
}

ParsedLine ParseFault(const std::vector<std::string_view>& args) {
  if (args.empty() || args.size() > 2) {
    return Error("fault expects one ChargePointErrorCode, e.g. GroundFailure (NoError clears)");
  }
  for (int i = 0; i <= static_cast<int>(Fault::kWeakSignal); ++i) {
    const auto fault = static_cast<Fault>(i);
    if (!EqualsIgnoreCase(args[0], ToString(fault))) continue;
    int n = 1;
    std::string error;
    if (!ParseConnector(args, 1, 0, "fault", &n, &error)) return Error(error);
    return Ok(SetFaultCommand{fault, n});
  }
  return Error("unknown fault code " + Quote(args[0]) +
               "; use an OCPP ChargePointErrorCode such as GroundFailure, or NoError to clear");
}

}  // namespace

ParsedLine ParseCommandLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxCommandLineBytes) {
    return Error("line is " + std::to_string(line.size()) + " bytes, at most " +
                 std::to_string(kMaxCommandLineBytes));
  }
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (!IsPrintable(c) && c != '\t') {
      char message[80];
      std::snprintf(message, sizeof(message), "byte 0x%02X at column %zu is not printable ASCII",
                    static_cast<unsigned>(static_cast<unsigned char>(c)), i + 1);
      return Error(message);
    }
  }

  std::vector<std::string_view> tokens = Tokenize(line);
  if (tokens.empty()) return ParsedLine{};
  const std::string_view verb = tokens.front();
  tokens.erase(tokens.begin());

  if (EqualsIgnoreCase(verb, "cp")) return ParsePilot(tokens);
  if (EqualsIgnoreCase(verb, "rfid")) return ParseTag(tokens);
  if (EqualsIgnoreCase(verb, "power")) return ParsePower(tokens);
  if (EqualsIgnoreCase(verb, "fault")) return ParseFault(tokens);
  if (EqualsIgnoreCase(verb, "quit")) {
    if (!tokens.empty()) return Error("quit takes no arguments");
    return Ok(QuitCommand{});
  }
  return Error("unknown command " + Quote(verb) + "; expected cp, rfid, power, fault or quit");
}

namespace {

// " N" for a connector other than the default 1.
std::string ConnectorSuffix(int connector) {
  return connector == 1 ? std::string() : " " + std::to_string(connector);
}

}  // namespace

std::string FormatCommand(const Command& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SetPilotCommand>) {
          return std::string("cp ") + ToString(c.state) + ConnectorSuffix(c.connector);
        } else if constexpr (std::is_same_v<T, PresentTagCommand>) {
          return "rfid " + c.id_tag;
        } else if constexpr (std::is_same_v<T, SetPowerCommand>) {
          return "power " + std::to_string(c.watts) + ConnectorSuffix(c.connector);
        } else if constexpr (std::is_same_v<T, SetFaultCommand>) {
          return std::string("fault ") + ToString(c.fault) + ConnectorSuffix(c.connector);
        } else {
          static_assert(std::is_same_v<T, QuitCommand>);
          return "quit";
        }
      },
      command);
}

bool IsQuit(const Command& command) { return std::holds_alternative<QuitCommand>(command); }

std::string ApplyCommand(SimHardware& hardware, const Command& command) {
  const auto missing = [&hardware](int connector) {
    return "error: no connector " + std::to_string(connector) + " (this station has " +
           std::to_string(hardware.connector_count()) + ")";
  };
  return std::visit(
      [&](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, PresentTagCommand>) {
          hardware.PresentTag(c.id_tag);
        } else if constexpr (std::is_same_v<T, QuitCommand>) {
        } else {
          if (c.connector > hardware.connector_count()) return missing(c.connector);
          if constexpr (std::is_same_v<T, SetPilotCommand>) {
            hardware.sim_connector(c.connector).SetPilotState(c.state);
          } else if constexpr (std::is_same_v<T, SetPowerCommand>) {
            hardware.sim_connector(c.connector).SetPowerDrawW(c.watts);
          } else {
            static_assert(std::is_same_v<T, SetFaultCommand>);
            if (c.connector == 0) {
              hardware.SetStationFault(c.fault);
            } else {
              hardware.sim_connector(c.connector).SetFault(c.fault);
            }
          }
        }
        return std::string();
      },
      command);
}

}  // namespace ocpp::hal::sim
