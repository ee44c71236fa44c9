#include "hal/linux/file_credential_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

namespace ocpp::hal {
namespace {

std::string Dir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST(FileCredentialStore, KeepsSecretsOwnerOnlyAndReplacesThemWhole) {
  auto store = FileCredentialStore::Open(Dir("credentials"));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Mode(Dir("credentials")), 0700u);
  EXPECT_EQ((*store)->Read("charge-point.key").status().code(), base::StatusCode::kNotFound);
  ASSERT_TRUE((*store)->Write("charge-point.key", "first").ok());
  ASSERT_TRUE((*store)->Write("charge-point.key", "second key").ok());
  EXPECT_EQ(*(*store)->Read("charge-point.key"), "second key");
  EXPECT_EQ(Mode((*store)->PathOf("charge-point.key")), 0600u);
  ASSERT_TRUE((*store)->Remove("charge-point.key").ok());
  ASSERT_TRUE((*store)->Remove("charge-point.key").ok());
  EXPECT_FALSE((*store)->Read("charge-point.key").ok());
}

TEST(FileCredentialStore, NamesAreNeverPaths) {
  auto store = FileCredentialStore::Open(Dir("credentials-names"));
  ASSERT_TRUE(store.ok());
  for (const char* name : {"", "../escape", "a/b", ".hidden"}) {
    EXPECT_FALSE((*store)->Write(name, "x").ok()) << name;
    EXPECT_FALSE((*store)->Read(name).ok()) << name;
  }
}

}  // namespace
}  // namespace ocpp::hal
