#include "station/fleet/fleet_flags.h"

#include <gtest/gtest.h>

namespace ocpp::station::fleet {
namespace {

std::string Error(std::vector<std::string> args) {
  FleetFlags flags;
  bool help = false;
  std::string error;
  EXPECT_FALSE(ParseFleetFlags(args, &flags, &help, &error));
  return error;
}

const std::vector<std::string> kRequired = {"--csms", "ws://127.0.0.1:9000", "--count",
                                            "10",     "--data-dir",          "/tmp/x"};

std::vector<std::string> With(std::vector<std::string> extra) {
  auto args = kRequired;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(FleetFlagsTest, DefaultsAndEveryFlag) {
  FleetFlags flags;
  bool help = false;
  std::string error;
  ASSERT_TRUE(ParseFleetFlags(kRequired, &flags, &help, &error)) << error;
  EXPECT_EQ(flags.id_prefix, "FLEET");
  EXPECT_EQ(flags.first, 0);
  EXPECT_EQ(flags.idle_mean_s, 60);
  EXPECT_EQ(flags.charge_mean_s, 120);
  EXPECT_EQ(flags.power_w, 7200);
  EXPECT_EQ(flags.stats_interval_s, 5);
  EXPECT_EQ(flags.duration_s, 0);
  ASSERT_TRUE(ParseFleetFlags(With({"--id-prefix",
                                    "LT",
                                    "--first=2000",
                                    "--ramp-up",
                                    "2.5",
                                    "--duration",
                                    "8",
                                    "--idle-mean",
                                    "1",
                                    "--charge-mean",
                                    "2",
                                    "--power",
                                    "11000",
                                    "--seed",
                                    "42",
                                    "--stats-interval",
                                    "1",
                                    "--config",
                                    "c.json",
                                    "--password",
                                    "pw",
                                    "--ca-file",
                                    "ca.pem",
                                    "--log-level",
                                    "error",
                                    "--report",
                                    "r.html"}),
                              &flags, &help, &error))
      << error;
  EXPECT_EQ(flags.first, 2000);
  EXPECT_EQ(flags.ramp_up_s, 2.5);
  EXPECT_EQ(flags.seed, 42u);
  EXPECT_EQ(flags.power_w, 11000);
  EXPECT_EQ(flags.log_level, LogLevel::kError);
  EXPECT_EQ(flags.report_file, "r.html");
  EXPECT_TRUE(ParseFleetFlags({"--help"}, &flags, &help, &error));
  EXPECT_TRUE(help);
}

TEST(FleetFlagsTest, BadFlagsHaveOneLineReasons) {
  EXPECT_EQ(Error({"--count", "1", "--data-dir", "d"}), "--csms URL is required");
  EXPECT_EQ(Error({"--csms", "http://x", "--count", "1", "--data-dir", "d"}),
            "--csms must be a ws:// or wss:// URL");
  EXPECT_EQ(Error({"--csms", "ws://x", "--data-dir", "d"}), "--count N is required");
  EXPECT_EQ(Error(With({"--count", "0"})), "--count must be a whole number from 1 to 100000");
  EXPECT_EQ(Error(With({"--bogus", "1"})), "unknown flag --bogus");
  EXPECT_EQ(Error(With({"--seed"})), "flag --seed needs a value");
  EXPECT_EQ(Error(With({"--idle-mean", "-1"})).rfind("--idle-mean must be a number", 0), 0u);
  EXPECT_EQ(Error(With({"--log-level", "loud"})), "--log-level must be error, warn, info or debug");
  EXPECT_EQ(Error(With({"--first", "999995"})),
            "--first + --count must not exceed 1000000 (6-digit indexes)");
  EXPECT_NE(Error(With({"--id-prefix", "A/B"})), "");
  EXPECT_NE(Error(With({"--id-prefix", "ABCDEFGHIJKLMN"})), "");
  for (const auto& e : {Error(With({"--power", "x"})), Error(With({"--seed", "-3"}))}) {
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_FALSE(e.empty());
  }
}

TEST(FleetFlagsTest, EveryNameIsAFlag) {
  for (const auto& name : FleetFlagNames()) {
    EXPECT_EQ(name.rfind("--", 0), 0u);
    EXPECT_NE(FleetUsage().find(name), std::string::npos) << name << " missing from the usage";
  }
}

}  // namespace
}  // namespace ocpp::station::fleet
