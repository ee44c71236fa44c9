#include "hal/sim/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace ocpp::hal::sim {
namespace {

std::string TempDir() {
  std::string dir = (std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp");
  dir += "/data_dir_test.XXXXXX";
  return mkdtemp(dir.data());
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

TEST(MakeDirectoriesTest, CreatesEveryMissingComponentAndAcceptsExistingOnes) {
  const std::string root = TempDir();
  std::string error;
  ASSERT_TRUE(MakeDirectories(root + "/a/b/c", &error)) << error;
  EXPECT_TRUE(IsDirectory(root + "/a/b/c"));
  EXPECT_TRUE(MakeDirectories(root + "/a/b/c", &error)) << error;
  EXPECT_TRUE(MakeDirectories(root + "/a/b/c/", &error)) << error;
}

TEST(MakeDirectoriesTest, NamesTheComponentThatIsAFile) {
  const std::string root = TempDir();
  std::ofstream(root + "/file") << "x";
  std::string error;
  EXPECT_FALSE(MakeDirectories(root + "/file", &error));
  EXPECT_EQ(error, root + "/file: not a directory");
  EXPECT_FALSE(MakeDirectories(root + "/file/below", &error));
  EXPECT_EQ(error.rfind(root + "/file/below: ", 0), 0u) << error;
}

TEST(MeterRegisterTest, ConnectorOneKeepsTheSingleConnectorName) {
  EXPECT_EQ(MeterRegisterPath("/d", 1), "/d/sim-meter-wh");
  EXPECT_EQ(MeterRegisterPath("/d", 2), "/d/sim-meter-wh-2");
  EXPECT_EQ(MeterRegisterPath("/d", 8), "/d/sim-meter-wh-8");
}

TEST(MeterRegisterTest, WrittenValueReadsBackAndReplacesTheOldOne) {
  const std::string path = MeterRegisterPath(TempDir(), 1);
  ASSERT_TRUE(WriteMeterRegister(path, 1234));
  EXPECT_EQ(ReadMeterRegister(path), 1234);
  ASSERT_TRUE(WriteMeterRegister(path, 987654321012));
  EXPECT_EQ(ReadMeterRegister(path), 987654321012);
  EXPECT_FALSE(std::ifstream(path + ".tmp").good());
}

TEST(MeterRegisterTest, MissingGarbageOrNegativeFilesReadAsAFreshMeter) {
  const std::string dir = TempDir();
  EXPECT_EQ(ReadMeterRegister(dir + "/absent"), 0);
  std::ofstream(dir + "/garbage") << "kWh?";
  EXPECT_EQ(ReadMeterRegister(dir + "/garbage"), 0);
  std::ofstream(dir + "/negative") << "-5\n";
  EXPECT_EQ(ReadMeterRegister(dir + "/negative"), 0);
}

TEST(MeterRegisterTest, WriteFailsWhenTheDirectoryIsGone) {
  EXPECT_FALSE(WriteMeterRegister(TempDir() + "/gone/sim-meter-wh", 1));
}

}  // namespace
}  // namespace ocpp::hal::sim
