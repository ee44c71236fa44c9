#include "station/fleet/fleet_flags.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "station/sim/sim_flags.h"

namespace ocpp::station::fleet {

namespace {

// ids are prefix + 6 digits; the card adds "T" and an idTag holds 20.
constexpr std::size_t kMaxPrefix = 13;
constexpr std::int64_t kIndexLimit = 1000000;

bool ParseNumber(const std::string& flag, const std::string& value, double min, double max,
                 double* out, std::string* error) {
  char* end = nullptr;
  errno = 0;
  const double v = value.empty() ? NAN : std::strtod(value.c_str(), &end);
  if (std::isnan(v) || errno != 0 || end != value.c_str() + value.size() || v < min || v > max) {
    *error = flag + " must be a number from " + std::to_string(static_cast<long long>(min)) +
             " to " + std::to_string(static_cast<long long>(max));
    return false;
  }
  *out = v;
  return true;
}

bool ParseWhole(const std::string& flag, const std::string& value, std::int64_t min,
                std::int64_t max, std::int64_t* out, std::string* error) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || errno != 0 || end != value.c_str() + value.size() || v < min || v > max) {
    *error =
        flag + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

const std::vector<std::string>& FleetFlagNames() {
  static const std::vector<std::string> kNames = {
      "--csms",     "--count",     "--id-prefix",   "--first",     "--data-dir", "--ramp-up",
      "--duration", "--idle-mean", "--charge-mean", "--power",     "--seed",     "--stats-interval",
      "--config",   "--password",  "--ca-file",     "--log-level", "--report",   "--fsync"};
  return kNames;
}

std::string FleetUsage() {
  return "usage: station_fleet --csms URL --count N --data-dir DIR [--id-prefix P] [--first K]\n"
         "       [--ramp-up S] [--duration S] [--idle-mean S] [--charge-mean S] [--power W]\n"
         "       [--seed X] [--stats-interval S] [--config FILE] [--password PW]\n"
         "       [--ca-file PEM] [--log-level error|warn|info|debug] [--report FILE.html]\n"
         "       [--fsync at-exit|every-commit]\n";
}

bool ParseFleetFlags(const std::vector<std::string>& args, FleetFlags* flags, bool* help,
                     std::string* error) {
  *help = false;
  bool have_count = false;
  const auto& names = FleetFlagNames();
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto [arg, value, inline_value] = sim::SplitFlagArgument(args[i]);
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return true;
    }
    if (std::find(names.begin(), names.end(), arg) == names.end()) {
      *error = "unknown flag " + arg;
      return false;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        *error = "flag " + arg + " needs a value";
        return false;
      }
      value = args[++i];
    }
    std::int64_t whole = 0;
    bool ok = true;
    if (arg == "--csms") {
      flags->csms = value;
    } else if (arg == "--count") {
      ok = ParseWhole(arg, value, 1, 100000, &whole, error);
      flags->count = static_cast<int>(whole);
      have_count = true;
    } else if (arg == "--id-prefix") {
      flags->id_prefix = value;
    } else if (arg == "--first") {
      ok = ParseWhole(arg, value, 0, kIndexLimit - 1, &flags->first, error);
    } else if (arg == "--data-dir") {
      flags->data_dir = value;
    } else if (arg == "--ramp-up") {
      ok = ParseNumber(arg, value, 0, 86400, &flags->ramp_up_s, error);
    } else if (arg == "--duration") {
      ok = ParseNumber(arg, value, 0.001, 365 * 86400.0, &flags->duration_s, error);
    } else if (arg == "--idle-mean") {
      ok = ParseNumber(arg, value, 0.001, 30 * 86400.0, &flags->idle_mean_s, error);
    } else if (arg == "--charge-mean") {
      ok = ParseNumber(arg, value, 0.001, 30 * 86400.0, &flags->charge_mean_s, error);
    } else if (arg == "--power") {
      ok = ParseWhole(arg, value, 0, 100000, &whole, error);
      flags->power_w = static_cast<int>(whole);
    } else if (arg == "--seed") {
      char* end = nullptr;
      errno = 0;
      flags->seed = std::strtoull(value.c_str(), &end, 0);
      if (value.empty() || value[0] == '-' || errno != 0 || end != value.c_str() + value.size()) {
        *error = "--seed must be a whole number from 0 to 2^64-1";
        ok = false;
      }
    } else if (arg == "--stats-interval") {
      ok = ParseNumber(arg, value, 0.1, 86400, &flags->stats_interval_s, error);
    } else if (arg == "--config") {
      flags->config_file = value;
    } else if (arg == "--password") {
      flags->password = value;
    } else if (arg == "--ca-file") {
      flags->ca_file = value;
    } else if (arg == "--fsync") {
      if (value != "at-exit" && value != "every-commit") {
        *error = "--fsync must be at-exit or every-commit";
        ok = false;
      }
      flags->fsync_every_commit = value == "every-commit";
    } else if (arg == "--report") {
      flags->report_file = value;
    } else if (arg == "--log-level") {
      if (value == "error") {
        flags->log_level = LogLevel::kError;
      } else if (value == "warn") {
        flags->log_level = LogLevel::kWarning;
      } else if (value == "info") {
        flags->log_level = LogLevel::kInfo;
      } else if (value == "debug") {
        flags->log_level = LogLevel::kDebug;
      } else {
        *error = "--log-level must be error, warn, info or debug";
        ok = false;
      }
    }
    if (!ok) return false;
  }
  if (flags->csms.empty()) {
    *error = "--csms URL is required";
  } else if (flags->csms.rfind("ws://", 0) != 0 && flags->csms.rfind("wss://", 0) != 0) {
    *error = "--csms must be a ws:// or wss:// URL";
  } else if (!have_count) {
    *error = "--count N is required";
  } else if (flags->data_dir.empty()) {
    *error = "--data-dir DIR is required";
  } else if (flags->id_prefix.size() > kMaxPrefix) {
    *error = "--id-prefix must be at most " + std::to_string(kMaxPrefix) +
             " characters (the card P<index>T is an idTag of at most 20)";
  } else if (flags->first + flags->count > kIndexLimit) {
    *error = "--first + --count must not exceed 1000000 (6-digit indexes)";
  } else {
    for (char c : flags->id_prefix) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        *error = "--id-prefix may hold letters, digits, '-', '_' and '.' only";
        return false;
      }
    }
    return true;
  }
  return false;
}

}  // namespace ocpp::station::fleet
