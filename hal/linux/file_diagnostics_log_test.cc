#include "hal/linux/file_diagnostics_log.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ocpp::hal {
namespace {

std::string TempDir(const std::string& name) {
  const char* root = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(root ? root : "/tmp") + "/" + name;
  std::system(("rm -rf '" + dir + "'").c_str());
  return dir;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileDiagnosticsLog, CollectsTheLinesOfAPeriodAcrossARestart) {
  const std::string dir = TempDir("diag1");
  {
    FileDiagnosticsLog log(dir);
    log.Append(1000, "booted");
    log.Append(2000, "line\nwith a break");
  }
  FileDiagnosticsLog log(dir);  // a reboot keeps what was written
  log.Append(3000, "after the reboot");
  auto all = log.Collect(std::nullopt, std::nullopt, dir + "/all.txt");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 3u);
  EXPECT_EQ(Read(dir + "/all.txt"), "1000 booted\n2000 line with a break\n3000 after the reboot\n");
  auto some = log.Collect(1500, 2500, dir + "/some.txt");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, 1u);
  EXPECT_EQ(*log.Collect(5000, std::nullopt, dir + "/none.txt"), 0u);
}

TEST(FileDiagnosticsLog, RotationKeepsTheNewestLinesWithinTwoFiles) {
  const std::string dir = TempDir("diag2");
  FileDiagnosticsLog log(dir, 1024);
  for (int i = 0; i < 1000; ++i) log.Append(i, "line " + std::to_string(i));
  auto lines = log.Collect(std::nullopt, std::nullopt, dir + "/out.txt");
  ASSERT_TRUE(lines.ok());
  EXPECT_LT(*lines, 200u) << "bounded";
  EXPECT_GT(*lines, 50u);
  const std::string text = Read(dir + "/out.txt");
  EXPECT_NE(text.find("999 line 999\n"), std::string::npos) << "the newest is there";
  EXPECT_EQ(text.find("\n0 line 0\n"), std::string::npos);
}

TEST(FileDiagnosticsLog, AnUnwritableTargetIsAnError) {
  const std::string dir = TempDir("diag3");
  FileDiagnosticsLog log(dir);
  log.Append(1, "x");
  EXPECT_FALSE(log.Collect(std::nullopt, std::nullopt, dir + "/no/such/dir/out.txt").ok());
}

}  // namespace
}  // namespace ocpp::hal
