#include "hal/sim/sim_commands.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hal/sim/sim_hardware.h"

namespace ocpp::hal::sim {
namespace {

struct ValidCase {
  std::string line;
  Command expected;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << '"' << c.line << '"'; }

class ValidLineTest : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidLineTest, Parses) {
  const ParsedLine parsed = ParseCommandLine(GetParam().line);
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  ASSERT_TRUE(parsed.command.has_value());
  EXPECT_TRUE(*parsed.command == GetParam().expected) << FormatCommand(*parsed.command);
}

INSTANTIATE_TEST_SUITE_P(
    Commands, ValidLineTest,
    testing::Values(
        ValidCase{"cp A", SetPilotCommand{PilotState::kA}},
        ValidCase{"cp B", SetPilotCommand{PilotState::kB}},
        ValidCase{"cp C", SetPilotCommand{PilotState::kC}},
        ValidCase{"cp D", SetPilotCommand{PilotState::kD}},
        ValidCase{"cp E", SetPilotCommand{PilotState::kE}},
        // Keywords are case-insensitive; line endings and blanks are lenient.
        ValidCase{"CP c", SetPilotCommand{PilotState::kC}},
        ValidCase{"Cp b\n", SetPilotCommand{PilotState::kB}},
        ValidCase{"cp d\r\n", SetPilotCommand{PilotState::kD}},
        ValidCase{"  \tcp \t A  \t", SetPilotCommand{PilotState::kA}},
        ValidCase{"rfid 04A2B3C4D5", PresentTagCommand{"04A2B3C4D5"}},
        // The tag keeps its case and may use any printable character.
        ValidCase{"RFID aBc-123_!~", PresentTagCommand{"aBc-123_!~"}},
        ValidCase{"rfid 12345678901234567890", PresentTagCommand{"12345678901234567890"}},
        ValidCase{"rfid X", PresentTagCommand{"X"}}, ValidCase{"power 7200", SetPowerCommand{7200}},
        ValidCase{"power 0", SetPowerCommand{0}},
        ValidCase{"power 100000", SetPowerCommand{100000}},
        ValidCase{"power 000000000000000011000", SetPowerCommand{11000}},
        ValidCase{"fault GroundFailure", SetFaultCommand{Fault::kGroundFailure}},
        ValidCase{"fault NoError", SetFaultCommand{Fault::kNoError}},
        ValidCase{"fault highTEMPERATURE", SetFaultCommand{Fault::kHighTemperature}},
        ValidCase{"fault EVCommunicationError", SetFaultCommand{Fault::kEVCommunicationError}},
        ValidCase{"fault WeakSignal", SetFaultCommand{Fault::kWeakSignal}},
        ValidCase{"cp C 2", SetPilotCommand{PilotState::kC, 2}},
        ValidCase{"cp b 1", SetPilotCommand{PilotState::kB, 1}},
        ValidCase{"power 3600 8", SetPowerCommand{3600, 8}},
        ValidCase{"fault GroundFailure 0", SetFaultCommand{Fault::kGroundFailure, 0}},
        ValidCase{"fault NoError 3", SetFaultCommand{Fault::kNoError, 3}},
        ValidCase{"quit", QuitCommand{}}, ValidCase{" QUIT \r\n", QuitCommand{}}));

struct InvalidCase {
  std::string line;
  std::string error;
};

void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << testing::PrintToString(c.line.substr(0, 40));
}

class InvalidLineTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidLineTest, IsRejectedWithAPreciseError) {
  const ParsedLine parsed = ParseCommandLine(GetParam().line);
  EXPECT_FALSE(parsed.ok());
  EXPECT_FALSE(parsed.command.has_value());
  EXPECT_EQ(parsed.error, GetParam().error);
}

const std::string kPilotError = "error: cp expects one pilot state A, B, C, D or E";
const std::string kPowerError = "error: power expects watts as an integer from 0 to 100000";

