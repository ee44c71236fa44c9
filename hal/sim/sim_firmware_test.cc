#include "hal/sim/sim_firmware.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace ocpp::hal::sim {
namespace {

std::string TempDir(const std::string& name) {
  const char* root = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(root ? root : "/tmp") + "/" + name;
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  return dir;
}

std::string Image(const std::string& dir, const std::string& text) {
  const std::string path = dir + "/image.bin";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(SimFirmwareInstaller, FollowsTheContractsImageRules) {
  const std::string dir = TempDir("fw");
  SimFirmwareInstaller installer(dir);
  std::string seen;
  installer.SetInstalledObserver([&](const std::string& v) { seen = v; });
  EXPECT_EQ(SimFirmwareInstaller::InstalledVersion(dir), std::nullopt);

  auto named = installer.Install(Image(dir, "version=2.1.0\nbinary..."));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(*named, "2.1.0");
  EXPECT_EQ(seen, "2.1.0");
  EXPECT_EQ(SimFirmwareInstaller::InstalledVersion(dir), "2.1.0");

  // sim- and the first 8 hex digits of SHA-256("hello\n") = 5891b5b5...
  auto hashed = installer.Install(Image(dir, "hello\n"));
  ASSERT_TRUE(hashed.ok());
  EXPECT_EQ(*hashed, "sim-5891b5b5");

  auto corrupt = installer.Install(Image(dir, "corrupt\nwhatever"));
  EXPECT_FALSE(corrupt.ok());
  EXPECT_EQ(SimFirmwareInstaller::InstalledVersion(dir), "sim-5891b5b5") << "the running one stays";
  EXPECT_FALSE(installer.Install(dir + "/missing").ok());
  EXPECT_TRUE(installer.FreeBytes().has_value());
  EXPECT_EQ(installer.DownloadDirectory(), dir + "/downloads");
}

}  // namespace
}  // namespace ocpp::hal::sim
