// The station simulator's stdin control language
// (docs/station-sim-interface.md, "Control: standard input"):
//
//   cp A|B|C|D|E [N]   control pilot state set by the vehicle on connector N
//   rfid TAG           a card with idTag TAG is presented (one reader)
//   power W [N]        the vehicle on connector N draws W watts while charging
//   fault CODE [N]     connector N reports ChargePointErrorCode CODE (fault
//                      NoError clears); N = 0 is the station as a whole
//   Without N a command addresses connector 1 (single-connector scripts keep
//   working). N is 1..8 (0..8 for fault); ApplyCommand checks it against the
//   station's connector count.
//   quit             graceful shutdown (handled by station_sim, not here)
//
// Lexical rules, applied in this order so any byte string is safe to parse:
//  - One line per call. A trailing "\n" and then a trailing "\r" are
//    dropped (CRLF from Windows tools works); after that the line may be at
//    most kMaxCommandLineBytes bytes.
//  - Only printable ASCII (0x20..0x7E) and tab are allowed; anything else
//    (control bytes, NUL, DEL, UTF-8) rejects the whole line.
//  - Tokens are separated by runs of spaces/tabs; leading and trailing
//    blanks are ignored. A blank line is neither a command nor an error.
//  - Case: the command word, the pilot letter and the fault code are
//    case-insensitive ("CP c", "fault groundfailure"); TAG is kept exactly as
//    typed (idTag is a CiString20 of 1..20 printable characters, no blanks).
//  - N is one decimal digit.
//  - W is decimal digits only (no sign, no exponent), 0..kMaxPowerDrawW.
//  - "cp F" is rejected: only the EVSE drives state F.
// Errors are one line starting "error: ", quoting at most 32 characters of
// the offending token (the input is printable by then).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "hal/control_pilot.h"
#include "hal/fault_monitor.h"
#include "hal/sim/sim_hardware.h"

namespace ocpp::hal::sim {

inline constexpr std::size_t kMaxCommandLineBytes = 256;

struct SetPilotCommand {
  PilotState state;
  int connector = 1;
  friend bool operator==(const SetPilotCommand& a, const SetPilotCommand& b) {
    return a.state == b.state && a.connector == b.connector;
  }
};

struct PresentTagCommand {
  std::string id_tag;
  friend bool operator==(const PresentTagCommand& a, const PresentTagCommand& b) {
    return a.id_tag == b.id_tag;
  }
};

struct SetPowerCommand {
  std::int32_t watts;
  int connector = 1;
  friend bool operator==(const SetPowerCommand& a, const SetPowerCommand& b) {
    return a.watts == b.watts && a.connector == b.connector;
  }
};

struct SetFaultCommand {
  Fault fault;
  int connector = 1;  // 0: the station as a whole
  friend bool operator==(const SetFaultCommand& a, const SetFaultCommand& b) {
    return a.fault == b.fault && a.connector == b.connector;
  }
};

struct QuitCommand {
  friend bool operator==(const QuitCommand&, const QuitCommand&) { return true; }
};

using Command =
    std::variant<SetPilotCommand, PresentTagCommand, SetPowerCommand, SetFaultCommand, QuitCommand>;

// The outcome of one line: a command, an error, or (blank line) neither.
struct ParsedLine {
  std::optional<Command> command;
  std::string error;  // "error: ...", one line, no newline; empty unless rejected

  bool ok() const { return error.empty(); }
  bool blank() const { return ok() && !command.has_value(); }
};

// Never fails on any input, never reads past `line`, and does work linear in
// min(line.size(), kMaxCommandLineBytes).
ParsedLine ParseCommandLine(std::string_view line);

// The canonical line for `command` (no newline). For every command that
// ParseCommandLine can return, parsing this line yields it again. Lets C++
// test drivers write station_sim's stdin.
std::string FormatCommand(const Command& command);

bool IsQuit(const Command& command);

// Applies a hardware command to the simulator. QuitCommand is not a hardware
// event and is ignored here: station_sim checks IsQuit() itself. Returns ""
// or a one-line "error: ..." when the connector does not exist.
std::string ApplyCommand(SimHardware& hardware, const Command& command);

}  // namespace ocpp::hal::sim