INSTANTIATE_TEST_SUITE_P(
    Malformed, InvalidLineTest,
    testing::Values(
        InvalidCase{"reboot",
                    "error: unknown command 'reboot'; expected cp, rfid, power, fault or quit"},
        InvalidCase{"cpA", "error: unknown command 'cpA'; expected cp, rfid, power, fault or quit"},
        InvalidCase{"cp", kPilotError},
        InvalidCase{"cp A B", "error: cp: connector must be a number from 1 to 8, got 'B'"},
        InvalidCase{"cp G", kPilotError + ", got 'G'"},
        InvalidCase{"cp AB", kPilotError + ", got 'AB'"},
        InvalidCase{"cp 1", kPilotError + ", got '1'"},
        InvalidCase{"cp F",
                    "error: cp F is driven by the EVSE, not the vehicle; use A, B, C, D or E"},
        InvalidCase{"rfid", "error: rfid expects an idTag"},
        InvalidCase{"rfid AB CD", "error: rfid expects one idTag without blanks"},
        InvalidCase{"rfid 123456789012345678901",
                    "error: rfid idTag is 21 characters, at most 20 (CiString20)"},
        InvalidCase{"power", kPowerError}, InvalidCase{"power 1 2 3", kPowerError},
        InvalidCase{"power -1", kPowerError + ", got '-1'"},
        InvalidCase{"power +5", kPowerError + ", got '+5'"},
        InvalidCase{"power 1e3", kPowerError + ", got '1e3'"},
        InvalidCase{"power 7.2", kPowerError + ", got '7.2'"},
        InvalidCase{"power 0x10", kPowerError + ", got '0x10'"},
        InvalidCase{"power 100001", kPowerError + ", got '100001'"},
        InvalidCase{"power 99999999999999999999999999999999999999",
                    kPowerError + ", got '99999999999999999999999999999999...'"},
        InvalidCase{"fault",
                    "error: fault expects one ChargePointErrorCode, e.g. GroundFailure "
                    "(NoError clears)"},
        InvalidCase{"fault Bogus",
                    "error: unknown fault code 'Bogus'; use an OCPP ChargePointErrorCode such as "
                    "GroundFailure, or NoError to clear"},
        InvalidCase{"fault Ground Failure",
                    "error: unknown fault code 'Ground'; use an OCPP ChargePointErrorCode such as "
                    "GroundFailure, or NoError to clear"},
        InvalidCase{"fault NoError 1 2",
                    "error: fault expects one ChargePointErrorCode, "
                    "e.g. GroundFailure (NoError clears)"},
        InvalidCase{"quit now", "error: quit takes no arguments"},
        // Bytes that are not printable ASCII reject the whole line.
        InvalidCase{std::string("rfid A\0B", 8),
                    "error: byte 0x00 at column 7 is not printable ASCII"},
        InvalidCase{"rfid caf\xc3\xa9", "error: byte 0xC3 at column 9 is not printable ASCII"},
        InvalidCase{"\x1b[31mcp A", "error: byte 0x1B at column 1 is not printable ASCII"},
        InvalidCase{"cp A\x7f", "error: byte 0x7F at column 5 is not printable ASCII"},
        InvalidCase{"cp\rA", "error: byte 0x0D at column 3 is not printable ASCII"},
        InvalidCase{"cp A\n\n", "error: byte 0x0A at column 5 is not printable ASCII"},
        InvalidCase{"cp A\ncp B", "error: byte 0x0A at column 5 is not printable ASCII"},
        InvalidCase{"\xff\xfe\xfd", "error: byte 0xFF at column 1 is not printable ASCII"},
        // Length is checked before anything else.
        InvalidCase{"rfid " + std::string(252, 'X'), "error: line is 257 bytes, at most 256"},
        InvalidCase{std::string(1 << 20, '\xff'), "error: line is 1048576 bytes, at most 256"}));

TEST(ParseCommandLineTest, LongestAllowedLineIsParsed) {
  const std::string line = "cp" + std::string(kMaxCommandLineBytes - 3, ' ') + "C";
  ASSERT_EQ(line.size(), kMaxCommandLineBytes);
  EXPECT_TRUE(ParseCommandLine(line).command == Command(SetPilotCommand{PilotState::kC}));
  EXPECT_TRUE(ParseCommandLine(line + "\r\n").ok()) << "terminators do not count";
}

TEST(ParseCommandLineTest, BlankLinesAreNeitherCommandNorError) {
  for (const char* line : {"", "\n", "\r\n", "   ", "\t \t\r\n"}) {
    const ParsedLine parsed = ParseCommandLine(line);
    EXPECT_TRUE(parsed.blank()) << testing::PrintToString(line);
    EXPECT_TRUE(parsed.ok());
  }
  EXPECT_FALSE(ParseCommandLine("cp A").blank());
  EXPECT_FALSE(ParseCommandLine("x").blank());
}

TEST(ParseCommandLineTest, ErrorsAreOneBoundedPrintableLine) {
  const std::vector<std::string> lines = {
      "fault " + std::string(200, 'Z'), "rfid " + std::string(200, 'Q'), std::string(200, 'w'),
      std::string("\0\0\0", 3), "power " + std::string(240, '9')};
  for (const std::string& line : lines) {
    const ParsedLine parsed = ParseCommandLine(line);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error.rfind("error: ", 0), 0u);
    EXPECT_LE(parsed.error.size(), 160u) << parsed.error;
    for (char c : parsed.error) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << parsed.error;
  }
}

// Every byte value in every position of a short line: never crashes, always
// exactly one outcome.
TEST(ParseCommandLineTest, EveryByteIsHandled) {
  for (const std::string prefix : {"", "cp ", "rfid ", "power 1", "fault No", "quit"}) {
    for (int byte = 0; byte < 256; ++byte) {
      const std::string line = prefix + static_cast<char>(byte);
      const ParsedLine parsed = ParseCommandLine(line);
      EXPECT_NE(parsed.ok(), !parsed.error.empty());
      if (!parsed.ok()) {
        EXPECT_FALSE(parsed.command.has_value());
      }
    }
  }
}

