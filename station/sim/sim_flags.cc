#include "station/sim/sim_flags.h"

#include <rapidjson/document.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ocpp::station::sim {

void Die(const std::string& reason, int code) {
  std::fprintf(stderr, "station_sim: %s\n", reason.c_str());
  std::exit(code);
}

namespace {

// A whole number from `min` to `max`, or Die() naming the flag.
int ParseIntFlag(const std::string& flag, const std::string& value, int min, int max) {
  int result = 0;
  std::size_t used = 0;
  try {
    result = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || result < min || result > max) {
    Die(flag + " must be a whole number from " + std::to_string(min) + " to " +
        std::to_string(max));
  }
  return result;
}

}  // namespace

FlagArgument SplitFlagArgument(const std::string& word) {
  const auto eq = word.find('=');
  if (eq == std::string::npos || word.rfind("--", 0) != 0) return {word, "", false};
  return {word.substr(0, eq), word.substr(eq + 1), true};
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  std::map<std::string, std::string*> strings = {
      {"--csms", &flags.csms},         {"--id", &flags.id},
      {"--data-dir", &flags.data_dir}, {"--config", &flags.config_file},
      {"--password", &flags.password}, {"--ca-file", &flags.ca_file},
      {"--cert", &flags.cert},         {"--key", &flags.key},
      {"--csms-tls", &flags.csms_tls}};
  for (int i = 1; i < argc; ++i) {
    auto [arg, value, inline_value] = SplitFlagArgument(argv[i]);
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: station_sim --csms URL --id CHARGE_POINT_ID --data-dir DIR [--config FILE]\n"
          "       [--password PW] [--ca-file PEM] [--cert PEM --key PEM] [--log-level LEVEL]\n"
          "       [--connectors N] [--max-current A] [--phases 1|3] [--voltage V]\n"
          "       [--supply-current A] [--csms-tls URL]\n");
      std::exit(0);
    }
    static const std::map<std::string, std::pair<int, int>> kNumbers = {
        {"--connectors", {1, 8}},
        {"--max-current", {6, 80}},
        {"--phases", {1, 3}},
        {"--voltage", {100, 480}},
        {"--supply-current", {6, 8 * 80}}};
    const bool known = strings.count(arg) || arg == "--log-level" || kNumbers.count(arg);
    if (!known) Die("unknown flag " + arg);
    if (!inline_value) {
      if (i + 1 >= argc) Die("flag " + arg + " needs a value");
      value = argv[++i];
    }
    if (auto number = kNumbers.find(arg); number != kNumbers.end()) {
      const int v = ParseIntFlag(arg, value, number->second.first, number->second.second);
      if (arg == "--connectors") flags.connectors = v;
      if (arg == "--max-current") flags.max_current_a = v;
      if (arg == "--phases") {
        if (v == 2) Die("--phases must be 1 or 3");
        flags.phases = v;
      }
      if (arg == "--voltage") flags.voltage_v = v;
      if (arg == "--supply-current") flags.supply_current_a = v;
    } else if (arg == "--log-level") {
      if (value == "error")
        flags.level = Level::kError;
      else if (value == "warn")
        flags.level = Level::kWarn;
      else if (value == "info")
        flags.level = Level::kInfo;
      else if (value == "debug")
        flags.level = Level::kDebug;
      else
        Die("--log-level must be error, warn, info or debug");
    } else {
      *strings[arg] = value;
    }
  }
  if (flags.csms.empty()) Die("--csms URL is required");
  if (flags.id.empty()) Die("--id CHARGE_POINT_ID is required");
  if (flags.data_dir.empty()) Die("--data-dir DIR is required");
  if (flags.csms.rfind("ws://", 0) != 0 && flags.csms.rfind("wss://", 0) != 0) {
    Die("--csms must be a ws:// or wss:// URL");
  }
  if (flags.cert.empty() != flags.key.empty()) Die("--cert and --key go together");
  if (!flags.csms_tls.empty() && flags.csms_tls.rfind("wss://", 0) != 0) {
    Die("--csms-tls must be a wss:// URL");
  }
  return flags;
}

bool ReadFactoryConfig(const std::string& path, std::map<std::string, std::string>* values,
                       std::string* error) {
  if (path.empty()) return true;
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read --config " + path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  // Iterative: a hostile file may nest 100,000 deep.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.str().c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    *error = "--config " + path + " is not a JSON object";
    return false;
  }
  for (const auto& member : doc.GetObject()) {
    const std::string key = member.name.GetString();
    if (member.value.IsString()) {
      (*values)[key] = member.value.GetString();
    } else if (member.value.IsBool()) {
      (*values)[key] = member.value.GetBool() ? "true" : "false";
    } else if (member.value.IsInt64()) {
      (*values)[key] = std::to_string(member.value.GetInt64());
    } else {
      *error = "--config: value of " + key + " must be a string, number or boolean";
      return false;
    }
  }
  return true;
}

}  // namespace ocpp::station::sim
