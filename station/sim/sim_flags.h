// station_sim's command line (../shared/docs/station-sim-interface.md):
// flags, checked up front with a one-line reason, and the --config file of
// factory configuration values.
#pragma once

#include <map>
#include <string>

namespace ocpp::station::sim {

enum class Level { kError, kWarn, kInfo, kDebug };

// Prints "station_sim: <reason>" on stderr and exits with `code`.
[[noreturn]] void Die(const std::string& reason, int code = 2);

struct Flags {
  std::string csms;
  std::string id;
  std::string data_dir;
  std::string config_file;
  std::string password;
  std::string ca_file;
  std::string cert;
  std::string key;
  std::string csms_tls;  // the wss:// endpoint of SecurityProfile 2 and 3
  Level level = Level::kInfo;
  int connectors = 1;
  int max_current_a = 32;
  int phases = 1;
  int voltage_v = 230;
  int supply_current_a = 0;  // 0: connectors x max current
};

// One command-line word as a flag: "--name=value" splits at the first '='
// (the value may be empty); anything else is a name whose value, if it
// takes one, is the next word. Shared with station_fleet.
struct FlagArgument {
  std::string name;
  std::string value;
  bool has_inline_value = false;
};
FlagArgument SplitFlagArgument(const std::string& word);

// The flags, or Die() with the reason (usage on --help).
Flags ParseFlags(int argc, char** argv);

// --config (station_sim and station_fleet): a JSON object of key -> string,
// number or boolean, added to `values` (nothing without a path). False
// with a one-line reason.
bool ReadFactoryConfig(const std::string& path, std::map<std::string, std::string>* values,
                       std::string* error);

}  // namespace ocpp::station::sim