TEST(FormatCommandTest, RoundTripsThroughTheParser) {
  std::vector<Command> commands = {QuitCommand{}, PresentTagCommand{"04A2B3C4"},
                                   PresentTagCommand{std::string(20, '~')}, SetPowerCommand{0},
                                   SetPowerCommand{kMaxPowerDrawW}};
  for (PilotState s :
       {PilotState::kA, PilotState::kB, PilotState::kC, PilotState::kD, PilotState::kE}) {
    commands.push_back(SetPilotCommand{s});
  }
  for (int i = 0; i <= static_cast<int>(Fault::kWeakSignal); ++i) {
    commands.push_back(SetFaultCommand{static_cast<Fault>(i)});
  }
  for (const Command& command : commands) {
    const std::string line = FormatCommand(command);
    const ParsedLine parsed = ParseCommandLine(line);
    ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.error;
    EXPECT_TRUE(parsed.command == command) << line;
  }
  EXPECT_EQ(FormatCommand(SetPilotCommand{PilotState::kC}), "cp C");
  EXPECT_EQ(FormatCommand(SetFaultCommand{Fault::kGroundFailure}), "fault GroundFailure");
  EXPECT_EQ(FormatCommand(SetPowerCommand{7200}), "power 7200");
}

TEST(ApplyCommandTest, DrivesTheSimulator) {
  base::FakeClock clock;
  SimHardware hw(clock);
  std::vector<std::string> tags;
  std::vector<Fault> faults;
  hw.SetTagObserver([&](const std::string& tag) { tags.push_back(tag); });
  hw.sim_connector(1).SetFaultObserver([&](Fault f) { faults.push_back(f); });

  auto apply = [&](const char* line) {
    const ParsedLine parsed = ParseCommandLine(line);
    ASSERT_TRUE(parsed.command.has_value()) << line << ": " << parsed.error;
    ApplyCommand(hw, *parsed.command);
  };
  apply("cp B");
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kB);
  apply("rfid TAG1");
  EXPECT_EQ(tags, std::vector<std::string>{"TAG1"});
  apply("cp C");
  hw.sim_connector(1).SetPwmDutyPermille(533);  // what the station would do: 32 A
  hw.sim_connector(1).Close();
  apply("power 3600");
  clock.Advance(std::chrono::hours(1));
  EXPECT_EQ(hw.sim_connector(1).ReadEnergyActiveImportWh(), 3600);
  apply("fault OverCurrentFailure");
  apply("fault NoError");
  EXPECT_EQ(faults, (std::vector<Fault>{Fault::kOverCurrentFailure, Fault::kNoError}));
  apply("cp E");
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kE);
}

TEST(ApplyCommandTest, QuitIsNotAHardwareEvent) {
  base::FakeClock clock;
  SimHardware hw(clock);
  const Command quit = QuitCommand{};
  EXPECT_TRUE(IsQuit(quit));
  EXPECT_FALSE(IsQuit(SetPowerCommand{1}));
  ApplyCommand(hw, quit);
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kA);
  EXPECT_EQ(hw.sim_connector(1).power_draw_w(), kDefaultPowerDrawW);
}

TEST(ParseCommandLineTest, ConnectorNumbersAreOneDigitInRange) {
  for (const char* line : {"cp C 0", "cp C 9", "cp C 12", "power 10 0", "fault NoError 9", "cp C x",
                           "cp C 1 2", "power 10 -1"}) {
    const ParsedLine parsed = ParseCommandLine(line);
    EXPECT_FALSE(parsed.ok()) << line;
    EXPECT_EQ(parsed.error.rfind("error: ", 0), 0u) << line;
  }
}

TEST(ApplyCommandTest, AddressesConnectorsAndTheStation) {
  base::FakeClock clock;
  SimHardware::Options options;
  options.connectors = 2;
  SimHardware hw(clock, options);
  std::vector<Fault> station_faults;
  hw.SetFaultObserver([&](Fault f) { station_faults.push_back(f); });
  auto apply = [&](const char* line) {
    const ParsedLine parsed = ParseCommandLine(line);
    EXPECT_TRUE(parsed.command.has_value()) << line;
    return parsed.command ? ApplyCommand(hw, *parsed.command) : std::string("unparsed");
  };
  EXPECT_EQ(apply("cp C 2"), "");
  EXPECT_EQ(hw.sim_connector(2).ReadState(), PilotState::kC);
  EXPECT_EQ(hw.sim_connector(1).ReadState(), PilotState::kA);
  EXPECT_EQ(apply("power 1000 2"), "");
  EXPECT_EQ(hw.sim_connector(2).power_draw_w(), 1000);
  EXPECT_EQ(apply("fault InternalError 0"), "");
  EXPECT_EQ(station_faults, std::vector<Fault>{Fault::kInternalError});
  EXPECT_EQ(hw.sim_connector(1).CurrentFault(), Fault::kNoError);
  EXPECT_EQ(apply("cp B 3"), "error: no connector 3 (this station has 2)");
  EXPECT_EQ(FormatCommand(SetPilotCommand{PilotState::kC, 2}), "cp C 2");
  EXPECT_EQ(FormatCommand(SetFaultCommand{Fault::kNoError, 0}), "fault NoError 0");
  EXPECT_EQ(FormatCommand(SetPowerCommand{5, 1}), "power 5");
}

}  // namespace
}  // namespace ocpp::hal::sim
